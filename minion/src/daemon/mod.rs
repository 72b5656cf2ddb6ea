//! The `salt-minion` daemon: its state (options, grains, keys, the link to
//! the master, the return spool, the jobs running, and whether each was killed) and the loop that keeps a
//! session with the master up, waiting `acceptance_wait_time` while the key
//! is pending and exiting (77, as Salt) when it is rejected.
//!
//! It must not print: it logs.

mod jobs;
mod link;
mod pin;
mod remote;
mod saltutil;
mod session;
mod spool;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use brine_common::wire::Job;
use brine_common::{Map, Value};
use brine_common::daemon::keys;
use brine_modules::job::{JobHandle, Signal};
use ed25519_dalek::{SigningKey, VerifyingKey};
use tokio::sync::watch;

pub use brine_common::daemon::handshake::valid_id;

use link::Link;
use session::End;
use spool::Spool;

/// Salt's `EX_NOPERM`: the exit status of a minion whose key was rejected.
pub const EXIT_REJECTED: i32 = 77;

/// A job the minion runs (in a thread of this process).
#[derive(Debug, Clone)]
struct Running {
    job: Job,
    /// `saltutil.kill_job` was called: its return is dropped, as a killed Salt job sends none.
    killed: bool,
    /// Stops the job's processes and state run when it is killed.
    handle: JobHandle,
}

/// A running minion.
pub struct Minion {
    pub opts: Map,
    pub grains: Map,
    pub id: String,
    key: SigningKey,
    pki_dir: PathBuf,
    cachedir: PathBuf,
    link: Arc<Link>,
    spool: Spool,
    running: Mutex<HashMap<String, Running>>,
    master_key: Mutex<Option<VerifyingKey>>,
}

impl Minion {
    /// Prepare a minion: its key pair (created on first start) and directories.
    pub fn new(opts: Map, grains: Map) -> Result<Minion, brine_common::daemon::DaemonError> {
        let id = opts.get("id").map(Value::py_str).unwrap_or_default();
        let pki_dir = crate::setup::path_opt(&opts, "pki_dir", "/etc/salt/pki/minion");
        let cachedir = crate::setup::path_opt(&opts, "cachedir", "/var/cache/salt/minion");
        let key = keys::load_or_create(&pki_dir, "minion")?;
        let spool = Spool::new(cachedir.join("returns"));
        Ok(Minion {
            opts,
            grains,
            id,
            key,
            pki_dir,
            cachedir,
            link: Arc::new(Link::default()),
            spool,
            running: Mutex::new(HashMap::new()),
            master_key: Mutex::new(None),
        })
    }

    fn master_addr(&self) -> (String, u16) {
        session::master_addr(&self.opts)
    }

    fn master_key(&self) -> Option<VerifyingKey> {
        self.master_key.lock().ok().and_then(|k| *k)
    }

    fn set_master_key(&self, key: VerifyingKey) {
        if let Ok(mut k) = self.master_key.lock() {
            *k = Some(key);
        }
    }

    /// Mark a job running; the handle its thread works under, `None` if it already runs.
    fn running_insert(&self, job: &Job) -> Option<JobHandle> {
        let mut r = self.running.lock().ok()?;
        if r.contains_key(&job.jid) {
            return None;
        }
        let handle = JobHandle::new();
        r.insert(job.jid.clone(), Running { job: job.clone(), killed: false, handle: handle.clone() });
        Some(handle)
    }

    /// The job ended; `true` when its return should be sent (it was not killed).
    fn running_remove(&self, jid: &str) -> bool {
        self.running.lock().ok().and_then(|mut r| r.remove(jid)).is_some_and(|j| !j.killed)
    }

    fn is_running(&self, jid: &str) -> bool {
        self.running.lock().is_ok_and(|r| r.get(jid).is_some_and(|j| !j.killed))
    }

    /// The jobs running and not killed, oldest jid first.
    fn running_jobs(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> =
            self.running.lock().map(|r| r.values().filter(|j| !j.killed).map(|j| j.job.clone()).collect()).unwrap_or_default();
        jobs.sort_by(|a, b| a.jid.cmp(&b.jid));
        jobs
    }

    /// Mark a running job killed and send `signal` to its processes; `false` if it is not running.
    fn kill(&self, jid: &str, signal: Signal) -> bool {
        let Ok(mut r) = self.running.lock() else { return false };
        match r.get_mut(jid) {
            Some(j) if !j.killed => {
                j.killed = true;
                j.handle.cancel(signal);
                true
            }
            _ => false,
        }
    }

    fn seconds(&self, key: &str, default: f64) -> Duration {
        let secs = match self.opts.get(key) {
            Some(Value::Int(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            _ => default,
        };
        Duration::try_from_secs_f64(secs.clamp(0.05, 3600.0)).unwrap_or(Duration::from_secs(10))
    }
}

/// Keep a session with the master until shutdown; the process exit status.
pub async fn run(m: Arc<Minion>, mut shutdown: watch::Receiver<bool>) -> i32 {
    loop {
        let end = tokio::select! {
            e = session::run(&m, shutdown.clone()) => e,
            _ = shutdown.changed() => End::Shutdown,
        };
        let wait = match end {
            End::Shutdown => return 0,
            End::Pending => {
                let wait = m.seconds("acceptance_wait_time", 10.0);
                log::error!(
                    "The Salt Master has cached the public key for this node, this salt minion will wait for {} seconds before attempting to re-authenticate",
                    wait.as_secs()
                );
                wait
            }
            End::Rejected if !m.opts.get("rejected_retry").is_some_and(Value::truthy) => {
                log::error!(
                    "The Salt Master has rejected this minion's public key!\nTo repair this issue, delete the public key for this minion on the Salt Master and restart this minion.\nOr restart the Salt Master in open mode to clean out the keys. The Salt Minion will now exit."
                );
                return EXIT_REJECTED;
            }
            End::Rejected => m.seconds("acceptance_wait_time", 10.0),
            End::KeyChanged => {
                log::error!(
                    "{} The master public key can be found at: {}",
                    brine_common::daemon::tls::KEY_CHANGED,
                    m.pki_dir.join(pin::PIN_FILE).display()
                );
                m.seconds("acceptance_wait_time", 10.0)
            }
            End::Lost(reason) => {
                log::warn!("{reason}");
                Duration::from_millis(crate::setup::int_opt(&m.opts, "recon_default", 1000).clamp(50, 60_000) as u64)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return 0,
        }
    }
}


/// A minion `node1` with its pki and cache under `dir`, for unit tests.
#[cfg(test)]
pub(crate) fn test_minion(dir: &std::path::Path) -> Arc<Minion> {
    let mut opts = Map::default();
    opts.insert("id".into(), Value::str("node1"));
    opts.insert("pki_dir".into(), Value::Str(dir.join("pki").display().to_string()));
    opts.insert("cachedir".into(), Value::Str(dir.join("cache").display().to_string()));
    Arc::new(Minion::new(opts, Map::default()).expect("a minion from plain options"))
}
