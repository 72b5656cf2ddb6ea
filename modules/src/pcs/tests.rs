//! Tests of the `pcs` command lines against Salt 3007's, with a recorded
//! runner and a package list holding pcs 0.11.5 (Debian 12) or 0.9.

use brine_common::{Map, Value};

use super::*;
use crate::pkg::PkgDb;
use crate::testing::{output, Recorded};

fn with_pcs<'a>(ctx: Ctx<'a>, version: &str) -> Ctx<'a> {
    let mut db = PkgDb::default();
    db.installed.insert("pcs".into(), vec![version.to_string()]);
    *ctx.context.pkg_list.borrow_mut() = Some(db);
    ctx
}

fn strs(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

fn show(item: &[&str], item_id: Option<&str>, item_type: Option<&str>, show: &[&str]) -> ItemShow {
    ItemShow {
        item: strs(item),
        item_id: item_id.map(str::to_string),
        item_type: item_type.map(str::to_string),
        show: strs(show),
        ..ItemShow::default()
    }
}

#[test]
fn show_command_lines_follow_salt_for_new_and_old_pcs() {
    let q = show(&["resource"], Some("vip"), None, &["show"]);
    assert_eq!(show_argv(&q, true).join(" "), "pcs resource config vip");
    assert_eq!(show_argv(&q, false).join(" "), "pcs resource show vip");
    let prop = show(&["property"], None, None, &["show"]);
    assert_eq!(show_argv(&prop, true).join(" "), "pcs property show");
    let defaults = show(&["resource"], None, None, &["op", "defaults"]);
    assert_eq!(show_argv(&defaults, true).join(" "), "pcs resource op defaults");
    let constraint = show(&["constraint"], None, Some("colocation"), &["show"]);
    assert_eq!(show_argv(&constraint, true).join(" "), "pcs constraint colocation show --full");
    let mut full = constraint.clone();
    full.extra_args = strs(&["--full"]);
    full.cibfile = Some("/tmp/x.cib".into());
    assert_eq!(show_argv(&full, true).join(" "), "pcs -f /tmp/x.cib constraint colocation show --full");
}

#[test]
fn create_command_lines_follow_salt() {
    let resource = ItemCreate {
        item: strs(&["resource"]),
        item_id: "vip".into(),
        item_type: Some("ocf:heartbeat:IPaddr2".into()),
        create: strs(&["create"]),
        extra_args: strs(&["ip=10.0.0.10", "cidr_netmask=24"]),
        cibfile: None,
    };
    assert_eq!(
        create_argv(&resource).join(" "),
        "pcs resource create vip ocf:heartbeat:IPaddr2 ip=10.0.0.10 cidr_netmask=24"
    );
    let constraint = ItemCreate {
        item: strs(&["constraint"]),
        item_id: "col-web".into(),
        item_type: Some("colocation".into()),
        create: None,
        extra_args: strs(&["add", "web", "with", "vip", "INFINITY"]),
        cibfile: Some("/c.cib".into()),
    };
    assert_eq!(
        create_argv(&constraint).join(" "),
        "pcs -f /c.cib constraint colocation add web with vip INFINITY id=col-web"
    );
    let defaults = ItemCreate {
        item: strs(&["resource"]),
        item_id: "resource-stickiness=100".into(),
        item_type: None,
        create: strs(&["defaults"]),
        extra_args: Some(Vec::new()),
        cibfile: None,
    };
    assert_eq!(create_argv(&defaults).join(" "), "pcs resource defaults resource-stickiness=100");
}

#[test]
fn registry_functions_run_salts_commands() {
    let runner = Recorded::new(|argv| match argv.get(1).map(String::as_str) {
        Some("resource") => output(1, "", "Error: unable to find resource 'vip'"),
        _ => output(0, "Cluster Properties:\n stonith-enabled: false", ""),
    });
    let m = Map::default();
    let ctx = with_pcs(Ctx::new(&m, &m, &m, &runner), "0.11.5-1+deb12u1");
    assert!(use_new_commands(&ctx).unwrap());
    let q = ItemShow {
        item: strs(&["resource"]),
        item_id: Some("vip".into()),
        show: strs(&["show"]),
        ..ItemShow::default()
    };
    let shown = item_show(&ctx, &q).unwrap();
    assert_eq!((shown.retcode, shown.stderr.as_str()), (1, "Error: unable to find resource 'vip'"));
    let prop = item_show(&ctx, &show(&["property"], None, None, &["show"])).unwrap();
    assert_eq!(prop.stdout, "Cluster Properties:\n stonith-enabled: false");
    let pushed = cib(&ctx, "cib-push", "/tmp/a.cib", &Value::str("configuration"), &Value::Null).unwrap();
    assert_eq!(pushed.retcode, 0);
    cib(&ctx, "cib", "/tmp/b.cib", &Value::Bool(false), &Value::List(vec![Value::str("--wait")])).unwrap();
    assert_eq!(
        runner.commands(),
        [
            "pcs resource config vip",
            "pcs property show",
            "pcs cluster cib-push /tmp/a.cib scope=configuration",
            "pcs cluster cib /tmp/b.cib --wait"
        ]
    );
}

#[test]
fn old_pcs_keeps_show() {
    let runner = Recorded::new(|_| output(0, "", ""));
    let m = Map::default();
    let ctx = with_pcs(Ctx::new(&m, &m, &m, &runner), "0.9.155");
    assert!(!use_new_commands(&ctx).unwrap());
    item_show(&ctx, &show(&["stonith"], Some("fence1"), None, &["show"])).unwrap();
    assert_eq!(runner.commands(), ["pcs stonith show fence1"]);
}

#[test]
fn words_take_strings_and_lists_only() {
    assert_eq!(words(&Value::str("op")), strs(&["op"]));
    assert_eq!(words(&Value::List(vec![Value::str("op"), Value::str("defaults")])), strs(&["op", "defaults"]));
    assert_eq!(words(&Value::Null), None);
    assert_eq!(words(&Value::Bool(false)), None);
}
