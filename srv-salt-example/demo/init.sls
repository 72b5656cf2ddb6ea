# A small SLS the demo applies for real: it writes only below the minion's
# own root_dir, so running it changes nothing else on the host.
{% set base = opts['root_dir'] ~ '/srv/demo' %}

demo-dir:
  file.directory:
    - name: {{ base }}
    - makedirs: True

demo-motd:
  file.managed:
    - name: {{ base }}/motd
    - contents: |
        Welcome to {{ grains['id'] }} ({{ grains['os'] }} {{ grains['osrelease'] }}).
        Managed by brine from the master's srv-salt-example tree.
    - require:
      - file: demo-dir

demo-stamp:
  cmd.run:
    - name: date -u +%FT%TZ > {{ base }}/applied-at
    - onchanges:
      - file: demo-motd
