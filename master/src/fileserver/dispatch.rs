//! `fileserver_backend`: the configured backends in order (default
//! `[roots]`), asked in that order for a file, first match wins, as Salt's
//! `salt.fileserver.Fileserver`; saltenvs and file lists are the union.
//! `backend=` arguments of the runners pick some of them by name.
//!
//! It must not know how a backend finds files.

use brine_common::wire::{FileReply, FILE_CHUNK};
use brine_common::{Map, Value};

use super::gitfs::{ConfigError, GitFs};
use super::roots::RootsBackend;

/// The largest file served; it travels in chunks of [`FILE_CHUNK`] bytes.
pub const MAX_FILE: u64 = 4 << 30;

/// The bytes of a file of `size` bytes that the chunk at `offset` carries,
/// or `None` when `offset` lies past the end. An empty file has one empty
/// chunk at offset 0.
pub fn chunk_range(offset: u64, size: u64) -> Option<std::ops::Range<u64>> {
    (offset <= size).then(|| offset..size.min(offset.saturating_add(FILE_CHUNK)))
}

/// The refusal for a file larger than [`MAX_FILE`].
pub fn too_large(path: &str, size: u64) -> FileReply {
    FileReply::Refused { reason: format!("{path} is {size} bytes, larger than the {MAX_FILE} bytes the fileserver serves") }
}

/// The refusal for an offset past the end of the file (it changed since the transfer began).
pub fn past_end(path: &str, offset: u64, size: u64) -> FileReply {
    FileReply::Refused { reason: format!("offset {offset} is past the end of {path} ({size} bytes); the file changed during the transfer") }
}

#[derive(Debug, thiserror::Error)]
pub enum FileserverError {
    #[error(transparent)]
    Gitfs(#[from] ConfigError),
}

/// One fileserver backend.
pub trait Backend: Send + Sync {
    /// Its name in `fileserver_backend`.
    fn name(&self) -> &'static str;
    /// The saltenvs it serves.
    fn envs(&self) -> Vec<String>;
    /// Its files in `saltenv`, sorted.
    fn file_list(&self, saltenv: &str) -> Vec<String>;
    /// The chunk at `offset` of the file at `path` (already checked to stay
    /// inside the tree), or `None` when this backend has no such file and the
    /// next one is asked. `Unchanged` when `offset` is 0 and the file's sha256 is `hash`.
    fn file(&self, saltenv: &str, path: &str, hash: Option<&str>, offset: u64) -> Option<FileReply>;
    /// Bring it up to date; the errors met.
    fn update(&self) -> Vec<String>;
    /// Drop what it caches: (what was cleared, errors).
    fn clear_cache(&self) -> (Vec<String>, Vec<String>);
}

/// The backends of `fileserver_backend`, in order.
pub struct Fileserver {
    backends: Vec<Box<dyn Backend>>,
}

impl Fileserver {
    /// The backends `opts` configure (unknown names are logged and skipped, as Salt does).
    pub fn from_opts(opts: &Map) -> Result<Fileserver, FileserverError> {
        let names = match opts.get("fileserver_backend") {
            Some(Value::List(l)) => l.iter().map(Value::py_str).collect(),
            Some(Value::Str(s)) => s.split(',').map(|p| p.trim().to_string()).collect(),
            _ => vec!["roots".to_string()],
        };
        let mut backends: Vec<Box<dyn Backend>> = Vec::new();
        for name in names {
            match name.as_str() {
                "roots" => backends.push(Box::new(RootsBackend::from_opts(opts))),
                "gitfs" | "git" => backends.push(Box::new(GitFs::from_opts(opts)?)),
                other => log::error!("fileserver backend {other:?} is not available; it is skipped"),
            }
        }
        Ok(Fileserver { backends })
    }

    /// The backends named in `pick` (comma-separated; all when `None`).
    fn selected<'a>(&'a self, pick: Option<&'a str>) -> impl Iterator<Item = &'a dyn Backend> + 'a {
        let wanted = move |name: &str| pick.is_none_or(|p| p.split(',').any(|w| w.trim() == name || (w.trim() == "git" && name == "gitfs")));
        self.backends.iter().map(Box::as_ref).filter(move |b| wanted(b.name()))
    }

    /// Every saltenv, `base` first, the rest sorted.
    pub fn envs(&self, pick: Option<&str>) -> Vec<String> {
        let mut envs: Vec<String> = self.selected(pick).flat_map(|b| b.envs()).collect();
        envs.sort_by(|a, b| (a != "base", a).cmp(&(b != "base", b)));
        envs.dedup();
        envs
    }

    /// Every file of `saltenv`, sorted, without duplicates.
    pub fn file_list(&self, saltenv: &str, pick: Option<&str>) -> Vec<String> {
        let mut files: Vec<String> = self.selected(pick).flat_map(|b| b.file_list(saltenv)).collect();
        files.sort();
        files.dedup();
        files
    }

    /// The chunk at `offset` of the file from the first backend that has it.
    pub fn file(&self, saltenv: &str, path: &str, hash: Option<&str>, offset: u64) -> FileReply {
        self.backends.iter().find_map(|b| b.file(saltenv, path, hash, offset)).unwrap_or(FileReply::NotFound)
    }

    /// Update the picked backends; the errors, each prefixed with its backend.
    pub fn update(&self, pick: Option<&str>) -> Vec<String> {
        self.selected(pick).flat_map(|b| b.update().into_iter().map(move |e| format!("{}: {e}", b.name()))).collect()
    }

    /// Clear the picked backends' caches: (cleared, errors).
    pub fn clear_cache(&self, pick: Option<&str>) -> (Vec<String>, Vec<String>) {
        let (mut cleared, mut errors) = (Vec::new(), Vec::new());
        for b in self.selected(pick) {
            let (c, e) = b.clear_cache();
            cleared.extend(c);
            errors.extend(e);
        }
        (cleared, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_a_file_exactly_once() {
        let c = FILE_CHUNK;
        assert_eq!(chunk_range(0, 0), Some(0..0), "an empty file is one empty chunk");
        assert_eq!(chunk_range(1, 0), None);
        assert_eq!(chunk_range(0, 10), Some(0..10));
        assert_eq!(chunk_range(0, c), Some(0..c), "exactly one chunk");
        assert_eq!(chunk_range(c, c), Some(c..c), "nothing is left after the boundary");
        assert_eq!(chunk_range(c, c + 1), Some(c..c + 1));
        assert_eq!(chunk_range(c + 2, c + 1), None);
        assert_eq!(chunk_range(u64::MAX - 1, u64::MAX), Some(u64::MAX - 1..u64::MAX), "no overflow");
        for size in [1, c - 1, c, c + 1, 2 * c, 10 * c + 7] {
            let (mut at, mut n) = (0, 0);
            loop {
                let r = chunk_range(at, size).unwrap();
                assert!(r.end - r.start <= c);
                n += 1;
                at = r.end;
                if at == size {
                    break;
                }
            }
            assert_eq!(n, size.div_ceil(c), "chunks of a {size}-byte file");
        }
    }
}
