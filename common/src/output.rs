//! Outputters shared by `salt` and `salt-call`: `json`, `nested`, `yaml`, `txt`.
//!
//! Each takes the whole return (`{minion_id: data}`) and gives the text Salt
//! prints. Only `nested` colours, and only when asked ([`nested_with`]): the
//! escape codes are Salt's ([`Colors`]). The `highstate` outputter lives with
//! the state engine, which owns its data.
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

/// [`json`] straight into a writer, for large returns (no intermediate
/// string). The text is serde_json's pretty form with a four-space indent,
/// byte for byte; it is built here in blocks because serde_json writes each
/// token (and each level of indent) through the writer on its own, which
/// was the larger part of printing a highstate's return.
pub fn write_json(v: &Value, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut w = JsonWriter { buf: String::with_capacity(JSON_BLOCK + 4096), out };
    w.value(v, 0)?;
    w.out.write_all(w.buf.as_bytes())
}

/// How much text [`JsonWriter`] gathers before handing it to the writer.
const JSON_BLOCK: usize = 1 << 16;

struct JsonWriter<'w, W: std::io::Write> {
    buf: String,
    out: &'w mut W,
}

impl<W: std::io::Write> JsonWriter<'_, W> {
    fn value(&mut self, v: &Value, depth: usize) -> std::io::Result<()> {
        if self.buf.len() >= JSON_BLOCK {
            self.out.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        match v {
            Value::Null => self.buf.push_str("null"),
            Value::Bool(b) => self.buf.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => self.buf.push_str(itoa::Buffer::new().format(*i)),
            Value::Float(f) if f.is_finite() => self.buf.push_str(&serde_json::to_string(f).map_err(std::io::Error::other)?),
            Value::Float(_) => self.buf.push_str("null"),
            Value::Str(s) => json_str(&mut self.buf, s),
            Value::List(l) if l.is_empty() => self.buf.push_str("[]"),
            Value::Map(m) if m.is_empty() => self.buf.push_str("{}"),
            Value::List(l) => {
                self.buf.push('[');
                for (i, x) in l.iter().enumerate() {
                    self.separator(i, depth + 1);
                    self.value(x, depth + 1)?;
                }
                self.newline(depth);
                self.buf.push(']');
            }
            Value::Map(m) => {
                self.buf.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    self.separator(i, depth + 1);
                    json_str(&mut self.buf, k);
                    self.buf.push_str(": ");
                    self.value(x, depth + 1)?;
                }
                self.newline(depth);
                self.buf.push('}');
            }
        }
        Ok(())
    }

    /// What goes before the `i`th item of a collection at `depth`.
    fn separator(&mut self, i: usize, depth: usize) {
        let line = if i > 0 { BREAK } else { &BREAK[1..] };
        self.indent(line, depth);
    }

    fn newline(&mut self, depth: usize) {
        self.indent(&BREAK[1..], depth);
    }

    /// `line` (a line break, maybe after a comma) and the indent of `depth`,
    /// copied from [`BREAK`] a slice at a time.
    fn indent(&mut self, line: &str, depth: usize) {
        let mut spaces = 4 * depth;
        let first = spaces.min(BREAK.len() - 2);
        self.buf.push_str(&line[..line.len() - (BREAK.len() - 2) + first]);
        spaces -= first;
        while spaces > 0 {
            let n = spaces.min(BREAK.len() - 2);
            self.buf.push_str(&BREAK[2..2 + n]);
            spaces -= n;
        }
    }
}

/// A comma, a line break and the spaces of 16 levels of indent.
const BREAK: &str = ",\n                                                                ";

/// `s` as a JSON string, escaped as serde_json and Python's `json.dumps`
/// (without `ensure_ascii`) escape: quote, backslash and control
/// characters; everything else as it is.
pub fn json_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        // `i` is at an ASCII byte, so a character boundary.
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// The bytes [`json_str`] escapes: quote, backslash and control characters.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Salt's `yaml` outputter (`yaml.safe_dump` in block style).
pub fn yaml(v: &Value) -> String {
    yaml::dump(v, Some(false)).trim_end_matches('\n').to_string()
}

/// Salt's colour table (`salt.utils.color.get_colors`): ANSI SGR sequences
/// with a leading reset, or empty strings when colour is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors {
    pub red: &'static str,
    pub light_red: &'static str,
    pub green: &'static str,
    pub light_green: &'static str,
    pub yellow: &'static str,
    pub light_yellow: &'static str,
    pub blue: &'static str,
    pub magenta: &'static str,
    pub cyan: &'static str,
    pub light_cyan: &'static str,
    pub endc: &'static str,
}

