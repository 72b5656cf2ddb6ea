#!/usr/bin/env python3
"""Benchmark: one master and many minions. For 10, 100 and 1,000 minions,
the time `salt '*' test.ping` takes to collect every return (median of the
runs), the master's CPU time over each ping (utime+stime from /proc) and its
RSS (VmRSS now, VmHWM peak); brine and reference Salt in the same run, where
Salt can run that many minions. Then the idle RSS of one real `salt-minion`
of each, connected and accepted.

brine's minions for the counts run in one process (the `swarm` example of
brine-minion: real daemon code, one identity, key and TLS session each);
Salt's are real `salt-minion` processes (~80 MB each), started only while
they fit in memory. Salt's master is a tree of processes: its CPU and RSS
are summed over the tree, and so are a Salt minion's.

Usage: python3 bench/swarm.py [--counts 10,100,1000] [--runs N] [--bin DIR]
           [--swarm PATH] [--salt-venv DIR] [--salt-max N] [--no-salt] [--no-idle]

Build first: cargo build --release -p brine-master -p brine-minion --bins --example swarm
Goals printed beside the figures: 1,000 minions answer test.ping in under
1 s with the master under 200 MB RSS; an idle brine minion under 10 MB.
Not a test: the figures depend on the machine and its load.
"""
import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TICK = os.sysconf("SC_CLK_TCK")
SALT_MINION_MB = 100  # what one Salt minion may take, to decide whether N fit


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# --- /proc -----------------------------------------------------------------

def tree(pid):
    """pid and all its descendants."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_secs(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICK


def rss_kb(pids):
    """(VmRSS, VmHWM) summed over pids, KiB."""
    rss = hwm = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        except OSError:
            pass
    return rss, hwm


def pss_kb(pids):
    """Proportional set size summed over pids, KiB (pages shared by forks counted once)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += sum(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except OSError:
            pass
    return total


def mem_available_mb():
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return 0


# --- processes -------------------------------------------------------------

class Procs:
    """Children started by the benchmark, stopped (TERM, then KILL) at the end."""

    def __init__(self, work):
        self.work, self.procs = work, []

    def start(self, cmd, log):
        fh = open(os.path.join(self.work, log), "ab")
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fh, stderr=fh, start_new_session=True)
        fh.close()
        self.procs.append(p)
        return p

    def stop(self, procs=None):
        procs = list(self.procs if procs is None else procs)
        for p in procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.time() + 15
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()
            if p in self.procs:
                self.procs.remove(p)


def cli(cmd, timeout=600):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def count_true(text):
    """How many minions answered True in `--out=json` output (one object per minion)."""
    dec, i, n = json.JSONDecoder(), 0, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return n
        try:
            obj, i = dec.raw_decode(text, i)
        except ValueError:
            return n
        if isinstance(obj, dict):
            n += sum(1 for v in obj.values() if v is True)


def wait_until(what, secs, f, every=1.0):
    deadline = time.time() + secs
    while time.time() < deadline:
        if f():
            return
        time.sleep(every)
    sys.exit(f"timed out after {secs}s waiting for {what}")


def accept_all(salt_key, conf, n, secs):
    """`salt-key -A -y` until n keys are accepted."""
    def accepted():
        cli([salt_key, "-c", conf, "-A", "-y"])
        out = cli([salt_key, "-c", conf, "-L", "--out=json"]).stdout.decode()
        try:
            return len(json.loads(out).get("minions", [])) >= n
        except ValueError:
            return False
    wait_until(f"{n} accepted keys", secs, accepted, every=2.0)


def ping(salt, conf, timeout):
    """(wall seconds, minions answering) of one `salt '*' test.ping`."""
    t0 = time.perf_counter()
    p = cli([salt, "-c", conf, "*", "test.ping", "--out=json", "-t", str(timeout)])
    return time.perf_counter() - t0, count_true(p.stdout.decode())


def measure(salt, conf, n, master_pid, runs, timeout):
    """Median ping time, mean master CPU per ping (clock ticks are 10 ms:
    one total over the runs), master RSS now and peak, and PSS (shared pages
    split between Salt's processes)."""
    walls = []
    c0 = cpu_secs(tree(master_pid))
    for _ in range(runs):
        wall, got = ping(salt, conf, timeout)
        if got != n:
            print(f"  warning: {got} of {n} minions answered", file=sys.stderr)
        walls.append(wall)
    cpu = (cpu_secs(tree(master_pid)) - c0) / max(runs, 1)
    pids = tree(master_pid)
    rss, hwm = rss_kb(pids)
    return {"wall": statistics.median(walls), "cpu": cpu, "rss": rss, "hwm": hwm, "pss": pss_kb(pids)}


def wait_connected(salt, conf, n, secs, timeout):
    wait_until(f"{n} minions answering test.ping", secs, lambda: ping(salt, conf, timeout)[1] >= n)


