//! `file.managed`: parse the arguments into [`Managed`], work out the desired
//! contents (inline `contents`, pillar/grains contents, or a `source` fetched
//! through the host, optionally rendered as a template), then either predict
//! (test mode: Salt's `check_managed_changes`) or apply (Salt's
//! `manage_file`: atomic write, minion backup, ownership and mode) with
//! Salt's comments and `diff`/`New file`/`newfile` changes.
//!
//! The only writes are the destination file (atomically), its parent
//! directories when `makedirs`, a backup copy and `check_cmd`'s temp file.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use brine_common::{Map, Value};
use brine_modules::file::ops::{self, NewPerms};
use brine_modules::file::perms::{check_perms, check_perms_from, owner_matches, owner_of, Owner, PermsWanted};
use brine_modules::file::stat::{normalize_mode, normalize_mode_str};
use brine_modules::file::text::contents_diff;
use brine_modules::file::{default_file_mode, stats};

use super::{check_user, merge_perms, path, target_path, user_arg};
use crate::mods::parse::{flag, opt_str, opt_value};
use crate::mods::{StateCall, StateError, StateRet};

const TEST_NOTE: &str = "\nNote: No changes made, actual changes may\nbe different due to other states.";

/// One entry of `source` (a string, or `{url: source_hash}` in a list).
#[derive(Debug, Clone)]
struct Source {
    url: String,
}

/// Typed arguments of `file.managed`.
struct Managed {
    name: String,
    sources: Vec<Source>,
    source_is_list: bool,
    user: Value,
    group: Value,
    mode: Option<String>,
    keep_mode: bool,
    template: Option<String>,
    makedirs: bool,
    dir_mode: Option<String>,
    context: Value,
    defaults: Value,
    replace: bool,
    backup: String,
    show_changes: bool,
    create: bool,
    contents: Option<Value>,
    contents_pillar: Option<Value>,
    contents_grains: Option<Value>,
    contents_newline: bool,
    contents_delimiter: String,
    allow_empty: bool,
    follow_symlinks: bool,
    check_cmd: Option<String>,
    tmp_dir: String,
    tmp_ext: String,
    attrs: Option<Value>,
    file_mode_given: bool,
}

fn parse_sources(v: Option<Value>) -> Vec<Source> {
    match v {
        None => Vec::new(),
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::Map(m) => m.keys().next().map(|k| Source { url: k.clone() }),
                Value::Null => None,
                other => Some(Source { url: other.py_str() }),
            })
            .collect(),
        Some(other) if other.truthy() => vec![Source { url: other.py_str() }],
        Some(_) => Vec::new(),
    }
}

fn parse(call: &StateCall) -> Managed {
    let a = call.args;
    let raw_mode = opt_value(a, "mode");
    let keep_mode = raw_mode.as_ref().and_then(Value::as_str).is_some_and(|m| m.to_lowercase() == "keep");
    Managed {
        name: target_path(call),
        sources: parse_sources(opt_value(a, "source")),
        source_is_list: matches!(a.get("source"), Some(Value::List(_))),
        user: user_arg(a),
        group: a.get("group").cloned().unwrap_or(Value::Null),
        mode: if keep_mode { None } else { raw_mode.as_ref().and_then(normalize_mode) },
        keep_mode,
        template: opt_str(a, "template").filter(|t| !t.is_empty()),
        makedirs: flag(a, "makedirs", false),
        dir_mode: opt_value(a, "dir_mode").as_ref().and_then(normalize_mode),
        context: a.get("context").cloned().unwrap_or(Value::Null),
        defaults: a.get("defaults").cloned().unwrap_or(Value::Null),
        replace: flag(a, "replace", true),
        backup: opt_str(a, "backup").unwrap_or_default(),
        show_changes: flag(a, "show_changes", true),
        create: flag(a, "create", true),
        contents: opt_value(a, "contents"),
        contents_pillar: opt_value(a, "contents_pillar"),
        contents_grains: opt_value(a, "contents_grains"),
        contents_newline: flag(a, "contents_newline", true),
        contents_delimiter: opt_str(a, "contents_delimiter").unwrap_or_else(|| ":".into()),
        allow_empty: flag(a, "allow_empty", true),
        follow_symlinks: flag(a, "follow_symlinks", true),
        check_cmd: opt_str(a, "check_cmd").filter(|c| !c.is_empty()),
        tmp_dir: opt_str(a, "tmp_dir").unwrap_or_default(),
        tmp_ext: opt_str(a, "tmp_ext").unwrap_or_default(),
        attrs: opt_value(a, "attrs"),
        file_mode_given: a.contains_key("file_mode"),
    }
}

