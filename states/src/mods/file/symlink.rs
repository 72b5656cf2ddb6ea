//! `file.symlink`: ensure `name` is a symlink to `target` owned by the given
//! user/group, backing up or forcing away what is in the way, with Salt's
//! preflight errors, predictions and comments.
//!
//! Changes only the link (and its parent directories with `makedirs`, or
//! the entry it replaces).

use std::path::Path;

use brine_common::Value;
use brine_modules::file::ops;
use brine_modules::file::perms::{chown, group_to_gid, user_to_uid};
use brine_modules::file::stat::normalize_mode;
use brine_modules::{file::stats, sys};

use super::{path, target_path, user_arg};
use crate::mods::parse::{flag, opt_str, opt_value};
use crate::mods::{StateCall, StateError, StateRet};

/// Typed arguments of `file.symlink`.
struct Symlink {
    name: String,
    target: String,
    force: bool,
    backupname: Option<String>,
    makedirs: bool,
    user: String,
    group: String,
    mode: Option<String>,
    atomic: bool,
    follow_symlinks: bool,
}

fn link_owner(p: &Path) -> Option<(String, String)> {
    stats(p, None, false).ok().map(|s| (s.user, s.group))
}

fn parse(call: &StateCall) -> Symlink {
    let a = call.args;
    let name = target_path(call);
    let mut user = user_arg(a);
    let mut group = a.get("group").cloned().unwrap_or(Value::Null);
    if flag(a, "inherit_user_and_group", false) && (user.is_null() || group.is_null()) && ops::is_link(Path::new(&name))
    {
        if let Some((u, g)) = link_owner(Path::new(&name)) {
            if user.is_null() {
                user = Value::Str(u);
            }
            if group.is_null() {
                group = Value::Str(g);
            }
        }
    }
    let user = if user.is_null() {
        call.host.opts().get("user").map(Value::py_str).unwrap_or_else(sys::current_user)
    } else {
        user.py_str()
    };
    let group = if group.is_null() {
        let gid = sys::user_by_name(&user).map(|u| u.gid).unwrap_or(0);
        sys::gid_to_group(gid)
    } else {
        group.py_str()
    };
    Symlink {
        name,
        target: opt_str(a, "target").unwrap_or_default(),
        force: flag(a, "force", false),
        backupname: opt_str(a, "backupname"),
        makedirs: flag(a, "makedirs", false),
        user,
        group,
        mode: opt_value(a, "mode").as_ref().and_then(normalize_mode),
        atomic: flag(a, "atomic", false),
        follow_symlinks: flag(a, "follow_symlinks", true),
    }
}

fn preflight(s: &Symlink) -> Option<String> {
    let mut errors = Vec::new();
    if user_to_uid(&Value::str(&s.user)).is_none() {
        errors.push(format!("User {} does not exist", s.user));
    }
    if group_to_gid(&Value::str(&s.group)).is_none() {
        errors.push(format!("Group {} does not exist", s.group));
    }
    if !path(&s.name).is_absolute() {
        errors.push(format!("Specified file {} is not an absolute path", s.name));
    }
    if errors.is_empty() {
        return None;
    }
    let mut msg = errors.join(". ");
    if errors.len() > 1 {
        msg.push('.');
    }
    Some(msg)
}

fn exists(p: &Path, follow: bool) -> bool {
    if follow {
        p.exists()
    } else {
        p.exists() || ops::is_link(p)
    }
}

fn owned_right(s: &Symlink) -> bool {
    link_owner(&path(&s.name)).is_some_and(|(u, g)| u == s.user && g == s.group)
}

/// Salt's `_symlink_check`: the test-mode prediction.
fn plan(s: &Symlink) -> StateRet {
    let p = path(&s.name);
    let mut ret = StateRet::new(s.name.clone()).with_result(None);
    if !exists(&p, s.follow_symlinks) && !ops::is_link(&p) {
        ret.changes.insert("new".into(), Value::str(&s.name));
        return ret.with_comment(format!("Symlink {} to {} is set for creation", s.name, s.target));
    }
    if ops::is_link(&p) {
        if ops::readlink(&p).ok().as_deref() != Some(s.target.as_str()) {
            ret.changes.insert("change".into(), Value::str(&s.name));
            return ret.with_comment(format!("Link {} target is set to be changed to {}", s.name, s.target));
        }
        let mut msg = format!("The symlink {} is present", s.name);
        if owned_right(s) {
            return ret.with_result(Some(true)).with_comment(msg);
        }
        let (cu, cg) = link_owner(&p).unwrap_or_default();
        ret.changes.insert("ownership".into(), Value::Str(format!("{cu}:{cg}")));
        msg.push_str(&format!(
            ", but the ownership of the symlink would be changed from {cu}:{cg} to {}:{}",
            s.user, s.group
        ));
        return ret.with_comment(msg);
    }
    if s.force {
        return ret.with_comment(format!(
            "The file or directory {} is set for removal to make way for a new symlink targeting {}",
            s.name, s.target
        ));
    }
    ret.with_result(Some(false)).with_comment(format!(
        "File or directory exists where the symlink {} should be. Did you mean to use force?",
        s.name
    ))
}

