# The pillar top file: which data each node gets. `cluster` makes a node a
# cluster member (the state top file targets `I@cluster:stack:...`); a later
# file overrides what an earlier one set, key by key.
base:
  '*':
    - common
  'node[1-4]':
    - cluster
  # A second pair on Heartbeat instead of Corosync/Pacemaker (seeds 002, 004).
  'node[34]':
    - cluster_archive
  'dom0* or node5':
    - match: compound
    - xen
  'vz*':
    - openvz
