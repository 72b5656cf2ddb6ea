//! The `pkg` state module: installed, latest, removed, purged and
//! mod_watch, with Salt's targets, changes `{pkg: {old, new}}`, comments and
//! test-mode predictions (one function family per file under `pkg/`).
//!
//! Packages are read and changed only through `brine_modules::pkg` (its
//! backend is apt/dpkg, or a recorded one in tests); a state never runs
//! apt itself. It must not refresh the package lists in test mode.

mod installed;
mod latest;
mod removed;
#[cfg(test)]
mod tests;

use brine_common::{Map, Value};
use brine_modules::pkg::{self, PkgError};

use super::parse::{flag, opt_str};
use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "pkg",
    functions: &[
        kw_fn("installed", installed::installed),
        kw_fn("latest", latest::latest),
        kw_fn("removed", removed::removed),
        kw_fn("purged", removed::purged),
        kw_fn("mod_watch", mod_watch),
    ],
};

const fn kw_fn(name: &'static str, run: super::StateFn) -> StateFunction {
    StateFunction { name, required: &["name"], optional: &[], kwargs: true, run }
}

/// Salt's `_get_desired_pkg`: `name=version`, or `name>=version` when the
/// version carries its own operator.
fn desired_pkg(name: &str, version: Option<&str>) -> String {
    match version.filter(|v| !v.is_empty()) {
        None => name.to_string(),
        Some(v) if v.starts_with(['<', '>', '=']) => format!("{name}{v}"),
        Some(v) => format!("{name}={v}"),
    }
}

/// `{new, old}` in the order Salt's `_get_installable_versions` builds it.
fn new_old(new: &str, old: &str) -> Value {
    let mut m = Map::default();
    m.insert("new".into(), Value::str(new));
    m.insert("old".into(), Value::str(old));
    Value::Map(m)
}

/// A failure return built from a package error, as Salt's states do with a
/// `CommandExecutionError`: its changes kept, its message without them.
fn failed(name: Value, err: &PkgError, doing: &str) -> StateRet {
    let mut ret = StateRet::new(name);
    match err {
        PkgError::Commands { .. } => {
            ret.changes = err.changes();
            ret.error(err.without_changes())
        }
        PkgError::Module(e) => ret.error(format!("An error was encountered while {doing} package(s): {e}")),
    }
}

/// The saltenv-independent arguments every pkg state reads.
struct Common {
    name: String,
    version: Option<String>,
    pkgs: Option<Value>,
    refresh: bool,
    fromrepo: Option<String>,
    skip_verify: bool,
    normalize: bool,
    ignore_epoch: Option<bool>,
}

fn parse_common(call: &StateCall) -> Common {
    let args = call.args;
    Common {
        name: call.name(),
        version: opt_str(args, "version").filter(|v| !v.is_empty()),
        pkgs: args.get("pkgs").filter(|p| !p.is_null()).cloned(),
        refresh: flag(args, "refresh", false),
        fromrepo: opt_str(args, "fromrepo").filter(|r| !r.is_empty()),
        skip_verify: flag(args, "skip_verify", false),
        normalize: flag(args, "normalize", true),
        ignore_epoch: args.get("ignore_epoch").filter(|v| !v.is_null()).map(Value::truthy),
    }
}

/// Whether `pkgs` was given as an empty list.
fn empty_pkgs(pkgs: &Option<Value>) -> bool {
    matches!(pkgs, Some(Value::List(l)) if l.is_empty())
}

/// The installed versions (purge-wanted included), or the error to report.
fn current_versions(call: &StateCall) -> Result<pkg::Versions, String> {
    pkg::package_db(call.ctx).map(|db| db.current()).map_err(|e| e.to_string())
}

fn mod_watch(call: &StateCall) -> Result<StateRet, StateError> {
    match call.arg("sfun").py_str().as_str() {
        "installed" => installed::installed(call),
        "latest" => latest::latest(call),
        "removed" => removed::removed(call),
        "purged" => removed::purged(call),
        other => Ok(StateRet::new(call.arg("name").clone())
            .error(format!("pkg.{other} does not work with the watch requisite"))),
    }
}
