//! The `salt` mapping templates see, and the context-bound functions
//! `salt-call` answers itself.
//!
//! `salt['grains.get']('ip_interfaces:eth0')` and `salt.grains.get(...)` both
//! work. Functions that need the minion's grains, pillar or options
//! (`grains.*`, `pillar.*`, `config.*`) and Salt's data helpers
//! (`defaults.merge`, `slsutil.merge`, ...) are written here on the template
//! engine's values, so that `defaults.merge` and `slsutil.update` mutate in
//! place as in Salt. Functions that need the master (`mine.get`) are answered
//! by a [`Hook`] the minion daemon installs. Every other name goes to the
//! execution module registry.
//!
//! It must not run states, nor reach the network itself.

use std::cell::RefCell;
use std::rc::Rc;

use brine_common::{Map, Value as C};

use crate::jinja::{self, Error, Kwargs, Value};

mod config;
use config::{config_get, config_option};

/// The data the functions read: options, grains, pillar.
#[derive(Default)]
struct Ctx {
    opts: C,
    grains: C,
    pillar: C,
}

/// Functions answered outside this crate (by the minion daemon, through its
/// master): `Some` for a name it answers, `None` for any other.
pub type Hook = Rc<dyn Fn(&str, &[C], &Map) -> Option<Result<C, String>>>;

/// The names a [`Hook`] answers.
pub const HOOKED: &[&str] = &["mine.get"];

/// The `salt` mapping of one minion.
#[derive(Clone)]
pub struct SaltFns {
    ctx: Rc<RefCell<Ctx>>,
    hook: Option<Hook>,
    /// The retcode the last execution module call set (Salt's `__context__["retcode"]`).
    retcode: Rc<std::cell::Cell<i64>>,
    /// Whether execution modules answer (`false`: only this module's table and the hook).
    modules: bool,
}

type Native = fn(&Ctx, &[Value], &Kwargs) -> Result<Value, Error>;

/// Every function answered here, by its Salt name.
const TABLE: &[(&str, Native)] = &[
    ("grains.get", grains_get),
    ("grains.item", grains_item),
    ("grains.items", grains_items),
    ("grains.ls", grains_ls),
    ("grains.has_value", grains_has_value),
    ("grains.filter_by", grains_filter_by),
    ("pillar.get", pillar_get),
    ("pillar.item", pillar_item),
    ("pillar.items", pillar_items),
    ("pillar.raw", pillar_items),
    ("pillar.keys", pillar_keys),
    ("pillar.filter_by", pillar_filter_by),
    ("config.get", config_get),
    ("config.option", config_option),
    ("defaults.merge", defaults_merge),
    ("defaults.deepcopy", defaults_deepcopy),
    ("defaults.update", defaults_update),
    ("slsutil.merge", slsutil_merge),
    ("slsutil.merge_all", slsutil_merge_all),
    ("slsutil.update", slsutil_update),
    ("slsutil.serialize", slsutil_serialize),
];

impl SaltFns {
    pub fn new(opts: Map, grains: Map, pillar: Map) -> SaltFns {
        let ctx = Ctx { opts: C::Map(opts), grains: C::Map(grains), pillar: C::Map(pillar) };
        SaltFns { ctx: Rc::new(RefCell::new(ctx)), hook: None, retcode: Rc::default(), modules: true }
    }

    /// The same mapping without execution modules: only the grains, pillar,
    /// config, defaults and slsutil functions of this module (and the hook)
    /// answer, so rendering a template cannot change the system. For
    /// rendering untrusted text, as the fuzz tests do.
    pub fn without_modules(mut self) -> SaltFns {
        self.modules = false;
        self
    }

    /// Answer the [`HOOKED`] names with `hook`.
    pub fn set_hook(&mut self, hook: Hook) {
        self.hook = Some(hook);
    }

    fn knows(&self, name: &str) -> bool {
        let own = if self.modules { SaltFns::has(name) } else { TABLE.iter().any(|(n, _)| *n == name) };
        own || (self.hook.is_some() && HOOKED.contains(&name))
    }

