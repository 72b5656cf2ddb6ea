//! The `gitfs` fileserver backend: every remote of `gitfs_remotes` is
//! fetched into a bare repository under `<cachedir>/gitfs/`, and files are
//! read straight from its object database at the tree of each saltenv's ref.
//!
//! Reads take an `Arc` of a remote's current snapshot (saltenv -> files) and
//! never wait for a fetch: an update fetches without any lock readers take,
//! builds a new snapshot and swaps it in. A remote that fails to fetch keeps
//! its last snapshot; the error is logged and returned. The sha256 the wire
//! carries and the base64 text sent are computed once per blob id (`cache`).
//!
//! It must not parse options (`config`), talk to libgit2 about fetching and
//! refs (`repo`), walk trees (`index`) or bound its caches (`cache`) itself.

mod cache;
mod config;
mod index;
pub(crate) mod repo;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use cache::BlobCache;

use base64::Engine;
use brine_common::wire::FileReply;
use brine_common::Map;
use brine_states::roots::Ignore;
use git2::{Oid, Repository};

pub use config::ConfigError;
use config::RemoteConf;
use index::EnvIndex;

use super::dispatch::{Backend, MAX_FILE};
use super::{hex_sha256, valid_saltenv};

/// The gitfs backend.
pub struct GitFs {
    remotes: Vec<Remote>,
    ignore: Ignore,
    cache: PathBuf,
    blobs: BlobCache,
    /// Held by an update or a cache clearing so that two never fetch into one repository at once; readers never take it.
    updating: Mutex<()>,
}

struct Remote {
    conf: RemoteConf,
    dir: PathBuf,
    readers: Mutex<Vec<Repository>>,
    snapshot: RwLock<Arc<Snapshot>>,
}

/// What one remote serves after a fetch.
#[derive(Default)]
struct Snapshot {
    envs: BTreeMap<String, Arc<EnvIndex>>,
    /// The same indexes by (tree, root, mountpoint), reused by the next update.
    built: HashMap<(Oid, String, String), Arc<EnvIndex>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl GitFs {
    /// The backend configured by `opts` (nothing is fetched yet).
    pub fn from_opts(opts: &Map) -> Result<GitFs, ConfigError> {
        let cache = brine_common::config::path_opt(opts, "cachedir", "/var/cache/salt/master").join("gitfs");
        let remotes = config::remotes(opts)?
            .into_iter()
            .map(|conf| Remote {
                dir: repo::cache_dir(&cache, conf.name.as_deref(), &conf.url),
                conf,
                readers: Mutex::default(),
                snapshot: RwLock::default(),
            })
            .collect();
        Ok(GitFs { remotes, ignore: Ignore::from_opts(opts), cache, blobs: BlobCache::default(), updating: Mutex::default() })
    }

    /// Fetch one remote and swap in what it now serves (the last fetch's refs if this one failed).
    fn update_remote(&self, r: &Remote) -> Result<(), repo::RepoError> {
        let repo = repo::open_or_init(&r.dir, &r.conf.url)?;
        let fetched = repo::fetch(&repo, &r.conf.url);
        let next = Arc::new(self.build(&repo, &r.conf, &r.snapshot()));
        *r.snapshot.write().unwrap_or_else(std::sync::PoisonError::into_inner) = next;
        fetched
    }

    fn build(&self, repo: &Repository, conf: &RemoteConf, old: &Snapshot) -> Snapshot {
        let mut next = Snapshot::default();
        for t in conf.targets(&repo::refs(repo)) {
            let Some(tree) = repo::tree_of(repo, &t.reference) else { continue };
            if !valid_saltenv(&t.env) {
                log::debug!("gitfs remote {}: ref {} is not usable as a saltenv name", conf.url, t.reference);
                continue;
            }
            let key = (tree, t.root.clone(), t.mountpoint.clone());
            let idx = old.built.get(&key).cloned().unwrap_or_else(|| {
                let idx = Arc::new(index::build(repo, tree, &t.root, &t.mountpoint, &self.ignore));
                self.warm(repo, &idx);
                idx
            });
            next.built.insert(key, idx.clone());
            next.envs.insert(t.env, idx);
        }
        next
    }

    /// Hash and encode the new blobs of `idx` while the cache has room, so
    /// that minions do not wait for zlib and delta resolution on first read.
    fn warm(&self, repo: &Repository, idx: &EnvIndex) {
        for id in idx.files.values() {
            if self.blobs.knows(*id) {
                continue;
            }
            let Ok(blob) = repo.find_blob(*id) else { continue };
            if !self.blobs.has_room(blob.size().div_ceil(3) * 4) {
                return;
            }
            if let Some((digest, body)) = encode(&blob) {
                self.blobs.insert(*id, &digest, &body);
            }
        }
    }

    /// The blob's sha256 and, unless the minion's `hash` is already it, its content.
    fn read(&self, r: &Remote, id: Oid, hash: Option<&str>) -> FileReply {
        let (known, body) = self.blobs.get(id);
        if known.is_some() && known.as_deref() == hash {
            return FileReply::Unchanged;
        }
        if let (Some(digest), Some(body)) = (known, body) {
            return FileReply::Content { data: body.to_string(), hash: digest };
        }
        let encoded = r.with_reader(|repo| repo.find_blob(id).ok().map(|blob| encode(&blob)));
        let (digest, body) = match encoded.flatten() {
            None => return FileReply::NotFound,
            Some(None) => return FileReply::Refused { reason: format!("the file is larger than {MAX_FILE} bytes") },
            Some(Some(d)) => d,
        };
        self.blobs.insert(id, &digest, &body);
        if hash == Some(digest.as_str()) {
            return FileReply::Unchanged;
        }
        FileReply::Content { data: body.to_string(), hash: digest }
    }
}

/// The blob's sha256 and base64 text; `None` when it is too large to send.
fn encode(blob: &git2::Blob) -> Option<(String, Arc<str>)> {
    if blob.size() as u64 > MAX_FILE {
        return None;
    }
    Some((hex_sha256(blob.content()), base64::engine::general_purpose::STANDARD.encode(blob.content()).into()))
}

impl Remote {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Run `f` with a repository handle from this remote's pool (opened when none is free).
    fn with_reader<T>(&self, f: impl FnOnce(&Repository) -> T) -> Option<T> {
        let pooled = lock(&self.readers).pop();
        let repo = match pooled {
            Some(r) => r,
            None => repo::open(&self.dir, &self.conf.url).map_err(|e| log::warn!("{e}")).ok()?,
        };
        let out = f(&repo);
        lock(&self.readers).push(repo);
        Some(out)
    }
}

impl Backend for GitFs {
    fn name(&self) -> &'static str {
        "gitfs"
    }

