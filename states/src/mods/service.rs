//! The `service` state module: running, dead, enabled, disabled and
//! mod_watch (restart, or reload with `reload: True`, when a watched state
//! changed), with Salt's comments, `init_delay` and test-mode predictions.
//!
//! Services are inspected and changed only through
//! `brine_modules::service`, whose backend (systemd or sysvinit, or a fake
//! in tests) is picked at run time. Nothing is started, stopped or
//! toggled in test mode.

#[cfg(test)]
mod tests;

use std::time::Duration;

use brine_common::{Map, Value};
use brine_modules::service::{self, Action};
use brine_modules::ModuleError;

use super::parse::{flag, opt_str};
use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "service",
    functions: &[
        kw_fn("running", running),
        kw_fn("dead", dead),
        kw_fn("enabled", enabled),
        kw_fn("disabled", disabled),
        kw_fn("mod_watch", mod_watch),
    ],
};

const fn kw_fn(name: &'static str, run: super::StateFn) -> StateFunction {
    StateFunction { name, required: &["name"], optional: &[], kwargs: true, run }
}

/// Typed arguments shared by the service states.
struct Args {
    name: String,
    /// `Some(true)`/`Some(false)` only for a boolean (or a string Salt reads as one).
    enable: Option<bool>,
    sig: Option<String>,
    /// Seconds to wait after acting, and the value as written (for the comment).
    init_delay: Option<(f64, String)>,
    /// The common typo `enabled: True`.
    enabled_typo: bool,
    unmask: bool,
}

/// Salt's `salt.utils.data.is_true` on a string.
fn is_true(s: &str) -> bool {
    match s.trim().parse::<f64>() {
        Ok(n) => n > 0.0,
        Err(_) => s.eq_ignore_ascii_case("true"),
    }
}

fn parse(call: &StateCall) -> Result<Args, StateError> {
    let args = call.args;
    let enable = match args.get("enable") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Str(s)) => Some(is_true(s)),
        _ => None,
    };
    let init_delay = match args.get("init_delay") {
        None | Some(Value::Null) => None,
        Some(v) if !v.truthy() => None,
        Some(v) => Some((brine_modules::test::seconds(v).map_err(|_| bad_delay(v))?, v.py_str())),
    };
    Ok(Args {
        name: call.name(),
        enable,
        sig: opt_str(args, "sig").filter(|s| !s.is_empty()),
        init_delay,
        enabled_typo: args.contains_key("enabled"),
        unmask: flag(args, "unmask", false),
    })
}

fn bad_delay(v: &Value) -> StateError {
    StateError::Invocation(format!("init_delay must be a number of seconds, not {}", v.py_repr()))
}

/// How the service stands when enabling or disabling it (Salt's `started`).
#[derive(Clone, Copy, PartialEq)]
enum Started {
    Running,
    /// Salt's `None`: whatever the state wanted.
    Desired,
    Dead,
}

impl Started {
    fn of(running: bool) -> Self {
        if running {
            Started::Running
        } else {
            Started::Dead
        }
    }
}

/// What `_enable`/`_disable` put into the return (changes only when set).
struct Toggle {
    result: Option<bool>,
    comment: String,
    changes: Option<Map>,
}

impl Toggle {
    fn apply(self, ret: &mut StateRet) {
        ret.result = self.result;
        ret.comment = self.comment;
        if let Some(c) = self.changes {
            ret.changes = c;
        }
    }

    fn of(result: Option<bool>, comment: String) -> Self {
        Toggle { result, comment, changes: None }
    }
}

fn not_available(name: &str) -> String {
    format!("The named service {name} is not available")
}

/// Salt's `_enable` (`want` true) and `_disable` (`want` false).
fn toggle(call: &StateCall, name: &str, want: bool, started: Started, result: bool) -> Result<Toggle, StateError> {
    let ctx = call.ctx;
    match service::available(ctx, name) {
        Err(e) => return Ok(Toggle::of(Some(false), e.to_string())),
        Ok(false) => return Ok(Toggle::of(Some(!want), not_available(name))),
        Ok(true) => {}
    }
    let word = if want { "enabled" } else { "disabled" };
    let before = service::enabled(ctx, name)?;
    if before == want {
        let (tail, changes) = match started {
            Started::Running => ("is running", None),
            Started::Desired => ("is in the desired state", Some(Map::default())),
            Started::Dead => ("is dead", None),
        };
        let mut t = Toggle::of(Some(result), format!("Service {name} is already {word}, and {tail}"));
        t.changes = changes;
        return Ok(t);
    }
    if call.test {
        return Ok(Toggle::of(None, format!("Service {name} set to be {word}")));
    }
    let outcome = service::set_enabled(ctx, name, want);
    let error = match (outcome, want) {
        (Ok(true), _) => return toggled(call, name, want, before, started, result),
        (Ok(false), _) => None,
        (Err(e), true) => Some(e.to_string()),
        (Err(e), false) => return Err(e.into()),
    };
    Ok(Toggle::of(Some(false), toggle_failed(name, want, started, error)))
}

