//! End-to-end: `saltutil.kill_job` and `term_job` stop the job's work on a
//! real minion: the commands it runs are killed with their children, a
//! state run starts no further state, no return comes back, and the minion
//! goes on answering.
//!
//! Run with `cargo test -p brine-master --test kill_job`.

mod harness;

use std::path::Path;

use harness::{wait_for, Cluster};
use serde_json::json;

/// Pids of the live processes whose argv is exactly `argv` (zombies have none).
fn pids_running(argv: &[&str]) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).filter(|a| !a.is_empty()).collect();
            args.len() == argv.len() && args.iter().zip(argv).all(|(a, b)| *a == b.as_bytes())
        })
        .collect()
}

fn started(c: &Cluster, published: &harness::Out) -> String {
    let jid = published.stdout.trim().rsplit(' ').next().unwrap_or_default().to_string();
    assert!(!jid.is_empty() && jid.chars().all(|ch| ch.is_ascii_digit()), "{published:?}");
    wait_for("the minion to start the job", 10, || c.log("node1").contains(&format!("executing job {jid}")));
    jid
}

/// The job is gone from `saltutil.running`, the minion answers, and no return was stored.
fn assert_job_gone(c: &Cluster, jid: &str) {
    let after = c.salt(&["node1", "saltutil.running", "--out", "json"]);
    assert_eq!(after.stdout, "{\n    \"node1\": []\n}\n", "{after:?}");
    let ping = c.salt(&["node1", "test.ping"]);
    assert_eq!(ping.stdout, "node1:\n    True\n", "{ping:?}");
    let looked_up = c.salt_run(&["jobs.lookup_jid", jid, "--out", "json"]);
    assert!(!looked_up.stdout.contains("node1"), "a killed job sent a return: {looked_up:?}");
}

fn still_absent(marker: &Path, secs: u64) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if marker.exists() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    !marker.exists()
}

#[test]
fn kill_job_kills_the_command_the_job_runs_and_its_children() {
    let mut c = Cluster::new("killjob-cmd", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let marker = c.path("cmd-marker");
    let script = format!("sleep 117.5; touch {}", marker.display());
    let published = c.salt(&["--async", "node1", "cmd.run", &script]);
    let jid = started(&c, &published);
    wait_for("the sleep to start", 10, || !pids_running(&["sleep", "117.5"]).is_empty());

    let killed = c.salt(&["node1", "saltutil.kill_job", &jid]);
    assert!(killed.stdout.starts_with(&format!("node1:\n    Signal 9 sent to job {jid} at pid ")), "{killed:?}");
    wait_for("the sleep to be killed", 5, || pids_running(&["sleep", "117.5"]).is_empty());
    assert!(still_absent(&marker, 3), "the command went on after the kill");
    assert_job_gone(&c, &jid);
}

#[test]
fn term_job_stops_a_state_run_before_its_next_state() {
    let mut c = Cluster::new("killjob-state", json!({"auto_accept": true}));
    let (first, third) = (c.path("state-first"), c.path("state-third"));
    c.file(
        "salt/slow.sls",
        &format!(
            "first:\n  cmd.run:\n    - name: touch {}\nsecond:\n  cmd.run:\n    - name: sleep 116.5 & wait\nthird:\n  cmd.run:\n    - name: touch {}\n",
            first.display(),
            third.display()
        ),
    );
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let published = c.salt(&["--async", "node1", "state.sls", "slow"]);
    let jid = started(&c, &published);
    wait_for("the second state's sleep to start", 15, || !pids_running(&["sleep", "116.5"]).is_empty());
    assert!(first.exists(), "the first state ran");

    let termed = c.salt(&["node1", "saltutil.term_job", &jid]);
    assert!(termed.stdout.starts_with(&format!("node1:\n    Signal 15 sent to job {jid} at pid ")), "{termed:?}");
    wait_for("the sleep (a grandchild of the job) to be killed", 5, || pids_running(&["sleep", "116.5"]).is_empty());
    assert!(still_absent(&third, 3), "a state ran after the job was killed");
    assert_job_gone(&c, &jid);
}
