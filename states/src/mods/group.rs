//! The `group` state module: present (gid, system, addusers, delusers,
//! members, non_unique) and absent, with Salt's comments, changes and
//! test-mode predictions.
//!
//! Groups are read and changed only through the `group` execution module
//! (shadow-utils, or a chroot in tests); nothing is changed in test mode.

use brine_common::{Map, Value};
use brine_modules::accounts::GroupInfo;
use brine_modules::group;

use super::parse::flag;
use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "group",
    functions: &[
        StateFunction {
            name: "present",
            required: &["name"],
            optional: &["gid", "system", "addusers", "delusers", "members", "non_unique", "local"],
            kwargs: false,
            run: present,
        },
        StateFunction { name: "absent", required: &["name"], optional: &["local"], kwargs: false, run: absent },
    ],
};

/// Typed arguments of `group.present`.
struct Args {
    name: String,
    gid: Option<u32>,
    system: bool,
    addusers: Option<Vec<String>>,
    delusers: Option<Vec<String>>,
    members: Option<Vec<String>>,
    non_unique: bool,
}

fn users(args: &Map, key: &str) -> Option<Vec<String>> {
    brine_modules::user::list_arg(args.get(key).unwrap_or(&Value::Null))
}

fn parse(call: &StateCall) -> Result<Args, String> {
    let args = call.args;
    let gid = group::parse_gid(args.get("gid").unwrap_or(&Value::Null)).map_err(|_| "Invalid gid".to_string())?;
    Ok(Args {
        name: call.name(),
        gid,
        system: flag(args, "system", false),
        addusers: users(args, "addusers"),
        delusers: users(args, "delusers"),
        members: users(args, "members"),
        non_unique: flag(args, "non_unique", false),
    })
}

/// One planned change, in Salt's order (gid, delusers/members, addusers, delusers).
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Gid(u32),
    Members(Vec<String>),
    AddUsers(Vec<String>),
    DelUsers(Vec<String>),
}

impl Change {
    fn key(&self) -> &'static str {
        match self {
            Change::Gid(_) => "gid",
            Change::Members(_) => "members",
            Change::AddUsers(_) => "addusers",
            Change::DelUsers(_) => "delusers",
        }
    }

    fn value(&self) -> Value {
        let list = |l: &[String]| Value::List(l.iter().map(Value::str).collect());
        match self {
            Change::Gid(g) => Value::Int(i64::from(*g)),
            Change::Members(l) | Change::AddUsers(l) | Change::DelUsers(l) => list(l),
        }
    }
}

fn differs(have: &[String], want: &[String]) -> bool {
    have.iter().any(|h| !want.contains(h)) || want.iter().any(|w| !have.contains(w))
}

/// Salt's `_changes`: what differs from the group as it is.
fn plan(a: &Args, have: &GroupInfo) -> Vec<Change> {
    let mut out = Vec::new();
    if let Some(gid) = a.gid.filter(|g| *g != have.gid) {
        out.push(Change::Gid(gid));
    }
    match &a.members {
        Some(m) if m.is_empty() && differs(&have.members, m) => out.push(Change::DelUsers(have.members.clone())),
        Some(m) if !m.is_empty() && differs(&have.members, m) => out.push(Change::Members(m.clone())),
        _ => {}
    }
    let add: Vec<String> = a.addusers.iter().flatten().filter(|u| !have.members.contains(u)).cloned().collect();
    if !add.is_empty() {
        out.push(Change::AddUsers(add));
    }
    let del: Vec<String> = a.delusers.iter().flatten().filter(|u| have.members.contains(u)).cloned().collect();
    if !del.is_empty() {
        out.push(Change::DelUsers(del));
    }
    out
}

fn changes_map(changes: &[Change]) -> Map {
    changes.iter().map(|c| (c.key().to_string(), c.value())).collect()
}

