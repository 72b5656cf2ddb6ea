//! The process backend: runs one command with a given environment, working
//! directory, user, umask, stdin and timeout, and returns its output.
//!
//! [`ProcessRunner`] is the seam tests can replace; [`SystemRunner`] is the
//! real thing (std::process plus a process group so a timeout, or a killed
//! job (see [`crate::job`]), kills the whole tree). It must not interpret
//! commands (no shells, no Salt rules): `cmd` builds the argv and the
//! environment.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::job::JobHandle;
use crate::ModuleError;

/// Everything needed to start one process.
#[derive(Debug, Clone, Default)]
pub struct ProcSpec {
    pub argv: Vec<String>,
    pub cwd: PathBuf,
    /// The complete environment of the child.
    pub env: Vec<(String, String)>,
    pub stdin: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
    /// Send stderr into the stdout pipe (Salt's `stderr=subprocess.STDOUT`).
    pub merge_stderr: bool,
    /// Run as this uid/gid.
    pub uid_gid: Option<(u32, u32)>,
    pub umask: Option<u32>,
}

/// What a finished (or timed-out) process produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcOutput {
    pub pid: u32,
    /// Exit code, or minus the signal number (Python's `returncode`).
    pub returncode: i64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
}

/// Runs processes. Implementations must not panic on any spec.
pub trait ProcessRunner: Sync {
    fn run(&self, spec: &ProcSpec) -> Result<ProcOutput, ModuleError>;
}

/// The real process runner.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRunner;

impl ProcessRunner for SystemRunner {
    fn run(&self, spec: &ProcSpec) -> Result<ProcOutput, ModuleError> {
        let job = JobHandle::current();
        if job.as_ref().is_some_and(JobHandle::is_cancelled) {
            return Err(ModuleError::Execution("The job was killed".into()));
        }
        let mut child = spawn(spec)?;
        let pid = child.id();
        // The child leads its own process group: the job's kill reaches it and its children.
        let registered = job.as_ref().map(|j| j.register(libc::pid_t::try_from(pid).unwrap_or(0)));
        let stdin_writer = feed_stdin(&mut child, spec.stdin.clone());
        let out_reader = reader(child.stdout.take());
        let err_reader = reader(child.stderr.take());
        let timed_out = wait_exit(pid, spec.timeout)?;
        // Unregister before reaping: until then the pid (the group id) cannot be reused.
        drop(registered);
        let status = child.wait().map_err(|e| ModuleError::Execution(e.to_string()))?;
        if let Some(w) = stdin_writer {
            let _ = w.join();
        }
        let stdout = out_reader.map(|h| h.join().unwrap_or_default()).unwrap_or_default();
        let stderr = err_reader.map(|h| h.join().unwrap_or_default()).unwrap_or_default();
        let returncode = match (status.code(), status.signal()) {
            (Some(code), _) => code as i64,
            (None, Some(sig)) => -(sig as i64),
            _ => -1,
        };
        Ok(ProcOutput { pid, returncode, stdout, stderr, timed_out })
    }
}

fn spawn(spec: &ProcSpec) -> Result<Child, ModuleError> {
    let (program, rest) = spec.argv.split_first().ok_or_else(|| ModuleError::Invocation("No command given".into()))?;
    let mut command = Command::new(program);
    command.args(rest).current_dir(&spec.cwd).env_clear().envs(spec.env.iter().cloned());
    command.stdin(if spec.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped());
    if spec.merge_stderr {
        let (read, write) = pipe()?;
        let write2 = write.try_clone().map_err(|e| spawn_error(program, &e))?;
        command.stdout(Stdio::from(write)).stderr(Stdio::from(write2));
        let child = configure(&mut command, spec).spawn();
        // Drop our copies of the write end (they live in `command`) so EOF arrives.
        drop(command);
        let mut child = child.map_err(|e| spawn_error(program, &e))?;
        child.stdout = Some(std::process::ChildStdout::from(read));
        return Ok(child);
    }
    command.stderr(Stdio::piped());
    configure(&mut command, spec).spawn().map_err(|e| spawn_error(program, &e))
}

fn configure<'c>(command: &'c mut Command, spec: &ProcSpec) -> &'c mut Command {
    command.process_group(0);
    if let Some((uid, gid)) = spec.uid_gid {
        command.gid(gid).uid(uid);
    }
    if let Some(mask) = spec.umask {
        // SAFETY: umask is async-signal-safe and touches no Rust state.
        unsafe {
            command.pre_exec(move || {
                libc::umask(mask as libc::mode_t);
                Ok(())
            });
        }
    }
    command
}

fn pipe() -> Result<(OwnedFd, OwnedFd), ModuleError> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds is a valid two-element array; pipe2 fills it on success.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    if rc != 0 {
        return Err(ModuleError::Execution(format!("Unable to create a pipe: {}", std::io::Error::last_os_error())));
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn spawn_error(program: &str, err: &std::io::Error) -> ModuleError {
    let errno = err.raw_os_error().unwrap_or(0);
    let text = match err.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        _ => err.to_string(),
    };
    ModuleError::Execution(format!("[Errno {errno}] {text}: '{program}'"))
}

