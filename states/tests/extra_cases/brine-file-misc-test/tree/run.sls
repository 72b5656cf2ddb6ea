{% set sb = pillar['sandbox'] %}
link:
  file.symlink:
    - name: {{ sb }}/link
    - target: {{ sb }}/target.txt
link-no-dir:
  file.symlink:
    - name: {{ sb }}/nodir/link
    - target: /tmp
    - makedirs: True
touch-new:
  file.touch:
    - name: {{ sb }}/touched
touch-old:
  file.touch:
    - name: {{ sb }}/target.txt
append:
  file.append:
    - name: {{ sb }}/app.txt
    - text: new line
append-same:
  file.append:
    - name: {{ sb }}/app.txt
    - text: first
replace:
  file.replace:
    - name: {{ sb }}/conf
    - pattern: ^port=.*$
    - repl: port=8080