/// Salt's `file.managed` state.
pub fn managed(call: &StateCall) -> Result<StateRet, StateError> {
    let mut m = parse(call);
    let mut ret = StateRet::new(m.name.clone());
    if m.name.is_empty() {
        return Ok(ret.error("Destination file name is required"));
    }
    if let Some(msg) = conflicting_contents(&m) {
        return Ok(ret.error(msg));
    }
    if m.sources.is_empty() && m.contents.is_none() && m.contents_pillar.is_none() && m.contents_grains.is_none() {
        m.replace = false;
    }
    if m.file_mode_given {
        ret.warn("The 'file_mode' argument will be ignored.  Please use 'mode' instead to set file permissions.");
    }
    if m.attrs.is_some() {
        ret.warn("The 'attrs' argument is not supported by brine and was ignored.");
    }
    let contents = match inline_contents(call, &m)? {
        Ok(c) => c,
        Err(msg) => return Ok(ret.error(msg)),
    };
    match preflight(call, &m, ret)? {
        Flow::Done(r) => Ok(r),
        Flow::Continue(ret, found) => manage(call, &m, ret, contents, found),
    }
}

fn conflicting_contents(m: &Managed) -> Option<&'static str> {
    let count = [&m.contents, &m.contents_pillar, &m.contents_grains].iter().filter(|c| c.is_some()).count();
    if !m.sources.is_empty() && count > 0 {
        Some("'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'")
    } else if m.keep_mode && count > 0 {
        Some("Mode preservation cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'")
    } else if count > 1 {
        Some("Only one of 'contents', 'contents_pillar', and 'contents_grains' is permitted")
    } else {
        None
    }
}

/// A pillar/grain lookup with Salt's delimiter traversal.
fn lookup(data: &Map, key: &str, delimiter: &str) -> Option<Value> {
    Value::Map(data.clone()).traverse(key, delimiter).cloned()
}

/// Contents from `contents_pillar` / `contents_grains` / `contents`.
fn raw_contents(call: &StateCall, m: &Managed) -> Result<Option<Value>, String> {
    let (source, data, what) = if let Some(p) = &m.contents_pillar {
        (p, call.host.pillar(), "Pillar")
    } else if let Some(g) = &m.contents_grains {
        (g, call.host.grains(), "Grain")
    } else {
        return Ok(m.contents.clone());
    };
    let keys: Vec<String> = match source {
        Value::List(l) => l.iter().map(Value::py_str).collect(),
        other => vec![other.py_str()],
    };
    let mut parts = Vec::new();
    for key in &keys {
        let v = lookup(data, key, &m.contents_delimiter).ok_or_else(|| format!("{what} {key} does not exist"))?;
        parts.push(v);
    }
    if let (Value::List(_), _) = (source, ()) {
        return Ok(Some(Value::Str(parts.iter().map(Value::py_str).collect::<Vec<_>>().join("\n"))));
    }
    Ok(parts.into_iter().next())
}

/// Salt's `_validate_str_list`.
fn str_list(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        other => vec![other.py_str()],
    }
}

