//! `file.directory`: ensure a directory exists with ownership and mode,
//! optionally recursing into its contents (`recurse`) and removing what no
//! state manages (`clean`), with Salt's predictions
//! ("The following files will be changed: ...") and comments.
//!
//! Changes only the named directory tree (and a file or symlink in its way
//! when `force`/`backupname` say so).

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};
use brine_modules::file::ops;
use brine_modules::file::perms::{check_perms, group_to_gid, owner_matches, user_to_uid, PermsWanted};
use brine_modules::file::stat::normalize_mode;
use brine_modules::file::stats;

use super::{check_user, merge_perms, path, target_path, user_arg};
use crate::mods::parse::{flag, opt_str, opt_value};
use crate::mods::{StateCall, StateError, StateRet};
use crate::runtime::fnmatch;

const RECURSE_TYPES: [&str; 6] = ["user", "group", "mode", "ignore_files", "ignore_dirs", "silent"];

/// Typed arguments of `file.directory`.
struct Directory {
    name: String,
    user: Value,
    group: Value,
    recurse: Value,
    max_depth: Option<usize>,
    dir_mode: Option<String>,
    file_mode: Option<String>,
    makedirs: bool,
    clean: bool,
    require: Value,
    exclude_pat: Option<Value>,
    follow_symlinks: bool,
    force: bool,
    backupname: Option<String>,
    allow_symlink: bool,
    children_only: bool,
}

fn parse(call: &StateCall) -> Directory {
    let a = call.args;
    let mut name = target_path(call);
    if name.len() > 1 && name.ends_with('/') {
        name.pop();
    }
    let dir_mode_raw = opt_value(a, "dir_mode").filter(Value::truthy).or_else(|| opt_value(a, "mode"));
    let file_mode_raw = opt_value(a, "file_mode").filter(Value::truthy).or_else(|| dir_mode_raw.clone());
    Directory {
        name,
        user: user_arg(a),
        group: a.get("group").cloned().unwrap_or(Value::Null),
        recurse: a.get("recurse").cloned().unwrap_or(Value::Null),
        max_depth: a.get("max_depth").and_then(Value::as_i64).map(|d| d.max(0) as usize),
        dir_mode: dir_mode_raw.as_ref().and_then(normalize_mode),
        file_mode: file_mode_raw.as_ref().and_then(normalize_mode),
        makedirs: flag(a, "makedirs", false),
        clean: flag(a, "clean", false),
        require: a.get("require").cloned().unwrap_or(Value::Null),
        exclude_pat: opt_value(a, "exclude_pat"),
        follow_symlinks: flag(a, "follow_symlinks", false),
        force: flag(a, "force", false),
        backupname: opt_str(a, "backupname"),
        allow_symlink: flag(a, "allow_symlink", true),
        children_only: flag(a, "children_only", false),
    }
}

/// Salt's `_get_recurse_set`.
fn recurse_set(recurse: &Value) -> Result<Vec<String>, String> {
    if !recurse.truthy() {
        return Ok(Vec::new());
    }
    let Value::List(items) = recurse else {
        return Err("\"recurse\" must be formed as a list of strings".into());
    };
    let set: Vec<String> = items.iter().map(Value::py_str).collect();
    if set.iter().any(|s| !RECURSE_TYPES.contains(&s.as_str())) {
        let allowed: Vec<String> = RECURSE_TYPES.iter().map(|t| format!("\"{t}\"")).collect();
        return Err(format!("Types for \"recurse\" limited to {}.", allowed.join(", ")));
    }
    if set.iter().any(|s| s == "ignore_files") && set.iter().any(|s| s == "ignore_dirs") {
        return Err(
            "Must not specify \"recurse\" options \"ignore_files\" and \"ignore_dirs\" at the same time.".into()
        );
    }
    Ok(set)
}

/// One level of Salt's `os.walk`: the directory and its subdirs and files,
/// in directory order.
struct WalkEntry {
    root: PathBuf,
    dirs: Vec<String>,
    files: Vec<String>,
}

fn walk(top: &Path, max_depth: Option<usize>) -> Vec<WalkEntry> {
    let mut out = Vec::new();
    walk_into(top, 0, max_depth, &mut out);
    out
}

