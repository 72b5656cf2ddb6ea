//! A minion's configuration and grains, as both `salt-call` and
//! `salt-minion` load them: `-c DIR/minion` (+ `minion.d/*.conf`) over
//! Salt's defaults with `root_dir` applied, CLI overrides, core grains with
//! static grains merged over them, and the id (configured, else the FQDN).
//!
//! It must not compile pillar, fetch files or run anything.

use std::path::{Path, PathBuf};

use brine_common::config::{self, Role};
use brine_common::{Map, Value};

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

fn roots_override(opts: &mut Map, key: &str, dir: &Path) {
    let mut m = Map::default();
    m.insert("base".into(), Value::List(vec![Value::Str(dir.to_string_lossy().into_owned())]));
    opts.insert(key.into(), Value::Map(m));
}

/// Options and grains of the minion configured in `conf_dir`.
pub fn load(conf_dir: &Path, ov: &Overrides, extra: &[(&str, Value)]) -> Result<(Map, Map), MinionError> {
    let mut opts = config::load(conf_dir, Role::Minion)?;
    for (k, v) in extra {
        opts.insert((*k).into(), v.clone());
    }
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
    Ok((opts, grains))
}

pub use brine_common::config::{int_opt, path_opt};
