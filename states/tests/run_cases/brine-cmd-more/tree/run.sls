{% set sb = pillar['sandbox'] %}
int-name:
  cmd.run:
    - name: 42
bad-shell:
  cmd.run:
    - name: echo x
    - shell: /bin/nonexistent-shell
timed-out:
  cmd.run:
    - name: sleep 5
    - timeout: 1
timed-out-ignored:
  cmd.run:
    - name: sleep 5
    - timeout: 1
    - ignore_timeout: True
unless-bad-cwd:
  cmd.run:
    - name: echo ran
    - cwd: /
    - unless:
      - 'true'
as-root:
  cmd.run:
    - name: id -un
    - runas: root
bad-env:
  cmd.run:
    - name: echo x
    - env: notalist
stderr-only:
  cmd.run:
    - name: echo oops >&2
exit-code:
  cmd.run:
    - name: exit 7
