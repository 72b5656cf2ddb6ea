//! The `service` execution module (start, stop, restart, reload,
//! force_reload, status, enable, disable, enabled, disabled, available,
//! missing, get_all, get_enabled, get_disabled) over a [`ServiceBackend`]
//! picked at run time: systemd when it is PID 1 (`/run/systemd/system`
//! exists), else Debian's sysvinit scripts; tests substitute either.
//!
//! It answers with Salt's booleans and errors; it must not decide what a
//! state reports.

mod systemd;
mod sysvinit;

use std::path::Path;

use brine_common::Value;

pub use systemd::Systemd;
pub use sysvinit::SysvInit;

use crate::args::{opt, req, ArgDefault, Signature};
use crate::cmd::{self, RunArgs, RunResult};
use crate::fnmatch::{fnmatch, has_magic};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// What can be asked of an init system's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Restart,
    Reload,
    ForceReload,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Restart => "restart",
            Action::Reload => "reload",
            Action::ForceReload => "force-reload",
        }
    }
}

/// An init system. Implementations run one command per call (or read the
/// filesystem) and must not panic on any name.
pub trait ServiceBackend {
    /// Runs the action; Ok(false) when it failed quietly, Err with the
    /// tool's message when the init system explains the failure.
    fn control(&self, ctx: &Ctx, name: &str, action: Action) -> Result<bool, ModuleError>;
    /// Whether the service runs now.
    fn status(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError>;
    /// Makes the service start (or not) at boot.
    fn set_enabled(&self, ctx: &Ctx, name: &str, enable: bool) -> Result<bool, ModuleError>;
    /// Whether the service starts at boot.
    fn enabled(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError>;
    /// Whether the init system knows the service.
    fn available(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError>;
    /// Every service the init system knows, sorted.
    fn get_all(&self, ctx: &Ctx) -> Result<Vec<String>, ModuleError>;
    /// The services that start at boot, sorted.
    fn get_enabled(&self, ctx: &Ctx) -> Result<Vec<String>, ModuleError>;
}

static SYSTEMD: Systemd = Systemd;
static SYSVINIT: SysvInit = SysvInit::system();

/// Whether systemd is the running init (Salt's `salt.utils.systemd.booted`).
pub fn systemd_booted() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

/// The backend of this run: the caller's, else systemd or sysvinit.
pub fn backend<'c>(ctx: &'c Ctx) -> &'c dyn ServiceBackend {
    match ctx.backends.service {
        Some(b) => b,
        None if systemd_booted() => &SYSTEMD,
        None => &SYSVINIT,
    }
}

/// Runs a tool for a backend, as Salt's `cmd.run_all(..., python_shell=False)`.
fn run(ctx: &Ctx, argv: Vec<String>) -> Result<RunResult, ModuleError> {
    cmd::run_all(&RunArgs::argv(argv, ctx), ctx)
}

/// Salt's `status.pid`: whether a process other than this one has `sig` in its command line.
fn signature_running(sig: &str) -> bool {
    let own = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().any(|e| {
        let pid = e.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == own {
            return false;
        }
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        text.contains(sig)
    })
}

/// Salt's `service.status`: with `sig`, a matching process; a glob gives
/// one answer per matching service.
pub fn status(ctx: &Ctx, name: &str, sig: Option<&str>) -> Result<Value, ModuleError> {
    if let Some(sig) = sig.filter(|s| !s.is_empty()) {
        return Ok(Value::Bool(signature_running(sig)));
    }
    if !has_magic(name) {
        return Ok(Value::Bool(backend(ctx).status(ctx, name)?));
    }
    let mut out = brine_common::Map::default();
    for svc in backend(ctx).get_all(ctx)?.into_iter().filter(|s| fnmatch(s, name)) {
        let running = backend(ctx).status(ctx, &svc)?;
        out.insert(svc, Value::Bool(running));
    }
    Ok(Value::Map(out))
}

/// Whether the service runs (a glob counts as running when all match).
pub fn is_running(ctx: &Ctx, name: &str, sig: Option<&str>) -> Result<bool, ModuleError> {
    Ok(match status(ctx, name, sig)? {
        Value::Map(m) => !m.is_empty() && m.values().all(Value::truthy),
        v => v.truthy(),
    })
}

/// Runs an action on the service.
pub fn control(ctx: &Ctx, name: &str, action: Action) -> Result<bool, ModuleError> {
    backend(ctx).control(ctx, name, action)
}

/// Enables or disables the service at boot.
pub fn set_enabled(ctx: &Ctx, name: &str, enable: bool) -> Result<bool, ModuleError> {
    backend(ctx).set_enabled(ctx, name, enable)
}

pub fn enabled(ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
    backend(ctx).enabled(ctx, name)
}

pub fn available(ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
    backend(ctx).available(ctx, name)
}

const NAME: Signature = Signature { params: &[req("name")], varargs: None, kwargs: false };
const NAME_KW: Signature = Signature { params: &[req("name")], varargs: None, kwargs: true };
const NONE: Signature = Signature { params: &[], varargs: None, kwargs: false };

pub const MODULE: Module = Module {
    name: "service",
    functions: &[
        Function { name: "start", sig: NAME_KW, run: start_fn },
        Function { name: "stop", sig: NAME_KW, run: stop_fn },
        Function { name: "restart", sig: NAME_KW, run: restart_fn },
        Function { name: "reload", sig: NAME_KW, run: reload_fn },
        Function { name: "force_reload", sig: NAME_KW, run: force_reload_fn },
        Function {
            name: "status",
            sig: Signature { params: &[req("name"), opt("sig", ArgDefault::None)], varargs: None, kwargs: false },
            run: status_fn,
        },
        Function { name: "enable", sig: NAME_KW, run: enable_fn },
        Function { name: "disable", sig: NAME_KW, run: disable_fn },
        Function { name: "enabled", sig: NAME_KW, run: enabled_fn },
        Function { name: "disabled", sig: NAME, run: disabled_fn },
        Function { name: "available", sig: NAME, run: available_fn },
        Function { name: "missing", sig: NAME, run: missing_fn },
        Function { name: "get_all", sig: NONE, run: get_all_fn },
        Function { name: "get_enabled", sig: NONE, run: get_enabled_fn },
        Function { name: "get_disabled", sig: NONE, run: get_disabled_fn },
    ],
};

fn action_fn(b: &Bound, ctx: &Ctx, action: Action) -> Result<Value, ModuleError> {
    Ok(Value::Bool(control(ctx, &b.str("name")?, action)?))
}

fn start_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    action_fn(b, ctx, Action::Start)
}

