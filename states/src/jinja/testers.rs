//! Jinja2's tests (`x is defined`, `x is divisibleby 3`, `x is in [...]`) and
//! Salt's additions (`match`, `equalto`, `list`), with the registry the
//! parser resolves test names against.
//!
//! Tests only answer true or false; they must not change values.

use super::args::{bind, required, text};
use super::ast::CmpOp;
use super::error::Error;
use super::eval::State;
use super::ops::{self, number, Num};
use super::repr::py_str;
use super::value::{Kwargs, Value};

/// A test: `value is name(args, kwargs)`.
pub(crate) type TestFn = fn(&mut State<'_>, &Value, &[Value], &Kwargs) -> Result<bool, Error>;

/// The test named `name`, if any.
pub(crate) fn lookup(name: &str) -> Option<TestFn> {
    let f: TestFn = match name {
        "defined" => |_, v, _, _| Ok(!v.is_undefined()),
        "undefined" => |_, v, _, _| Ok(v.is_undefined()),
        "none" => |_, v, _, _| Ok(matches!(v, Value::None)),
        "boolean" => |_, v, _, _| Ok(matches!(v, Value::Bool(_))),
        "true" => |_, v, _, _| Ok(matches!(v, Value::Bool(true))),
        "false" => |_, v, _, _| Ok(matches!(v, Value::Bool(false))),
        "integer" => |_, v, _, _| Ok(matches!(v, Value::Int(_))),
        "float" => |_, v, _, _| Ok(matches!(v, Value::Float(_))),
        "number" => |_, v, _, _| Ok(number(v).is_some()),
        "string" => |_, v, _, _| Ok(matches!(v, Value::Str(_))),
        "mapping" => |_, v, _, _| Ok(matches!(v, Value::Dict(_))),
        "sequence" => |_, v, _, _| Ok(matches!(v, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Dict(_))),
        "iterable" => iterable,
        "callable" => |_, v, _, _| {
            let callable = matches!(v, Value::Function(_) | Value::Macro(_) | Value::Method(_) | Value::Object(_) | Value::Loop(_));
            Ok(callable || v.is_undefined())
        },
        "list" => |_, v, _, _| Ok(matches!(v, Value::List(_))),
        "sameas" => sameas,
        "escaped" => |_, _, _, _| Ok(false),
        "in" => |_, v, a, k| compare(v, a, k, "in", CmpOp::In),
        "==" | "eq" | "equalto" => |_, v, a, k| compare(v, a, k, "eq", CmpOp::Eq),
        "!=" | "ne" => |_, v, a, k| compare(v, a, k, "ne", CmpOp::Ne),
        "<" | "lt" | "lessthan" => |_, v, a, k| compare(v, a, k, "lt", CmpOp::Lt),
        "<=" | "le" => |_, v, a, k| compare(v, a, k, "le", CmpOp::Le),
        ">" | "gt" | "greaterthan" => |_, v, a, k| compare(v, a, k, "gt", CmpOp::Gt),
        ">=" | "ge" => |_, v, a, k| compare(v, a, k, "ge", CmpOp::Ge),
        "divisibleby" => divisibleby,
        "even" => |_, v, _, _| remainder(v, &Value::Int(2)).map(|r| r == 0.0),
        "odd" => |_, v, _, _| remainder(v, &Value::Int(2)).map(|r| r == 1.0),
        "lower" => |_, v, _, _| case_test(v, true),
        "upper" => |_, v, _, _| case_test(v, false),
        "filter" => |_, v, _, _| Ok(v.as_str().is_some_and(|n| super::filters::lookup(n).is_some())),
        "test" => |_, v, _, _| Ok(v.as_str().is_some_and(|n| lookup(n).is_some())),
        "match" => super::salt::test_match,
        _ => return None,
    };
    Some(f)
}

fn iterable(_: &mut State<'_>, v: &Value, _: &[Value], _: &Kwargs) -> Result<bool, Error> {
    match v {
        Value::Undefined(u) => Err(u.error()),
        Value::Object(o) => Ok(o.iterate().is_some()),
        other => Ok(ops::iterate(other).is_ok()),
    }
}

fn sameas(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<bool, Error> {
    let [other] = bind("sameas", ["other"], a, k)?;
    let other = required("sameas", "other", other)?;
    Ok(match (v, other) {
        (Value::List(x), Value::List(y)) => x.ptr_eq(y),
        (Value::Dict(x), Value::Dict(y)) => x.ptr_eq(y),
        (Value::List(_) | Value::Dict(_), _) | (_, Value::List(_) | Value::Dict(_)) => false,
        (Value::Float(_), _) | (_, Value::Float(_)) => false,
        (x, y) => x.type_name() == y.type_name() && ops::py_eq(x, y),
    })
}

fn compare(v: &Value, a: &[Value], k: &Kwargs, name: &str, op: CmpOp) -> Result<bool, Error> {
    let [other] = bind(name, ["other"], a, k)?;
    ops::compare(op, v, required(name, "other", other)?)
}

/// `value % num` as a float, for the divisibility tests.
fn remainder(v: &Value, num: &Value) -> Result<f64, Error> {
    let r = ops::binary(super::ast::BinOp::Mod, v, num)?;
    Ok(number(&r).map_or(f64::NAN, Num::as_f64))
}

fn divisibleby(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<bool, Error> {
    let [num] = bind("divisibleby", ["num"], a, k)?;
    remainder(v, required("divisibleby", "num", num)?).map(|r| r == 0.0)
}

fn case_test(v: &Value, lower: bool) -> Result<bool, Error> {
    let s = py_str(v)?;
    let cased = |c: char| if lower { c.is_lowercase() } else { c.is_uppercase() };
    let other = |c: char| if lower { c.is_uppercase() } else { c.is_lowercase() };
    Ok(s.chars().any(cased) && !s.chars().any(other))
}

/// `text` of a test argument (used by Salt's `match`).
pub(crate) fn arg_text(v: Option<&Value>, fname: &str, name: &str) -> Result<String, Error> {
    Ok(text(required(fname, name, v)?)?.to_string())
}
