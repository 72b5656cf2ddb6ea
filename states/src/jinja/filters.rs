//! Jinja2's builtin filters (`default`, `join`, `map`, `selectattr`,
//! `dictsort`, `indent`, ...) and the filter registry, which also holds
//! Salt's filters (implemented in `salt` and `salt_net`; Salt's versions of
//! `unique`, `min`, `max` and `tojson` replace Jinja2's, as in Salt).
//!
//! Filters receive the evaluator state only to call back into template code
//! (`map`, `select`, sort keys); they must not print.

use super::args::{self, bind, flag, int, int_or, required, text, text_or};
use super::error::Error;
use super::eval::{undefined_attr, State};
use super::format::percent_format;
use super::lexer::py_space;
use super::methods::{self, pad, sort_by_keys, split_ws, splitlines};
use super::ops::{self, number, truthy, Num};
use super::repr::{py_repr, py_str};
use super::value::{Dict, Kwargs, Object, Value};
use super::{salt, salt_net};

/// A filter: `value | name(args, kwargs)`.
pub(crate) type FilterFn = fn(&mut State<'_>, &Value, &[Value], &Kwargs) -> Result<Value, Error>;

/// Filters that accept an undefined input (the rest fail on it).
pub(crate) fn accepts_undefined(name: &str) -> bool {
    matches!(name, "default" | "d") || salt::passes_undefined(name)
}

/// The filter named `name`, if any.
pub(crate) fn lookup(name: &str) -> Option<FilterFn> {
    let f: FilterFn = match name {
        "abs" => abs,
        "attr" => attr,
        "batch" => batch,
        "capitalize" => |_, v, a, k| str_op(v, a, k, "capitalize", methods::capitalize),
        "center" => center,
        "count" | "length" => length,
        "d" | "default" => default,
        "dictsort" => dictsort,
        "e" | "escape" | "forceescape" => escape,
        "filesizeformat" => filesizeformat,
        "first" => first,
        "float" => float,
        "format" => format,
        "groupby" => groupby,
        "indent" => indent,
        "int" => to_int,
        "items" => items,
        "join" => join,
        "last" => last,
        "list" => list,
        "lower" => |_, v, a, k| str_op(v, a, k, "lower", str::to_lowercase),
        "map" => map,
        "pprint" => pprint,
        "random" => random,
        "reject" => |st, v, a, k| select_or_reject(st, v, a, k, false, false),
        "rejectattr" => |st, v, a, k| select_or_reject(st, v, a, k, false, true),
        "replace" => replace,
        "reverse" => reverse,
        "round" => round,
        "safe" | "string" => string,
        "select" => |st, v, a, k| select_or_reject(st, v, a, k, true, false),
        "selectattr" => |st, v, a, k| select_or_reject(st, v, a, k, true, true),
        "slice" => slice,
        "sort" => sort,
        "striptags" => striptags,
        "sum" => sum,
        "title" => |_, v, a, k| str_op(v, a, k, "title", jinja_title),
        "trim" => trim,
        "truncate" => truncate,
        "upper" => |_, v, a, k| str_op(v, a, k, "upper", str::to_uppercase),
        "urlencode" => urlencode,
        "wordcount" => wordcount,
        "wordwrap" => wordwrap,
        "xmlattr" => xmlattr,
        other => return salt::lookup(other).or_else(|| salt_net::lookup(other)),
    };
    Some(f)
}

fn str_op(v: &Value, a: &[Value], k: &Kwargs, name: &str, f: fn(&str) -> String) -> Result<Value, Error> {
    args::none(name, a, k)?;
    Ok(Value::from(f(&py_str(v)?)))
}

fn abs(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("abs", a, k)?;
    match number(v) {
        Some(Num::Int(i)) => i.checked_abs().map(Value::Int).ok_or_else(|| Error::type_error("integer overflow")),
        Some(Num::Float(f)) => Ok(Value::Float(f.abs())),
        None => Err(Error::type_error(format!("bad operand type for abs(): '{}'", v.type_name()))),
    }
}

fn attr(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [name] = bind("attr", ["name"], a, k)?;
    let name = text(required("attr", "name", name)?)?;
    match v {
        Value::Object(_) | Value::Namespace(_) | Value::Loop(_) | Value::Undefined(_) => st.get_attr(v, &name),
        _ if methods::is_method(v, &name) || name.starts_with("__") => st.get_attr(v, &name),
        _ => Ok(undefined_attr(v, &name)),
    }
}

fn batch(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [count, fill] = bind("batch", ["linecount", "fill_with"], a, k)?;
    let count = usize::try_from(int(required("batch", "linecount", count)?, "linecount")?).unwrap_or(0).clamp(1, 1 << 20);
    let items = ops::iterate(v)?;
    let mut out = Vec::new();
    for chunk in items.chunks(count) {
        let mut row = chunk.to_vec();
        if let Some(f) = fill.filter(|f| !matches!(f, Value::None)) {
            row.resize(count, f.clone());
        }
        out.push(Value::list(row));
    }
    Ok(Value::list(out))
}

fn center(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [w] = bind("center", ["width"], a, k)?;
    Ok(Value::from(pad(&py_str(v)?, int_or(w, 80, "width")?, ' ', "center")))
}

fn length(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("length", a, k)?;
    Ok(Value::Int(i64::try_from(ops::length(v)?).unwrap_or(i64::MAX)))
}

fn default(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [dv, boolean] = bind("default", ["default_value", "boolean"], a, k)?;
    let use_default = v.is_undefined() || (flag(boolean, false)? && !truthy(v)?);
    if use_default {
        return Ok(dv.cloned().unwrap_or_else(|| Value::str("")));
    }
    Ok(v.clone())
}

fn ignore_case(v: Value) -> Value {
    match &v {
        Value::Str(s) => Value::from(s.to_lowercase()),
        _ => v,
    }
}

fn dictsort(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [cs, by, reverse] = bind("dictsort", ["case_sensitive", "by", "reverse"], a, k)?;
    let Value::Dict(d) = v else {
        return Err(Error::type_error(format!("'{}' object has no attribute 'items'", v.type_name())));
    };
    let pos = match by.map(text).transpose()?.as_deref() {
        None | Some("key") => 0,
        Some("value") => 1,
        Some(_) => return Err(Error::runtime("You can only sort by either \"key\" or \"value\"")),
    };
    let case_sensitive = flag(cs, false)?;
    let pairs = d.items();
    let keys: Vec<Value> = pairs
        .iter()
        .map(|(k, v)| {
            let x = if pos == 0 { k.clone() } else { v.clone() };
            if case_sensitive { x } else { ignore_case(x) }
        })
        .collect();
    let items = pairs.into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect();
    Ok(Value::list(sort_by_keys(items, &keys, flag(reverse, false)?)?))
}

/// HTML escaping as markupsafe does.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn escape(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("escape", a, k)?;
    Ok(Value::from(html_escape(&py_str(v)?)))
}

