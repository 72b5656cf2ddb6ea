//! Ownership and permission checks and changes, ported from Salt's
//! `file.check_perms`, `file.chown`, `file.set_mode`, `user_to_uid` and
//! `group_to_gid`, with Salt's messages ("Failed to change mode to 0644").
//!
//! In test mode it only compares; it never changes anything then.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use brine_common::{Map, Value};

use std::os::unix::fs::MetadataExt;

use super::stat::{mode_string, normalize_mode_str, parse_mode};
use crate::{sys, ModuleError};

/// Salt's `user_to_uid`: an int passes through, a name is looked up, Null is
/// the current user; None when unknown (Salt's `''`).
pub fn user_to_uid(user: &Value) -> Option<u32> {
    match user {
        Value::Null => Some(sys::euid()),
        Value::Int(i) => u32::try_from(*i).ok(),
        other => sys::user_by_name(&other.py_str()).map(|u| u.uid),
    }
}

/// Salt's `group_to_gid`: an int passes through, a name is looked up; None
/// when unknown or Null.
pub fn group_to_gid(group: &Value) -> Option<u32> {
    match group {
        Value::Null => None,
        Value::Int(i) => u32::try_from(*i).ok(),
        other => sys::gid_by_name(&other.py_str()),
    }
}

/// Whether `want` (a name or an id) names the owner in `stats`.
pub fn owner_matches(want: &Value, name: &str, id: u32) -> bool {
    match want {
        Value::Int(i) => *i == id as i64,
        other => other.py_str() == name,
    }
}

/// Why a chown failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ChownError {
    /// Salt's text for unknown users/groups ("User does not exist\n").
    Unknown(String),
    /// The OS refused.
    Os(String),
}

/// Salt's `file.chown`.
pub fn chown(path: &Path, user: &Value, group: &Value, follow_symlinks: bool) -> Result<(), ChownError> {
    let mut err = String::new();
    let uid = user_to_uid(user);
    if uid.is_none() && user.truthy() {
        err.push_str("User does not exist\n");
    }
    let gid = group_to_gid(group);
    if gid.is_none() && group.truthy() {
        err.push_str("Group does not exist\n");
    }
    if !err.is_empty() {
        return Err(ChownError::Unknown(err));
    }
    let res = if follow_symlinks {
        std::os::unix::fs::chown(path, uid, gid)
    } else {
        std::os::unix::fs::lchown(path, uid, gid)
    };
    res.map_err(|e| ChownError::Os(e.to_string()))
}

/// Salt's `file.set_mode`: `Err("Invalid Mode x")` for a bad mode.
pub fn set_mode(path: &Path, mode: &str) -> Result<(), String> {
    let digits = mode.trim_start_matches(['0', 'O', 'o']);
    let bits = parse_mode(digits).ok_or_else(|| format!("Invalid Mode {digits}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(bits)).map_err(|_| format!("Invalid Mode {digits}"))
}

/// The ownership and mode a state asks for.
#[derive(Debug, Clone, Default)]
pub struct PermsWanted {
    pub user: Value,
    pub group: Value,
    pub mode: Option<String>,
    pub follow_symlinks: bool,
}

/// What `check_perms` found or did: `changes` (user, group, mode), failure
/// messages, and the mode before (Salt's `perms['lmode']`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermsReport {
    pub changes: Map,
    pub errors: Vec<String>,
    pub failed: bool,
    pub lmode: String,
}

/// What permissions are compared with: `file.stats`' owner and mode, and
/// whether the path itself is a symlink.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
    pub user: String,
    pub group: String,
    pub mode: String,
    pub is_link: bool,
}

/// The [`Owner`] of `path` as `file.stats` would report it, from one
/// `lstat` (and a `stat` for a symlink that is followed): a no-op run
/// checks this for every managed file.
pub fn owner_of(path: &Path, follow_symlinks: bool) -> Result<Owner, ModuleError> {
    let not_found = || ModuleError::Execution(format!("Path not found: {}", path.display()));
    let lmeta = std::fs::symlink_metadata(path).map_err(|_| not_found())?;
    let is_link = lmeta.file_type().is_symlink();
    // A dangling link is reported as the link itself, as `file.stats` does.
    let meta = if follow_symlinks && is_link { std::fs::metadata(path).unwrap_or(lmeta) } else { lmeta };
    Ok(Owner::from_meta(&meta, is_link))
}

impl Owner {
    /// The owner and mode in `meta`; `is_link` tells whether the path itself
    /// is a symlink (then `meta` is the link's or its target's, as followed).
    pub fn from_meta(meta: &std::fs::Metadata, is_link: bool) -> Owner {
        Owner {
            uid: meta.uid(),
            gid: meta.gid(),
            user: sys::uid_to_user(meta.uid()),
            group: sys::gid_to_group(meta.gid()),
            mode: mode_string(meta.mode()),
            is_link,
        }
    }
}