    /// Whether some function of module `module` answers (`salt.module`).
    fn has_module(&self, module: &str) -> bool {
        let in_module = |full: &str| full.split_once('.').is_some_and(|(m, _)| m == module);
        TABLE.iter().any(|(n, _)| in_module(n))
            || (self.modules && brine_modules::MODULES.iter().any(|m| m.name == module))
            || (self.hook.is_some() && HOOKED.iter().any(|n| in_module(n)))
    }

    /// Replace the pillar the functions see (after it has been compiled).
    pub fn set_pillar(&mut self, pillar: Map) {
        self.ctx.borrow_mut().pillar = C::Map(pillar);
    }

    /// The template value of `salt`.
    pub fn value(&self) -> Value {
        Value::object(SaltObject { fns: self.clone(), prefix: None })
    }

    /// Whether `name` is a function this mapping knows.
    pub fn has(name: &str) -> bool {
        TABLE.iter().any(|(n, _)| *n == name) || brine_modules::exists(name)
    }

    fn function(&self, name: &str) -> Option<Value> {
        if !self.knows(name) {
            return None;
        }
        let me = self.clone();
        let fname = name.to_string();
        Some(Value::function(name, move |args, kwargs| me.call_jinja(&fname, args, kwargs)))
    }

    fn call_jinja(&self, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        if let Some((_, f)) = TABLE.iter().find(|(n, _)| *n == name) {
            return f(&self.ctx.borrow(), args, kwargs);
        }
        if let Some(v) = self.call_hook(name, args, kwargs) {
            return v;
        }
        if !self.modules {
            return Err(Error::new(jinja::ErrorKind::Host, format!("'{name}' is not available.")));
        }
        let cargs: Vec<C> = args.iter().map(Value::to_common).collect::<Result<_, _>>()?;
        let mut ckw = Map::default();
        for (k, v) in kwargs {
            ckw.insert(k.clone(), v.to_common()?);
        }
        let ctx = self.ctx.borrow();
        let map = |v: &C| v.as_map().cloned().unwrap_or_default();
        let (opts, grains, pillar) = (map(&ctx.opts), map(&ctx.grains), map(&ctx.pillar));
        let runner = brine_modules::SystemRunner;
        let mctx = brine_modules::Ctx::new(&opts, &grains, &pillar, &runner);
        let out = brine_modules::call(name, &cargs, &ckw, &mctx);
        self.retcode.set(mctx.retcode.get());
        out.map(|v| Value::from_common(&v))
            .map_err(|e| Error::new(jinja::ErrorKind::Host, e.to_string()))
    }

    fn call_hook(&self, name: &str, args: &[Value], kwargs: &Kwargs) -> Option<Result<Value, Error>> {
        let hook = self.hook.as_ref().filter(|_| HOOKED.contains(&name))?;
        let common = || -> Result<(Vec<C>, Map), Error> {
            let cargs = args.iter().map(Value::to_common).collect::<Result<_, _>>()?;
            let ckw = kwargs.iter().filter(|(k, _)| !k.starts_with("__")).map(|(k, v)| Ok((k.clone(), v.to_common()?))).collect::<Result<_, Error>>()?;
            Ok((cargs, ckw))
        };
        let (cargs, ckw) = match common() {
            Ok(c) => c,
            Err(e) => return Some(Err(e)),
        };
        let out = hook(name, &cargs, &ckw)?;
        Some(out.map(|v| Value::from_common(&v)).map_err(|e| Error::new(jinja::ErrorKind::Host, e)))
    }

    /// The retcode the last execution module call set: `salt-call` and job
    /// returns report it (a failed `cmd.run` exits 1, as in Salt).
    pub fn last_retcode(&self) -> i64 {
        self.retcode.get()
    }

