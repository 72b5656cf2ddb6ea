//! Tests of the `lvm` states against a fake lvm2 that keeps PVs, VGs and LVs
//! in memory and answers the `-c` reports as lvm2 2.03 does: test mode runs
//! only the display commands, a real run creates, a second run reports
//! Salt's "already present". `/dev/null` and `/dev/zero` stand in for disks
//! (pvcreate checks that the device exists).

use std::sync::{Arc, Mutex};

use brine_common::Map;
use brine_modules::process::ProcOutput;
use brine_modules::Ctx;
use serde_json::json;

use crate::mods::testkit::{output, run, Recorded, StateOutcome};
use crate::mods::StateFn;

#[derive(Default)]
struct Lvm {
    /// (device, volume group or "#orphans_lvm2")
    pvs: Vec<(String, String)>,
    vgs: Vec<String>,
    /// (path, size in sectors)
    lvs: Vec<(String, u64)>,
}

const EXTENT: u64 = 8192;

fn sectors(size: &str) -> u64 {
    let n: u64 = size.trim_end_matches(['G', 'M']).parse().unwrap_or(0);
    if size.ends_with('G') {
        n * 1024 * 2048
    } else {
        n * 2048
    }
}

fn report(rows: Vec<String>, missing: &str) -> ProcOutput {
    if rows.is_empty() {
        output(5, "", missing)
    } else {
        output(0, &rows.join("\n"), "")
    }
}

fn answer(lvm: &mut Lvm, argv: &[String]) -> ProcOutput {
    let tool = argv[0].rsplit('/').next().unwrap_or_default();
    let arg = argv.get(2).cloned().unwrap_or_default();
    match tool {
        "pvdisplay" => report(
            lvm.pvs
                .iter()
                .filter(|(d, _)| arg.is_empty() || *d == arg)
                .map(|(d, vg)| format!("  {d}:{vg}:204800:-1:8:8:-1:4096:24:24:0:uuid"))
                .collect(),
            "  Failed to find physical volume",
        ),
        "vgdisplay" => report(
            lvm.vgs
                .iter()
                .filter(|v| arg.is_empty() || **v == arg)
                .map(|v| format!("  {v}:r/w:772:-1:0:0:0:-1:0:1:1:98304:4096:24:0:24:uuid"))
                .collect(),
            "  Volume group not found",
        ),
        "lvdisplay" => report(
            lvm.lvs
                .iter()
                .filter(|(p, _)| arg.is_empty() || *p == arg)
                .map(|(p, s)| format!("  {p}:vg0:3:1:-1:0:{s}:{}:-1:0:-1:253:0", s / EXTENT))
                .collect(),
            "  Failed to find logical volume",
        ),
        "pvcreate" => {
            argv[2..].iter().for_each(|d| lvm.pvs.push((d.clone(), "#orphans_lvm2".into())));
            output(0, "", "")
        }
        "vgcreate" | "vgextend" => {
            let vg = argv[1].clone();
            for (d, g) in lvm.pvs.iter_mut() {
                if argv[2..].contains(d) {
                    *g = vg.clone();
                }
            }
            if tool == "vgcreate" {
                lvm.vgs.push(vg);
            }
            output(0, "", "")
        }
        "lvcreate" => {
            let path = format!("/dev/{}/{}", argv[3], argv[2]);
            lvm.lvs.push((path, sectors(&argv[5])));
            output(0, "", "")
        }
        "lvresize" => {
            let path = argv.last().cloned().unwrap_or_default();
            let size = sectors(&argv[argv.len() - 2]);
            lvm.lvs.iter_mut().filter(|(p, _)| *p == path).for_each(|(_, s)| *s = size);
            output(0, "", "")
        }
        "pvremove" => {
            lvm.pvs.retain(|(d, _)| !argv[2..].contains(d));
            output(0, "", "")
        }
        "vgremove" => {
            lvm.vgs.retain(|v| *v != argv[1]);
            output(0, "", "")
        }
        "lvremove" => {
            lvm.lvs.retain(|(p, _)| format!("/dev/{}", argv[1]) != *p);
            output(0, "", "")
        }
        _ => output(127, "", "unknown"),
    }
}

fn fake_lvm() -> Recorded {
    let state = Arc::new(Mutex::new(Lvm::default()));
    Recorded::new(move |argv| match state.lock() {
        Ok(mut s) => answer(&mut s, argv),
        Err(_) => output(1, "", "poisoned"),
    })
}

