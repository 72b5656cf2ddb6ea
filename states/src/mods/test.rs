//! The `test` state module: nop, succeed/fail with/without changes,
//! configurable_test_state, show_notification and mod_watch, with Salt's
//! comments and test-mode results.
//!
//! It must not touch the system.

use brine_common::{Map, Value};

use super::{StateCall, StateError, StateFunction, StateModule, StateRet};
use crate::runtime::gen_tag;

pub const MODULE: StateModule = StateModule {
    name: "test",
    functions: &[
        kw_fn("nop", nop),
        kw_fn("succeed_without_changes", succeed_without_changes),
        kw_fn("succeed_with_changes", succeed_with_changes),
        kw_fn("fail_without_changes", fail_without_changes),
        kw_fn("fail_with_changes", fail_with_changes),
        StateFunction {
            name: "configurable_test_state",
            required: &["name"],
            optional: &["changes", "result", "comment", "warnings", "allow_test_mode_failure"],
            kwargs: false,
            run: configurable_test_state,
        },
        kw_fn("show_notification", show_notification),
        kw_fn("mod_watch", mod_watch),
    ],
};

const fn kw_fn(name: &'static str, run: super::StateFn) -> StateFunction {
    StateFunction { name, required: &["name"], optional: &[], kwargs: true, run }
}

fn comment_or(call: &StateCall, default: &str) -> String {
    match call.args.get("comment") {
        Some(v) => v.py_str(),
        None => default.to_string(),
    }
}

fn pretend_changes() -> Map {
    let mut inner = Map::default();
    inner.insert("old".into(), Value::str("Unchanged"));
    inner.insert("new".into(), Value::str("Something pretended to change"));
    let mut m = Map::default();
    m.insert("testing".into(), Value::Map(inner));
    m
}

fn nop(call: &StateCall) -> Result<StateRet, StateError> {
    Ok(StateRet::new(call.arg("name").clone()).with_comment("Success!"))
}

fn succeed_without_changes(call: &StateCall) -> Result<StateRet, StateError> {
    Ok(StateRet::new(call.arg("name").clone()).with_comment(comment_or(call, "Success!")))
}

fn fail_without_changes(call: &StateCall) -> Result<StateRet, StateError> {
    let ret = StateRet::new(call.arg("name").clone()).error(comment_or(call, "Failure!"));
    if call.test {
        return Ok(ret.with_comment("If we weren't testing, this would be a failure!"));
    }
    Ok(ret)
}

fn succeed_with_changes(call: &StateCall) -> Result<StateRet, StateError> {
    let mut ret = StateRet::new(call.arg("name").clone()).with_comment(comment_or(call, "Success!"));
    ret.changes = pretend_changes();
    if call.test {
        ret = ret.with_result(None).with_comment("If we weren't testing, this would be successful with changes");
    }
    Ok(ret)
}

fn fail_with_changes(call: &StateCall) -> Result<StateRet, StateError> {
    let mut ret = StateRet::new(call.arg("name").clone()).error(comment_or(call, "Failure!"));
    ret.changes = pretend_changes();
    if call.test {
        ret = ret.with_result(None).with_comment("If we weren't testing, this would be failed with changes");
    }
    Ok(ret)
}

/// Typed arguments of `test.configurable_test_state`.
struct Configurable {
    changes: bool,
    result: bool,
    result_is_false: bool,
    comment: String,
    warnings: Option<Vec<Value>>,
    allow_test_mode_failure: bool,
    changes_is_false: bool,
}

fn random_bool() -> bool {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 2 == 0)
        .unwrap_or(true)
}

fn parse_configurable(call: &StateCall) -> Result<Configurable, StateError> {
    let changes_v = call.args.get("changes").cloned().unwrap_or(Value::Bool(true));
    let changes = match &changes_v {
        Value::Bool(b) => *b,
        v if v.py_str().to_lowercase() == "random" => random_bool(),
        _ => return Err(StateError::Invocation(
            "You have specified the state option 'changes' with invalid arguments. It must be either True, False, or 'Random'".into(),
        )),
    };
    let result_v = call.args.get("result").cloned().unwrap_or(Value::Bool(true));
    let result = match &result_v {
        Value::Bool(b) => *b,
        v if v.py_str().to_lowercase() == "random" => random_bool(),
        _ => return Err(StateError::Invocation(
            "You have specified the state option 'result' with invalid arguments. It must be either True, False, or 'Random'".into(),
        )),
    };
    let warnings = match call.args.get("warnings") {
        None | Some(Value::Null) => None,
        Some(Value::Str(s)) => Some(vec![Value::str(s)]),
        Some(Value::List(l)) => Some(l.clone()),
        Some(_) => return Err(StateError::Invocation(
            "You have specified the state option 'warnings' with invalid arguments. It must be a string or a list of strings".into(),
        )),
    };
    Ok(Configurable {
        changes,
        result,
        result_is_false: result_v == Value::Bool(false),
        comment: call.args.get("comment").map(Value::py_str).unwrap_or_default(),
        warnings,
        allow_test_mode_failure: call.args.get("allow_test_mode_failure").map(Value::truthy).unwrap_or(false),
        changes_is_false: changes_v == Value::Bool(false),
    })
}

fn configurable_test_state(call: &StateCall) -> Result<StateRet, StateError> {
    let c = parse_configurable(call)?;
    let mut ret = StateRet::new(call.arg("name").clone()).with_comment(c.comment.clone()).with_result(Some(c.result));
    if c.changes {
        ret.changes = pretend_changes();
    }
    if let Some(w) = c.warnings {
        ret.extra.insert("warnings".into(), Value::List(w));
    }
    if call.test {
        let test_result = if c.allow_test_mode_failure && c.result_is_false {
            Some(false)
        } else if c.changes_is_false {
            Some(true)
        } else {
            None
        };
        let comment = if c.comment.is_empty() { "This is a test".to_string() } else { c.comment };
        ret = ret.with_result(test_result).with_comment(comment);
    }
    Ok(ret)
}

fn show_notification(call: &StateCall) -> Result<StateRet, StateError> {
    let text = call.args.get("text").filter(|t| t.truthy()).map(Value::py_str);
    let text = text.ok_or_else(|| StateError::Invocation("Missing required argument text.".into()))?;
    Ok(StateRet::new(call.arg("name").clone()).with_comment(text))
}

fn watched_with_changes(call: &StateCall) -> Vec<Value> {
    let Some(watch) = call.reqs.and_then(|r| r.get("watch")) else { return Vec::new() };
    watch
        .iter()
        .filter(|req| {
            call.running.get(&gen_tag(req)).and_then(|r| r.get("changes")).map(Value::truthy).unwrap_or(false)
        })
        .map(|req| {
            let state = req.get("state").map(Value::py_str).unwrap_or_default();
            let id = req.get("__id__").map(Value::py_str).unwrap_or_default();
            Value::Str(format!("{state}: {id}"))
        })
        .collect()
}

fn mod_watch(call: &StateCall) -> Result<StateRet, StateError> {
    let result = match call.args.get("result") {
        None => Some(true),
        Some(Value::Null) => None,
        Some(v) => Some(v.truthy()),
    };
    let comment = comment_or(call, "Watch statement fired.");
    let changes = match call.args.get("changes") {
        Some(Value::Map(m)) => m.clone(),
        _ => {
            let mut m = Map::default();
            m.insert("Requisites with changes".into(), Value::List(watched_with_changes(call)));
            m
        }
    };
    Ok(StateRet { name: call.arg("name").clone(), changes, result, comment, extra: Map::default() })
}
