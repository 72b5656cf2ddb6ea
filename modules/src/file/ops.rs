//! Filesystem changes with Salt's semantics: atomic replacement of a file's
//! contents (temp file in the same directory, fsync, rename), minion-side
//! backups, touch, mkdir/makedirs with ownership and mode, remove, symlinks.
//!
//! Every function here changes the system; callers decide whether to call
//! them (test mode never reaches this file).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use brine_common::Value;

use super::perms::{check_perms, PermsReport, PermsWanted};
use crate::{sys, ModuleError};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_err(context: &str, e: std::io::Error) -> ModuleError {
    ModuleError::Execution(format!("{context}: {e}"))
}

/// A fresh temp file beside `dest`, created 0600 (as `mkstemp`).
fn create_temp_beside(dest: &Path) -> Result<(PathBuf, File), ModuleError> {
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let base = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for _ in 0..100 {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{base}.brine-{}-{n}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(&format!("Unable to create a temp file in {}", dir.display()), e)),
        }
    }
    Err(ModuleError::Execution(format!("Unable to create a temp file in {}", dir.display())))
}

/// How the new file's mode and owner are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NewPerms {
    /// Keep the mode and owner of the file being replaced (0600 if new).
    PreserveExisting,
    /// Set exactly this mode (owner: the running user).
    Mode(u32),
}

/// Replaces `dest` with `data` atomically: temp file in the same directory,
/// fsync, mode/owner, rename over `dest`, fsync of the directory.
pub fn atomic_write(dest: &Path, data: &[u8], perms: NewPerms) -> Result<(), ModuleError> {
    let (tmp, mut file) = create_temp_beside(dest)?;
    let res = write_and_sync(&mut file, data).and_then(|_| apply_new_perms(&tmp, dest, perms));
    drop(file);
    let res = res.and_then(|_| std::fs::rename(&tmp, dest).map_err(|e| io_err("Failed to commit change", e)));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res?;
    sync_dir(dest);
    Ok(())
}

fn write_and_sync(file: &mut File, data: &[u8]) -> Result<(), ModuleError> {
    file.write_all(data).map_err(|e| io_err("Failed to write temp file", e))?;
    file.sync_all().map_err(|e| io_err("Failed to sync temp file", e))
}

fn apply_new_perms(tmp: &Path, dest: &Path, perms: NewPerms) -> Result<(), ModuleError> {
    match perms {
        NewPerms::Mode(mode) => set_bits(tmp, mode),
        NewPerms::PreserveExisting => match std::fs::metadata(dest) {
            Ok(meta) => {
                std::os::unix::fs::chown(tmp, Some(meta.uid()), Some(meta.gid()))
                    .map_err(|e| io_err("Failed to commit change", e))?;
                set_bits(tmp, meta.permissions().mode() & 0o7777)
            }
            Err(_) => Ok(()),
        },
    }
}

fn set_bits(path: &Path, mode: u32) -> Result<(), ModuleError> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| io_err("Failed to commit change", e))
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Salt's `backup_minion`: copies `path` to
/// `<bkroot>/<dir without leading />/<name>_<Day_Mon_DD_HH:MM:SS_usec_YYYY>`.
pub fn backup_minion(path: &Path, bkroot: &Path) -> Result<PathBuf, ModuleError> {
    let dname = path.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    let bname = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let src_dir = dname.strip_prefix('/').unwrap_or(&dname);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let micros_total = now.as_micros().to_string();
    let msecs = &micros_total[micros_total.len().saturating_sub(6)..];
    let stamp = sys::local_time(now.as_secs() as i64, now.subsec_micros()).backup_stamp();
    let (head, year) = stamp.split_at(stamp.len().saturating_sub(4));
    let bkpath = bkroot.join(src_dir).join(format!("{bname}_{head}{msecs}_{year}"));
    if let Some(parent) = bkpath.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_err("Unable to create backup directory", e))?;
    }
    std::fs::copy(path, &bkpath).map_err(|e| io_err("Unable to back up file", e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::os::unix::fs::chown(&bkpath, Some(meta.uid()), Some(meta.gid()));
    }
    Ok(bkpath)
}

/// Salt's `file.touch`: creates the file if missing, then sets its times
/// (now when neither is given). Returns whether the path exists afterwards.
pub fn touch(path: &Path, atime: Option<f64>, mtime: Option<f64>) -> Result<bool, ModuleError> {
    if !path.exists() {
        OpenOptions::new().append(true).create(true).open(path).map_err(|e| os_message(&e))?;
    }
    let now = SystemTime::now();
    let at = atime.map(system_time).unwrap_or(now);
    let mt = mtime.map(system_time).unwrap_or(now);
    let file = File::open(path).map_err(|e| os_message(&e))?;
    let times = std::fs::FileTimes::new().set_accessed(at).set_modified(mt);
    file.set_times(times).map_err(|e| os_message(&e))?;
    Ok(path.exists())
}

fn system_time(secs: f64) -> SystemTime {
    Duration::try_from_secs_f64(secs).ok().and_then(|d| UNIX_EPOCH.checked_add(d)).unwrap_or(UNIX_EPOCH)
}

/// Python's `strerror` of an OS error ("No such file or directory").
pub fn os_message(e: &std::io::Error) -> ModuleError {
    let text = e.to_string();
    let strerror = text.split(" (os error").next().unwrap_or(&text).to_string();
    ModuleError::Execution(strerror)
}

