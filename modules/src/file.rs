//! The `file` execution module: the registered functions (`file.file_exists`,
//! `file.stats`, `file.replace`, ...) as thin wrappers over the typed
//! helpers in `file/` (metadata, permissions, atomic writes, text edits),
//! which the file *state* module uses directly.
//!
//! It must not know about `salt://` or templates: callers hand it local
//! paths and final contents.

pub mod ops;
pub mod perms;
pub mod stat;
pub mod text;

use std::path::{Path, PathBuf};

use brine_common::Value;

use crate::args::{opt, req, ArgDefault, Signature};
use crate::{sys, Bound, Ctx, Function, Module, ModuleError};

pub use ops::{atomic_write, NewPerms};
pub use stat::{normalize_mode, stats, Stats};

const N: ArgDefault = ArgDefault::None;
const F: ArgDefault = ArgDefault::Bool(false);
const T: ArgDefault = ArgDefault::Bool(true);

const fn sig(params: &'static [crate::Param], varargs: Option<&'static str>, kwargs: bool) -> Signature {
    Signature { params, varargs, kwargs }
}

pub const MODULE: Module = Module {
    name: "file",
    functions: &[
        Function { name: "file_exists", sig: sig(&[req("path")], None, false), run: file_exists },
        Function { name: "dirname", sig: sig(&[req("path")], None, false), run: dirname },
        Function { name: "basename", sig: sig(&[req("path")], None, false), run: basename },
        Function { name: "join", sig: sig(&[req("path")], Some("paths"), false), run: join },
        Function { name: "directory_exists", sig: sig(&[req("path")], None, false), run: directory_exists },
        Function { name: "read", sig: sig(&[req("path"), opt("binary", F)], None, false), run: read },
        Function { name: "write", sig: sig(&[req("path")], Some("args"), true), run: write },
        Function {
            name: "get_hash",
            sig: sig(
                &[req("path"), opt("form", ArgDefault::Str("sha256")), opt("chunk_size", ArgDefault::Int(65536))],
                None,
                false,
            ),
            run: get_hash,
        },
        Function { name: "touch", sig: sig(&[req("name"), opt("atime", N), opt("mtime", N)], None, false), run: touch },
        Function { name: "remove", sig: sig(&[req("path")], None, true), run: remove },
        Function {
            name: "mkdir",
            sig: sig(&[req("dir_path"), opt("user", N), opt("group", N), opt("mode", N)], None, false),
            run: mkdir,
        },
        Function {
            name: "makedirs",
            sig: sig(&[req("path"), opt("user", N), opt("group", N), opt("mode", N)], None, false),
            run: makedirs,
        },
        Function {
            name: "stats",
            sig: sig(&[req("path"), opt("hash_type", N), opt("follow_symlinks", T)], None, false),
            run: stats_fn,
        },
        Function { name: "append", sig: sig(&[req("path")], Some("args"), true), run: append },
        Function {
            name: "search",
            sig: sig(
                &[
                    req("path"),
                    req("pattern"),
                    opt("flags", ArgDefault::Int(8)),
                    opt("bufsize", ArgDefault::Int(1)),
                    opt("ignore_if_missing", F),
                    opt("multiline", F),
                ],
                None,
                false,
            ),
            run: search,
        },
        Function { name: "replace", sig: sig(REPLACE_PARAMS, None, false), run: replace },
        Function {
            name: "symlink",
            sig: sig(
                &[req("src"), req("path"), opt("force", F), opt("atomic", F), opt("follow_symlinks", T)],
                None,
                false,
            ),
            run: symlink,
        },
        Function { name: "readlink", sig: sig(&[req("path"), opt("canonicalize", F)], None, false), run: readlink },
        Function { name: "is_link", sig: sig(&[req("path")], None, false), run: is_link },
        Function { name: "get_mode", sig: sig(&[req("path"), opt("follow_symlinks", T)], None, false), run: get_mode },
        Function { name: "set_mode", sig: sig(&[req("path"), req("mode")], None, false), run: set_mode },
        Function { name: "user_to_uid", sig: sig(&[req("user")], None, false), run: user_to_uid },
        Function { name: "group_to_gid", sig: sig(&[req("group")], None, false), run: group_to_gid },
    ],
};

