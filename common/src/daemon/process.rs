//! Process plumbing of a daemon: detaching (`-d`), the pid file, and the
//! signals that ask it to stop.
//!
//! [`daemonize`] forks, so it must run before any thread (and before the
//! tokio runtime) exists. It must not know what the daemon does.

use std::path::{Path, PathBuf};

use crate::daemon::DaemonError;

/// Detach from the terminal: fork, `setsid`, fork again, `chdir /`, and point
/// stdin/stdout/stderr at `/dev/null`. Only the grandchild returns.
pub fn daemonize() -> Result<(), DaemonError> {
    fork_and_leave_parent()?;
    // SAFETY: setsid has no memory-safety preconditions.
    if unsafe { libc::setsid() } < 0 {
        return Err(DaemonError::Process(format!("setsid failed: {}", std::io::Error::last_os_error())));
    }
    fork_and_leave_parent()?;
    std::env::set_current_dir("/").map_err(|e| DaemonError::io(Path::new("/"), e))?;
    redirect_std_streams()
}

fn fork_and_leave_parent() -> Result<(), DaemonError> {
    // SAFETY: called before any other thread exists (see the module documentation).
    match unsafe { libc::fork() } {
        -1 => Err(DaemonError::Process(format!("fork failed: {}", std::io::Error::last_os_error()))),
        0 => Ok(()),
        // SAFETY: _exit ends the parent without running destructors shared with the child.
        _ => unsafe { libc::_exit(0) },
    }
}

fn redirect_std_streams() -> Result<(), DaemonError> {
    use std::os::fd::AsRawFd;
    let devnull = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map_err(|e| DaemonError::io(Path::new("/dev/null"), e))?;
    for fd in 0..3 {
        // SAFETY: dup2 on a valid open descriptor onto 0, 1, 2.
        if unsafe { libc::dup2(devnull.as_raw_fd(), fd) } < 0 {
            return Err(DaemonError::Process(format!("dup2 failed: {}", std::io::Error::last_os_error())));
        }
    }
    Ok(())
}

/// A pid file, removed when dropped.
pub struct PidFile {
    path: PathBuf,
}

impl PidFile {
    /// Write this process's pid to `path` (creating its directory).
    pub fn create(path: &Path) -> Result<PidFile, DaemonError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| DaemonError::io(dir, e))?;
        }
        std::fs::write(path, format!("{}\n", std::process::id())).map_err(|e| DaemonError::io(path, e))?;
        Ok(PidFile { path: path.to_path_buf() })
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Resolves when SIGTERM or SIGINT arrives.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        log::error!("cannot install signal handlers; stop the daemon with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => log::info!("received SIGTERM, shutting down"),
        _ = int.recv() => log::info!("received SIGINT, shutting down"),
    }
}

/// Turn transparent huge pages off for this process. mimalloc asks for
/// them, and each first touch then maps 2 MiB: for a CLI that runs for
/// milliseconds, or a daemon that idles, they only add RSS (a no-op run of
/// 1,000 states peaked at 32 MB instead of 21 MB). Pages touched before
/// the call keep their size; a kernel without the option just says no.
pub fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Calls [`no_huge_pages`] before `main`, from the ELF `.init_array`: Rust's
/// runtime allocates before `main` runs, and that first allocation makes
/// mimalloc map and touch its first arena, which then gets a huge page.
/// Each binary invokes it once at its top level.
#[macro_export]
macro_rules! no_huge_pages_before_main {
    () => {
        #[used]
        #[link_section = ".init_array"]
        static NO_HUGE_PAGES: extern "C" fn() = {
            extern "C" fn no_huge_pages() {
                $crate::daemon::process::no_huge_pages();
            }
            no_huge_pages
        };
    };
}

/// Raise the soft limit on open files to `wanted`, or to the hard limit when
/// that is lower, as Salt's master does with `max_open_files` (each minion
/// session holds a socket); the soft and hard limits in force afterwards.
pub fn raise_open_files(wanted: u64) -> Result<(u64, u64), DaemonError> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes only into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(DaemonError::Process(format!("getrlimit failed: {}", std::io::Error::last_os_error())));
    }
    log::info!("Current values for max open files soft/hard setting: {}/{}", lim.rlim_cur, lim.rlim_max);
    let target = wanted.min(lim.rlim_max);
    if target <= lim.rlim_cur {
        return Ok((lim.rlim_cur, lim.rlim_max));
    }
    log::info!("Raising max open files value to {target}");
    let raised = libc::rlimit { rlim_cur: target, rlim_max: lim.rlim_max };
    // SAFETY: setrlimit only reads the struct we pass.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
        return Err(DaemonError::Process(format!("setrlimit to {target} failed: {}", std::io::Error::last_os_error())));
    }
    log::info!("New values for max open files soft/hard values: {target}/{}", lim.rlim_max);
    Ok((target, lim.rlim_max))
}

#[cfg(test)]
mod tests {
    #[test]
    fn huge_pages_are_off_afterwards() {
        super::no_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE takes no pointers.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
