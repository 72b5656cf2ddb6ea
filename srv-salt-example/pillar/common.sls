standard_packages:
  pkgs:
    - htop
    - iotop
    - nload
    - unp
    - mc
    - pciutils
    - lsof
    - debian-goodies
    - molly-guard
  glances: True
  glances_venv: /opt/glances