const REPLACE_PARAMS: &[crate::Param] = &[
    req("path"),
    req("pattern"),
    req("repl"),
    opt("count", ArgDefault::Int(0)),
    opt("flags", ArgDefault::Int(8)),
    opt("bufsize", ArgDefault::Int(1)),
    opt("append_if_not_found", F),
    opt("prepend_if_not_found", F),
    opt("not_found_content", N),
    opt("backup", ArgDefault::Str(".bak")),
    opt("dry_run", F),
    opt("search_only", F),
    opt("show_changes", T),
    opt("ignore_if_missing", F),
    opt("preserve_inode", T),
    opt("backslash_literal", F),
    opt("encoding", N),
];

/// `os.path.expanduser` for `~` and `~/...` (other users' `~name` too).
pub fn expand_user(path: &str) -> PathBuf {
    let Some(rest) = path.strip_prefix('~') else { return PathBuf::from(path) };
    let (user, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let home = if user.is_empty() {
        std::env::var("HOME").ok().or_else(|| sys::user_by_uid(sys::euid()).map(|u| u.home))
    } else {
        sys::user_by_name(user).map(|u| u.home)
    };
    match home {
        Some(h) => PathBuf::from(format!("{}{tail}", h.trim_end_matches('/'))),
        None => PathBuf::from(path),
    }
}

/// The mode a new file gets from the umask (`0o666 & ~umask`).
pub fn default_file_mode() -> u32 {
    0o666 & !sys::umask()
}

fn path_arg(b: &Bound, name: &str) -> Result<PathBuf, ModuleError> {
    Ok(expand_user(&b.str(name)?))
}

fn file_exists(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(path_arg(b, "path")?.is_file()))
}

/// Python's `os.path.dirname`: what precedes the last `/`, trailing slashes
/// dropped unless it is all slashes.
fn dirname(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let p = b.get("path").py_str();
    let head = &p[..p.rfind('/').map_or(0, |i| i + 1)];
    let trimmed = head.trim_end_matches('/');
    Ok(Value::str(if trimmed.is_empty() { head } else { trimmed }))
}

/// Python's `os.path.basename`: what follows the last `/`.
fn basename(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let p = b.get("path").py_str();
    Ok(Value::str(&p[p.rfind('/').map_or(0, |i| i + 1)..]))
}

/// Python's `os.path.join`: an absolute part restarts the path.
fn join(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let mut path = b.get("path").py_str();
    for part in b.varargs.iter().map(Value::py_str) {
        if part.starts_with('/') {
            path = part;
        } else if path.is_empty() || path.ends_with('/') {
            path.push_str(&part);
        } else {
            path = format!("{path}/{part}");
        }
    }
    Ok(Value::Str(path))
}

fn directory_exists(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(path_arg(b, "path")?.is_dir()))
}

fn read(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    let data = std::fs::read(&path).map_err(|e| {
        ModuleError::Execution(format!(
            "[Errno {}] {}: '{}'",
            e.raw_os_error().unwrap_or(0),
            ops::os_message(&e),
            path.display()
        ))
    })?;
    Ok(Value::Str(text::decode(&data)))
}

fn lines_arg(b: &Bound) -> Vec<String> {
    match b.kwargs.get("args") {
        Some(Value::List(l)) => l.iter().map(Value::py_str).collect(),
        Some(v) => vec![v.py_str()],
        None => b.varargs.iter().map(Value::py_str).collect(),
    }
}

