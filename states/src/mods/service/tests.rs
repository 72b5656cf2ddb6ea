//! Tests of the `service` states: the planning on an in-memory service
//! backend that records what it is asked, and whole runs against fake init
//! scripts and a fake `update-rc.d` below a temporary root (sysvinit), so
//! the machine's services are never touched.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use brine_common::Map;
use brine_modules::service::{Action, ServiceBackend, SysvInit};
use brine_modules::{Backends, Ctx, ModuleError, SystemRunner};
use serde_json::json;

use crate::mods::testkit::{json, run, StateOutcome};

/// Services in memory: which exist, run and start at boot.
struct FakeService {
    known: Vec<String>,
    running: RefCell<BTreeSet<String>>,
    enabled: RefCell<BTreeSet<String>>,
    log: RefCell<Vec<String>>,
}

impl FakeService {
    fn new(running: &[&str], enabled: &[&str]) -> Self {
        FakeService {
            known: vec!["nginx".into(), "cron".into()],
            running: RefCell::new(running.iter().map(|s| s.to_string()).collect()),
            enabled: RefCell::new(enabled.iter().map(|s| s.to_string()).collect()),
            log: RefCell::new(Vec::new()),
        }
    }

    fn acted(&self) -> Vec<String> {
        self.log.borrow().clone()
    }
}

impl ServiceBackend for FakeService {
    fn control(&self, _: &Ctx, name: &str, action: Action) -> Result<bool, ModuleError> {
        self.log.borrow_mut().push(format!("{} {name}", action.verb()));
        let mut running = self.running.borrow_mut();
        match action {
            Action::Stop => running.remove(name),
            _ => running.insert(name.to_string()),
        };
        Ok(true)
    }
    fn status(&self, _: &Ctx, name: &str) -> Result<bool, ModuleError> {
        Ok(self.running.borrow().contains(name))
    }
    fn set_enabled(&self, _: &Ctx, name: &str, enable: bool) -> Result<bool, ModuleError> {
        self.log.borrow_mut().push(format!("{} {name}", if enable { "enable" } else { "disable" }));
        if enable {
            self.enabled.borrow_mut().insert(name.to_string());
        } else {
            self.enabled.borrow_mut().remove(name);
        }
        Ok(true)
    }
    fn enabled(&self, _: &Ctx, name: &str) -> Result<bool, ModuleError> {
        Ok(self.enabled.borrow().contains(name))
    }
    fn available(&self, _: &Ctx, name: &str) -> Result<bool, ModuleError> {
        Ok(self.known.iter().any(|k| k == name))
    }
    fn get_all(&self, _: &Ctx) -> Result<Vec<String>, ModuleError> {
        Ok(self.known.clone())
    }
    fn get_enabled(&self, _: &Ctx) -> Result<Vec<String>, ModuleError> {
        Ok(self.enabled.borrow().iter().cloned().collect())
    }
}

fn go(backend: &dyn ServiceBackend, fun: crate::mods::StateFn, args: serde_json::Value, test: bool) -> StateOutcome {
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { service: Some(backend), ..Backends::default() });
    StateOutcome::of(&run(fun, args, test, &ctx))
}

#[test]
fn running_starts_a_stopped_service_and_predicts_in_test_mode() {
    let fake = FakeService::new(&[], &[]);
    let t = go(&fake, super::running, json!({"name": "nginx"}), true);
    assert_eq!(t, StateOutcome::new(None, "Service nginx is set to start", json!({})));
    assert!(fake.acted().is_empty());
    let r = go(&fake, super::running, json!({"name": "nginx"}), false);
    assert_eq!(r, StateOutcome::new(Some(true), "Started service nginx", json!({"nginx": true})));
    let again = go(&fake, super::running, json!({"name": "nginx"}), false);
    assert_eq!(again, StateOutcome::new(Some(true), "The service nginx is already running", json!({})));
}

#[test]
fn running_with_enable_enables_at_boot() {
    let fake = FakeService::new(&[], &[]);
    let r = go(&fake, super::running, json!({"name": "nginx", "enable": true}), false);
    assert_eq!(
        r,
        StateOutcome::new(Some(true), "Service nginx has been enabled, and is running", json!({"nginx": true}))
    );
    assert_eq!(fake.acted(), vec!["start nginx", "enable nginx"]);
    let fake = FakeService::new(&["nginx"], &[]);
    let t = go(&fake, super::running, json!({"name": "nginx", "enable": "True"}), true);
    assert_eq!(t, StateOutcome::new(None, "Service nginx set to be enabled", json!({})));
    let r = go(&fake, super::running, json!({"name": "nginx", "enable": true}), false);
    assert_eq!(
        r,
        StateOutcome::new(
            Some(true),
            "Service nginx has been enabled, and is in the desired state",
            json!({"nginx": true})
        )
    );
    let r = go(&fake, super::running, json!({"name": "nginx", "enable": true}), false);
    assert_eq!(r, StateOutcome::new(Some(true), "The service nginx is already running", json!({})));
}

#[test]
fn missing_services_and_the_enabled_typo() {
    let fake = FakeService::new(&[], &[]);
    let r = go(&fake, super::running, json!({"name": "nosuch"}), false);
    assert_eq!(r, StateOutcome::new(Some(false), "The named service nosuch is not available", json!({})));
    let t = go(&fake, super::running, json!({"name": "nosuch"}), true);
    assert_eq!(
        t,
        StateOutcome::new(
            None,
            "Service nosuch not present; if created in this state run, it would have been started",
            json!({})
        )
    );
    let d = go(&fake, super::dead, json!({"name": "nosuch"}), false);
    assert_eq!(d, StateOutcome::new(Some(true), "The named service nosuch is not available", json!({})));
    let e = go(&fake, super::enabled, json!({"name": "nosuch"}), true);
    assert_eq!(e.comment, "Service nosuch not present; if created in this state run, it would have been enabled");
    let typo = go(&fake, super::running, json!({"name": "nginx", "enabled": true}), false);
    assert_eq!(
        typo.comment,
        "Service nginx uses non-existent option \"enabled\".  Perhaps \"enable\" option was intended?"
    );
}

