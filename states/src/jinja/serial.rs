//! Serialisation for templates: Salt's YAML filters and tags through
//! `brine_common::yaml` (this file only adapts values and error texts), and
//! Python's `json.dumps` / `json.loads` as Salt's `json`, `tojson`,
//! `load_json` and `import_json` use them.
//!
//! It must not reimplement YAML; it must not evaluate templates.

use brine_common::value::py_float;
use brine_common::yaml::{self, DumpOptions};

use super::ast::DataFormat;
use super::error::Error;
use super::ops::iterate;
use super::value::{json_key, Value, MAX_DEPTH};

/// Salt's `_yaml_safe_repr` for a string holding a line break or tab: a YAML
/// double-quoted scalar (unicode kept, never folded).
pub(crate) fn yaml_double_quoted(s: &str) -> String {
    let opts = DumpOptions { flow: Some(true), double_quoted: true, width: Some(2_147_483_647), ..DumpOptions::default() };
    let out = yaml::dump_with(&brine_common::Value::Str(s.to_string()), &opts);
    out.trim_end_matches('\n').trim_end_matches('.').trim_end_matches('\n').to_string()
}

/// Salt's `yaml` filter: `safe_dump(value, default_flow_style=flow)`, stripped,
/// without the document end marker.
pub(crate) fn yaml_filter(v: &Value, flow: bool) -> Result<String, Error> {
    let text = yaml::dump(&v.to_common()?, Some(flow));
    let text = text.trim_matches(super::lexer::py_space);
    Ok(text.strip_suffix("\n...").unwrap_or(text).to_string())
}

/// Salt's `yaml_encode` filter (scalars only).
pub(crate) fn yaml_encode(v: &Value) -> Result<String, Error> {
    yaml::try_encode_scalar(&v.to_common()?).map_err(|e| Error::type_error(e.to_string()))
}

pub(crate) fn yaml_dquote(s: &str) -> String {
    yaml::dquote(s)
}

pub(crate) fn yaml_squote(s: &str) -> String {
    yaml::squote(s)
}

/// Salt's `load_yaml`.
pub(crate) fn load_yaml(text: &str) -> Result<Value, Error> {
    match yaml::load(text) {
        Ok(v) => Ok(Value::from_common(&v)),
        Err(e) => Err(Error::runtime(format!("Encountered error loading yaml: {}", e.message))),
    }
}

/// Python's `json.loads` (insertion order kept).
pub(crate) fn load_json(text: &str) -> Result<Value, Error> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|j| Value::from_common(&brine_common::Value::from_json(&j)))
        .map_err(|_| Error::runtime(format!("Unable to load json from {text}")))
}

/// The body of a `load_*` / `import_*` tag, parsed.
pub(crate) fn load_data(format: DataFormat, text: &str) -> Result<Value, Error> {
    match format {
        DataFormat::Yaml => load_yaml(text),
        DataFormat::Json => load_json(text),
        DataFormat::Text => Ok(Value::str(text)),
    }
}

/// Options of Python's `json.dumps`.
#[derive(Debug, Clone, Default)]
pub(crate) struct JsonOptions {
    pub(crate) sort_keys: bool,
    /// `None`: one line; `Some(s)`: pretty-printed with `s` per level.
    pub(crate) indent: Option<String>,
    pub(crate) ensure_ascii: bool,
}

/// Python's `json.dumps`.
pub(crate) fn json_dumps(v: &Value, o: &JsonOptions) -> Result<String, Error> {
    let mut out = String::new();
    write_json(v, o, 0, &mut out)?;
    Ok(out)
}

