//! Python-style function signatures for execution modules, and binding of
//! positional and keyword arguments to them with Python's error messages
//! (`echo() missing 1 required positional argument: 'text'`).
//!
//! It only binds: it must not convert or validate argument values; each
//! module function reads its typed values from the [`Bound`] it is given.

use brine_common::{Map, Value};
use indexmap::IndexMap;

use crate::ModuleError;

/// A default value of a parameter, as written in the Python signature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArgDefault {
    None,
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

impl ArgDefault {
    pub fn to_value(self) -> Value {
        match self {
            ArgDefault::None => Value::Null,
            ArgDefault::Bool(b) => Value::Bool(b),
            ArgDefault::Int(i) => Value::Int(i),
            ArgDefault::Str(s) => Value::str(s),
        }
    }
}

/// One named parameter; `default: None` makes it required.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub default: Option<ArgDefault>,
}

/// A required parameter.
pub const fn req(name: &'static str) -> Param {
    Param { name, default: None }
}

/// An optional parameter with its default.
pub const fn opt(name: &'static str, default: ArgDefault) -> Param {
    Param { name, default: Some(default) }
}

/// A Python signature: named parameters, then `*varargs`, then `**kwargs`.
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    pub params: &'static [Param],
    pub varargs: Option<&'static str>,
    pub kwargs: bool,
}

/// Arguments bound to a signature: every parameter has a value (its default
/// when not given); extra positionals and keywords are kept when accepted.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub values: IndexMap<&'static str, Value>,
    pub varargs: Vec<Value>,
    pub kwargs: Map,
}

static NULL: Value = Value::Null;

impl Bound {
    /// The value of a parameter (Null when unknown).
    pub fn get(&self, name: &str) -> &Value {
        self.values.get(name).or_else(|| self.kwargs.get(name)).unwrap_or(&NULL)
    }

    /// The parameter as a string (`str()` of non-strings), None when Null.
    pub fn opt_str(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Value::Null => None,
            v => Some(v.py_str()),
        }
    }

    /// The parameter as a required string.
    pub fn str(&self, name: &str) -> Result<String, ModuleError> {
        self.opt_str(name).ok_or_else(|| ModuleError::Invocation(format!("Missing required argument '{name}'")))
    }

    /// Python truthiness of the parameter.
    pub fn truthy(&self, name: &str) -> bool {
        self.get(name).truthy()
    }
}

impl Signature {
    /// Binds `args` and `kwargs` as a Python call of `fname` would.
    pub fn bind(&self, fname: &str, args: &[Value], kwargs: &Map) -> Result<Bound, ModuleError> {
        let mut bound = Bound::default();
        self.bind_positional(fname, args, &mut bound)?;
        self.bind_keywords(fname, kwargs, &mut bound)?;
        self.fill_defaults(fname, &mut bound)?;
        Ok(bound)
    }

    fn bind_positional(&self, fname: &str, args: &[Value], bound: &mut Bound) -> Result<(), ModuleError> {
        for (i, value) in args.iter().enumerate() {
            match self.params.get(i) {
                Some(p) => {
                    bound.values.insert(p.name, value.clone());
                }
                None if self.varargs.is_some() => bound.varargs.push(value.clone()),
                None => return Err(self.too_many_positional(fname, args.len())),
            }
        }
        Ok(())
    }

    fn bind_keywords(&self, fname: &str, kwargs: &Map, bound: &mut Bound) -> Result<(), ModuleError> {
        for (key, value) in kwargs {
            if let Some(p) = self.params.iter().find(|p| p.name == key) {
                if bound.values.contains_key(p.name) {
                    return Err(ModuleError::Invocation(format!("{fname}() got multiple values for argument '{key}'")));
                }
                bound.values.insert(p.name, value.clone());
            } else if self.kwargs {
                bound.kwargs.insert(key.clone(), value.clone());
            } else if !key.starts_with("__pub_") {
                return Err(ModuleError::Invocation(format!("{fname}() got an unexpected keyword argument '{key}'")));
            }
        }
        Ok(())
    }

    fn fill_defaults(&self, fname: &str, bound: &mut Bound) -> Result<(), ModuleError> {
        let mut missing = Vec::new();
        for p in self.params {
            if bound.values.contains_key(p.name) {
                continue;
            }
            match p.default {
                Some(d) => {
                    bound.values.insert(p.name, d.to_value());
                }
                None => missing.push(p.name),
            }
        }
        if missing.is_empty() {
            // Keep the declared parameter order.
            let order: Vec<&str> = self.params.iter().map(|p| p.name).collect();
            bound.values.sort_by_key(|k, _| order.iter().position(|n| n == k));
            return Ok(());
        }
        Err(ModuleError::Invocation(missing_message(fname, &missing)))
    }

    fn too_many_positional(&self, fname: &str, given: usize) -> ModuleError {
        let max = self.params.len();
        let min = self.params.iter().filter(|p| p.default.is_none()).count();
        let takes = if min == max {
            format!("{max} positional argument{}", if max == 1 { "" } else { "s" })
        } else {
            format!("from {min} to {max} positional arguments")
        };
        let verb = if given == 1 { "was" } else { "were" };
        ModuleError::Invocation(format!("{fname}() takes {takes} but {given} {verb} given"))
    }

    /// Names of the required parameters.
    pub fn required(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.params.iter().filter(|p| p.default.is_none()).map(|p| p.name)
    }
}

/// Python's "missing N required positional argument(s): 'a', 'b' and 'c'".
fn missing_message(fname: &str, missing: &[&str]) -> String {
    let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
    let list = match quoted.len() {
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    };
    let plural = if missing.len() == 1 { "" } else { "s" };
    format!("{fname}() missing {} required positional argument{plural}: {list}", missing.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: Signature =
        Signature { params: &[req("text"), opt("count", ArgDefault::Int(1))], varargs: None, kwargs: false };

    #[test]
    fn binds_positional_keyword_and_defaults() {
        let b = SIG.bind("echo", &[Value::str("hi")], &Map::default()).unwrap();
        assert_eq!(b.get("text"), &Value::str("hi"));
        assert_eq!(b.get("count"), &Value::Int(1));
        let mut kw = Map::default();
        kw.insert("count".into(), Value::Int(3));
        let b = SIG.bind("echo", &[Value::str("hi")], &kw).unwrap();
        assert_eq!(b.get("count"), &Value::Int(3));
    }

    #[test]
    fn python_error_messages() {
        let e = SIG.bind("echo", &[], &Map::default()).unwrap_err();
        assert_eq!(e.to_string(), "echo() missing 1 required positional argument: 'text'");
        let e = SIG.bind("echo", &[Value::Int(1), Value::Int(2), Value::Int(3)], &Map::default()).unwrap_err();
        assert_eq!(e.to_string(), "echo() takes from 1 to 2 positional arguments but 3 were given");
        let mut kw = Map::default();
        kw.insert("bogus".into(), Value::Int(1));
        let e = SIG.bind("echo", &[Value::Int(1)], &kw).unwrap_err();
        assert_eq!(e.to_string(), "echo() got an unexpected keyword argument 'bogus'");
        assert_eq!(
            missing_message("f", &["a", "b", "c"]),
            "f() missing 3 required positional arguments: 'a', 'b', and 'c'"
        );
    }
}