    /// Call a function with plain values (for `salt-call`).
    pub fn call(&self, name: &str, args: &[C], kwargs: &Map) -> Result<C, String> {
        self.retcode.set(0);
        if !self.knows(name) {
            return Err(format!("'{name}' is not available."));
        }
        let jargs: Vec<Value> = args.iter().map(Value::from_common).collect();
        let mut jkw: Kwargs = kwargs
            .iter()
            .filter(|(k, _)| !k.starts_with("__") && k.as_str() != "pillar")
            .map(|(k, v)| (k.clone(), Value::from_common(v)))
            .collect();
        if !TABLE.iter().any(|(n, _)| *n == name) {
            // A call from the command line: Salt marks it with the publication's
            // jid, which (for cmd.*) makes python_shell default to True.
            jkw.insert("__pub_jid".into(), Value::str("local"));
        }
        self.call_jinja(name, &jargs, &jkw).and_then(|v| v.to_common()).map_err(|e| e.message().to_string())
    }
}

/// `salt` itself and its `salt.grains`-style namespaces.
struct SaltObject {
    fns: SaltFns,
    prefix: Option<String>,
}

impl jinja::Object for SaltObject {
    fn type_name(&self) -> &str {
        "LazyLoader"
    }

    fn get_item(&self, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        match &self.prefix {
            None => self.fns.function(name),
            Some(p) => self.fns.function(&format!("{p}.{name}")),
        }
    }

    /// `salt.mod` is the namespace of a loaded module; any other name
    /// (`salt['status.time']` of a missing function falls back to it, as in
    /// Jinja) is undefined, as Salt's loader raises `AttributeError`.
    fn get_attr(&self, name: &str) -> Option<Value> {
        match &self.prefix {
            None if self.fns.has_module(name) => {
                Some(Value::object(SaltObject { fns: self.fns.clone(), prefix: Some(name.to_string()) }))
            }
            None => None,
            Some(p) => self.fns.function(&format!("{p}.{name}")),
        }
    }
}

// ---- argument helpers ------------------------------------------------------

/// Positional-or-keyword argument `i` named `name`.
fn arg<'a>(args: &'a [Value], kwargs: &'a Kwargs, i: usize, name: &str) -> Option<&'a Value> {
    args.get(i).or_else(|| kwargs.get(name))
}

fn arg_str(args: &[Value], kwargs: &Kwargs, i: usize, name: &str, default: &str) -> String {
    match arg(args, kwargs, i, name) {
        Some(Value::Str(s)) => s.to_string(),
        Some(Value::None) | None => default.to_string(),
        Some(other) => other.to_common().map(|c| c.py_str()).unwrap_or_default(),
    }
}

fn truthy(v: Option<&Value>) -> bool {
    v.and_then(|v| v.to_common().ok()).is_some_and(|c| c.truthy())
}

fn type_error(msg: impl Into<String>) -> Error {
    Error::type_error(msg)
}

// ---- grains / pillar / config ---------------------------------------------

/// `traverse_dict_and_list` with a default.
fn traverse(data: &C, key: &str, delimiter: &str) -> Option<Value> {
    data.traverse(key, delimiter).map(Value::from_common)
}

fn getter(data: &C, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let key = arg_str(args, kwargs, 0, "key", "");
    let default = arg(args, kwargs, 1, "default").cloned().unwrap_or_else(|| Value::str(""));
    let delimiter = arg_str(args, kwargs, 2, "delimiter", ":");
    Ok(traverse(data, &key, &delimiter).unwrap_or(default))
}

fn grains_get(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    getter(&ctx.grains, args, kwargs)
}

