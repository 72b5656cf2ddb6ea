//! Tests of the `lvm` module with recorded `-c` reports from lvm2 2.03
//! (Debian 12): Salt's dicts, command lines and error strings.

use brine_common::{Map, Value};

use super::*;
use crate::testing::{output, Recorded};

const PV_ORPHAN: &str = "  \"/dev/null\" is a new physical volume of \"100.00 MiB\"\n  /dev/null:#orphans_lvm2:204800:-1:0:0:-1:0:0:0:0:Vd2Rtz-0";
const PV_IN_VG: &str = "  /dev/loop0:vg0:200704:-1:8:8:-1:4096:24:24:0:Q1y8kA-1";
const VG: &str = "  vg0:r/w:772:-1:0:0:0:-1:0:1:1:98304:4096:24:0:24:Hh3Ktm-2";
const LV: &str = "  /dev/vg0/guest1:vg0:3:1:-1:0:8192:2:-1:0:-1:253:0";

fn ctx_with<'a>(m: &'a Map, runner: &'a Recorded) -> Ctx<'a> {
    Ctx::new(m, m, m, runner)
}

#[test]
fn reports_become_salts_dicts() {
    let runner = Recorded::new(|argv| match argv[0].as_str() {
        "pvdisplay" if argv.len() == 2 => output(0, &format!("{PV_IN_VG}\n{PV_ORPHAN}"), ""),
        "pvdisplay" => output(5, "", "  Failed to find physical volume \"/dev/sdz\"."),
        "vgdisplay" => output(0, VG, ""),
        "lvdisplay" => output(0, LV, ""),
        _ => output(0, "  LVM version:     2.03.16(2) (2022-05-18)\n  Library version: 1.02.185", ""),
    });
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    let pvs = Value::Map(pvdisplay(&ctx, "", false, false).unwrap()).to_json();
    assert_eq!(pvs["/dev/loop0"]["Volume Group Name"], "vg0");
    assert_eq!(pvs["/dev/loop0"]["Allocated Physical Extents"], "0");
    assert_eq!(pvs["/dev/null"]["Volume Group Name"], "#orphans_lvm2");
    assert_eq!(pvs.as_object().map(|o| o.len()), Some(2));
    assert!(pvdisplay(&ctx, "/dev/sdz", false, true).unwrap().is_empty());
    let vgs = Value::Map(vgdisplay(&ctx, "vg0", false).unwrap()).to_json();
    assert_eq!(vgs["vg0"]["Volume Group Size (kB)"], "98304");
    assert_eq!(vgs["vg0"]["UUID"], "Hh3Ktm-2");
    let lvs = Value::Map(lvdisplay(&ctx, "/dev/vg0/guest1", true).unwrap()).to_json();
    assert_eq!(lvs["/dev/vg0/guest1"]["Logical Volume Size"], "8192");
    assert_eq!(lvs["/dev/vg0/guest1"]["Current Logical Extents Associated"], "2");
    assert_eq!(version(&ctx).unwrap(), "2.03.16(2) (2022-05-18)");
    assert_eq!(
        runner.commands(),
        ["pvdisplay -c", "pvdisplay -c /dev/sdz", "vgdisplay -c vg0", "lvdisplay -c /dev/vg0/guest1", "lvm version"]
    );
}

#[test]
fn real_pvdisplay_keys_by_resolved_path() {
    let runner = Recorded::new(|_| output(0, "  /dev/stdin:vg0:1:-1:8:8:-1:4096:24:24:0:x", ""));
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    let pvs = pvdisplay(&ctx, "/dev/stdin", true, false).unwrap();
    let (key, row) = pvs.iter().next().unwrap();
    assert_ne!(key, "/dev/stdin");
    assert_eq!(row.as_map().and_then(|r| r.get("Real Physical Volume Device")), Some(&Value::str(key)));
}

#[test]
fn short_report_lines_are_errors_not_panics() {
    let runner = Recorded::new(|_| output(0, "  vg0:r/w", ""));
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    assert_eq!(
        vgdisplay(&ctx, "vg0", false).unwrap_err(),
        ModuleError::Execution("Unexpected vgdisplay output: vg0:r/w".into())
    );
}