/// The final inline contents (None when the file comes from `source` or is
/// only created), or Salt's error comment.
fn inline_contents(call: &StateCall, m: &Managed) -> Result<Result<Option<String>, String>, StateError> {
    let raw = match raw_contents(call, m) {
        Ok(Some(v)) => v,
        Ok(None) => return Ok(Ok(None)),
        Err(msg) => return Ok(Err(msg)),
    };
    if !m.allow_empty && !raw.truthy() {
        let id = match (&m.contents_pillar, &m.contents_grains) {
            (Some(p), _) => format!("contents_pillar {}", p.py_str()),
            (_, Some(g)) => format!("contents_grains {}", g.py_str()),
            _ => "'contents'".to_string(),
        };
        return Ok(Err(format!(
            "{id} value would result in empty contents. Set allow_empty to True to allow the managed file to be empty."
        )));
    }
    let parts = str_list(&raw);
    if parts.is_empty() {
        return Ok(Err("Contents specified by contents/contents_pillar/contents_grains is not a string or list of strings, and is not binary data. SLS is likely malformed.".into()));
    }
    let mut contents: String = parts.iter().map(|p| lines_with_newlines(p)).collect();
    if !m.contents_newline {
        contents.truncate(contents.trim_end_matches('\n').trim_end_matches('\r').len());
    }
    let Some(kind) = &m.template else { return Ok(Ok(Some(contents))) };
    if kind != "jinja" {
        return Ok(Err(format!("Specified template format {kind} is not supported")));
    }
    let ctx = merged_context(m);
    let sls = call.low.get("__sls__").map(Value::py_str).unwrap_or_default();
    let rendered =
        call.host.render_template(kind, &contents, &m.name, &ctx, call.saltenv, &sls).map_err(StateError::Execution)?;
    Ok(Ok(Some(rendered)))
}

