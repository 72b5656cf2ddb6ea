//! The dispatch of one function call on a minion, wherever its files and
//! pillar come from (local roots for `salt-call --local`, the master for
//! `salt-minion`).
//!
//! Functions that need the minion's whole context (`state.*`, `grains.*`,
//! `pillar.*`) are answered here; every other function goes to the execution
//! module registry in `brine-modules`.
//!
//! It must not print, exit or know where files come from: [`Sources`] says.

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_states::api::{self, Env, Outcome};
use brine_states::highstate::FileClient;
use brine_states::pillar;
use brine_states::render::Renderer;
use brine_states::saltfns::{Hook, SaltFns};

use crate::args::CallArgs;

/// Where a minion's files and pillar come from.
pub trait Sources {
    /// The file client for `salt://` files, SLS and top files.
    fn files(&self) -> &dyn FileClient;
    /// This minion's compiled pillar (before any `pillar=` override).
    fn pillar(&self, opts: &Map, saltfns: &SaltFns) -> Map;
    /// The functions the minion daemon answers (`mine.get` through the master, `saltutil.running`, ...).
    fn hook(&self) -> Option<Hook> {
        None
    }
    /// Send this minion's mine data to the master (`mine.update`).
    fn mine_store(&self, _data: Map, _clear: bool) -> Result<Value, String> {
        Err("The mine needs a master: mine.update is not available with --local".into())
    }
}

/// The state functions whose returns print with the `highstate` outputter.
pub fn outputter(fun: &str) -> &'static str {
    match fun {
        "state.sls" | "state.apply" | "state.highstate" | "state.single" => "highstate",
        _ => "nested",
    }
}

/// Run one function with its arguments on the minion described by `opts` and `grains`.
pub fn call(opts: &Map, grains: &Map, sources: &dyn Sources, fun: &str, call: &CallArgs) -> Outcome {
    let mut opts = opts.clone();
    for key in ["saltenv", "test"] {
        if let Some(v) = call.kwargs.get(key) {
            opts.insert(key.into(), v.clone());
        }
    }
    let mut saltfns = SaltFns::new(opts.clone(), grains.clone(), Map::default());
    let hook = sources.hook();
    if let Some(hook) = &hook {
        saltfns.set_hook(hook.clone());
    }
    let mut pillar = if reads_pillar(fun) { sources.pillar(&opts, &saltfns) } else { Map::default() };
    if let Some(Value::Map(o)) = call.kwargs.get("pillar").filter(|_| !IGNORES_PILLAR_ARG.contains(&fun)) {
        pillar::merge_recurse(&mut pillar, o);
    }
    saltfns.set_pillar(pillar.clone());
    if hook.is_none() {
        saltfns.set_hook(local_mine_hook(&opts, grains, &pillar));
    }
    let files = sources.files();
    let renderer = Renderer::new(&opts, grains, &pillar, files, &saltfns);
    let env = Env { opts: &opts, grains, pillar: &pillar, files, renderer: &renderer };
    let arg0 = call.args.first().cloned().unwrap_or(Value::Null);
    match fun {
        "state.show_sls" => api::show_sls(&env, &arg0, &call.kwargs),
        "state.show_low_sls" => api::show_low_sls(&env, &arg0, &call.kwargs),
        "state.show_top" => api::show_top(&env),
        "state.show_highstate" => api::show_highstate(&env),
        "state.show_lowstate" => api::show_lowstate(&env),
        "state.sls" | "state.apply" | "state.highstate" => run_states(fun, &env, &renderer, &arg0, call),
        "state.single" => {
            let host = crate::host::MinionHost { env: &env, renderer: &renderer, cachedir: cachedir(env.opts) };
            api::single(&host, &call.args, &call.kwargs, test_flag(env.opts, call))
        }
        "mine.update" => match crate::mine::update(&opts, &pillar, &saltfns, sources, call) {
            Ok(v) => Outcome::ok(v),
            Err(e) => Outcome { ret: Value::Str(e), retcode: 1 },
        },
        _ => match hook.and_then(|h| h(fun, &call.args, &call.kwargs)).unwrap_or_else(|| saltfns.call(fun, &call.args, &call.kwargs)) {
            Ok(v) => Outcome { ret: v, retcode: i32::try_from(saltfns.last_retcode()).unwrap_or(1) },
            Err(e) => Outcome { ret: Value::Str(e), retcode: 1 },
        },
    }
}

