//! The minions connected right now: one [`Session`] handle per id, through
//! which jobs and replies are sent, and the `FindJob` questions in flight.
//!
//! A reconnecting minion replaces its older session; the older one, when it
//! ends, does not remove the newer (sessions carry a serial number).
//! It must not authenticate anyone: only accepted sessions are registered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use brine_common::wire::ToMinion;
use ed25519_dalek::VerifyingKey;
use tokio::sync::{mpsc, oneshot};

/// The master's handle on one authenticated minion session.
pub struct Session {
    pub id: String,
    pub key: VerifyingKey,
    pub serial: u64,
    tx: mpsc::Sender<ToMinion>,
    finds: Mutex<HashMap<u64, oneshot::Sender<bool>>>,
    next_req: AtomicU64,
}

impl Session {
    /// Queue a message to the minion; `false` if the session is gone.
    pub async fn send(&self, msg: ToMinion) -> bool {
        self.tx.send(msg).await.is_ok()
    }

    /// Ask whether the minion still runs `jid`; `None` when it does not answer in `wait`.
    pub async fn find_job(&self, jid: &str, wait: std::time::Duration) -> Option<bool> {
        let req = self.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        if let Ok(mut f) = self.finds.lock() {
            f.insert(req, tx);
        }
        if !self.send(ToMinion::FindJob { req, jid: jid.to_string() }).await {
            return None;
        }
        let answer = tokio::time::timeout(wait, rx).await.ok().and_then(Result::ok);
        if let Ok(mut f) = self.finds.lock() {
            f.remove(&req);
        }
        answer
    }

    /// Deliver the minion's answer to a `FindJob`.
    pub fn job_status(&self, req: u64, running: bool) {
        let waiter = self.finds.lock().ok().and_then(|mut f| f.remove(&req));
        if let Some(w) = waiter {
            let _ = w.send(running);
        }
    }
}

/// All connected minions.
#[derive(Default)]
pub struct Registry {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    serial: AtomicU64,
}

impl Registry {
    /// Register a new session for `id`, replacing any older one.
    pub fn insert(&self, id: &str, key: VerifyingKey, tx: mpsc::Sender<ToMinion>) -> Arc<Session> {
        let session = Arc::new(Session {
            id: id.to_string(),
            key,
            serial: self.serial.fetch_add(1, Ordering::Relaxed),
            tx,
            finds: Mutex::new(HashMap::new()),
            next_req: AtomicU64::new(1),
        });
        if let Ok(mut s) = self.sessions.lock() {
            s.insert(id.to_string(), session.clone());
        }
        session
    }

    /// Forget `id`'s session if it is still the one numbered `serial`.
    pub fn remove(&self, id: &str, serial: u64) {
        if let Ok(mut s) = self.sessions.lock() {
            if s.get(id).is_some_and(|x| x.serial == serial) {
                s.remove(id);
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.sessions.lock().ok().and_then(|s| s.get(id).cloned())
    }

    /// Ids of the connected minions, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.sessions.lock().map(|s| s.keys().cloned().collect()).unwrap_or_default();
        ids.sort();
        ids
    }
}
