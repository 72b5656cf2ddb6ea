//! Requisite evaluation, ported from Salt's `check_requisite` and the
//! requisite search of `call_chunk`'s "unmet" branch: which chunks a
//! requisite names (by state and ID or name, `id:`, `sls:`, globs), and what
//! the results of those chunks mean for this one (met, fail, change, onfail,
//! onchanges, prereq ...).
//!
//! It only reads returns and marks chunks with Salt's `__prereq__` /
//! `__prerequired__` flags; it never runs a state.

use brine_common::{Map, Value};
use indexmap::IndexMap;

use super::engine::{Engine, Ident};
use super::fnmatch::Pattern;
use super::RunError;
use crate::mods::{has_mod_watch, Running};

/// Requisite type -> indices of the chunks it names (Salt's `reqs`).
pub(super) type ReqIndex = IndexMap<String, Vec<usize>>;

/// Missing requisites per type, for the "were not found" comment.
pub(super) type Lost = Vec<(String, Vec<(String, Value)>)>;

/// The outcome of `check_requisite`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Status {
    Met,
    Unmet,
    Fail,
    Pre,
    Change,
    OnFail,
    OnChanges,
}

const PRESENT_KEYS: [&str; 9] = [
    "require",
    "require_any",
    "prerequired",
    "prereq",
    "onfail",
    "onfail_any",
    "onfail_all",
    "onchanges",
    "onchanges_any",
];

const CHECK_KEYS: [&str; 10] = [
    "require",
    "require_any",
    "watch",
    "watch_any",
    "prereq",
    "onfail",
    "onfail_any",
    "onfail_all",
    "onchanges",
    "onchanges_any",
];

const SEARCH_KEYS: [&str; 9] =
    ["require", "require_any", "watch", "watch_any", "prereq", "onfail", "onfail_any", "onchanges", "onchanges_any"];

/// A requisite reference as `(key, value)`: bare strings are `id`, and a
/// dotted key (`file.managed`) is trimmed to its module (Salt's `trim_req`).
fn req_entry(req: &Value) -> Option<(String, Value)> {
    match req {
        Value::Str(s) => Some(("id".into(), Value::str(s))),
        Value::Map(m) => m.iter().next().map(|(k, v)| {
            let key = k.split_once('.').map(|(a, _)| a.to_string()).unwrap_or_else(|| k.clone());
            (key, v.clone())
        }),
        _ => None,
    }
}

/// The items of a requisite value (normally a list).
fn req_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.clone(),
        Value::Null => Vec::new(),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| {
                let mut one = Map::default();
                one.insert(k.clone(), v.clone());
                Value::Map(one)
            })
            .collect(),
        other => vec![other.clone()],
    }
}

fn sls_matches(chunk: &Map, ident: &Ident, raw: &str, pattern: &Pattern) -> bool {
    let included = match chunk.get("__sls_included_from__") {
        Some(Value::List(l)) => l.iter().any(|s| s.as_str() == Some(raw)),
        _ => false,
    };
    pattern.matches(&ident.sls) || included
}

fn name_or_id_matches(ident: &Ident, key: &str, pattern: &Pattern) -> bool {
    let named = pattern.matches(&ident.name) || pattern.matches(&ident.id);
    named && (key == "id" || ident.state == key)
}

