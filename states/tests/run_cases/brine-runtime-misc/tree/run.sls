{% set sb = pillar['sandbox'] %}
retrying:
  test.fail_without_changes:
    - retry:
        attempts: 2
        interval: 0
check-ok:
  test.nop:
    - check_cmd: 'true'
check-bad:
  test.nop:
    - check_cmd: 'false'
managed-check:
  file.managed:
    - name: {{ sb }}/checked
    - contents: c
    - check_cmd: 'false'
c1:
  test.nop:
    - require:
      - test: c2
c2:
  test.nop:
    - require:
      - test: c3
c3:
  test.nop:
    - require:
      - test: c1
watch-fail:
  test.nop:
    - watch:
      - test: failing
failing:
  test.fail_with_changes: []
watch-change:
  test.nop:
    - watch:
      - test: changing
changing:
  test.succeed_with_changes: []