impl Colors {
    /// The table Salt uses with `color` on (`use=True`) or off (all empty).
    pub const fn new(on: bool) -> Colors {
        if on {
            Colors {
                red: "\x1b[0;31m",
                light_red: "\x1b[0;1;31m",
                green: "\x1b[0;32m",
                light_green: "\x1b[0;1;32m",
                yellow: "\x1b[0;33m",
                light_yellow: "\x1b[0;1;33m",
                blue: "\x1b[0;34m",
                magenta: "\x1b[0;35m",
                cyan: "\x1b[0;36m",
                light_cyan: "\x1b[0;1;36m",
                endc: "\x1b[0;0m",
            }
        } else {
            Colors {
                red: "",
                light_red: "",
                green: "",
                light_green: "",
                yellow: "",
                light_yellow: "",
                blue: "",
                magenta: "",
                cyan: "",
                light_cyan: "",
                endc: "",
            }
        }
    }
}

/// Salt's `strip_esc_sequence`: ESC becomes `?`, so data cannot drive the terminal.
pub fn strip_esc(s: &str) -> String {
    s.replace('\x1b', "?")
}

/// Python's `str.splitlines` (no line ends kept).
pub fn splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            continue;
        }
        out.push(&s[start..i]);
        let mut next = i + c.len_utf8();
        if c == '\r' {
            if let Some((j, '\n')) = it.peek().copied() {
                it.next();
                next = j + 1;
            }
        }
        start = next;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// How [`nested_with`] prints: Salt's `nested` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NestedOptions {
    /// Colour escape codes (Salt's `color`).
    pub color: bool,
    /// The call's retcode: non-zero prints keys and separators red, as Salt.
    pub retcode: i64,
    /// Spaces before every line (Salt's `nested_indent`).
    pub indent: usize,
}

/// Salt's `nested` outputter, the default for execution functions (dict keys
/// sorted, as Salt does for plain dicts), without colour.
pub fn nested(v: &Value) -> String {
    nested_with(v, &NestedOptions::default())
}

/// Salt's `nested` outputter with colours, retcode and base indent.
pub fn nested_with(v: &Value, opts: &NestedOptions) -> String {
    let nest = Nest {
        c: Colors::new(opts.color),
        failed: opts.retcode != 0,
    };
    let mut out = Vec::new();
    nest.display(v, opts.indent, "", &mut out, 0);
    out.join("\n")
}

/// Deeper data is printed as its Python repr on one line (no recursion).
const MAX_DEPTH: usize = 256;

struct Nest {
    c: Colors,
    failed: bool,
}

impl Nest {
    fn line(&self, indent: usize, color: &str, prefix: &str, msg: &str, suffix: &str) -> String {
        format!("{}{color}{prefix}{msg}{}{suffix}", " ".repeat(indent), self.c.endc)
    }

