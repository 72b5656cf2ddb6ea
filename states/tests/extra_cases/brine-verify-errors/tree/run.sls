{% set sb = pillar['sandbox'] %}
typo:
  test.nopp: []
nomod:
  nosuchmod.fun: []
link-without-target:
  file.symlink:
    - name: {{ sb }}/l
after:
  test.succeed_without_changes: []
