{% set sb = pillar['sandbox'] %}
dep-one:
  test.succeed_with_changes: []
dep-two:
  test.succeed_without_changes: []
named-file:
  file.managed:
    - name: {{ sb }}/named.txt
    - contents: n
by-name:
  test.nop:
    - require:
      - file: {{ sb }}/named.txt
by-id-key:
  test.nop:
    - require:
      - id: dep-two
bare-string:
  test.nop:
    - require:
      - dep-one
by-sls:
  test.nop:
    - require:
      - sls: run
glob:
  test.succeed_without_changes:
    - watch:
      - test: dep-*
missing-sls:
  test.nop:
    - require:
      - sls: nosuchsls
missing-two:
  test.nop:
    - require:
      - test: nope1
    - watch:
      - file: nope2
