//! Salt's Jinja filters and tests (salt/utils/jinja.py, data.py,
//! stringutils.py, hashutils.py, dictupdate.py, path.py and the
//! SerializerExtension): serialisers, regexes (Python `re` through
//! `fancy-regex`), set-like list operations, data traversal, hashes.
//!
//! Network filters are in `salt_net`. Nothing here reads files or the
//! network; results follow the Python functions they mirror.

use base64::Engine;
use brine_common::yaml;
use fancy_regex::{Captures, Regex};
use md5::Digest;

use super::args::{self, bind, flag, int, int_or, required, text, text_or};
use super::error::{Error, ErrorKind};
use super::eval::State;
use super::filters::{parse_py_float, parse_py_int, str_dict, FilterFn};
use super::globals::random_u64;
use super::lexer::py_space;
use super::ops::{self, number, py_cmp, py_eq, truthy, Num};
use super::repr::{py_repr, py_str};
use super::serial::{self, JsonOptions};
use super::testers::arg_text;
use super::value::{Dict, Kwargs, Value};

/// Salt filters that pass an undefined input through instead of failing
/// (`_handle_strict_undefined` and the serializers).
pub(crate) fn passes_undefined(name: &str) -> bool {
    matches!(
        name,
        "yaml" | "json" | "tojson" | "python" | "load_yaml" | "load_json" | "load_text" | "dict_to_sls_yaml_params"
    )
}

/// The Salt filter named `name`, if any.
pub(crate) fn lookup(name: &str) -> Option<FilterFn> {
    let f: FilterFn = match name {
        "yaml" => yaml,
        "json" => json,
        "tojson" => tojson,
        "python" => |_, v, a, k| args::none("python", a, k).map(|_| Value::from(pformat(v))),
        "load_yaml" => |_, v, a, k| undefined_or(v, a, k, "load_yaml", serial::load_yaml),
        "load_json" => |_, v, a, k| undefined_or(v, a, k, "load_json", serial::load_json),
        "load_text" => |_, v, a, k| undefined_or(v, a, k, "load_text", |s| Ok(Value::str(s))),
        "dict_to_sls_yaml_params" => dict_to_sls_yaml_params,
        "yaml_encode" => |_, v, a, k| args::none("yaml_encode", a, k).and_then(|_| serial::yaml_encode(v)).map(Value::from),
        "yaml_dquote" => |_, v, a, k| str_fn(v, a, k, "yaml_dquote", serial::yaml_dquote),
        "yaml_squote" => |_, v, a, k| str_fn(v, a, k, "yaml_squote", serial::yaml_squote),
        "regex_replace" => regex_replace,
        "regex_match" => |_, v, a, k| regex_groups(v, a, k, "regex_match", true),
        "regex_search" => |_, v, a, k| regex_groups(v, a, k, "regex_search", false),
        "regex_escape" => |_, v, a, k| str_fn(v, a, k, "regex_escape", regex_escape),
        "skip" => |_, _, _, _| Ok(Value::str("")),
        "sequence" => |_, v, _, _| Ok(sequence(v)),
        "to_bool" => |_, v, a, k| args::none("to_bool", a, k).and_then(|_| to_bool(v)).map(Value::Bool),
        "quote" => |_, v, a, k| str_fn(v, a, k, "quote", shell_quote),
        "uuid" => |_, v, a, k| str_fn(v, a, k, "uuid", uuid5),
        "unique" => |_, v, a, k| args::none("unique", a, k).and_then(|_| unique(v)),
        "min" => |_, v, a, k| min_max(v, a, k, "min"),
        "max" => |_, v, a, k| min_max(v, a, k, "max"),
        "avg" => avg,
        "union" => |_, v, a, k| set_op(v, a, k, "union"),
        "intersect" => |_, v, a, k| set_op(v, a, k, "intersect"),
        "difference" => |_, v, a, k| set_op(v, a, k, "difference"),
        "symmetric_difference" => |_, v, a, k| set_op(v, a, k, "symmetric_difference"),
        "method_call" => method_call,
        "compare_dicts" => compare_dicts,
        "compare_lists" => compare_lists,
        "exactly_n_true" => exactly_n_true,
        "exactly_one_true" => |_, v, a, k| args::none("exactly_one_true", a, k).and_then(|_| count_true(v)).map(|n| Value::Bool(n == 1)),
        "traverse" => traverse,
        "substring_in_list" => substring_in_list,
        "is_list" => |_, v, _, _| Ok(Value::Bool(matches!(v, Value::List(_)))),
        "is_iter" => |_, v, _, _| Ok(Value::Bool(!matches!(v, Value::Str(_)) && ops::iterate(v).is_ok())),
        "sorted_ignorecase" => sorted_ignorecase,
        "flatten" => flatten,
        "random_sample" => random_sample,
        "random_shuffle" => |_, v, _, _| shuffled(v).map(Value::list),
        "to_entries" => to_entries,
        "from_entries" => from_entries,
        "set_dict_key_value" => |_, v, a, k| dict_key_value(v, a, k, KeyOp::Set),
        "update_dict_key_value" => |_, v, a, k| dict_key_value(v, a, k, KeyOp::Update),
        "append_dict_key_value" => |_, v, a, k| dict_key_value(v, a, k, KeyOp::Append),
        "extend_dict_key_value" => |_, v, a, k| dict_key_value(v, a, k, KeyOp::Extend),
        "str_to_num" | "to_num" => |_, v, _, _| Ok(to_num(v)),
        "to_bytes" => |_, v, _, _| Ok(Value::from(py_str(v)?)),
        "is_hex" => |_, v, _, _| Ok(Value::Bool(v.as_str().is_some_and(|s| parse_py_int(s, 16).is_some()))),
        "contains_whitespace" => |_, v, _, _| Ok(Value::Bool(py_str(v)?.chars().any(py_space))),
        "human_to_bytes" => human_to_bytes,
        "to_snake_case" => |_, v, a, k| str_fn(v, a, k, "to_snake_case", to_snake_case),
        "to_camelcase" => to_camelcase,
        "random_str" => random_str,
        "md5" => |_, v, a, k| str_fn(v, a, k, "md5", |s| hex(&md5::Md5::digest(s.as_bytes()))),
        "sha1" => |_, v, a, k| str_fn(v, a, k, "sha1", |s| hex(&sha1::Sha1::digest(s.as_bytes()))),
        "sha256" => |_, v, a, k| str_fn(v, a, k, "sha256", |s| hex(&sha2::Sha256::digest(s.as_bytes()))),
        "sha512" => |_, v, a, k| str_fn(v, a, k, "sha512", |s| hex(&sha2::Sha512::digest(s.as_bytes()))),
        "base64_encode" => |_, v, a, k| str_fn(v, a, k, "base64_encode", |s| base64::engine::general_purpose::STANDARD.encode(s)),
        "base64_decode" => base64_decode,
        "hmac" => hmac_check,
        "hmac_compute" => hmac_compute,
        "random_hash" | "rand_str" => random_hash,
        "path_join" => path_join,
        "zip" => zip,
        "product" => product,
        "combinations" => |_, v, a, k| combinations(v, a, k, false),
        "combinations_with_replacement" => |_, v, a, k| combinations(v, a, k, true),
        "permutations" => permutations,
        "compress" => compress,
        _ => return None,
    };
    Some(f)
}

