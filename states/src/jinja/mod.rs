//! brine's Jinja2 engine, configured as Salt configures Jinja2: sandboxed
//! (attributes like `__class__` are refused), StrictUndefined, autoescape off,
//! `trim_blocks`/`lstrip_blocks` off unless a `#jinja2:` header turns them on,
//! the `do` and `loopcontrols` extensions, Salt's filters, tests, `raise`
//! global and `load_*`/`import_*` tags, and Salt's output rules (dicts printed
//! as `PrintableDict`, the source's trailing newline kept).
//!
//! Values have Python semantics ([`Value`]): lists and dicts are shared and
//! mutable, so `{% do d.update({...}) %}` and `{% do l.append(x) %}` are seen
//! wherever the container is referenced (also across imports); str, list and
//! dict methods, `%`-formatting and `str.format` work as in Python.
//!
//! # API
//!
//! * [`Environment::new`]`(loader)`: `loader(name)` returns the source of a
//!   template by its name relative to the file root (`web/map.jinja`):
//!   `Ok(Some(text))`, `Ok(None)` when there is no such template, `Err(msg)`
//!   when reading failed (the loader may borrow: `Environment<'l>`). Names
//!   starting with `./` or `../` are resolved against the directory of the
//!   template that refers to them first. Parsed templates are cached per
//!   environment. Loading a template updates the `tplfile`/`tpldir`/`tpldot`
//!   globals (when the caller gave `tpldir`), as Salt's loader does.
//! * [`Environment::render`]`(name, source, globals)`: renders `source`
//!   (the template called `name`) with `globals` visible to it and to every
//!   template it includes or imports (with or without context). Like Salt's
//!   `render_jinja_tmpl`, the output ends with a newline iff `source` does.
//! * [`Value`]: `from_common` / `to_common` convert from/to
//!   `brine_common::Value`; [`Value::function`] wraps a native function
//!   `Fn(&[Value], &Kwargs) -> Result<Value, Error>`; [`Value::object`] wraps a
//!   host [`Object`] (attribute/item access, calls, method calls, iteration).
//!   [`Dict`] and [`List`] are the shared containers (`value::DictMap` is a
//!   dict's map).
//! * Nesting (statements, expressions, macro calls, includes) is bounded by
//!   a depth and a native-stack budget; past it rendering fails with
//!   "maximum recursion depth exceeded" instead of overflowing the stack.
//! * [`Error`]: [`ErrorKind`], 1-based `line()`, `template()` and `message()`
//!   in Jinja2's wording (`'x' is undefined`, `'dict object' has no attribute
//!   'y'`, `Unexpected end of template. ...`).
//!
//! ```
//! use brine_states::jinja::{Environment, Kwargs, Object, Value};
//! use indexmap::IndexMap;
//!
//! /// Salt's `salt` mapping: `salt['test.echo'](x)` and `salt.test.echo(x)`.
//! struct Salt;
//! impl Object for Salt {
//!     fn type_name(&self) -> &str { "dict" }
//!     fn get_item(&self, key: &Value) -> Option<Value> {
//!         (key.as_str()? == "test.echo").then(|| Value::function("test.echo", |a, _| Ok(a.first().cloned().unwrap_or_default())))
//!     }
//!     fn get_attr(&self, name: &str) -> Option<Value> {
//!         (name == "test").then(|| Value::object(TestModule))
//!     }
//! }
//! struct TestModule;
//! impl Object for TestModule {
//!     fn type_name(&self) -> &str { "function" }
//!     fn call_method(&self, name: &str, args: &[Value], _: &Kwargs) -> Option<Result<Value, brine_states::jinja::Error>> {
//!         (name == "echo").then(|| Ok(args.first().cloned().unwrap_or_default()))
//!     }
//! }
//!
//! let env = Environment::new(|name: &str| Ok((name == "m.jinja").then(|| "{% set x = {'a': 1} %}".to_string())));
//! let mut globals = IndexMap::new();
//! globals.insert("salt".to_string(), Value::object(Salt));
//! let src = "{% from 'm.jinja' import x %}{% do x.update(b=2) %}{{ salt['test.echo'](x) }} {{ salt.test.echo('hi') }}\n";
//! assert_eq!(env.render("top.sls", src, globals).unwrap(), "{'a': 1, 'b': 2} hi\n");
//! ```
//!
//! Module layout: `lexer` → `parser` (→ `ast`) → `eval`/`exec` (expressions /
//! statements), on `value`, `ops`, `repr`, `format`, `methods`; `filters`,
//! `testers`, `globals` are Jinja2's builtins, `salt`, `salt_net`, `serial`
//! Salt's additions; `loader` finds templates. This module only holds the
//! public entry points; it must not contain evaluation logic.

mod args;
mod ast;
mod error;
mod eval;
mod exec;
mod filters;
mod format;
mod globals;
mod lexer;
mod loader;
mod methods;
pub(crate) mod ops;
mod parser;
mod repr;
mod salt;
mod salt_net;
mod serial;
mod testers;
pub mod value;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use indexmap::IndexMap;

pub use error::{Error, ErrorKind};
pub use salt::slsutil_serialize;
pub use value::{Dict, Kwargs, List, Object, Value};

/// The source of templates: `Ok(Some(text))`, `Ok(None)` if missing, `Err` on failure.
pub type Loader<'l> = dyn Fn(&str) -> Result<Option<String>, String> + 'l;

/// A Jinja environment: the loader and the cache of parsed templates.
pub struct Environment<'l> {
    loader: Box<Loader<'l>>,
    cache: RefCell<HashMap<(String, lexer::LexOptions), Rc<ast::Template>>>,
}

impl<'l> Environment<'l> {
    pub fn new(loader: impl Fn(&str) -> Result<Option<String>, String> + 'l) -> Environment<'l> {
        Environment { loader: Box::new(loader), cache: RefCell::new(HashMap::new()) }
    }

    /// Renders `source`, the template called `name`, with `globals`.
    pub fn render(&self, name: &str, source: &str, globals: IndexMap<String, Value>) -> Result<String, Error> {
        let (opts, stripped) = loader::header_options(source);
        let text = stripped.as_deref().unwrap_or(source);
        let tpl = parser::parse(text, name, opts).map_err(|e| e.located(name, 0))?;
        let mut all = globals::builtins();
        all.extend(globals);
        let mut state = eval::State::new(self, opts, all, Rc::from(name));
        let shadow = eval::Frame::new(None);
        for key in ["tplfile", "tpldir", "tpldot"] {
            if let Some(v) = state.globals.get(key) {
                shadow.set(Rc::from(key), v.clone());
            }
        }
        let root = eval::Frame::new(Some(shadow));
        let mut out = String::new();
        let result = state.render_template(&tpl, &root, &mut out);
        for frame in state.macro_frames.drain(..) {
            frame.clear();
        }
        root.clear();
        result?;
        if source.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}
