//! The PostgreSQL job cache (`master_job_cache: pgjsonb`): jobs and returns
//! in Salt's pgjsonb schema (`jids`, `salt_returns`, `salt_events`, JSON in
//! `jsonb` columns), so that several masters share one cache and a site's
//! existing pgjsonb database and its SQL queries keep working.
//!
//! The connection comes from Salt's `returner.pgjsonb.*` keys (`host`,
//! `port`, `user`, `pass`, `db`, `connect_timeout`, `sslmode`, `sslcert`,
//! `sslkey`, `sslrootcert`, `sslcrl`), flat or under one `returner.pgjsonb`
//! mapping. The connection is plain TCP (or a Unix socket when `host` is a
//! directory): `sslmode` `disable`, `allow` and `prefer` are accepted and
//! connect without TLS; `require`, `verify-ca`, `verify-full` and the
//! certificate keys are a configuration error rather than a silent
//! downgrade to plaintext.
//!
//! Calls block (the client runs its own small runtime): async callers use
//! `spawn_blocking`. A lost connection is logged and opened again on the
//! next call. It must not drop a return silently, nor change tables other
//! than Salt's three.

use std::sync::Mutex;
use std::time::Duration;

use brine_common::wire::{Job, JobReturn};
use brine_common::{Map, Value};
use postgres::error::SqlState;
use postgres::{Client, NoTls};
use serde_json::json;

use super::{job_args, JobCacheError, JobRecord};
use crate::jid::jid_at;

/// Salt's pgjsonb schema (its module docstring), created when missing.
/// The advisory lock keeps two masters starting together from racing.
const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(7322685413);
CREATE TABLE IF NOT EXISTS jids (
   jid varchar(255) NOT NULL primary key,
   load jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_jids_jsonb ON jids USING gin (load) WITH (fastupdate=on);
CREATE TABLE IF NOT EXISTS salt_returns (
  fun varchar(50) NOT NULL,
  jid varchar(255) NOT NULL,
  return jsonb NOT NULL,
  id varchar(255) NOT NULL,
  success varchar(10) NOT NULL,
  full_ret jsonb NOT NULL,
  alter_time TIMESTAMP WITH TIME ZONE DEFAULT NOW());
CREATE INDEX IF NOT EXISTS idx_salt_returns_id ON salt_returns (id);
CREATE INDEX IF NOT EXISTS idx_salt_returns_jid ON salt_returns (jid);
CREATE INDEX IF NOT EXISTS idx_salt_returns_fun ON salt_returns (fun);
CREATE INDEX IF NOT EXISTS idx_salt_returns_return ON salt_returns USING gin (return) WITH (fastupdate=on);
CREATE INDEX IF NOT EXISTS idx_salt_returns_full_ret ON salt_returns USING gin (full_ret) WITH (fastupdate=on);
CREATE SEQUENCE IF NOT EXISTS seq_salt_events_id;
CREATE TABLE IF NOT EXISTS salt_events (
    id BIGINT NOT NULL UNIQUE DEFAULT nextval('seq_salt_events_id'),
    tag varchar(255) NOT NULL,
    data jsonb NOT NULL,
    alter_time TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    master_id varchar(255) NOT NULL);
CREATE INDEX IF NOT EXISTS idx_salt_events_tag ON salt_events (tag);
CREATE INDEX IF NOT EXISTS idx_salt_events_data ON salt_events USING gin (data) WITH (fastupdate=on);
COMMIT;
";

/// Where and how to connect, from `returner.pgjsonb.*` with Salt's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct PgOptions {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub db: String,
    pub connect_timeout: Duration,
}

/// `returner.pgjsonb.NAME`, or `NAME` under a `returner.pgjsonb` mapping;
/// empty and `None` count as unset, as in Salt's `get_returner_options`.
fn option(opts: &Map, name: &str) -> Option<Value> {
    let flat = opts.get(&format!("returner.pgjsonb.{name}"));
    let nested = opts.get("returner.pgjsonb").and_then(|m| m.get(name));
    flat.into_iter().chain(nested).find(|v| !v.is_null() && !matches!(v.py_str().as_str(), "" | "None")).cloned()
}

fn text(opts: &Map, name: &str, default: &str) -> String {
    option(opts, name).map_or_else(|| default.to_string(), |v| v.py_str())
}

