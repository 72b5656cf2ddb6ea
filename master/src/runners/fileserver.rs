//! The `fileserver.*` runners: `envs`, `file_list saltenv=X`, `update` and
//! `clear_cache`, each with an optional `backend=` (comma-separated names);
//! and `git_pillar.update`.
//!
//! It must not know how a backend fetches or caches: `crate::fileserver` does.

use std::sync::Arc;

use brine_common::{Map, Value};

use super::names;
use crate::context::Master;

/// Run `fileserver.<fun>`.
pub async fn run(master: &Arc<Master>, fun: &str, arg: &[Value], kwarg: &Map) -> (Value, i32) {
    let named = |name: &str, pos: usize| kwarg.get(name).or_else(|| arg.get(pos)).filter(|v| !v.is_null()).map(Value::py_str);
    match fun {
        "fileserver.envs" => (names(master.files.envs(named("backend", 0).as_deref())), 0),
        "fileserver.file_list" => {
            let env = named("saltenv", 0).unwrap_or_else(|| "base".into());
            (names(master.files.file_list(&env, named("backend", 1).as_deref())), 0)
        }
        "fileserver.update" => blocking(master, named("backend", 0), update).await,
        "fileserver.clear_cache" => blocking(master, named("backend", 0), clear_cache).await,
        "git_pillar.update" => blocking(master, None, |m, _| errors_or_true(m.git_pillar.update())).await,
        _ => (Value::Str(format!("'{fun}' is not available.")), 1),
    }
}

/// Run `f` off the async workers (fetches and file removal block).
async fn blocking(master: &Arc<Master>, backend: Option<String>, f: fn(&Master, Option<&str>) -> (Value, i32)) -> (Value, i32) {
    let m = master.clone();
    tokio::task::spawn_blocking(move || f(&m, backend.as_deref())).await.unwrap_or_else(|e| (Value::Str(e.to_string()), 1))
}

/// `True`, or the fetch errors (each remote that failed still serves its last fetch).
fn update(master: &Master, backend: Option<&str>) -> (Value, i32) {
    errors_or_true(master.files.update(backend))
}

fn errors_or_true(errors: Vec<String>) -> (Value, i32) {
    if errors.is_empty() {
        return (Value::Bool(true), 0);
    }
    (Value::Map(Map::from_iter([("errors".to_string(), names(errors))])), 1)
}

/// Salt's shape: `{cleared: [...], errors: [...]}`, or a sentence when nothing was there.
fn clear_cache(master: &Master, backend: Option<&str>) -> (Value, i32) {
    let (cleared, errors) = master.files.clear_cache(backend);
    if cleared.is_empty() && errors.is_empty() {
        return (Value::str("No cache was cleared"), 0);
    }
    let code = i32::from(!errors.is_empty());
    (Value::Map(Map::from_iter([("cleared".to_string(), names(cleared)), ("errors".to_string(), names(errors))])), code)
}
