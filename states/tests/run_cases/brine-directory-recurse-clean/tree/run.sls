{% set sb = pillar['sandbox'] %}
tree:
  file.directory:
    - name: {{ sb }}/tree
    - dir_mode: 755
    - file_mode: 640
    - recurse:
      - mode
kept:
  file.managed:
    - name: {{ sb }}/clean/kept.txt
    - contents: kept
cleaned:
  file.directory:
    - name: {{ sb }}/clean
    - clean: True
    - require:
      - file: kept
bad-recurse:
  file.directory:
    - name: {{ sb }}/tree
    - recurse:
      - bogus
