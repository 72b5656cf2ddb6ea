//! Nodes turned into a [`Value`] the way Salt's `SaltYamlSafeLoader` (a
//! PyYAML `SafeConstructor`) does it: YAML 1.1 scalars, Salt's decimal
//! reading of leading-zero ints, timestamps kept as strings, merge keys as
//! Salt flattens them, duplicate keys rejected with Salt's "conflicting ID".
//!
//! PyYAML builds collections lazily (generators run level by level after
//! their parent), which decides which error is reported first; the
//! constructor below keeps that order. Objects live in an arena while being
//! built, so an alias shares its anchor's object like a Python reference;
//! a document without aliases has no shared object, so its objects are
//! moved, not copied, into the value.
//!
//! It must not resolve tags or look at the source text: the composer did.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::value::{py_float, py_str_repr};
use crate::Value;

use super::compose::{Node, NodeKind, MAX_DEPTH};
use super::error::{Mark, Marked, YamlErrorKind};
use super::resolve::{resolve_plain, Implicit};

/// How much work (values built, pairs merged) aliases may add beyond what
/// the text itself holds: past it the input is an alias bomb.
const MAX_EXPANSION: usize = 1_000_000;

const MERGE_TAG: &str = "tag:yaml.org,2002:merge";
const VALUE_TAG: &str = "tag:yaml.org,2002:value";
const STR_TAG: &str = "tag:yaml.org,2002:str";
const MAPPING_CONTEXT: &str = "while constructing a mapping";

type Pairs = Vec<(Rc<Node>, Rc<Node>)>;

/// The Python object built for a node.
enum Obj {
    Scalar(Value),
    /// A collection whose generator has not run yet.
    Pending,
    Seq(Vec<usize>),
    Map(Vec<(Value, usize)>),
}

/// Which generator fills a pending collection.
#[derive(Clone, Copy)]
enum Filler {
    Seq,
    Map,
    Set,
    Pairs,
}

/// The document's value; `aliased` says whether an alias shares a node,
/// `source_len` (in bytes) sizes the work budget.
pub(crate) fn construct(
    root: &Rc<Node>,
    aliased: bool,
    source_len: usize,
) -> Result<Value, Marked> {
    let mut c = Constructor {
        shared: aliased,
        budget: source_len.saturating_mul(4).saturating_add(MAX_EXPANSION),
        ..Constructor::default()
    };
    let id = c.object(root)?;
    while !c.queue.is_empty() {
        for (id, node, filler) in std::mem::take(&mut c.queue) {
            c.fill(id, &node, filler)?;
        }
    }
    c.value(id, 0, root.start)
}

#[derive(Default)]
struct Constructor {
    objs: Vec<Obj>,
    memo: HashMap<*const Node, usize>,
    queue: Vec<(usize, Rc<Node>, Filler)>,
    /// Whether a node (so an object) can be reached twice: only then are
    /// objects memoized and copied rather than moved out.
    shared: bool,
    budget: usize,
    budget_used: usize,
}

impl Constructor {
    /// `construct_object`: scalars now, collections as an empty object
    /// whose generator is queued.
    fn object(&mut self, node: &Rc<Node>) -> Result<usize, Marked> {
        if self.shared {
            if let Some(&id) = self.memo.get(&Rc::as_ptr(node)) {
                return Ok(id);
            }
        }
        let obj = match filler_for(&node.tag) {
            Some(filler) => {
                self.queue.push((self.objs.len(), Rc::clone(node), filler));
                Obj::Pending
            }
            None => Obj::Scalar(scalar(node)?),
        };
        self.objs.push(obj);
        let id = self.objs.len() - 1;
        if self.shared {
            self.memo.insert(Rc::as_ptr(node), id);
        }
        Ok(id)
    }

    fn fill(&mut self, id: usize, node: &Rc<Node>, filler: Filler) -> Result<(), Marked> {
        let obj = match filler {
            Filler::Seq => Obj::Seq(self.sequence(node)?),
            Filler::Map => Obj::Map(self.mapping(node)?),
            Filler::Set => {
                let keys = self.mapping(node)?;
                let nulls = keys
                    .into_iter()
                    .map(|(k, _)| (k, self.null_object()))
                    .collect();
                Obj::Map(nulls)
            }
            Filler::Pairs => Obj::Seq(self.pairs(node)?),
        };
        self.objs[id] = obj;
        Ok(())
    }

