{% set sb = pillar['sandbox'] %}
will-change:
  file.managed:
    - name: {{ sb }}/wc
    - contents: x
pre:
  cmd.run:
    - name: echo pre
    - prereq:
      - file: will-change
watcher:
  cmd.run:
    - name: echo watcher
    - watch:
      - file: will-change
onch:
  test.succeed_with_changes:
    - onchanges:
      - file: will-change
onf:
  test.succeed_with_changes:
    - onfail:
      - file: will-change
listener:
  cmd.run:
    - name: echo listen
    - listen:
      - file: will-change
