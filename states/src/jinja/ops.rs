//! Python operators on runtime values: equality, ordering, arithmetic,
//! truthiness, membership, iteration and `len()`, with Python's results and
//! error messages (`unsupported operand type(s) for +: 'int' and 'str'`).
//!
//! It must not evaluate template code; string `%` formatting lives in `format`.

use std::cmp::Ordering;

use super::ast::{BinOp, CmpOp};
use super::error::Error;
use super::repr::py_str;
use super::value::{UndefinedKind, Value, MAX_DEPTH};

/// Largest string or list a `*` may build (Python would try and run out of memory).
const MAX_REPEAT_LEN: usize = 1 << 26;

/// Fails if `v` is an undefined value that may not be used.
pub(crate) fn defined(v: &Value) -> Result<(), Error> {
    match v {
        Value::Undefined(u) => Err(u.error()),
        _ => Ok(()),
    }
}

/// Python `==`.
pub(crate) fn py_eq(a: &Value, b: &Value) -> bool {
    eq_at(a, b, 0)
}

fn eq_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH || !brine_common::stack::enough() {
        return false;
    }
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.ptr_eq(y) || seq_eq(&x.snapshot(), &y.snapshot(), depth)
        }
        (Value::Tuple(x), Value::Tuple(y)) => seq_eq(x, y, depth),
        (Value::Dict(x), Value::Dict(y)) => {
            if x.ptr_eq(y) {
                return true;
            }
            let (xs, ys) = (x.items(), y.borrow().clone());
            xs.len() == ys.len()
                && xs.iter().all(|(k, v)| ys.get(k).is_some_and(|w| eq_at(v, w, depth + 1)))
        }
        (Value::Function(x), Value::Function(y)) => std::rc::Rc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => std::ptr::addr_eq(std::rc::Rc::as_ptr(x), std::rc::Rc::as_ptr(y)),
        (Value::Macro(x), Value::Macro(y)) => std::rc::Rc::ptr_eq(x, y),
        (Value::Namespace(_), Value::Namespace(_)) => false,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.eq_num(&y),
            _ => false,
        },
    }
}

fn seq_eq(x: &[Value], y: &[Value], depth: usize) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| eq_at(a, b, depth + 1))
}

/// A number view of bool/int/float.
#[derive(Clone, Copy)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    fn eq_num(&self, other: &Num) -> bool {
        match (self, other) {
            (Num::Int(x), Num::Int(y)) => x == y,
            _ => self.as_f64() == other.as_f64(),
        }
    }

    fn partial_cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
            _ => self.as_f64().partial_cmp(&other.as_f64()),
        }
    }
}

pub(crate) fn number(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(i64::from(*b))),
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

fn num_value(n: Num) -> Value {
    match n {
        Num::Int(i) => Value::Int(i),
        Num::Float(f) => Value::Float(f),
    }
}

/// Python truthiness.
pub(crate) fn truthy(v: &Value) -> Result<bool, Error> {
    Ok(match v {
        Value::Undefined(u) if u.kind == UndefinedKind::Lenient => false,
        Value::Undefined(u) => return Err(u.error()),
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Tuple(t) => !t.is_empty(),
        Value::Dict(d) => !d.is_empty(),
        _ => true,
    })
}

/// A comparison operator applied to two values.
pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool, Error> {
    defined(a)?;
    defined(b)?;
    match op {
        CmpOp::Eq => Ok(py_eq(a, b)),
        CmpOp::Ne => Ok(!py_eq(a, b)),
        CmpOp::Lt => ordered(a, b, "<", |o| o == Ordering::Less),
        CmpOp::Le => ordered(a, b, "<=", |o| o != Ordering::Greater),
        CmpOp::Gt => ordered(a, b, ">", |o| o == Ordering::Greater),
        CmpOp::Ge => ordered(a, b, ">=", |o| o != Ordering::Less),
        CmpOp::In => contains(b, a),
        CmpOp::NotIn => contains(b, a).map(|r| !r),
    }
}

fn ordered(a: &Value, b: &Value, sym: &str, test: impl Fn(Ordering) -> bool) -> Result<bool, Error> {
    Ok(partial_order(a, b, sym, 0)?.is_some_and(test))
}

/// Ordering for `sorted()`/`min()`/`max()`: Python's `<`, failing on
/// unorderable types; NaN compares equal to everything.
pub(crate) fn py_cmp(a: &Value, b: &Value) -> Result<Ordering, Error> {
    Ok(partial_order(a, b, "<", 0)?.unwrap_or(Ordering::Equal))
}

