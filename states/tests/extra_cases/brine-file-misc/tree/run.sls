{% set sb = pillar['sandbox'] %}
link:
  file.symlink:
    - name: {{ sb }}/link
    - target: {{ sb }}/target.txt
link-again:
  file.symlink:
    - name: {{ sb }}/link
    - target: {{ sb }}/target.txt
    - require:
      - file: link
link-blocked:
  file.symlink:
    - name: {{ sb }}/target.txt
    - target: /tmp
link-no-dir:
  file.symlink:
    - name: {{ sb }}/nodir/link
    - target: /tmp
touch-new:
  file.touch:
    - name: {{ sb }}/touched
touch-old:
  file.touch:
    - name: {{ sb }}/target.txt
append:
  file.append:
    - name: {{ sb }}/app.txt
    - text:
      - existing   line
      - new line
append-new-file:
  file.append:
    - name: {{ sb }}/app-new.txt
    - text: created
replace:
  file.replace:
    - name: {{ sb }}/conf
    - pattern: ^port=.*$
    - repl: port=8080
replace-noop:
  file.replace:
    - name: {{ sb }}/conf
    - pattern: ^nothing$
    - repl: x
    - require:
      - file: replace
replace-append:
  file.replace:
    - name: {{ sb }}/conf
    - pattern: ^missing=.*$
    - repl: missing=1
    - append_if_not_found: True
    - require:
      - file: replace
replace-missing:
  file.replace:
    - name: {{ sb }}/nofile
    - pattern: a
    - repl: b
replace-missing-ok:
  file.replace:
    - name: {{ sb }}/nofile
    - pattern: a
    - repl: b
    - ignore_if_missing: True
exists:
  file.exists:
    - name: {{ sb }}/target.txt
missing:
  file.missing:
    - name: {{ sb }}/target.txt