    fn null_object(&mut self) -> usize {
        self.objs.push(Obj::Scalar(Value::Null));
        self.objs.len() - 1
    }

    fn spend(&mut self, n: usize, at: Mark) -> Result<(), Marked> {
        self.budget_used += n;
        if self.budget_used > self.budget {
            return Err(Marked::new(
                YamlErrorKind::Value,
                format!("document expands to more than {} values", self.budget),
                at,
            ));
        }
        Ok(())
    }

    fn sequence(&mut self, node: &Rc<Node>) -> Result<Vec<usize>, Marked> {
        let NodeKind::Seq(items) = &node.kind else {
            return Err(expected("a sequence node", node));
        };
        self.spend(items.len(), node.start)?;
        items.iter().map(|item| self.object(item)).collect()
    }

    /// Salt's `construct_mapping`: unhashable keys and keys equal in Python
    /// (`1`, `1.0`, `true`) are errors.
    fn mapping(&mut self, node: &Rc<Node>) -> Result<Vec<(Value, usize)>, Marked> {
        let NodeKind::Map(own) = &node.kind else {
            return Err(expected("a mapping node", node));
        };
        let plain = own
            .iter()
            .all(|(k, _)| k.tag != MERGE_TAG && k.tag != VALUE_TAG);
        let flat;
        let pairs: &Pairs = if plain {
            own
        } else {
            flat = self.flatten(node, 0)?;
            &flat
        };
        self.spend(pairs.len(), node.start)?;
        let mut out: Vec<(Value, usize)> = Vec::with_capacity(pairs.len());
        let mut seen: HashSet<PyKey<'static>> = HashSet::new();
        for (key_node, value_node) in pairs {
            let key_id = self.object(key_node)?;
            let Obj::Scalar(key) = &mut self.objs[key_id] else {
                return Err(Marked::with_context(
                    YamlErrorKind::Constructor,
                    MAPPING_CONTEXT,
                    Some(node.start),
                    format!("found unacceptable key {}", node_value_repr(key_node)),
                    key_node.start,
                ));
            };
            // Nothing else reads a key's object unless nodes are shared.
            let key = if self.shared {
                key.clone()
            } else {
                std::mem::take(key)
            };
            let value_id = self.object(value_node)?;
            if is_duplicate(&key, &out, &mut seen) {
                return Err(Marked::with_context(
                    YamlErrorKind::Constructor,
                    MAPPING_CONTEXT,
                    Some(node.start),
                    format!("found conflicting ID '{}'", key.py_str()),
                    key_node.start,
                ));
            }
            out.push((key, value_id));
        }
        Ok(out)
    }

