//! The evaluator's state and expression evaluation: variable scopes, Jinja2's
//! attribute/item lookup rules (with the sandbox's refusal of `__dunder__`
//! attributes), calls of functions, macros, methods and host objects, filters
//! and tests.
//!
//! Statements, loops, macros' bodies and template loading are in `exec`. This
//! file must not print anything itself nor touch the loader.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use brine_common::value::{py_str_repr, MapHasher};
use indexmap::IndexMap;

use super::ast::*;
use super::error::{Error, ErrorKind};
use super::lexer::LexOptions;
use super::methods;
use super::ops::{self, truthy};
use super::value::{BoundMethod, Kwargs, UndefinedKind, Value};
use super::Environment;

/// Deepest nesting of evaluation: each nested statement, compound
/// expression, macro call, include and import counts one.
const MAX_DEPTH: usize = 1000;

/// Native stack one render may use before nesting fails with "maximum
/// recursion depth exceeded" (the part Python's recursion limit plays in
/// Jinja2). Threads have at least 2 MiB; frames are larger in debug builds,
/// so the budget is measured rather than counted.
const STACK_BUDGET: usize = 1 << 20;

/// An address on the current stack, to measure how deep a render has gone.
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A variable scope; lookups walk up to the template's root and then to the
/// globals.
pub(crate) struct Frame {
    /// Hashed as [`brine_common::Map`] is: a loop body makes a frame per
    /// iteration, and SipHash showed in profiles of its lookups.
    vars: RefCell<IndexMap<Rc<str>, Value, MapHasher>>,
    parent: Option<Rc<Frame>>,
}

