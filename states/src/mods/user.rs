//! The `user` state module: present (uid, gid, usergroup, groups,
//! optional_groups, remove_groups, home, createhome, persist_home, a hashed
//! password, empty_password, shell, unique, system, the GECOS fields,
//! nologinit, allow_uid_change/allow_gid_change) and absent, with Salt's
//! `_changes` planning, comments and test-mode predictions.
//!
//! Accounts are read and changed only through the `user` and `group`
//! execution modules (shadow-utils, or a chroot in tests). Password aging
//! options are accepted and reported as not supported.

mod plan;
#[cfg(test)]
mod tests;

use brine_common::{Map, Value};
use brine_modules::accounts::{self, GECOS_FIELDS};
use brine_modules::user::{self as users, Attr, NewUser};

use super::parse::{flag, opt_str};
use super::{StateCall, StateError, StateFunction, StateModule, StateRet};
use plan::{Change, Changes, Spec};

pub const MODULE: StateModule = StateModule {
    name: "user",
    functions: &[
        StateFunction { name: "present", required: &["name"], optional: PRESENT_PARAMS, kwargs: false, run: present },
        StateFunction {
            name: "absent",
            required: &["name"],
            optional: &["purge", "force", "local"],
            kwargs: false,
            run: absent,
        },
    ],
};

const PRESENT_PARAMS: &[&str] = &[
    "uid",
    "gid",
    "usergroup",
    "groups",
    "optional_groups",
    "remove_groups",
    "home",
    "createhome",
    "persist_home",
    "password",
    "hash_password",
    "enforce_password",
    "empty_password",
    "shell",
    "unique",
    "system",
    "fullname",
    "roomnumber",
    "workphone",
    "homephone",
    "other",
    "loginclass",
    "date",
    "mindays",
    "maxdays",
    "inactdays",
    "warndays",
    "expire",
    "win_homedrive",
    "win_profile",
    "win_logonscript",
    "win_description",
    "nologinit",
    "allow_uid_change",
    "allow_gid_change",
    "password_lock",
    "local",
];

/// Options brine accepts but does not act on (password aging, BSD, Windows).
const NOT_SUPPORTED: &[&str] = &[
    "loginclass",
    "date",
    "mindays",
    "maxdays",
    "inactdays",
    "warndays",
    "expire",
    "password_lock",
    "win_homedrive",
    "win_profile",
    "win_logonscript",
    "win_description",
];

fn list(args: &Map, key: &str) -> Option<Vec<String>> {
    users::list_arg(args.get(key).unwrap_or(&Value::Null))
}

fn parse(call: &StateCall) -> Spec {
    let args = call.args;
    let gecos = GECOS_FIELDS.map(|f| opt_str(args, f));
    Spec {
        name: call.name(),
        uid: opt_str(args, "uid").filter(|u| !u.is_empty()),
        gid: opt_str(args, "gid").filter(|g| !g.is_empty()),
        usergroup: args.get("usergroup").and_then(Value::as_bool),
        groups: list(args, "groups"),
        optional_groups: list(args, "optional_groups"),
        remove_groups: flag(args, "remove_groups", true),
        home: opt_str(args, "home").filter(|h| !h.is_empty()),
        createhome: flag(args, "createhome", true),
        persist_home: flag(args, "persist_home", false),
        password: opt_str(args, "password").filter(|p| !p.is_empty()),
        enforce_password: flag(args, "enforce_password", true),
        empty_password: flag(args, "empty_password", false),
        shell: opt_str(args, "shell").filter(|s| !s.is_empty()),
        unique: flag(args, "unique", true),
        system: flag(args, "system", false),
        gecos,
        nologinit: flag(args, "nologinit", false),
        allow_uid_change: flag(args, "allow_uid_change", false),
        allow_gid_change: flag(args, "allow_gid_change", false),
    }
}

fn ignored(call: &StateCall) -> Vec<&'static str> {
    NOT_SUPPORTED.iter().copied().filter(|k| call.args.get(*k).is_some_and(|v| !v.is_null())).collect()
}

