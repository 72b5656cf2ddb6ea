//! `file.absent`, `file.exists`, `file.missing` and `file.touch`, with
//! Salt's comments and test-mode predictions.
//!
//! Changes only the one path named.

use std::path::Path;

use brine_common::Value;
use brine_modules::file::ops;

use super::{path, target_path};
use crate::mods::parse::{flag, opt_value};
use crate::mods::{StateCall, StateError, StateRet};

pub fn absent(call: &StateCall) -> Result<StateRet, StateError> {
    let name = target_path(call);
    let ret = StateRet::new(name.clone());
    if name.is_empty() {
        return Ok(ret.error("Must provide name to file.absent"));
    }
    let p = path(&name);
    if !p.is_absolute() {
        return Ok(ret.error(format!("Specified file {name} is not an absolute path")));
    }
    if name == "/" {
        return Ok(ret.error("Refusing to make \"/\" absent"));
    }
    let kind = if p.is_file() || ops::is_link(&p) {
        "File"
    } else if p.is_dir() {
        "Directory"
    } else {
        return Ok(ret.with_comment(format!("File {name} is not present")));
    };
    remove_planned(ret, &p, &name, kind, call.test)
}

fn remove_planned(mut ret: StateRet, p: &Path, name: &str, kind: &str, test: bool) -> Result<StateRet, StateError> {
    if test {
        ret.changes.insert("removed".into(), Value::str(name));
        return Ok(ret.with_result(None).with_comment(format!("{kind} {name} is set for removal")));
    }
    match ops::remove(p) {
        Ok(_) => {
            ret.changes.insert("removed".into(), Value::str(name));
            Ok(ret.with_comment(format!("Removed {} {name}", kind.to_lowercase())))
        }
        Err(_) if kind == "Directory" => Ok(ret.error(format!("Failed to remove directory {name}"))),
        Err(e) => Ok(ret.error(e.to_string())),
    }
}

pub fn exists(call: &StateCall) -> Result<StateRet, StateError> {
    let name = target_path(call);
    let ret = StateRet::new(name.clone());
    if name.is_empty() {
        return Ok(ret.error("Must provide name to file.exists"));
    }
    if !path(&name).exists() {
        return Ok(ret.error(format!("Specified path {name} does not exist")));
    }
    Ok(ret.with_comment(format!("Path {name} exists")))
}

pub fn missing(call: &StateCall) -> Result<StateRet, StateError> {
    let name = target_path(call);
    let ret = StateRet::new(name.clone());
    if name.is_empty() {
        return Ok(ret.error("Must provide name to file.missing"));
    }
    if path(&name).exists() {
        return Ok(ret.error(format!("Specified path {name} exists")));
    }
    Ok(ret.with_comment(format!("Path {name} is missing")))
}

/// A time argument of `file.touch` (Salt converts digit strings to int).
fn time_arg(v: Option<Value>) -> Result<Option<f64>, StateError> {
    match v {
        None => Ok(None),
        Some(Value::Int(i)) => Ok(Some(i as f64)),
        Some(Value::Float(f)) => Ok(Some(f)),
        Some(Value::Str(s)) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => Ok(s.parse().ok()),
        Some(_) => Err(StateError::Invocation("atime and mtime must be integers".into())),
    }
}

/// Salt's `_check_touch` (test mode).
fn check_touch(name: &str, atime: &Option<Value>, mtime: &Option<Value>) -> StateRet {
    let mut ret = StateRet::new(name).with_result(None);
    ret.changes.insert("new".into(), Value::str(name));
    let p = path(name);
    if !p.exists() {
        return ret.with_comment(format!("File {name} is set to be created"));
    }
    let stats = brine_modules::file::stats(&p, None, false).ok();
    let differs = |want: &Option<Value>, have: Option<f64>| match (want, have) {
        (Some(w), Some(h)) => w.py_str() != brine_common::value::py_float(h),
        _ => false,
    };
    if differs(atime, stats.as_ref().map(|s| s.atime)) || differs(mtime, stats.as_ref().map(|s| s.mtime)) {
        ret.changes.clear();
        ret.changes.insert("touched".into(), Value::str(name));
        return ret.with_comment(format!("Times set to be updated on file {name}"));
    }
    // Salt leaves the "new" change in place here.
    ret.with_result(Some(true)).with_comment(format!("File {name} exists and has the correct times"))
}

pub fn touch(call: &StateCall) -> Result<StateRet, StateError> {
    let name = target_path(call);
    let ret = StateRet::new(name.clone());
    if name.is_empty() {
        return Ok(ret.error("Must provide name to file.touch"));
    }
    let p = path(&name);
    if !p.is_absolute() {
        return Ok(ret.error(format!("Specified file {name} is not an absolute path")));
    }
    let (atime_v, mtime_v) = (opt_value(call.args, "atime"), opt_value(call.args, "mtime"));
    if call.test {
        return Ok(check_touch(&name, &atime_v, &mtime_v));
    }
    if flag(call.args, "makedirs", false) {
        ops::makedirs(&p, &Value::Null, &Value::Null, None)?;
    }
    if !p.parent().is_some_and(Path::is_dir) {
        return Ok(ret.error(format!("Directory not present to touch file {name}")));
    }
    let extant = p.exists();
    let ok = ops::touch(&p, time_arg(atime_v)?, time_arg(mtime_v)?)?;
    let mut ret = ret.with_result(Some(ok));
    if ok && !extant {
        ret.changes.insert("new".into(), Value::str(&name));
        return Ok(ret.with_comment(format!("Created empty file {name}")));
    }
    if ok {
        let kind = if p.is_dir() { "directory" } else { "file" };
        ret.changes.insert("touched".into(), Value::str(&name));
        return Ok(ret.with_comment(format!("Updated times on {kind} {name}")));
    }
    Ok(ret)
}
