//! Calling one state function, as Salt's `State.call` does: verify the low
//! data (unknown function, missing parameters, recursive require), bind the
//! arguments (`format_call`), apply `unless`/`onlyif`/`creates`, run the
//! function (test mode for prereq checks, `umask`), apply `check_cmd`, stamp
//! `__run_num__`/`start_time`/`duration`, and retry when asked.
//!
//! It must not look at requisites: the engine decides whether to call.

use std::time::{Duration, Instant};

use brine_common::{Map, Value};

use super::engine::Engine;
use super::fnmatch::fnmatch;
use super::{field, RunError};
use crate::mods::{self, has_mod_watch, Running, StateCall, StateError, StateFunction, StateRet, WatchReqs};

/// Whether `key` is a low-data key never passed to a state function
/// (Salt's `STATE_INTERNAL_KEYWORDS`).
fn is_internal_keyword(key: &str) -> bool {
    matches!(
        key,
        "onchanges"
            | "onchanges_any"
            | "onfail"
            | "onfail_any"
            | "onfail_all"
            | "onfail_stop"
            | "prereq"
            | "prerequired"
            | "watch"
            | "watch_any"
            | "require"
            | "require_any"
            | "listen"
            | "onchanges_in"
            | "onfail_in"
            | "prereq_in"
            | "watch_in"
            | "require_in"
            | "listen_in"
            | "fun"
            | "state"
            | "check_cmd"
            | "cmd_opts_exclude"
            | "failhard"
            | "onlyif"
            | "unless"
            | "creates"
            | "retry"
            | "order"
            | "parallel"
            | "reload_modules"
            | "reload_grains"
            | "reload_pillar"
            | "runas"
            | "runas_password"
            | "fire_event"
            | "saltenv"
            | "umask"
            | "use"
            | "use_in"
            | "__env__"
            | "__sls__"
            | "__id__"
            | "__sls_included_from__"
            | "__orchestration_jid__"
            | "__pub_user"
            | "__pub_arg"
            | "__pub_jid"
            | "__pub_fun"
            | "__pub_tgt"
            | "__pub_ret"
            | "__pub_pid"
            | "__pub_tgt_type"
            | "__prereq__"
            | "__prerequired__"
            | "__umask__"
    )
}

fn text(low: &Map, key: &str) -> String {
    field(low, key).into_owned()
}

/// Salt's `format_call`: the arguments a state function receives, or the
/// "invalid keyword argument" error for functions without `**kwargs`. Named
/// parameters are bound first, so a parameter named like a runtime keyword
/// (`file.directory`'s `require`, `cmd.run`'s `runas`) is passed too.
fn format_args(function: &StateFunction, full: &str, low: &Map) -> Result<Map, RunError> {
    let mut args = Map::default();
    let mut extra = Vec::new();
    let names = |key: &str| function.required.contains(&key) || function.optional.contains(&key);
    for (key, value) in low {
        // The parameter lists are only searched when the answer matters.
        let internal = is_internal_keyword(key);
        let named = (internal || !function.kwargs) && names(key);
        if internal && !named {
            continue;
        }
        if named || function.kwargs {
            args.insert(key.clone(), value.clone());
        } else {
            extra.push(key.clone());
        }
    }
    match extra.len() {
        0 => Ok(args),
        1 => Err(RunError::InvalidArguments(format!("'{}' is an invalid keyword argument for '{full}'", extra[0]))),
        n => {
            let head: Vec<String> = extra[..n - 1].iter().map(|e| format!("'{e}'")).collect();
            Err(RunError::InvalidArguments(format!(
                "{} and '{}' are invalid keyword arguments for '{full}'",
                head.join(", "),
                extra[n - 1]
            )))
        }
    }
}

/// Salt's "An exception occurred in this state: ..." comment.
fn exception_comment(state: &str, fun: &str, err: &StateError) -> String {
    format!(
        "An exception occurred in this state: Traceback (most recent call last):\n  File \"brine/states/{state}\", in {fun}\n{}: {}\n",
        err.class_name(),
        err
    )
}

