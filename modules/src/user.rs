//! The `user` execution module on Linux (Salt's `useradd`): info, add,
//! delete, list_groups, list_users and the `ch*` functions (uid, gid,
//! shell, home, groups, GECOS fields), plus setting or clearing the
//! password hash, over the account backend (`accounts`).
//!
//! It builds shadow-utils command lines exactly as Salt does and reports
//! Salt's booleans; it must not decide what a state reports.

use brine_common::Value;

use crate::accounts::{backend, Tool, UserInfo, GECOS_FIELDS};
use crate::args::{opt, req, ArgDefault, Param, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// Salt's `user.info`: the user, or None.
pub fn info(ctx: &Ctx, name: &str) -> Result<Option<UserInfo>, ModuleError> {
    backend(ctx).user(name)
}

/// What `useradd` is to create.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub name: String,
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub groups: Option<Vec<String>>,
    pub home: Option<String>,
    pub shell: Option<String>,
    pub unique: bool,
    pub system: bool,
    /// fullname, roomnumber, workphone, homephone, other.
    pub gecos: [Option<String>; 5],
    pub createhome: bool,
    pub nologinit: bool,
    pub usergroup: Option<bool>,
}

/// Whether `/etc/login.defs` turns on user private groups.
fn usergroups_enabled() -> bool {
    let text = std::fs::read_to_string("/etc/login.defs").unwrap_or_default();
    text.lines()
        .find(|l| l.get(..15).is_some_and(|head| head.contains("USERGROUPS_ENAB")))
        .is_some_and(|l| l.contains("yes"))
}

fn useradd_args(ctx: &Ctx, u: &NewUser) -> Result<Vec<String>, ModuleError> {
    let mut args = Vec::new();
    if let Some(shell) = u.shell.as_ref().filter(|s| !s.is_empty()) {
        args.extend(["-s".to_string(), shell.clone()]);
    }
    if let Some(uid) = u.uid.as_ref().filter(|s| !s.is_empty()) {
        args.extend(["-u".to_string(), uid.clone()]);
    }
    if let Some(gid) = u.gid.as_ref().filter(|s| !s.is_empty()) {
        args.extend(["-g".to_string(), gid.clone()]);
    } else if u.usergroup == Some(true) {
        args.push("-U".into());
    } else if u.groups.as_ref().is_some_and(|g| g.contains(&u.name)) && usergroups_enabled() {
        if let Some(group) = backend(ctx).group(&u.name)? {
            args.extend(["-g".to_string(), group.gid.to_string()]);
        }
    }
    if u.usergroup == Some(false) {
        args.push("-N".into());
    }
    args.push(if u.createhome { "-m" } else { "-M" }.into());
    if u.nologinit {
        args.push("-l".into());
    }
    if let Some(home) = &u.home {
        args.extend(["-d".to_string(), home.clone()]);
    }
    if !u.unique {
        args.push("-o".into());
    }
    if u.system {
        args.push("-r".into());
    }
    args.push(u.name.clone());
    Ok(args)
}

/// Salt's `user.add`: `useradd`, then groups and GECOS fields; true once
/// the user exists.
pub fn add(ctx: &Ctx, u: &NewUser) -> Result<bool, ModuleError> {
    let out = backend(ctx).run_tool(ctx, Tool::Useradd, useradd_args(ctx, u)?)?;
    if out.retcode != 0 {
        return Ok(false);
    }
    if let Some(groups) = u.groups.as_ref().filter(|g| !g.is_empty()) {
        chgroups(ctx, &u.name, groups, false)?;
    }
    for (field, value) in GECOS_FIELDS.iter().zip(&u.gecos) {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            set_gecos(ctx, &u.name, field, v)?;
        }
    }
    Ok(true)
}

/// Salt's `user.delete`: `userdel [-r] [-f]`.
pub fn delete(ctx: &Ctx, name: &str, remove: bool, force: bool) -> Result<bool, ModuleError> {
    let mut args = Vec::new();
    if remove {
        args.push("-r".to_string());
    }
    if force {
        args.push("-f".to_string());
    }
    args.push(name.to_string());
    Ok(backend(ctx).run_tool(ctx, Tool::Userdel, args)?.retcode == 0)
}

/// A passwd attribute `usermod` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    Uid,
    Gid,
    Shell,
    Home { persist: bool },
}

fn current(info: &UserInfo, attr: Attr) -> String {
    match attr {
        Attr::Uid => info.uid.to_string(),
        Attr::Gid => info.gid.to_string(),
        Attr::Shell => info.shell.clone(),
        Attr::Home { .. } => info.home.clone(),
    }
}