impl Engine<'_> {
    fn disabled_requisites(&self) -> Vec<String> {
        match self.host.opts().get("disabled_requisites") {
            Some(Value::List(l)) => l.iter().map(Value::py_str).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(v) => vec![v.py_str()],
        }
    }

    /// Without a `mod_watch`, `watch` is plain `require` (Salt mutates the chunk).
    pub(super) fn watch_to_require(&mut self, low: usize) {
        if self.ident(low).is_none_or(|i| has_mod_watch(&i.state)) {
            return;
        }
        for (from, to) in [("watch", "require"), ("watch_any", "require_any")] {
            if !self.low(low).contains_key(from) {
                continue;
            }
            let Some(l) = self.low_mut(low) else { return };
            let Some(moved) = l.shift_remove(from) else { continue };
            match l.get_mut(to) {
                Some(Value::List(existing)) => existing.extend(req_items(&moved)),
                _ => {
                    l.insert(to.into(), moved);
                }
            }
        }
    }

    /// The chunks a requisite names; `Err` for a non-string value (Salt's
    /// SaltRenderError), `Ok(None)` when nothing matches.
    fn matching_chunks(&self, key: &str, val: &Value, chunks: &[usize]) -> Result<Vec<usize>, RunError> {
        let mut found = Vec::new();
        let compiled = val.as_str().map(Pattern::new);
        for &c in chunks {
            let (chunk, Some(ident)) = (self.low(c), self.ident(c)) else { continue };
            if key == "sls" {
                if let (Some(raw), Some(p)) = (val.as_str(), &compiled) {
                    if sls_matches(chunk, ident, raw, p) {
                        found.push(c);
                    }
                }
                continue;
            }
            let Some(pattern) = &compiled else {
                return Err(RunError::Render(format!(
                    "Could not locate requisite of [{key}] present in state with name [{}]",
                    ident.name
                )));
            };
            if name_or_id_matches(ident, key, pattern) {
                found.push(c);
            }
        }
        Ok(found)
    }

    /// Salt's `check_requisite(low, running, chunks, pre)`.
    pub(super) fn check_requisite(
        &mut self,
        low: usize,
        running: &Running,
        chunks: &[usize],
        pre: bool,
    ) -> Result<(Status, ReqIndex), RunError> {
        self.watch_to_require(low);
        let data = self.low_rc(low);
        let state = super::field(&data, "state");
        let present = PRESENT_KEYS.iter().any(|k| data.contains_key(*k))
            || (has_mod_watch(&state) && (data.contains_key("watch") || data.contains_key("watch_any")));
        if !present {
            return Ok((Status::Met, ReqIndex::new()));
        }
        let mut keys: Vec<&str> = CHECK_KEYS.to_vec();
        if pre {
            keys.push("prerequired");
        }
        let disabled = self.disabled_requisites();
        let mut reqs = ReqIndex::new();
        for r_state in keys {
            reqs.insert(r_state.to_string(), Vec::new());
            let Some(value) = data.get(r_state).filter(|v| !v.is_null()) else { continue };
            if disabled.iter().any(|d| d == r_state) {
                continue;
            }
            for req in req_items(value) {
                let Some((key, val)) = req_entry(&req) else { continue };
                if val.is_null() {
                    continue;
                }
                let found = self.matching_chunks(&key, &val, chunks)?;
                if found.is_empty() {
                    return Ok((Status::Unmet, ReqIndex::new()));
                }
                reqs.entry(r_state.to_string()).or_default().extend(found);
            }
        }
        Ok((self.status_of(&reqs, running), reqs))
    }

    fn status_of(&self, reqs: &ReqIndex, running: &Running) -> Status {
        let mut fun_stats: Vec<&'static str> = Vec::new();
        for (r_state, idxs) in reqs {
            let is_prereq = r_state.starts_with("prereq") && !r_state.starts_with("prerequired");
            let run_dict = if is_prereq { &self.pre } else { running };
            let mut stats: Vec<&'static str> = Vec::new();
            for &c in idxs {
                let found = match run_dict.get(self.tag_ref(c)) {
                    None => vec!["unmet"],
                    Some(ret) => req_stats(r_state, ret),
                };
                for s in found {
                    if !stats.contains(&s) {
                        stats.push(s);
                    }
                }
            }
            reduce_any(r_state, &mut stats);
            for s in stats {
                if !fun_stats.contains(&s) {
                    fun_stats.push(s);
                }
            }
        }
        final_status(&fun_stats)
    }

    /// The requisite search of Salt's "unmet" branch: the chunks to run first
    /// and the requisites that match nothing. Marks prereq targets.
    pub(super) fn find_requisites(&mut self, low: usize, chunks: &[usize], is_prereq: bool) -> (Vec<usize>, Lost) {
        let mut keys: Vec<&str> = SEARCH_KEYS.to_vec();
        if !is_prereq {
            keys.push("prerequired");
        }
        let data = self.low_rc(low);
        let mut found_all = Vec::new();
        let mut lost: Lost = Vec::new();
        for requisite in keys {
            let Some(value) = data.get(requisite) else { continue };
            let mut missing = Vec::new();
            for req in req_items(value) {
                let Some((key, val)) = req_entry(&req) else { continue };
                let found = self.search_one(requisite, &key, &val, chunks);
                if found.is_empty() {
                    missing.push((key, val));
                }
                found_all.extend(found);
            }
            if !missing.is_empty() {
                lost.push((requisite.to_string(), missing));
            }
        }
        (found_all, lost)
    }

    fn search_one(&mut self, requisite: &str, key: &str, val: &Value, chunks: &[usize]) -> Vec<usize> {
        let Some(raw) = val.as_str() else { return Vec::new() };
        let pattern = Pattern::new(raw);
        let mut found = Vec::new();
        for &c in chunks {
            let (chunk, Some(ident)) = (self.low(c), self.ident(c)) else { continue };
            let hit = if key == "sls" {
                sls_matches(chunk, ident, raw, &pattern)
            } else {
                name_or_id_matches(ident, key, &pattern)
            };
            if !hit {
                continue;
            }
            let mark = match requisite {
                "prereq" => Some("__prereq__"),
                "prerequired" if key != "sls" => Some("__prerequired__"),
                _ => None,
            };
            if let Some(flag) = mark {
                if let Some(l) = self.low_mut(c) {
                    l.insert(flag.into(), Value::Bool(true));
                }
            }
            found.push(c);
        }
        found
    }
}

