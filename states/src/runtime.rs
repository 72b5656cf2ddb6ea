//! The requisite runtime: executes compiled low chunks the way Salt 3007's
//! `State.call_chunks` / `call_chunk` / `check_requisite` / `call_listen` do,
//! and returns the state returns keyed `<state>_|-<id>_|-<name>_|-<fun>`.
//!
//! Input is the low chunks exactly as `state.show_lowstate` prints them (in
//! Salt's sorted order, `require_in`/`watch_in` already folded by the
//! compiler). Everything the runtime needs from outside comes through
//! [`Host`]. It must not render SLS, compile high data or print anything;
//! state functions live in [`crate::mods`].

mod call;
mod checks;
mod cycles;
mod engine;
mod fnmatch;
mod listen;
mod lookahead;
mod requisites;

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_modules::{ProcessRunner, SystemRunner};

pub use fnmatch::fnmatch;
pub use lookahead::Lookahead;

/// What the runtime needs from its caller (salt-call, the minion, tests).
pub trait Host {
    /// Minion options (`failhard`, `disabled_requisites`, `backup_mode`, ...).
    fn opts(&self) -> &Map;
    fn grains(&self) -> &Map;
    fn pillar(&self) -> &Map;
    /// A local copy of `url` (`salt://...`); local paths are returned as they are.
    fn cache_file(&self, url: &str, saltenv: &str) -> Result<PathBuf, String>;
    /// Renders `text` with the template engine `kind` (`"jinja"`), the given
    /// context merged over the usual template globals. `name` is where the
    /// template came from (its `salt://` URL or local path; for inline
    /// `contents` the destination file), for messages and relative imports;
    /// `sls` is the SLS of the state asking.
    fn render_template(
        &self,
        kind: &str,
        text: &str,
        name: &str,
        context: &Map,
        saltenv: &str,
        sls: &str,
    ) -> Result<String, String>;
    /// The minion cache directory (backups go to `<cachedir>/file_backup`).
    fn cachedir(&self) -> PathBuf;
}

/// Options of one run.
pub struct RunOptions<'a> {
    /// `test=True`: plan and report, change nothing.
    pub test: bool,
    /// The process backend commands run through.
    pub runner: &'a dyn ProcessRunner,
}

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions { test: false, runner: &SystemRunner }
    }
}

/// The text of a low-data field (Python's `str()` of it), borrowed when it
/// is a string already; empty when absent.
pub(crate) fn field<'a>(low: &'a Map, key: &str) -> std::borrow::Cow<'a, str> {
    match low.get(key) {
        Some(Value::Str(s)) => std::borrow::Cow::Borrowed(s),
        Some(other) => std::borrow::Cow::Owned(other.py_str()),
        None => std::borrow::Cow::Borrowed(""),
    }
}

/// Salt's `_gen_tag`: `<state>_|-<__id__>_|-<name>_|-<fun>`.
pub fn gen_tag(low: &Map) -> String {
    let part = |k: &str| field(low, k);
    format!("{}_|-{}_|-{}_|-{}", part("state"), part("__id__"), part("name"), part("fun"))
}

/// Runs the low chunks; `Err` holds run-level errors (a requisite cycle,
/// invalid keyword arguments) that salt-call prints as a list (retcode 1).
pub fn run(chunks: Vec<Value>, host: &dyn Host, test: bool) -> Result<Map, Vec<String>> {
    run_with(chunks, host, &RunOptions { test, ..RunOptions::default() })
}

/// [`run`] with explicit options.
pub fn run_with(chunks: Vec<Value>, host: &dyn Host, options: &RunOptions) -> Result<Map, Vec<String>> {
    let lows = to_lows(chunks)?;
    let cycle_errors = cycles::recursive_requisites(&lows);
    if !cycle_errors.is_empty() {
        return Err(cycle_errors);
    }
    let ctx = brine_modules::Ctx::new(host.opts(), host.grains(), host.pillar(), options.runner);
    let mut engine = engine::Engine::new(host, &ctx, options.test, lows);
    let running = engine.run_all().map_err(|e| vec![e.to_string()])?;
    Ok(running.into_iter().map(|(k, v)| (k, Value::Map(v))).collect())
}

