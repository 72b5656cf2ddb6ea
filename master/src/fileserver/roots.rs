//! The `roots` fileserver backend: files from `file_roots` on the master's
//! disk (through `brine_states::roots::Roots`). A file of one chunk is read
//! whole and hashed with sha256 on each request; a larger one is sent a
//! chunk at a time (seek and read), and its sha256 is remembered by (path,
//! size, mtime, ctime, inode) so that each chunk does not hash it again.
//!
//! `Roots` and the request handler refuse paths that leave the roots by
//! their text. A symlink in the roots to a file elsewhere is served, as
//! Salt does by default; with `fileserver_followsymlinks: False` this
//! backend refuses a file whose real path (links resolved) is outside them.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use brine_common::wire::{FileReply, FILE_CHUNK};
use brine_common::Map;
use brine_states::highstate::FileClient;
use brine_states::roots::Roots;
use sha2::{Digest, Sha256};

use super::dispatch::{chunk_range, past_end, too_large, Backend, MAX_FILE};
use super::hex_sha256;

/// Hashes of large files kept before the map is emptied and started again.
const MAX_HASHES: usize = 10_000;

/// What identifies one version of a file on disk.
type Stamp = (u64, i64, i64, i64, i64, u64);

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    (meta.len(), meta.mtime(), meta.mtime_nsec(), meta.ctime(), meta.ctime_nsec(), meta.ino())
}

/// `file_roots` as a fileserver backend.
pub struct RootsBackend {
    roots: Roots,
    hashes: Mutex<HashMap<PathBuf, (Stamp, String)>>,
    /// `fileserver_followsymlinks` (Salt's default: true).
    follow_links: bool,
}

impl RootsBackend {
    pub fn from_opts(opts: &Map) -> RootsBackend {
        let follow_links = opts.get("fileserver_followsymlinks").is_none_or(brine_common::Value::truthy);
        RootsBackend { roots: Roots::from_opts(opts, "file_roots"), hashes: Mutex::default(), follow_links }
    }

    /// The sha256 of a large file, from the cache while its stamp holds.
    fn large_hash(&self, local: &Path, meta: &std::fs::Metadata) -> std::io::Result<String> {
        let key = stamp(meta);
        let lock = || self.hashes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((s, h)) = lock().get(local) {
            if *s == key {
                return Ok(h.clone());
            }
        }
        let mut hasher = Sha256::new();
        std::io::copy(&mut std::fs::File::open(local)?, &mut hasher)?;
        let digest: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let after = std::fs::metadata(local)?;
        if stamp(&after) == key {
            let mut map = lock();
            if map.len() >= MAX_HASHES {
                map.clear();
            }
            map.insert(local.to_path_buf(), (key, digest.clone()));
        }
        Ok(digest)
    }

    /// The chunk at `offset` of a file larger than one chunk.
    fn large(&self, path: &str, local: &Path, meta: &std::fs::Metadata, hash: Option<&str>, offset: u64) -> Option<FileReply> {
        let size = meta.len();
        let digest = self.large_hash(local, meta).map_err(|e| log::warn!("reading {}: {e}", local.display())).ok()?;
        if offset == 0 && hash == Some(digest.as_str()) {
            return Some(FileReply::Unchanged);
        }
        let Some(range) = chunk_range(offset, size) else { return Some(past_end(path, offset, size)) };
        let mut buf = Vec::with_capacity((range.end - range.start) as usize);
        let read = std::fs::File::open(local).and_then(|mut f| {
            f.seek(SeekFrom::Start(range.start))?;
            f.take(range.end - range.start).read_to_end(&mut buf)
        });
        if let Err(e) = read {
            log::warn!("reading {}: {e}", local.display());
            return None;
        }
        let data = base64::engine::general_purpose::STANDARD.encode(&buf);
        Some(FileReply::Content { data, hash: digest, size: Some(size) })
    }
}

impl RootsBackend {
    /// Whether `local` may be served: always when links are followed (Salt's
    /// default), else only when its real path is inside one of the
    /// saltenv's roots (Salt's `clean_path` with `realpath`).
    fn inside_roots(&self, saltenv: &str, local: &Path) -> bool {
        if self.follow_links {
            return true;
        }
        let Ok(real) = local.canonicalize() else { return false };
        self.roots.roots(saltenv).iter().filter_map(|d| d.canonicalize().ok()).any(|root| real.starts_with(root))
    }
}

impl Backend for RootsBackend {
    fn name(&self) -> &'static str {
        "roots"
    }

    fn envs(&self) -> Vec<String> {
        self.roots.envs()
    }

    fn file_list(&self, saltenv: &str) -> Vec<String> {
        self.roots.file_list(saltenv)
    }

    fn file(&self, saltenv: &str, path: &str, hash: Option<&str>, offset: u64) -> Option<FileReply> {
        let local = self.roots.find_file(path, saltenv)?;
        if !self.inside_roots(saltenv, &local) {
            log::warn!("refused {path:?} (saltenv {saltenv:?}): it resolves to a file outside the file roots");
            return Some(FileReply::Refused { reason: format!("the path {path:?} is not inside the file roots") });
        }
        let meta = std::fs::metadata(&local).ok()?;
        if meta.len() > MAX_FILE {
            return Some(too_large(path, meta.len()));
        }
        if offset > 0 || meta.len() > FILE_CHUNK {
            return self.large(path, &local, &meta, hash, offset);
        }
        let data = std::fs::read(&local).ok()?;
        let digest = hex_sha256(&data);
        if hash == Some(digest.as_str()) {
            return Some(FileReply::Unchanged);
        }
        if data.len() as u64 > FILE_CHUNK {
            // It grew since its size was read: serve it in chunks.
            return self.large(path, &local, &std::fs::metadata(&local).ok()?, hash, offset);
        }
        Some(FileReply::Content { data: base64::engine::general_purpose::STANDARD.encode(&data), hash: digest, size: None })
    }

    fn update(&self) -> Vec<String> {
        Vec::new()
    }

    fn clear_cache(&self) -> (Vec<String>, Vec<String>) {
        (Vec::new(), Vec::new())
    }
}
