//! The `roots` fileserver backend: files from `file_roots` on the master's
//! disk (through `brine_states::roots::Roots`), read whole and hashed with
//! sha256 on each request.
//!
//! `Roots` and the request handler refuse paths that leave the roots by
//! their text; this backend also refuses a file whose real path (symlinks
//! resolved) is outside them. It must not cache anything.

use std::path::Path;

use base64::Engine;
use brine_common::wire::FileReply;
use brine_common::Map;
use brine_states::highstate::FileClient;
use brine_states::roots::Roots;

use super::dispatch::{Backend, MAX_FILE};
use super::hex_sha256;

/// `file_roots` as a fileserver backend.
pub struct RootsBackend {
    roots: Roots,
}

impl RootsBackend {
    pub fn from_opts(opts: &Map) -> RootsBackend {
        RootsBackend { roots: Roots::from_opts(opts, "file_roots") }
    }
}

impl RootsBackend {
    /// Whether `local`, with every symlink resolved, is inside one of the
    /// saltenv's roots: a link in the roots to a file elsewhere on the
    /// master is not served (as Salt since its fix for CVE-2024-22232).
    fn inside_roots(&self, saltenv: &str, local: &Path) -> bool {
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

    fn file(&self, saltenv: &str, path: &str, hash: Option<&str>) -> Option<FileReply> {
        let local = self.roots.find_file(path, saltenv)?;
        if !self.inside_roots(saltenv, &local) {
            log::warn!("refused {path:?} (saltenv {saltenv:?}): it resolves to a file outside the file roots");
            return Some(FileReply::Refused { reason: format!("the path {path:?} is not inside the file roots") });
        }
        let meta = std::fs::metadata(&local).ok()?;
        if meta.len() > MAX_FILE {
            return Some(FileReply::Refused { reason: format!("{path} is larger than {MAX_FILE} bytes") });
        }
        let data = std::fs::read(&local).ok()?;
        let digest = hex_sha256(&data);
        if hash == Some(digest.as_str()) {
            return Some(FileReply::Unchanged);
        }
        Some(FileReply::Content { data: base64::engine::general_purpose::STANDARD.encode(&data), hash: digest })
    }

    fn update(&self) -> Vec<String> {
        Vec::new()
    }

    fn clear_cache(&self) -> (Vec<String>, Vec<String>) {
        (Vec::new(), Vec::new())
    }
}
