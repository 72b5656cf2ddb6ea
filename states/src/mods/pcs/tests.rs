//! Tests of the `pcs` states against a fake pcs 0.11 that keeps a small CIB
//! in memory (properties, defaults, resources, constraints) and answers the
//! show commands in pcs 0.11's output formats: test mode runs only the show
//! command, a real run creates, a second run reports Salt's "already".

use std::sync::{Arc, Mutex};

use brine_common::Map;
use brine_modules::pkg::PkgDb;
use brine_modules::process::ProcOutput;
use brine_modules::Ctx;
use serde_json::json;

use crate::mods::testkit::{output, run, Recorded, StateOutcome};
use crate::mods::StateFn;

/// The fake cluster's configuration.
#[derive(Default)]
struct Cib {
    properties: Vec<(String, String)>,
    defaults: Vec<(String, String)>,
    op_defaults: Vec<(String, String)>,
    resources: Vec<String>,
    constraints: Vec<String>,
}

fn set(list: &mut Vec<(String, String)>, pair: &str) {
    if let Some((k, v)) = pair.split_once('=') {
        list.retain(|(key, _)| key != k);
        list.push((k.to_string(), v.to_string()));
    }
}

fn nvset(label: &str, list: &[(String, String)]) -> String {
    if list.is_empty() {
        return "No defaults set".into();
    }
    let lines: Vec<String> = list.iter().map(|(k, v)| format!("  {k}={v}")).collect();
    format!("{label}\n{}", lines.join("\n"))
}

fn answer(cib: &mut Cib, argv: &[String]) -> ProcOutput {
    let words: Vec<&str> = argv.iter().map(String::as_str).skip(1).collect();
    match words.as_slice() {
        ["property", "show"] => {
            let lines: Vec<String> = cib.properties.iter().map(|(k, v)| format!(" {k}: {v}")).collect();
            output(0, &format!("Cluster Properties:\n{}", lines.join("\n")), "Deprecation Warning: ...")
        }
        ["property", "set", pair] => {
            set(&mut cib.properties, pair);
            output(0, "", "")
        }
        ["resource", "defaults"] => output(0, &nvset("Meta Attrs: rsc_defaults-meta_attributes", &cib.defaults), ""),
        ["resource", "op", "defaults"] => {
            output(0, &nvset("Meta Attrs: op_defaults-meta_attributes", &cib.op_defaults), "")
        }
        ["resource", "defaults", pair] => {
            set(&mut cib.defaults, pair);
            output(0, "", "Deprecation Warning: ...")
        }
        ["resource", "op", "defaults", pair] => {
            set(&mut cib.op_defaults, pair);
            output(0, "", "")
        }
        ["resource" | "stonith", "config", id] if cib.resources.iter().any(|r| r == id) => {
            output(0, &format!("Resource: {id}"), "")
        }
        ["resource" | "stonith", "config", id] => output(0, "", &format!("Warning: Unable to find resource '{id}'")),
        ["resource" | "stonith", "create", id, ..] => {
            cib.resources.push(id.to_string());
            output(0, "", "")
        }
        ["constraint", _, "show", "--full"] => output(0, &cib.constraints.join("\n"), ""),
        ["constraint", kind, "add", rest @ ..] => {
            let id = rest.last().and_then(|w| w.strip_prefix("id=")).unwrap_or("x");
            cib.constraints.push(format!("  {kind} {} (id:{id})", rest.join(" ")));
            output(0, "", "")
        }
        _ => output(1, "", "Error: unknown command"),
    }
}

/// Like pcs 0.11.5, an unknown resource is only a warning (exit 0).
fn fake_pcs() -> Recorded {
    let cib = Arc::new(Mutex::new(Cib::default()));
    Recorded::new(move |argv| match cib.lock() {
        Ok(mut c) => answer(&mut c, argv),
        Err(_) => output(1, "", "poisoned"),
    })
}

fn go(runner: &Recorded, fun: StateFn, args: serde_json::Value, test: bool) -> StateOutcome {
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, runner);
    let mut db = PkgDb::default();
    db.installed.insert("pcs".into(), vec!["0.11.5-1+deb12u1".into()]);
    *ctx.context.pkg_list.borrow_mut() = Some(db);
    StateOutcome::of(&run(fun, args, test, &ctx))
}

