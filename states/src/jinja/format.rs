//! Python string formatting: `'%s:%05d' % (a, b)` (printf-style) and
//! `'{}-{:>10}'.format(...)` (the format mini-language), with Python's
//! number rendering and error messages.
//!
//! It formats values only; field lookups refuse `_` attributes as Jinja2's
//! sandboxed formatter does, and it must not evaluate template code.

use std::iter::Peekable;
use std::str::Chars;

use brine_common::value::py_float;

use super::error::{Error, ErrorKind};
use super::ops::{number, Num};
use super::repr::{py_repr, py_str};
use super::value::{Kwargs, Value};

// ---------------------------------------------------------------------------
// Number rendering shared by both styles.

/// Digits of `|i|` in a radix (2, 8, 10, 16).
fn int_digits(i: i64, radix: u32, upper: bool) -> String {
    let m = i.unsigned_abs();
    let s = match radix {
        2 => format!("{m:b}"),
        8 => format!("{m:o}"),
        16 if upper => format!("{m:X}"),
        16 => format!("{m:x}"),
        _ => m.to_string(),
    };
    s
}

/// Digits past which a double's exact decimal expansion is all zeros (at
/// most 1074 after the point, 767 significant): longer precisions are
/// those digits padded with zeros, and Rust's formatter refuses a
/// precision over 65535 outright.
const EXACT_DIGITS: usize = 1100;

/// `digits` formatted with `prec` decimals by `fmt`, which gets at most
/// [`EXACT_DIGITS`]; the rest are the zeros the full precision would show.
fn with_precision(prec: usize, fmt: impl Fn(usize) -> String) -> String {
    let s = fmt(prec.min(EXACT_DIGITS));
    let pad = prec.saturating_sub(EXACT_DIGITS);
    if pad == 0 {
        return s;
    }
    let at = s.find('e').unwrap_or(s.len());
    format!("{}{}{}", &s[..at], "0".repeat(pad), &s[at..])
}

/// `|f|` in fixed notation with `prec` decimals.
fn fixed(f: f64, prec: usize) -> String {
    with_precision(prec, |p| format!("{:.*}", p, f.abs()))
}

/// `|f|` in Python's exponent notation (`1.500000e+02`).
fn exponent(f: f64, prec: usize, upper: bool) -> String {
    let s = with_precision(prec, |p| format!("{:.*e}", p, f.abs()));
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    format!("{mant}{e}{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `|f|` in Python's general (`%g`) notation.
fn general(f: f64, prec: usize, alt: bool, upper: bool) -> String {
    let p = prec.max(1);
    if f == 0.0 {
        return if alt { fixed(0.0, p - 1) } else { "0".to_string() };
    }
    let probe = exponent(f, p - 1, false);
    let exp: i64 = probe.rsplit_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let body = if exp < -4 || exp >= p as i64 {
        exponent(f, p - 1, upper)
    } else {
        fixed(f, usize::try_from(p as i64 - 1 - exp).unwrap_or(0))
    };
    if alt {
        return body;
    }
    strip_fraction_zeros(&body)
}

fn strip_fraction_zeros(s: &str) -> String {
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let mant = if mant.contains('.') { mant.trim_end_matches('0').trim_end_matches('.') } else { mant };
    format!("{mant}{exp}")
}

/// Non-finite floats as Python writes them.
fn non_finite(f: f64, upper: bool) -> Option<String> {
    let s = if f.is_nan() {
        "nan"
    } else if f.is_infinite() {
        "inf"
    } else {
        return None;
    };
    Some(if upper { s.to_uppercase() } else { s.to_string() })
}

/// Renders `|f|` for a float conversion type (`e f g E F G`).
fn float_body(f: f64, kind: char, prec: usize, alt: bool) -> String {
    let upper = kind.is_ascii_uppercase();
    if let Some(s) = non_finite(f, upper) {
        return s;
    }
    match kind.to_ascii_lowercase() {
        'e' => exponent(f, prec, upper),
        'f' => fixed(f, prec),
        _ => general(f, prec, alt, upper),
    }
}

fn sign_of(negative: bool, sign: char) -> &'static str {
    match (negative, sign) {
        (true, _) => "-",
        (false, '+') => "+",
        (false, ' ') => " ",
        _ => "",
    }
}

fn is_negative(f: f64) -> bool {
    f.is_sign_negative() && !f.is_nan()
}

// ---------------------------------------------------------------------------
// printf-style formatting.

/// One `%` conversion's flags.
#[derive(Default)]
struct Spec {
    left: bool,
    sign: char,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

/// The arguments of a `%` expression.
struct PercentArgs<'a> {
    items: Vec<Value>,
    next: usize,
    mapping: Option<&'a Value>,
}

impl PercentArgs<'_> {
    fn take(&mut self) -> Result<Value, Error> {
        let v = self.items.get(self.next).cloned();
        self.next += 1;
        v.ok_or_else(|| Error::type_error("not enough arguments for format string"))
    }
}

