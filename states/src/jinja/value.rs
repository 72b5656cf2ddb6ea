//! Runtime values of the Jinja engine, with Python semantics: lists and dicts
//! are shared mutable containers (a `{% do d.update(...) %}` is seen by every
//! holder of the dict), dicts keep insertion order and accept any hashable key,
//! and undefined values are StrictUndefined.
//!
//! This file holds the types, constructors, conversions and Python-level
//! identity (hash/eq, type names). It must not evaluate templates; operators
//! live in `ops`, printing in `repr`.

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use indexmap::IndexMap;

use super::error::{Error, ErrorKind};

/// Keyword arguments of a call, in the order they were written.
pub type Kwargs = IndexMap<String, Value>;

/// A runtime value.
#[derive(Clone, Default)]
pub enum Value {
    /// An undefined name or missing attribute; see [`Undefined`].
    Undefined(Rc<Undefined>),
    #[default]
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(List),
    Tuple(Rc<[Value]>),
    Dict(Dict),
    /// A host or builtin function.
    Function(Rc<Function>),
    /// A host object (Salt's `salt` mapping, imported template modules, ...).
    Object(Rc<dyn Object>),
    /// A template macro (or a `caller`).
    Macro(Rc<super::eval::Macro>),
    /// A Python method bound to its receiver (`d.items` without the call).
    Method(Rc<BoundMethod>),
    /// A `namespace()` object, the only object `{% set ns.x = ... %}` accepts.
    Namespace(Namespace),
    /// The `loop` variable of a for loop.
    Loop(Rc<super::eval::LoopState>),
}

/// How an undefined value came to be; decides what using it raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UndefinedKind {
    /// StrictUndefined: any use raises `UndefinedError`.
    Strict,
    /// Plain `Undefined` (an inline `if` without `else` that was false):
    /// prints as an empty string, iterates as empty, is false.
    Lenient,
    /// An attribute the sandbox refuses: any use raises `SecurityError`.
    Unsafe,
}

/// An undefined value with the message using it will raise.
#[derive(Debug)]
pub struct Undefined {
    pub(crate) kind: UndefinedKind,
    pub(crate) hint: String,
}

impl Undefined {
    /// The error raised when this value is used.
    pub fn error(&self) -> Error {
        let kind = match self.kind {
            UndefinedKind::Unsafe => ErrorKind::Security,
            _ => ErrorKind::Undefined,
        };
        Error::new(kind, self.hint.clone())
    }
}

/// Signature of host and builtin functions.
pub type NativeFn = dyn Fn(&[Value], &Kwargs) -> Result<Value, Error>;

/// A named native function.
pub struct Function {
    pub(crate) name: String,
    pub(crate) func: Box<NativeFn>,
}

/// A Python method of a builtin type, bound to its receiver.
pub struct BoundMethod {
    pub(crate) receiver: Value,
    pub(crate) name: Rc<str>,
}

/// Objects provided by the embedding code (and a few builtins).
///
/// Attribute access `obj.x` calls [`Object::get_attr`]; item access `obj['x']`
/// calls [`Object::get_item`]; Jinja falls back from one to the other as it
/// does for Python objects. A method call `obj.m(...)` first tries
/// [`Object::call_method`], then calls the value of `get_attr("m")`.
pub trait Object {
    /// The Python type name, used in messages (`'dict object' has no attribute ...`).
    fn type_name(&self) -> &str;

    fn get_attr(&self, _name: &str) -> Option<Value> {
        None
    }

    fn get_item(&self, _key: &Value) -> Option<Value> {
        None
    }

    /// `obj(...)`.
    fn call(&self, _args: &[Value], _kwargs: &Kwargs) -> Result<Value, Error> {
        Err(Error::type_error(format!("'{}' object is not callable", self.type_name())))
    }

    /// `obj.name(...)`; `None` means "no such method, look the attribute up".
    fn call_method(&self, _name: &str, _args: &[Value], _kwargs: &Kwargs) -> Option<Result<Value, Error>> {
        None
    }

    /// The items `for x in obj` visits; `None` if the object is not iterable.
    fn iterate(&self) -> Option<Vec<Value>> {
        None
    }

    /// Python `str(obj)`.
    fn to_str(&self) -> String {
        format!("<{} object>", self.type_name())
    }
}

/// A shared, mutable Python list.
#[derive(Clone, Default)]
pub struct List(Rc<RefCell<Vec<Value>>>);

impl List {
    pub fn new(items: Vec<Value>) -> List {
        List(Rc::new(RefCell::new(items)))
    }