#[test]
fn pvcreate_skips_existing_pvs_and_checks_the_result() {
    let runner = Recorded::new(|argv| match (argv[0].as_str(), argv.get(2).map(String::as_str)) {
        ("pvdisplay", Some("/dev/zero")) => output(0, "  /dev/zero:vg0:1:-1:8:8:-1:4096:24:24:0:x", ""),
        ("pvdisplay", _) => output(5, "", "not a PV"),
        _ => output(0, "  Physical volume \"/dev/null\" successfully created.", ""),
    });
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    let mut kw = Map::default();
    kw.insert("metadatasize".into(), Value::str("1m"));
    kw.insert("dataalignment".into(), Value::Null);
    let devices = ["/dev/null".to_string(), "/dev/zero".to_string()];
    let ret = pvcreate(&ctx, &devices, true, true, &kw).unwrap();
    assert_eq!(ret, Value::str("Device \"/dev/null\" was not affected."));
    assert!(runner.commands().contains(&"pvcreate --yes /dev/null --metadatasize 1m".to_string()));
    assert_eq!(pvcreate(&ctx, &["/dev/zero".into()], true, true, &kw).unwrap(), Value::Bool(true));
    assert_eq!(
        pvcreate(&ctx, &["/dev/zero".into()], false, true, &kw).unwrap(),
        Value::str("Device \"/dev/zero\" is already an LVM physical volume.")
    );
    assert_eq!(
        pvcreate(&ctx, &["/nonexistent".into()], true, true, &kw).unwrap(),
        Value::str("/nonexistent does not exist")
    );
    assert_eq!(pvcreate(&ctx, &[], true, true, &kw).unwrap(), Value::str("Error: at least one device is required"));
}

#[test]
fn vgcreate_and_vgextend_report_salts_sentences() {
    let runner = Recorded::new(|argv| match argv[0].as_str() {
        "vgdisplay" => output(0, VG, ""),
        "vgextend" => output(5, "", "  Physical volume '/dev/loop1' is already in volume group 'vg1'\n"),
        _ => output(0, "", ""),
    });
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    let mut kw = Map::default();
    kw.insert("physicalextentsize".into(), Value::str("4M"));
    kw.insert("bogus".into(), Value::str("x"));
    let made = vgcreate(&ctx, "vg0", &["/dev/loop0".into()], false, &kw).unwrap().to_json();
    assert_eq!(made["Output from vgcreate"], "Volume group \"vg0\" successfully created");
    assert_eq!(made["vg0"]["Volume Group Name"], "vg0");
    let ext = vgextend(&ctx, "vg0", &["/dev/loop1".into()], false).unwrap().to_json();
    assert_eq!(ext["Output from vgextend"], "Physical volume '/dev/loop1' is already in volume group 'vg1'");
    assert_eq!(
        runner.commands(),
        ["vgcreate vg0 /dev/loop0 -qq --physicalextentsize 4M", "vgdisplay -c vg0", "vgextend vg0 -qq /dev/loop1"]
    );
    assert_eq!(
        vgcreate(&ctx, "vg0", &[], false, &kw).unwrap(),
        Value::str("Error: vgname and device(s) are both required")
    );
}

fn lv(size: Option<&str>, extents: Option<&str>) -> LvCreate {
    LvCreate {
        lvname: "guest1".into(),
        vgname: "vg0".into(),
        size: size.map(str::to_string),
        extents: extents.map(str::to_string),
        ..LvCreate::default()
    }
}

#[test]
fn lvcreate_command_lines_follow_salt() {
    let tail = |a: &LvCreate| lvcreate_argv(a).map(|v| v[1..].join(" "));
    assert_eq!(tail(&lv(Some("4G"), None)).unwrap(), "-n guest1 vg0 -L 4G -qq");
    let mut snap = lv(None, Some("100%FREE"));
    snap.snapshot = Some("base".into());
    snap.pv = Some("/dev/loop0".into());
    snap.force = true;
    snap.kwargs.insert("nosync".into(), Value::Bool(true));
    snap.kwargs.insert("stripes".into(), Value::Int(2));
    snap.kwargs.insert("ignored".into(), Value::Int(2));
    assert_eq!(tail(&snap).unwrap(), "-n guest1 -s vg0/base -l 100%FREE /dev/loop0 --nosync --stripes 2 --yes");
    let mut thin = lv(Some("1G"), None);
    thin.thinvolume = true;
    assert_eq!(tail(&thin).unwrap(), "--thin -n guest1 vg0 -V 1G -qq");
    assert_eq!(tail(&lv(None, None)).unwrap_err(), "Error: Either size or extents must be specified");
    assert_eq!(tail(&lv(Some("1G"), Some("3"))).unwrap_err(), "Error: Please specify only one of size or extents");
    assert!(lvcreate_argv(&lv(Some("1G"), None)).unwrap()[0].ends_with("lvcreate"));
}

