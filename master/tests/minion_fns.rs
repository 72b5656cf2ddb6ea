//! End-to-end: functions that need the minion daemon and the master
//! together: the mine (`mine.update`, `mine.get` from the CLI and from a
//! template), the minion's `saltutil` job functions, the `jobs` and
//! `manage` runners that read them, and `--state-output`/`--state-verbose`.
//!
//! Run with `cargo test -p brine-master --test minion_fns`.

mod harness;

use harness::Cluster;
use serde_json::json;

const MINE: &str = "mine_functions:\n  test.ping: []\n  ident:\n    - mine_function: grains.get\n    - id\n";

#[test]
fn mine_data_of_one_minion_renders_in_another_minions_template() {
    let mut c = Cluster::new("mine", json!({"auto_accept": true}));
    c.file("salt/peers.sls", "peers:\n  test.show_notification:\n    - text: {{ salt['mine.get']('role:web', 'ident', tgt_type='grain') | json }}\n");
    c.start_master();
    c.minion_conf("node1", MINE);
    c.minion_conf("node2", MINE);
    c.start_minion("node1", json!({"role": "db"}));
    c.start_minion("node2", json!({"role": "web"}));
    c.wait_ping(&["node1", "node2"]);

    let update = c.salt(&["*", "mine.update"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert_eq!(update.stdout.matches("    True").count(), 2, "{update:?}");

    let got = c.salt(&["node1", "mine.get", "*", "test.ping", "--out", "json"]);
    assert_eq!(got.stdout, "{\n    \"node1\": {\n        \"node1\": true,\n        \"node2\": true\n    }\n}\n", "{got:?}");
    let both = c.salt(&["node1", "mine.get", "node2", "test.ping,ident", "--out", "json"]);
    assert!(both.stdout.contains("\"ident\": {\n            \"node2\": \"node2\""), "{both:?}");

    let deleted = c.salt(&["node2", "mine.delete", "test.ping"]);
    assert_eq!(deleted.stdout, "node2:\n    True\n", "{deleted:?}");
    let left = c.salt(&["node1", "mine.get", "*", "test.ping", "--out", "json"]);
    assert_eq!(left.stdout, "{\n    \"node1\": {\n        \"node1\": true\n    }\n}\n", "{left:?}");

    let shown = c.salt(&["node1", "state.show_sls", "peers", "--out", "json"]);
    let text = "\"text\": {\n                        \"node2\": \"node2\"\n                    }";
    assert!(shown.stdout.contains(text), "{shown:?}");

    let terse = c.salt(&["--state-output=terse", "node1", "state.sls", "peers"]);
    assert!(terse.stdout.starts_with("node1:\n  Name: peers - Function: test.show_notification - Result: Clean - Started: "), "{terse:?}");
    let quiet = c.salt(&["--state-verbose=False", "node1", "state.sls", "peers"]);
    assert!(!quiet.stdout.contains("ID: peers") && quiet.stdout.contains("Succeeded: 1"), "{quiet:?}");
}

#[test]
fn a_running_job_is_listed_found_and_killed() {
    let mut c = Cluster::new("saltutil", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let published = c.salt(&["--async", "node1", "test.sleep", "20"]);
    let jid = published.stdout.trim().rsplit(' ').next().unwrap_or_default().to_string();
    harness::wait_for("the minion to start the job", 10, || c.log("node1").contains(&format!("executing job {jid}")));

    let running = c.salt(&["node1", "saltutil.running", "--out", "json"]);
    assert!(running.stdout.contains(&format!("\"jid\": \"{jid}\"")), "{running:?}");
    assert!(running.stdout.contains("\"fun\": \"test.sleep\"") && running.stdout.contains("\"pid\": "), "{running:?}");
    let active = c.salt_run(&["jobs.active"]);
    assert!(active.stdout.starts_with(&format!("{jid}:\n    ----------\n    Arguments:\n        - 20\n    Function:\n        test.sleep\n")), "{active:?}");
    assert!(active.stdout.contains("    Returned:\n    Running:\n        |_\n          ----------\n          node1:\n"), "{active:?}");
    let found = c.salt(&["node1", "saltutil.find_job", &jid, "--out", "json"]);
    assert!(found.stdout.contains("\"tgt\": \"node1\""), "{found:?}");

    let killed = c.salt(&["node1", "saltutil.kill_job", &jid]);
    assert!(killed.stdout.starts_with(&format!("node1:\n    Signal 9 sent to job {jid} at pid ")), "{killed:?}");
    let after = c.salt(&["node1", "saltutil.running", "--out", "json"]);
    assert_eq!(after.stdout, "{\n    \"node1\": []\n}\n", "{after:?}");
    let gone = c.salt(&["node1", "saltutil.find_job", &jid, "--out", "json"]);
    assert_eq!(gone.stdout, "{\n    \"node1\": {}\n}\n", "{gone:?}");

    let synced = c.salt(&["node1", "saltutil.sync_all", "--out", "json"]);
    assert!(synced.stdout.contains("\"modules\": []") && synced.stdout.contains("\"matchers\": []"), "{synced:?}");
    let refreshed = c.salt(&["node1", "saltutil.refresh_pillar"]);
    assert_eq!(refreshed.stdout, "node1:\n    True\n", "{refreshed:?}");
}

#[test]
fn runners_print_a_job_and_tell_present_minions() {
    let mut c = Cluster::new("runners", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.start_minion("node2", json!({}));
    c.wait_ping(&["node1", "node2"]);
    c.stop_minion("node2");
    harness::wait_for("node2 to be seen as gone", 10, || c.salt_run(&["manage.not_present"]).stdout == "- node2\n");
    assert_eq!(c.salt_run(&["manage.present"]).stdout, "- node1\n");

    let published = c.salt(&["--async", "node1", "test.echo", "hello"]);
    let jid = published.stdout.trim().rsplit(' ').next().unwrap_or_default().to_string();
    harness::wait_for("the return", 10, || c.salt_run(&["jobs.lookup_jid", &jid]).stdout.contains("hello"));
    let printed = c.salt_run(&["jobs.print_job", &jid]);
    assert!(printed.stdout.starts_with(&format!("{jid}:\n    ----------\n    Arguments:\n        - hello\n    Function:\n        test.echo\n")), "{printed:?}");
    let result = "    Result:\n        ----------\n        node1:\n            ----------\n            out:\n                nested\n            retcode:\n                0\n            return:\n                hello\n";
    assert!(printed.stdout.contains(result), "{printed:?}");
    assert!(printed.stdout.contains("    StartTime:\n        "), "{printed:?}");
}
