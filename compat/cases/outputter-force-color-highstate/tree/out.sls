changed:
  test.succeed_with_changes: []
clean:
  test.succeed_without_changes: []
broken:
  test.fail_without_changes: []
