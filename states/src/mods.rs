//! State modules: one per file under `mods/`, all registered in the single
//! [`STATE_MODULES`] table, plus the types every state function shares
//! ([`StateCall`] in, [`StateRet`] out).
//!
//! Every state function has the same shape: parse its arguments into a typed
//! struct, inspect the system, plan the changes, and apply the plan only when
//! not in test mode. State modules reach the system through `brine-modules`
//! (execution modules and backends), never the other way round; they must not
//! know about requisites or ordering (that is the runtime's job).

pub mod cmd;
pub mod file;
pub mod group;
pub mod lvm;
pub mod module;
pub mod parse;
pub mod pcs;
pub mod pip;
pub mod pkg;
pub mod service;
pub mod test;
#[cfg(test)]
pub(crate) mod testkit;
pub mod user;

use brine_common::{Map, Value};
use brine_modules::Ctx;
use indexmap::IndexMap;

use crate::runtime::Host;

/// What a state function returns: Salt's `{name, changes, result, comment}`
/// plus optional extra keys (`warnings`, `skip_watch`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct StateRet {
    pub name: Value,
    pub changes: Map,
    /// `Some(true)` success, `Some(false)` failure, `None` "would change" (test mode).
    pub result: Option<bool>,
    pub comment: String,
    pub extra: Map,
}

impl StateRet {
    /// A successful return with no changes and an empty comment.
    pub fn new(name: impl Into<Value>) -> Self {
        StateRet {
            name: name.into(),
            changes: Map::default(),
            result: Some(true),
            comment: String::new(),
            extra: Map::default(),
        }
    }

    /// Salt's `_error(ret, msg)`: result False with `msg` as the comment.
    pub fn error(mut self, msg: impl Into<String>) -> Self {
        self.result = Some(false);
        self.comment = msg.into();
        self
    }

    pub fn with_comment(mut self, msg: impl Into<String>) -> Self {
        self.comment = msg.into();
        self
    }

    pub fn with_result(mut self, result: Option<bool>) -> Self {
        self.result = result;
        self
    }

    /// Adds a warning (Salt's `ret.setdefault("warnings", []).append(...)`).
    pub fn warn(&mut self, msg: impl Into<String>) {
        let entry = self.extra.entry("warnings".to_string()).or_insert_with(|| Value::List(Vec::new()));
        if let Value::List(l) = entry {
            l.push(Value::Str(msg.into()));
        }
    }

    /// The return as Salt's dict.
    pub fn into_map(self) -> Map {
        // Room for the runtime's stamps too (__sls__, __run_num__, start_time, duration, __id__).
        let mut m = brine_common::value::map_with_capacity(9 + self.extra.len());
        m.insert("name".into(), self.name);
        m.insert("changes".into(), Value::Map(self.changes));
        m.insert("result".into(), self.result.map(Value::Bool).unwrap_or(Value::Null));
        m.insert("comment".into(), Value::Str(self.comment));
        m.extend(self.extra);
        m
    }
}

/// An exception raised inside a state function; the runtime turns it into
/// Salt's "An exception occurred in this state: ..." return.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    /// Salt's `SaltInvocationError` (bad arguments).
    #[error("{0}")]
    Invocation(String),
    /// Salt's `CommandExecutionError` (the system refused).
    #[error("{0}")]
    Execution(String),
}

impl StateError {
    /// The Python exception class Salt would show.
    pub fn class_name(&self) -> &'static str {
        match self {
            StateError::Invocation(_) => "salt.exceptions.SaltInvocationError",
            StateError::Execution(_) => "salt.exceptions.CommandExecutionError",
        }
    }
}

impl From<brine_modules::ModuleError> for StateError {
    fn from(e: brine_modules::ModuleError) -> Self {
        match e {
            brine_modules::ModuleError::Invocation(m) => StateError::Invocation(m),
            other => StateError::Execution(other.to_string()),
        }
    }
}

/// The requisite chunks that triggered a `mod_watch` (Salt's `__reqs__`),
/// keyed by requisite type, with the low data of each required state.
pub type WatchReqs = IndexMap<String, Vec<Map>>;