fn walk_into(dir: &Path, depth: usize, max_depth: Option<usize>, out: &mut Vec<WalkEntry>) {
    if max_depth.is_some_and(|m| depth >= m) {
        return;
    }
    let Ok(read) = std::fs::read_dir(dir) else { return };
    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            dirs.push(name);
        } else {
            files.push(name);
        }
    }
    let subdirs = dirs.clone();
    out.push(WalkEntry { root: dir.to_path_buf(), dirs, files });
    for d in subdirs {
        walk_into(&dir.join(d), depth + 1, max_depth, out);
    }
}

/// Salt's `_check_dir_meta`.
fn dir_meta(name: &Path, user: &Value, group: &Value, mode: &Option<String>, follow: bool) -> Map {
    let mut changes = Map::default();
    let Ok(st) = stats(name, None, follow) else {
        changes.insert("directory".into(), Value::str("new"));
        return changes;
    };
    meta_changes(&mut changes, &st, user, group, mode, follow);
    changes
}

fn meta_changes(
    changes: &mut Map,
    st: &brine_modules::file::Stats,
    user: &Value,
    group: &Value,
    mode: &Option<String>,
    follow: bool,
) {
    if !user.is_null() && !owner_matches(user, &st.user, st.uid) {
        changes.insert("user".into(), user.clone());
    }
    if !group.is_null() && !owner_matches(group, &st.group, st.gid) {
        changes.insert("group".into(), group.clone());
    }
    if let Some(m) = mode {
        if *m != st.mode && (follow || st.kind != "link") {
            changes.insert("mode".into(), Value::str(m));
        }
    }
}

/// Salt's `_check_directory`: (result, comment, changes) of the plan.
fn check_directory(call: &StateCall, d: &Directory) -> (Option<bool>, String, Map) {
    let name = path(&d.name);
    let mut changes = Map::default();
    let walked = if d.recurse.truthy() || d.clean { walk(&name, d.max_depth) } else { Vec::new() };
    if d.recurse.truthy() {
        let set = match recurse_set(&d.recurse) {
            Ok(s) => s,
            Err(e) => return (Some(false), e, changes),
        };
        plan_recurse(d, &set, &walked, &mut changes);
    }
    if !d.children_only {
        let c = dir_meta(&name, &d.user, &d.group, &d.dir_mode, d.follow_symlinks);
        if !c.is_empty() {
            changes.insert(d.name.clone(), Value::Map(c));
        }
    }
    if d.clean {
        let keep = keep_files(call, d, &name);
        for entry in &walked {
            for fname in entry.files.iter().chain(entry.dirs.iter()) {
                let p = entry.root.join(fname);
                if is_cleaned(&p, &name, &keep, &d.exclude_pat) {
                    let mut c = Map::default();
                    c.insert("removed".into(), Value::str("Removed due to clean"));
                    changes.insert(p.to_string_lossy().into_owned(), Value::Map(c));
                }
            }
        }
    }
    if !name.is_dir() {
        let mut c = Map::default();
        c.insert("directory".into(), Value::str("new"));
        changes.insert(d.name.clone(), Value::Map(c));
    }
    if changes.is_empty() {
        return (Some(true), format!("The directory {} is in the correct state", d.name), changes);
    }
    let mut comment = String::from("The following files will be changed:\n");
    for (fname, c) in &changes {
        for (key, val) in c.as_map().into_iter().flatten() {
            comment.push_str(&format!("{fname}: {key} - {}\n", val.py_str()));
        }
    }
    (None, comment, changes)
}

