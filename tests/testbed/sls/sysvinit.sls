# The e2e's real sysvinit service check (saltenv `bedtest`, on a node with no
# cluster manager): a config change watched by service.running reloads
# nginx through its /etc/init.d script; the same state without a change
# does nothing.
nginx:
  pkg.installed: []
  service.running:
    - enable: True
    - reload: True
    - watch:
      - file: /etc/nginx/conf.d/brine-e2e.conf

/etc/nginx/conf.d/brine-e2e.conf:
  file.managed:
    - contents: |
        # written by the e2e test, revision {{ pillar.get('rev', 1) }}
        server_tokens off;
    - require:
      - pkg: nginx
