{% set sb = pillar['sandbox'] %}
changes:
  test.succeed_with_changes: []
fails:
  test.fail_without_changes: []
fails-with:
  test.fail_with_changes: []
cmd:
  cmd.run:
    - name: echo hi
cmd-onchanges:
  cmd.run:
    - name: echo on
    - onchanges:
      - test: changes
waiter:
  cmd.wait:
    - name: echo waited
    - watch:
      - test: changes
newdir:
  file.directory:
    - name: {{ sb }}/newdir/sub
    - makedirs: True
    - mode: 750
gone:
  file.absent:
    - name: {{ sb }}/exists.txt
gone-dir:
  file.absent:
    - name: {{ sb }}/adir
newfile-mode:
  file.managed:
    - name: {{ sb }}/nf.txt
    - contents: x
    - mode: 600
mode-only:
  file.managed:
    - name: {{ sb }}/exists.txt
    - contents: here
    - mode: 600
noreplace:
  file.managed:
    - name: {{ sb }}/exists.txt
    - replace: False
    - mode: '0640'
configurable:
  test.configurable_test_state:
    - changes: False
    - result: True
    - comment: hello
notify:
  test.show_notification:
    - text: a notice
