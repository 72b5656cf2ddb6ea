//! The `cmd` state module: run, wait/watch, script/wait_script and
//! mod_watch, with Salt's comments, `stateful` output parsing and test-mode
//! predictions. Commands run through the `cmd.run_all` execution module;
//! scripts are fetched through the host and run the same way.
//!
//! Guards (`unless`, `onlyif`, `creates`) are applied by the runtime, not
//! here.

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};
use brine_modules::ModuleError;

use super::parse::{flag, opt_map, opt_str, opt_value};
use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "cmd",
    functions: &[
        kw_fn("run", run),
        kw_fn("wait", wait),
        kw_fn("watch", wait),
        kw_fn("script", script),
        kw_fn("wait_script", wait),
        kw_fn("mod_watch", mod_watch),
    ],
};

const fn kw_fn(name: &'static str, run: super::StateFn) -> StateFunction {
    StateFunction { name, required: &["name"], optional: &["runas"], kwargs: true, run }
}

/// Parameters `cmd.run` (the state) names itself; everything else is passed
/// on to `cmd.run_all` as Salt's `**kwargs`.
const RUN_PARAMS: &[&str] = &[
    "name",
    "cwd",
    "root",
    "runas",
    "password",
    "shell",
    "env",
    "prepend_path",
    "stateful",
    "output_loglevel",
    "hide_output",
    "timeout",
    "ignore_timeout",
    "use_vt",
    "success_retcodes",
    "success_stdout",
    "success_stderr",
];

/// Typed arguments of `cmd.run`.
struct RunArgs {
    name: String,
    cwd: Option<String>,
    env: Option<Value>,
    stateful: bool,
    test_name: Option<String>,
    ignore_timeout: bool,
    root: bool,
    run_all_kwargs: Map,
}

/// Salt's `stateful` handling: True, or `[{test_name: ...}]`.
fn stateful_of(args: &Map) -> (bool, Option<String>) {
    match args.get("stateful") {
        Some(Value::List(items)) => {
            let test_name = items.first().and_then(|f| f.get("test_name")).map(Value::py_str);
            (true, test_name)
        }
        Some(v) => (*v == Value::Bool(true), None),
        None => (false, None),
    }
}

