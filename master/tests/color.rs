//! End-to-end: colours of `salt` as Salt 3007 prints them. `--force-color`
//! gives the escape codes of Salt's nested outputter (cyan minion id, key
//! red when the call failed, yellow `True`, green text), as recorded from
//! reference Salt's `salt-call --force-color`; piped output and
//! `--no-color` have none.
//!
//! Run with `cargo test -p brine-master --test color`.

mod harness;

use harness::Cluster;
use serde_json::json;

#[test]
fn force_color_prints_salts_escape_codes_and_pipes_stay_plain() {
    let mut c = Cluster::new("color", json!({}));
    c.start_master();
    c.start_minion("node1", json!({}));
    harness::wait_for("a pending key", 20, || c.pending().len() == 1);
    c.salt_key(&["-A", "-y"]);
    c.wait_ping(&["node1"]);

    let ping = c.salt(&["--force-color", "node1", "test.ping"]);
    assert_eq!(ping.stdout, "\x1b[0;36mnode1\x1b[0;0m:\n    \x1b[0;1;33mTrue\x1b[0;0m\n", "{ping:?}");

    let failed = c.salt(&["--force-color", "node1", "cmd.run", "echo a; false"]);
    assert_eq!(failed.stdout, "\x1b[0;31mnode1\x1b[0;0m:\n    \x1b[0;32ma\x1b[0;0m\n", "{failed:?}");

    for args in [&["node1", "test.ping"][..], &["--no-color", "node1", "test.ping"][..]] {
        let plain = c.salt(args);
        assert_eq!(plain.stdout, "node1:\n    True\n", "{args:?}: {plain:?}");
    }
}