fn write_json(v: &Value, o: &JsonOptions, depth: usize, out: &mut String) -> Result<(), Error> {
    if depth > MAX_DEPTH || !brine_common::stack::enough() {
        return Err(Error::type_error("Circular reference detected"));
    }
    match v {
        Value::Undefined(u) => return Err(u.error()),
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::Str(s) => json_string(s, o.ensure_ascii, out),
        Value::List(_) | Value::Tuple(_) => {
            let items = iterate(v)?;
            write_container(o, depth, out, '[', ']', items.len(), |i, out| write_json(&items[i], o, depth + 1, out))?;
        }
        Value::Dict(d) => {
            let mut items = d.items();
            if o.sort_keys {
                let keys: Vec<Value> = items.iter().map(|(k, _)| k.clone()).collect();
                let order: Vec<Value> = (0..items.len()).map(|i| Value::Int(i as i64)).collect();
                let sorted = super::methods::sort_by_keys(order, &keys, false)?;
                items = sorted
                    .iter()
                    .filter_map(|i| match i {
                        Value::Int(i) => usize::try_from(*i).ok().map(|i| items[i].clone()),
                        _ => None,
                    })
                    .collect();
            }
            write_container(o, depth, out, '{', '}', items.len(), |i, out| {
                json_string(&json_key(&items[i].0)?, o.ensure_ascii, out);
                out.push_str(": ");
                write_json(&items[i].1, o, depth + 1, out)
            })?;
        }
        other => {
            return Err(Error::type_error(format!("Object of type {} is not JSON serializable", other.type_name())))
        }
    }
    Ok(())
}

fn write_container(
    o: &JsonOptions,
    depth: usize,
    out: &mut String,
    open: char,
    close: char,
    n: usize,
    mut item: impl FnMut(usize, &mut String) -> Result<(), Error>,
) -> Result<(), Error> {
    out.push(open);
    if n == 0 {
        out.push(close);
        return Ok(());
    }
    let newline = |level: usize, out: &mut String| {
        if let Some(ind) = &o.indent {
            out.push('\n');
            for _ in 0..level {
                out.push_str(ind);
            }
        }
    };
    for i in 0..n {
        if i > 0 {
            out.push_str(if o.indent.is_some() { "," } else { ", " });
        }
        newline(depth + 1, out);
        item(i, out)?;
    }
    newline(depth, out);
    out.push(close);
    Ok(())
}

fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        py_float(f)
    }
}

/// `s` as `json.dumps` writes a string: the shared JSON escapes, then with
/// `ensure_ascii` every non-ASCII character as `\uXXXX` UTF-16 units.
fn json_string(s: &str, ensure_ascii: bool, out: &mut String) {
    if !ensure_ascii || s.is_ascii() {
        brine_common::output::json_str(out, s);
        return;
    }
    let mut quoted = String::new();
    brine_common::output::json_str(&mut quoted, s);
    for c in quoted.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jinja::value::DictMap;

    fn sample() -> Value {
        let mut m = DictMap::new();
        m.insert(Value::str("b"), Value::str("é<"));
        m.insert(Value::str("a"), Value::list(vec![Value::Int(1), Value::Float(2.0), Value::None, Value::Bool(true)]));
        Value::dict(m)
    }

    #[test]
    fn dumps_like_python() {
        let sorted = JsonOptions { sort_keys: true, ..JsonOptions::default() };
        assert_eq!(json_dumps(&sample(), &sorted).unwrap(), r#"{"a": [1, 2.0, null, true], "b": "é<"}"#);
        let ascii = JsonOptions { ensure_ascii: true, ..JsonOptions::default() };
        assert_eq!(json_dumps(&Value::str("é\n"), &ascii).unwrap(), r#""\u00e9\n""#);
        let pretty = JsonOptions { indent: Some("  ".into()), ..JsonOptions::default() };
        assert_eq!(json_dumps(&Value::list(vec![Value::Int(1), Value::list(vec![])]), &pretty).unwrap(), "[\n  1,\n  []\n]");
    }

    #[test]
    fn loads_json_in_order() {
        let v = load_json(r#"{"z": 1, "a": [true, null]}"#).unwrap();
        assert_eq!(crate::jinja::repr::py_repr(&v), "{'z': 1, 'a': [True, None]}");
        assert!(load_json("{x").is_err());
    }
}
