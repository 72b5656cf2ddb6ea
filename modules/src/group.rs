//! The `group` execution module on Linux (Salt's `groupadd`): info, add,
//! delete, getent, chgid, adduser, deluser and members, over the account
//! backend (`accounts`) with `groupadd`, `groupmod`, `groupdel` and
//! `gpasswd`.
//!
//! It reports Salt's booleans and dicts; it must not decide what a state
//! reports.

use brine_common::Value;

use crate::accounts::{backend, GroupInfo, Tool};
use crate::args::{opt, req, ArgDefault, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// Salt's `group.info`: the group, or None.
pub fn info(ctx: &Ctx, name: &str) -> Result<Option<GroupInfo>, ModuleError> {
    backend(ctx).group(name)
}

/// Salt's `group.getent`: every group.
pub fn getent(ctx: &Ctx) -> Result<Vec<GroupInfo>, ModuleError> {
    backend(ctx).groups()
}

fn ok(ctx: &Ctx, tool: Tool, args: Vec<String>) -> Result<bool, ModuleError> {
    Ok(backend(ctx).run_tool(ctx, tool, args)?.retcode == 0)
}

/// Salt's `group.add`: `groupadd [-g GID [-o]] [-r] NAME`.
pub fn add(ctx: &Ctx, name: &str, gid: Option<u32>, system: bool, non_unique: bool) -> Result<bool, ModuleError> {
    let mut args = Vec::new();
    if let Some(gid) = gid {
        args.extend(["-g".to_string(), gid.to_string()]);
        if non_unique {
            args.push("-o".into());
        }
    }
    if system {
        args.push("-r".into());
    }
    args.push(name.to_string());
    ok(ctx, Tool::Groupadd, args)
}

/// Salt's `group.delete`.
pub fn delete(ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
    ok(ctx, Tool::Groupdel, vec![name.to_string()])
}

/// Salt's `group.chgid`: `groupmod -g GID [-o] NAME`, true when it then holds.
pub fn chgid(ctx: &Ctx, name: &str, gid: u32, non_unique: bool) -> Result<bool, ModuleError> {
    let Some(pre) = info(ctx, name)? else { return Ok(false) };
    if pre.gid == gid {
        return Ok(true);
    }
    let mut args = vec!["-g".to_string(), gid.to_string()];
    if non_unique {
        args.push("-o".into());
    }
    args.push(name.to_string());
    ok(ctx, Tool::Groupmod, args)?;
    Ok(info(ctx, name)?.is_some_and(|g| g.gid == gid))
}

/// Salt's `group.adduser`: `gpasswd --add USER GROUP`.
pub fn adduser(ctx: &Ctx, name: &str, user: &str) -> Result<bool, ModuleError> {
    ok(ctx, Tool::Gpasswd, vec!["--add".into(), user.into(), name.into()])
}

/// Salt's `group.deluser`: `gpasswd --del USER GROUP` when a member.
pub fn deluser(ctx: &Ctx, name: &str, user: &str) -> Result<bool, ModuleError> {
    if !info(ctx, name)?.is_some_and(|g| g.members.iter().any(|m| m == user)) {
        return Ok(true);
    }
    ok(ctx, Tool::Gpasswd, vec!["--del".into(), user.into(), name.into()])
}

/// Salt's `group.members`: `gpasswd --members a,b GROUP`.
pub fn members(ctx: &Ctx, name: &str, members: &[String]) -> Result<bool, ModuleError> {
    ok(ctx, Tool::Gpasswd, vec!["--members".into(), members.join(","), name.into()])
}

const N: ArgDefault = ArgDefault::None;
const F: ArgDefault = ArgDefault::Bool(false);

const fn strict(params: &'static [crate::Param]) -> Signature {
    Signature { params, varargs: None, kwargs: false }
}

pub const MODULE: Module = Module {
    name: "group",
    functions: &[
        Function { name: "info", sig: strict(&[req("name"), opt("root", N)]), run: info_fn },
        Function {
            name: "add",
            sig: strict(&[
                req("name"),
                opt("gid", N),
                opt("system", F),
                opt("root", N),
                opt("non_unique", F),
                opt("local", F),
            ]),
            run: add_fn,
        },
        Function { name: "delete", sig: strict(&[req("name"), opt("root", N), opt("local", F)]), run: delete_fn },
        Function { name: "getent", sig: strict(&[opt("refresh", F), opt("root", N)]), run: getent_fn },
        Function {
            name: "chgid",
            sig: strict(&[req("name"), req("gid"), opt("root", N), opt("non_unique", F)]),
            run: chgid_fn,
        },
        Function { name: "adduser", sig: strict(&[req("name"), req("username"), opt("root", N)]), run: adduser_fn },
        Function { name: "deluser", sig: strict(&[req("name"), req("username"), opt("root", N)]), run: deluser_fn },
        Function { name: "members", sig: strict(&[req("name"), req("members_list"), opt("root", N)]), run: members_fn },
    ],
};

fn refuse_root(b: &Bound) -> Result<(), ModuleError> {
    if b.get("root").truthy() {
        return Err(ModuleError::Invocation("The 'root' argument is not supported by brine".into()));
    }
    Ok(())
}

/// A gid argument: a number (or numeric string).
pub fn parse_gid(v: &Value) -> Result<Option<u32>, ModuleError> {
    match v {
        Value::Null => Ok(None),
        v if !v.truthy() => Ok(None),
        v => v.py_str().trim().parse().map(Some).map_err(|_| ModuleError::Invocation("Invalid gid".into())),
    }
}

fn info_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(info(ctx, &b.str("name")?)?.map(|g| g.to_value()).unwrap_or(Value::Map(Default::default())))
}

fn add_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let gid = parse_gid(b.get("gid"))?;
    Ok(Value::Bool(add(ctx, &b.str("name")?, gid, b.truthy("system"), b.truthy("non_unique"))?))
}

fn delete_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(Value::Bool(delete(ctx, &b.str("name")?)?))
}

fn getent_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(Value::List(getent(ctx)?.iter().map(GroupInfo::to_value).collect()))
}

fn chgid_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let gid = parse_gid(b.get("gid"))?.ok_or_else(|| ModuleError::Invocation("Invalid gid".into()))?;
    Ok(Value::Bool(chgid(ctx, &b.str("name")?, gid, b.truthy("non_unique"))?))
}

fn adduser_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(Value::Bool(adduser(ctx, &b.str("name")?, &b.str("username")?)?))
}

fn deluser_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    Ok(Value::Bool(deluser(ctx, &b.str("name")?, &b.str("username")?)?))
}

fn members_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    refuse_root(b)?;
    let list: Vec<String> = crate::user::list_arg(b.get("members_list")).unwrap_or_default();
    Ok(Value::Bool(members(ctx, &b.str("name")?, &list)?))
}
