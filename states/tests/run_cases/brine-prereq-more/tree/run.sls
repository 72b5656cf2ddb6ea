{% set sb = pillar['sandbox'] %}
pre-of-failing:
  test.succeed_with_changes:
    - prereq:
      - test: will-fail
will-fail:
  test.fail_with_changes: []
pre-of-cmd:
  test.succeed_with_changes:
    - prereq:
      - cmd: a-cmd
a-cmd:
  cmd.run:
    - name: echo a-cmd
pre-of-missing:
  test.nop:
    - prereq:
      - test: not-there
first:
  test.succeed_with_changes:
    - prereq:
      - test: second
second:
  test.succeed_with_changes:
    - prereq:
      - file: third
third:
  file.managed:
    - name: {{ sb }}/third
    - contents: c