    /// Salt's `flatten_mapping`: `<<` entries replaced by the pairs they
    /// merge (later mappings of a merge list first), dropping merged keys
    /// whose raw text equals an own key; `=` keys become strings.
    fn flatten(&mut self, node: &Rc<Node>, depth: usize) -> Result<Pairs, Marked> {
        let NodeKind::Map(pairs) = &node.kind else {
            return Ok(Vec::new());
        };
        if depth > MAX_DEPTH || !crate::stack::enough() {
            return Err(too_deep(depth, node.start));
        }
        let mut merged: Pairs = Vec::new();
        let mut own: Pairs = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            if key.tag == MERGE_TAG {
                merged.extend(self.merge_source(node, value, depth)?);
            } else if key.tag == VALUE_TAG {
                own.push((retag_str(key), Rc::clone(value)));
            } else {
                own.push((Rc::clone(key), Rc::clone(value)));
            }
        }
        if merged.is_empty() {
            return Ok(own);
        }
        self.spend(merged.len(), node.start)?;
        let own_texts: HashSet<&str> = own.iter().filter_map(|(k, _)| scalar_text(k)).collect();
        merged.retain(|(k, _)| match scalar_text(k) {
            Some(text) => !own_texts.contains(text),
            None => !own.iter().any(|(o, _)| same_raw_key(o, k)),
        });
        merged.extend(own);
        Ok(merged)
    }

    /// The pairs one `<<` value contributes.
    fn merge_source(
        &mut self,
        node: &Rc<Node>,
        value: &Rc<Node>,
        depth: usize,
    ) -> Result<Pairs, Marked> {
        match &value.kind {
            NodeKind::Map(_) => self.flatten(value, depth + 1),
            NodeKind::Seq(items) => {
                let mut groups = Vec::with_capacity(items.len());
                for sub in items {
                    if !matches!(sub.kind, NodeKind::Map(_)) {
                        return Err(merge_error(
                            node,
                            format!("expected a mapping for merging, but found {}", sub.id()),
                            sub,
                        ));
                    }
                    groups.push(self.flatten(sub, depth + 1)?);
                }
                Ok(groups.into_iter().rev().flatten().collect())
            }
            NodeKind::Scalar(_) => Err(merge_error(
                node,
                "expected a mapping or list of mappings for merging, but found scalar".to_string(),
                value,
            )),
        }
    }

    /// `construct_yaml_pairs`: a list of `[key, value]` lists.
    fn pairs(&mut self, node: &Rc<Node>) -> Result<Vec<usize>, Marked> {
        let context = "while constructing pairs";
        let NodeKind::Seq(items) = &node.kind else {
            let problem = format!("expected a sequence, but found {}", node.id());
            return Err(Marked::with_context(
                YamlErrorKind::Constructor,
                context,
                Some(node.start),
                problem,
                node.start,
            ));
        };
        let mut out = Vec::with_capacity(items.len());
        for sub in items {
            let one = match &sub.kind {
                NodeKind::Map(p) if p.len() == 1 => &p[0],
                NodeKind::Map(p) => {
                    let problem = format!(
                        "expected a single mapping item, but found {} items",
                        p.len()
                    );
                    return Err(Marked::with_context(
                        YamlErrorKind::Constructor,
                        context,
                        Some(node.start),
                        problem,
                        sub.start,
                    ));
                }
                _ => {
                    let problem = format!("expected a mapping of length 1, but found {}", sub.id());
                    return Err(Marked::with_context(
                        YamlErrorKind::Constructor,
                        context,
                        Some(node.start),
                        problem,
                        sub.start,
                    ));
                }
            };
            let pair = vec![self.object(&one.0)?, self.object(&one.1)?];
            self.objs.push(Obj::Seq(pair));
            out.push(self.objs.len() - 1);
        }
        Ok(out)
    }

    /// The finished object as a [`Value`] (aliases copied; map keys as the
    /// strings JSON would write).
    fn value(&mut self, id: usize, depth: usize, at: Mark) -> Result<Value, Marked> {
        if depth > MAX_DEPTH || !crate::stack::enough() {
            return Err(too_deep(depth, at));
        }
        self.spend(1, at)?;
        if !self.shared {
            return self.moved_value(id, depth, at);
        }
        let items: Vec<(Option<Value>, usize)> = match &self.objs[id] {
            Obj::Scalar(v) => return Ok(v.clone()),
            Obj::Pending => return Ok(Value::Null),
            Obj::Seq(ids) => ids.iter().map(|&i| (None, i)).collect(),
            Obj::Map(pairs) => pairs.iter().map(|(k, i)| (Some(k.clone()), *i)).collect(),
        };
        let is_map = matches!(self.objs[id], Obj::Map(_));
        if !is_map {
            let list = items
                .into_iter()
                .map(|(_, i)| self.value(i, depth + 1, at))
                .collect::<Result<_, _>>()?;
            return Ok(Value::List(list));
        }
        let mut map = crate::value::map_with_capacity(items.len());
        for (key, i) in items {
            let v = self.value(i, depth + 1, at)?;
            map.insert(json_key(key.unwrap_or_default()), v);
        }
        Ok(Value::Map(map))
    }

    /// [`Self::value`] when no object is reached twice: each is moved out.
    fn moved_value(&mut self, id: usize, depth: usize, at: Mark) -> Result<Value, Marked> {
        let Some(obj) = self.objs.get_mut(id) else {
            return Ok(Value::Null);
        };
        match std::mem::replace(obj, Obj::Pending) {
            Obj::Scalar(v) => Ok(v),
            Obj::Pending => Ok(Value::Null),
            Obj::Seq(ids) => {
                let mut list = Vec::with_capacity(ids.len());
                for i in ids {
                    list.push(self.value(i, depth + 1, at)?);
                }
                Ok(Value::List(list))
            }
            Obj::Map(pairs) => {
                let mut map = crate::value::map_with_capacity(pairs.len());
                for (key, i) in pairs {
                    let v = self.value(i, depth + 1, at)?;
                    map.insert(json_key(key), v);
                }
                Ok(Value::Map(map))
            }
        }
    }
}

