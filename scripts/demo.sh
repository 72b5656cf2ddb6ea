#!/usr/bin/env bash
# The main job on its embedded default: a salt-master and two salt-minions on
# loopback, each in its own root_dir under a temporary directory, serving the
# bundled tree srv-salt-example/.
#   1. the minions show up pending in `salt-key -L`; `salt-key -A -y` accepts them;
#   2. `salt '*' state.highstate test=True` is a dry run of the whole tree
#      (nothing on the host changes);
#   3. `salt '*' state.sls demo` applies a small SLS that writes only inside
#      each minion's root_dir, then prints what it wrote.
# Every process is stopped and the temporary directory removed on exit,
# Ctrl-C included.
# As root on a machine with network namespaces it runs the multi-node test bed
# (tests/testbed/e2e) instead, and says which it did.
# Usage: bash scripts/demo.sh   (BRINE_DEMO_LOOPBACK=1: always the loopback demo)
set -euo pipefail
cd "$(dirname "$0")/.."

# Where the machine allows it (root and network namespaces), the main job runs
# on the multi-node test bed instead: Debian 12 nodes in their own namespaces,
# a master beside them (tests/testbed/, docs/testbed.md).
if [ -z "${BRINE_DEMO_LOOPBACK:-}" ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns list >/dev/null 2>&1; then
    echo "Running on the multi-node test bed: Debian 12 nodes in network namespaces (BRINE_DEMO_LOOPBACK=1 runs the loopback demo instead)."
    BRINE_E2E_HIGHSTATE=1 exec bash tests/testbed/e2e
fi
echo "Running the loopback demo: no root or no network namespaces here for the multi-node test bed."
echo "Building brine (release)..."
cargo build --release --quiet --bin salt-master --bin salt-minion --bin salt --bin salt-key --bin salt-call
bin="$PWD/target/release"
work=$(mktemp -d -t brine-demo-XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/master/conf"
cat > "$work/master/conf/master" <<CONF
root_dir: $work/master
interface: 127.0.0.1
ret_port: $port
file_roots:
  base:
    - $PWD/srv-salt-example
pillar_roots:
  base:
    - $PWD/srv-salt-example/pillar
CONF
"$bin/salt-master" -c "$work/master/conf" -l warning > "$work/master.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/master/var/run/salt/master/master.sock" ] && break; sleep 0.1; done

for id in node1 node2; do
    mkdir -p "$work/$id/conf"
    cat > "$work/$id/conf/minion" <<CONF
root_dir: $work/$id
id: $id
master: 127.0.0.1
master_port: $port
acceptance_wait_time: 0.5
CONF
    "$bin/salt-minion" -c "$work/$id/conf" -l warning > "$work/$id.log" 2>&1 &
    pids+=($!)
done

salt() { "$bin/salt" -c "$work/master/conf" "$@"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

for _ in $(seq 100); do
    [ "$("$bin/salt-key" -c "$work/master/conf" -l un --out=json | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("minions_pre", [])))')" = 2 ] && break
    sleep 0.1
done
step salt-key -L
"$bin/salt-key" -c "$work/master/conf" -L
step salt-key -A -y
"$bin/salt-key" -c "$work/master/conf" -A -y
for _ in $(seq 100); do
    [ "$(salt '*' test.ping --out=json 2>/dev/null | grep -c true || true)" = 2 ] && break
    sleep 0.2
done
step "salt '*' test.ping"
salt '*' test.ping

step "salt '*' state.highstate test=True"
start=$(date +%s%N)
salt '*' state.highstate test=True || true
echo "(dry run of the whole tree on both minions: $(( ($(date +%s%N) - start) / 1000000 )) ms)"

step "salt '*' state.sls demo"
start=$(date +%s%N)
salt '*' state.sls demo
echo "(applied in $(( ($(date +%s%N) - start) / 1000000 )) ms)"

step "salt 'node1' cmd.run 'cat \$ROOT/srv/demo/motd'"
salt node1 cmd.run "cat $work/node1/srv/demo/motd"
