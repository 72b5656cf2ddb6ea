//! The master's PKI directories: one public key file per minion id under
//! `minions` (accepted), `minions_pre` (pending), `minions_rejected` and
//! `minions_denied`, as Salt lays them out.
//!
//! It answers "what is the status of this key" and moves key files between
//! the directories (for `salt-key` and for the master's authentication of a
//! connecting minion). Ids are validated before any path is built from them.
//! It must not talk to minions or print anything.

use std::path::{Path, PathBuf};

use brine_common::matcher::fnmatch;
use brine_common::wire::AuthStatus;
use brine_common::daemon::keys;
use ed25519_dalek::VerifyingKey;

/// Accepted keys.
pub const ACC: &str = "minions";
/// Pending keys.
pub const PEND: &str = "minions_pre";
/// Rejected keys.
pub const REJ: &str = "minions_rejected";
/// Denied keys (a different key presented for a known id).
pub const DEN: &str = "minions_denied";
/// The key directories in Salt's order.
pub const DIRS: [&str; 4] = [ACC, PEND, REJ, DEN];

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("invalid minion id {0:?}")]
    InvalidId(String),
    #[error(transparent)]
    Key(#[from] brine_common::daemon::DaemonError),
}

fn io_err(path: &Path, source: std::io::Error) -> PkiError {
    PkiError::Io { path: path.display().to_string(), source }
}

pub use brine_common::daemon::handshake::valid_id;

/// Keys grouped by status, in Salt's order.
pub type KeySets = Vec<(String, Vec<String>)>;

/// Salt's `sorted_ignorecase`.
pub fn sort_ignorecase(names: &mut [String]) {
    names.sort_by_key(|n| n.to_lowercase());
}

/// Who may be accepted without an operator.
#[derive(Debug, Clone, Default)]
pub struct AutoSign {
    pub auto_accept: bool,
    pub autosign_file: Option<PathBuf>,
}

impl AutoSign {
    fn allows(&self, id: &str) -> bool {
        if self.auto_accept {
            return true;
        }
        let Some(text) = self.autosign_file.as_ref().and_then(|p| std::fs::read_to_string(p).ok()) else {
            return false;
        };
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|glob| fnmatch(id, glob))
    }
}

/// The PKI directory of a master.
#[derive(Debug, Clone)]
pub struct Pki {
    dir: PathBuf,
}

