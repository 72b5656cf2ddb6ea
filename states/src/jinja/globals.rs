//! The global functions every template sees: Jinja2's `range` (bounded as in
//! the sandbox), `dict`, `lipsum`, `cycler`, `joiner`, `namespace`, and Salt's
//! `raise` and `odict`. Also the engine's source of randomness.
//!
//! Globals given to `Environment::render` override these; nothing here may
//! touch the filesystem or network.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use indexmap::IndexMap;

use super::args::{bind, int, int_or, text_or};
use super::error::{Error, ErrorKind};
use super::methods::dict_update;
use super::repr::py_str;
use super::value::{Dict, Kwargs, Namespace, Object, Value};

/// Jinja2's sandbox refuses larger ranges.
const MAX_RANGE: usize = 100_000;

/// The builtin globals.
pub(crate) fn builtins() -> IndexMap<String, Value> {
    let mut g = IndexMap::new();
    g.insert("range".to_string(), Value::function("range", range));
    g.insert("dict".to_string(), Value::function("dict", make_dict));
    g.insert("odict".to_string(), Value::function("odict", make_dict));
    g.insert("lipsum".to_string(), Value::function("lipsum", lipsum));
    g.insert("cycler".to_string(), Value::function("cycler", |a, _| Ok(Value::object(Cycler { items: a.to_vec(), pos: Cell::new(0) }))));
    g.insert("joiner".to_string(), Value::function("joiner", joiner));
    g.insert("namespace".to_string(), Value::function("namespace", namespace));
    g.insert("raise".to_string(), Value::function("raise", |a, _| {
        let msg = a.first().map(py_str).transpose()?.unwrap_or_default();
        Err(Error::new(ErrorKind::Raised, msg))
    }));
    g
}

/// A random number (for `random`, `lipsum`, `random_hash`, ...).
pub(crate) fn random_u64() -> u64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(RandomState::new().build_hasher().finish() | 1);
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}

fn range(args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    if !kwargs.is_empty() {
        return Err(Error::type_error("range() takes no keyword arguments"));
    }
    let ints = args.iter().map(|a| int(a, "range")).collect::<Result<Vec<_>, _>>()?;
    let (start, stop, step) = match ints[..] {
        [stop] => (0, stop, 1),
        [start, stop] => (start, stop, 1),
        [start, stop, step] => (start, stop, step),
        _ => return Err(Error::type_error(format!("range expected at most 3 arguments, got {}", args.len()))),
    };
    if step == 0 {
        return Err(Error::type_error("range() arg 3 must not be zero"));
    }
    let span = if step > 0 { stop.saturating_sub(start) } else { start.saturating_sub(stop) };
    let count = if span <= 0 { 0 } else { (span - 1) / step.saturating_abs() + 1 };
    if usize::try_from(count).unwrap_or(usize::MAX) > MAX_RANGE {
        return Err(Error::type_error(format!(
            "Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MAX_RANGE})."
        )));
    }
    Ok(Value::list((0..count).map(|i| Value::Int(start + i * step)).collect()))
}

fn make_dict(args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let d = Dict::default();
    dict_update(&d, args, kwargs)?;
    Ok(Value::Dict(d))
}

fn namespace(args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let Value::Dict(d) = make_dict(args, kwargs)? else {
        return Err(Error::type_error("namespace() expects a mapping"));
    };
    let mut attrs = IndexMap::new();
    for (k, v) in d.items() {
        attrs.insert(py_str(&k)?, v);
    }
    Ok(Value::Namespace(Namespace::new(attrs)))
}

fn joiner(args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [sep] = bind("joiner", ["sep"], args, kwargs)?;
    Ok(Value::object(Joiner { sep: text_or(sep, ", ")?.to_string(), used: Cell::new(false) }))
}

/// `cycler(a, b, ...)`: `next()`, `reset()`, `current`.
struct Cycler {
    items: Vec<Value>,
    pos: Cell<usize>,
}

impl Object for Cycler {
    fn type_name(&self) -> &str {
        "jinja2.utils.Cycler"
    }

    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "current" => self.items.get(self.pos.get()).cloned(),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: &[Value], kwargs: &Kwargs) -> Option<Result<Value, Error>> {
        let result = match name {
            "next" => bind::<0>("next", [], args, kwargs).map(|_| {
                let v = self.items.get(self.pos.get()).cloned().unwrap_or_default();
                self.pos.set((self.pos.get() + 1) % self.items.len().max(1));
                v
            }),
            "reset" => bind::<0>("reset", [], args, kwargs).map(|_| {
                self.pos.set(0);
                Value::None
            }),
            _ => return None,
        };
        Some(result)
    }
}

/// `joiner(sep)`: returns `""` the first time it is called, `sep` afterwards.
struct Joiner {
    sep: String,
    used: Cell<bool>,
}

impl Object for Joiner {
    fn type_name(&self) -> &str {
        "jinja2.utils.Joiner"
    }

    fn call(&self, _args: &[Value], _kwargs: &Kwargs) -> Result<Value, Error> {
        if self.used.replace(true) {
            Ok(Value::str(&self.sep))
        } else {
            Ok(Value::str(""))
        }
    }
}

const LOREM: &[&str] = &[
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod", "tempor",
    "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim", "ad", "minim", "veniam", "quis",
    "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo", "consequat", "duis",
    "aute", "irure", "in", "reprehenderit", "voluptate", "velit", "esse", "cillum", "eu", "fugiat", "nulla",
];

fn lipsum(args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [n, html, min, max] = bind("lipsum", ["n", "html", "min", "max"], args, kwargs)?;
    let n = int_or(n, 5, "n")?.clamp(0, 1000);
    let html = html.map_or(Ok(true), super::ops::truthy)?;
    let min = int_or(min, 20, "min")?.max(1);
    let max = int_or(max, 100, "max")?.max(min);
    let mut paragraphs = Vec::new();
    for _ in 0..n {
        let span = u64::try_from(max - min + 1).unwrap_or(1);
        let words = min + i64::try_from(random_u64() % span).unwrap_or(0);
        let mut text: Vec<&str> = (0..words).map(|_| LOREM[(random_u64() % LOREM.len() as u64) as usize]).collect();
        if let Some(first) = text.first_mut() {
            *first = "Lorem";
        }
        let mut p = text.join(" ");
        p.push('.');
        paragraphs.push(if html { format!("<p>{p}</p>") } else { p });
    }
    Ok(Value::from(paragraphs.join("\n\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_matches_python() {
        let r = range(&[Value::Int(5), Value::Int(0), Value::Int(-2)], &Kwargs::new()).unwrap();
        assert_eq!(r, Value::list(vec![Value::Int(5), Value::Int(3), Value::Int(1)]));
        assert!(range(&[Value::Int(200_000)], &Kwargs::new()).is_err());
        assert_eq!(range(&[Value::Int(-3)], &Kwargs::new()).unwrap(), Value::list(vec![]));
    }

    #[test]
    fn joiner_and_cycler() {
        let j = joiner(&[Value::str("|")], &Kwargs::new()).unwrap();
        let Value::Object(j) = j else { panic!() };
        assert_eq!(j.call(&[], &Kwargs::new()).unwrap(), Value::str(""));
        assert_eq!(j.call(&[], &Kwargs::new()).unwrap(), Value::str("|"));
        let c = Cycler { items: vec![Value::Int(1), Value::Int(2)], pos: Cell::new(0) };
        assert_eq!(c.call_method("next", &[], &Kwargs::new()).unwrap().unwrap(), Value::Int(1));
        assert_eq!(c.get_attr("current"), Some(Value::Int(2)));
    }
}