/// The error for nesting past [`MAX_DEPTH`], or past what the native stack
/// of this thread holds (which comes first in debug builds and small threads).
#[cold]
#[inline(never)]
fn too_deep(depth: usize, at: Mark) -> Marked {
    let problem = if depth > MAX_DEPTH {
        format!("exceeded max depth of {MAX_DEPTH}")
    } else {
        format!("exceeded max depth: {depth} levels of nesting do not fit the stack")
    };
    Marked::new(YamlErrorKind::Value, problem, at)
}

/// Whether `key` equals, as a Python dict key, one already in `out` (whose
/// keys are all in `seen` once `out` is past [`LINEAR_KEYS`]).
fn is_duplicate(key: &Value, out: &[(Value, usize)], seen: &mut HashSet<PyKey<'static>>) -> bool {
    let Some(k) = py_key(key) else {
        return false;
    };
    if out.len() < LINEAR_KEYS {
        return out.iter().any(|(o, _)| py_key(o).as_ref() == Some(&k));
    }
    if seen.is_empty() {
        seen.extend(out.iter().filter_map(|(o, _)| py_key(o)).map(PyKey::owned));
    }
    !seen.insert(k.owned())
}

/// Up to how many keys a mapping is searched for duplicates one by one.
const LINEAR_KEYS: usize = 8;

fn filler_for(tag: &str) -> Option<Filler> {
    match tag.strip_prefix("tag:yaml.org,2002:")? {
        "seq" => Some(Filler::Seq),
        "map" | "omap" => Some(Filler::Map),
        "set" => Some(Filler::Set),
        "pairs" => Some(Filler::Pairs),
        _ => None,
    }
}

fn expected(what: &str, node: &Node) -> Marked {
    Marked::new(
        YamlErrorKind::Constructor,
        format!("expected {what}, but found {}", node.id()),
        node.start,
    )
}

fn merge_error(node: &Node, problem: String, at: &Node) -> Marked {
    Marked::with_context(
        YamlErrorKind::Constructor,
        MAPPING_CONTEXT,
        Some(node.start),
        problem,
        at.start,
    )
}

fn retag_str(key: &Node) -> Rc<Node> {
    let value = match &key.kind {
        NodeKind::Scalar(s) => s.clone(),
        _ => String::new(),
    };
    Rc::new(Node {
        tag: Cow::Borrowed(STR_TAG),
        start: key.start,
        kind: NodeKind::Scalar(value),
    })
}

fn scalar_text(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(text) => Some(text),
        _ => None,
    }
}

/// Python's `a.value == b.value` on two key nodes: scalar text, or the very
/// same child nodes for collections.
fn same_raw_key(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => x == y,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| Rc::ptr_eq(p, q))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| Rc::ptr_eq(&p.0, &q.0) && Rc::ptr_eq(&p.1, &q.1))
        }
        _ => false,
    }
}

