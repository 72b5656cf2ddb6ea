//! `git_pillar`: pillar from git branches, as Salt's `ext_pillar: - git:`
//! (`"branch url"` entries, or `{"branch url": [{root: x}, {env: y}, ...]}`).
//! Each remote is fetched into a bare repository under
//! `<cachedir>/git_pillar/`; the branch's tree is written out to a folder
//! named after its tree id (pillar rendering reads files from disk), and the
//! pillar is compiled from that folder's `top.sls` for the branch's saltenv
//! (`base` for `git_pillar_base`, default `master`) and merged over the
//! `pillar_roots` pillar. A failed fetch keeps the last tree.
//!
//! It must not serve files to minions or decide which minion gets pillar.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use brine_common::{Map, Value};
use brine_states::roots::{safe_rel, Roots};
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::fileserver::repo;

const AUTH_KEYS: &[&str] = &["user", "password", "pubkey", "privkey", "passphrase", "insecure_auth", "name"];

#[derive(Debug, thiserror::Error)]
pub enum GitPillarError {
    #[error("git_pillar: {0:?} is not \"branch url\" or a single-key map of it")]
    BadEntry(String),
    #[error("git_pillar remote {url}: invalid per-remote parameter {key:?}")]
    UnknownKey { url: String, key: String },
    #[error(transparent)]
    Repo(#[from] repo::RepoError),
    #[error("git_pillar remote {url}: no branch {branch}")]
    NoBranch { url: String, branch: String },
    #[error("git_pillar remote {url}: writing {path}: {source}")]
    Write { url: String, path: String, source: std::io::Error },
}

/// One `git:` remote.
struct Source {
    branch: String,
    url: String,
    root: String,
    env: String,
    repo_dir: PathBuf,
    /// The folder the branch's tree was last written to.
    current: RwLock<Option<PathBuf>>,
    /// The folder before it, removed at the next change (a pillar compile may still read it).
    retired: Mutex<Option<PathBuf>>,
}

/// Every `git:` remote of `ext_pillar`, in order.
#[derive(Default)]
pub struct GitPillar {
    sources: Vec<Source>,
    updating: Mutex<()>,
}

impl GitPillar {
    /// The remotes `opts` configure (nothing fetched yet).
    pub fn from_opts(opts: &Map) -> Result<GitPillar, GitPillarError> {
        let cache = brine_common::config::path_opt(opts, "cachedir", "/var/cache/salt/master").join("git_pillar");
        let base = opts.get("git_pillar_base").filter(|v| !v.is_null()).map_or_else(|| "master".into(), Value::py_str);
        let entries: Vec<Value> = match opts.get("ext_pillar") {
            Some(Value::List(l)) => l.iter().filter_map(|e| e.get("git")).flat_map(|g| g.as_list().unwrap_or_default().to_vec()).collect(),
            _ => Vec::new(),
        };
        let sources = entries.iter().map(|e| source(e, &base, &cache)).collect::<Result<_, _>>()?;
        Ok(GitPillar { sources, updating: Mutex::default() })
    }

    /// Fetch every remote and write out its branch; the errors met.
    pub fn update(&self) -> Vec<String> {
        let _one_at_a_time = self.updating.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let errors: Vec<String> = self.sources.iter().filter_map(|s| s.update().err()).map(|e| e.to_string()).collect();
        for e in &errors {
            log::error!("{e}");
        }
        errors
    }

