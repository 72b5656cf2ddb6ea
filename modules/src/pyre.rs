//! Python `re` compatibility for `file.replace`/`file.search`: flags given as
//! Salt accepts them (int, name or list of names), translation of the few
//! syntax differences to `fancy_regex`, and `re.subn` with Python's
//! replacement-template syntax (`\1`, `\g<name>`, `\n`).
//!
//! It must not touch files: it works on text handed to it.

use brine_common::Value;
use fancy_regex::{Captures, Regex};

use crate::ModuleError;

const IGNORECASE: i64 = 2;
const MULTILINE: i64 = 8;
const DOTALL: i64 = 16;
const VERBOSE: i64 = 64;

/// Salt's `_get_flags`: an int, a flag name, or a list of flag names.
pub fn parse_flags(flags: &Value) -> Result<i64, ModuleError> {
    match flags {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::Str(s) => flag_value(s),
        Value::List(items) => items.iter().try_fold(0, |acc, f| Ok(acc | flag_value(&f.py_str())?)),
        other => Err(ModuleError::Execution(format!(
            "Invalid re flags: \"{}\", must be given either as a single flag string, a list of strings, as an integer, or as an re flag",
            other.py_str()
        ))),
    }
}

fn flag_value(name: &str) -> Result<i64, ModuleError> {
    let v = match name.to_uppercase().as_str() {
        "I" | "IGNORECASE" => IGNORECASE,
        "L" | "LOCALE" => 4,
        "M" | "MULTILINE" => MULTILINE,
        "S" | "DOTALL" => DOTALL,
        "U" | "UNICODE" => 32,
        "X" | "VERBOSE" => VERBOSE,
        "A" | "ASCII" => 256,
        _ => return Err(ModuleError::Execution(format!("Invalid re flag given: {name}"))),
    };
    Ok(v)
}

/// Compiles a Python pattern with Python flags.
pub fn compile(pattern: &str, flags: i64) -> Result<Regex, ModuleError> {
    let mut prefix = String::new();
    for (bit, letter) in [(IGNORECASE, 'i'), (MULTILINE, 'm'), (DOTALL, 's'), (VERBOSE, 'x')] {
        if flags & bit != 0 {
            prefix.push(letter);
        }
    }
    let translated = translate(pattern);
    let full = if prefix.is_empty() { translated } else { format!("(?{prefix}){translated}") };
    Regex::new(&full).map_err(|e| ModuleError::Execution(format!("{e}: '{pattern}'")))
}

/// Rewrites Python-only syntax: `\Z` -> `\z`, `(?P=name)` -> `\k<name>`.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('Z') => out.push_str("\\z"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
            continue;
        }
        out.push(c);
    }
    rewrite_named_backrefs(&out)
}