/// `s` as Salt joins it: each line of Python's `splitlines()` followed by
/// `\n`. Text whose only line break is `\n` needs at most one added.
fn lines_with_newlines(s: &str) -> String {
    if s.chars().any(|c| c != '\n' && breaks_line(c)) {
        return py_splitlines(s).into_iter().map(|l| l + "\n").collect();
    }
    let mut out = String::with_capacity(s.len() + 1);
    out.push_str(s);
    if !s.is_empty() && !s.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The characters Python's `str.splitlines()` ends a line at.
fn breaks_line(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Python's `str.splitlines()` line bodies (any line break, no ends).
fn py_splitlines(s: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut cur));
            }
            c if breaks_line(c) => lines.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `defaults` updated with `context` (Salt's template context).
fn merged_context(m: &Managed) -> Map {
    let mut ctx = m.defaults.as_map().cloned().unwrap_or_default();
    if let Some(c) = m.context.as_map() {
        ctx.extend(c.clone());
    }
    ctx
}

enum Flow {
    Done(StateRet),
    /// Go on, with what the target looked like.
    Continue(StateRet, Reading),
}

/// What `file.managed` first learns of its target: its own metadata
/// (`lstat`), if it exists, and for a regular file maybe its contents
/// already (taken by the runtime's read-ahead).
pub(crate) struct Reading {
    pub meta: Option<Metadata>,
    pub current: Option<Vec<u8>>,
}

/// The target's `lstat` and, for a regular file of at most 1 MiB, its
/// contents: the inspection a real run starts with.
pub(crate) fn read_target(path: &Path) -> Reading {
    let meta = std::fs::symlink_metadata(path).ok();
    let current = meta.as_ref().filter(|m| m.is_file() && m.len() <= 1 << 20).map(|m| read_current(path, m));
    Reading { meta, current }
}

/// The checks Salt makes before looking at contents: create, users, path
/// shape, context types, and the `replace: False` shortcut.
fn preflight(call: &StateCall, m: &Managed, ret: StateRet) -> Result<Flow, StateError> {
    let p = path(&m.name);
    if !m.create && !p.is_file() {
        return Ok(Flow::Done(ret.with_comment(format!("File {} is not present and is not set for creation", m.name))));
    }
    let u_check = check_user(&m.user, &m.group, call.test);
    if !u_check.is_empty() {
        return Ok(Flow::Done(ret.error(u_check)));
    }
    if !p.is_absolute() {
        return Ok(Flow::Done(ret.error(format!("Specified file {} is not an absolute path", m.name))));
    }
    let found = call
        .readings
        .and_then(|r| r.take(&p))
        .unwrap_or_else(|| Reading { meta: std::fs::symlink_metadata(&p).ok(), current: None });
    let is_dir = match &found.meta {
        Some(meta) if meta.file_type().is_symlink() => p.is_dir(),
        Some(meta) => meta.is_dir(),
        None => false,
    };
    if is_dir {
        return Ok(Flow::Done(ret.error(format!("Specified target {} is a directory", m.name))));
    }
    if !m.context.is_null() && m.context.as_map().is_none() {
        return Ok(Flow::Done(ret.error("Context must be formed as a dict")));
    }
    if m.defaults.truthy() && m.defaults.as_map().is_none() {
        return Ok(Flow::Done(ret.error("Defaults must be formed as a dict")));
    }
    if !m.replace && p.exists() {
        return Ok(Flow::Done(perms_only(call, m, ret)?));
    }
    Ok(Flow::Continue(ret, found))
}

fn wanted(m: &Managed, mode: Option<String>) -> PermsWanted {
    PermsWanted { user: m.user.clone(), group: m.group.clone(), mode, follow_symlinks: m.follow_symlinks }
}

/// `replace: False` on an existing file: only ownership and mode.
fn perms_only(call: &StateCall, m: &Managed, mut ret: StateRet) -> Result<StateRet, StateError> {
    let report = check_perms(&path(&m.name), &wanted(m, m.mode.clone()), call.test)?;
    let lmode = report.lmode.clone();
    merge_perms(&mut ret, report, call.test);
    if call.test {
        ret.comment = match &m.mode {
            Some(mode) if *mode != lmode => {
                format!("File {} will be updated with permissions {mode} from its current state of {lmode}", m.name)
            }
            _ => format!("File {} not updated", m.name),
        };
    } else if ret.changes.is_empty() && ret.result == Some(true) {
        ret.comment = format!("File {} exists with proper permissions. No changes made.", m.name);
    }
    Ok(ret)
}

/// The desired file contents and where they came from.
struct Desired {
    data: Option<Vec<u8>>,
    from_source: bool,
    /// Mode of the source file, for `mode: keep`.
    source_mode: Option<String>,
}

/// Why the desired contents could not be had: Salt's `source_list` error
/// (always prefixed "Unable to manage file: ") or a `get_managed` comment
/// (prefixed only in a real run).
enum SourceError {
    List(String),
    Managed(String),
}

/// Salt's `source_list`: the first source of a list that exists; a single
/// source is taken as it is.
fn pick_source<'m>(call: &StateCall, m: &'m Managed) -> Result<&'m Source, SourceError> {
    if !m.source_is_list {
        return m.sources.first().ok_or_else(|| SourceError::List("none of the specified sources were found".into()));
    }
    m.sources
        .iter()
        .find(|s| source_exists(call, &s.url))
        .ok_or_else(|| SourceError::List("none of the specified sources were found".into()))
}

fn source_exists(call: &StateCall, url: &str) -> bool {
    if let Some(rest) = url.strip_prefix("file://") {
        return Path::new(rest).exists();
    }
    if url.starts_with("salt://") {
        return call.host.cache_file(url, call.saltenv).is_ok();
    }
    url.starts_with('/') && Path::new(url).exists()
}

/// Salt's `source_list` + `get_managed`: fetches the chosen source through
/// the host and renders it when `template` is set.
fn fetch_source(call: &StateCall, m: &Managed) -> Result<Desired, SourceError> {
    let src = pick_source(call, m)?;
    fetch_one(call, m, &src.url).map_err(SourceError::Managed)
}

