{% set sb = pillar['sandbox'] %}
missing-source:
  file.managed:
    - name: {{ sb }}/a
    - source: salt://nope.txt
missing-in-list:
  file.managed:
    - name: {{ sb }}/b
    - source:
      - salt://nope1
      - salt://nope2
both:
  file.managed:
    - name: {{ sb }}/c
    - source: salt://x
    - contents: y
is-dir:
  file.managed:
    - name: {{ sb }}
    - contents: y
relative:
  file.managed:
    - name: relative/path
    - contents: y
no-parent:
  file.managed:
    - name: {{ sb }}/no/such/dir/f
    - contents: y
no-create:
  file.managed:
    - name: {{ sb }}/nocreate
    - contents: y
    - create: False
pillar-contents:
  file.managed:
    - name: {{ sb }}/fromp
    - contents_pillar: sandbox
missing-pillar:
  file.managed:
    - name: {{ sb }}/fromp2
    - contents_pillar: no:such:key
bad-user:
  file.managed:
    - name: {{ sb }}/u
    - contents: u
    - user: no-such-user-xyz
second-source-used:
  file.managed:
    - name: {{ sb }}/second
    - source:
      - salt://nope.txt
      - salt://files/real.txt
local-source:
  file.managed:
    - name: {{ sb }}/fromlocal
    - source: {{ sb }}/seed.txt
