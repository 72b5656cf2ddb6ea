# The cluster of seed 000 on the test bed's private subnet. Every address a
# state needs is here or learned from grains and the mine.
{% set subnet = '10.231.0.0/24' %}
cluster:
  name: thelibrary
  stack: pacemaker            # or: heartbeat
  interface: eth0
  primary: node1
  vip: 10.231.0.100
  vip_cidr: 24
  ping_hosts:
    - 10.231.0.1
  data_path: /var/drbd
  stickiness: 100
  no_quorum_policy: ignore    # two nodes: seed 000 had a third voter and used "stop"
  dc_deadtime: 2s
  drbd:
    enabled: False            # the test bed's kernel has no DRBD module
    resource: drbd0
    device: /dev/drbd0
    disk: /dev/xvda3
    port: 7788
  heartbeat:
    auth_key: change-me-on-a-real-network
    keepalive: 1
    deadtime: 5
    initdead: 10
    ping:
      - 10.231.0.1

web:
  server_name: foobar.example.com

mine_functions:
  cluster_addr:
    - mine_function: network.ip_addrs
    - cidr: {{ subnet }}

mysql:
  bind_address: 0.0.0.0
  monitor:                    # the account health checks use through the virtual IP
    user: monitor
    password: change-me-on-a-real-network
    host: 10.231.0.%
