//! Python methods of the builtin types templates call: `str` (split, strip,
//! format, ...), `list` (append, extend, sort, ...), `dict` (update,
//! setdefault, items, ...), `tuple` and `float`. List and dict methods mutate
//! the shared container, so `{% do d.update(x) %}` is seen by every holder.
//!
//! It must not hold a container borrow while running template code (a sort
//! key may be a macro).

use brine_common::value::py_str_repr;

use super::args::{self, bind, flag, int, int_or, opt_str, required, strict_str};
use super::error::Error;
use super::eval::{py_index, State};
use super::format::str_format;
use super::lexer::py_space;
use super::ops::{self, py_cmp, py_eq};
use super::repr::py_repr;
use super::value::{check_hashable, Dict, Kwargs, List, Value};

const STR_METHODS: &[&str] = &[
    "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "index",
    "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable",
    "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
    "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith",
    "strip", "swapcase", "title", "upper", "zfill",
];
const LIST_METHODS: &[&str] =
    &["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"];
const DICT_METHODS: &[&str] =
    &["clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];
const TUPLE_METHODS: &[&str] = &["count", "index"];

/// Whether `obj.name` is a Python method of a builtin type.
pub(crate) fn is_method(obj: &Value, name: &str) -> bool {
    let table = match obj {
        Value::Str(_) => STR_METHODS,
        Value::List(_) => LIST_METHODS,
        Value::Dict(_) => DICT_METHODS,
        Value::Tuple(_) => TUPLE_METHODS,
        Value::Float(_) => &["is_integer"],
        _ => return false,
    };
    table.contains(&name)
}

/// Calls method `name` of `obj`.
pub(crate) fn call(st: &mut State<'_>, obj: &Value, name: &str, args: Vec<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    match obj {
        Value::Str(s) => str_method(s, name, &args, &kwargs),
        Value::List(l) => list_method(st, l, name, args, &kwargs),
        Value::Dict(d) => dict_method(d, name, args, &kwargs),
        Value::Tuple(t) => seq_method(t, "tuple", name, &args, &kwargs),
        Value::Float(f) if name == "is_integer" => {
            args::none("is_integer", &args, &kwargs)?;
            Ok(Value::Bool(f.is_finite() && f.fract() == 0.0))
        }
        other => Err(Error::type_error(format!("'{}' object has no attribute '{name}'", other.type_name()))),
    }
}

fn list_of_str(items: Vec<String>) -> Value {
    Value::list(items.into_iter().map(Value::from).collect())
}

