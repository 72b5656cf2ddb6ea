b:
  test.nop:
    - g: {{ grains.get('brinetest', 'none') }}
    - p: {{ pillar.get('brinep', 'none') }}
    - o: {{ opts.get('brineo', 'none') }}
    - sg: {{ salt['grains.get']('brinetest', 'none') }}
    - sp: {{ salt['pillar.get']('brinep', 'none') }}
