//! Read-ahead for runs of many `file.managed` states. A second thread takes
//! the inspection `file.managed` starts with (its target's `lstat` and, for a
//! regular file, its contents) from the last such state of the run
//! backwards, while the engine runs the states forwards; where the two meet,
//! the engine finds its files already read. On an unchanged tree the
//! engine's share of those system calls halves at least.
//!
//! A reading is only as good as the moment it was taken, so the engine uses
//! readings only while nothing that could have changed a file has run since
//! the read-ahead started: it stops the read-ahead for good before any call
//! other than a plain `file.managed` (no template, no `onlyif`, `unless` or
//! `check_cmd`, not in test mode) and after any call that changed something
//! or did not succeed. A stopped read-ahead hands out nothing.
//!
//! It must not write anything, nor open anything but regular files. Dropping
//! it stops the thread after the file it is reading, without waiting: a read
//! stuck on a dead network mount must not hold up the end of the run.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use brine_common::value::MapHasher;
use brine_common::{Map, Value};

use crate::mods::file::managed::{read_target, Reading};

/// Fewer `file.managed` states than this are not worth a thread.
pub(crate) const MIN_TARGETS: usize = 32;

/// The most file contents the thread holds at once, in bytes.
const MAX_HELD: usize = 64 << 20;

/// A running read-ahead; see the module documentation.
pub struct Lookahead {
    shared: Arc<Shared>,
    /// Joined only by tests; a run lets the thread go (see `Drop`).
    #[cfg_attr(not(test), allow(dead_code))]
    worker: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    /// By the target's path as bytes (hashed whole, not by component).
    readings: Mutex<HashMap<OsString, Reading, MapHasher>>,
    /// How many targets the engine has reached; the thread stops there.
    reached: AtomicUsize,
    stopped: AtomicBool,
}

impl Lookahead {
    /// Starts reading ahead over the `file.managed` targets of `lows`, or
    /// None when there are too few of them, the machine has one core, or the
    /// thread cannot be started.
    pub(crate) fn start(lows: &[std::rc::Rc<Map>]) -> Option<Self> {
        let targets: Vec<PathBuf> = lows.iter().filter_map(|low| managed_target(low)).collect();
        if targets.len() < MIN_TARGETS || brine_modules::sys::cpus_allowed() < 2 {
            return None;
        }
        Self::spawn(targets)
    }

    fn spawn(targets: Vec<PathBuf>) -> Option<Self> {
        let shared = Arc::new(Shared {
            readings: Mutex::new(HashMap::with_capacity_and_hasher(targets.len() / 2 + 1, MapHasher::default())),
            ..Shared::default()
        });
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name("lookahead".into());
        let worker = brine_modules::sys::spawn_beside(thread, move || read_backwards(&theirs, targets)).ok()?;
        Some(Lookahead { shared, worker: Some(worker) })
    }

    /// The reading of `path`, if the thread has taken one and the
    /// read-ahead still stands. Each call counts as the engine reaching one
    /// more target.
    pub(crate) fn take(&self, path: &Path) -> Option<Reading> {
        self.shared.reached.fetch_add(1, Ordering::Relaxed);
        if self.shared.stopped.load(Ordering::Relaxed) {
            return None;
        }
        self.shared.readings.lock().ok()?.remove(path.as_os_str())
    }

    /// Ends the read-ahead: no reading is handed out after this.
    pub(crate) fn stop(&self) {
        self.shared.stopped.store(true, Ordering::Relaxed);
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.shared.stopped.load(Ordering::Relaxed)
    }

