//! Tests of the service backends: sysvinit against fake init scripts and a
//! fake `update-rc.d` below a temporary root (the machine's services are
//! never touched), systemd on recorded `systemctl` output.

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};

use super::*;
use crate::testing::{output, Recorded};
use crate::{call, Backends, SystemRunner};

/// A root holding a fake `/etc/init.d/NAME` (state in `run/NAME.pid`,
/// reloads counted in `run/NAME.reloads`) and a fake `update-rc.d`.
pub fn fake_root(tag: &str, services: &[&str]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("brine-sysv-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for dir in ["etc/init.d", "usr/sbin", "run", "etc/rc0.d", "etc/rc2.d", "etc/rc3.d", "etc/rcS.d"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let r = root.display();
    for svc in services {
        let script = format!(
            "#!/bin/sh\ncase \"$1\" in\n start) touch {r}/run/{svc}.pid ;;\n stop) rm -f {r}/run/{svc}.pid ;;\n \
restart) touch {r}/run/{svc}.pid; echo restart >> {r}/run/{svc}.log ;;\n reload|force-reload) [ -f {r}/run/{svc}.pid ] || exit 7; echo reload >> {r}/run/{svc}.log ;;\n \
status) [ -f {r}/run/{svc}.pid ] ;;\n *) exit 3 ;;\nesac\n"
        );
        write_exec(&root.join("etc/init.d").join(svc), &script);
    }
    let tool = format!(
        "#!/bin/sh\nset -e\ncase \"$2\" in\n defaults) ln -sf ../init.d/$1 {r}/etc/rc2.d/S01$1; ln -sf ../init.d/$1 {r}/etc/rc0.d/K01$1 ;;\n \
enable) for f in {r}/etc/rc2.d/K??$1; do [ -e \"$f\" ] && mv \"$f\" {r}/etc/rc2.d/S01$1; done ;;\n \
disable) for f in {r}/etc/rc2.d/S??$1; do [ -e \"$f\" ] && mv \"$f\" {r}/etc/rc2.d/K01$1; done ;;\n *) exit 1 ;;\nesac\nexit 0\n"
    );
    write_exec(&root.join("usr/sbin/update-rc.d"), &tool);
    root
}

fn write_exec(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn one(name: &str) -> Vec<Value> {
    vec![Value::str(name)]
}

#[test]
fn sysvinit_fake_init_scripts_start_stop_reload_and_status() {
    let root = fake_root("ctl", &["web", "README"]);
    let sysv = SysvInit::with_root(&root);
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { service: Some(&sysv), ..Backends::default() });
    assert_eq!(call("service.status", &one("web"), &m, &ctx).unwrap(), Value::Bool(false));
    assert_eq!(
        call("service.reload", &one("web"), &m, &ctx).unwrap(),
        Value::Bool(false),
        "reload of a stopped service fails"
    );
    assert_eq!(call("service.start", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.status", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.reload", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(std::fs::read_to_string(root.join("run/web.log")).unwrap(), "reload\n");
    let glob = call("service.status", &one("w*"), &m, &ctx).unwrap();
    assert_eq!(glob.get("web"), Some(&Value::Bool(true)));
    assert_eq!(call("service.stop", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.start", &one("nosuch"), &m, &ctx).unwrap(), Value::Bool(false));
    assert_eq!(call("service.available", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.missing", &one("nosuch"), &m, &ctx).unwrap(), Value::Bool(true));
    let all = call("service.get_all", &[], &m, &ctx).unwrap();
    assert_eq!(all, Value::List(vec![Value::str("web")]), "README is not a service");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn sysvinit_fake_init_scripts_enable_and_disable_with_update_rc_d() {
    let root = fake_root("boot", &["web"]);
    let sysv = SysvInit::with_root(&root);
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { service: Some(&sysv), ..Backends::default() });
    assert_eq!(call("service.enabled", &one("web"), &m, &ctx).unwrap(), Value::Bool(false));
    assert_eq!(call("service.enable", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert!(root.join("etc/rc2.d/S01web").exists(), "first enable runs `update-rc.d web defaults`");
    assert_eq!(call("service.enabled", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.get_enabled", &[], &m, &ctx).unwrap(), Value::List(vec![Value::str("web")]));
    assert_eq!(call("service.disable", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.disabled", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.enable", &one("web"), &m, &ctx).unwrap(), Value::Bool(true));
    assert!(root.join("etc/rc2.d/S01web").exists(), "later enables run `update-rc.d web enable`");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn systemd_runs_systemctl_and_reports_its_errors() {
    let runner = Recorded::new(|argv| {
        let line = argv.join(" ");
        match line.as_str() {
            "systemctl start nginx.service" => {
                output(1, "", "Job for nginx.service failed.\nRunning scope as unit: run-1.scope")
            }
            "systemctl is-active nginx.service" => output(3, "inactive", ""),
            "systemctl is-enabled nginx.service" => output(0, "enabled", ""),
            "systemctl status -n 0 nosuch.service" => output(4, "", "Unit nosuch.service could not be found."),
            l if l.ends_with("list-unit-files") => output(
                0,
                "nginx.service enabled enabled\nssh.socket disabled enabled\nbad\ncron.service disabled enabled",
                "",
            ),
            _ => output(0, "", ""),
        }
    });
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &runner).with_backends(Backends { service: Some(&Systemd), ..Backends::default() });
    let err = call("service.start", &one("nginx"), &m, &ctx).unwrap_err();
    assert_eq!(err.to_string(), "Job for nginx.service failed.");
    assert_eq!(call("service.status", &one("nginx"), &m, &ctx).unwrap(), Value::Bool(false));
    assert_eq!(call("service.enabled", &one("nginx"), &m, &ctx).unwrap(), Value::Bool(true));
    assert_eq!(call("service.available", &one("nosuch"), &m, &ctx).unwrap(), Value::Bool(false));
    let all = call("service.get_all", &[], &m, &ctx).unwrap();
    assert_eq!(all, Value::from_json(&serde_json::json!(["cron", "nginx", "ssh.socket"])));
    assert_eq!(
        call("service.get_disabled", &[], &m, &ctx).unwrap(),
        Value::from_json(&serde_json::json!(["cron", "ssh.socket"]))
    );
    assert_eq!(call("service.stop", &one("x.timer"), &m, &ctx).unwrap(), Value::Bool(true));
    assert!(runner.commands().contains(&"systemctl stop x.timer".to_string()));
}
