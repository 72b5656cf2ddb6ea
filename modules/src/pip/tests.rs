//! Tests of the `pip` module: pip binary resolution, argv on a recorded
//! runner, and a real virtualenv (`python3 -m venv` in a temporary
//! directory) installing a wheel built by the test, with no network; skipped
//! with a message only when a virtualenv cannot be made.

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};

use super::*;
use crate::testing::{output, Recorded};
use crate::{call, SystemRunner};

#[test]
fn pip_binary_resolution_follows_salt() {
    assert_eq!(pip_bin(None).unwrap(), vec!["python3", "-m", "pip"]);
    let err = pip_bin(Some("/nonexistent/venv")).unwrap_err();
    assert_eq!(err.to_string(), "Access denied to /nonexistent/venv, could not find a pip binary");
    let err = pip_bin(Some("/etc")).unwrap_err();
    assert_eq!(err.to_string(), "Could not find a pip binary in virtualenv /etc");
    let plain = std::env::temp_dir().join(format!("brine-pip-plain-{}", std::process::id()));
    std::fs::write(&plain, "x").unwrap();
    let text = plain.to_string_lossy().into_owned();
    assert_eq!(pip_bin(Some(&text)).unwrap_err().to_string(), format!("Could not find a pip binary within {text}"));
    let _ = std::fs::remove_file(&plain);
    assert_eq!(normalize("My_Pkg.Name"), "my-pkg-name");
}

#[test]
fn install_argv_on_a_recorded_runner() {
    let runner = Recorded::new(|_| output(0, "Successfully installed x-1.0", ""));
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &runner);
    let mut kw = Map::default();
    kw.insert("pkgs".into(), Value::str("x==1.0,y>=2;<3"));
    kw.insert("no_index".into(), Value::Bool(true));
    kw.insert("find_links".into(), Value::str("/tmp/wheels"));
    kw.insert("upgrade".into(), Value::Bool(true));
    let ret = call("pip.install", &[], &kw, &ctx).unwrap();
    assert_eq!(ret.get("retcode"), Some(&Value::Int(0)));
    assert_eq!(
        runner.commands(),
        vec!["python3 -m pip install --find-links /tmp/wheels --no-index --upgrade x==1.0 y>=2,<3".to_string()]
    );
    let none = call("pip.install", &[], &Map::default(), &ctx).unwrap();
    assert_eq!(none.get("stdout"), Some(&Value::str("No packages to install.")));
    let mut bad = Map::default();
    bad.insert("no_index".into(), Value::Bool(true));
    bad.insert("index_url".into(), Value::str("http://x"));
    bad.insert("pkgs".into(), Value::str("x"));
    assert!(call("pip.install", &[], &bad, &ctx).is_err());
}