impl Engine<'_> {
    /// Salt's `State.call(low, chunks, running)`.
    pub(super) fn call(&mut self, low: usize, chunks: &[usize], running: &Running) -> Result<Map, RunError> {
        self.call_attempt(low, chunks, running, 1)
    }

    fn call_attempt(&mut self, low: usize, chunks: &[usize], running: &Running, attempt: i64) -> Result<Map, RunError> {
        if brine_modules::job::cancelled() {
            return Err(RunError::Killed);
        }
        let started = Instant::now();
        let start_time = brine_modules::sys::local_now().iso_time();
        let errors = self.verify_data(low);
        if !errors.is_empty() {
            return Ok(self.verify_error_ret(low, &errors));
        }
        let data = self.low_rc(low);
        let (state, fun) = (field(&data, "state"), field(&data, "fun"));
        let Some(function) = mods::lookup(&state, &fun) else {
            return Ok(self.verify_error_ret(low, &[format!("Specified state '{state}.{fun}' was not found")]));
        };
        let args = format_args(function, &format!("{state}.{fun}"), &data)?;
        let is_prereq = self.flag(low, "__prereq__");
        if !super::lookahead::plain_managed(&data, self.test || is_prereq) {
            self.stop_lookahead();
        }
        let mut ret = self.run_guarded(low, function, &args, &data, running, is_prereq);
        if !super::lookahead::changed_nothing(&ret) {
            self.stop_lookahead();
        }
        if data.contains_key("check_cmd") && !(state == "file" && fun == "managed") {
            ret.extend(self.run_check_cmd(&data));
        }
        if is_prereq {
            if let Some(l) = self.low_mut(low) {
                l.insert("__prereq__".into(), Value::Bool(false));
            }
            return Ok(ret);
        }
        self.stamp(low, &mut ret, &start_time, started);
        if data.contains_key("retry") && !data.contains_key("parallel") {
            return self.retry(low, chunks, running, attempt, ret);
        }
        Ok(ret)
    }

    /// Ends the read-ahead, if one runs: what ran (or is about to) may
    /// have changed files it read.
    fn stop_lookahead(&self) {
        if let Some(l) = &self.lookahead {
            l.stop();
        }
    }

    fn stamp(&mut self, low: usize, ret: &mut Map, start_time: &str, started: Instant) {
        let sls = self.low(low).get("__sls__").cloned().unwrap_or(Value::Null);
        let id = self.low(low).get("__id__").cloned().unwrap_or(Value::Null);
        ret.insert("__sls__".into(), sls);
        ret.insert("__run_num__".into(), Value::Int(self.next_run_num()));
        ret.insert("start_time".into(), Value::str(start_time));
        ret.insert("duration".into(), Value::Float(started.elapsed().as_micros() as f64 / 1000.0));
        ret.insert("__id__".into(), id);
    }

    /// Run checks, then the state function when they allow it.
    fn run_guarded(
        &mut self,
        low: usize,
        function: &StateFunction,
        args: &Map,
        data: &Map,
        running: &Running,
        is_prereq: bool,
    ) -> Map {
        let mut ret = Map::default();
        ret.insert("result".into(), Value::Bool(false));
        ret.insert("name".into(), data.get("name").cloned().unwrap_or(Value::Null));
        ret.insert("changes".into(), Value::Map(Map::default()));
        if ["unless", "onlyif", "creates"].iter().any(|k| data.contains_key(*k)) {
            match self.run_check(data) {
                Ok(check) => ret.extend(check),
                Err(e) => return self.exception_ret(data, args, &e),
            }
        }
        if ret.get("result") != Some(&Value::Bool(false)) {
            return ret;
        }
        let test = self.test || is_prereq;
        match self.invoke(low, function, args, data, running, test) {
            Ok(r) => r.into_map(),
            Err(e) => self.exception_ret(data, args, &e),
        }
    }

    fn exception_ret(&self, data: &Map, args: &Map, err: &StateError) -> Map {
        let name = args
            .get("name")
            .filter(|n| n.truthy())
            .or_else(|| data.get("name"))
            .or_else(|| data.get("__id__"))
            .cloned()
            .unwrap_or(Value::Null);
        let comment = exception_comment(&text(data, "state"), &text(data, "fun"), err);
        StateRet::new(name).error(comment).into_map()
    }

    fn saltenv(data: &Map, args: &Map) -> String {
        if let Some(env) = data.get("saltenv") {
            return env.py_str();
        }
        if let Some(Value::Str(env)) = args.get("env") {
            return env.clone();
        }
        data.get("__env__").map(Value::py_str).unwrap_or_else(|| "base".into())
    }

    fn watch_reqs(&self, low: usize) -> Option<WatchReqs> {
        let reqs = self.arena.get(low)?.reqs.as_ref()?;
        Some(reqs.iter().map(|(k, idxs)| (k.clone(), idxs.iter().map(|&i| self.low(i).clone()).collect())).collect())
    }

    fn invoke(
        &mut self,
        low: usize,
        function: &StateFunction,
        args: &Map,
        data: &Map,
        running: &Running,
        test: bool,
    ) -> Result<StateRet, StateError> {
        let saltenv = Self::saltenv(data, args);
        let reqs = self.watch_reqs(low);
        let call = StateCall {
            args,
            low: data,
            test,
            saltenv: &saltenv,
            host: self.host,
            ctx: self.ctx,
            running,
            lowstate: &self.lowstate,
            reqs: reqs.as_ref(),
            readings: self.lookahead.as_ref().filter(|l| !l.is_stopped()),
        };
        let umask = data.get("__umask__").and_then(Value::as_i64).map(|m| m as u32);
        let previous = umask.map(brine_modules::sys::set_umask);
        let result = (function.run)(&call);
        if let Some(prev) = previous {
            brine_modules::sys::set_umask(prev);
        }
        result
    }

    /// Salt's `verify_data`; also turns `umask` into `__umask__` and `watch`
    /// into `require` for states without `mod_watch`, on the chunk itself.
    fn verify_data(&mut self, low: usize) -> Vec<String> {
        let mut errors = Vec::new();
        for key in ["state", "fun", "name"] {
            if !self.low(low).contains_key(key) {
                errors.push(format!("Missing \"{key}\" data"));
            }
        }
        let data = self.low_rc(low);
        if let Some(name) = data.get("name").filter(|n| n.truthy() && n.as_str().is_none()) {
            let sls = data.get("__sls__").map(|s| format!("in SLS '{}' ", s.py_str())).unwrap_or_default();
            errors.push(format!(
                "ID '{}' {sls}is not formed as a string, but is a {}",
                name.py_str(),
                name.type_name()
            ));
        }
        if let Some(err) = self.take_umask(low) {
            errors.push(err);
        }
        if !errors.is_empty() {
            return errors;
        }
        self.check_function(&data, &mut errors);
        self.watch_to_require(low);
        self.check_recursive_require(low, &mut errors);
        errors
    }

    fn take_umask(&mut self, low: usize) -> Option<String> {
        if !self.low(low).contains_key("umask") {
            return None;
        }
        let l = self.low_mut(low)?;
        let umask = l.shift_remove("umask")?;
        match i64::from_str_radix(&umask.py_str(), 8) {
            Ok(m) => {
                l.insert("__umask__".into(), Value::Int(m));
                None
            }
            Err(_) => Some(format!("Invalid umask: {}", umask.py_str())),
        }
    }

    fn check_function(&self, data: &Map, errors: &mut Vec<String>) {
        let full = || format!("{}.{}", field(data, "state"), field(data, "fun"));
        match mods::lookup(&field(data, "state"), &field(data, "fun")) {
            None if data.contains_key("__sls__") => {
                let full = full();
                errors.push(format!("State '{full}' was not found in SLS '{}'", text(data, "__sls__")));
                errors.push(format!("Reason: '{full}' is not available."));
            }
            None => errors.push(format!("Specified state '{}' was not found", full())),
            Some(f) => {
                for p in f.required.iter().filter(|p| !data.contains_key(**p)) {
                    errors.push(format!("Missing parameter {p} for state {}", full()));
                }
            }
        }
    }

    fn check_recursive_require(&self, low: usize, errors: &mut Vec<String>) {
        let data = self.low(low);
        let state = field(data, "state");
        let key = if data.contains_key("watch") && has_mod_watch(&state) {
            "watch"
        } else if data.contains_key("require") {
            "require"
        } else {
            return;
        };
        let Some(Value::List(reqs)) = data.get(key) else {
            return;
        };
        for req in reqs {
            let Value::Map(m) = req else { continue };
            let Some((first, target)) = m.iter().next() else {
                continue;
            };
            let target = target.py_str();
            if first.as_str() == state
                && (fnmatch(&text(data, "name"), &target) || fnmatch(&text(data, "__id__"), &target))
            {
                errors.push(format!(
                    "Recursive require detected in SLS {} for require {} in ID {}",
                    text(data, "__sls__"),
                    req.py_repr(),
                    text(data, "__id__")
                ));
            }
        }
    }

    fn verify_error_ret(&mut self, low: usize, errors: &[String]) -> Map {
        let mut ret = Map::default();
        ret.insert("result".into(), Value::Bool(false));
        ret.insert("name".into(), self.low(low).get("name").cloned().unwrap_or(Value::Null));
        ret.insert("changes".into(), Value::Map(Map::default()));
        ret.insert("comment".into(), Value::Str(errors.iter().map(|e| format!("{e}\n")).collect()));
        ret.insert("__run_num__".into(), Value::Int(self.next_run_num()));
        ret
    }

    fn retry(
        &mut self,
        low: usize,
        chunks: &[usize],
        running: &Running,
        attempt: i64,
        ret: Map,
    ) -> Result<Map, RunError> {
        let retry = RetryPolicy::from_value(self.low(low).get("retry").unwrap_or(&Value::Null));
        if self.test {
            let mut ret = ret;
            let comment = format!("{}  {}", text(&ret, "comment"), retry.test_note());
            ret.insert("comment".into(), Value::Str(comment));
            return Ok(ret);
        }
        let result = ret.get("result").and_then(Value::as_bool);
        if Some(retry.until) == result || retry.attempts <= attempt {
            return Ok(ret);
        }
        let interval = retry.interval + splay(retry.splay);
        std::thread::sleep(Duration::from_secs(interval.max(0) as u64));
        let mut next = self.call_attempt(low, chunks, running, attempt + 1)?;
        let comment = format!(
            "Attempt {attempt}: Returned a result of \"{}\", with the following comment: \"{}\"\n{}",
            py_bool(ret.get("result")),
            text(&ret, "comment"),
            text(&next, "comment")
        );
        next.insert("comment".into(), Value::Str(comment));
        let duration = |m: &Map| match m.get("duration") {
            Some(Value::Float(f)) => *f,
            _ => 0.0,
        };
        next.insert("duration".into(), Value::Float(duration(&next) + duration(&ret) + (interval * 1000) as f64));
        if attempt == 1 {
            if let Some(st) = ret.get("start_time") {
                next.insert("start_time".into(), st.clone());
            }
        }
        Ok(next)
    }
}