fn present(call: &StateCall) -> Result<StateRet, StateError> {
    let mut spec = parse(call);
    let name = spec.name.clone();
    let mut ret =
        StateRet::new(call.arg("name").clone()).with_comment(format!("User {name} is present and up to date"));
    let skipped = ignored(call);
    if !skipped.is_empty() {
        ret.warn(format!(
            "The following arguments are not supported by brine and were ignored: {}",
            skipped.join(", ")
        ));
    }
    if flag(call.args, "hash_password", false) && spec.password.is_some() {
        return Ok(ret.error("hash_password is not supported by brine: give the password as a hash"));
    }
    if let Some(field) = spec.gecos[..3].iter().flatten().find(|f| f.contains(',')) {
        return Ok(ret.error(format!("Unsupported char ',' in {field}")));
    }
    let missing = match missing_groups(call, &mut spec)? {
        Ok(m) => m,
        Err(comment) => return Ok(ret.error(comment)),
    };
    let optional = present_optional(call, &spec)?;
    let planned = match plan::changes(call.ctx, &spec, optional.as_deref()) {
        Ok(p) => p,
        Err(e) => return Ok(ret.error(e)),
    };
    match planned {
        Some(changes) if changes.is_empty() => Ok(ret),
        Some(changes) if call.test => Ok(predict(ret, &changes, &missing)),
        Some(changes) => update(call, ret, &spec, optional.as_deref(), changes),
        None if call.test => {
            let pending =
                if missing.is_empty() { String::new() } else { format!(" (pending groups: {})", missing.join(",")) };
            Ok(ret.with_result(None).with_comment(format!("User {name} set to be added{pending}")))
        }
        None => create(call, ret, &spec, optional),
    }
}

/// Groups in `groups` that do not exist: an error, or in test mode dropped
/// from the check and listed as pending.
fn missing_groups(call: &StateCall, spec: &mut Spec) -> Result<Result<Vec<String>, String>, StateError> {
    let Some(groups) = spec.groups.clone() else { return Ok(Ok(Vec::new())) };
    let mut missing = Vec::new();
    for g in &groups {
        if brine_modules::group::info(call.ctx, g)?.is_none() {
            missing.push(g.clone());
        }
    }
    if missing.is_empty() {
        return Ok(Ok(missing));
    }
    if !call.test {
        return Ok(Err(format!("The following group(s) are not present: {}", missing.join(","))));
    }
    spec.groups = Some(groups.into_iter().filter(|g| !missing.contains(g)).collect());
    Ok(Ok(missing))
}

/// The optional groups that exist (None when none were asked for).
fn present_optional(call: &StateCall, spec: &Spec) -> Result<Option<Vec<String>>, StateError> {
    let Some(optional) = spec.optional_groups.as_ref().filter(|o| !o.is_empty()) else { return Ok(None) };
    let mut out = Vec::new();
    for g in optional {
        if brine_modules::group::info(call.ctx, g)?.is_some() {
            out.push(g.clone());
        }
    }
    Ok(Some(out))
}

fn predict(ret: StateRet, changes: &Changes, missing: &[String]) -> StateRet {
    let mut comment = "The following user attributes are set to be changed:\n".to_string();
    for (change, value) in changes {
        let shown = if *change == Change::Password { Value::str("XXX-REDACTED-XXX") } else { value.clone() };
        comment.push_str(&format!("{}: {}\n", change.key(), shown.py_str()));
    }
    if !missing.is_empty() {
        comment.push_str(&format!("groups (pending creation): {}\n", missing.join(",")));
    }
    ret.with_result(None).with_comment(comment)
}

fn update(
    call: &StateCall,
    mut ret: StateRet,
    spec: &Spec,
    optional: Option<&[String]>,
    changes: Changes,
) -> Result<StateRet, StateError> {
    let ctx = call.ctx;
    let name = &spec.name;
    let pre = users::info(ctx, name)?.unwrap_or_default();
    let pre_hash = accounts::backend(ctx).shadow_hash(name)?;
    apply_changes(call, spec, &pre, &changes)?;
    let post = users::info(ctx, name)?.unwrap_or_default();
    let (before, after) = (pre.to_value(), post.to_value());
    for (key, value) in after.as_map().into_iter().flatten() {
        if before.get(key) != Some(value) {
            ret.changes.insert(key.clone(), value.clone());
        }
    }
    if accounts::backend(ctx).shadow_hash(name)? != pre_hash {
        ret.changes.insert("passwd".into(), Value::str("XXX-REDACTED-XXX"));
    }
    if !ret.changes.is_empty() {
        ret.comment = format!("Updated user {name}");
    }
    let recheck = Spec { allow_uid_change: true, allow_gid_change: true, ..spec.clone() };
    let left = plan::changes(ctx, &recheck, optional).map_err(StateError::Execution)?.unwrap_or_default();
    if !left.is_empty() {
        ret = ret.error(format!("These values could not be changed: {}", plan::repr(&left)));
    }
    Ok(ret)
}