fn toggled(
    call: &StateCall,
    name: &str,
    want: bool,
    before: bool,
    started: Started,
    result: bool,
) -> Result<Toggle, StateError> {
    let after = service::enabled(call.ctx, name)?;
    let mut changes = Map::default();
    if before != after {
        changes.insert(name.to_string(), Value::Bool(true));
    }
    let tail = match started {
        Started::Running => "is running",
        Started::Desired => "is in the desired state",
        Started::Dead => "is dead",
    };
    let word = if want { "enabled" } else { "disabled" };
    Ok(Toggle {
        result: Some(result),
        comment: format!("Service {name} has been {word}, and {tail}"),
        changes: Some(changes),
    })
}

fn toggle_failed(name: &str, want: bool, started: Started, error: Option<String>) -> String {
    let base = match (want, started) {
        (true, Started::Running) => {
            format!("Failed when setting service {name} to start at boot, but the service is running")
        }
        (true, Started::Desired) => {
            format!("Failed when setting service {name} to start at boot, but the service was already running")
        }
        (true, Started::Dead) => {
            format!("Failed when setting service {name} to start at boot, and the service is dead")
        }
        (false, Started::Running) => format!("Failed when setting service {name} to not start at boot, and is running"),
        (false, Started::Desired) => {
            format!("Failed when setting service {name} to not start at boot, but the service was already running")
        }
        (false, Started::Dead) => {
            format!("Failed when setting service {name} to not start at boot, and the service is dead")
        }
    };
    match error {
        Some(e) if !e.is_empty() => format!("{base}. Additional information follows:\n\n{e}"),
        _ => base,
    }
}

/// Applies `enable` after the service reached (or kept) its state.
fn follow_enable(
    call: &StateCall,
    ret: &mut StateRet,
    a: &Args,
    started: Started,
    result: bool,
) -> Result<(), StateError> {
    if let Some(want) = a.enable {
        toggle(call, &a.name, want, started, result)?.apply(ret);
    }
    Ok(())
}

/// Salt's "already in the state" branch: toggle boot only when it differs.
fn keep_enable(call: &StateCall, ret: &mut StateRet, a: &Args, enabled_now: bool) -> Result<(), StateError> {
    match a.enable {
        Some(want) if want != enabled_now => toggle(call, &a.name, want, Started::Desired, true)?.apply(ret),
        _ => {}
    }
    Ok(())
}

fn typo_error(ret: StateRet, name: &str) -> StateRet {
    ret.error(format!("Service {name} uses non-existent option \"enabled\".  Perhaps \"enable\" option was intended?"))
}

const NO_MASKING: &str = "Service masking not available on this minion";

/// None when the service is available, else the return that ends the state.
fn unavailable(call: &StateCall, a: &Args, verb: &str, absent_ok: bool) -> Option<StateRet> {
    let ret = StateRet::new(call.arg("name").clone());
    match service::available(call.ctx, &a.name) {
        Err(e) => Some(ret.error(e.to_string())),
        Ok(true) => None,
        Ok(false) if call.test => Some(ret.with_result(None).with_comment(format!(
            "Service {} not present; if created in this state run, it would have been {verb}",
            a.name
        ))),
        Ok(false) => Some(ret.with_result(Some(absent_ok)).with_comment(not_available(&a.name))),
    }
}

fn wait(a: &Args) {
    if let Some((secs, _)) = &a.init_delay {
        std::thread::sleep(Duration::try_from_secs_f64(*secs).unwrap_or_default());
    }
}

/// Records `{name: running}` when the run or boot status moved.
fn note_change(ret: &mut StateRet, name: &str, before: (bool, bool), after: (bool, bool)) {
    if before != after && ret.changes.is_empty() {
        ret.changes.insert(name.to_string(), Value::Bool(after.0));
    }
}

fn running(call: &StateCall) -> Result<StateRet, StateError> {
    let a = parse(call)?;
    let mut ret = StateRet::new(call.arg("name").clone());
    if a.enabled_typo {
        return Ok(typo_error(ret, &a.name));
    }
    if let Some(done) = unavailable(call, &a, "started", false) {
        return Ok(done);
    }
    let ctx = call.ctx;
    let before = (service::is_running(ctx, &a.name, a.sig.as_deref())?, service::enabled(ctx, &a.name)?);
    let unmask_note = if a.unmask { Some(NO_MASKING) } else { None };
    if before.0 {
        let head = format!("The service {} is already running", a.name);
        ret.comment = [Some(head.as_str()), unmask_note].into_iter().flatten().collect::<Vec<_>>().join("\n");
        keep_enable(call, &mut ret, &a, before.1)?;
        return Ok(ret);
    }
    if call.test {
        let head = format!("Service {} is set to start", a.name);
        let comment = [Some(head.as_str()), unmask_note].into_iter().flatten().collect::<Vec<_>>().join("\n");
        return Ok(ret.with_result(None).with_comment(comment));
    }
    start_and_report(call, ret, &a, before)
}

