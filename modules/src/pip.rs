//! The `pip` execution module: install, uninstall, list, freeze and
//! version, run with the pip of `bin_env` (a virtualenv directory, or a
//! python or pip binary; Debian 12 refuses the system pip, so states name a
//! virtualenv), else `python3 -m pip`; requirement files may be `salt://`
//! URLs (through `cp`).
//!
//! It builds pip's argv and returns pip's output; it must not decide what a
//! state reports.

pub mod pep440;

use std::path::Path;

use brine_common::{Map, Value};
use indexmap::IndexMap;

use crate::args::{opt, ArgDefault, Param, Signature};
use crate::cmd::{self, RunArgs, RunResult};
use crate::{Bound, Ctx, Function, Module, ModuleError};

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// Salt's `_get_pip_bin`: the argv prefix that runs pip for `bin_env`.
pub fn pip_bin(bin_env: Option<&str>) -> Result<Vec<String>, ModuleError> {
    let Some(env) = bin_env.filter(|e| !e.is_empty()) else {
        return Ok(vec!["python3".into(), "-m".into(), "pip".into()]);
    };
    let path = Path::new(env);
    if path.is_dir() {
        let candidates = [path.join("python"), path.join("bin/python"), path.join("Scripts/python")];
        return candidates
            .iter()
            .find(|p| is_executable(p))
            .map(|p| vec![p.to_string_lossy().into_owned(), "-m".into(), "pip".into()])
            .ok_or_else(|| ModuleError::Execution(format!("Could not find a pip binary in virtualenv {env}")));
    }
    if is_executable(path) {
        let base = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return Ok(if base.contains("python") {
            vec![env.into(), "-m".into(), "pip".into()]
        } else {
            vec![env.into()]
        });
    }
    if path.exists() {
        return Err(ModuleError::Execution(format!("Could not find a pip binary within {env}")));
    }
    Err(ModuleError::Execution(format!("Access denied to {env}, could not find a pip binary")))
}

/// Where and as whom pip runs.
#[derive(Debug, Clone, Default)]
pub struct PipEnv {
    pub bin_env: Option<String>,
    pub user: Option<String>,
    pub cwd: Option<String>,
    pub env_vars: Vec<(String, String)>,
}

impl PipEnv {
    fn from_bound(b: &Bound) -> Result<Self, ModuleError> {
        Ok(PipEnv {
            bin_env: b.opt_str("bin_env").filter(|s| !s.is_empty()),
            user: b.opt_str("user").filter(|s| !s.is_empty()),
            cwd: b.opt_str("cwd").filter(|s| !s.is_empty()),
            env_vars: env_vars(b.get("env_vars"))?,
        })
    }

    /// Runs pip with `args`, `VIRTUAL_ENV` set when `bin_env` is a virtualenv.
    fn run(&self, ctx: &Ctx, args: Vec<String>) -> Result<RunResult, ModuleError> {
        let mut argv = pip_bin(self.bin_env.as_deref())?;
        argv.extend(args);
        let mut run = RunArgs::argv(argv, ctx);
        run.runas = self.user.clone();
        run.cwd = self.cwd.clone();
        run.env = self.env_vars.clone();
        if let Some(env) = self.bin_env.as_deref().filter(|e| Path::new(e).is_dir()) {
            run.env.push(("VIRTUAL_ENV".into(), env.to_string()));
        }
        cmd::run_all(&run, ctx)
    }
}

/// Salt's `_format_env_vars`: a dict of strings.
fn env_vars(v: &Value) -> Result<Vec<(String, String)>, ModuleError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Map(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.py_str())).collect()),
        v if !v.truthy() => Ok(Vec::new()),
        other => Err(ModuleError::Execution(format!("env_vars {} is not a dictionary", other.py_str()))),
    }
}

