//! Outputters shared by `salt` and `salt-call`: `json`, `nested`, `yaml`, `txt`.
//!
//! Each takes the whole return (`{minion_id: data}`) and gives the text Salt
//! prints, without colour (brine prints no escape codes unless asked). The
//! `highstate` outputter lives with the state engine, which owns its data.
//!
//! It must not decide which outputter a function uses: callers pick.

use crate::{yaml, Value};

/// Salt's `json` outputter: four-space indent, keys in insertion order.
pub fn json(v: &Value) -> String {
    let mut buf = Vec::new();
    if write_json(v, &mut buf).is_err() {
        return v.to_json().to_string();
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// [`json`] straight into a writer, for large returns (no intermediate string).
pub fn write_json(v: &Value, out: &mut impl std::io::Write) -> Result<(), serde_json::Error> {
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(out, fmt);
    serde::Serialize::serialize(v, &mut ser)
}


/// Salt's `yaml` outputter (`yaml.safe_dump` in block style).
pub fn yaml(v: &Value) -> String {
    yaml::dump(v, Some(false)).trim_end_matches('\n').to_string()
}

/// Salt's `nested` outputter, the default for execution functions (dict keys
/// sorted, as Salt does for plain dicts).
pub fn nested(v: &Value) -> String {
    let mut out = Vec::new();
    display(v, 0, "", &mut out);
    out.join("\n")
}

fn line(indent: usize, prefix: &str, msg: &str, suffix: &str) -> String {
    format!("{}{}{}{}", " ".repeat(indent), prefix, msg, suffix)
}

fn display(v: &Value, indent: usize, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => out.push(line(indent, prefix, &v.py_repr(), "")),
        Value::Str(s) => {
            for (i, l) in s.lines().enumerate() {
                let p = if i == 0 { prefix.to_string() } else { " ".repeat(prefix.len()) };
                out.push(line(indent, &p, l, ""));
            }
        }
        Value::List(items) => {
            for item in items {
                match item {
                    Value::List(_) | Value::Map(_) => {
                        out.push(line(indent, "", "|_", ""));
                        let p = if matches!(item, Value::Map(_)) { "" } else { "- " };
                        display(item, indent + 2, p, out);
                    }
                    _ => display(item, indent, "- ", out),
                }
            }
        }
        Value::Map(m) => {
            if indent > 0 {
                out.push(line(indent, "", "----------", ""));
            }
            // Salt sorts the keys of plain dicts, which is what most returns are.
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                out.push(line(indent, prefix, k, ":"));
                display(&m[k.as_str()], indent + 4, "", out);
            }
        }
    }
}

/// Salt's `txt` outputter: `id: value` per line.
pub fn txt(v: &Value) -> String {
    match v {
        Value::Map(m) => m.iter().map(|(k, x)| format!("{k}: {}", x.py_str())).collect::<Vec<_>>().join("\n"),
        other => other.py_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_matches_salt_layout() {
        let v = Value::from_json(&serde_json::json!({"local": {"b": true, "a": [1, "x"]}}));
        assert_eq!(nested(&v), "local:\n    ----------\n    a:\n        - 1\n        - x\n    b:\n        True");
    }

    #[test]
    fn json_uses_four_spaces() {
        let v = Value::from_json(&serde_json::json!({"local": true}));
        assert_eq!(json(&v), "{\n    \"local\": true\n}");
    }
}
