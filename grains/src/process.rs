//! Grains about the running process and its environment: cwd, path,
//! systempath, shell, username, groupname, uid, gid, pid and locale_info.
//!
//! Users and groups come from /etc/passwd and /etc/group below the root and
//! the effective ids from /proc/self/status, so a fake tree can stand in for
//! them. It must not change the process (no setlocale, no chdir).

use brine_common::{Map, Value};

use crate::root::Root;

pub fn cwd(g: &mut Map) {
    let dir = std::env::current_dir().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    g.insert("cwd".into(), dir.into());
}

/// path and systempath from `$PATH`.
pub fn path(path_var: &str, g: &mut Map) {
    let path = path_var.trim();
    g.insert("path".into(), path.into());
    g.insert("systempath".into(), Value::List(path.split(':').map(Value::str).collect()));
}

pub fn shell(shell_var: Option<&str>, g: &mut Map) {
    g.insert("shell".into(), shell_var.unwrap_or("/bin/sh").into());
}

/// username, groupname, pid, gid, uid (`minion_process.grains`).
pub fn user_grains(root: &Root, g: &mut Map) {
    let status = root.read("/proc/self/status").unwrap_or_default();
    let uid = effective_id(&status, "Uid:");
    let gid = effective_id(&status, "Gid:");
    let passwd = uid.and_then(|u| passwd_entry(root, u));
    if let Some((name, _)) = &passwd {
        g.insert("username".into(), name.clone().into());
    }
    let group = passwd.and_then(|(_, primary)| group_name(root, primary)).unwrap_or_default();
    g.insert("groupname".into(), group.into());
    g.insert("pid".into(), Value::Int(i64::from(std::process::id())));
    for (key, id) in [("gid", gid), ("uid", uid)] {
        if let Some(id) = id {
            g.insert(key.into(), Value::Int(i64::from(id)));
        }
    }
}

/// The effective id: second number of the `Uid:`/`Gid:` line.
fn effective_id(status: &str, key: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().nth(1)?.parse().ok()
}

/// (name, primary gid) of the passwd entry for `uid`.
fn passwd_entry(root: &Root, uid: u32) -> Option<(String, u32)> {
    root.read("/etc/passwd")?.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        match f.as_slice() {
            [name, _, u, gid, ..] if u.parse() == Ok(uid) => Some((name.to_string(), gid.parse().ok()?)),
            _ => None,
        }
    })
}

fn group_name(root: &Root, gid: u32) -> Option<String> {
    root.read("/etc/group")?.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        match f.as_slice() {
            [name, _, g, ..] if g.parse() == Ok(gid) => Some(name.to_string()),
            _ => None,
        }
    })
}

/// locale_info as Salt's Python reports it: `locale.getlocale()` after
/// Python's start-up (which coerces the C locale to C.UTF-8 and maps that
/// to en_US), the lowercased preferred encoding, and the zone abbreviation.
pub fn locale_info(lc_ctype: Option<&str>, timezone: Option<String>, g: &mut Map) {
    let (language, encoding) = python_getlocale(lc_ctype.unwrap_or(""));
    let mut info = Map::default();
    info.insert("defaultlanguage".into(), language.into());
    info.insert("defaultencoding".into(), encoding.clone().into());
    info.insert("detectedencoding".into(), encoding.to_lowercase().into());
    info.insert("timezone".into(), timezone.unwrap_or_else(|| "unknown".into()).into());
    g.insert("locale_info".into(), Value::Map(info));
}

/// (language, encoding) for an LC_CTYPE value such as `de_DE.utf8@euro`.
fn python_getlocale(value: &str) -> (String, String) {
    let base = value.split('@').next().unwrap_or("");
    let (lang, enc) = base.split_once('.').unwrap_or((base, ""));
    if lang.is_empty() || lang == "C" || lang == "POSIX" {
        return ("en_US".into(), "UTF-8".into());
    }
    (lang.to_string(), normalize_encoding(enc))
}

fn normalize_encoding(enc: &str) -> String {
    match enc.to_lowercase().replace('_', "-").as_str() {
        "" | "utf8" | "utf-8" => "UTF-8".into(),
        "iso8859-1" | "iso-8859-1" | "latin1" => "ISO8859-1".into(),
        "iso8859-15" | "iso-8859-15" | "latin9" => "ISO8859-15".into(),
        other => other.to_uppercase(),
    }
}