fn present(call: &StateCall) -> Result<StateRet, StateError> {
    let ret = StateRet::new(call.arg("name").clone());
    let a = match parse(call) {
        Ok(a) => a,
        Err(msg) => return Ok(ret.error(msg)),
    };
    let ret = ret.with_comment(format!("Group {} is present and up to date", a.name));
    if a.members.is_some() && (a.addusers.is_some() || a.delusers.is_some()) {
        return Ok(ret.with_result(None).with_comment(
            "Error: Conflicting options \"members\" with \"addusers\" and/or \"delusers\" can not be used together. ",
        ));
    }
    if let (Some(add), Some(del)) = (&a.addusers, &a.delusers) {
        if add.iter().any(|u| del.contains(u)) {
            return Ok(ret
                .with_result(None)
                .with_comment("Error. Same user(s) can not be added and deleted simultaneously"));
        }
    }
    match group::info(call.ctx, &a.name)? {
        Some(have) => update(call, ret, &a, &have),
        None => create(call, ret, &a),
    }
}

fn update(call: &StateCall, mut ret: StateRet, a: &Args, have: &GroupInfo) -> Result<StateRet, StateError> {
    let changes = plan(a, have);
    if changes.is_empty() {
        return Ok(ret);
    }
    ret.comment = "The following group attributes are set to be changed:\n".to_string();
    for c in &changes {
        ret.comment.push_str(&format!("{}: {}\n", c.key(), c.value().py_str()));
    }
    if call.test {
        return Ok(ret.with_result(None));
    }
    for change in &changes {
        apply(call, &a.name, change, a.non_unique)?;
    }
    let left = group::info(call.ctx, &a.name)?.map(|g| plan(a, &g)).unwrap_or_default();
    if left.is_empty() {
        ret.changes.insert("Final".into(), Value::str("All changes applied successfully"));
    } else {
        ret.comment.push_str("Some changes could not be applied");
        ret.changes.insert("Failed".into(), Value::Map(changes_map(&left)));
        ret.result = Some(false);
    }
    Ok(ret)
}

fn apply(call: &StateCall, name: &str, change: &Change, non_unique: bool) -> Result<(), StateError> {
    let ctx = call.ctx;
    match change {
        Change::Gid(gid) => {
            group::chgid(ctx, name, *gid, non_unique)?;
        }
        Change::AddUsers(users) => {
            for u in users {
                group::adduser(ctx, name, u)?;
            }
        }
        Change::DelUsers(users) => {
            for u in users {
                group::deluser(ctx, name, u)?;
            }
        }
        Change::Members(users) => {
            group::members(ctx, name, users)?;
        }
    }
    Ok(())
}

fn create(call: &StateCall, ret: StateRet, a: &Args) -> Result<StateRet, StateError> {
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Group {} set to be added", a.name)));
    }
    if let Some(gid) = a.gid.filter(|_| !a.non_unique) {
        if let Some(taken) = group::getent(call.ctx)?.into_iter().find(|g| g.gid == gid) {
            return Ok(ret.error(format!(
                "Group {} is not present but gid {gid} is already taken by group {}",
                a.name, taken.name
            )));
        }
    }
    if !group::add(call.ctx, &a.name, a.gid, a.system, a.non_unique)? {
        return Ok(ret.error(format!("Failed to create new group {}", a.name)));
    }
    let initial = a.addusers.clone().filter(|u| !u.is_empty()).or_else(|| a.members.clone().filter(|m| !m.is_empty()));
    if let Some(users) = initial {
        group::members(call.ctx, &a.name, &users)?;
    }
    let mut ret = ret.with_comment(format!("New group {} created", a.name));
    let Some(made) = group::info(call.ctx, &a.name)? else {
        return Ok(ret.error(format!("Failed to create new group {}", a.name)));
    };
    let left = plan(a, &made);
    if left.is_empty() {
        ret.changes = made.to_value().as_map().cloned().unwrap_or_default();
        return Ok(ret);
    }
    ret.changes.insert("Failed".into(), Value::Map(changes_map(&left)));
    Ok(ret.error(format!("Group {} has been created but, some changes could not be applied", a.name)))
}

fn absent(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let ret = StateRet::new(call.arg("name").clone());
    if group::info(call.ctx, &name)?.is_none() {
        return Ok(ret.with_comment("Group not present"));
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Group {name} is set for removal")));
    }
    if !group::delete(call.ctx, &name)? {
        return Ok(ret.error(format!("Failed to remove group {name}")));
    }
    let mut ret = ret.with_comment(format!("Removed group {name}"));
    ret.changes.insert(name, Value::str(""));
    Ok(ret)
}
