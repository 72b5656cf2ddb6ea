//! Messages on the master's local CLI socket (`salt`, `salt-run`).
//!
//! The CLI sends one [`CliRequest`]; the master answers with a stream of
//! [`CliEvent`]s ending with [`CliEvent::Done`], [`CliEvent::RunnerResult`]
//! or [`CliEvent::Error`].
//!
//! It must not decide how anything is printed: the CLIs own their output.

use serde::{Deserialize, Serialize};

use super::json;
use super::session::JobReturn;
use crate::{Map, Value};

/// What a CLI asks the master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CliRequest {
    /// Publish a job to the minions matching a target.
    Publish(PublishRequest),
    /// Run a runner function (`jobs.list_jobs`, `manage.up`, ...) in the master.
    Runner {
        fun: String,
        #[serde(with = "json::list")]
        arg: Vec<Value>,
        #[serde(with = "json::map")]
        kwarg: Map,
    },
}

/// `salt TGT FUN ARGS` as the master needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    #[serde(with = "json::value")]
    pub tgt: Value,
    pub tgt_type: String,
    pub fun: String,
    #[serde(with = "json::list")]
    pub arg: Vec<Value>,
    #[serde(with = "json::map")]
    pub kwarg: Map,
    pub delimiter: String,
    /// Seconds to wait for returns before asking the minions whether they still run the job.
    pub timeout: u64,
    /// `false` for `--async`: answer with the jid and return at once.
    pub wait: bool,
}

/// Why a targeted minion did not return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    NotConnected,
    NoResponse,
}

/// What the master streams back to a CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CliEvent {
    /// The job went out: its jid and the minions expected to return.
    Published { jid: String, minions: Vec<String> },
    Return(JobReturn),
    /// A targeted minion that did not return, and why.
    NoReturn { id: String, reason: Missing },
    /// Every expected minion returned or was given up on.
    Done,
    RunnerResult {
        #[serde(rename = "return", with = "json::value")]
        ret: Value,
        retcode: i32,
    },
    Error { message: String },
}
