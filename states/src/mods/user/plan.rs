//! Salt's `user._changes`: what `user.present` would change on an
//! existing user (uid, gid, supplementary groups with Salt's handling of the
//! primary group, duplicate gids and `remove_groups`, home, shell, password
//! hash, GECOS fields), and the refusal of uid/gid changes unless allowed.
//!
//! It reads accounts only; it must not change them.

use brine_common::{Map, Value};
use brine_modules::accounts::{self, GroupInfo, GECOS_FIELDS};
use brine_modules::{Ctx, ModuleError};

/// The wanted user, as `user.present` was given it.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub name: String,
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub usergroup: Option<bool>,
    pub groups: Option<Vec<String>>,
    pub optional_groups: Option<Vec<String>>,
    pub remove_groups: bool,
    pub home: Option<String>,
    pub createhome: bool,
    pub persist_home: bool,
    pub password: Option<String>,
    pub enforce_password: bool,
    pub empty_password: bool,
    pub shell: Option<String>,
    pub unique: bool,
    pub system: bool,
    pub gecos: [Option<String>; 5],
    pub nologinit: bool,
    pub allow_uid_change: bool,
    pub allow_gid_change: bool,
}

/// One attribute to change, keyed as Salt names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Uid,
    Gid,
    Groups,
    Home,
    HomeDoesNotExist,
    Shell,
    Password,
    EmptyPassword,
    Gecos(&'static str),
}

impl Change {
    pub fn key(&self) -> &'static str {
        match self {
            Change::Uid => "uid",
            Change::Gid => "gid",
            Change::Groups => "groups",
            Change::Home => "home",
            Change::HomeDoesNotExist => "homeDoesNotExist",
            Change::Shell => "shell",
            Change::Password => "passwd",
            Change::EmptyPassword => "empty_password",
            Change::Gecos(field) => field,
        }
    }
}

/// Planned changes in Salt's order, with the wanted values.
pub type Changes = Vec<(Change, Value)>;

/// Python's repr of the changes dict (for "These values could not be changed").
pub fn repr(changes: &Changes) -> String {
    let m: Map = changes.iter().map(|(c, v)| (c.key().to_string(), v.clone())).collect();
    Value::Map(m).py_repr()
}

/// A number, or a group name looked up (Salt's `file.group_to_gid`).
fn gid_of(groups: &[GroupInfo], group: &str) -> Option<u32> {
    group.parse().ok().or_else(|| groups.iter().find(|g| g.name == group).map(|g| g.gid))
}

/// Salt's `file.gid_to_group`: the name, or the number as text.
fn name_of(groups: &[GroupInfo], gid: u32) -> String {
    groups.iter().find(|g| g.gid == gid).map(|g| g.name.clone()).unwrap_or_else(|| gid.to_string())
}

fn sorted_set(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().collect();
    v.sort();
    v.dedup();
    v
}

/// Removes `group` (and every other name sharing its gid) from both lists.
fn drop_group(groups: &[GroupInfo], group: &str, have: &mut Vec<String>, want: &mut Vec<String>, from_want: bool) {
    let gid = gid_of(groups, group);
    let same = |g: &String| g == group || (gid.is_some() && gid_of(groups, g) == gid && dupes(groups, gid));
    have.retain(|g| !same(g));
    if from_want {
        want.retain(|g| !same(g));
    }
}

/// Whether several groups share `gid`.
fn dupes(groups: &[GroupInfo], gid: Option<u32>) -> bool {
    groups.iter().filter(|g| Some(g.gid) == gid).count() > 1
}

/// Salt's `_group_changes`: whether the groups need changing, ignoring
/// differences between groups that share a gid.
fn group_changes(groups: &[GroupInfo], have: &[String], want: &[String], remove: bool) -> bool {
    let contains = |list: &[String], g: &String| list.contains(g);
    let same = have.len() == want.len() && have.iter().all(|g| contains(want, g));
    if same || (!remove && want.iter().all(|g| contains(have, g))) {
        return false;
    }
    let mut diff: Vec<&String> = want.iter().filter(|g| !contains(have, g)).collect();
    if remove {
        diff.extend(have.iter().filter(|g| !contains(want, g)));
    }
    let all: Vec<&String> = have.iter().chain(want.iter()).collect();
    diff.iter().any(|d| {
        let gid = gid_of(groups, d);
        !all.iter().any(|other| other != d && gid.is_some() && gid_of(groups, other) == gid)
    })
}

