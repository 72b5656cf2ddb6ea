#!/usr/bin/env python3
"""Regenerates the fixtures of states/tests/run_cases.rs.

Two sources: every shared/compat case named run-* (expected.json copied),
and brine's own cases in states/tests/extra_cases/<name>/ (same layout as a
compat case; expected.json produced here by running reference Salt exactly
as compat.py does).  For each case this lays it out exactly as
compat.py does plus a top.sls naming the case's `run` SLS, asks reference
Salt for its low chunks (`state.show_lowstate`, whose chunks have
`require_in`/`watch_in` folded in, which is what the runtime consumes), and
writes into run_cases/<case>/:
lowstate.json (the chunks, the temp root replaced by "{ROOT}"),
expected.json (copied), case.json (copied) and the case's tree/ and sandbox/.
A case whose low chunks Salt refuses to compile (the requisite cycle) keeps
its hand-written lowstate.json.  It never modifies the corpus.

Usage: gen_fixtures.py [--salt-call /opt/salt-ref/bin/salt-call] [--compat DIR] [CASE...]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def low_chunks(compat, case_dir, salt_call):
    case = compat.load_case(case_dir)
    root = tempfile.mkdtemp(prefix="brine-fixture-")
    try:
        conf, pillar = compat.build_root(case, case_dir, root)
        with open(os.path.join(root, "tree", "top.sls"), "w", encoding="utf-8") as fh:
            fh.write("base:\n  '*':\n    - run\n")
        # show_lowstate takes no pillar= argument: serve the CLI pillar from pillar_roots.
        with open(os.path.join(root, "pillar", "top.sls"), "w", encoding="utf-8") as fh:
            fh.write("base:\n  '*':\n    - cli\n")
        with open(os.path.join(root, "pillar", "cli.sls"), "w", encoding="utf-8") as fh:
            json.dump(pillar, fh)
        argv = ["state.show_lowstate"]
        proc = subprocess.run([salt_call, "-c", conf, "--local", "--out=json"] + argv,
                              capture_output=True, cwd=root, stdin=subprocess.DEVNULL)
        out = json.loads(compat.replace_root(proc.stdout.decode(), root))["local"]
        return out if out and all(isinstance(c, dict) for c in out) else None
    finally:
        shutil.rmtree(root, ignore_errors=True)


def copy_dir(src, dst):
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    if os.path.isdir(src):
        shutil.copytree(src, dst)


def expected_of(compat, name, src, salt_call):
    """Reference Salt's normalised output for a brine extra case."""
    _, res, err = compat.run_case(name, src, salt_call)
    if err:
        raise SystemExit("%s: %s" % (name, err))
    return {"retcode": res["retcode"], "out": res["out"]}


def build_fixture(compat, name, src, salt_call, expected):
    dst = os.path.join(HERE, name)
    os.makedirs(dst, exist_ok=True)
    chunks = low_chunks(compat, src, salt_call)
    if chunks is not None:
        with open(os.path.join(dst, "lowstate.json"), "w", encoding="utf-8") as fh:
            json.dump(chunks, fh, indent=1)
            fh.write("\n")
    elif not os.path.exists(os.path.join(dst, "lowstate.json")):
        print("no low chunks for %s and no hand-written lowstate.json" % name)
    with open(os.path.join(dst, "expected.json"), "w", encoding="utf-8") as fh:
        fh.write(compat.dumps(expected) + "\n")
    shutil.copy(os.path.join(src, "case.json"), os.path.join(dst, "case.json"))
    copy_dir(os.path.join(src, "tree"), os.path.join(dst, "tree"))
    copy_dir(os.path.join(src, "sandbox"), os.path.join(dst, "sandbox"))
    print("%s: %s" % (name, "%d chunks" % len(chunks) if chunks is not None else "kept"))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--salt-call", default="/opt/salt-ref/bin/salt-call")
    ap.add_argument("--compat", default="/work/shared/compat")
    ap.add_argument("names", nargs="*", help="only these cases")
    args = ap.parse_args()
    sys.path.insert(0, args.compat)
    import compat  # noqa: E402  (the corpus runner, stdlib only)
    os.umask(0o022)
    cases = os.path.join(args.compat, "cases")
    wanted = set(args.names)
    for name in sorted(n for n in os.listdir(cases) if n.startswith("run-")):
        if wanted and name not in wanted:
            continue
        src = os.path.join(cases, name)
        with open(os.path.join(src, "expected.json"), encoding="utf-8") as fh:
            expected = json.load(fh)
        build_fixture(compat, name, src, args.salt_call, expected)
    extra = os.path.join(os.path.dirname(HERE), "extra_cases")
    for name in sorted(os.listdir(extra) if os.path.isdir(extra) else []):
        if wanted and name not in wanted:
            continue
        src = os.path.join(extra, name)
        build_fixture(compat, name, src, args.salt_call, expected_of(compat, name, src, args.salt_call))


if __name__ == "__main__":
    main()
