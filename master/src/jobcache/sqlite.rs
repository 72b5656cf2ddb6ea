//! The embedded job cache (`master_job_cache: local_cache`, the default):
//! every published job and every return in one SQLite file under the
//! cachedir (WAL mode), durable across restarts and a `kill -9` of the master.
//!
//! Calls block on SQLite: async callers run them with `spawn_blocking`.
//! It must not decide what a job is or who may read it, nor be shared
//! between masters (that is what the `pgjsonb` backend is for).

use std::path::Path;
use std::sync::Mutex;

use brine_common::wire::{Job, JobReturn};
use brine_common::Value;
use rusqlite::{params, Connection};

use super::{job_args, now, JobCacheError, JobRecord};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    jid TEXT PRIMARY KEY, fun TEXT NOT NULL, arg TEXT NOT NULL, tgt TEXT NOT NULL,
    tgt_type TEXT NOT NULL, user TEXT NOT NULL, minions TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS returns (
    jid TEXT NOT NULL, id TEXT NOT NULL, fun TEXT NOT NULL, ret TEXT NOT NULL,
    retcode INTEGER NOT NULL, success INTEGER NOT NULL, out TEXT, received INTEGER NOT NULL,
    PRIMARY KEY (jid, id));
";

/// The open SQLite cache.
pub struct Sqlite {
    conn: Mutex<Connection>,
}

fn to_text(v: &Value) -> String {
    v.to_json().to_string()
}

fn from_text(s: &str) -> Value {
    serde_json::from_str::<serde_json::Value>(s).map(|j| Value::from_json(&j)).unwrap_or(Value::Str(s.to_string()))
}

impl Sqlite {
    /// Open (or create) the cache file at `path`.
    pub fn open(path: &Path) -> Result<Sqlite, JobCacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Sqlite { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, JobCacheError> {
        let conn = self.conn.lock().map_err(|_| JobCacheError::Poisoned)?;
        Ok(f(&conn)?)
    }

    /// Record a published job and the minions expected to return.
    pub fn save_job(&self, job: &Job, minions: &[String], user: &str) -> Result<(), JobCacheError> {
        let minions = Value::List(minions.iter().cloned().map(Value::Str).collect());
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO jobs (jid, fun, arg, tgt, tgt_type, user, minions, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![job.jid, job.fun, to_text(&job_args(job)), to_text(&job.tgt), job.tgt_type, user, to_text(&minions), now()],
            )
            .map(|_| ())
        })
    }

    /// Record a minion's return (a resent return replaces the earlier copy).
    pub fn save_return(&self, r: &JobReturn) -> Result<(), JobCacheError> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO returns (jid, id, fun, ret, retcode, success, out, received) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![r.jid, r.id, r.fun, to_text(&r.ret), r.retcode, r.success, r.out, now()],
            )
            .map(|_| ())
        })
    }

    fn record(row: &rusqlite::Row) -> rusqlite::Result<JobRecord> {
        let minions = match from_text(&row.get::<_, String>(6)?) {
            Value::List(l) => l.iter().map(Value::py_str).collect(),
            _ => Vec::new(),
        };
        Ok(JobRecord {
            jid: row.get(0)?,
            fun: row.get(1)?,
            arg: from_text(&row.get::<_, String>(2)?),
            tgt: from_text(&row.get::<_, String>(3)?),
            tgt_type: row.get(4)?,
            user: row.get(5)?,
            minions,
        })
    }

    /// Every job, oldest first.
    pub fn list_jobs(&self) -> Result<Vec<JobRecord>, JobCacheError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT jid, fun, arg, tgt, tgt_type, user, minions FROM jobs ORDER BY jid")?;
            let rows = stmt.query_map([], Self::record)?;
            rows.collect()
        })
    }

    /// One job, if the cache has it.
    pub fn job(&self, jid: &str) -> Result<Option<JobRecord>, JobCacheError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT jid, fun, arg, tgt, tgt_type, user, minions FROM jobs WHERE jid = ?1")?;
            let mut rows = stmt.query_map([jid], Self::record)?;
            rows.next().transpose()
        })
    }

    /// The returns of a job, by minion id in arrival order.
    pub fn returns(&self, jid: &str) -> Result<Vec<JobReturn>, JobCacheError> {
        self.with(|c| {
            let mut stmt =
                c.prepare("SELECT jid, id, fun, ret, retcode, success, out FROM returns WHERE jid = ?1 ORDER BY received, id")?;
            let rows = stmt.query_map([jid], |row| {
                Ok(JobReturn {
                    jid: row.get(0)?,
                    id: row.get(1)?,
                    fun: row.get(2)?,
                    ret: from_text(&row.get::<_, String>(3)?),
                    retcode: row.get(4)?,
                    success: row.get(5)?,
                    out: row.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Forget jobs (and their returns) older than `keep_secs`.
    pub fn prune(&self, keep_secs: i64) -> Result<usize, JobCacheError> {
        let cutoff = now() - keep_secs;
        self.with(|c| {
            c.execute("DELETE FROM returns WHERE jid IN (SELECT jid FROM jobs WHERE created < ?1)", [cutoff])?;
            c.execute("DELETE FROM jobs WHERE created < ?1", [cutoff])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobcache::returns_map;
    use brine_common::Map;

    #[test]
    fn jobs_and_returns_survive_reopening() {
        let path = std::env::temp_dir().join(format!("brine-jobcache-{}.sqlite3", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let job = Job {
            jid: "20240101000000000001".into(),
            tgt: Value::str("*"),
            tgt_type: "glob".into(),
            fun: "test.ping".into(),
            arg: vec![],
            kwarg: Map::default(),
            delimiter: ":".into(),
        };
        {
            let cache = Sqlite::open(&path).unwrap();
            cache.save_job(&job, &["node1".into()], "root").unwrap();
            let r = JobReturn {
                jid: job.jid.clone(),
                id: "node1".into(),
                fun: "test.ping".into(),
                ret: Value::Bool(true),
                retcode: 0,
                success: true,
                out: None,
            };
            cache.save_return(&r).unwrap();
            cache.save_return(&r).unwrap();
        }
        let cache = Sqlite::open(&path).unwrap();
        assert_eq!(cache.list_jobs().unwrap().len(), 1);
        assert_eq!(cache.list_jobs().unwrap()[0].minions, vec!["node1"]);
        assert_eq!(returns_map(&cache.returns(&job.jid).unwrap()).get("node1"), Some(&Value::Bool(true)));
        assert_eq!(cache.prune(-10).unwrap(), 1);
        assert!(cache.list_jobs().unwrap().is_empty());
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
    }
}
