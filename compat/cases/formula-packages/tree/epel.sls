# stub for the epel formula the pillar requires
epel-stub:
  test.nop