fn parse_run(call: &StateCall) -> RunArgs {
    let args = call.args;
    let (stateful, test_name) = stateful_of(args);
    let mut kwargs: Map =
        args.iter().filter(|(k, _)| !RUN_PARAMS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    for key in [
        "cwd",
        "runas",
        "password",
        "use_vt",
        "env",
        "prepend_path",
        "output_loglevel",
        "hide_output",
        "success_retcodes",
        "success_stdout",
        "success_stderr",
    ] {
        kwargs.insert(key.into(), args.get(key).cloned().unwrap_or(Value::Null));
    }
    let shell = opt_value(args, "shell").filter(Value::truthy).unwrap_or_else(|| Value::Str(call.ctx.shell()));
    kwargs.insert("shell".into(), shell);
    kwargs.insert("timeout".into(), args.get("timeout").cloned().unwrap_or(Value::Null));
    kwargs.insert("python_shell".into(), Value::Bool(true));
    RunArgs {
        name: call.name(),
        cwd: opt_str(args, "cwd").filter(|c| !c.is_empty()),
        env: opt_value(args, "env"),
        stateful,
        test_name,
        ignore_timeout: flag(args, "ignore_timeout", false),
        root: flag(args, "root", false),
        run_all_kwargs: kwargs,
    }
}

fn env_is_valid(env: &Option<Value>) -> bool {
    matches!(env, None | Some(Value::List(_)) | Some(Value::Map(_)))
}

fn run(call: &StateCall) -> Result<StateRet, StateError> {
    let mut a = parse_run(call);
    // Salt builds the return before swapping in `test_name`.
    let ret = StateRet::new(a.name.clone()).with_result(Some(false));
    if call.test {
        if let Some(t) = &a.test_name {
            a.name = t.clone();
        }
    }
    if !env_is_valid(&a.env) {
        return Ok(ret.with_comment("Invalidly-formatted 'env' parameter. See documentation."));
    }
    if call.test && a.test_name.is_none() {
        let mut ret = ret.with_result(None).with_comment(format!("Command \"{}\" would have been executed", a.name));
        ret.changes.insert("cmd".into(), Value::str(&a.name));
        return Ok(if a.stateful { reinterpreted(ret)? } else { ret });
    }
    if let Some(cwd) = a.cwd.as_deref().filter(|c| !Path::new(c).is_dir()) {
        return Ok(ret.with_comment(format!("Desired working directory \"{cwd}\" is not available")));
    }
    if a.root {
        return Ok(ret.with_comment("'cmd.run_chroot' is not available."));
    }
    let cmd_all = match brine_modules::call("cmd.run_all", &[Value::str(&a.name)], &a.run_all_kwargs, call.ctx) {
        Ok(Value::Map(m)) => m,
        Ok(_) => Map::default(),
        Err(e) => return Ok(ret.with_comment(e.to_string())),
    };
    finish_run(call, ret, cmd_all, &a)
}

fn retcode_of(changes: &Map) -> i64 {
    changes.get("retcode").and_then(Value::as_i64).unwrap_or(0)
}

fn finish_run(call: &StateCall, mut ret: StateRet, cmd_all: Map, a: &RunArgs) -> Result<StateRet, StateError> {
    let rc = retcode_of(&cmd_all);
    ret.changes = cmd_all;
    ret.result = Some(rc == 0);
    ret.comment = format!("Command \"{}\" run", a.name);
    if a.ignore_timeout && rc == 1 {
        let timed_out = ret.changes.get("stdout").map(|s| s.py_str().contains("Timed out after")).unwrap_or(false);
        if timed_out {
            ret.changes.insert("retcode".into(), Value::Int(0));
            ret.result = Some(true);
        }
    }
    if a.stateful {
        ret = reinterpreted(ret)?;
    }
    if call.test && rc == 0 && !ret.changes.is_empty() {
        ret.result = None;
    }
    Ok(ret)
}

fn wait(call: &StateCall) -> Result<StateRet, StateError> {
    Ok(StateRet::new(call.arg("name").clone()))
}

fn sfun(call: &StateCall) -> String {
    call.arg("sfun").py_str()
}

fn mod_watch(call: &StateCall) -> Result<StateRet, StateError> {
    match sfun(call).as_str() {
        "wait" | "run" | "watch" => run(call),
        "wait_script" | "script" => script(call),
        other @ ("wait_call" | "call") => Ok(StateRet::new(call.arg("name").clone())
            .error(format!("cmd.{other} is not available in brine: it needs a Python callable"))),
        other => Ok(StateRet::new(call.arg("name").clone()).error(format!(
            "cmd.{other} does not work with the watch requisite, please use cmd.wait or cmd.wait_script"
        ))),
    }
}

/// Salt's `_is_true` on a `changed=` value.
fn is_true(v: &Value) -> Result<bool, StateError> {
    let s = v.py_str().to_lowercase();
    if v.truthy() && ["true", "yes", "1"].contains(&s.as_str()) {
        Ok(true)
    } else if ["false", "no", "0"].contains(&s.as_str()) {
        Ok(false)
    } else {
        Err(StateError::Execution(format!("Failed parsing boolean value: {}", v.py_str())))
    }
}

/// The `name=value` pairs of the last stdout line, or None when malformed.
fn parse_pairs(out: &str) -> Option<Map> {
    let mut data = Map::default();
    for item in brine_modules::shlex::split(out).ok()? {
        let mut parts = item.split('=');
        let (Some(k), Some(v), None) = (parts.next(), parts.next(), parts.next()) else { return None };
        data.insert(k.to_string(), Value::str(v));
    }
    Some(data)
}

/// Salt's `_reinterpreted_state`: reads `changed=...`/`comment=...` (or a
/// JSON object) from a stateful command's stdout.
fn reinterpreted(mut state: StateRet) -> Result<StateRet, StateError> {
    let ret = std::mem::take(&mut state.changes);
    state.comment.clear();
    let out = ret.get("stdout").map(Value::py_str).unwrap_or_default();
    if out.is_empty() {
        if let Some(err) = ret.get("stderr").filter(|e| e.truthy()) {
            state.comment = err.py_str();
        }
        return Ok(state);
    }
    let (mut data, idx) = match serde_json::from_str::<serde_json::Value>(&out) {
        Ok(json @ serde_json::Value::Object(_)) => {
            (Value::from_json(&json).as_map().cloned().unwrap_or_default(), None)
        }
        Ok(_) => return Ok(state.error("script JSON output must be a JSON object (e.g., {})!")),
        Err(_) => {
            let byte_idx = out.trim_end().rfind('\n');
            let last = byte_idx.map(|i| &out[i + 1..]).unwrap_or(&out);
            let idx = byte_idx.map(|i| out[..i].chars().count() as i64).unwrap_or(-1);
            match parse_pairs(last) {
                Some(d) => (d, Some(idx)),
                None => {
                    let mut failed =
                        state.error("Failed parsing script output! Stdout must be JSON or a line of name=value pairs.");
                    failed.changes.extend(ret);
                    return Ok(failed);
                }
            }
        }
    };
    let changed = is_true(data.get("changed").unwrap_or(&Value::str("no")))?;
    if let Some(c) = data.shift_remove("comment") {
        state.comment = c.py_str();
    }
    if changed {
        for (k, v) in &ret {
            data.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let stdout = match idx {
            None => String::new(),
            Some(i) => py_slice_to(&data.get("stdout").map(Value::py_str).unwrap_or_default(), i),
        };
        data.insert("stdout".into(), Value::Str(stdout));
        state.changes = data;
    }
    Ok(state)
}

/// Python's `s[:idx]` (a negative index counts from the end).
fn py_slice_to(s: &str, idx: i64) -> String {
    let len = s.chars().count() as i64;
    let end = if idx < 0 { (len + idx).max(0) } else { idx.min(len) };
    s.chars().take(end as usize).collect()
}

/// Typed arguments of `cmd.script`.
struct ScriptArgs {
    name: String,
    source: String,
    template: Option<String>,
    context: Map,
    cwd: Option<String>,
    args: Option<String>,
    stateful: bool,
    test_name: Option<String>,
    env: Option<Value>,
}

fn parse_script(call: &StateCall) -> Result<ScriptArgs, Box<StateRet>> {
    let args = call.args;
    let (stateful, test_name) = stateful_of(args);
    let mut name = call.name();
    if call.test {
        if let Some(t) = &test_name {
            name = t.clone();
        }
    }
    let fail = |msg: &str| Box::new(StateRet::new(name.clone()).error(msg));
    let env = opt_value(args, "env");
    if !env_is_valid(&env) {
        return Err(fail("Invalidly-formatted 'env' parameter. See documentation."));
    }
    let context = opt_map(args, "context")
        .map_err(|_| fail("Invalidly-formatted 'context' parameter. Must be formed as a dict."))?;
    let mut tmpctx = opt_map(args, "defaults")
        .map_err(|_| fail("Invalidly-formatted 'defaults' parameter. Must be formed as a dict."))?;
    tmpctx.extend(context);
    let source = opt_str(args, "source").unwrap_or_else(|| name.clone());
    let script_args = opt_str(args, "args").filter(|a| !a.is_empty()).or_else(|| {
        let parts: Vec<&str> = name.split_whitespace().collect();
        (parts.len() > 1).then(|| name.split_once(' ').map(|(_, rest)| rest.to_string()).unwrap_or_default())
    });
    Ok(ScriptArgs {
        name: name.clone(),
        source,
        template: opt_str(args, "template"),
        context: tmpctx,
        cwd: opt_str(args, "cwd").filter(|c| !c.is_empty()),
        args: script_args,
        stateful,
        test_name,
        env,
    })
}

fn script(call: &StateCall) -> Result<StateRet, StateError> {
    let a = match parse_script(call) {
        Ok(a) => a,
        Err(ret) => return Ok(*ret),
    };
    let ret = StateRet::new(a.name.clone()).with_result(Some(false));
    if call.test && a.test_name.is_none() {
        let ret = ret.with_result(None).with_comment(format!("Command '{}' would have been executed", a.name));
        return Ok(if a.stateful { reinterpreted(ret)? } else { ret });
    }
    if let Some(cwd) = a.cwd.as_deref().filter(|c| !Path::new(c).is_dir()) {
        return Ok(ret.with_comment(format!("Desired working directory \"{cwd}\" is not available")));
    }
    let cmd_all = match run_script(call, &a) {
        Ok(m) => m,
        Err(e) => return Ok(ret.with_comment(e.to_string())),
    };
    let rc = retcode_of(&cmd_all);
    let cache_error = cmd_all.get("cache_error").map(Value::truthy).unwrap_or(false);
    let mut ret = ret;
    ret.changes = cmd_all;
    ret.result = Some(rc == 0);
    ret.comment = if cache_error {
        format!("Unable to cache script {} from saltenv '{}'", a.source, call.saltenv)
    } else {
        format!("Command '{}' run", a.name)
    };
    if a.stateful {
        ret = reinterpreted(ret)?;
    }
    if call.test && rc == 0 && !ret.changes.is_empty() {
        ret.result = None;
    }
    Ok(ret)
}

fn cache_error() -> Map {
    let mut m = Map::default();
    m.insert("pid".into(), Value::Int(0));
    m.insert("retcode".into(), Value::Int(1));
    m.insert("stdout".into(), Value::str(""));
    m.insert("stderr".into(), Value::str(""));
    m.insert("cache_error".into(), Value::Bool(true));
    m
}

/// The script's text: fetched through the host, rendered when `template` is set.
fn script_text(call: &StateCall, a: &ScriptArgs) -> Option<Vec<u8>> {
    let local = call.host.cache_file(&a.source, call.saltenv).ok()?;
    let data = std::fs::read(local).ok()?;
    let Some(kind) = &a.template else { return Some(data) };
    let text = String::from_utf8_lossy(&data).into_owned();
    let sls = call.low.get("__sls__").map(Value::py_str).unwrap_or_default();
    call.host.render_template(kind, &text, &a.source, &a.context, call.saltenv, &sls).ok().map(String::into_bytes)
}

fn temp_script_path(a: &ScriptArgs) -> PathBuf {
    let dir = a.cwd.as_deref().map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let ext = Path::new(&a.source).extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    dir.join(format!("__salt.tmp.{}{nanos}{ext}", std::process::id()))
}

fn run_script(call: &StateCall, a: &ScriptArgs) -> Result<Map, ModuleError> {
    let Some(text) = script_text(call, a) else { return Ok(cache_error()) };
    let path = temp_script_path(a);
    brine_modules::file::atomic_write(&path, &text, brine_modules::file::NewPerms::Mode(0o500))?;
    let mut argv = vec![Value::Str(path.to_string_lossy().into_owned())];
    let mut kwargs = Map::default();
    if let Some(args) = &a.args {
        argv.extend(brine_modules::shlex::split(args)?.into_iter().map(Value::Str));
        kwargs.insert("python_shell".into(), Value::Bool(false));
    } else {
        kwargs.insert("python_shell".into(), Value::Bool(true));
    }
    for key in ["cwd", "runas", "timeout", "success_retcodes", "success_stdout", "success_stderr", "stdin", "umask"] {
        if let Some(v) = call.args.get(key) {
            kwargs.insert(key.into(), v.clone());
        }
    }
    if let Some(env) = &a.env {
        kwargs.insert("env".into(), env.clone());
    }
    let shell = opt_value(call.args, "shell").filter(Value::truthy).unwrap_or_else(|| Value::Str(call.ctx.shell()));
    kwargs.insert("shell".into(), shell);
    let result = brine_modules::call("cmd.run_all", &[Value::List(argv)], &kwargs, call.ctx);
    let _ = std::fs::remove_file(&path);
    match result? {
        Value::Map(m) => Ok(m),
        _ => Ok(Map::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret_with_stdout(stdout: &str) -> StateRet {
        let mut r = StateRet::new("x");
        r.changes.insert("pid".into(), Value::Int(1));
        r.changes.insert("retcode".into(), Value::Int(0));
        r.changes.insert("stdout".into(), Value::str(stdout));
        r.changes.insert("stderr".into(), Value::str(""));
        r
    }

    #[test]
    fn stateful_pairs_and_json() {
        let r = reinterpreted(ret_with_stdout("working\nchanged=yes comment='all done'")).unwrap();
        assert_eq!(r.comment, "all done");
        assert_eq!(r.changes.get("changed"), Some(&Value::str("yes")));
        assert_eq!(r.changes.get("stdout"), Some(&Value::str("working")));
        let r = reinterpreted(ret_with_stdout("changed=yes")).unwrap();
        assert_eq!(r.changes.get("stdout"), Some(&Value::str("changed=ye")), "Salt's [:-1] quirk");
        let r = reinterpreted(ret_with_stdout("changed=no")).unwrap();
        assert!(r.changes.is_empty());
        let r = reinterpreted(ret_with_stdout("{\"changed\": true, \"comment\": \"ok\"}")).unwrap();
        assert_eq!(r.comment, "ok");
        assert_eq!(r.changes.get("stdout"), Some(&Value::str("")));
        let r = reinterpreted(ret_with_stdout("[1]")).unwrap();
        assert_eq!(r.result, Some(false));
        assert!(reinterpreted(ret_with_stdout("changed=maybe")).is_err());
    }
}
