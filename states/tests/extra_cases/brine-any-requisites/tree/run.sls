ok:
  test.succeed_without_changes: []
bad:
  test.fail_without_changes: []
changed:
  test.succeed_with_changes: []
req-any:
  test.nop:
    - require_any:
      - test: bad
      - test: ok
req-any-all-bad:
  test.nop:
    - require_any:
      - test: bad
watch-any:
  test.succeed_without_changes:
    - watch_any:
      - test: ok
      - test: changed
onchanges-any:
  test.succeed_without_changes:
    - onchanges_any:
      - test: ok
      - test: changed
onfail-any:
  test.succeed_without_changes:
    - onfail_any:
      - test: ok
      - test: bad
onfail-all:
  test.succeed_without_changes:
    - onfail_all:
      - test: ok
      - test: bad
onfail-plain-mixed:
  test.succeed_without_changes:
    - onfail:
      - test: ok
      - test: bad