/// The distributions of a virtualenv as `pip list` reports them (metadata
/// name -> version, in pip's order), read from its `site-packages` without
/// starting Python: pip itself costs most of a no-op `pip.installed`.
/// `None` unless the environment is one this reads exactly: a virtualenv
/// (`pyvenv.cfg`) without the system's site-packages, one `site-packages`,
/// no legacy `.egg-link` installs, no extra environment for pip, and pip
/// among its distributions. The caller asks pip then.
pub fn venv_listing(env: &PipEnv) -> Option<IndexMap<String, String>> {
    let root = Path::new(env.bin_env.as_deref()?);
    if !env.env_vars.is_empty() {
        return None;
    }
    let cfg = std::fs::read_to_string(root.join("pyvenv.cfg")).ok()?;
    let system = cfg.lines().filter_map(|l| l.split_once('=')).any(|(k, v)| {
        k.trim() == "include-system-site-packages" && v.trim().eq_ignore_ascii_case("true")
    });
    if system {
        return None;
    }
    let mut libs = std::fs::read_dir(root.join("lib")).ok()?.flatten().map(|e| e.path()).filter(|p| {
        p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("python")) && p.join("site-packages").is_dir()
    });
    let site = libs.next()?.join("site-packages");
    if libs.next().is_some() {
        return None;
    }
    let mut found: Vec<(String, String, String)> = Vec::new();
    for entry in std::fs::read_dir(&site).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = if name.ends_with(".egg-link") {
            return None;
        } else if name.ends_with(".dist-info") {
            entry.path().join("METADATA")
        } else if name.ends_with(".egg-info") {
            let p = entry.path();
            if p.is_dir() { p.join("PKG-INFO") } else { p }
        } else {
            continue;
        };
        let (dist, ver) = metadata_name_version(&std::fs::read_to_string(meta).ok()?)?;
        let key = normalize(&dist);
        if found.iter().any(|(k, _, _)| *k == key) {
            return None;
        }
        found.push((key, dist, ver));
    }
    found.iter().find(|(k, _, _)| k == "pip")?;
    found.sort();
    Some(found.into_iter().map(|(_, dist, ver)| (dist, ver)).collect())
}

/// `Name` and `Version` from the header of a METADATA or PKG-INFO file.
fn metadata_name_version(text: &str) -> Option<(String, String)> {
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version = Some(v.trim().to_string());
        }
    }
    Some((name.filter(|n| !n.is_empty())?, version.filter(|v| !v.is_empty())?))
}

/// Salt's `pip.version`: the pip version of `bin_env`.
pub fn version(ctx: &Ctx, env: &PipEnv) -> Result<String, ModuleError> {
    if let Some(v) = venv_listing(env).and_then(|l| l.get("pip").cloned()) {
        return Ok(v);
    }
    let out = env.run(ctx, vec!["--version".into()])?;
    if out.retcode != 0 {
        return Err(ModuleError::Execution("Could not find a `pip` binary".into()));
    }
    Ok(out.stdout.strip_prefix("pip ").and_then(|r| r.split_whitespace().next()).unwrap_or_default().to_string())
}

/// Salt's `pip.list`: installed distributions (name as pip shows it -> version).
pub fn list(ctx: &Ctx, env: &PipEnv, prefix: Option<&str>) -> Result<IndexMap<String, String>, ModuleError> {
    let prefix = prefix.map(str::to_lowercase);
    if let Some(listed) = venv_listing(env) {
        return Ok(listed.into_iter().filter(|(n, _)| prefix.as_deref().is_none_or(|p| n.to_lowercase().starts_with(p))).collect());
    }
    let out = env.run(ctx, vec!["list".into(), "--format=json".into(), "--disable-pip-version-check".into()])?;
    if out.retcode != 0 {
        return Err(ModuleError::Execution(out.stderr));
    }
    let parsed: serde_json::Value =
        serde_json::from_str(&out.stdout).map_err(|_| ModuleError::Execution("Invalid JSON".into()))?;
    let mut packages = IndexMap::new();
    for pkg in parsed.as_array().into_iter().flatten() {
        let (Some(name), Some(ver)) = (pkg["name"].as_str(), pkg["version"].as_str()) else { continue };
        if prefix.as_deref().is_none_or(|p| name.to_lowercase().starts_with(p)) {
            packages.insert(name.to_string(), ver.to_string());
        }
    }
    Ok(packages)
}