fn apply_changes(call: &StateCall, spec: &Spec, pre: &accounts::UserInfo, changes: &Changes) -> Result<(), StateError> {
    let ctx = call.ctx;
    let name = &spec.name;
    let get = |c: Change| changes.iter().find(|(k, _)| *k == c).map(|(_, v)| v.py_str());
    if get(Change::Password).is_some() && !spec.empty_password {
        users::set_password(ctx, name, spec.password.as_deref().unwrap_or_default())?;
    }
    if get(Change::EmptyPassword).is_some() {
        users::set_password(ctx, name, "")?;
    }
    let home_attr = Attr::Home { persist: spec.persist_home };
    let missing_home = get(Change::HomeDoesNotExist);
    if let Some(home) = get(Change::Home).filter(|_| missing_home.is_none()) {
        users::chattr(ctx, name, home_attr, &home)?;
    }
    if let Some(home) = missing_home {
        users::chattr(ctx, name, home_attr, &home)?;
        if !accounts::backend(ctx).dir_exists(&home) {
            make_home(call, &home, pre)?;
        }
    }
    for (change, value) in changes {
        let v = value.py_str();
        match change {
            Change::Uid => users::chattr(ctx, name, Attr::Uid, &v)?,
            Change::Gid => users::chattr(ctx, name, Attr::Gid, &v)?,
            Change::Shell => users::chattr(ctx, name, Attr::Shell, &v)?,
            Change::Gecos(field) => users::set_gecos(ctx, name, field, &v)?,
            _ => true,
        };
    }
    if let Some((_, Value::List(groups))) = changes.iter().find(|(k, _)| *k == Change::Groups) {
        let groups: Vec<String> = groups.iter().map(Value::py_str).collect();
        users::chgroups(ctx, name, &groups, !spec.remove_groups)?;
    }
    Ok(())
}

/// Salt's `file.mkdir(home, uid, gid, 0o755)` for a home that does not exist.
fn make_home(call: &StateCall, home: &str, pre: &accounts::UserInfo) -> Result<(), StateError> {
    let mut kw = Map::default();
    kw.insert("user".into(), Value::Int(i64::from(pre.uid)));
    kw.insert("group".into(), Value::Int(i64::from(pre.gid)));
    kw.insert("mode".into(), Value::str("0755"));
    brine_modules::call("file.mkdir", &[Value::str(home)], &kw, call.ctx)?;
    Ok(())
}

fn create(call: &StateCall, ret: StateRet, spec: &Spec, optional: Option<Vec<String>>) -> Result<StateRet, StateError> {
    let ctx = call.ctx;
    let mut groups = spec.groups.clone();
    if let Some(opt) = optional {
        groups.get_or_insert_with(Vec::new).extend(opt);
    }
    let new = NewUser {
        name: spec.name.clone(),
        uid: spec.uid.clone(),
        gid: spec.gid.clone(),
        groups,
        home: spec.home.clone(),
        shell: spec.shell.clone(),
        unique: spec.unique,
        system: spec.system,
        gecos: spec.gecos.clone(),
        createhome: spec.createhome,
        nologinit: spec.nologinit,
        usergroup: spec.usergroup,
    };
    if !users::add(ctx, &new)? {
        return Ok(ret.error(format!("Failed to create new user {}", spec.name)));
    }
    let mut ret = ret.with_comment(format!("New user {} created", spec.name));
    ret.changes =
        users::info(ctx, &spec.name)?.map(|u| u.to_value()).and_then(|v| v.as_map().cloned()).unwrap_or_default();
    if !spec.createhome {
        ret.changes.insert("home".into(), Value::str(""));
    }
    if let Some(hash) = spec.password.as_deref().filter(|_| !spec.empty_password) {
        users::set_password(ctx, &spec.name, hash)?;
        if accounts::backend(ctx).shadow_hash(&spec.name)?.as_deref() != Some(hash) {
            ret = ret.error(format!("User {} created but failed to set password to XXX-REDACTED-XXX", spec.name));
        }
        ret.changes.insert("password".into(), Value::str("XXX-REDACTED-XXX"));
    } else if spec.empty_password {
        users::set_password(ctx, &spec.name, "")?;
        ret.changes.insert("password".into(), Value::str(""));
    }
    Ok(ret)
}

fn absent(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let ret = StateRet::new(call.arg("name").clone());
    let Some(user) = users::info(call.ctx, &name)? else {
        return Ok(ret.with_comment(format!("User {name} is not present")));
    };
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("User {name} set for removal")));
    }
    let purge = flag(call.args, "purge", false);
    if !users::delete(call.ctx, &name, purge, flag(call.args, "force", false))? {
        return Ok(ret.error(format!("Failed to remove user {name}")));
    }
    let mut ret = ret.with_comment(format!("Removed user {name}"));
    for g in &user.groups {
        if brine_modules::group::info(call.ctx, g)?.is_none() {
            ret.changes.insert(format!("{g} group"), Value::str("removed"));
        }
    }
    ret.changes.insert(name, Value::str("removed"));
    Ok(ret)
}
