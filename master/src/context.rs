//! Everything a running master shares between its tasks: options, PKI,
//! its key, the connected minions, the data and job caches, the fileserver
//! backends, pillar roots and git_pillar remotes, and the CLIs waiting for returns.
//!
//! It must not serve connections itself: `listener`, `session` and
//! `cliserver` do.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use brine_common::config;
use brine_common::wire::JobReturn;
use brine_common::{Map, Value};
use brine_common::daemon::keys;
use brine_states::roots::Roots;
use ed25519_dalek::SigningKey;
use tokio::sync::mpsc;

use crate::fileserver::{Fileserver, FileserverError};
use crate::git_pillar::{GitPillar, GitPillarError};
use crate::jobcache::{JobCache, JobCacheError};
use crate::minion_data::DataCache;
use crate::pki::{AutoSign, Pki, PkiError};
use crate::registry::Registry;

#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    #[error(transparent)]
    Daemon(#[from] brine_common::daemon::DaemonError),
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error(transparent)]
    JobCache(#[from] JobCacheError),
    #[error(transparent)]
    Fileserver(#[from] FileserverError),
    #[error(transparent)]
    GitPillar(#[from] GitPillarError),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
}

/// The shared state of a running master.
pub struct Master {
    pub opts: Map,
    pub pki: Pki,
    pub autosign: AutoSign,
    pub key: SigningKey,
    pub registry: Registry,
    pub data: DataCache,
    pub jobs: Arc<JobCache>,
    pub files: Fileserver,
    pub pillar_files: Roots,
    pub git_pillar: GitPillar,
    pub waiters: Waiters,
}

pub use brine_common::config::{int_opt, path_opt};

impl Master {
    /// Prepare a master from its options: PKI directories, key (created on first start), caches.
    /// It blocks (the job cache may connect to PostgreSQL): call it outside async tasks.
    pub fn load(opts: Map) -> Result<Master, MasterError> {
        let pki = Pki::new(&path_opt(&opts, "pki_dir", "/etc/salt/pki/master"));
        pki.ensure_dirs()?;
        let key = keys::load_or_create(pki.dir(), "master")?;
        let cachedir = path_opt(&opts, "cachedir", "/var/cache/salt/master");
        let jobs = Arc::new(JobCache::from_opts(&opts)?);
        let data = DataCache::open(cachedir.join("minions"));
        let root = opts.get("root_dir").map(Value::py_str).unwrap_or_else(|| "/".into());
        let autosign = AutoSign {
            auto_accept: opts.get("auto_accept").is_some_and(Value::truthy),
            autosign_file: opts
                .get("autosign_file")
                .and_then(Value::as_str)
                .map(|f| PathBuf::from(config::under_root(&root, f))),
        };
        let files = Fileserver::from_opts(&opts)?;
        let mut pillar_opts = opts.clone();
        pillar_opts.shift_remove("file_ignore_regex");
        pillar_opts.shift_remove("file_ignore_glob");
        let pillar_files = Roots::from_opts(&pillar_opts, "pillar_roots");
        let git_pillar = GitPillar::from_opts(&opts)?;
        Ok(Master { opts, pki, autosign, key, registry: Registry::default(), data, jobs, files, pillar_files, git_pillar, waiters: Waiters::default() })
    }
}

/// CLIs waiting for the returns of a job, by jid.
#[derive(Default)]
pub struct Waiters {
    by_jid: Mutex<HashMap<String, mpsc::UnboundedSender<JobReturn>>>,
}

impl Waiters {
    /// Start listening for the returns of `jid`.
    pub fn subscribe(&self, jid: &str) -> mpsc::UnboundedReceiver<JobReturn> {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut w) = self.by_jid.lock() {
            w.insert(jid.to_string(), tx);
        }
        rx
    }

    pub fn unsubscribe(&self, jid: &str) {
        if let Ok(mut w) = self.by_jid.lock() {
            w.remove(jid);
        }
    }

    /// Hand a return to the CLI waiting for it, if any.
    pub fn deliver(&self, r: JobReturn) {
        let tx = self.by_jid.lock().ok().and_then(|w| w.get(&r.jid).cloned());
        if let Some(tx) = tx {
            let _ = tx.send(r);
        }
    }
}
