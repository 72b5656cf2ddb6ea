//! The `pcs` state module. `prop_has_value`, `resource_defaults_to`,
//! `resource_op_defaults_to`, `resource_present`, `stonith_present` and
//! `constraint_present` are Salt's `_item_present`: show the item with
//! `pcs`, and create or set it only when it is missing or has another
//! value, with Salt's comments ("... is already existing\n") and changes
//! (`{item_id: {old: "", new: item_id}}`). `cibname` works on the CIB file
//! `<cachedir>/pcs/<saltenv>/<cibname>.cib` instead of the live CIB, which
//! `cib_present` fetches and `cib_pushed` pushes back (`pcs/cib.rs`).
//!
//! Two deliberate differences, both for Debian 12's pcs 0.11: it prints
//! resource and operation defaults as `name=value` lines, which Salt's
//! `name: value` parser never matches (so Salt re-sets them on every run),
//! and `pcs resource config MISSING` only warns and exits 0 (so Salt takes
//! every resource and stonith device as existing and never creates them).
//! Here both line forms are read, and a resource exists only when its
//! config is printed.
//!
//! It reaches pcs only through `brine_modules::pcs`; in test mode it runs
//! nothing but the show command (and, for `cib_present`, the fetch of the
//! live CIB into a temporary file in the cache).

mod cib;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_modules::cmd::RunResult;
use brine_modules::pcs::{self, ItemCreate, ItemShow};

use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "pcs",
    functions: &[
        StateFunction {
            name: "cib_present",
            required: &["name", "cibname"],
            optional: &["scope", "extra_args"],
            kwargs: false,
            run: cib::cib_present,
        },
        StateFunction {
            name: "cib_pushed",
            required: &["name", "cibname"],
            optional: &["scope", "extra_args"],
            kwargs: false,
            run: cib::cib_pushed,
        },
        StateFunction {
            name: "prop_has_value",
            required: &["name", "prop", "value"],
            optional: &["extra_args", "cibname"],
            kwargs: false,
            run: prop_has_value,
        },
        StateFunction {
            name: "resource_defaults_to",
            required: &["name", "default", "value"],
            optional: &["extra_args", "cibname"],
            kwargs: false,
            run: resource_defaults_to,
        },
        StateFunction {
            name: "resource_op_defaults_to",
            required: &["name", "op_default", "value"],
            optional: &["extra_args", "cibname"],
            kwargs: false,
            run: resource_op_defaults_to,
        },
        StateFunction {
            name: "resource_present",
            required: &["name", "resource_id", "resource_type"],
            optional: &["resource_options", "cibname"],
            kwargs: false,
            run: resource_present,
        },
        StateFunction {
            name: "stonith_present",
            required: &["name", "stonith_id", "stonith_device_type"],
            optional: &["stonith_device_options", "cibname"],
            kwargs: false,
            run: stonith_present,
        },
        StateFunction {
            name: "constraint_present",
            required: &["name", "constraint_id", "constraint_type"],
            optional: &["constraint_options", "cibname"],
            kwargs: false,
            run: constraint_present,
        },
    ],
};

/// The typed arguments of Salt's `_item_present`.
struct Item {
    name: Value,
    item: &'static str,
    item_id: String,
    item_type: Option<String>,
    show: &'static [&'static str],
    create: Option<&'static [&'static str]>,
    extra_args: Vec<String>,
    cibfile: Option<String>,
}

impl Item {
    /// `item` with `item_id` and the state's common arguments.
    fn new(call: &StateCall, item: &'static str, item_id: String, extra_key: &str) -> Item {
        let extra_args = match call.arg(extra_key) {
            Value::List(items) => items.iter().map(Value::py_str).collect(),
            _ => Vec::new(),
        };
        Item {
            name: call.arg("name").clone(),
            item,
            item_id,
            item_type: None,
            show: &["show"],
            create: Some(&["create"]),
            extra_args,
            cibfile: cibfile(call),
        }
    }

    /// The label Salt's comments use: `item item_id (item_type)`.
    fn label(&self) -> String {
        format!("{} {} ({})", self.item, self.item_id, self.item_type.as_deref().unwrap_or("None"))
    }

    /// `key=value` ids (properties, defaults) split as Salt splits them.
    fn key_value(&self) -> Option<(String, String)> {
        let (first, _) = self.item_id.split_once('=')?;
        let value = self.item_id.replace(&format!("{first}="), "");
        Some((first.trim().to_string(), value.trim().to_string()))
    }
}

