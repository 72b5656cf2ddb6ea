# Heartbeat, the older alternative to Corosync/Pacemaker (seeds 002 and 004):
# ha.cf, haresources and authkeys (mode 600) from pillar, chosen by pillar
# `cluster:stack: heartbeat`, started through the init system.
{% from 'cluster/map.jinja' import cluster, members with context %}
{% set hb = cluster.get('heartbeat', {}) %}
{% if not hb.get('auth_key') %}
{{ raise('pillar key cluster:heartbeat:auth_key is required by heartbeat') }}
{% endif %}

heartbeat:
  pkg.installed

/etc/ha.d/ha.cf:
  file.managed:
    - source: salt://heartbeat/ha.cf
    - template: jinja
    - context:
        hb: {{ hb | json }}
        iface: {{ cluster.interface }}
        members: {{ members | json }}
    - mode: 644
    - require:
      - pkg: heartbeat

/etc/ha.d/haresources:
  file.managed:
    - source: salt://heartbeat/haresources
    - template: jinja
    - context:
        primary: {{ cluster.primary }}
        vip: {{ cluster.vip }}
        cidr: {{ cluster.get('vip_cidr', 24) }}
        iface: {{ cluster.interface }}
        services: {{ hb.get('services', ['mariadb', 'apache2']) | json }}
    - mode: 644
    - require:
      - pkg: heartbeat

/etc/ha.d/authkeys:
  file.managed:
    - contents: |
        # Managed by brine from pillar cluster:heartbeat:auth_key.
        auth 1
        1 sha1 {{ hb.auth_key }}
    - mode: 600
    - show_changes: False
    - require:
      - pkg: heartbeat

heartbeat-service:
  service.running:
    - name: heartbeat
    - enable: True
    - watch:
      - file: /etc/ha.d/ha.cf
      - file: /etc/ha.d/haresources
      - file: /etc/ha.d/authkeys