fn str_fn(v: &Value, a: &[Value], k: &Kwargs, name: &str, f: fn(&str) -> String) -> Result<Value, Error> {
    args::none(name, a, k)?;
    Ok(Value::from(f(&py_str(v)?)))
}

fn undefined_or(v: &Value, a: &[Value], k: &Kwargs, name: &str, f: fn(&str) -> Result<Value, Error>) -> Result<Value, Error> {
    args::none(name, a, k)?;
    if v.is_undefined() {
        return Ok(v.clone());
    }
    f(&py_str(v)?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// -- serializers -------------------------------------------------------------

fn yaml(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [flow] = bind("format_yaml", ["flow_style"], a, k)?;
    if v.is_undefined() {
        return Ok(v.clone());
    }
    serial::yaml_filter(v, flag(flow, true)?).map(Value::from)
}

fn json(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [sort_keys, indent] = bind("format_json", ["sort_keys", "indent"], a, k)?;
    if v.is_undefined() {
        return Ok(v.clone());
    }
    let o = JsonOptions { sort_keys: flag(sort_keys, true)?, indent: json_indent(indent)?, ensure_ascii: false };
    let text = serial::json_dumps(v, &o)?;
    Ok(Value::str(text.trim_matches(py_space)))
}

fn json_indent(indent: Option<&Value>) -> Result<Option<String>, Error> {
    match indent {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.to_string())),
        Some(v) => Ok(Some(" ".repeat(usize::try_from(int(v, "indent")?).unwrap_or(0).min(64)))),
    }
}

/// Salt's `slsutil.serialize(serializer, obj, **kwargs)` for the `yaml`
/// serializer (`yaml.dump` with its `CSafeDumper`: keys sorted, flow style
/// left to each collection, `allow_unicode` off unless asked; the final
/// newline or `...` end marker cut) and the `json` one (`json.dumps` with
/// `ensure_ascii` off unless asked).
pub fn slsutil_serialize(serializer: &str, v: &Value, k: &Kwargs) -> Result<String, Error> {
    let kwargs = k.iter().filter(|(key, _)| !key.starts_with("__"));
    match serializer {
        "yaml" => {
            let mut o = yaml::DumpOptions { allow_unicode: false, ..yaml::DumpOptions::default() };
            for (key, val) in kwargs {
                match key.as_str() {
                    "default_flow_style" if matches!(val, Value::None) => o.flow = None,
                    "default_flow_style" => o.flow = Some(truthy(val)?),
                    "allow_unicode" => o.allow_unicode = truthy(val)?,
                    "sort_keys" => o.sort_keys = truthy(val)?,
                    "indent" => o.indent = usize::try_from(int(val, "indent")?).ok(),
                    "width" => o.width = usize::try_from(int(val, "width")?).ok(),
                    "default_style" => o.double_quoted = matches!(val, Value::Str(s) if &**s == "\""),
                    other => return Err(Error::type_error(format!("dump_all() got an unexpected keyword argument '{other}'"))),
                }
            }
            let text = yaml::dump_with(&v.to_common()?, &o);
            Ok(match text.strip_suffix("\n...\n") {
                Some(t) => t.to_string(),
                None => text.strip_suffix('\n').unwrap_or(&text).to_string(),
            })
        }
        "json" => {
            let mut o = JsonOptions { sort_keys: false, indent: None, ensure_ascii: false };
            json_kwargs(&mut o, kwargs)?;
            serial::json_dumps(v, &o)
        }
        other => Err(Error::runtime(format!("Serializer '{other}' not found."))),
    }
}