/// `pillar.get(key, default='', merge=False, merge_nested_lists=None, delimiter=':')`:
/// with `merge`, a dict (or list) default is deep-copied and the pillar value
/// merged into it, as Salt's; a value of another type skips the merge.
fn pillar_get(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let key = arg_str(args, kwargs, 0, "key", "");
    let default = arg(args, kwargs, 1, "default").cloned().unwrap_or_else(|| Value::str(""));
    let merge = truthy(arg(args, kwargs, 2, "merge"));
    let delimiter = arg_str(args, kwargs, 4, "delimiter", ":");
    let found = traverse(&ctx.pillar, &key, &delimiter);
    if !merge {
        return Ok(found.unwrap_or(default));
    }
    let merge_lists = match arg(args, kwargs, 3, "merge_nested_lists") {
        Some(Value::None) | None => ctx.opts.as_map().and_then(|o| o.get("pillar_merge_lists")).is_some_and(C::truthy),
        v => truthy(v),
    };
    match (&default, found) {
        (Value::Dict(_), Some(Value::Dict(upd))) => {
            let Value::Dict(merged) = deepcopy(&default) else { return Err(type_error("deepcopy of a dict is a dict")) };
            update(&merged, &upd, true, merge_lists)?;
            Ok(Value::Dict(merged))
        }
        (Value::Dict(_), None) => Ok(default),
        (Value::List(d), Some(Value::List(upd))) => {
            let mut merged: Vec<Value> = d.snapshot().iter().map(deepcopy).collect();
            for x in upd.snapshot() {
                if !merged.iter().any(|m| jinja::ops::py_eq(m, &x)) {
                    merged.push(x);
                }
            }
            Ok(Value::list(merged))
        }
        (_, found) => Ok(found.unwrap_or(default)),
    }
}

fn items_of(data: &C, args: &[Value]) -> Value {
    let mut out = jinja::value::DictMap::new();
    for a in args {
        if let Some(k) = a.as_str() {
            if let Some(v) = traverse(data, k, ":") {
                out.insert(Value::str(k), v);
            }
        }
    }
    Value::dict(out)
}

fn grains_item(ctx: &Ctx, args: &[Value], _: &Kwargs) -> Result<Value, Error> {
    Ok(items_of(&ctx.grains, args))
}

fn pillar_item(ctx: &Ctx, args: &[Value], _: &Kwargs) -> Result<Value, Error> {
    Ok(items_of(&ctx.pillar, args))
}

fn grains_items(ctx: &Ctx, _: &[Value], _: &Kwargs) -> Result<Value, Error> {
    Ok(Value::from_common(&ctx.grains))
}

fn pillar_items(ctx: &Ctx, _: &[Value], _: &Kwargs) -> Result<Value, Error> {
    Ok(Value::from_common(&ctx.pillar))
}

fn grains_ls(ctx: &Ctx, _: &[Value], _: &Kwargs) -> Result<Value, Error> {
    let mut keys: Vec<String> = ctx.grains.as_map().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    Ok(Value::list(keys.iter().map(|k| Value::str(k)).collect()))
}

fn pillar_keys(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let key = arg_str(args, kwargs, 0, "key", "");
    match ctx.pillar.traverse(&key, ":") {
        Some(C::Map(m)) => Ok(Value::list(m.keys().map(|k| Value::str(k)).collect())),
        _ => Err(Error::new(jinja::ErrorKind::Host, format!("Pillar key not found: {key}"))),
    }
}

fn grains_has_value(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let key = arg_str(args, kwargs, 0, "key", "");
    Ok(Value::Bool(ctx.grains.traverse(&key, ":").is_some_and(C::truthy)))
}