#[test]
fn dead_enabled_and_disabled() {
    let fake = FakeService::new(&["nginx"], &["nginx"]);
    let t = go(&fake, super::dead, json!({"name": "nginx"}), true);
    assert_eq!(t, StateOutcome::new(None, "Service nginx is set to be killed", json!({})));
    let r = go(&fake, super::dead, json!({"name": "nginx", "enable": false}), false);
    assert_eq!(
        r,
        StateOutcome::new(Some(true), "Service nginx has been disabled, and is dead", json!({"nginx": true}))
    );
    let again = go(&fake, super::dead, json!({"name": "nginx"}), false);
    assert_eq!(again.comment, "The service nginx is already dead");
    let en = go(&fake, super::enabled, json!({"name": "nginx"}), false);
    assert_eq!(
        en,
        StateOutcome::new(
            Some(true),
            "Service nginx has been enabled, and is in the desired state",
            json!({"nginx": true})
        )
    );
    let en = go(&fake, super::enabled, json!({"name": "nginx"}), false);
    assert_eq!(en.comment, "Service nginx is already enabled, and is in the desired state");
    let dis = go(&fake, super::disabled, json!({"name": "nginx"}), true);
    assert_eq!(dis, StateOutcome::new(None, "Service nginx set to be disabled", json!({})));
}

#[test]
fn mod_watch_restarts_or_reloads() {
    let fake = FakeService::new(&["nginx"], &[]);
    let t = go(&fake, super::mod_watch, json!({"name": "nginx", "sfun": "running", "reload": true}), true);
    assert_eq!(t, StateOutcome::new(None, "Service is set to be reloaded", json!({})));
    let r = go(&fake, super::mod_watch, json!({"name": "nginx", "sfun": "running", "reload": true}), false);
    assert_eq!(r, StateOutcome::new(Some(true), "Service reloaded", json!({"nginx": true})));
    let r = go(&fake, super::mod_watch, json!({"name": "nginx", "sfun": "running"}), false);
    assert_eq!(r.comment, "Service restarted");
    let s = go(&fake, super::mod_watch, json!({"name": "cron", "sfun": "running"}), false);
    assert_eq!(s.comment, "Service started");
    let bad = go(&fake, super::mod_watch, json!({"name": "cron", "sfun": "enabled"}), false);
    assert_eq!(bad, StateOutcome::new(Some(false), "Unable to trigger watch for service.enabled", json!({})));
    assert_eq!(fake.acted(), vec!["reload nginx", "restart nginx", "stop cron", "start cron"]);
}

/// A root with a fake `/etc/init.d/web` and a fake `update-rc.d`.
fn fake_init_root(tag: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!("brine-svc-state-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for dir in ["etc/init.d", "usr/sbin", "run", "etc/rc2.d"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let r = root.display();
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in\n start) touch {r}/run/web.pid ;;\n stop) rm -f {r}/run/web.pid ;;\n \
reload|restart) echo $1 >> {r}/run/web.log ;;\n status) [ -f {r}/run/web.pid ] ;;\n *) exit 3 ;;\nesac\n"
    );
    let tool = format!("#!/bin/sh\n[ \"$2\" = defaults ] && ln -sf ../init.d/$1 {r}/etc/rc2.d/S01$1\nexit 0\n");
    for (path, text) in [(root.join("etc/init.d/web"), script), (root.join("usr/sbin/update-rc.d"), tool)] {
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    root
}

fn log_of(root: &Path) -> String {
    std::fs::read_to_string(root.join("run/web.log")).unwrap_or_default()
}

#[test]
fn fake_init_scripts_running_enable_and_reload_on_watch() {
    let root = fake_init_root("run");
    let sysv = SysvInit::with_root(&root);
    let t = go(&sysv, super::running, json!({"name": "web", "enable": true}), true);
    assert_eq!(t, StateOutcome::new(None, "Service web is set to start", json!({})));
    assert!(!root.join("run/web.pid").exists(), "test mode starts nothing");
    let r = go(&sysv, super::running, json!({"name": "web", "enable": true}), false);
    assert_eq!(r, StateOutcome::new(Some(true), "Service web has been enabled, and is running", json!({"web": true})));
    assert!(root.join("etc/rc2.d/S01web").exists());
    let again = go(&sysv, super::running, json!({"name": "web", "enable": true}), false);
    assert_eq!(again, StateOutcome::new(Some(true), "The service web is already running", json!({})));
    let w = go(&sysv, super::mod_watch, json!({"name": "web", "sfun": "running", "reload": true}), false);
    assert_eq!(w, StateOutcome::new(Some(true), "Service reloaded", json!({"web": true})));
    assert_eq!(log_of(&root), "reload\n");
    let d = go(&sysv, super::dead, json!({"name": "web"}), false);
    assert_eq!(d, StateOutcome::new(Some(true), "Service web was killed", json!({"web": false})));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn returns_are_salt_shaped() {
    let fake = FakeService::new(&[], &[]);
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { service: Some(&fake), ..Backends::default() });
    let ret = run(super::running, json!({"name": "nginx"}), false, &ctx);
    assert_eq!(
        json(&ret),
        json!({"name": "nginx", "changes": {"nginx": true}, "result": true, "comment": "Started service nginx"})
    );
}
