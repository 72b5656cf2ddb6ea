//! Binding of call arguments to named parameters (positional then keyword, as
//! Python does) and the small conversions filters and methods need, with
//! Python's `TypeError` wording.
//!
//! It must not evaluate template code.

use std::rc::Rc;

use super::error::Error;
use super::ops::truthy;
use super::repr::py_str;
use super::value::{Kwargs, Value};

/// Binds `args`/`kwargs` to `names`; each slot is `None` when not given.
pub(crate) fn bind<'a, const N: usize>(
    fname: &str,
    names: [&str; N],
    args: &'a [Value],
    kwargs: &'a Kwargs,
) -> Result<[Option<&'a Value>; N], Error> {
    if args.len() > N {
        return Err(Error::type_error(format!(
            "{fname}() takes at most {N} argument{} ({} given)",
            if N == 1 { "" } else { "s" },
            args.len()
        )));
    }
    let mut slots: [Option<&Value>; N] = [None; N];
    for (slot, a) in slots.iter_mut().zip(args) {
        *slot = Some(a);
    }
    for (k, v) in kwargs {
        let Some(i) = names.iter().position(|n| n == k) else {
            return Err(Error::type_error(format!("{fname}() got an unexpected keyword argument '{k}'")));
        };
        if slots[i].is_some() {
            return Err(Error::type_error(format!("{fname}() got multiple values for argument '{k}'")));
        }
        slots[i] = Some(v);
    }
    Ok(slots)
}

/// Fails unless every parameter up to `required` was given.
pub(crate) fn required<'a>(fname: &str, name: &str, v: Option<&'a Value>) -> Result<&'a Value, Error> {
    v.ok_or_else(|| Error::type_error(format!("{fname}() missing required argument: '{name}'")))
}

/// Rejects any argument (for zero-parameter methods and filters).
pub(crate) fn none(fname: &str, args: &[Value], kwargs: &Kwargs) -> Result<(), Error> {
    bind::<0>(fname, [], args, kwargs).map(|_| ())
}

/// An integer argument (bools count, as in Python).
pub(crate) fn int(v: &Value, what: &str) -> Result<i64, Error> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Undefined(u) => Err(u.error()),
        other => Err(Error::type_error(format!(
            "'{}' object cannot be interpreted as an integer ({what})",
            other.type_name()
        ))),
    }
}

pub(crate) fn int_or(v: Option<&Value>, default: i64, what: &str) -> Result<i64, Error> {
    v.map_or(Ok(default), |v| int(v, what))
}

/// A boolean argument by truthiness.
pub(crate) fn flag(v: Option<&Value>, default: bool) -> Result<bool, Error> {
    v.map_or(Ok(default), truthy)
}

/// A string argument: Python's `str()` of it.
pub(crate) fn text(v: &Value) -> Result<Rc<str>, Error> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => py_str(other).map(Rc::from),
    }
}

pub(crate) fn text_or(v: Option<&Value>, default: &str) -> Result<Rc<str>, Error> {
    v.map_or(Ok(Rc::from(default)), text)
}

/// A string argument that must really be a `str` (as Python methods demand).
pub(crate) fn strict_str<'a>(v: &'a Value, fname: &str) -> Result<&'a str, Error> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Undefined(u) => Err(u.error()),
        other => Err(Error::type_error(format!("{fname}() argument must be str, not {}", other.type_name()))),
    }
}

/// A `str` argument or `None`.
pub(crate) fn opt_str<'a>(v: Option<&'a Value>, fname: &str) -> Result<Option<&'a str>, Error> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => strict_str(v, fname).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_like_python() {
        let args = [Value::Int(1)];
        let mut kwargs = Kwargs::new();
        kwargs.insert("b".into(), Value::Int(2));
        let [a, b, c] = bind("f", ["a", "b", "c"], &args, &kwargs).unwrap();
        assert_eq!((a, b, c), (Some(&Value::Int(1)), Some(&Value::Int(2)), None));
        kwargs.insert("a".into(), Value::Int(3));
        assert_eq!(bind("f", ["a", "b"], &args, &kwargs).unwrap_err().message(), "f() got multiple values for argument 'a'");
        assert_eq!(bind("f", ["x"], &[], &kwargs).unwrap_err().message(), "f() got an unexpected keyword argument 'b'");
        assert!(bind::<0>("f", [], &args, &Kwargs::new()).is_err());
    }
}