/// Salt's `salt.utils.data.filter_by`.
fn filter_by(lookup: &Value, vals: Option<C>, merge: Option<&Value>, default: &Value, base: Option<&str>) -> Result<Value, Error> {
    let Value::Dict(table) = lookup else { return Err(type_error("filter_by lookup_dict must be a dictionary")) };
    let vals = match vals {
        Some(C::List(l)) => l,
        Some(v) => vec![v],
        None => vec![C::List(Vec::new())],
    };
    let mut ret: Option<Value> = None;
    'outer: for each in vals {
        let each = each.py_str();
        for (k, v) in table.items() {
            let key = k.as_str().map(str::to_string).unwrap_or_else(|| k.to_common().map(|c| c.py_str()).unwrap_or_default());
            if brine_common::matcher::fnmatch(&each, &key) {
                ret = Some(v);
                break 'outer;
            }
        }
    }
    if ret.as_ref().is_none_or(|v| matches!(v, Value::None)) {
        // `lookup_dict.get(default)`: an int default finds an int key.
        ret = table.get(default);
    }
    if let Some(base) = base.and_then(|b| table.get_str(b)) {
        ret = match ret {
            None | Some(Value::None) => Some(base),
            Some(Value::Dict(r)) => match deepcopy(&base) {
                Value::Dict(b) => {
                    update(&b, &r, true, false)?;
                    Some(Value::Dict(b))
                }
                _ => Some(Value::Dict(r)),
            },
            Some(_) if matches!(base, Value::Dict(_)) => {
                return Err(type_error("filter_by default and look-up values must both be dictionaries."))
            }
            other => other,
        };
    }
    // `if merge:`: an empty merge (`pillar.get`'s default `''`) is no merge.
    if let Some(m) = merge.filter(|m| truthy(Some(m))) {
        let Value::Dict(md) = m else { return Err(type_error("filter_by merge argument must be a dictionary.")) };
        ret = match ret {
            None | Some(Value::None) => Some(m.clone()),
            Some(Value::Dict(r)) => {
                if let Value::Dict(copy) = deepcopy(&Value::Dict(md.clone())) {
                    update(&r, &copy, true, false)?;
                }
                Some(Value::Dict(r))
            }
            other => other,
        };
    }
    Ok(ret.unwrap_or(Value::None))
}

fn filter_by_args(data: &C, default_key: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let lookup = arg(args, kwargs, 0, "lookup_dict").cloned().unwrap_or(Value::None);
    let key = arg_str(args, kwargs, 1, if default_key == "os_family" { "grain" } else { "pillar" }, default_key);
    let merge = arg(args, kwargs, 2, "merge");
    let default = arg(args, kwargs, 3, "default").cloned().unwrap_or_else(|| Value::str("default"));
    let base = arg(args, kwargs, 4, "base").and_then(Value::as_str).map(str::to_string);
    filter_by(&lookup, data.traverse(&key, ":").cloned(), merge, &default, base.as_deref())
}

fn grains_filter_by(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    filter_by_args(&ctx.grains, "os_family", args, kwargs)
}

fn pillar_filter_by(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    filter_by_args(&ctx.pillar, "", args, kwargs)
}

// ---- dict merging -----------------------------------------------------------

/// Python's `copy.deepcopy` for template data.
pub fn deepcopy(v: &Value) -> Value {
    match v {
        Value::List(l) => Value::list(l.snapshot().iter().map(deepcopy).collect()),
        Value::Dict(d) => Value::dict(d.items().into_iter().map(|(k, x)| (k, deepcopy(&x))).collect()),
        other => other.clone(),
    }
}

/// Salt's `dictupdate.update(dest, upd, recursive_update, merge_lists)`, in place.
pub fn update(dest: &jinja::value::Dict, upd: &jinja::value::Dict, recursive: bool, merge_lists: bool) -> Result<(), Error> {
    let upd_items = upd.items();
    let overlap = upd_items.iter().any(|(k, _)| dest.get(k).is_some());
    for (k, val) in upd_items {
        let new = match (recursive && overlap, dest.get(&k), &val) {
            (true, Some(Value::Dict(d)), Value::Dict(u)) => {
                update(&d, u, true, merge_lists)?;
                Value::Dict(d)
            }
            (true, Some(Value::List(d)), Value::List(u)) if merge_lists => {
                // `merged.extend([x for x in val if x not in merged])`: the
                // test sees `merged` before the extension.
                let mut merged: Vec<Value> = d.snapshot().iter().map(deepcopy).collect();
                let new: Vec<Value> = u.snapshot().into_iter().filter(|x| !merged.iter().any(|m| jinja::ops::py_eq(m, x))).collect();
                merged.extend(new);
                Value::list(merged)
            }
            _ => val.clone(),
        };
        dest.insert(k, new)?;
    }
    Ok(())
}