fn partial_order(a: &Value, b: &Value, sym: &str, depth: usize) -> Result<Option<Ordering>, Error> {
    if depth > MAX_DEPTH || !brine_common::stack::enough() {
        return Err(super::value::recursion_error());
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
        (Value::List(x), Value::List(y)) => seq_order(&x.snapshot(), &y.snapshot(), sym, depth),
        (Value::Tuple(x), Value::Tuple(y)) => seq_order(x, y, sym, depth),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => Ok(x.partial_cmp(y)),
            _ => Err(Error::type_error(format!(
                "'{sym}' not supported between instances of '{}' and '{}'",
                a.type_name(),
                b.type_name()
            ))),
        },
    }
}

fn seq_order(x: &[Value], y: &[Value], sym: &str, depth: usize) -> Result<Option<Ordering>, Error> {
    for (a, b) in x.iter().zip(y) {
        if !eq_at(a, b, depth + 1) {
            return partial_order(a, b, sym, depth + 1);
        }
    }
    Ok(Some(x.len().cmp(&y.len())))
}

/// `item in container`.
pub(crate) fn contains(container: &Value, item: &Value) -> Result<bool, Error> {
    defined(container)?;
    match container {
        Value::Str(s) => match item {
            Value::Str(sub) => Ok(s.contains(&**sub)),
            other => Err(Error::type_error(format!(
                "'in <string>' requires string as left operand, not {}",
                other.type_name()
            ))),
        },
        Value::List(l) => {
            defined(item)?;
            Ok(l.snapshot().iter().any(|x| py_eq(x, item)))
        }
        Value::Tuple(t) => {
            defined(item)?;
            Ok(t.iter().any(|x| py_eq(x, item)))
        }
        Value::Dict(d) => {
            super::value::check_hashable(item)?;
            Ok(d.borrow().contains_key(item))
        }
        Value::Namespace(_) | Value::Loop(_) | Value::Macro(_) | Value::Method(_) | Value::Function(_) => {
            Err(not_iterable(container))
        }
        Value::Object(o) => match o.iterate() {
            Some(items) => Ok(items.iter().any(|x| py_eq(x, item))),
            None => Ok(o.get_item(item).is_some()),
        },
        other => Err(Error::type_error(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        ))),
    }
}

fn not_iterable(v: &Value) -> Error {
    Error::type_error(format!("'{}' object is not iterable", v.type_name()))
}

/// The items `for x in v` visits (dict keys, string characters, ...).
pub(crate) fn iterate(v: &Value) -> Result<Vec<Value>, Error> {
    Ok(match v {
        Value::Undefined(u) if u.kind == UndefinedKind::Lenient => Vec::new(),
        Value::Undefined(u) => return Err(u.error()),
        Value::Str(s) => s.chars().map(|c| Value::from(c.to_string())).collect(),
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.to_vec(),
        Value::Dict(d) => d.keys(),
        Value::Namespace(ns) => return Err(not_iterable(&Value::Namespace(ns.clone()))),
        Value::Object(o) => o.iterate().ok_or_else(|| not_iterable(v))?,
        other => return Err(not_iterable(other)),
    })
}

/// Python `len()`.
pub(crate) fn length(v: &Value) -> Result<usize, Error> {
    Ok(match v {
        Value::Undefined(u) if u.kind == UndefinedKind::Lenient => 0,
        Value::Undefined(u) => return Err(u.error()),
        Value::Str(s) => s.chars().count(),
        Value::List(l) => l.len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) => d.len(),
        Value::Object(o) => match o.iterate() {
            Some(items) => items.len(),
            None => return Err(no_len(v)),
        },
        other => return Err(no_len(other)),
    })
}

fn no_len(v: &Value) -> Error {
    Error::type_error(format!("object of type '{}' has no len()", v.type_name()))
}

/// `a ~ b`: concatenation of `str()`s.
pub(crate) fn concat(parts: &[Value]) -> Result<Value, Error> {
    let mut out = String::new();
    for p in parts {
        out.push_str(&py_str(p)?);
    }
    Ok(Value::from(out))
}