    /// Waits until the thread has read every target it will (tests only).
    #[cfg(test)]
    pub(crate) fn finish(&mut self) {
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Lookahead {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The thread: targets from the last back to where the engine has reached.
fn read_backwards(shared: &Shared, targets: Vec<PathBuf>) {
    let mut held = 0;
    for (i, path) in targets.into_iter().enumerate().rev() {
        if shared.stopped.load(Ordering::Relaxed) || i < shared.reached.load(Ordering::Relaxed) || held > MAX_HELD {
            return;
        }
        let reading = read_target(&path);
        held += reading.current.as_ref().map_or(0, Vec::len);
        match shared.readings.lock() {
            Ok(mut readings) => {
                readings.insert(path.into_os_string(), reading);
            }
            Err(_) => return,
        }
    }
}

/// The target of a `file.managed` chunk, as the state function will name it.
fn managed_target(low: &Map) -> Option<PathBuf> {
    if !is_managed(low) {
        return None;
    }
    let Some(Value::Str(name)) = low.get("name") else { return None };
    let path = brine_modules::file::expand_user(name);
    path.is_absolute().then_some(path)
}

/// Whether a call may use readings: a `file.managed` whose run, before it
/// inspects its target, cannot have changed any file.
pub(crate) fn plain_managed(low: &Map, test: bool) -> bool {
    !test
        && is_managed(low)
        && ["template", "onlyif", "unless", "check_cmd", "__prereq__"].iter().all(|k| !low.get(*k).is_some_and(Value::truthy))
}

fn is_managed(low: &Map) -> bool {
    let is = |k: &str, v: &str| matches!(low.get(k), Some(Value::Str(s)) if s == v);
    is("state", "file") && is("fun", "managed")
}

/// Whether a return leaves every file as it was: success, no changes.
pub(crate) fn changed_nothing(ret: &Map) -> bool {
    ret.get("result") == Some(&Value::Bool(true)) && !ret.get("changes").is_some_and(Value::truthy)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch directory under the system's temp dir.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("brine-lookahead-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn lows(dir: &Path, n: usize) -> Vec<std::rc::Rc<Map>> {
        (0..n)
            .map(|i| {
                let v = serde_json::json!({"state": "file", "fun": "managed", "name": dir.join(format!("{i}.conf"))});
                std::rc::Rc::new(Value::from_json(&v).as_map().cloned().unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn readings_are_handed_out_once_and_not_after_stop() {
        let dir = scratch("handed-out");
        for i in 0..40 {
            std::fs::write(dir.join(format!("{i}.conf")), format!("value {i}")).expect("write");
        }
        let targets: Vec<PathBuf> = lows(&dir, 40).iter().filter_map(|l| managed_target(l)).collect();
        assert_eq!(targets.len(), 40);
        let mut la = Lookahead::spawn(targets).expect("thread");
        la.finish();
        let first = dir.join("39.conf");
        let got = la.take(&first).expect("read ahead");
        assert!(got.meta.as_ref().is_some_and(|m| m.is_file()));
        assert_eq!(got.current.as_deref(), Some(&b"value 39"[..]));
        assert!(la.take(&first).is_none(), "a reading is used once");
        la.stop();
        assert!(la.take(&dir.join("38.conf")).is_none(), "nothing after stop");
        drop(la);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn too_few_targets_start_nothing() {
        assert!(Lookahead::start(&lows(Path::new("/nonexistent"), MIN_TARGETS - 1)).is_none());
    }

    #[test]
    fn only_plain_managed_calls_may_use_readings() {
        let low = |extra: serde_json::Value| {
            let mut v = serde_json::json!({"state": "file", "fun": "managed", "name": "/x"});
            if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            Value::from_json(&v).as_map().cloned().unwrap_or_default()
        };
        assert!(plain_managed(&low(serde_json::json!({"contents": "x"})), false));
        assert!(!plain_managed(&low(serde_json::json!({})), true), "test mode");
        for key in ["template", "onlyif", "unless", "check_cmd"] {
            assert!(!plain_managed(&low(serde_json::json!({key: "jinja"})), false), "{key}");
        }
        let cmd = Value::from_json(&serde_json::json!({"state": "cmd", "fun": "run", "name": "true"}));
        assert!(!plain_managed(cmd.as_map().expect("map"), false));
    }
}
