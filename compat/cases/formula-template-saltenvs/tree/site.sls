site-after-template:
  test.nop:
    - require:
      - sls: TEMPLATE.service
    - saltenv: {{ saltenv }}
    - tpldir: {{ tpldir }}
