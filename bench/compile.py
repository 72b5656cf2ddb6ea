#!/usr/bin/env python3
"""Benchmark: render + compile the bundled example tree and a generated
1,000-state tree with brine's salt-call and with reference Salt's salt-call,
in the same run, and print both timings and their ratio.

Usage: python3 bench/compile.py [--runs N] [--salt-call PATH] [--brine PATH]

Reference Salt: /opt/salt-ref/bin/salt-call (SALT_REF_VENV to change); when it
is missing, install it with ../shared/compat/regen.sh's recipe first.
It measures whole commands (process start to exit), as a user sees them.
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


def gen_tree(root, n_states=1000, per_file=20):
    """n_states states over n_states/per_file SLS files, with Jinja loops,
    pillar lookups and require chains: the shape real formulas have."""
    files = n_states // per_file
    top = ["base:", "  '*':"]
    for f in range(files):
        name = f"app{f:03d}"
        top.append(f"    - {name}")
        body = [
            "{% set conf = salt['pillar.get']('bench:conf', {'mode': 644}) %}",
            f"{{% for i in range({per_file}) %}}",
            f"{name}-file-{{{{ i }}}}:",
            "  file.managed:",
            f"    - name: /tmp/brine-bench/{name}/{{{{ i }}}}.conf",
            "    - mode: {{ conf.mode }}",
            "    - contents: |",
            "        key = {{ grains['id'] }}-{{ i }}",
            "{% if i > 0 %}",
            "    - require:",
            f"      - file: {name}-file-{{{{ i - 1 }}}}",
            "{% endif %}",
            "{% endfor %}",
        ]
        write(os.path.join(root, f"{name}.sls"), "\n".join(body) + "\n")
    write(os.path.join(root, "top.sls"), "\n".join(top) + "\n")


def make_conf(work, file_root, pillar_root, grains, minion_id):
    conf = os.path.join(work, "conf")
    os.makedirs(conf, exist_ok=True)
    opts = {
        "file_client": "local",
        "root_dir": work,
        "file_roots": {"base": [file_root]},
        "pillar_roots": {"base": [pillar_root]},
        "id": minion_id,
        "grains": grains,
    }
    write(os.path.join(conf, "minion"), json.dumps(opts))
    return conf


def time_cmd(cmd, runs):
    """Median wall time and the output of `runs` runs. Output goes to temporary
    files, as in bench/states.py: through a pipe, the time would include how
    fast this Python process drains ~700 KB of JSON."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            rc = subprocess.run(cmd, stdout=out, stderr=err).returncode
            times.append(time.perf_counter() - t0)
            if rc != 0:
                err.seek(0)
                sys.exit(f"command failed ({rc}): {' '.join(cmd)}\n{err.read().decode()[-2000:]}")
            out.seek(0)
            stdout = out.read()
    return statistics.median(times), stdout


def count_states(out):
    data = json.loads(out)["local"]
    return len(data) if isinstance(data, dict) else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--brine", default=os.path.join(REPO, "target/release/salt-call"))
    ap.add_argument("--salt-call", default=os.path.join(os.environ.get("SALT_REF_VENV", "/opt/salt-ref"), "bin/salt-call"))
    args = ap.parse_args()
    for b in (args.brine, args.salt_call):
        if not os.path.exists(b):
            sys.exit(f"missing {b}")
    work = tempfile.mkdtemp(prefix="brine-bench-")
    try:
        gen = os.path.join(work, "gen")
        gen_tree(gen)
        pillar = os.path.join(work, "pillar")
        write(os.path.join(pillar, "top.sls"), "base: {}\n")
        grains = {"os": "Debian", "os_family": "Debian", "ip_interfaces": {"eth0": ["10.231.0.11"]}}
        example = os.path.join(REPO, "srv-salt-example")
        # The example tree as cluster member node1 sees it (its own pillar);
        # the generated tree with an empty pillar.
        trees = [
            ("example tree (srv-salt-example)", example, os.path.join(example, "pillar"), "node1"),
            ("generated 1,000-state tree", gen, pillar, "thelibrary-node1"),
        ]
        print(f"{'tree':34} {'states':>6} {'brine':>10} {'salt':>10} {'ratio':>8}")
        for label, tree, pillar_root, minion_id in trees:
            conf = make_conf(os.path.join(work, label.split()[0]), tree, pillar_root, grains, minion_id)
            argv = ["-c", conf, "--local", "--out=json", "state.show_highstate"]
            b, bout = time_cmd([args.brine] + argv, args.runs)
            s, sout = time_cmd([args.salt_call] + argv, max(1, args.runs // 2))
            if json.loads(bout) != json.loads(sout):
                print(f"  warning: outputs differ for {label}")
            print(f"{label:34} {count_states(bout):>6} {b*1000:>8.1f}ms {s*1000:>8.1f}ms {s/b:>7.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
