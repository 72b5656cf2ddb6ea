//! The `gitfs` fileserver backend: every remote of `gitfs_remotes` is
//! fetched into a bare repository under `<cachedir>/gitfs/`, and files are
//! read straight from its object database at the tree of each saltenv's ref.
//!
//! Reads take an `Arc` of a remote's current snapshot (saltenv -> files) and
//! never wait for a fetch: an update fetches without any lock readers take,
//! builds a new snapshot and swaps it in. A remote that fails to fetch keeps
//! its last snapshot; the error is logged and returned. The sha256 the wire
//! carries and the base64 text sent are computed once per blob id (`cache`).
//! A blob larger than one chunk is sent a chunk at a time; the last such
//! blob read is kept (raw) so that its later chunks do not inflate it again.
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
use brine_common::wire::{FileReply, FILE_CHUNK};
use brine_common::Map;
use brine_states::roots::Ignore;
use git2::{Oid, Repository};

pub use config::ConfigError;
use config::RemoteConf;
use index::EnvIndex;

use super::dispatch::{chunk_range, past_end, too_large, Backend, MAX_FILE};
use super::{hex_sha256, valid_saltenv};

/// The gitfs backend.
pub struct GitFs {
    remotes: Vec<Remote>,
    ignore: Ignore,
    cache: PathBuf,
    blobs: BlobCache,
    /// Held by an update or a cache clearing so that two never fetch into one repository at once; readers never take it.
    updating: Mutex<()>,
    /// The last blob larger than one chunk that was read, for its next chunks.
    large: Mutex<Option<(Oid, Arc<[u8]>)>>,
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
        Ok(GitFs { remotes, ignore: Ignore::from_opts(opts), cache, blobs: BlobCache::default(), updating: Mutex::default(), large: Mutex::default() })
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
            if blob.size() as u64 > FILE_CHUNK {
                continue;
            }
            if !self.blobs.has_room(blob.size().div_ceil(3) * 4) {
                return;
            }
            let (digest, body) = encode(&blob);
            self.blobs.insert(*id, &digest, &body);
        }
    }

    /// The blob's sha256 and, unless the minion's `hash` is already it, its
    /// content from `offset` (all of it when it fits in one chunk).
    fn read(&self, r: &Remote, path: &str, id: Oid, hash: Option<&str>, offset: u64) -> FileReply {
        let (known, body) = self.blobs.get(id);
        if offset == 0 && known.is_some() && known.as_deref() == hash {
            return FileReply::Unchanged;
        }
        if let (0, Some(digest), Some(body)) = (offset, &known, body) {
            return FileReply::Content { data: body.to_string(), hash: digest.clone(), size: None };
        }
        let held = lock(&self.large).as_ref().filter(|(held, _)| *held == id).map(|(_, bytes)| bytes.clone());
        if let (Some(digest), Some(bytes)) = (&known, held) {
            return chunk(path, &bytes, digest, offset);
        }
        let read = r.with_reader(|repo| {
            let blob = repo.find_blob(id).ok()?;
            let size = blob.size() as u64;
            if size > MAX_FILE {
                return Some(Err(too_large(path, size)));
            }
            if size <= FILE_CHUNK && offset == 0 {
                return Some(Ok(Read::Whole(encode(&blob))));
            }
            let digest = known.clone().unwrap_or_else(|| hex_sha256(blob.content()));
            Some(Ok(Read::Large(digest, blob.content().into())))
        });
        match read.flatten() {
            None => FileReply::NotFound,
            Some(Err(refused)) => refused,
            Some(Ok(Read::Whole((digest, body)))) => {
                self.blobs.insert(id, &digest, &body);
                if hash == Some(digest.as_str()) {
                    return FileReply::Unchanged;
                }
                FileReply::Content { data: body.to_string(), hash: digest, size: None }
            }
            Some(Ok(Read::Large(digest, bytes))) => {
                self.blobs.insert_hash(id, &digest);
                if offset == 0 && hash == Some(digest.as_str()) {
                    return FileReply::Unchanged;
                }
                *lock(&self.large) = Some((id, bytes.clone()));
                chunk(path, &bytes, &digest, offset)
            }
        }
    }
}

/// What one read of a blob gave.
enum Read {
    /// A blob of one chunk: its sha256 and base64 text.
    Whole((String, Arc<str>)),
    /// A larger blob (or a later chunk): its sha256 and raw bytes.
    Large(String, Arc<[u8]>),
}

/// The chunk at `offset` of a blob's bytes.
fn chunk(path: &str, bytes: &[u8], digest: &str, offset: u64) -> FileReply {
    let size = bytes.len() as u64;
    let Some(range) = chunk_range(offset, size) else { return past_end(path, offset, size) };
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes[range.start as usize..range.end as usize]);
    FileReply::Content { data, hash: digest.to_string(), size: Some(size) }
}

/// The blob's sha256 and base64 text.
fn encode(blob: &git2::Blob) -> (String, Arc<str>) {
    (hex_sha256(blob.content()), base64::engine::general_purpose::STANDARD.encode(blob.content()).into())
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

    fn file(&self, saltenv: &str, path: &str, hash: Option<&str>, offset: u64) -> Option<FileReply> {
        self.remotes.iter().find_map(|r| {
            let id = r.snapshot().envs.get(saltenv)?.files.get(path).copied()?;
            Some(self.read(r, path, id, hash, offset))
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
        *lock(&self.large) = None;
        match std::fs::remove_dir_all(&self.cache) {
            Ok(()) => (vec![format!("Removed {}", self.cache.display())], Vec::new()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), Vec::new()),
            Err(e) => (Vec::new(), vec![format!("removing {}: {e}", self.cache.display())]),
        }
    }
}