fn is_remote(url: &str) -> bool {
    let lower = url.to_lowercase();
    ["http:", "https:", "ftp:", "s3:", "swift:"].iter().any(|p| lower.starts_with(p))
}

fn fetch_one(call: &StateCall, m: &Managed, url: &str) -> Result<Desired, String> {
    if is_remote(url) {
        return Err(format!(
            "Unable to verify upstream hash of source file {url}, please set source_hash or set skip_verify to True"
        ));
    }
    let local: PathBuf = if let Some(rest) = url.strip_prefix("file://") {
        PathBuf::from(rest)
    } else if url.starts_with("salt://") {
        call.host
            .cache_file(url, call.saltenv)
            .map_err(|_| format!("Source file {url} not found in saltenv '{}'", call.saltenv))?
    } else {
        PathBuf::from(url)
    };
    if !local.exists() {
        return Err(format!("Local file source {} does not exist", local.display()));
    }
    let data = std::fs::read(&local).map_err(|e| format!("Source file '{url}' not found: {e}"))?;
    let source_mode = stats(&local, None, true).ok().map(|s| s.mode);
    let data = match &m.template {
        None => data,
        Some(kind) => render_source(call, m, url, &data, kind)?,
    };
    Ok(Desired { data: Some(data), from_source: true, source_mode })
}

fn render_source(call: &StateCall, m: &Managed, url: &str, data: &[u8], kind: &str) -> Result<Vec<u8>, String> {
    if kind != "jinja" {
        return Err(format!("Specified template format {kind} is not supported"));
    }
    let mut ctx = Map::default();
    ctx.insert("name".into(), Value::str(&m.name));
    ctx.insert("source".into(), Value::str(url));
    ctx.insert("user".into(), m.user.clone());
    ctx.insert("group".into(), m.group.clone());
    ctx.insert("mode".into(), m.mode.clone().map(Value::Str).unwrap_or(Value::Null));
    ctx.insert("attrs".into(), m.attrs.clone().unwrap_or(Value::Null));
    ctx.insert("saltenv".into(), Value::str(call.saltenv));
    ctx.extend(merged_context(m));
    let sls = call.low.get("__sls__").map(Value::py_str).unwrap_or_default();
    let text = String::from_utf8_lossy(data).into_owned();
    call.host.render_template(kind, &text, url, &ctx, call.saltenv, &sls).map(String::into_bytes)
}

/// The desired contents, or Salt's comment when they cannot be had.
fn desired(call: &StateCall, m: &Managed, contents: Option<String>) -> Result<Desired, SourceError> {
    if let Some(c) = contents {
        return Ok(Desired { data: Some(c.into_bytes()), from_source: false, source_mode: None });
    }
    if m.sources.is_empty() {
        return Ok(Desired { data: None, from_source: false, source_mode: None });
    }
    fetch_source(call, m)
}

fn manage(
    call: &StateCall,
    m: &Managed,
    ret: StateRet,
    contents: Option<String>,
    found: Reading,
) -> Result<StateRet, StateError> {
    let want = match desired(call, m, contents) {
        Ok(d) => d,
        Err(SourceError::Managed(msg)) if call.test => return Ok(ret.error(msg)),
        Err(SourceError::List(msg) | SourceError::Managed(msg)) => {
            return Ok(ret.error(format!("Unable to manage file: {msg}")));
        }
    };
    let mode = if m.keep_mode { want.source_mode.clone() } else { m.mode.clone() };
    if call.test {
        return predict(m, ret, &want, mode);
    }
    if let Some(cmd) = &m.check_cmd {
        if let Some(failed) = run_check_cmd(call, m, &want, cmd, &ret)? {
            return Ok(failed);
        }
    }
    apply(call, m, ret, &want, mode, found)
}

