//! Package targets and version specifications as Salt reads them: the
//! `pkgs` list repacked into name -> version (`_repack_pkgs`), comparison
//! operators split off versions (`split_comparison`), version conditions
//! such as `>=1.2, <2` checked against installed versions
//! (`_fulfills_version_string`), and the first available version matching a
//! condition (`match_version`).
//!
//! Pure computation over strings: it must not query the system.

use brine_common::Value;
use indexmap::IndexMap;

use super::debver;
use crate::fnmatch::fnmatch;
use crate::ModuleError;

/// Package name -> requested version (None: any version).
pub type Targets = IndexMap<String, Option<String>>;

/// Salt's `_repack_pkgs`: a list of names and one-key `{name: version}`
/// dicts (or one dict) into [`Targets`]; an empty map when badly formed.
pub fn repack(pkgs: &Value, normalize: &dyn Fn(&str) -> String) -> Result<Targets, ModuleError> {
    let mut out = Targets::new();
    let items: Vec<Value> = match pkgs {
        Value::List(items) => items.clone(),
        Value::Map(m) => m.iter().map(|(k, v)| Value::Map([(k.clone(), v.clone())].into_iter().collect())).collect(),
        _ => return Ok(out),
    };
    for item in &items {
        match item {
            Value::Map(m) if m.len() == 1 => {
                for (name, version) in m {
                    out.insert(normalize(name), version_of(version));
                }
            }
            Value::Str(_) | Value::Int(_) | Value::Float(_) => {
                out.insert(normalize(&item.py_str()), None);
            }
            _ => return Ok(Targets::new()),
        }
    }
    if out.len() != items.len() {
        return Err(ModuleError::Invocation(format!(
            "You are passing a list of packages that contains duplicated packages names: {}. This cannot be processed. In case you are targeting different versions of the same package, please target them individually",
            pkgs.py_repr()
        )));
    }
    Ok(out)
}

fn version_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        other => Some(other.py_str()),
    }
}

/// Salt's `split_comparison`: (`>=`, `1.2`) from `>=1.2`; no operator -> "".
pub fn split_comparison(spec: &str) -> (String, String) {
    const OPERATORS: [&str; 10] = ["<=>", "!=", ">=", "<=", ">>", "<<", "<>", ">", "<", "="];
    let oper = OPERATORS.iter().find(|o| spec.starts_with(**o)).copied().unwrap_or("");
    let rest = &spec[oper.len()..];
    let version = rest.strip_prefix(|c: char| c.is_whitespace()).unwrap_or(rest);
    if version.is_empty() || version.contains(['<', '>', '=']) {
        return (String::new(), spec.to_string());
    }
    (oper.to_string(), version.to_string())
}

/// Salt's `_parse_version_string`: `>=1.2, <2` into operator/version pairs
/// (`=` and no operator both meaning `==`).
pub fn parse_conditions(spec: &str) -> Vec<(String, String)> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Vec::new();
    }
    spec.split(',')
        .map(|cond| {
            let (oper, version) = split_comparison(cond.trim());
            let oper = if oper.is_empty() || oper == "=" { "==".to_string() } else { oper };
            (oper, version)
        })
        .collect()
}

/// Salt's `salt.utils.versions.compare` with the Debian comparison.
pub fn compare(ver1: &str, oper: &str, ver2: &str, ignore_epoch: bool) -> bool {
    let ord = debver::compare(ver1, ver2, ignore_epoch);
    match oper {
        "<" => ord.is_lt(),
        "<=" => ord.is_le(),
        "==" => ord.is_eq(),
        ">=" => ord.is_ge(),
        ">" => ord.is_gt(),
        "!=" => ord.is_ne(),
        _ => false,
    }
}

/// Salt's `_check_ignore_epoch`: the epoch is ignored unless asked, or the
/// operator orders, or the wanted version has an epoch.
fn ignore_epoch_for(oper: &str, desired: &str, ignore_epoch: Option<bool>) -> bool {
    ignore_epoch.unwrap_or_else(|| !oper.contains('<') && !oper.contains('>') && !desired.contains(':'))
}

fn fulfills_spec(installed: &str, oper: &str, desired: &str, ignore_epoch: Option<bool>) -> bool {
    (oper == "==" && fnmatch(installed, desired))
        || compare(installed, oper, desired, ignore_epoch_for(oper, desired, ignore_epoch))
}

/// Salt's `_fulfills_version_string`: whether any installed version meets
/// every condition (`allow_updates` turns a lone `==` into `>=`).
pub fn fulfills(installed: &[String], conditions: &str, ignore_epoch: Option<bool>, allow_updates: bool) -> bool {
    let conds = parse_conditions(conditions);
    installed.iter().any(|have| {
        conds.iter().all(|(oper, version)| {
            let oper = if allow_updates && conds.len() == 1 && oper == "==" { ">=" } else { oper.as_str() };
            fulfills_spec(have, oper, version, ignore_epoch)
        })
    })
}

/// Salt's `match_version`: the first available version meeting `desired`.
pub fn match_version(desired: &str, available: &[String], ignore_epoch: bool) -> Option<String> {
    let (oper, version) = split_comparison(desired);
    let oper = if oper.is_empty() { "==".to_string() } else { oper };
    available.iter().find(|c| compare(c, &oper, &version, ignore_epoch)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(s: &str) -> String {
        s.to_string()
    }

    #[test]
    fn repacks_lists_and_dicts() {
        let pkgs = Value::from_json(&serde_json::json!(["bash", {"hello": "2.10-3"}, {"sl": null}]));
        let t = repack(&pkgs, &same).unwrap();
        assert_eq!(t.get("bash"), Some(&None));
        assert_eq!(t.get("hello"), Some(&Some("2.10-3".to_string())));
        assert_eq!(t.len(), 3);
        let bad = Value::from_json(&serde_json::json!([["x"]]));
        assert!(repack(&bad, &same).unwrap().is_empty());
        let dup = Value::from_json(&serde_json::json!(["a", "a"]));
        assert!(repack(&dup, &same).unwrap_err().to_string().contains("duplicated packages names"));
    }

    #[test]
    fn conditions_follow_salt() {
        assert_eq!(split_comparison(">=1.2"), (">=".into(), "1.2".into()));
        assert_eq!(split_comparison("= 1.2"), ("=".into(), "1.2".into()));
        assert_eq!(split_comparison("1.2"), ("".into(), "1.2".into()));
        let have = vec!["5.2.15-2+b8".to_string()];
        assert!(fulfills(&have, "5.2.15-2+b8", None, false));
        assert!(fulfills(&have, ">=5.0", None, false));
        assert!(fulfills(&have, ">=5.0, <6", None, false));
        assert!(!fulfills(&have, "1.0", None, false));
        assert!(fulfills(&have, "5.2*", None, false));
        assert!(fulfills(&have, "1.0", None, true), "allow_updates: a newer version is fine");
        assert!(fulfills(&["1:2.0".to_string()], "2.0", None, false), "epoch ignored by default");
        assert!(!fulfills(&["1:2.0".to_string()], "2.0", Some(false), false));
        let avail = vec!["3.0".to_string(), "2.0".to_string(), "1.0".to_string()];
        assert_eq!(match_version("<3.0", &avail, false).as_deref(), Some("2.0"));
        assert_eq!(match_version(">5", &avail, false), None);
    }
}
