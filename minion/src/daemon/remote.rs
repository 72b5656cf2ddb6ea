//! Files, pillar and mine data from the master, for one job: a [`FileClient`] that
//! caches files under `<cachedir>/files/<saltenv>/` and asks with the hash
//! of the copy it has (so unchanged files are not sent again), and the
//! [`Sources`] a job's dispatch reads (with the [`Hook`] for `mine.get` and
//! the sending of `mine.update`'s data).
//!
//! Paths are checked here too before anything is asked or written: a path
//! that would leave the roots (or the cache) is refused locally.
//! It must not run anything; it blocks on the master's replies, so it lives
//! in job threads only.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use brine_common::wire::{FileReply, Reply, Request};
use brine_common::{Map, Value};
use brine_states::highstate::FileClient;
use brine_states::roots::safe_rel;
use brine_states::saltfns::{Hook, SaltFns};
use sha2::{Digest, Sha256};

use super::link::Link;
use super::{saltutil, Minion};
use crate::dispatch::Sources;

/// How long a job waits for one answer from the master.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A saltenv usable as a directory name.
fn valid_saltenv(env: &str) -> bool {
    !env.is_empty() && env != "." && !env.contains("..") && !env.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

fn hex_sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The master's fileserver, seen from one job.
pub struct RemoteFiles<'a> {
    link: &'a Link,
    cache: PathBuf,
    found: RefCell<HashMap<(String, String), Option<PathBuf>>>,
}

impl<'a> RemoteFiles<'a> {
    pub fn new(link: &'a Link, cachedir: &Path) -> Self {
        RemoteFiles { link, cache: cachedir.join("files"), found: RefCell::new(HashMap::new()) }
    }

    fn names(&self, request: Request) -> Vec<String> {
        match self.link.request_blocking(request, REQUEST_TIMEOUT) {
            Ok(Reply::Names { names }) => names,
            Ok(other) => {
                log::warn!("unexpected reply from the master: {other:?}");
                Vec::new()
            }
            Err(e) => {
                log::warn!("fileserver request failed: {e}");
                Vec::new()
            }
        }
    }

    fn fetch(&self, rel: &Path, rel_text: &str, saltenv: &str) -> Option<PathBuf> {
        let local = self.cache.join(saltenv).join(rel);
        let have = std::fs::read(&local).ok().map(|b| hex_sha256(&b));
        let request = Request::File { saltenv: saltenv.to_string(), path: rel_text.to_string(), hash: have };
        match self.link.request_blocking(request, REQUEST_TIMEOUT) {
            Ok(Reply::File(FileReply::Unchanged)) => local.is_file().then_some(local),
            Ok(Reply::File(FileReply::Content { data, hash })) => store(&local, &data, &hash),
            Ok(Reply::File(FileReply::NotFound)) => None,
            Ok(Reply::File(FileReply::Refused { reason })) => {
                log::warn!("the master refused salt://{rel_text}: {reason}");
                None
            }
            Ok(other) => {
                log::warn!("unexpected reply from the master: {other:?}");
                None
            }
            Err(e) => {
                log::warn!("cannot fetch salt://{rel_text}: {e}");
                None
            }
        }
    }
}

/// Write a received file into the cache after checking its hash.
fn store(local: &Path, data: &str, hash: &str) -> Option<PathBuf> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(data.as_bytes()).ok()?;
    if hex_sha256(&bytes) != hash {
        log::warn!("a file from the master does not match its hash: {}", local.display());
        return None;
    }
    let tmp = local.with_extension("brine-partial");
    let written = local
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&tmp, &bytes))
        .and_then(|_| std::fs::rename(&tmp, local));
    match written {
        Ok(()) => Some(local.to_path_buf()),
        Err(e) => {
            log::warn!("cannot cache {}: {e}", local.display());
            None
        }
    }
}

impl FileClient for RemoteFiles<'_> {
    fn envs(&self) -> Vec<String> {
        self.names(Request::Envs)
    }

    fn list_states(&self, saltenv: &str) -> Vec<String> {
        self.names(Request::ListStates { saltenv: saltenv.to_string() })
    }

    fn find_file(&self, rel: &str, saltenv: &str) -> Option<PathBuf> {
        let key = (saltenv.to_string(), rel.to_string());
        if let Some(hit) = self.found.borrow().get(&key) {
            return hit.clone();
        }
        let path = match safe_rel(rel) {
            Some(p) if valid_saltenv(saltenv) && !rel.contains('\0') => self.fetch(&p, rel, saltenv),
            _ => {
                log::warn!("refused salt://{rel} (saltenv {saltenv:?}): the path leaves the file roots");
                None
            }
        };
        self.found.borrow_mut().insert(key, path.clone());
        path
    }
}

