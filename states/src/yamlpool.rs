//! Salt's YAML loader run beside the Jinja renderer.
//!
//! Rendering a highstate is Jinja (which may have side effects: execution
//! module calls, `grains.setval`) followed by YAML loading (pure: text in,
//! data out, and most of the time). Jinja stays on the calling thread in
//! Salt's order; a finished text may be handed here, where one worker
//! thread loads it while the caller renders the next file. A caller that
//! waits for a result loads queued texts itself meanwhile, so both cores
//! work and nothing waits on an idle thread.
//!
//! It must not render templates or decide which files are rendered: it only
//! loads the texts it is given, each exactly as `render::load_yaml` would.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use brine_common::Value;

use crate::render::load_yaml;

/// What loading one text gave (Salt's error text on failure).
pub type Loaded = Result<Value, String>;

/// A text handed to the pool; [`YamlPool::wait`] gives its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket(usize);

/// The worker's stack: the main thread's, so that a deeply nested document
/// loads (or fails) the same on either thread.
const WORKER_STACK: usize = 8 << 20;

#[derive(Default)]
struct Queue {
    /// Texts not yet taken: ticket, text, the file's path relative to the roots.
    jobs: VecDeque<(Ticket, String, String)>,
    done: HashMap<Ticket, Loaded>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding the lock cannot leave the queue half-updated
        // (every update is one push, pop or insert), so a poisoned lock is safe to use.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn finish(&self, ticket: Ticket, loaded: Loaded) {
        self.lock().done.insert(ticket, loaded);
        self.changed.notify_all();
    }
}

/// One worker thread, started once two texts wait, joined on drop.
#[derive(Default)]
pub struct YamlPool {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
    next: usize,
}

impl YamlPool {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue `text` (of the file `rel`, named in errors) for loading.
    pub fn submit(&mut self, text: String, rel: String) -> Ticket {
        let ticket = Ticket(self.next);
        self.next += 1;
        let queued = {
            let mut queue = self.shared.lock();
            queue.jobs.push_back((ticket, text, rel));
            queue.jobs.len()
        };
        self.shared.changed.notify_all();
        // A second thread pays only when texts pile up: a run of one file
        // (or files the caller waits for one by one) stays on one thread.
        if self.worker.is_none() && queued > 1 {
            self.worker = spawn_worker(&self.shared);
        }
        ticket
    }

    /// The result of `ticket`, loading queued texts meanwhile.
    pub fn wait(&self, ticket: Ticket) -> Loaded {
        let mut queue = self.shared.lock();
        loop {
            if let Some(loaded) = queue.done.remove(&ticket) {
                return loaded;
            }
            if let Some((t, text, rel)) = queue.jobs.pop_front() {
                drop(queue);
                self.shared.finish(t, load_yaml(&text, &rel));
                queue = self.shared.lock();
            } else {
                queue = self.shared.changed.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        }
    }
}

impl Drop for YamlPool {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.changed.notify_all();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The worker, or `None` when no thread can be started (the caller then
/// loads every text itself in [`YamlPool::wait`]).
fn spawn_worker(shared: &Arc<Shared>) -> Option<JoinHandle<()>> {
    let shared = Arc::clone(shared);
    let thread = std::thread::Builder::new().name("yaml-loader".into()).stack_size(WORKER_STACK);
    brine_modules::sys::spawn_beside(thread, move || work(&shared)).ok()
}

fn work(shared: &Shared) {
    let mut queue = shared.lock();
    loop {
        if let Some((ticket, text, rel)) = queue.jobs.pop_front() {
            drop(queue);
            shared.finish(ticket, load_yaml(&text, &rel));
            queue = shared.lock();
        } else if queue.closed {
            return;
        } else {
            queue = shared.changed.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_match_the_loader_in_any_order() {
        let texts: Vec<String> = (0..40).map(|i| format!("id{i}:\n  cmd.run:\n    - name: echo {i}\n")).collect();
        let mut pool = YamlPool::new();
        let tickets: Vec<Ticket> = texts.iter().map(|t| pool.submit(t.clone(), "x.sls".into())).collect();
        for (ticket, text) in tickets.iter().zip(&texts).rev() {
            assert_eq!(pool.wait(*ticket), load_yaml(text, "x.sls"));
        }
    }

    #[test]
    fn errors_name_the_file() {
        let mut pool = YamlPool::new();
        let bad = pool.submit("a: [1\n".into(), "web/init.sls".into());
        let good = pool.submit("a: 1\n".into(), "b.sls".into());
        let err = pool.wait(bad).expect_err("unclosed flow sequence");
        assert_eq!(Err(err), load_yaml("a: [1\n", "web/init.sls"));
        assert!(pool.wait(good).is_ok());
    }
}
