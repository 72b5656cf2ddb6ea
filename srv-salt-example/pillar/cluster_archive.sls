# The second cluster: the Heartbeat pair of seeds 002 and 004 (Apache and
# MariaDB behind their own virtual IP). Only what differs from cluster.sls.
cluster:
  name: thearchive
  stack: heartbeat
  primary: node3
  vip: 10.231.0.101
