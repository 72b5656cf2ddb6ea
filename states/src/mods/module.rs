//! The `module` state module: `module.run` in both syntaxes (legacy
//! `- name: mod.fun` with `m_name`-style arguments, and the new
//! `- mod.fun: [args]` form), `module.wait`/`watch` and `mod_watch`, with
//! Salt's argument binding (`call_function`), result detection and comments.
//!
//! Functions are called through the `brine-modules` registry only.

use brine_common::{Map, Value};
use brine_modules::{Bound, Function, ModuleError};

use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "module",
    functions: &[
        StateFunction { name: "run", required: &[], optional: &[], kwargs: true, run },
        StateFunction { name: "wait", required: &["name"], optional: &[], kwargs: true, run: wait },
        StateFunction { name: "watch", required: &["name"], optional: &[], kwargs: true, run: wait },
        StateFunction { name: "mod_watch", required: &[], optional: &[], kwargs: true, run },
    ],
};

fn wait(call: &StateCall) -> Result<StateRet, StateError> {
    Ok(StateRet::new(call.arg("name").clone()))
}

fn run(call: &StateCall) -> Result<StateRet, StateError> {
    let keys: Vec<&String> = call.args.keys().filter(|k| !["name", "sfun"].contains(&k.as_str())).collect();
    let legacy = keys.iter().any(|k| !k.contains('.')) || (keys.is_empty() && !call.args.is_empty());
    if legacy {
        legacy_run(call)
    } else {
        new_run(call)
    }
}

/// Salt's `_get_result`: False results, non-zero retcodes (also nested) fail.
fn get_result(ret: &Value) -> bool {
    match ret {
        Value::Bool(b) => *b,
        Value::Map(m) => dict_result(m),
        _ => true,
    }
}

fn dict_result(node: &Map) -> bool {
    for (key, val) in node {
        if (key == "result" && *val == Value::Bool(false)) || (key == "retcode" && *val != Value::Int(0)) {
            return false;
        }
        if let Value::Map(m) = val {
            if !dict_result(m) {
                return false;
            }
        }
    }
    true
}

fn plural(n: usize) -> &'static str {
    // Salt formats `len(x) > 1 or ''`, which prints "True" for several.
    if n > 1 {
        "True"
    } else {
        ""
    }
}

fn new_run(call: &StateCall) -> Result<StateRet, StateError> {
    let mut names: Vec<Value> = call.args.keys().filter(|k| *k != "name").map(Value::str).collect();
    if call.reqs.is_some() {
        names.push(Value::str("__reqs__"));
    }
    let mut ret = StateRet::new(Value::List(names)).with_result(None);
    let functions: Vec<&String> = call.args.keys().filter(|k| k.contains('.')).collect();
    if functions.is_empty() {
        return Ok(ret.error("No function provided."));
    }
    let base = |f: &str| f.split(':').next().unwrap_or(f).to_string();
    let missing: Vec<String> = functions.iter().map(|f| base(f)).filter(|f| !brine_modules::exists(f)).collect();
    let tests: Vec<String> = if call.test {
        functions.iter().map(|f| base(f)).filter(|f| brine_modules::exists(f)).collect()
    } else {
        Vec::new()
    };
    if !missing.is_empty() || !tests.is_empty() {
        let m = if missing.is_empty() {
            String::new()
        } else {
            format!("Unavailable function{}: {}.", plural(missing.len()), missing.join(", "))
        };
        let t = if tests.is_empty() {
            String::new()
        } else {
            format!("Function{} {} to be executed.", plural(tests.len()), tests.join(", "))
        };
        ret.comment = format!("{m} {t}").trim().to_string();
        if !missing.is_empty() {
            ret.result = Some(false);
        }
        return Ok(ret);
    }
    let (mut failures, mut success) = (Vec::new(), Vec::new());
    for func in functions {
        let args = match call.args.get(func.as_str()) {
            Some(Value::List(l)) => l.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(Value::Map(m)) => m.keys().map(Value::str).collect(),
            Some(other) => vec![other.clone()],
        };
        match call_function(&base(func), &args, call) {
            Ok(func_ret) => record(func, func_ret, &mut ret, &mut failures, &mut success),
            Err(ModuleError::Invocation(msg)) => failures.push(format!("'{func}' failed: {msg}")),
            Err(other) => return Err(other.into()),
        }
    }
    let all: Vec<String> = failures.iter().chain(success.iter()).cloned().collect();
    ret.comment = all.join(", ");
    ret.result = Some(failures.is_empty());
    Ok(ret)
}