# --- brine -----------------------------------------------------------------

def brine_master(procs, work, bins, port):
    root = os.path.join(work, "master")
    conf = os.path.join(root, "conf")
    write(os.path.join(conf, "master"), json.dumps({
        "root_dir": root, "interface": "127.0.0.1", "ret_port": port,
        "file_roots": {"base": [os.path.join(work, "srv")]}, "pillar_roots": {"base": [os.path.join(work, "pillar")]},
    }))
    os.makedirs(os.path.join(work, "srv"), exist_ok=True)
    write(os.path.join(work, "pillar", "top.sls"), "base: {}\n")
    p = procs.start([os.path.join(bins, "salt-master"), "-c", conf, "-l", "warning"], "master.log")
    sock = os.path.join(root, "var/run/salt/master/master.sock")
    wait_until("the brine master's socket", 30, lambda: os.path.exists(sock), every=0.1)
    return p, conf


def minion_conf(work, name, port):
    root = os.path.join(work, name)
    conf = os.path.join(root, "conf")
    write(os.path.join(conf, "minion"), json.dumps({
        "root_dir": root, "id": name, "master": "127.0.0.1", "master_port": port,
        "acceptance_wait_time": 1, "recon_default": 500,
    }))
    return conf


def brine_swarm(args, n, runs):
    work = tempfile.mkdtemp(prefix=f"brine-bench-swarm-{n}-")
    procs = Procs(work)
    try:
        port = free_port()
        master, conf = brine_master(procs, work, args.bin, port)
        procs.start([args.swarm, "-c", minion_conf(work, "swarm", port), "-n", str(n)], "swarm.log")
        accept_all(os.path.join(args.bin, "salt-key"), conf, n, 120 + n // 5)
        salt = os.path.join(args.bin, "salt")
        wait_connected(salt, conf, n, 120 + n // 5, 30)
        return measure(salt, conf, n, master.pid, runs, 60)
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)


def brine_idle(args):
    work = tempfile.mkdtemp(prefix="brine-bench-idle-")
    procs = Procs(work)
    try:
        port = free_port()
        _, conf = brine_master(procs, work, args.bin, port)
        minion = procs.start([os.path.join(args.bin, "salt-minion"), "-c", minion_conf(work, "idle", port), "-l", "warning"], "minion.log")
        accept_all(os.path.join(args.bin, "salt-key"), conf, 1, 60)
        wait_connected(os.path.join(args.bin, "salt"), conf, 1, 60, 10)
        time.sleep(args.idle_secs)
        pids = tree(minion.pid)
        return rss_kb(pids)[0], pss_kb(pids)
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)


# --- reference Salt --------------------------------------------------------

def salt_master(procs, work, venv, ports):
    root = os.path.join(work, "master")
    conf = os.path.join(root, "conf")
    user = "root" if os.geteuid() == 0 else os.environ.get("USER", "root")
    write(os.path.join(conf, "master"), json.dumps({
        "root_dir": root, "user": user, "interface": "127.0.0.1",
        "publish_port": ports[0], "ret_port": ports[1],
        "file_roots": {"base": [os.path.join(work, "srv")]}, "pillar_roots": {"base": [os.path.join(work, "pillar")]},
    }))
    os.makedirs(os.path.join(work, "srv"), exist_ok=True)
    write(os.path.join(work, "pillar", "top.sls"), "base: {}\n")
    p = procs.start([os.path.join(venv, "bin/salt-master"), "-c", conf, "-l", "warning"], "master.log")
    return p, conf, user


def salt_minion(procs, work, venv, name, ports, user):
    root = os.path.join(work, name)
    conf = os.path.join(root, "conf")
    write(os.path.join(conf, "minion"), json.dumps({
        "root_dir": root, "user": user, "id": name, "master": "127.0.0.1",
        "publish_port": ports[0], "master_port": ports[1], "acceptance_wait_time": 1,
    }))
    return procs.start([os.path.join(venv, "bin/salt-minion"), "-c", conf, "-l", "warning"], f"{name}.log")


def salt_run(args, n, runs, idle=False):
    """The figures of Salt with n minions; with idle, the idle RSS of the one minion."""
    work = tempfile.mkdtemp(prefix=f"brine-bench-salt-{n}-")
    procs = Procs(work)
    try:
        ports = (free_port(), free_port())
        master, conf, user = salt_master(procs, work, args.salt_venv, ports)
        minions = [salt_minion(procs, work, args.salt_venv, f"salt-{i:04}", ports, user) for i in range(1, n + 1)]
        accept_all(os.path.join(args.salt_venv, "bin/salt-key"), conf, n, 300 + 3 * n)
        salt = os.path.join(args.salt_venv, "bin/salt")
        wait_connected(salt, conf, n, 300 + 3 * n, 60)
        if idle:
            time.sleep(args.idle_secs)
            pids = tree(minions[0].pid)
            return rss_kb(pids)[0], pss_kb(pids)
        return measure(salt, conf, n, master.pid, runs, 120)
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)