fn size(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

// ---------------------------------------------------------------------------
// str

fn str_method(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    match name {
        "split" | "rsplit" => {
            let [sep, max] = bind(name, ["sep", "maxsplit"], args, kwargs)?;
            let sep = opt_str(sep, name)?;
            let max = int_or(max, -1, "maxsplit")?;
            let max = usize::try_from(max).ok();
            let parts = match sep {
                Some("") => return Err(Error::type_error("empty separator")),
                Some(sep) => split_sep(s, sep, max, name == "rsplit"),
                None => split_ws(s, max, name == "rsplit"),
            };
            Ok(list_of_str(parts))
        }
        "strip" | "lstrip" | "rstrip" => {
            let [chars] = bind(name, ["chars"], args, kwargs)?;
            Ok(Value::str(strip(s, opt_str(chars, name)?, name)))
        }
        "startswith" | "endswith" => affix(s, name, args, kwargs),
        "replace" => {
            let [old, new, count] = bind(name, ["old", "new", "count"], args, kwargs)?;
            let old = strict_str(required(name, "old", old)?, name)?;
            let new = strict_str(required(name, "new", new)?, name)?;
            let count = int_or(count, -1, "count")?;
            Ok(Value::from(match usize::try_from(count) {
                Ok(n) => s.replacen(old, new, n),
                Err(_) => s.replace(old, new),
            }))
        }
        "find" | "rfind" | "index" | "rindex" | "count" => search(s, name, args, kwargs),
        "join" => join(s, args, kwargs),
        "format" => str_format(s, args, kwargs).map(Value::from),
        "splitlines" => {
            let [keep] = bind(name, ["keepends"], args, kwargs)?;
            Ok(list_of_str(splitlines(s, flag(keep, false)?)))
        }
        "partition" | "rpartition" => partition(s, name, args, kwargs),
        "zfill" => {
            let [w] = bind(name, ["width"], args, kwargs)?;
            Ok(Value::from(zfill(s, int(required(name, "width", w)?, "width")?)))
        }
        "ljust" | "rjust" | "center" => justify(s, name, args, kwargs),
        "removeprefix" | "removesuffix" => {
            let [a] = bind(name, ["affix"], args, kwargs)?;
            let a = strict_str(required(name, "affix", a)?, name)?;
            let r = if name == "removeprefix" { s.strip_prefix(a) } else { s.strip_suffix(a) };
            Ok(Value::str(r.unwrap_or(s)))
        }
        "expandtabs" => {
            let [t] = bind(name, ["tabsize"], args, kwargs)?;
            Ok(Value::from(expandtabs(s, int_or(t, 8, "tabsize")?)))
        }
        "encode" => {
            bind(name, ["encoding", "errors"], args, kwargs)?;
            Ok(Value::str(s))
        }
        _ => {
            args::none(name, args, kwargs)?;
            str_no_args(s, name)
        }
    }
}

fn str_no_args(s: &str, name: &str) -> Result<Value, Error> {
    let b = Value::Bool;
    let nonempty_all = |f: fn(char) -> bool| b(!s.is_empty() && s.chars().all(f));
    Ok(match name {
        "upper" => Value::from(s.to_uppercase()),
        "lower" | "casefold" => Value::from(s.to_lowercase()),
        "title" => Value::from(title(s)),
        "capitalize" => Value::from(capitalize(s)),
        "swapcase" => Value::from(swapcase(s)),
        "isdigit" | "isdecimal" => nonempty_all(|c| c.is_ascii_digit()),
        "isnumeric" => nonempty_all(char::is_numeric),
        "isalpha" => nonempty_all(char::is_alphabetic),
        "isalnum" => nonempty_all(char::is_alphanumeric),
        "isspace" => nonempty_all(py_space),
        "isascii" => b(s.is_ascii()),
        "isprintable" => b(s.chars().all(|c| !c.is_control())),
        "isidentifier" => b(is_identifier(s)),
        "islower" => b(s.chars().any(char::is_lowercase) && !s.chars().any(|c| c.is_uppercase())),
        "isupper" => b(s.chars().any(char::is_uppercase) && !s.chars().any(|c| c.is_lowercase())),
        "istitle" => b(!s.is_empty() && title(s) == s && s.chars().any(char::is_alphabetic)),
        other => return Err(Error::type_error(format!("'str' object has no attribute '{other}'"))),
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase()
}

/// Python's `str.title`: a cased letter after an uncased character starts a word.
pub(crate) fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for c in s.chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = is_cased(c);
    }
    out
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

fn swapcase(s: &str) -> String {
    s.chars()
        .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
            if c.is_uppercase() {
                Box::new(c.to_lowercase())
            } else if c.is_lowercase() {
                Box::new(c.to_uppercase())
            } else {
                Box::new(std::iter::once(c))
            }
        })
        .collect()
}

/// `str.strip`-family with Python's default (whitespace) or a char set.
pub(crate) fn strip<'a>(s: &'a str, chars: Option<&str>, which: &str) -> &'a str {
    let pred = |c: char| match chars {
        Some(set) => set.contains(c),
        None => py_space(c),
    };
    match which {
        "lstrip" => s.trim_start_matches(pred),
        "rstrip" => s.trim_end_matches(pred),
        _ => s.trim_matches(pred),
    }
}

