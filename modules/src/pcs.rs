//! The `pcs` execution module: Salt's functions over the `pcs` CLI's CIB
//! commands (`item_show`, `item_create`, `config_show`, `prop_show`,
//! `prop_set`, `resource_show`, `resource_create`, `stonith_show`,
//! `stonith_create`, `cib_create`, `cib_push`), each returning Salt's
//! `cmd.run_all` dict. As in Salt, pcs newer than 0.10 (by `pkg.version`)
//! gets `config` where older pcs took `show`.
//!
//! It builds command lines and runs them; it must not interpret their output
//! (the `pcs` state module does) nor touch the cluster's services (`pcs
//! cluster start`, `auth`, `setup` are not here: they need pcsd and systemd).

use brine_common::{Map, Value};

use crate::args::{opt, req, ArgDefault, Signature};
use crate::cmd::{self, RunArgs, RunResult};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// A Python argument that may be a string or a list of strings (`item`,
/// `show`, `create`): the words it adds to the command line, or None when
/// it is neither (Salt then adds nothing).
pub fn words(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Str(s) => Some(vec![s.clone()]),
        Value::List(items) => Some(items.iter().map(Value::py_str).collect()),
        _ => None,
    }
}

/// A list argument (`extra_args`, `resource_options`); Salt ignores anything
/// that is not a list.
fn list_arg(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::List(items) => Some(items.iter().map(Value::py_str).collect()),
        _ => None,
    }
}

/// A string argument; Salt ignores non-strings (`isinstance(x, str)`).
fn str_arg(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// Arguments of `pcs.item_show`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemShow {
    pub item: Option<Vec<String>>,
    pub item_id: Option<String>,
    pub item_type: Option<String>,
    pub show: Option<Vec<String>>,
    pub extra_args: Option<Vec<String>>,
    pub cibfile: Option<String>,
}

/// Arguments of `pcs.item_create`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemCreate {
    pub item: Option<Vec<String>>,
    pub item_id: String,
    pub item_type: Option<String>,
    pub create: Option<Vec<String>>,
    pub extra_args: Option<Vec<String>>,
    pub cibfile: Option<String>,
}

/// Whether `item` is exactly the string `name` (Salt's `item in [name]`).
fn is_item(item: &Option<Vec<String>>, name: &str) -> bool {
    matches!(item.as_deref(), Some([one]) if one == name)
}

/// The start of every command: `pcs [-f CIBFILE] ITEM...`.
fn head(cibfile: &Option<String>, item: &Option<Vec<String>>) -> Vec<String> {
    let mut argv = vec!["pcs".to_string()];
    if let Some(f) = cibfile {
        argv.extend(["-f".to_string(), f.clone()]);
    }
    argv.extend(item.iter().flatten().cloned());
    argv
}

/// Salt's `item_show` command line; `new_commands` for pcs > 0.10.
pub fn show_argv(q: &ItemShow, new_commands: bool) -> Vec<String> {
    let constraint = is_item(&q.item, "constraint");
    let mut argv = head(&q.cibfile, &q.item);
    if constraint {
        argv.extend(q.item_type.clone());
    }
    let keeps_show = is_item(&q.item, "config") || constraint || is_item(&q.item, "property");
    let show = q.show.iter().flatten().map(|w| match w.as_str() {
        "show" if new_commands && !keeps_show => "config".to_string(),
        _ => w.clone(),
    });
    argv.extend(show);
    argv.extend(q.item_id.clone());
    argv.extend(q.extra_args.iter().flatten().cloned());
    if constraint && !q.extra_args.as_ref().is_some_and(|a| a.iter().any(|w| w == "--full")) {
        argv.push("--full".into());
    }
    argv
}

/// Salt's `item_create` command line (a constraint's id goes last as `id=`).
pub fn create_argv(q: &ItemCreate) -> Vec<String> {
    let constraint = is_item(&q.item, "constraint");
    let mut argv = head(&q.cibfile, &q.item);
    if constraint {
        argv.extend(q.item_type.clone());
    }
    argv.extend(q.create.iter().flatten().cloned());
    if !constraint {
        argv.push(q.item_id.clone());
        argv.extend(q.item_type.clone());
    }
    if let Some(extra) = &q.extra_args {
        argv.extend(extra.iter().cloned());
        if constraint {
            argv.push(format!("id={}", q.item_id));
        }
    }
    argv
}

