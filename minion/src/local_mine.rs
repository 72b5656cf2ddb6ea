//! The mine of a masterless minion (`salt-call --local`), as Salt keeps it:
//! `mine.update` stores this minion's own data in its cache dir, and
//! `mine.get` answers with that data when this minion matches the target,
//! else with an empty mapping. Peers' data needs a master.
//!
//! It must not run mine functions (`crate::mine` does) nor reach a master.

use std::path::{Path, PathBuf};

use brine_common::matcher::{self, MatchData};
use brine_common::{Map, Value};

/// The file holding this minion's mine data under its cache dir.
fn cache_file(opts: &Map) -> PathBuf {
    crate::setup::path_opt(opts, "cachedir", "/var/cache/salt/minion").join("mine_cache.json")
}

fn read(path: &Path) -> Map {
    let Ok(text) = std::fs::read_to_string(path) else { return Map::default() };
    serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|j| Value::from_json(&j).as_map().cloned()).unwrap_or_default()
}

/// `mine.update` without a master: merge (or with `clear`, replace) the stored data.
pub fn store(opts: &Map, data: Map, clear: bool) -> Result<Value, String> {
    let path = cache_file(opts);
    let mut all = if clear { Map::default() } else { read(&path) };
    all.extend(data);
    let text = serde_json::to_vec(&Value::Map(all)).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Value::Bool(true))
}

/// `mine.get(tgt, fun, tgt_type='glob')` without a master.
pub fn get(opts: &Map, grains: &Map, pillar: &Map, args: &[Value], kwargs: &Map) -> Result<Value, String> {
    let arg = |i: usize, key: &str| kwargs.get(key).or_else(|| args.get(i)).cloned();
    let tgt = arg(0, "tgt").ok_or("mine.get needs a target")?;
    let fun = arg(1, "fun").ok_or("mine.get needs a function")?;
    let tgt_type = arg(2, "tgt_type").map(|t| t.py_str()).unwrap_or_else(|| "glob".into());
    let id = opts.get("id").map(Value::py_str).unwrap_or_default();
    let empty = Map::default();
    let nodegroups = opts.get("nodegroups").and_then(Value::as_map).unwrap_or(&empty);
    let data = MatchData { id: &id, grains, pillar, nodegroups };
    if !matcher::matches(&tgt, &tgt_type, &data, ":").map_err(|e| e.to_string())? {
        return Ok(Value::Map(Map::default()));
    }
    let cache = read(&cache_file(opts));
    let functions: Vec<String> = match &fun {
        Value::List(l) => l.iter().map(Value::py_str).collect(),
        f => f.py_str().split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
    };
    let by_function = functions.len() > 1 || matches!(fun, Value::List(_));
    let mut ret = Map::default();
    for f in &functions {
        let Some(v) = cache.get(f) else { continue };
        if by_function {
            ret.insert(f.clone(), Value::Map([(id.clone(), v.clone())].into_iter().collect()));
        } else {
            ret.insert(id.clone(), v.clone());
        }
    }
    Ok(Value::Map(ret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(dir: &Path) -> Map {
        let mut o = Map::default();
        o.insert("id".into(), Value::str("node1"));
        o.insert("cachedir".into(), Value::Str(dir.display().to_string()));
        o
    }

    #[test]
    fn stored_data_comes_back_only_when_the_target_matches() {
        let dir = std::env::temp_dir().join(format!("brine-local-mine-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let o = opts(&dir);
        let empty = Map::default();
        let get = |tgt: &str, fun: &str| get(&o, &empty, &empty, &[Value::str(tgt), Value::str(fun)], &empty).unwrap();
        assert_eq!(get("*", "addr"), Value::Map(Map::default()), "nothing stored yet");
        let data: Map = [("addr".to_string(), Value::List(vec![Value::str("10.0.0.1")]))].into_iter().collect();
        assert_eq!(store(&o, data, false), Ok(Value::Bool(true)));
        assert_eq!(get("node*", "addr").py_str(), "{'node1': ['10.0.0.1']}");
        assert_eq!(get("other", "addr"), Value::Map(Map::default()));
        assert_eq!(get("*", "addr,none").py_str(), "{'addr': {'node1': ['10.0.0.1']}}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
