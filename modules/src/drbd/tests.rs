//! Tests of `drbd.status` and `drbd.overview` on recorded DRBD 9 and
//! drbd-overview output, against the dicts Salt 3007 builds from them.

use brine_common::{Map, Value};
use serde_json::json;

use super::*;
use crate::testing::{output, Recorded};

const STATUS: &str = "\
r0 role:Secondary
  volume:0 disk:Inconsistent
  volume:1 disk:Inconsistent
  drbd-node1 role:Primary
    volume:0 replication:SyncTarget peer-disk:UpToDate done:10.17
    volume:1 replication:SyncTarget peer-disk:UpToDate done:74.08
  drbd-node2 connection:Connecting

r1 role:Primary
  disk:UpToDate
  node2 role:Secondary
    peer-disk:UpToDate
";

#[test]
fn status_takes_salts_shape() {
    let got = parse_status(STATUS).unwrap().to_json();
    assert_eq!(
        got,
        json!([
            {
                "resource name": "r0",
                "local role": "Secondary",
                "local volumes": [{"volume": "0", "disk": "Inconsistent"}, {"volume": "1", "disk": "Inconsistent"}],
                "peer nodes": [
                    {
                        "peernode name": "drbd-node1",
                        "role": "Primary",
                        "peer volumes": [
                            {"volume": "0", "replication": "SyncTarget", "peer-disk": "UpToDate", "done": "10.17"},
                            {"volume": "1", "replication": "SyncTarget", "peer-disk": "UpToDate", "done": "74.08"}
                        ]
                    },
                    {"peernode name": "drbd-node2", "connection": "Connecting", "peer volumes": []}
                ]
            },
            {
                "resource name": "r1",
                "local role": "Primary",
                "local volumes": [{"disk": "UpToDate"}],
                "peer nodes": [{"peernode name": "node2", "role": "Secondary", "peer volumes": [{"peer-disk": "UpToDate"}]}]
            }
        ])
    );
}

#[test]
fn odd_status_lines_are_reported_not_panics() {
    assert_eq!(
        parse_status("r0 role:Primary\n   three spaces").unwrap().to_json(),
        json!({"Unknown parser": "   three spaces"})
    );
    assert!(parse_status("  disk:UpToDate").is_err());
    assert!(parse_status("r0").is_err());
    assert_eq!(parse_status("").unwrap(), Value::List(Vec::new()));
}

#[test]
fn overview_lines_take_salts_shape() {
    let mounted = " 0:r0/0  Connected Primary/Secondary UpToDate/UpToDate /srv ext4 1.9G 5.8M 1.8G 1%";
    assert_eq!(
        Value::Map(parse_overview(mounted).unwrap()).to_json(),
        json!({
            "minor number": "0", "device": "r0/0", "connection state": "Connected",
            "local role": "Primary", "partner role": "Secondary",
            "local disk state": "UpToDate", "partner disk state": "UpToDate",
            "mountpoint": "/srv", "fs": "ext4", "total size": "1.9G", "used": "5.8M", "remains": "1.8G", "percent": "1%"
        })
    );
    let syncing = " 1:r1/0  SyncSource Primary/Secondary UpToDate/Inconsistent [=>..................] sync'ed: 10.2% (921716/1023900)K";
    let got = Value::Map(parse_overview(syncing).unwrap()).to_json();
    assert_eq!(got["synchronisation: "], "[=>..................]");
    assert_eq!(got["synched"], "10.2%(921716/1023900)K");
    let drbd9 = " 0:r0/0  Connected(2*) Primary(2*) UpToDa(2*)";
    let got = Value::Map(parse_overview(drbd9).unwrap()).to_json();
    assert_eq!((got["connection state"].as_str(), got["partner role"].as_str()), (Some("Connected"), Some("Primary")));
    assert!(parse_overview(" 0:r0/0  Connected Secondary/Primary Inconsistent/UpToDate").unwrap().is_empty());
    assert!(parse_overview("garbage").is_err());
}

#[test]
fn commands_are_salts() {
    let runner = Recorded::new(|argv| match argv[0].as_str() {
        "drbdadm" => output(0, "r0 role:Primary\n  disk:UpToDate", ""),
        _ => output(0, " 0:r0/0  Connected Primary/Secondary UpToDate/UpToDate", ""),
    });
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &runner);
    assert_eq!(status(&ctx, "all").unwrap().to_json()[0]["local role"], "Primary");
    assert_eq!(overview(&ctx).unwrap().get("device"), Some(&Value::str("r0/0")));
    assert_eq!(runner.commands(), ["drbdadm status all", "drbd-overview"]);
    assert!(runner.log.lock().unwrap().iter().all(|s| s.merge_stderr));
}
