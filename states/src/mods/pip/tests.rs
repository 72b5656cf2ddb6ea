//! Tests of the `pip` states in a real virtualenv (`python3 -m venv` in a
//! temporary directory) installing a wheel the test builds itself, so no
//! network is needed; skipped with a message only when no virtualenv can
//! be made.

use std::path::{Path, PathBuf};

use brine_common::Map;
use brine_modules::{Ctx, SystemRunner};
use serde_json::json;

use crate::mods::testkit::{run, StateOutcome};

const WHEEL: &str = r#"
import base64, hashlib, sys, zipfile
name, ver, out = sys.argv[1:4]
dist = f"{name}-{ver}.dist-info"
files = {f"{name}/__init__.py": "VALUE = 1\n",
         f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n",
         f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: brine-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
with zipfile.ZipFile(f"{out}/{name}-{ver}-py3-none-any.whl", "w") as z:
    record = []
    for p, c in files.items():
        z.writestr(p, c)
        h = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{p},sha256={h},{len(c)}")
    record.append(f"{dist}/RECORD,,")
    z.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
"#;

/// A virtualenv holding a locally built `brinetestpkg-1.0` wheel beside it.
fn venv_with_wheel(tag: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("brine-pip-state-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let made = std::process::Command::new("python3").args(["-m", "venv"]).arg(&dir).status().ok()?.success();
    let wheel = std::process::Command::new("python3")
        .args(["-c", WHEEL, "brinetestpkg", "1.0"])
        .arg(&dir)
        .status()
        .ok()?
        .success();
    (made && wheel).then_some(dir)
}

fn go(fun: crate::mods::StateFn, args: serde_json::Value, test: bool) -> StateOutcome {
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
    StateOutcome::of(&run(fun, args, test, &ctx))
}

fn args(env: &Path, name: &str) -> serde_json::Value {
    let e = env.to_string_lossy();
    json!({"name": name, "bin_env": e, "no_index": true, "find_links": e})
}

#[test]
fn venv_install_is_predicted_done_once_and_removed() {
    let Some(env) = venv_with_wheel("cycle") else {
        eprintln!("skipped: `python3 -m venv` cannot create a virtualenv here");
        return;
    };
    let t = go(super::installed, args(&env, "brinetestpkg"), true);
    assert_eq!(t, StateOutcome::new(None, "Python package brinetestpkg is set to be installed", json!({})));
    let r = go(super::installed, args(&env, "brinetestpkg"), false);
    assert_eq!(
        r,
        StateOutcome::new(
            Some(true),
            "All packages were successfully installed",
            json!({"brinetestpkg==1.0": "Installed"})
        )
    );
    let again = go(super::installed, args(&env, "brinetestpkg==1.0"), false);
    assert_eq!(
        again,
        StateOutcome::new(
            Some(true),
            "Python package brinetestpkg==1.0 was already installed\nAll specified packages are already installed",
            json!({})
        )
    );
    let newer = go(super::installed, args(&env, "brinetestpkg>=2"), true);
    assert_eq!(newer.comment, "Python package brinetestpkg>=2 is set to be installed");
    let fail = go(super::installed, args(&env, "brinetestpkg>=2"), false);
    assert_eq!(fail.result, Some(false));
    assert!(fail.comment.starts_with("Failed to install packages: brinetestpkg>=2. Error: "), "{}", fail.comment);
    let e = env.to_string_lossy();
    let rm_test = go(super::removed, json!({"name": "brinetestpkg", "bin_env": e}), true);
    assert_eq!(rm_test, StateOutcome::new(None, "Package brinetestpkg is set to be removed", json!({})));
    let rm = go(super::removed, json!({"name": "brinetestpkg", "bin_env": e}), false);
    assert_eq!(
        rm,
        StateOutcome::new(Some(true), "Package was successfully removed.", json!({"brinetestpkg": "Removed"}))
    );
    let gone = go(super::removed, json!({"name": "brinetestpkg", "bin_env": e}), false);
    assert_eq!(gone, StateOutcome::new(Some(true), "Package is not installed.", json!({})));
    let _ = std::fs::remove_dir_all(&env);
}

#[test]
fn bad_input_gives_salts_comments() {
    let bad_env = go(super::installed, json!({"name": "x", "bin_env": "/nonexistent/venv"}), false);
    assert_eq!(
        bad_env,
        StateOutcome::new(
            Some(false),
            "Error installing 'x': Access denied to /nonexistent/venv, could not find a pip binary",
            json!({})
        )
    );
    let not_list = go(super::installed, json!({"name": "x", "pkgs": "a,b"}), false);
    assert_eq!(not_list.comment, "pkgs argument must be formatted as a list");
    let Some(env) = venv_with_wheel("bad") else { return };
    let eq = go(super::installed, args(&env, "foo=1.0"), false);
    assert_eq!(
        eq,
        StateOutcome::new(
            Some(false),
            "Invalid version specification in package foo=1.0. '=' is not supported, use '==' instead.",
            json!({})
        )
    );
    let reqs = go(
        super::installed,
        json!({"name": "x", "bin_env": env.to_string_lossy(), "requirements": "/tmp/r.txt"}),
        true,
    );
    assert_eq!(reqs, StateOutcome::new(None, "Requirements file '/tmp/r.txt' will be processed.", json!({})));
    let _ = std::fs::remove_dir_all(&env);
}
