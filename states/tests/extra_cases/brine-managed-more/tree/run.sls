{% set sb = pillar['sandbox'] %}
templated:
  file.managed:
    - name: {{ sb }}/t.conf
    - source: salt://files/t.j2
    - template: jinja
    - context:
        who: ctx
    - defaults:
        who: def
        other: dflt
    - mode: 640
local-template:
  file.managed:
    - name: {{ sb }}/lt.conf
    - source: {{ sb }}/src.j2
    - template: jinja
    - context:
        who: local
via-link:
  file.managed:
    - name: {{ sb }}/link-to-real
    - contents: through link
replace-link:
  file.managed:
    - name: {{ sb }}/link2
    - contents: not a link anymore
    - follow_symlinks: False
keep-mode:
  file.managed:
    - name: {{ sb }}/kept-mode
    - source: salt://files/exec.sh
    - mode: keep
backed-up:
  file.managed:
    - name: {{ sb }}/backed.txt
    - contents: new contents
    - backup: minion
grain-contents:
  file.managed:
    - name: {{ sb }}/grain.txt
    - contents_grains: os
source-unchanged:
  file.managed:
    - name: {{ sb }}/same-src.txt
    - source: salt://files/plain.txt
