//! Test support for the state modules: a [`Host`] with no files and a way
//! to call one state function with JSON arguments, test mode on or off,
//! against an execution-module context whose backends the test chose.
//!
//! Compiled for tests only; it must not reach outside the test's backends.

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_modules::Ctx;

use super::{StateCall, StateFn, StateRet, WatchReqs};
use crate::runtime::Host;

/// A host with empty options, grains and pillar and no files.
pub struct TestHost(Map);

impl TestHost {
    pub fn new() -> Self {
        TestHost(Map::default())
    }
}

impl Host for TestHost {
    fn opts(&self) -> &Map {
        &self.0
    }
    fn grains(&self) -> &Map {
        &self.0
    }
    fn pillar(&self) -> &Map {
        &self.0
    }
    fn cache_file(&self, url: &str, _: &str) -> Result<PathBuf, String> {
        Err(format!("{url} not found"))
    }
    fn render_template(&self, _: &str, text: &str, _: &str, _: &Map, _: &str, _: &str) -> Result<String, String> {
        Ok(text.to_string())
    }
    fn cachedir(&self) -> PathBuf {
        std::env::temp_dir()
    }
}

/// Runs `fun` with `args` (a JSON object) as a state run would.
pub fn run(fun: StateFn, args: serde_json::Value, test: bool, ctx: &Ctx) -> StateRet {
    run_watch(fun, args, test, ctx, None)
}

/// Runs `fun` as a `mod_watch` call with the given requisites.
pub fn run_watch(fun: StateFn, args: serde_json::Value, test: bool, ctx: &Ctx, reqs: Option<&WatchReqs>) -> StateRet {
    let args = Value::from_json(&args).as_map().cloned().unwrap_or_default();
    let host = TestHost::new();
    let running = crate::mods::Running::default();
    let call = StateCall {
        args: &args,
        low: &args,
        test,
        saltenv: "base",
        host: &host,
        ctx,
        running: &running,
        lowstate: &[],
        reqs,
        readings: None,
    };
    match fun(&call) {
        Ok(ret) => ret,
        Err(e) => StateRet::new(args.get("name").cloned().unwrap_or(Value::Null)).error(format!("exception: {e}")),
    }
}

/// The return as JSON, for comparing with reference Salt's output.
pub fn json(ret: &StateRet) -> serde_json::Value {
    Value::Map(ret.clone().into_map()).to_json()
}

/// Result, comment and changes of a return, for compact assertions.
#[derive(Debug, Clone, PartialEq)]
pub struct StateOutcome {
    pub result: Option<bool>,
    pub comment: String,
    pub changes: serde_json::Value,
}

impl StateOutcome {
    pub fn new(result: Option<bool>, comment: &str, changes: serde_json::Value) -> Self {
        StateOutcome { result, comment: comment.to_string(), changes }
    }

    pub fn of(ret: &StateRet) -> Self {
        StateOutcome {
            result: ret.result,
            comment: ret.comment.clone(),
            changes: Value::Map(ret.changes.clone()).to_json(),
        }
    }
}

type Reply = Box<dyn Fn(&[String]) -> brine_modules::process::ProcOutput + Send + Sync>;

/// A process runner that answers from a closure instead of running
/// anything, and records each command it was asked to run.
pub struct Recorded {
    reply: Reply,
    log: std::sync::Mutex<Vec<String>>,
}

impl Recorded {
    pub fn new(reply: impl Fn(&[String]) -> brine_modules::process::ProcOutput + Send + Sync + 'static) -> Self {
        Recorded { reply: Box::new(reply), log: std::sync::Mutex::new(Vec::new()) }
    }

    /// The argv of every command run so far, joined with spaces.
    pub fn commands(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl brine_modules::ProcessRunner for Recorded {
    fn run(
        &self,
        spec: &brine_modules::process::ProcSpec,
    ) -> Result<brine_modules::process::ProcOutput, brine_modules::ModuleError> {
        if let Ok(mut log) = self.log.lock() {
            log.push(spec.argv.join(" "));
        }
        Ok((self.reply)(&spec.argv))
    }
}

/// A finished process with this return code and output.
pub fn output(returncode: i64, stdout: &str, stderr: &str) -> brine_modules::process::ProcOutput {
    brine_modules::process::ProcOutput {
        pid: 1,
        returncode,
        stdout: stdout.as_bytes().to_vec(),
        stderr: stderr.as_bytes().to_vec(),
        timed_out: false,
    }
}
