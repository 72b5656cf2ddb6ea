//! Tests of the `pkg` states on a recorded package backend (an in-memory
//! dpkg database and repository that records every command), with the
//! returns reference Salt 3007 gives on this Debian 12 machine. They must
//! never reach the real apt or dpkg.

use std::cell::RefCell;

use brine_common::Map;
use brine_modules::cmd::RunResult;
use brine_modules::pkg::{InstallOpts, PkgBackend, PkgDb, RemoveAction};
use brine_modules::{Backends, Ctx, ModuleError, SystemRunner};
use indexmap::IndexMap;
use serde_json::json;

use super::{installed, latest, removed};
use crate::mods::testkit::{json, run};

/// An in-memory dpkg database and repository that records commands.
struct FakePkg {
    db: RefCell<PkgDb>,
    candidates: IndexMap<String, String>,
    log: RefCell<Vec<String>>,
}

fn ok(stdout: &str) -> RunResult {
    RunResult { pid: 1, retcode: 0, stdout: stdout.into(), stderr: String::new() }
}

impl FakePkg {
    fn new() -> Self {
        let mut db = PkgDb::default();
        db.installed.insert("bash".into(), vec!["5.2.15-2+b8".into()]);
        db.installed.insert("coreutils".into(), vec!["9.1-1".into()]);
        db.removed.insert("mc".into(), vec!["3:4.8.1-2".into()]);
        let candidates = [("bash", "5.2.15-2+b13"), ("coreutils", "9.1-1"), ("hello", "2.10-3"), ("sl", "5.02-1+b1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FakePkg { db: RefCell::new(db), candidates, log: RefCell::new(Vec::new()) }
    }

    fn logged(&self, prefix: &str) -> usize {
        self.log.borrow().iter().filter(|c| c.starts_with(prefix)).count()
    }
}

impl PkgBackend for FakePkg {
    fn query(&self, _: &Ctx) -> Result<PkgDb, ModuleError> {
        self.log.borrow_mut().push("query".into());
        Ok(self.db.borrow().clone())
    }
    fn policy(&self, _: &Ctx, names: &[String], _: Option<&str>) -> Result<IndexMap<String, String>, ModuleError> {
        Ok(names.iter().map(|n| (n.clone(), self.candidates.get(n).cloned().unwrap_or_default())).collect())
    }
    fn show(&self, _: &Ctx, specs: &[String]) -> Result<IndexMap<String, Vec<String>>, ModuleError> {
        let mut out = IndexMap::new();
        for spec in specs {
            let (name, version) = spec.split_once('=').unwrap_or((spec, ""));
            match self.candidates.get(name) {
                Some(c) if version.is_empty() || c == version => {
                    out.insert(name.to_string(), vec![c.clone()]);
                }
                _ => {}
            }
        }
        Ok(out)
    }
    fn lists_present(&self) -> bool {
        true
    }
    fn update(&self, _: &Ctx) -> Result<RunResult, ModuleError> {
        self.log.borrow_mut().push("update".into());
        Ok(ok("Hit:1 http://deb.debian.org/debian bookworm InRelease"))
    }
    fn install(&self, _: &Ctx, targets: &[String], _: &InstallOpts) -> Result<RunResult, ModuleError> {
        self.log.borrow_mut().push(format!("install {}", targets.join(" ")));
        for t in targets {
            let (name, version) = t.split_once('=').map(|(n, v)| (n, Some(v))).unwrap_or((t, None));
            let Some(v) = version.map(str::to_string).or_else(|| self.candidates.get(name).cloned()) else {
                return Ok(RunResult {
                    pid: 1,
                    retcode: 100,
                    stdout: String::new(),
                    stderr: format!("E: Unable to locate package {name}"),
                });
            };
            self.db.borrow_mut().installed.insert(name.to_string(), vec![v]);
        }
        Ok(ok(""))
    }
    fn remove(&self, _: &Ctx, action: RemoveAction, targets: &[String]) -> Result<RunResult, ModuleError> {
        self.log.borrow_mut().push(format!("{} {}", action.verb(), targets.join(" ")));
        let mut db = self.db.borrow_mut();
        for t in targets {
            let old = db.installed.shift_remove(t);
            db.removed.shift_remove(t);
            if let (RemoveAction::Remove, Some(v)) = (action, old) {
                db.removed.insert(t.clone(), v);
            }
        }
        Ok(ok(""))
    }
    fn unpurge(&self, _: &Ctx, names: &[String]) -> Result<RunResult, ModuleError> {
        self.log.borrow_mut().push(format!("unpurge {}", names.join(" ")));
        Ok(ok(""))
    }
}

fn with_fake<T>(fake: &FakePkg, body: impl FnOnce(&Ctx) -> T) -> T {
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { pkg: Some(fake), ..Backends::default() });
    body(&ctx)
}

fn short(ret: &crate::mods::StateRet) -> serde_json::Value {
    let mut v = json(ret);
    if let Some(o) = v.as_object_mut() {
        o.retain(|k, _| ["name", "changes", "result", "comment", "warnings"].contains(&k.as_str()));
    }
    v
}

#[test]
fn installed_when_present_changes_nothing() {
    let fake = FakePkg::new();
    let ret = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "bash"}), false, ctx));
    assert_eq!(
        short(&ret),
        json!({"name": "bash", "changes": {}, "result": true, "comment": "All specified packages are already installed"})
    );
    assert_eq!(fake.logged("install"), 0);
}