    /// Read access. Callers must not run template code while holding it.
    pub fn borrow(&self) -> Ref<'_, Vec<Value>> {
        self.0.borrow()
    }

    /// Write access. Callers must not run template code while holding it.
    pub fn borrow_mut(&self) -> RefMut<'_, Vec<Value>> {
        self.0.borrow_mut()
    }

    /// A shallow copy of the items.
    pub fn snapshot(&self) -> Vec<Value> {
        self.0.borrow().clone()
    }

    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    pub(crate) fn ptr_eq(&self, other: &List) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    pub(crate) fn addr(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }
}

// Templates can build values as deep as a loop is long (`{% set ns.x =
// [ns.x] %}` 100000 times); the compiler's drop glue would recurse once per
// level and overflow the stack. The last owner of a list, dict or namespace
// empties it instead, and the containers inside it that nothing else holds,
// one by one from a queue on the heap.
impl Drop for List {
    fn drop(&mut self) {
        if Rc::strong_count(&self.0) == 1 {
            if let Ok(mut items) = self.0.try_borrow_mut() {
                if items.iter().any(holds_values) {
                    drop_iteratively(std::mem::take(&mut *items));
                }
            }
        }
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        if Rc::strong_count(&self.0) == 1 {
            if let Ok(mut map) = self.0.try_borrow_mut() {
                if map.iter().any(|(k, v)| holds_values(k) || holds_values(v)) {
                    let map = std::mem::take(&mut *map);
                    drop_iteratively(map.into_iter().flat_map(|(k, v)| [k, v]).collect());
                }
            }
        }
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if Rc::strong_count(&self.0) == 1 {
            if let Ok(mut attrs) = self.0.try_borrow_mut() {
                if attrs.values().any(holds_values) {
                    drop_iteratively(std::mem::take(&mut *attrs).into_values().collect());
                }
            }
        }
    }
}

/// Whether dropping `v` can recurse (a container): scalars drop as usual.
fn holds_values(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Dict(_) | Value::Namespace(_) | Value::Tuple(_))
}

/// Drop values, emptying first the containers only they hold, so that no
/// drop recurses more than one level.
fn drop_iteratively(mut pending: Vec<Value>) {
    while let Some(v) = pending.pop() {
        match v {
            Value::List(l) if Rc::strong_count(&l.0) == 1 => {
                if let Ok(mut items) = l.0.try_borrow_mut() {
                    pending.append(&mut items);
                }
            }
            Value::Dict(d) if Rc::strong_count(&d.0) == 1 => {
                if let Ok(mut map) = d.0.try_borrow_mut() {
                    let map = std::mem::take(&mut *map);
                    pending.extend(map.into_iter().flat_map(|(k, v)| [k, v]));
                }
            }
            Value::Namespace(n) if Rc::strong_count(&n.0) == 1 => {
                if let Ok(mut attrs) = n.0.try_borrow_mut() {
                    let attrs = std::mem::take(&mut *attrs);
                    pending.extend(attrs.into_values());
                }
            }
            Value::Tuple(mut t) => {
                if let Some(items) = Rc::get_mut(&mut t) {
                    pending.extend(items.iter_mut().map(std::mem::take));
                }
            }
            _ => {}
        }
    }
}

/// The map inside a [`Dict`].
pub type DictMap = IndexMap<Value, Value>;

/// A shared, mutable, insertion-ordered Python dict.
#[derive(Clone, Default)]
pub struct Dict(Rc<RefCell<DictMap>>);

impl Dict {
    pub fn new(map: DictMap) -> Dict {
        Dict(Rc::new(RefCell::new(map)))
    }

    /// Read access. Callers must not run template code while holding it.
    pub fn borrow(&self) -> Ref<'_, DictMap> {
        self.0.borrow()
    }

    /// Write access. Callers must not run template code while holding it.
    pub fn borrow_mut(&self) -> RefMut<'_, DictMap> {
        self.0.borrow_mut()
    }

    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    pub fn get(&self, key: &Value) -> Option<Value> {
        self.0.borrow().get(key).cloned()
    }

    /// Lookup by a string key without allocating one.
    pub fn get_str(&self, key: &str) -> Option<Value> {
        self.0.borrow().get(&StrKey(key)).cloned()
    }

    /// `d[key] = value`; fails for unhashable keys as Python does.
    pub fn insert(&self, key: Value, value: Value) -> Result<(), Error> {
        check_hashable(&key)?;
        self.0.borrow_mut().insert(key, value);
        Ok(())
    }

    pub fn keys(&self) -> Vec<Value> {
        self.0.borrow().keys().cloned().collect()
    }

    pub fn items(&self) -> Vec<(Value, Value)> {
        self.0.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub(crate) fn ptr_eq(&self, other: &Dict) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    pub(crate) fn addr(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }
}