fn two_dicts(args: &[Value], kwargs: &Kwargs, a: &str, b: &str) -> Result<(jinja::value::Dict, jinja::value::Dict), Error> {
    match (arg(args, kwargs, 0, a), arg(args, kwargs, 1, b)) {
        (Some(Value::Dict(x)), Some(Value::Dict(y))) => Ok((x.clone(), y.clone())),
        _ => Err(type_error("Cannot update using non-dict types in dictupdate.update()")),
    }
}

fn defaults_merge(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let (dest, upd) = two_dicts(args, kwargs, "dest", "src")?;
    let recursive = arg(args, kwargs, 2, "recursive_update").is_none_or(|v| truthy(Some(v)));
    let merge_lists = truthy(arg(args, kwargs, 3, "merge_lists"));
    let in_place = arg(args, kwargs, 4, "in_place").is_none_or(|v| truthy(Some(v)));
    let dest = if in_place {
        dest
    } else {
        match deepcopy(&Value::Dict(dest)) {
            Value::Dict(d) => d,
            _ => return Err(type_error("deepcopy of a dict is a dict")),
        }
    };
    update(&dest, &upd, recursive, merge_lists)?;
    Ok(Value::Dict(dest))
}

fn defaults_deepcopy(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    Ok(arg(args, kwargs, 0, "source").map(deepcopy).unwrap_or(Value::None))
}

/// `defaults.update(dest, defaults)`: fill `dest` with defaults it lacks (recursively).
fn defaults_update(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let (dest, defaults) = two_dicts(args, kwargs, "dest", "defaults")?;
    let merged = match deepcopy(&Value::Dict(defaults)) {
        Value::Dict(d) => d,
        _ => return Err(type_error("deepcopy of a dict is a dict")),
    };
    update(&merged, &dest, true, true)?;
    for (k, v) in merged.items() {
        dest.insert(k, v)?;
    }
    Ok(Value::Dict(dest))
}

fn slsutil_merge(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let (a, b) = two_dicts(args, kwargs, "obj_a", "obj_b")?;
    let strategy = arg_str(args, kwargs, 2, "strategy", "smart");
    let renderer = arg_str(args, kwargs, 3, "renderer", "yaml");
    let merge_lists = truthy(arg(args, kwargs, 4, "merge_lists"));
    dict_merge(&a, &b, &strategy, &renderer, merge_lists).map(Value::Dict)
}

/// `slsutil.merge_all(lst, strategy, renderer, merge_lists)`: each dict
/// merged in turn into `{}`.
fn slsutil_merge_all(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let Some(Value::List(list)) = arg(args, kwargs, 0, "lst") else { return Err(type_error("merge_all needs a list")) };
    let strategy = arg_str(args, kwargs, 1, "strategy", "smart");
    let renderer = arg_str(args, kwargs, 2, "renderer", "yaml");
    let merge_lists = truthy(arg(args, kwargs, 3, "merge_lists"));
    let mut out = jinja::value::Dict::new(Default::default());
    for item in list.snapshot() {
        let Value::Dict(d) = item else { return Err(type_error("Cannot update using non-dict types in dictupdate.update()")) };
        out = dict_merge(&out, &d, &strategy, &renderer, merge_lists)?;
    }
    Ok(Value::Dict(out))
}

/// `slsutil.serialize(serializer, obj, **kwargs)`.
fn slsutil_serialize(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let serializer = arg_str(args, kwargs, 0, "serializer", "");
    let obj = arg(args, kwargs, 1, "obj").ok_or_else(|| type_error("serialize() missing 1 required positional argument: 'obj'"))?;
    let rest: Kwargs = kwargs.iter().filter(|(k, _)| k.as_str() != "serializer" && k.as_str() != "obj").map(|(k, v)| (k.clone(), v.clone())).collect();
    jinja::slsutil_serialize(&serializer, obj, &rest).map(|s| Value::str(&s))
}