/// Files and pillar of one job, from the master.
pub struct Remote<'a> {
    pub files: RemoteFiles<'a>,
    pub minion: &'a Arc<Minion>,
    /// The job this is for (`saltutil.running` leaves it out, as Salt skips its own process).
    pub jid: &'a str,
}

impl Remote<'_> {
    /// This minion's pillar as the master compiles it.
    pub fn fetch_pillar(&self, opts: &Map) -> Map {
        let env = |k: &str| opts.get(k).filter(|v| !v.is_null()).map(Value::py_str);
        let request = Request::Pillar { saltenv: env("saltenv"), pillarenv: env("pillarenv") };
        match self.minion.link.request_blocking(request, REQUEST_TIMEOUT) {
            Ok(Reply::Pillar { pillar }) => pillar,
            Ok(Reply::Error { message }) => pillar_error(message),
            Ok(other) => pillar_error(format!("unexpected reply: {other:?}")),
            Err(e) => pillar_error(e),
        }
    }
}

fn pillar_error(message: String) -> Map {
    let text = format!("Pillar could not be fetched from the master: {message}");
    Map::from_iter([("_errors".to_string(), Value::List(vec![Value::Str(text)]))])
}

impl Sources for Remote<'_> {
    fn files(&self) -> &dyn FileClient {
        &self.files
    }

    fn pillar(&self, opts: &Map, _saltfns: &SaltFns) -> Map {
        self.fetch_pillar(opts)
    }

    fn hook(&self) -> Option<Hook> {
        let (m, jid) = (self.minion.clone(), self.jid.to_string());
        Some(Rc::new(move |name: &str, args: &[Value], kwargs: &Map| match name {
            "mine.get" => Some(mine_get(&m.link, args, kwargs)),
            "mine.delete" => Some(mine_delete(&m.link, args, kwargs)),
            _ => saltutil::call(&m, &jid, name, args, kwargs),
        }))
    }

    fn mine_store(&self, data: Map, clear: bool) -> Result<Value, String> {
        ask(&self.minion.link, Request::MineUpdate { data, clear })
    }
}

/// Ask the master for a computed value.
fn ask(link: &Link, request: Request) -> Result<Value, String> {
    match link.request_blocking(request, REQUEST_TIMEOUT)? {
        Reply::Data { data } => Ok(data),
        Reply::Error { message } => Err(message),
        other => Err(format!("unexpected reply from the master: {other:?}")),
    }
}

/// `mine.delete(fun)`: the master forgets this minion's data of `fun`.
fn mine_delete(link: &Link, args: &[Value], kwargs: &Map) -> Result<Value, String> {
    let fun = args.first().or_else(|| kwargs.get("fun")).map(Value::py_str).ok_or("mine.delete() missing required argument: 'fun'")?;
    ask(link, Request::MineDelete { fun })
}

/// `mine.get(tgt, fun, tgt_type='glob')`, answered by the master.
fn mine_get(link: &Link, args: &[Value], kwargs: &Map) -> Result<Value, String> {
    let arg = |i: usize, name: &str| args.get(i).or_else(|| kwargs.get(name)).filter(|v| !v.is_null());
    let tgt = arg(0, "tgt").cloned().ok_or("mine.get() missing required argument: 'tgt'")?;
    let fun = arg(1, "fun").ok_or("mine.get() missing required argument: 'fun'")?;
    let fun = match fun {
        Value::List(l) => l.iter().map(Value::py_str).collect::<Vec<_>>().join(","),
        other => other.py_str(),
    };
    let tgt_type = arg(2, "tgt_type").map_or_else(|| "glob".to_string(), Value::py_str);
    ask(link, Request::MineGet { tgt, tgt_type, fun })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversals_are_refused_without_asking() {
        let link = Link::default();
        let files = RemoteFiles::new(&link, Path::new("/nonexistent-brine-cache"));
        assert!(files.find_file("../../etc/shadow", "base").is_none());
        assert!(files.find_file("/etc/shadow", "base").is_none());
        assert!(files.find_file("a", "../x").is_none());
        assert!(!valid_saltenv("a/b"));
        assert!(valid_saltenv("base"));
    }
}