fn number(opts: &Map, name: &str, default: u64) -> Result<u64, JobCacheError> {
    match option(opts, name) {
        None => Ok(default),
        Some(v) => v
            .py_str()
            .trim()
            .parse()
            .map_err(|_| JobCacheError::Config(format!("returner.pgjsonb.{name}: {:?} is not a number", v.py_str()))),
    }
}

impl PgOptions {
    /// Read the connection options; an option brine cannot honour is an error.
    pub fn from_opts(opts: &Map) -> Result<PgOptions, JobCacheError> {
        let sslmode = text(opts, "sslmode", "prefer");
        if !matches!(sslmode.as_str(), "disable" | "allow" | "prefer") {
            return Err(JobCacheError::Config(format!(
                "returner.pgjsonb.sslmode: {sslmode:?} needs TLS, which the pgjsonb job cache does not support; \
                 use disable or prefer (connections are not encrypted)"
            )));
        }
        if sslmode != "disable" {
            if let Some(key) = ["sslcert", "sslkey", "sslrootcert", "sslcrl"].into_iter().find(|k| option(opts, k).is_some()) {
                return Err(JobCacheError::Config(format!(
                    "returner.pgjsonb.{key} is set, but the pgjsonb job cache does not support TLS; \
                     remove it or set returner.pgjsonb.sslmode: disable"
                )));
            }
        }
        if opts.get("archive_jobs").is_some_and(Value::truthy) {
            log::warn!("archive_jobs is not supported by the pgjsonb job cache: old jobs are deleted, not archived");
        }
        let port = number(opts, "port", 5432)?;
        Ok(PgOptions {
            host: text(opts, "host", "localhost"),
            port: u16::try_from(port).map_err(|_| JobCacheError::Config(format!("returner.pgjsonb.port: {port} is not a port")))?,
            user: text(opts, "user", "salt"),
            password: text(opts, "pass", "salt"),
            db: text(opts, "db", "salt"),
            connect_timeout: Duration::from_secs(number(opts, "connect_timeout", 10)?.max(1)),
        })
    }

    /// How errors name the server: `at HOST:PORT, database DB, user USER`.
    pub fn target(&self) -> String {
        format!("at {}:{}, database {}, user {}", self.host, self.port, self.db, self.user)
    }

    /// Connect and create the tables if missing.
    fn open(&self) -> Result<Client, JobCacheError> {
        let mut config = postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .password(&self.password)
            .dbname(&self.db)
            .application_name("salt-master")
            .connect_timeout(self.connect_timeout)
            // A silently dead connection (a network cut) is noticed within
            // about a minute instead of the system's two hours.
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .keepalives_interval(Duration::from_secs(10))
            .keepalives_retries(3)
            .tcp_user_timeout(Duration::from_secs(60))
            .ssl_mode(postgres::config::SslMode::Disable);
        let connect = |e| JobCacheError::Connect { target: self.target(), reason: reason(&e) };
        let mut client = config.connect(NoTls).map_err(connect)?;
        // Only create what is missing: a site's own pgjsonb database may grant
        // this user rows in Salt's tables and no right to create anything.
        let present = "SELECT to_regclass('jids') IS NOT NULL AND to_regclass('salt_returns') IS NOT NULL \
                       AND to_regclass('salt_events') IS NOT NULL";
        if !client.query_one(present, &[]).map_err(connect)?.get::<_, bool>(0) {
            client.batch_execute(SCHEMA).map_err(connect)?;
        }
        Ok(client)
    }
}

