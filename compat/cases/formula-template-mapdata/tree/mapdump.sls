{#- The formula's _mapdata.jinja serialises mapdata this way for its dump file. #}
{%- from "TEMPLATE/map.jinja" import mapdata with context %}
{%- set _mapdata = {"values": mapdata} %}
mapdata-yaml-block:
  test.nop:
    - text: {{ salt["slsutil.serialize"]("yaml", _mapdata, default_flow_style=False, allow_unicode=True) | regex_replace("^\s+'$", "'", multiline=True) | trim | json }}
mapdata-yaml-default:
  test.nop:
    - text: {{ salt["slsutil.serialize"]("yaml", _mapdata) | json }}
mapdata-json:
  test.nop:
    - text: {{ salt["slsutil.serialize"]("json", _mapdata) | json }}
    - sorted: {{ salt["slsutil.serialize"]("json", _mapdata, indent=2, sort_keys=True) | json }}
pillar-yaml:
  test.nop:
    - ascii: {{ salt["slsutil.serialize"]("yaml", pillar.TEMPLATE) | json }}
    - unicode: {{ salt["slsutil.serialize"]("yaml", pillar.TEMPLATE, allow_unicode=True, default_flow_style=False) | json }}
    - json: {{ salt["slsutil.serialize"]("json", pillar.TEMPLATE.tofs, ensure_ascii=True) | json }}
