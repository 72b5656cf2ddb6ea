# stub for the node formula the pillar requires
node-stub:
  test.nop
