{% set sb = pillar['sandbox'] %}
in-cwd:
  cmd.run:
    - name: pwd
    - cwd: {{ sb }}
bad-cwd:
  cmd.run:
    - name: pwd
    - cwd: {{ sb }}/nope
with-env:
  cmd.run:
    - name: echo $FOO-$BAR
    - env:
      - FOO: foo
      - BAR: 2
stateful-changed:
  cmd.run:
    - name: 'echo working; echo "changed=yes comment=\"did it\""'
    - stateful: True
stateful-unchanged:
  cmd.run:
    - name: 'echo changed=no'
    - stateful: True
stateful-json:
  cmd.run:
    - name: "echo '{\"changed\": true, \"comment\": \"json\", \"extra\": 1}'"
    - stateful: True
guards:
  cmd.run:
    - name: echo guarded
    - onlyif:
      - 'true'
      - 'false'
guards2:
  cmd.run:
    - name: echo guarded2
    - unless:
      - 'false'
      - 'true'
creates-list:
  cmd.run:
    - name: echo creates
    - creates:
      - {{ sb }}/seed
      - {{ sb }}/missing
creates-all:
  cmd.run:
    - name: echo creates-all
    - creates:
      - {{ sb }}/seed
lonely-wait:
  cmd.wait:
    - name: echo never
script:
  cmd.script:
    - name: salt://scripts/s.sh arg1
script-args:
  cmd.script:
    - source: salt://scripts/s.sh
    - name: my script
    - args: "a b"
unless-fun:
  cmd.run:
    - name: echo unless-fun
    - unless:
      - fun: file.file_exists
        path: {{ sb }}/seed
onlyif-fun:
  cmd.run:
    - name: echo onlyif-fun
    - onlyif:
      - fun: file.file_exists
        args:
          - {{ sb }}/seed