fn filesizeformat(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [binary] = bind("filesizeformat", ["binary"], a, k)?;
    let bytes = to_float(v).ok_or_else(|| Error::type_error(format!("could not convert {} to float", v.type_name())))?;
    let binary = flag(binary, false)?;
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if bytes == 1.0 {
        return Ok(Value::str("1 Byte"));
    }
    if bytes < base {
        return Ok(Value::from(format!("{} Bytes", bytes.trunc() as i64)));
    }
    let mut unit = base;
    let mut prefix = prefixes[0];
    for (i, p) in prefixes.iter().enumerate() {
        unit = base.powi(i32::try_from(i).unwrap_or(0) + 2);
        prefix = p;
        if bytes < unit {
            break;
        }
    }
    Ok(Value::from(format!("{:.1} {prefix}", base * bytes / unit)))
}

fn first(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("first", a, k)?;
    Ok(ops::iterate(v)?.into_iter().next().unwrap_or_else(|| Value::undefined("No first item, sequence was empty.")))
}

fn last(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("last", a, k)?;
    Ok(ops::iterate(v)?.pop().unwrap_or_else(|| Value::undefined("No last item, sequence was empty.")))
}

/// Python `float(x)` for numbers and numeric strings.
pub(crate) fn to_float(v: &Value) -> Option<f64> {
    match v {
        Value::Str(s) => parse_py_float(s),
        other => number(other).map(Num::as_f64),
    }
}

pub(crate) fn parse_py_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(py_space);
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    let special = matches!(unsigned, "inf" | "infinity" | "nan");
    let well_formed = special
        || (!t.is_empty()
            && !t.starts_with('_')
            && !t.ends_with('_')
            && !t.contains("__")
            && t.chars().all(|c| c.is_ascii_digit() || "+-.eE_".contains(c)));
    if !well_formed {
        return None;
    }
    t.replace('_', "").parse::<f64>().ok()
}

