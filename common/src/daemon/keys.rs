//! Ed25519 key files and fingerprints.
//!
//! A key pair lives in `<dir>/<name>.pem` (PKCS#8, mode 0600) and
//! `<dir>/<name>.pub` (SubjectPublicKeyInfo PEM), created on first use.
//! Fingerprints are Salt's `pem_finger`: sha256 of the PEM body lines, as
//! colon-separated hex pairs.
//!
//! It must not decide which keys are trusted.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::daemon::DaemonError;

/// Load `<dir>/<name>.pem`, creating the pair (and `dir`, mode 0700) if it does not exist.
pub fn load_or_create(dir: &Path, name: &str) -> Result<SigningKey, DaemonError> {
    let pem_path = dir.join(format!("{name}.pem"));
    let pub_path = dir.join(format!("{name}.pub"));
    if pem_path.exists() {
        let key = load_private(&pem_path)?;
        if !pub_path.exists() {
            write_file(&pub_path, public_pem(&key.verifying_key()).as_bytes(), 0o644)?;
        }
        return Ok(key);
    }
    create_private_dir(dir)?;
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| key_err(&pem_path, e))?;
    write_file(&pem_path, pem.as_bytes(), 0o600)?;
    write_file(&pub_path, public_pem(&key.verifying_key()).as_bytes(), 0o644)?;
    Ok(key)
}

/// Create `dir` (and parents) with mode 0700 if missing.
pub fn create_private_dir(dir: &Path) -> Result<(), DaemonError> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| DaemonError::io(dir, e))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| DaemonError::io(dir, e))
}

fn load_private(path: &Path) -> Result<SigningKey, DaemonError> {
    let text = std::fs::read_to_string(path).map_err(|e| DaemonError::io(path, e))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| key_err(path, e))
}

fn key_err(path: &Path, e: impl std::fmt::Display) -> DaemonError {
    DaemonError::Key { path: path.display().to_string(), reason: e.to_string() }
}

/// Write a file with `mode`, replacing it atomically.
pub fn write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), DaemonError> {
    let tmp = path.with_extension("tmp-write");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .map_err(|e| DaemonError::io(&tmp, e))?;
    f.write_all(data).and_then(|_| f.sync_all()).map_err(|e| DaemonError::io(&tmp, e))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).map_err(|e| DaemonError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| DaemonError::io(path, e))
}

/// The SubjectPublicKeyInfo PEM of a public key.
pub fn public_pem(key: &VerifyingKey) -> String {
    key.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

/// Parse a public key PEM.
pub fn parse_public_pem(text: &str) -> Option<VerifyingKey> {
    VerifyingKey::from_public_key_pem(text.trim()).ok()
}

/// Read a public key PEM file.
pub fn read_public(path: &Path) -> Result<VerifyingKey, DaemonError> {
    let text = std::fs::read_to_string(path).map_err(|e| DaemonError::io(path, e))?;
    parse_public_pem(&text).ok_or_else(|| key_err(path, "not an ed25519 public key"))
}

/// Salt's `pem_finger` with sha256 over the text of a PEM (or any bytes).
pub fn pem_finger(text: &[u8]) -> String {
    let digest = Sha256::digest(finger_bytes(text));
    let hex: Vec<String> = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

/// The bytes Salt hashes: PEM body lines each with a newline, else the input.
fn finger_bytes(key: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(key).replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').filter(|l| !l.trim().is_empty()).collect();
    let armored = lines.len() >= 2
        && lines.first().is_some_and(|l| l.trim().starts_with("-----BEGIN"))
        && lines.last().is_some_and(|l| l.trim().starts_with("-----END"));
    if !armored {
        return key.to_vec();
    }
    lines[1..lines.len() - 1].iter().flat_map(|l| l.bytes().chain(std::iter::once(b'\n'))).collect()
}

/// Sign `message` with `key`.
pub fn sign(key: &SigningKey, message: &[u8]) -> [u8; 64] {
    key.sign(message).to_bytes()
}

/// Check a signature; malformed signatures are simply invalid.
pub fn verify(key: &VerifyingKey, message: &[u8], sig: &[u8]) -> bool {
    let Ok(sig) = Signature::from_slice(sig) else { return false };
    key.verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finger_is_salt_format() {
        // Salt: pem_finger(key=b"abc") hashes the raw bytes.
        let f = pem_finger(b"abc");
        assert!(f.starts_with("ba:78:16:bf:8f:01:cf:ea"), "{f}");
        let pem = b"-----BEGIN PUBLIC KEY-----\r\nabc\r\n-----END PUBLIC KEY-----\r\n";
        assert_eq!(pem_finger(pem), pem_finger(b"abc\n"));
    }

    #[test]
    fn keys_are_created_once_with_private_mode() {
        let dir = std::env::temp_dir().join(format!("brine-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = load_or_create(&dir.join("pki"), "master").unwrap();
        let b = load_or_create(&dir.join("pki"), "master").unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let mode = std::fs::metadata(dir.join("pki/master.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let public = read_public(&dir.join("pki/master.pub")).unwrap();
        assert_eq!(public, a.verifying_key());
        let sig = sign(&a, b"msg");
        assert!(verify(&public, b"msg", &sig));
        assert!(!verify(&public, b"other", &sig));
        assert!(!verify(&public, b"msg", b"short"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