/// `json.dumps` keyword arguments over `o`.
fn json_kwargs<'a>(o: &mut JsonOptions, kwargs: impl IntoIterator<Item = (&'a String, &'a Value)>) -> Result<(), Error> {
    for (key, val) in kwargs {
        match key.as_str() {
            "indent" => o.indent = json_indent(Some(val))?,
            "sort_keys" => o.sort_keys = truthy(val)?,
            "ensure_ascii" => o.ensure_ascii = truthy(val)?,
            other => return Err(Error::type_error(format!("dumps() got an unexpected keyword argument '{other}'"))),
        }
    }
    Ok(())
}

/// Salt's `tojson`: `json.dumps` with `ensure_ascii` and HTML-safe escapes.
fn tojson(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let no_kwargs = Kwargs::new();
    let [indent] = bind("tojson", ["indent"], a, &no_kwargs)?;
    if v.is_undefined() {
        return Ok(v.clone());
    }
    let mut o = JsonOptions { sort_keys: false, indent: json_indent(indent)?, ensure_ascii: true };
    json_kwargs(&mut o, k)?;
    let text = serial::json_dumps(v, &o)?;
    Ok(Value::from(text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026").replace('\'', "\\u0027")))
}

fn dict_to_sls_yaml_params(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [flow] = bind("dict_to_sls_yaml_params", ["flow_style"], a, k)?;
    let Value::Dict(d) = v else {
        return if v.is_undefined() { Ok(v.clone()) } else { Err(Error::type_error(format!("'{}' object has no attribute 'items'", v.type_name()))) };
    };
    let items: Vec<Value> = d
        .items()
        .into_iter()
        .map(|(key, val)| {
            let one = Dict::default();
            one.borrow_mut().insert(key, val);
            Value::Dict(one)
        })
        .collect();
    serial::yaml_filter(&Value::list(items), flag(flow, false)?).map(Value::from)
}

/// Python's `pprint.pformat` for values that fit on one line (dicts sorted).
pub(crate) fn pformat(v: &Value) -> String {
    py_repr(&sorted_dicts(v, 0))
}

fn sorted_dicts(v: &Value, depth: usize) -> Value {
    if depth > super::value::MAX_DEPTH || !brine_common::stack::enough() {
        return v.clone();
    }
    match v {
        Value::Dict(d) => {
            let items = d.items();
            let safe_less = |a: &Value, b: &Value| match py_cmp(a, b) {
                Ok(o) => o.is_lt(),
                Err(_) => a.type_name() < b.type_name(),
            };
            let order = super::methods::stable_sort((0..items.len()).collect(), &mut |a, b| {
                Ok(safe_less(&items[a].0, &items[b].0))
            })
            .unwrap_or_else(|_| (0..items.len()).collect());
            Value::dict(order.into_iter().map(|i| (items[i].0.clone(), sorted_dicts(&items[i].1, depth + 1))).collect())
        }
        Value::List(l) => Value::list(l.snapshot().iter().map(|x| sorted_dicts(x, depth + 1)).collect()),
        Value::Tuple(t) => Value::tuple(t.iter().map(|x| sorted_dicts(x, depth + 1)).collect()),
        other => other.clone(),
    }
}

// -- regexes -----------------------------------------------------------------

fn compile(pattern: &str, ignorecase: bool, multiline: bool, anchored: bool) -> Result<Regex, Error> {
    let mut p = String::new();
    if ignorecase {
        p.push_str("(?i)");
    }
    if multiline {
        p.push_str("(?m)");
    }
    if anchored {
        p.push_str(&format!("\\A(?:{pattern})"));
    } else {
        p.push_str(pattern);
    }
    Regex::new(&p).map_err(|e| Error::type_error(format!("re.error: {e}")))
}

fn regex_error(e: fancy_regex::Error) -> Error {
    Error::type_error(format!("re.error: {e}"))
}

fn regex_flags(name: &str, a: &[Value], k: &Kwargs) -> Result<(String, bool, bool), Error> {
    let [rgx, ic, ml] = bind(name, ["rgx", "ignorecase", "multiline"], a, k)?;
    Ok((text(required(name, "rgx", rgx)?)?.to_string(), flag(ic, false)?, flag(ml, false)?))
}

fn regex_groups(v: &Value, a: &[Value], k: &Kwargs, name: &str, anchored: bool) -> Result<Value, Error> {
    let (rgx, ic, ml) = regex_flags(name, a, k)?;
    let txt = args::strict_str(v, name)?;
    let re = compile(&rgx, ic, ml, anchored)?;
    let Some(caps) = re.captures(txt).map_err(regex_error)? else {
        return Ok(Value::None);
    };
    if caps.len() == 1 {
        return Ok(Value::tuple(vec![Value::str(caps.get(0).map_or("", |m| m.as_str()))]));
    }
    Ok(Value::tuple((1..caps.len()).map(|i| caps.get(i).map_or(Value::None, |m| Value::str(m.as_str()))).collect()))
}

/// Test `match`: the pattern matches at the start of the text.
pub(crate) fn test_match(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<bool, Error> {
    let [rgx, ic, ml] = bind("test_match", ["rgx", "ignorecase", "multiline"], a, k)?;
    let rgx = arg_text(rgx, "test_match", "rgx")?;
    let re = compile(&rgx, flag(ic, false)?, flag(ml, false)?, true)?;
    re.is_match(args::strict_str(v, "match")?).map_err(regex_error)
}

fn regex_replace(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [rgx, val, ic, ml] = bind("regex_replace", ["rgx", "val", "ignorecase", "multiline"], a, k)?;
    let txt = args::strict_str(v, "regex_replace")?;
    let re = compile(&text(required("regex_replace", "rgx", rgx)?)?, flag(ic, false)?, flag(ml, false)?, false)?;
    let template = text(required("regex_replace", "val", val)?)?;
    let mut out = String::with_capacity(txt.len());
    let mut last = 0;
    for caps in re.captures_iter(txt) {
        let caps = caps.map_err(regex_error)?;
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&txt[last..m.start()]);
        expand(&template, &caps, &mut out)?;
        last = m.end();
    }
    out.push_str(&txt[last..]);
    Ok(Value::from(out))
}

/// Expands a Python `re.sub` replacement template (`\1`, `\g<name>`, `\n`).
fn expand(template: &str, caps: &Captures<'_>, out: &mut String) -> Result<(), Error> {
    let group = |name: &str, out: &mut String| -> Result<(), Error> {
        let m = match name.parse::<usize>() {
            Ok(i) if i < caps.len() => caps.get(i),
            Ok(i) => return Err(Error::type_error(format!("re.error: invalid group reference {i}"))),
            Err(_) => caps.name(name),
        };
        out.push_str(m.map_or("", |m| m.as_str()));
        Ok(())
    };
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(d) if d.is_ascii_digit() => {
                let mut num = d.to_string();
                if let Some(&e) = chars.peek().filter(|e| e.is_ascii_digit()) {
                    num.push(e);
                    chars.next();
                }
                group(&num, out)?;
            }
            Some('g') if chars.peek() == Some(&'<') => {
                chars.next();
                let name: String = chars.by_ref().take_while(|c| *c != '>').collect();
                group(&name, out)?;
            }
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => return Err(Error::type_error("re.error: bad escape (end of pattern)")),
        }
    }
    Ok(())
}

