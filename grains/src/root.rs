//! The one file-system reader every grain collector goes through.
//!
//! Absolute paths such as `/proc/cpuinfo` are resolved below a root
//! directory, "/" for the real system or a temp dir holding a fake
//! `/proc`, `/etc`, `/sys` tree in tests. Reads never fail loudly: a missing
//! or unreadable file is `None`, as grains simply leave out what they cannot
//! see. It must not write anything, and nothing may bypass it to read a
//! system path directly.

use std::fs;
use std::path::{Path, PathBuf};

/// The first buffer of [`Root::read_bytes`]: /proc/cpuinfo of a few CPUs fits.
const READ_START: usize = 16 << 10;

#[derive(Clone, Debug)]
pub struct Root {
    base: PathBuf,
}

impl Root {
    pub fn new(base: impl Into<PathBuf>) -> Self {
        Root { base: base.into() }
    }

    /// The real path of an absolute system path below this root.
    pub fn path(&self, abs: &str) -> PathBuf {
        self.base.join(abs.trim_start_matches('/'))
    }

    /// The contents as text (invalid UTF-8 replaced), `None` when unreadable.
    pub fn read(&self, abs: &str) -> Option<String> {
        self.read_bytes(abs).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    pub fn read_bytes(&self, abs: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        // Most files read here are in /proc or /sys, which report a size of
        // 0: a buffer of a few pages reads them in one call, where reading
        // to the end from an empty buffer would take many small reads.
        let mut buf = Vec::with_capacity(READ_START);
        self.open(abs)?.read_to_end(&mut buf).ok()?;
        Some(buf)
    }

    /// The file opened for reading, `None` when it cannot be.
    pub fn open(&self, abs: &str) -> Option<fs::File> {
        fs::File::open(self.path(abs)).ok()
    }

    /// The first line, trimmed, of a one-value file such as sysfs attributes.
    pub fn read_value(&self, abs: &str) -> Option<String> {
        self.read(abs).map(|s| s.trim().to_string())
    }

    pub fn exists(&self, abs: &str) -> bool {
        self.path(abs).exists()
    }

    pub fn is_file(&self, abs: &str) -> bool {
        self.path(abs).is_file()
    }

    pub fn is_dir(&self, abs: &str) -> bool {
        self.path(abs).is_dir()
    }

    /// Entry names of a directory, sorted; empty when it cannot be read.
    pub fn list_dir(&self, abs: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.path(abs))
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The target of a symlink, as stored in the link.
    pub fn read_link(&self, abs: &str) -> Option<PathBuf> {
        fs::read_link(self.path(abs)).ok()
    }

    /// A regular file with an execute bit set (as `os.access(X_OK)` for root).
    pub fn is_executable(&self, abs: &str) -> bool {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(self.path(abs)).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }

    /// (device, inode) of a path, following symlinks.
    pub fn dev_ino(&self, abs: &str) -> Option<(u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(self.path(abs)).ok().map(|m| (m.dev(), m.ino()))
    }

    /// `salt.utils.path.which`: an absolute or relative path that is
    /// executable, else the first executable `dir/name` along `path_var`
    /// and Salt's default directories. Returns the system path found.
    pub fn which(&self, name: &str, path_var: &str) -> Option<String> {
        if name.is_empty() {
            return None;
        }
        if name.contains('/') {
            return self.is_executable(name).then(|| name.to_string());
        }
        search_dirs(path_var)
            .into_iter()
            .map(|dir| format!("{}/{}", dir.trim_end_matches('/'), name))
            .find(|candidate| Path::new(candidate).is_absolute() && self.is_executable(candidate))
    }
}

/// PATH entries followed by the defaults Salt appends when missing.
fn search_dirs(path_var: &str) -> Vec<String> {
    let mut dirs: Vec<String> = path_var.split(':').map(str::to_string).collect();
    for d in ["/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
        if !dirs.iter().any(|x| x == d) {
            dirs.push(d.to_string());
        }
    }
    dirs
}
