//! Published jobs on the minion: check the master's signature, check that
//! the target names this minion, run the function in its own thread (several
//! jobs run at once), spool the return and send it.
//!
//! A job whose signature does not verify is a protocol violation: the caller
//! closes the session. It must not talk to the network except through the
//! [`Link`](super::link::Link).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use base64::Engine;
use brine_common::matcher::{self, MatchData};
use brine_common::wire::{Job, JobReturn, ToMaster};
use brine_common::{Map, Value};
use brine_common::daemon::handshake;

use super::remote::{Remote, RemoteFiles};
use super::Minion;
use crate::args::{parse_input, CallArgs};
use crate::dispatch;

/// Verify a published job and start it; `Err` when it must not be trusted.
pub fn start(m: &Arc<Minion>, job_text: &str, sig: &str) -> Result<(), String> {
    let master_key = m.master_key().ok_or("no master key to verify the job with")?;
    let sig = base64::engine::general_purpose::STANDARD.decode(sig.as_bytes()).map_err(|_| "a job with a malformed signature")?;
    if !handshake::verify_job(&master_key, job_text, &sig) {
        return Err("a job with a bad signature".into());
    }
    let job: Job = serde_json::from_str(job_text).map_err(|e| format!("a malformed job: {e}"))?;
    let Some(handle) = m.running_insert(&job) else {
        log::debug!("job {} is already running", job.jid);
        return Ok(());
    };
    let m = m.clone();
    tokio::task::spawn_blocking(move || {
        let entered = handle.enter();
        let ret = std::panic::catch_unwind(AssertUnwindSafe(|| execute(&m, &job)))
            .unwrap_or_else(|_| Some(crashed(&m, &job)));
        drop(entered);
        let keep = m.running_remove(&job.jid);
        if let Some(ret) = ret.filter(|_| keep) {
            m.spool.save(&ret);
            if !m.link.send_blocking(ToMaster::Return(ret)) {
                log::info!("return of job {} kept until the master is back", job.jid);
            }
        }
    });
    Ok(())
}

/// Run `mine.update` in the background (on connect, as Salt's minion does at start).
pub fn mine_update(m: &Arc<Minion>) {
    if !m.opts.get("mine_functions").is_some_and(Value::truthy) {
        return;
    }
    let m = m.clone();
    tokio::task::spawn_blocking(move || {
        let remote = Remote { files: RemoteFiles::new(&m.link, &m.cachedir), minion: &m, jid: "" };
        let outcome = dispatch::call(&m.opts, &m.grains, &remote, "mine.update", &CallArgs::default());
        if outcome.retcode != 0 {
            log::warn!("mine.update failed: {}", outcome.ret.py_str());
        }
    });
}

/// Run a job that targets this minion; `None` when it does not.
fn execute(m: &Arc<Minion>, job: &Job) -> Option<JobReturn> {
    let remote = Remote { files: RemoteFiles::new(&m.link, &m.cachedir), minion: m, jid: &job.jid };
    if !targeted(m, job, &remote) {
        log::debug!("job {} does not target this minion", job.jid);
        return None;
    }
    log::info!("executing job {} ({})", job.jid, job.fun);
    let outcome = dispatch::call(&m.opts, &m.grains, &remote, &job.fun, &call_args(job));
    Some(JobReturn {
        jid: job.jid.clone(),
        id: m.id.clone(),
        fun: job.fun.clone(),
        ret: outcome.ret,
        retcode: outcome.retcode,
        success: outcome.retcode == 0,
        out: Some(dispatch::outputter(&job.fun).to_string()),
    })
}

fn crashed(m: &Minion, job: &Job) -> JobReturn {
    JobReturn {
        jid: job.jid.clone(),
        id: m.id.clone(),
        fun: job.fun.clone(),
        ret: Value::str(format!("An exception occurred in this job ({}).", job.fun)),
        retcode: 1,
        success: false,
        out: Some("nested".into()),
    }
}

/// Does the job's target name this minion (its own check, whatever the master thought)?
fn targeted(m: &Minion, job: &Job, remote: &Remote) -> bool {
    let needs_pillar = job.tgt_type.starts_with("pillar") || job.tgt_type == "compound";
    let pillar = if needs_pillar { remote.fetch_pillar(&m.opts) } else { Map::default() };
    let nodegroups = Map::default();
    let data = MatchData { id: &m.id, grains: &m.grains, pillar: &pillar, nodegroups: &nodegroups };
    match matcher::matches(&job.tgt, &job.tgt_type, &data, &job.delimiter) {
        Ok(hit) => hit,
        Err(e) => {
            log::warn!("job {} has a target this minion cannot evaluate: {e}", job.jid);
            false
        }
    }
}

/// The job's arguments as Salt's minion reads them: CLI words are split
/// into args and `key=value` kwargs and YAML-typed; `kwarg` is merged on top.
fn call_args(job: &Job) -> CallArgs {
    let mut words = Vec::new();
    let mut extra = Vec::new();
    for a in &job.arg {
        match a {
            Value::Str(s) => words.push(s.clone()),
            other => extra.push(other.clone()),
        }
    }
    let mut call = parse_input(&words);
    call.args.extend(extra);
    for (k, v) in &job.kwarg {
        call.kwargs.insert(k.clone(), v.clone());
    }
    call
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;


    #[test]
    fn jobs_without_a_valid_master_signature_are_refused() {
        let dir = std::env::temp_dir().join(format!("brine-jobs-{}", std::process::id()));
        let m = crate::daemon::test_minion(&dir);
        let job = r#"{"jid":"20240101000000000001","tgt":"*","tgt_type":"glob","fun":"cmd.run","arg":["id"],"kwarg":{},"delimiter":":"}"#;
        let master = SigningKey::from_bytes(&[9u8; 32]);
        let good = base64::engine::general_purpose::STANDARD.encode(handshake::sign_job(&master, job));
        assert!(start(&m, job, &good).is_err(), "no master key pinned yet");
        m.set_master_key(master.verifying_key());
        let forged = base64::engine::general_purpose::STANDARD.encode(handshake::sign_job(&SigningKey::from_bytes(&[1u8; 32]), job));
        assert_eq!(start(&m, job, &forged), Err("a job with a bad signature".to_string()));
        let tampered = job.replace("\"id\"", "\"rm -rf /\"");
        assert!(start(&m, &tampered, &good).is_err());
        assert!(start(&m, job, "not base64!").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