fn float(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [d] = bind("float", ["default"], a, k)?;
    Ok(match to_float(v) {
        Some(f) => Value::Float(f),
        None => d.cloned().unwrap_or(Value::Float(0.0)),
    })
}

/// Python `int(s, base)` for strings.
pub(crate) fn parse_py_int(s: &str, base: u32) -> Option<i64> {
    if base == 1 || base > 36 {
        return None;
    }
    let t = s.trim_matches(py_space);
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (0 | 16, Some("0x")) => (16, &body[2..]),
        (0 | 8, Some("0o")) => (8, &body[2..]),
        (0 | 2, Some("0b")) => (2, &body[2..]),
        (0, _) => (10, body),
        (b, _) => (b, body),
    };
    let digits = digits.strip_prefix('_').filter(|_| body.len() > digits.len()).unwrap_or(digits);
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let n = i64::from_str_radix(&clean, base).ok()?;
    Some(if neg { -n } else { n })
}

fn to_int(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [d, base] = bind("int", ["default", "base"], a, k)?;
    let Ok(base) = int_or(base, 10, "base") else {
        return Ok(d.cloned().unwrap_or(Value::Int(0)));
    };
    let base = u32::try_from(base).unwrap_or(10);
    let converted = match v {
        Value::Str(s) => parse_py_int(s, base).or_else(|| parse_py_float(s).filter(|f| f.is_finite()).map(|f| f.trunc() as i64)),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    };
    Ok(converted.map(Value::Int).unwrap_or_else(|| d.cloned().unwrap_or(Value::Int(0))))
}

fn format(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    if !a.is_empty() && !k.is_empty() {
        return Err(Error::runtime("can't handle positional and keyword arguments at the same time"));
    }
    let fmt = py_str(v)?;
    let args = if k.is_empty() {
        Value::tuple(a.to_vec())
    } else {
        Value::dict(k.iter().map(|(key, val)| (Value::str(key), val.clone())).collect())
    };
    percent_format(&fmt, &args).map(Value::from)
}

/// Follows a dotted attribute path (`"a.b.0"`) with Jinja's item lookup.
pub(crate) fn attr_path(st: &mut State<'_>, item: &Value, attribute: &Value, default: Option<&Value>) -> Result<Value, Error> {
    let parts: Vec<Value> = match attribute {
        Value::Str(s) => s
            .split('.')
            .map(|p| match p.parse::<i64>() {
                Ok(i) if p.chars().all(|c| c.is_ascii_digit()) => Value::Int(i),
                _ => Value::str(p),
            })
            .collect(),
        Value::None => Vec::new(),
        other => vec![other.clone()],
    };
    let mut cur = item.clone();
    for part in parts {
        cur = st.get_item(&cur, &part)?;
        if let (Some(d), true) = (default, cur.is_undefined()) {
            cur = d.clone();
        }
    }
    Ok(cur)
}

/// The `(grouper, list)` pairs `groupby` yields.
struct GroupTuple {
    grouper: Value,
    list: Value,
}

impl Object for GroupTuple {
    fn type_name(&self) -> &str {
        "_GroupTuple"
    }

    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "grouper" => Some(self.grouper.clone()),
            "list" => Some(self.list.clone()),
            _ => None,
        }
    }

    fn get_item(&self, key: &Value) -> Option<Value> {
        match key {
            Value::Int(0) => Some(self.grouper.clone()),
            Value::Int(1) => Some(self.list.clone()),
            _ => None,
        }
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(vec![self.grouper.clone(), self.list.clone()])
    }

    fn to_str(&self) -> String {
        py_repr(&Value::tuple(vec![self.grouper.clone(), self.list.clone()]))
    }
}

