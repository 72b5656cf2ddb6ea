//! Argument readers shared by the state modules: Python-style truthiness and
//! `str()` conversions over the argument map, so each module's typed
//! argument struct is built the way Salt's Python would read the values.
//!
//! It only reads values; it must not decide Salt semantics (defaults,
//! messages) for a particular state.

use brine_common::{Map, Value};

/// The argument as text (`str()` of non-strings); None when absent or Null.
pub fn opt_str(args: &Map, key: &str) -> Option<String> {
    match args.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.py_str()),
    }
}

/// Python truthiness of the argument, `default` when absent.
pub fn flag(args: &Map, key: &str, default: bool) -> bool {
    args.get(key).map(Value::truthy).unwrap_or(default)
}

/// The argument when present and not Null.
pub fn opt_value(args: &Map, key: &str) -> Option<Value> {
    match args.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    }
}

/// An argument that should have been a dict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADict;

/// A dict argument: empty when absent/Null, `Err(NotADict)` otherwise.
pub fn opt_map(args: &Map, key: &str) -> Result<Map, NotADict> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(Map::default()),
        Some(Value::Map(m)) => Ok(m.clone()),
        Some(_) => Err(NotADict),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_follow_python() {
        let mut m = Map::default();
        m.insert("a".into(), Value::Int(644));
        m.insert("b".into(), Value::str(""));
        m.insert("c".into(), Value::Null);
        m.insert("d".into(), Value::List(vec![]));
        assert_eq!(opt_str(&m, "a").as_deref(), Some("644"));
        assert_eq!(opt_str(&m, "c"), None);
        assert!(!flag(&m, "b", true));
        assert!(flag(&m, "zz", true));
        assert!(opt_map(&m, "d").is_err());
        assert!(opt_map(&m, "c").unwrap().is_empty());
    }
}