fn to_lows(chunks: Vec<Value>) -> Result<Vec<Map>, Vec<String>> {
    chunks
        .into_iter()
        .map(|c| match c {
            Value::Map(m) => Ok(m),
            other => Err(vec![format!("Low data is not a dictionary: {}", other.py_repr())]),
        })
        .collect()
}

/// A run-level failure: Salt raises these out of the whole state run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// `format_call` rejected the arguments of a state without `**kwargs`.
    #[error("Passed invalid arguments: {0}.")]
    InvalidArguments(String),
    /// A requisite value that cannot be matched (Salt's SaltRenderError).
    #[error("{0}")]
    Render(String),
    /// `saltutil.kill_job` or `term_job` stopped the job: no further state runs.
    #[error("The job was killed")]
    Killed,
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::mods::testkit::TestHost;

    fn nop(id: &str, order: i64, require: Option<&str>) -> Value {
        let mut v = serde_json::json!({
            "state": "test", "fun": "nop", "__id__": id, "name": id,
            "__sls__": "s", "__env__": "base", "order": order
        });
        if let (Some(r), Some(o)) = (require, v.as_object_mut()) {
            o.insert("require".into(), serde_json::json!([{"test": r}]));
        }
        Value::from_json(&v)
    }

    #[test]
    fn rejects_non_map_chunks_and_runs_nothing() {
        let host = TestHost::new();
        assert!(run(vec![Value::Int(1)], &host, false).is_err());
        assert_eq!(run(Vec::new(), &host, false), Ok(Map::default()));
    }

    #[test]
    fn a_killed_job_runs_no_further_state() {
        let host = TestHost::new();
        let chunks = vec![nop("a", 1, None), nop("b", 2, None)];
        assert_eq!(run(chunks.clone(), &host, false).map(|r| r.len()), Ok(2));
        let job = brine_modules::job::JobHandle::new();
        let _in = job.enter();
        assert_eq!(run(chunks.clone(), &host, false).map(|r| r.len()), Ok(2));
        job.cancel(brine_modules::job::Signal::Kill);
        assert_eq!(run(chunks, &host, false), Err(vec!["The job was killed".to_string()]));
    }

    #[test]
    fn a_long_requisite_chain_runs_in_order() {
        let host = TestHost::new();
        let n = 1000;
        let chunks: Vec<Value> = (0..n)
            .map(|i| {
                let dep = (i + 1 < n).then(|| format!("s{}", i + 1));
                nop(&format!("s{i}"), i as i64, dep.as_deref())
            })
            .collect();
        let rets = run(chunks, &host, false).expect("run");
        assert_eq!(rets.len(), n);
        let last = rets.get("test_|-s0_|-s0_|-nop").and_then(|r| r.get("__run_num__")).cloned();
        let first =
            rets.get(&format!("test_|-s{}_|-s{}_|-nop", n - 1, n - 1)).and_then(|r| r.get("__run_num__")).cloned();
        assert!(matches!((first, last), (Some(Value::Int(0)), Some(Value::Int(_)))));
    }

    /// A scratch directory holding `n` files `<i>.conf` with `value <i>\n`,
    /// and the `file.managed` chunks that want exactly that, ordered `i + 1`.
    fn managed_tree(name: &str, n: usize) -> (std::path::PathBuf, Vec<Value>) {
        let dir = std::env::temp_dir().join(format!("brine-runtime-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let chunks = (0..n)
            .map(|i| {
                let path = dir.join(format!("{i}.conf"));
                std::fs::write(&path, format!("value {i}\n")).expect("write");
                Value::from_json(&serde_json::json!({
                    "state": "file", "fun": "managed", "__id__": format!("f{i}"), "name": path,
                    "contents": format!("value {i}"), "__sls__": "s", "__env__": "base", "order": i + 1
                }))
            })
            .collect();
        (dir, chunks)
    }

    fn changed(rets: &Map, id: &str, path: &std::path::Path) -> bool {
        let tag = format!("file_|-{id}_|-{}_|-managed", path.display());
        let ret = rets.get(&tag).and_then(Value::as_map).expect("return");
        assert_eq!(ret.get("result"), Some(&Value::Bool(true)), "{tag}: {ret:?}");
        ret.get("changes").is_some_and(Value::truthy)
    }

    /// The `i`th file of [`managed_tree`] was found changed and holds its
    /// wanted contents again; file 1 (untouched) was left alone.
    fn assert_put_back(rets: &Map, dir: &std::path::Path, i: usize) {
        let path = dir.join(format!("{i}.conf"));
        assert!(changed(rets, &format!("f{i}"), &path), "{} is put back", path.display());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(&*format!("value {i}\n")));
        assert!(!changed(rets, "f1", &dir.join("1.conf")));
    }

    #[test]
    fn a_command_check_between_file_states_ends_the_read_ahead() {
        let host = TestHost::new();
        let n = 2 * lookahead::MIN_TARGETS;
        let (dir, mut chunks) = managed_tree("cmd", n);
        let victim = dir.join(format!("{}.conf", n - 2));
        // The runtime takes chunks in the order given (the compiler sorts).
        // Its `unless` check spoils the file and succeeds, so the state
        // itself does not run and reports no changes.
        chunks.insert(5, Value::from_json(&serde_json::json!({
            "state": "cmd", "fun": "run", "__id__": "spoil", "name": "false",
            "unless": format!("echo stale > {}", victim.display()),
            "__sls__": "s", "__env__": "base", "order": 5
        })));
        let rets = run(chunks, &host, false).expect("run");
        assert_put_back(&rets, &dir, n - 2);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_state_that_changes_something_ends_the_read_ahead() {
        let host = TestHost::new();
        let n = 2 * lookahead::MIN_TARGETS;
        let (dir, mut chunks) = managed_tree("link", n);
        // A link to the last file, managed early with other contents: it
        // writes through the link, so the last file's reading goes stale.
        let last = dir.join(format!("{}.conf", n - 1));
        let link = dir.join("link");
        std::os::unix::fs::symlink(&last, &link).expect("symlink");
        chunks.insert(0, Value::from_json(&serde_json::json!({
            "state": "file", "fun": "managed", "__id__": "through", "name": link,
            "contents": "other", "__sls__": "s", "__env__": "base", "order": 0
        })));
        let rets = run(chunks, &host, false).expect("run");
        assert!(changed(&rets, "through", &link));
        assert_put_back(&rets, &dir, n - 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn odd_chunks_do_not_panic() {
        let host = TestHost::new();
        let odd = serde_json::json!([
            {"state": "test", "fun": "nop"},
            {"state": "test", "fun": "nop", "__id__": "a", "name": ["x"], "require": "b"},
            {"state": "test", "fun": "nop", "__id__": "b", "name": "b", "require": [1, null, {"test": 2}, {}]},
            {"state": "test", "fun": "nop", "__id__": "c", "name": "c", "watch": {"test": "b"}, "onchanges": null},
            {"state": "test", "fun": "mod_watch", "__id__": "d", "name": "d", "listen": ["zz", {"test": 3}]},
            {"state": "file", "fun": "managed", "__id__": "e", "name": "", "mode": {"x": 1}, "umask": "zz"},
            {"state": "cmd", "fun": "run", "__id__": "f", "name": "true", "unless": [{"fun": "no.such"}, 5], "retry": "x"},
            {"state": "module", "fun": "run", "__id__": "g", "name": "g", "test.echo": {"text": 1}},
            {"state": "file", "fun": "touch", "__id__": "h", "name": "/nonexistent-dir/x", "atime": "abc"},
            {"state": "nosuch", "fun": "x", "__id__": "i", "name": "i", "prereq": [{"test": "i"}]}
        ]);
        let Value::List(chunks) = Value::from_json(&odd) else { return };
        let _ = run(chunks.clone(), &host, false);
        let _ = run(chunks, &host, true);
    }
}
