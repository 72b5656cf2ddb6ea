//! Minion and master configuration, read as Salt reads it.
//!
//! `-c DIR` names the config directory; the main file (`minion` or `master`)
//! is YAML, followed by `minion.d/*.conf` (or `master.d/*.conf`) in name
//! order, each overriding the keys before it. Defaults are Salt's, and the
//! paths Salt prefixes with `root_dir` are prefixed the same way.
//!
//! It must not interpret the options beyond that: each consumer reads the keys
//! it owns from the resulting map.

use std::path::{Path, PathBuf};

use crate::yaml::{self, YamlError};
use crate::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("error reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("error parsing configuration file: {path} - line {}, column {}: {source}", source.line, source.column)]
    Yaml { path: PathBuf, source: YamlError },
    #[error("configuration file {path} is not a mapping")]
    NotAMap { path: PathBuf },
}

/// Which daemon's configuration is being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Minion,
    Master,
}

impl Role {
    fn file_name(self) -> &'static str {
        match self {
            Role::Minion => "minion",
            Role::Master => "master",
        }
    }
}

fn json(v: serde_json::Value) -> Value {
    Value::from_json(&v)
}

/// Salt's defaults for the keys brine reads.
pub fn defaults(role: Role) -> Map {
    let common = serde_json::json!({
        "root_dir": "/",
        "file_roots": {"base": ["/srv/salt", "/srv/spm/salt"]},
        "pillar_roots": {"base": ["/srv/pillar", "/srv/spm/pillar"]},
        "renderer": "jinja|yaml",
        "state_top": "top.sls",
        "top_file_merging_strategy": "merge",
        "state_auto_order": true,
        "hash_type": "sha256",
        "nodegroups": {},
        "file_ignore_regex": [],
        "file_ignore_glob": [],
        "log_level": "warning",
        "test": false,
        "saltenv": null,
        "pillarenv": null,
        "failhard": false,
        "state_output": "full",
        "state_verbose": true,
        "ret_port": 4506,
        "publish_port": 4505,
        "interface": "0.0.0.0",
        "ipv6": false,
    });
    let mut map = match json(common) {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    let specific = match role {
        Role::Minion => serde_json::json!({
            "master": "salt",
            "id": null,
            "grains": {},
            "file_client": "remote",
            "cachedir": "/var/cache/salt/minion",
            "pki_dir": "/etc/salt/pki/minion",
            "sock_dir": "/var/run/salt/minion",
            "pidfile": "/var/run/salt-minion.pid",
            "log_file": "/var/log/salt/minion",
            "extension_modules": "/var/cache/salt/minion/extmods",
            "acceptance_wait_time": 10,
            "master_finger": "",
        }),
        Role::Master => serde_json::json!({
            "cachedir": "/var/cache/salt/master",
            "pki_dir": "/etc/salt/pki/master",
            "sock_dir": "/var/run/salt/master",
            "pidfile": "/var/run/salt-master.pid",
            "log_file": "/var/log/salt/master",
            "extension_modules": "/var/cache/salt/master/extmods",
            "auto_accept": false,
            "autosign_file": null,
            "keep_jobs_seconds": 86400,
            "timeout": 5,
            "fileserver_backend": ["roots"],
        }),
    };
    if let Value::Map(m) = json(specific) {
        map.extend(m);
    }
    map
}

/// Keys whose paths Salt places under `root_dir`.
const ROOTED: &[&str] = &["cachedir", "pki_dir", "sock_dir", "pidfile", "log_file", "extension_modules"];

/// Join `root_dir` and an absolute path as Salt's `prepend_root_dir` does.
pub fn under_root(root_dir: &str, path: &str) -> String {
    if root_dir.is_empty() || root_dir == "/" || path.starts_with(root_dir) {
        return path.to_string();
    }
    let rel = path.trim_start_matches('/');
    Path::new(root_dir).join(rel).to_string_lossy().into_owned()
}

fn load_file(path: &Path) -> Result<Map, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
    match yaml::load(&text).map_err(|source| ConfigError::Yaml { path: path.into(), source })? {
        Value::Map(m) => Ok(m),
        Value::Null => Ok(Map::default()),
        _ => Err(ConfigError::NotAMap { path: path.into() }),
    }
}

/// The files that make up a role's configuration in `dir`, in the order they apply.
fn config_files(dir: &Path, role: Role) -> Vec<PathBuf> {
    let main = dir.join(role.file_name());
    let mut files = Vec::new();
    if main.is_file() {
        files.push(main);
    }
    let d = dir.join(format!("{}.d", role.file_name()));
    if let Ok(entries) = std::fs::read_dir(&d) {
        let mut extra: Vec<PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "conf")).collect();
        extra.sort();
        files.extend(extra);
    }
    files
}

/// Load a role's configuration from `dir` over Salt's defaults.
pub fn load(dir: &Path, role: Role) -> Result<Map, ConfigError> {
    let mut opts = defaults(role);
    for file in config_files(dir, role) {
        opts.extend(load_file(&file)?);
    }
    opts.insert("conf_file".into(), Value::Str(dir.join(role.file_name()).to_string_lossy().into_owned()));
    opts.insert("config_dir".into(), Value::Str(dir.to_string_lossy().into_owned()));
    apply_root_dir(&mut opts);
    Ok(opts)
}

/// Prefix the rooted paths with `root_dir`.
pub fn apply_root_dir(opts: &mut Map) {
    let root = opts.get("root_dir").and_then(Value::as_str).unwrap_or("/").to_string();
    for key in ROOTED {
        if let Some(Value::Str(p)) = opts.get(*key) {
            let rooted = under_root(&root, p);
            opts.insert((*key).into(), Value::Str(rooted));
        }
    }
}

/// A path option (`cachedir`, `pki_dir`, ...) with its default.
pub fn path_opt(opts: &Map, key: &str, default: &str) -> PathBuf {
    PathBuf::from(opts.get(key).filter(|v| !v.is_null()).map(Value::py_str).unwrap_or_else(|| default.into()))
}

/// An integer option with its default (floats truncated, numeric strings parsed).
pub fn int_opt(opts: &Map, key: &str, default: i64) -> i64 {
    match opts.get(key) {
        Some(Value::Int(i)) => *i,
        Some(Value::Float(f)) => *f as i64,
        Some(Value::Str(s)) => s.trim().parse().unwrap_or(default),
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_dir_prefixes_paths() {
        assert_eq!(under_root("/tmp/r", "/var/cache/salt/minion"), "/tmp/r/var/cache/salt/minion");
        assert_eq!(under_root("/", "/var/cache"), "/var/cache");
        assert_eq!(under_root("/tmp/r", "/tmp/r/x"), "/tmp/r/x");
    }

    #[test]
    fn missing_dir_gives_defaults() {
        let opts = load(Path::new("/nonexistent-brine-config"), Role::Minion).unwrap();
        assert_eq!(opts["file_client"], Value::str("remote"));
        assert_eq!(opts["cachedir"], Value::str("/var/cache/salt/minion"));
    }
}