fn plan_recurse(d: &Directory, set: &[String], walked: &[WalkEntry], changes: &mut Map) {
    let has = |k: &str| set.iter().any(|s| s == k);
    let user = if has("user") { d.user.clone() } else { Value::Null };
    let group = if has("group") { d.group.clone() } else { Value::Null };
    let (dir_mode, file_mode) = if has("mode") { (d.dir_mode.clone(), d.file_mode.clone()) } else { (None, None) };
    for entry in walked {
        if !has("ignore_files") {
            for f in &entry.files {
                let p = entry.root.join(f);
                let Ok(st) = stats(&p, None, d.follow_symlinks) else { continue };
                let mut c = Map::default();
                meta_changes(&mut c, &st, &user, &group, &file_mode, d.follow_symlinks);
                if !c.is_empty() {
                    changes.insert(p.to_string_lossy().into_owned(), Value::Map(c));
                }
            }
        }
        if !has("ignore_dirs") {
            for sub in &entry.dirs {
                let p = entry.root.join(sub);
                let c = dir_meta(&p, &user, &group, &dir_mode, d.follow_symlinks);
                if !c.is_empty() {
                    changes.insert(p.to_string_lossy().into_owned(), Value::Map(c));
                }
            }
        }
    }
}

/// Salt's `_gen_keep_files` + `_find_keep_files`: paths managed by the
/// `file` states this one requires, and their parents.
fn keep_files(call: &StateCall, d: &Directory, root: &Path) -> Vec<PathBuf> {
    let mut keep: Vec<PathBuf> = vec![root.to_path_buf()];
    let Value::List(reqs) = &d.require else { return keep };
    for req in reqs {
        let Some(target) = req.get("file").map(Value::py_str) else { continue };
        for low in call.lowstate {
            let name = low.get("name").map(Value::py_str).unwrap_or_default();
            let id = low.get("__id__").map(Value::py_str).unwrap_or_default();
            if name != target && id != target {
                continue;
            }
            let p = PathBuf::from(&name);
            if p.is_dir() && p.starts_with(root) {
                keep.extend(walk(&p, None).iter().flat_map(|e| {
                    let r = e.root.clone();
                    e.dirs.iter().chain(e.files.iter()).map(move |n| r.join(n)).chain(std::iter::once(e.root.clone()))
                }));
            } else {
                keep.push(p);
            }
        }
    }
    let mut with_parents = keep.clone();
    for k in keep.iter().filter(|k| k.is_absolute()) {
        with_parents.extend(k.ancestors().map(Path::to_path_buf));
    }
    with_parents
}

/// Salt's `check_include_exclude` for `exclude_pat` (glob, or `E@` regex).
fn excluded(rel: &str, pat: &Option<Value>) -> bool {
    let matches = |p: &str| match p.strip_prefix("E@") {
        Some(re) => fancy_regex::Regex::new(re).ok().and_then(|r| r.is_match(rel).ok()).unwrap_or(false),
        None => fnmatch(rel, p),
    };
    match pat {
        None => false,
        Some(Value::List(l)) => l.iter().any(|p| matches(&p.py_str())),
        Some(p) => matches(&p.py_str()),
    }
}

fn is_cleaned(p: &Path, root: &Path, keep: &[PathBuf], exclude: &Option<Value>) -> bool {
    if keep.iter().any(|k| k == p) {
        return false;
    }
    let rel = p.strip_prefix(root).map(|r| r.to_string_lossy().into_owned()).unwrap_or_default();
    !excluded(&rel, exclude)
}

/// Salt's `file.directory` state.
pub fn directory(call: &StateCall) -> Result<StateRet, StateError> {
    let d = parse(call);
    let ret = StateRet::new(d.name.clone());
    if d.name.is_empty() {
        return Ok(ret.error("Must provide name to file.directory"));
    }
    if d.max_depth.is_some() && d.clean {
        return Ok(ret.error("Cannot specify both max_depth and clean"));
    }
    let u_check = check_user(&d.user, &d.group, call.test);
    if !u_check.is_empty() {
        return Ok(ret.error(u_check));
    }
    if !path(&d.name).is_absolute() {
        return Ok(ret.error(format!("Specified file {} is not an absolute path", d.name)));
    }
    let ret = match clear_the_way(call, &d, ret)? {
        Ok(r) => r,
        Err(done) => return Ok(done),
    };
    ensure(call, &d, ret)
}

