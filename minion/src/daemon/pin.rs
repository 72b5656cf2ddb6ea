//! Where the minion keeps its trust in the master: the key pinned on first
//! contact in `<pki_dir>/minion_master.pub`, or `master_finger` from the
//! configuration until then.
//!
//! It must not open connections.

use std::path::Path;

use brine_common::{Map, Value};
use brine_common::daemon::keys;
use brine_common::daemon::tls::Pin;
use ed25519_dalek::VerifyingKey;

/// The pin file's name.
pub const PIN_FILE: &str = "minion_master.pub";

/// What to trust for the next connection.
pub fn load(pki_dir: &Path, opts: &Map) -> Result<Pin, String> {
    let path = pki_dir.join(PIN_FILE);
    if path.exists() {
        return keys::read_public(&path).map(Pin::Key).map_err(|e| e.to_string());
    }
    let finger = opts.get("master_finger").filter(|v| !v.is_null()).map(Value::py_str).unwrap_or_default();
    Ok(if finger.trim().is_empty() { Pin::FirstUse } else { Pin::Finger(finger.trim().to_string()) })
}

/// Pin the master key seen on first contact.
pub fn save(pki_dir: &Path, key: &VerifyingKey) -> Result<(), String> {
    keys::write_file(&pki_dir.join(PIN_FILE), keys::public_pem(key).as_bytes(), 0o644).map_err(|e| e.to_string())
}
