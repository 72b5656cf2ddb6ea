#!/usr/bin/env python3
"""Benchmark: state runs with brine's salt-call and reference Salt's, in the
same run, each in its own sandbox: the first apply of 1,000 file.managed
states, the no-op re-apply, 100 cmd.run states guarded by `unless`, and
`test.ping`. Prints wall time, peak RSS and the speed-up.

Usage: python3 bench/states.py [--runs N] [--brine PATH] [--salt-call PATH]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def make_root(work, name):
    root = os.path.join(work, name)
    tree = os.path.join(root, "tree")
    write(os.path.join(tree, "files.sls"),
          "{% for i in range(1000) %}\n"
          "f{{ i }}:\n  file.managed:\n"
          "    - name: {{ pillar['sandbox'] }}/files/{{ i }}.conf\n"
          "    - makedirs: True\n"
          "    - contents: 'value {{ i }}'\n"
          "{% endfor %}\n")
    write(os.path.join(tree, "cmds.sls"),
          "{% for i in range(100) %}\n"
          "c{{ i }}:\n  cmd.run:\n    - name: 'true'\n    - unless: 'true'\n"
          "{% endfor %}\n")
    write(os.path.join(root, "pillar/top.sls"), "base: {}\n")
    sandbox = os.path.join(root, "sandbox")
    os.makedirs(sandbox)
    conf = os.path.join(root, "conf")
    write(os.path.join(conf, "minion"), json.dumps({
        "file_client": "local", "root_dir": root, "id": "bench",
        "file_roots": {"base": [tree]}, "pillar_roots": {"base": [os.path.join(root, "pillar")]},
    }))
    return conf, sandbox


# A child forked from this Python process starts with Python's resident
# pages, and ru_maxrss keeps that high-water mark across exec: wait4 alone
# would report ~17 MB for any small command. GNU time forks the command
# from a process of its own size, so its %M is the command's.
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def run_rss(cmd):
    """Wall time and peak RSS (KiB) of one run, through GNU time when present
    (its fork adds well under a millisecond to the wall time)."""
    if not GNU_TIME:
        return run(cmd)[:2]
    with tempfile.NamedTemporaryFile("r") as rss:
        wall, _, _ = run([GNU_TIME, "-f", "%M", "-o", rss.name] + cmd)
        return wall, int(rss.read().split()[-1])


def run(cmd):
    """Wall time, wait4's peak RSS (KiB; at least this Python's own) and output of one child."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.read().decode()[-2000:]}")
        out.seek(0)
        return wall, usage.ru_maxrss, out.read()


def measure(salt_call, conf, sandbox, runs):
    pillar = "pillar=" + json.dumps({"sandbox": sandbox})
    base = [salt_call, "-c", conf, "--local", "--out=json"]
    out = {}
    w, r = run_rss(base + ["state.apply", "files", pillar])
    out["first apply, 1,000 file.managed"] = ([w], r)
    # Wall times from plain runs; the peak RSS from one more run through GNU time.
    for label, argv in (("no-op apply, 1,000 file.managed", ["state.apply", "files", pillar]),
                        ("100 cmd.run with unless", ["state.apply", "cmds"]),
                        ("test.ping", ["test.ping"])):
        walls = [run(base + argv)[0] for _ in range(runs)]
        out[label] = (walls, run_rss(base + argv)[1])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--brine", default=os.path.join(REPO, "target/release/salt-call"))
    ap.add_argument("--salt-call", default=os.path.join(os.environ.get("SALT_REF_VENV", "/opt/salt-ref"), "bin/salt-call"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="brine-bench-states-")
    try:
        results = {}
        for name, exe in (("brine", args.brine), ("salt", args.salt_call)):
            conf, sandbox = make_root(work, name)
            results[name] = measure(exe, conf, sandbox, args.runs)
        print(f"{'work':34} {'brine':>10} {'salt':>10} {'ratio':>8} {'brine RSS':>10} {'salt RSS':>10}")
        for key in results["brine"]:
            b, br = results["brine"][key]
            s, sr = results["salt"][key]
            bm, sm = statistics.median(b), statistics.median(s)
            print(f"{key:34} {bm*1000:>8.1f}ms {sm*1000:>8.1f}ms {sm/bm:>7.1f}x {br/1024:>8.1f}MB {sr/1024:>8.1f}MB")
        print("(times: medians; RSS: peak RSS of one run" + (", by GNU time)" if GNU_TIME else
              ", by wait4: at least the benchmark's own ~17 MB, as the child starts as a copy of it)"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
