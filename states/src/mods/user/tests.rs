//! Tests of the `user` and `group` states: planning and test-mode comments
//! on an in-memory account database (refusing to run any tool), and whole
//! runs with the real shadow-utils in a chroot below a temporary directory
//! (root only); the machine's accounts are never changed.

use std::path::PathBuf;

use brine_common::Map;
use brine_modules::accounts::{
    group_list, parse_group, parse_passwd, Accounts, GroupInfo, LocalAccounts, Tool, UserInfo,
};
use brine_modules::cmd::RunResult;
use brine_modules::{Backends, Ctx, ModuleError, SystemRunner};
use serde_json::json;

use crate::mods::testkit::{json, run, StateOutcome};

/// Accounts in memory; any tool run is an error (test mode runs none).
struct FakeAccounts {
    users: Vec<UserInfo>,
    groups: Vec<GroupInfo>,
}

impl FakeAccounts {
    fn new() -> Self {
        let groups = parse_group("root:x:0:\ndaemon:x:1:\nusers:x:100:\nweb:x:2000:bob\n");
        let mut users = parse_passwd("root:x:0:0:root:/root:/bin/bash\nbob:x:1000:100:Bob:/:/bin/sh\n");
        for u in &mut users {
            u.groups = group_list(u, &groups);
        }
        FakeAccounts { users, groups }
    }
}

impl Accounts for FakeAccounts {
    fn user(&self, name: &str) -> Result<Option<UserInfo>, ModuleError> {
        Ok(self.users.iter().find(|u| u.name == name).cloned())
    }
    fn users(&self) -> Result<Vec<UserInfo>, ModuleError> {
        Ok(self.users.clone())
    }
    fn group(&self, name: &str) -> Result<Option<GroupInfo>, ModuleError> {
        Ok(self.groups.iter().find(|g| g.name == name).cloned())
    }
    fn groups(&self) -> Result<Vec<GroupInfo>, ModuleError> {
        Ok(self.groups.clone())
    }
    fn shadow_hash(&self, _: &str) -> Result<Option<String>, ModuleError> {
        Ok(Some("!".into()))
    }
    fn dir_exists(&self, path: &str) -> bool {
        path == "/" || path == "/root"
    }
    fn run_tool(&self, _: &Ctx, tool: Tool, _: Vec<String>) -> Result<RunResult, ModuleError> {
        Err(ModuleError::Execution(format!("{} must not run in this test", tool.program())))
    }
}

fn go(db: &dyn Accounts, fun: crate::mods::StateFn, args: serde_json::Value, test: bool) -> StateOutcome {
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { accounts: Some(db), ..Backends::default() });
    StateOutcome::of(&run(fun, args, test, &ctx))
}

#[test]
fn user_planning_matches_salts_test_mode() {
    let db = FakeAccounts::new();
    let up = go(&db, super::present, json!({"name": "bob", "groups": ["web"]}), true);
    assert_eq!(up, StateOutcome::new(Some(true), "User bob is present and up to date", json!({})));
    let t = go(
        &db,
        super::present,
        json!({"name": "root", "shell": "/bin/zsh", "groups": ["daemon"], "fullname": "Root User"}),
        true,
    );
    assert_eq!(
        t.comment,
        "The following user attributes are set to be changed:\ngroups: ['daemon']\nshell: /bin/zsh\nfullname: Root User\n"
    );
    assert_eq!(t.result, None);
    let uid = go(&db, super::present, json!({"name": "bob", "uid": 4242}), true);
    assert_eq!(
        uid,
        StateOutcome::new(
            Some(false),
            "Encountered error checking for needed changes. Additional info follows:\n\n- Changing uid (1000 -> 4242) not permitted, set allow_uid_change to True to force this change. Note that this will not change file ownership.",
            json!({})
        )
    );
    let new = go(&db, super::present, json!({"name": "eve", "groups": ["nosuchgrp", "web"]}), true);
    assert_eq!(new, StateOutcome::new(None, "User eve set to be added (pending groups: nosuchgrp)", json!({})));
    let missing = go(&db, super::present, json!({"name": "eve", "groups": ["nosuchgrp"]}), false);
    assert_eq!(missing, StateOutcome::new(Some(false), "The following group(s) are not present: nosuchgrp", json!({})));
    let comma = go(&db, super::present, json!({"name": "eve", "fullname": "A, B"}), true);
    assert_eq!(comma.comment, "Unsupported char ',' in A, B");
    let gone = go(&db, super::absent, json!({"name": "nosuch"}), false);
    assert_eq!(gone, StateOutcome::new(Some(true), "User nosuch is not present", json!({})));
    let rm = go(&db, super::absent, json!({"name": "bob"}), true);
    assert_eq!(rm, StateOutcome::new(None, "User bob set for removal", json!({})));
}

