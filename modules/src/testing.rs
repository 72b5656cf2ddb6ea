//! Test support for the execution modules: a [`ProcessRunner`] that answers
//! from a closure instead of running anything and records every command
//! asked of it, so backends are checked on the exact argv and environment
//! they would run, with recorded output.
//!
//! Compiled for tests only; it must never run a real process.

use std::sync::Mutex;

use crate::process::{ProcOutput, ProcSpec, ProcessRunner};
use crate::ModuleError;

type Reply = Box<dyn Fn(&[String]) -> ProcOutput + Send + Sync>;

/// A runner replaying recorded output.
pub struct Recorded {
    reply: Reply,
    pub log: Mutex<Vec<ProcSpec>>,
}

impl Recorded {
    pub fn new(reply: impl Fn(&[String]) -> ProcOutput + Send + Sync + 'static) -> Self {
        Recorded { reply: Box::new(reply), log: Mutex::new(Vec::new()) }
    }

    /// The argv of every command run so far, joined with spaces.
    pub fn commands(&self) -> Vec<String> {
        self.log.lock().map(|l| l.iter().map(|s| s.argv.join(" ")).collect()).unwrap_or_default()
    }

    /// The environment value `key` of the `index`-th command.
    pub fn env_of(&self, index: usize, key: &str) -> Option<String> {
        let log = self.log.lock().ok()?;
        log.get(index)?.env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

impl ProcessRunner for Recorded {
    fn run(&self, spec: &ProcSpec) -> Result<ProcOutput, ModuleError> {
        if let Ok(mut log) = self.log.lock() {
            log.push(spec.clone());
        }
        Ok((self.reply)(&spec.argv))
    }
}

/// A finished process with this return code and output.
pub fn output(returncode: i64, stdout: &str, stderr: &str) -> ProcOutput {
    ProcOutput {
        pid: 1,
        returncode,
        stdout: stdout.as_bytes().to_vec(),
        stderr: stderr.as_bytes().to_vec(),
        timed_out: false,
    }
}