/// Python 3.7+ `re.escape`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// -- small value filters -----------------------------------------------------

fn sequence(v: &Value) -> Value {
    match v {
        Value::List(_) | Value::Tuple(_) | Value::Dict(_) => v.clone(),
        other => Value::list(vec![other.clone()]),
    }
}

fn to_bool(v: &Value) -> Result<bool, Error> {
    Ok(match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Str(s) => matches!(s.to_lowercase().as_str(), "yes" | "1" | "true"),
        Value::Int(i) => *i > 0,
        Value::List(_) | Value::Dict(_) => ops::length(v)? > 0,
        Value::Undefined(u) => return Err(u.error()),
        _ => false,
    })
}

/// Python's `shlex.quote`.
fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// `uuid.uuid5(GLOBAL_UUID, s)` with Salt's namespace.
fn uuid5(s: &str) -> String {
    const NAMESPACE: [u8; 16] = [0x91, 0x63, 0x3E, 0xBF, 0x1C, 0x86, 0x5E, 0x33, 0x93, 0x5A, 0x28, 0x06, 0x1F, 0x4B, 0x48, 0x0E];
    let mut h = sha1::Sha1::new();
    h.update(NAMESPACE);
    h.update(s.as_bytes());
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex(&b);
    format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..])
}

fn unique_values(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in items {
        if !out.iter().any(|x| py_eq(x, &v)) {
            out.push(v);
        }
    }
    out
}

/// Salt's `unique` (first occurrences, in order).
fn unique(v: &Value) -> Result<Value, Error> {
    Ok(Value::list(unique_values(ops::iterate(v)?)))
}

fn min_max(v: &Value, a: &[Value], k: &Kwargs, name: &str) -> Result<Value, Error> {
    args::none(name, a, k)?;
    let items = ops::iterate(v)?;
    let mut best: Option<Value> = None;
    for item in items {
        best = Some(match best {
            None => item,
            Some(b) => {
                let better = if name == "min" { py_cmp(&item, &b)?.is_lt() } else { py_cmp(&item, &b)?.is_gt() };
                if better { item } else { b }
            }
        });
    }
    best.ok_or_else(|| Error::type_error(format!("{name}() arg is an empty sequence")))
}

fn avg(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("avg", a, k)?;
    if let Some(n) = number(v) {
        return Ok(Value::Float(n.as_f64()));
    }
    let items = ops::iterate(v)?;
    if items.is_empty() {
        return Err(Error::type_error("division by zero"));
    }
    let mut total = Value::Int(0);
    for x in &items {
        total = ops::binary(super::ast::BinOp::Add, &total, x)?;
    }
    let total = number(&total).map_or(0.0, Num::as_f64);
    Ok(Value::Float(total / items.len() as f64))
}

fn set_op(v: &Value, a: &[Value], k: &Kwargs, name: &str) -> Result<Value, Error> {
    let [other] = bind(name, ["lst2"], a, k)?;
    let l1 = ops::iterate(v)?;
    let l2 = ops::iterate(required(name, "lst2", other)?)?;
    let within = |x: &Value, l: &[Value]| l.iter().any(|y| py_eq(x, y));
    let union = || unique_values(l1.iter().chain(l2.iter()).cloned().collect());
    let inter = || unique_values(l1.iter().filter(|x| within(x, &l2)).cloned().collect());
    let out = match name {
        "union" => union(),
        "intersect" => inter(),
        "difference" => unique_values(l1.iter().filter(|x| !within(x, &l2)).cloned().collect()),
        _ => {
            let both = inter();
            unique_values(union().into_iter().filter(|x| !within(x, &both)).collect())
        }
    };
    Ok(Value::list(out))
}

