//! The masterless minion behind `salt-call --local`: configuration, grains,
//! pillar and the local file roots, and the dispatch of one function call.
//!
//! Functions that need the minion's whole context (`state.*`, `grains.*`,
//! `pillar.*`) are answered here; every other function goes to the execution
//! module registry in `brine-modules`.
//!
//! It must not print or exit: `salt-call` owns the terminal.

use std::path::{Path, PathBuf};

use brine_common::config::{self, Role};
use brine_common::{Map, Value};
use brine_states::api::{self, Env, Outcome};
use brine_states::pillar;
use brine_states::render::Renderer;
use brine_states::roots::Roots;
use brine_states::saltfns::SaltFns;

use crate::args::CallArgs;

#[derive(Debug, thiserror::Error)]
pub enum MinionError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    Grains(String),
}

/// Overrides from the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub file_root: Option<PathBuf>,
    pub pillar_root: Option<PathBuf>,
    pub id: Option<String>,
}

/// A loaded masterless minion.
pub struct LocalMinion {
    pub opts: Map,
    pub grains: Map,
    files: Roots,
    pillar_files: Roots,
}

fn roots_override(opts: &mut Map, key: &str, dir: &Path) {
    let mut m = Map::new();
    m.insert("base".into(), Value::List(vec![Value::Str(dir.to_string_lossy().into_owned())]));
    opts.insert(key.into(), Value::Map(m));
}

impl LocalMinion {
    /// Read the config in `conf_dir`, apply CLI overrides and gather grains.
    pub fn load(conf_dir: &Path, ov: &Overrides) -> Result<Self, MinionError> {
        let mut opts = config::load(conf_dir, Role::Minion)?;
        opts.insert("file_client".into(), Value::str("local"));
        if let Some(d) = &ov.file_root {
            roots_override(&mut opts, "file_roots", d);
        }
        if let Some(d) = &ov.pillar_root {
            roots_override(&mut opts, "pillar_roots", d);
        }
        if let Some(id) = &ov.id {
            opts.insert("id".into(), Value::str(id));
        }
        let mut grains = brine_grains::core_grains(&opts);
        if opts.get("id").is_none_or(Value::is_null) {
            let fqdn = grains.get("fqdn").cloned().unwrap_or(Value::str("localhost"));
            opts.insert("id".into(), fqdn.clone());
            grains.insert("id".into(), fqdn);
        }
        let statics = brine_grains::static_grains(&opts, conf_dir).map_err(|e| MinionError::Grains(e.to_string()))?;
        brine_grains::merge(&mut grains, statics);
        let files = Roots::from_opts(&opts, "file_roots");
        let mut pillar_opts = opts.clone();
        pillar_opts.shift_remove("file_ignore_regex");
        pillar_opts.shift_remove("file_ignore_glob");
        let pillar_files = Roots::from_opts(&pillar_opts, "pillar_roots");
        Ok(LocalMinion { opts, grains, files, pillar_files })
    }

    /// Compile this minion's pillar, with a CLI `pillar=` override merged on top.
    pub fn pillar(&self, saltfns: &SaltFns, over: Option<&Value>) -> Map {
        let empty = Map::new();
        let renderer = Renderer { opts: &self.opts, grains: &self.grains, pillar: &empty, files: &self.pillar_files, salt: saltfns };
        let mut p = pillar::compile(&self.opts, &self.grains, &self.pillar_files, &renderer);
        if let Some(Value::Map(o)) = over {
            pillar::merge_recurse(&mut p, o);
        }
        p
    }

    /// Run one function with its arguments.
    pub fn call(&self, fun: &str, call: &CallArgs) -> Outcome {
        let mut opts = self.opts.clone();
        for key in ["saltenv", "test"] {
            if let Some(v) = call.kwargs.get(key) {
                opts.insert(key.into(), v.clone());
            }
        }
        let mut saltfns = SaltFns::new(opts.clone(), self.grains.clone(), Map::new());
        let pillar = self.pillar(&saltfns, call.kwargs.get("pillar"));
        saltfns.set_pillar(pillar.clone());
        let renderer = Renderer { opts: &opts, grains: &self.grains, pillar: &pillar, files: &self.files, salt: &saltfns };
        let env = Env { opts: &opts, grains: &self.grains, pillar: &pillar, files: &self.files, renderer: &renderer };
        let arg0 = call.args.first().cloned().unwrap_or(Value::Null);
        match fun {
            "state.show_sls" => api::show_sls(&env, &arg0, &call.kwargs),
            "state.show_low_sls" => api::show_low_sls(&env, &arg0, &call.kwargs),
            "state.show_top" => api::show_top(&env),
            "state.show_highstate" => api::show_highstate(&env),
            "state.show_lowstate" => api::show_lowstate(&env),
            "state.sls" | "state.apply" | "state.highstate" => self.run_states(fun, &env, &renderer, &arg0, call),
            _ => match saltfns.call(fun, &call.args, &call.kwargs) {
                Ok(v) => Outcome::ok(v),
                Err(e) => Outcome { ret: Value::Str(e), retcode: 1 },
            },
        }
    }

    fn run_states(&self, fun: &str, env: &Env, renderer: &Renderer, mods: &Value, call: &CallArgs) -> Outcome {
        let test = call.kwargs.get("test").map(Value::truthy).unwrap_or_else(|| env.opts.get("test").is_some_and(Value::truthy));
        let highstate = fun == "state.highstate" || (fun == "state.apply" && mods.is_null());
        let host = crate::host::LocalHost { env, renderer, cachedir: self.cachedir() };
        api::run(env, &host, if highstate { None } else { Some(mods) }, &call.kwargs, test)
    }

    fn cachedir(&self) -> PathBuf {
        PathBuf::from(self.opts.get("cachedir").map(Value::py_str).unwrap_or_else(|| "/var/cache/salt/minion".into()))
    }
}
