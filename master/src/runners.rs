//! The runner functions `salt-run` calls, answered inside the master:
//! `jobs.list_jobs`, `jobs.lookup_jid`, `jobs.print_job`, `jobs.active`, `manage.up`,
//! `manage.down`, `manage.status`, `manage.present`, `manage.not_present`,
//! `fileserver.*` and `git_pillar.update` (`fileserver`).
//!
//! It must not publish jobs to minions, except `jobs.active`'s
//! `saltutil.running` (`active`).

mod active;
mod fileserver;

use std::sync::Arc;

use brine_common::{Map, Value};

use crate::context::Master;
use crate::jid::jid_to_time;
use crate::jobcache::{returns_map, JobRecord};
use crate::pki::ACC;

/// Run runner `fun`; the value and the exit code `salt-run` gives it.
pub async fn run(master: &Arc<Master>, fun: &str, arg: &[Value], kwarg: &Map) -> (Value, i32) {
    let named = |name: &str, pos: usize| kwarg.get(name).or_else(|| arg.get(pos)).map(Value::py_str);
    match fun {
        "jobs.list_jobs" => blocking(master, |m| m.jobs.list_jobs().map(list_jobs)).await,
        "jobs.lookup_jid" => match named("jid", 0) {
            Some(jid) => blocking(master, move |m| m.jobs.returns(&jid).map(|r| Value::Map(returns_map(&r)))).await,
            None => (Value::str("Passed invalid arguments: lookup_jid() missing 1 required positional argument: 'jid'"), 1),
        },
        "jobs.active" => active::active(master).await,
        "jobs.print_job" => match named("jid", 0) {
            Some(jid) => blocking(master, move |m| print_job(m, &jid)).await,
            None => (Value::str("Passed invalid arguments: print_job() missing 1 required positional argument: 'jid'"), 1),
        },
        "manage.up" | "manage.present" => (names(status(master).0), 0),
        "manage.down" | "manage.not_present" => (names(status(master).1), 0),
        "manage.status" => {
            let (up, down) = status(master);
            (Value::Map(Map::from_iter([("up".to_string(), names(up)), ("down".to_string(), names(down))])), 0)
        }
        f if f.starts_with("fileserver.") || f == "git_pillar.update" => fileserver::run(master, f, arg, kwarg).await,
        _ => (Value::Str(format!("'{fun}' is not available.")), 1),
    }
}

async fn blocking<F>(master: &Arc<Master>, f: F) -> (Value, i32)
where
    F: FnOnce(&Master) -> Result<Value, crate::jobcache::JobCacheError> + Send + 'static,
{
    let m = master.clone();
    match tokio::task::spawn_blocking(move || f(&m)).await {
        Ok(Ok(v)) => (v, 0),
        Ok(Err(e)) => (Value::Str(e.to_string()), 1),
        Err(e) => (Value::Str(e.to_string()), 1),
    }
}

pub(crate) fn names(ids: Vec<String>) -> Value {
    Value::List(ids.into_iter().map(Value::Str).collect())
}

/// (connected, not connected) among the accepted minions.
fn status(master: &Master) -> (Vec<String>, Vec<String>) {
    let connected = master.registry.ids();
    master.pki.list(ACC).into_iter().partition(|id| connected.contains(id))
}

/// Salt's `_format_jid_instance`: Function, Arguments, Target, Target-type, User, StartTime.
pub(crate) fn job_instance(j: JobRecord) -> (String, Map) {
    let fields = [
        ("Function", Value::Str(j.fun)),
        ("Arguments", j.arg),
        ("Target", j.tgt),
        ("Target-type", Value::Str(j.tgt_type)),
        ("User", Value::Str(j.user)),
        ("StartTime", Value::Str(jid_to_time(&j.jid))),
    ];
    (j.jid, fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Salt's `list_jobs` shape: jid -> its job instance.
fn list_jobs(jobs: Vec<JobRecord>) -> Value {
    Value::Map(jobs.into_iter().map(job_instance).map(|(jid, m)| (jid, Value::Map(m))).collect())
}

/// Salt's `print_job`: `{jid: {<job instance>, Result: {minion: {return, retcode, success[, out]}}}}`.
fn print_job(m: &Master, jid: &str) -> Result<Value, crate::jobcache::JobCacheError> {
    let mut inst = match m.jobs.job(jid)? {
        Some(j) => job_instance(j).1,
        None => Map::from_iter([("Error".to_string(), Value::str("Cannot contact returner or no job with this jid"))]),
    };
    let result: Map = m.jobs.returns(jid)?.into_iter().map(|r| (r.id.clone(), cached_return(r))).collect();
    inst.insert("Result".into(), Value::Map(result));
    Ok(Value::Map(Map::from_iter([(jid.to_string(), Value::Map(inst))])))
}

/// One return as Salt's job cache holds it.
fn cached_return(r: brine_common::wire::JobReturn) -> Value {
    let mut m = Map::from_iter([
        ("return".to_string(), r.ret),
        ("retcode".to_string(), Value::Int(i64::from(r.retcode))),
        ("success".to_string(), Value::Bool(r.success)),
    ]);
    if let Some(out) = r.out {
        m.insert("out".into(), Value::Str(out));
    }
    Value::Map(m)
}