/// Salt's `check_file_meta` + the test-mode part of `file.managed`.
fn predict(m: &Managed, mut ret: StateRet, want: &Desired, mode: Option<String>) -> Result<StateRet, StateError> {
    let p = path(&m.name);
    let Ok(cur) = owner_of(&p, m.follow_symlinks) else {
        ret.changes.insert("newfile".into(), Value::str(&m.name));
        return Ok(set_to_change(m, ret));
    };
    if let Some(data) = &want.data {
        let current = std::fs::read(&p).unwrap_or_default();
        let diff = contents_diff(&current, data);
        if !diff.is_empty() {
            ret.changes.insert("diff".into(), Value::Str(diff));
        }
    }
    if m.user.truthy() && !owner_matches(&m.user, &cur.user, cur.uid) {
        ret.changes.insert("user".into(), m.user.clone());
    }
    if m.group.truthy() && !owner_matches(&m.group, &cur.group, cur.gid) {
        ret.changes.insert("group".into(), m.group.clone());
    }
    if let Some(mode) = mode.map(|md| normalize_mode_str(&md)).filter(|md| *md != cur.mode) {
        ret.changes.insert("mode".into(), Value::Str(mode));
    }
    if ret.changes.is_empty() {
        return Ok(ret.with_comment(format!("The file {} is in the correct state", m.name)));
    }
    Ok(set_to_change(m, ret))
}

fn set_to_change(m: &Managed, mut ret: StateRet) -> StateRet {
    if !m.show_changes && ret.changes.contains_key("diff") {
        ret.changes.insert("diff".into(), Value::str("<show_changes=False>"));
    }
    ret.with_result(None).with_comment(format!("The file {} is set to be changed{TEST_NOTE}", m.name))
}

/// `check_cmd`: the new contents are written to a temp file and the command
/// must accept it; None when it does (or nothing would change).
fn run_check_cmd(
    call: &StateCall,
    m: &Managed,
    want: &Desired,
    cmd: &str,
    ret: &StateRet,
) -> Result<Option<StateRet>, StateError> {
    let Some(data) = &want.data else { return Ok(None) };
    if std::fs::read(path(&m.name)).ok().as_deref() == Some(data.as_slice()) {
        return Ok(None);
    }
    let dir = if m.tmp_dir.is_empty() { std::env::temp_dir() } else { PathBuf::from(&m.tmp_dir) };
    let tmp = dir.join(format!("__salt.tmp.{}{}", std::process::id(), m.tmp_ext));
    ops::atomic_write(&tmp, data, NewPerms::Mode(0o600))?;
    let mut kwargs = Map::default();
    if let Some(shell) = call.host.grains().get("shell") {
        kwargs.insert("shell".into(), shell.clone());
    }
    let line = format!("{cmd} {}", tmp.display());
    let result = brine_modules::call("cmd.run_all", &[Value::Str(line)], &kwargs, call.ctx);
    let _ = std::fs::remove_file(&tmp);
    let cret = match result? {
        Value::Map(c) => c,
        _ => Map::default(),
    };
    if cret.get("retcode").and_then(Value::as_i64).unwrap_or(0) == 0 {
        return Ok(None);
    }
    let mut comment = String::from("check_cmd execution failed");
    for key in ["stdout", "stderr"] {
        if let Some(v) = cret.get(key).filter(|v| v.truthy()) {
            comment.push('\n');
            comment.push_str(&v.py_str());
        }
    }
    let mut failed = StateRet::new(ret.name.clone()).error(comment);
    failed.extra.insert("skip_watch".into(), Value::Bool(true));
    Ok(Some(failed))
}

/// Salt's `config.backup_mode`: the state's `backup`, else the minion option.
fn backup_mode(call: &StateCall, m: &Managed) -> String {
    if !m.backup.is_empty() {
        return m.backup.clone();
    }
    call.host.opts().get("backup_mode").map(Value::py_str).unwrap_or_default()
}

fn obfuscated(call: &StateCall) -> bool {
    call.host.opts().get("obfuscate_templates").map(Value::truthy).unwrap_or(false)
}

