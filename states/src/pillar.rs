//! Pillar compilation: the pillar top file, its SLS files and their includes,
//! merged into one tree for one minion.
//!
//! Follows Salt's `Pillar` with the default `smart` merging strategy: later
//! SLS files update earlier ones recursively (dicts merge, other values and
//! lists are replaced). Render errors are kept under `_errors`, as Salt does,
//! so a caller can refuse to run states on a broken pillar.
//!
//! It must not fetch anything itself: the file client and renderer are
//! handed in (pillar roots on the master, or local roots for `--local`).

use std::collections::HashSet;

use brine_common::matcher::MatchData;
use brine_common::{Map, Value};

use crate::highstate::{get_state, FileClient, HighState, SlsRenderer};

/// Salt's `dictupdate.update(dest, upd)` with recursive update: dicts merge, the rest replaces.
pub fn merge_recurse(dest: &mut Map, upd: &Map) {
    for (k, v) in upd {
        match (dest.get_mut(k), v) {
            (Some(Value::Map(d)), Value::Map(u)) => merge_recurse(d, u),
            _ => {
                dest.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Compile the pillar of the minion described by `opts` and `grains`.
pub fn compile(opts: &Map, grains: &Map, files: &dyn FileClient, renderer: &dyn SlsRenderer) -> Map {
    let mut hs = HighState::new(files, renderer, opts);
    let mut errors = Vec::new();
    let mut pillar = Map::default();
    let top = match hs.get_top() {
        Ok(t) => t,
        Err(e) => {
            errors.extend(e);
            Map::default()
        }
    };
    let id = opts.get("id").map(Value::py_str).unwrap_or_default();
    let nodegroups = opts.get("nodegroups").and_then(Value::as_map).cloned().unwrap_or_default();
    let empty = Map::default();
    let data = MatchData { id: &id, grains, pillar: &empty, nodegroups: &nodegroups };
    let matches = match hs.top_matches(&top, &data) {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    };
    let mut done = HashSet::new();
    let safe = opts.get("pillar_safe_render_error").is_none_or(Value::truthy);
    for (saltenv, slss) in &matches {
        for sls in slss {
            render_pillar_sls(safe, files, renderer, sls, saltenv, &mut done, &mut pillar, &mut errors);
        }
    }
    if !errors.is_empty() {
        pillar.insert("_errors".into(), Value::List(errors.into_iter().map(Value::Str).collect()));
    }
    pillar
}

/// The `_errors` line of an SLS that failed to render: with
/// `pillar_safe_render_error` (Salt's default) only its name, as Salt keeps
/// the details from the minion.
fn render_error(sls: &str, error: &str, safe: bool) -> String {
    let full = format!("Rendering SLS '{sls}' failed, render error:\n{error}");
    if !safe {
        return full;
    }
    format!("Rendering SLS '{sls}' failed. Please see master log for details.")
}

#[allow(clippy::too_many_arguments)]
fn render_pillar_sls(
    safe: bool,
    files: &dyn FileClient,
    renderer: &dyn SlsRenderer,
    sls: &str,
    saltenv: &str,
    done: &mut HashSet<String>,
    pillar: &mut Map,
    errors: &mut Vec<String>,
) {
    if !done.insert(format!("{saltenv}:{sls}")) {
        return;
    }
    let Some(file) = get_state(files, sls, saltenv) else {
        errors.push(format!("Specified SLS '{sls}' in environment '{saltenv}' is not available on the salt master"));
        return;
    };
    let mut data = match renderer.render(&file, saltenv, sls) {
        Ok(Value::Map(m)) => m,
        Ok(Value::Null) => Map::default(),
        Ok(_) => {
            errors.push(format!("SLS '{sls}' does not render to a dictionary"));
            return;
        }
        Err(e) => {
            errors.push(render_error(sls, &e.to_string(), safe));
            return;
        }
    };
    if let Some(Value::List(includes)) = data.shift_remove("include") {
        for inc in includes {
            let name = match &inc {
                Value::Map(m) => m.keys().next().cloned().unwrap_or_default(),
                other => other.py_str(),
            };
            render_pillar_sls(safe, files, renderer, &name, saltenv, done, pillar, errors);
        }
    }
    merge_recurse(pillar, &data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_recursive_for_dicts_only() {
        let mut a = match Value::from_json(&serde_json::json!({"x": {"a": 1, "l": [1]}, "y": 1})) {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        let b = match Value::from_json(&serde_json::json!({"x": {"b": 2, "l": [2]}, "y": {"z": 1}})) {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        merge_recurse(&mut a, &b);
        assert_eq!(Value::Map(a), Value::from_json(&serde_json::json!({"x": {"a": 1, "l": [2], "b": 2}, "y": {"z": 1}})));
    }

    #[test]
    fn render_errors_name_only_the_sls_unless_unsafe() {
        assert_eq!(render_error("bad", "boom", true), "Rendering SLS 'bad' failed. Please see master log for details.");
        assert_eq!(render_error("bad", "boom", false), "Rendering SLS 'bad' failed, render error:\nboom");
    }
}
