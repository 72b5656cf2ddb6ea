//! Python's `str()` and `repr()` of runtime values, and the way Salt prints a
//! `{{ expression }}` (its SerializerExtension finalizer turns dicts into
//! `PrintableDict`, whose string values containing newlines or tabs are
//! written as YAML double-quoted scalars).
//!
//! It must not evaluate anything or change values; cyclic containers print as
//! `[...]` / `{...}` as in Python.

use brine_common::value::{py_float, py_str_repr};

use super::error::Error;
use super::value::{UndefinedKind, Value};

/// Python `repr(v)`.
pub(crate) fn py_repr(v: &Value) -> String {
    let mut out = String::new();
    Writer { seen: Vec::new(), printable: false, depth: 0 }.write(v, &mut out);
    out
}

/// Python `str(v)`; using a StrictUndefined fails, a plain Undefined is empty.
pub(crate) fn py_str(v: &Value) -> Result<String, Error> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        Value::Undefined(u) if u.kind == UndefinedKind::Lenient => Ok(String::new()),
        Value::Undefined(u) => Err(u.error()),
        Value::Object(o) => Ok(o.to_str()),
        other => Ok(py_repr(other)),
    }
}

/// What `{{ v }}` prints under Salt (str() after Salt's finalizer).
pub(crate) fn output_str(v: &Value) -> Result<String, Error> {
    match v {
        Value::Dict(_) | Value::List(_) | Value::Tuple(_) => {
            let mut out = String::new();
            Writer { seen: Vec::new(), printable: true, depth: 0 }.write(v, &mut out);
            Ok(out)
        }
        other => py_str(other),
    }
}

/// Salt's `_yaml_safe_repr`: strings holding a newline, carriage return or tab
/// become YAML double-quoted scalars, others keep Python's repr.
fn yaml_safe_repr(s: &str) -> String {
    if s.contains(['\n', '\r', '\t']) {
        super::serial::yaml_double_quoted(s)
    } else {
        py_str_repr(s)
    }
}

struct Writer {
    /// Addresses of the containers being written, to cut cycles.
    seen: Vec<usize>,
    /// Salt's PrintableDict formatting for dict values.
    printable: bool,
    /// How many values deep the writer is; past the limit (or the stack) it
    /// writes `...` where Python would raise a RecursionError.
    depth: usize,
}

impl Writer {
    fn write(&mut self, v: &Value, out: &mut String) {
        if self.depth > super::value::MAX_DEPTH || !brine_common::stack::enough() {
            out.push_str("...");
            return;
        }
        self.depth += 1;
        self.write_value(v, out);
        self.depth -= 1;
    }

    fn write_value(&mut self, v: &Value, out: &mut String) {
        match v {
            Value::Undefined(_) => out.push_str("Undefined"),
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&py_float(*f)),
            Value::Str(s) => out.push_str(&py_str_repr(s)),
            Value::List(l) => {
                let items = l.snapshot();
                self.nested(l.addr(), "[...]", out, |w, out| w.seq(&items, "[", "]", out));
            }
            Value::Tuple(t) => {
                let close = if t.len() == 1 { ",)" } else { ")" };
                self.seq(t, "(", close, out);
            }
            Value::Dict(d) => {
                let items = d.items();
                self.nested(d.addr(), "{...}", out, |w, out| w.map(&items, out));
            }
            Value::Function(f) => out.push_str(&format!("<function {}>", f.name)),
            Value::Object(o) => out.push_str(&o.to_str()),
            Value::Macro(m) => out.push_str(&format!("<Macro {}>", py_str_repr(m.name()))),
            Value::Method(m) => out.push_str(&format!(
                "<built-in method {} of {} object>",
                m.name,
                m.receiver.type_name()
            )),
            Value::Namespace(ns) => {
                let items: Vec<(Value, Value)> =
                    ns.attrs().into_iter().map(|(k, v)| (Value::from(k), v)).collect();
                out.push_str("<Namespace ");
                self.map(&items, out);
                out.push('>');
            }
            Value::Loop(l) => out.push_str(&format!("<LoopContext {}/{}>", l.index(), l.length())),
        }
    }

    fn nested(&mut self, addr: usize, cut: &str, out: &mut String, body: impl FnOnce(&mut Self, &mut String)) {
        if self.seen.contains(&addr) || self.seen.len() > super::value::MAX_DEPTH || !brine_common::stack::enough() {
            out.push_str(cut);
            return;
        }
        self.seen.push(addr);
        body(self, out);
        self.seen.pop();
    }

    fn seq(&mut self, items: &[Value], open: &str, close: &str, out: &mut String) {
        out.push_str(open);
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(x, out);
        }
        out.push_str(close);
    }

    fn map(&mut self, items: &[(Value, Value)], out: &mut String) {
        out.push('{');
        for (i, (k, x)) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(k, out);
            out.push_str(": ");
            match x {
                Value::Str(s) if self.printable => out.push_str(&yaml_safe_repr(s)),
                _ => self.write(x, out),
            }
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jinja::value::DictMap;

    fn dict(pairs: Vec<(Value, Value)>) -> Value {
        Value::dict(pairs.into_iter().collect::<DictMap>())
    }

    #[test]
    fn python_reprs() {
        let v = Value::list(vec![
            Value::str("a"),
            Value::Int(1),
            Value::Float(2.0),
            Value::None,
            Value::Bool(true),
            Value::tuple(vec![Value::Int(1)]),
            Value::tuple(vec![]),
            dict(vec![(Value::str("k"), Value::str("it's"))]),
        ]);
        assert_eq!(py_repr(&v), r#"['a', 1, 2.0, None, True, (1,), (), {'k': "it's"}]"#);
        assert_eq!(py_str(&Value::str("x")).unwrap(), "x");
        assert!(py_str(&Value::undefined("'x' is undefined")).is_err());
    }

    #[test]
    fn cycles_are_cut() {
        let l = crate::jinja::value::List::new(vec![Value::Int(1)]);
        l.borrow_mut().push(Value::List(l.clone()));
        assert_eq!(py_repr(&Value::List(l)), "[1, [...]]");
    }

    #[test]
    fn salt_printable_dict_keeps_plain_strings() {
        let v = dict(vec![
            (Value::str("a"), Value::str("x")),
            (Value::str("b"), Value::list(vec![Value::str("l")])),
        ]);
        assert_eq!(output_str(&v).unwrap(), "{'a': 'x', 'b': ['l']}");
    }
}
