//! brine-daemon: what `salt-master` and `salt-minion` share.
//!
//! Ed25519 key files and Salt-style fingerprints ([`keys`]), the TLS 1.3
//! configurations with master-key pinning ([`tls`]), the bytes each side signs
//! ([`handshake`]), framed async I/O over a session ([`conn`]), and the process
//! plumbing of a daemon: daemonizing, the pid file, signals ([`process`]) and
//! the log ([`logging`]), and starting a daemon with both ([`boot`]).
//!
//! It must not decide policy (which keys are accepted, what a job runs): the
//! master and minion crates do that.

pub mod boot;
pub mod conn;
pub mod handshake;
pub mod keys;
pub mod logging;
pub mod process;
pub mod tls;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("invalid key in {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("{0}")]
    Process(String),
}

impl DaemonError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        DaemonError::Io { path: path.display().to_string(), source }
    }
}
