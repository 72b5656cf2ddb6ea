//! `file.append` and `file.replace`: in-place text edits with Salt's
//! whitespace-insensitive "already there" check, diffs and comments.
//!
//! Writes only the named file (and `replace`'s backup copy).

use std::path::Path;

use brine_common::Value;
use brine_modules::file::text::{self, is_text, ReplaceArgs};
use brine_modules::{difflib, pyre};

use super::{basic, path, target_path};
use crate::mods::parse::{flag, opt_map, opt_str, opt_value};
use crate::mods::{StateCall, StateError, StateRet};

/// Salt's `_check_file`.
fn check_file(name: &str) -> Result<(), String> {
    let p = path(name);
    if !p.is_absolute() {
        return Err(format!("Specified file {name} is not an absolute path"));
    }
    if !p.exists() {
        return Err(format!("{name}: file not found"));
    }
    Ok(())
}

/// Python's non-POSIX `shlex` with `whitespace_split`, as Salt's
/// `build_whitespace_split_regex` configures it.
fn shlex_words(line: &str) -> Vec<String> {
    let quotes: &[char] = if line.contains("'\\\"") {
        &[]
    } else if line.contains('\'') {
        &['"']
    } else if line.contains('"') {
        &['\'']
    } else {
        &['\'', '"']
    };
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) => {
                word.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            None => {
                if quotes.contains(&c) {
                    quote = Some(c);
                }
                word.push(c);
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Salt's `build_whitespace_split_regex`.
fn whitespace_regex(text: &str) -> String {
    let mut regex = String::new();
    for line in text.lines() {
        let parts: Vec<String> = shlex_words(line).iter().map(|w| pyre::escape(w)).collect();
        regex.push_str(&format!("(?:[\\s]+)?{}(?:[\\s]+)?", parts.join("(?:[\\s]+)?")));
    }
    format!("(?m)^{regex}$")
}

/// The texts to append: `text`, or rendered `source`/`sources`.
fn texts(call: &StateCall, name: &str) -> Result<Vec<String>, Box<StateRet>> {
    let a = call.args;
    let source = opt_value(a, "source").filter(Value::truthy);
    let sources = match opt_value(a, "sources") {
        Some(Value::List(l)) => l,
        _ => Vec::new(),
    };
    if source.is_some() && !sources.is_empty() {
        return Err(Box::new(StateRet::new(name).error("source and sources are mutually exclusive")));
    }
    let hash_given = opt_value(a, "source_hash").is_some_and(|h| h.truthy());
    if hash_given && matches!(opt_value(a, "source_hashes"), Some(Value::List(l)) if !l.is_empty()) {
        return Err(Box::new(StateRet::new(name).error("source_hash and source_hashes are mutually exclusive")));
    }
    let list: Vec<String> = source.into_iter().chain(sources).map(|s| s.py_str()).collect();
    if list.is_empty() {
        return Ok(match a.get("text") {
            Some(Value::List(items)) => items.iter().map(Value::py_str).collect(),
            Some(v) => vec![v.py_str()],
            None => vec!["None".to_string()],
        });
    }
    list.iter().map(|src| render_text(call, src)).collect()
}

fn render_text(call: &StateCall, src: &str) -> Result<String, Box<StateRet>> {
    let failed = || Box::new(StateRet::new(src).error(format!("Failed to load template file {src}")));
    let local = call.host.cache_file(src, call.saltenv).map_err(|_| failed())?;
    let raw = std::fs::read(&local).map_err(|_| failed())?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let template = opt_str(call.args, "template").unwrap_or_else(|| "jinja".into());
    let mut ctx = opt_map(call.args, "defaults").unwrap_or_default();
    ctx.extend(opt_map(call.args, "context").unwrap_or_default());
    let sls = call.low.get("__sls__").map(Value::py_str).unwrap_or_default();
    let rendered = call.host.render_template(&template, &raw, src, &ctx, call.saltenv, &sls).map_err(|_| failed())?;
    if rendered.is_empty() {
        return Err(Box::new(StateRet::new(src).error(format!("Failed to read rendered template file {src} ({src})"))));
    }
    Ok(rendered)
}

fn file_lines(p: &Path) -> Vec<String> {
    let data = std::fs::read(p).unwrap_or_default();
    text::decode(&data).lines().map(str::to_string).collect()
}

/// Salt's `'\n'.join(difflib.unified_diff(a, b))` on lines without ends.
fn lines_diff(p: &Path, old: &[String], new: &[String]) -> String {
    if !is_text(&std::fs::read(p).unwrap_or_default()) {
        return "Replace binary file".into();
    }
    difflib::unified_diff(old, new, "", "", "\n").join("\n")
}

fn lines_to_append(call: &StateCall, p: &Path, chunks: &[String]) -> Result<Vec<String>, StateError> {
    let mut out = Vec::new();
    for chunk in chunks {
        let pattern = if flag(call.args, "ignore_whitespace", true) { whitespace_regex(chunk) } else { chunk.clone() };
        if text::search(p, &pattern, 8, true)? {
            continue;
        }
        out.extend(chunk.lines().map(str::to_string));
    }
    Ok(out)
}

pub fn append(call: &StateCall) -> Result<StateRet, StateError> {
    let name = target_path(call);
    let mut ret = StateRet::new(name.clone()).with_result(Some(false));
    if name.is_empty() {
        return Ok(ret.error("Must provide name to file.append"));
    }
    let p = path(&name);
    if flag(call.args, "makedirs", false) {
        let dirname = p.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
        if call.test {
            ret = ret.with_result(None).with_comment(format!("Directory {dirname} is set to be updated"));
        } else if !Path::new(&dirname).is_dir() {
            brine_modules::file::ops::makedirs(&p, &Value::Null, &Value::Null, None)?;
        }
    }
    if let Err(msg) = check_file(&name) {
        let touched = basic::touch(call)?;
        if call.test {
            return Ok(touched);
        }
        if check_file(&name).is_err() {
            return Ok(ret.error(msg));
        }
    }
    let chunks = match texts(call, &name) {
        Ok(t) => t,
        Err(failed) => return Ok(*failed),
    };
    let slines = file_lines(&p);
    let additions = lines_to_append(call, &p, &chunks)?;
    if call.test {
        return Ok(predict_append(ret, &p, &name, &slines, &additions));
    }
    ret.comment = if additions.is_empty() {
        format!("File {name} is in correct state")
    } else {
        text::append(&p, &additions)?;
        format!("Appended {} lines", additions.len())
    };
    let nlines = file_lines(&p);
    if slines != nlines {
        ret.changes.insert("diff".into(), Value::Str(lines_diff(&p, &slines, &nlines)));
    }
    Ok(ret.with_result(Some(true)))
}

fn predict_append(ret: StateRet, p: &Path, name: &str, slines: &[String], additions: &[String]) -> StateRet {
    let mut ret = ret.with_result(None).with_comment(format!("File {name} is set to be updated"));
    let nlines: Vec<String> = slines.iter().chain(additions.iter()).cloned().collect();
    if nlines.as_slice() == slines {
        return ret.with_result(Some(true)).with_comment(format!("File {name} is in correct state"));
    }
    ret.changes.insert("diff".into(), Value::Str(lines_diff(p, slines, &nlines)));
    ret
}

fn replace_args(call: &StateCall) -> Result<ReplaceArgs, StateError> {
    let a = call.args;
    let count = match a.get("count") {
        None | Some(Value::Null) => 0,
        Some(Value::Int(i)) => (*i).max(0) as usize,
        Some(v) => v.py_str().parse().map_err(|_| StateError::Invocation("count must be an integer".into()))?,
    };
    let backup = match a.get("backup") {
        None => Some(".bak".to_string()),
        Some(v) if v.truthy() => Some(v.py_str()),
        Some(_) => None,
    };
    Ok(ReplaceArgs {
        pattern: opt_str(a, "pattern").unwrap_or_default(),
        repl: opt_str(a, "repl").unwrap_or_default(),
        count,
        flags: pyre::parse_flags(a.get("flags").unwrap_or(&Value::Int(8)))?,
        append_if_not_found: flag(a, "append_if_not_found", false),
        prepend_if_not_found: flag(a, "prepend_if_not_found", false),
        not_found_content: opt_str(a, "not_found_content"),
        backup,
        dry_run: call.test,
        backslash_literal: flag(a, "backslash_literal", false),
    })
}

pub fn replace(call: &StateCall) -> Result<StateRet, StateError> {
    let name = target_path(call);
    let ret = StateRet::new(name.clone());
    if name.is_empty() {
        return Ok(ret.error("Must provide name to file.replace"));
    }
    if let Err(msg) = check_file(&name) {
        if flag(call.args, "ignore_if_missing", false) && msg.contains("file not found") {
            return Ok(ret.with_comment("No changes needed to be made"));
        }
        return Ok(ret.error(msg));
    }
    let diff = text::replace(&path(&name), &replace_args(call)?)?;
    if diff.is_empty() {
        return Ok(ret.with_comment("No changes needed to be made"));
    }
    let mut ret = ret;
    let shown = if flag(call.args, "show_changes", true) { Value::Str(diff) } else { Value::Bool(true) };
    ret.changes.insert("diff".into(), shown);
    if call.test {
        return Ok(ret.with_result(None).with_comment("Changes would have been made"));
    }
    Ok(ret.with_comment("Changes were made"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_regex_like_salt() {
        assert_eq!(whitespace_regex("a  b"), "(?m)^(?:[\\s]+)?a(?:[\\s]+)?b(?:[\\s]+)?$");
        assert_eq!(shlex_words("say \"a b\" c"), vec!["say", "\"a", "b\"", "c"]);
        assert_eq!(shlex_words("say 'a b' c"), vec!["say", "'a", "b'", "c"]);
        assert_eq!(shlex_words("x 'a b'"), vec!["x", "'a", "b'"]);
        assert_eq!(
            whitespace_regex("x = \"a b\""),
            "(?m)^(?:[\\s]+)?x(?:[\\s]+)?=(?:[\\s]+)?\"a(?:[\\s]+)?b\"(?:[\\s]+)?$"
        );
        let re = pyre::compile(&whitespace_regex("x = \"a b\""), 8).unwrap();
        assert!(re.is_match("  x   =  \"a b\"\n").unwrap());
    }
}