fn record(func: &str, func_ret: Value, ret: &mut StateRet, failures: &mut Vec<String>, success: &mut Vec<String>) {
    if !get_result(&func_ret) {
        if let Value::Map(m) = &func_ret {
            let c = m.get("comment").map(Value::py_str).unwrap_or_else(|| "(error message N/A)".into());
            failures.push(format!("'{func}' failed: {c}"));
        }
        if func_ret == Value::Bool(false) {
            failures.push(format!("'{func}': False"));
        }
        return;
    }
    let shown = match &func_ret {
        Value::Map(m) => m.get("comment").map(Value::py_str).unwrap_or_else(|| "Success".into()),
        other => other.py_str(),
    };
    success.push(format!("{func}: {shown}"));
    ret.changes.insert(func.to_string(), func_ret);
}

/// Salt's `salt.utils.functools.call_function`: positional values, dicts in
/// the list as keywords (or as positionals when they name a required
/// parameter), defaults passed explicitly.
fn call_function(name: &str, items: &[Value], call: &StateCall) -> Result<Value, ModuleError> {
    let function = brine_modules::lookup(name).ok_or_else(|| ModuleError::NotAvailable(name.to_string()))?;
    let params = function.sig.params;
    let expected: Vec<&str> = function.sig.required().collect();
    let mut kwargs: Map = params.iter().filter_map(|p| p.default.map(|d| (p.name.to_string(), d.to_value()))).collect();
    let mut positional = Vec::new();
    let mut by_name = Map::default();
    for item in items {
        match item {
            Value::Map(m) => {
                for (k, v) in m {
                    if expected.contains(&k.as_str()) {
                        by_name.insert(k.clone(), v.clone());
                    } else {
                        kwargs.insert(k.clone(), v.clone());
                    }
                }
            }
            other => positional.push(other.clone()),
        }
    }
    for arg in &expected {
        if let Some(v) = by_name.get(*arg) {
            positional.push(v.clone());
        }
    }
    check_positional(params, &expected, positional.len(), &kwargs)?;
    let bound = function.sig.bind(function.name, &positional, &kwargs)?;
    (function.run)(&bound, call.ctx)
}

fn check_positional(
    params: &[brine_modules::Param],
    expected: &[&str],
    passed: usize,
    kwargs: &Map,
) -> Result<(), ModuleError> {
    let mut passed_prm = passed;
    let mut missing = Vec::new();
    if expected.len() > passed_prm {
        for p in params.iter().skip(passed) {
            if kwargs.contains_key(p.name) {
                passed_prm += 1;
            } else {
                missing.push(p.name);
            }
        }
    }
    if !missing.is_empty() {
        return Err(ModuleError::Invocation(format!("Missing arguments: {}", missing.join(", "))));
    }
    if expected.len() > passed_prm {
        return Err(ModuleError::Invocation(format!(
            "Function expects {} positional parameters, got only {passed_prm}",
            expected.len()
        )));
    }
    Ok(())
}

/// The `m_` name a legacy `module.run` uses for a parameter that clashes
/// with state keywords.
fn legacy_key(arg: &str) -> String {
    match arg {
        "name" | "fun" | "names" | "state" | "saltenv" => format!("m_{arg}"),
        other => other.to_string(),
    }
}