/// The attributes of a `namespace()` object.
#[derive(Clone, Default)]
pub struct Namespace(Rc<RefCell<IndexMap<String, Value>>>);

impl Namespace {
    pub(crate) fn new(attrs: IndexMap<String, Value>) -> Namespace {
        Namespace(Rc::new(RefCell::new(attrs)))
    }

    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        self.0.borrow().get(name).cloned()
    }

    pub(crate) fn set(&self, name: &str, value: Value) {
        self.0.borrow_mut().insert(name.to_string(), value);
    }

    pub(crate) fn attrs(&self) -> Vec<(String, Value)> {
        self.0.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// A borrowed string that looks up like a `Value::Str` key.
pub(crate) struct StrKey<'a>(pub(crate) &'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl indexmap::Equivalent<Value> for StrKey<'_> {
    fn equivalent(&self, key: &Value) -> bool {
        matches!(key, Value::Str(s) if &**s == self.0)
    }
}

/// Python raises `TypeError: unhashable type: 'list'` for these keys.
pub(crate) fn check_hashable(key: &Value) -> Result<(), Error> {
    match key {
        Value::List(_) | Value::Dict(_) | Value::Namespace(_) => {
            Err(Error::type_error(format!("unhashable type: '{}'", key.type_name())))
        }
        Value::Tuple(items) => items.iter().try_for_each(check_hashable),
        Value::Undefined(u) => Err(u.error()),
        _ => Ok(()),
    }
}

impl Value {
    /// A native function value.
    pub fn function(
        name: impl Into<String>,
        func: impl Fn(&[Value], &Kwargs) -> Result<Value, Error> + 'static,
    ) -> Value {
        Value::Function(Rc::new(Function { name: name.into(), func: Box::new(func) }))
    }

    pub fn object(obj: impl Object + 'static) -> Value {
        Value::Object(Rc::new(obj))
    }

    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::from(items))
    }

    pub fn dict(map: DictMap) -> Value {
        Value::Dict(Dict::new(map))
    }

    /// A StrictUndefined value that raises `hint` when used.
    pub(crate) fn undefined(hint: impl Into<String>) -> Value {
        Value::Undefined(Rc::new(Undefined { kind: UndefinedKind::Strict, hint: hint.into() }))
    }

    pub(crate) fn undefined_of(kind: UndefinedKind, hint: impl Into<String>) -> Value {
        Value::Undefined(Rc::new(Undefined { kind, hint: hint.into() }))
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Python's `type(x).__name__`.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Undefined(_) => "StrictUndefined",
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Function(_) => "function",
            Value::Object(o) => o.type_name(),
            Value::Macro(_) => "Macro",
            Value::Method(_) => "builtin_function_or_method",
            Value::Namespace(_) => "Namespace",
            Value::Loop(_) => "LoopContext",
        }
    }

    /// Jinja's `object_type_repr`, used by undefined messages.
    pub(crate) fn object_type_repr(&self) -> String {
        match self {
            Value::None => "None".to_string(),
            Value::Namespace(_) => "jinja2.utils.Namespace object".to_string(),
            Value::Loop(_) => "jinja2.runtime.LoopContext object".to_string(),
            Value::Macro(_) => "jinja2.runtime.Macro object".to_string(),
            other => format!("{} object", other.type_name()),
        }
    }

    /// Converts the shared value tree (YAML/JSON data, grains, pillar).
    pub fn from_common(v: &brine_common::Value) -> Value {
        use brine_common::Value as C;
        match v {
            C::Null => Value::None,
            C::Bool(b) => Value::Bool(*b),
            C::Int(i) => Value::Int(*i),
            C::Float(f) => Value::Float(*f),
            C::Str(s) => Value::str(s),
            C::List(l) => Value::list(l.iter().map(Value::from_common).collect()),
            C::Map(m) => Value::dict(
                m.iter().map(|(k, v)| (Value::str(k), Value::from_common(v))).collect(),
            ),
        }
    }

    /// Converts to the shared value tree: tuples become lists, dict keys are
    /// stringified as JSON would. Undefined values, functions and objects fail.
    pub fn to_common(&self) -> Result<brine_common::Value, Error> {
        to_common_at(self, 0)
    }
}