fn method_call(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let Some((name, rest)) = a.split_first() else {
        return Err(Error::type_error("method_call() missing required argument: 'f_name'"));
    };
    let name = text(name)?;
    if super::methods::is_method(v, &name) || matches!(v, Value::Object(_) | Value::Namespace(_)) {
        let f = st.get_attr(v, &name)?;
        if !f.is_undefined() {
            return st.call_value(&f, rest.to_vec(), k.clone());
        }
    }
    Ok(Value::None)
}

// -- data.py -----------------------------------------------------------------

fn as_dict<'a>(v: &'a Value, name: &str) -> Result<&'a Dict, Error> {
    match v {
        Value::Dict(d) => Ok(d),
        Value::Undefined(u) => Err(u.error()),
        other => Err(Error::type_error(format!("{name}: expected a dict, not {}", other.type_name()))),
    }
}

fn compare_dicts(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [new] = bind("compare_dicts", ["new"], a, k)?;
    let old = as_dict(v, "compare_dicts")?;
    let new = as_dict(required("compare_dicts", "new", new)?, "compare_dicts")?;
    let ret = Dict::default();
    let keys = unique_values(old.keys().into_iter().chain(new.keys()).collect());
    for key in keys {
        let change = match (old.get(&key), new.get(&key)) {
            (None, Some(n)) => Some((Value::str(""), n)),
            (Some(o), None) => Some((o, Value::str(""))),
            (Some(o), Some(n)) if !py_eq(&o, &n) => Some((o, n)),
            _ => None,
        };
        if let Some((o, n)) = change {
            ret.insert(key, str_dict(vec![("old", o), ("new", n)]))?;
        }
    }
    Ok(Value::Dict(ret))
}

fn compare_lists(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [new] = bind("compare_lists", ["new"], a, k)?;
    let old = ops::iterate(v)?;
    let new = ops::iterate(required("compare_lists", "new", new)?)?;
    let added: Vec<Value> = new.iter().filter(|x| !old.iter().any(|y| py_eq(x, y))).cloned().collect();
    let removed: Vec<Value> = old.iter().filter(|x| !new.iter().any(|y| py_eq(x, y))).cloned().collect();
    let ret = Dict::default();
    if !added.is_empty() {
        ret.insert(Value::str("new"), Value::list(added))?;
    }
    if !removed.is_empty() {
        ret.insert(Value::str("old"), Value::list(removed))?;
    }
    Ok(Value::Dict(ret))
}

fn count_true(v: &Value) -> Result<usize, Error> {
    let mut n = 0;
    for x in ops::iterate(v)? {
        n += usize::from(truthy(&x)?);
    }
    Ok(n)
}

fn exactly_n_true(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [amount] = bind("exactly_n_true", ["amount"], a, k)?;
    let amount = int_or(amount, 1, "amount")?;
    Ok(Value::Bool(i64::try_from(count_true(v)?).ok() == Some(amount)))
}

