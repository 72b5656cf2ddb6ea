//! Static grains: the `grains` file beside the minion config and the
//! `grains:` option of the config itself, and how they override core
//! grains.
//!
//! Salt loads the file as a grains module and then applies the config
//! option last, so the config wins over the file and both win over core
//! grains (a shallow, top-level update). It must not collect core grains.

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};

/// Why static grains could not be loaded; each names its source.
#[derive(Debug, thiserror::Error)]
pub enum GrainsError {
    #[error("cannot read grains file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid YAML in grains file {path}: {source}")]
    Yaml { path: PathBuf, source: brine_common::yaml::YamlError },
    #[error("grains file {path} must hold a mapping, not a {found}")]
    NotAMapping { path: PathBuf, found: &'static str },
    #[error("the `grains` option of the minion config must be a mapping, not a {found}")]
    ConfigNotAMapping { found: &'static str },
}

/// The grains file (`<conf_dir>/grains`) updated with the config's `grains:`.
pub fn static_grains(opts: &Map, conf_dir: &Path) -> Result<Map, GrainsError> {
    let mut grains = grains_file(&conf_dir.join("grains"))?;
    match opts.get("grains") {
        None | Some(Value::Null) => {}
        Some(Value::Map(m)) => merge(&mut grains, m.clone()),
        Some(other) => return Err(GrainsError::ConfigNotAMapping { found: other.type_name() }),
    }
    Ok(grains)
}

/// A missing file is no grains; an empty one too.
fn grains_file(path: &Path) -> Result<Map, GrainsError> {
    if !path.is_file() {
        return Ok(Map::default());
    }
    let text = std::fs::read_to_string(path).map_err(|source| GrainsError::Read { path: path.to_path_buf(), source })?;
    match brine_common::yaml::load(&text) {
        Ok(Value::Map(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::default()),
        Ok(other) => Err(GrainsError::NotAMapping { path: path.to_path_buf(), found: other.type_name() }),
        Err(source) => Err(GrainsError::Yaml { path: path.to_path_buf(), source }),
    }
}

/// Top-level update: every key of `overrides` replaces the one in `grains`.
pub fn merge(grains: &mut Map, overrides: Map) {
    for (k, v) in overrides {
        grains.insert(k, v);
    }
}
