//! brine-modules: the execution modules (`test.ping`, `cmd.run_all`,
//! `file.get_hash`, ...) and the OS backends they sit on.
//!
//! One execution module per file, all registered in the single [`MODULES`]
//! table; [`call`] looks a function up by its dotted name and binds arguments
//! the way Python would, so `module.run`, `unless`/`onlyif` and later
//! `salt 'x' mod.fun` share one entry point. Typed Rust functions (for example
//! [`cmd::run_all`], [`file::stats`]) are public too, for the state modules.
//!
//! It must not know about state modules, the requisite runtime or where files
//! come from (no `salt://` here): state modules call into this crate, never the
//! reverse.

pub mod accounts;
pub mod args;
pub mod cmd;
pub mod cp;
pub mod difflib;
pub mod drbd;
pub mod file;
pub mod fnmatch;
pub mod group;
pub mod job;
pub mod logmod;
pub mod lvm;
pub mod mysql;
pub mod network;
pub mod nginx;
pub mod pcs;
pub mod pip;
pub mod pkg;
pub mod process;
pub mod pyre;
pub mod saltutil;
pub mod service;
pub mod shlex;
pub mod status;
pub mod sys;
pub mod sysmod;
pub mod test;
#[cfg(test)]
mod testing;
pub mod user;

use std::cell::{Cell, RefCell};

use brine_common::{Map, Value};

pub use args::{ArgDefault, Bound, Param, Signature};
pub use process::{ProcessRunner, SystemRunner};

/// Why an execution module call failed, mirroring Salt's exception classes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModuleError {
    /// The function does not exist (Salt: "'x.y' is not available.").
    #[error("'{0}' is not available.")]
    NotAvailable(String),
    /// Bad arguments (Salt's `SaltInvocationError` or a Python `TypeError`).
    #[error("{0}")]
    Invocation(String),
    /// The function ran and failed (Salt's `CommandExecutionError`).
    #[error("{0}")]
    Execution(String),
}

/// What an execution module may read from its caller: configuration, grains,
/// pillar, the process backend, Salt's `__context__` (the return code of the
/// last command and values cached for one run) and the OS backends.
pub struct Ctx<'a> {
    pub opts: &'a Map,
    pub grains: &'a Map,
    pub pillar: &'a Map,
    pub runner: &'a dyn ProcessRunner,
    /// The return code of the last command run (Salt's `__context__["retcode"]`).
    pub retcode: Cell<i64>,
    /// Values cached for the length of one run (Salt's `__context__`).
    pub context: RunContext,
    /// Backends chosen by the caller; `None` picks the real one at run time.
    pub backends: Backends<'a>,
}

/// Salt's `__context__` for one run: what is worth asking the system only
/// once (the package list: one `dpkg-query` for all the states of a run).
#[derive(Debug, Default)]
pub struct RunContext {
    /// `pkg.list_pkgs` (Salt's `__context__["pkg.list_pkgs"]`); dropped
    /// whenever packages change.
    pub pkg_list: RefCell<Option<pkg::PkgDb>>,
}

/// OS backends a caller (a test) may substitute for the real ones.
#[derive(Clone, Copy, Default)]
pub struct Backends<'a> {
    pub pkg: Option<&'a dyn pkg::PkgBackend>,
    pub service: Option<&'a dyn service::ServiceBackend>,
    /// The minion's file client for `salt://` (cp, pip requirements).
    pub files: Option<&'a dyn cp::FileSource>,
    pub accounts: Option<&'a dyn accounts::Accounts>,
}

impl<'a> Ctx<'a> {
    pub fn new(opts: &'a Map, grains: &'a Map, pillar: &'a Map, runner: &'a dyn ProcessRunner) -> Self {
        Ctx {
            opts,
            grains,
            pillar,
            runner,
            retcode: Cell::new(0),
            context: RunContext::default(),
            backends: Backends::default(),
        }
    }

    /// The same context with `backends` in place of the real ones.
    pub fn with_backends(mut self, backends: Backends<'a>) -> Self {
        self.backends = backends;
        self
    }

    /// The shell commands run with: grain `shell`, else `$SHELL`, else `/bin/sh`.
    pub fn shell(&self) -> String {
        if let Some(s) = self.grains.get("shell").and_then(Value::as_str) {
            return s.to_string();
        }
        std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".to_string())
    }
}

/// One execution module function: its Python-style signature and its body.
pub struct Function {
    pub name: &'static str,
    pub sig: Signature,
    pub run: fn(&Bound, &Ctx) -> Result<Value, ModuleError>,
}

/// One execution module: its name and functions.
pub struct Module {
    pub name: &'static str,
    pub functions: &'static [Function],
}

/// Every execution module brine has. Add new modules here, nowhere else.
pub const MODULES: &[Module] = &[
    test::MODULE,
    cmd::MODULE,
    file::MODULE,
    pkg::MODULE,
    service::MODULE,
    pip::MODULE,
    cp::MODULE,
    user::MODULE,
    group::MODULE,
    network::MODULE,
    nginx::MODULE,
    pcs::MODULE,
    lvm::MODULE,
    drbd::MODULE,
    mysql::MODULE,
    saltutil::MODULE,
    sysmod::MODULE,
    logmod::MODULE,
    status::MODULE,
];

/// The function registered as `mod.fun`, if any.
pub fn lookup(full: &str) -> Option<&'static Function> {
    let (module, fun) = full.split_once('.')?;
    MODULES.iter().find(|m| m.name == module)?.functions.iter().find(|f| f.name == fun)
}

/// Whether `mod.fun` exists (Salt: `'mod.fun' in __salt__`).
pub fn exists(full: &str) -> bool {
    lookup(full).is_some()
}

/// Calls `mod.fun` with positional `args` and keyword `kwargs`, binding them
/// as Python would (missing or unexpected arguments are `Invocation` errors).
pub fn call(name: &str, args: &[Value], kwargs: &Map, ctx: &Ctx) -> Result<Value, ModuleError> {
    let function = lookup(name).ok_or_else(|| ModuleError::NotAvailable(name.to_string()))?;
    let bound = function.sig.bind(function.name, args, kwargs)?;
    (function.run)(&bound, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_registered_functions_only() {
        assert!(exists("test.ping"));
        assert!(exists("cmd.run_all"));
        assert!(exists("file.file_exists"));
        assert!(!exists("test.nope"));
        assert!(!exists("nomodule"));
    }

    #[test]
    fn call_reports_unknown_functions() {
        let empty = Map::default();
        let runner = SystemRunner;
        let ctx = Ctx::new(&empty, &empty, &empty, &runner);
        let err = call("nope.fun", &[], &empty, &ctx).unwrap_err();
        assert_eq!(err.to_string(), "'nope.fun' is not available.");
    }
}
