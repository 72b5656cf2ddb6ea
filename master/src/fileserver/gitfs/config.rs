//! gitfs configuration as Salt writes it: `gitfs_remotes` (plain URLs or
//! single-key maps `{url: [{name: x}, {root: sub}, {mountpoint: salt://m},
//! {base: branch}, {saltenv: [{dev: [{ref: branch}]}]}, ...]}`) over the
//! global `gitfs_base`, `gitfs_root`, `gitfs_mountpoint`, `gitfs_ref_types`
//! and `gitfs_saltenv_whitelist`/`blacklist`; and the mapping from a remote's
//! refs to saltenvs (branches and tags are saltenvs, the `base` ref is `base`).
//!
//! It must not touch git or the disk: it only reads options and maps names.

use brine_common::{Map, Value};
use indexmap::IndexMap;

/// Per-remote keys accepted for authenticated remotes. Only local and
/// `file://` remotes can be reached (no https/ssh transport is built in), so
/// they are read and not used.
const AUTH_KEYS: &[&str] = &["user", "password", "pubkey", "privkey", "passphrase", "insecure_auth"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("gitfs remote {url}: invalid per-remote parameter {key:?}")]
    UnknownKey { url: String, key: String },
    #[error("gitfs remote {url}: {key} must be {want}")]
    BadValue { url: String, key: String, want: &'static str },
    #[error("gitfs_remotes: an entry must be a URL or a single-key map, not {0}")]
    BadRemote(String),
    #[error("gitfs_ref_types: unknown ref type {0:?} (branch, tag, sha)")]
    BadRefType(String),
}

/// The kinds of refs that become saltenvs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RefType {
    Branch,
    Tag,
}

impl RefType {
    /// `sha` is accepted (Salt's default lists it) and adds nothing: a
    /// commit id is served when a `saltenv` mapping names it as its `ref`.
    fn parse_list(names: &[String]) -> Result<Vec<RefType>, ConfigError> {
        let mut out = Vec::new();
        for name in names {
            match name.as_str() {
                "branch" => out.push(RefType::Branch),
                "tag" => out.push(RefType::Tag),
                "sha" => {}
                _ => return Err(ConfigError::BadRefType(name.clone())),
            }
        }
        Ok(out)
    }
}

/// Per-saltenv overrides of one remote (`saltenv: [{dev: [{ref: x}, ...]}]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnvConf {
    pub reference: Option<String>,
    pub root: Option<String>,
    pub mountpoint: Option<String>,
}

/// One entry of `gitfs_remotes` with the globals folded in (`name` names
/// its cache directory).
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteConf {
    pub url: String,
    pub name: Option<String>,
    pub root: String,
    pub mountpoint: String,
    pub base: String,
    pub ref_types: Vec<RefType>,
    pub saltenvs: IndexMap<String, EnvConf>,
    filter: EnvFilter,
}

/// Where a saltenv of a remote comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvTarget {
    pub env: String,
    pub reference: String,
    pub root: String,
    pub mountpoint: String,
}

/// `gitfs_saltenv_whitelist` / `gitfs_saltenv_blacklist`: exact names, globs or regexes.
#[derive(Clone, Debug, Default, PartialEq)]
struct EnvFilter {
    white: Vec<String>,
    black: Vec<String>,
}

impl EnvFilter {
    fn allows(&self, env: &str) -> bool {
        (self.white.is_empty() || self.white.iter().any(|p| expr_match(env, p))) && !self.black.iter().any(|p| expr_match(env, p))
    }
}