/// `fmt % args`.
pub(crate) fn percent_format(fmt: &str, args: &Value) -> Result<String, Error> {
    let (items, mapping) = match args {
        Value::Tuple(t) => (t.to_vec(), None),
        Value::Dict(_) | Value::Object(_) => (vec![args.clone()], Some(args)),
        other => (vec![other.clone()], None),
    };
    let mut pa = PercentArgs { items, next: 0, mapping };
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        percent_one(fmt, &mut chars, &mut pa, &mut out)?;
    }
    if pa.next < pa.items.len() && pa.mapping.is_none() {
        return Err(Error::type_error("not all arguments converted during string formatting"));
    }
    Ok(out)
}

type CharIdx<'a> = Peekable<std::str::CharIndices<'a>>;

fn percent_one(fmt: &str, chars: &mut CharIdx<'_>, pa: &mut PercentArgs<'_>, out: &mut String) -> Result<(), Error> {
    let incomplete = || Error::type_error("incomplete format");
    let mut keyed: Option<Value> = None;
    if chars.peek().is_some_and(|&(_, c)| c == '(') {
        keyed = Some(percent_key(fmt, chars, pa)?);
    }
    let mut spec = Spec::default();
    while let Some(&(_, c)) = chars.peek() {
        match c {
            '-' => spec.left = true,
            '+' => spec.sign = '+',
            ' ' if spec.sign != '+' => spec.sign = ' ',
            ' ' => {}
            '#' => spec.alt = true,
            '0' => spec.zero = true,
            _ => break,
        }
        chars.next();
    }
    spec.width = percent_number(chars, pa, &mut spec.left)?;
    if chars.peek().is_some_and(|&(_, c)| c == '.') {
        chars.next();
        let mut ignored = false;
        spec.prec = Some(percent_number(chars, pa, &mut ignored)?);
    }
    while chars.peek().is_some_and(|&(_, c)| matches!(c, 'h' | 'l' | 'L')) {
        chars.next();
    }
    let (idx, conv) = chars.next().ok_or_else(incomplete)?;
    if conv == '%' {
        out.push('%');
        return Ok(());
    }
    let value = match keyed {
        Some(v) => v,
        None => pa.take()?,
    };
    let text = percent_convert(conv, idx, &value, &spec)?;
    pad_percent(&text, &spec, conv, out);
    Ok(())
}

fn percent_key(fmt: &str, chars: &mut CharIdx<'_>, pa: &PercentArgs<'_>) -> Result<Value, Error> {
    let (start, _) = chars.next().unwrap_or((0, '('));
    let mut depth = 1;
    let mut end = start + 1;
    for (i, c) in chars.by_ref() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            end = i;
            break;
        }
    }
    if depth != 0 {
        return Err(Error::type_error("incomplete format key"));
    }
    let key = fmt.get(start + 1..end).unwrap_or("");
    let Some(mapping) = pa.mapping else {
        return Err(Error::type_error("format requires a mapping"));
    };
    let found = match mapping {
        Value::Dict(d) => d.get_str(key),
        Value::Object(o) => o.get_item(&Value::str(key)),
        _ => None,
    };
    found.ok_or_else(|| Error::new(ErrorKind::Type, brine_common::value::py_str_repr(key)))
}

