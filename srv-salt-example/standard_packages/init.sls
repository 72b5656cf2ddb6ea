# The admin tools every node gets (seed 000), and glances from PyPI into a
# virtualenv: Debian 12 refuses system-wide pip installs (PEP 668).
{% set std = salt['pillar.get']('standard_packages', {}) %}
{% set venv = std.get('glances_venv', '/opt/glances') %}

standard_packages:
  pkg.installed:
    - pkgs: {{ std.get('pkgs', ['htop', 'iotop', 'nload', 'unp', 'mc', 'pciutils', 'lsof', 'debian-goodies', 'molly-guard']) | json }}

python3-venv:
  pkg.installed

{% if std.get('glances', True) %}
glances-venv:
  cmd.run:
    - name: python3 -m venv {{ venv }}
    - creates: {{ venv }}/bin/pip
    - require:
      - pkg: python3-venv

glances:
  pip.installed:
    - name: glances
    - bin_env: {{ venv }}
    # A dry run on a fresh node has no virtualenv yet to ask pip in.
    - onlyif: test -x {{ venv }}/bin/pip
    - require:
      - cmd: glances-venv
{% endif %}
