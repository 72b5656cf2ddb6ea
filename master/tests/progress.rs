//! End-to-end: `salt --progress` with a real master and minions. As Salt's
//! `salt` with the `progressbar` package: the bar of returns goes to stderr
//! (lines ended by a carriage return), stdout gets the returns summary
//! instead of the returns (`--out` or not), and the exit status is 0.
//!
//! Run with `cargo test -p brine-master --test progress`.

mod harness;

use harness::{wait_for, Cluster};
use serde_json::json;

fn summary(targeted: usize, returned: usize, errors: usize, extra: &str) -> String {
    format!(
        "\n\n-------------------------------------------\nSummary\n-------------------------------------------\n\
         # of minions targeted: {targeted}\n# of minions returned: {returned}\n\
         # of minions that did not return: {}\n# of minions with errors: {errors}\n{extra}\
         -------------------------------------------\n",
        targeted - returned
    )
}

/// The bar's frames: every one ends with `\r`, has the same width, and the last is full.
fn assert_bar(stderr: &str, total: usize) {
    assert!(stderr.ends_with('\r') && !stderr.contains('\n'), "{stderr:?}");
    let frames: Vec<&str> = stderr.trim_end_matches('\r').split('\r').collect();
    assert!(frames[0].starts_with("  0% |  "), "{frames:?}");
    assert!(frames.iter().all(|f| f.len() == frames[0].len() && f.contains("| Elapsed Time: 0:00:")), "{frames:?}");
    let last = frames[frames.len() - 1].trim_end();
    assert!(last.starts_with("100% |###") && last.ends_with(&format!("Returns: [{total}/{total}]")), "{last:?}");
}

#[test]
fn progress_draws_a_bar_on_stderr_and_prints_salts_summary() {
    let mut c = Cluster::new("progress", json!({}));
    c.start_master();
    for id in ["node1", "node2", "node3"] {
        c.start_minion(id, json!({}));
    }
    wait_for("three pending keys", 20, || c.pending().len() == 3);
    c.salt_key(&["-A", "-y"]);
    c.wait_ping(&["node1", "node2", "node3"]);

    let plain = c.salt(&["*", "test.ping", "--out=json"]);
    assert!(plain.stderr.is_empty() && plain.stdout.matches("true").count() == 3, "{plain:?}");

    for extra in [&[][..], &["--out=json"][..]] {
        let mut args = vec!["--progress", "*", "test.ping"];
        args.extend_from_slice(extra);
        let out = c.salt(&args);
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.stdout, summary(3, 3, 0, ""), "{extra:?}");
        assert_bar(&out.stderr, 3);
    }

    // Errors are counted, not returned: Salt exits 0 with --progress.
    let failing = c.salt(&["--progress", "node[12]", "cmd.run", "false"]);
    assert_eq!((failing.code, failing.stdout.as_str()), (0, summary(2, 2, 2, "").as_str()), "{failing:?}");

    // A minion that is not connected is counted as not returned; -v names it.
    c.stop_minion("node3");
    wait_for("node3 to be gone", 20, || c.salt(&["-t", "1", "node3", "test.ping"]).stdout.contains("[Not connected]"));
    let out = c.salt(&["--progress", "-v", "-t", "2", "*", "test.ping"]);
    assert_eq!(out.stdout, summary(3, 2, 0, "Minions not connected: node3\n"), "{out:?}");
    assert!(out.stderr.trim_end().ends_with("Returns: [2/3]"), "{out:?}");

    let none = c.salt(&["--progress", "nomatch", "test.ping"]);
    assert_eq!(none.code, 0, "{none:?}");
    assert_eq!(none.stdout, "No minions matched the target. No command was sent, no jid was assigned.\n");
}