#[test]
fn installed_in_test_mode_predicts_and_runs_nothing() {
    let fake = FakePkg::new();
    let ret = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "hello", "refresh": true}), true, ctx));
    assert_eq!(
        short(&ret),
        json!({"name": "hello", "changes": {"hello": {"new": "2.10-3", "old": ""}}, "result": null,
               "comment": "The following packages would be installed/updated: hello"})
    );
    let wrong = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "bash", "version": "1.0"}), true, ctx));
    assert_eq!(
        wrong.changes.get("bash").map(|c| c.get("new").cloned()),
        Some(Some(brine_common::Value::str("installed")))
    );
    let nothing = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "x", "pkgs": []}), true, ctx));
    assert_eq!(nothing.comment, "No packages to install provided");
    assert_eq!((fake.logged("install"), fake.logged("update")), (0, 0), "{:?}", fake.log.borrow());
}

#[test]
fn installed_installs_once_then_is_idempotent() {
    let fake = FakePkg::new();
    let first = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "hello"}), false, ctx));
    assert_eq!(
        short(&first),
        json!({"name": "hello", "changes": {"hello": {"old": "", "new": "2.10-3"}}, "result": true,
               "comment": "The following packages were installed/updated: hello"})
    );
    let second = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "hello"}), false, ctx));
    assert_eq!(second.comment, "All specified packages are already installed");
    assert_eq!(fake.logged("install"), 1);
}

#[test]
fn installed_pkgs_with_versions_and_long_summaries() {
    let fake = FakePkg::new();
    let at = with_fake(&fake, |ctx| {
        run(installed::installed, json!({"name": "x", "pkgs": ["bash", {"coreutils": "9.1-1"}]}), false, ctx)
    });
    assert_eq!(at.comment, "All specified packages are already installed and are at the desired version");
    let ret = with_fake(&fake, |ctx| {
        run(installed::installed, json!({"name": "x", "pkgs": ["bash", {"hello": "2.10-3"}, "sl"]}), false, ctx)
    });
    assert_eq!(ret.comment, "The following packages were installed/updated: hello=2.10-3, sl\nThe following packages were already installed: bash");
    assert_eq!(fake.log.borrow().last().map(String::as_str), Some("query"));
    assert!(fake.log.borrow().iter().any(|c| c == "install hello=2.10-3 sl"), "{:?}", fake.log.borrow());
}

#[test]
fn installed_failure_keeps_salts_comment() {
    let fake = FakePkg::new();
    let ret = with_fake(&fake, |ctx| run(installed::installed, json!({"name": "nosuchpkg"}), false, ctx));
    assert_eq!(
        short(&ret),
        json!({"name": "nosuchpkg", "changes": {}, "result": false,
               "comment": "Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - E: Unable to locate package nosuchpkg"})
    );
}

