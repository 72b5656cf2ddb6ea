//! The `file` state module: managed, directory, absent, exists, missing,
//! touch, symlink, append and replace (one function family per file under
//! `file/`), plus the helpers they share (user checks, merging a permission
//! report into a return as Salt's `check_perms` does).
//!
//! All filesystem access goes through `brine_modules::file`; `salt://`
//! sources and templates go through the [`Host`](crate::runtime::Host).

mod basic;
mod directory;
mod edit;
pub(crate) mod managed;
mod symlink;

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_modules::file::perms::{group_to_gid, user_to_uid, PermsReport};

use super::{StateCall, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "file",
    functions: &[
        StateFunction {
            name: "managed",
            required: &["name"],
            optional: &["check_cmd"],
            kwargs: true,
            run: managed::managed,
        },
        StateFunction {
            name: "directory",
            required: &["name"],
            optional: &["require"],
            kwargs: true,
            run: directory::directory,
        },
        kw_fn("absent", basic::absent),
        kw_fn("exists", basic::exists),
        kw_fn("missing", basic::missing),
        StateFunction {
            name: "touch",
            required: &["name"],
            optional: &["atime", "mtime", "makedirs"],
            kwargs: false,
            run: basic::touch,
        },
        StateFunction {
            name: "symlink",
            required: &["name", "target"],
            optional: &[],
            kwargs: true,
            run: symlink::symlink,
        },
        StateFunction {
            name: "append",
            required: &["name"],
            optional: &[
                "text",
                "makedirs",
                "source",
                "source_hash",
                "template",
                "sources",
                "source_hashes",
                "defaults",
                "context",
                "ignore_whitespace",
                "encoding",
                "encoding_errors",
            ],
            kwargs: false,
            run: edit::append,
        },
        StateFunction {
            name: "replace",
            required: &["name", "pattern", "repl"],
            optional: &[
                "count",
                "flags",
                "bufsize",
                "append_if_not_found",
                "prepend_if_not_found",
                "not_found_content",
                "backup",
                "show_changes",
                "ignore_if_missing",
                "backslash_literal",
                "encoding",
            ],
            kwargs: false,
            run: edit::replace,
        },
    ],
};

const fn kw_fn(name: &'static str, run: super::StateFn) -> StateFunction {
    StateFunction { name, required: &["name"], optional: &[], kwargs: true, run }
}

/// The `name` argument with `~` expanded.
fn target_path(call: &StateCall) -> String {
    brine_modules::file::expand_user(&call.name()).to_string_lossy().into_owned()
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(name)
}

/// Salt's `_test_owner`: `user`, else the deprecated `owner`.
fn user_arg(args: &Map) -> Value {
    match args.get("user") {
        Some(v) if v.truthy() => v.clone(),
        _ => args.get("owner").cloned().unwrap_or_else(|| args.get("user").cloned().unwrap_or(Value::Null)),
    }
}

/// Salt's `_check_user`: "User x is not available " / "Group y is not
/// available" (only a warning in test mode, so empty then).
fn check_user(user: &Value, group: &Value, test: bool) -> String {
    let mut err = String::new();
    if user.truthy() && user_to_uid(user).is_none() {
        err.push_str(&format!("User {} is not available ", user.py_str()));
    }
    if group.truthy() && group_to_gid(group).is_none() {
        err.push_str(&format!("Group {} is not available", group.py_str()));
    }
    if test {
        String::new()
    } else {
        err
    }
}

/// Merges a `check_perms` report into a return the way Salt's `check_perms`
/// updates `ret`: changes added, failures set result False, messages joined
/// with "; " after the original comment, result None in test mode.
fn merge_perms(ret: &mut StateRet, report: PermsReport, test: bool) {
    let mut comments = Vec::new();
    if !ret.comment.is_empty() {
        comments.push(std::mem::take(&mut ret.comment));
    }
    comments.extend(report.errors);
    ret.comment = comments.join("; ");
    ret.changes.extend(report.changes);
    if report.failed {
        ret.result = Some(false);
    }
    if test && !ret.changes.is_empty() {
        ret.result = None;
    }
}
