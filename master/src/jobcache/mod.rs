//! The master's job cache: every published job and every return, kept so
//! that `salt-run jobs.*` can answer after the CLI that ran the job is gone.
//!
//! `master_job_cache` picks the store: `local_cache` (the default) is one
//! SQLite file under the cachedir (`sqlite`); `pgjsonb` is a PostgreSQL
//! database in Salt's pgjsonb schema, which several masters can share
//! (`pgjsonb`). Both answer the same calls with the same records.
//!
//! Calls block: async callers run them with `spawn_blocking`. It must not
//! decide what a job is or who may read it, and must not drop a return
//! silently: a return that cannot be stored is an error the caller logs
//! (and the minion keeps it spooled, as it is not acknowledged).

mod pgjsonb;
mod sqlite;

use brine_common::config::{int_opt, path_opt};
use brine_common::wire::{Job, JobReturn};
use brine_common::{Map, Value};

pub use pgjsonb::{PgJsonb, PgOptions};
pub use sqlite::Sqlite;

#[derive(Debug, thiserror::Error)]
pub enum JobCacheError {
    #[error("job cache: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("job cache: {0}")]
    Io(#[from] std::io::Error),
    #[error("job cache: the connection lock is poisoned")]
    Poisoned,
    #[error("job cache configuration: {0}")]
    Config(String),
    #[error("job cache: cannot connect to PostgreSQL {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("job cache: PostgreSQL {target}: {source}")]
    Postgres { target: String, source: postgres::Error },
}

/// A job as the cache keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub jid: String,
    pub fun: String,
    pub arg: Value,
    pub tgt: Value,
    pub tgt_type: String,
    pub user: String,
    pub minions: Vec<String>,
}

/// The open job cache, whichever store `master_job_cache` names.
pub enum JobCache {
    Sqlite(Sqlite),
    Pgjsonb(Box<PgJsonb>),
}

impl JobCache {
    /// Open the store the master options name: SQLite at
    /// `<cachedir>/jobs.sqlite3`, or PostgreSQL from `returner.pgjsonb.*`
    /// (connected and its tables created now, so a wrong address stops the
    /// master at start).
    pub fn from_opts(opts: &Map) -> Result<JobCache, JobCacheError> {
        let kind = opts.get("master_job_cache").filter(|v| !v.is_null()).map(Value::py_str);
        match kind.as_deref().unwrap_or("local_cache") {
            "local_cache" | "" => {
                let cachedir = path_opt(opts, "cachedir", "/var/cache/salt/master");
                Ok(JobCache::Sqlite(Sqlite::open(&cachedir.join("jobs.sqlite3"))?))
            }
            "pgjsonb" => Ok(JobCache::Pgjsonb(Box::new(PgJsonb::connect(PgOptions::from_opts(opts)?)?))),
            other => Err(JobCacheError::Config(format!(
                "master_job_cache: {other:?} is not supported (supported: local_cache, pgjsonb)"
            ))),
        }
    }

    /// Record a published job and the minions expected to return.
    pub fn save_job(&self, job: &Job, minions: &[String], user: &str) -> Result<(), JobCacheError> {
        match self {
            JobCache::Sqlite(c) => c.save_job(job, minions, user),
            JobCache::Pgjsonb(c) => c.save_job(job, minions, user),
        }
    }

    /// Record a minion's return (a resent return replaces the earlier copy).
    pub fn save_return(&self, r: &JobReturn) -> Result<(), JobCacheError> {
        match self {
            JobCache::Sqlite(c) => c.save_return(r),
            JobCache::Pgjsonb(c) => c.save_return(r),
        }
    }

    /// Every job, oldest first.
    pub fn list_jobs(&self) -> Result<Vec<JobRecord>, JobCacheError> {
        match self {
            JobCache::Sqlite(c) => c.list_jobs(),
            JobCache::Pgjsonb(c) => c.list_jobs(),
        }
    }

    /// One job, if the cache has it.
    pub fn job(&self, jid: &str) -> Result<Option<JobRecord>, JobCacheError> {
        match self {
            JobCache::Sqlite(c) => c.job(jid),
            JobCache::Pgjsonb(c) => c.job(jid),
        }
    }