/// Why a connection failed, without the client's repeated wrapping: the
/// server's own message, or the innermost cause (`Connection refused`, ...).
fn reason(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// The open PostgreSQL cache.
pub struct PgJsonb {
    opts: PgOptions,
    client: Mutex<Option<Client>>,
}

/// Did this error come from a connection that is gone (server restarted, network cut)?
fn connection_lost(e: &postgres::Error, client: &Client) -> bool {
    e.is_closed()
        || client.is_closed()
        || e.code().is_some_and(|c| [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW].contains(c))
}

impl PgJsonb {
    /// Connect now: a master that cannot reach its database must not start.
    pub fn connect(opts: PgOptions) -> Result<PgJsonb, JobCacheError> {
        let client = opts.open()?;
        log::info!("job cache: PostgreSQL {}", opts.target());
        Ok(PgJsonb { opts, client: Mutex::new(Some(client)) })
    }

    /// Run `f` on the connection, opening it again first if it was lost.
    /// A call that fails because the connection just went is tried once
    /// more on a new one (every write here may be repeated safely).
    fn with<T>(&self, mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>) -> Result<T, JobCacheError> {
        let mut slot = self.client.lock().map_err(|_| JobCacheError::Poisoned)?;
        let mut retried = false;
        loop {
            let client = match slot.as_mut() {
                Some(c) => c,
                None => {
                    log::info!("job cache: connecting again to PostgreSQL {}", self.opts.target());
                    slot.insert(self.opts.open()?)
                }
            };
            match f(client) {
                Ok(v) => return Ok(v),
                Err(e) if connection_lost(&e, client) => {
                    log::warn!("job cache: lost the connection to PostgreSQL {}: {e}", self.opts.target());
                    *slot = None;
                    if retried {
                        return Err(JobCacheError::Postgres { target: self.opts.target(), source: e });
                    }
                    retried = true;
                }
                Err(e) => return Err(JobCacheError::Postgres { target: self.opts.target(), source: e }),
            }
        }
    }

    /// Record a published job (its load, as Salt's `save_load`, with the expected minions).
    pub fn save_job(&self, job: &Job, minions: &[String], user: &str) -> Result<(), JobCacheError> {
        let load = json!({
            "jid": job.jid,
            "tgt_type": job.tgt_type,
            "tgt": job.tgt.to_json(),
            "user": user,
            "fun": job.fun,
            "arg": job_args(job).to_json(),
            "minions": minions,
        });
        self.with(|c| {
            c.execute(
                "INSERT INTO jids (jid, load) VALUES ($1, $2) ON CONFLICT (jid) DO UPDATE SET load = EXCLUDED.load",
                &[&job.jid, &load],
            )
            .map(|_| ())
        })
    }

    /// Record a return as Salt's `returner` does; a resent return replaces the earlier copy.
    pub fn save_return(&self, r: &JobReturn) -> Result<(), JobCacheError> {
        let ret = r.ret.to_json();
        let mut full = json!({
            "cmd": "_return",
            "id": r.id,
            "jid": r.jid,
            "fun": r.fun,
            "return": ret,
            "retcode": r.retcode,
            "success": r.success,
        });
        if let (Some(out), Some(m)) = (&r.out, full.as_object_mut()) {
            m.insert("out".into(), json!(out));
        }
        let success = if r.success { "true" } else { "false" };
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute("DELETE FROM salt_returns WHERE jid = $1 AND id = $2", &[&r.jid, &r.id])?;
            tx.execute(
                "INSERT INTO salt_returns (fun, jid, return, id, success, full_ret) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&r.fun, &r.jid, &ret, &r.id, &success, &full],
            )?;
            tx.commit()
        })
    }

    /// Every job, oldest first.
    pub fn list_jobs(&self) -> Result<Vec<JobRecord>, JobCacheError> {
        let rows = self.with(|c| c.query("SELECT jid, load FROM jids ORDER BY jid", &[]))?;
        Ok(rows.iter().map(|row| record(row.get(0), &row.get(1))).collect())
    }

    /// One job, if the cache has it.
    pub fn job(&self, jid: &str) -> Result<Option<JobRecord>, JobCacheError> {
        let row = self.with(|c| c.query_opt("SELECT jid, load FROM jids WHERE jid = $1", &[&jid]))?;
        Ok(row.map(|row| record(row.get(0), &row.get(1))))
    }

    /// The returns of a job, in arrival order (rows Salt wrote included).
    pub fn returns(&self, jid: &str) -> Result<Vec<JobReturn>, JobCacheError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT id, fun, return, success, full_ret FROM salt_returns WHERE jid = $1 ORDER BY alter_time, id",
                &[&jid],
            )
        })?;
        Ok(rows
            .iter()
            .map(|row| {
                let full: serde_json::Value = row.get(4);
                let success: String = row.get(3);
                JobReturn {
                    jid: jid.to_string(),
                    id: row.get(0),
                    fun: row.get(1),
                    ret: Value::from_json(&row.get::<_, serde_json::Value>(2)),
                    retcode: full.get("retcode").and_then(serde_json::Value::as_i64).and_then(|c| i32::try_from(c).ok()).unwrap_or(0),
                    success: success.eq_ignore_ascii_case("true"),
                    out: full.get("out").and_then(serde_json::Value::as_str).map(str::to_string),
                }
            })
            .collect())
    }

    /// Salt's `_purge_jobs` for jobs older than `keep_secs`: returns and
    /// events older than the cutoff go, and a job goes once all its returns
    /// have (or, with none, once its jid is older than the cutoff).
    pub fn prune(&self, keep_secs: i64) -> Result<usize, JobCacheError> {
        let cutoff_jid = jid_at(super::now() - keep_secs);
        self.with(|c| {
            let mut tx = c.transaction()?;
            let jobs = tx.execute(
                "DELETE FROM jids j WHERE
                   (EXISTS (SELECT 1 FROM salt_returns r WHERE r.jid = j.jid)
                    AND NOT EXISTS (SELECT 1 FROM salt_returns r
                                    WHERE r.jid = j.jid AND r.alter_time >= NOW() - $1::bigint * interval '1 second'))
                   OR (NOT EXISTS (SELECT 1 FROM salt_returns r WHERE r.jid = j.jid)
                       AND j.jid ~ '^[0-9]{20}$' AND j.jid < $2)",
                &[&keep_secs, &cutoff_jid],
            )?;
            tx.execute("DELETE FROM salt_returns WHERE alter_time < NOW() - $1::bigint * interval '1 second'", &[&keep_secs])?;
            tx.execute("DELETE FROM salt_events WHERE alter_time < NOW() - $1::bigint * interval '1 second'", &[&keep_secs])?;
            tx.commit()?;
            Ok(usize::try_from(jobs).unwrap_or(usize::MAX))
        })
    }
}

