//! Text-level file operations with Salt's semantics: diffs between old and
//! new contents (`file.get_diff`, binary detection), `file.search`,
//! `file.replace` and `file.append`.
//!
//! Diff and search only read; `replace` and `append` write only when asked
//! (`dry_run=False`).

use std::path::Path;

use fancy_regex::Regex;

use super::ops::{atomic_write, NewPerms};
use super::perms::{check_perms, PermsWanted};
use super::stat::stats;
use crate::{difflib, pyre, ModuleError};

/// Salt's `stringutils.is_binary` on a block of bytes.
pub fn is_binary(data: &[u8]) -> bool {
    if data.is_empty() {
        return false;
    }
    if data.contains(&0) {
        return true;
    }
    let valid_utf8 = match std::str::from_utf8(data) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    let nontext = data.iter().filter(|&&b| !is_text_byte(b, valid_utf8)).count();
    nontext as f64 / data.len() as f64 > 0.3
}

fn is_text_byte(b: u8, high_ok: bool) -> bool {
    (32..127).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x08) || (high_ok && (128..255).contains(&b))
}

/// Salt's `files.is_text`: the first 512 bytes are not binary.
pub fn is_text(data: &[u8]) -> bool {
    !is_binary(&data[..data.len().min(512)])
}

/// Decodes bytes as Salt's `decode_list` does (UTF-8, else Latin-1).
pub fn decode(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(s) => s.to_string(),
        Err(_) => data.iter().map(|&b| b as char).collect(),
    }
}

/// Salt's `file.get_diff(old, new, show_filenames=False)` on contents: "" when
/// equal, a note for binary data, else the unified diff.
pub fn contents_diff(old: &[u8], new: &[u8]) -> String {
    if old == new {
        return String::new();
    }
    match (is_text(old), is_text(new)) {
        (false, false) => "Replace binary file".into(),
        (false, true) => "Replace binary file with text file".into(),
        (true, false) => "Replace text file with binary file".into(),
        (true, true) => difflib::text_diff(&decode(old), &decode(new)),
    }
}

/// Salt's `file.search(path, pattern, flags, multiline)`.
pub fn search(path: &Path, pattern: &str, flags: i64, multiline: bool) -> Result<bool, ModuleError> {
    let flags = if multiline { flags | 8 } else { flags };
    let text = read_text(path)?;
    let regex = pyre::compile(pattern, flags)?;
    regex.is_match(&text).map_err(|e| ModuleError::Execution(e.to_string()))
}

fn read_text(path: &Path) -> Result<String, ModuleError> {
    let data = std::fs::read(path)
        .map_err(|e| ModuleError::Execution(format!("Unable to open file '{}'. Exception: {e}", path.display())))?;
    Ok(decode(&data))
}

/// Arguments of `file.replace`.
#[derive(Debug, Clone)]
pub struct ReplaceArgs {
    pub pattern: String,
    pub repl: String,
    pub count: usize,
    pub flags: i64,
    pub append_if_not_found: bool,
    pub prepend_if_not_found: bool,
    pub not_found_content: Option<String>,
    pub backup: Option<String>,
    pub dry_run: bool,
    pub backslash_literal: bool,
}

/// Salt's `file.replace` (bytes mode): returns the unified diff of the change
/// ("" when nothing changes) and, unless `dry_run`, writes the new contents.
pub fn replace(path: &Path, args: &ReplaceArgs) -> Result<String, ModuleError> {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !real.exists() {
        return Err(ModuleError::Invocation(format!("File not found: {}", real.display())));
    }
    let raw = std::fs::read(&real).map_err(|e| ModuleError::Execution(e.to_string()))?;
    if !is_text(&raw) {
        return Err(ModuleError::Invocation(format!(
            "Cannot perform string replacements on a binary file: {}",
            real.display()
        )));
    }
    if args.append_if_not_found && args.prepend_if_not_found {
        return Err(ModuleError::Invocation("Only one of append and prepend_if_not_found is permitted".into()));
    }
    let orig = decode(&raw);
    let new = replaced_text(&orig, args)?;
    if new != orig && !args.dry_run {
        write_replaced(&real, &orig, &new, args)?;
    }
    Ok(difflib::text_diff(&orig, &new))
}

