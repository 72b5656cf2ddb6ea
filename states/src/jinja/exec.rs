//! Runs statements: output, if/for/set/with/do, macros and call blocks,
//! filter blocks, include/import/extends/blocks and Salt's `load_*` /
//! `import_*` tags, with Jinja2's scoping (a for loop's iterations and macros
//! get their own scope; top-level assignments are a template's exports).
//!
//! Errors get the template name and line of the innermost statement here.
//! It must not parse expressions nor know how values print beyond `repr`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use brine_common::value::py_str_repr;
use indexmap::IndexMap;

use super::ast::*;
use super::error::{Error, ErrorKind};
use super::eval::{Frame, LoopState, Macro, State};
use super::ops;
use super::repr::{output_str, py_str};
use super::serial;
use super::value::{Kwargs, Object, Value};

/// How a statement list ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
}

/// An imported template: its exported names and its rendered text.
struct Module {
    exports: IndexMap<Rc<str>, Value>,
    body: String,
}

impl Object for Module {
    fn type_name(&self) -> &str {
        "jinja2.environment.TemplateModule"
    }

    fn get_attr(&self, name: &str) -> Option<Value> {
        self.exports.get(name).cloned()
    }

    fn to_str(&self) -> String {
        self.body.clone()
    }
}

fn stmt_line(s: &Stmt) -> usize {
    match s {
        Stmt::Data(_) => 0,
        Stmt::Print(e) => e.line,
        Stmt::If { branches, .. } => branches.first().map_or(0, |b| b.2),
        Stmt::For(l) => l.line,
        Stmt::Macro(m) => m.line,
        Stmt::Block(b) => b.line,
        Stmt::Set { line, .. }
        | Stmt::SetBlock { line, .. }
        | Stmt::Do(_, line)
        | Stmt::With { line, .. }
        | Stmt::CallBlock { line, .. }
        | Stmt::FilterBlock { line, .. }
        | Stmt::Include { line, .. }
        | Stmt::Import { line, .. }
        | Stmt::FromImport { line, .. }
        | Stmt::Extends(_, line)
        | Stmt::Break(line)
        | Stmt::Continue(line)
        | Stmt::LoadData { line, .. }
        | Stmt::ImportData { line, .. } => *line,
    }
}

/// Every `{% block %}` of a body, nested ones included.
fn collect_blocks(body: &[Stmt], out: &mut Vec<Rc<BlockDef>>) {
    for s in body {
        match s {
            Stmt::Block(b) => {
                out.push(b.clone());
                collect_blocks(&b.body.body, out);
            }
            Stmt::If { branches, otherwise } => {
                branches.iter().for_each(|(_, b, _)| collect_blocks(b, out));
                collect_blocks(otherwise, out);
            }
            Stmt::For(l) => {
                collect_blocks(&l.body, out);
                collect_blocks(&l.otherwise, out);
            }
            Stmt::With { body, .. } => collect_blocks(body, out),
            _ => {}
        }
    }
}

fn template_not_found(names: &[String]) -> Error {
    let msg = match names {
        [one] => one.clone(),
        many => format!("none of the templates given were found: {}", many.join(", ")),
    };
    Error::new(ErrorKind::TemplateNotFound, msg)
}

