//! The Xen guest configs the bundled tree generates, checked by the
//! project's own parser of xl's config format (xl.cfg(5)). This is NOT xl:
//! xl cannot check a config without a hypervisor, and these machines have none.
//!
//! The contexts come from the real `salt-call --local state.show_sls xen` on
//! a Xen dom0's grains and the tree's own pillar; the template is rendered by
//! the same Jinja engine file.managed uses.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use brine_common::Value as CValue;
use brine_states::jinja::{Environment, Value};

/// One value of an xl config: a string, a number or a list of strings.
#[derive(Debug, PartialEq)]
enum Xl {
    Str(String),
    Num(i64),
    List(Vec<String>),
}

/// Parses xl's `KEY = VALUE` lines (comments and blank lines skipped).
fn parse_xl(text: &str) -> Result<BTreeMap<String, Xl>, String> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or(format!("line {}: no '=': {raw}", i + 1))?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("line {}: bad key {key:?}", i + 1));
        }
        let value = parse_value(value.trim()).map_err(|e| format!("line {}: {e}", i + 1))?;
        if out.insert(key.to_string(), value).is_some() {
            return Err(format!("line {}: {key} set twice", i + 1));
        }
    }
    Ok(out)
}

fn parse_value(v: &str) -> Result<Xl, String> {
    if let Some(inner) = v.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        // A list item is a quoted string; commas inside quotes belong to it.
        let mut list = Vec::new();
        let mut rest = inner.trim();
        while !rest.is_empty() {
            let q = rest.chars().next().ok_or("empty list item")?;
            if q != '\'' && q != '"' {
                return Err(format!("list item not quoted: {rest}"));
            }
            let end = rest[1..].find(q).ok_or("unterminated string in list")? + 1;
            list.push(rest[1..end].to_string());
            rest = rest[end + 1..].trim_start().trim_start_matches(',').trim_start();
        }
        return Ok(Xl::List(list));
    }
    for q in ['"', '\''] {
        if let Some(s) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return if s.contains(q) { Err(format!("stray quote in {v}")) } else { Ok(Xl::Str(s.to_string())) };
        }
    }
    v.parse::<i64>().map(Xl::Num).map_err(|_| format!("not a string, number or list: {v}"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `{guest name: file.managed context}` of the xen SLS on a dom0.
fn contexts() -> Vec<(String, CValue)> {
    let root = std::env::temp_dir().join(format!("brine-xen-cfg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("conf")).unwrap();
    let tree = repo().join("srv-salt-example");
    let conf = serde_json::json!({
        "file_client": "local", "root_dir": root, "id": "dom0-1",
        "file_roots": {"base": [tree]}, "pillar_roots": {"base": [tree.join("pillar")]},
        "grains": {"os": "Debian", "os_family": "Debian", "virtual": "xen", "virtual_subtype": "Xen Dom0"},
    });
    std::fs::write(root.join("conf/minion"), conf.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_salt-call"))
        .arg("-c").arg(root.join("conf")).args(["--local", "--out=json", "state.show_sls", "xen"])
        .output().unwrap();
    let _ = std::fs::remove_dir_all(&root);
    assert!(out.status.success(), "show_sls xen failed: {}", String::from_utf8_lossy(&out.stdout));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = Vec::new();
    for (id, body) in json["local"].as_object().unwrap() {
        let Some(name) = id.strip_prefix("/etc/xen/").and_then(|n| n.strip_suffix(".cfg")) else { continue };
        let args = body["file"].as_array().unwrap();
        let ctx = args.iter().find_map(|a| a.get("context")).expect("a context");
        found.push((name.to_string(), CValue::from_json(ctx)));
    }
    found
}

#[test]
fn xen_guest_cfgs_parse_with_our_xl_parser_not_xl() {
    let guests = contexts();
    assert_eq!(guests.len(), 2, "one config per pillar guest");
    let template = std::fs::read_to_string(repo().join("srv-salt-example/xen/domu.cfg")).unwrap();
    let env = Environment::new(|_| Ok(None));
    for (name, ctx) in guests {
        let globals = ctx.as_map().unwrap().iter().map(|(k, v)| (k.clone(), Value::from_common(v))).collect();
        let text = env.render("xen/domu.cfg", &template, globals).unwrap();
        let cfg = parse_xl(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(cfg["name"], Xl::Str(name.clone()));
        assert_eq!(cfg["memory"], Xl::Num(1024));
        assert_eq!(cfg["disk"], Xl::List(vec![format!("phy:/dev/vg0/{name}-disk,xvda,w")]));
        let Xl::List(vif) = &cfg["vif"] else { panic!("vif is not a list") };
        assert!(vif[0].contains("bridge=xenbr0") && vif[0].starts_with("mac=00:16:3e:"), "{vif:?}");
    }
}

#[test]
fn the_xl_parser_rejects_what_xl_would() {
    for bad in ["memory 1024", "name = \"a", "vif = [ mac=1 ]", "memory = 1k", "a = 1\na = 2", "bad-key = 1"] {
        assert!(parse_xl(bad).is_err(), "{bad}");
    }
    assert_eq!(parse_xl("# c\nvif = [ 'a,b', \"c\" ]\n").unwrap()["vif"], Xl::List(vec!["a,b".into(), "c".into()]));
}
