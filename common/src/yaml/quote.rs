//! Salt's Jinja filters `yaml_dquote`, `yaml_squote` and `yaml_encode`
//! (salt/utils/yamlencoding.py). The quoting ones call PyYAML's pure-Python
//! emitter writers with an unbounded width and without `allow_unicode`, so
//! they never fold lines and escape every non-ASCII character.
//! They must not follow the dumper's libyaml rules, which differ.

use crate::Value;

use super::emit::{dump, escape, float_text, DumpOptions};

/// `yaml_encode` of a list or a map: Salt raises a `TypeError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("yaml_encode() only works with YAML scalar data; failed for <class '{type_name}'>")]
pub struct EncodeError {
    /// Python's type name of the value (`list`, `dict`).
    pub type_name: &'static str,
}

/// `yaml_dquote`: `text` as a YAML double-quoted scalar, quotes included.
pub fn dquote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        let plain = (' '..='~').contains(&c) && c != '"' && c != '\\';
        if plain {
            out.push(c);
        } else {
            out.push_str(&escape(c));
        }
    }
    out.push('"');
    out
}

/// `yaml_squote`: `text` as a YAML single-quoted scalar, quotes included.
/// Quotes are doubled; a run of line breaks starting with `\n` gets one
/// more `\n` so that it reads back unchanged.
pub fn squote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    let mut in_breaks = false;
    for c in text.chars() {
        let is_break = matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if is_break && !in_breaks && c == '\n' {
            out.push('\n');
        }
        in_breaks = is_break;
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `yaml_encode`: a scalar as YAML (`true`, `null`, `1.5`, `"text"`).
pub fn try_encode_scalar(v: &Value) -> Result<String, EncodeError> {
    match v {
        Value::Str(s) => Ok(dquote(s)),
        Value::Null => Ok("null".into()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Float(f) => Ok(float_text(*f)),
        Value::List(_) => Err(EncodeError { type_name: "list" }),
        Value::Map(_) => Err(EncodeError { type_name: "dict" }),
    }
}

/// `yaml_encode` for callers that cannot fail: a list or map, which Salt
/// rejects (see [`try_encode_scalar`]), comes out in flow style.
pub fn encode_scalar(v: &Value) -> String {
    try_encode_scalar(v).unwrap_or_else(|_| {
        dump(
            v,
            &DumpOptions {
                flow: Some(true),
                ..DumpOptions::default()
            },
        )
        .trim_end_matches('\n')
        .to_string()
    })
}