#[test]
fn prop_has_value_predicts_sets_then_is_idempotent() {
    let pcs = fake_pcs();
    let args = json!({"name": "stonith off", "prop": "stonith-enabled", "value": "false"});
    let t = go(&pcs, super::prop_has_value, args.clone(), true);
    assert_eq!(t, StateOutcome::new(None, "property stonith-enabled=false (None) is set to be created\n", json!({})));
    assert_eq!(pcs.commands(), ["pcs property show"]);
    let r = go(&pcs, super::prop_has_value, args.clone(), false);
    assert_eq!(
        r,
        StateOutcome::new(
            Some(true),
            "Created property stonith-enabled=false (None)\n",
            json!({"stonith-enabled=false": {"old": "", "new": "stonith-enabled=false"}})
        )
    );
    let again = go(&pcs, super::prop_has_value, args, false);
    assert_eq!(
        again,
        StateOutcome::new(Some(true), "property stonith-enabled=false (None) is already existing\n", json!({}))
    );
    assert_eq!(
        pcs.commands(),
        ["pcs property show", "pcs property show", "pcs property set stonith-enabled=false", "pcs property show"]
    );
}

#[test]
fn defaults_in_pcs_011_format_are_idempotent() {
    let pcs = fake_pcs();
    let args = json!({"name": "stickiness", "default": "resource-stickiness", "value": 100});
    let r = go(&pcs, super::resource_defaults_to, args.clone(), false);
    assert_eq!(r.comment, "Created resource resource-stickiness=100 (None)\n");
    let again = go(&pcs, super::resource_defaults_to, args, false);
    assert_eq!(again.comment, "resource resource-stickiness=100 (None) is already existing\n");
    let op = json!({"name": "timeout", "op_default": "timeout", "value": "60s"});
    let t = go(&pcs, super::resource_op_defaults_to, op.clone(), true);
    assert_eq!(t.result, None);
    go(&pcs, super::resource_op_defaults_to, op.clone(), false);
    assert_eq!(go(&pcs, super::resource_op_defaults_to, op, false).changes, json!({}));
    assert_eq!(
        pcs.commands(),
        [
            "pcs resource defaults",
            "pcs resource defaults resource-stickiness=100",
            "pcs resource defaults",
            "pcs resource op defaults",
            "pcs resource op defaults",
            "pcs resource op defaults timeout=60s",
            "pcs resource op defaults",
        ]
    );
}

#[test]
fn resource_and_stonith_are_created_once() {
    let pcs = fake_pcs();
    let args = json!({
        "name": "vip", "resource_id": "vip", "resource_type": "ocf:heartbeat:IPaddr2",
        "resource_options": ["ip=10.0.0.10", "cidr_netmask=24", "op", "monitor", "interval=10s"],
    });
    let t = go(&pcs, super::resource_present, args.clone(), true);
    assert_eq!(t, StateOutcome::new(None, "resource vip (ocf:heartbeat:IPaddr2) is set to be created\n", json!({})));
    let r = go(&pcs, super::resource_present, args.clone(), false);
    assert_eq!(
        r,
        StateOutcome::new(
            Some(true),
            "Created resource vip (ocf:heartbeat:IPaddr2)\n",
            json!({"vip": {"old": "", "new": "vip"}})
        )
    );
    let again = go(&pcs, super::resource_present, args, false);
    assert_eq!(again.comment, "resource vip (ocf:heartbeat:IPaddr2) is already existing\n");
    assert!(pcs.commands().contains(
        &"pcs resource create vip ocf:heartbeat:IPaddr2 ip=10.0.0.10 cidr_netmask=24 op monitor interval=10s".into()
    ));
    let fence = json!({"name": "f", "stonith_id": "fence1", "stonith_device_type": "fence_xvm"});
    assert_eq!(go(&pcs, super::stonith_present, fence.clone(), false).comment, "Created stonith fence1 (fence_xvm)\n");
    assert_eq!(
        go(&pcs, super::stonith_present, fence, false).comment,
        "stonith fence1 (fence_xvm) is already existing\n"
    );
}