/// Salt's `pip.freeze`: `pip freeze --all` lines.
pub fn freeze(ctx: &Ctx, env: &PipEnv) -> Result<Vec<String>, ModuleError> {
    let out = env.run(ctx, vec!["freeze".into(), "--all".into(), "--disable-pip-version-check".into()])?;
    if out.retcode != 0 {
        return Err(ModuleError::Execution(out.stderr));
    }
    Ok(out.stdout.lines().map(str::to_string).collect())
}

/// Salt's `pip.normalize`: runs of `-_.` become `-`, lower case.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "-_.".contains(c) {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// What `pip.install` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct InstallRequest {
    pub env: PipEnv,
    /// Requirement specifiers (`;` standing for `,` inside one, as Salt passes them).
    pub pkgs: Vec<String>,
    pub requirements: Vec<String>,
    pub editable: Vec<String>,
    pub saltenv: String,
    /// Flags and options in the order pip receives them.
    pub options: Vec<String>,
}

/// A comma-separated string or a list, as Salt's pip functions accept.
pub fn split_list(v: &Value) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        other => other.py_str().split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
    }
}

/// `--requirement` arguments, `salt://` files cached first.
fn requirement_args(
    ctx: &Ctx,
    requirements: &[String],
    saltenv: &str,
) -> Result<Result<Vec<String>, String>, ModuleError> {
    let mut args = Vec::new();
    for req in requirements {
        let local = if req.starts_with("salt://") {
            match crate::cp::cache_file(ctx, req, Some(saltenv.to_string()))? {
                Some(p) => p.to_string_lossy().into_owned(),
                None => return Ok(Err(format!("pip requirements file '{req}' not found"))),
            }
        } else {
            req.clone()
        };
        args.extend(["--requirement".to_string(), local]);
    }
    Ok(Ok(args))
}

fn comment_result(comment: String) -> Map {
    let mut m = Map::default();
    m.insert("result".into(), Value::Bool(false));
    m.insert("comment".into(), Value::Str(comment));
    m
}

/// Salt's `pip.install`: the `cmd.run_all` result of one pip run.
pub fn install(ctx: &Ctx, req: &InstallRequest) -> Result<Map, ModuleError> {
    let mut args = vec!["install".to_string()];
    match requirement_args(ctx, &req.requirements, &req.saltenv)? {
        Ok(r) => args.extend(r),
        Err(comment) => return Ok(comment_result(comment)),
    }
    args.extend(req.options.iter().cloned());
    if req.pkgs.is_empty() && req.requirements.is_empty() && req.editable.is_empty() {
        let mut m = Map::default();
        m.insert("retcode".into(), Value::Int(0));
        m.insert("stdout".into(), Value::str("No packages to install."));
        return Ok(m);
    }
    args.extend(req.pkgs.iter().map(|p| p.replace(';', ",")));
    for e in &req.editable {
        args.extend(["--editable".to_string(), e.clone()]);
    }
    Ok(run_map(req.env.run(ctx, args)?))
}

fn run_map(out: RunResult) -> Map {
    match out.to_value() {
        Value::Map(m) => m,
        _ => Map::default(),
    }
}

/// Salt's `pip.uninstall`: the `cmd.run_all` result of `pip uninstall -y`.
pub fn uninstall(
    ctx: &Ctx,
    env: &PipEnv,
    pkgs: &[String],
    requirements: &[String],
    saltenv: &str,
) -> Result<Map, ModuleError> {
    let mut args = vec!["uninstall".to_string(), "-y".to_string()];
    match requirement_args(ctx, requirements, saltenv)? {
        Ok(r) => args.extend(r),
        Err(comment) => return Ok(comment_result(comment)),
    }
    args.extend(pkgs.iter().cloned());
    Ok(run_map(env.run(ctx, args)?))
}

