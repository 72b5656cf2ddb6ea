{% set sb = pillar['sandbox'] %}
file-there:
  file.absent:
    - name: {{ sb }}/f
nothing:
  file.absent:
    - name: {{ sb }}/none
dir-ok:
  file.directory:
    - name: {{ sb }}/d
dir-mode:
  file.directory:
    - name: {{ sb }}/d
    - mode: 700
root:
  file.absent:
    - name: /