    /// The returns of a job, in arrival order.
    pub fn returns(&self, jid: &str) -> Result<Vec<JobReturn>, JobCacheError> {
        match self {
            JobCache::Sqlite(c) => c.returns(jid),
            JobCache::Pgjsonb(c) => c.returns(jid),
        }
    }

    /// Forget jobs (and their returns) older than `keep_secs`; how many jobs went.
    pub fn prune(&self, keep_secs: i64) -> Result<usize, JobCacheError> {
        match self {
            JobCache::Sqlite(c) => c.prune(keep_secs),
            JobCache::Pgjsonb(c) => c.prune(keep_secs),
        }
    }
}

/// How long jobs are kept, as Salt's `get_keep_jobs_seconds`: `keep_jobs_seconds`,
/// unless it is left at its default and the older `keep_jobs` (hours) is set.
/// `0` keeps jobs for ever.
pub fn keep_jobs_seconds(opts: &Map) -> i64 {
    let secs = int_opt(opts, "keep_jobs_seconds", 86_400);
    let hours = int_opt(opts, "keep_jobs", 24);
    if secs == 86_400 && hours != 24 {
        hours.saturating_mul(3600)
    } else {
        secs
    }
}

/// `{minion: return}` of a job, as `jobs.lookup_jid` shows it.
pub fn returns_map(returns: &[JobReturn]) -> Map {
    returns.iter().map(|r| (r.id.clone(), r.ret.clone())).collect()
}

/// A job's arguments as Salt keeps them: the positional ones, then the
/// keyword ones as one dict marked `__kwarg__: True`.
fn job_args(job: &Job) -> Value {
    let mut args = job.arg.clone();
    if !job.kwarg.is_empty() {
        let mut kw = job.kwarg.clone();
        kw.insert("__kwarg__".into(), Value::Bool(true));
        args.push(Value::Map(kw));
    }
    Value::List(args)
}

/// Seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: serde_json::Value) -> Map {
        match Value::from_json(&pairs) {
            Value::Map(m) => m,
            _ => Map::default(),
        }
    }

    #[test]
    fn keep_jobs_hours_apply_only_when_keep_jobs_seconds_is_left_alone() {
        assert_eq!(keep_jobs_seconds(&Map::default()), 86_400);
        assert_eq!(keep_jobs_seconds(&opts(serde_json::json!({"keep_jobs": 2}))), 7200);
        assert_eq!(keep_jobs_seconds(&opts(serde_json::json!({"keep_jobs": 2, "keep_jobs_seconds": 60}))), 60);
        assert_eq!(keep_jobs_seconds(&opts(serde_json::json!({"keep_jobs_seconds": 0}))), 0);
    }

    #[test]
    fn sqlite_under_the_cachedir_is_the_default_and_keeps_what_is_younger_than_keep_jobs() {
        let dir = std::env::temp_dir().join(format!("brine-jobcache-default-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = JobCache::from_opts(&opts(serde_json::json!({"cachedir": dir.to_string_lossy()}))).unwrap();
        assert!(matches!(cache, JobCache::Sqlite(_)) && dir.join("jobs.sqlite3").exists());
        let job = Job {
            jid: crate::jid::gen_jid(),
            tgt: Value::str("*"),
            tgt_type: "glob".into(),
            fun: "test.ping".into(),
            arg: vec![],
            kwarg: Map::default(),
            delimiter: ":".into(),
        };
        cache.save_job(&job, &["node1".into()], "root").unwrap();
        assert_eq!(cache.prune(keep_jobs_seconds(&opts(serde_json::json!({"keep_jobs": 1})))).unwrap(), 0);
        assert_eq!(cache.list_jobs().unwrap().len(), 1);
        assert_eq!(cache.prune(-1).unwrap(), 1);
        drop(cache);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unknown_master_job_cache_is_a_configuration_error() {
        let err = JobCache::from_opts(&opts(serde_json::json!({"master_job_cache": "mysql"}))).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("\"mysql\" is not supported")));
    }
}
