//! Which accepted minions a target names, by the master's cache of their
//! grains and pillar (Salt's `CkMinions`).
//!
//! Nodegroups live only in the master's configuration, so a target that uses
//! them is published as the list of minions it resolves to; every other
//! target goes out as given and each minion checks it again itself.
//! It must not publish anything.

use brine_common::matcher::{self, MatchData};
use brine_common::wire::PublishRequest;
use brine_common::{Map, Value};

use crate::context::Master;
use crate::pki::ACC;

/// The minions expected to return, and the target to publish.
pub struct Resolved {
    pub minions: Vec<String>,
    /// Ids a list target names that have no accepted key (Salt's `missing`).
    pub missing: Vec<String>,
    pub tgt: Value,
    pub tgt_type: String,
}

/// Resolve a publication's target against the accepted minions.
pub fn resolve(master: &Master, req: &PublishRequest) -> Result<Resolved, String> {
    let minions = matching(master, &req.tgt, &req.tgt_type, &req.delimiter)?;
    let missing = listed_without_key(req, &minions);
    let uses_nodegroups = req.tgt_type == "nodegroup" || (req.tgt_type == "compound" && req.tgt.py_str().contains("N@"));
    if uses_nodegroups {
        let list = Value::List(minions.iter().cloned().map(Value::Str).collect());
        return Ok(Resolved { minions, missing, tgt: list, tgt_type: "list".into() });
    }
    Ok(Resolved { minions, missing, tgt: req.tgt.clone(), tgt_type: req.tgt_type.clone() })
}

fn list_items(tgt: &Value) -> Vec<String> {
    match tgt {
        Value::List(l) => l.iter().map(Value::py_str).collect(),
        other => other.py_str().split(',').map(|s| s.trim().to_string()).collect(),
    }
}

fn listed_without_key(req: &PublishRequest, matched: &[String]) -> Vec<String> {
    if req.tgt_type != "list" {
        return Vec::new();
    }
    let mut missing: Vec<String> = list_items(&req.tgt).into_iter().filter(|id| !id.is_empty() && !matched.contains(id)).collect();
    missing.dedup();
    missing
}

/// The accepted minions a target names, by the cache of their grains and pillar.
pub fn matching(master: &Master, tgt: &Value, tgt_type: &str, delimiter: &str) -> Result<Vec<String>, String> {
    let nodegroups = master.opts.get("nodegroups").and_then(Value::as_map).cloned().unwrap_or_default();
    let tgt = match tgt_type {
        "list" => Value::List(list_items(tgt).into_iter().map(Value::Str).collect()),
        _ => tgt.clone(),
    };
    let mut minions = Vec::new();
    for id in master.pki.list(ACC) {
        if matches_minion(master, &id, &tgt, tgt_type, delimiter, &nodegroups)? {
            minions.push(id);
        }
    }
    Ok(minions)
}

fn matches_minion(master: &Master, id: &str, tgt: &Value, tgt_type: &str, delimiter: &str, nodegroups: &Map) -> Result<bool, String> {
    let empty = Map::default();
    master.data.with(id, |data| {
        let (grains, pillar) = data.map_or((&empty, &empty), |d| (&d.grains, &d.pillar));
        let md = MatchData { id, grains, pillar, nodegroups };
        matcher::matches(tgt, tgt_type, &md, delimiter).map_err(|e| e.to_string())
    })
}
