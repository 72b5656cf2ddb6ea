//! The `sys` execution module: list_functions, list_modules and doc over
//! the [`MODULES`](crate::MODULES) table. brine's functions carry no Python
//! docstrings, so `doc` gives each function's signature instead.
//!
//! It only reads the registry.

use brine_common::{Map, Value};

use crate::args::{ArgDefault, Signature};
use crate::fnmatch::fnmatch;
use crate::{Bound, Ctx, Function, Module, ModuleError, MODULES};

/// Every registered `mod.fun` with its function, sorted by name.
fn all() -> Vec<(String, &'static Function)> {
    let mut out: Vec<(String, &'static Function)> =
        MODULES.iter().flat_map(|m| m.functions.iter().map(move |f| (format!("{}.{}", m.name, f.name), f))).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Salt's matching of `sys.*` arguments: a glob, else a module name (`sys`
/// or `sys.`) or an exact function name.
fn selected(args: &[String], name: &str) -> bool {
    args.is_empty()
        || args.iter().any(|a| {
            if a.contains('*') {
                fnmatch(name, a)
            } else {
                let prefix = if a.ends_with('.') { a.clone() } else { format!("{a}.") };
                name == a || name.starts_with(&prefix)
            }
        })
}

fn default_repr(d: ArgDefault) -> String {
    match d {
        ArgDefault::None => "None".into(),
        ArgDefault::Bool(b) => if b { "True" } else { "False" }.into(),
        ArgDefault::Int(i) => i.to_string(),
        ArgDefault::Str(s) => Value::str(s).py_repr(),
    }
}

/// The Python signature of a function, e.g. `test.sleep(length, fire_event=False)`.
pub fn signature_text(name: &str, sig: &Signature) -> String {
    let mut parts: Vec<String> = sig
        .params
        .iter()
        .map(|p| match p.default {
            Some(d) => format!("{}={}", p.name, default_repr(d)),
            None => p.name.to_string(),
        })
        .collect();
    parts.extend(sig.varargs.map(|v| format!("*{v}")));
    if sig.kwargs {
        parts.push("**kwargs".into());
    }
    format!("{name}({})", parts.join(", "))
}

fn strings(b: &Bound) -> Vec<String> {
    b.varargs.iter().map(Value::py_str).collect()
}

fn list(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::Str).collect())
}

fn list_functions(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let args = strings(b);
    let wanted = |name: &str| {
        args.is_empty()
            || args.iter().any(|a| {
                if a.contains('*') || a.contains('.') {
                    fnmatch(name, a)
                } else {
                    name.starts_with(&format!("{a}."))
                }
            })
    };
    Ok(list(all().into_iter().map(|(n, _)| n).filter(|n| wanted(n))))
}

fn list_modules(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let args = strings(b);
    let mut names: Vec<String> = all()
        .into_iter()
        .filter(|(full, _)| {
            let module = full.split('.').next().unwrap_or_default();
            args.is_empty() || args.iter().any(|a| if a.contains('*') { fnmatch(full, a) } else { module == a })
        })
        .map(|(full, _)| full.split('.').next().unwrap_or_default().to_string())
        .collect();
    names.dedup();
    Ok(list(names))
}

fn doc(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let args = strings(b);
    let docs: Map = all()
        .into_iter()
        .filter(|(n, _)| selected(&args, n))
        .map(|(n, f)| {
            let text = signature_text(&n, &f.sig);
            (n, Value::Str(text))
        })
        .collect();
    Ok(Value::Map(docs))
}

const VARARGS: Signature = Signature { params: &[], varargs: Some("args"), kwargs: false };

pub const MODULE: Module = Module {
    name: "sys",
    functions: &[
        Function {
            name: "list_functions",
            sig: Signature { params: &[], varargs: Some("args"), kwargs: true },
            run: list_functions,
        },
        Function { name: "list_modules", sig: VARARGS, run: list_modules },
        Function { name: "doc", sig: VARARGS, run: doc },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{call, SystemRunner};

    #[test]
    fn lists_and_documents_the_registry() {
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        let s = |v: &str| Value::str(v);
        let test_fns = call("sys.list_functions", &[s("test")], &m, &ctx).unwrap();
        assert!(test_fns.as_list().unwrap_or_default().contains(&s("test.ping")));
        let globbed = call("sys.list_functions", &[s("test.p*")], &m, &ctx).unwrap();
        assert_eq!(globbed, Value::List(vec![s("test.ping")]));
        let modules = call("sys.list_modules", &[], &m, &ctx).unwrap();
        for name in ["cmd", "pkg", "service", "sys", "test"] {
            assert!(modules.as_list().unwrap_or_default().contains(&s(name)), "{name}");
        }
        let docs = call("sys.doc", &[s("test.sleep")], &m, &ctx).unwrap();
        assert_eq!(docs.get("test.sleep"), Some(&s("test.sleep(length, fire_event=False)")));
        assert_eq!(call("sys.doc", &[s("test.nope")], &m, &ctx).unwrap(), Value::Map(Map::default()));
        assert!(call("sys.doc", &[s("sys")], &m, &ctx).unwrap().get("sys.doc").is_some());
    }
}
