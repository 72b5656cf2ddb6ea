//! Thin, safe wrappers over the few libc calls brine needs that std lacks:
//! user and group lookups (NSS through `getpwnam_r` and friends), the process
//! umask, the effective ids, local time and CPU placement.
//!
//! It must stay a leaf: no Salt semantics here, only "ask the OS"; callers
//! turn the answers into Salt's messages.

use std::ffi::{CStr, CString};
use std::time::{SystemTime, UNIX_EPOCH};

/// A passwd entry, reduced to what brine uses.
#[derive(Debug, Clone, PartialEq)]
pub struct UserEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

const BUF_LEN: usize = 16 * 1024;

fn passwd_to_entry(pw: &libc::passwd) -> UserEntry {
    // SAFETY: getpw*_r filled these with NUL-terminated strings in our buffer.
    let name = unsafe { CStr::from_ptr(pw.pw_name) }.to_string_lossy().into_owned();
    let home = unsafe { CStr::from_ptr(pw.pw_dir) }.to_string_lossy().into_owned();
    UserEntry { name, uid: pw.pw_uid, gid: pw.pw_gid, home }
}

/// Looks a user up by name.
pub fn user_by_name(name: &str) -> Option<UserEntry> {
    let cname = CString::new(name).ok()?;
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; BUF_LEN];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call.
    let rc = unsafe { libc::getpwnam_r(cname.as_ptr(), &mut pw, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then(|| passwd_to_entry(&pw))
}

/// Looks a user up by uid.
pub fn user_by_uid(uid: u32) -> Option<UserEntry> {
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; BUF_LEN];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then(|| passwd_to_entry(&pw))
}

fn group_name_of(gr: &libc::group) -> String {
    // SAFETY: getgr*_r filled gr_name with a NUL-terminated string.
    unsafe { CStr::from_ptr(gr.gr_name) }.to_string_lossy().into_owned()
}

/// The gid of a group name.
pub fn gid_by_name(name: &str) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    let mut gr: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; BUF_LEN];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call.
    let rc = unsafe { libc::getgrnam_r(cname.as_ptr(), &mut gr, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then_some(gr.gr_gid)
}

/// The name of a gid.
pub fn group_by_gid(gid: u32) -> Option<String> {
    let mut gr: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; BUF_LEN];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call.
    let rc = unsafe { libc::getgrgid_r(gid, &mut gr, buf.as_mut_ptr(), buf.len(), &mut result) };
    (rc == 0 && !result.is_null()).then(|| group_name_of(&gr))
}

/// Salt's `uid_to_user`: the name, or the uid as text when unknown.
pub fn uid_to_user(uid: u32) -> String {
    cached(&USER_NAMES, uid, || user_by_uid(uid).map(|u| u.name))
}

/// Salt's `gid_to_group`: the name, or the gid as text when unknown.
pub fn gid_to_group(gid: u32) -> String {
    cached(&GROUP_NAMES, gid, || group_by_gid(gid))
}

thread_local! {
    // Names of ids already looked up: NSS re-reads /etc/passwd on every call,
    // which dominated a no-op run of many file states. Only found names are
    // kept, so a user created later in the run is still seen.
    static USER_NAMES: std::cell::RefCell<std::collections::HashMap<u32, String>> = Default::default();
    static GROUP_NAMES: std::cell::RefCell<std::collections::HashMap<u32, String>> = Default::default();
}

fn cached(
    cache: &'static std::thread::LocalKey<std::cell::RefCell<std::collections::HashMap<u32, String>>>,
    id: u32,
    lookup: impl FnOnce() -> Option<String>,
) -> String {
    if let Some(name) = cache.with(|c| c.borrow().get(&id).cloned()) {
        return name;
    }
    match lookup() {
        Some(name) => {
            cache.with(|c| c.borrow_mut().insert(id, name.clone()));
            name
        }
        None => id.to_string(),
    }
}

pub fn euid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

/// The name of the user running brine.
pub fn current_user() -> String {
    uid_to_user(euid())
}

/// The host name (Python's `socket.gethostname()`).
pub fn hostname() -> String {
    let mut buf = vec![0 as libc::c_char; 256];
    // SAFETY: buf is valid for its length; gethostname NUL-terminates on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr(), buf.len() - 1) };
    if rc != 0 {
        return String::new();
    }
    // SAFETY: the buffer is NUL-terminated (its last byte was never written).
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}

/// The process umask, read without changing it (from /proc when possible).
pub fn umask() -> u32 {
    if let Some(mask) = umask_from_proc() {
        return mask;
    }
    // SAFETY: umask cannot fail; the second call restores the value.
    let old = unsafe { libc::umask(0o022) };
    unsafe { libc::umask(old) };
    old as u32
}

fn umask_from_proc() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Umask:"))?;
    u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).ok()
}

/// Sets the process umask and returns the previous one.
pub fn set_umask(mask: u32) -> u32 {
    // SAFETY: umask cannot fail.
    unsafe { libc::umask(mask as libc::mode_t) as u32 }
}

/// The CPU the calling thread runs on now, if the kernel says.
pub fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments; -1 is its error.
    usize::try_from(unsafe { libc::sched_getcpu() }).ok()
}

/// How many CPUs the calling thread may run on (1 when the kernel does not
/// say). Unlike `std::thread::available_parallelism` it reads no cgroup
/// files: one system call.
pub fn cpus_allowed() -> usize {
    // SAFETY: CPU_COUNT reads the set it is given.
    allowed_cpus().map_or(1, |set| usize::try_from(unsafe { libc::CPU_COUNT(&set) }).unwrap_or(1).max(1))
}