/// What one required state's return means for requisite type `r_state`
/// (Salt can add two stats for one prereq: `premet` and `met`).
fn req_stats(r_state: &str, ret: &Map) -> Vec<&'static str> {
    let result = ret.get("result");
    let changed = ret.get("changes").map(Value::truthy).unwrap_or(false);
    if r_state.starts_with("onfail") {
        if result == Some(&Value::Bool(true)) {
            return vec!["onfail"];
        }
    } else if r_state.starts_with("onchanges") {
        let failed = result == Some(&Value::Bool(false));
        return vec![if failed || !changed { "onchanges" } else { "onchangesmet" }];
    } else if result == Some(&Value::Bool(false)) {
        return vec!["fail"];
    }
    if r_state.starts_with("watch") && changed {
        return vec!["change"];
    }
    let prereq = r_state.starts_with("prereq");
    let prerequired = r_state.starts_with("prerequired");
    let result_none = matches!(result, None | Some(Value::Null));
    let mut out = Vec::new();
    if prereq && result_none && !prerequired {
        out.push("premet");
    }
    if prereq && !result_none {
        if !prerequired {
            out.push("pre");
        }
    } else if ret.get("__state_ran__").map(Value::truthy).unwrap_or(true) {
        out.push("met");
    }
    out
}

fn remove(stats: &mut Vec<&'static str>, s: &str) {
    stats.retain(|x| *x != s);
}

/// The `_any` / `onfail` / `_all` reductions of Salt's `check_requisite`.
fn reduce_any(r_state: &str, stats: &mut Vec<&'static str>) {
    if r_state.ends_with("_any") || r_state == "onfail" {
        if stats.contains(&"met") || stats.contains(&"change") {
            remove(stats, "fail");
        }
        if stats.contains(&"onchangesmet") {
            remove(stats, "onchanges");
            remove(stats, "fail");
        }
        if stats.contains(&"onfail") && stats.contains(&"met") {
            remove(stats, "onfail");
        }
    }
    if r_state.ends_with("_all") && stats.contains(&"onfail") {
        remove(stats, "met");
    }
}

fn final_status(fun_stats: &[&str]) -> Status {
    let has = |s: &str| fun_stats.contains(&s);
    if has("unmet") {
        Status::Unmet
    } else if has("fail") {
        Status::Fail
    } else if has("pre") {
        if has("premet") {
            Status::Met
        } else {
            Status::Pre
        }
    } else if has("onfail") && !has("onchangesmet") {
        Status::OnFail
    } else if has("onchanges") && !has("onchangesmet") {
        Status::OnChanges
    } else if has("change") {
        Status::Change
    } else {
        Status::Met
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(result: Value, changed: bool) -> Map {
        let mut m = Map::default();
        m.insert("result".into(), result);
        let mut ch = Map::default();
        if changed {
            ch.insert("x".into(), Value::Int(1));
        }
        m.insert("changes".into(), Value::Map(ch));
        m
    }

    #[test]
    fn stats_follow_salt() {
        assert_eq!(req_stats("require", &ret(Value::Bool(false), false)), vec!["fail"]);
        assert_eq!(req_stats("require", &ret(Value::Bool(true), false)), vec!["met"]);
        assert_eq!(req_stats("watch", &ret(Value::Bool(true), true)), vec!["change"]);
        assert_eq!(req_stats("onchanges", &ret(Value::Bool(true), false)), vec!["onchanges"]);
        assert_eq!(req_stats("onchanges", &ret(Value::Bool(true), true)), vec!["onchangesmet"]);
        assert_eq!(req_stats("onfail", &ret(Value::Bool(true), false)), vec!["onfail"]);
        assert_eq!(req_stats("onfail", &ret(Value::Bool(false), false)), vec!["met"]);
        assert_eq!(req_stats("prereq", &ret(Value::Null, false)), vec!["premet", "met"]);
        assert_eq!(req_stats("prereq", &ret(Value::Bool(true), false)), vec!["pre"]);
        assert!(req_stats("prerequired", &ret(Value::Bool(true), false)).is_empty());
    }

    #[test]
    fn reductions_and_final_status() {
        let mut s = vec!["fail", "met"];
        reduce_any("require_any", &mut s);
        assert_eq!(s, vec!["met"]);
        assert_eq!(final_status(&["onfail"]), Status::OnFail);
        assert_eq!(final_status(&["onchanges", "onchangesmet"]), Status::Met);
        assert_eq!(final_status(&["change", "met"]), Status::Change);
        assert_eq!(final_status(&["pre", "premet"]), Status::Met);
        assert_eq!(final_status(&[]), Status::Met);
    }

    #[test]
    fn entries_are_normalised() {
        assert_eq!(req_entry(&Value::str("a")), Some(("id".into(), Value::str("a"))));
        let mut m = Map::default();
        m.insert("file.managed".into(), Value::str("x"));
        assert_eq!(req_entry(&Value::Map(m)), Some(("file".into(), Value::str("x"))));
    }
}
