//! `jobs.active`: ask every minion for `saltutil.running` and report each
//! running job once, with the minions running it (`Running: [{id: pid}]`)
//! and those that already returned (`Returned`), as Salt's runner does.
//!
//! It must not publish anything but `saltutil.running`.

use std::sync::Arc;

use brine_common::wire::{CliEvent, JobReturn, PublishRequest};
use brine_common::{Map, Value};
use tokio::sync::mpsc;

use super::job_instance;
use crate::context::Master;
use crate::jobcache::JobRecord;
use crate::publish;

/// Run `jobs.active`.
pub async fn active(master: &Arc<Master>) -> (Value, i32) {
    let timeout = master.opts.get("timeout").and_then(Value::as_i64).and_then(|t| u64::try_from(t).ok()).unwrap_or(5);
    let req = PublishRequest {
        tgt: Value::str("*"),
        tgt_type: "glob".into(),
        fun: "saltutil.running".into(),
        arg: Vec::new(),
        kwarg: Map::default(),
        delimiter: ":".into(),
        timeout,
        wait: true,
    };
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(publish::publish(master.clone(), req, tx));
    let mut ret = Map::default();
    while let Some(event) = rx.recv().await {
        match event {
            CliEvent::Return(r) => add_running(&mut ret, &r),
            CliEvent::Done | CliEvent::Error { .. } => break,
            _ => {}
        }
    }
    let m = master.clone();
    match tokio::task::spawn_blocking(move || add_returned(&m, ret)).await {
        Ok(v) => (Value::Map(v), 0),
        Err(e) => (Value::Str(e.to_string()), 1),
    }
}

/// Fold one minion's `saltutil.running` answer into the result.
fn add_running(ret: &mut Map, r: &JobReturn) {
    let Value::List(jobs) = &r.ret else { return };
    for job in jobs {
        let Some(jid) = job.get("jid").map(Value::py_str) else { continue };
        let pid = job.get("pid").cloned().unwrap_or(Value::Null);
        let running = Value::Map(Map::from_iter([(r.id.clone(), pid)]));
        let entry = ret.entry(jid.clone()).or_insert_with(|| Value::Map(new_entry(&jid, job)));
        if let Some(Value::List(l)) = entry.as_map_mut().and_then(|m| m.get_mut("Running")) {
            l.push(running);
        }
    }
}

fn new_entry(jid: &str, job: &Value) -> Map {
    let text = |k: &str, default: &str| job.get(k).map_or_else(|| default.to_string(), Value::py_str);
    let record = JobRecord {
        jid: jid.to_string(),
        fun: text("fun", "unknown-function"),
        arg: job.get("arg").cloned().unwrap_or(Value::List(Vec::new())),
        tgt: job.get("tgt").cloned().unwrap_or_else(|| Value::str("unknown-target")),
        tgt_type: text("tgt_type", "list"),
        user: text("user", "root"),
        minions: Vec::new(),
    };
    let mut m = job_instance(record).1;
    m.insert("Running".into(), Value::List(Vec::new()));
    m.insert("Returned".into(), Value::List(Vec::new()));
    m
}

/// The minions whose return of each job is already in the job cache.
fn add_returned(master: &Master, mut ret: Map) -> Map {
    for (jid, entry) in ret.iter_mut() {
        let ids = master.jobs.returns(jid).map(|r| r.into_iter().map(|r| Value::Str(r.id)).collect()).unwrap_or_default();
        if let Some(m) = entry.as_map_mut() {
            m.insert("Returned".into(), Value::List(ids));
        }
    }
    ret
}
