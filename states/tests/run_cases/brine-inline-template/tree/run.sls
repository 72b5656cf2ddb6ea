{% set sb = pillar['sandbox'] %}
inline:
  file.managed:
    - name: {{ sb }}/inline.txt
    - contents: |
        value={{ '{{' }} val {{ '}}' }}
    - template: jinja
    - context:
        val: 42
pillar-list:
  file.managed:
    - name: {{ sb }}/plist.txt
    - contents_pillar:
      - lines:a
      - lines:b