/// Deepest nesting walked by recursive conversions and comparisons (Python
/// would raise `RecursionError` on cyclic containers).
pub(crate) const MAX_DEPTH: usize = 500;

pub(crate) fn recursion_error() -> Error {
    Error::new(ErrorKind::Type, "maximum recursion depth exceeded")
}

fn to_common_at(v: &Value, depth: usize) -> Result<brine_common::Value, Error> {
    use brine_common::Value as C;
    if depth > MAX_DEPTH || !brine_common::stack::enough() {
        return Err(recursion_error());
    }
    Ok(match v {
        Value::Undefined(u) => return Err(u.error()),
        Value::None => C::Null,
        Value::Bool(b) => C::Bool(*b),
        Value::Int(i) => C::Int(*i),
        Value::Float(f) => C::Float(*f),
        Value::Str(s) => C::Str(s.to_string()),
        Value::List(l) => C::List(
            l.snapshot().iter().map(|x| to_common_at(x, depth + 1)).collect::<Result<_, _>>()?,
        ),
        Value::Tuple(t) => {
            C::List(t.iter().map(|x| to_common_at(x, depth + 1)).collect::<Result<_, _>>()?)
        }
        Value::Dict(d) => {
            let mut map = brine_common::Map::default();
            for (k, x) in d.items() {
                map.insert(json_key(&k)?, to_common_at(&x, depth + 1)?);
            }
            C::Map(map)
        }
        other => {
            return Err(Error::type_error(format!(
                "Object of type {} is not JSON serializable",
                other.type_name()
            )))
        }
    })
}

/// The string `json.dumps` makes of a dict key.
pub(crate) fn json_key(k: &Value) -> Result<String, Error> {
    Ok(match k {
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(true) => "true".into(),
        Value::Bool(false) => "false".into(),
        Value::None => "null".into(),
        Value::Float(f) => brine_common::value::py_float(*f),
        other => {
            return Err(Error::type_error(format!(
                "keys must be str, int, float, bool or None, not {}",
                other.type_name()
            )))
        }
    })
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Rc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::list(items)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::repr::py_repr(self))
    }
}

/// Python `==` (1 == 1.0 == True, dicts equal regardless of order). Using it
/// on undefined values is the caller's job to refuse; here they are unequal.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        super::ops::py_eq(self, other)
    }
}

impl Eq for Value {}

/// Consistent with `py_eq` for hashable values: equal numbers hash alike.
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::None => 0u8.hash(state),
            Value::Bool(b) => i64::from(*b).hash(state),
            Value::Int(i) => i.hash(state),
            Value::Float(f) => float_hash(*f, state),
            Value::Str(s) => s.hash(state),
            Value::Tuple(items) => items.iter().for_each(|x| x.hash(state)),
            Value::Function(f) => (Rc::as_ptr(f) as *const u8 as usize).hash(state),
            Value::Object(o) => (Rc::as_ptr(o) as *const u8 as usize).hash(state),
            Value::Macro(m) => (Rc::as_ptr(m) as *const u8 as usize).hash(state),
            _ => 1u8.hash(state),
        }
    }
}

fn float_hash<H: Hasher>(f: f64, state: &mut H) {
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        (f as i64).hash(state);
    } else {
        f.to_bits().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_is_shared_and_ordered() {
        let d = Dict::default();
        let alias = Value::Dict(d.clone());
        d.insert(Value::str("b"), Value::Int(1)).unwrap();
        d.insert(Value::Int(1), Value::Int(2)).unwrap();
        d.insert(Value::Bool(true), Value::Int(3)).unwrap();
        let Value::Dict(a) = alias else { panic!() };
        assert_eq!(a.len(), 2, "True and 1 are the same key");
        assert_eq!(a.get(&Value::Float(1.0)), Some(Value::Int(3)));
        assert_eq!(a.get_str("b"), Some(Value::Int(1)));
        assert!(d.insert(Value::list(vec![]), Value::None).is_err());
    }

    #[test]
    fn common_round_trip() {
        let c = brine_common::Value::from_json(&serde_json::json!({"a": [1, 2.5, null, true, "x"]}));
        let v = Value::from_common(&c);
        assert_eq!(v.to_common().unwrap(), c);
        let mut m = DictMap::new();
        m.insert(Value::Int(1), Value::tuple(vec![Value::None]));
        let c = Value::dict(m).to_common().unwrap();
        assert_eq!(c.to_json(), serde_json::json!({"1": [null]}));
        assert!(Value::undefined("'x' is undefined").to_common().is_err());
    }
}