/// A width or precision: digits or `*` (taken from the arguments).
fn percent_number(chars: &mut CharIdx<'_>, pa: &mut PercentArgs<'_>, left: &mut bool) -> Result<usize, Error> {
    if chars.peek().is_some_and(|&(_, c)| c == '*') {
        chars.next();
        return match pa.take()? {
            Value::Int(i) => {
                if i < 0 {
                    *left = true;
                }
                Ok(usize::try_from(i.unsigned_abs()).unwrap_or(usize::MAX).min(1 << 20))
            }
            _ => Err(Error::type_error("* wants int")),
        };
    }
    let mut n: usize = 0;
    while let Some(&(_, c)) = chars.peek() {
        let Some(d) = c.to_digit(10) else { break };
        n = n.saturating_mul(10).saturating_add(d as usize).min(1 << 20);
        chars.next();
    }
    Ok(n)
}

fn percent_convert(conv: char, idx: usize, v: &Value, spec: &Spec) -> Result<String, Error> {
    match conv {
        's' => Ok(truncate(py_str(v)?, spec.prec)),
        'r' | 'a' => Ok(truncate(py_repr(v), spec.prec)),
        'd' | 'i' | 'u' => percent_int(v, conv, 10, spec),
        'x' | 'X' => percent_int(v, conv, 16, spec),
        'o' => percent_int(v, conv, 8, spec),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => percent_float(v, conv, spec),
        'c' => percent_char(v),
        other => Err(Error::type_error(format!(
            "unsupported format character '{}' (0x{:x}) at index {}",
            other, other as u32, idx
        ))),
    }
}

fn truncate(s: String, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s,
    }
}