/// The value of a scalar tag (`construct_yaml_*`), or the error Python
/// raises for it.
fn scalar(node: &Node) -> Result<Value, Marked> {
    let tag: &str = &node.tag;
    let known = matches!(
        tag.strip_prefix("tag:yaml.org,2002:"),
        Some("str" | "null" | "bool" | "int" | "float" | "timestamp" | "python/unicode" | "binary")
    );
    if !known {
        let problem = format!(
            "could not determine a constructor for the tag {}",
            py_str_repr(tag)
        );
        return Err(Marked::new(YamlErrorKind::Constructor, problem, node.start));
    }
    let NodeKind::Scalar(text) = &node.kind else {
        return Err(expected("a scalar node", node));
    };
    let python_error = |message: String| Marked::new(YamlErrorKind::Value, message, node.start);
    match &tag["tag:yaml.org,2002:".len()..] {
        "null" => Ok(Value::Null),
        "bool" => bool_value(text).map_err(python_error),
        "int" => int_value(&salt_strip_zeros(text)).map_err(python_error),
        "float" => float_value(text).map_err(python_error),
        "binary" => Err(Marked::new(
            YamlErrorKind::Constructor,
            "binary data (!!binary) has no place in brine's value tree",
            node.start,
        )),
        _ => Ok(Value::Str(text.clone())),
    }
}

/// The value of an untagged plain scalar as [`scalar`] builds it, or `None`
/// where Python raises (the caller then takes the general path).
pub(crate) fn plain_value(text: &str) -> Option<Value> {
    match resolve_plain(text) {
        Implicit::Null => Some(Value::Null),
        Implicit::Bool => bool_value(text).ok(),
        Implicit::Int => int_value(&salt_strip_zeros(text)).ok(),
        Implicit::Float => float_value(text).ok(),
        Implicit::Str | Implicit::Timestamp => Some(Value::Str(text.to_string())),
        Implicit::Merge | Implicit::Value => None,
    }
}

fn bool_value(text: &str) -> Result<Value, String> {
    match text.to_lowercase().as_str() {
        "yes" | "true" | "on" => Ok(Value::Bool(true)),
        "no" | "false" | "off" => Ok(Value::Bool(false)),
        other => Err(py_str_repr(other)),
    }
}

/// Salt's `construct_scalar` for ints: leading zeros are dropped (so `0644`
/// is decimal 644), except for `0b`/`0x` forms.
fn salt_strip_zeros(text: &str) -> String {
    if text == "0" || !text.starts_with('0') || text.starts_with("0b") || text.starts_with("0x") {
        return text.to_string();
    }
    match text.trim_start_matches('0') {
        "" => "0".to_string(),
        rest => rest.to_string(),
    }
}

/// `SafeConstructor.construct_yaml_int`.
fn int_value(text: &str) -> Result<Value, String> {
    let cleaned = text.replace('_', "");
    let (sign, body) = split_sign(&cleaned)?;
    let n = if body == "0" {
        Num::Int(0)
    } else if let Some(bin) = body.strip_prefix("0b") {
        py_int(bin, 2)?
    } else if let Some(hex) = body.strip_prefix("0x") {
        py_int(hex, 16)?
    } else if body.starts_with('0') {
        py_int(body, 8)?
    } else if body.contains(':') {
        let mut total = Num::Int(0);
        for part in body.split(':') {
            total = total.times_60().plus(py_int(part, 10)?);
        }
        total
    } else {
        py_int(body, 10)?
    };
    Ok(n.signed(sign).into_value())
}

/// `SafeConstructor.construct_yaml_float`.
fn float_value(text: &str) -> Result<Value, String> {
    let cleaned = text.replace('_', "").to_lowercase();
    let (sign, body) = split_sign(&cleaned)?;
    let magnitude = match body {
        ".inf" => f64::INFINITY,
        ".nan" => return Ok(Value::Float(f64::NAN)),
        b if b.contains(':') => {
            // Summed from the last part up, as PyYAML does (rounding differs
            // from Horner's scheme).
            let parts = b
                .split(':')
                .map(py_float_parse)
                .collect::<Result<Vec<f64>, String>>()?;
            let mut total = 0.0;
            let mut base = 1.0;
            for part in parts.iter().rev() {
                total += part * base;
                base *= 60.0;
            }
            total
        }
        b => py_float_parse(b)?,
    };
    Ok(Value::Float(sign as f64 * magnitude))
}