impl Frame {
    pub(crate) fn new(parent: Option<Rc<Frame>>) -> Rc<Frame> {
        Rc::new(Frame { vars: RefCell::new(IndexMap::default()), parent })
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Value> {
        let mut frame = self;
        loop {
            if let Some(v) = frame.vars.borrow().get(name) {
                return Some(v.clone());
            }
            frame = frame.parent.as_deref()?;
        }
    }

    pub(crate) fn set(&self, name: Rc<str>, value: Value) {
        self.vars.borrow_mut().insert(name, value);
    }

    /// This frame's own variables (a template's exports).
    pub(crate) fn own_vars(&self) -> Vec<(Rc<str>, Value)> {
        self.vars.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Drops this scope's variables (breaks macro reference cycles).
    pub(crate) fn clear(&self) {
        let vars = std::mem::take(&mut *self.vars.borrow_mut());
        drop(vars);
    }
}

/// A macro value: its definition and the scope it was defined in.
pub struct Macro {
    pub(crate) def: Rc<MacroDef>,
    pub(crate) closure: Rc<Frame>,
    pub(crate) template: Rc<str>,
}

impl Macro {
    pub(crate) fn name(&self) -> &str {
        &self.def.name
    }

    /// Jinja2's `Macro` attributes.
    fn attr(&self, name: &str) -> Option<Value> {
        let d = &self.def;
        Some(match name {
            "name" => Value::Str(d.name.clone()),
            "arguments" => Value::tuple(d.params.iter().map(|p| Value::Str(p.clone())).collect()),
            "catch_kwargs" => Value::Bool(d.catch_kwargs),
            "catch_varargs" => Value::Bool(d.catch_varargs),
            "caller" => Value::Bool(d.uses_caller),
            _ => return None,
        })
    }
}

/// The `loop` variable of one for loop.
pub struct LoopState {
    pub(crate) index0: Cell<usize>,
    pub(crate) items: Vec<Value>,
    pub(crate) depth0: usize,
    pub(crate) last_changed: RefCell<Option<Vec<Value>>>,
    /// For `recursive` loops: the loop and the scope to run it again in.
    pub(crate) recurse: Option<(Rc<ForLoop>, Rc<Frame>)>,
}

impl LoopState {
    pub(crate) fn index(&self) -> usize {
        self.index0.get() + 1
    }

    pub(crate) fn length(&self) -> usize {
        self.items.len()
    }

    fn attr(&self, name: &str) -> Option<Value> {
        let i = self.index0.get();
        let n = self.items.len();
        let int = |x: usize| Value::Int(i64::try_from(x).unwrap_or(i64::MAX));
        Some(match name {
            "index" => int(i + 1),
            "index0" => int(i),
            "revindex" => int(n.saturating_sub(i)),
            "revindex0" => int(n.saturating_sub(i + 1)),
            "first" => Value::Bool(i == 0),
            "last" => Value::Bool(i + 1 >= n),
            "length" => int(n),
            "depth" => int(self.depth0 + 1),
            "depth0" => int(self.depth0),
            "previtem" => match i.checked_sub(1).and_then(|p| self.items.get(p)) {
                Some(v) => v.clone(),
                None => Value::undefined("there is no previous item"),
            },
            "nextitem" => match self.items.get(i + 1) {
                Some(v) => v.clone(),
                None => Value::undefined("there is no next item"),
            },
            _ => return None,
        })
    }

    fn cycle(&self, args: &[Value]) -> Result<Value, Error> {
        if args.is_empty() {
            return Err(Error::type_error("no items for cycling given"));
        }
        Ok(args[self.index0.get() % args.len()].clone())
    }

    fn changed(&self, args: &[Value]) -> bool {
        let mut last = self.last_changed.borrow_mut();
        let same = last.as_ref().is_some_and(|l| l.len() == args.len() && l.iter().zip(args).all(|(a, b)| ops::py_eq(a, b)));
        if same {
            return false;
        }
        *last = Some(args.to_vec());
        true
    }
}

/// A block definition and the template it comes from.
pub(crate) type BlockOverride = (Rc<BlockDef>, Rc<str>);

/// Evaluation state of one `Environment::render` call.
pub(crate) struct State<'e> {
    pub(crate) env: &'e Environment<'e>,
    pub(crate) opts: LexOptions,
    pub(crate) globals: IndexMap<String, Value>,
    /// Name of the template whose code is running (for error locations).
    pub(crate) template: Rc<str>,
    depth: usize,
    /// `stack_position()` when the render started.
    stack_base: usize,
    /// Modules imported without context, by resolved name.
    pub(crate) modules: HashMap<String, Value>,
    /// Templates fetched from the loader in this render.
    pub(crate) fetched: HashSet<String>,
    /// Block overrides of the running `extends` chain, most derived first.
    pub(crate) blocks: HashMap<Rc<str>, Vec<BlockOverride>>,
    /// Scopes holding macros (macros point back at them): cleared when the
    /// render ends so the reference cycles are freed.
    pub(crate) macro_frames: Vec<Rc<Frame>>,
}

pub(crate) fn undefined_attr(obj: &Value, name: &str) -> Value {
    Value::undefined(format!("{} has no attribute {}", py_str_repr(&obj.object_type_repr()), py_str_repr(name)))
}

fn undefined_item(obj: &Value, key: &Value) -> Value {
    match key {
        Value::Str(s) => undefined_attr(obj, s),
        other => Value::undefined(format!(
            "{} has no element {}",
            obj.object_type_repr(),
            super::repr::py_repr(other)
        )),
    }
}

fn is_dunder(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

fn unsafe_message(obj: &Value, name: &str) -> String {
    format!("access to attribute {} of {} object is unsafe.", py_str_repr(name), py_str_repr(obj.type_name()))
}

fn unsafe_attr(obj: &Value, name: &str) -> Value {
    Value::undefined_of(UndefinedKind::Unsafe, unsafe_message(obj, name))
}

/// Python's index normalisation: `Some(i)` if `i` addresses an item.
pub(crate) fn py_index(i: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if i < 0 { i + len } else { i };
    (0..len).contains(&i).then(|| usize::try_from(i).unwrap_or(0))
}

impl<'e> State<'e> {
    pub(crate) fn new(env: &'e Environment<'e>, opts: LexOptions, globals: IndexMap<String, Value>, template: Rc<str>) -> Self {
        State {
            env,
            opts,
            globals,
            template,
            depth: 0,
            stack_base: stack_position(),
            modules: HashMap::new(),
            fetched: HashSet::new(),
            blocks: HashMap::new(),
            macro_frames: Vec::new(),
        }
    }

    /// Runs `f` one level deeper, failing past the nesting limit.
    pub(crate) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        if self.depth >= MAX_DEPTH || stack_position().abs_diff(self.stack_base) > STACK_BUDGET || !brine_common::stack::enough() {
            return Err(Error::new(ErrorKind::Type, "maximum recursion depth exceeded"));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    pub(crate) fn lookup(&self, frame: &Frame, name: &str) -> Value {
        if let Some(v) = frame.lookup(name) {
            return v;
        }
        match self.globals.get(name) {
            Some(v) => v.clone(),
            None => Value::undefined(format!("{} is undefined", py_str_repr(name))),
        }
    }

    // -- expressions -------------------------------------------------------

    pub(crate) fn eval(&mut self, frame: &Rc<Frame>, e: &Expr) -> Result<Value, Error> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Name(n) => Ok(self.lookup(frame, n)),
            _ => self.nested(|s| s.eval_compound(frame, e)),
        }
    }

    /// Dispatches a compound expression (each kind in its own function keeps
    /// this frame small: every nesting level passes through it).
    fn eval_compound(&mut self, frame: &Rc<Frame>, e: &Expr) -> Result<Value, Error> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Name(n) => Ok(self.lookup(frame, n)),
            ExprKind::List(items) => self.eval_all(frame, items).map(Value::list),
            ExprKind::Tuple(items) => self.eval_all(frame, items).map(Value::tuple),
            ExprKind::Dict(pairs) => self.eval_dict(frame, pairs),
            ExprKind::Attr(obj, name) => self.eval_attr(frame, obj, name),
            ExprKind::Item(obj, key) => self.eval_item(frame, obj, key),
            ExprKind::Slice(..) => Err(Error::type_error("slice outside a subscript")),
            ExprKind::Call(callee, args) => self.eval_call(frame, callee, args, None),
            ExprKind::Filter(input, f) => self.eval_filter(frame, input, f),
            ExprKind::Test(input, t) => self.eval_test(frame, input, t),
            ExprKind::Not(x) => self.eval_unary(frame, x, |v| truthy(v).map(|b| Value::Bool(!b))),
            ExprKind::Neg(x) => self.eval_unary(frame, x, ops::neg),
            ExprKind::Pos(x) => self.eval_unary(frame, x, ops::pos),
            ExprKind::Bin(op, a, b) => self.eval_binary(frame, *op, a, b),
            ExprKind::And(a, b) => self.eval_logic(frame, a, b, true),
            ExprKind::Or(a, b) => self.eval_logic(frame, a, b, false),
            ExprKind::Concat(parts) => self.eval_all(frame, parts).and_then(|v| ops::concat(&v)),
            ExprKind::Compare(first, rest) => self.eval_compare(frame, first, rest),
            ExprKind::Cond { test, then, otherwise } => self.eval_cond(frame, test, then, otherwise.as_deref(), e.line),
        }
    }

    fn eval_attr(&mut self, frame: &Rc<Frame>, obj: &Expr, name: &str) -> Result<Value, Error> {
        let obj = self.eval(frame, obj)?;
        self.get_attr(&obj, name)
    }

    fn eval_filter(&mut self, frame: &Rc<Frame>, input: &Expr, f: &FilterCall) -> Result<Value, Error> {
        let v = self.eval(frame, input)?;
        self.apply_filter(frame, f, v)
    }

    fn eval_test(&mut self, frame: &Rc<Frame>, input: &Expr, t: &TestCall) -> Result<Value, Error> {
        let v = self.eval(frame, input)?;
        self.apply_test(frame, t, &v).map(Value::Bool)
    }

    fn eval_unary(&mut self, frame: &Rc<Frame>, x: &Expr, op: fn(&Value) -> Result<Value, Error>) -> Result<Value, Error> {
        let v = self.eval(frame, x)?;
        op(&v)
    }

    fn eval_binary(&mut self, frame: &Rc<Frame>, op: BinOp, a: &Expr, b: &Expr) -> Result<Value, Error> {
        let a = self.eval(frame, a)?;
        let b = self.eval(frame, b)?;
        ops::binary(op, &a, &b)
    }

    /// `a and b` (`and_op`) or `a or b`: Python returns an operand.
    fn eval_logic(&mut self, frame: &Rc<Frame>, a: &Expr, b: &Expr, and_op: bool) -> Result<Value, Error> {
        let a = self.eval(frame, a)?;
        if truthy(&a)? == and_op {
            self.eval(frame, b)
        } else {
            Ok(a)
        }
    }

    fn eval_all(&mut self, frame: &Rc<Frame>, items: &[Expr]) -> Result<Vec<Value>, Error> {
        items.iter().map(|x| self.eval(frame, x)).collect()
    }

    fn eval_dict(&mut self, frame: &Rc<Frame>, pairs: &[(Expr, Expr)]) -> Result<Value, Error> {
        let d = super::value::Dict::default();
        for (k, v) in pairs {
            let k = self.eval(frame, k)?;
            let v = self.eval(frame, v)?;
            d.insert(k, v)?;
        }
        Ok(Value::Dict(d))
    }

    fn eval_compare(&mut self, frame: &Rc<Frame>, first: &Expr, rest: &[(CmpOp, Expr)]) -> Result<Value, Error> {
        let mut left = self.eval(frame, first)?;
        for (op, e) in rest {
            let right = self.eval(frame, e)?;
            if !ops::compare(*op, &left, &right)? {
                return Ok(Value::Bool(false));
            }
            left = right;
        }
        Ok(Value::Bool(true))
    }

    fn eval_cond(&mut self, frame: &Rc<Frame>, test: &Expr, then: &Expr, otherwise: Option<&Expr>, line: usize) -> Result<Value, Error> {
        if truthy(&self.eval(frame, test)?)? {
            return self.eval(frame, then);
        }
        match otherwise {
            Some(e) => self.eval(frame, e),
            None => Ok(Value::undefined_of(
                UndefinedKind::Lenient,
                format!("the inline if-expression on line {line} evaluated to false and no else section was defined."),
            )),
        }
    }

    fn eval_item(&mut self, frame: &Rc<Frame>, obj: &Expr, key: &Expr) -> Result<Value, Error> {
        let obj = self.eval(frame, obj)?;
        if let ExprKind::Slice(start, stop, step) = &key.kind {
            ops::defined(&obj)?;
            let mut bound = |b: &Option<Box<Expr>>| b.as_ref().map(|e| self.eval(frame, e)).transpose();
            let (a, b, c) = (bound(start)?, bound(stop)?, bound(step)?);
            return slice_value(&obj, a, b, c);
        }
        let key = self.eval(frame, key)?;
        self.get_item(&obj, &key)
    }

    /// Jinja's `obj.name`: the attribute, else `obj['name']`.
    pub(crate) fn get_attr(&mut self, obj: &Value, name: &str) -> Result<Value, Error> {
        if let Value::Undefined(u) = obj {
            return Err(u.error());
        }
        if is_dunder(name) {
            return Ok(unsafe_attr(obj, name));
        }
        if methods::is_method(obj, name) {
            return Ok(Value::Method(Rc::new(BoundMethod { receiver: obj.clone(), name: Rc::from(name) })));
        }
        let found = match obj {
            Value::Dict(d) => d.get_str(name),
            Value::Object(o) => o.get_attr(name).or_else(|| o.get_item(&Value::str(name))),
            Value::Namespace(ns) => ns.get(name),
            Value::Loop(l) => l.attr(name),
            Value::Macro(m) => m.attr(name),
            _ => None,
        };
        Ok(found.unwrap_or_else(|| undefined_attr(obj, name)))
    }

    /// Jinja's `obj[key]`: the item, else (for a string key) the attribute.
    pub(crate) fn get_item(&mut self, obj: &Value, key: &Value) -> Result<Value, Error> {
        if let Value::Undefined(u) = obj {
            return Err(u.error());
        }
        let found = match (obj, key) {
            (Value::Dict(d), k) if super::value::check_hashable(k).is_ok() => d.get(k),
            (Value::List(l), Value::Int(_) | Value::Bool(_)) => index_of(key, l.len()).and_then(|i| l.borrow().get(i).cloned()),
            (Value::Tuple(t), Value::Int(_) | Value::Bool(_)) => index_of(key, t.len()).and_then(|i| t.get(i).cloned()),
            (Value::Str(s), Value::Int(_) | Value::Bool(_)) => {
                index_of(key, s.chars().count()).and_then(|i| s.chars().nth(i)).map(|c| Value::from(c.to_string()))
            }
            (Value::Object(o), k) => o.get_item(k),
            _ => None,
        };
        if let Some(v) = found {
            return Ok(v);
        }
        match key {
            Value::Str(name) => {
                let v = self.get_attr(obj, name)?;
                Ok(if v.is_undefined() { undefined_item(obj, key) } else { v })
            }
            _ => Ok(undefined_item(obj, key)),
        }
    }

    // -- calls -------------------------------------------------------------

    /// Evaluates call arguments, expanding `*args` and `**kwargs`.
    pub(crate) fn eval_args(&mut self, frame: &Rc<Frame>, a: &CallArgs) -> Result<(Vec<Value>, Kwargs), Error> {
        let mut args = self.eval_all(frame, &a.args)?;
        let mut kwargs = Kwargs::new();
        for (k, e) in &a.kwargs {
            kwargs.insert(k.to_string(), self.eval(frame, e)?);
        }
        if let Some(star) = &a.star {
            args.extend(ops::iterate(&self.eval(frame, star)?)?);
        }
        if let Some(dstar) = &a.dstar {
            let v = self.eval(frame, dstar)?;
            let Value::Dict(d) = &v else {
                return Err(Error::type_error(format!("argument after ** must be a mapping, not {}", v.type_name())));
            };
            for (k, val) in d.items() {
                let Value::Str(k) = k else {
                    return Err(Error::type_error("keywords must be strings"));
                };
                kwargs.insert(k.to_string(), val);
            }
        }
        Ok((args, kwargs))
    }

    /// `callee(args)`, with `caller` added for `{% call %}` blocks.
    pub(crate) fn eval_call(&mut self, frame: &Rc<Frame>, callee: &Expr, a: &CallArgs, caller: Option<Value>) -> Result<Value, Error> {
        if let ExprKind::Attr(obj, name) = &callee.kind {
            let obj = self.eval(frame, obj)?;
            if let Value::Undefined(u) = &obj {
                return Err(u.error());
            }
            let (args, mut kwargs) = self.eval_args(frame, a)?;
            if let Some(c) = caller {
                kwargs.insert("caller".into(), c);
            }
            return self.call_method(&obj, name, args, kwargs);
        }
        let f = self.eval(frame, callee)?;
        if let Value::Undefined(u) = &f {
            return Err(u.error());
        }
        let (args, mut kwargs) = self.eval_args(frame, a)?;
        if let Some(c) = caller {
            kwargs.insert("caller".into(), c);
        }
        self.call_value(&f, args, kwargs)
    }

    /// `obj.name(args)`.
    pub(crate) fn call_method(&mut self, obj: &Value, name: &str, args: Vec<Value>, kwargs: Kwargs) -> Result<Value, Error> {
        if is_dunder(name) {
            return Err(Error::new(ErrorKind::Security, unsafe_message(obj, name)));
        }
        match obj {
            Value::Object(o) => {
                if let Some(r) = o.call_method(name, &args, &kwargs) {
                    return r;
                }
            }
            Value::Loop(l) if name == "cycle" => return l.cycle(&args),
            Value::Loop(l) if name == "changed" => return Ok(Value::Bool(l.changed(&args))),
            _ if methods::is_method(obj, name) => return methods::call(self, obj, name, args, kwargs),
            _ => {}
        }
        let f = self.get_attr(obj, name)?;
        self.call_value(&f, args, kwargs)
    }

    /// Calls any callable value.
    pub(crate) fn call_value(&mut self, f: &Value, args: Vec<Value>, kwargs: Kwargs) -> Result<Value, Error> {
        match f {
            Value::Function(func) => (func.func)(&args, &kwargs),
            Value::Macro(m) => {
                let m = m.clone();
                self.call_macro(&m, args, kwargs)
            }
            Value::Method(bm) => {
                let bm = bm.clone();
                methods::call(self, &bm.receiver, &bm.name, args, kwargs)
            }
            Value::Object(o) => o.call(&args, &kwargs),
            Value::Loop(l) => {
                let l = l.clone();
                self.call_loop(&l, args)
            }
            Value::Undefined(u) => Err(u.error()),
            other => Err(Error::type_error(format!("'{}' object is not callable", other.type_name()))),
        }
    }

    // -- filters and tests -------------------------------------------------

    pub(crate) fn apply_filter(&mut self, frame: &Rc<Frame>, f: &FilterCall, value: Value) -> Result<Value, Error> {
        let Some(func) = f.func else {
            return Err(Error::runtime(format!("No filter named {} found.", py_str_repr(&f.name))));
        };
        let (args, kwargs) = self.eval_args(frame, &f.args)?;
        self.run_filter(&f.name, func, value, &args, &kwargs)
    }

    /// Applies a resolved filter; StrictUndefined input fails except for the
    /// filters that accept it.
    pub(crate) fn run_filter(
        &mut self,
        name: &str,
        func: super::filters::FilterFn,
        value: Value,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        if let Value::Undefined(u) = &value {
            if u.kind != UndefinedKind::Lenient && !super::filters::accepts_undefined(name) {
                return Err(u.error());
            }
        }
        func(self, &value, args, kwargs)
    }

    /// Applies a filter given by name (for `map`).
    pub(crate) fn filter_by_name(&mut self, name: &str, value: Value, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        let Some(func) = super::filters::lookup(name) else {
            return Err(Error::runtime(format!("No filter named {}.", py_str_repr(name))));
        };
        self.run_filter(name, func, value, args, kwargs)
    }

    fn apply_test(&mut self, frame: &Rc<Frame>, t: &TestCall, value: &Value) -> Result<bool, Error> {
        let Some(func) = t.func else {
            return Err(Error::runtime(format!("No test named {} found.", py_str_repr(&t.name))));
        };
        let (args, kwargs) = self.eval_args(frame, &t.args)?;
        func(self, value, &args, &kwargs)
    }

    /// Applies a test given by name (for `select`/`reject`).
    pub(crate) fn test_by_name(&mut self, name: &str, value: &Value, args: &[Value], kwargs: &Kwargs) -> Result<bool, Error> {
        let Some(func) = super::testers::lookup(name) else {
            return Err(Error::runtime(format!("No test named {}.", py_str_repr(name))));
        };
        func(self, value, args, kwargs)
    }
}

