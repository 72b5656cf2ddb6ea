needs-bad:
  test.nop:
    - require:
      - test: bad
bad:
  test.fail_without_changes: []
after:
  test.succeed_without_changes: []