impl Drop for PgJsonb {
    /// The client owns a small runtime, which may not be dropped inside the
    /// master's async tasks: close it on a plain thread.
    fn drop(&mut self) {
        if let Some(client) = self.client.get_mut().ok().and_then(Option::take) {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

/// A `jids` row as a job record; Salt's defaults for what a load lacks.
fn record(jid: String, load: &serde_json::Value) -> JobRecord {
    let text = |k: &str, default: &str| load.get(k).map_or_else(|| default.to_string(), |v| Value::from_json(v).py_str());
    let minions = match load.get("minions") {
        Some(serde_json::Value::Array(l)) => l.iter().map(|v| Value::from_json(v).py_str()).collect(),
        _ => Vec::new(),
    };
    JobRecord {
        fun: text("fun", "unknown-function"),
        arg: load.get("arg").map_or_else(|| Value::List(Vec::new()), Value::from_json),
        tgt: load.get("tgt").map_or_else(|| Value::str("unknown-target"), Value::from_json),
        tgt_type: text("tgt_type", "list"),
        user: text("user", "root"),
        minions,
        jid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(j: serde_json::Value) -> Map {
        match Value::from_json(&j) {
            Value::Map(m) => m,
            _ => Map::default(),
        }
    }

    #[test]
    fn salts_defaults_and_both_key_forms() {
        let o = PgOptions::from_opts(&Map::default()).unwrap();
        assert_eq!((o.host.as_str(), o.port, o.user.as_str(), o.password.as_str(), o.db.as_str()), ("localhost", 5432, "salt", "salt", "salt"));
        let o = PgOptions::from_opts(&opts(json!({
            "returner.pgjsonb.host": "db1", "returner.pgjsonb.port": "5433",
            "returner.pgjsonb": {"host": "ignored", "db": "jobs", "pass": "s3cret"},
            "returner.pgjsonb.user": "", "returner.pgjsonb.sslmode": "disable", "returner.pgjsonb.sslrootcert": "/x"
        })))
        .unwrap();
        assert_eq!((o.host.as_str(), o.port, o.user.as_str(), o.password.as_str(), o.db.as_str()), ("db1", 5433, "salt", "s3cret", "jobs"));
        assert_eq!(o.target(), "at db1:5433, database jobs, user salt");
    }

    #[test]
    fn tls_settings_it_cannot_honour_are_errors() {
        for (k, v) in [("sslmode", "require"), ("sslmode", "verify-full"), ("sslrootcert", "/etc/ca.pem"), ("port", "x")] {
            let err = PgOptions::from_opts(&opts(json!({format!("returner.pgjsonb.{k}"): v}))).unwrap_err().to_string();
            assert!(err.contains(&format!("returner.pgjsonb.{k}")), "{err}");
        }
    }

    #[test]
    fn loads_without_brine_keys_get_salts_defaults() {
        let r = record("20240101000000000001".into(), &json!({"fun": "test.ping", "tgt": "*", "tgt_type": "glob"}));
        assert_eq!((r.fun.as_str(), r.user.as_str(), r.arg.clone(), r.minions.len()), ("test.ping", "root", Value::List(vec![]), 0));
    }
}
