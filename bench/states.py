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


def run(cmd):
    """Wall time and peak RSS (KiB) of one child process (wait4 gives its own rusage)."""
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
    w, r, _ = run(base + ["state.apply", "files", pillar])
    out["first apply, 1,000 file.managed"] = ([w], r)
    noop = [run(base + ["state.apply", "files", pillar]) for _ in range(runs)]
    out["no-op apply, 1,000 file.managed"] = ([x[0] for x in noop], max(x[1] for x in noop))
    cmds = [run(base + ["state.apply", "cmds"]) for _ in range(runs)]
    out["100 cmd.run with unless"] = ([x[0] for x in cmds], max(x[1] for x in cmds))
    ping = [run(base + ["test.ping"]) for _ in range(runs)]
    out["test.ping"] = ([x[0] for x in ping], max(x[1] for x in ping))
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
        print("(times: medians; RSS: the highest peak RSS of the runs)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
