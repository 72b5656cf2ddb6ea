//! The per-state guards Salt applies around any state function: `onlyif`,
//! `unless`, `creates` (`State._run_check`) and `check_cmd`
//! (`State._run_check_cmd`), with Salt's comments and `skip_watch`.
//!
//! Guard commands run through the `cmd.retcode` execution module; guard
//! functions (`- onlyif: [{fun: file.file_exists, ...}]`) through the module
//! registry. It must not run the state itself.

use std::path::Path;

use brine_common::{Map, Value};

use super::engine::Engine;
use crate::mods::StateError;

const CMD_ARGS: [&str; 8] = ["cwd", "root", "runas", "env", "prepend_path", "umask", "timeout", "success_retcodes"];

/// The result of one guard (`onlyif`, `unless`, `creates`).
struct Guard {
    result: bool,
    comment: Option<String>,
    skip_watch: Option<bool>,
}

impl Guard {
    fn new() -> Self {
        Guard { result: false, comment: None, skip_watch: None }
    }
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.clone(),
        other => vec![other.clone()],
    }
}

impl Engine<'_> {
    /// Salt's `cmd_opts` for guard commands.
    fn guard_cmd_opts(&self, low: &Map) -> Map {
        let exclude: Vec<String> =
            low.get("cmd_opts_exclude").map(as_list).unwrap_or_default().iter().map(Value::py_str).collect();
        let mut opts = Map::default();
        for key in CMD_ARGS.iter().filter(|k| !exclude.iter().any(|e| e == *k)) {
            opts.insert((*key).to_string(), low.get(*key).cloned().unwrap_or(Value::Null));
        }
        if low.contains_key("shell") && !exclude.iter().any(|e| e == "shell") {
            opts.insert("shell".into(), low.get("shell").cloned().unwrap_or(Value::Null));
        } else if let Some(shell) = self.host.grains().get("shell") {
            opts.insert("shell".into(), shell.clone());
        }
        opts
    }

    /// `cmd.retcode(cmd, ignore_retcode=True, python_shell=True, **opts)`;
    /// `on_error` when the command cannot run (Salt's CommandExecutionError).
    fn guard_retcode(&self, cmd: &str, opts: &Map, on_error: i64) -> i64 {
        let mut kwargs = opts.clone();
        kwargs.insert("ignore_retcode".into(), Value::Bool(true));
        kwargs.insert("python_shell".into(), Value::Bool(true));
        match brine_modules::call("cmd.retcode", &[Value::str(cmd)], &kwargs, self.ctx) {
            Ok(Value::Int(rc)) => rc,
            _ => on_error,
        }
    }

    /// Runs a guard function entry (`{fun: ..., args: [...], get_return: ...}`).
    fn guard_function(&self, entry: &Map) -> Result<Value, StateError> {
        let mut kwargs = entry.clone();
        let fun = kwargs.shift_remove("fun").map(|f| f.py_str()).unwrap_or_default();
        let args = kwargs.shift_remove("args").map(|a| as_list(&a)).unwrap_or_default();
        let get_return = kwargs.shift_remove("get_return");
        let result = brine_modules::call(&fun, &args, &kwargs, self.ctx)?;
        Ok(match get_return {
            Some(path) => result.traverse(&path.py_str(), ":").cloned().unwrap_or(Value::Null),
            None => result,
        })
    }

    fn onlyif(&self, low: &Map, opts: &Map) -> Result<Guard, StateError> {
        let mut g = Guard::new();
        let skip = |g: &mut Guard| {
            g.comment = Some("onlyif condition is false".into());
            g.skip_watch = Some(true);
            g.result = true;
        };
        for entry in as_list(low.get("onlyif").unwrap_or(&Value::Null)) {
            match &entry {
                Value::Str(cmd) => {
                    let rc = self.guard_retcode(cmd, opts, 100);
                    if rc != 0 && !g.result {
                        skip(&mut g);
                        return Ok(g);
                    } else if rc == 0 {
                        g.comment = Some("onlyif condition is true".into());
                        g.result = false;
                    }
                }
                Value::Map(m) if !m.contains_key("fun") => {
                    g.comment = Some(format!("no `fun` argument in onlyif: {}", entry.py_str()));
                    return Ok(g);
                }
                Value::Map(m) => {
                    let result = self.guard_function(m)?;
                    let rc = self.ctx.retcode.get();
                    if (rc != 0 && !g.result) || (rc == 0 && !result.truthy()) {
                        skip(&mut g);
                        return Ok(g);
                    }
                    g.comment = Some("onlyif condition is true".into());
                    g.result = false;
                }
                _ => {
                    g.comment = Some("onlyif execution failed, bad type passed".into());
                    g.result = false;
                    return Ok(g);
                }
            }
        }
        Ok(g)
    }

    fn unless(&self, low: &Map, opts: &Map) -> Result<Guard, StateError> {
        let mut g = Guard::new();
        for entry in as_list(low.get("unless").unwrap_or(&Value::Null)) {
            let true_now = match &entry {
                Value::Str(cmd) => self.guard_retcode(cmd, opts, 0) == 0,
                Value::Map(m) if !m.contains_key("fun") => {
                    g.comment = Some(format!("no `fun` argument in unless: {}", entry.py_str()));
                    return Ok(g);
                }
                Value::Map(m) => {
                    let result = self.guard_function(m)?;
                    match self.ctx.retcode.get() {
                        0 => result.truthy(),
                        _ => false,
                    }
                }
                _ => {
                    g.comment = Some("unless condition is false, bad type passed".into());
                    g.result = false;
                    continue;
                }
            };
            if true_now {
                g.comment = Some("unless condition is true".into());
                g.skip_watch = Some(true);
                g.result = true;
            } else {
                g.skip_watch = None;
                g.comment = Some("unless condition is false".into());
                g.result = false;
                return Ok(g);
            }
        }
        Ok(g)
    }

    fn creates(low: &Map) -> Guard {
        let exists = |v: &Value| Path::new(&v.py_str()).exists();
        match low.get("creates") {
            Some(Value::Str(p)) if Path::new(p).exists() => {
                Guard { result: true, comment: Some(format!("{p} exists")), skip_watch: Some(true) }
            }
            Some(Value::List(l)) if l.iter().all(exists) => {
                Guard { result: true, comment: Some("All files in creates exist".into()), skip_watch: Some(true) }
            }
            _ => Guard { result: false, comment: Some("Creates files not found".into()), skip_watch: None },
        }
    }

    /// Salt's `_run_check`: the partial return the guards produce.
    pub(super) fn run_check(&self, low: &Map) -> Result<Map, StateError> {
        let opts = self.guard_cmd_opts(low);
        let mut result = false;
        let mut skip_watch: Option<bool> = None;
        let mut comments: Vec<String> = Vec::new();
        let mut fold = |g: Guard, first: bool| {
            result = if first { g.result } else { g.result || result };
            comments.extend(g.comment);
            if let Some(s) = g.skip_watch {
                skip_watch = Some(if first { s } else { s || skip_watch.unwrap_or(false) });
            }
        };
        if low.contains_key("onlyif") {
            fold(self.onlyif(low, &opts)?, true);
        }
        if low.contains_key("unless") {
            fold(self.unless(low, &opts)?, false);
        }
        if low.contains_key("creates") {
            fold(Self::creates(low), false);
        }
        let mut ret = Map::default();
        ret.insert("result".into(), Value::Bool(result));
        ret.insert("comment".into(), Value::Str(comments.join("\n")));
        for key in ["__sls__", "__id__", "name"] {
            ret.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
        }
        if let Some(s) = skip_watch {
            ret.insert("skip_watch".into(), Value::Bool(s));
        }
        Ok(ret)
    }

    /// Salt's `_run_check_cmd`: `check_cmd` decides the result.
    pub(super) fn run_check_cmd(&self, low: &Map) -> Map {
        let mut opts = Map::default();
        if let Some(shell) = self.host.grains().get("shell") {
            opts.insert("shell".into(), shell.clone());
        }
        let mut ret = Map::default();
        ret.insert("result".into(), Value::Bool(false));
        for key in ["__sls__", "__id__", "name"] {
            ret.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
        }
        for entry in as_list(low.get("check_cmd").unwrap_or(&Value::Null)) {
            let rc = self.guard_retcode(&entry.py_str(), &opts, 1);
            if rc == 0 && ret.get("result") == Some(&Value::Bool(false)) {
                ret.insert("comment".into(), Value::str("check_cmd determined the state succeeded"));
                ret.insert("result".into(), Value::Bool(true));
            } else if rc != 0 {
                ret.insert("comment".into(), Value::str("check_cmd determined the state failed"));
                ret.insert("result".into(), Value::Bool(false));
                return ret;
            }
        }
        ret
    }
}
