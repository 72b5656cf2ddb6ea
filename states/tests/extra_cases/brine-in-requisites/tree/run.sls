changer:
  test.succeed_with_changes:
    - watch_in:
      - test: watcher
    - onchanges_in:
      - test: on-change
    - listen_in:
      - test: listener
failer:
  test.fail_without_changes:
    - onfail_in:
      - test: on-fail
watcher:
  test.succeed_without_changes: []
on-change:
  test.succeed_without_changes: []
listener:
  test.succeed_without_changes: []
on-fail:
  test.succeed_without_changes: []