fn split_sep(s: &str, sep: &str, max: Option<usize>, from_right: bool) -> Vec<String> {
    let parts: Vec<String> = match (max, from_right) {
        (Some(n), false) => s.splitn(n + 1, sep).map(String::from).collect(),
        (Some(n), true) => {
            let mut v: Vec<String> = s.rsplitn(n + 1, sep).map(String::from).collect();
            v.reverse();
            v
        }
        (None, _) => s.split(sep).map(String::from).collect(),
    };
    parts
}

/// Whitespace split (`sep=None`): runs of whitespace separate, ends are ignored.
pub(crate) fn split_ws(s: &str, max: Option<usize>, from_right: bool) -> Vec<String> {
    if from_right {
        let rev: String = s.chars().rev().collect();
        let mut parts: Vec<String> = split_ws(&rev, max, false).into_iter().map(|p| p.chars().rev().collect()).collect();
        parts.reverse();
        return parts;
    }
    let mut parts = Vec::new();
    let mut rest = s.trim_start_matches(py_space);
    while !rest.is_empty() {
        if max.is_some_and(|m| parts.len() >= m) {
            parts.push(rest.to_string());
            break;
        }
        let end = rest.find(py_space).unwrap_or(rest.len());
        parts.push(rest[..end].to_string());
        rest = rest[end..].trim_start_matches(py_space);
    }
    parts
}

