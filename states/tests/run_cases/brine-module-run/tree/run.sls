{% set sb = pillar['sandbox'] %}
new-echo:
  module.run:
    - test.echo:
      - hello
new-two:
  module.run:
    - test.true: []
    - test.echo:
      - text: kw
new-false:
  module.run:
    - test.false: []
new-missing:
  module.run:
    - nosuch.function: []
new-cmd:
  module.run:
    - cmd.run_all:
      - echo x; exit 2
      - python_shell: True
new-bad-args:
  module.run:
    - test.echo: []
legacy:
  module.run:
    - name: test.echo
    - text: legacy
legacy-missing-arg:
  module.run:
    - name: test.echo
legacy-unknown:
  module.run:
    - name: test.nothing
legacy-file:
  module.run:
    - name: file.write
    - path: {{ sb }}/w.txt
    - args:
      - line1
      - line2
waiter:
  module.wait:
    - name: test.ping
    - watch:
      - module: new-echo