/// Salt's `expr_match`: equal, a glob, or a regex matching the whole name.
fn expr_match(name: &str, pattern: &str) -> bool {
    name == pattern
        || globset::Glob::new(pattern).is_ok_and(|g| g.compile_matcher().is_match(name))
        || fancy_regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(name).unwrap_or(false))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(l)) => l.iter().map(Value::py_str).collect(),
        Some(Value::Str(s)) if !s.is_empty() => s.split(',').map(|p| p.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// `salt://m/x/` or `/m/x` as `m/x`.
fn clean_mountpoint(m: &str) -> String {
    m.trim().trim_start_matches("salt://").trim_matches('/').to_string()
}

fn clean_root(r: &str) -> String {
    r.trim().trim_matches('/').to_string()
}

/// The globals every remote starts from.
struct Globals {
    root: String,
    mountpoint: String,
    base: String,
    ref_types: Vec<RefType>,
    filter: EnvFilter,
}

impl Globals {
    fn from_opts(opts: &Map) -> Result<Globals, ConfigError> {
        let text = |k: &str, default: &str| opts.get(k).filter(|v| !v.is_null()).map_or_else(|| default.to_string(), Value::py_str);
        let mut ref_types = strings(opts.get("gitfs_ref_types"));
        if ref_types.is_empty() {
            ref_types = vec!["branch".into(), "tag".into()];
        }
        Ok(Globals {
            root: clean_root(&text("gitfs_root", "")),
            mountpoint: clean_mountpoint(&text("gitfs_mountpoint", "")),
            base: text("gitfs_base", "master"),
            ref_types: RefType::parse_list(&ref_types)?,
            filter: EnvFilter {
                white: strings(opts.get("gitfs_saltenv_whitelist")),
                black: strings(opts.get("gitfs_saltenv_blacklist")),
            },
        })
    }
}

/// Every remote of `gitfs_remotes`, in order.
pub fn remotes(opts: &Map) -> Result<Vec<RemoteConf>, ConfigError> {
    let globals = Globals::from_opts(opts)?;
    let entries = match opts.get("gitfs_remotes") {
        Some(Value::List(l)) => l.clone(),
        Some(Value::Str(s)) => vec![Value::Str(s.clone())],
        _ => Vec::new(),
    };
    entries.iter().map(|e| remote(e, &globals)).collect()
}

fn remote(entry: &Value, g: &Globals) -> Result<RemoteConf, ConfigError> {
    let (url, params) = match entry {
        Value::Str(url) => (url.trim().to_string(), Vec::new()),
        Value::Map(m) if m.len() == 1 => {
            let (url, v) = m.iter().next().ok_or_else(|| ConfigError::BadRemote(entry.py_repr()))?;
            (url.trim().to_string(), pairs(v))
        }
        other => return Err(ConfigError::BadRemote(other.py_repr())),
    };
    let mut conf = RemoteConf {
        url,
        name: None,
        root: g.root.clone(),
        mountpoint: g.mountpoint.clone(),
        base: g.base.clone(),
        ref_types: g.ref_types.clone(),
        saltenvs: IndexMap::new(),
        filter: g.filter.clone(),
    };
    for (key, value) in params {
        conf.set(&key, &value)?;
    }
    Ok(conf)
}

/// `[{a: 1}, {b: 2}]` or `{a: 1, b: 2}` as key/value pairs.
fn pairs(v: &Value) -> Vec<(String, Value)> {
    match v {
        Value::List(l) => l.iter().filter_map(Value::as_map).flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone()))).collect(),
        Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

impl RemoteConf {
    fn set(&mut self, key: &str, value: &Value) -> Result<(), ConfigError> {
        let text = || value.py_str();
        match key {
            "name" => self.name = Some(text()),
            "root" => self.root = clean_root(&text()),
            "mountpoint" => self.mountpoint = clean_mountpoint(&text()),
            "base" => self.base = text(),
            "ref_types" => self.ref_types = RefType::parse_list(&strings(Some(value)))?,
            "saltenv" => self.saltenvs = self.env_confs(value)?,
            k if AUTH_KEYS.contains(&k) => log::debug!("gitfs remote {}: {k} is not needed for local remotes", self.url),
            _ => return Err(ConfigError::UnknownKey { url: self.url.clone(), key: key.to_string() }),
        }
        Ok(())
    }

    fn env_confs(&self, value: &Value) -> Result<IndexMap<String, EnvConf>, ConfigError> {
        let bad = |key: &str| ConfigError::BadValue { url: self.url.clone(), key: key.to_string(), want: "a list of single-key maps" };
        if !matches!(value, Value::List(_) | Value::Map(_)) {
            return Err(bad("saltenv"));
        }
        let mut out = IndexMap::new();
        for (env, params) in pairs(value) {
            let mut conf = EnvConf::default();
            for (key, v) in pairs(&params) {
                match key.as_str() {
                    "ref" => conf.reference = Some(v.py_str()),
                    "root" => conf.root = Some(clean_root(&v.py_str())),
                    "mountpoint" => conf.mountpoint = Some(clean_mountpoint(&v.py_str())),
                    _ => return Err(ConfigError::UnknownKey { url: self.url.clone(), key: format!("saltenv:{env}:{key}") }),
                }
            }
            out.insert(env, conf);
        }
        Ok(out)
    }

    /// The saltenv a ref of this remote serves (`base` for the base ref).
    fn env_of(&self, reference: &str) -> String {
        if reference == self.base { "base".into() } else { reference.to_string() }
    }

    /// The saltenvs this remote serves, given the refs it has (kind, name),
    /// each with its ref, root and mountpoint; whitelist and blacklist
    /// applied. A `saltenv` mapping is kept even when its ref is not among
    /// `refs` (it may be a commit id); the caller drops what does not resolve.
    pub fn targets(&self, refs: &[(RefType, String)]) -> Vec<EnvTarget> {
        let mut out: IndexMap<String, EnvTarget> = IndexMap::new();
        for (_, name) in refs.iter().filter(|(k, _)| self.ref_types.contains(k)) {
            let env = self.env_of(name);
            out.insert(env.clone(), self.target(env, name.clone()));
        }
        for (env, conf) in &self.saltenvs {
            let default_ref = if env == "base" { self.base.clone() } else { env.clone() };
            let reference = conf.reference.clone().unwrap_or(default_ref);
            out.insert(env.clone(), self.target(env.clone(), reference));
        }
        out.into_values().filter(|t| self.filter.allows(&t.env)).collect()
    }