/// Salt's `dictupdate.merge(obj_a, obj_b, strategy, renderer, merge_lists)`.
/// As in Salt, `recurse` works on a shallow copy of `obj_a` (its nested
/// dicts are updated in place) and `overwrite` first sets `obj_b`'s values
/// on `obj_a` itself.
pub fn dict_merge(a: &jinja::value::Dict, b: &jinja::value::Dict, strategy: &str, renderer: &str, merge_lists: bool) -> Result<jinja::value::Dict, Error> {
    let last = renderer.rsplit('|').next().unwrap_or("");
    let yamlex = last == "yamlex" || renderer.starts_with("yamlex_");
    match strategy {
        "smart" if yamlex => merge_recurse(a, b, merge_lists),
        "list" => merge_list(a, b),
        "overwrite" => {
            for (k, v) in b.items() {
                if a.get(&k).is_some() {
                    a.insert(k, v)?;
                }
            }
            merge_recurse(a, b, merge_lists)
        }
        "none" => merge_recurse(a, b, false),
        _ => merge_recurse(a, b, merge_lists),
    }
}

/// `merge_recurse`: `update(copy(obj_a), obj_b, merge_lists=...)`.
fn merge_recurse(a: &jinja::value::Dict, b: &jinja::value::Dict, merge_lists: bool) -> Result<jinja::value::Dict, Error> {
    let copied = jinja::value::Dict::new(Default::default());
    for (k, v) in a.items() {
        copied.insert(k, v)?;
    }
    update(&copied, b, true, merge_lists)?;
    Ok(copied)
}

/// `merge_list`: a key of both becomes `[a_value, b_value]`; keys only in
/// `obj_b` are dropped.
fn merge_list(a: &jinja::value::Dict, b: &jinja::value::Dict) -> Result<jinja::value::Dict, Error> {
    let out = jinja::value::Dict::new(Default::default());
    for (k, v) in a.items() {
        let val = match b.get(&k) {
            Some(other) => Value::list(vec![v, other]),
            None => v,
        };
        out.insert(k, val)?;
    }
    Ok(out)
}