/// A file or symlink where the directory should be: back it up, force it
/// away, or fail as Salt does. `Err` carries a finished return.
fn clear_the_way(call: &StateCall, d: &Directory, mut ret: StateRet) -> Result<Result<StateRet, StateRet>, StateError> {
    let p = path(&d.name);
    let is_link = ops::is_link(&p);
    if !(p.is_file() || (!d.allow_symlink && is_link) || (d.force && is_link)) {
        return Ok(Ok(ret));
    }
    if let Some(backup) = &d.backupname {
        let bp = path(backup);
        if bp.exists() || ops::is_link(&bp) {
            if !d.force {
                return Ok(Err(ret.error(format!("File exists where the backup target {backup} should go"))));
            }
            if call.test {
                ret.changes.insert(
                    "forced".into(),
                    Value::Str(format!("Existing file at backup path {backup} would be removed")),
                );
            } else {
                ops::remove(&bp)?;
            }
        }
        if call.test {
            ret.changes.insert("backup".into(), Value::Str(format!("{} would be renamed to {backup}", d.name)));
            let mut c = Map::default();
            c.insert("directory".into(), Value::str("new"));
            ret.changes.insert(d.name.clone(), Value::Map(c));
            let comment = format!("{} would be backed up and replaced with a new directory", d.name);
            return Ok(Err(ret.with_result(None).with_comment(comment)));
        }
        std::fs::rename(&p, &bp).map_err(|e| StateError::Execution(e.to_string()))?;
        return Ok(Ok(ret));
    }
    if d.force {
        let (would, was) = if p.is_file() {
            ("File would be forcibly replaced", "File was forcibly replaced")
        } else {
            ("Symlink would be forcibly replaced", "Symlink was forcibly replaced")
        };
        if call.test {
            ret.changes.insert("forced".into(), Value::str(would));
        } else {
            ops::remove(&p)?;
            ret.changes.insert("forced".into(), Value::str(was));
        }
        return Ok(Ok(ret));
    }
    let kind = if p.is_file() { "file" } else { "symlink" };
    Ok(Err(ret.error(format!("Specified location {} exists and is a {kind}", d.name))))
}

fn ensure(call: &StateCall, d: &Directory, mut ret: StateRet) -> Result<StateRet, StateError> {
    let (tresult, tcomment, tchanges) = check_directory(call, d);
    ret.changes.extend(tchanges);
    if call.test || ret.changes.is_empty() {
        return Ok(ret.with_result(tresult).with_comment(tcomment));
    }
    let p = path(&d.name);
    if !p.is_dir() {
        return create(d, ret);
    }
    if !d.children_only {
        let want = PermsWanted {
            user: d.user.clone(),
            group: d.group.clone(),
            mode: d.dir_mode.clone(),
            follow_symlinks: d.follow_symlinks,
        };
        let report = check_perms(&p, &want, false)?;
        merge_perms(&mut ret, report, false);
    }
    let errors = apply_recurse(d, &mut ret)?;
    if d.clean {
        clean(call, d, &mut ret);
    }
    finish(d, ret, errors)
}

fn create(d: &Directory, ret: StateRet) -> Result<StateRet, StateError> {
    let p = path(&d.name);
    if !p.parent().is_some_and(Path::is_dir) {
        if !d.makedirs {
            return Ok(ret.error(format!("No directory to create {} in", d.name)));
        }
        ops::makedirs(&p, &d.user, &d.group, d.dir_mode.as_deref())?;
    }
    ops::mkdir(&p, &d.user, &d.group, d.dir_mode.as_deref())?;
    if !p.is_dir() {
        return Ok(ret.error(format!("Failed to create directory {}", d.name)));
    }
    let mut ret = ret;
    let mut c = Map::default();
    c.insert("directory".into(), Value::str("new"));
    ret.changes.insert(d.name.clone(), Value::Map(c));
    Ok(ret)
}