/// Unary minus.
pub(crate) fn neg(v: &Value) -> Result<Value, Error> {
    defined(v)?;
    match number(v) {
        Some(Num::Int(i)) => i.checked_neg().map(Value::Int).ok_or_else(overflow),
        Some(Num::Float(f)) => Ok(Value::Float(-f)),
        None => Err(Error::type_error(format!("bad operand type for unary -: '{}'", v.type_name()))),
    }
}

/// Unary plus.
pub(crate) fn pos(v: &Value) -> Result<Value, Error> {
    defined(v)?;
    number(v)
        .map(num_value)
        .ok_or_else(|| Error::type_error(format!("bad operand type for unary +: '{}'", v.type_name())))
}

fn overflow() -> Error {
    Error::type_error("integer overflow: the result does not fit in 64 bits")
}

fn unsupported(op: BinOp, a: &Value, b: &Value) -> Error {
    Error::type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    ))
}

/// A binary arithmetic operator (`%` on a string formats it).
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Error> {
    defined(a)?;
    defined(b)?;
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return arith(op, x, y);
    }
    match op {
        BinOp::Add => add(a, b),
        BinOp::Mul => multiply(a, b),
        BinOp::Mod => match a {
            Value::Str(fmt) => super::format::percent_format(fmt, b).map(Value::from),
            _ => Err(unsupported(op, a, b)),
        },
        _ => Err(unsupported(op, a, b)),
    }
}

fn add(a: &Value, b: &Value) -> Result<Value, Error> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(Value::from(format!("{x}{y}"))),
        (Value::List(x), Value::List(y)) => {
            let mut items = x.snapshot();
            items.extend(y.snapshot());
            Ok(Value::list(items))
        }
        (Value::Tuple(x), Value::Tuple(y)) => Ok(Value::tuple(x.iter().chain(y.iter()).cloned().collect())),
        (Value::Str(_) | Value::List(_) | Value::Tuple(_), other) => Err(Error::type_error(format!(
            "can only concatenate {} (not \"{}\") to {}",
            a.type_name(),
            other.type_name(),
            a.type_name()
        ))),
        _ => Err(unsupported(BinOp::Add, a, b)),
    }
}

fn multiply(a: &Value, b: &Value) -> Result<Value, Error> {
    let (seq, count) = match (a, b) {
        (Value::Str(_) | Value::List(_) | Value::Tuple(_), n) => (a, n),
        (n, Value::Str(_) | Value::List(_) | Value::Tuple(_)) => (b, n),
        _ => return Err(unsupported(BinOp::Mul, a, b)),
    };
    let times = match count {
        Value::Int(i) => *i,
        Value::Bool(x) => i64::from(*x),
        other => {
            return Err(Error::type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                other.type_name()
            )))
        }
    };
    let times = usize::try_from(times).unwrap_or(0);
    let unit = length(seq)?;
    if unit.saturating_mul(times) > MAX_REPEAT_LEN {
        return Err(Error::type_error("MemoryError: repeated sequence too large"));
    }
    Ok(match seq {
        Value::Str(s) => Value::from(s.repeat(times)),
        Value::List(l) => Value::list(repeat_items(&l.snapshot(), times)),
        Value::Tuple(t) => Value::tuple(repeat_items(t, times)),
        _ => return Err(unsupported(BinOp::Mul, a, b)),
    })
}

fn repeat_items(items: &[Value], times: usize) -> Vec<Value> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(items.len() * times);
    for _ in 0..times {
        out.extend_from_slice(items);
    }
    out
}

fn arith(op: BinOp, x: Num, y: Num) -> Result<Value, Error> {
    match (x, y) {
        (Num::Int(a), Num::Int(b)) => int_arith(op, a, b),
        _ => float_arith(op, x.as_f64(), y.as_f64()),
    }
}

fn int_arith(op: BinOp, a: i64, b: i64) -> Result<Value, Error> {
    let zero = |msg: &str| Err(Error::type_error(msg.to_string()));
    let r = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::Div if b == 0 => return zero("division by zero"),
        BinOp::Div => return float_arith(op, a as f64, b as f64),
        BinOp::FloorDiv if b == 0 => return zero("integer division or modulo by zero"),
        BinOp::FloorDiv => a.checked_div_euclid(b).map(|_| floor_div(a, b)),
        BinOp::Mod if b == 0 => return zero("integer modulo by zero"),
        BinOp::Mod => a.checked_rem(b).map(|r| if r != 0 && ((r < 0) != (b < 0)) { r + b } else { r }),
        BinOp::Pow if b < 0 => return float_arith(op, a as f64, b as f64),
        BinOp::Pow => u32::try_from(b).ok().and_then(|e| a.checked_pow(e)),
    };
    r.map(Value::Int).ok_or_else(overflow)
}

