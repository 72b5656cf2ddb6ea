base:
  '*':
    - site
dev:
  '*':
    - TEMPLATE
