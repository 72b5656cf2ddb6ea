//! Integration test of the state runtime against the compat corpus: for each
//! `run-*` case (fixtures in `run_cases/`, made by `run_cases/gen_fixtures.py`
//! from reference Salt's `state.show_low_sls`), builds the case's sandbox in a
//! fresh temp dir, runs the embedded low chunks through `runtime::run`, and
//! compares the returns with the case's `expected.json` exactly as compat.py
//! does (start_time/duration dropped, `changes.pid` masked, the temp root
//! written as `{ROOT}`).
//!
//! It only writes below its own temp dirs; the template renderer here is a
//! tiny `{{ var }}` substitution, not the real Jinja.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use brine_common::{Map, Value};
use brine_states::runtime::{self, Host};
use serde_json::Value as Json;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temp dir removed on drop.
struct TempRoot(PathBuf);

impl TempRoot {
    fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let base = std::env::temp_dir().join(format!("brine-run-case-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).expect("temp root");
        // Like compat.py, compare with the path Salt would print (no symlinks).
        TempRoot(std::fs::canonicalize(&base).unwrap_or(base))
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    let Ok(entries) = std::fs::read_dir(src) else { return };
    for entry in entries.flatten() {
        let target = dst.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Git keeps neither empty directories nor modes other than 0644/0755, so each
/// fixture's `sandbox.json` lists its directories (with modes), the file modes
/// that matter and its symlinks; they are recreated after the copy.
fn apply_sandbox_manifest(manifest: &Path, sandbox: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(text) = std::fs::read_to_string(manifest) else { return };
    let m: Json = serde_json::from_str(&text).expect("sandbox.json is JSON");
    let mode = |v: &Json| u32::from_str_radix(v.as_str().unwrap_or("0755"), 8).expect("octal mode");
    if let Some(links) = m["links"].as_object() {
        for (rel, target) in links {
            let p = sandbox.join(rel);
            if std::fs::symlink_metadata(&p).is_err() {
                std::os::unix::fs::symlink(target.as_str().unwrap_or(""), &p).expect("symlink");
            }
        }
    }
    for key in ["dirs", "file_modes"] {
        let Some(entries) = m[key].as_object() else { continue };
        for (rel, v) in entries {
            let p = sandbox.join(rel);
            if std::fs::symlink_metadata(&p).is_ok_and(|md| md.file_type().is_symlink()) {
                continue;
            }
            if key == "dirs" {
                std::fs::create_dir_all(&p).expect("sandbox dir");
            }
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode(v))).expect("chmod");
        }
    }
}

/// The host the tests run with: files from the case's tree, a minimal
/// `{{ name }}` / `{{ grains['x'] }}` renderer.
struct TestHost {
    opts: Map,
    grains: Map,
    pillar: Map,
    tree: PathBuf,
    cachedir: PathBuf,
}

impl Host for TestHost {
    fn opts(&self) -> &Map {
        &self.opts
    }
    fn grains(&self) -> &Map {
        &self.grains
    }
    fn pillar(&self) -> &Map {
        &self.pillar
    }
    fn cache_file(&self, url: &str, _saltenv: &str) -> Result<PathBuf, String> {
        let local = match url.strip_prefix("salt://") {
            Some(rel) => self.tree.join(rel),
            None => PathBuf::from(url),
        };
        if local.is_file() {
            Ok(local)
        } else {
            Err(format!("{url} not found"))
        }
    }
    fn render_template(
        &self,
        _kind: &str,
        text: &str,
        _name: &str,
        context: &Map,
        _saltenv: &str,
        _sls: &str,
    ) -> Result<String, String> {
        Ok(substitute(text, context, &self.grains))
    }
    fn cachedir(&self) -> PathBuf {
        self.cachedir.clone()
    }
}

fn substitute(text: &str, context: &Map, grains: &Map) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else { break };
        let expr = rest[start + 2..start + end].trim();
        let value = match expr.strip_prefix("grains['").and_then(|e| e.strip_suffix("']")) {
            Some(key) => grains.get(key),
            None => context.get(expr),
        };
        out.push_str(&value.map(Value::py_str).unwrap_or_default());
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn read_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// compat.py's `strip_volatile` on one state return map.
fn normalise(ret: &Map, root: &str) -> Json {
    let mut out = serde_json::Map::default();
    for (k, v) in ret {
        if k == "start_time" || k == "duration" {
            continue;
        }
        let mut j = v.to_json();
        if k == "changes" {
            if let Some(pid) = j.get_mut("pid").filter(|p| p.is_i64()) {
                *pid = Json::String("{PID}".into());
            }
        }
        out.insert(k.clone(), j);
    }
    let text = Json::Object(out).to_string().replace(root, "{ROOT}");
    serde_json::from_str(&text).expect("re-parse")
}

fn retcode_of(rets: &Map) -> i64 {
    let failed = rets.values().any(|r| r.get("result") == Some(&Value::Bool(false)));
    i64::from(failed)
}

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run_cases").join(name)
}

/// Runs one fixture; `Err` describes how the output differs.
fn run_case(name: &str) -> Result<(), String> {
    brine_modules::sys::set_umask(0o022);
    let dir = case_dir(name);
    let root = TempRoot::new();
    let root_s = root.0.to_string_lossy().into_owned();
    let sandbox = root.0.join("sandbox");
    copy_tree(&dir.join("sandbox"), &sandbox);
    apply_sandbox_manifest(&dir.join("sandbox.json"), &sandbox);
    copy_tree(&dir.join("tree"), &root.0.join("tree"));
    let low_text =
        std::fs::read_to_string(dir.join("lowstate.json")).map_err(|e| e.to_string())?.replace("{ROOT}", &root_s);
    let low_json: Json = serde_json::from_str(&low_text).map_err(|e| e.to_string())?;
    let Value::List(chunks) = Value::from_json(&low_json) else { return Err("lowstate is not a list".into()) };
    let case = read_json(&dir.join("case.json"));
    let test = case["argv"].as_array().is_some_and(|a| a.iter().any(|x| x == "test=True"));
    let mut grains = Value::from_json(&case["grains"]).as_map().cloned().unwrap_or_default();
    // The fixtures were recorded with SHELL=/bin/bash (Salt's `shell` grain);
    // pin it so a shell's error wording does not depend on this machine's $SHELL.
    grains.entry("shell".to_string()).or_insert_with(|| Value::Str("/bin/bash".into()));
    let mut pillar = Value::from_json(&case["pillar_cli"]).as_map().cloned().unwrap_or_default();
    pillar.insert("sandbox".into(), Value::Str(sandbox.to_string_lossy().into_owned()));
    let opts = Value::from_json(&case["minion_opts"]).as_map().cloned().unwrap_or_default();
    let host = TestHost { opts, grains, pillar, tree: root.0.join("tree"), cachedir: root.0.join("cache") };
    let expected = read_json(&dir.join("expected.json"));
    let (retcode, out) = match runtime::run(chunks, &host, test) {
        Ok(rets) => {
            let mut local = serde_json::Map::default();
            for (tag, ret) in &rets {
                let m = ret.as_map().cloned().unwrap_or_default();
                local.insert(tag.replace(&root_s, "{ROOT}"), normalise(&m, &root_s));
            }
            (retcode_of(&rets), Json::Object(local))
        }
        Err(errors) => (1, Json::Array(errors.into_iter().map(Json::String).collect())),
    };
    let got = serde_json::json!({"out": {"local": out}, "retcode": retcode});
    if got == expected {
        return Ok(());
    }
    Err(describe_difference(&expected, &got))
}

/// The returns that differ, each as expected vs got.
fn describe_difference(expected: &Json, got: &Json) -> String {
    let mut out = String::new();
    if expected["retcode"] != got["retcode"] {
        out.push_str(&format!("retcode: expected {} got {}\n", expected["retcode"], got["retcode"]));
    }
    let (e, g) = (&expected["out"]["local"], &got["out"]["local"]);
    match (e.as_object(), g.as_object()) {
        (Some(eo), Some(go)) => {
            for key in eo.keys().chain(go.keys().filter(|k| !eo.contains_key(*k))) {
                if eo.get(key) != go.get(key) {
                    out.push_str(&format!(
                        "  {key}\n    expected: {}\n    got:      {}\n",
                        eo.get(key).map(Json::to_string).unwrap_or_else(|| "(missing)".into()),
                        go.get(key).map(Json::to_string).unwrap_or_else(|| "(missing)".into())
                    ));
                }
            }
        }
        _ => out.push_str(&format!("  expected: {e}\n  got:      {g}\n")),
    }
    out
}

fn fixtures(prefix: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run_cases");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

fn run_all(prefix: &str) {
    let names = fixtures(prefix);
    assert!(!names.is_empty(), "no {prefix}* fixtures");
    let failures: Vec<String> =
        names.iter().filter_map(|n| run_case(n).err().map(|why| format!("FAIL {n}\n{why}"))).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Salt:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

/// The compat corpus' `run-*` cases.
#[test]
fn compat_run_cases() {
    assert_eq!(fixtures("run-").len(), 20);
    run_all("run-");
}

/// brine's own cases (`extra_cases/`), checked against reference Salt output.
#[test]
fn brine_extra_cases() {
    run_all("brine-");
}