#[test]
fn unsupported_options_are_warned_about() {
    let db = FakeAccounts::new();
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { accounts: Some(&db), ..Backends::default() });
    let ret = run(super::present, json!({"name": "bob", "groups": ["web"], "mindays": 7}), true, &ctx);
    assert_eq!(
        json(&ret)["warnings"],
        json!(["The following arguments are not supported by brine and were ignored: mindays"])
    );
}

#[test]
fn group_planning_matches_salts_test_mode() {
    let db = FakeAccounts::new();
    let g = crate::mods::group::MODULE.functions;
    let present = g[0].run;
    let absent = g[1].run;
    let t = go(&db, present, json!({"name": "daemon", "gid": 4000, "addusers": ["root"]}), true);
    assert_eq!(
        t,
        StateOutcome::new(
            None,
            "The following group attributes are set to be changed:\ngid: 4000\naddusers: ['root']\n",
            json!({})
        )
    );
    let new = go(&db, present, json!({"name": "brinenewgrp"}), true);
    assert_eq!(new, StateOutcome::new(None, "Group brinenewgrp set to be added", json!({})));
    let both = go(&db, present, json!({"name": "daemon", "members": ["root"], "addusers": ["x"]}), true);
    assert_eq!(
        both.comment,
        "Error: Conflicting options \"members\" with \"addusers\" and/or \"delusers\" can not be used together. "
    );
    let same = go(&db, present, json!({"name": "web", "members": ["bob"]}), false);
    assert_eq!(same, StateOutcome::new(Some(true), "Group web is present and up to date", json!({})));
    assert_eq!(go(&db, absent, json!({"name": "nosuch"}), false).comment, "Group not present");
    assert_eq!(go(&db, absent, json!({"name": "daemon"}), true).comment, "Group daemon is set for removal");
}

fn chroot(tag: &str) -> Option<PathBuf> {
    let usable = brine_modules::sys::euid() == 0 && brine_modules::cmd::which("useradd").is_some();
    if !usable {
        eprintln!("skipped: needs root and shadow-utils to work in a chroot");
        return None;
    }
    let root = std::env::temp_dir().join(format!("brine-user-state-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("etc")).ok()?;
    std::fs::create_dir_all(root.join("home")).ok()?;
    for (path, text) in [
        ("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"),
        ("etc/group", "root:x:0:\nusers:x:100:\n"),
        ("etc/shadow", "root:*:19000:0:99999:7:::\n"),
        ("etc/gshadow", "root:*::\nusers:*::\n"),
    ] {
        std::fs::write(root.join(path), text).ok()?;
    }
    Some(root)
}

#[test]
fn chroot_user_and_group_present_then_absent() {
    let Some(root) = chroot("cycle") else { return };
    let db = LocalAccounts::with_root(&root);
    let g = crate::mods::group::MODULE.functions;
    let made = go(&db, g[0].run, json!({"name": "web", "gid": 2000}), false);
    assert_eq!(made.comment, "New group web created");
    assert_eq!(made.changes, json!({"name": "web", "passwd": "x", "gid": 2000, "members": []}));
    let args = json!({"name": "bob", "groups": ["web"], "shell": "/bin/sh", "fullname": "Bob", "createhome": false, "home": "/home/bob"});
    let bob = go(&db, super::present, args.clone(), false);
    assert_eq!(bob.result, Some(true), "{bob:?}");
    assert_eq!(bob.comment, "New user bob created");
    assert_eq!(bob.changes["groups"], json!(["users", "web"]));
    assert_eq!(bob.changes["home"], json!(""), "createhome: False reports no home, as Salt");
    let again = go(&db, super::present, args, false);
    assert_eq!(again, StateOutcome::new(Some(true), "User bob is present and up to date", json!({})));
    let changed = go(&db, super::present, json!({"name": "bob", "shell": "/bin/bash", "createhome": false}), false);
    assert_eq!(changed, StateOutcome::new(Some(true), "Updated user bob", json!({"shell": "/bin/bash"})));
    let members = go(&db, g[0].run, json!({"name": "web", "members": ["bob", "root"]}), false);
    assert_eq!(members.changes, json!({"Final": "All changes applied successfully"}));
    let gone = go(&db, super::absent, json!({"name": "bob"}), false);
    assert_eq!(gone, StateOutcome::new(Some(true), "Removed user bob", json!({"bob": "removed"})));
    let grp_gone = go(&db, g[1].run, json!({"name": "web"}), false);
    assert_eq!(grp_gone, StateOutcome::new(Some(true), "Removed group web", json!({"web": ""})));
    let _ = std::fs::remove_dir_all(&root);
}
