//! File metadata as Salt reports it (`file.stats`), mode normalisation
//! (`salt.utils.files.normalize_mode`) and content hashes (`file.get_hash`).
//!
//! Read-only: nothing here changes the filesystem.

use std::fs::Metadata;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

use brine_common::{Map, Value};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::{sys, ModuleError};

/// Salt's `normalize_mode`: `644`, `'0644'`, `'0o644'` -> `"0644"`; None stays None.
pub fn normalize_mode(mode: &Value) -> Option<String> {
    if mode.is_null() {
        return None;
    }
    Some(normalize_mode_str(&mode.py_str()))
}

/// [`normalize_mode`] on text.
pub fn normalize_mode_str(mode: &str) -> String {
    let s = mode.replace("0o", "0");
    let s = s.trim_matches('"').trim_matches('\'').trim_start_matches('0');
    format!("{s:0>4}")
}

/// A permission mode as Salt prints it (`0o644` -> `"0644"`).
pub fn mode_string(mode: u32) -> String {
    normalize_mode_str(&format!("{:o}", mode & 0o7777))
}

/// Parses a normalised mode string as octal (None when not octal).
pub fn parse_mode(mode: &str) -> Option<u32> {
    let digits = mode.trim_start_matches(['0', 'o', 'O']);
    if digits.is_empty() {
        return Some(0);
    }
    u32::from_str_radix(digits, 8).ok()
}

/// What `file.stats` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub inode: u64,
    pub uid: u32,
    pub gid: u32,
    pub user: String,
    pub group: String,
    pub atime: f64,
    pub mtime: f64,
    pub ctime: f64,
    pub size: u64,
    pub mode: String,
    pub sum: Option<String>,
    pub kind: &'static str,
    pub target: String,
}

impl Stats {
    pub fn to_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("inode".into(), Value::Int(self.inode as i64));
        m.insert("uid".into(), Value::Int(self.uid as i64));
        m.insert("gid".into(), Value::Int(self.gid as i64));
        m.insert("group".into(), Value::str(&self.group));
        m.insert("user".into(), Value::str(&self.user));
        m.insert("atime".into(), Value::Float(self.atime));
        m.insert("mtime".into(), Value::Float(self.mtime));
        m.insert("ctime".into(), Value::Float(self.ctime));
        m.insert("size".into(), Value::Int(self.size as i64));
        m.insert("mode".into(), Value::str(&self.mode));
        if let Some(sum) = &self.sum {
            m.insert("sum".into(), Value::str(sum));
        }
        m.insert("type".into(), Value::str(self.kind));
        m.insert("target".into(), Value::str(&self.target));
        Value::Map(m)
    }
}

fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        "dir"
    } else if ft.is_char_device() {
        "char"
    } else if ft.is_block_device() {
        "block"
    } else if ft.is_symlink() {
        "link"
    } else if ft.is_fifo() {
        "pipe"
    } else if ft.is_socket() {
        "socket"
    } else {
        "file"
    }
}

fn secs(s: i64, ns: i64) -> f64 {
    s as f64 + ns as f64 / 1e9
}

/// Salt's `file.stats(path, hash_type, follow_symlinks)`.
pub fn stats(path: &Path, hash_type: Option<&str>, follow_symlinks: bool) -> Result<Stats, ModuleError> {
    let not_found = || ModuleError::Execution(format!("Path not found: {}", path.display()));
    let meta = if follow_symlinks && path.exists() {
        std::fs::metadata(path).map_err(|_| not_found())?
    } else {
        std::fs::symlink_metadata(path).map_err(|_| not_found())?
    };
    let sum = match hash_type {
        Some(h) => Some(get_hash(path, h)?),
        None => None,
    };
    let target = if follow_symlinks {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    } else {
        absolute(path)
    };
    Ok(Stats {
        inode: meta.ino(),
        uid: meta.uid(),
        gid: meta.gid(),
        user: sys::uid_to_user(meta.uid()),
        group: sys::gid_to_group(meta.gid()),
        atime: secs(meta.atime(), meta.atime_nsec()),
        mtime: secs(meta.mtime(), meta.mtime_nsec()),
        ctime: secs(meta.ctime(), meta.ctime_nsec()),
        size: meta.size(),
        mode: mode_string(meta.permissions().mode()),
        sum,
        kind: kind_of(&meta),
        target: target.to_string_lossy().into_owned(),
    })
}

fn absolute(path: &Path) -> std::path::PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    }
}

/// The hex digest of a file with one of Salt's hash forms.
pub fn get_hash(path: &Path, form: &str) -> Result<String, ModuleError> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| ModuleError::Execution(format!("Unable to read {}: {e}", path.display())))?;
    let mut data = Vec::new();
    file.read_to_end(&mut data)
        .map_err(|e| ModuleError::Execution(format!("Unable to read {}: {e}", path.display())))?;
    hash_bytes(&data, form)
}

/// The hex digest of bytes (`md5`, `sha1`, `sha224`, `sha256`, `sha384`, `sha512`).
pub fn hash_bytes(data: &[u8], form: &str) -> Result<String, ModuleError> {
    let digest = match form {
        "md5" => hex(&Md5::digest(data)),
        "sha1" => hex(&Sha1::digest(data)),
        "sha224" => hex(&Sha224::digest(data)),
        "sha256" => hex(&Sha256::digest(data)),
        "sha384" => hex(&Sha384::digest(data)),
        "sha512" => hex(&Sha512::digest(data)),
        other => return Err(ModuleError::Invocation(format!("Invalid hash type: {other}"))),
    };
    Ok(digest)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_modes_like_salt() {
        assert_eq!(normalize_mode(&Value::Int(644)).as_deref(), Some("0644"));
        assert_eq!(normalize_mode(&Value::str("0o750")).as_deref(), Some("0750"));
        assert_eq!(normalize_mode(&Value::str("'0600'")).as_deref(), Some("0600"));
        assert_eq!(normalize_mode(&Value::Null), None);
        assert_eq!(mode_string(0o4755), "4755");
        assert_eq!(parse_mode("0750"), Some(0o750));
        assert_eq!(parse_mode("abc"), None);
    }

    #[test]
    fn hashes() {
        assert_eq!(
            hash_bytes(b"abc", "sha256").unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash_bytes(b"abc", "md5").unwrap(), "900150983cd24fb0d6963f7d28e17f72");
        assert!(hash_bytes(b"", "crc").is_err());
    }
}
