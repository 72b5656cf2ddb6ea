{% set sb = pillar['sandbox'] %}
dirs:
  file.directory:
    - names:
      - {{ sb }}/n1
      - {{ sb }}/n2
after-dirs:
  test.nop:
    - require:
      - file: dirs
after-one-name:
  test.nop:
    - require:
      - file: {{ sb }}/n2
failing:
  test.fail_with_changes: []
on-failed:
  test.succeed_without_changes:
    - onchanges:
      - test: failing
quiet:
  test.succeed_without_changes: []
skipped:
  test.succeed_with_changes:
    - onchanges:
      - test: quiet
needs-skipped:
  test.succeed_without_changes:
    - require:
      - test: skipped
watch-and-onchanges:
  test.nop:
    - watch:
      - test: changer
    - onchanges:
      - test: quiet
changer:
  test.succeed_with_changes: []