#[test]
fn refresh_updates_before_installing_and_package_list_is_read_once() {
    let fake = FakePkg::new();
    with_fake(&fake, |ctx| {
        run(installed::installed, json!({"name": "bash"}), false, ctx);
        run(installed::installed, json!({"name": "coreutils"}), false, ctx);
        run(installed::installed, json!({"name": "hello", "refresh": true}), false, ctx);
    });
    let log = fake.log.borrow().clone();
    assert_eq!(log, vec!["query", "update", "install hello", "query"], "one query until packages change");
}

#[test]
fn latest_predicts_upgrades_and_reports_up_to_date() {
    let fake = FakePkg::new();
    let ret = with_fake(&fake, |ctx| {
        run(latest::latest, json!({"name": "x", "pkgs": ["bash", "coreutils", "hello"]}), true, ctx)
    });
    assert_eq!(
        short(&ret),
        json!({"name": "x", "changes": {"bash": {"new": "5.2.15-2+b13", "old": "5.2.15-2+b8"}, "hello": {"new": "2.10-3", "old": ""}},
               "result": null,
               "comment": "The following packages would be installed/upgraded: bash, hello\nThe following packages are already up-to-date: coreutils (9.1-1)"})
    );
    let same = with_fake(&fake, |ctx| run(latest::latest, json!({"name": "coreutils"}), false, ctx));
    assert_eq!(same.comment, "Package coreutils is already up-to-date");
    let none = with_fake(&fake, |ctx| run(latest::latest, json!({"name": "nosuchpkg"}), false, ctx));
    assert_eq!((none.result, none.comment.as_str()), (Some(false), "No information found for 'nosuchpkg'."));
    let up = with_fake(&fake, |ctx| run(latest::latest, json!({"name": "bash"}), false, ctx));
    assert_eq!(up.comment, "The following packages were successfully installed/upgraded: bash");
    assert_eq!(json(&up)["changes"], json!({"bash": {"old": "5.2.15-2+b8", "new": "5.2.15-2+b13"}}));
}

#[test]
fn removed_and_purged_follow_salt() {
    let fake = FakePkg::new();
    let ret = with_fake(&fake, |ctx| run(removed::removed, json!({"name": "x", "pkgs": ["bash", "hello"]}), true, ctx));
    assert_eq!(
        short(&ret),
        json!({"name": "x", "changes": {"bash": {"new": "removed", "old": ""}}, "result": null,
               "comment": "The following packages will be removed: bash."})
    );
    let absent = with_fake(&fake, |ctx| run(removed::removed, json!({"name": "hello"}), false, ctx));
    assert_eq!(absent.comment, "All specified packages are already absent");
    let nothing = with_fake(&fake, |ctx| run(removed::purged, json!({"name": "hello"}), false, ctx));
    assert_eq!(nothing.comment, "None of the targeted packages are installed or partially installed");
    let gone = with_fake(&fake, |ctx| run(removed::removed, json!({"name": "bash"}), false, ctx));
    assert_eq!(
        short(&gone),
        json!({"name": "bash", "changes": {"bash": {"new": "", "old": "5.2.15-2+b8"}}, "result": true,
               "comment": "All targeted packages were removed."})
    );
    let purge =
        with_fake(&fake, |ctx| run(removed::purged, json!({"name": "x", "pkgs": ["bash", "mc", "hello"]}), false, ctx));
    assert_eq!(
        purge.comment,
        "The following packages were not installed: hello The following packages were purged: bash, mc."
    );
}

#[test]
fn mod_watch_dispatches_and_refuses_unknown_functions() {
    let fake = FakePkg::new();
    let ret = with_fake(&fake, |ctx| run(super::mod_watch, json!({"name": "bash", "sfun": "installed"}), false, ctx));
    assert_eq!(ret.comment, "All specified packages are already installed");
    let bad = with_fake(&fake, |ctx| run(super::mod_watch, json!({"name": "bash", "sfun": "held"}), false, ctx));
    assert_eq!((bad.result, bad.comment.as_str()), (Some(false), "pkg.held does not work with the watch requisite"));
}