/// Salt's `__use_new_commands`: the installed pcs is newer than 0.10.
pub fn use_new_commands(ctx: &Ctx) -> Result<bool, ModuleError> {
    let installed = crate::call("pkg.version", &[Value::str("pcs")], &Map::default(), ctx)?;
    let cmp = crate::call("pkg.version_cmp", &[installed, Value::str("0.10")], &Map::default(), ctx)?;
    Ok(cmp == Value::Int(1))
}

fn run(ctx: &Ctx, argv: Vec<String>) -> Result<RunResult, ModuleError> {
    cmd::run_all(&RunArgs::argv(argv, ctx), ctx)
}

/// Runs `pcs.item_show`.
pub fn item_show(ctx: &Ctx, q: &ItemShow) -> Result<RunResult, ModuleError> {
    let new_commands = use_new_commands(ctx)?;
    run(ctx, show_argv(q, new_commands))
}

/// Runs `pcs.item_create`.
pub fn item_create(ctx: &Ctx, q: &ItemCreate) -> Result<RunResult, ModuleError> {
    run(ctx, create_argv(q))
}

/// `pcs cluster cib FILE [scope=S] ...` or `pcs cluster cib-push ...`.
fn cib_argv(verb: &str, cibfile: &str, scope: Option<String>, extra_args: Option<Vec<String>>) -> Vec<String> {
    let mut argv = vec!["pcs".to_string(), "cluster".into(), verb.into(), cibfile.into()];
    argv.extend(scope.map(|s| format!("scope={s}")));
    argv.extend(extra_args.into_iter().flatten());
    argv
}

/// Runs `pcs.cib_create` (`verb` "cib") or `pcs.cib_push` ("cib-push").
pub fn cib(ctx: &Ctx, verb: &str, cibfile: &str, scope: &Value, extra_args: &Value) -> Result<RunResult, ModuleError> {
    run(ctx, cib_argv(verb, cibfile, str_arg(scope), list_arg(extra_args)))
}

const NONE: ArgDefault = ArgDefault::None;

const fn sig(params: &'static [crate::Param]) -> Signature {
    Signature { params, varargs: None, kwargs: false }
}

pub const MODULE: Module = Module {
    name: "pcs",
    functions: &[
        Function {
            name: "item_show",
            sig: sig(&[
                req("item"),
                opt("item_id", NONE),
                opt("item_type", NONE),
                opt("show", ArgDefault::Str("show")),
                opt("extra_args", NONE),
                opt("cibfile", NONE),
            ]),
            run: item_show_fn,
        },
        Function {
            name: "item_create",
            sig: sig(&[
                req("item"),
                req("item_id"),
                req("item_type"),
                opt("create", ArgDefault::Str("create")),
                opt("extra_args", NONE),
                opt("cibfile", NONE),
            ]),
            run: item_create_fn,
        },
        Function { name: "config_show", sig: sig(&[opt("cibfile", NONE)]), run: config_show_fn },
        Function {
            name: "prop_show",
            sig: sig(&[req("prop"), opt("extra_args", NONE), opt("cibfile", NONE)]),
            run: prop_show_fn,
        },
        Function {
            name: "prop_set",
            sig: sig(&[req("prop"), req("value"), opt("extra_args", NONE), opt("cibfile", NONE)]),
            run: prop_set_fn,
        },
        Function {
            name: "resource_show",
            sig: sig(&[req("resource_id"), opt("extra_args", NONE), opt("cibfile", NONE)]),
            run: resource_show_fn,
        },
        Function {
            name: "resource_create",
            sig: sig(&[req("resource_id"), req("resource_type"), opt("resource_options", NONE), opt("cibfile", NONE)]),
            run: resource_create_fn,
        },
        Function {
            name: "stonith_show",
            sig: sig(&[req("stonith_id"), opt("extra_args", NONE), opt("cibfile", NONE)]),
            run: stonith_show_fn,
        },
        Function {
            name: "stonith_create",
            sig: sig(&[
                req("stonith_id"),
                req("stonith_device_type"),
                opt("stonith_device_options", NONE),
                opt("cibfile", NONE),
            ]),
            run: stonith_create_fn,
        },
        Function {
            name: "cib_create",
            sig: sig(&[req("cibfile"), opt("scope", ArgDefault::Str("configuration")), opt("extra_args", NONE)]),
            run: cib_create_fn,
        },
        Function {
            name: "cib_push",
            sig: sig(&[req("cibfile"), opt("scope", ArgDefault::Str("configuration")), opt("extra_args", NONE)]),
            run: cib_push_fn,
        },
    ],
};

