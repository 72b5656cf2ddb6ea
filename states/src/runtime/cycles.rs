//! Salt's pre-run recursive requisite check (`State.verify_high`): two IDs
//! that `require`/`watch`/`prereq`/`onchanges` each other directly make the
//! whole run fail with "A recursive requisite was found, SLS ... ID ... ID ...".
//!
//! Salt checks high data before `require_in`/`watch_in` are folded in; the
//! low chunks we get have them folded, so the entries contributed by `_in`
//! requisites are taken out again first. Longer cycles are not detected here
//! (Salt finds them while running: "Recursive requisite found").

use std::collections::HashSet;

use brine_common::{Map, Value};
use indexmap::{IndexMap, IndexSet};

const CHECKED: [&str; 4] = ["require", "watch", "prereq", "onchanges"];
const FOLDED: [(&str, &str); 3] = [("require_in", "require"), ("watch_in", "watch"), ("onchanges_in", "onchanges")];

/// One `(ID, state)` declaration of the high data, rebuilt from its first chunk.
struct Decl<'a> {
    id: String,
    state: String,
    sls: String,
    low: &'a Map,
}

fn text(low: &Map, key: &str) -> String {
    low.get(key).map(Value::py_str).unwrap_or_default()
}

fn declarations(lows: &[Map]) -> Vec<Decl<'_>> {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut out: Vec<Decl> = Vec::new();
    for low in lows {
        let (id, state) = (text(low, "__id__"), text(low, "state"));
        if seen.insert((id.clone(), state.clone())) {
            out.push(Decl { id, state, sls: text(low, "__sls__"), low });
        }
    }
    // High data iterates IDs in first-appearance order, states within an ID.
    let ids: IndexSet<String> = out.iter().map(|d| d.id.clone()).collect();
    out.sort_by_key(|d| ids.get_index_of(&d.id));
    out
}

/// A requisite entry as `(key, value)`; bare strings are `("id", value)`.
fn entry(req: &Value) -> Option<(String, Value)> {
    match req {
        Value::Str(s) => Some(("id".into(), Value::str(s))),
        Value::Map(m) => m.iter().next().map(|(k, v)| (k.clone(), v.clone())),
        _ => None,
    }
}

/// The entries `_in` requisites of other declarations (`with_in`: those
/// that have any) appended to `target`'s `rkey` list, as
/// `{declaring state: declaring id}`.
fn folded_into(decls: &[Decl], with_in: &[&Decl], target: &Decl, rkey: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for d in with_in {
        for (in_key, key) in FOLDED {
            if key != rkey {
                continue;
            }
            let Some(Value::List(items)) = d.low.get(in_key) else { continue };
            for item in items {
                if names_target(decls, item, target) {
                    let mut m = Map::default();
                    m.insert(d.state.clone(), Value::str(&d.id));
                    out.push(Value::Map(m));
                }
            }
        }
    }
    out
}

fn names_target(decls: &[Decl], item: &Value, target: &Decl) -> bool {
    match entry(item) {
        Some((key, Value::Str(val))) if key == "id" => {
            val == target.id || decls.iter().any(|d| d.id == target.id && text(d.low, "name") == val)
        }
        Some((state, Value::Str(val))) => {
            state == target.state && (val == target.id || text(target.low, "name") == val)
        }
        _ => false,
    }
}

/// The requisite list as written in the SLS (folded `_in` entries removed).
fn original_list(decls: &[Decl], with_in: &[&Decl], decl: &Decl, key: &str, list: &[Value]) -> Vec<Value> {
    let mut items = list.to_vec();
    for folded in folded_into(decls, with_in, decl, key) {
        if let Some(pos) = items.iter().rposition(|i| *i == folded) {
            items.remove(pos);
        }
    }
    items
}

/// Salt's recursive requisite errors for the given chunks, in Salt's order.
pub fn recursive_requisites(lows: &[Map]) -> Vec<String> {
    let has_list = |low: &Map| CHECKED.iter().any(|k| matches!(low.get(*k), Some(Value::List(_))));
    if !lows.iter().any(has_list) {
        return Vec::new();
    }
    let decls = declarations(lows);
    let with_in: Vec<&Decl> = decls.iter().filter(|d| FOLDED.iter().any(|(k, _)| d.low.contains_key(*k))).collect();
    let mut reqs: IndexMap<String, IndexMap<String, String>> = IndexMap::new();
    let mut errors = Vec::new();
    for decl in &decls {
        for (key, value) in decl.low {
            let Value::List(list) = value else { continue };
            if !CHECKED.contains(&key.as_str()) {
                continue;
            }
            let mut mine = IndexMap::new();
            mine.insert("state".to_string(), decl.state.clone());
            reqs.insert(decl.id.clone(), mine);
            for req in original_list(&decls, &with_in, decl, key, list) {
                check_one(&mut reqs, decl, &req, &mut errors);
            }
        }
    }
    errors
}

fn check_one(
    reqs: &mut IndexMap<String, IndexMap<String, String>>,
    decl: &Decl,
    req: &Value,
    errors: &mut Vec<String>,
) {
    let Some((req_key, Value::Str(req_val))) = entry(req) else { return };
    if let Some(mine) = reqs.get_mut(&decl.id) {
        mine.insert(req_val.clone(), req_key);
    }
    let Some(theirs) = reqs.get(&req_val) else { return };
    let mine_key = reqs.get(&decl.id).and_then(|m| m.get(&req_val)).cloned();
    if theirs.get(&decl.id) == Some(&decl.state) && theirs.get("state") == mine_key.as_ref() {
        errors.push(format!(
            "A recursive requisite was found, SLS \"{}\" ID \"{}\" ID \"{}\"",
            decl.sls, decl.id, req_val
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn low(id: &str, extra: serde_json::Value) -> Map {
        let mut v = serde_json::json!({"state": "test", "fun": "nop", "__id__": id, "name": id, "__sls__": "run"});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        match Value::from_json(&v) {
            Value::Map(m) => m,
            _ => Map::default(),
        }
    }

    #[test]
    fn direct_cycle_is_reported() {
        let lows = vec![
            low("cyc-a", serde_json::json!({"require": [{"test": "cyc-b"}]})),
            low("cyc-b", serde_json::json!({"require": [{"test": "cyc-a"}]})),
        ];
        assert_eq!(
            recursive_requisites(&lows),
            vec!["A recursive requisite was found, SLS \"run\" ID \"cyc-b\" ID \"cyc-a\""]
        );
    }

    #[test]
    fn folded_require_in_is_not_a_cycle() {
        let lows = vec![
            low("a", serde_json::json!({"require_in": [{"test": "b"}], "require": [{"test": "b"}]})),
            low("b", serde_json::json!({"require": [{"test": "a"}]})),
        ];
        assert!(recursive_requisites(&lows).is_empty());
        let plain = vec![low("a", serde_json::json!({})), low("b", serde_json::json!({"require": [{"test": "a"}]}))];
        assert!(recursive_requisites(&plain).is_empty());
    }
}
