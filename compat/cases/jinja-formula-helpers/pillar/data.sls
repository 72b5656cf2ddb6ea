app:
  service:
    enable: false
  extra: [c]