fn go(runner: &Recorded, fun: StateFn, args: serde_json::Value, test: bool) -> StateOutcome {
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, runner);
    StateOutcome::of(&run(fun, args, test, &ctx))
}

#[test]
fn pv_present_predicts_creates_then_is_idempotent() {
    let lvm = fake_lvm();
    let t = go(&lvm, super::pv_present, json!({"name": "/dev/null"}), true);
    assert_eq!(t, StateOutcome::new(None, "Physical Volume /dev/null is set to be created", json!({})));
    assert_eq!(lvm.commands(), ["pvdisplay -c /dev/null"]);
    let r = go(&lvm, super::pv_present, json!({"name": "/dev/null"}), false);
    assert_eq!(r, StateOutcome::new(Some(true), "Created Physical Volume /dev/null", json!({"created": true})));
    let again = go(&lvm, super::pv_present, json!({"name": "/dev/null"}), false);
    assert_eq!(again, StateOutcome::new(Some(true), "Physical Volume /dev/null already present", json!({})));
    assert!(lvm.commands().contains(&"pvcreate --yes /dev/null".to_string()));
}

#[test]
fn vg_present_creates_checks_members_and_extends() {
    let lvm = fake_lvm();
    go(&lvm, super::pv_present, json!({"name": "/dev/null"}), false);
    go(&lvm, super::pv_present, json!({"name": "/dev/zero"}), false);
    let args = json!({"name": "vg0", "devices": "/dev/null"});
    let t = go(&lvm, super::vg_present, args.clone(), true);
    assert_eq!(t, StateOutcome::new(None, "Volume Group vg0 is set to be created", json!({})));
    let r = go(&lvm, super::vg_present, args.clone(), false);
    assert_eq!(r.comment, "Created Volume Group vg0");
    assert_eq!(r.changes["created"]["Output from vgcreate"], "Volume group \"vg0\" successfully created");
    assert_eq!(r.changes["created"]["vg0"]["Volume Group Name"], "vg0");
    let again = go(&lvm, super::vg_present, args, false);
    assert_eq!(
        again,
        StateOutcome::new(Some(true), "Volume Group vg0 already present\n/dev/null is part of Volume Group", json!({}))
    );
    let both = json!({"name": "vg0", "devices": ["/dev/null", "/dev/zero"]});
    let before = lvm.commands().len();
    let predicted = go(&lvm, super::vg_present, both.clone(), true);
    assert_eq!(predicted.result, None);
    assert_eq!(
        predicted.comment,
        "Volume Group vg0 already present\n/dev/null is part of Volume Group\n/dev/zero is set to be added to vg0"
    );
    assert!(lvm.commands()[before..].iter().all(|c| c.contains("display")), "{:?}", lvm.commands());
    let extended = go(&lvm, super::vg_present, both, false);
    assert_eq!(extended.changes, json!({"/dev/zero": "added to vg0"}));
    assert!(lvm.commands().contains(&"vgextend vg0 -qq /dev/zero".to_string()));
    let missing = go(&lvm, super::vg_present, json!({"name": "vg0", "devices": ["/dev/full"]}), false);
    assert_eq!(
        missing,
        StateOutcome::new(Some(false), "Volume Group vg0 already present\npv /dev/full is not present", json!({}))
    );
}

