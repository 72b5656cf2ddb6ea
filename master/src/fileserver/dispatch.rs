//! `fileserver_backend`: the configured backends in order (default
//! `[roots]`), asked in that order for a file, first match wins, as Salt's
//! `salt.fileserver.Fileserver`; saltenvs and file lists are the union.
//! `backend=` arguments of the runners pick some of them by name.
//!
//! It must not know how a backend finds files.

use brine_common::wire::{FileReply, MAX_FRAME_LEN};
use brine_common::{Map, Value};

use super::gitfs::{ConfigError, GitFs};
use super::roots::RootsBackend;

/// The largest file sent in one frame (base64 grows it by a third).
pub const MAX_FILE: u64 = (MAX_FRAME_LEN as u64 / 4) * 3 - 4096;

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
    /// The file at `path` (already checked to stay inside the tree), or `None`
    /// when this backend has no such file and the next one is asked.
    fn file(&self, saltenv: &str, path: &str, hash: Option<&str>) -> Option<FileReply>;
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

    /// The file from the first backend that has it.
    pub fn file(&self, saltenv: &str, path: &str, hash: Option<&str>) -> FileReply {
        self.backends.iter().find_map(|b| b.file(saltenv, path, hash)).unwrap_or(FileReply::NotFound)
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