fn write(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    let lines = lines_arg(b);
    let data: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let perms = if path.exists() { NewPerms::PreserveExisting } else { NewPerms::Mode(default_file_mode()) };
    atomic_write(&path, data.as_bytes(), perms)?;
    Ok(Value::Str(format!("Wrote {} lines to \"{}\"", lines.len(), path.display())))
}

fn get_hash(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let form = b.str("form")?;
    Ok(Value::Str(stat::get_hash(&path_arg(b, "path")?, &form)?))
}

fn optional_time(v: &Value) -> Result<Option<f64>, ModuleError> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        Value::Str(s) if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() => Ok(s.parse::<f64>().ok()),
        _ => Err(ModuleError::Invocation("atime and mtime must be integers".into())),
    }
}

fn touch(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let atime = optional_time(b.get("atime"))?;
    let mtime = optional_time(b.get("mtime"))?;
    Ok(Value::Bool(ops::touch(&path_arg(b, "name")?, atime, mtime)?))
}

fn remove(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(ops::remove(&path_arg(b, "path")?)?))
}

fn mode_arg(b: &Bound) -> Option<String> {
    normalize_mode(b.get("mode"))
}

fn mkdir(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let mode = mode_arg(b);
    ops::mkdir(&path_arg(b, "dir_path")?, b.get("user"), b.get("group"), mode.as_deref())?;
    Ok(Value::Bool(true))
}

fn makedirs(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    let mode = mode_arg(b);
    let dirname = ops::normpath(path.parent().unwrap_or(Path::new("/")));
    if dirname.is_dir() {
        return Ok(Value::Str(format!("Directory '{}' already exists", dirname.display())));
    }
    ops::makedirs(&path, b.get("user"), b.get("group"), mode.as_deref())?;
    Ok(Value::Null)
}

fn stats_fn(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let hash_type = b.opt_str("hash_type");
    let st = stats(&path_arg(b, "path")?, hash_type.as_deref(), b.truthy("follow_symlinks"))?;
    Ok(st.to_value())
}

fn append(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Str(text::append(&path_arg(b, "path")?, &lines_arg(b))?))
}

fn search(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    if !path.exists() {
        if b.truthy("ignore_if_missing") {
            return Ok(Value::Bool(false));
        }
        return Err(ModuleError::Invocation(format!("File not found: {}", path.display())));
    }
    let flags = crate::pyre::parse_flags(b.get("flags"))?;
    Ok(Value::Bool(text::search(&path, &b.str("pattern")?, flags, b.truthy("multiline"))?))
}

/// Reads `file.replace` arguments into [`text::ReplaceArgs`].
pub fn replace_args(b: &Bound) -> Result<text::ReplaceArgs, ModuleError> {
    let count = match b.get("count") {
        Value::Int(i) if *i >= 0 => *i as usize,
        Value::Int(_) => 0,
        other => other.py_str().parse().map_err(|_| ModuleError::Invocation("count must be an integer".into()))?,
    };
    Ok(text::ReplaceArgs {
        pattern: b.str("pattern")?,
        repl: b.str("repl")?,
        count,
        flags: crate::pyre::parse_flags(b.get("flags"))?,
        append_if_not_found: b.truthy("append_if_not_found"),
        prepend_if_not_found: b.truthy("prepend_if_not_found"),
        not_found_content: b.opt_str("not_found_content"),
        backup: if b.truthy("backup") { b.opt_str("backup") } else { None },
        dry_run: b.truthy("dry_run"),
        backslash_literal: b.truthy("backslash_literal"),
    })
}

fn replace(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    if !path.exists() && b.truthy("ignore_if_missing") {
        return Ok(Value::Bool(false));
    }
    let args = replace_args(b)?;
    if b.truthy("search_only") {
        return Ok(Value::Bool(text::search(&path, &args.pattern, args.flags, false)?));
    }
    let diff = text::replace(&path, &args)?;
    if b.truthy("show_changes") {
        Ok(Value::Str(diff))
    } else {
        Ok(Value::Bool(!diff.is_empty()))
    }
}