/// Functions that never look at pillar: a minion answers them without
/// compiling it (with a master, that is a round trip and a compile on the
/// master per job), as Salt's minion answers them from memory.
const PILLAR_FREE: &[&str] = &[
    "test.ping",
    "test.echo",
    "test.version",
    "test.sleep",
    "saltutil.find_job",
    "saltutil.running",
    "saltutil.kill_job",
    "saltutil.term_job",
];

/// State functions whose Salt builds its `HighState` without the `pillar=`
/// override of the call: they show the pillar as compiled.
const IGNORES_PILLAR_ARG: &[&str] = &["state.show_lowstate", "state.show_top"];

fn reads_pillar(fun: &str) -> bool {
    !PILLAR_FREE.contains(&fun)
}

/// Without a master, `mine.get` answers from this minion's own mine (as Salt's `--local`).
fn local_mine_hook(opts: &Map, grains: &Map, pillar: &Map) -> Hook {
    let (opts, grains, pillar) = (opts.clone(), grains.clone(), pillar.clone());
    std::rc::Rc::new(move |fun: &str, args: &[Value], kwargs: &Map| {
        (fun == "mine.get").then(|| crate::local_mine::get(&opts, &grains, &pillar, args, kwargs))
    })
}

/// `test=` of the call, else the `test` option.
fn test_flag(opts: &Map, call: &CallArgs) -> bool {
    call.kwargs.get("test").map(Value::truthy).unwrap_or_else(|| opts.get("test").is_some_and(Value::truthy))
}

fn run_states(fun: &str, env: &Env, renderer: &Renderer, mods: &Value, call: &CallArgs) -> Outcome {
    let test = test_flag(env.opts, call);
    let highstate = fun == "state.highstate" || (fun == "state.apply" && mods.is_null());
    let host = crate::host::MinionHost { env, renderer, cachedir: cachedir(env.opts) };
    api::run(env, &host, if highstate { None } else { Some(mods) }, &call.kwargs, test)
}

fn cachedir(opts: &Map) -> PathBuf {
    crate::setup::path_opt(opts, "cachedir", "/var/cache/salt/minion")
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// No files; counts how often the pillar is asked for.
    struct Counting(Cell<usize>);

    impl FileClient for Counting {
        fn envs(&self) -> Vec<String> {
            vec!["base".into()]
        }
        fn list_states(&self, _: &str) -> Vec<String> {
            Vec::new()
        }
        fn find_file(&self, _: &str, _: &str) -> Option<PathBuf> {
            None
        }
    }

    impl Sources for Counting {
        fn files(&self) -> &dyn FileClient {
            self
        }
        fn pillar(&self, _: &Map, _: &SaltFns) -> Map {
            self.0.set(self.0.get() + 1);
            Map::default()
        }
    }

    #[test]
    fn pillar_is_compiled_only_for_functions_that_may_read_it() {
        let src = Counting(Cell::new(0));
        let (opts, grains) = (Map::default(), Map::default());
        for fun in ["test.ping", "test.version", "saltutil.running"] {
            assert_eq!(call(&opts, &grains, &src, fun, &CallArgs::default()).retcode, 0, "{fun}");
        }
        assert_eq!(src.0.get(), 0, "pillar-free functions asked for the pillar");
        call(&opts, &grains, &src, "pillar.items", &CallArgs::default());
        assert_eq!(src.0.get(), 1);
    }

    #[test]
    fn the_pillar_argument_overrides_except_for_show_lowstate_and_show_top() {
        let src = Counting(Cell::new(0));
        let (opts, grains) = (Map::default(), Map::default());
        let mut args = CallArgs::default();
        args.kwargs.insert("pillar".into(), Value::Map(Map::from_iter([("k".to_string(), Value::Int(1))])));
        let items = call(&opts, &grains, &src, "pillar.items", &args);
        assert_eq!(items.ret, Value::Map(Map::from_iter([("k".to_string(), Value::Int(1))])));
        assert!(IGNORES_PILLAR_ARG.contains(&"state.show_lowstate"));
    }
}