/// Salt's `traverse_dict_and_list`.
fn traverse(st: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [key, default, delimiter] = bind("traverse", ["key", "default", "delimiter"], a, k)?;
    let default = default.cloned().unwrap_or(Value::None);
    let delimiter = text_or(delimiter, ":")?;
    let parts: Vec<Value> = match required("traverse", "key", key)? {
        Value::Str(s) => s.split(&*delimiter).map(Value::str).collect(),
        Value::Int(i) => vec![Value::Int(*i)],
        other => ops::iterate(other)?,
    };
    let mut cur = v.clone();
    for part in parts {
        let next = match &cur {
            Value::List(l) => traverse_list(&l.snapshot(), &part),
            Value::Dict(d) => d.get(&part),
            Value::Tuple(_) | Value::Str(_) => match &part {
                Value::Int(_) => Some(st.get_item(&cur, &part)?).filter(|x| !x.is_undefined()),
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(default),
        }
    }
    Ok(cur)
}

fn traverse_list(items: &[Value], part: &Value) -> Option<Value> {
    let idx = match part {
        Value::Int(i) => Some(*i),
        Value::Str(s) => parse_py_int(s, 10),
        _ => None,
    };
    let key = idx.map_or_else(|| part.clone(), Value::Int);
    for embedded in items {
        if let Value::Dict(d) = embedded {
            if let Some(v) = d.get(&key) {
                return Some(v);
            }
        }
    }
    let i = idx?;
    super::eval::py_index(i, items.len()).map(|i| items[i].clone())
}

fn substring_in_list(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [list] = bind("substring_in_list", ["list_to_search"], a, k)?;
    let sub = py_str(v)?;
    for item in ops::iterate(required("substring_in_list", "list_to_search", list)?)? {
        if ops::contains(&item, &Value::str(&sub))? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn sorted_ignorecase(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("sorted_ignorecase", a, k)?;
    let items = ops::iterate(v)?;
    let keys = items.iter().map(|x| py_str(x).map(|s| Value::from(s.to_lowercase()))).collect::<Result<Vec<_>, _>>()?;
    Ok(Value::list(super::methods::sort_by_keys(items, &keys, false)?))
}

fn flatten(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [levels, nulls] = bind("flatten", ["levels", "preserve_nulls"], a, k)?;
    let levels = match levels {
        None | Some(Value::None) => None,
        Some(l) => Some(int(l, "levels")?),
    };
    let mut out = Vec::new();
    flatten_into(v, levels, flag(nulls, false)?, 0, &mut out)?;
    Ok(Value::list(out))
}

fn flatten_into(v: &Value, levels: Option<i64>, nulls: bool, depth: usize, out: &mut Vec<Value>) -> Result<(), Error> {
    if depth > super::value::MAX_DEPTH || !brine_common::stack::enough() {
        return Err(Error::type_error("Reference cycle detected. Check input list."));
    }
    for element in ops::iterate(v)? {
        let null = matches!(&element, Value::None) || matches!(&element, Value::Str(s) if &**s == "None" || &**s == "null");
        if !nulls && null {
            continue;
        }
        let nested = matches!(element, Value::List(_) | Value::Tuple(_) | Value::Dict(_));
        match (nested, levels) {
            (true, None) => flatten_into(&element, None, nulls, depth + 1, out)?,
            (true, Some(l)) if l >= 1 => flatten_into(&element, Some(l - 1), nulls, depth + 1, out)?,
            _ => out.push(element),
        }
    }
    Ok(())
}

fn shuffled(v: &Value) -> Result<Vec<Value>, Error> {
    let mut items = ops::iterate(v)?;
    for i in (1..items.len()).rev() {
        let j = usize::try_from(random_u64() % (i as u64 + 1)).unwrap_or(0);
        items.swap(i, j);
    }
    Ok(items)
}

fn random_sample(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [size, _seed] = bind("random_sample", ["size", "seed"], a, k)?;
    let size = usize::try_from(int(required("random_sample", "size", size)?, "size")?)
        .map_err(|_| Error::type_error("Sample larger than population or is negative"))?;
    let items = shuffled(v)?;
    if size > items.len() {
        return Err(Error::type_error("Sample larger than population or is negative"));
    }
    Ok(Value::list(items.into_iter().take(size).collect()))
}

fn to_entries(_: &mut State<'_>, v: &Value, _: &[Value], _: &Kwargs) -> Result<Value, Error> {
    let pairs: Vec<(Value, Value)> = match v {
        Value::Dict(d) => d.items(),
        Value::List(l) => l.snapshot().into_iter().enumerate().map(|(i, x)| (Value::Int(i as i64), x)).collect(),
        _ => return Err(Error::new(ErrorKind::Host, "Input data must be a dict or list")),
    };
    Ok(Value::list(pairs.into_iter().map(|(key, value)| str_dict(vec![("key", key), ("value", value)])).collect()))
}

fn from_entries(_: &mut State<'_>, v: &Value, _: &[Value], _: &Kwargs) -> Result<Value, Error> {
    let ret = Dict::default();
    for entry in ops::iterate(v)? {
        let Value::Dict(e) = entry else { continue };
        let lookup = |want: &str| {
            e.items().into_iter().find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(want))).map(|(_, v)| v)
        };
        for key in ["key", "name"] {
            if let Some(kv) = lookup(key).filter(|kv| truthy(kv).unwrap_or(false)) {
                ret.insert(kv, lookup("value").unwrap_or(Value::None))?;
                break;
            }
        }
    }
    Ok(Value::Dict(ret))
}

// -- dictupdate.py -----------------------------------------------------------

/// What `set_dict_key_value` and friends do with the last key.
#[derive(Clone, Copy)]
enum KeyOp {
    Set,
    Update,
    Append,
    Extend,
}

/// `set_dict_key_value` and friends: nested dicts along `keys` are created.
fn dict_key_value(v: &Value, a: &[Value], k: &Kwargs, op: KeyOp) -> Result<Value, Error> {
    let [keys, value, delimiter, _ordered] = bind("dict_key_value", ["keys", "value", "delimiter", "ordered_dict"], a, k)?;
    let keys = text(required("dict_key_value", "keys", keys)?)?;
    let value = required("dict_key_value", "value", value)?.clone();
    let delimiter = text_or(delimiter, ":")?;
    let mut cur = as_dict(v, "dict_key_value")?.clone();
    let (parents, last) = match keys.rsplit_once(&*delimiter) {
        Some((p, l)) => (p.split(&*delimiter).collect::<Vec<_>>(), l),
        None => (Vec::new(), &*keys),
    };
    for p in parents {
        let next = match cur.get_str(p) {
            Some(Value::Dict(d)) => d,
            _ => {
                let d = Dict::default();
                cur.insert(Value::str(p), Value::Dict(d.clone()))?;
                d
            }
        };
        cur = next;
    }
    let key = Value::str(last);
    if let KeyOp::Set = op {
        cur.insert(key, value)?;
        return Ok(v.clone());
    }
    let target = match cur.get_str(last).filter(|x| !matches!(x, Value::None)) {
        Some(t) => t,
        None => {
            let fresh = if let KeyOp::Update = op { Value::Dict(Dict::default()) } else { Value::list(Vec::new()) };
            cur.insert(key, fresh.clone())?;
            fresh
        }
    };
    match (op, &target) {
        (KeyOp::Update, Value::Dict(d)) => super::methods::dict_update(d, &[value], &Kwargs::new())?,
        (KeyOp::Append, Value::List(l)) => l.borrow_mut().push(value),
        (KeyOp::Extend, Value::List(l)) => {
            let items = ops::iterate(&value)?;
            l.borrow_mut().extend(items);
        }
        (op, other) => {
            let verb = match op {
                KeyOp::Update => "update",
                KeyOp::Append => "append",
                _ => "extend",
            };
            return Err(Error::new(
                ErrorKind::Host,
                format!("The last key contains a <class '{}'>, which cannot {verb}.", other.type_name()),
            ));
        }
    }
    Ok(v.clone())
}

// -- stringutils.py ----------------------------------------------------------

fn to_num(v: &Value) -> Value {
    match v {
        Value::Str(s) => parse_py_int(s, 10)
            .map(Value::Int)
            .or_else(|| parse_py_float(s).map(Value::Float))
            .unwrap_or_else(|| v.clone()),
        Value::Float(f) if f.is_finite() => Value::Int(f.trunc() as i64),
        other => other.clone(),
    }
}

fn human_to_bytes(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [default_unit, metric] = bind("human_to_bytes", ["default_unit", "handle_metric"], a, k)?;
    let s = py_str(v)?;
    let s = s.trim_matches(py_space);
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = (&s[..split], s[split..].trim_start_matches(py_space));
    let unit = if unit.is_empty() { text_or(default_unit, "B")?.to_lowercase() } else { unit.to_lowercase() };
    let value = match parse_py_int(num, 10) {
        Some(i) => Num::Int(i),
        None => match parse_py_float(num) {
            Some(f) => Num::Float(f),
            None => return Ok(Value::Int(0)),
        },
    };
    let letters = "bkmgtpezy";
    let chars: Vec<char> = unit.chars().collect();
    let Some(&first) = chars.first() else { return Ok(Value::Int(0)) };
    let prefixed = "kmgtpezy".contains(first);
    let metric_unit = chars.len() == 2 && prefixed && chars[1] == 'b';
    let binary_unit = unit == "b" || (chars.len() == 1 && prefixed) || (chars.len() == 3 && prefixed && unit.ends_with("ib"));
    if !metric_unit && !binary_unit {
        return Ok(Value::Int(0));
    }
    let p = letters.find(first).unwrap_or(0) as i32;
    let dec = metric_unit && flag(metric, false)?;
    let factor = if dec { 10f64.powi(p * 3) } else { 2f64.powi(p * 10) };
    Ok(Value::Int((value.as_f64() * factor) as i64))
}

fn to_snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let Some(first) = chars.first() else { return String::new() };
    let mut res: String = first.to_lowercase().collect();
    for i in 1..chars.len() {
        let c = chars[i];
        if c.is_uppercase() {
            let after_lower = chars[i - 1].is_lowercase();
            let before_lower = i != chars.len() - 1 && chars[i + 1].is_lowercase();
            if after_lower || before_lower {
                res.push('_');
            }
        }
        res.extend(c.to_lowercase());
    }
    res
}

