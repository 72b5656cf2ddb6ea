//! The bytes each side signs, with a domain prefix per purpose so that a
//! signature made for one purpose can never be replayed as another.
//!
//! Minion authentication: after the TLS handshake the master sends a random
//! nonce; the minion signs `AUTH_DOMAIN || nonce || exporter || id`, where
//! `exporter` is the TLS exporter value of this very session (so the
//! signature cannot be relayed onto another connection). Jobs: the master
//! signs `JOB_DOMAIN || job JSON text`.
//!
//! It must not look keys up or decide anything: it only builds and checks bytes.

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::daemon::keys;

const AUTH_DOMAIN: &[u8] = b"brine minion auth v1\0";
const JOB_DOMAIN: &[u8] = b"brine job v1\0";
/// The TLS exporter label both sides use.
pub const EXPORTER_LABEL: &[u8] = b"EXPORTER-brine-minion-auth";
/// Length of the nonce and of the exporter value.
pub const NONCE_LEN: usize = 32;

/// A fresh random nonce.
pub fn nonce() -> [u8; NONCE_LEN] {
    use rand::RngCore;
    let mut n = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut n);
    n
}

fn auth_message(nonce: &[u8], exporter: &[u8], id: &str) -> Vec<u8> {
    [AUTH_DOMAIN, nonce, exporter, id.as_bytes()].concat()
}

/// The minion's answer to a challenge.
pub fn sign_auth(key: &SigningKey, nonce: &[u8], exporter: &[u8], id: &str) -> [u8; 64] {
    keys::sign(key, &auth_message(nonce, exporter, id))
}

/// The master's check of that answer.
pub fn verify_auth(key: &VerifyingKey, nonce: &[u8], exporter: &[u8], id: &str, sig: &[u8]) -> bool {
    keys::verify(key, &auth_message(nonce, exporter, id), sig)
}

/// The master's signature of a published job's JSON text.
pub fn sign_job(key: &SigningKey, job: &str) -> [u8; 64] {
    keys::sign(key, &[JOB_DOMAIN, job.as_bytes()].concat())
}

/// The minion's check of a published job.
pub fn verify_job(key: &VerifyingKey, job: &str, sig: &[u8]) -> bool {
    keys::verify(key, &[JOB_DOMAIN, job.as_bytes()].concat(), sig)
}

/// A minion id that is safe on the wire and as a file name on the master:
/// not empty, no `/`, `\`, `..`, NUL or control characters, not hidden, at
/// most 255 bytes.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && !id.starts_with('.')
        && !id.contains("..")
        && !id.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

/// Hex text of bytes (nonces on the wire).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of hex text; `None` if it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_signature_is_bound_to_nonce_session_and_id() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = key.verifying_key();
        let sig = sign_auth(&key, b"n1", b"e1", "node1");
        assert!(verify_auth(&public, b"n1", b"e1", "node1", &sig));
        assert!(!verify_auth(&public, b"n2", b"e1", "node1", &sig));
        assert!(!verify_auth(&public, b"n1", b"e2", "node1", &sig));
        assert!(!verify_auth(&public, b"n1", b"e1", "node2", &sig));
        assert!(!verify_job(&public, "n1e1node1", &sig));
    }

    #[test]
    fn ids_that_leave_a_directory_are_invalid() {
        for bad in ["", "a/b", "..", "../x", "a..b", ".hidden", "a\0b", "a\nb", "a\\b"] {
            assert!(!valid_id(bad), "{bad:?}");
        }
        for good in ["node1", "web-01.example.com", "Alpha_2"] {
            assert!(valid_id(good), "{good:?}");
        }
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 15, 255])), Some(vec![0, 15, 255]));
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("abc"), None);
    }
}