/// The calling thread's allowed CPUs.
fn allowed_cpus() -> Option<libc::cpu_set_t> {
    // SAFETY: cpu_set_t is plain bits, zeroed is the empty set; the call
    // gets the set's exact size and asks about the calling thread (pid 0).
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        (libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0).then_some(set)
    }
}

/// Starts `f` on a thread kept off the caller's current core
/// ([`avoid_cpu`]): a new thread may otherwise start there and take turns
/// with its caller instead of running beside it.
pub fn spawn_beside<F, T>(thread: std::thread::Builder, f: F) -> std::io::Result<std::thread::JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let caller = current_cpu();
    thread.spawn(move || {
        if let Some(cpu) = caller {
            avoid_cpu(cpu);
        }
        f()
    })
}

/// Keeps the calling thread off `cpu`: its allowed CPUs become the ones it
/// had, less `cpu`. Nothing changes when that would leave none, or when the
/// kernel refuses. For a helper thread that should run beside its caller,
/// not take turns with it on one core.
pub fn avoid_cpu(cpu: usize) {
    let Some(mut set) = allowed_cpus() else { return };
    if cpu >= libc::CPU_SETSIZE as usize {
        return;
    }
    // SAFETY: `cpu` is within the set; setaffinity gets the set's exact
    // size and only changes the calling thread (pid 0).
    unsafe {
        libc::CPU_CLR(cpu, &mut set);
        if libc::CPU_COUNT(&set) > 0 {
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        }
    }
}

/// A broken-down local time with microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub weekday: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

/// The current local time.
pub fn local_now() -> LocalTime {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    local_time(now.as_secs() as i64, now.subsec_micros())
}

/// Converts a Unix time to local time (UTC if the conversion fails).
pub fn local_time(secs: i64, micros: u32) -> LocalTime {
    let t: libc::time_t = secs as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid; localtime_r is thread-safe.
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        return LocalTime { year: 1970, month: 1, day: 1, weekday: 4, hour: 0, minute: 0, second: 0, micros };
    }
    LocalTime {
        year: tm.tm_year + 1900,
        month: (tm.tm_mon + 1) as u32,
        day: tm.tm_mday as u32,
        weekday: tm.tm_wday as u32,
        hour: tm.tm_hour as u32,
        minute: tm.tm_min as u32,
        second: tm.tm_sec as u32,
        micros,
    }
}

impl LocalTime {
    /// Python's `time.isoformat()`: `HH:MM:SS.ffffff`, no fraction when zero.
    pub fn iso_time(&self) -> String {
        // Written digit by digit: every state return carries one.
        fn digits(out: &mut String, n: u32, width: u32) {
            for p in (0..width).rev() {
                out.push(char::from(b'0' + (n / 10u32.pow(p) % 10) as u8));
            }
        }
        let mut out = String::with_capacity(15);
        for (i, part) in [self.hour, self.minute, self.second].into_iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            digits(&mut out, part, 2);
        }
        if self.micros != 0 {
            out.push('.');
            digits(&mut out, self.micros, 6);
        }
        out
    }

    /// `strftime("%a_%b_%d_%H:%M:%S_%Y")` in the C locale.
    pub fn backup_stamp(&self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let day = DAYS.get(self.weekday as usize).copied().unwrap_or("Sun");
        let month = MONTHS.get(self.month.saturating_sub(1) as usize).copied().unwrap_or("Jan");
        format!("{day}_{month}_{:02}_{:02}:{:02}:{:02}_{}", self.day, self.hour, self.minute, self.second, self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_known() {
        let root = user_by_uid(0).expect("uid 0");
        assert_eq!(root.name, "root");
        assert_eq!(user_by_name("root").map(|u| u.uid), Some(0));
        assert_eq!(gid_by_name("root"), Some(0));
        assert_eq!(uid_to_user(4_000_000_000), "4000000000");
    }

    #[test]
    fn a_thread_can_be_kept_off_a_cpu_but_not_off_all() {
        let allowed = || {
            let set = allowed_cpus().expect("affinity");
            // SAFETY: CPU_ISSET reads the set for indices within it.
            (0..libc::CPU_SETSIZE as usize).filter(|&c| unsafe { libc::CPU_ISSET(c, &set) }).collect::<Vec<_>>()
        };
        std::thread::spawn(move || {
            let before = allowed();
            let first = before[0];
            avoid_cpu(first);
            let after = allowed();
            if before.len() > 1 {
                assert_eq!(after, before[1..].to_vec());
            } else {
                assert_eq!(after, before, "the last allowed CPU stays");
            }
            for cpu in after.clone() {
                avoid_cpu(cpu);
            }
            assert_eq!(allowed().len(), 1, "never an empty set");
            assert_eq!(cpus_allowed(), 1);
            assert!(current_cpu().is_some());
        })
        .join()
        .expect("thread");
    }

    #[test]
    fn iso_time_drops_zero_fraction() {
        let t = LocalTime { year: 2024, month: 1, day: 2, weekday: 2, hour: 3, minute: 4, second: 5, micros: 0 };
        assert_eq!(t.iso_time(), "03:04:05");
        let t = LocalTime { micros: 7, ..t };
        assert_eq!(t.iso_time(), "03:04:05.000007");
        assert_eq!(t.backup_stamp(), "Tue_Jan_02_03:04:05_2024");
    }
}