impl Pki {
    pub fn new(dir: &Path) -> Pki {
        Pki { dir: dir.to_path_buf() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Create the four key directories (mode 0700) if missing.
    pub fn ensure_dirs(&self) -> Result<(), PkiError> {
        keys::create_private_dir(&self.dir)?;
        for d in DIRS {
            keys::create_private_dir(&self.dir.join(d))?;
        }
        Ok(())
    }

    /// The file of `id` under `status`; refuses unsafe ids.
    pub fn key_path(&self, status: &str, id: &str) -> Result<PathBuf, PkiError> {
        if !valid_id(id) {
            return Err(PkiError::InvalidId(id.to_string()));
        }
        Ok(self.dir.join(status).join(id))
    }

    /// The ids under one status, sorted ignoring case, without hidden files.
    pub fn list(&self, status: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.join(status))
            .map(|rd| rd.flatten().filter_map(|e| e.file_name().into_string().ok()).filter(|n| !n.starts_with('.')).collect())
            .unwrap_or_default();
        sort_ignorecase(&mut names);
        names
    }

    /// Every status with its ids (Salt's `list_keys`).
    pub fn list_keys(&self) -> KeySets {
        DIRS.iter().map(|d| (d.to_string(), self.list(d))).collect()
    }

    /// The master's own key files (`local`).
    pub fn local_keys(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().is_file())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".pub") || n.ends_with(".pem"))
                    .collect()
            })
            .unwrap_or_default();
        sort_ignorecase(&mut names);
        names
    }

    /// Keys whose id matches a glob or a comma-separated list of globs
    /// (Salt's `name_match`); `full` adds the master's own keys as `local`.
    pub fn name_match(&self, pattern: &str, full: bool) -> KeySets {
        let globs: Vec<&str> = pattern.split(',').collect();
        let mut sets = self.list_keys();
        if full {
            sets.push(("local".into(), self.local_keys()));
        }
        sets.into_iter()
            .filter_map(|(status, ids)| {
                let hits: Vec<String> = ids.into_iter().filter(|id| globs.iter().any(|g| fnmatch(id, g))).collect();
                (!hits.is_empty()).then_some((status, hits))
            })
            .collect()
    }

    /// The path of a key file by status (`local` means the pki directory itself).
    pub fn file_of(&self, status: &str, name: &str) -> PathBuf {
        if status == "local" {
            self.dir.join(name)
        } else {
            self.dir.join(status).join(name)
        }
    }

    /// Move `id`'s key from one status to another.
    pub fn move_key(&self, id: &str, from: &str, to: &str) -> Result<(), PkiError> {
        let src = self.key_path(from, id)?;
        let dst = self.key_path(to, id)?;
        keys::create_private_dir(&self.dir.join(to))?;
        std::fs::rename(&src, &dst).map_err(|e| io_err(&src, e))
    }

    /// Remove `id`'s key under `status`.
    pub fn delete(&self, id: &str, status: &str) -> Result<(), PkiError> {
        let path = self.key_path(status, id)?;
        std::fs::remove_file(&path).map_err(|e| io_err(&path, e))
    }

    /// The key stored for `id` under `status`, if any and valid.
    pub fn stored_key(&self, status: &str, id: &str) -> Option<VerifyingKey> {
        let path = self.key_path(status, id).ok()?;
        keys::read_public(&path).ok()
    }

    fn exists(&self, status: &str, id: &str) -> bool {
        self.key_path(status, id).is_ok_and(|p| p.exists())
    }

    fn store(&self, status: &str, id: &str, key: &VerifyingKey) -> Result<(), PkiError> {
        let path = self.key_path(status, id)?;
        keys::create_private_dir(&self.dir.join(status))?;
        keys::write_file(&path, keys::public_pem(key).as_bytes(), 0o644)?;
        Ok(())
    }

    /// Record a key presented for an id that already has another one, unless
    /// a denied key is already on file (it is never overwritten).
    fn deny(&self, id: &str, key: &VerifyingKey) -> Result<(), PkiError> {
        if self.exists(DEN, id) {
            return Ok(());
        }
        self.store(DEN, id, key)
    }

    /// Decide on a minion presenting `key` for `id` (Salt's `_auth`):
    /// rejected stays rejected; an accepted id must present the accepted key
    /// (another key is denied); a new id is pending unless auto-signed.
    pub fn authorize(&self, id: &str, key: &VerifyingKey, auto: &AutoSign) -> Result<AuthStatus, PkiError> {
        if !valid_id(id) {
            return Err(PkiError::InvalidId(id.to_string()));
        }
        if self.exists(REJ, id) {
            return Ok(AuthStatus::Rejected);
        }
        if self.exists(ACC, id) {
            if self.stored_key(ACC, id).as_ref() == Some(key) {
                return Ok(AuthStatus::Accepted);
            }
            self.deny(id, key)?;
            return Ok(AuthStatus::Denied);
        }
        if self.exists(PEND, id) {
            if self.stored_key(PEND, id).as_ref() != Some(key) {
                self.deny(id, key)?;
                return Ok(AuthStatus::Denied);
            }
            if auto.allows(id) {
                self.move_key(id, PEND, ACC)?;
                return Ok(AuthStatus::Accepted);
            }
            return Ok(AuthStatus::Pending);
        }
        let status = if auto.allows(id) { ACC } else { PEND };
        self.store(status, id, key)?;
        Ok(if status == ACC { AuthStatus::Accepted } else { AuthStatus::Pending })
    }

    /// Is `key` the accepted key of `id` right now?
    pub fn is_accepted(&self, id: &str, key: &VerifyingKey) -> bool {
        self.stored_key(ACC, id).as_ref() == Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn tmp(name: &str) -> Pki {
        let dir = std::env::temp_dir().join(format!("brine-pki-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let pki = Pki::new(&dir);
        pki.ensure_dirs().unwrap();
        pki
    }

    fn key(n: u8) -> VerifyingKey {
        SigningKey::from_bytes(&[n; 32]).verifying_key()
    }

    #[test]
    fn a_new_minion_waits_then_is_accepted() {
        let pki = tmp("flow");
        let none = AutoSign::default();
        assert_eq!(pki.authorize("node1", &key(1), &none).unwrap(), AuthStatus::Pending);
        assert_eq!(pki.list(PEND), vec!["node1"]);
        pki.move_key("node1", PEND, ACC).unwrap();
        assert_eq!(pki.authorize("node1", &key(1), &none).unwrap(), AuthStatus::Accepted);
        std::fs::remove_dir_all(pki.dir()).unwrap();
    }

    #[test]
    fn another_key_for_an_accepted_id_is_denied_and_never_overwritten() {
        let pki = tmp("deny");
        let auto = AutoSign { auto_accept: true, autosign_file: None };
        assert_eq!(pki.authorize("node1", &key(1), &auto).unwrap(), AuthStatus::Accepted);
        assert_eq!(pki.authorize("node1", &key(2), &auto).unwrap(), AuthStatus::Denied);
        assert_eq!(pki.authorize("node1", &key(3), &auto).unwrap(), AuthStatus::Denied);
        assert_eq!(pki.stored_key(DEN, "node1"), Some(key(2)));
        assert_eq!(pki.stored_key(ACC, "node1"), Some(key(1)));
        assert!(pki.authorize("../etc", &key(1), &auto).is_err());
        std::fs::remove_dir_all(pki.dir()).unwrap();
    }

    #[test]
    fn autosign_file_globs_accept() {
        let pki = tmp("autosign");
        let file = pki.dir().join("autosign.conf");
        std::fs::write(&file, "# comment\nweb*\n").unwrap();
        let auto = AutoSign { auto_accept: false, autosign_file: Some(file) };
        assert_eq!(pki.authorize("web1", &key(1), &auto).unwrap(), AuthStatus::Accepted);
        assert_eq!(pki.authorize("db1", &key(2), &auto).unwrap(), AuthStatus::Pending);
        assert_eq!(pki.name_match("web*,db1", false).len(), 2);
        std::fs::remove_dir_all(pki.dir()).unwrap();
    }
}
