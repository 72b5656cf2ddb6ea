//! The minion's link to its current master session, usable from job
//! threads: send a message, or ask the master something and wait for the
//! reply with the same correlation id.
//!
//! When a session ends, waiting requests fail at once (their reply channels
//! are dropped); a new session attaches a new sender. It must not know what
//! is asked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc as std_mpsc, Mutex};
use std::time::Duration;

use brine_common::wire::{Reply, Request, ToMaster};
use tokio::sync::mpsc;

/// See the module documentation.
#[derive(Default)]
pub struct Link {
    current: Mutex<Option<mpsc::Sender<ToMaster>>>,
    pending: Mutex<HashMap<u64, std_mpsc::SyncSender<Reply>>>,
    next: AtomicU64,
}

impl Link {
    /// A session is up: messages go to `tx` from now on.
    pub fn attach(&self, tx: mpsc::Sender<ToMaster>) {
        if let Ok(mut c) = self.current.lock() {
            *c = Some(tx);
        }
    }

    /// The session ended: drop its sender and fail the requests in flight.
    pub fn detach(&self) {
        if let Ok(mut c) = self.current.lock() {
            *c = None;
        }
        if let Ok(mut p) = self.pending.lock() {
            p.clear();
        }
    }

    fn sender(&self) -> Option<mpsc::Sender<ToMaster>> {
        self.current.lock().ok().and_then(|c| c.clone())
    }

    /// Send from async code; `false` without a session.
    pub async fn send(&self, msg: ToMaster) -> bool {
        match self.sender() {
            Some(tx) => tx.send(msg).await.is_ok(),
            None => false,
        }
    }

    /// Send from a blocking thread; `false` without a session.
    pub fn send_blocking(&self, msg: ToMaster) -> bool {
        self.sender().is_some_and(|tx| tx.blocking_send(msg).is_ok())
    }

    /// Ask the master from a blocking thread and wait up to `wait` for the reply.
    pub fn request_blocking(&self, request: Request, wait: Duration) -> Result<Reply, String> {
        let req = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = std_mpsc::sync_channel(1);
        if let Ok(mut p) = self.pending.lock() {
            p.insert(req, tx);
        }
        if !self.send_blocking(ToMaster::Request { req, request }) {
            self.forget(req);
            return Err("not connected to the master".into());
        }
        let reply = rx.recv_timeout(wait).map_err(|e| match e {
            std_mpsc::RecvTimeoutError::Timeout => "the master did not answer in time".to_string(),
            std_mpsc::RecvTimeoutError::Disconnected => "the connection to the master was lost".to_string(),
        });
        self.forget(req);
        reply
    }

    fn forget(&self, req: u64) {
        if let Ok(mut p) = self.pending.lock() {
            p.remove(&req);
        }
    }

    /// Hand the master's reply to the thread waiting for it.
    pub fn deliver(&self, req: u64, reply: Reply) {
        let waiter = self.pending.lock().ok().and_then(|mut p| p.remove(&req));
        match waiter {
            Some(w) => {
                let _ = w.try_send(reply);
            }
            None => log::debug!("a reply to request {req} arrived after its requester gave up"),
        }
    }
}
