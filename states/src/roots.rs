//! The `roots` file client: SLS and other files straight from `file_roots`.
//!
//! Used by `salt-call --local` (and by the master's fileserver for the `roots`
//! backend). A saltenv maps to a list of directories searched in order; the
//! first that holds a file wins. Paths are relative to the roots and may not
//! leave them: absolute paths and `..` components are refused.
//!
//! It must not render or cache anything: it only lists and locates files.

use std::path::{Component, Path, PathBuf};

use brine_common::{Map, Value};

use crate::highstate::FileClient;

/// `file_roots` (or `pillar_roots`) as a saltenv -> directories list.
#[derive(Clone, Debug, Default)]
pub struct Roots {
    envs: Vec<(String, Vec<PathBuf>)>,
    ignore: Ignore,
}

/// `file_ignore_regex` and `file_ignore_glob`: files every fileserver backend hides.
#[derive(Clone, Debug, Default)]
pub struct Ignore {
    regex: Vec<fancy_regex::Regex>,
    glob: Vec<globset::GlobMatcher>,
}

impl Ignore {
    /// The ignore options in `opts` (patterns that do not compile are skipped).
    pub fn from_opts(opts: &Map) -> Ignore {
        let strings = |k: &str| -> Vec<String> {
            match opts.get(k) {
                Some(Value::List(l)) => l.iter().map(Value::py_str).collect(),
                Some(Value::Str(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let regex = strings("file_ignore_regex").iter().filter_map(|r| fancy_regex::Regex::new(r).ok()).collect();
        let glob = strings("file_ignore_glob")
            .iter()
            .filter_map(|g| globset::Glob::new(g).ok().map(|g| g.compile_matcher()))
            .collect();
        Ignore { regex, glob }
    }

    /// Is the file at `rel` (relative to the roots) hidden?
    pub fn ignored(&self, rel: &str) -> bool {
        self.regex.iter().any(|r| r.is_match(rel).unwrap_or(false)) || self.glob.iter().any(|g| g.is_match(rel))
    }
}

impl Roots {
    /// Read `file_roots`-style option `key` plus the ignore options from `opts`.
    pub fn from_opts(opts: &Map, key: &str) -> Roots {
        let mut envs: Vec<(String, Vec<PathBuf>)> = Vec::new();
        if let Some(Value::Map(m)) = opts.get(key) {
            for (env, dirs) in m {
                let dirs = match dirs {
                    Value::List(l) => l.iter().map(|d| PathBuf::from(d.py_str())).collect(),
                    Value::Str(s) => vec![PathBuf::from(s)],
                    _ => Vec::new(),
                };
                envs.push((env.clone(), dirs));
            }
        }
        if let Some(i) = envs.iter().position(|(e, _)| e == "base") {
            let base = envs.remove(i);
            envs.insert(0, base);
        }
        Roots { envs, ignore: Ignore::from_opts(opts) }
    }

    fn dirs(&self, saltenv: &str) -> &[PathBuf] {
        self.envs.iter().find(|(e, _)| e == saltenv).map(|(_, d)| d.as_slice()).unwrap_or(&[])
    }

    /// The root directories of a saltenv, in order.
    pub fn roots(&self, saltenv: &str) -> &[PathBuf] {
        self.dirs(saltenv)
    }

    /// Every file in a saltenv, relative to its root, sorted and without duplicates.
    pub fn file_list(&self, saltenv: &str) -> Vec<String> {
        let mut out = Vec::new();
        for dir in self.dirs(saltenv) {
            walk(dir, dir, &mut out);
        }
        out.retain(|f| !self.ignore.ignored(f));
        out.sort();
        out.dedup();
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().into_owned());
        }
    }
}

/// A relative path that stays inside the roots (no `..`, not absolute).
pub fn safe_rel(rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel.trim_start_matches('/'));
    if rel.starts_with('/') {
        return None;
    }
    p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)).then(|| p.to_path_buf())
}

/// The SLS names among files of a saltenv, sorted (`a/init.sls` is `a`, `a/b.sls` is `a.b`).
pub fn state_names(files: Vec<String>) -> Vec<String> {
    let mut states: Vec<String> = files
        .into_iter()
        .filter_map(|p| {
            if let Some(d) = p.strip_suffix("/init.sls") {
                Some(d.replace('/', "."))
            } else {
                p.strip_suffix(".sls").map(|s| s.replace('/', "."))
            }
        })
        .collect();
    states.sort();
    states.dedup();
    states
}

impl FileClient for Roots {
    fn envs(&self) -> Vec<String> {
        self.envs.iter().map(|(e, _)| e.clone()).collect()
    }

    fn list_states(&self, saltenv: &str) -> Vec<String> {
        state_names(self.file_list(saltenv))
    }

    fn find_file(&self, rel: &str, saltenv: &str) -> Option<PathBuf> {
        let rel_path = safe_rel(rel)?;
        if self.ignore.ignored(rel) {
            return None;
        }
        self.dirs(saltenv).iter().map(|d| d.join(&rel_path)).find(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_states_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("brine-roots-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app/web")).unwrap();
        std::fs::write(dir.join("app/init.sls"), "").unwrap();
        std::fs::write(dir.join("app/web/conf.sls"), "").unwrap();
        std::fs::write(dir.join("top.sls"), "").unwrap();
        let opts = match Value::from_json(&serde_json::json!({"file_roots": {"base": [dir.to_string_lossy()]}})) {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        let roots = Roots::from_opts(&opts, "file_roots");
        assert_eq!(roots.list_states("base"), vec!["app", "app.web.conf", "top"]);
        assert!(roots.find_file("app/init.sls", "base").is_some());
        assert!(roots.find_file("../etc/passwd", "base").is_none());
        assert!(roots.find_file("/etc/passwd", "base").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
