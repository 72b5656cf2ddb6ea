{% set sb = pillar['sandbox'] %}
varargs:
  module.run:
    - name: file.append
    - path: {{ sb }}/va.txt
    - args:
      - one
      - two
touch-mname:
  module.run:
    - name: file.touch
    - m_name: {{ sb }}/mname.txt
hidden:
  module.run:
    - name: cmd.run
    - cmd: echo secret
    - python_shell: True
    - hide_output: True
new-kw:
  module.run:
    - cmd.run:
      - cmd: echo via-kw
      - python_shell: True
new-positional-and-default:
  module.run:
    - file.touch:
      - {{ sb }}/t2.txt
      - 1000
state-hidden:
  cmd.run:
    - name: echo hidden
    - hide_output: True