fn symlink(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(ops::symlink(&b.str("src")?, &path_arg(b, "path")?, b.truthy("force"))?))
}

fn readlink(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    if b.truthy("canonicalize") {
        ops::readlink(&path)?;
        return Ok(Value::Str(std::fs::canonicalize(&path).unwrap_or(path).to_string_lossy().into_owned()));
    }
    Ok(Value::Str(ops::readlink(&path)?))
}

fn is_link(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(ops::is_link(&path_arg(b, "path")?)))
}

fn get_mode(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    match stats(&path, None, b.truthy("follow_symlinks")) {
        Ok(st) => Ok(Value::Str(st.mode)),
        Err(_) => Ok(Value::str("")),
    }
}

fn set_mode(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let path = path_arg(b, "path")?;
    if !path.exists() {
        return Err(ModuleError::Execution(format!("{}: File not found", path.display())));
    }
    let mode = b.str("mode")?;
    match perms::set_mode(&path, &mode) {
        Ok(()) => Ok(Value::Str(stats(&path, None, true)?.mode)),
        Err(msg) => Ok(Value::Str(msg)),
    }
}

fn user_to_uid(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(perms::user_to_uid(b.get("user")).map(|u| Value::Int(u as i64)).unwrap_or(Value::str("")))
}

fn group_to_gid(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(perms::group_to_gid(b.get("group")).map(|g| Value::Int(g as i64)).unwrap_or(Value::str("")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{call, SystemRunner};
    use brine_common::Map;

    #[test]
    fn registry_round_trip() {
        let dir = std::env::temp_dir().join(format!("brine-filemod-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        let f = Value::str(dir.join("f").to_string_lossy());
        let out = call("file.write", &[f.clone(), Value::str("a"), Value::str("b")], &m, &ctx).unwrap();
        assert!(out.py_str().starts_with("Wrote 2 lines to"));
        assert_eq!(call("file.read", std::slice::from_ref(&f), &m, &ctx).unwrap(), Value::str("a\nb\n"));
        assert_eq!(call("file.file_exists", std::slice::from_ref(&f), &m, &ctx).unwrap(), Value::Bool(true));
        let st = call("file.stats", std::slice::from_ref(&f), &m, &ctx).unwrap();
        assert_eq!(st.get("type"), Some(&Value::str("file")));
        assert_eq!(call("file.remove", std::slice::from_ref(&f), &m, &ctx).unwrap(), Value::Bool(true));
        assert_eq!(call("file.file_exists", &[f], &m, &ctx).unwrap(), Value::Bool(false));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn path_helpers_are_pythons_posixpath() {
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        let one = |f: &str, p: &str| call(f, &[Value::str(p)], &m, &ctx).unwrap().py_str();
        for (p, dir, base) in [("/a/b", "/a", "b"), ("/a/b/", "/a/b", ""), ("a", "", "a"), ("/a", "/", "a"), ("//x", "//", "x")] {
            assert_eq!((one("file.dirname", p), one("file.basename", p)), (dir.to_string(), base.to_string()), "{p}");
        }
        let join = |parts: &[&str]| call("file.join", &parts.iter().map(|p| Value::str(*p)).collect::<Vec<_>>(), &m, &ctx).unwrap().py_str();
        assert_eq!(join(&["/etc", "nginx", "x.conf"]), "/etc/nginx/x.conf");
        assert_eq!(join(&["/etc/", "/srv", "a"]), "/srv/a");
        assert_eq!(join(&["", "a"]), "a");
    }

    #[test]
    fn expands_home() {
        std::env::var("HOME").map(|h| assert_eq!(expand_user("~/x"), PathBuf::from(format!("{h}/x")))).ok();
        assert_eq!(expand_user("/abs"), PathBuf::from("/abs"));
    }
}
