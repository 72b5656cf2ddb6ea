# A template writes a long mapping in flow style wrapped at 80 columns under
# a deep key (formulas' _mapdata): continuation lines start left of the key.
dump:
  test.nop:
    - context:
        map: {values: {a: 1, b: 'two words', c: [x, y, z], d: {e: f}, g: 'a quoted
    value over two lines'}, h: plain
  continued, i: true}
    - other: {{ {'k': 'v', 'list': [1, 2, 3], 'long': 'x' * 70} | yaml }}