fn to_camelcase(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [upper] = bind("to_camelcase", ["uppercamel"], a, k)?;
    let s = py_str(v)?;
    let mut words = s.split('_');
    let first = words.next().unwrap_or("");
    let mut out = if flag(upper, false)? { super::methods::capitalize(first) } else { first.to_string() };
    for w in words {
        out.push_str(&super::methods::capitalize(w));
    }
    Ok(Value::from(out))
}

fn random_str(_: &mut State<'_>, _v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [size] = bind("random_str", ["size"], a, k)?;
    let size = usize::try_from(int_or(size, 32, "size")?).unwrap_or(0).min(1 << 16);
    let bytes: Vec<u8> = (0..size).map(|_| (random_u64() & 0xff) as u8).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(Value::from(encoded.chars().take(size).collect::<String>()))
}

// -- hashutils.py ------------------------------------------------------------

fn base64_decode(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    args::none("base64_decode", a, k)?;
    let s = py_str(v)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim_matches(py_space))
        .map_err(|e| Error::type_error(format!("binascii.Error: {e}")))?;
    Ok(Value::from(String::from_utf8_lossy(&bytes).into_owned()))
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&sha2::Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = sha2::Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    sha2::Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

fn hmac_compute(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [secret] = bind("hmac_compute", ["shared_secret"], a, k)?;
    let secret = text(required("hmac_compute", "shared_secret", secret)?)?;
    Ok(Value::from(hex(&hmac_sha256(secret.as_bytes(), py_str(v)?.as_bytes()))))
}

fn hmac_check(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [secret, challenge] = bind("hmac", ["shared_secret", "challenge_hmac"], a, k)?;
    let secret = text(required("hmac", "shared_secret", secret)?)?;
    let challenge = text(required("hmac", "challenge_hmac", challenge)?)?;
    let mac = hmac_sha256(secret.as_bytes(), py_str(v)?.as_bytes());
    Ok(Value::Bool(base64::engine::general_purpose::STANDARD.encode(mac) == *challenge))
}

fn random_hash(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [hash_type] = bind("random_hash", ["hash_type"], a, k)?;
    let size = match v {
        Value::Int(i) => u64::try_from(*i).unwrap_or(0),
        _ => 9_999_999_999,
    };
    let n = random_u64() % size.saturating_add(1).max(1);
    let data = n.to_string();
    let digest = match text_or(hash_type, "md5")?.as_ref() {
        "" | "md5" => hex(&md5::Md5::digest(data.as_bytes())),
        "sha1" => hex(&sha1::Sha1::digest(data.as_bytes())),
        "sha256" => hex(&sha2::Sha256::digest(data.as_bytes())),
        "sha512" => hex(&sha2::Sha512::digest(data.as_bytes())),
        other => return Err(Error::type_error(format!("module 'hashlib' has no attribute '{other}'"))),
    };
    Ok(Value::from(digest))
}

// -- path.py -----------------------------------------------------------------

/// Python's `posixpath.normpath`.
pub(crate) fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let slashes = if path.starts_with("//") && !path.starts_with("///") { 2 } else { usize::from(path.starts_with('/')) };
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if slashes > 0 => {}
            other => parts.push(other),
        }
    }
    let joined = format!("{}{}", "/".repeat(slashes), parts.join("/"));
    if joined.is_empty() { ".".into() } else { joined }
}

