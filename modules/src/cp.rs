//! The `cp` execution module: get_file, cache_file and list_master over a
//! [`FileSource`]: the minion's file client when its caller attaches one
//! (`Backends::files`), else, for a masterless minion (`file_client:
//! local`), the `file_roots` of its configuration. Cached files go below
//! `<cachedir>/files/<saltenv>/`, as Salt's file client puts them.
//!
//! It must not render templates (no renderer here) or fetch `http(s)://`
//! URLs.

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};

use crate::args::{opt, req, ArgDefault, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// Where `salt://` files come from.
pub trait FileSource {
    /// The local path of `rel` (relative to the roots) in `saltenv`.
    fn find_file(&self, rel: &str, saltenv: &str) -> Option<PathBuf>;
    /// Every file of `saltenv`, relative to the roots, sorted.
    fn list_files(&self, saltenv: &str) -> Vec<String>;
}

/// The `file_roots` of a masterless minion's options.
struct LocalRoots<'a> {
    opts: &'a Map,
}

impl LocalRoots<'_> {
    fn roots(&self, saltenv: &str) -> Vec<PathBuf> {
        let dirs = self.opts.get("file_roots").and_then(|r| r.get(saltenv));
        dirs.and_then(Value::as_list).map(|l| l.iter().map(|d| PathBuf::from(d.py_str())).collect()).unwrap_or_default()
    }
}

fn safe_rel(rel: &str) -> bool {
    !rel.split('/').any(|part| part == "..") && !rel.contains('\0')
}

impl FileSource for LocalRoots<'_> {
    fn find_file(&self, rel: &str, saltenv: &str) -> Option<PathBuf> {
        let rel = rel.trim_start_matches('/');
        if !safe_rel(rel) {
            return None;
        }
        self.roots(saltenv).into_iter().map(|root| root.join(rel)).find(|p| p.is_file())
    }

    fn list_files(&self, saltenv: &str) -> Vec<String> {
        let mut out = Vec::new();
        for root in self.roots(saltenv) {
            walk(&root, &root, &mut out);
        }
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
        } else if path.is_file() {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
}

fn no_client() -> ModuleError {
    ModuleError::Execution("No file client is available for salt:// URLs (file_client is not local)".into())
}

/// Runs `f` with the file source of this run.
fn with_source<T>(ctx: &Ctx, f: impl FnOnce(&dyn FileSource) -> T) -> Result<T, ModuleError> {
    if let Some(files) = ctx.backends.files {
        return Ok(f(files));
    }
    if ctx.opts.get("file_client").and_then(Value::as_str) == Some("local") {
        return Ok(f(&LocalRoots { opts: ctx.opts }));
    }
    Err(no_client())
}

/// The saltenv to use: the argument, else the `saltenv` option, else base.
fn saltenv_of(ctx: &Ctx, given: Option<String>) -> String {
    given
        .filter(|s| !s.is_empty())
        .or_else(|| ctx.opts.get("saltenv").filter(|v| v.truthy()).map(Value::py_str))
        .unwrap_or_else(|| "base".to_string())
}

/// `salt://path?saltenv=env` as (path, saltenv); None for other URLs.
pub fn split_salt_url(url: &str, default_env: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("salt://")?;
    match rest.split_once('?') {
        Some((path, query)) => {
            let env = query.split('&').find_map(|kv| kv.strip_prefix("saltenv=")).unwrap_or(default_env);
            Some((path.to_string(), env.to_string()))
        }
        None => Some((rest.to_string(), default_env.to_string())),
    }
}

fn cachedir(ctx: &Ctx) -> PathBuf {
    ctx.opts
        .get("cachedir")
        .map(|v| PathBuf::from(v.py_str()))
        .unwrap_or_else(|| PathBuf::from("/var/cache/salt/minion"))
}

fn copy_to(src: &Path, dest: &Path) -> Result<(), ModuleError> {
    let data =
        std::fs::read(src).map_err(|e| ModuleError::Execution(format!("Unable to read {}: {e}", src.display())))?;
    crate::file::atomic_write(dest, &data, crate::file::NewPerms::Mode(0o644))
}

/// Salt's `cp.cache_file`: a local copy of a `salt://` file (None when it
/// does not exist); local paths are returned as they are.
pub fn cache_file(ctx: &Ctx, url: &str, saltenv: Option<String>) -> Result<Option<PathBuf>, ModuleError> {
    let env = saltenv_of(ctx, saltenv);
    let Some((rel, env)) = split_salt_url(url, &env) else {
        if url.contains("://") && !url.starts_with("file://") {
            return Err(ModuleError::Execution(format!("Unsupported URL in brine: {url}")));
        }
        return Ok(Some(PathBuf::from(url.strip_prefix("file://").unwrap_or(url))));
    };
    let Some(src) = with_source(ctx, |s| s.find_file(&rel, &env))? else { return Ok(None) };
    let dest = cachedir(ctx).join("files").join(&env).join(rel.trim_start_matches('/'));
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ModuleError::Execution(e.to_string()))?;
    }
    copy_to(&src, &dest)?;
    Ok(Some(dest))
}