fn slsutil_update(_: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let (dest, upd) = two_dicts(args, kwargs, "dest", "upd")?;
    let recursive = arg(args, kwargs, 2, "recursive_update").is_none_or(|v| truthy(Some(v)));
    let merge_lists = truthy(arg(args, kwargs, 3, "merge_lists"));
    update(&dest, &upd, recursive, merge_lists)?;
    Ok(Value::Dict(dest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_modules_only_the_table_answers() {
        let mut grains = Map::default();
        grains.insert("os".into(), C::str("Debian"));
        let fns = SaltFns::new(Map::default(), grains, Map::default()).without_modules();
        assert_eq!(fns.call("grains.get", &[C::str("os")], &Map::default()), Ok(C::str("Debian")));
        for name in ["cmd.run", "file.remove", "test.ping"] {
            assert_eq!(fns.call(name, &[C::str("true")], &Map::default()), Err(format!("'{name}' is not available.")));
        }
        let full = SaltFns::new(Map::default(), Map::default(), Map::default());
        assert_eq!(full.call("test.ping", &[], &Map::default()), Ok(C::Bool(true)));
    }

    fn json(text: &str) -> C {
        C::from_json(&serde_json::from_str(text).expect("json"))
    }

    #[test]
    fn filter_by_ignores_an_empty_merge() {
        let mut grains = Map::default();
        grains.insert("os_family".into(), C::str("Debian"));
        let fns = SaltFns::new(Map::default(), grains, Map::default());
        let table = json(r#"{"Debian": {"a": 1}}"#);
        let got = fns.call("grains.filter_by", &[table.clone()], &Map::from_iter([("merge".to_string(), C::str(""))]));
        assert_eq!(got, Ok(json(r#"{"a": 1}"#)));
        let got = fns.call("grains.filter_by", &[table], &Map::from_iter([("merge".to_string(), C::str("x"))]));
        assert_eq!(got, Err("filter_by merge argument must be a dictionary.".to_string()));
    }

    #[test]
    fn slsutil_merge_strategies_follow_dictupdate() {
        let fns = SaltFns::new(Map::default(), Map::default(), Map::default());
        let (a, b) = (json(r#"{"x": {"p": 1}, "l": [1], "k": 1}"#), json(r#"{"x": {"q": 2}, "l": [2, 2], "n": 3}"#));
        let merge = |strategy: &str, lists: bool| {
            let kw = Map::from_iter([("strategy".to_string(), C::str(strategy)), ("merge_lists".to_string(), C::Bool(lists))]);
            fns.call("slsutil.merge", &[a.clone(), b.clone()], &kw).expect("merge")
        };
        assert_eq!(merge("smart", false), json(r#"{"x": {"p": 1, "q": 2}, "l": [2, 2], "k": 1, "n": 3}"#));
        assert_eq!(merge("recurse", true), json(r#"{"x": {"p": 1, "q": 2}, "l": [1, 2, 2], "k": 1, "n": 3}"#));
        assert_eq!(merge("overwrite", false), json(r#"{"x": {"q": 2}, "l": [2, 2], "k": 1, "n": 3}"#));
        assert_eq!(merge("none", true), json(r#"{"x": {"p": 1, "q": 2}, "l": [2, 2], "k": 1, "n": 3}"#));
        assert_eq!(merge("list", false), json(r#"{"x": [{"p": 1}, {"q": 2}], "l": [[1], [2, 2]], "k": 1}"#));
        let all = fns.call("slsutil.merge_all", &[C::List(vec![a.clone(), b.clone()])], &Map::from_iter([("strategy".to_string(), C::str("overwrite"))]));
        assert_eq!(all, Ok(json(r#"{"x": {"q": 2}, "l": [2, 2], "k": 1, "n": 3}"#)));
    }

    #[test]
    fn slsutil_serialize_yaml_and_json_as_salts_serializers() {
        let fns = SaltFns::new(Map::default(), Map::default(), Map::default());
        let d = json(r#"{"b": [1, 2], "a": {"x": "\u00e9", "y": null}, "c": "plain"}"#);
        let ser = |name: &str, obj: &C, kw: &[(&str, C)]| {
            let kw: Map = kw.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            fns.call("slsutil.serialize", &[C::str(name), obj.clone()], &kw).expect("serialize")
        };
        assert_eq!(ser("yaml", &d, &[]), C::str("a: {x: \"\\xE9\", y: null}\nb: [1, 2]\nc: plain"));
        let block = [("default_flow_style", C::Bool(false)), ("allow_unicode", C::Bool(true))];
        assert_eq!(ser("yaml", &d, &block), C::str("a:\n  x: \u{e9}\n  y: null\nb:\n- 1\n- 2\nc: plain"));
        assert_eq!(ser("yaml", &C::str("x"), &[]), C::str("x"));
        assert_eq!(ser("json", &d, &[]), C::str("{\"b\": [1, 2], \"a\": {\"x\": \"\u{e9}\", \"y\": null}, \"c\": \"plain\"}"));
        let pretty = [("indent", C::Int(2)), ("sort_keys", C::Bool(true))];
        assert_eq!(ser("json", &d, &pretty), C::str("{\n  \"a\": {\n    \"x\": \"\u{e9}\",\n    \"y\": null\n  },\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": \"plain\"\n}"));
        let missing = fns.call("slsutil.serialize", &[C::str("nope"), d], &Map::default());
        assert_eq!(missing, Err("Serializer 'nope' not found.".to_string()));
    }

    #[test]
    fn missing_functions_and_modules_are_undefined() {
        use jinja::Object;
        let fns = SaltFns::new(Map::default(), Map::default(), Map::default());
        let salt = SaltObject { fns, prefix: None };
        assert!(salt.get_attr("grains").is_some());
        assert!(salt.get_attr("test").is_some());
        assert!(salt.get_attr("nomodule").is_none());
        assert!(salt.get_attr("nomodule.fn").is_none());
        assert!(salt.get_attr("test.ping").is_none());
        assert!(salt.get_item(&Value::str("test.ping")).is_some());
        assert!(salt.get_item(&Value::str("nomodule.fn")).is_none());
    }
}