fn groupby(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [attribute, default, cs] = bind("groupby", ["attribute", "default", "case_sensitive"], a, k)?;
    let attribute = required("groupby", "attribute", attribute)?;
    let case_sensitive = flag(cs, false)?;
    let items = ops::iterate(v)?;
    let mut keys = Vec::with_capacity(items.len());
    for item in &items {
        let key = attr_path(st, item, attribute, default)?;
        keys.push(if case_sensitive { key } else { ignore_case(key) });
    }
    let order: Vec<Value> = (0..items.len()).map(|i| Value::Int(i as i64)).collect();
    let sorted = sort_by_keys(order, &keys, false)?;
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for idx in sorted {
        let i = usize::try_from(args::int(&idx, "index")?).unwrap_or(0);
        match groups.last_mut() {
            Some((key, members)) if ops::py_eq(key, &keys[i]) => members.push(items[i].clone()),
            _ => groups.push((keys[i].clone(), vec![items[i].clone()])),
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for (key, members) in groups {
        let grouper = if case_sensitive { key } else { attr_path(st, &members[0], attribute, default)? };
        out.push(Value::object(GroupTuple { grouper, list: Value::list(members) }));
    }
    Ok(Value::list(out))
}

fn indent(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [width, first, blank] = bind("indent", ["width", "first", "blank"], a, k)?;
    let indention = match width {
        Some(Value::Str(s)) => s.to_string(),
        other => " ".repeat(usize::try_from(int_or(other, 4, "width")?).unwrap_or(0).min(1 << 16)),
    };
    let s = format!("{}\n", py_str(v)?);
    let lines = splitlines(&s, false);
    let mut rv = if flag(blank, false)? {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut it = lines.into_iter();
        let mut rv = it.next().unwrap_or_default();
        let rest: Vec<String> = it.map(|l| if l.is_empty() { l } else { format!("{indention}{l}") }).collect();
        if !rest.is_empty() {
            rv.push('\n');
            rv.push_str(&rest.join("\n"));
        }
        rv
    };
    if flag(first, false)? {
        rv = format!("{indention}{rv}");
    }
    Ok(Value::from(rv))
}

fn items(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("items", a, k)?;
    match v {
        Value::Undefined(_) => Ok(Value::list(Vec::new())),
        Value::Dict(d) => Ok(Value::list(d.items().into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect())),
        _ => Err(Error::type_error("Can only get item pairs from a mapping.")),
    }
}

fn join(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [d, attribute] = bind("join", ["d", "attribute"], a, k)?;
    let sep = text_or(d, "")?;
    let mut parts = Vec::new();
    for item in ops::iterate(v)? {
        let item = match attribute {
            Some(attr) => attr_path(st, &item, attr, None)?,
            None => item,
        };
        parts.push(py_str(&item)?);
    }
    Ok(Value::from(parts.join(&sep)))
}

fn list(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("list", a, k)?;
    Ok(Value::list(ops::iterate(v)?))
}

fn map(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    if !truthy(v)? {
        return Ok(Value::list(Vec::new()));
    }
    let items = ops::iterate(v)?;
    let mut out = Vec::with_capacity(items.len());
    if a.is_empty() && k.contains_key("attribute") {
        let [attribute, default] = bind("map", ["attribute", "default"], &[], k)?;
        let attribute = required("map", "attribute", attribute)?;
        for item in items {
            out.push(attr_path(st, &item, attribute, default)?);
        }
        return Ok(Value::list(out));
    }
    let Some((name, rest)) = a.split_first() else {
        return Err(Error::runtime("map requires a filter argument"));
    };
    let name = text(name)?;
    for item in items {
        out.push(st.filter_by_name(&name, item, rest, k)?);
    }
    Ok(Value::list(out))
}

fn pprint(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("pprint", a, k)?;
    Ok(Value::from(salt::pformat(v)))
}

fn random(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("random", a, k)?;
    let items = ops::iterate(v)?;
    if items.is_empty() {
        return Err(Error::type_error("Cannot choose from an empty sequence"));
    }
    let i = usize::try_from(super::globals::random_u64() % items.len() as u64).unwrap_or(0);
    Ok(items[i].clone())
}

fn select_or_reject(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs, keep: bool, lookup_attr: bool) -> Result<Value, Error> {
    if !truthy(v)? {
        return Ok(Value::list(Vec::new()));
    }
    let (attribute, rest) = if lookup_attr {
        let Some((attr, rest)) = a.split_first() else {
            return Err(Error::runtime("Missing parameter for attribute name"));
        };
        (Some(attr), rest)
    } else {
        (None, a)
    };
    let test = rest.split_first().map(|(n, r)| text(n).map(|n| (n, r))).transpose()?;
    let mut out = Vec::new();
    for item in ops::iterate(v)? {
        let probe = match attribute {
            Some(attr) => attr_path(st, &item, attr, None)?,
            None => item.clone(),
        };
        let passed = match &test {
            Some((name, targs)) => st.test_by_name(name, &probe, targs, k)?,
            None => truthy(&probe)?,
        };
        if passed == keep {
            out.push(item);
        }
    }
    Ok(Value::list(out))
}

fn replace(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [old, new, count] = bind("replace", ["old", "new", "count"], a, k)?;
    let s = py_str(v)?;
    let old = text(required("replace", "old", old)?)?;
    let new = text(required("replace", "new", new)?)?;
    let count = match count {
        None | Some(Value::None) => -1,
        Some(c) => int(c, "count")?,
    };
    Ok(Value::from(match usize::try_from(count) {
        Ok(n) => s.replacen(&*old, &new, n),
        Err(_) => s.replace(&*old, &new),
    }))
}

fn reverse(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("reverse", a, k)?;
    match v {
        Value::Str(s) => Ok(Value::from(s.chars().rev().collect::<String>())),
        other => {
            let mut items = ops::iterate(other).map_err(|_| Error::runtime("argument must be iterable"))?;
            items.reverse();
            Ok(Value::list(items))
        }
    }
}

/// Python's `round(x, ndigits)` (ties to even on the exact binary value).
pub(crate) fn py_round(f: f64, ndigits: i64) -> f64 {
    if !f.is_finite() {
        return f;
    }
    if ndigits >= 0 {
        let prec = usize::try_from(ndigits.min(300)).unwrap_or(0);
        return format!("{:.*}", prec, f).parse().unwrap_or(f);
    }
    let scale = 10f64.powi(i32::try_from((-ndigits).min(308)).unwrap_or(0));
    let scaled = f / scale;
    let r = scaled.round();
    let r = if (scaled - scaled.trunc()).abs() == 0.5 { 2.0 * (scaled / 2.0).round() } else { r };
    r * scale
}

fn round(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [precision, method] = bind("round", ["precision", "method"], a, k)?;
    let precision = int_or(precision, 0, "precision")?;
    let method = text_or(method, "common")?;
    let Some(n) = number(v) else {
        return Err(Error::type_error(format!("type {} doesn't define __round__ method", v.type_name())));
    };
    match (&*method, n) {
        ("common", Num::Int(i)) if precision >= 0 => Ok(Value::Int(i)),
        ("common", n) => Ok(Value::Float(py_round(n.as_f64(), precision))),
        ("ceil" | "floor", n) => {
            let scale = 10f64.powi(i32::try_from(precision.clamp(-308, 308)).unwrap_or(0));
            let x = n.as_f64() * scale;
            let r = if &*method == "ceil" { x.ceil() } else { x.floor() };
            Ok(Value::Float(r / scale))
        }
        _ => Err(Error::runtime("method must be common, ceil or floor")),
    }
}

fn string(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("string", a, k)?;
    Ok(match v {
        Value::Str(_) => v.clone(),
        other => Value::from(py_str(other)?),
    })
}

fn slice(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [slices, fill] = bind("slice", ["slices", "fill_with"], a, k)?;
    let slices = usize::try_from(int(required("slice", "slices", slices)?, "slices")?).unwrap_or(0);
    if slices == 0 {
        return Err(Error::type_error("integer division or modulo by zero"));
    }
    if slices > 1 << 20 {
        return Err(Error::type_error("MemoryError: too many slices"));
    }
    let seq = ops::iterate(v)?;
    let per = seq.len() / slices;
    let extra = seq.len() % slices;
    let mut offset = 0;
    let mut out = Vec::with_capacity(slices);
    for n in 0..slices {
        let start = offset + n * per;
        if n < extra {
            offset += 1;
        }
        let end = offset + (n + 1) * per;
        let mut part = seq[start.min(seq.len())..end.min(seq.len())].to_vec();
        if let Some(f) = fill.filter(|f| !matches!(f, Value::None)) {
            if n >= extra {
                part.push(f.clone());
            }
        }
        out.push(Value::list(part));
    }
    Ok(Value::list(out))
}

fn sort(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [reverse, cs, attribute] = bind("sort", ["reverse", "case_sensitive", "attribute"], a, k)?;
    let case_sensitive = flag(cs, false)?;
    let items = ops::iterate(v)?;
    let attrs: Vec<Value> = match attribute {
        None | Some(Value::None) => Vec::new(),
        Some(Value::Str(s)) => s.split(',').map(|p| Value::str(p.trim())).collect(),
        Some(other) => vec![other.clone()],
    };
    let mut keys = Vec::with_capacity(items.len());
    for item in &items {
        let mut parts = Vec::with_capacity(attrs.len().max(1));
        if attrs.is_empty() {
            parts.push(item.clone());
        }
        for attr in &attrs {
            parts.push(attr_path(st, item, attr, None)?);
        }
        let parts: Vec<Value> = parts.into_iter().map(|p| if case_sensitive { p } else { ignore_case(p) }).collect();
        keys.push(if attrs.len() > 1 { Value::list(parts) } else { parts.into_iter().next().unwrap_or(Value::None) });
    }
    Ok(Value::list(sort_by_keys(items, &keys, flag(reverse, false)?)?))
}

fn striptags(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("striptags", a, k)?;
    let s = py_str(v)?;
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let close = if after.starts_with("<!--") { after.find("-->").map(|j| j + 3) } else { after.find('>').map(|j| j + 1) };
        match close {
            Some(j) => rest = &after[j..],
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let collapsed = split_ws(&out, None, false).join(" ");
    Ok(Value::from(html_unescape(&collapsed)))
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#34;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

fn sum(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [attribute, start] = bind("sum", ["attribute", "start"], a, k)?;
    let mut total = start.cloned().unwrap_or(Value::Int(0));
    for item in ops::iterate(v)? {
        let item = match attribute {
            Some(attr) => attr_path(st, &item, attr, None)?,
            None => item,
        };
        total = ops::binary(super::ast::BinOp::Add, &total, &item)?;
    }
    Ok(total)
}

/// Jinja2's `title` filter (words start after `-`, whitespace, brackets).
fn jinja_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_start = true;
    for c in s.chars() {
        let separator = py_space(c) || "-({[<".contains(c);
        if separator {
            out.push(c);
        } else if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        at_start = separator;
    }
    out
}

fn trim(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [chars] = bind("trim", ["chars"], a, k)?;
    let s = py_str(v)?;
    let chars = match chars {
        None | Some(Value::None) => None,
        Some(c) => Some(text(c)?),
    };
    Ok(Value::str(methods::strip(&s, chars.as_deref(), "strip")))
}

fn truncate(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [length, killwords, end, leeway] = bind("truncate", ["length", "killwords", "end", "leeway"], a, k)?;
    let s = py_str(v)?;
    let length = int_or(length, 255, "length")?;
    let end = text_or(end, "...")?;
    let leeway = match leeway {
        None | Some(Value::None) => 5,
        Some(l) => int(l, "leeway")?,
    };
    let end_len = i64::try_from(end.chars().count()).unwrap_or(0);
    if length < end_len {
        return Err(Error::type_error(format!("expected length >= {end_len}, got {length}")));
    }
    if leeway < 0 {
        return Err(Error::type_error(format!("expected leeway >= 0, got {leeway}")));
    }
    let n = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
    if n <= length.saturating_add(leeway) {
        return Ok(Value::from(s));
    }
    let keep: String = s.chars().take(usize::try_from(length - end_len).unwrap_or(0)).collect();
    if flag(killwords, false)? {
        return Ok(Value::from(format!("{keep}{end}")));
    }
    let head = keep.rsplit_once(' ').map_or(keep.as_str(), |(h, _)| h);
    Ok(Value::from(format!("{head}{end}")))
}

/// `urllib.parse.quote` with the given safe characters.
pub(crate) fn url_quote(s: &str, safe: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "_.-~".contains(c) || safe.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn urlencode(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("urlencode", a, k)?;
    let qs = |x: &Value| -> Result<String, Error> { Ok(url_quote(&py_str(x)?, "").replace("%20", "+")) };
    let pairs: Vec<(Value, Value)> = match v {
        Value::Str(s) => return Ok(Value::from(url_quote(s, "/"))),
        Value::Dict(d) => d.items(),
        Value::List(_) | Value::Tuple(_) => {
            let mut pairs = Vec::new();
            for item in ops::iterate(v)? {
                let kv = ops::iterate(&item)?;
                let [key, val] = <[Value; 2]>::try_from(kv).map_err(|_| Error::type_error("urlencode expects pairs"))?;
                pairs.push((key, val));
            }
            pairs
        }
        other => return Ok(Value::from(url_quote(&py_str(other)?, "/"))),
    };
    let parts: Vec<String> = pairs.iter().map(|(k, v)| Ok(format!("{}={}", qs(k)?, qs(v)?))).collect::<Result<_, Error>>()?;
    Ok(Value::from(parts.join("&")))
}

fn wordcount(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("wordcount", a, k)?;
    let s = py_str(v)?;
    let words = s.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).count();
    Ok(Value::Int(i64::try_from(words).unwrap_or(i64::MAX)))
}

fn wordwrap(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [width, blw, wrapstring, boh] = bind("wordwrap", ["width", "break_long_words", "wrapstring", "break_on_hyphens"], a, k)?;
    let width = usize::try_from(int_or(width, 79, "width")?).unwrap_or(0);
    if width == 0 {
        return Err(Error::type_error(format!("invalid width {width} (must be > 0)")));
    }
    let wrapstring = text_or(wrapstring, "\n")?;
    let opts = WrapOptions { width, break_long: flag(blw, true)?, hyphens: flag(boh, true)? };
    let s = py_str(v)?;
    let paragraphs: Vec<String> = splitlines(&s, false).iter().map(|line| wrap_line(line, &opts).join(&wrapstring)).collect();
    Ok(Value::from(paragraphs.join(&wrapstring)))
}

struct WrapOptions {
    width: usize,
    break_long: bool,
    hyphens: bool,
}

/// Splits text into words and whitespace runs (and after hyphens inside words).
fn wrap_chunks(line: &str, hyphens: bool) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_space = false;
    for c in line.chars() {
        let space = py_space(c);
        if !cur.is_empty() && space != cur_space {
            chunks.push(std::mem::take(&mut cur));
        }
        cur_space = space;
        cur.push(c);
        let breaks_after = hyphens && c == '-' && cur.chars().count() > 1 && cur.chars().rev().nth(1).is_some_and(char::is_alphanumeric);
        if !space && breaks_after {
            chunks.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    chunks
}

/// Greedy line filling as Python's `textwrap.wrap` (whitespace kept inside
/// lines, dropped at line ends).
fn wrap_line(line: &str, o: &WrapOptions) -> Vec<String> {
    let mut chunks = wrap_chunks(line, o.hyphens);
    chunks.reverse();
    let mut lines = Vec::new();
    while !chunks.is_empty() {
        let mut cur: Vec<String> = Vec::new();
        let mut len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| c.chars().all(py_space)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = chunk.chars().count();
            if len + l <= o.width {
                len += l;
                cur.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if let Some(chunk) = chunks.last().filter(|c| c.chars().count() > o.width) {
            if o.break_long {
                let room = (o.width - len).max(usize::from(cur.is_empty()));
                let head: String = chunk.chars().take(room).collect();
                let tail: String = chunk.chars().skip(room).collect();
                chunks.pop();
                chunks.push(tail);
                cur.push(head);
            } else if cur.is_empty() {
                cur.push(chunks.pop().unwrap_or_default());
            }
        }
        if cur.last().is_some_and(|c| c.chars().all(py_space)) {
            cur.pop();
        }
        if !cur.is_empty() {
            lines.push(cur.concat());
        }
    }
    lines
}

fn xmlattr(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [autospace] = bind("xmlattr", ["autospace"], a, k)?;
    let Value::Dict(d) = v else {
        return Err(Error::type_error(format!("'{}' object has no attribute 'items'", v.type_name())));
    };
    let mut parts = Vec::new();
    for (key, val) in d.items() {
        if matches!(val, Value::None | Value::Undefined(_)) {
            continue;
        }
        let key = py_str(&key)?;
        if key.chars().any(|c| py_space(c) || "/>=".contains(c)) {
            return Err(Error::type_error(format!("Invalid character in attribute name: {}", brine_common::value::py_str_repr(&key))));
        }
        parts.push(format!("{}=\"{}\"", html_escape(&key), html_escape(&py_str(&val)?)));
    }
    let rv = parts.join(" ");
    Ok(Value::from(if flag(autospace, true)? && !rv.is_empty() { format!(" {rv}") } else { rv }))
}

/// Builds a dict value from string keys (for filters returning mappings).
pub(crate) fn str_dict(pairs: Vec<(&str, Value)>) -> Value {
    let d = Dict::default();
    for (k, v) in pairs {
        d.borrow_mut().insert(Value::str(k), v);
    }
    Value::Dict(d)
}