#[test]
fn lvcreate_reports_lvcreates_error() {
    let runner = Recorded::new(|argv| match argv[0].as_str() {
        "lvdisplay" => output(5, "", "  Failed to find logical volume \"vg0/guest1\""),
        _ => output(
            5,
            "",
            "  /dev/vg0/guest1: not found: device not cleared\n  Aborting. Failed to wipe start of new LV.\n",
        ),
    });
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    let ret = lvcreate(&ctx, &lv(Some("4G"), None)).unwrap().to_json();
    assert_eq!(
        ret,
        serde_json::json!({"Output from lvcreate": "/dev/vg0/guest1: not found: device not cleared\n  Aborting. Failed to wipe start of new LV."})
    );
    let resized = lvresize(&ctx, "/dev/vg0/guest1", Some("8G"), None, false, true).unwrap();
    assert!(resized.contains_key("Output from lvresize"));
    assert!(lvresize(&ctx, "/dev/vg0/guest1", None, None, false, false).unwrap().is_empty());
    assert_eq!(runner.commands().last().map(String::as_str), Some("lvresize -qq --resizefs -L 8G /dev/vg0/guest1"));
}

/// Against the real `lvm version` when lvm2 is installed (nothing else of
/// lvm2 is run here: the machine's disks are not the tests' to touch).
#[test]
fn real_lvm_version_parses() {
    if cmd::which("lvm").is_none() {
        eprintln!("skipped: no lvm binary (apt-get install lvm2)");
        return;
    }
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &crate::SystemRunner);
    let v = version(&ctx).unwrap();
    assert!(v.starts_with(|c: char| c.is_ascii_digit()), "{v}");
}

#[test]
fn removals_follow_salt() {
    let runner = Recorded::new(|argv| match (argv[0].as_str(), argv.get(2).map(String::as_str)) {
        ("pvdisplay", Some("/dev/loop0")) => output(0, PV_IN_VG, ""),
        ("pvdisplay", _) => output(5, "", "not a PV"),
        ("vgremove", _) => output(5, "", "  Volume group \"vg9\" not found\n"),
        _ => output(0, "", ""),
    });
    let m = Map::default();
    let ctx = ctx_with(&m, &runner);
    let devices = ["/dev/loop0".to_string(), "/dev/sdz".to_string()];
    assert_eq!(pvremove(&ctx, &devices, true, true).unwrap(), Value::str("Device \"/dev/loop0\" was not affected."));
    assert_eq!(pvremove(&ctx, &devices, false, true).unwrap(), Value::str("/dev/sdz is not a physical volume"));
    assert_eq!(pvremove(&ctx, &["/dev/sdz".into()], true, true).unwrap(), Value::Bool(true));
    assert_eq!(vgremove(&ctx, "vg9", true).unwrap(), Value::str("Volume group \"vg9\" not found"));
    assert_eq!(
        lvremove(&ctx, "guest1", "vg0", false).unwrap(),
        Value::str("Logical volume \"guest1\" successfully removed")
    );
    let cmds = runner.commands();
    assert!(cmds.contains(&"pvremove --yes /dev/loop0".to_string()));
    assert!(cmds.contains(&"vgremove vg9 --yes".to_string()));
    assert_eq!(cmds.last().map(String::as_str), Some("lvremove vg0/guest1 -qq"));
}

#[test]
fn every_ha_function_is_registered() {
    let names = [
        "lvm.version",
        "lvm.pvdisplay",
        "lvm.vgdisplay",
        "lvm.lvdisplay",
        "lvm.pvcreate",
        "lvm.vgcreate",
        "lvm.vgextend",
        "lvm.lvcreate",
        "lvm.lvresize",
        "lvm.pvremove",
        "lvm.vgremove",
        "lvm.lvremove",
        "pcs.item_show",
        "pcs.item_create",
        "pcs.config_show",
        "pcs.prop_show",
        "pcs.prop_set",
        "pcs.resource_show",
        "pcs.resource_create",
        "pcs.stonith_show",
        "pcs.stonith_create",
        "pcs.cib_create",
        "pcs.cib_push",
        "drbd.status",
        "drbd.overview",
        "mysql.query",
        "mysql.version",
        "mysql.db_exists",
    ];
    let missing: Vec<&str> = names.iter().copied().filter(|n| !crate::exists(n)).collect();
    assert!(missing.is_empty(), "{missing:?}");
}
