{% set sb = pillar['sandbox'] %}
stop-before-change:
  cmd.run:
    - name: echo stopping
    - prereq:
      - file: conf
conf:
  file.managed:
    - name: {{ sb }}/p.conf
    - contents: new
stop-not-needed:
  cmd.run:
    - name: echo not-needed
    - prereq:
      - file: same
same:
  file.managed:
    - name: {{ sb }}/same.conf
    - contents: same