fn index_of(key: &Value, len: usize) -> Option<usize> {
    match key {
        Value::Int(i) => py_index(*i, len),
        Value::Bool(b) => py_index(i64::from(*b), len),
        _ => None,
    }
}

fn slice_bound(v: Option<Value>) -> Result<Option<i64>, Error> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(i)),
        Some(Value::Bool(b)) => Ok(Some(i64::from(b))),
        Some(_) => Err(Error::type_error("slice indices must be integers or None or have an __index__ method")),
    }
}

/// The positions `seq[start:stop:step]` selects.
pub(crate) fn slice_positions(len: usize, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Result<Vec<usize>, Error> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(Error::type_error("slice step cannot be zero"));
    }
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let clamp = |v: i64, lo: i64, hi: i64| v.clamp(lo, hi);
    let norm = |v: i64| if v < 0 { v + n } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let a = start.map_or(0, |v| clamp(norm(v), 0, n));
        let b = stop.map_or(n, |v| clamp(norm(v), 0, n));
        let mut i = a;
        while i < b {
            out.push(usize::try_from(i).unwrap_or(0));
            i = i.saturating_add(step);
        }
    } else {
        let a = start.map_or(n - 1, |v| clamp(norm(v), -1, n - 1));
        let b = stop.map_or(-1, |v| clamp(norm(v), -1, n - 1));
        let mut i = a;
        while i > b {
            out.push(usize::try_from(i).unwrap_or(0));
            i = i.saturating_add(step);
        }
    }
    Ok(out)
}