#[test]
fn lv_present_creates_resizes_and_refuses_to_shrink() {
    let lvm = fake_lvm();
    let args = json!({"name": "guest1", "vgname": "vg0", "size": "4G"});
    let t = go(&lvm, super::lv_present, args.clone(), true);
    assert_eq!(t, StateOutcome::new(None, "Logical Volume guest1 is set to be created", json!({})));
    assert_eq!(lvm.commands(), ["lvdisplay -c /dev/vg0/guest1"]);
    let r = go(&lvm, super::lv_present, args.clone(), false);
    assert_eq!(r.comment, "Created Logical Volume guest1");
    assert_eq!(r.changes["created"]["Output from lvcreate"], "Logical volume \"guest1\" created.");
    assert_eq!(r.changes["created"]["/dev/vg0/guest1"]["Logical Volume Size"], "8388608");
    assert!(lvm.commands().iter().any(|c| c.ends_with("lvcreate -n guest1 vg0 -L 4G -qq")));
    let again = go(&lvm, super::lv_present, args, false);
    assert_eq!(again, StateOutcome::new(Some(true), "Logical Volume guest1 already present", json!({})));
    let bigger = json!({"name": "guest1", "vgname": "vg0", "size": "8G"});
    assert_eq!(go(&lvm, super::lv_present, bigger.clone(), true).comment, "Logical Volume guest1 is set to be resized");
    let resized = go(&lvm, super::lv_present, bigger, false);
    assert_eq!(
        resized,
        StateOutcome::new(
            Some(true),
            "Resized Logical Volume guest1",
            json!({"resized": {"Output from lvresize": "Logical volume \"/dev/vg0/guest1\" successfully resized."}})
        )
    );
    let smaller = go(&lvm, super::lv_present, json!({"name": "guest1", "vgname": "vg0", "size": "1G"}), false);
    assert_eq!(
        smaller,
        StateOutcome::new(Some(false), "To reduce a Logical Volume option 'force' must be True.", json!({}))
    );
    let pct = go(&lvm, super::lv_present, json!({"name": "guest1", "vgname": "vg0", "extents": "100%FREE"}), false);
    assert_eq!(pct.comment, "Logical Volume guest1 already present, 100%FREE won't be resized.");
    let both = go(&lvm, super::lv_present, json!({"name": "x", "vgname": "vg0", "size": "1G", "extents": 3}), false);
    assert_eq!(both, StateOutcome::new(Some(false), "Only one of extents or size can be specified.", json!({})));
}

#[test]
fn sizes_convert_as_salts() {
    let mb = |s: &str| super::convert_to_mb(s).map_err(|e| e.to_string());
    assert_eq!(mb("10G"), Ok(10240.0));
    assert_eq!(mb("10gb"), Ok(10240.0));
    assert_eq!(mb("100"), Ok(100.0));
    assert_eq!(mb("512s"), Ok(0.25));
    assert_eq!(mb("2T"), Ok(2.0 * 1024.0 * 1024.0));
    assert_eq!(mb("1.5G"), Err("Size 1.5G is invalid.".into()));
    assert_eq!(mb("10x"), Err("Unit x is invalid.".into()));
    assert_eq!(mb("G"), Err("Size G is invalid.".into()));
    assert_eq!(mb(""), Err("Size  is invalid.".into()));
}

#[test]
fn absent_states_predict_remove_then_report_absent() {
    let lvm = fake_lvm();
    go(&lvm, super::pv_present, json!({"name": "/dev/null"}), false);
    go(&lvm, super::vg_present, json!({"name": "vg0", "devices": "/dev/null"}), false);
    go(&lvm, super::lv_present, json!({"name": "guest1", "vgname": "vg0", "size": "1G"}), false);
    let lv = json!({"name": "guest1", "vgname": "vg0"});
    assert_eq!(
        go(&lvm, super::lv_absent, lv.clone(), true),
        StateOutcome::new(None, "Logical Volume guest1 is set to be removed", json!({}))
    );
    assert_eq!(
        go(&lvm, super::lv_absent, lv.clone(), false),
        StateOutcome::new(
            Some(true),
            "Removed Logical Volume guest1",
            json!({"removed": "Logical volume \"guest1\" successfully removed"})
        )
    );
    assert_eq!(go(&lvm, super::lv_absent, lv, false).comment, "Logical Volume guest1 already absent");
    assert_eq!(go(&lvm, super::vg_absent, json!({"name": "vg0"}), true).result, None);
    let vg = go(&lvm, super::vg_absent, json!({"name": "vg0"}), false);
    assert_eq!(vg.changes, json!({"removed": "Volume group \"vg0\" successfully removed"}));
    assert_eq!(go(&lvm, super::vg_absent, json!({"name": "vg0"}), false).comment, "Volume Group vg0 already absent");
    let pv = go(&lvm, super::pv_absent, json!({"name": "/dev/null"}), false);
    assert_eq!(pv, StateOutcome::new(Some(true), "Removed Physical Volume /dev/null", json!({"removed": true})));
    assert_eq!(
        go(&lvm, super::pv_absent, json!({"name": "/dev/null"}), false).comment,
        "Physical Volume /dev/null does not exist"
    );
    let cmds = lvm.commands();
    assert!(
        cmds.contains(&"lvremove vg0/guest1 --yes".to_string()) && cmds.contains(&"vgremove vg0 --yes".to_string())
    );
}

#[test]
fn every_lvm_state_is_registered() {
    let names = ["pv_present", "vg_present", "lv_present", "pv_absent", "vg_absent", "lv_absent"];
    assert!(names.iter().all(|n| crate::mods::lookup("lvm", n).is_some()));
}