    /// The pillar of a minion from every remote, merged over `pillar` in order.
    pub fn merge_into(&self, pillar: &mut Map, compile: impl Fn(&Roots) -> Map) {
        for s in &self.sources {
            let current = s.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            let Some(dir) = current else { continue };
            let top = if s.root.is_empty() { dir } else { dir.join(&s.root) };
            let roots_opts = Map::from_iter([(
                "pillar_roots".to_string(),
                Value::Map(Map::from_iter([(s.env.clone(), Value::List(vec![Value::Str(top.display().to_string())]))])),
            )]);
            brine_states::pillar::merge_recurse(pillar, &compile(&Roots::from_opts(&roots_opts, "pillar_roots")));
        }
    }
}

fn source(entry: &Value, base: &str, cache: &Path) -> Result<Source, GitPillarError> {
    let (spec, params) = match entry {
        Value::Str(s) => (s.clone(), Map::default()),
        Value::Map(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().ok_or_else(|| GitPillarError::BadEntry(entry.py_repr()))?;
            let params = v.as_list().unwrap_or_default().iter().filter_map(Value::as_map).flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
            (k.clone(), params)
        }
        _ => return Err(GitPillarError::BadEntry(entry.py_repr())),
    };
    let words: Vec<&str> = spec.split_whitespace().collect();
    let (branch, url) = match words.as_slice() {
        [url] => (base.to_string(), url.to_string()),
        [branch, url] => (branch.to_string(), url.to_string()),
        _ => return Err(GitPillarError::BadEntry(spec)),
    };
    let mut s = Source {
        env: if branch == base { "base".into() } else { branch.clone() },
        repo_dir: cache.join(&crate::fileserver::hex_sha256(url.as_bytes())[..24]),
        branch,
        url,
        root: String::new(),
        current: RwLock::default(),
        retired: Mutex::default(),
    };
    for (key, value) in params {
        match key.as_str() {
            "root" => s.root = value.py_str().trim_matches('/').to_string(),
            "env" => s.env = value.py_str(),
            k if AUTH_KEYS.contains(&k) => {}
            _ => return Err(GitPillarError::UnknownKey { url: s.url, key }),
        }
    }
    Ok(s)
}

impl Source {
    fn update(&self) -> Result<(), GitPillarError> {
        let repo = repo::open_or_init(&self.repo_dir, &self.url)?;
        let fetched = repo::fetch(&repo, &self.url);
        let tree = repo::tree_of(&repo, &self.branch).ok_or_else(|| GitPillarError::NoBranch { url: self.url.clone(), branch: self.branch.clone() });
        if let Ok(tree) = tree {
            let dir = self.repo_dir.with_extension(tree.to_string());
            if !dir.is_dir() {
                self.write_out(&repo, tree, &dir)?;
            }
            let old = self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner).replace(dir.clone());
            if let Some(old) = old.filter(|o| *o != dir) {
                let mut retired = self.retired.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(gone) = retired.replace(old).filter(|g| *g != dir) {
                    let _ = std::fs::remove_dir_all(gone);
                }
            }
        }
        fetched?;
        tree.map(|_| ())
    }

    /// Write the tree's regular files into `dir` (through a temporary folder; links are left out).
    fn write_out(&self, repo: &Repository, tree: Oid, dir: &Path) -> Result<(), GitPillarError> {
        let tmp = dir.with_extension("tmp");
        let err = |path: &Path| {
            let (url, path) = (self.url.clone(), path.display().to_string());
            move |source| GitPillarError::Write { url, path, source }
        };
        let _ = std::fs::remove_dir_all(&tmp);
        let mut files = Vec::new();
        let tree = repo.find_tree(tree).map_err(|source| repo::RepoError::Git { url: self.url.clone(), what: "reading the tree", source })?;
        let _ = tree.walk(TreeWalkMode::PreOrder, |at, entry| {
            if entry.kind() == Some(ObjectType::Blob) && entry.filemode() != 0o120000 {
                if let Ok(name) = entry.name() {
                    files.push((format!("{at}{name}"), entry.id()));
                }
            }
            TreeWalkResult::Ok
        });
        for (rel, id) in files.into_iter().filter(|(rel, _)| safe_rel(rel).is_some()) {
            let Ok(blob) = repo.find_blob(id) else { continue };
            let path = tmp.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(err(parent))?;
            }
            std::fs::write(&path, blob.content()).map_err(err(&path))?;
        }
        std::fs::create_dir_all(&tmp).map_err(err(&tmp))?;
        std::fs::rename(&tmp, dir).map_err(err(dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entry: serde_json::Value) -> Result<Source, GitPillarError> {
        source(&Value::from_json(&entry), "master", Path::new("/c"))
    }

    #[test]
    fn remotes_as_salt_writes_them() {
        let plain = parse(serde_json::json!("dev file:///r")).unwrap();
        assert_eq!((plain.branch.as_str(), plain.url.as_str(), plain.env.as_str()), ("dev", "file:///r", "dev"));
        let base = parse(serde_json::json!("/r")).unwrap();
        assert_eq!((base.branch.as_str(), base.env.as_str()), ("master", "base"));
        let params = parse(serde_json::json!({"master /r": [{"root": "/pillar/"}, {"env": "prod"}, {"user": "u"}]})).unwrap();
        assert_eq!((params.root.as_str(), params.env.as_str()), ("pillar", "prod"));
        assert!(matches!(parse(serde_json::json!({"master /r": [{"colour": 1}]})), Err(GitPillarError::UnknownKey { .. })));
        assert!(matches!(parse(serde_json::json!("a b c")), Err(GitPillarError::BadEntry(_))));
    }

    #[test]
    fn only_git_entries_of_ext_pillar_are_read() {
        let opts = match Value::from_json(&serde_json::json!({
            "cachedir": "/c", "ext_pillar": [{"cmd_yaml": "x"}, {"git": ["master /a", "dev /b"]}]
        })) {
            Value::Map(m) => m,
            _ => Map::default(),
        };
        let gp = GitPillar::from_opts(&opts).unwrap();
        let urls: Vec<&str> = gp.sources.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(urls, vec!["/a", "/b"]);
        assert!(gp.sources[0].repo_dir.starts_with("/c/git_pillar"));
    }
}
