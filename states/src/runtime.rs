//! The requisite runtime: executes compiled low chunks the way Salt 3007's
//! `State.call_chunks` / `call_chunk` / `check_requisite` / `call_listen` do,
//! and returns the state returns keyed `<state>_|-<id>_|-<name>_|-<fun>`.
//!
//! Input is the low chunks exactly as `state.show_lowstate` prints them (in
//! Salt's sorted order, `require_in`/`watch_in` already folded by the
//! compiler). Everything the runtime needs from outside comes through
//! [`Host`]. It must not render SLS, compile high data or print anything;
//! state functions live in [`crate::mods`].

mod call;
mod checks;
mod cycles;
mod engine;
mod fnmatch;
mod listen;
mod requisites;

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_modules::{ProcessRunner, SystemRunner};

pub use fnmatch::fnmatch;

/// What the runtime needs from its caller (salt-call, the minion, tests).
pub trait Host {
    /// Minion options (`failhard`, `disabled_requisites`, `backup_mode`, ...).
    fn opts(&self) -> &Map;
    fn grains(&self) -> &Map;
    fn pillar(&self) -> &Map;
    /// A local copy of `url` (`salt://...`); local paths are returned as they are.
    fn cache_file(&self, url: &str, saltenv: &str) -> Result<PathBuf, String>;
    /// Renders `text` with the template engine `kind` (`"jinja"`), the given
    /// context merged over the usual template globals.
    fn render_template(
        &self,
        kind: &str,
        text: &str,
        name: &str,
        context: &Map,
        saltenv: &str,
        sls: &str,
    ) -> Result<String, String>;
    /// The minion cache directory (backups go to `<cachedir>/file_backup`).
    fn cachedir(&self) -> PathBuf;
}

/// Options of one run.
pub struct RunOptions<'a> {
    /// `test=True`: plan and report, change nothing.
    pub test: bool,
    /// The process backend commands run through.
    pub runner: &'a dyn ProcessRunner,
}

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions { test: false, runner: &SystemRunner }
    }
}

/// Salt's `_gen_tag`: `<state>_|-<__id__>_|-<name>_|-<fun>`.
pub fn gen_tag(low: &Map) -> String {
    let part = |k: &str| low.get(k).map(Value::py_str).unwrap_or_default();
    format!("{}_|-{}_|-{}_|-{}", part("state"), part("__id__"), part("name"), part("fun"))
}

/// Runs the low chunks; `Err` holds run-level errors (a requisite cycle,
/// invalid keyword arguments) that salt-call prints as a list (retcode 1).
pub fn run(chunks: Vec<Value>, host: &dyn Host, test: bool) -> Result<Map, Vec<String>> {
    run_with(chunks, host, &RunOptions { test, ..RunOptions::default() })
}

/// [`run`] with explicit options.
pub fn run_with(chunks: Vec<Value>, host: &dyn Host, options: &RunOptions) -> Result<Map, Vec<String>> {
    let lows = to_lows(chunks)?;
    let cycle_errors = cycles::recursive_requisites(&lows);
    if !cycle_errors.is_empty() {
        return Err(cycle_errors);
    }
    let ctx = brine_modules::Ctx::new(host.opts(), host.grains(), host.pillar(), options.runner);
    let mut engine = engine::Engine::new(host, &ctx, options.test, lows);
    let running = engine.run_all().map_err(|e| vec![e.to_string()])?;
    Ok(running.into_iter().map(|(k, v)| (k, Value::Map(v))).collect())
}

fn to_lows(chunks: Vec<Value>) -> Result<Vec<Map>, Vec<String>> {
    chunks
        .into_iter()
        .map(|c| match c {
            Value::Map(m) => Ok(m),
            other => Err(vec![format!("Low data is not a dictionary: {}", other.py_repr())]),
        })
        .collect()
}

/// A run-level failure: Salt raises these out of the whole state run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// `format_call` rejected the arguments of a state without `**kwargs`.
    #[error("Passed invalid arguments: {0}.")]
    InvalidArguments(String),
    /// A requisite value that cannot be matched (Salt's SaltRenderError).
    #[error("{0}")]
    Render(String),
}
