{%- set merged = salt['pillar.get']('app', {'service': {'enable': True, 'name': 'app'}, 'pkg': 'app'}, merge=True) %}
{%- set merged_list = salt['pillar.get']('app:extra', ['a', 'b'], merge=True) %}
{%- set plain = salt['pillar.get']('app:missing', {'d': 1}, True) %}
{%- set byint = salt['grains.filter_by']({2: {'pkg': 'python-x'}, 3: {'pkg': 'python3-x'}}, default=3) %}
{%- do salt['log.debug']('formula helpers: ' ~ merged | json) %}
helpers:
  test.nop:
    - merged: {{ merged | json }}
    - merged_list: {{ merged_list | json }}
    - plain: {{ plain | json }}
    - byint: {{ byint | json }}
    - dirname: {{ salt['file.dirname']('/etc/nginx/sites-available/default') }}
    - dirname_trailing: {{ salt['file.dirname']('/etc/nginx/') }}
    - basename: {{ salt['file.basename']('/etc/nginx/nginx.conf') }}
    - joined: {{ salt['file.join']('/etc', 'nginx', 'conf.d') }}
    - joined_abs: {{ salt['file.join']('/etc', '/srv', 'x') }}
    - has_sh: {{ salt['cmd.has_exec']('sh') }}
    - has_nothing: {{ salt['cmd.has_exec']('no-such-binary-brine') }}
    - dirs: {{ salt['cp.list_master_dirs'](prefix='helpers/') | json }}
