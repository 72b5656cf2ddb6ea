first:
  test.succeed_without_changes: []
boom:
  test.fail_without_changes:
    - failhard: True
never:
  test.succeed_without_changes: []
