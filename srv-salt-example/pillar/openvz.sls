# OpenVZ containers of seed 002 on a hardware node named vz*: config only
# (see openvz/init.sls).
openvz:
  containers:
    101:
      hostname: www.example.com
      ip: 192.168.42.101
    102:
      hostname: db.example.com
      ip: 192.168.42.102
      ram_pages: 524288