/// Salt's `cp.get_file`: copies a `salt://` file to `dest` (into it when
/// it is a directory); "" when the source does not exist, False when the
/// destination directory is missing and `makedirs` is not set.
pub fn get_file(
    ctx: &Ctx,
    url: &str,
    dest: &str,
    saltenv: Option<String>,
    makedirs: bool,
) -> Result<Value, ModuleError> {
    let env = saltenv_of(ctx, saltenv);
    let (rel, env) =
        split_salt_url(url, &env).ok_or_else(|| ModuleError::Execution(format!("Unsupported path: {url}")))?;
    let Some(src) = with_source(ctx, |s| s.find_file(&rel, &env))? else { return Ok(Value::str("")) };
    let mut target = PathBuf::from(dest);
    if target.is_dir() {
        target = target.join(Path::new(&rel).file_name().unwrap_or_default());
    }
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
    if !parent.as_os_str().is_empty() && !parent.is_dir() {
        if !makedirs {
            return Ok(Value::Bool(false));
        }
        std::fs::create_dir_all(&parent).map_err(|e| ModuleError::Execution(e.to_string()))?;
    }
    copy_to(&src, &target)?;
    Ok(Value::Str(target.to_string_lossy().into_owned()))
}

/// Salt's `cp.list_master`: the files of a saltenv, optionally under a prefix.
pub fn list_master(ctx: &Ctx, saltenv: Option<String>, prefix: &str) -> Result<Vec<String>, ModuleError> {
    let env = saltenv_of(ctx, saltenv);
    let files = with_source(ctx, |s| s.list_files(&env))?;
    Ok(files.into_iter().filter(|f| f.starts_with(prefix.trim_matches('/'))).collect())
}

/// `cp.list_states`: the SLS names of a saltenv's files (`a/init.sls` is
/// `a`, `a/b.sls` is `a.b`), sorted, as Salt's file client lists them.
pub fn list_states(ctx: &Ctx, saltenv: Option<String>) -> Result<Vec<String>, ModuleError> {
    let files = list_master(ctx, saltenv, "")?;
    let states: std::collections::BTreeSet<String> = files
        .iter()
        .filter_map(|f| match f.strip_suffix("/init.sls") {
            Some(dir) => Some(dir.replace('/', ".")),
            None => f.strip_suffix(".sls").map(|p| p.replace('/', ".")),
        })
        .collect();
    Ok(states.into_iter().collect())
}

/// `cp.list_master_dirs`: every directory holding a served file (sorted, as
/// Salt's). Directories with no file below them are not listed. As in
/// Salt's fileserver, the prefix is compared without its slashes.
pub fn list_master_dirs(ctx: &Ctx, saltenv: Option<String>, prefix: &str) -> Result<Vec<String>, ModuleError> {
    let env = saltenv_of(ctx, saltenv);
    let files = with_source(ctx, |s| s.list_files(&env))?;
    let mut dirs = std::collections::BTreeSet::new();
    for f in &files {
        let mut cut = f.as_str();
        while let Some(i) = cut.rfind('/') {
            cut = &cut[..i];
            if !dirs.insert(cut.to_string()) {
                break;
            }
        }
    }
    Ok(dirs.into_iter().filter(|d| d.starts_with(prefix.trim_matches('/'))).collect())
}

const N: ArgDefault = ArgDefault::None;

pub const MODULE: Module = Module {
    name: "cp",
    functions: &[
        Function {
            name: "get_file",
            sig: Signature {
                params: &[
                    req("path"),
                    req("dest"),
                    opt("saltenv", N),
                    opt("makedirs", ArgDefault::Bool(false)),
                    opt("template", N),
                    opt("gzip", N),
                ],
                varargs: None,
                kwargs: true,
            },
            run: get_file_fn,
        },
        Function {
            name: "cache_file",
            sig: Signature {
                params: &[
                    req("path"),
                    opt("saltenv", N),
                    opt("source_hash", N),
                    opt("verify_ssl", ArgDefault::Bool(true)),
                    opt("use_etag", ArgDefault::Bool(false)),
                ],
                varargs: None,
                kwargs: false,
            },
            run: cache_file_fn,
        },
        Function {
            name: "list_master",
            sig: Signature {
                params: &[opt("saltenv", N), opt("prefix", ArgDefault::Str(""))],
                varargs: None,
                kwargs: false,
            },
            run: list_master_fn,
        },
        Function {
            name: "list_states",
            sig: Signature { params: &[opt("saltenv", N)], varargs: None, kwargs: false },
            run: list_states_fn,
        },
        Function {
            name: "list_master_dirs",
            sig: Signature {
                params: &[opt("saltenv", N), opt("prefix", ArgDefault::Str(""))],
                varargs: None,
                kwargs: false,
            },
            run: list_master_dirs_fn,
        },
    ],
};