impl State<'_> {
    /// Renders a template body in `frame` (its root scope).
    pub(crate) fn render_template(&mut self, tpl: &Template, frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        let saved = std::mem::replace(&mut self.template, tpl.name.clone());
        let mut own = Vec::new();
        collect_blocks(&tpl.body, &mut own);
        for b in own {
            self.blocks.entry(b.name.clone()).or_default().push((b, tpl.name.clone()));
        }
        let r = if tpl.extends { self.render_extending(tpl, frame, out) } else { self.exec_body(&tpl.body, frame, out).map(|_| ()) };
        self.template = saved;
        r
    }

    /// A template with `{% extends %}`: output stops at the extends tag and
    /// the parent renders with this template's blocks.
    fn render_extending(&mut self, tpl: &Template, frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        let mut parent: Option<Rc<Template>> = None;
        let mut sink = String::new();
        for stmt in &tpl.body {
            match stmt {
                Stmt::Extends(e, line) => {
                    if parent.is_some() {
                        return Err(Error::runtime("extended multiple times").located(&self.template, *line));
                    }
                    parent = Some(self.extends_target(frame, e).map_err(|err| err.located(&self.template, *line))?);
                }
                Stmt::Block(_) if parent.is_some() => {}
                other => {
                    let target = if parent.is_some() { &mut sink } else { &mut *out };
                    self.exec_stmt(other, frame, target)?;
                }
            }
        }
        match parent {
            Some(p) => self.render_template(&p, frame, out),
            None => Ok(()),
        }
    }

    fn extends_target(&mut self, frame: &Rc<Frame>, e: &Expr) -> Result<Rc<Template>, Error> {
        let name = py_str(&self.eval(frame, e)?)?;
        self.load_template(&name)?.ok_or_else(|| template_not_found(&[name]))
    }

    pub(crate) fn exec_body(&mut self, body: &[Stmt], frame: &Rc<Frame>, out: &mut String) -> Result<Flow, Error> {
        for s in body {
            let flow = self.exec_stmt(s, frame, out)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_stmt(&mut self, s: &Stmt, frame: &Rc<Frame>, out: &mut String) -> Result<Flow, Error> {
        self.nested(|st| st.exec_inner(s, frame, out)).map_err(|e| e.located(&self.template, stmt_line(s)))
    }

    /// Dispatches a statement (each kind in its own function keeps this
    /// frame small: every nesting level passes through it).
    fn exec_inner(&mut self, s: &Stmt, frame: &Rc<Frame>, out: &mut String) -> Result<Flow, Error> {
        let done = |r: Result<(), Error>| r.map(|_| Flow::Normal);
        match s {
            Stmt::Data(d) => {
                out.push_str(d);
                Ok(Flow::Normal)
            }
            Stmt::Print(e) => done(self.exec_print(e, frame, out)),
            Stmt::If { branches, otherwise } => self.exec_if(branches, otherwise, frame, out),
            Stmt::For(l) => done(self.exec_for(l, frame, out)),
            Stmt::Set { target, value, .. } => done(self.exec_set(target, value, frame)),
            Stmt::SetBlock { target, filters, body, .. } => done(self.exec_set_block(target, filters, body, frame)),
            Stmt::Do(e, _) => done(self.eval(frame, e).map(drop)),
            Stmt::With { assigns, body, .. } => self.exec_with(assigns, body, frame, out),
            Stmt::Macro(def) => {
                self.define_macro(def, frame);
                Ok(Flow::Normal)
            }
            Stmt::CallBlock { call, caller, .. } => done(self.exec_call_block(call, caller, frame, out)),
            Stmt::FilterBlock { filters, body, .. } => done(self.exec_filter_block(filters, body, frame, out)),
            Stmt::Include { template, ignore_missing, with_context, .. } => {
                done(self.include(frame, template, *ignore_missing, *with_context, out))
            }
            Stmt::Import { template, target, with_context, .. } => done(self.exec_import(template, target, *with_context, frame)),
            Stmt::FromImport { template, names, with_context, line } => {
                done(self.import_names(frame, template, names, *with_context, *line))
            }
            Stmt::Extends(..) => Err(Error::runtime("extends is only allowed at the top level")),
            Stmt::Block(b) => done(self.exec_block(b, frame, out)),
            Stmt::Break(_) => Ok(Flow::Break),
            Stmt::Continue(_) => Ok(Flow::Continue),
            Stmt::LoadData { format, target, body, .. } => done(self.exec_load_data(*format, target, body, frame)),
            Stmt::ImportData { format, template, target, with_context, .. } => {
                done(self.exec_import_data(*format, template, target, *with_context, frame))
            }
        }
    }

    fn exec_print(&mut self, e: &Expr, frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        match self.eval(frame, e)? {
            Value::Str(s) => out.push_str(&s),
            v => out.push_str(&output_str(&v)?),
        }
        Ok(())
    }

    fn exec_for(&mut self, l: &Rc<ForLoop>, frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        let iterable = self.eval(frame, &l.iter)?;
        self.run_loop(l, frame, iterable, 0, out)
    }

    fn exec_set(&mut self, target: &Target, value: &Expr, frame: &Rc<Frame>) -> Result<(), Error> {
        let v = self.eval(frame, value)?;
        self.assign(frame, target, v)
    }

    fn exec_set_block(&mut self, target: &Target, filters: &[FilterCall], body: &[Stmt], frame: &Rc<Frame>) -> Result<(), Error> {
        let v = self.render_filtered(frame, filters, body)?;
        self.assign(frame, target, v)
    }

    fn define_macro(&mut self, def: &Rc<MacroDef>, frame: &Rc<Frame>) {
        let m = Macro { def: def.clone(), closure: frame.clone(), template: self.template.clone() };
        frame.set(def.name.clone(), Value::Macro(Rc::new(m)));
        self.macro_frames.push(frame.clone());
    }

    fn exec_call_block(&mut self, call: &Expr, caller: &Rc<MacroDef>, frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        let ExprKind::Call(callee, args) = &call.kind else {
            return Err(Error::runtime("expected call"));
        };
        let m = Macro { def: caller.clone(), closure: frame.clone(), template: self.template.clone() };
        let v = self.eval_call(frame, callee, args, Some(Value::Macro(Rc::new(m))))?;
        out.push_str(&py_str(&v)?);
        Ok(())
    }

    fn exec_filter_block(&mut self, filters: &[FilterCall], body: &[Stmt], frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        let v = self.render_filtered(frame, filters, body)?;
        out.push_str(&py_str(&v)?);
        Ok(())
    }

    fn exec_import(&mut self, template: &Expr, target: &Rc<str>, with_context: bool, frame: &Rc<Frame>) -> Result<(), Error> {
        let spec = self.eval(frame, template)?;
        let module = self.import_module(&spec, with_context, frame)?;
        frame.set(target.clone(), module);
        Ok(())
    }

    fn exec_load_data(&mut self, format: DataFormat, target: &Target, body: &[Stmt], frame: &Rc<Frame>) -> Result<(), Error> {
        let text = self.render_scoped(frame, body)?;
        let v = serial::load_data(format, &text)?;
        self.assign(frame, target, v)
    }

    fn exec_import_data(
        &mut self,
        format: DataFormat,
        template: &Expr,
        target: &Rc<str>,
        with_context: bool,
        frame: &Rc<Frame>,
    ) -> Result<(), Error> {
        let spec = self.eval(frame, template)?;
        let module = self.import_module(&spec, with_context, frame)?;
        let v = serial::load_data(format, &py_str(&module)?)?;
        frame.set(target.clone(), v);
        Ok(())
    }

    fn exec_if(
        &mut self,
        branches: &[(Expr, Vec<Stmt>, usize)],
        otherwise: &[Stmt],
        frame: &Rc<Frame>,
        out: &mut String,
    ) -> Result<Flow, Error> {
        for (test, body, line) in branches {
            let v = self.eval(frame, test).map_err(|e| e.located(&self.template, *line))?;
            if ops::truthy(&v).map_err(|e| e.located(&self.template, *line))? {
                return self.exec_body(body, frame, out);
            }
        }
        self.exec_body(otherwise, frame, out)
    }

    fn exec_with(&mut self, assigns: &[(Target, Expr)], body: &[Stmt], frame: &Rc<Frame>, out: &mut String) -> Result<Flow, Error> {
        let values = assigns.iter().map(|(_, e)| self.eval(frame, e)).collect::<Result<Vec<_>, _>>()?;
        let inner = Frame::new(Some(frame.clone()));
        for ((target, _), v) in assigns.iter().zip(values) {
            self.assign(&inner, target, v)?;
        }
        self.exec_body(body, &inner, out)
    }

    /// Renders a body in its own scope and returns the text.
    fn render_scoped(&mut self, frame: &Rc<Frame>, body: &[Stmt]) -> Result<String, Error> {
        let inner = Frame::new(Some(frame.clone()));
        let mut text = String::new();
        self.exec_body(body, &inner, &mut text)?;
        Ok(text)
    }

    fn render_filtered(&mut self, frame: &Rc<Frame>, filters: &[FilterCall], body: &[Stmt]) -> Result<Value, Error> {
        let mut v = Value::from(self.render_scoped(frame, body)?);
        for f in filters {
            v = self.apply_filter(frame, f, v)?;
        }
        Ok(v)
    }

    /// Binds a `set`/`for`/`with` target.
    pub(crate) fn assign(&mut self, frame: &Rc<Frame>, target: &Target, value: Value) -> Result<(), Error> {
        match target {
            Target::Name(n) => frame.set(n.clone(), value),
            Target::Tuple(targets) => {
                let items = ops::iterate(&value).map_err(|e| match &value {
                    Value::Undefined(_) => e,
                    other => Error::type_error(format!("cannot unpack non-iterable {} object", other.type_name())),
                })?;
                if items.len() < targets.len() {
                    return Err(Error::type_error(format!(
                        "not enough values to unpack (expected {}, got {})",
                        targets.len(),
                        items.len()
                    )));
                }
                if items.len() > targets.len() {
                    return Err(Error::type_error(format!("too many values to unpack (expected {})", targets.len())));
                }
                for (t, v) in targets.iter().zip(items) {
                    self.assign(frame, t, v)?;
                }
            }
            Target::NsAttr(ns, attr) => match self.lookup(frame, ns) {
                Value::Namespace(n) => n.set(attr, value),
                Value::Undefined(u) => return Err(u.error()),
                _ => return Err(Error::runtime("cannot assign attribute on non-namespace object")),
            },
        }
        Ok(())
    }

    // -- loops -------------------------------------------------------------

    pub(crate) fn run_loop(&mut self, l: &Rc<ForLoop>, frame: &Rc<Frame>, iterable: Value, depth0: usize, out: &mut String) -> Result<(), Error> {
        let raw = ops::iterate(&iterable)?;
        let items = match &l.filter {
            Some(test) => self.filter_items(l, frame, raw, test)?,
            None => raw,
        };
        if items.is_empty() {
            let inner = Frame::new(Some(frame.clone()));
            self.exec_body(&l.otherwise, &inner, out)?;
            return Ok(());
        }
        let state = Rc::new(LoopState {
            index0: Cell::new(0),
            items,
            depth0,
            last_changed: RefCell::new(None),
            recurse: l.recursive.then(|| (l.clone(), frame.clone())),
        });
        for i in 0..state.items.len() {
            state.index0.set(i);
            let inner = Frame::new(Some(frame.clone()));
            self.assign(&inner, &l.target, state.items[i].clone())?;
            inner.set(Rc::from("loop"), Value::Loop(state.clone()));
            if self.exec_body(&l.body, &inner, out)? == Flow::Break {
                break;
            }
        }
        Ok(())
    }

    fn filter_items(&mut self, l: &ForLoop, frame: &Rc<Frame>, raw: Vec<Value>, test: &Expr) -> Result<Vec<Value>, Error> {
        let mut kept = Vec::new();
        for item in raw {
            let inner = Frame::new(Some(frame.clone()));
            self.assign(&inner, &l.target, item.clone())?;
            if ops::truthy(&self.eval(&inner, test)?)? {
                kept.push(item);
            }
        }
        Ok(kept)
    }

    /// `loop(children)` in a recursive loop.
    pub(crate) fn call_loop(&mut self, l: &LoopState, args: Vec<Value>) -> Result<Value, Error> {
        let Some((for_loop, frame)) = &l.recurse else {
            return Err(Error::type_error("The loop must have the 'recursive' marker to be called recursively."));
        };
        let [iterable] = <[Value; 1]>::try_from(args).map_err(|_| Error::type_error("loop() takes exactly one argument"))?;
        let (for_loop, frame, depth0) = (for_loop.clone(), frame.clone(), l.depth0 + 1);
        self.nested(|s| {
            let mut out = String::new();
            s.run_loop(&for_loop, &frame, iterable, depth0, &mut out)?;
            Ok(Value::from(out))
        })
    }

    // -- macros ------------------------------------------------------------

    pub(crate) fn call_macro(&mut self, m: &Macro, args: Vec<Value>, mut kwargs: Kwargs) -> Result<Value, Error> {
        let def = &m.def;
        let n = def.params.len();
        let mut args = args.into_iter();
        let positional: Vec<Value> = args.by_ref().take(n).collect();
        let extra: Vec<Value> = args.collect();
        let provided: Vec<Option<Value>> = def
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| positional.get(i).cloned().or_else(|| kwargs.shift_remove(&**p)))
            .collect();
        let frame = Frame::new(Some(m.closure.clone()));
        if def.uses_caller {
            let caller = kwargs.shift_remove("caller").unwrap_or_else(|| Value::undefined("No caller defined"));
            frame.set(Rc::from("caller"), caller);
        }
        self.bind_macro_extras(def, &frame, kwargs, extra)?;
        let saved = std::mem::replace(&mut self.template, m.template.clone());
        let r = self.nested(|s| {
            s.bind_macro_params(def, &frame, provided)?;
            let mut out = String::new();
            s.exec_body(&def.body, &frame, &mut out)?;
            Ok(Value::from(out))
        });
        self.template = saved;
        r
    }

    fn bind_macro_extras(&mut self, def: &MacroDef, frame: &Rc<Frame>, kwargs: Kwargs, extra: Vec<Value>) -> Result<(), Error> {
        let name = py_str_repr(&def.name);
        if def.catch_kwargs {
            let d = super::value::Dict::default();
            for (k, v) in kwargs {
                d.insert(Value::from(k), v)?;
            }
            frame.set(Rc::from("kwargs"), Value::Dict(d));
        } else if let Some(k) = kwargs.keys().next() {
            if k == "caller" {
                return Err(Error::type_error(format!(
                    "macro {name} was invoked with two values for the special caller argument. This is most likely a bug."
                )));
            }
            return Err(Error::type_error(format!("macro {name} takes no keyword argument {}", py_str_repr(k))));
        }
        if def.catch_varargs {
            frame.set(Rc::from("varargs"), Value::tuple(extra));
        } else if !extra.is_empty() {
            return Err(Error::type_error(format!("macro {name} takes not more than {} argument(s)", def.params.len())));
        }
        Ok(())
    }

    /// Binds parameters; defaults are evaluated in the macro's scope, so they
    /// may refer to earlier parameters.
    fn bind_macro_params(&mut self, def: &MacroDef, frame: &Rc<Frame>, provided: Vec<Option<Value>>) -> Result<(), Error> {
        let first_default = def.params.len() - def.defaults.len();
        for (i, (p, v)) in def.params.iter().zip(provided).enumerate() {
            let v = match v {
                Some(v) => v,
                None if i >= first_default => self.eval(frame, &def.defaults[i - first_default])?,
                None => Value::undefined(format!("parameter {} was not provided", py_str_repr(p))),
            };
            frame.set(p.clone(), v);
        }
        Ok(())
    }

    // -- templates ---------------------------------------------------------

    /// Runs the most derived version of a block; each version sees the next
    /// one as `super()`.
    fn exec_block(&mut self, b: &Rc<BlockDef>, frame: &Rc<Frame>, out: &mut String) -> Result<(), Error> {
        let chain = match self.blocks.get(&b.name) {
            Some(entries) if !entries.is_empty() => entries.clone(),
            _ => vec![(b.clone(), self.template.clone())],
        };
        let mut next_super: Option<Value> = None;
        let mut scopes = Vec::with_capacity(chain.len());
        for (def, template) in chain.iter().rev() {
            let scope = Frame::new(Some(frame.clone()));
            if let Some(s) = next_super.take() {
                scope.set(Rc::from("super"), s);
            }
            let m = Macro { def: def.body.clone(), closure: scope.clone(), template: template.clone() };
            next_super = Some(Value::Macro(Rc::new(m)));
            scopes.push(scope);
        }
        let (Some((first, template)), Some(scope)) = (chain.first(), scopes.pop()) else {
            return Ok(());
        };
        let saved = std::mem::replace(&mut self.template, template.clone());
        let r = self.exec_body(&first.body.body, &scope, out);
        self.template = saved;
        r.map(|_| ())
    }

    /// Runs `f` with an empty block table (includes and imports do not see
    /// the includer's block overrides).
    fn own_blocks<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        let saved = std::mem::take(&mut self.blocks);
        let r = f(self);
        self.blocks = saved;
        r
    }

    fn template_names(spec: &Value) -> Result<Vec<String>, Error> {
        match spec {
            Value::List(_) | Value::Tuple(_) => ops::iterate(spec)?.iter().map(py_str).collect(),
            other => Ok(vec![py_str(other)?]),
        }
    }

    fn include(&mut self, frame: &Rc<Frame>, template: &Expr, ignore_missing: bool, with_context: bool, out: &mut String) -> Result<(), Error> {
        let spec = self.eval(frame, template)?;
        let names = Self::template_names(&spec)?;
        let mut found = None;
        for name in &names {
            if let Some(t) = self.load_template(name)? {
                found = Some(t);
                break;
            }
        }
        let Some(tpl) = found else {
            return if ignore_missing { Ok(()) } else { Err(template_not_found(&names)) };
        };
        let root = Frame::new(with_context.then(|| frame.clone()));
        self.nested(|s| s.own_blocks(|s| s.render_template(&tpl, &root, out)))
    }

    /// `{% import %}`: renders the template once (cached when imported
    /// without context) and returns it as a module object.
    pub(crate) fn import_module(&mut self, spec: &Value, with_context: bool, frame: &Rc<Frame>) -> Result<Value, Error> {
        let name = py_str(spec)?;
        let key = self.resolve_name(&name)?;
        if !with_context {
            if let Some(m) = self.modules.get(&key) {
                return Ok(m.clone());
            }
        }
        let tpl = self.load_template(&name)?.ok_or_else(|| template_not_found(&[name]))?;
        let root = Frame::new(with_context.then(|| frame.clone()));
        let mut body = String::new();
        self.nested(|s| s.own_blocks(|s| s.render_template(&tpl, &root, &mut body)))?;
        self.macro_frames.push(root.clone());
        let exports = root.own_vars().into_iter().filter(|(k, _)| !k.starts_with('_')).collect();
        let module = Value::object(Module { exports, body });
        if !with_context {
            self.modules.insert(key, module.clone());
        }
        Ok(module)
    }

    fn import_names(
        &mut self,
        frame: &Rc<Frame>,
        template: &Expr,
        names: &[(Rc<str>, Rc<str>)],
        with_context: bool,
        line: usize,
    ) -> Result<(), Error> {
        let spec = self.eval(frame, template)?;
        let module = self.import_module(&spec, with_context, frame)?;
        let Value::Object(m) = &module else {
            return Err(Error::runtime("import did not produce a module"));
        };
        let tname = py_str(&spec)?;
        for (name, alias) in names {
            let v = m.get_attr(name).unwrap_or_else(|| {
                Value::undefined(format!(
                    "the template {} (imported on line {line}) does not export the requested name {}",
                    py_str_repr(&tname),
                    py_str_repr(name)
                ))
            });
            frame.set(alias.clone(), v);
        }
        Ok(())
    }
}