/// Salt's module is only there when a `pcs` binary is.
fn available(function: &str) -> Result<(), ModuleError> {
    match cmd::which("pcs") {
        Some(_) => Ok(()),
        None => Err(ModuleError::NotAvailable(format!("pcs.{function}"))),
    }
}

fn shown(ctx: &Ctx, item: &str, item_id: Option<String>, b: &Bound) -> Result<Value, ModuleError> {
    let q = ItemShow {
        item: Some(vec![item.to_string()]),
        item_id,
        show: Some(vec!["show".into()]),
        extra_args: list_arg(b.get("extra_args")),
        cibfile: str_arg(b.get("cibfile")),
        ..ItemShow::default()
    };
    Ok(item_show(ctx, &q)?.to_value())
}

fn created(
    ctx: &Ctx,
    item: &str,
    item_id: String,
    item_type: Option<String>,
    extra: &Value,
    b: &Bound,
) -> Result<Value, ModuleError> {
    let q = ItemCreate {
        item: Some(vec![item.to_string()]),
        item_id,
        item_type,
        create: Some(vec!["create".into()]),
        extra_args: list_arg(extra),
        cibfile: str_arg(b.get("cibfile")),
    };
    Ok(item_create(ctx, &q)?.to_value())
}

fn item_show_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("item_show")?;
    let q = ItemShow {
        item: words(b.get("item")),
        item_id: str_arg(b.get("item_id")),
        item_type: str_arg(b.get("item_type")),
        show: words(b.get("show")),
        extra_args: list_arg(b.get("extra_args")),
        cibfile: str_arg(b.get("cibfile")),
    };
    Ok(item_show(ctx, &q)?.to_value())
}

fn item_create_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("item_create")?;
    let q = ItemCreate {
        item: words(b.get("item")),
        item_id: b.get("item_id").py_str(),
        item_type: str_arg(b.get("item_type")),
        create: words(b.get("create")),
        extra_args: list_arg(b.get("extra_args")),
        cibfile: str_arg(b.get("cibfile")),
    };
    Ok(item_create(ctx, &q)?.to_value())
}

fn config_show_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("config_show")?;
    shown(ctx, "config", None, b)
}

fn prop_show_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("prop_show")?;
    shown(ctx, "property", str_arg(b.get("prop")), b)
}

fn prop_set_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("prop_set")?;
    let q = ItemCreate {
        item: Some(vec!["property".into()]),
        item_id: format!("{}={}", b.get("prop").py_str(), b.get("value").py_str()),
        item_type: None,
        create: Some(vec!["set".into()]),
        extra_args: list_arg(b.get("extra_args")),
        cibfile: str_arg(b.get("cibfile")),
    };
    Ok(item_create(ctx, &q)?.to_value())
}

fn resource_show_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("resource_show")?;
    shown(ctx, "resource", str_arg(b.get("resource_id")), b)
}

fn resource_create_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("resource_create")?;
    let kind = str_arg(b.get("resource_type"));
    created(ctx, "resource", b.get("resource_id").py_str(), kind, b.get("resource_options"), b)
}

fn stonith_show_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("stonith_show")?;
    shown(ctx, "stonith", str_arg(b.get("stonith_id")), b)
}

fn stonith_create_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("stonith_create")?;
    let kind = str_arg(b.get("stonith_device_type"));
    created(ctx, "stonith", b.get("stonith_id").py_str(), kind, b.get("stonith_device_options"), b)
}

fn cib_create_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("cib_create")?;
    Ok(cib(ctx, "cib", &b.get("cibfile").py_str(), b.get("scope"), b.get("extra_args"))?.to_value())
}

fn cib_push_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("cib_push")?;
    Ok(cib(ctx, "cib-push", &b.get("cibfile").py_str(), b.get("scope"), b.get("extra_args"))?.to_value())
}

#[cfg(test)]
mod tests;