/// Salt's `_changes`: None when the user does not exist.
pub fn changes(ctx: &Ctx, spec: &Spec, optional: Option<&[String]>) -> Result<Option<Changes>, String> {
    let err = |e: ModuleError| e.to_string();
    let db = accounts::backend(ctx);
    let Some(user) = db.user(&spec.name).map_err(err)? else { return Ok(None) };
    let groups = db.groups().map_err(err)?;
    let mut out = Changes::new();
    if let Some(uid) = spec.uid.as_ref().filter(|u| **u != user.uid.to_string()) {
        out.push((Change::Uid, number_or_text(uid)));
    }
    if let Some(gid) = spec.gid.as_ref().filter(|g| gid_of(&groups, g) != Some(user.gid)) {
        out.push((Change::Gid, number_or_text(gid)));
    }
    plan_groups(spec, optional, &user, &groups, &mut out);
    if let Some(home) = spec.home.as_ref().filter(|h| **h != user.home) {
        out.push((Change::Home, Value::str(home)));
    }
    let new_home = spec.home.clone().unwrap_or_else(|| user.home.clone());
    if spec.createhome && !db.dir_exists(&new_home) {
        out.push((Change::HomeDoesNotExist, Value::Str(new_home)));
    }
    if let Some(shell) = spec.shell.as_ref().filter(|s| **s != user.shell) {
        out.push((Change::Shell, Value::str(shell)));
    }
    plan_password(spec, db.shadow_hash(&spec.name).map_err(err)?.unwrap_or_default(), &mut out);
    for ((field, want), have) in GECOS_FIELDS.iter().zip(&spec.gecos).zip(user.gecos_fields()) {
        if let Some(want) = want.as_ref().filter(|w| **w != have) {
            out.push((Change::Gecos(field), Value::str(want)));
        }
    }
    refuse_id_changes(spec, &user, &out)?;
    Ok(Some(out))
}

fn number_or_text(s: &str) -> Value {
    s.parse::<i64>().map(Value::Int).unwrap_or_else(|_| Value::str(s))
}

fn plan_groups(
    spec: &Spec,
    optional: Option<&[String]>,
    user: &accounts::UserInfo,
    groups: &[GroupInfo],
    out: &mut Changes,
) {
    let mut want = sorted_set(spec.groups.iter().flatten().chain(optional.into_iter().flatten()).cloned());
    let mut have = user.groups.clone();
    if !spec.remove_groups || (spec.groups.is_none() && optional.is_none_or(|o| o.is_empty())) {
        want = sorted_set(want.into_iter().chain(have.iter().cloned()));
    }
    let wanted_gid = spec.gid.as_deref().and_then(|g| gid_of(groups, g)).unwrap_or(user.gid);
    let default_grp = name_of(groups, wanted_gid);
    let old_default = name_of(groups, user.gid);
    if have.contains(&default_grp) || want.contains(&default_grp) {
        drop_group(groups, &default_grp, &mut have, &mut want, true);
    }
    if old_default != default_grp && have.contains(&old_default) {
        drop_group(groups, &old_default, &mut have, &mut want, false);
    }
    if have.contains(&spec.name) && !want.contains(&spec.name) {
        drop_group(groups, &spec.name, &mut have, &mut want, false);
    }
    if group_changes(groups, &have, &want, spec.remove_groups) && (!want.is_empty() || spec.remove_groups) {
        out.push((Change::Groups, Value::List(want.into_iter().map(Value::Str).collect())));
    }
}

/// Salt's shadow comparison; `!` is Linux's default (locked) hash.
fn plan_password(spec: &Spec, current: String, out: &mut Changes) {
    if let Some(password) = spec.password.as_ref().filter(|_| !spec.empty_password) {
        let default_hash = current == "!" || current == "*";
        if (default_hash || spec.enforce_password) && current != *password {
            out.push((Change::Password, Value::str(password)));
        }
    }
    if spec.empty_password && !current.is_empty() {
        out.push((Change::EmptyPassword, Value::Bool(true)));
    }
}

fn refuse_id_changes(spec: &Spec, user: &accounts::UserInfo, out: &Changes) -> Result<(), String> {
    let mut errors = Vec::new();
    let has = |c: Change| out.iter().any(|(k, _)| *k == c);
    if !spec.allow_uid_change && has(Change::Uid) {
        errors.push(format!(
            "Changing uid ({} -> {}) not permitted, set allow_uid_change to True to force this change. Note that this will not change file ownership.",
            user.uid,
            spec.uid.clone().unwrap_or_default()
        ));
    }
    if !spec.allow_gid_change && has(Change::Gid) {
        errors.push(format!(
            "Changing gid ({} -> {}) not permitted, set allow_gid_change to True to force this change. Note that this will not change file ownership.",
            user.gid,
            spec.gid.clone().unwrap_or_default()
        ));
    }
    if errors.is_empty() {
        return Ok(());
    }
    let list = Value::List(errors.into_iter().map(Value::Str).collect());
    Err(format!(
        "Encountered error checking for needed changes. Additional info follows:\n\n{}",
        brine_common::output::nested(&list)
    ))
}