pub fn symlink(call: &StateCall) -> Result<StateRet, StateError> {
    let s = parse(call);
    let ret = StateRet::new(s.name.clone());
    if s.name.is_empty() {
        return Ok(ret.error("Must provide name to file.symlink"));
    }
    if let Some(msg) = preflight(&s) {
        return Ok(ret.error(msg));
    }
    let mut predicted = plan(&s);
    let p = path(&s.name);
    let dirname = p.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    if !Path::new(&dirname).is_dir() {
        if s.makedirs && call.test {
            predicted.comment.push_str(&format!("\n{dirname} will be created"));
        } else if s.makedirs {
            let user = Value::str(&s.user);
            let group = Value::str(&s.group);
            ops::makedirs(&p, &user, &group, s.mode.as_deref())?;
        } else if call.test {
            predicted.comment.push_str(&format!("\nDirectory {dirname} for symlink is not present"));
        } else {
            return Ok(ret.error(format!("Directory {dirname} for symlink is not present")));
        }
    }
    if call.test {
        return Ok(predicted);
    }
    apply(&s, ret)
}

fn set_ownership(s: &Symlink) -> bool {
    let _ = chown(&path(&s.name), &Value::str(&s.user), &Value::str(&s.group), false);
    owned_right(s)
}

fn apply(s: &Symlink, mut ret: StateRet) -> Result<StateRet, StateError> {
    let p = path(&s.name);
    if ops::is_link(&p) {
        let current = ops::readlink(&p).unwrap_or_default();
        if ops::normpath(Path::new(&current)) != ops::normpath(Path::new(&s.target)) {
            ops::remove(&p)?;
        } else {
            return Ok(existing_link_ownership(s, ret));
        }
    } else if exists(&p, s.follow_symlinks) {
        if let Some(done) = move_out_of_the_way(s, &mut ret)? {
            return Ok(done);
        }
    }
    if let Err(e) = ops::symlink(&s.target, &p, s.force || s.atomic) {
        return Ok(ret.error(format!("Unable to create new symlink {} -> {}: {e}", s.name, s.target)));
    }
    ret.comment = format!("Created new symlink {} -> {}", s.name, s.target);
    ret.changes.insert("new".into(), Value::str(&s.name));
    if !owned_right(s) && !set_ownership(s) {
        ret.result = Some(false);
        ret.comment.push_str(&format!(", but was unable to set ownership to {}:{}", s.user, s.group));
    }
    Ok(ret)
}

fn existing_link_ownership(s: &Symlink, mut ret: StateRet) -> StateRet {
    if owned_right(s) {
        return ret.with_comment(format!("Symlink {} is present and owned by {}:{}", s.name, s.user, s.group));
    }
    if set_ownership(s) {
        ret.changes.insert("ownership".into(), Value::Str(format!("{}:{}", s.user, s.group)));
        return ret.with_comment(format!("Set ownership of symlink {} to {}:{}", s.name, s.user, s.group));
    }
    let comment = format!("Failed to set ownership of symlink {} to {}:{}", s.name, s.user, s.group);
    ret.error(comment)
}

/// An existing entry at `name`: moved to `backupname`, or an error unless
/// `force`/`atomic`. `Some` is a finished (failed) return.
fn move_out_of_the_way(s: &Symlink, ret: &mut StateRet) -> Result<Option<StateRet>, StateError> {
    let p = path(&s.name);
    let Some(backup) = &s.backupname else {
        if s.force || s.atomic {
            return Ok(None);
        }
        let kind = if p.is_file() {
            "File"
        } else if p.is_dir() {
            "Directory"
        } else {
            "File system entry"
        };
        return Ok(Some(ret.clone().error(format!("{kind} exists where the symlink {} should be", s.name))));
    };
    let bp = if Path::new(backup).is_absolute() {
        path(backup)
    } else if !backup.contains('/') {
        ops::normpath(&p).parent().map(|d| d.join(backup)).unwrap_or_else(|| path(backup))
    } else {
        return Ok(Some(ret.clone().error(format!("Backupname must be an absolute path or a file name: {backup}"))));
    };
    if bp.exists() || ops::is_link(&bp) {
        if !s.force {
            return Ok(Some(ret.clone().error(format!(
                "Symlink & backup dest exists and Force not set. {} -> {} - backup: {}",
                s.name,
                s.target,
                bp.display()
            ))));
        }
        ops::remove(&bp)?;
    }
    if let Err(e) = std::fs::rename(&p, &bp) {
        ret.changes.clear();
        return Ok(Some(ret.clone().error(format!("Unable to rename {} to backup {} -> : {e}", s.name, bp.display()))));
    }
    Ok(None)
}
