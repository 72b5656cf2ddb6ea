#!/usr/bin/env bash
# The main job on its embedded default: compile the bundled state tree
# (srv-salt-example/) for a cluster node, masterless, and show what it would do.
# Usage: bash scripts/demo.sh [salt-call function and arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin salt-call
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/conf"
cat > "$root/conf/minion" <<CONF
root_dir: $root
id: thelibrary-node1
file_client: local
file_roots:
  base:
    - $PWD/srv-salt-example
pillar_roots:
  base:
    - $PWD/srv-salt-example/pillar
grains:
  ip_interfaces:
    eth0: [192.168.42.43]
CONF
if [ $# -eq 0 ]; then
    set -- state.show_top
    target/release/salt-call -c "$root/conf" --local "$@"
    set -- state.show_lowstate
fi
target/release/salt-call -c "$root/conf" --local "$@"
