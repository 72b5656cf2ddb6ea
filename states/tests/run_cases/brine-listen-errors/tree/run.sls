{% set sb = pillar['sandbox'] %}
changed:
  test.succeed_with_changes: []
by-bare:
  test.nop:
    - listen:
      - changed
to-missing:
  test.nop:
    - listen:
      - test: not-there
