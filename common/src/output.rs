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
