//! `mine.update` on a minion: run the configured `mine_functions` (Salt's
//! forms: `fun: [args]`, `alias: [{mine_function: fun}, args...]`, or a dict
//! with `mine_function` and kwargs) and hand the results to [`Sources`],
//! which sends them to the master.
//!
//! It must not talk to the network itself nor decide where the data goes.

use brine_common::{Map, Value};
use brine_states::saltfns::SaltFns;

use crate::args::CallArgs;
use crate::dispatch::Sources;

/// One parsed mine function definition.
#[derive(Debug, PartialEq)]
struct Definition {
    fun: String,
    args: Vec<Value>,
    kwargs: Map,
}

/// Salt's `parse_function_definition`, without the ACL keys.
fn parse(alias: &str, def: &Value) -> Definition {
    let (mut args, mut kwargs) = (Vec::new(), Map::default());
    match def {
        Value::Map(m) => kwargs.extend(m.clone()),
        Value::List(items) => {
            for item in items {
                match item {
                    Value::Map(m) => kwargs.extend(m.clone()),
                    other => args.push(other.clone()),
                }
            }
        }
        _ => {}
    }
    let fun = kwargs.shift_remove("mine_function").map(|v| v.py_str()).unwrap_or_else(|| alias.to_string());
    kwargs.shift_remove("allow_tgt");
    kwargs.shift_remove("allow_tgt_type");
    Definition { fun, args, kwargs }
}

/// The `mine_functions` to run: the call's own, else the options' merged with pillar's.
fn functions(opts: &Map, pillar: &Map, call: &CallArgs) -> Map {
    match call.kwargs.get("mine_functions") {
        Some(Value::Map(m)) => return m.clone(),
        Some(Value::List(l)) => return l.iter().map(|f| (f.py_str(), Value::Map(Map::default()))).collect(),
        _ => {}
    }
    let mut all = Map::default();
    for source in [opts, pillar] {
        if let Some(Value::Map(m)) = source.get("mine_functions") {
            all.extend(m.clone());
        }
    }
    all
}

/// `mine.update`: `None` when nothing is configured, else what the master answered (`True`).
pub fn update(opts: &Map, pillar: &Map, saltfns: &SaltFns, sources: &dyn Sources, call: &CallArgs) -> Result<Value, String> {
    let configured = functions(opts, pillar, call);
    if configured.is_empty() {
        return Ok(Value::Null);
    }
    let mut data = Map::default();
    for (alias, def) in &configured {
        let d = parse(alias, def);
        match saltfns.call(&d.fun, &d.args, &d.kwargs) {
            Ok(v) => {
                data.insert(alias.clone(), v);
            }
            Err(e) => log::error!("Function {} in mine.update failed to execute: {e}", d.fun),
        }
    }
    let clear = call.kwargs.get("clear").or_else(|| call.args.first()).is_some_and(Value::truthy);
    sources.mine_store(data, clear)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        brine_common::yaml::load(text).unwrap()
    }

    #[test]
    fn definitions_parse_as_salt() {
        let d = parse("network.ip_addrs", &yaml("[eth0]"));
        assert_eq!((d.fun.as_str(), d.args, d.kwargs.len()), ("network.ip_addrs", vec![Value::str("eth0")], 0));
        let d = parse("ips", &yaml("[{mine_function: network.ip_addrs}, {cidr: 10.0.0.0/8}]"));
        assert_eq!(d.fun, "network.ip_addrs");
        assert_eq!(d.kwargs.get("cidr"), Some(&Value::str("10.0.0.0/8")));
        let d = parse("id", &yaml("{mine_function: grains.get, key: id}"));
        assert_eq!((d.fun.as_str(), d.kwargs.get("key")), ("grains.get", Some(&Value::str("id"))));
    }
}
