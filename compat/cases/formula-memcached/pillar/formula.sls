memcached:
  daemonize: True
  verbose_level: 0
  memory_cap: 64
  port: 11211
  user: 'memcached'
  listen_address: '127.0.0.1'
  max_connections: 1024
  lock_paged_memory: False
  error_on_mem_full: False
  max_core_file_limit: False
  slab_size_limit: '1m'
