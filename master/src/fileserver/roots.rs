//! The `roots` fileserver backend: files from `file_roots` on the master's
//! disk (through `brine_states::roots::Roots`), read whole and hashed with
//! sha256 on each request.
//!
//! It must not check paths for escapes itself (`Roots` and the request
//! handler do) or cache anything.

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
