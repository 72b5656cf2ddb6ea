{% do grains.update({'brinetest': 'from-a'}) %}
{% do pillar.update({'brinep': 'from-a'}) %}
{% do opts.update({'brineo': 'from-a'}) %}
a:
  test.nop:
    - g: {{ grains.get('brinetest', 'none') }}