fn replaced_text(orig: &str, args: &ReplaceArgs) -> Result<String, ModuleError> {
    let regex = pyre::compile(&args.pattern, args.flags)?;
    let repl = if args.backslash_literal { args.repl.replace('\\', "\\\\") } else { args.repl.clone() };
    let (mut result, nrepl) = pyre::subn(&regex, &repl, orig, args.count)?;
    if !(args.append_if_not_found || args.prepend_if_not_found) {
        return Ok(result);
    }
    let content = args.not_found_content.clone().unwrap_or_else(|| args.repl.clone());
    if nrepl > 0 || content_present(&content, orig, args.flags)? {
        return Ok(result);
    }
    if args.prepend_if_not_found {
        result = format!("{content}\n{result}");
    } else {
        if !result.is_empty() && !result.ends_with('\n') {
            result.push('\n');
        }
        result.push_str(&content);
        result.push('\n');
    }
    Ok(result)
}

fn content_present(content: &str, text: &str, flags: i64) -> Result<bool, ModuleError> {
    let pattern = format!("^{}($|(?=\r\n))", pyre::escape(content));
    let regex: Regex = pyre::compile(&pattern, flags)?;
    regex.is_match(text).map_err(|e| ModuleError::Execution(e.to_string()))
}

fn write_replaced(real: &Path, orig: &str, new: &str, args: &ReplaceArgs) -> Result<(), ModuleError> {
    let before = stats(real, None, true)?;
    if let Some(suffix) = args.backup.as_deref().filter(|s| !s.is_empty()) {
        let backup = format!("{}{suffix}", real.display());
        let bits = super::stat::parse_mode(&before.mode).unwrap_or(0o600);
        atomic_write(Path::new(&backup), orig.as_bytes(), NewPerms::Mode(bits))?;
    }
    atomic_write(real, new.as_bytes(), NewPerms::PreserveExisting)?;
    let want = PermsWanted {
        user: brine_common::Value::str(&before.user),
        group: brine_common::Value::str(&before.group),
        mode: Some(before.mode),
        follow_symlinks: true,
    };
    check_perms(real, &want, false).map(|_| ())
}

/// Salt's `file.append(path, *args)`: adds a newline if the file does not end
/// with one, then each line plus a newline.
pub fn append(path: &Path, lines: &[String]) -> Result<String, ModuleError> {
    use std::io::Write;
    let existing = std::fs::read(path).map_err(|e| ModuleError::Execution(e.to_string()))?;
    let mut f =
        std::fs::OpenOptions::new().append(true).open(path).map_err(|e| ModuleError::Execution(e.to_string()))?;
    let mut out = String::new();
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        out.push('\n');
    }
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    f.write_all(out.as_bytes()).map_err(|e| ModuleError::Execution(e.to_string()))?;
    Ok(format!("Wrote {} lines to \"{}\"", lines.len(), path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("brine-text-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn args(pattern: &str, repl: &str) -> ReplaceArgs {
        ReplaceArgs {
            pattern: pattern.into(),
            repl: repl.into(),
            count: 0,
            flags: 8,
            append_if_not_found: false,
            prepend_if_not_found: false,
            not_found_content: None,
            backup: Some(".bak".into()),
            dry_run: false,
            backslash_literal: false,
        }
    }

    #[test]
    fn binary_detection() {
        assert!(is_binary(b"a\0b"));
        assert!(!is_binary(b"plain text\n"));
        assert!(!is_binary("héllo".as_bytes()));
        assert_eq!(contents_diff(b"a\0", b"b\n"), "Replace binary file with text file");
    }

    #[test]
    fn replace_writes_backup_and_returns_diff() {
        let dir = tmp("replace");
        let f = dir.join("conf");
        std::fs::write(&f, "port=80\nhost=a\n").unwrap();
        let diff = replace(&f, &args("^port=.*$", "port=8080")).unwrap();
        assert_eq!(diff, "--- \n+++ \n@@ -1,2 +1,2 @@\n-port=80\n+port=8080\n host=a\n");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "port=8080\nhost=a\n");
        assert_eq!(std::fs::read_to_string(dir.join("conf.bak")).unwrap(), "port=80\nhost=a\n");
        assert_eq!(replace(&f, &args("^port=.*$", "port=8080")).unwrap(), "");
        let mut a = args("^missing=.*$", "missing=1");
        a.append_if_not_found = true;
        a.dry_run = true;
        assert!(replace(&f, &a).unwrap().ends_with("+missing=1\n"));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "port=8080\nhost=a\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn append_and_search() {
        let dir = tmp("append");
        let f = dir.join("a");
        std::fs::write(&f, "one").unwrap();
        append(&f, &["two".to_string()]).unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "one\ntwo\n");
        assert!(search(&f, "^two$", 0, true).unwrap());
        assert!(!search(&f, "^three$", 0, true).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
