#!/usr/bin/env bash
# Benchmark: the bundled tree's whole highstate from bare nodes, brine against
# reference Salt 3007.17, side by side in one run on the same test bed
# (tests/testbed/bed, docs/testbed.md): five nodes (the Corosync/Pacemaker
# pair, the Heartbeat pair, the dom0), the same tree, the same pillar, the
# same offline package cache.
#
#   brine: the bed as the e2e test uses it (brine's master and minions).
#   Salt:  a fresh bed whose nodes run salt-minion 3007.17 installed from
#          PyPI (wheels built on the host, installed offline in each node),
#          and salt-master 3007.17 from the reference venv beside them.
#
# Both runs start from bare nodes with python3-venv preinstalled (Salt's
# minion needs Python; brine's does not, but the tree installs it anyway).
# Prints `figure NAME VALUE UNIT` lines and the ratio. Needs root and the
# reference venv (../shared/compat/regen.sh makes it; SALT_REF_VENV).
# Not a test: the figures depend on the machine and its load.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BED=$REPO/tests/testbed/bed
BIN=${BRINE_BIN:-$REPO/target/release}
SALT_REF_VENV=${SALT_REF_VENV:-/opt/salt-ref}
SALT_VERSION=3007.17
CACHE=${BRINE_TESTBED_CACHE:-/var/cache/brine-testbed}
SALT_WHEELS=$CACHE/salt-wheels
NODES=5
nodes=(node1 node2 node3 node4 node5)
# As in tests/testbed/e2e: the dom0's LVM states on the bed's loop disk.
PILLAR='pillar={"xen": {"pvs": ["/dev/brine-disk"], "create_lvs": false}}'
export BRINE_BIN=$BIN BRINE_TESTBED_ROOTS=copy