fn path_join(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    if let Some(key) = k.keys().find(|key| key.as_str() != "use_posixpath") {
        return Err(Error::type_error(format!("The following keyword arguments are not valid: {key}")));
    }
    let root = normpath(&py_str(v)?);
    let mut path = root;
    for part in a {
        let p = normpath(&py_str(part)?);
        let p = p.trim_start_matches('/');
        if !path.is_empty() && !path.ends_with('/') {
            path.push('/');
        }
        path.push_str(p);
    }
    Ok(Value::from(normpath(&path)))
}

// -- itertools ---------------------------------------------------------------

fn zip(_: &mut State<'_>, v: &Value, a: &[Value], _: &Kwargs) -> Result<Value, Error> {
    let mut seqs = vec![ops::iterate(v)?];
    for x in a {
        seqs.push(ops::iterate(x)?);
    }
    let n = seqs.iter().map(Vec::len).min().unwrap_or(0);
    Ok(Value::list((0..n).map(|i| Value::tuple(seqs.iter().map(|s| s[i].clone()).collect())).collect()))
}

fn product(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [repeat] = bind("product", ["repeat"], &[], k)?;
    let mut pools = vec![ops::iterate(v)?];
    for x in a {
        pools.push(ops::iterate(x)?);
    }
    let repeat = usize::try_from(int_or(repeat, 1, "repeat")?).unwrap_or(0);
    let pools: Vec<Vec<Value>> = (0..repeat).flat_map(|_| pools.iter().cloned()).collect();
    let mut result: Vec<Vec<Value>> = vec![Vec::new()];
    for pool in &pools {
        if result.len().saturating_mul(pool.len()) > 100_000 {
            return Err(Error::type_error("product too large"));
        }
        result = result.iter().flat_map(|r| pool.iter().map(move |x| [r.clone(), vec![x.clone()]].concat())).collect();
    }
    Ok(Value::list(result.into_iter().map(Value::tuple).collect()))
}

fn choose(pool: &[Value], r: usize, replace: bool, start: usize, cur: &mut Vec<Value>, out: &mut Vec<Value>) -> Result<(), Error> {
    if out.len() > 100_000 {
        return Err(Error::type_error("too many combinations"));
    }
    if cur.len() == r {
        out.push(Value::tuple(cur.clone()));
        return Ok(());
    }
    for i in start..pool.len() {
        cur.push(pool[i].clone());
        choose(pool, r, replace, if replace { i } else { i + 1 }, cur, out)?;
        cur.pop();
    }
    Ok(())
}

fn combinations(v: &Value, a: &[Value], k: &Kwargs, replace: bool) -> Result<Value, Error> {
    let [r] = bind("combinations", ["r"], a, k)?;
    let r = usize::try_from(int(required("combinations", "r", r)?, "r")?).map_err(|_| Error::type_error("r must be non-negative"))?;
    let pool = ops::iterate(v)?;
    let mut out = Vec::new();
    if r <= pool.len() || replace {
        choose(&pool, r.min(64), replace, 0, &mut Vec::new(), &mut out)?;
    }
    Ok(Value::list(out))
}

fn permutations(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [r] = bind("permutations", ["r"], a, k)?;
    let pool = ops::iterate(v)?;
    let r = match r {
        None | Some(Value::None) => pool.len(),
        Some(x) => usize::try_from(int(x, "r")?).map_err(|_| Error::type_error("r must be non-negative"))?,
    };
    let mut out = Vec::new();
    if r <= pool.len() {
        permute(&pool, r, &mut Vec::new(), &mut vec![false; pool.len()], &mut out)?;
    }
    Ok(Value::list(out))
}

fn permute(pool: &[Value], r: usize, cur: &mut Vec<Value>, used: &mut Vec<bool>, out: &mut Vec<Value>) -> Result<(), Error> {
    if out.len() > 100_000 {
        return Err(Error::type_error("too many permutations"));
    }
    if cur.len() == r {
        out.push(Value::tuple(cur.clone()));
        return Ok(());
    }
    for i in 0..pool.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        cur.push(pool[i].clone());
        permute(pool, r, cur, used, out)?;
        cur.pop();
        used[i] = false;
    }
    Ok(())
}

fn compress(_: &mut State<'_>, v: &Value, a: &[Value], k: &Kwargs) -> Result<Value, Error> {
    let [selectors] = bind("compress", ["selectors"], a, k)?;
    let data = ops::iterate(v)?;
    let sel = ops::iterate(required("compress", "selectors", selectors)?)?;
    let mut out = Vec::new();
    for (d, s) in data.into_iter().zip(sel) {
        if truthy(&s)? {
            out.push(d);
        }
    }
    Ok(Value::list(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_helpers() {
        assert_eq!(shell_quote("it's"), "'it'\"'\"'s'");
        assert_eq!(shell_quote("a/b.c"), "a/b.c");
        assert_eq!(regex_escape("a.b*c d"), "a\\.b\\*c\\ d");
        assert_eq!(to_snake_case("camelCaseHTTPServer"), "camel_case_http_server");
        assert_eq!(uuid5("example"), "9ade8beb-355a-50d8-9011-1c99848a7719");
        assert_eq!(normpath("a/./b/../c//d"), "a/c/d");
        assert_eq!(normpath("../x"), "../x");
    }

    #[test]
    fn to_bool_follows_salt() {
        assert!(to_bool(&Value::str("Yes")).unwrap());
        assert!(!to_bool(&Value::str("off")).unwrap());
        assert!(!to_bool(&Value::Int(0)).unwrap());
        assert!(!to_bool(&Value::Float(1.0)).unwrap());
        assert!(to_bool(&Value::list(vec![Value::None])).unwrap());
    }
}