/// Salt's `manage_file` (real run).
fn apply(
    call: &StateCall,
    m: &Managed,
    ret: StateRet,
    want: &Desired,
    mode: Option<String>,
    found: Reading,
) -> Result<StateRet, StateError> {
    match found.meta {
        Some(meta) if meta.is_file() || meta.file_type().is_symlink() => {
            update_existing(call, m, ret, want, mode, &meta, found.current)
        }
        _ => create_new(m, ret, want, mode),
    }
}

/// The bytes of the file at `path` whose `lstat` is `meta`, read into a
/// buffer one byte larger than its size (no `fstat`): a short first read is
/// the end of a regular file, so an unchanged file costs one `read`. Empty
/// when it cannot be read.
fn read_current(path: &Path, meta: &Metadata) -> Vec<u8> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let hint = if meta.is_file() { meta.len().min(1 << 26) as usize } else { 0 };
    let mut buf = vec![0; hint + 1];
    let first = loop {
        match file.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Vec::new(),
            Ok(n) => break n,
        }
    };
    if first < buf.len() {
        buf.truncate(first);
        return buf;
    }
    match file.read_to_end(&mut buf) {
        Ok(_) => buf,
        Err(_) => Vec::new(),
    }
}

fn update_existing(
    call: &StateCall,
    m: &Managed,
    mut ret: StateRet,
    want: &Desired,
    mode: Option<String>,
    found: &Metadata,
    read_ahead: Option<Vec<u8>>,
) -> Result<StateRet, StateError> {
    let p = path(&m.name);
    let is_link = found.file_type().is_symlink();
    let real = if is_link && m.follow_symlinks { std::fs::canonicalize(&p).unwrap_or(p.clone()) } else { p.clone() };
    let mut written = false;
    if let Some(data) = &want.data {
        let current = match read_ahead {
            Some(current) if real == p => current,
            _ if real == p => read_current(&real, found),
            _ => std::fs::read(&real).unwrap_or_default(),
        };
        if current != *data {
            written = true;
            let diff = if obfuscated(call) {
                "<Obfuscated Template>".to_string()
            } else if !m.show_changes {
                "<show_changes=False>".to_string()
            } else {
                contents_diff(&current, data)
            };
            if !diff.is_empty() {
                ret.changes.insert("diff".into(), Value::Str(diff));
            }
            // Renaming over a symlink (follow_symlinks False) replaces the link.
            commit(call, m, &real, data)?;
        }
    }
    // (the contents written above may already have replaced the link)
    if is_link && !m.follow_symlinks && ops::is_link(&p) {
        commit(call, m, &p, want.data.as_deref().unwrap_or_default())?;
        ret.changes.insert("diff".into(), Value::str("Replace symbolic link with regular file"));
        written = true;
    }
    // An untouched regular file still has the owner and mode of the preflight `lstat`.
    let report = if written || is_link {
        check_perms(&p, &wanted(m, mode), false)?
    } else {
        check_perms_from(&p, &wanted(m, mode), false, Owner::from_meta(found, false))?
    };
    merge_perms(&mut ret, report, false);
    if !ret.changes.is_empty() {
        ret.comment = format!("File {} updated", m.name);
    } else if ret.result == Some(true) {
        ret.comment = format!("File {} is in the correct state", m.name);
    }
    Ok(ret)
}

/// Replaces the file's contents atomically, keeping its mode and owner,
/// after a minion-side backup when asked.
fn commit(call: &StateCall, m: &Managed, dest: &Path, data: &[u8]) -> Result<(), StateError> {
    if backup_mode(call, m) == "minion" && dest.exists() {
        ops::backup_minion(dest, &call.host.cachedir().join("file_backup"))?;
    }
    ops::atomic_write(dest, data, NewPerms::PreserveExisting)?;
    Ok(())
}

