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
make-link:
  file.symlink:
    - name: {{ sb }}/link-to-real
    - target: {{ sb }}/real.txt
make-link2:
  file.symlink:
    - name: {{ sb }}/link2
    - target: {{ sb }}/real.txt
dangling:
  file.symlink:
    - name: {{ sb }}/dangling
    - target: {{ sb }}/nothing-here
remove-dangling:
  file.absent:
    - name: {{ sb }}/dangling
    - require:
      - file: dangling
via-link:
  file.managed:
    - name: {{ sb }}/link-to-real
    - contents: through link
    - require:
      - file: make-link
replace-link:
  file.managed:
    - name: {{ sb }}/link2
    - contents: not a link anymore
    - follow_symlinks: False
    - require:
      - file: make-link2
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