fn start_and_report(
    call: &StateCall,
    mut ret: StateRet,
    a: &Args,
    before: (bool, bool),
) -> Result<StateRet, StateError> {
    let ctx = call.ctx;
    match service::control(ctx, &a.name, Action::Start) {
        Err(e) => return Ok(ret.error(e.to_string())),
        Ok(false) => {
            ret = ret.error(format!("Service {} failed to start", a.name));
            follow_enable(call, &mut ret, a, Started::Dead, false)?;
            return Ok(ret);
        }
        Ok(true) => {}
    }
    wait(a);
    let after = (service::is_running(ctx, &a.name, a.sig.as_deref())?, service::enabled(ctx, &a.name)?);
    note_change(&mut ret, &a.name, before, after);
    ret = if after.0 {
        ret.with_comment(format!("Started service {}", a.name))
    } else {
        ret.error(format!("Service {} failed to start", a.name))
    };
    follow_enable(call, &mut ret, a, Started::of(after.0), after.0)?;
    if let Some((_, text)) = &a.init_delay {
        ret.comment = format!("{}\nDelayed return for {text} seconds", ret.comment);
    }
    if a.unmask {
        ret.comment = format!("{}\n{NO_MASKING}", ret.comment);
    }
    Ok(ret)
}

fn dead(call: &StateCall) -> Result<StateRet, StateError> {
    let a = parse(call)?;
    let mut ret = StateRet::new(call.arg("name").clone());
    if a.enabled_typo {
        return Ok(typo_error(ret, &a.name));
    }
    if let Some(done) = unavailable(call, &a, "stopped", true) {
        return Ok(done);
    }
    let ctx = call.ctx;
    let before = (service::is_running(ctx, &a.name, a.sig.as_deref())?, service::enabled(ctx, &a.name)?);
    if !before.0 {
        ret.comment = format!("The service {} is already dead", a.name);
        keep_enable(call, &mut ret, &a, before.1)?;
        return Ok(ret);
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Service {} is set to be killed", a.name)));
    }
    if !service::control(ctx, &a.name, Action::Stop)? {
        ret = ret.error(format!("Service {} failed to die", a.name));
        follow_enable(call, &mut ret, &a, Started::Running, false)?;
        return Ok(ret);
    }
    wait(&a);
    let after = (service::is_running(ctx, &a.name, None)?, service::enabled(ctx, &a.name)?);
    note_change(&mut ret, &a.name, before, after);
    ret = if after.0 {
        ret.error(format!("Service {} failed to die", a.name))
    } else {
        ret.with_comment(format!("Service {} was killed", a.name))
    };
    follow_enable(call, &mut ret, &a, Started::of(after.0), !after.0)?;
    Ok(ret)
}

fn enabled(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let mut ret = StateRet::new(call.arg("name").clone());
    toggle(call, &name, true, Started::Desired, true)?.apply(&mut ret);
    if call.test && ret.comment == not_available(&name) {
        return Ok(ret.with_result(None).with_comment(format!(
            "Service {name} not present; if created in this state run, it would have been enabled"
        )));
    }
    Ok(ret)
}

fn disabled(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let mut ret = StateRet::new(call.arg("name").clone());
    toggle(call, &name, false, Started::Desired, true)?.apply(&mut ret);
    Ok(ret)
}

/// What `mod_watch` does to a service, with Salt's verb and participle.
fn watch_action(call: &StateCall, a: &Args) -> Result<Option<(Action, &'static str, &'static str)>, ModuleError> {
    let running = service::is_running(call.ctx, &a.name, a.sig.as_deref())?;
    let (reload, force) = (flag(call.args, "reload", false), flag(call.args, "force", false));
    Ok(match (call.arg("sfun").py_str().as_str(), running) {
        ("dead", true) => Some((Action::Stop, "stop", "stopped")),
        ("dead", false) => None,
        ("running", true) if reload && force => Some((Action::ForceReload, "forcefully reload", "forcefully reloaded")),
        ("running", true) if reload => Some((Action::Reload, "reload", "reloaded")),
        ("running", true) => Some((Action::Restart, "restart", "restarted")),
        ("running", false) => Some((Action::Start, "start", "started")),
        _ => None,
    })
}

/// Salt's `service.mod_watch`: restart (or reload, or start) a running
/// service, stop a dead one, when a watched state changed.
fn mod_watch(call: &StateCall) -> Result<StateRet, StateError> {
    let a = parse(call)?;
    let ret = StateRet::new(call.arg("name").clone());
    let sfun = call.arg("sfun").py_str();
    if sfun != "dead" && sfun != "running" {
        return Ok(ret.error(format!("Unable to trigger watch for service.{sfun}")));
    }
    let Some((action, verb, past)) = watch_action(call, &a)? else {
        return Ok(ret.with_comment("Service is already stopped"));
    };
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Service is set to be {past}")));
    }
    if action == Action::Start {
        service::control(call.ctx, &a.name, Action::Stop)?;
    }
    let done = match service::control(call.ctx, &a.name, action) {
        Ok(done) => done,
        Err(e) => return Ok(ret.error(e.to_string())),
    };
    wait(&a);
    let mut ret = ret.with_result(Some(done));
    ret.changes.insert(a.name.clone(), Value::Bool(done));
    ret.comment = if done { format!("Service {past}") } else { format!("Failed to {verb} the service") };
    Ok(ret)
}
