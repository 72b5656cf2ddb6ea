//! The runner functions `salt-run` calls, answered inside the master:
//! `jobs.list_jobs`, `jobs.lookup_jid`, `manage.up`, `manage.down`,
//! `manage.status`, `fileserver.envs`, `fileserver.file_list`.
//!
//! It must not publish jobs to minions.

use std::sync::Arc;

use brine_common::{Map, Value};
use brine_states::highstate::FileClient;

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
        "manage.up" => (names(status(master).0), 0),
        "manage.down" => (names(status(master).1), 0),
        "manage.status" => {
            let (up, down) = status(master);
            (Value::Map(Map::from_iter([("up".to_string(), names(up)), ("down".to_string(), names(down))])), 0)
        }
        "fileserver.envs" => (names(master.files.envs()), 0),
        "fileserver.file_list" => {
            let env = named("saltenv", 0).unwrap_or_else(|| "base".into());
            (names(master.files.file_list(&env)), 0)
        }
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

fn names(ids: Vec<String>) -> Value {
    Value::List(ids.into_iter().map(Value::Str).collect())
}

/// (connected, not connected) among the accepted minions.
fn status(master: &Master) -> (Vec<String>, Vec<String>) {
    let connected = master.registry.ids();
    master.pki.list(ACC).into_iter().partition(|id| connected.contains(id))
}

/// Salt's `list_jobs` shape: jid -> Function, Arguments, Target, Target-type, User, StartTime.
fn list_jobs(jobs: Vec<JobRecord>) -> Value {
    let entry = |j: JobRecord| {
        let fields = [
            ("Function", Value::Str(j.fun)),
            ("Arguments", j.arg),
            ("Target", j.tgt),
            ("Target-type", Value::Str(j.tgt_type)),
            ("User", Value::Str(j.user)),
            ("StartTime", Value::Str(jid_to_time(&j.jid))),
        ];
        (j.jid, Value::Map(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
    };
    Value::Map(jobs.into_iter().map(entry).collect())
}