/// Install options taken from the bound arguments, in Salt's order.
fn install_options(b: &Bound) -> Result<Vec<String>, ModuleError> {
    let mut opts = Vec::new();
    let valued = [("log", "--log"), ("proxy", "--proxy"), ("timeout", "--timeout")];
    for (key, flag) in valued {
        if let Some(v) = b.opt_str(key).filter(|v| !v.is_empty()) {
            opts.extend([flag.to_string(), v]);
        }
    }
    for link in split_list(b.get("find_links")) {
        opts.extend(["--find-links".to_string(), link]);
    }
    let index = b.opt_str("index_url").filter(|s| !s.is_empty());
    let extra = b.opt_str("extra_index_url").filter(|s| !s.is_empty());
    if b.truthy("no_index") && (index.is_some() || extra.is_some()) {
        return Err(ModuleError::Execution(
            "'no_index' and ('index_url' or 'extra_index_url') are mutually exclusive.".into(),
        ));
    }
    opts.extend(index.into_iter().flat_map(|i| ["--index-url".to_string(), i]));
    opts.extend(extra.into_iter().flat_map(|i| ["--extra-index-url".to_string(), i]));
    let flags = [("no_index", "--no-index"), ("disable_version_check", "--disable-pip-version-check")];
    opts.extend(flags.iter().filter(|(k, _)| b.truthy(k)).map(|(_, f)| f.to_string()));
    if let Some(t) = b.opt_str("target").filter(|s| !s.is_empty()) {
        opts.extend(["--target".to_string(), t]);
    }
    if let Some(c) = b.opt_str("cache_dir").filter(|s| !s.is_empty()) {
        opts.extend(["--cache-dir".to_string(), c]);
    }
    let more = [
        ("upgrade", "--upgrade"),
        ("force_reinstall", "--force-reinstall"),
        ("ignore_installed", "--ignore-installed"),
        ("no_deps", "--no-deps"),
        ("no_cache_dir", "--no-cache-dir"),
        ("pre_releases", "--pre"),
    ];
    opts.extend(more.iter().filter(|(k, _)| b.truthy(k)).map(|(_, f)| f.to_string()));
    for (key, flag) in [("exists_action", "--exists-action"), ("cert", "--cert"), ("trusted_host", "--trusted-host")] {
        if let Some(v) = b.opt_str(key).filter(|v| !v.is_empty()) {
            opts.extend([flag.to_string(), v]);
        }
    }
    if b.get("no_binary").truthy() {
        opts.extend(["--no-binary".to_string(), split_list(b.get("no_binary")).join(",")]);
    }
    opts.extend(extra_args(b.get("extra_args"))?);
    Ok(opts)
}

/// Salt's `extra_args`: strings, or one-key `{option: value}` dicts.
fn extra_args(v: &Value) -> Result<Vec<String>, ModuleError> {
    let mut out = Vec::new();
    for arg in v.as_list().unwrap_or_default() {
        match arg {
            Value::Map(m) => {
                for (k, val) in m {
                    if matches!(val, Value::Map(_) | Value::List(_)) {
                        return Err(ModuleError::Invocation(format!("Too many levels in: {k}")));
                    }
                    out.push(k.clone());
                    out.extend((!val.is_null()).then(|| val.py_str()));
                }
            }
            other => out.push(other.py_str()),
        }
    }
    Ok(out)
}

const N: ArgDefault = ArgDefault::None;
const F: ArgDefault = ArgDefault::Bool(false);

