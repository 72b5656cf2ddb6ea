{% set sb = pillar['sandbox'] %}
run:
  cmd.run:
    - name: echo hi
stateful-test-name:
  cmd.run:
    - name: echo changed=no
    - stateful:
      - test_name: echo changed=yes
script:
  cmd.script:
    - name: salt://s.sh
new-module:
  module.run:
    - test.ping: []
new-missing:
  module.run:
    - test.nothing: []
legacy-module:
  module.run:
    - name: test.ping
guarded:
  cmd.run:
    - name: echo g
    - onlyif: 'false'
