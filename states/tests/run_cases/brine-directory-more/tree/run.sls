{% set sb = pillar['sandbox'] %}
existing:
  file.directory:
    - name: {{ sb }}/existing
    - mode: 700
    - user: root
    - group: root
forced:
  file.directory:
    - name: {{ sb }}/afile
    - force: True
backed:
  file.directory:
    - name: {{ sb }}/bfile
    - backupname: {{ sb }}/bfile.bak
no-parent:
  file.directory:
    - name: {{ sb }}/x/y/z
is-file:
  file.directory:
    - name: {{ sb }}/cfile
is-link:
  file.directory:
    - name: {{ sb }}/dlink
    - allow_symlink: False
children:
  file.directory:
    - name: {{ sb }}/kids
    - file_mode: 600
    - recurse:
      - mode
    - children_only: True
correct:
  file.directory:
    - name: {{ sb }}/existing2
