# Apache as in seeds 001 and 003: the site's DocumentRoot on the shared data
# path, mod_status on (the cluster's status checks use it), client addresses
# logged from X-Forwarded-For, a config test before any reload, and the
# server left to the cluster manager to start.
{% from 'cluster/map.jinja' import cluster, data_path with context %}
{% set web = salt['pillar.get']('web', {}) %}

apache2:
  pkg.installed

apache2-stopped-after-install:
  cmd.wait:
    - name: /etc/init.d/apache2 stop
    - watch:
      - pkg: apache2

{{ data_path }}/www/html:
  file.directory:
    - makedirs: True
    - require:
      - pkg: apache2

{{ data_path }}/www/html/index.html:
  file.managed:
    - contents: {{ web.get('index', 'served by the cluster ' ~ cluster.name) | yaml_dquote }}
    - replace: False
    - require:
      - file: {{ data_path }}/www/html

/etc/apache2/sites-available/000-default.conf:
  file.managed:
    - source: salt://apache/site.conf
    - template: jinja
    - context:
        server_name: {{ web.get('server_name', 'foobar.example.com') }}
        docroot: {{ data_path }}/www/html
    - backup: minion
    - mode: 644
    - require:
      - pkg: apache2

apache2-mod-status:
  cmd.run:
    - name: a2enmod status
    - creates: /etc/apache2/mods-enabled/status.load
    - require:
      - pkg: apache2

apache2-configtest:
  cmd.wait:
    - name: apache2ctl configtest
    - watch:
      - file: /etc/apache2/sites-available/000-default.conf
      - cmd: apache2-mod-status

apache2-reload:
  cmd.wait:
    - name: /etc/init.d/apache2 reload
    - onlyif: /etc/init.d/apache2 status
    - watch:
      - cmd: apache2-configtest