/// The returns of a run by state tag (Salt's `running`), in run order;
/// hashed as [`Map`] is, since every state looks up several tags.
pub type Running = IndexMap<String, Map, brine_common::value::MapHasher>;

/// Everything a state function may see: its arguments, the low chunk, test
/// mode, the saltenv, the host (files, templates, opts), the execution
/// module context and the returns so far.
pub struct StateCall<'a> {
    /// Arguments as Salt's `format_call` passes them (includes `name`).
    pub args: &'a Map,
    /// The whole low chunk (Salt's `__low__`).
    pub low: &'a Map,
    pub test: bool,
    /// Salt's `__env__`.
    pub saltenv: &'a str,
    pub host: &'a dyn Host,
    pub ctx: &'a Ctx<'a>,
    /// Returns of the states run so far (Salt's `__running__`).
    pub running: &'a Running,
    /// All low chunks of the run (Salt's `__lowstate__`).
    pub lowstate: &'a [std::rc::Rc<Map>],
    /// Set for `mod_watch` calls.
    pub reqs: Option<&'a WatchReqs>,
    /// Targets inspected ahead of the call (`file.managed` only), when the
    /// runtime reads ahead and nothing since could have changed them.
    pub readings: Option<&'a crate::runtime::Lookahead>,
}

impl StateCall<'_> {
    /// An argument (Null when absent).
    pub fn arg(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.args.get(key).unwrap_or(&NULL)
    }

    /// The state's `name` argument as text.
    pub fn name(&self) -> String {
        self.arg("name").py_str()
    }
}

/// A state function body.
pub type StateFn = fn(&StateCall) -> Result<StateRet, StateError>;

/// One state function and its Python signature (needed for Salt's
/// "Missing parameter" and "invalid keyword argument" checks).
pub struct StateFunction {
    pub name: &'static str,
    /// Parameters without defaults (`name` included).
    pub required: &'static [&'static str],
    /// Parameters with defaults. With `kwargs` false: all of them (others
    /// are invalid); with `kwargs` true it is enough to list those named like
    /// runtime keywords (`require`, `runas`, `check_cmd`), which Salt passes.
    pub optional: &'static [&'static str],
    /// Whether the Python function takes `**kwargs`.
    pub kwargs: bool,
    pub run: StateFn,
}

/// One state module (`file`, `cmd`, ...).
pub struct StateModule {
    pub name: &'static str,
    pub functions: &'static [StateFunction],
}

/// Every state module brine has. Add new ones (pkg, service) here only.
pub const STATE_MODULES: &[StateModule] = &[
    test::MODULE,
    file::MODULE,
    cmd::MODULE,
    module::MODULE,
    pkg::MODULE,
    service::MODULE,
    pip::MODULE,
    user::MODULE,
    group::MODULE,
    pcs::MODULE,
    lvm::MODULE,
];

/// The state function `state.fun`, if registered.
pub fn lookup(state: &str, fun: &str) -> Option<&'static StateFunction> {
    STATE_MODULES.iter().find(|m| m.name == state)?.functions.iter().find(|f| f.name == fun)
}

/// Whether the state module has a `mod_watch` (else `watch` acts as `require`).
pub fn has_mod_watch(state: &str) -> bool {
    lookup(state, "mod_watch").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_lookups() {
        assert!(lookup("test", "nop").is_some());
        assert!(lookup("file", "managed").is_some());
        assert!(lookup("test", "nopp").is_none());
        assert!(has_mod_watch("cmd"));
        assert!(has_mod_watch("test"));
        assert!(!has_mod_watch("file"));
    }

    #[test]
    fn ret_into_map_has_salt_keys() {
        let mut r = StateRet::new("x").error("boom");
        r.warn("careful");
        let m = r.into_map();
        assert_eq!(m.get("result"), Some(&Value::Bool(false)));
        assert_eq!(m.get("comment"), Some(&Value::str("boom")));
        assert_eq!(m.get("warnings"), Some(&Value::List(vec![Value::str("careful")])));
    }
}