/// Salt's `file.check_perms(name, ret, user, group, mode, follow_symlinks)`
/// without attrs/SELinux: compares, and when not `test` changes ownership
/// and mode, then reports what differs afterwards.
pub fn check_perms(path: &Path, want: &PermsWanted, test: bool) -> Result<PermsReport, ModuleError> {
    check_perms_from(path, want, test, owner_of(path, want.follow_symlinks)?)
}

/// [`check_perms`] from an [`Owner`] the caller has just read (a no-op run
/// of many files then stats each file once).
pub fn check_perms_from(path: &Path, want: &PermsWanted, test: bool, cur: Owner) -> Result<PermsReport, ModuleError> {
    let mut report = PermsReport { lmode: cur.mode.clone(), ..PermsReport::default() };
    let mode = want.mode.as_deref().map(normalize_mode_str);
    let cuser = want.user.truthy() && !owner_matches(&want.user, &cur.user, cur.uid);
    let cgroup = want.group.truthy() && !owner_matches(&want.group, &cur.group, cur.gid);
    let chowned = (cuser || cgroup) && !test;
    if chowned {
        apply_owner(path, want, &cur, &mut report);
    }
    let skip_mode = cur.is_link && !want.follow_symlinks;
    let mut cmode = false;
    if let Some(m) = &mode {
        if !test && !skip_mode && *m != cur.mode {
            cmode = true;
            let _ = set_mode(path, m);
        }
    }
    let post = if chowned || cmode { owner_of(path, want.follow_symlinks)? } else { cur };
    report_owner(&mut report, "user", &want.user, &post.user, post.uid, cuser, test);
    report_owner(&mut report, "group", &want.group, &post.group, post.gid, cgroup, test);
    if let Some(m) = mode.filter(|_| !skip_mode) {
        report_mode(&mut report, &m, &post.mode, cmode, test);
    }
    Ok(report)
}

fn apply_owner(path: &Path, want: &PermsWanted, cur: &Owner, report: &mut PermsReport) {
    let user = if want.user.is_null() { Value::str(&cur.user) } else { want.user.clone() };
    let group = if want.group.is_null() { Value::str(&cur.group) } else { want.group.clone() };
    match chown(path, &user, &group, !cur.is_link || want.follow_symlinks) {
        Err(ChownError::Unknown(e)) => {
            report.failed = true;
            report.errors.push(e);
        }
        Err(ChownError::Os(_)) => report.failed = true,
        Ok(()) if !cur.is_link => {
            let _ = set_mode(path, &cur.mode);
        }
        Ok(()) => {}
    }
}

fn report_owner(report: &mut PermsReport, key: &str, want: &Value, name: &str, id: u32, changed: bool, test: bool) {
    if !want.truthy() {
        return;
    }
    if !owner_matches(want, name, id) {
        if test {
            report.changes.insert(key.into(), want.clone());
        } else {
            report.failed = true;
            report.errors.push(format!("Failed to change {key} to {}", want.py_str()));
        }
    } else if changed {
        report.changes.insert(key.into(), want.clone());
    }
}

fn report_mode(report: &mut PermsReport, mode: &str, post_mode: &str, changed: bool, test: bool) {
    if mode != post_mode {
        if test {
            report.changes.insert("mode".into(), Value::str(mode));
        } else {
            report.failed = true;
            report.errors.push(format!("Failed to change mode to {mode}"));
        }
    } else if changed {
        report.changes.insert("mode".into(), Value::str(mode));
    }
}

#[cfg(test)]
mod tests {
    use super::super::stat::stats;
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("brine-perms-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn changes_mode_and_reports_it() {
        let dir = tmp("mode");
        let f = dir.join("f");
        std::fs::write(&f, "x").unwrap();
        set_mode(&f, "0600").unwrap();
        let want = PermsWanted { mode: Some("0640".into()), ..PermsWanted::default() };
        let r = check_perms(&f, &want, true).unwrap();
        assert_eq!(r.changes.get("mode"), Some(&Value::str("0640")));
        assert_eq!(stats(&f, None, true).unwrap().mode, "0600");
        let r = check_perms(&f, &want, false).unwrap();
        assert_eq!(r.changes.get("mode"), Some(&Value::str("0640")));
        assert_eq!(r.lmode, "0600");
        assert_eq!(stats(&f, None, true).unwrap().mode, "0640");
        let r = check_perms(&f, &want, false).unwrap();
        assert!(r.changes.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_user_fails_with_salt_message() {
        let dir = tmp("user");
        let f = dir.join("f");
        std::fs::write(&f, "x").unwrap();
        let want = PermsWanted { user: Value::str("no-such-user-brine"), ..PermsWanted::default() };
        let r = check_perms(&f, &want, false).unwrap();
        assert!(r.failed);
        assert_eq!(r.errors, vec!["User does not exist\n", "Failed to change user to no-such-user-brine"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
