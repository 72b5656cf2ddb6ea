{% set sb = pillar['sandbox'] %}
templated:
  file.managed:
    - name: {{ sb }}/t.conf
    - source: salt://files/t.j2
    - template: jinja
    - context:
        who: ctx
mode-only:
  file.managed:
    - name: {{ sb }}/m.txt
    - contents: m
    - mode: 600
hidden:
  file.managed:
    - name: {{ sb }}/h.txt
    - contents: new
    - show_changes: False
missing-source:
  file.managed:
    - name: {{ sb }}/x
    - source: salt://nope
missing-source-list:
  file.managed:
    - name: {{ sb }}/y
    - source:
      - salt://nope
owner:
  file.managed:
    - name: {{ sb }}/m.txt
    - user: nobody
unless-skip:
  file.managed:
    - name: {{ sb }}/u.txt
    - contents: u
    - unless: 'true'
