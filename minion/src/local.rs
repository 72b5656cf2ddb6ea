//! The masterless minion behind `salt-call --local`: its files come from the
//! local `file_roots` and its pillar is compiled here from `pillar_roots`.
//!
//! It must not print or exit: `salt-call` owns the terminal.

use std::path::Path;

use brine_common::{Map, Value};
use brine_states::api::Outcome;
use brine_states::highstate::FileClient;
use brine_states::pillar;
use brine_states::render::Renderer;
use brine_states::roots::Roots;
use brine_states::saltfns::SaltFns;

use crate::args::CallArgs;
use crate::dispatch::{self, Sources};
pub use crate::setup::{MinionError, Overrides};

/// A loaded masterless minion.
pub struct LocalMinion {
    pub opts: Map,
    pub grains: Map,
    files: Roots,
    pillar_files: Roots,
}

impl LocalMinion {
    /// Read the config in `conf_dir`, apply CLI overrides and gather grains.
    pub fn load(conf_dir: &Path, ov: &Overrides) -> Result<Self, MinionError> {
        let (opts, grains) = crate::setup::load(conf_dir, ov, &[("file_client", Value::str("local"))])?;
        let files = Roots::from_opts(&opts, "file_roots");
        let mut pillar_opts = opts.clone();
        pillar_opts.shift_remove("file_ignore_regex");
        pillar_opts.shift_remove("file_ignore_glob");
        let pillar_files = Roots::from_opts(&pillar_opts, "pillar_roots");
        Ok(LocalMinion { opts, grains, files, pillar_files })
    }

    /// Run one function with its arguments.
    pub fn call(&self, fun: &str, call: &CallArgs) -> Outcome {
        dispatch::call(&self.opts, &self.grains, self, fun, call)
    }
}

impl Sources for LocalMinion {
    fn files(&self) -> &dyn FileClient {
        &self.files
    }

    fn pillar(&self, _opts: &Map, saltfns: &SaltFns) -> Map {
        let empty = Map::default();
        let renderer = Renderer::new(&self.opts, &self.grains, &empty, &self.pillar_files, saltfns);
        pillar::compile(&self.opts, &self.grains, &self.pillar_files, &renderer)
    }

    fn mine_store(&self, data: Map, clear: bool) -> Result<Value, String> {
        crate::local_mine::store(&self.opts, data, clear)
    }
}