    fn envs(&self) -> Vec<String> {
        let mut envs: Vec<String> = self.remotes.iter().flat_map(|r| r.snapshot().envs.keys().cloned().collect::<Vec<_>>()).collect();
        envs.sort();
        envs.dedup();
        envs
    }

    fn file_list(&self, saltenv: &str) -> Vec<String> {
        let mut files: Vec<String> = Vec::new();
        for r in &self.remotes {
            if let Some(idx) = r.snapshot().envs.get(saltenv) {
                files.extend(idx.files.keys().cloned());
            }
        }
        files.sort();
        files.dedup();
        files
    }

    fn file(&self, saltenv: &str, path: &str, hash: Option<&str>) -> Option<FileReply> {
        self.remotes.iter().find_map(|r| {
            let id = r.snapshot().envs.get(saltenv)?.files.get(path).copied()?;
            Some(self.read(r, id, hash))
        })
    }

    fn update(&self) -> Vec<String> {
        let _one_at_a_time = lock(&self.updating);
        let errors: Vec<String> = self.remotes.iter().filter_map(|r| self.update_remote(r).err()).map(|e| e.to_string()).collect();
        for e in &errors {
            log::error!("{e}");
        }
        errors
    }

    fn clear_cache(&self) -> (Vec<String>, Vec<String>) {
        let _one_at_a_time = lock(&self.updating);
        for r in &self.remotes {
            lock(&r.readers).clear();
            *r.snapshot.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::default();
        }
        self.blobs.clear();
        match std::fs::remove_dir_all(&self.cache) {
            Ok(()) => (vec![format!("Removed {}", self.cache.display())], Vec::new()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), Vec::new()),
            Err(e) => (Vec::new(), vec![format!("removing {}: {e}", self.cache.display())]),
        }
    }
}
