//! End-to-end: the job cache in a real PostgreSQL server
//! (`master_job_cache: pgjsonb`). A real master and minion run jobs; the
//! `salt-run jobs.*` runners answer from the database; the rows are in
//! Salt's tables; a second master on the same database sees the jobs; a
//! restart keeps them; a return met by an unreachable database stays spooled
//! on the minion until it can be stored; `keep_jobs` prunes old jobs; a
//! master that cannot reach its database, or is asked for TLS, does not start.
//!
//! Needs a local PostgreSQL server administered by the `postgres` user
//! (`pg_ctlcluster 15 main start`); each test makes and drops its own
//! database. Without a server the tests print SKIPPED, unless
//! `BRINE_PG_TESTS=1` (set by `.ci/run`), where they fail.
//!
//! Run with `cargo test -p brine-master --test pgjsonb`.

mod harness;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{wait_for, Cluster};
use serde_json::{json, Value};

const ROLE: &str = "brine_it";
const PASSWORD: &str = "brine-it-pass";

/// `psql` as the `postgres` superuser (through runuser when we are root).
fn psql(db: &str, sql: &str) -> Result<String, String> {
    let args = ["-XAtq", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql];
    let mut cmd = if is_root() && whoami() != "postgres" {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "psql"]);
        c
    } else {
        Command::new("psql")
    };
    let out = cmd.args(args).current_dir("/").stdin(Stdio::null()).output().map_err(|e| format!("psql: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn whoami() -> String {
    Command::new("id").arg("-un").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

/// A fresh database owned by the test role, dropped at the end.
struct Db {
    name: String,
    port: u16,
}

impl Db {
    /// `None` (after printing SKIPPED) when there is no server and `BRINE_PG_TESTS` is unset.
    fn create(test: &str) -> Option<Db> {
        let port = match psql("postgres", "SHOW port") {
            Ok(p) => p.parse().expect("the server's port"),
            Err(e) => {
                if std::env::var("BRINE_PG_TESTS").is_ok_and(|v| v == "1") {
                    panic!("BRINE_PG_TESTS=1 but PostgreSQL is not reachable as the postgres user: {e}");
                }
                // Straight to stderr, past the test harness's capture, so the skip shows in every run.
                let e = e.replace('\n', " ");
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED pgjsonb::{test}: no PostgreSQL server reachable as the postgres user ({e}); BRINE_PG_TESTS=1 makes this a failure"
                );
                return None;
            }
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let name = format!("brine_it_{test}_{}_{nanos}", std::process::id());
        psql(
            "postgres",
            &format!(
                "SELECT pg_advisory_xact_lock(7322685414); DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN \
                 CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'; END IF; END $$"
            ),
        )
        .expect("the test role"); // (the lock: tests running together create it once)
        psql("postgres", &format!("CREATE DATABASE {name} OWNER {ROLE}")).expect("the test database");
        Some(Db { name, port })
    }

    fn query(&self, sql: &str) -> String {
        psql(&self.name, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The master options that point at this database.
    fn master_conf(&self, extra: Value) -> Value {
        let mut conf = json!({
            "auto_accept": true,
            "master_job_cache": "pgjsonb",
            "returner.pgjsonb.host": "127.0.0.1",
            "returner.pgjsonb.port": self.port,
            "returner.pgjsonb.user": ROLE,
            "returner.pgjsonb.pass": PASSWORD,
            "returner.pgjsonb.db": self.name,
        });
        if let (Some(c), Some(e)) = (conf.as_object_mut(), extra.as_object()) {
            c.extend(e.clone());
        }
        conf
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = psql("postgres", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn jid_of(stdout: &str) -> String {
    stdout.trim().rsplit(' ').next().unwrap_or_default().to_string()
}

fn runner_json(c: &Cluster, args: &[&str]) -> Value {
    let mut all = vec!["--out", "json"];
    all.extend_from_slice(args);
    let out = c.salt_run(&all);
    assert_eq!(out.code, 0, "{args:?}: {out:?}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {out:?}"))
}

#[test]
fn jobs_live_in_postgresql_shared_by_masters_and_kept_across_restarts() {
    let Some(db) = Db::create("jobs") else { return };
    let mut c = Cluster::new("pgjsonb", db.master_conf(json!({})));
    c.start_master();
    c.start_minion("pg1", json!({}));
    c.wait_ping(&["pg1"]);

    // A job with a return, and its rows in Salt's tables.
    let ran = c.salt(&["-v", "pg1", "cmd.run", "echo hello-pg"]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("pg1:\n    hello-pg"), "{ran:?}");
    let jid = ran.stdout.lines().next().map(jid_of).unwrap_or_default();
    assert_eq!(jid.len(), 20, "{ran:?}");
    assert_eq!(
        db.query(&format!("SELECT load->>'fun', load->'arg'->>0, load->>'tgt', load->'minions'->>0 FROM jids WHERE jid = '{jid}'")),
        "cmd.run|echo hello-pg|pg1|pg1"
    );
    assert_eq!(
        db.query(&format!(
            "SELECT fun, id, success, return #>> '{{}}', full_ret->>'retcode', full_ret->>'jid' FROM salt_returns WHERE jid = '{jid}'"
        )),
        format!("cmd.run|pg1|true|hello-pg|0|{jid}")
    );

    // The runners answer from the database.
    let listed = runner_json(&c, &["jobs.list_jobs"]);
    assert_eq!(listed[&jid]["Function"], "cmd.run", "{listed}");
    assert_eq!(listed[&jid]["Arguments"], json!(["echo hello-pg"]), "{listed}");
    assert_eq!(listed[&jid]["Target"], "pg1", "{listed}");
    assert!(listed.as_object().is_some_and(|m| m.values().any(|j| j["Function"] == "test.ping")), "{listed}");
    let looked = c.salt_run(&["jobs.lookup_jid", &jid]);
    assert_eq!(looked.stdout, "pg1:\n    hello-pg\n", "{looked:?}");
    let printed = runner_json(&c, &["jobs.print_job", &jid]);
    assert_eq!(printed[&jid]["Function"], "cmd.run", "{printed}");
    assert_eq!(printed[&jid]["Result"]["pg1"], json!({"return": "hello-pg", "retcode": 0, "success": true, "out": "nested"}), "{printed}");

    // jobs.active while a job runs, and once it returned.
    let slow = c.salt(&["--async", "pg1", "cmd.run", "sleep 3; echo slow-done"]);
    let slow_jid = jid_of(&slow.stdout);
    wait_for("the minion to start the slow job", 10, || c.log("pg1").contains(&format!("executing job {slow_jid}")));
    let active = runner_json(&c, &["jobs.active"]);
    assert_eq!(active[&slow_jid]["Function"], "cmd.run", "{active}");
    assert!(active[&slow_jid]["Running"][0].get("pg1").is_some(), "{active}");
    assert_eq!(active[&slow_jid]["Returned"], json!([]), "{active}");
    wait_for("the slow job's return in PostgreSQL", 15, || {
        db.query(&format!("SELECT count(*) FROM salt_returns WHERE jid = '{slow_jid}'")) == "1"
    });

    // A second master on the same database sees the jobs (no minion of its own),
    // as a user that may only read and write Salt's tables, as on a site's own database.
    db.query(&format!(
        "SELECT pg_advisory_xact_lock(7322685414); DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}_rows') THEN \
         CREATE ROLE {ROLE}_rows LOGIN PASSWORD '{PASSWORD}'; END IF; END $$; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON jids, salt_returns, salt_events TO {ROLE}_rows; \
         GRANT USAGE ON SEQUENCE seq_salt_events_id TO {ROLE}_rows"
    ));
    let mut other = Cluster::new("pgjsonb-second", db.master_conf(json!({"returner.pgjsonb.user": format!("{ROLE}_rows")})));
    other.start_master();
    assert_eq!(other.salt_run(&["jobs.lookup_jid", &jid]).stdout, "pg1:\n    hello-pg\n");
    assert_eq!(other.salt_run(&["jobs.lookup_jid", &slow_jid]).stdout, "pg1:\n    slow-done\n");
    assert_eq!(runner_json(&other, &["jobs.print_job", &jid]), printed);
    assert_eq!(runner_json(&other, &["jobs.list_jobs"]), runner_json(&c, &["jobs.list_jobs"]));
    assert_eq!(other.stop_master(), Some(0));

    // A restart (and a crash) keeps them.
    assert_eq!(c.stop_master(), Some(0));
    c.start_master();
    assert_eq!(c.salt_run(&["jobs.lookup_jid", &jid]).stdout, "pg1:\n    hello-pg\n");
    c.kill_master();
    let _ = std::fs::remove_file(c.path("master/var/run/salt/master/master.sock")); // the killed master's
    c.start_master();
    assert_eq!(runner_json(&c, &["jobs.print_job", &jid]), printed);

    // A connection lost under a running master is opened again on the next call.
    db.query(&format!("SELECT count(pg_terminate_backend(pid)) >= 0 FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()", db.name));
    assert_eq!(c.salt_run(&["jobs.lookup_jid", &jid]).stdout, "pg1:\n    hello-pg\n");
    c.wait_ping(&["pg1"]);
    assert!(c.log("master").contains("lost the connection to PostgreSQL"), "{}", c.log("master"));

    // With the database gone, a return is not acknowledged: the minion keeps it
    // spooled and sends it again after a reconnect, once the database is back.
    psql("postgres", &format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", db.name)).expect("closing the database");
    psql("postgres", &format!("SELECT count(pg_terminate_backend(pid)) >= 0 FROM pg_stat_activity WHERE datname = '{}'", db.name))
        .expect("dropping the master's connection");
    let down = c.salt(&["--async", "pg1", "cmd.run", "echo while-down"]);
    let down_jid = jid_of(&down.stdout);
    let spooled = c.path(&format!("pg1/var/cache/salt/minion/returns/{down_jid}.json"));
    wait_for("the master to fail to store the return", 15, || {
        c.log("master").contains(&format!("cannot store the return of pg1 for {down_jid}"))
    });
    assert!(spooled.exists(), "the unacknowledged return is still spooled");
    psql("postgres", &format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", db.name)).expect("opening the database");
    c.stop_minion("pg1");
    c.start_minion("pg1", json!({}));
    wait_for("the spooled return to reach PostgreSQL", 20, || {
        c.salt_run(&["jobs.lookup_jid", &down_jid]).stdout == "pg1:\n    while-down\n"
    });
    wait_for("the spool to be emptied", 10, || !spooled.exists());

    // keep_jobs (hours, Salt's older key) prunes returns older than it at the master's start.
    let jobs_before: usize = db.query("SELECT count(*) FROM jids").parse().expect("a count");
    db.query(&format!("UPDATE salt_returns SET alter_time = NOW() - interval '2 hours' WHERE jid = '{jid}'"));
    assert_eq!(c.stop_master(), Some(0));
    c.write_master_conf(db.master_conf(json!({"keep_jobs": 1})));
    c.start_master();
    wait_for("the old job to be pruned", 10, || {
        db.query(&format!("SELECT count(*) FROM jids WHERE jid = '{jid}'")) == "0"
    });
    assert_eq!(db.query(&format!("SELECT count(*) FROM salt_returns WHERE jid = '{jid}'")), "0");
    assert_eq!(db.query("SELECT count(*) FROM jids").parse::<usize>().expect("a count"), jobs_before - 1);
    assert_eq!(c.salt_run(&["jobs.lookup_jid", &slow_jid]).stdout, "pg1:\n    slow-done\n");
    assert_eq!(c.stop_master(), Some(0));
}

/// Start `salt-master` in the foreground and wait for it to exit (it must, quickly).
fn failed_start(c: &Cluster) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_salt-master"))
        .arg("-c")
        .arg(c.path("master/conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("salt-master starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            return (status.code().unwrap_or(-1), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("salt-master did not stop on a bad job cache");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_master_that_cannot_use_its_database_does_not_start() {
    let Some(db) = Db::create("refused") else { return };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a port");
    let c = Cluster::new("pgjsonb-refused", db.master_conf(json!({"returner.pgjsonb.port": closed})));
    let (code, err) = failed_start(&c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("cannot connect to PostgreSQL at 127.0.0.1:{closed}, database {}", db.name)), "{err}");

    c.write_master_conf(db.master_conf(json!({"returner.pgjsonb.pass": "wrong"})));
    let (code, err) = failed_start(&c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("database {}, user {ROLE}", db.name)) && err.contains("password"), "{err}");

    c.write_master_conf(db.master_conf(json!({"returner.pgjsonb.sslmode": "verify-full"})));
    let (code, err) = failed_start(&c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("returner.pgjsonb.sslmode: \"verify-full\" needs TLS"), "{err}");
}