/// Salt's `_chattrib`: `usermod FLAG VALUE NAME`, true when the value then holds.
pub fn chattr(ctx: &Ctx, name: &str, attr: Attr, value: &str) -> Result<bool, ModuleError> {
    let pre = info(ctx, name)?.ok_or_else(|| ModuleError::Execution(format!("User '{name}' does not exist")))?;
    let value = match attr {
        Attr::Gid => gid_of(ctx, value)?,
        _ => value.to_string(),
    };
    if current(&pre, attr) == value {
        return Ok(true);
    }
    let mut args = Vec::new();
    let flag = match attr {
        Attr::Uid => "-u",
        Attr::Gid => "-g",
        Attr::Shell => "-s",
        Attr::Home { persist } => {
            if persist {
                args.push("-m".to_string());
            }
            "-d"
        }
    };
    args.extend([flag.to_string(), value.clone(), name.to_string()]);
    backend(ctx).run_tool(ctx, Tool::Usermod, args)?;
    Ok(info(ctx, name)?.is_some_and(|u| current(&u, attr) == value))
}

/// A group name or number as a gid (names looked up; unknown names kept).
pub fn gid_of(ctx: &Ctx, group: &str) -> Result<String, ModuleError> {
    if group.parse::<u32>().is_ok() {
        return Ok(group.to_string());
    }
    Ok(backend(ctx).group(group)?.map(|g| g.gid.to_string()).unwrap_or_else(|| group.to_string()))
}

/// Salt's `user.chgroups`: `usermod [-a] -G g1,g2 NAME` unless already so.
pub fn chgroups(ctx: &Ctx, name: &str, groups: &[String], append: bool) -> Result<bool, ModuleError> {
    let have = info(ctx, name)?.map(|u| u.groups).unwrap_or_default();
    let mut want: Vec<&String> = groups.iter().collect();
    want.sort();
    want.dedup();
    if have.iter().collect::<Vec<_>>() == want {
        return Ok(true);
    }
    let mut args = Vec::new();
    if append {
        args.push("-a".to_string());
    }
    args.extend(["-G".to_string(), groups.join(","), name.to_string()]);
    Ok(backend(ctx).run_tool(ctx, Tool::Usermod, args)?.retcode == 0)
}

/// Salt's `_update_gecos`: one GECOS field set with `usermod -c`.
pub fn set_gecos(ctx: &Ctx, name: &str, field: &str, value: &str) -> Result<bool, ModuleError> {
    let Some(pre) = info(ctx, name)? else { return Ok(false) };
    let mut fields = pre.gecos_fields();
    let Some(index) = GECOS_FIELDS.iter().position(|f| *f == field) else { return Ok(false) };
    if fields[index] == value {
        return Ok(true);
    }
    fields[index] = value.to_string();
    let gecos = fields.join(",").trim_end_matches(',').to_string();
    backend(ctx).run_tool(ctx, Tool::Usermod, vec!["-c".into(), gecos, name.into()])?;
    Ok(info(ctx, name)?.is_some_and(|u| u.gecos_fields()[index] == value))
}

/// Salt's `shadow.set_password` with a hash (`usermod -p`); "" empties it.
pub fn set_password(ctx: &Ctx, name: &str, hash: &str) -> Result<bool, ModuleError> {
    let out = backend(ctx).run_tool(ctx, Tool::Usermod, vec!["-p".into(), hash.into(), name.into()])?;
    Ok(out.retcode == 0)
}

const N: ArgDefault = ArgDefault::None;
const F: ArgDefault = ArgDefault::Bool(false);
const T: ArgDefault = ArgDefault::Bool(true);
const S: ArgDefault = ArgDefault::Str("");

const ADD_PARAMS: &[Param] = &[
    req("name"),
    opt("uid", N),
    opt("gid", N),
    opt("groups", N),
    opt("home", N),
    opt("shell", N),
    opt("unique", T),
    opt("system", F),
    opt("fullname", S),
    opt("roomnumber", S),
    opt("workphone", S),
    opt("homephone", S),
    opt("other", S),
    opt("createhome", T),
    opt("loginclass", N),
    opt("nologinit", F),
    opt("root", N),
    opt("usergroup", N),
    opt("local", F),
];

const fn strict(params: &'static [Param]) -> Signature {
    Signature { params, varargs: None, kwargs: false }
}

macro_rules! ch_fn {
    ($fname:literal, $param:literal, $run:ident) => {
        Function { name: $fname, sig: strict(&[req("name"), req($param), opt("root", N)]), run: $run }
    };
}

