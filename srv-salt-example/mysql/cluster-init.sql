-- Managed by brine from salt://mysql/cluster-init.sql; run by MariaDB at
-- every start (init_file), so each statement must be safe to repeat.
{%- if monitor.get('user') and monitor.get('password') %}
CREATE USER IF NOT EXISTS '{{ monitor.user }}'@'{{ monitor.get('host', '%') }}' IDENTIFIED BY '{{ monitor.password }}';
GRANT USAGE ON *.* TO '{{ monitor.user }}'@'{{ monitor.get('host', '%') }}';
{%- endif %}