fn percent_int(v: &Value, conv: char, radix: u32, spec: &Spec) -> Result<String, Error> {
    let i = match (number(v), radix) {
        (Some(Num::Int(i)), _) => i,
        (Some(Num::Float(f)), 10) if f.is_finite() => f.trunc() as i64,
        (Some(Num::Float(_)), 10) => return Err(Error::type_error("cannot convert float infinity or NaN to integer")),
        (_, 10) => {
            return Err(Error::type_error(format!(
                "%{conv} format: a real number is required, not {}",
                v.type_name()
            )))
        }
        _ => {
            return Err(Error::type_error(format!(
                "%{conv} format: an integer is required, not {}",
                v.type_name()
            )))
        }
    };
    let mut digits = int_digits(i, radix, conv == 'X');
    if let Some(p) = spec.prec {
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let prefix = match (spec.alt, radix) {
        (true, 16) => if conv == 'X' { "0X" } else { "0x" },
        (true, 8) => "0o",
        _ => "",
    };
    Ok(format!("{}{prefix}{digits}", sign_of(i < 0, spec.sign)))
}

fn percent_float(v: &Value, conv: char, spec: &Spec) -> Result<String, Error> {
    let Some(n) = number(v) else {
        return Err(Error::type_error(format!("must be real number, not {}", v.type_name())));
    };
    let f = n.as_f64();
    let body = float_body(f, conv, spec.prec.unwrap_or(6), spec.alt);
    Ok(format!("{}{body}", sign_of(is_negative(f), spec.sign)))
}

fn percent_char(v: &Value) -> Result<String, Error> {
    match v {
        Value::Int(i) => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .ok_or_else(|| Error::type_error("%c arg not in range(0x110000)")),
        Value::Str(s) if s.chars().count() == 1 => Ok(s.to_string()),
        _ => Err(Error::type_error("%c requires int or char")),
    }
}

fn pad_percent(text: &str, spec: &Spec, conv: char, out: &mut String) {
    let len = text.chars().count();
    if len >= spec.width {
        out.push_str(text);
        return;
    }
    let fill = spec.width - len;
    let numeric = !matches!(conv, 's' | 'r' | 'a' | 'c');
    if spec.left {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if spec.zero && numeric {
        let split = sign_prefix_len(text);
        out.push_str(&text[..split]);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(&text[split..]);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(text);
    }
}

/// Bytes of a sign and `0x`-style prefix that zero padding goes after.
fn sign_prefix_len(text: &str) -> usize {
    let mut n = usize::from(text.starts_with(['-', '+', ' ']));
    let rest = &text[n..];
    if rest.len() > 1 && rest.starts_with('0') && rest[1..].starts_with(['x', 'X', 'o', 'b']) {
        n += 2;
    }
    n
}

// ---------------------------------------------------------------------------
// str.format().

/// `template.format(*args, **kwargs)`.
pub(crate) fn str_format(template: &str, args: &[Value], kwargs: &Kwargs) -> Result<String, Error> {
    let mut f = Formatter { args, kwargs, auto: None, depth: 0 };
    f.run(template)
}

struct Formatter<'a> {
    args: &'a [Value],
    kwargs: &'a Kwargs,
    /// `Some(next index)` once automatic numbering is in use, `None` before.
    auto: Option<Numbering>,
    depth: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Numbering {
    Auto(usize),
    Manual,
}

fn value_error(msg: impl Into<String>) -> Error {
    Error::type_error(msg)
}

impl Formatter<'_> {
    fn run(&mut self, template: &str) -> Result<String, Error> {
        let mut out = String::with_capacity(template.len());
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '}' => return Err(value_error("Single '}' encountered in format string")),
                '{' => {
                    let field = read_field(&mut chars)?;
                    out.push_str(&self.field(&field)?);
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }

    fn field(&mut self, field: &str) -> Result<String, Error> {
        let (name_part, spec) = split_spec(field);
        let (name, conversion) = match name_part.split_once('!') {
            Some((n, c)) => (n, Some(c)),
            None => (name_part, None),
        };
        let value = self.lookup(name)?;
        let spec = if spec.contains('{') { self.nested_spec(spec)? } else { spec.to_string() };
        let value = match conversion {
            None => value,
            Some("r") | Some("a") => Value::from(py_repr(&value)),
            Some("s") => Value::from(py_str(&value)?),
            Some(_) => return Err(value_error("Unknown conversion specifier")),
        };
        format_value(&value, &spec)
    }

    fn nested_spec(&mut self, spec: &str) -> Result<String, Error> {
        if self.depth >= 1 {
            return Err(value_error("Max string recursion exceeded"));
        }
        self.depth += 1;
        let r = self.run(spec);
        self.depth -= 1;
        r
    }

    fn lookup(&mut self, name: &str) -> Result<Value, Error> {
        let end = name.find(['.', '[']).unwrap_or(name.len());
        let (first, mut rest) = name.split_at(end);
        let mut value = self.argument(first)?;
        while !rest.is_empty() {
            let (next, remaining) = field_step(&value, rest)?;
            value = next;
            rest = remaining;
        }
        Ok(value)
    }

    fn argument(&mut self, first: &str) -> Result<Value, Error> {
        if first.is_empty() {
            let index = match self.auto {
                None => 0,
                Some(Numbering::Auto(i)) => i,
                Some(Numbering::Manual) => {
                    return Err(value_error(
                        "cannot switch from manual field specification to automatic field numbering",
                    ))
                }
            };
            self.auto = Some(Numbering::Auto(index + 1));
            return self.positional(index);
        }
        if let Ok(index) = first.parse::<usize>() {
            if matches!(self.auto, Some(Numbering::Auto(_))) {
                return Err(value_error(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            self.auto = Some(Numbering::Manual);
            return self.positional(index);
        }
        self.kwargs
            .get(first)
            .cloned()
            .ok_or_else(|| Error::type_error(brine_common::value::py_str_repr(first)))
    }

    fn positional(&self, index: usize) -> Result<Value, Error> {
        self.args.get(index).cloned().ok_or_else(|| Error::type_error("tuple index out of range"))
    }
}

/// Reads a replacement field after `{` up to its matching `}`.
fn read_field(chars: &mut Peekable<Chars<'_>>) -> Result<String, Error> {
    let mut field = String::new();
    let mut depth = 1;
    for c in chars.by_ref() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(field);
                }
            }
            _ => {}
        }
        field.push(c);
    }
    Err(value_error(if field.is_empty() {
        "Single '{' encountered in format string"
    } else {
        "expected '}' before end of string"
    }))
}

/// Splits `name!conv:spec` at the first `:` outside brackets.
fn split_spec(field: &str) -> (&str, &str) {
    let mut in_bracket = false;
    for (i, c) in field.char_indices() {
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            ':' if !in_bracket => return (&field[..i], &field[i + 1..]),
            _ => {}
        }
    }
    (field, "")
}