    fn target(&self, env: String, reference: String) -> EnvTarget {
        let over = self.saltenvs.get(&env);
        EnvTarget {
            root: over.and_then(|o| o.root.clone()).unwrap_or_else(|| self.root.clone()),
            mountpoint: over.and_then(|o| o.mountpoint.clone()).unwrap_or_else(|| self.mountpoint.clone()),
            env,
            reference,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(j: serde_json::Value) -> Map {
        match Value::from_json(&j) {
            Value::Map(m) => m,
            _ => Map::default(),
        }
    }

    #[test]
    fn plain_urls_take_the_globals() {
        let o = opts(serde_json::json!({"gitfs_remotes": ["file:///r1", "/r2"], "gitfs_root": "/salt/", "gitfs_base": "main"}));
        let r = remotes(&o).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].url.as_str(), r[0].root.as_str(), r[0].base.as_str()), ("file:///r1", "salt", "main"));
        assert_eq!(r[1].ref_types, vec![RefType::Branch, RefType::Tag]);
        assert_eq!(r[1].mountpoint, "");
    }

    #[test]
    fn per_remote_options_override_the_globals() {
        let o = opts(serde_json::json!({"gitfs_remotes": [{"file:///r": [
            {"name": "one"}, {"root": "sub/dir"}, {"mountpoint": "salt://m/n/"}, {"base": "prod"},
            {"user": "u"}, {"password": "p"}, {"pubkey": "k"}, {"privkey": "k"}, {"passphrase": "x"},
            {"saltenv": [{"dev": [{"ref": "develop"}, {"root": "other"}]}]}
        ]}]}));
        let r = &remotes(&o).unwrap()[0];
        assert_eq!(r.name.as_deref(), Some("one"));
        assert_eq!((r.root.as_str(), r.mountpoint.as_str(), r.base.as_str()), ("sub/dir", "m/n", "prod"));
        let dev = &r.saltenvs["dev"];
        assert_eq!((dev.reference.as_deref(), dev.root.as_deref(), dev.mountpoint.as_deref()), (Some("develop"), Some("other"), None));
    }

    #[test]
    fn bad_remotes_are_errors() {
        let unknown = opts(serde_json::json!({"gitfs_remotes": [{"/r": [{"colour": "red"}]}]}));
        assert_eq!(remotes(&unknown), Err(ConfigError::UnknownKey { url: "/r".into(), key: "colour".into() }));
        let two_keys = opts(serde_json::json!({"gitfs_remotes": [{"/a": [], "/b": []}]}));
        assert!(matches!(remotes(&two_keys), Err(ConfigError::BadRemote(_))));
        let kind = opts(serde_json::json!({"gitfs_ref_types": ["branch", "sha", "bookmark"], "gitfs_remotes": ["/r"]}));
        assert_eq!(remotes(&kind), Err(ConfigError::BadRefType("bookmark".into())));
    }

    fn refs(list: &[(RefType, &str)]) -> Vec<(RefType, String)> {
        list.iter().map(|(k, n)| (*k, n.to_string())).collect()
    }

    fn envs(targets: &[EnvTarget]) -> Vec<(&str, &str)> {
        targets.iter().map(|t| (t.env.as_str(), t.reference.as_str())).collect()
    }

    #[test]
    fn branches_and_tags_are_saltenvs_and_base_is_the_base_branch() {
        let r = &remotes(&opts(serde_json::json!({"gitfs_remotes": ["/r"]}))).unwrap()[0];
        let t = r.targets(&refs(&[(RefType::Branch, "master"), (RefType::Branch, "dev"), (RefType::Tag, "v1")]));
        assert_eq!(envs(&t), vec![("base", "master"), ("dev", "dev"), ("v1", "v1")]);
    }

    #[test]
    fn saltenv_mappings_ref_types_and_filters_apply() {
        let o = opts(serde_json::json!({
            "gitfs_ref_types": ["branch"], "gitfs_saltenv_blacklist": ["feat*"], "gitfs_saltenv_whitelist": [],
            "gitfs_remotes": [{"/r": [{"saltenv": [{"qa": [{"ref": "v1"}, {"mountpoint": "salt://q"}]}]}]}]
        }));
        let r = &remotes(&o).unwrap()[0];
        let t = r.targets(&refs(&[(RefType::Branch, "master"), (RefType::Branch, "feature1"), (RefType::Tag, "v1")]));
        assert_eq!(envs(&t), vec![("base", "master"), ("qa", "v1")]);
        assert_eq!(t[1].mountpoint, "q");
        let white = opts(serde_json::json!({"gitfs_saltenv_whitelist": ["ba.e"], "gitfs_remotes": ["/r"]}));
        let t = remotes(&white).unwrap()[0].targets(&refs(&[(RefType::Branch, "master"), (RefType::Branch, "dev")]));
        assert_eq!(envs(&t), vec![("base", "master")]);
    }
}