fn legacy_run(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let ret = StateRet::new(call.arg("name").clone()).with_result(None);
    let Some(function) = brine_modules::lookup(&name) else {
        return Ok(ret.error(format!("Module function {name} is not available")));
    };
    if call.test {
        return Ok(ret.with_comment(format!("Module function {name} is set to execute")));
    }
    let mut kwargs: Map = call.args.iter().filter(|(k, _)| *k != "name").map(|(k, v)| (k.clone(), v.clone())).collect();
    let args = match legacy_args(function, &mut kwargs) {
        Ok(a) => a,
        Err(msg) => return Ok(ret.error(msg)),
    };
    let mret = match invoke_legacy(function, args, &mut kwargs, call) {
        Ok(v) => v,
        Err(LegacyError::Usage(msg)) => return Ok(ret.error(msg)),
        Err(LegacyError::Raised(e)) => {
            return Ok(ret.error(format!("Module function {name} threw an exception. Exception: {e}")));
        }
    };
    let mut ret = ret;
    ret.result = Some(get_result(&mret));
    ret.changes.insert("ret".into(), mret);
    ret.comment = format!("Module function {name} executed");
    Ok(ret)
}

/// Positional arguments of a legacy call, or Salt's "missing" comment.
fn legacy_args(function: &Function, kwargs: &mut Map) -> Result<Vec<Value>, String> {
    let params = function.sig.params;
    let mut defaults: Map =
        params.iter().filter_map(|p| p.default.map(|d| (p.name.to_string(), d.to_value()))).collect();
    let names: Vec<String> = defaults.keys().cloned().collect();
    for arg in names {
        let m_key = format!("m_{arg}");
        if ["name", "fun", "state", "saltenv"].contains(&arg.as_str()) {
            if let Some(v) = kwargs.shift_remove(&m_key) {
                defaults.insert(arg.clone(), v);
            }
        }
        if let Some(v) = kwargs.shift_remove(&arg) {
            defaults.insert(arg, v);
        }
    }
    let mut args = Vec::new();
    let mut missing = Vec::new();
    for p in params {
        let rarg = legacy_key(p.name);
        if let Some(v) = defaults.get(p.name) {
            args.push(v.clone());
        } else if let Some(v) = kwargs.shift_remove(&rarg) {
            args.push(v);
        } else {
            missing.push(rarg);
        }
    }
    if missing.is_empty() {
        return Ok(args);
    }
    Err(format!("The following arguments are missing: {}", missing.join(" ")))
}

enum LegacyError {
    Usage(String),
    Raised(ModuleError),
}

fn invoke_legacy(
    function: &Function,
    mut args: Vec<Value>,
    kwargs: &mut Map,
    call: &StateCall,
) -> Result<Value, LegacyError> {
    if let Some(varargs) = function.sig.varargs {
        if let Some(v) = kwargs.shift_remove(&legacy_key(varargs)) {
            match v {
                Value::List(l) => args.extend(l),
                _ => return Err(LegacyError::Usage(format!("'{varargs}' must be a list."))),
            }
        }
    }
    let mut nkwargs = Map::default();
    if function.sig.kwargs {
        if let Some(v) = kwargs.shift_remove("kwargs") {
            match v {
                Value::Map(m) => nkwargs = m,
                _ => return Err(LegacyError::Usage("'kwargs' must be a dict.".into())),
            }
        }
    }
    let bound: Bound = function.sig.bind(function.name, &args, &nkwargs).map_err(LegacyError::Raised)?;
    (function.run)(&bound, call.ctx).map_err(LegacyError::Raised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_follow_salt() {
        assert!(get_result(&Value::str("x")));
        assert!(!get_result(&Value::Bool(false)));
        let v = Value::from_json(&serde_json::json!({"a": {"retcode": 2}}));
        assert!(!get_result(&v));
        let v = Value::from_json(&serde_json::json!({"retcode": 0, "result": true}));
        assert!(get_result(&v));
    }
}