fn floor_div(a: i64, b: i64) -> i64 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn float_arith(op: BinOp, a: f64, b: f64) -> Result<Value, Error> {
    let zero = |msg: &str| Err(Error::type_error(msg.to_string()));
    let r = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div if b == 0.0 => return zero("float division by zero"),
        BinOp::Div => a / b,
        BinOp::FloorDiv if b == 0.0 => return zero("float floor division by zero"),
        BinOp::FloorDiv => (a / b).floor(),
        BinOp::Mod if b == 0.0 => return zero("float modulo"),
        BinOp::Mod => {
            let r = a % b;
            if r == 0.0 {
                0.0f64.copysign(b)
            } else if (r < 0.0) != (b < 0.0) {
                r + b
            } else {
                r
            }
        }
        BinOp::Pow if a == 0.0 && b < 0.0 => return zero("0.0 cannot be raised to a negative power"),
        BinOp::Pow => {
            let r = a.powf(b);
            if r.is_nan() && !a.is_nan() && !b.is_nan() {
                return Err(Error::type_error("complex results are not supported"));
            }
            r
        }
    };
    Ok(Value::Float(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn arithmetic_follows_python() {
        assert_eq!(binary(BinOp::FloorDiv, &Value::Int(-7), &Value::Int(2)).unwrap(), Value::Int(-4));
        assert_eq!(binary(BinOp::Mod, &Value::Int(-7), &Value::Int(3)).unwrap(), Value::Int(2));
        assert_eq!(binary(BinOp::Mod, &Value::Int(7), &Value::Int(-3)).unwrap(), Value::Int(-2));
        assert_eq!(binary(BinOp::Mod, &Value::Float(-7.5), &Value::Int(2)).unwrap(), Value::Float(0.5));
        assert_eq!(binary(BinOp::Div, &Value::Int(1), &Value::Int(2)).unwrap(), Value::Float(0.5));
        assert_eq!(binary(BinOp::Pow, &Value::Int(2), &Value::Int(-1)).unwrap(), Value::Float(0.5));
        assert_eq!(binary(BinOp::Add, &Value::Bool(true), &Value::Int(1)).unwrap(), Value::Int(2));
        assert_eq!(binary(BinOp::Mul, &s("ab"), &Value::Int(2)).unwrap(), s("abab"));
        assert_eq!(binary(BinOp::Mul, &Value::Int(-1), &s("ab")).unwrap(), s(""));
        let e = binary(BinOp::Add, &Value::Int(1), &s("a")).unwrap_err();
        assert_eq!(e.message(), "unsupported operand type(s) for +: 'int' and 'str'");
        let e = binary(BinOp::Add, &s("a"), &Value::Int(1)).unwrap_err();
        assert_eq!(e.message(), "can only concatenate str (not \"int\") to str");
        let e = binary(BinOp::Mod, &Value::Int(1), &Value::Int(0)).unwrap_err();
        assert_eq!(e.message(), "integer modulo by zero");
        assert!(binary(BinOp::Mul, &s("ab"), &Value::Int(i64::MAX)).is_err());
        assert!(binary(BinOp::Pow, &Value::Int(10), &Value::Int(100)).is_err());
    }

    #[test]
    fn comparisons_follow_python() {
        assert!(compare(CmpOp::Eq, &Value::Int(1), &Value::Float(1.0)).unwrap());
        assert!(compare(CmpOp::Lt, &Value::list(vec![Value::Int(1)]), &Value::list(vec![Value::Int(1), Value::Int(0)])).unwrap());
        let e = compare(CmpOp::Lt, &Value::Int(1), &s("a")).unwrap_err();
        assert_eq!(e.message(), "'<' not supported between instances of 'int' and 'str'");
        assert!(compare(CmpOp::In, &s("b"), &s("abc")).unwrap());
        assert!(compare(CmpOp::NotIn, &Value::Int(3), &Value::list(vec![Value::Int(1)])).unwrap());
        let e = compare(CmpOp::In, &Value::Int(1), &s("abc")).unwrap_err();
        assert_eq!(e.message(), "'in <string>' requires string as left operand, not int");
        assert!(compare(CmpOp::Eq, &Value::undefined("'x' is undefined"), &Value::None).is_err());
    }
}