/// The sign handling both number constructors share (`value[0]` of an empty
/// string is Python's IndexError).
fn split_sign(s: &str) -> Result<(i64, &str), String> {
    match s.chars().next() {
        None => Err("string index out of range".into()),
        Some('-') => Ok((-1, &s[1..])),
        Some('+') => Ok((1, &s[1..])),
        Some(_) => Ok((1, s)),
    }
}

/// Python's `float(s)`.
fn py_float_parse(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("could not convert string to float: {}", py_str_repr(s)))
}

/// An integer as Python holds it: exact while it fits, else approximate.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Big(f64),
}

impl Num {
    fn times_60(self) -> Num {
        self.mul_add(60, 0)
    }
    fn plus(self, other: Num) -> Num {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a
                .checked_add(b)
                .map_or(Num::Big(a as f64 + b as f64), Num::Int),
            (a, b) => Num::Big(a.as_f64() + b.as_f64()),
        }
    }
    fn mul_add(self, m: i128, d: i128) -> Num {
        match self {
            Num::Int(a) => a
                .checked_mul(m)
                .and_then(|x| x.checked_add(d))
                .map_or(Num::Big(a as f64 * m as f64 + d as f64), Num::Int),
            Num::Big(f) => Num::Big(f * m as f64 + d as f64),
        }
    }
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Big(f) => f,
        }
    }
    fn signed(self, sign: i64) -> Num {
        match self {
            Num::Int(i) => Num::Int(i * i128::from(sign)),
            Num::Big(f) => Num::Big(f * sign as f64),
        }
    }
    /// Ints beyond i64 become floats: the value tree has no big integers.
    fn into_value(self) -> Value {
        match self {
            Num::Int(i) => i64::try_from(i).map_or(Value::Float(i as f64), Value::Int),
            Num::Big(f) => Value::Float(f),
        }
    }
}

/// Python's `int(s, base)` (whitespace, sign and base prefix allowed).
fn py_int(s: &str, base: u32) -> Result<Num, String> {
    let invalid = || {
        format!(
            "invalid literal for int() with base {base}: {}",
            py_str_repr(s)
        )
    };
    let t = s.trim();
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let prefix = match base {
        2 => "0b",
        8 => "0o",
        16 => "0x",
        _ => "",
    };
    let digits = if prefix.is_empty() {
        t
    } else {
        t.strip_prefix(prefix)
            .or_else(|| t.strip_prefix(&prefix.to_uppercase()))
            .unwrap_or(t)
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut n = Num::Int(0);
    for c in digits.chars() {
        let d = c.to_digit(base).ok_or_else(invalid)?;
        n = n.mul_add(i128::from(base), i128::from(d));
    }
    Ok(if negative { n.signed(-1) } else { n })
}

/// A hashable key as a Python dict tells keys apart: `True`, `1` and `1.0`
/// are the same key, a NaN is never equal to another.
#[derive(PartialEq, Eq, Hash)]
enum PyKey<'a> {
    Null,
    Int(i64),
    Float(u64),
    Str(Cow<'a, str>),
}

impl PyKey<'_> {
    fn owned(self) -> PyKey<'static> {
        match self {
            PyKey::Null => PyKey::Null,
            PyKey::Int(i) => PyKey::Int(i),
            PyKey::Float(f) => PyKey::Float(f),
            PyKey::Str(s) => PyKey::Str(Cow::Owned(s.into_owned())),
        }
    }
}

fn py_key(v: &Value) -> Option<PyKey<'_>> {
    Some(match v {
        Value::Null => PyKey::Null,
        Value::Bool(b) => PyKey::Int(i64::from(*b)),
        Value::Int(i) => PyKey::Int(*i),
        Value::Float(f) if f.is_nan() => return None,
        Value::Float(f)
            if f.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(f) =>
        {
            PyKey::Int(*f as i64)
        }
        Value::Float(f) => PyKey::Float(f.to_bits()),
        Value::Str(s) => PyKey::Str(Cow::Borrowed(s)),
        Value::List(_) | Value::Map(_) => return None,
    })
}

