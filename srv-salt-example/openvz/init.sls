# OpenVZ containers (seed 002; the article's second part puts the cluster's
# services into them): the container configs from pillar only. Debian 12's
# kernel has no OpenVZ support and vzctl is not packaged any more, so nothing
# here creates or starts a container; the files are what an OpenVZ hardware
# node's vzctl would read (/etc/vz/conf/CTID.conf).
{% set vz = salt['pillar.get']('openvz', {}) %}
{% for ctid, ct in vz.get('containers', {}) | dictsort %}
/etc/vz/conf/{{ ctid }}.conf:
  file.managed:
    - source: salt://openvz/ve.conf
    - template: jinja
    - makedirs: True
    - context:
        ctid: {{ ctid }}
        ct: {{ ct | json }}
    - mode: 644
{% endfor %}