#[test]
fn constraint_is_found_by_its_id() {
    let pcs = fake_pcs();
    let args = json!({
        "name": "web with vip", "constraint_id": "col-web-vip", "constraint_type": "colocation",
        "constraint_options": ["add", "web", "with", "vip", "INFINITY"],
    });
    let r = go(&pcs, super::constraint_present, args.clone(), false);
    assert_eq!(
        r,
        StateOutcome::new(
            Some(true),
            "Created constraint col-web-vip (colocation)\n",
            json!({"col-web-vip": {"old": "", "new": "col-web-vip"}})
        )
    );
    let again = go(&pcs, super::constraint_present, args, false);
    assert_eq!(again.comment, "constraint col-web-vip (colocation) is already existing\n");
    assert_eq!(
        pcs.commands(),
        [
            "pcs constraint colocation show --full",
            "pcs constraint colocation add web with vip INFINITY id=col-web-vip",
            "pcs constraint colocation show --full",
        ]
    );
}

#[test]
fn failures_and_cib_files_take_salts_shapes() {
    let pcs = fake_pcs();
    let bad = json!({"name": "x", "resource_id": "x", "resource_type": "ocf:x:y", "cibname": "mycib"});
    let r = go(
        &pcs,
        super::stonith_present,
        json!({"name": "x", "stonith_id": "x", "stonith_device_type": "t", "cibname": "c"}),
        true,
    );
    assert_eq!(r.result, None);
    let cib = std::env::temp_dir().join("pcs/base/c.cib");
    assert_eq!(pcs.commands(), [format!("pcs -f {} stonith config x", cib.display())]);
    let refused =
        Recorded::new(
            |argv| if argv.contains(&"create".to_string()) { output(1, "", "Error") } else { output(1, "", "") },
        );
    let failed = go(&refused, super::resource_present, bad, false);
    assert_eq!(failed, StateOutcome::new(Some(false), "Failed to create resource x (ocf:x:y)\n", json!({})));
}

#[test]
fn pairs_are_read_in_both_pcs_formats() {
    assert!(super::has_pair(" stonith-enabled: false", "stonith-enabled", "false"));
    assert!(super::has_pair("  resource-stickiness=100", "resource-stickiness", "100"));
    assert!(super::has_pair("  description=\"two words\"", "description", "two words"));
    assert!(!super::has_pair("  resource-stickiness=1000", "resource-stickiness", "100"));
    assert!(!super::has_pair("a: b: c", "a", "b: c"));
}

/// A pcs whose live CIB is the text in `live`: `cluster cib FILE` writes it,
/// `cluster cib-push FILE` replaces it with the file's text, `-f FILE
/// resource create` appends to the file.
fn fake_cib(live: Arc<Mutex<String>>) -> Recorded {
    Recorded::new(move |argv| {
        let words: Vec<&str> = argv.iter().map(String::as_str).collect();
        let Ok(mut cib) = live.lock() else { return output(1, "", "poisoned") };
        let done = match words.as_slice() {
            ["pcs", "cluster", "cib", file, ..] => std::fs::write(file, cib.as_bytes()).is_ok(),
            ["pcs", "cluster", "cib-push", file, ..] => std::fs::read_to_string(file).map(|t| *cib = t).is_ok(),
            ["pcs", "-f", file, "resource", "config", id] => {
                return match std::fs::read_to_string(file) {
                    Ok(t) if t.contains(&format!("<primitive id=\"{id}\"")) => {
                        output(0, &format!("Resource: {id} (class=ocf)"), "")
                    }
                    _ => output(0, "", "Warning: Unable to find resource"),
                };
            }
            ["pcs", "-f", file, "resource", "create", id, ..] => {
                let appended = std::fs::read_to_string(file).map(|t| t + &format!("<primitive id=\"{id}\"/>"));
                appended.and_then(|t| std::fs::write(file, t)).is_ok()
            }
            _ => false,
        };
        output(if done { 0 } else { 1 }, "", "")
    })
}

