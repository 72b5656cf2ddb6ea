# /etc/network/interfaces of seed 000: a bond of the pillar's NICs and the Xen
# bridge on top of it, checked by ifquery before it replaces the old file.
{% set net = salt['pillar.get']('network', {}) %}

ifupdown:
  pkg.installed

/etc/network/interfaces:
  file.managed:
    - source: salt://network/interfaces
    - template: jinja
    - context:
        net: {{ net | json }}
    - check_cmd: ifquery --list --all --interfaces
    - backup: minion
    - mode: 644
    - require:
      - pkg: ifupdown
