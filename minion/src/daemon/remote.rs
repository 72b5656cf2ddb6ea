//! Files, pillar and mine data from the master, for one job: a [`FileClient`] that
//! caches files under `<cachedir>/files/<saltenv>/` and asks with the hash
//! of the copy it has (so unchanged files are not sent again), receiving a
//! large file chunk by chunk into a temporary file that replaces the cached
//! copy only once the whole file's sha256 matches, and the
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
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
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
        let have = file_sha256(&local).ok();
        for attempt in 1..=2 {
            match self.transfer(&local, rel_text, saltenv, have.clone()) {
                Transfer::Done => return Some(local),
                Transfer::Unchanged => return local.is_file().then_some(local),
                Transfer::Failed => return None,
                Transfer::Changed(why) if attempt == 1 => {
                    log::warn!("salt://{rel_text} (saltenv {saltenv}) changed on the master while it was sent ({why}); fetching it again")
                }
                Transfer::Changed(why) => {
                    log::error!("cannot fetch salt://{rel_text} (saltenv {saltenv}): it changed on the master during two transfers in a row ({why})");
                }
            }
        }
        None
    }

    /// One transfer of a file, chunk after chunk, into a temporary file
    /// beside `local` that replaces it only once the whole file's sha256 matches.
    fn transfer(&self, local: &Path, rel_text: &str, saltenv: &str, have: Option<String>) -> Transfer {
        let mut part: Option<Partial> = None;
        let mut want: Option<(String, u64)> = None;
        let mut offset = 0u64;
        loop {
            let hash = if offset == 0 { have.clone() } else { None };
            let request = Request::File { saltenv: saltenv.to_string(), path: rel_text.to_string(), hash, offset: Some(offset) };
            let (data, hash, size) = match self.link.request_blocking(request, REQUEST_TIMEOUT) {
                Ok(Reply::File(FileReply::Content { data, hash, size })) => (data, hash, size),
                Ok(Reply::File(FileReply::Unchanged)) if offset == 0 => return Transfer::Unchanged,
                Ok(Reply::File(FileReply::NotFound)) if offset == 0 => return Transfer::Failed,
                Ok(Reply::File(FileReply::Refused { reason })) if offset == 0 => {
                    log::warn!("the master refused salt://{rel_text}: {reason}");
                    return Transfer::Failed;
                }
                Ok(Reply::File(other)) => return Transfer::Changed(format!("the master answered {other:?} at offset {offset}")),
                Ok(other) => {
                    log::warn!("unexpected reply from the master: {other:?}");
                    return Transfer::Failed;
                }
                Err(e) => {
                    log::warn!("cannot fetch salt://{rel_text}: {e}");
                    return Transfer::Failed;
                }
            };
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data.as_bytes()) else {
                log::warn!("cannot fetch salt://{rel_text}: the master sent bad base64");
                return Transfer::Failed;
            };
            let total = size.unwrap_or(offset + bytes.len() as u64);
            match &want {
                None => want = Some((hash, total)),
                Some((h, t)) if *h != hash || *t != total => return Transfer::Changed("its hash or size differs between chunks".into()),
                Some(_) => {}
            }
            if part.is_none() {
                match Partial::create(local) {
                    Ok(p) => part = Some(p),
                    Err(e) => {
                        log::warn!("cannot cache {}: {e}", local.display());
                        return Transfer::Failed;
                    }
                }
            }
            let Some(p) = part.as_mut() else { return Transfer::Failed };
            if let Err(e) = p.write(&bytes) {
                log::warn!("cannot cache {}: {e}", local.display());
                return Transfer::Failed;
            }
            offset += bytes.len() as u64;
            if offset > total || (bytes.is_empty() && offset < total) {
                return Transfer::Changed(format!("chunk at offset {offset} does not fit a file of {total} bytes"));
            }
            if offset == total {
                break;
            }
        }
        let (Some(p), Some((hash, _))) = (part, want) else { return Transfer::Failed };
        match p.finish(local, &hash) {
            Ok(true) => Transfer::Done,
            Ok(false) => Transfer::Changed("the assembled file does not match its sha256".into()),
            Err(e) => {
                log::warn!("cannot cache {}: {e}", local.display());
                Transfer::Failed
            }
        }
    }
}

/// How one transfer of a file ended.
enum Transfer {
    /// The file is in the cache, checked against its hash.
    Done,
    /// The cached copy has the master's hash.
    Unchanged,
    /// The file changed on the master during the transfer (why): worth one more try.
    Changed(String),
    /// Missing, refused or not writable (already logged).
    Failed,
}

/// A file being received: a temporary file beside its destination, hashed
/// as it is written, removed unless it is renamed into place.
struct Partial {
    path: PathBuf,
    file: Option<std::fs::File>,
    hasher: Sha256,
}