    /// Keys, separators and `|_` are cyan/green, red when the call failed.
    fn frame_color(&self, ok: &'static str) -> &'static str {
        if self.failed { self.c.red } else { ok }
    }

    fn display(&self, v: &Value, indent: usize, prefix: &str, out: &mut Vec<String>, depth: usize) {
        let deep = depth > MAX_DEPTH || !crate::stack::enough();
        match v {
            Value::Str(s) => {
                for (i, l) in splitlines(s).into_iter().enumerate() {
                    let p = if i == 0 { prefix.to_string() } else { " ".repeat(prefix.len()) };
                    out.push(self.line(indent, self.c.green, &p, &strip_esc(l), ""));
                }
            }
            Value::List(_) | Value::Map(_) if deep => out.push(self.line(indent, self.c.green, prefix, &v.py_repr(), "")),
            Value::List(items) => self.list(items, indent, out, depth),
            Value::Map(m) => {
                if indent > 0 {
                    out.push(self.line(indent, self.frame_color(self.c.cyan), "", "----------", ""));
                }
                // Salt sorts the keys of plain dicts, which is what most returns are.
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for k in keys {
                    out.push(self.line(indent, self.frame_color(self.c.cyan), prefix, k, ":"));
                    self.display(&m[k.as_str()], indent + 4, "", out, depth + 1);
                }
            }
            scalar => out.push(self.line(indent, self.c.light_yellow, prefix, &scalar.py_repr(), "")),
        }
    }

    fn list(&self, items: &[Value], indent: usize, out: &mut Vec<String>, depth: usize) {
        for item in items {
            match item {
                Value::List(_) | Value::Map(_) => {
                    out.push(self.line(indent, self.frame_color(self.c.green), "", "|_", ""));
                    let p = if matches!(item, Value::Map(_)) { "" } else { "- " };
                    self.display(item, indent + 2, p, out, depth + 1);
                }
                _ => self.display(item, indent, "- ", out, depth + 1),
            }
        }
    }
}

/// Salt's `txt` outputter: `id: line` for each line of a string value,
/// `id: value` for any other value.
pub fn txt(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Map(m) => {
            for (k, x) in m {
                match x {
                    Value::Str(s) => splitlines(s).into_iter().for_each(|l| out.push_str(&format!("{k}: {l}\n"))),
                    other => out.push_str(&format!("{k}: {}\n", other.py_str())),
                }
            }
        }
        Value::Str(s) => out.push_str(&format!("{s}\n")),
        other => out.push_str(&format!("{}\n", other.py_repr())),
    }
    // Salt's display strips trailing whitespace of every outputter's text.
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    /// serde_json's own pretty printer, four-space indent: the reference.
    fn serde_pretty(v: &Value) -> String {
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        serde::Serialize::serialize(v, &mut ser).expect("serialises");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn json_is_serde_jsons_pretty_form_byte_for_byte() {
        let odd = "q\"b\\n\nr\rt\tb\u{8}f\u{c}c\u{1}\u{1f}d\u{7f}é€😀/";
        let mut inner = crate::Map::default();
        inner.insert(odd.into(), Value::List(vec![Value::Null, Value::Bool(true), Value::Int(-7), Value::Float(0.1)]));
        inner.insert("empty".into(), Value::Map(crate::Map::default()));
        inner.insert("none".into(), Value::List(Vec::new()));
        inner.insert("floats".into(), Value::List(vec![Value::Float(1e21), Value::Float(-0.0), Value::Float(f64::NAN), Value::Float(3.0)]));
        let mut outer = crate::Map::default();
        outer.insert("local".into(), Value::Map(inner.clone()));
        outer.insert("deep".into(), Value::List(vec![Value::Map(inner), Value::Str(odd.into()), Value::Int(i64::MIN)]));
        // Deeper than the 16 levels of indent copied in one slice.
        let mut deep = Value::List(vec![Value::Int(1), Value::Int(2)]);
        for level in 0..40 {
            let mut m = crate::Map::default();
            m.insert(format!("level {level}"), deep);
            m.insert("next".into(), Value::Bool(false));
            deep = Value::Map(m);
        }
        for v in [Value::Map(outer), Value::Null, Value::Str(odd.into()), Value::List(Vec::new()), Value::Int(42), deep] {
            let mut ours = Vec::new();
            write_json(&v, &mut ours).expect("writes");
            assert_eq!(String::from_utf8(ours).expect("utf-8"), serde_pretty(&v));
        }
    }

    #[test]
    fn long_json_is_handed_over_in_blocks_and_whole() {
        let big = Value::List((0..20_000).map(|i| Value::Str(format!("item {i}"))).collect());
        let mut ours = Vec::new();
        write_json(&big, &mut ours).expect("writes");
        assert!(ours.len() > 2 * JSON_BLOCK);
        assert_eq!(String::from_utf8(ours).expect("utf-8"), serde_pretty(&big));
    }

    use super::*;

    #[test]
    fn nested_matches_salt_layout() {
        let v = Value::from_json(&serde_json::json!({"local": {"b": true, "a": [1, "x"]}}));
        assert_eq!(nested(&v), "local:\n    ----------\n    a:\n        - 1\n        - x\n    b:\n        True");
    }

    #[test]
    fn nested_colours_are_salts() {
        let v = Value::from_json(&serde_json::json!({"local": {"os": "Debian", "n": [1, {"k": null}]}}));
        let on = NestedOptions { color: true, ..NestedOptions::default() };
        let expected = "\x1b[0;36mlocal\x1b[0;0m:\n    \x1b[0;36m----------\x1b[0;0m\n    \x1b[0;36mn\x1b[0;0m:\n        \x1b[0;1;33m- 1\x1b[0;0m\n        \x1b[0;32m|_\x1b[0;0m\n          \x1b[0;36m----------\x1b[0;0m\n          \x1b[0;36mk\x1b[0;0m:\n              \x1b[0;1;33mNone\x1b[0;0m\n    \x1b[0;36mos\x1b[0;0m:\n        \x1b[0;32mDebian\x1b[0;0m";
        assert_eq!(nested_with(&v, &on), expected);
        let failed = nested_with(&v, &NestedOptions { retcode: 1, ..on });
        assert!(failed.starts_with("\x1b[0;31mlocal\x1b[0;0m:\n    \x1b[0;31m----------"), "{failed}");
        assert!(failed.contains("\x1b[0;31m|_"), "{failed}");
        assert_eq!(nested_with(&v, &NestedOptions::default()), nested(&v));
        assert!(!nested(&v).contains('\x1b'));
    }

    #[test]
    fn nested_indent_prints_the_top_separator() {
        let v = Value::from_json(&serde_json::json!({"diff": "New file\r\nx"}));
        let text = nested_with(&v, &NestedOptions { indent: 2, ..NestedOptions::default() });
        assert_eq!(text, "  ----------\n  diff:\n      New file\n      x");
    }

    #[test]
    fn escape_codes_in_data_are_neutralised() {
        let v = Value::from_json(&serde_json::json!({"local": "\u{1b}[31mred"}));
        assert_eq!(nested(&v), "local:\n    ?[31mred");
    }

    #[test]
    fn txt_prints_one_line_per_string_line() {
        let v = Value::from_json(&serde_json::json!({"local": "a\nb", "other": true, "empty": ""}));
        assert_eq!(txt(&v), "local: a\nlocal: b\nother: True");
        assert_eq!(splitlines("a\r\nb\rc\n"), vec!["a", "b", "c"]);
    }

    #[test]
    fn json_uses_four_spaces() {
        let v = Value::from_json(&serde_json::json!({"local": true}));
        assert_eq!(json(&v), "{\n    \"local\": true\n}");
    }
}