#[test]
fn cib_present_resource_present_and_cib_pushed_cycle() {
    let live = Arc::new(Mutex::new("<cib/>".to_string()));
    let pcs = fake_cib(live.clone());
    let cibname = format!("brine-test-{}", std::process::id());
    let dir = std::env::temp_dir().join("pcs/base");
    let file = dir.join(format!("{cibname}.cib"));
    let cksum_len = "sha256:".len() + 64;
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(dir.join(format!("{cibname}.cib.cksum")));
    let present = json!({"name": "cib", "cibname": cibname, "scope": "configuration"});
    let t = go(&pcs, super::cib::cib_present, present.clone(), true);
    assert_eq!(
        t.comment,
        format!("CIB {cibname} is set to be created/updated\nCIB {cibname} checksum is set to be created/updated\n")
    );
    assert!(!file.exists() && !dir.join(format!("{cibname}.cib.tmp")).exists());
    let r = go(&pcs, super::cib::cib_present, present.clone(), false);
    let live_hash = r.changes["cibcksum"].as_str().unwrap_or_default().to_string();
    assert!(live_hash.starts_with("sha256:") && live_hash.len() == cksum_len, "{r:?}");
    assert_eq!(
        r,
        StateOutcome::new(
            Some(true),
            &format!("Created/updated CIB {cibname}\nCreated/updated checksum {live_hash} of CIB {cibname}\n"),
            json!({"cibfile": file.to_string_lossy(), "cibcksum": live_hash})
        )
    );
    let same = go(&pcs, super::cib::cib_present, present.clone(), false);
    assert_eq!(
        same,
        StateOutcome::new(
            Some(true),
            &format!("CIB {cibname} is already equal to the live CIB\nCIB {cibname} checksum is correct\n"),
            json!({})
        )
    );
    let pushed = json!({"name": "push", "cibname": cibname, "scope": "configuration"});
    let unchanged = go(&pcs, super::cib::cib_pushed, pushed.clone(), false);
    assert_eq!(unchanged.comment, format!("CIB {cibname} is not changed since creation through pcs.cib_present\n"));
    let vip =
        json!({"name": "vip", "resource_id": "vip", "resource_type": "ocf:heartbeat:IPaddr2", "cibname": cibname});
    assert_eq!(go(&pcs, super::resource_present, vip.clone(), false).result, Some(true));
    assert_eq!(
        go(&pcs, super::resource_present, vip, false).comment,
        "resource vip (ocf:heartbeat:IPaddr2) is already existing\n"
    );
    let t = go(&pcs, super::cib::cib_pushed, pushed.clone(), true);
    assert_eq!(
        t,
        StateOutcome::new(None, &format!("CIB {cibname} is set to be pushed as the new live CIB\n"), json!({}))
    );
    assert_eq!(live.lock().map(|l| l.clone()).unwrap_or_default(), "<cib/>");
    let p = go(&pcs, super::cib::cib_pushed, pushed, false);
    assert_eq!(
        p,
        StateOutcome::new(
            Some(true),
            &format!("Pushed CIB {cibname}\n"),
            json!({"cibfile_pushed": file.to_string_lossy()})
        )
    );
    assert_eq!(live.lock().map(|l| l.clone()).unwrap_or_default(), "<cib/><primitive id=\"vip\"/>");
    let missing = go(&pcs, super::cib::cib_pushed, json!({"name": "p", "cibname": "nope-brine"}), false);
    assert_eq!(missing.comment, format!("CIB-file {} does not exist\n", dir.join("nope-brine.cib").display()));
    let refused = Recorded::new(|_| output(1, "", "Error: unable to get cib"));
    let failed = go(&refused, super::cib::cib_present, present, false);
    assert_eq!(failed, StateOutcome::new(Some(false), "Failed to get live CIB\n", json!({})));
    for ext in ["", ".cksum", ".tmp"] {
        let _ = std::fs::remove_file(dir.join(format!("{cibname}.cib{ext}")));
    }
}

#[test]
fn every_pcs_state_is_registered() {
    let names = [
        "cib_present",
        "cib_pushed",
        "prop_has_value",
        "resource_defaults_to",
        "resource_op_defaults_to",
        "resource_present",
        "stonith_present",
        "constraint_present",
    ];
    assert!(names.iter().all(|n| crate::mods::lookup("pcs", n).is_some()));
}