/// Salt's `file.makedirs_perms`: creates `name` and any missing parents, each
/// with the given ownership and mode.
pub fn makedirs_perms(name: &Path, user: &Value, group: &Value, mode: Option<&str>) -> Result<(), ModuleError> {
    if let Some(parent) = name.parent() {
        if !parent.as_os_str().is_empty() && !parent.exists() {
            makedirs_perms(parent, user, group, mode)?;
        }
    }
    match std::fs::create_dir(name) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err(&format!("Unable to create directory {}", name.display()), e)),
    }
    let want = PermsWanted {
        user: user.clone(),
        group: group.clone(),
        mode: mode.map(str::to_string),
        follow_symlinks: false,
    };
    check_perms(name, &want, false).map(|_: PermsReport| ())
}

/// Salt's `file.mkdir`.
pub fn mkdir(path: &Path, user: &Value, group: &Value, mode: Option<&str>) -> Result<bool, ModuleError> {
    if !path.is_dir() {
        makedirs_perms(&normpath(path), user, group, mode)?;
    }
    Ok(true)
}

/// Salt's `file.makedirs`: creates the missing parents of `path` (not `path`).
pub fn makedirs(path: &Path, user: &Value, group: &Value, mode: Option<&str>) -> Result<(), ModuleError> {
    let Some(dirname) = path.parent().map(normpath) else { return Ok(()) };
    if dirname.is_dir() {
        return Ok(());
    }
    if dirname.exists() {
        return Err(ModuleError::Execution(format!(
            "The path '{}' already exists and is not a directory",
            dirname.display()
        )));
    }
    let mut missing = Vec::new();
    let mut cur = dirname.as_path();
    while !cur.is_dir() {
        missing.push(cur.to_path_buf());
        match cur.parent() {
            Some(p) if p != cur => cur = p,
            _ => break,
        }
    }
    for dir in missing.iter().rev() {
        mkdir(dir, user, group, mode)?;
    }
    Ok(())
}

/// `os.path.normpath` for absolute and relative paths.
pub fn normpath(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// Salt's `file.remove`: removes a file, link or directory tree.
pub fn remove(path: &Path) -> Result<bool, ModuleError> {
    if !path.is_absolute() {
        return Err(ModuleError::Invocation(format!("File path must be absolute: {}", path.display())));
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(_) => return Ok(false),
    };
    let res = if meta.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
    res.map(|_| true)
        .map_err(|e| ModuleError::Execution(format!("Could not remove '{}': {}", path.display(), os_message(&e))))
}

/// Whether `path` is a symlink.
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

/// Salt's `file.readlink`.
pub fn readlink(path: &Path) -> Result<String, ModuleError> {
    if !path.is_absolute() {
        return Err(ModuleError::Invocation(format!("Path to link must be absolute: {}", path.display())));
    }
    if !is_link(path) {
        return Err(ModuleError::Invocation(format!("A valid link was not specified: {}", path.display())));
    }
    std::fs::read_link(path)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| ModuleError::Execution(e.to_string()))
}

/// Salt's `file.symlink(src, path, force)` (non-atomic form).
pub fn symlink(src: &str, path: &Path, force: bool) -> Result<bool, ModuleError> {
    if !path.is_absolute() {
        return Err(ModuleError::Invocation(format!("Link path must be absolute: {}", path.display())));
    }
    if is_link(path) {
        if readlink(path).map(|t| normpath(Path::new(&t)) == normpath(Path::new(src))).unwrap_or(false) {
            return Ok(true);
        }
        if !force {
            return Err(ModuleError::Execution(format!("Found existing symlink: {}", path.display())));
        }
    }
    if path.exists() && !force {
        return Err(ModuleError::Execution(format!("Existing path is not a symlink: {}", path.display())));
    }
    if force && (is_link(path) || path.exists()) {
        std::fs::remove_file(path).map_err(|e| os_message(&e))?;
    }
    std::os::unix::fs::symlink(src, path)
        .map(|_| true)
        .map_err(|_| ModuleError::Execution(format!("Could not create '{}'", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("brine-ops-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn atomic_write_preserves_or_sets_mode() {
        let dir = tmp("write");
        let f = dir.join("f");
        atomic_write(&f, b"one", NewPerms::PreserveExisting).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        atomic_write(&f, b"two", NewPerms::PreserveExisting).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o640);
        atomic_write(&f, b"three", NewPerms::Mode(0o644)).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o644);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temp files left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn backup_path_has_salt_shape() {
        let dir = tmp("backup");
        let f = dir.join("f.txt");
        std::fs::write(&f, "x").unwrap();
        let bk = backup_minion(&f, &dir.join("bk")).unwrap();
        let name = bk.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("f.txt_"), "{name}");
        assert_eq!(name.split('_').count(), 7, "{name}");
        assert!(bk.starts_with(dir.join("bk").join(dir.strip_prefix("/").unwrap())));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn makedirs_mkdir_remove_symlink() {
        let dir = tmp("dirs");
        let deep = dir.join("a/b/c");
        mkdir(&deep, &Value::Null, &Value::Null, Some("0750")).unwrap();
        assert_eq!(std::fs::metadata(&deep).unwrap().permissions().mode() & 0o777, 0o750);
        assert_eq!(std::fs::metadata(dir.join("a")).unwrap().permissions().mode() & 0o777, 0o750);
        let link = dir.join("l");
        assert!(symlink("/tmp", &link, false).unwrap());
        assert!(symlink("/tmp", &link, false).unwrap());
        assert!(symlink("/etc", &link, false).is_err());
        assert_eq!(readlink(&link).unwrap(), "/tmp");
        assert!(remove(&dir.join("a")).unwrap());
        assert!(!remove(&dir.join("a")).unwrap());
        assert!(remove(Path::new("rel")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn touch_creates_and_sets_times() {
        let dir = tmp("touch");
        let f = dir.join("t");
        assert!(touch(&f, Some(1000.0), Some(2000.0)).unwrap());
        let meta = std::fs::metadata(&f).unwrap();
        assert_eq!(meta.mtime(), 2000);
        assert_eq!(meta.atime(), 1000);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