fn slice_value(obj: &Value, start: Option<Value>, stop: Option<Value>, step: Option<Value>) -> Result<Value, Error> {
    let (a, b, c) = (slice_bound(start)?, slice_bound(stop)?, slice_bound(step)?);
    Ok(match obj {
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let picked: String = slice_positions(chars.len(), a, b, c)?.into_iter().map(|i| chars[i]).collect();
            Value::from(picked)
        }
        Value::List(l) => {
            let items = l.snapshot();
            Value::list(slice_positions(items.len(), a, b, c)?.into_iter().map(|i| items[i].clone()).collect())
        }
        Value::Tuple(t) => Value::tuple(slice_positions(t.len(), a, b, c)?.into_iter().map(|i| t[i].clone()).collect()),
        other => {
            let repr = |x: Option<i64>| x.map_or("None".to_string(), |v| v.to_string());
            Value::undefined(format!(
                "{} has no element slice({}, {}, {})",
                other.object_type_repr(),
                repr(a),
                repr(b),
                repr(c)
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_python() {
        assert_eq!(slice_positions(5, None, None, Some(-1)).unwrap(), vec![4, 3, 2, 1, 0]);
        assert_eq!(slice_positions(5, Some(-2), None, None).unwrap(), vec![3, 4]);
        assert_eq!(slice_positions(5, Some(1), Some(100), Some(2)).unwrap(), vec![1, 3]);
        assert_eq!(slice_positions(5, Some(3), Some(1), None).unwrap(), Vec::<usize>::new());
        assert!(slice_positions(5, None, None, Some(0)).is_err());
        assert_eq!(py_index(-1, 3), Some(2));
        assert_eq!(py_index(3, 3), None);
    }
}