fn get_file_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    if b.get("template").truthy() {
        return Err(ModuleError::Invocation("cp.get_file cannot render templates in brine; use file.managed".into()));
    }
    get_file(ctx, &b.str("path")?, &b.str("dest")?, b.opt_str("saltenv"), b.truthy("makedirs"))
}

fn cache_file_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(match cache_file(ctx, &b.str("path")?, b.opt_str("saltenv"))? {
        Some(p) => Value::Str(p.to_string_lossy().into_owned()),
        None => Value::Bool(false),
    })
}

fn list_master_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let files = list_master(ctx, b.opt_str("saltenv"), &b.opt_str("prefix").unwrap_or_default())?;
    Ok(Value::List(files.into_iter().map(Value::Str).collect()))
}

fn list_states_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let states = list_states(ctx, b.opt_str("saltenv"))?;
    Ok(Value::List(states.into_iter().map(Value::Str).collect()))
}

fn list_master_dirs_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let dirs = list_master_dirs(ctx, b.opt_str("saltenv"), &b.opt_str("prefix").unwrap_or_default())?;
    Ok(Value::List(dirs.into_iter().map(Value::Str).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{call, SystemRunner};

    fn opts(root: &Path) -> Map {
        let v = serde_json::json!({
            "file_client": "local",
            "cachedir": root.join("cache").to_string_lossy(),
            "file_roots": {"base": [root.join("tree").to_string_lossy()]}
        });
        Value::from_json(&v).as_map().cloned().unwrap_or_default()
    }

    #[test]
    fn masterless_cp_reads_file_roots() {
        let root = std::env::temp_dir().join(format!("brine-cp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("tree/sub")).unwrap();
        std::fs::write(root.join("tree/sub/a.txt"), "hello\n").unwrap();
        std::fs::write(root.join("tree/b.txt"), "top\n").unwrap();
        let o = opts(&root);
        let m = Map::default();
        let ctx = Ctx::new(&o, &m, &m, &SystemRunner);
        let cached = call("cp.cache_file", &[Value::str("salt://sub/a.txt")], &m, &ctx).unwrap();
        let expected = root.join("cache/files/base/sub/a.txt");
        assert_eq!(cached, Value::str(expected.to_string_lossy()));
        assert_eq!(std::fs::read_to_string(&expected).unwrap(), "hello\n");
        assert_eq!(call("cp.cache_file", &[Value::str("salt://nope")], &m, &ctx).unwrap(), Value::Bool(false));
        assert_eq!(
            call("cp.cache_file", &[Value::str("/etc/hostname")], &m, &ctx).unwrap(),
            Value::str("/etc/hostname")
        );
        let dest = root.join("out/x.txt").to_string_lossy().into_owned();
        let args = [Value::str("salt://sub/a.txt"), Value::str(&dest)];
        assert_eq!(call("cp.get_file", &args, &m, &ctx).unwrap(), Value::Bool(false), "no makedirs");
        let mut kw = Map::default();
        kw.insert("makedirs".into(), Value::Bool(true));
        assert_eq!(call("cp.get_file", &args, &kw, &ctx).unwrap(), Value::str(&dest));
        let missing = [Value::str("salt://nope"), Value::str(&dest)];
        assert_eq!(call("cp.get_file", &missing, &m, &ctx).unwrap(), Value::str(""));
        assert!(call("cp.get_file", &[Value::str("/etc/hostname"), Value::str(&dest)], &m, &ctx).is_err());
        let listed = call("cp.list_master", &[], &m, &ctx).unwrap();
        assert_eq!(listed, Value::from_json(&serde_json::json!(["b.txt", "sub/a.txt"])));
        let mut kw = Map::default();
        kw.insert("prefix".into(), Value::str("sub"));
        assert_eq!(
            call("cp.list_master", &[], &kw, &ctx).unwrap(),
            Value::from_json(&serde_json::json!(["sub/a.txt"]))
        );
        assert_eq!(call("cp.list_master_dirs", &[], &m, &ctx).unwrap(), Value::from_json(&serde_json::json!(["sub"])));
        assert!(call("cp.cache_file", &[Value::str("salt://../etc/passwd")], &m, &ctx).unwrap() == Value::Bool(false));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn list_states_names_sls_files() {
        let root = std::env::temp_dir().join(format!("brine-cp-states-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("tree/web/conf")).unwrap();
        for f in ["top.sls", "web/init.sls", "web/conf/site.sls", "web/map.jinja", "web/conf/init.sls"] {
            std::fs::write(root.join("tree").join(f), "").unwrap();
        }
        let o = opts(&root);
        let m = Map::default();
        let ctx = Ctx::new(&o, &m, &m, &SystemRunner);
        let states = call("cp.list_states", &[], &m, &ctx).unwrap();
        assert_eq!(states, Value::from_json(&serde_json::json!(["top", "web", "web.conf", "web.conf.site"])));
        let _ = std::fs::remove_dir_all(&root);
    }
}
