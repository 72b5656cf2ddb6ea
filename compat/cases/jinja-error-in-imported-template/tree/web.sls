{% from 'sub/map.jinja' import a with context %}
foo:
  test.nop:
    - name: {{ a }}