/// Builds `brinetestpkg-<version>` as a wheel in `dir` with Python's zipfile.
pub fn build_wheel(dir: &Path, version: &str) -> Option<PathBuf> {
    const SCRIPT: &str = r#"
import base64, hashlib, sys, zipfile
name, ver, out = sys.argv[1:4]
dist = f"{name}-{ver}.dist-info"
files = {f"{name}/__init__.py": "VALUE = 1\n",
         f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n",
         f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: brine-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
path = f"{out}/{name}-{ver}-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as z:
    record = []
    for p, c in files.items():
        z.writestr(p, c)
        h = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{p},sha256={h},{len(c)}")
    record.append(f"{dist}/RECORD,,")
    z.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
print(path)
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", SCRIPT, "brinetestpkg", version, &dir.to_string_lossy()])
        .output()
        .ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// A fresh virtualenv in a temporary directory, or None when it cannot be made.
pub fn venv(tag: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("brine-venv-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ok = std::process::Command::new("python3").args(["-m", "venv"]).arg(&dir).status().ok()?.success();
    ok.then_some(dir)
}

#[test]
fn real_virtualenv_install_list_freeze_uninstall() {
    let Some(env) = venv("module") else {
        eprintln!("skipped: `python3 -m venv` cannot create a virtualenv here");
        return;
    };
    build_wheel(&env, "1.0").expect("wheel");
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
    let bin_env = Value::str(env.to_string_lossy());
    let mut kw = Map::default();
    kw.insert("bin_env".into(), bin_env.clone());
    assert!(call("pip.version", &[], &kw, &ctx).unwrap().py_str().starts_with(|c: char| c.is_ascii_digit()));
    let mut inst = kw.clone();
    inst.insert("pkgs".into(), Value::str("brinetestpkg"));
    inst.insert("find_links".into(), bin_env.clone());
    inst.insert("no_index".into(), Value::Bool(true));
    let ret = call("pip.install", &[], &inst, &ctx).unwrap();
    assert_eq!(ret.get("retcode"), Some(&Value::Int(0)), "{ret:?}");
    let listed = call("pip.list", &[Value::str("brine")], &kw, &ctx).unwrap();
    assert_eq!(listed.get("brinetestpkg"), Some(&Value::str("1.0")));
    // The listing read from the metadata is pip's own, order included.
    let penv = PipEnv { bin_env: Some(env.to_string_lossy().into_owned()), ..PipEnv::default() };
    let fast: Vec<(String, String)> = venv_listing(&penv).expect("a plain virtualenv is read from its metadata").into_iter().collect();
    let out = std::process::Command::new(env.join("bin/python"))
        .args(["-m", "pip", "list", "--format=json", "--disable-pip-version-check"])
        .output()
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let slow: Vec<(String, String)> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(fast, slow);
    assert!(fast.iter().any(|(n, v)| n == "brinetestpkg" && v == "1.0"), "{fast:?}");
    let frozen = call("pip.freeze", &[], &kw, &ctx).unwrap();
    assert!(frozen.as_list().unwrap_or_default().contains(&Value::str("brinetestpkg==1.0")), "{frozen:?}");
    let mut un = kw.clone();
    un.insert("pkgs".into(), Value::str("brinetestpkg"));
    assert_eq!(call("pip.uninstall", &[], &un, &ctx).unwrap().get("retcode"), Some(&Value::Int(0)));
    assert!(call("pip.list", &[Value::str("brine")], &kw, &ctx).unwrap().as_map().is_some_and(|m| m.is_empty()));
    let _ = std::fs::remove_dir_all(&env);
}

#[test]
fn metadata_listing_only_for_environments_it_reads_exactly() {
    let root = std::env::temp_dir().join(format!("brine-pip-meta-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let site = root.join("lib/python3.11/site-packages");
    for (dir, name, ver) in [("pip-23.0.1.dist-info", "pip", "23.0.1"), ("Jinja2-3.1.6.dist-info", "Jinja2", "3.1.6")] {
        std::fs::create_dir_all(site.join(dir)).unwrap();
        std::fs::write(site.join(dir).join("METADATA"), format!("Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n\nName: not-this\n")).unwrap();
    }
    std::fs::write(site.join("old_style-0.1-py3.11.egg-info"), "Metadata-Version: 1.0\nName: old_style\nVersion: 0.1\n").unwrap();
    let env = PipEnv { bin_env: Some(root.to_string_lossy().into_owned()), ..PipEnv::default() };
    // Not a virtualenv yet: no pyvenv.cfg.
    assert_eq!(venv_listing(&env), None);
    std::fs::write(root.join("pyvenv.cfg"), "home = /usr/bin\ninclude-system-site-packages = false\n").unwrap();
    let listed: Vec<(String, String)> = venv_listing(&env).unwrap().into_iter().collect();
    let want = [("Jinja2", "3.1.6"), ("old_style", "0.1"), ("pip", "23.0.1")];
    assert_eq!(listed, want.map(|(n, v)| (n.to_string(), v.to_string())).to_vec());
    // Extra environment for pip, the system's packages, or a legacy develop
    // install: pip is asked instead.
    let with_vars = PipEnv { env_vars: vec![("PYTHONPATH".into(), "/x".into())], ..env.clone() };
    assert_eq!(venv_listing(&with_vars), None);
    std::fs::write(site.join("dev.egg-link"), "/src/dev\n.").unwrap();
    assert_eq!(venv_listing(&env), None);
    std::fs::remove_file(site.join("dev.egg-link")).unwrap();
    std::fs::write(root.join("pyvenv.cfg"), "include-system-site-packages = true\n").unwrap();
    assert_eq!(venv_listing(&env), None);
    let _ = std::fs::remove_dir_all(&root);
}
