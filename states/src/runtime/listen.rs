//! `listen` / `listen_in`, as Salt's `call_listen`: after all chunks ran,
//! each listening state whose listened-to state changed gets its `mod_watch`
//! run once more, returned as `<state>_|-listener_<id>_|-<name>_|-mod_watch`;
//! references to missing states give `Listen_Error` returns.
//!
//! It must not change the returns of the main run, only add to them.

use std::rc::Rc;

use brine_common::{Map, Value};

use super::engine::Engine;
use super::{gen_tag, RunError};
use crate::mods::Running;

/// `(state, __id__, name)` of a chunk (Salt's `crefs` key).
type Cref = (String, String, String);

fn text(low: &Map, key: &str) -> String {
    low.get(key).map(Value::py_str).unwrap_or_default()
}

fn cref_of(low: &Map) -> Cref {
    (text(low, "state"), text(low, "__id__"), text(low, "name"))
}

/// Salt's `lval in cref`: the value equals any part of the tuple.
fn cref_has(cref: &Cref, value: &str) -> bool {
    cref.0 == value || cref.1 == value || cref.2 == value
}

/// A listener: the listening key `(state, id_or_name, kind)` and what it listens to.
struct Listener {
    key: (String, String),
    targets: Vec<Value>,
}

fn single(state: &str, id: &str) -> Value {
    let mut m = Map::default();
    m.insert(state.to_string(), Value::str(id));
    Value::Map(m)
}

fn listeners(lows: &[Rc<Map>]) -> Vec<Listener> {
    let mut out = Vec::new();
    for low in lows {
        if !low.contains_key("listen") && !low.contains_key("listen_in") {
            continue;
        }
        let (state, id) = (text(low, "state"), text(low, "__id__"));
        if let Some(Value::List(l)) = low.get("listen") {
            out.push(Listener { key: (state.clone(), id.clone()), targets: l.clone() });
        }
        if let Some(Value::List(l)) = low.get("listen_in") {
            for item in l {
                let Value::Map(m) = item else { continue };
                for (k, v) in m {
                    out.push(Listener { key: (k.clone(), v.py_str()), targets: vec![single(&state, &id)] });
                }
            }
        }
    }
    out
}

/// A bare-string listen target resolved to `{state: id}` (last match wins).
fn resolve_bare(lows: &[Rc<Map>], target: &str) -> Option<Value> {
    lows.iter()
        .rev()
        .find(|c| text(c, "__id__") == target || text(c, "name") == target)
        .map(|c| single(&text(c, "state"), &text(c, "__id__")))
}

fn listen_error(state: &str, id: &str) -> (String, Map) {
    let tag = format!("Listen_Error_|-listen_{id}_|-listen_{state}_|-Listen_Error");
    let mut ret = Map::default();
    ret.insert("comment".into(), Value::Str(format!("Referenced state {state}: {id} does not exist")));
    ret.insert("name".into(), Value::Str(format!("listen_{state}:{id}")));
    ret.insert("result".into(), Value::Bool(false));
    ret.insert("changes".into(), Value::Map(Map::default()));
    (tag, ret)
}

impl Engine<'_> {
    /// Salt's `call_listen(chunks, running)`.
    pub(super) fn call_listen(&mut self, chunks: &[usize], mut running: Running) -> Result<Running, RunError> {
        let lows: Vec<Rc<Map>> = chunks.iter().map(|&c| self.low_rc(c)).collect();
        let listeners = listeners(&lows);
        if listeners.is_empty() {
            return Ok(running);
        }
        let crefs: Vec<(Cref, &Map)> = lows.iter().map(|l| (cref_of(l), &**l)).collect();
        let mut watchers: Vec<Map> = Vec::new();
        let mut errors = Running::default();
        for listener in listeners {
            for target in &listener.targets {
                let target = match target {
                    Value::Map(_) => target.clone(),
                    other => match resolve_bare(&lows, &other.py_str()) {
                        Some(t) => t,
                        None => continue,
                    },
                };
                let Value::Map(tm) = target else { continue };
                for (lkey, lval) in &tm {
                    let lval = lval.py_str();
                    let matched: Vec<&Map> =
                        crefs.iter().filter(|(c, _)| c.0 == *lkey && cref_has(c, &lval)).map(|(_, l)| *l).collect();
                    if matched.is_empty() {
                        let (tag, ret) = listen_error(lkey, &lval);
                        errors.insert(tag, ret);
                        continue;
                    }
                    self.collect_watchers(&listener, &matched, &crefs, &running, &mut watchers, &mut errors);
                }
            }
        }
        let idxs: Vec<usize> = watchers.into_iter().map(|w| self.push_low(w, None)).collect();
        let run = self.call_chunks(&idxs)?;
        running.extend(run.rets);
        for (tag, mut ret) in errors {
            ret.insert("__run_num__".into(), Value::Int(self.next_run_num()));
            running.insert(tag, ret);
        }
        Ok(running)
    }

    fn collect_watchers(
        &self,
        listener: &Listener,
        matched: &[&Map],
        crefs: &[(Cref, &Map)],
        running: &Running,
        watchers: &mut Vec<Map>,
        errors: &mut Running,
    ) {
        let (lstate, lid) = &listener.key;
        for to in matched {
            let changed = running.get(&gen_tag(to)).and_then(|r| r.get("changes")).map(Value::truthy).unwrap_or(false);
            if !changed {
                continue;
            }
            let listening: Vec<&Map> =
                crefs.iter().filter(|(c, _)| c.0 == *lstate && cref_has(c, lid)).map(|(_, l)| *l).collect();
            if listening.is_empty() {
                let (tag, ret) = listen_error(lstate, lid);
                errors.insert(tag, ret);
                continue;
            }
            for chunk in listening {
                watchers.push(listener_low(chunk));
            }
        }
    }
}

/// The `mod_watch` copy of a listening chunk, without its requisites.
fn listener_low(chunk: &Map) -> Map {
    let mut low = chunk.clone();
    let fun = low.get("fun").cloned().unwrap_or(Value::Null);
    low.insert("sfun".into(), fun);
    low.insert("fun".into(), Value::str("mod_watch"));
    low.insert("__id__".into(), Value::Str(format!("listener_{}", text(chunk, "__id__"))));
    for req in crate::compiler::REQUISITE_KEYWORDS {
        low.shift_remove(*req);
    }
    low
}