fn py_bool(v: Option<&Value>) -> String {
    v.map(Value::py_str).unwrap_or_else(|| "None".into())
}

fn splay(max: i64) -> i64 {
    if max <= 0 {
        return 0;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as i64)
        .unwrap_or(0);
    nanos % (max + 1)
}

/// Salt's validated `retry` settings.
struct RetryPolicy {
    until: bool,
    attempts: i64,
    interval: i64,
    splay: i64,
}

impl RetryPolicy {
    fn from_value(v: &Value) -> Self {
        let defaults = RetryPolicy { until: true, attempts: 2, interval: 30, splay: 0 };
        match v {
            Value::Map(m) => {
                let int = |k: &str, d: i64| m.get(k).and_then(Value::as_i64).unwrap_or(d);
                RetryPolicy {
                    until: m.get("until").and_then(Value::as_bool).unwrap_or(true),
                    attempts: int("attempts", 2),
                    interval: int("interval", 30),
                    splay: int("splay", 0),
                }
            }
            Value::Bool(false) => RetryPolicy { attempts: 0, ..defaults },
            _ => defaults,
        }
    }

    fn test_note(&self) -> String {
        format!(
            "The state would be retried every {} seconds (with a splay of up to {} seconds) a maximum of {} times or until a result of {} is returned",
            self.interval,
            self.splay,
            self.attempts,
            if self.until { "True" } else { "False" }
        )
    }
}