fn rewrite_named_backrefs(p: &str) -> String {
    let mut out = String::new();
    let mut rest = p;
    while let Some(pos) = rest.find("(?P=") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 4..];
        match after.find(')') {
            Some(end) => {
                out.push_str(&format!("\\k<{}>", &after[..end]));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[pos..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// One piece of a parsed replacement template.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Group(usize),
    Named(String),
}

fn parse_template(repl: &str) -> Result<Vec<Piece>, ModuleError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let chars: Vec<char> = repl.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' {
            text.push(chars[i]);
            i += 1;
            continue;
        }
        let next = *chars.get(i + 1).ok_or_else(|| bad_escape("\\ at end of pattern"))?;
        i += 2;
        let piece = match next {
            'n' => Piece::Text("\n".into()),
            't' => Piece::Text("\t".into()),
            'r' => Piece::Text("\r".into()),
            'f' => Piece::Text("\x0c".into()),
            'v' => Piece::Text("\x0b".into()),
            'a' => Piece::Text("\x07".into()),
            'b' => Piece::Text("\x08".into()),
            '\\' => Piece::Text("\\".into()),
            'g' => {
                let (name, used) = group_name(&chars[i..])?;
                i += used;
                match name.parse::<usize>() {
                    Ok(n) => Piece::Group(n),
                    Err(_) => Piece::Named(name),
                }
            }
            d if d.is_ascii_digit() => {
                let mut num = d.to_digit(10).unwrap_or(0) as usize;
                if let Some(d2) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    num = num * 10 + d2 as usize;
                    i += 1;
                }
                Piece::Group(num)
            }
            c if c.is_ascii_alphabetic() => return Err(bad_escape(&format!("bad escape \\{c}"))),
            c => Piece::Text(format!("\\{c}")),
        };
        if let Piece::Text(t) = &piece {
            text.push_str(t);
        } else {
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(piece);
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn group_name(chars: &[char]) -> Result<(String, usize), ModuleError> {
    if chars.first() != Some(&'<') {
        return Err(bad_escape("missing <"));
    }
    let end = chars.iter().position(|&c| c == '>').ok_or_else(|| bad_escape("missing >, unterminated name"))?;
    Ok((chars[1..end].iter().collect(), end + 1))
}

fn bad_escape(msg: &str) -> ModuleError {
    ModuleError::Execution(msg.to_string())
}

fn expand(pieces: &[Piece], caps: &Captures) -> Result<String, ModuleError> {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Group(n) => {
                if *n >= caps.len() {
                    return Err(ModuleError::Execution(format!("invalid group reference {n}")));
                }
                out.push_str(caps.get(*n).map(|m| m.as_str()).unwrap_or(""));
            }
            Piece::Named(name) => {
                let m = caps.name(name).map(|m| m.as_str()).unwrap_or("");
                out.push_str(m);
            }
        }
    }
    Ok(out)
}

/// Python's `re.subn(regex, repl, text, count)` (count 0 = all).
pub fn subn(regex: &Regex, repl: &str, text: &str, count: usize) -> Result<(String, usize), ModuleError> {
    let pieces = parse_template(repl)?;
    let mut out = String::with_capacity(text.len());
    let (mut pos, mut last, mut n) = (0usize, 0usize, 0usize);
    let mut must_advance = false;
    while pos <= text.len() && (count == 0 || n < count) {
        let caps = match regex.captures_from_pos(text, pos) {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Err(ModuleError::Execution(e.to_string())),
        };
        let Some(m) = caps.get(0) else { break };
        if must_advance && m.start() == pos && m.end() == pos {
            pos = next_char_boundary(text, pos);
            must_advance = false;
            continue;
        }
        out.push_str(&text[last..m.start()]);
        out.push_str(&expand(&pieces, &caps)?);
        last = m.end();
        must_advance = m.start() == m.end();
        pos = m.end();
        n += 1;
    }
    out.push_str(&text[last.min(text.len())..]);
    Ok((out, n))
}

fn next_char_boundary(text: &str, pos: usize) -> usize {
    let mut p = pos + 1;
    while p < text.len() && !text.is_char_boundary(p) {
        p += 1;
    }
    p
}

/// Python's `re.escape`.
pub fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subn_like_python() {
        let r = compile("x*", 0).unwrap();
        assert_eq!(subn(&r, "-", "abxd", 0).unwrap(), ("-a-b--d-".to_string(), 5));
        let r = compile(r"^(\w+)=(?P<v>.*)$", MULTILINE).unwrap();
        let (out, n) = subn(&r, r"\1: \g<v>\n", "a=1\nb=2\n", 0).unwrap();
        assert_eq!((out.as_str(), n), ("a: 1\n\nb: 2\n\n", 2));
        let r = compile("o", 0).unwrap();
        assert_eq!(subn(&r, "0", "foo", 1).unwrap().0, "f0o");
    }

    #[test]
    fn flags_parse() {
        assert_eq!(parse_flags(&Value::Int(8)).unwrap(), 8);
        assert_eq!(parse_flags(&Value::str("multiline")).unwrap(), 8);
        let l = Value::List(vec![Value::str("IGNORECASE"), Value::str("MULTILINE")]);
        assert_eq!(parse_flags(&l).unwrap(), 10);
        assert!(parse_flags(&Value::str("bogus")).is_err());
    }

    #[test]
    fn escape_like_python() {
        assert_eq!(escape("a.b c"), "a\\.b\\ c");
    }
}
