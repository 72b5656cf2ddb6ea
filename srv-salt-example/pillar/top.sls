# The pillar top file: which data each node gets. `cluster` makes a node a
# cluster member (the state top file targets `I@cluster:stack:...`).
base:
  '*':
    - common
  'node*':
    - cluster
  'dom0*':
    - xen
