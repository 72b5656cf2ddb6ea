//! The `saltutil` functions that need the minion daemon: the jobs it runs
//! (`running`, `find_job`, `kill_job`, `term_job`), `refresh_pillar` and the
//! `sync_*` family (nothing to sync: brine has no custom Python modules).
//!
//! Jobs run as threads of the minion, not as processes. `kill_job` (SIGKILL)
//! and `term_job` (SIGTERM) stop one as Salt's kill of the job process does:
//! the job is marked killed, so it leaves `running` and its return is never
//! sent (as a killed Salt job sends none); the signal goes at once to the
//! process group of every command the job is running (the command and its
//! children), and any command it starts later is killed as it starts; a state
//! run starts no further state. The thread then returns early on its own
//! (see `brine_modules::job`). Work that runs no command (a long Jinja render,
//! a file download) is not interrupted: it runs to its end, unseen.
//! It must not signal the minion's own process.

use std::sync::Arc;

use brine_common::wire::{Job, Request};
use brine_common::{Map, Value};
use brine_modules::job::Signal;

use super::Minion;

/// The module kinds `sync_all` reports for a minion with a remote file client.
const SYNC_KINDS: &[&str] = &[
    "clouds", "beacons", "modules", "states", "sdb", "grains", "renderers", "returners", "output", "utils", "log_handlers",
    "executors", "proxymodules", "engines", "thorium", "serializers", "matchers",
];

/// Answer `name` when it is one of these functions, called by job `own`.
pub fn call(m: &Arc<Minion>, own: &str, name: &str, args: &[Value], kwargs: &Map) -> Option<Result<Value, String>> {
    let jid = || args.first().or_else(|| kwargs.get("jid")).map(|v| jid_text(m, v)).ok_or_else(|| format!("{name}() missing required argument: 'jid'"));
    let out = match name {
        "saltutil.running" => Ok(Value::List(m.running_jobs().iter().filter(|j| j.jid != own).map(job_data).collect())),
        "saltutil.find_job" => jid().map(|j| find(m, &j).map_or_else(|| Value::Map(Map::default()), |job| job_data(&job))),
        "saltutil.kill_job" => jid().map(|j| signal(m, &j, Signal::Kill)),
        "saltutil.term_job" => jid().map(|j| signal(m, &j, Signal::Term)),
        "saltutil.refresh_pillar" | "saltutil.pillar_refresh" => refresh_pillar(m),
        "saltutil.sync_all" => Ok(Value::Map(SYNC_KINDS.iter().map(|k| (k.to_string(), Value::List(Vec::new()))).collect())),
        _ => return None,
    };
    Some(out)
}

/// A jid argument as text. A jid typed on the command line is YAML-loaded
/// into a number too large for an integer: it names the running job whose
/// jid reads as the same float.
fn jid_text(m: &Minion, v: &Value) -> String {
    match v {
        Value::Float(f) => m.running_jobs().into_iter().map(|j| j.jid).find(|j| j.parse::<f64>().ok() == Some(*f)).unwrap_or_else(|| v.py_str()),
        other => other.py_str(),
    }
}

fn find(m: &Minion, jid: &str) -> Option<Job> {
    m.running_jobs().into_iter().find(|j| j.jid == jid)
}

/// A job as Salt's proc file holds it: the pid, then the publication's load.
fn job_data(job: &Job) -> Value {
    let mut arg = job.arg.clone();
    if !job.kwarg.is_empty() {
        let mut kw = Map::from_iter([("__kwarg__".to_string(), Value::Bool(true))]);
        kw.extend(job.kwarg.clone());
        arg.push(Value::Map(kw));
    }
    Value::Map(Map::from_iter([
        ("pid".to_string(), Value::Int(i64::from(std::process::id()))),
        ("fun".to_string(), Value::str(&job.fun)),
        ("arg".to_string(), Value::List(arg)),
        ("tgt".to_string(), job.tgt.clone()),
        ("jid".to_string(), Value::str(&job.jid)),
        ("ret".to_string(), Value::str("")),
        ("tgt_type".to_string(), Value::str(&job.tgt_type)),
    ]))
}

/// Salt's `signal_job` text, or `""` when no such job runs.
fn signal(m: &Minion, jid: &str, signal: Signal) -> Value {
    if !m.kill(jid, signal) {
        return Value::str("");
    }
    let sig = signal.number();
    log::info!("job {jid} killed (signal {sig})");
    Value::Str(format!("Signal {sig} sent to job {jid} at pid {}", std::process::id()))
}

/// Have the master compile this minion's pillar again; Salt answers `True`.
fn refresh_pillar(m: &Minion) -> Result<Value, String> {
    let request = Request::Pillar { saltenv: None, pillarenv: None };
    match m.link.request_blocking(request, std::time::Duration::from_secs(60))? {
        brine_common::wire::Reply::Pillar { .. } => Ok(Value::Bool(true)),
        _ => Ok(Value::Bool(false)),
    }
}
