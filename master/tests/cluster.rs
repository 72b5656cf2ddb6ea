//! End-to-end: a real master and real minions on loopback, driven by the
//! real `salt-key`, `salt` and `salt-run`: key acceptance, targeting, jobs,
//! returns, missing minions, states over the master's fileserver with
//! per-minion pillar.
//!
//! Run with `cargo test -p brine-master --test cluster`.

mod harness;

use harness::{signal, wait_for, Cluster};
use serde_json::json;

fn three_minions(name: &str) -> Cluster {
    let mut c = Cluster::new(name, json!({}));
    c.start_master();
    c.start_minion("node1", json!({"role": "web", "tier": "front"}));
    c.start_minion("node2", json!({"role": "web", "tier": "back"}));
    c.start_minion("node3", json!({"role": "db", "tier": "back"}));
    c
}

fn ids_in(stdout: &str) -> Vec<String> {
    let mut ids: Vec<String> =
        stdout.lines().filter(|l| !l.starts_with(' ') && l.ends_with(':')).map(|l| l.trim_end_matches(':').to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn keys_are_accepted_and_targets_select_exactly() {
    let c = three_minions("targets");
    wait_for("three pending keys", 20, || c.pending().len() == 3);
    let listed = c.salt_key(&["-L"]);
    assert_eq!(listed.stdout, "Accepted Keys:\nDenied Keys:\nUnaccepted Keys:\nnode1\nnode2\nnode3\nRejected Keys:\n");
    let accepted = c.salt_key(&["-A", "-y"]);
    assert_eq!(
        accepted.stdout,
        "The following keys are going to be accepted:\nUnaccepted Keys:\nnode1\nnode2\nnode3\nKey for minion node1 accepted.\nKey for minion node2 accepted.\nKey for minion node3 accepted.\n"
    );
    c.wait_ping(&["node1", "node2", "node3"]);
    let ping = c.salt(&["*", "test.ping"]);
    assert_eq!(ping.code, 0, "{ping:?}");
    assert_eq!(ping.stdout.matches("    True").count(), 3, "{ping:?}");

    let cases: &[(&[&str], &[&str])] = &[
        (&["-L", "node1,node3"], &["node1", "node3"]),
        (&["-G", "role:web"], &["node1", "node2"]),
        (&["-E", "node[23]"], &["node2", "node3"]),
        (&["-C", "G@tier:back and not node3"], &["node2"]),
        (&["-C", "node1 or G@role:db"], &["node1", "node3"]),
        (&["node2"], &["node2"]),
    ];
    for (target, want) in cases {
        let mut args = target.to_vec();
        args.push("test.ping");
        let out = c.salt(&args);
        assert_eq!(out.code, 0, "{target:?}: {out:?}");
        assert_eq!(ids_in(&out.stdout), want.to_vec(), "{target:?}: {out:?}");
    }

    let hi = c.salt(&["node1", "cmd.run", "echo hi"]);
    assert_eq!(hi.stdout, "node1:\n    hi\n", "{hi:?}");
    assert!(c.log("node1").contains("(cmd.run)"));
    assert!(!c.log("node2").contains("(cmd.run)") && !c.log("node3").contains("(cmd.run)"));

    let json_out = c.salt(&["-L", "node1", "test.ping", "--out", "json"]);
    assert_eq!(json_out.stdout, "{\n    \"node1\": true\n}\n");

    let none = c.salt(&["nomatch*", "test.ping"]);
    assert_eq!(none.code, 2);
    assert_eq!(none.stdout, "No minions matched the target. No command was sent, no jid was assigned.\n");
    assert_eq!(none.stderr, "ERROR: No return received\n");

    let batch = c.salt(&["-b", "1", "-G", "role:web", "test.ping"]);
    assert_eq!(batch.code, 0, "{batch:?}");
    assert_eq!(batch.stdout.matches("\nExecuting run on ['node").count(), 2, "{batch:?}");
    assert!(batch.stdout.contains("\nExecuting run on ['node1']\n\njid:\n"), "{batch:?}");
    assert!(batch.stdout.contains("node2:\n    True\nretcode:\n    0\n"), "{batch:?}");

    let up = c.salt_run(&["manage.up"]);
    assert_eq!(up.stdout, "- node1\n- node2\n- node3\n", "{up:?}");
}

#[test]
fn missing_minions_are_reported_as_salt_does() {
    let mut c = Cluster::new("missing", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.start_minion("node2", json!({}));
    c.start_minion("node3", json!({}));
    c.wait_ping(&["node1", "node2", "node3"]);

    c.stop_minion("node2");
    wait_for("node2 to be seen as down", 10, || c.salt_run(&["manage.down"]).stdout.contains("node2"));
    let pid3 = c.minion("node3").pid();
    signal(pid3, "STOP");
    let out = c.salt(&["-t", "1", "-v", "*", "test.ping"]);
    signal(pid3, "CONT");
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.starts_with("Executing job with jid "), "{out:?}");
    assert!(out.stdout.contains("node1:\n    True\n"), "{out:?}");
    assert!(out.stdout.contains("node2:\n    Minion did not return. [Not connected]\n"), "{out:?}");
    assert!(out.stdout.contains("node3:\n    Minion did not return. [No response]\n"), "{out:?}");
    assert_eq!(out.stderr, "ERROR: Minions returned with non-zero exit code\n");

    let jid = out.stdout.lines().next().and_then(|l| l.rsplit(' ').next()).unwrap_or_default().to_string();
    let looked = c.salt_run(&["jobs.lookup_jid", &jid]);
    assert!(looked.stdout.contains("node1:\n    True"), "{looked:?}");
}

#[test]
fn a_return_survives_a_master_crash() {
    let mut c = Cluster::new("restart", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let published = c.salt(&["--async", "node1", "cmd.run", "sleep 2; echo done"]);
    let jid = published.stdout.trim().rsplit(' ').next().unwrap_or_default().to_string();
    assert!(published.stdout.starts_with("Executed command with job ID: "), "{published:?}");
    wait_for("the minion to start the job", 10, || c.log("node1").contains(&format!("executing job {jid}")));
    c.kill_master();
    std::thread::sleep(std::time::Duration::from_secs(3));
    c.start_master();
    wait_for("the spooled return to reach the job cache", 20, || {
        c.salt_run(&["jobs.lookup_jid", &jid]).stdout.contains("done")
    });
    let listed = c.salt_run(&["jobs.list_jobs"]);
    assert!(listed.stdout.contains(&jid) && listed.stdout.contains("cmd.run"), "{listed:?}");
    assert_eq!(c.stop_master(), Some(0));
}

#[test]
fn highstate_uses_the_masters_tree_and_each_minions_own_pillar() {
    let mut c = Cluster::new("highstate", json!({"auto_accept": true}));
    c.file("salt/top.sls", "base:\n  '*':\n    - app\n");
    c.file(
        "salt/app.sls",
        "conf:\n  file.managed:\n    - name: {{ pillar['dir'] }}/app.conf\n    - source: salt://files/app.conf\n    - template: jinja\n",
    );
    c.file("salt/files/app.conf", "id={{ grains['id'] }} secret={{ pillar['secret'] }}\n");
    c.file("pillar/top.sls", "base:\n  node1:\n    - one\n  node2:\n    - two\n");
    let d1 = c.path("node1");
    let d2 = c.path("node2");
    c.file("pillar/one.sls", &format!("secret: s-one\ndir: {}\n", d1.display()));
    c.file("pillar/two.sls", &format!("secret: s-two\ndir: {}\n", d2.display()));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.start_minion("node2", json!({}));
    c.wait_ping(&["node1", "node2"]);

    let dry = c.salt(&["*", "state.highstate", "test=True"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains(&format!("Name: {}/app.conf", d1.display())), "{dry:?}");
    assert!(dry.stdout.contains("Summary for node1") && dry.stdout.contains("Summary for node2"), "{dry:?}");
    assert!(!d1.join("app.conf").exists());

    let real = c.salt(&["*", "state.highstate"]);
    assert_eq!(real.code, 0, "{real:?}");
    assert_eq!(std::fs::read_to_string(d1.join("app.conf")).unwrap_or_default(), "id=node1 secret=s-one\n");
    assert_eq!(std::fs::read_to_string(d2.join("app.conf")).unwrap_or_default(), "id=node2 secret=s-two\n");

    let pillar = c.salt(&["node1", "pillar.items", "--out", "json"]);
    assert!(pillar.stdout.contains("s-one") && !pillar.stdout.contains("s-two"), "{pillar:?}");
    let by_pillar = c.salt(&["-I", "secret:s-two", "test.ping"]);
    assert_eq!(ids_in(&by_pillar.stdout), vec!["node2"], "{by_pillar:?}");

    let again = c.salt(&["node1", "state.highstate"]);
    assert!(again.stdout.contains("is in the correct state"), "{again:?}");
}