fn affix(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [a, start, end] = bind(name, ["prefix", "start", "end"], args, kwargs)?;
    let a = required(name, "prefix", a)?;
    let (sub, _) = char_window(s, start, end)?;
    let candidates: Vec<Value> = match a {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    for c in &candidates {
        let c = match c {
            Value::Str(c) => c,
            other => {
                return Err(Error::type_error(format!(
                    "{name} first arg must be str or a tuple of str, not {}",
                    other.type_name()
                )))
            }
        };
        let hit = if name == "startswith" { sub.starts_with(&**c) } else { sub.ends_with(&**c) };
        if hit {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

/// `s[start:end]` by characters, for the search methods, with the character
/// index it starts at.
fn char_window<'a>(s: &'a str, start: Option<&Value>, end: Option<&Value>) -> Result<(&'a str, usize), Error> {
    let n = s.chars().count();
    let bound = |v: Option<&Value>, default: usize| -> Result<usize, Error> {
        match v {
            None | Some(Value::None) => Ok(default),
            Some(v) => {
                let i = int(v, "index")?;
                let n_i = i64::try_from(n).unwrap_or(i64::MAX);
                let i = if i < 0 { (i + n_i).max(0) } else { i.min(n_i) };
                Ok(usize::try_from(i).unwrap_or(0))
            }
        }
    };
    let (a, b) = (bound(start, 0)?, bound(end, n)?);
    if a >= b {
        return Ok(("", a));
    }
    Ok((&s[byte_at(s, a)..byte_at(s, b)], a))
}

fn byte_at(s: &str, char_index: usize) -> usize {
    s.char_indices().nth(char_index).map_or(s.len(), |(i, _)| i)
}

fn char_index(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

fn search(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [sub, start, end] = bind(name, ["sub", "start", "end"], args, kwargs)?;
    let sub = strict_str(required(name, "sub", sub)?, name)?;
    let (window, offset) = char_window(s, start, end)?;
    if name == "count" {
        return Ok(size(if sub.is_empty() { window.chars().count() + 1 } else { window.matches(sub).count() }));
    }
    let found = if name.starts_with('r') { window.rfind(sub) } else { window.find(sub) };
    match found {
        Some(b) => Ok(size(offset + char_index(window, b))),
        None if name.ends_with("index") => Err(Error::type_error("substring not found")),
        None => Ok(Value::Int(-1)),
    }
}

fn join(sep: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [it] = bind("join", ["iterable"], args, kwargs)?;
    let items = ops::iterate(required("join", "iterable", it)?)?;
    let mut parts = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        match v {
            Value::Str(s) => parts.push(s.clone()),
            other => {
                return Err(Error::type_error(format!(
                    "sequence item {i}: expected str instance, {} found",
                    other.type_name()
                )))
            }
        }
    }
    Ok(Value::from(parts.join(sep)))
}

/// Python's `str.splitlines`.
pub(crate) fn splitlines(s: &str, keepends: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let is_break = matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if !is_break {
            line.push(c);
            continue;
        }
        let mut ending = c.to_string();
        if c == '\r' && chars.peek() == Some(&'\n') {
            chars.next();
            ending.push('\n');
        }
        if keepends {
            line.push_str(&ending);
        }
        out.push(std::mem::take(&mut line));
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

fn partition(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [sep] = bind(name, ["sep"], args, kwargs)?;
    let sep = strict_str(required(name, "sep", sep)?, name)?;
    if sep.is_empty() {
        return Err(Error::type_error("empty separator"));
    }
    let found = if name == "rpartition" { s.rfind(sep) } else { s.find(sep) };
    let parts = match (found, name) {
        (Some(i), _) => [&s[..i], sep, &s[i + sep.len()..]],
        (None, "rpartition") => ["", "", s],
        (None, _) => [s, "", ""],
    };
    Ok(Value::tuple(parts.iter().map(|p| Value::str(p)).collect()))
}

fn zfill(s: &str, width: i64) -> String {
    let len = s.chars().count();
    let width = usize::try_from(width).unwrap_or(0).min(1 << 24);
    if len >= width {
        return s.to_string();
    }
    let (sign, digits) = match s.chars().next() {
        Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
        _ => (String::new(), s),
    };
    format!("{sign}{}{digits}", "0".repeat(width - len))
}

fn justify(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [w, fill] = bind(name, ["width", "fillchar"], args, kwargs)?;
    let width = int(required(name, "width", w)?, "width")?;
    let fill = match fill {
        None => ' ',
        Some(v) => {
            let f = strict_str(v, name)?;
            let mut chars = f.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => return Err(Error::type_error("The fill character must be exactly one character long")),
            }
        }
    };
    Ok(Value::from(pad(s, width, fill, name)))
}

/// `ljust`/`rjust`/`center` with Python's centring rule.
pub(crate) fn pad(s: &str, width: i64, fill: char, how: &str) -> String {
    let len = s.chars().count();
    let width = usize::try_from(width).unwrap_or(0).min(1 << 24);
    if len >= width {
        return s.to_string();
    }
    let marg = width - len;
    let fills = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    match how {
        "ljust" => format!("{s}{}", fills(marg)),
        "rjust" => format!("{}{s}", fills(marg)),
        _ => {
            let left = marg / 2 + (marg & width & 1);
            format!("{}{s}{}", fills(left), fills(marg - left))
        }
    }
}

fn expandtabs(s: &str, tabsize: i64) -> String {
    let tab = usize::try_from(tabsize).unwrap_or(0).min(1 << 16);
    let mut out = String::new();
    let mut col = 0;
    for c in s.chars() {
        match c {
            '\t' if tab > 0 => {
                let n = tab - col % tab;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\t' => {}
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// list and tuple

fn seq_method(items: &[Value], tname: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [x, start, stop] = bind(name, ["value", "start", "stop"], args, kwargs)?;
    let x = required(name, "value", x)?;
    ops::defined(x)?;
    match name {
        "count" => Ok(size(items.iter().filter(|v| py_eq(v, x)).count())),
        "index" => {
            let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let norm = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
            let a = usize::try_from(norm(int_or(start, 0, "start")?)).unwrap_or(0);
            let b = usize::try_from(norm(int_or(stop, n, "stop")?)).unwrap_or(0);
            (a..b)
                .find(|&i| py_eq(&items[i], x))
                .map(size)
                .ok_or_else(|| Error::type_error(format!("{} is not in {tname}", py_repr(x))))
        }
        other => Err(Error::type_error(format!("'{tname}' object has no attribute '{other}'"))),
    }
}

fn list_method(st: &mut State<'_>, l: &List, name: &str, args: Vec<Value>, kwargs: &Kwargs) -> Result<Value, Error> {
    match name {
        "append" => {
            let [x] = bind(name, ["object"], &args, kwargs)?;
            let x = required(name, "object", x)?.clone();
            l.borrow_mut().push(x);
        }
        "extend" => {
            let [it] = bind(name, ["iterable"], &args, kwargs)?;
            let items = ops::iterate(required(name, "iterable", it)?)?;
            l.borrow_mut().extend(items);
        }
        "insert" => {
            let [i, x] = bind(name, ["index", "object"], &args, kwargs)?;
            let i = int(required(name, "index", i)?, "index")?;
            let x = required(name, "object", x)?.clone();
            let mut v = l.borrow_mut();
            let n = i64::try_from(v.len()).unwrap_or(i64::MAX);
            let at = if i < 0 { (i + n).max(0) } else { i.min(n) };
            v.insert(usize::try_from(at).unwrap_or(0), x);
        }
        "pop" => return list_pop(l, &args, kwargs),
        "remove" => {
            let [x] = bind(name, ["value"], &args, kwargs)?;
            let x = required(name, "value", x)?;
            let pos = l.borrow().iter().position(|v| py_eq(v, x));
            match pos {
                Some(i) => {
                    l.borrow_mut().remove(i);
                }
                None => return Err(Error::type_error("list.remove(x): x not in list")),
            }
        }
        "reverse" => {
            args::none(name, &args, kwargs)?;
            l.borrow_mut().reverse();
        }
        "clear" => {
            args::none(name, &args, kwargs)?;
            l.borrow_mut().clear();
        }
        "copy" => {
            args::none(name, &args, kwargs)?;
            return Ok(Value::list(l.snapshot()));
        }
        "sort" => {
            let [key, reverse] = bind(name, ["key", "reverse"], &[], kwargs)?;
            if !args.is_empty() {
                return Err(Error::type_error("sort() takes no positional arguments"));
            }
            let sorted = sort_values(st, l.snapshot(), key, flag(reverse, false)?)?;
            *l.borrow_mut() = sorted;
        }
        _ => return seq_method(&l.snapshot(), "list", name, &args, kwargs),
    }
    Ok(Value::None)
}

fn list_pop(l: &List, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let [i] = bind("pop", ["index"], args, kwargs)?;
    let i = int_or(i, -1, "index")?;
    let mut v = l.borrow_mut();
    if v.is_empty() {
        return Err(Error::type_error("pop from empty list"));
    }
    let idx = py_index(i, v.len()).ok_or_else(|| Error::type_error("pop index out of range"))?;
    Ok(v.remove(idx))
}

/// Sorts stably by Python `<`, optionally through a key callable.
pub(crate) fn sort_values(st: &mut State<'_>, items: Vec<Value>, key: Option<&Value>, reverse: bool) -> Result<Vec<Value>, Error> {
    let keys = match key {
        None | Some(Value::None) => items.clone(),
        Some(f) => items.iter().map(|x| st.call_value(f, vec![x.clone()], Kwargs::new())).collect::<Result<_, _>>()?,
    };
    sort_by_keys(items, &keys, reverse)
}

/// Sorts `items` by the parallel `keys` (stable; `reverse` keeps equal items in order).
pub(crate) fn sort_by_keys(items: Vec<Value>, keys: &[Value], reverse: bool) -> Result<Vec<Value>, Error> {
    let order = stable_sort((0..items.len()).collect(), &mut |a, b| {
        let ord = if reverse { py_cmp(&keys[b], &keys[a])? } else { py_cmp(&keys[a], &keys[b])? };
        Ok(ord.is_lt())
    })?;
    Ok(order.into_iter().map(|i| items[i].clone()).collect())
}

/// A stable merge sort driven by a fallible `less` (Python's sort only uses
/// `<`); unlike `slice::sort_by` it never panics on inconsistent orderings
/// such as NaN keys.
pub(crate) fn stable_sort(
    items: Vec<usize>,
    less: &mut dyn FnMut(usize, usize) -> Result<bool, Error>,
) -> Result<Vec<usize>, Error> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let (left, right) = (stable_sort(left, less)?, stable_sort(right, less)?);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if less(right[j], left[i])? {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}

// ---------------------------------------------------------------------------
// dict

fn dict_method(d: &Dict, name: &str, args: Vec<Value>, kwargs: &Kwargs) -> Result<Value, Error> {
    match name {
        "get" => {
            let [k, default] = bind(name, ["key", "default"], &args, kwargs)?;
            let k = required(name, "key", k)?;
            check_hashable(k)?;
            Ok(d.get(k).unwrap_or_else(|| default.cloned().unwrap_or(Value::None)))
        }
        "items" => {
            args::none(name, &args, kwargs)?;
            Ok(Value::list(d.items().into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect()))
        }
        "keys" => {
            args::none(name, &args, kwargs)?;
            Ok(Value::list(d.keys()))
        }
        "values" => {
            args::none(name, &args, kwargs)?;
            Ok(Value::list(d.borrow().values().cloned().collect()))
        }
        "update" => dict_update(d, &args, kwargs).map(|_| Value::None),
        "setdefault" => {
            let [k, default] = bind(name, ["key", "default"], &args, kwargs)?;
            let k = required(name, "key", k)?;
            if let Some(v) = d.get(k) {
                return Ok(v);
            }
            let v = default.cloned().unwrap_or(Value::None);
            d.insert(k.clone(), v.clone())?;
            Ok(v)
        }
        "pop" => {
            let [k, default] = bind(name, ["key", "default"], &args, kwargs)?;
            let k = required(name, "key", k)?;
            check_hashable(k)?;
            let removed = d.borrow_mut().shift_remove(k);
            match (removed, default) {
                (Some(v), _) => Ok(v),
                (None, Some(dv)) => Ok(dv.clone()),
                (None, None) => Err(key_error(k)),
            }
        }
        "popitem" => {
            args::none(name, &args, kwargs)?;
            let last = d.borrow_mut().pop();
            last.map(|(k, v)| Value::tuple(vec![k, v]))
                .ok_or_else(|| Error::type_error("'popitem(): dictionary is empty'"))
        }
        "copy" => {
            args::none(name, &args, kwargs)?;
            Ok(Value::dict(d.borrow().clone()))
        }
        "clear" => {
            args::none(name, &args, kwargs)?;
            d.borrow_mut().clear();
            Ok(Value::None)
        }
        other => Err(Error::type_error(format!("'dict' object has no attribute '{other}'"))),
    }
}

/// `d.update(other, **kwargs)`.
pub(crate) fn dict_update(d: &Dict, args: &[Value], kwargs: &Kwargs) -> Result<(), Error> {
    if args.len() > 1 {
        return Err(Error::type_error(format!("update expected at most 1 argument, got {}", args.len())));
    }
    let mut pairs: Vec<(Value, Value)> = Vec::new();
    match args.first() {
        None => {}
        Some(Value::Dict(other)) => pairs = other.items(),
        Some(Value::Undefined(u)) => return Err(u.error()),
        Some(other) => {
            for (i, item) in ops::iterate(other)?.iter().enumerate() {
                let kv = ops::iterate(item).map_err(|_| {
                    Error::type_error(format!(
                        "cannot convert dictionary update sequence element #{i} to a sequence"
                    ))
                })?;
                let [k, v] = <[Value; 2]>::try_from(kv).map_err(|kv| {
                    Error::type_error(format!(
                        "dictionary update sequence element #{i} has length {}; 2 is required",
                        kv.len()
                    ))
                })?;
                pairs.push((k, v));
            }
        }
    }
    pairs.extend(kwargs.iter().map(|(k, v)| (Value::str(k), v.clone())));
    for (k, v) in pairs {
        d.insert(k, v)?;
    }
    Ok(())
}

/// `repr` of a key for `KeyError` messages.
pub(crate) fn key_error(k: &Value) -> Error {
    Error::type_error(match k {
        Value::Str(s) => py_str_repr(s),
        other => py_repr(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn strs(v: &Value) -> Vec<String> {
        ops::iterate(v).unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
    }

    fn m(recv: &str, name: &str, args: &[Value]) -> Value {
        str_method(recv, name, args, &Kwargs::new()).unwrap()
    }

    #[test]
    fn str_split_family() {
        assert_eq!(strs(&m("  a  b c ", "split", &[])), ["a", "b", "c"]);
        assert_eq!(strs(&m("a b c", "split", &[Value::None, Value::Int(1)])), ["a", "b c"]);
        assert_eq!(strs(&m("a b  c ", "rsplit", &[Value::None, Value::Int(1)])), ["a b", "c"]);
        assert_eq!(strs(&m("web01.example.org", "rsplit", &[s("."), Value::Int(1)])), ["web01.example", "org"]);
        assert_eq!(strs(&m("a,,b", "split", &[s(",")])), ["a", "", "b"]);
        assert_eq!(strs(&m("a\nb\r\nc\n", "splitlines", &[])), ["a", "b", "c"]);
        assert_eq!(m("a=b=c", "partition", &[s("=")]), Value::tuple(vec![s("a"), s("="), s("b=c")]));
    }

    #[test]
    fn str_case_and_padding() {
        assert_eq!(m("they're 1st", "title", &[]), s("They'Re 1St"));
        assert_eq!(m("hELLO", "capitalize", &[]), s("Hello"));
        assert_eq!(m("ab", "center", &[Value::Int(5), s("*")]), s("**ab*"));
        assert_eq!(m("abc", "center", &[Value::Int(6)]), s(" abc  "));
        assert_eq!(m("-42", "zfill", &[Value::Int(5)]), s("-0042"));
        assert_eq!(m("xxhixx", "strip", &[s("x")]), s("hi"));
        assert_eq!(m("héllo", "find", &[s("l")]), Value::Int(2));
        assert_eq!(m("héllo", "rfind", &[s("l")]), Value::Int(3));
        assert_eq!(m("aaa", "count", &[s("a")]), Value::Int(3));
        assert_eq!(m("web", "startswith", &[Value::tuple(vec![s("x"), s("we")])]), Value::Bool(true));
        assert_eq!(m("", "isdigit", &[]), Value::Bool(false));
        assert_eq!(m("Abc", "islower", &[]), Value::Bool(false));
        assert_eq!(m("a-b", "replace", &[s("-"), s("_")]), s("a_b"));
        assert_eq!(m(",", "join", &[Value::list(vec![s("a"), s("b")])]), s("a,b"));
        assert!(str_method(",", "join", &[Value::list(vec![Value::Int(1)])], &Kwargs::new()).is_err());
    }

    #[test]
    fn dict_update_and_setdefault() {
        let d = Dict::default();
        d.insert(s("a"), Value::Int(1)).unwrap();
        let mut kw = Kwargs::new();
        kw.insert("c".into(), Value::Int(3));
        dict_update(&d, &[Value::list(vec![Value::tuple(vec![s("b"), Value::Int(2)])])], &kw).unwrap();
        assert_eq!(d.keys(), vec![s("a"), s("b"), s("c")]);
        let got = dict_method(&d, "setdefault", vec![s("l"), Value::list(vec![])], &Kwargs::new()).unwrap();
        let Value::List(l) = got else { panic!() };
        l.borrow_mut().push(Value::Int(9));
        assert_eq!(d.get_str("l"), Some(Value::list(vec![Value::Int(9)])));
        assert!(dict_method(&d, "pop", vec![s("zz")], &Kwargs::new()).is_err());
    }
}