fn stop_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    action_fn(b, ctx, Action::Stop)
}

fn restart_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    action_fn(b, ctx, Action::Restart)
}

fn reload_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    action_fn(b, ctx, Action::Reload)
}

fn force_reload_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    action_fn(b, ctx, Action::ForceReload)
}

fn status_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    status(ctx, &b.str("name")?, b.opt_str("sig").as_deref())
}

fn enable_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(set_enabled(ctx, &b.str("name")?, true)?))
}

fn disable_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(set_enabled(ctx, &b.str("name")?, false)?))
}

fn enabled_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(enabled(ctx, &b.str("name")?)?))
}

fn disabled_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let name = b.str("name")?;
    Ok(Value::Bool(available(ctx, &name)? && !enabled(ctx, &name)?))
}

fn available_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(available(ctx, &b.str("name")?)?))
}

fn missing_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(!available(ctx, &b.str("name")?)?))
}

fn names(list: Vec<String>) -> Value {
    Value::List(list.into_iter().map(Value::Str).collect())
}

fn get_all_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(names(backend(ctx).get_all(ctx)?))
}

fn get_enabled_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(names(backend(ctx).get_enabled(ctx)?))
}

fn get_disabled_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let on = backend(ctx).get_enabled(ctx)?;
    Ok(names(backend(ctx).get_all(ctx)?.into_iter().filter(|s| !on.contains(s)).collect()))
}

#[cfg(test)]
mod tests;