/// One `.attr` or `[key]` step of a field name.
fn field_step<'a>(value: &Value, rest: &'a str) -> Result<(Value, &'a str), Error> {
    if let Some(after) = rest.strip_prefix('.') {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let (attr, remaining) = after.split_at(end);
        return Ok((format_attr(value, attr)?, remaining));
    }
    let after = rest.strip_prefix('[').unwrap_or(rest);
    let Some(close) = after.find(']') else {
        return Err(value_error("Missing ']' in format string"));
    };
    let key = &after[..close];
    let item = match key.parse::<i64>() {
        Ok(i) => format_item(value, &Value::Int(i)),
        Err(_) => format_item(value, &Value::str(key)),
    }?;
    Ok((item, &after[close + 1..]))
}

fn format_attr(value: &Value, attr: &str) -> Result<Value, Error> {
    if attr.starts_with('_') {
        return Err(Error::new(
            ErrorKind::Security,
            format!("access to attribute '{attr}' of '{}' object is unsafe.", value.type_name()),
        ));
    }
    let found = match value {
        Value::Namespace(ns) => ns.get(attr),
        Value::Object(o) => o.get_attr(attr),
        _ => None,
    };
    found.ok_or_else(|| Error::type_error(format!("'{}' object has no attribute '{attr}'", value.type_name())))
}

fn format_item(value: &Value, key: &Value) -> Result<Value, Error> {
    let found = match (value, key) {
        (Value::Dict(d), k) => d.get(k),
        (Value::List(l), Value::Int(i)) => usize::try_from(*i).ok().and_then(|i| l.borrow().get(i).cloned()),
        (Value::Tuple(t), Value::Int(i)) => usize::try_from(*i).ok().and_then(|i| t.get(i).cloned()),
        (Value::Object(o), k) => o.get_item(k),
        _ => None,
    };
    found.ok_or_else(|| Error::type_error(py_repr(key)))
}

/// A parsed format spec.
#[derive(Default)]
struct FormatSpec {
    fill: Option<char>,
    align: Option<char>,
    sign: char,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    prec: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> Result<FormatSpec, Error> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = FormatSpec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if chars.first().is_some_and(|&c| is_align(c)) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c) = chars.get(i).filter(|&&c| matches!(c, '+' | '-' | ' ')) {
        s.sign = c;
        i += 1;
    }
    if chars.get(i) == Some(&'z') {
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        s.zero = true;
        i += 1;
    }
    s.width = read_digits(&chars, &mut i).unwrap_or(0);
    if let Some(&c) = chars.get(i).filter(|&&c| c == ',' || c == '_') {
        s.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        s.prec = Some(read_digits(&chars, &mut i).ok_or_else(|| value_error("Format specifier missing precision"))?);
    }
    if let Some(&c) = chars.get(i) {
        s.kind = Some(c);
        i += 1;
    }
    if i < chars.len() {
        return Err(value_error("Invalid format specifier"));
    }
    Ok(s)
}

fn read_digits(chars: &[char], i: &mut usize) -> Option<usize> {
    let start = *i;
    let mut n: usize = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize).min(1 << 20);
        *i += 1;
    }
    (*i > start).then_some(n)
}

/// Python `format(value, spec)`.
pub(crate) fn format_value(value: &Value, spec: &str) -> Result<String, Error> {
    if spec.is_empty() {
        return py_str(value);
    }
    let s = parse_spec(spec)?;
    match value {
        Value::Str(text) => format_str(text, &s),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => format_number(value, &s),
        other => Err(Error::type_error(format!(
            "unsupported format string passed to {}.__format__",
            other.type_name()
        ))),
    }
}

fn format_str(text: &str, s: &FormatSpec) -> Result<String, Error> {
    if s.kind.is_some_and(|k| k != 's') {
        return Err(value_error(format!(
            "Unknown format code '{}' for object of type 'str'",
            s.kind.unwrap_or('s')
        )));
    }
    if s.sign != '\0' {
        return Err(value_error("Sign not allowed in string format specifier"));
    }
    if s.align == Some('=') {
        return Err(value_error("'=' alignment not allowed in string format specifier"));
    }
    let body = truncate(text.to_string(), s.prec);
    let fill = s.fill.unwrap_or(if s.zero { '0' } else { ' ' });
    Ok(align(&body, "", s.width, fill, s.align.unwrap_or('<')))
}