/// Salt's `_set_mode_and_make_dirs`: parents get `dir_mode`, or the file mode
/// with the execute bit added to each non-zero digit.
fn parent_dir_mode(m: &Managed, mode: &Option<String>) -> Option<String> {
    if m.dir_mode.is_some() {
        return m.dir_mode.clone();
    }
    let mode = mode.as_ref()?;
    let digits: Vec<char> = mode.chars().collect();
    let last3 = &digits[digits.len().saturating_sub(3)..];
    Some(
        last3
            .iter()
            .map(|&c| match c.to_digit(8) {
                Some(0) | None => c,
                Some(d) => char::from_digit(d | 1, 8).unwrap_or(c),
            })
            .collect(),
    )
}

fn create_new(m: &Managed, mut ret: StateRet, want: &Desired, mode: Option<String>) -> Result<StateRet, StateError> {
    let p = path(&m.name);
    if !p.parent().is_some_and(Path::is_dir) {
        if !m.makedirs {
            return Ok(ret.error("Parent directory not present"));
        }
        let dmode = parent_dir_mode(m, &mode);
        ops::makedirs(&p, &m.user, &m.group, dmode.as_deref())?;
    }
    // Salt creates the file first (umask 077 when a mode is set) or copies a
    // source through mkstemp (0600); check_perms then reports the mode change.
    let initial = if want.from_source || mode.is_some() { 0o600 } else { default_file_mode() };
    match &want.data {
        Some(data) => {
            ops::atomic_write(&p, data, NewPerms::Mode(initial))?;
            ret.changes.insert("diff".into(), Value::str("New file"));
        }
        None => {
            ops::atomic_write(&p, b"", NewPerms::Mode(initial))?;
            ret.changes.insert("new".into(), Value::Str(format!("file {} created", m.name)));
            ret.comment = "Empty file".into();
        }
    }
    let final_mode = mode.or_else(|| Some(normalize_mode_str(&format!("{:o}", default_file_mode()))));
    let report = check_perms(&p, &wanted(m, final_mode), false)?;
    merge_perms(&mut ret, report, false);
    if ret.comment.is_empty() {
        ret.comment = format!("File {} updated", m.name);
    }
    if ret.changes.is_empty() && ret.result == Some(true) {
        ret.comment = format!("File {} is in the correct state", m.name);
    }
    Ok(ret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brine_modules::file::stat::parse_mode;

    #[test]
    fn plain_text_is_joined_as_its_lines_are() {
        for s in ["", "a", "a\n", "a\nb", "a\n\n", "\n", "\n\nx", "é\n€", "a\r\nb", "a\rb\x0cc\u{2028}", "x\u{85}"] {
            let by_lines: String = py_splitlines(s).into_iter().map(|l| l + "\n").collect();
            assert_eq!(lines_with_newlines(s), by_lines, "{s:?}");
        }
    }

    #[test]
    fn splitlines_like_python() {
        assert_eq!(py_splitlines("a\nb\r\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(py_splitlines("a\n\n"), vec!["a", ""]);
        assert!(py_splitlines("").is_empty());
    }

    #[test]
    fn dir_mode_from_file_mode() {
        let m = Managed {
            name: String::new(),
            sources: Vec::new(),
            source_is_list: false,
            user: Value::Null,
            group: Value::Null,
            mode: None,
            keep_mode: false,
            template: None,
            makedirs: true,
            dir_mode: None,
            context: Value::Null,
            defaults: Value::Null,
            replace: true,
            backup: String::new(),
            show_changes: true,
            create: true,
            contents: None,
            contents_pillar: None,
            contents_grains: None,
            contents_newline: true,
            contents_delimiter: ":".into(),
            allow_empty: true,
            follow_symlinks: true,
            check_cmd: None,
            tmp_dir: String::new(),
            tmp_ext: String::new(),
            attrs: None,
            file_mode_given: false,
        };
        assert_eq!(parent_dir_mode(&m, &Some("0640".into())).as_deref(), Some("750"));
        assert_eq!(parent_dir_mode(&m, &None), None);
        assert_eq!(parse_mode("750"), Some(0o750));
    }
}
