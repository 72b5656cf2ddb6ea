#!/usr/bin/env python3
"""Benchmark: the master's fileserver serving the bundled example tree (and a
generated tree of larger files) from `roots` and from `gitfs` (the same
files committed to a git repository the script makes), in the same run, and
print latency and throughput of each and their ratio.

Usage: python3 bench/gitfs.py [--rounds N] [--runs N] [--bench PATH]

PATH is the `fileserver_bench` example (built with
`cargo build --release -p brine-master --example fileserver_bench`; the
default looks under $CARGO_TARGET_DIR or target/). It measures what a
minion's `File` request costs inside the master: "full" sends the file (read,
sha256, base64), "first" is the first round of those (gitfs keeps the sha256
and base64 text per blob id, so later rounds hit that cache), "unchanged"
answers a minion whose cached hash matches. gitfs hashes and encodes new
blobs during its update (fetch included), whose time is printed too.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def gen_tree(root, n_files=200):
    """n_files files of 1 to 64 KiB in nested folders."""
    for i in range(n_files):
        size = 1024 * (1 + (i * 37) % 64)
        line = f"line of file {i} " * 4 + "\n"
        write(os.path.join(root, f"d{i % 10}", f"s{i // 10}", f"f{i}.conf"), (line * (size // len(line) + 1))[:size])


def git_repo(tree, repo):
    shutil.copytree(tree, repo)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=repo)
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "init.defaultBranch=master"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "tree"]):
        subprocess.run(["git"] + ident + cmd, cwd=repo, env=env, check=True)


def conf_dir(work, name, opts):
    conf = os.path.join(work, name, "conf")
    write(os.path.join(conf, "master"), json.dumps(dict(opts, root_dir=os.path.join(work, name))))
    return conf


def run_bench(bench, conf, rounds, runs):
    """The run with the median full-fetch p50 of `runs` runs."""
    results = []
    for _ in range(runs):
        proc = subprocess.run([bench, conf, str(rounds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            sys.exit(f"fileserver_bench failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
        results.append(json.loads(proc.stdout))
    results.sort(key=lambda r: r["full_us"]["p50"])
    return results[len(results) // 2]


def row(label, backend, r):
    first, full, unch = r["first_us"], r["full_us"], r["unchanged_us"]
    return (f"{label:22} {backend:6} {r['files']:>5} {first['p50']:>9.1f} {full['p50']:>9.1f} {full['p99']:>9.1f} "
            f"{unch['p50']:>9.1f} {r['full_mb_s']:>8.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    ap.add_argument("--bench", default=os.path.join(target, "release/examples/fileserver_bench"))
    args = ap.parse_args()
    if not os.path.exists(args.bench):
        sys.exit(f"missing {args.bench}: cargo build --release -p brine-master --example fileserver_bench")
    work = tempfile.mkdtemp(prefix="brine-bench-gitfs-")
    try:
        gen = os.path.join(work, "gen")
        gen_tree(gen)
        trees = [("srv-salt-example", os.path.join(REPO, "srv-salt-example")), ("generated 200 files", gen)]
        print(f"{'tree':22} {'from':6} {'files':>5} {'1st p50':>9} {'full p50':>9} {'full p99':>9} {'unch p50':>9} {'MB/s':>8}   (latencies in µs)")
        for label, tree in trees:
            repo = os.path.join(work, "repo-" + label.split()[0])
            git_repo(tree, repo)
            roots = conf_dir(work, "roots-" + label.split()[0], {"fileserver_backend": ["roots"], "file_roots": {"base": [tree]}})
            gitfs = conf_dir(work, "gitfs-" + label.split()[0], {"fileserver_backend": ["gitfs"], "gitfs_remotes": [f"file://{repo}"]})
            r = run_bench(args.bench, roots, args.rounds, args.runs)
            g = run_bench(args.bench, gitfs, args.rounds, args.runs)
            print(row(label, "roots", r))
            print(row(label, "gitfs", g))
            first = g["first_us"]["p50"] / r["first_us"]["p50"]
            ratio = g["full_us"]["p50"] / r["full_us"]["p50"]
            unch = g["unchanged_us"]["p50"] / r["unchanged_us"]["p50"]
            print(f"{'':22} gitfs/roots latency: first {first:.2f}x, full {ratio:.2f}x, unchanged {unch:.2f}x;"
                  f" throughput {g['full_mb_s'] / r['full_mb_s']:.2f}x; gitfs update {g['update_ms']:.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