def salt_skip_reason(args, n):
    if args.no_salt:
        return "--no-salt"
    if not os.path.exists(os.path.join(args.salt_venv, "bin/salt-minion")):
        return f"no reference Salt in {args.salt_venv}"
    need, avail = n * SALT_MINION_MB, mem_available_mb()
    if need > avail * 0.7:
        return f"{n} Salt minions need ~{need // 1024} GB, {avail // 1024} GB available"
    if n > args.salt_max:
        return f"more than --salt-max {args.salt_max} Salt minions"
    return None


# --- report ----------------------------------------------------------------

def line(n, name, r):
    return (f"{n:>7} {name:6} {r['wall'] * 1000:>10.1f} ms {r['cpu'] * 1000:>10.0f} ms"
            f" {r['rss'] / 1024:>9.1f} MB {r['hwm'] / 1024:>9.1f} MB {r['pss'] / 1024:>9.1f} MB")


def goal(ok, text):
    return f"goal: {text}: {'met' if ok else 'MISSED'}"


def swarm_figures(args):
    print(f"{'minions':>7} {'impl':6} {'ping median':>13} {'master CPU':>13} {'master RSS':>12} {'RSS peak':>12} {'master PSS':>12}")
    for n in args.counts:
        b = brine_swarm(args, n, args.runs)
        print(line(n, "brine", b), flush=True)
        reason = salt_skip_reason(args, n)
        if reason:
            print(f"{n:>7} salt: skipped ({reason})", flush=True)
        else:
            s = salt_run(args, n, args.runs)
            print(line(n, "salt", s))
            print(f"{n:>7} brine/salt: time {b['wall'] / s['wall']:.3f}x, master CPU {b['cpu'] / max(s['cpu'], 1e-9):.3f}x,"
                  f" master RSS {b['rss'] / s['rss']:.3f}x, PSS {b['pss'] / s['pss']:.3f}x", flush=True)
        if n == 1000:
            print(goal(b["wall"] < 1.0, f"1,000 minions answer test.ping in under 1 s ({b['wall'] * 1000:.0f} ms)"))
            print(goal(b["hwm"] < 200 * 1024, f"master under 200 MB RSS with 1,000 minions (peak {b['hwm'] / 1024:.1f} MB)"))
    print("(ping: wall time of `salt '*' test.ping --out=json` until every return, CLI start-up included;"
          " master CPU: utime+stime per ping, mean; RSS and PSS after the pings, summed over Salt's master processes)")


def idle_figures(args):
    rss, pss = brine_idle(args)
    print(f"idle salt-minion after {args.idle_secs:.0f} s: brine RSS {rss / 1024:.1f} MB, PSS {pss / 1024:.1f} MB", flush=True)
    reason = salt_skip_reason(args, 1)
    if reason:
        print(f"idle salt-minion: salt: skipped ({reason})")
    else:
        srss, spss = salt_run(args, 1, 0, idle=True)
        print(f"idle salt-minion after {args.idle_secs:.0f} s: salt RSS {srss / 1024:.1f} MB, PSS {spss / 1024:.1f} MB"
              f" (its processes); brine/salt RSS {rss / srss:.3f}x, PSS {pss / spss:.3f}x")
    print(goal(rss < 10 * 1024, f"an idle brine salt-minion under 10 MB RSS ({rss / 1024:.1f} MB)"))


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    ap.add_argument("--counts", default="10,100,1000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(target, "release"))
    ap.add_argument("--swarm", default=None, help="the swarm example (default: BIN/examples/swarm)")
    ap.add_argument("--salt-venv", default=os.environ.get("SALT_REF_VENV", "/opt/salt-ref"))
    ap.add_argument("--salt-max", type=int, default=100, help="most Salt minion processes to start")
    ap.add_argument("--no-salt", action="store_true")
    ap.add_argument("--no-idle", action="store_true")
    ap.add_argument("--no-swarm", action="store_true")
    ap.add_argument("--idle-secs", type=float, default=5.0)
    args = ap.parse_args()
    args.counts = [int(c) for c in args.counts.split(",") if c]
    args.swarm = args.swarm or os.path.join(args.bin, "examples/swarm")
    for exe in (args.swarm, os.path.join(args.bin, "salt-master"), os.path.join(args.bin, "salt-minion")):
        if not os.path.exists(exe):
            sys.exit(f"missing {exe}: cargo build --release -p brine-master -p brine-minion --bins --example swarm")
    hard = raise_nofile()
    if hard < 2 * max(args.counts) + 256:
        print(f"warning: the open files hard limit ({hard}) is low for {max(args.counts)} minions", file=sys.stderr)
    if not args.no_swarm:
        swarm_figures(args)
    if not args.no_idle:
        idle_figures(args)


if __name__ == "__main__":
    main()