fn format_number(value: &Value, s: &FormatSpec) -> Result<String, Error> {
    let n = number(value).unwrap_or(Num::Int(0));
    let (negative, body) = match (n, s.kind) {
        (Num::Int(i), None | Some('d') | Some('n')) => (i < 0, group(&int_digits(i, 10, false), s.grouping, 3)),
        (Num::Int(i), Some(k @ ('b' | 'o' | 'x' | 'X'))) => (i < 0, radix_body(i, k, s)),
        (Num::Int(i), Some('c')) => (false, percent_char(&Value::Int(i))?),
        (Num::Float(_), Some(k @ ('d' | 'b' | 'o' | 'x' | 'X' | 'c'))) => {
            return Err(value_error(format!("Unknown format code '{k}' for object of type 'float'")))
        }
        (n, kind) => {
            let f = n.as_f64();
            (is_negative(f), float_spec_body(f, kind, s)?)
        }
    };
    let sign = sign_of(negative, s.sign);
    let (fill, default_align) = match (s.fill, s.zero) {
        (Some(f), _) => (f, '>'),
        (None, true) => ('0', '='),
        (None, false) => (' ', '>'),
    };
    Ok(align(&body, sign, s.width, fill, s.align.unwrap_or(default_align)))
}

fn radix_body(i: i64, kind: char, s: &FormatSpec) -> String {
    let radix = match kind {
        'b' => 2,
        'o' => 8,
        _ => 16,
    };
    let digits = group(&int_digits(i, radix, kind == 'X'), s.grouping, 4);
    let prefix = if s.alt { format!("0{kind}") } else { String::new() };
    format!("{prefix}{digits}")
}

fn float_spec_body(f: f64, kind: Option<char>, s: &FormatSpec) -> Result<String, Error> {
    let body = match kind {
        Some('%') => {
            let pct = f * 100.0;
            non_finite(pct, false).unwrap_or_else(|| fixed(pct, s.prec.unwrap_or(6))) + "%"
        }
        Some(k @ ('e' | 'E' | 'f' | 'F' | 'g' | 'G')) => float_body(f, k, s.prec.unwrap_or(6), s.alt),
        Some('n') => float_body(f, 'g', s.prec.unwrap_or(6), s.alt),
        None => float_default(f, s.prec),
        Some(k) => return Err(value_error(format!("Unknown format code '{k}' for object of type 'float'"))),
    };
    Ok(group_float(&body, s.grouping))
}

/// A float formatted with no type letter.
fn float_default(f: f64, prec: Option<usize>) -> String {
    match prec {
        None => py_float(f.abs()),
        Some(p) => {
            let g = float_body(f, 'g', p, false);
            if f.is_finite() && !g.contains(['.', 'e']) {
                g + ".0"
            } else {
                g
            }
        }
    }
}

fn group(digits: &str, sep: Option<char>, every: usize) -> String {
    let Some(sep) = sep else { return digits.to_string() };
    let chars: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(*c);
    }
    out
}

fn group_float(body: &str, sep: Option<char>) -> String {
    if sep.is_none() {
        return body.to_string();
    }
    let end = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
    format!("{}{}", group(&body[..end], sep, 3), &body[end..])
}

