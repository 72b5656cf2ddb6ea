# The Xen dom0 side (seeds 000 and 004): a volume group on the pillar's
# physical volumes, one logical volume and one /etc/xen/NAME.cfg per guest,
# and `xl create` for each guest, run only where the `virtual` grains say
# this is a Xen dom0.
{% set xen = salt['pillar.get']('xen', {}) %}
{% set vg = xen.get('vg', 'vg0') %}
{% set is_dom0 = grains.get('virtual') == 'xen' and grains.get('virtual_subtype') == 'Xen Dom0' %}

xen-tools:
  pkg.installed:
    - pkgs:
      - lvm2
{%- if is_dom0 %}
      - xen-utils-common
{%- endif %}

{% for pv in xen.get('pvs', []) %}
xen-pv-{{ pv }}:
  lvm.pv_present:
    - name: {{ pv }}
    - require:
      - pkg: xen-tools
{% endfor %}

xen-vg:
  lvm.vg_present:
    - name: {{ vg }}
    - devices: {{ xen.get('pvs', []) | json }}
    - require:
{%- for pv in xen.get('pvs', []) %}
      - lvm: xen-pv-{{ pv }}
{%- endfor %}
      - pkg: xen-tools

{% for name, guest in xen.get('guests', {}) | dictsort %}
{% if xen.get('create_lvs', True) %}
xen-lv-{{ name }}:
  lvm.lv_present:
    - name: {{ name }}-disk
    - vgname: {{ vg }}
    - size: {{ guest.get('disk_size', '4G') }}
    - require:
      - lvm: xen-vg
{% endif %}

/etc/xen/{{ name }}.cfg:
  file.managed:
    - source: salt://xen/domu.cfg
    - template: jinja
    - makedirs: True
    - context:
        name: {{ name }}
        guest: {{ guest | json }}
        disk: /dev/{{ vg }}/{{ name }}-disk
        bridge: {{ xen.get('bridge', 'xenbr0') }}
    - mode: 644

{% if is_dom0 %}
xen-create-{{ name }}:
  cmd.run:
    - name: xl create /etc/xen/{{ name }}.cfg
    - unless: xl list {{ name }}
    - require:
      - file: /etc/xen/{{ name }}.cfg
{%- if xen.get('create_lvs', True) %}
      - lvm: xen-lv-{{ name }}
{%- endif %}
{% endif %}
{% endfor %}
