//! The `state.*` functions: what `salt-call state.show_sls web` and
//! `salt '*' state.highstate` run.
//!
//! Each function takes the minion's [`Env`] (options, grains, pillar, the file
//! client) and returns Salt's return value: high data, low chunks, the top
//! matches, or state returns; compile errors come back as Salt's list of
//! strings, with the retcode Salt would set.
//!
//! It must not parse command lines or print: callers do that.

use std::collections::HashSet;

use brine_common::matcher::MatchData;
use brine_common::{Map, Value};

use crate::compiler;
use crate::highstate::{FileClient, HighState, Matches, SlsRenderer};

/// What a state function needs to know about the minion it runs on.
pub struct Env<'a> {
    pub opts: &'a Map,
    pub grains: &'a Map,
    pub pillar: &'a Map,
    pub files: &'a dyn FileClient,
    pub renderer: &'a dyn SlsRenderer,
}

/// The value a function returns and the process exit code Salt gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub ret: Value,
    pub retcode: i32,
}

impl Outcome {
    pub fn ok(ret: Value) -> Self {
        Outcome { ret, retcode: 0 }
    }

    /// A compile error list (Salt's `EX_STATE_COMPILER_ERROR`).
    pub fn errors(errors: Vec<String>) -> Self {
        Outcome { ret: Value::List(errors.into_iter().map(Value::Str).collect()), retcode: 1 }
    }
}

impl Env<'_> {
    fn match_data(&self) -> (String, Map) {
        let id = self.opts.get("id").map(Value::py_str).unwrap_or_default();
        let nodegroups = self.opts.get("nodegroups").and_then(Value::as_map).cloned().unwrap_or_default();
        (id, nodegroups)
    }

    fn highstate(&self) -> HighState<'_> {
        HighState::new(self.files, self.renderer, self.opts)
    }

    /// The merged top file and this minion's matches in it.
    fn top_matches(&self, hs: &mut HighState) -> Result<Matches, Vec<String>> {
        let top = hs.get_top()?;
        let errors = crate::highstate::verify_tops(&top);
        if !errors.is_empty() {
            return Err(errors);
        }
        let (id, nodegroups) = self.match_data();
        let data = MatchData { id: &id, grains: self.grains, pillar: self.pillar, nodegroups: &nodegroups };
        hs.top_matches(&top, &data)
    }
}

fn saltenv_of(env: &Env, kwargs: &Map) -> String {
    kwargs
        .get("saltenv")
        .or_else(|| env.opts.get("saltenv"))
        .filter(|v| !v.is_null())
        .map(Value::py_str)
        .unwrap_or_else(|| "base".into())
}

/// `mods` as Salt's `split_input`: a comma-separated string or a list.
pub fn split_mods(mods: &Value) -> Vec<String> {
    match mods {
        Value::List(l) => l.iter().map(Value::py_str).collect(),
        Value::Null => Vec::new(),
        other => other.py_str().split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
    }
}

/// Salt's `_get_pillar_errors`: a pillar that failed to render (its
/// `_errors`) stops every state function that compiles states, unless the
/// call says `force=True`. `state.sls` and `state.highstate` return this
/// list; the `show_*` functions raise in Salt (stderr, exit 1), which comes
/// out here as the same list with retcode 1.
fn pillar_errors(pillar: &Map, kwargs: Option<&Map>) -> Option<Outcome> {
    if kwargs.and_then(|k| k.get("force")).is_some_and(Value::truthy) {
        return None;
    }
    let errors = match pillar.get("_errors") {
        Some(Value::List(l)) if !l.is_empty() => l,
        _ => return None,
    };
    let mut lines = vec![Value::str("Pillar failed to render with the following messages:")];
    lines.extend(errors.iter().cloned());
    Some(Outcome { ret: Value::List(lines), retcode: 1 })
}

/// `state.show_sls`: high data of the named SLS before extend/exclude are applied.
pub fn show_sls(env: &Env, mods: &Value, kwargs: &Map) -> Outcome {
    if let Some(failed) = pillar_errors(env.pillar, Some(kwargs)) {
        return failed;
    }
    let saltenv = saltenv_of(env, kwargs);
    let matches = vec![(saltenv, split_mods(mods))];
    let mut hs = env.highstate();
    let (high, mut errors) = hs.render_highstate(&matches);
    errors.extend(compiler::verify_high(&high));
    if errors.is_empty() { Outcome::ok(Value::Map(high)) } else { Outcome::errors(errors) }
}

/// `state.show_low_sls`: the low chunks of the named SLS. As in Salt, the
/// high data is verified and compiled as rendered: `extend`, `*_in`
/// requisites and `exclude` are not applied (a run and `show_lowstate` do).
pub fn show_low_sls(env: &Env, mods: &Value, kwargs: &Map) -> Outcome {
    if let Some(failed) = pillar_errors(env.pillar, Some(kwargs)) {
        return failed;
    }
    match low_sls(env, mods, kwargs) {
        Ok(chunks) => Outcome::ok(Value::List(chunks.into_iter().map(Value::Map).collect())),
        Err(e) => Outcome::errors(e),
    }
}