fn apply_recurse(d: &Directory, ret: &mut StateRet) -> Result<Vec<String>, StateError> {
    let set = match recurse_set(&d.recurse) {
        Ok(s) => s,
        Err(e) => {
            ret.result = Some(false);
            ret.comment = e;
            return Ok(Vec::new());
        }
    };
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let has = |k: &str| set.iter().any(|s| s == k);
    let user = recurse_owner(has("user"), &d.user, "user", ret);
    let group = recurse_owner(has("group"), &d.group, "group", ret);
    let (dir_mode, file_mode) = if has("mode") { (d.dir_mode.clone(), d.file_mode.clone()) } else { (None, None) };
    if has("silent") {
        ret.changes = Map::default();
        ret.changes.insert("recursion".into(), Value::str("Changes silenced"));
    }
    let mut errors = Vec::new();
    for entry in walk(&path(&d.name), d.max_depth) {
        let mut targets: Vec<(PathBuf, &Option<String>)> = Vec::new();
        if !has("ignore_files") {
            targets.extend(entry.files.iter().map(|f| (entry.root.join(f), &file_mode)));
        }
        if !has("ignore_dirs") {
            targets.extend(entry.dirs.iter().map(|f| (entry.root.join(f), &dir_mode)));
        }
        for (p, mode) in targets {
            let want = PermsWanted {
                user: user.clone(),
                group: group.clone(),
                mode: mode.clone(),
                follow_symlinks: d.follow_symlinks,
            };
            match check_perms(&p, &want, false) {
                Ok(report) => merge_perms(ret, report, false),
                Err(e) if e.to_string().starts_with("Path not found") => {}
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    Ok(errors)
}

fn recurse_owner(wanted: bool, owner: &Value, kind: &str, ret: &mut StateRet) -> Value {
    if !wanted {
        return Value::Null;
    }
    if !owner.truthy() && !matches!(owner, Value::Int(_)) {
        ret.result = Some(false);
        ret.comment = format!("{kind} not specified, but configured as a target for recursive ownership management");
        return owner.clone();
    }
    let known = if kind == "user" { user_to_uid(owner).is_some() } else { group_to_gid(owner).is_some() };
    if !known {
        ret.result = Some(false);
        ret.comment = if kind == "user" {
            format!("Failed to enforce ownership for user {} (user does not exist)", owner.py_str())
        } else {
            format!("Failed to enforce group ownership for group {}", owner.py_str())
        };
    }
    owner.clone()
}

/// Salt's `_clean_dir`: walks top-down, removing what is not kept (and not
/// excluded); removed directories are not descended into.
fn clean(call: &StateCall, d: &Directory, ret: &mut StateRet) {
    let root = path(&d.name);
    let keep = keep_files(call, d, &root);
    let mut removed = Vec::new();
    clean_dir(&root, &root, &keep, &d.exclude_pat, &mut removed);
    removed.sort();
    if !removed.is_empty() {
        ret.changes.insert("removed".into(), Value::List(removed.into_iter().map(Value::Str).collect()));
        ret.comment = format!("Files cleaned from directory {}", d.name);
    }
}

fn clean_dir(dir: &Path, root: &Path, keep: &[PathBuf], exclude: &Option<Value>, removed: &mut Vec<String>) {
    let Some(entry) = walk(dir, Some(1)).into_iter().next() else { return };
    for fname in entry.dirs.iter().chain(entry.files.iter()) {
        let p = dir.join(fname);
        if is_cleaned(&p, root, keep, exclude) && ops::remove(&p).is_ok() {
            removed.push(p.to_string_lossy().into_owned());
        }
    }
    for sub in &entry.dirs {
        let p = dir.join(sub);
        if p.is_dir() {
            clean_dir(&p, root, keep, exclude, removed);
        }
    }
}

fn finish(d: &Directory, mut ret: StateRet, errors: Vec<String>) -> Result<StateRet, StateError> {
    if ret.comment.is_empty() {
        if d.children_only {
            ret.comment = format!("Directory {}/* updated", d.name);
        } else if !ret.changes.is_empty() {
            ret.comment = format!("Directory {} updated", d.name);
        }
    }
    if ret.changes.is_empty() && ret.result == Some(true) {
        let orig = std::mem::take(&mut ret.comment);
        ret.comment = format!("Directory {} is in the correct state", d.name);
        if !orig.is_empty() {
            ret.comment = format!("{}\n{orig}", ret.comment);
        }
    }
    if !errors.is_empty() {
        ret.result = Some(false);
        ret.comment.push_str("\n\nThe following errors were encountered:\n");
        for e in errors {
            ret.comment.push_str(&format!("\n- {e}"));
        }
    }
    Ok(ret)
}