OUT=$(mktemp -d /tmp/brine-bench-highstate.XXXXXX)
say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }
figure() { printf 'figure %s %s %s\n' "$1" "$2" "$3" | tee -a "$OUT/figures"; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

[ "$(id -u)" = 0 ] || die "needs root (the test bed)"
[ -x "$SALT_REF_VENV/bin/salt-master" ] || die "no reference Salt in $SALT_REF_VENV: run ../shared/compat/regen.sh"
"$SALT_REF_VENV/bin/salt-master" --version | grep -q " $SALT_VERSION " || die "$SALT_REF_VENV is not Salt $SALT_VERSION"
for b in salt-master salt-minion salt salt-key; do
    [ -x "$BIN/$b" ] || { say "building brine (release)"; (cd "$REPO" && cargo build --release --bins -q); break; }
done
"$BED" build
"$BED" status | grep -qx 'bed: down' || die "a bed is up: take it down first"
trap '"$BED" down >/dev/null 2>&1 || true' EXIT
say "outputs in $OUT"
trap 'exit 130' INT TERM

# Salt and its dependencies as wheels for the nodes (Debian 12, Python 3.11):
# the exact dependency set of the reference venv, then Salt itself.
if [ ! -f "$SALT_WHEELS/.complete-$SALT_VERSION" ]; then
    say "building wheels of salt $SALT_VERSION and its dependencies into $SALT_WHEELS"
    rm -rf "$SALT_WHEELS"; mkdir -p "$SALT_WHEELS"
    "$SALT_REF_VENV/bin/pip" freeze --exclude salt > "$SALT_WHEELS/requirements.txt"
    "$SALT_REF_VENV/bin/pip" wheel -q -w "$SALT_WHEELS" -r "$SALT_WHEELS/requirements.txt"
    "$SALT_REF_VENV/bin/pip" wheel -q --no-deps -w "$SALT_WHEELS" "salt==$SALT_VERSION"
    touch "$SALT_WHEELS/.complete-$SALT_VERSION"
fi

# In every node at once: python3-venv from the node's apt cache (offline).
preinstall() {
    local n pids=()
    for n in "${nodes[@]}"; do
        "$BED" exec "$n" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1 & pids+=($!)
    done
    for n in "${pids[@]}"; do wait "$n" || die "apt-get install python3-venv failed in a node"; done
}

wait_all_true() { # SALT-CLI...: until test.ping is true on every node
    local i got
    for i in $(seq 300); do
        got=$("$@" '*' test.ping --out=json 2>/dev/null | python3 -c '
import json, sys
text, n, i, dec = sys.stdin.read(), 0, 0, json.JSONDecoder()
while True:
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    obj, i = dec.raw_decode(text, i)
    n += sum(1 for v in obj.values() if v is True) if isinstance(obj, dict) else 0
print(n)' || echo 0)
        [ "$got" = "$NODES" ] && return 0
        sleep 0.5
    done
    die "not every node answered test.ping"
}

summary() { # FILE: states, changed, failed per node
    python3 - "$1" <<'PY'
import json, sys
text, d, i, dec = open(sys.argv[1]).read(), {}, 0, json.JSONDecoder()
while True:
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    obj, i = dec.raw_decode(text, i)
    if isinstance(obj, dict): d.update(obj)
bad = 0
for node, ret in sorted(d.items()):
    if not isinstance(ret, dict):
        print(f"  {node}: {str(ret)[:300]}"); bad += 1; continue
    rs = [r for r in ret.values() if isinstance(r, dict) and "result" in r]
    failed = sorted(r.get("__id__", "?") + ": " + str(r.get("comment", ""))[:200] for r in rs if r["result"] is False)
    print(f"  {node}: {len(rs)} states, {sum(1 for r in rs if r.get('changes'))} changed, {len(failed)} failed")
    for f in failed: print(f"      {f}")
    bad += bool(failed)
sys.exit(1 if bad else 0)
PY
}

highstates() { # NAME SALT-CLI...: the first highstate and the no-op rerun
    local name=$1; shift
    "$@" '*' mine.update >/dev/null 2>&1 || true
    local t; t=$(now)
    "$@" -t 1200 '*' state.highstate "$PILLAR" --out=json > "$OUT/$name-first.json" 2> "$OUT/$name-first.err" || true
    figure "${name}_first_highstate_s" "$(secs "$t" "$(now)")" s
    summary "$OUT/$name-first.json" || say "$name: the first highstate had failures (above)"
    t=$(now)
    "$@" -t 600 '*' state.highstate "$PILLAR" --out=json > "$OUT/$name-noop.json" 2> "$OUT/$name-noop.err" || true
    figure "${name}_noop_highstate_s" "$(secs "$t" "$(now)")" s
    summary "$OUT/$name-noop.json" || say "$name: the no-op highstate had failures (above)"
}


# ---------------------------------------------------------------- brine
say "brine: bed up $NODES"
"$BED" up "$NODES"
eval "$("$BED" env)"
preinstall
brine() { "$BIN/salt" -c "$BED_MASTER_CONF" "$@"; }
"$BIN/salt-key" -c "$BED_MASTER_CONF" -A -y >/dev/null
wait_all_true brine
highstates brine brine
"$BED" down >/dev/null

# ---------------------------------------------------------------- Salt
say "Salt $SALT_VERSION: bed up $NODES, brine's daemons replaced by Salt's"
"$BED" up "$NODES"
eval "$("$BED" env)"
preinstall
SM=$BED_STATE/salt-master
mkdir -p "$SM/conf"
sed -n '/^file_roots:/,$p' "$BED_MASTER_CONF/master" > "$SM/conf/master"
cat >> "$SM/conf/master" <<CONF
root_dir: $SM
interface: $BED_MASTER_IP
auto_accept: True
CONF
pkill -f "$BIN/salt-master" || true
for n in "${nodes[@]}"; do
    "$BED" exec "$n" pkill -x salt-minion || true
    # brine's minion key and pinned master key are not Salt's format.
    rm -rf "$BED_STATE/nodes/$n/etc/salt/pki" "$BED_STATE/nodes/$n/var/cache/salt" "$BED_STATE/nodes/$n/var/log/salt"
    cp -a "$SALT_WHEELS" "$BED_STATE/nodes/$n/var/cache/salt-wheels"
    printf 'master: %s\nid: %s\nacceptance_wait_time: 1\n' "$BED_MASTER_IP" "$n" > "$BED_STATE/nodes/$n/etc/salt/minion"
done
pids=()
for n in "${nodes[@]}"; do
    # As ../shared/compat/regen.sh: the dependency set, then Salt --no-deps
    # (its metadata pins versions newer than the reference set).
    "$BED" exec "$n" sh -c "python3 -m venv /opt/salt >/dev/null \
        && /opt/salt/bin/pip install -q --no-index --find-links /var/cache/salt-wheels -r /var/cache/salt-wheels/requirements.txt \
        && /opt/salt/bin/pip install -q --no-index --find-links /var/cache/salt-wheels --no-deps salt==$SALT_VERSION" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "installing Salt in a node failed"; done
ip netns exec brine-bed setsid "$SALT_REF_VENV/bin/salt-master" -c "$SM/conf" -l warning < /dev/null > "$OUT/salt-master.log" 2>&1 &
sleep 3
for n in "${nodes[@]}"; do "$BED" exec "$n" /opt/salt/bin/salt-minion -d; done
# Salt's CLI reaches its master over TCP on the master's interface: from
# inside the bed's network namespace.
saltref() { ip netns exec brine-bed "$SALT_REF_VENV/bin/salt" -c "$SM/conf" "$@"; }
wait_all_true saltref
highstates salt saltref
"$BED" down >/dev/null

for kind in first noop; do
    awk -v k="$kind" '$2 == "brine_" k "_highstate_s" {b=$3} $2 == "salt_" k "_highstate_s" {s=$3}
        END { if (b > 0) printf "figure ratio_%s_highstate %.1f x (Salt %s s / brine %s s)\n", k, s / b, s, b }' "$OUT/figures"
done