const INSTALL_PARAMS: &[Param] = &[
    opt("pkgs", N),
    opt("requirements", N),
    opt("bin_env", N),
    opt("use_wheel", F),
    opt("no_use_wheel", F),
    opt("log", N),
    opt("proxy", N),
    opt("timeout", N),
    opt("editable", N),
    opt("find_links", N),
    opt("index_url", N),
    opt("extra_index_url", N),
    opt("no_index", F),
    opt("mirrors", N),
    opt("build", N),
    opt("target", N),
    opt("download", N),
    opt("download_cache", N),
    opt("source", N),
    opt("upgrade", F),
    opt("force_reinstall", F),
    opt("ignore_installed", F),
    opt("exists_action", N),
    opt("no_deps", F),
    opt("no_install", F),
    opt("no_download", F),
    opt("global_options", N),
    opt("install_options", N),
    opt("user", N),
    opt("cwd", N),
    opt("pre_releases", F),
    opt("cert", N),
    opt("allow_all_external", F),
    opt("allow_external", N),
    opt("allow_unverified", N),
    opt("process_dependency_links", F),
    opt("saltenv", ArgDefault::Str("base")),
    opt("env_vars", N),
    opt("use_vt", F),
    opt("trusted_host", N),
    opt("no_cache_dir", F),
    opt("extra_args", N),
    opt("cache_dir", N),
    opt("no_binary", N),
    opt("disable_version_check", F),
];

pub const MODULE: Module = Module {
    name: "pip",
    functions: &[
        Function {
            name: "install",
            sig: Signature { params: INSTALL_PARAMS, varargs: None, kwargs: true },
            run: install_fn,
        },
        Function {
            name: "uninstall",
            sig: Signature {
                params: &[
                    opt("pkgs", N),
                    opt("requirements", N),
                    opt("bin_env", N),
                    opt("log", N),
                    opt("proxy", N),
                    opt("timeout", N),
                    opt("user", N),
                    opt("cwd", N),
                    opt("saltenv", ArgDefault::Str("base")),
                    opt("use_vt", F),
                    opt("extra_args", N),
                ],
                varargs: None,
                kwargs: false,
            },
            run: uninstall_fn,
        },
        Function {
            name: "list",
            sig: Signature {
                params: &[opt("prefix", N), opt("bin_env", N), opt("user", N), opt("cwd", N), opt("env_vars", N)],
                varargs: None,
                kwargs: true,
            },
            run: list_fn,
        },
        Function {
            name: "freeze",
            sig: Signature {
                params: &[opt("bin_env", N), opt("user", N), opt("cwd", N), opt("use_vt", F), opt("env_vars", N)],
                varargs: None,
                kwargs: true,
            },
            run: freeze_fn,
        },
        Function {
            name: "version",
            sig: Signature {
                params: &[opt("bin_env", N), opt("cwd", N), opt("user", N)],
                varargs: None,
                kwargs: false,
            },
            run: version_fn,
        },
    ],
};

fn install_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let req = InstallRequest {
        env: PipEnv::from_bound(b)?,
        pkgs: split_list(b.get("pkgs")),
        requirements: split_list(b.get("requirements")),
        editable: split_list(b.get("editable")),
        saltenv: b.opt_str("saltenv").unwrap_or_else(|| "base".into()),
        options: install_options(b)?,
    };
    Ok(Value::Map(install(ctx, &req)?))
}

fn uninstall_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let env = PipEnv::from_bound(b)?;
    let saltenv = b.opt_str("saltenv").unwrap_or_else(|| "base".into());
    let pkgs = split_list(b.get("pkgs"));
    Ok(Value::Map(uninstall(ctx, &env, &pkgs, &split_list(b.get("requirements")), &saltenv)?))
}

fn list_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let listed = list(ctx, &PipEnv::from_bound(b)?, b.opt_str("prefix").as_deref())?;
    Ok(Value::Map(listed.into_iter().map(|(k, v)| (k, Value::Str(v))).collect()))
}

fn freeze_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::List(freeze(ctx, &PipEnv::from_bound(b)?)?.into_iter().map(Value::Str).collect()))
}

fn version_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Str(version(ctx, &PipEnv::from_bound(b)?)?))
}

#[cfg(test)]
mod tests;