fn align(body: &str, sign: &str, width: usize, fill: char, how: char) -> String {
    let len = body.chars().count() + sign.chars().count();
    let pad = width.saturating_sub(len);
    let fills = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    match how {
        '<' => format!("{sign}{body}{}", fills(pad)),
        '^' => format!("{}{sign}{body}{}", fills(pad / 2), fills(pad - pad / 2)),
        '=' => format!("{sign}{}{body}", fills(pad)),
        _ => format!("{}{sign}{body}", fills(pad)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(items: Vec<Value>) -> Value {
        Value::tuple(items)
    }

    #[test]
    fn percent_formatting() {
        let args = tuple(vec![Value::str("port"), Value::Int(80)]);
        assert_eq!(percent_format("%s:%d", &args).unwrap(), "port:80");
        assert_eq!(percent_format("%05d|%-4s|%x|%#X|%%", &tuple(vec![Value::Int(-42), Value::str("a"), Value::Int(255), Value::Int(255)])).unwrap(), "-0042|a   |ff|0XFF|%");
        assert_eq!(percent_format("%.2f %e %g %r", &tuple(vec![Value::Float(2.5175), Value::Float(1234.5), Value::Float(0.0001), Value::str("q")])).unwrap(), "2.52 1.234500e+03 0.0001 'q'");
        assert_eq!(percent_format("%s", &Value::Int(5)).unwrap(), "5");
        assert_eq!(percent_format("%i", &Value::Float(3.9)).unwrap(), "3");
        let mut kw = crate::jinja::value::DictMap::new();
        kw.insert(Value::str("a"), Value::Int(1));
        assert_eq!(percent_format("%(a)03d", &Value::dict(kw)).unwrap(), "001");
        assert_eq!(percent_format("%s %s", &Value::str("x")).unwrap_err().message(), "not enough arguments for format string");
        assert_eq!(percent_format("%s", &tuple(vec![Value::Int(1), Value::Int(2)])).unwrap_err().message(), "not all arguments converted during string formatting");
        assert_eq!(percent_format("%d", &Value::str("a")).unwrap_err().message(), "%d format: a real number is required, not str");
        assert_eq!(percent_format("%g %g %g", &tuple(vec![Value::Float(1e20), Value::Float(123456789.0), Value::Float(0.5)])).unwrap(), "1e+20 1.23457e+08 0.5");
    }

    #[test]
    fn precisions_beyond_the_formatter_limit_match_python() {
        let one = |spec: &str, f: f64| percent_format(spec, &Value::Float(f)).unwrap();
        let s = one("%.70000f", 1.5);
        assert_eq!((s.len(), &s[..5]), (70002, "1.500"));
        assert!(s[3..].bytes().all(|b| b == b'0'));
        let s = one("%.70000e", 1.5);
        assert_eq!((s.len(), &s[..5], &s[s.len() - 6..]), (70006, "1.500", "00e+00"));
        assert_eq!(one("%#.70000g", 0.0).len(), 70001);
        assert_eq!(one("%.70000g", 0.1), "0.1000000000000000055511151231257827021181583404541015625");
    }

    #[test]
    fn str_format_fields() {
        let args = [Value::str("a"), Value::Int(3)];
        assert_eq!(str_format("{}-{}", &args, &Kwargs::new()).unwrap(), "a-3");
        assert_eq!(str_format("{1}{0}{{x}}", &args, &Kwargs::new()).unwrap(), "3a{x}");
        let mut kw = Kwargs::new();
        kw.insert("n".into(), Value::Float(1.23456));
        assert_eq!(str_format("{n:.2f}|{n:>8.3}|{n}", &[], &kw).unwrap(), "1.23|    1.23|1.23456");
        assert_eq!(str_format("{:>10}|{:<4}|{:^5}|{:05d}|{:,}", &[Value::str("r"), Value::str("l"), Value::str("c"), Value::Int(-42), Value::Int(1234567)], &Kwargs::new()).unwrap(), "         r|l   |  c  |-0042|1,234,567");
        let mut m = crate::jinja::value::DictMap::new();
        m.insert(Value::str("key"), Value::str("v"));
        assert_eq!(str_format("{0[key]}{1!r}", &[Value::dict(m), Value::str("s")], &Kwargs::new()).unwrap(), "v's'");
        assert_eq!(str_format("{:{w}}|", &[Value::str("x")], &[("w".to_string(), Value::Int(3))].into_iter().collect()).unwrap(), "x  |");
        assert!(str_format("{0.__class__}", &[Value::str("x")], &Kwargs::new()).is_err());
        assert!(str_format("{} {0}", &args, &Kwargs::new()).is_err());
        assert_eq!(str_format("{:x} {:#b} {:.1%}", &[Value::Int(255), Value::Int(5), Value::Float(0.25)], &Kwargs::new()).unwrap(), "ff 0b101 25.0%");
        assert_eq!(str_format("{:.3}", &[Value::Float(1.0)], &Kwargs::new()).unwrap(), "1.0");
    }
}