fn feed_stdin(child: &mut Child, data: Option<Vec<u8>>) -> Option<JoinHandle<()>> {
    let mut stdin = child.stdin.take()?;
    let data = data?;
    Some(std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    }))
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> Option<JoinHandle<Vec<u8>>> {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    }))
}

/// Wait until the child has exited, killing its group at the timeout,
/// without reaping it (`Child::wait` does that); `true` when it timed out.
fn wait_exit(pid: u32, timeout: Option<Duration>) -> Result<bool, ModuleError> {
    let Some(limit) = timeout else {
        exited(pid, true)?;
        return Ok(false);
    };
    let deadline = Instant::now() + limit;
    loop {
        if exited(pid, false)? {
            return Ok(false);
        }
        if Instant::now() >= deadline {
            kill_group(pid);
            exited(pid, true)?;
            return Ok(true);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether the child `pid` has exited (waiting for it when `block`), leaving it unreaped.
fn exited(pid: u32, block: bool) -> Result<bool, ModuleError> {
    let flags = libc::WEXITED | libc::WNOWAIT | if block { 0 } else { libc::WNOHANG };
    loop {
        // SAFETY: an all-zero siginfo_t is valid; waitid fills it in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid siginfo_t; WNOWAIT leaves the child to be reaped by `Child::wait`.
        let rc = unsafe { libc::waitid(libc::P_PID, pid, &mut info, flags) };
        if rc == 0 {
            // SAFETY: waitid succeeded, so si_pid is set (0 when nothing has exited yet).
            return Ok(unsafe { info.si_pid() } != 0);
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(ModuleError::Execution(format!("Unable to wait for process {pid}: {err}")));
        }
    }
}

fn kill_group(pid: u32) {
    // SAFETY: killpg only sends a signal; the group is the child's own.
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> ProcSpec {
        ProcSpec {
            argv: vec!["/bin/sh".into(), "-c".into(), script.into()],
            cwd: PathBuf::from("/"),
            env: vec![("PATH".into(), "/usr/bin:/bin".into())],
            ..ProcSpec::default()
        }
    }

    #[test]
    fn captures_output_and_status() {
        let out = SystemRunner.run(&sh("echo out; echo err >&2; exit 3")).unwrap();
        assert_eq!(out.returncode, 3);
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn merges_stderr_and_feeds_stdin() {
        let mut spec = sh("cat; echo err >&2");
        spec.merge_stderr = true;
        spec.stdin = Some(b"in\n".to_vec());
        let out = SystemRunner.run(&spec).unwrap();
        assert_eq!(out.stdout, b"in\nerr\n");
    }

    #[test]
    fn times_out_and_kills() {
        let mut spec = sh("sleep 5");
        spec.timeout = Some(Duration::from_millis(100));
        let start = Instant::now();
        let out = SystemRunner.run(&spec).unwrap();
        assert!(out.timed_out);
        assert!(start.elapsed() < Duration::from_secs(3));
    }

    /// Whether `pid` is gone (or dead and waiting to be reaped by its new parent).
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    #[test]
    fn cancelling_the_job_kills_its_command_and_the_command_children() {
        let dir = std::env::temp_dir().join(format!("brine-job-kill-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pidfile = dir.join("grandchild.pid");
        let job = crate::job::JobHandle::new();
        let worker = {
            let job = job.clone();
            let spec = sh(&format!("sleep 30 & echo $! > {}; wait", pidfile.display()));
            std::thread::spawn(move || {
                let _in = job.enter();
                SystemRunner.run(&spec)
            })
        };
        let start = Instant::now();
        let grandchild = loop {
            match std::fs::read_to_string(&pidfile) {
                Ok(text) if text.ends_with('\n') => break text.trim().to_string(),
                _ if start.elapsed() > Duration::from_secs(10) => panic!("the command did not start"),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        assert!(!gone(&grandchild), "the grandchild runs before the cancel");
        let cancelled = Instant::now();
        job.cancel(crate::job::Signal::Kill);
        let out = worker.join().unwrap().unwrap();
        assert!(cancelled.elapsed() < Duration::from_secs(5), "took {:?}", cancelled.elapsed());
        assert_eq!(out.returncode, -9);
        let deadline = Instant::now() + Duration::from_secs(3);
        while !gone(&grandchild) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(gone(&grandchild), "grandchild {grandchild} still runs");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_cancelled_job_starts_no_command() {
        let job = crate::job::JobHandle::new();
        job.cancel(crate::job::Signal::Term);
        let _in = job.enter();
        let err = SystemRunner.run(&sh("sleep 30")).unwrap_err();
        assert!(err.to_string().contains("killed"), "{err}");
    }

    #[test]
    fn a_command_registered_after_the_cancel_is_signalled_at_once() {
        let job = crate::job::JobHandle::new();
        let mut child = Command::new("/bin/sh").args(["-c", "sleep 30"]).process_group(0).spawn().unwrap();
        job.cancel(crate::job::Signal::Term);
        let reg = job.register(child.id() as i32);
        let start = Instant::now();
        let status = child.wait().unwrap();
        drop(reg);
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn missing_program_is_an_error() {
        let mut spec = sh("");
        spec.argv = vec!["/nonexistent/prog".into()];
        let err = SystemRunner.run(&spec).unwrap_err();
        assert!(err.to_string().contains("No such file or directory"), "{err}");
    }
}