/// The low chunks of named SLS files as `state.show_low_sls` shows them.
pub fn low_sls(env: &Env, mods: &Value, kwargs: &Map) -> Result<Vec<Map>, Vec<String>> {
    let saltenv = saltenv_of(env, kwargs);
    let matches = vec![(saltenv, split_mods(mods))];
    let mut hs = env.highstate();
    let (high, mut errors) = hs.render_highstate(&matches);
    errors.extend(compiler::verify_high(&high));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(compiler::compile_high_data(high))
}

/// `state.show_top`: saltenv -> SLS names matched for this minion.
pub fn show_top(env: &Env) -> Outcome {
    if let Some(failed) = pillar_errors(env.pillar, None) {
        return failed;
    }
    let mut hs = env.highstate();
    match env.top_matches(&mut hs) {
        Ok(m) => Outcome::ok(matches_value(&m)),
        Err(e) => Outcome::errors(e),
    }
}

fn matches_value(m: &Matches) -> Value {
    Value::Map(m.iter().map(|(e, l)| (e.clone(), Value::List(l.iter().cloned().map(Value::Str).collect()))).collect())
}

/// The highstate's high data, or the compile errors.
pub fn compile_highstate(env: &Env) -> Result<Map, Vec<String>> {
    let mut hs = env.highstate();
    let matches = env.top_matches(&mut hs)?;
    let (high, errors) = hs.render_highstate(&matches);
    if errors.is_empty() { Ok(high) } else { Err(errors) }
}

/// `state.show_highstate`.
pub fn show_highstate(env: &Env) -> Outcome {
    if let Some(failed) = pillar_errors(env.pillar, None) {
        return failed;
    }
    match compile_highstate(env) {
        Ok(high) => Outcome::ok(Value::Map(high)),
        Err(e) => Outcome::errors(e),
    }
}

/// `state.show_lowstate`: low chunks of the highstate. Like Salt, it reports
/// compile errors as its return value but leaves the retcode at 0.
pub fn show_lowstate(env: &Env) -> Outcome {
    if let Some(failed) = pillar_errors(env.pillar, None) {
        return failed;
    }
    let mut hs = env.highstate();
    let matches = match env.top_matches(&mut hs) {
        Ok(m) => m,
        Err(e) => return Outcome { ret: errors_value(e), retcode: 0 },
    };
    let (high, mut errors) = hs.render_highstate(&matches);
    match compiler::compile(high) {
        Ok(chunks) if errors.is_empty() => Outcome::ok(Value::List(chunks.into_iter().map(Value::Map).collect())),
        Ok(_) => Outcome { ret: errors_value(errors), retcode: 0 },
        Err(e) => {
            errors.extend(e);
            Outcome { ret: errors_value(errors), retcode: 0 }
        }
    }
}

/// `state.single FUN NAME key=value...`: one state function run on its own,
/// as Salt's: the ID is the name, `__sls__` is None, and a missing state
/// function is a compile error (a list), not a failed state.
pub fn single(host: &dyn crate::runtime::Host, args: &[Value], kwargs: &Map, test: bool) -> Outcome {
    let Some(fun) = args.first().or_else(|| kwargs.get("fun")) else {
        return Outcome { ret: Value::str(SINGLE_USAGE_FUN), retcode: 1 };
    };
    let Some(name) = args.get(1).or_else(|| kwargs.get("name")).cloned() else {
        return Outcome { ret: Value::str(SINGLE_USAGE_NAME), retcode: 1 };
    };
    let fun = fun.py_str();
    let Some((state, function)) = fun.split_once('.') else {
        return Outcome { ret: Value::str("Invalid function passed"), retcode: 1 };
    };
    if crate::mods::lookup(state, function).is_none() {
        return Outcome::errors(vec![format!("Specified state '{fun}' was not found")]);
    }
    let mut low = Map::default();
    for (k, v) in kwargs {
        if !matches!(k.as_str(), "fun" | "test" | "queue" | "pillar" | "pillarenv" | "saltenv") && !k.starts_with("__pub_") {
            low.insert(k.clone(), v.clone());
        }
    }
    low.insert("state".into(), Value::str(state));
    low.insert("fun".into(), Value::str(function));
    low.insert("__id__".into(), name.clone());
    low.insert("name".into(), name);
    low.insert("__sls__".into(), Value::Null);
    low.insert("__env__".into(), Value::str("base"));
    match crate::runtime::run(vec![Value::Map(low)], host, test) {
        Ok(rets) => {
            let failed = rets.values().any(|r| r.get("result") == Some(&Value::Bool(false)));
            Outcome { ret: Value::Map(rets), retcode: if failed { 2 } else { 0 } }
        }
        Err(e) => Outcome::errors(e),
    }
}