impl Partial {
    fn create(local: &Path) -> std::io::Result<Partial> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = local.parent().ok_or_else(|| std::io::Error::other("no parent directory"))?;
        std::fs::create_dir_all(dir)?;
        let name = local.file_name().unwrap_or_default().to_string_lossy();
        let path = dir.join(format!(".{name}.{}.{}.partial", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        Ok(Partial { path, file: Some(file), hasher: Sha256::new() })
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.file.as_mut().ok_or_else(|| std::io::Error::other("already closed"))?.write_all(bytes)
    }

    /// Rename it to `local` when its sha256 is `hash`: whether it was.
    fn finish(mut self, local: &Path, hash: &str) -> std::io::Result<bool> {
        let digest: String = std::mem::take(&mut self.hasher).finalize().iter().map(|b| format!("{b:02x}")).collect();
        if digest != hash {
            return Ok(false);
        }
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        std::fs::rename(&self.path, local)?;
        self.path = PathBuf::new();
        Ok(true)
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The sha256 of a file, read in pieces.
fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
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
            "cp.get_file" | "cp.cache_file" | "cp.list_master" | "cp.list_master_dirs" => Some(cp_call(&m, name, args, kwargs)),
            _ => saltutil::call(&m, &jid, name, args, kwargs),
        }))
    }

    fn mine_store(&self, data: Map, clear: bool) -> Result<Value, String> {
        ask(&self.minion.link, Request::MineUpdate { data, clear })
    }
}

/// A `cp.*` function with the master's fileserver as its file client.
fn cp_call(m: &Minion, name: &str, args: &[Value], kwargs: &Map) -> Result<Value, String> {
    let files = RemoteFiles::new(&m.link, &m.cachedir);
    let kwargs: Map = kwargs.iter().filter(|(k, _)| !k.starts_with("__")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let (pillar, runner) = (Map::default(), brine_modules::SystemRunner);
    let backends = brine_modules::Backends { files: Some(&files), ..brine_modules::Backends::default() };
    let ctx = brine_modules::Ctx::new(&m.opts, &m.grains, &pillar, &runner).with_backends(backends);
    brine_modules::call(name, args, &kwargs, &ctx).map_err(|e| e.to_string())
}

impl brine_modules::cp::FileSource for RemoteFiles<'_> {
    fn find_file(&self, rel: &str, saltenv: &str) -> Option<PathBuf> {
        FileClient::find_file(self, rel, saltenv)
    }

    fn list_files(&self, saltenv: &str) -> Vec<String> {
        self.names(Request::FileList { saltenv: saltenv.to_string() })
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
    use brine_common::wire::ToMaster;

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

    /// A master on a thread that answers file requests with `serve(n, offset, hash)` (n counts requests).
    fn fake_master(link: &Arc<Link>, mut serve: impl FnMut(usize, u64, Option<String>) -> FileReply + Send + 'static) -> std::thread::JoinHandle<()> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        link.attach(tx);
        let link = link.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while let Some(ToMaster::Request { req, request: Request::File { offset, hash, .. } }) = rx.blocking_recv() {
                link.deliver(req, Reply::File(serve(n, offset.expect("an offset"), hash)));
                n += 1;
            }
        })
    }

    /// The chunk at `offset` of `body`, in chunks of 4 bytes.
    fn chunk_of(body: &[u8], offset: u64, have: Option<String>) -> FileReply {
        let hash: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
        if offset == 0 && have.as_deref() == Some(hash.as_str()) {
            return FileReply::Unchanged;
        }
        let start = (offset as usize).min(body.len());
        let end = (start + 4).min(body.len());
        let data = base64::engine::general_purpose::STANDARD.encode(&body[start..end]);
        FileReply::Content { data, hash, size: Some(body.len() as u64) }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("brine-remote-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir).map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default()
    }

    #[test]
    fn a_file_that_changes_mid_transfer_is_fetched_again() {
        let dir = scratch("retry");
        let link = Arc::new(Link::default());
        let (old, new) = (b"first version of the file".to_vec(), b"the second, longer version of the file".to_vec());
        let want = new.clone();
        let master = fake_master(&link, move |n, offset, have| chunk_of(if n < 2 { &old } else { &new }, offset, have));
        let files = RemoteFiles::new(&link, &dir);
        let got = files.find_file("a.bin", "base").expect("the second transfer succeeds");
        assert_eq!(std::fs::read(&got).unwrap(), want);
        assert_eq!(leftovers(&dir.join("files/base")), vec!["a.bin".to_string()]);
        // Asked again with the cached copy's hash, the master says unchanged.
        let again = RemoteFiles::new(&link, &dir);
        assert_eq!(again.find_file("a.bin", "base"), Some(got));
        link.detach();
        master.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_keeps_changing_fails_without_a_partial_copy() {
        let dir = scratch("unstable");
        let link = Arc::new(Link::default());
        std::fs::create_dir_all(dir.join("files/base")).unwrap();
        std::fs::write(dir.join("files/base/a.bin"), "cached").unwrap();
        let master = fake_master(&link, |n, offset, have| chunk_of(format!("version {n} of a file").as_bytes(), offset, have));
        let files = RemoteFiles::new(&link, &dir);
        assert_eq!(files.find_file("a.bin", "base"), None);
        assert_eq!(std::fs::read_to_string(dir.join("files/base/a.bin")).unwrap(), "cached", "the cached copy was touched");
        assert_eq!(leftovers(&dir.join("files/base")), vec!["a.bin".to_string()]);
        link.detach();
        master.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_file_arrives_in_one_reply() {
        let dir = scratch("empty");
        let link = Arc::new(Link::default());
        let master = fake_master(&link, |_, offset, have| chunk_of(b"", offset, have));
        let files = RemoteFiles::new(&link, &dir);
        let got = files.find_file("e", "base").expect("an empty file");
        assert_eq!(std::fs::read(&got).unwrap(), b"");
        link.detach();
        master.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