/// The string `json.dumps` writes for a dict key.
fn json_key(v: Value) -> String {
    match v {
        Value::Str(s) => s,
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => "NaN".into(),
        Value::Float(f) if f.is_infinite() => if f > 0.0 { "Infinity" } else { "-Infinity" }.into(),
        Value::Float(f) => py_float(f),
        other => other.py_repr(),
    }
}

/// `repr(node.value)` of a collection node, as PyYAML's node classes print.
fn node_value_repr(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar(s) => py_str_repr(s),
        NodeKind::Seq(items) => {
            let parts: Vec<String> = items.iter().map(|n| node_repr(n)).collect();
            format!("[{}]", parts.join(", "))
        }
        NodeKind::Map(pairs) => {
            let parts: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("({}, {})", node_repr(k), node_repr(v)))
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

fn node_repr(node: &Node) -> String {
    let class = match node.kind {
        NodeKind::Scalar(_) => "ScalarNode",
        NodeKind::Seq(_) => "SequenceNode",
        NodeKind::Map(_) => "MappingNode",
    };
    format!(
        "{class}(tag={}, value={})",
        py_str_repr(&node.tag),
        node_value_repr(node)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_reads_leading_zero_ints_as_decimal() {
        let int = |s: &str| int_value(&salt_strip_zeros(s));
        assert_eq!(int("0644"), Ok(Value::Int(644)));
        assert_eq!(int("00"), Ok(Value::Int(0)));
        assert_eq!(int("0_644"), Ok(Value::Int(644)));
        assert_eq!(int("-0644"), Ok(Value::Int(-420)));
        assert_eq!(int("+0644"), Ok(Value::Int(420)));
        assert_eq!(int("0b101"), Ok(Value::Int(5)));
        assert_eq!(int("-0x_1F"), Ok(Value::Int(-31)));
        assert_eq!(int("1:20:30"), Ok(Value::Int(4830)));
        assert_eq!(int(" 12 "), Ok(Value::Int(12)));
        assert_eq!(
            int("12345678901234567890"),
            Ok(Value::Float(12345678901234567890.0))
        );
    }

    #[test]
    fn int_errors_are_python_exceptions() {
        let int = |s: &str| int_value(&salt_strip_zeros(s));
        assert_eq!(int("0_"), Err("string index out of range".into()));
        assert_eq!(
            int("0b_"),
            Err("invalid literal for int() with base 2: ''".into())
        );
        assert_eq!(
            int("x"),
            Err("invalid literal for int() with base 10: 'x'".into())
        );
    }

    #[test]
    fn floats() {
        assert_eq!(float_value("1._"), Ok(Value::Float(1.0)));
        assert_eq!(float_value("190:20:30.15"), Ok(Value::Float(685230.15)));
        assert_eq!(float_value("-.Inf"), Ok(Value::Float(f64::NEG_INFINITY)));
        assert!(matches!(float_value(".NaN"), Ok(Value::Float(f)) if f.is_nan()));
        assert_eq!(float_value("1e3"), Ok(Value::Float(1000.0)));
        assert_eq!(
            float_value("x"),
            Err("could not convert string to float: 'x'".into())
        );
    }

    #[test]
    fn python_key_equality() {
        let eq = |a: Value, b: Value| py_key(&a).is_some() && py_key(&a) == py_key(&b);
        assert!(eq(Value::Int(1), Value::Bool(true)));
        assert!(eq(Value::Float(1.0), Value::Int(1)));
        assert!(eq(Value::Float(-0.0), Value::Bool(false)));
        assert!(!eq(Value::Str("1".into()), Value::Int(1)));
        assert!(!eq(Value::Float(f64::NAN), Value::Float(f64::NAN)));
        assert!(!eq(Value::Float(1.5), Value::Int(1)));
        assert!(eq(Value::Null, Value::Null));
        assert_eq!(json_key(Value::Float(1e20)), "1e+20");
        assert_eq!(json_key(Value::Bool(true)), "true");
    }
}
