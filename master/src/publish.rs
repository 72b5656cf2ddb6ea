//! Publishing a job and collecting its returns for a waiting CLI.
//!
//! The job is signed with the master key and sent over the sessions of the
//! expected minions that are connected and still accepted. Returns stream to
//! the CLI as they arrive. When the timeout passes, minions still missing are
//! asked whether they still run the job (`gather_job_timeout` to answer):
//! those that do get another timeout, the others are reported as
//! `[No response]`; minions that were not connected as `[Not connected]`.
//! It must not print: the CLI formats the events.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use brine_common::wire::{CliEvent, Job, JobReturn, Missing, PublishRequest, ToMinion};
use brine_common::daemon::handshake;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::context::{int_opt, Master};
use crate::jid::gen_jid;
use crate::targets;

/// The longest a CLI can ask the master to wait (30 days).
const MAX_WAIT_SECS: u64 = 30 * 86_400;

/// Publish `req` and stream its events to `events`.
pub async fn publish(master: Arc<Master>, req: PublishRequest, events: mpsc::Sender<CliEvent>) {
    let resolved = match targets::resolve(&master, &req) {
        Ok(r) => r,
        Err(message) => {
            let _ = events.send(CliEvent::Error { message }).await;
            return;
        }
    };
    if resolved.minions.is_empty() {
        let _ = events.send(CliEvent::Published { jid: String::new(), minions: Vec::new() }).await;
        let _ = events.send(CliEvent::Done).await;
        return;
    }
    let job = Job {
        jid: gen_jid(),
        tgt: resolved.tgt,
        tgt_type: resolved.tgt_type,
        fun: req.fun.clone(),
        arg: req.arg.clone(),
        kwarg: req.kwarg.clone(),
        delimiter: req.delimiter.clone(),
    };
    let jid = job.jid.clone();
    let mut returns = master.waiters.subscribe(&jid);
    save_job(&master, &job, &resolved.minions).await;
    let (sent, not_connected) = send_job(&master, &job, &resolved.minions).await;
    let _ = events.send(CliEvent::Published { jid: jid.clone(), minions: resolved.minions.clone() }).await;
    if req.wait {
        let mut no_response = collect(&master, &jid, sent, &mut returns, req.timeout, &events).await;
        no_response.extend(resolved.missing);
        report_missing(&events, not_connected, no_response).await;
    }
    master.waiters.unsubscribe(&jid);
    let _ = events.send(CliEvent::Done).await;
}

async fn save_job(master: &Arc<Master>, job: &Job, minions: &[String]) {
    let (jobs, job, minions) = (master.jobs.clone(), job.clone(), minions.to_vec());
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    match tokio::task::spawn_blocking(move || jobs.save_job(&job, &minions, &user)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => log::error!("{e}"),
        Err(e) => log::error!("job cache task failed: {e}"),
    }
}

/// Sign and send the job; returns (sent to, not connected).
async fn send_job(master: &Master, job: &Job, minions: &[String]) -> (BTreeSet<String>, Vec<String>) {
    let text = match serde_json::to_string(job) {
        Ok(t) => t,
        Err(e) => {
            log::error!("cannot serialise job {}: {e}", job.jid);
            return (BTreeSet::new(), minions.to_vec());
        }
    };
    let sig = base64::engine::general_purpose::STANDARD.encode(handshake::sign_job(&master.key, &text));
    let mut sent = BTreeSet::new();
    let mut missing = Vec::new();
    for id in minions {
        let session = master.registry.get(id).filter(|s| master.pki.is_accepted(id, &s.key));
        match session {
            Some(s) if s.send(ToMinion::Publish { job: text.clone(), sig: sig.clone() }).await => {
                sent.insert(id.clone());
            }
            _ => missing.push(id.clone()),
        }
    }
    log::info!("published job {} ({}) to {} minion(s)", job.jid, job.fun, sent.len());
    (sent, missing)
}

/// Forward returns until every minion in `pending` answered or gave up; returns the silent ones.
async fn collect(
    master: &Master,
    jid: &str,
    mut pending: BTreeSet<String>,
    returns: &mut mpsc::UnboundedReceiver<JobReturn>,
    timeout: u64,
    events: &mpsc::Sender<CliEvent>,
) -> Vec<String> {
    let timeout = Duration::from_secs(timeout.clamp(1, MAX_WAIT_SECS));
    let gather = Duration::from_secs(int_opt(&master.opts, "gather_job_timeout", 10).clamp(1, MAX_WAIT_SECS as i64) as u64);
    let mut deadline = Instant::now() + timeout;
    let mut seen = BTreeSet::new();
    let mut silent = Vec::new();
    while !pending.is_empty() {
        tokio::select! {
            r = returns.recv() => {
                let Some(r) = r else { break };
                pending.remove(&r.id);
                if seen.insert(r.id.clone()) && events.send(CliEvent::Return(r)).await.is_err() {
                    return Vec::new();
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                let running = still_running(master, jid, &pending, gather).await;
                silent.extend(pending.iter().filter(|id| !running.contains(*id)).cloned());
                pending = running;
                deadline = Instant::now() + timeout;
            }
        }
    }
    silent
}

/// The minions among `ids` that say they still run `jid`.
async fn still_running(master: &Master, jid: &str, ids: &BTreeSet<String>, wait: Duration) -> BTreeSet<String> {
    let mut set = tokio::task::JoinSet::new();
    for id in ids {
        if let Some(s) = master.registry.get(id) {
            let (jid, id) = (jid.to_string(), id.clone());
            set.spawn(async move { (s.find_job(&jid, wait).await == Some(true)).then_some(id) });
        }
    }
    let mut running = BTreeSet::new();
    while let Some(r) = set.join_next().await {
        if let Ok(Some(id)) = r {
            running.insert(id);
        }
    }
    running
}

async fn report_missing(events: &mpsc::Sender<CliEvent>, not_connected: Vec<String>, no_response: Vec<String>) {
    let mut all: Vec<(String, Missing)> = not_connected.into_iter().map(|id| (id, Missing::NotConnected)).collect();
    all.extend(no_response.into_iter().map(|id| (id, Missing::NoResponse)));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    for (id, reason) in all {
        if events.send(CliEvent::NoReturn { id, reason }).await.is_err() {
            return;
        }
    }
}