const SINGLE_USAGE_FUN: &str = "Passed invalid arguments: single() missing 2 required positional arguments: 'fun' and 'name'.";
const SINGLE_USAGE_NAME: &str = "Passed invalid arguments: single() missing 1 required positional argument: 'name'.";

fn errors_value(e: Vec<String>) -> Value {
    Value::List(e.into_iter().map(Value::Str).collect())
}

/// The SLS names a set of matches would render, for `state.show_states`-style listings.
pub fn sls_names(matches: &Matches) -> HashSet<String> {
    matches.iter().flat_map(|(_, l)| l.iter().cloned()).collect()
}

/// `state.sls MODS` (with `mods`) or `state.highstate` / bare `state.apply`
/// (without): compile, then run the chunks through the requisite runtime.
pub fn run(env: &Env, host: &dyn crate::runtime::Host, mods: Option<&Value>, kwargs: &Map, test: bool) -> Outcome {
    if let Some(failed) = pillar_errors(env.pillar, Some(kwargs)) {
        return failed;
    }
    let high = match mods {
        Some(m) => {
            let saltenv = saltenv_of(env, kwargs);
            let mut hs = env.highstate();
            let (high, errors) = hs.render_highstate(&vec![(saltenv, split_mods(m))]);
            if !errors.is_empty() {
                return Outcome::errors(errors);
            }
            high
        }
        None => match compile_highstate(env) {
            Ok(h) if h.is_empty() => {
                return Outcome::errors(vec![
                    "No Top file or master_tops data matches found. Please see master log for details.".into(),
                ])
            }
            Ok(h) => h,
            Err(e) => return Outcome::errors(e),
        },
    };
    let chunks = match compiler::compile(high) {
        Ok(c) => c,
        Err(e) => return Outcome::errors(e),
    };
    match crate::runtime::run(chunks.into_iter().map(Value::Map).collect(), host, test) {
        Ok(rets) => {
            let failed = rets.values().any(|r| r.get("result") == Some(&Value::Bool(false)));
            Outcome { ret: Value::Map(rets), retcode: if failed { 2 } else { 0 } }
        }
        Err(e) => Outcome::errors(e),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::highstate::StateFile;

    /// One SLS, `one`, whose rendered data is given.
    struct OneSls(Value);

    impl FileClient for OneSls {
        fn envs(&self) -> Vec<String> {
            vec!["base".into()]
        }
        fn list_states(&self, _: &str) -> Vec<String> {
            vec!["one".into()]
        }
        fn find_file(&self, rel: &str, _: &str) -> Option<PathBuf> {
            (rel == "one.sls").then(|| PathBuf::from(rel))
        }
    }

    impl SlsRenderer for OneSls {
        fn render(&self, _: &StateFile, _: &str, _: &str) -> Result<Value, String> {
            Ok(self.0.clone())
        }
    }

    #[test]
    fn show_low_sls_leaves_requisite_in_and_extend_alone() {
        let sls = OneSls(Value::from_json(&serde_json::json!({
            "a": {"test": ["nop", {"require_in": [{"test": "b"}]}]},
            "b": {"test": ["nop"]},
            "extend": {"b": {"test": [{"x": 1}]}}
        })));
        let (opts, grains, pillar) = (Map::default(), Map::default(), Map::default());
        let env = Env { opts: &opts, grains: &grains, pillar: &pillar, files: &sls, renderer: &sls };
        let out = show_low_sls(&env, &Value::str("one"), &Map::default());
        assert_eq!(out.retcode, 0);
        let Value::List(chunks) = out.ret else { panic!("chunks: {:?}", out.ret) };
        let b = chunks.iter().filter_map(Value::as_map).find(|c| c.get("__id__") == Some(&Value::str("b"))).expect("b");
        assert_eq!(b.get("require"), None);
        assert_eq!(b.get("x"), None);
    }

    #[test]
    fn pillar_errors_stop_state_functions_unless_forced() {
        let mut pillar = Map::default();
        assert_eq!(pillar_errors(&pillar, None), None);
        pillar.insert("_errors".into(), Value::List(vec![Value::str("Rendering SLS 'x' failed. Please see master log for details.")]));
        let failed = pillar_errors(&pillar, None).expect("errors");
        assert_eq!(failed.retcode, 1);
        assert_eq!(
            failed.ret,
            Value::List(vec![
                Value::str("Pillar failed to render with the following messages:"),
                Value::str("Rendering SLS 'x' failed. Please see master log for details."),
            ])
        );
        let force = Map::from_iter([("force".to_string(), Value::Bool(true))]);
        assert_eq!(pillar_errors(&pillar, Some(&force)), None);
    }
}
