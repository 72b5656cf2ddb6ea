xen:
  vg: vg0
  pvs:
    - /dev/sdb1
  bridge: xenbr0
  create_lvs: True
  guests:
    thelibrary-node1:
      memory: 1024
      vcpus: 1
      disk_size: 32G
      mac: 00:16:3e:2a:00:43
    thelibrary-node2:
      memory: 1024
      vcpus: 1
      disk_size: 32G
      mac: 00:16:3e:2a:00:44

network:
  bond: bond0
  slaves: [eth0, eth1]
  bridge: xenbr0
  address: 192.168.42.42
  prefix: 24
  gateway: 192.168.42.1