pub const MODULE: Module = Module {
    name: "user",
    functions: &[
        Function { name: "info", sig: strict(&[req("name"), opt("root", N)]), run: info_fn },
        Function { name: "add", sig: strict(ADD_PARAMS), run: add_fn },
        Function {
            name: "delete",
            sig: strict(&[req("name"), opt("remove", F), opt("force", F), opt("root", N), opt("local", F)]),
            run: delete_fn,
        },
        Function { name: "list_groups", sig: strict(&[req("name")]), run: list_groups_fn },
        Function { name: "list_users", sig: strict(&[opt("root", N)]), run: list_users_fn },
        ch_fn!("chuid", "uid", chuid_fn),
        ch_fn!("chgid", "gid", chgid_fn),
        ch_fn!("chshell", "shell", chshell_fn),
        Function {
            name: "chhome",
            sig: strict(&[req("name"), req("home"), opt("persist", F), opt("root", N)]),
            run: chhome_fn,
        },
        Function {
            name: "chgroups",
            sig: strict(&[req("name"), req("groups"), opt("append", F), opt("root", N)]),
            run: chgroups_fn,
        },
        ch_fn!("chfullname", "fullname", chgecos_fn),
        ch_fn!("chroomnumber", "roomnumber", chgecos_fn),
        ch_fn!("chworkphone", "workphone", chgecos_fn),
        ch_fn!("chhomephone", "homephone", chgecos_fn),
        ch_fn!("chother", "other", chgecos_fn),
    ],
};

/// Salt's modules take a `root` argument; brine's root belongs to the backend.
fn refuse_root(b: &Bound) -> Result<(), ModuleError> {
    if b.get("root").truthy() {
        return Err(ModuleError::Invocation("The 'root' argument is not supported by brine".into()));
    }
    Ok(())
}

fn info_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(info(ctx, &b.str("name")?)?.map(|u| u.to_value()).unwrap_or(Value::Map(Default::default())))
}

/// A list argument: a list, or a comma-separated string.
pub fn list_arg(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Null => None,
        Value::List(items) => Some(items.iter().map(Value::py_str).collect()),
        other => Some(other.py_str().split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()),
    }
}

fn add_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let gecos = GECOS_FIELDS.map(|f| b.opt_str(f));
    let user = NewUser {
        name: b.str("name")?,
        uid: b.opt_str("uid"),
        gid: b.opt_str("gid"),
        groups: list_arg(b.get("groups")),
        home: b.opt_str("home"),
        shell: b.opt_str("shell"),
        unique: b.truthy("unique"),
        system: b.truthy("system"),
        gecos,
        createhome: b.truthy("createhome"),
        nologinit: b.truthy("nologinit"),
        usergroup: b.get("usergroup").as_bool(),
    };
    Ok(Value::Bool(add(ctx, &user)?))
}

fn delete_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(Value::Bool(delete(ctx, &b.str("name")?, b.truthy("remove"), b.truthy("force"))?))
}

fn list_groups_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let groups = info(ctx, &b.str("name")?)?.map(|u| u.groups).unwrap_or_default();
    Ok(Value::List(groups.into_iter().map(Value::Str).collect()))
}

fn list_users_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let mut names: Vec<String> = backend(ctx).users()?.into_iter().map(|u| u.name).collect();
    names.sort();
    Ok(Value::List(names.into_iter().map(Value::Str).collect()))
}

fn ch(b: &Bound, ctx: &Ctx, param: &str, attr: Attr) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(Value::Bool(chattr(ctx, &b.str("name")?, attr, &b.str(param)?)?))
}

fn chuid_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    ch(b, ctx, "uid", Attr::Uid)
}

fn chgid_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    ch(b, ctx, "gid", Attr::Gid)
}

fn chshell_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    ch(b, ctx, "shell", Attr::Shell)
}

fn chhome_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    ch(b, ctx, "home", Attr::Home { persist: b.truthy("persist") })
}

fn chgroups_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let groups = list_arg(b.get("groups")).unwrap_or_default();
    Ok(Value::Bool(chgroups(ctx, &b.str("name")?, &groups, b.truthy("append"))?))
}

fn chgecos_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let (field, value) = b
        .values
        .iter()
        .find(|(k, _)| GECOS_FIELDS.contains(k))
        .map(|(k, v)| (k.to_string(), v.py_str()))
        .ok_or_else(|| ModuleError::Invocation("Missing GECOS field".into()))?;
    Ok(Value::Bool(set_gecos(ctx, &b.str("name")?, &field, &value)?))
}

#[cfg(test)]
mod tests;