/// Salt's `_get_cibfile`: `<cachedir>/pcs/<saltenv>/<cibname>.cib`.
fn cibfile(call: &StateCall) -> Option<String> {
    let Value::Str(cibname) = call.arg("cibname") else { return None };
    let path: PathBuf = call.host.cachedir().join("pcs").join(call.saltenv).join(format!("{cibname}.cib"));
    Some(path.to_string_lossy().into_owned())
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn arg_str(call: &StateCall, key: &str) -> String {
    call.arg(key).py_str()
}

fn prop_has_value(call: &StateCall) -> Result<StateRet, StateError> {
    let id = format!("{}={}", arg_str(call, "prop"), arg_str(call, "value"));
    let mut item = Item::new(call, "property", id, "extra_args");
    item.create = Some(&["set"]);
    item_present(call, &item)
}

fn resource_defaults_to(call: &StateCall) -> Result<StateRet, StateError> {
    let id = format!("{}={}", arg_str(call, "default"), arg_str(call, "value"));
    let mut item = Item::new(call, "resource", id, "extra_args");
    item.show = &["defaults"];
    item.create = Some(&["defaults"]);
    item_present(call, &item)
}

fn resource_op_defaults_to(call: &StateCall) -> Result<StateRet, StateError> {
    let id = format!("{}={}", arg_str(call, "op_default"), arg_str(call, "value"));
    let mut item = Item::new(call, "resource", id, "extra_args");
    item.show = &["op", "defaults"];
    item.create = Some(&["op", "defaults"]);
    item_present(call, &item)
}

fn resource_present(call: &StateCall) -> Result<StateRet, StateError> {
    let mut item = Item::new(call, "resource", arg_str(call, "resource_id"), "resource_options");
    item.item_type = Some(arg_str(call, "resource_type"));
    item_present(call, &item)
}

fn stonith_present(call: &StateCall) -> Result<StateRet, StateError> {
    let mut item = Item::new(call, "stonith", arg_str(call, "stonith_id"), "stonith_device_options");
    item.item_type = Some(arg_str(call, "stonith_device_type"));
    item_present(call, &item)
}

fn constraint_present(call: &StateCall) -> Result<StateRet, StateError> {
    let mut item = Item::new(call, "constraint", arg_str(call, "constraint_id"), "constraint_options");
    item.item_type = Some(arg_str(call, "constraint_type"));
    item.create = None;
    item_present(call, &item)
}

/// Salt's `_item_present`: inspect, plan, and apply only outside test mode.
fn item_present(call: &StateCall, item: &Item) -> Result<StateRet, StateError> {
    let ret = StateRet::new(item.name.clone());
    let shown = pcs::item_show(call.ctx, &show_query(item))?;
    if exists(item, &shown) {
        return Ok(ret.with_comment(format!("{} is already existing\n", item.label())));
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("{} is set to be created\n", item.label())));
    }
    create(call, item, ret)
}

/// What Salt shows: the whole list for `key=value` ids and constraints.
fn show_query(item: &Item) -> ItemShow {
    let whole_list = item.item == "constraint" || item.item_id.contains('=');
    ItemShow {
        item: Some(vec![item.item.to_string()]),
        item_id: (!whole_list).then(|| item.item_id.clone()),
        item_type: item.item_type.clone(),
        show: Some(strings(item.show)),
        extra_args: None,
        cibfile: item.cibfile.clone(),
    }
}

/// Whether the shown output already has the item: Salt's three rules, and
/// for resources also some output (pcs 0.11 exits 0 for unknown ones).
fn exists(item: &Item, shown: &RunResult) -> bool {
    if let Some((key, value)) = item.key_value() {
        return shown.stdout.lines().any(|line| has_pair(line, &key, &value));
    }
    if item.item == "constraint" {
        let marker = format!("(id:{})", item.item_id);
        return shown.stdout.lines().any(|line| line.contains(&marker));
    }
    shown.retcode == 0 && !shown.stdout.trim().is_empty()
}

/// A `name: value` line (Salt, pcs < 0.10 and `pcs property`) or a
/// `name=value` line (pcs 0.10+ defaults, value quoted when it has spaces).
fn has_pair(line: &str, key: &str, value: &str) -> bool {
    let parts: Vec<&str> = line.split(':').collect();
    if let [k, v] = parts.as_slice() {
        if k.trim() == key && v.trim() == value {
            return true;
        }
    }
    match line.trim().split_once('=') {
        Some((k, v)) => k == key && unquote(v) == value,
        None => false,
    }
}

/// pcs's quoting of a value (`"a b"`, `'a"b'`).
fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.replace("\\\"", "\"");
        }
    }
    v.to_string()
}

fn create(call: &StateCall, item: &Item, mut ret: StateRet) -> Result<StateRet, StateError> {
    let q = ItemCreate {
        item: Some(vec![item.item.to_string()]),
        item_id: item.item_id.clone(),
        item_type: item.item_type.clone(),
        create: item.create.map(strings),
        extra_args: Some(item.extra_args.clone()),
        cibfile: item.cibfile.clone(),
    };
    let made = pcs::item_create(call.ctx, &q)?;
    if made.retcode != 0 {
        return Ok(ret.error(format!("Failed to create {}\n", item.label())));
    }
    let mut change = Map::default();
    change.insert("old".into(), Value::str(""));
    change.insert("new".into(), Value::str(&item.item_id));
    ret.changes.insert(item.item_id.clone(), Value::Map(change));
    Ok(ret.with_comment(format!("Created {}\n", item.label())))
}
