//! The job a thread works for, so that `saltutil.kill_job` and `term_job`
//! can stop its work as Salt does by killing the job's process.
//!
//! The minion runs each job in a thread and makes the job's [`JobHandle`]
//! current there ([`JobHandle::enter`]) for the length of the job. Every
//! process the [`SystemRunner`](crate::SystemRunner) starts is the leader of
//! its own process group; it is registered with the current job while it
//! runs, and [`JobHandle::cancel`] signals every registered group at once.
//! The state runtime asks [`cancelled`] before each state and stops.
//!
//! A thread outside any job (salt-call, tests, the mine) has no current job:
//! nothing is registered and nothing is ever cancelled.
//!
//! Races: a group registered after the cancel is signalled as it registers,
//! and a group is unregistered before its leader is reaped, so a reused pid
//! is never signalled.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// The signal a job is stopped with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `saltutil.term_job`: SIGTERM.
    Term,
    /// `saltutil.kill_job`: SIGKILL.
    Kill,
}

impl Signal {
    /// The signal's number (9 or 15), as Salt reports it.
    pub fn number(self) -> i32 {
        match self {
            Signal::Term => libc::SIGTERM,
            Signal::Kill => libc::SIGKILL,
        }
    }
}

/// One job's cancellation state, shared by the thread running it and the
/// thread that kills it.
#[derive(Debug, Clone, Default)]
pub struct JobHandle(Arc<Mutex<JobState>>);

#[derive(Debug, Default)]
struct JobState {
    /// Set once by [`JobHandle::cancel`].
    stopped: Option<Signal>,
    /// Process groups (their leaders' pids) running for the job now.
    groups: HashSet<i32>,
}

thread_local! {
    static CURRENT: RefCell<Option<JobHandle>> = const { RefCell::new(None) };
}

/// Whether the current thread's job has been cancelled (`false` outside a job).
pub fn cancelled() -> bool {
    JobHandle::current().is_some_and(|j| j.is_cancelled())
}

impl JobHandle {
    pub fn new() -> Self {
        JobHandle::default()
    }

    /// The job the current thread works for, if any.
    pub fn current() -> Option<JobHandle> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// Make this the current thread's job until the guard is dropped.
    pub fn enter(&self) -> Entered {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        Entered { previous }
    }

    pub fn is_cancelled(&self) -> bool {
        self.state().stopped.is_some()
    }

    /// Stop the job: mark it cancelled and send `signal` to every process
    /// group running for it. Later calls change nothing.
    pub fn cancel(&self, signal: Signal) {
        let mut state = self.state();
        if state.stopped.is_some() {
            return;
        }
        state.stopped = Some(signal);
        for &pgid in &state.groups {
            signal_group(pgid, signal);
        }
    }

    /// Register the process group `pgid` while the guard lives; a job
    /// already cancelled signals it at once.
    pub(crate) fn register(&self, pgid: i32) -> Registered {
        let mut state = self.state();
        state.groups.insert(pgid);
        if let Some(signal) = state.stopped {
            signal_group(pgid, signal);
        }
        Registered { job: self.clone(), pgid }
    }

    /// The state, even when another thread panicked holding it (it stays consistent).
    fn state(&self) -> MutexGuard<'_, JobState> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Restores the thread's previous job when dropped.
#[must_use = "the job stays current only while this guard lives"]
pub struct Entered {
    previous: Option<JobHandle>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Unregisters a process group when dropped (before its leader is reaped).
pub(crate) struct Registered {
    job: JobHandle,
    pgid: i32,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.job.state().groups.remove(&self.pgid);
    }
}

fn signal_group(pgid: i32, signal: Signal) {
    if pgid <= 1 {
        return;
    }
    // SAFETY: killpg only sends a signal, to a group whose leader is our
    // child and not yet reaped.
    unsafe {
        libc::killpg(pgid, signal.number());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_job_is_scoped_to_its_guard() {
        assert!(JobHandle::current().is_none());
        let job = JobHandle::new();
        {
            let _in = job.enter();
            assert!(JobHandle::current().is_some());
            assert!(!cancelled());
            job.cancel(Signal::Term);
            assert!(cancelled());
        }
        assert!(JobHandle::current().is_none());
        assert!(!cancelled());
    }

    #[test]
    fn groups_are_unregistered_when_the_guard_drops() {
        let job = JobHandle::new();
        let reg = job.register(i32::MAX);
        assert!(job.state().groups.contains(&i32::MAX));
        drop(reg);
        assert!(job.state().groups.is_empty());
    }
}
