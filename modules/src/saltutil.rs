//! The `saltutil` execution module, as far as a minion without custom
//! Python modules needs it: `sync_all` (nothing to sync: Salt's empty
//! structure) and `running` (no jobs run in the background: an empty list).
//!
//! It must not pretend to have synced anything.

use brine_common::{Map, Value};

use crate::args::{opt, ArgDefault, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// The module kinds Salt's `sync_all` reports, in its order.
const KINDS: [&str; 20] = [
    "tops",
    "clouds",
    "beacons",
    "modules",
    "states",
    "sdb",
    "grains",
    "renderers",
    "returners",
    "output",
    "utils",
    "log_handlers",
    "executors",
    "proxymodules",
    "engines",
    "thorium",
    "serializers",
    "matchers",
    "pillar",
    "wrapper",
];

const N: ArgDefault = ArgDefault::None;

pub const MODULE: Module = Module {
    name: "saltutil",
    functions: &[
        Function {
            name: "sync_all",
            sig: Signature {
                params: &[
                    opt("saltenv", N),
                    opt("refresh", ArgDefault::Bool(true)),
                    opt("extmod_whitelist", N),
                    opt("extmod_blacklist", N),
                    opt("clean_pillar_cache", ArgDefault::Bool(false)),
                ],
                varargs: None,
                kwargs: false,
            },
            run: sync_all,
        },
        Function { name: "running", sig: Signature { params: &[], varargs: None, kwargs: false }, run: running },
    ],
};

fn sync_all(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let empty: Map = KINDS.iter().map(|k| (k.to_string(), Value::List(Vec::new()))).collect();
    Ok(Value::Map(empty))
}

fn running(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::List(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{call, SystemRunner};

    #[test]
    fn nothing_to_sync_nothing_running() {
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        let synced = call("saltutil.sync_all", &[], &m, &ctx).unwrap();
        assert_eq!(synced.as_map().map(|s| s.len()), Some(20));
        assert_eq!(synced.get("modules"), Some(&Value::List(Vec::new())));
        assert_eq!(call("saltutil.running", &[], &m, &ctx).unwrap(), Value::List(Vec::new()));
    }
}
