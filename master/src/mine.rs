//! The master's side of Salt's mine: stores what each minion's `mine.update`
//! sends (in the minion data cache), forgets what `mine.delete` names, and answers `mine.get` with the data of
//! the minions a target names, shaped as Salt's `_mine_get`.
//!
//! It must not run mine functions (minions do) nor decide who may ask: the
//! session checks the minion is accepted.

use brine_common::wire::Reply;
use brine_common::{Map, Value};

use crate::context::Master;
use crate::targets;

/// Store minion `id`'s mine data; `clear` replaces all of it. Salt answers `True`.
pub fn update(master: &Master, id: &str, data: Map, clear: bool) -> Reply {
    master.data.update(id, |d| {
        if clear {
            d.mine = data;
        } else {
            d.mine.extend(data);
        }
    });
    Reply::Data { data: Value::Bool(true) }
}

/// Forget minion `id`'s data of function `fun`. Salt answers `True`.
pub fn delete(master: &Master, id: &str, fun: &str) -> Reply {
    master.data.update(id, |d| {
        d.mine.shift_remove(fun);
    });
    Reply::Data { data: Value::Bool(true) }
}

/// `{minion: data}` for one function; `{function: {minion: data}}` for a comma-separated list.
pub fn get(master: &Master, tgt: &Value, tgt_type: &str, fun: &str) -> Reply {
    let minions = match targets::matching(master, tgt, tgt_type, ":") {
        Ok(m) => m,
        Err(e) => return Reply::Error { message: e },
    };
    let mut functions: Vec<&str> = Vec::new();
    for f in fun.split(',').filter(|f| !f.is_empty()) {
        if !functions.contains(&f) {
            functions.push(f);
        }
    }
    let by_function = functions.len() > 1;
    let mut ret = Map::default();
    for id in minions {
        let mine = master.data.get(&id).map(|d| d.mine).unwrap_or_default();
        for f in &functions {
            let Some(v) = mine.get(*f) else { continue };
            if by_function {
                insert_nested(&mut ret, f, &id, v.clone());
            } else {
                ret.insert(id.clone(), v.clone());
            }
        }
    }
    Reply::Data { data: Value::Map(ret) }
}

fn insert_nested(ret: &mut Map, outer: &str, inner: &str, v: Value) {
    let slot = ret.entry(outer.to_string()).or_insert_with(|| Value::Map(Map::default()));
    if let Value::Map(m) = slot {
        m.insert(inner.to_string(), v);
    }
}
