{% set sb = pillar['sandbox'] %}
mode-change:
  file.managed:
    - name: {{ sb }}/m.txt
    - contents: m
    - mode: 600
noreplace:
  file.managed:
    - name: {{ sb }}/keep.txt
    - replace: False
    - mode: '0640'
noreplace-same:
  file.managed:
    - name: {{ sb }}/keep2.txt
    - replace: False
owner:
  file.managed:
    - name: {{ sb }}/owner.txt
    - contents: o
    - user: root
    - group: root
hidden-diff:
  file.managed:
    - name: {{ sb }}/hidden.txt
    - contents: new text
    - show_changes: False
dir-mode:
  file.directory:
    - name: {{ sb }}/d
    - mode: 700
dir-same:
  file.directory:
    - name: {{ sb }}/d2
empty-new:
  file.managed:
    - name: {{ sb }}/empty.txt
no-newline:
  file.managed:
    - name: {{ sb }}/nonl.txt
    - contents: abc
    - contents_newline: False
list-contents:
  file.managed:
    - name: {{ sb }}/list.txt
    - contents:
      - one
      - two
