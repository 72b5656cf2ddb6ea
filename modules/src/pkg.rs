//! The `pkg` execution module on Debian (Salt's `aptpkg`): install, remove,
//! purge, version, list_pkgs, refresh_db, latest_version (and its old name
//! available_version), version_cmp; plus the typed functions the `pkg`
//! state uses, over a [`PkgBackend`] picked at run time (apt/dpkg, or a
//! recorded backend in tests).
//!
//! The package list is read once per run and kept in the run's context
//! until packages change. It must not decide what a state reports: it
//! returns Salt's `{name: {old, new}}` changes and errors, nothing more.

mod apt;
mod debver;
pub mod spec;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use brine_common::{Map, Value};
use indexmap::IndexMap;

pub use apt::{parse_dpkg_query, parse_policy, parse_show, AptBackend, DPKG_ENV};
pub use spec::Targets;

use crate::args::{opt, ArgDefault, Signature};
use crate::cmd::RunResult;
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// Installed package versions by name (several when multi-arch).
pub type Versions = IndexMap<String, Vec<String>>;

/// What dpkg knows: installed packages, removed ones whose configuration
/// files remain, and installed ones selected for purge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PkgDb {
    pub installed: Versions,
    pub removed: Versions,
    pub purge_desired: Versions,
}

impl PkgDb {
    /// Salt's `list_pkgs()`: purge-wanted packages, then installed ones.
    pub fn current(&self) -> Versions {
        let mut out = self.purge_desired.clone();
        out.extend(self.installed.clone());
        out
    }
}

/// How `apt-get install` is to be run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstallOpts {
    pub fromrepo: Option<String>,
    pub skip_verify: bool,
    pub reinstall: bool,
    pub downgrade: bool,
}

/// `apt-get remove` or `apt-get purge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveAction {
    Remove,
    Purge,
}

impl RemoveAction {
    pub fn verb(self) -> &'static str {
        match self {
            RemoveAction::Remove => "remove",
            RemoveAction::Purge => "purge",
        }
    }
}

/// The package manager as the `pkg` module needs it. Implementations run
/// one command per call and must not panic on any input.
pub trait PkgBackend {
    /// Every package dpkg knows, with its selection state.
    fn query(&self, ctx: &Ctx) -> Result<PkgDb, ModuleError>;
    /// The install candidate of each name ("" when there is none).
    fn policy(
        &self,
        ctx: &Ctx,
        names: &[String],
        fromrepo: Option<&str>,
    ) -> Result<IndexMap<String, String>, ModuleError>;
    /// The versions the repositories offer for `name` or `name=version` specs.
    fn show(&self, ctx: &Ctx, specs: &[String]) -> Result<IndexMap<String, Vec<String>>, ModuleError>;
    /// Whether the package lists have ever been downloaded.
    fn lists_present(&self) -> bool;
    /// Downloads the package lists.
    fn update(&self, ctx: &Ctx) -> Result<RunResult, ModuleError>;
    /// Installs one group of targets (`name` or `name=version`).
    fn install(&self, ctx: &Ctx, targets: &[String], opts: &InstallOpts) -> Result<RunResult, ModuleError>;
    /// Removes or purges packages.
    fn remove(&self, ctx: &Ctx, action: RemoveAction, targets: &[String]) -> Result<RunResult, ModuleError>;
    /// Selects packages for install again (Salt's `lowpkg.unpurge`).
    fn unpurge(&self, ctx: &Ctx, names: &[String]) -> Result<RunResult, ModuleError>;
}

static SYSTEM: AptBackend = AptBackend::system();

/// The backend of this run: the caller's, else apt on this system.
pub fn backend<'c>(ctx: &'c Ctx) -> &'c dyn PkgBackend {
    ctx.backends.pkg.unwrap_or(&SYSTEM)
}

/// A failure of `pkg.install`/`remove`/`purge` after commands ran (Salt's
/// `CommandExecutionError` with `info={"errors": ..., "changes": ...}`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PkgError {
    #[error(transparent)]
    Module(#[from] ModuleError),
    #[error("{}", full_message(.message, .errors, .changes))]
    Commands { message: &'static str, errors: Vec<String>, changes: Map },
}

impl PkgError {
    /// Salt's `strerror_without_changes`: the message and errors only.
    pub fn without_changes(&self) -> String {
        match self {
            PkgError::Module(e) => e.to_string(),
            PkgError::Commands { message, errors, .. } => info_message(message, &errors_info(errors)),
        }
    }

    /// The changes made before the failure.
    pub fn changes(&self) -> Map {
        match self {
            PkgError::Module(_) => Map::default(),
            PkgError::Commands { changes, .. } => changes.clone(),
        }
    }
}

fn errors_info(errors: &[String]) -> Map {
    let mut info = Map::default();
    info.insert("errors".into(), Value::List(errors.iter().map(Value::str).collect()));
    info
}

fn info_message(message: &str, info: &Map) -> String {
    let sep = if message.ends_with(['.', '?', '!']) { " " } else { ". " };
    format!("{message}{sep}Additional info follows:\n\n{}", brine_common::output::nested(&Value::Map(info.clone())))
}

fn full_message(message: &str, errors: &[String], changes: &Map) -> String {
    let mut info = errors_info(errors);
    info.insert("changes".into(), Value::Map(changes.clone()));
    info.sort_keys();
    info_message(message, &info)
}

impl From<PkgError> for ModuleError {
    fn from(e: PkgError) -> Self {
        match e {
            PkgError::Module(m) => m,
            other => ModuleError::Execution(other.to_string()),
        }
    }
}

/// The dpkg architecture of this system (grain `osarch`).
pub fn osarch(ctx: &Ctx) -> String {
    if let Some(arch) = ctx.grains.get("osarch").and_then(Value::as_str) {
        return arch.to_string();
    }
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "i386",
        other => other,
    }
    .to_string()
}

/// Salt's `pkg.normalize_name`: drops a `:arch` suffix naming this system's architecture.
pub fn normalize_name(ctx: &Ctx, name: &str) -> String {
    match name.rsplit_once(':') {
        Some((pkg, arch)) if arch == osarch(ctx) || arch == "all" || arch == "any" => pkg.to_string(),
        _ => name.to_string(),
    }
}

/// The package database, read once per run (Salt's `__context__` cache).
pub fn package_db(ctx: &Ctx) -> Result<PkgDb, ModuleError> {
    if let Some(db) = ctx.context.pkg_list.borrow().as_ref() {
        return Ok(db.clone());
    }
    let db = backend(ctx).query(ctx)?;
    *ctx.context.pkg_list.borrow_mut() = Some(db.clone());
    Ok(db)
}

fn forget_db(ctx: &Ctx) {
    ctx.context.pkg_list.borrow_mut().take();
}

/// Salt's `pkg_resource.stringify`: versions joined with commas.
pub fn stringify(versions: &Versions) -> IndexMap<String, String> {
    versions.iter().map(|(k, v)| (k.clone(), v.join(","))).collect()
}

/// Salt's `salt.utils.data.compare_dicts` on version maps, in name order.
pub fn compare_dicts(old: &IndexMap<String, String>, new: &IndexMap<String, String>) -> Map {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut changes = Map::default();
    for name in names {
        let change = match (old.get(name), new.get(name)) {
            (None, Some(n)) => pair(("old", ""), ("new", n)),
            (Some(o), None) => pair(("new", ""), ("old", o)),
            (Some(o), Some(n)) if o != n => pair(("old", o), ("new", n)),
            _ => continue,
        };
        changes.insert(name.clone(), change);
    }
    changes
}

fn pair(a: (&str, &str), b: (&str, &str)) -> Value {
    let mut m = Map::default();
    m.insert(a.0.into(), Value::str(a.1));
    m.insert(b.0.into(), Value::str(b.1));
    Value::Map(m)
}

/// Salt's `pkg.refresh_db`: `apt-get update`, each source marked True
/// (fetched), None (unchanged) or False (ignored or failed).
pub fn refresh_db(ctx: &Ctx, cache_valid_time: u64, failhard: bool) -> Result<Map, ModuleError> {
    if cache_valid_time > 0 && lists_fresh(cache_valid_time) {
        return Ok(Map::default());
    }
    let out = backend(ctx).update(ctx)?;
    if out.retcode != 0 {
        return Err(ModuleError::Execution(out.stderr));
    }
    let (ret, errors) = parse_update(&out.stdout);
    if failhard && !errors.is_empty() {
        return Err(ModuleError::Execution(format!("Error getting repos: {}", errors.join(", "))));
    }
    Ok(ret)
}

fn lists_fresh(valid_secs: u64) -> bool {
    let Ok(modified) = std::fs::metadata("/var/lib/apt/lists").and_then(|m| m.modified()) else { return false };
    modified + Duration::from_secs(valid_secs) > SystemTime::now()
}

/// The `Get`/`Hit`/`Ign`/`Err` lines of `apt-get update`, and the failed sources.
pub fn parse_update(out: &str) -> (Map, Vec<String>) {
    let mut ret = Map::default();
    let mut errors = Vec::new();
    for line in out.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let Some(kind) = cols.first() else { continue };
        let mut ident = cols[1..].join(" ");
        let value = if kind.contains("Get") {
            if let Some(open) = ident.rfind(" [").filter(|_| ident.ends_with("B]")) {
                ident.truncate(open);
            }
            Value::Bool(true)
        } else if kind.contains("Ign") {
            Value::Bool(false)
        } else if kind.contains("Hit") {
            Value::Null
        } else if kind.contains("Err") {
            errors.push(ident.clone());
            Value::Bool(false)
        } else {
            continue;
        };
        ret.insert(ident, value);
    }
    (ret, errors)
}

/// Options of `pkg.latest_version`.
#[derive(Debug, Clone, Default)]
pub struct LatestOpts {
    pub refresh: bool,
    pub show_installed: bool,
    pub fromrepo: Option<String>,
}

/// Salt's `pkg.latest_version` for each name: the candidate when it is not
/// installed or is newer than every installed version, else "".
pub fn latest_versions(
    ctx: &Ctx,
    names: &[String],
    opts: &LatestOpts,
) -> Result<IndexMap<String, String>, ModuleError> {
    if names.is_empty() {
        return Ok(IndexMap::new());
    }
    let installed = package_db(ctx)?.current();
    if opts.refresh {
        refresh_db(ctx, 0, false)?;
    }
    let candidates = backend(ctx).policy(ctx, names, opts.fromrepo.as_deref())?;
    let mut ret = IndexMap::new();
    for name in names {
        let candidate = candidates.get(name).cloned().unwrap_or_default();
        let have = installed.get(name).cloned().unwrap_or_default();
        let newer = !candidate.is_empty() && !have.iter().any(|v| spec::compare(v, ">=", &candidate, false));
        let show = have.is_empty() || opts.show_installed || newer;
        ret.insert(name.clone(), if show { candidate } else { String::new() });
    }
    Ok(ret)
}

/// Versions the repositories offer for `name=version` specs, by package name.
pub fn repo_versions(ctx: &Ctx, specs: &[String]) -> Result<IndexMap<String, Vec<String>>, ModuleError> {
    if specs.is_empty() {
        return Ok(IndexMap::new());
    }
    backend(ctx).show(ctx, specs)
}

/// Salt's `pkg_resource.parse_targets` for repository packages: `pkgs`
/// repacked, else `name` split on commas with `version`.
pub fn parse_targets(
    ctx: &Ctx,
    name: Option<&str>,
    pkgs: Option<&Value>,
    version: Option<&str>,
    normalize: bool,
) -> Result<Targets, ModuleError> {
    let norm = |n: &str| if normalize { normalize_name(ctx, n) } else { n.to_string() };
    if let Some(pkgs) = pkgs.filter(|p| p.truthy()) {
        return spec::repack(pkgs, &norm);
    }
    let Some(name) = name.filter(|n| !n.is_empty()) else { return Ok(Targets::new()) };
    Ok(name.split(',').map(|n| (norm(n), version.map(str::to_string))).collect())
}

/// What `pkg.install` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct InstallRequest {
    pub targets: Targets,
    pub refresh: bool,
    pub fromrepo: Option<String>,
    pub skip_verify: bool,
    pub reinstall: bool,
    pub ignore_epoch: bool,
}

/// apt-get argument groups: new or upgraded, downgraded, reinstalled.
#[derive(Debug, Default)]
struct Plan {
    targets: Vec<String>,
    downgrade: Vec<String>,
    reinstall: Vec<String>,
    reinstall_names: Vec<String>,
    errors: Vec<String>,
}

fn plan_install(ctx: &Ctx, req: &InstallRequest, old: &IndexMap<String, String>) -> Result<Plan, ModuleError> {
    let comparing: Vec<String> = req
        .targets
        .iter()
        .filter(|(_, v)| v.as_deref().is_some_and(|v| v.starts_with(['<', '>'])))
        .map(|(n, _)| n.clone())
        .collect();
    let available = repo_versions(ctx, &comparing)?;
    let mut plan = Plan::default();
    for (name, version) in &req.targets {
        let cver = old.get(name).filter(|c| !c.is_empty());
        let Some(version) = version else {
            if req.reinstall && cver.is_some() {
                plan.reinstall.push(name.clone());
                plan.reinstall_names.push(name.clone());
            } else {
                plan.targets.push(name.clone());
            }
            continue;
        };
        let mut version = version.trim_start_matches('=').to_string();
        if comparing.contains(name) {
            let candidates = available.get(name).cloned().unwrap_or_default();
            match spec::match_version(&version, &candidates, req.ignore_epoch) {
                Some(v) => version = v,
                None => {
                    let shown = if candidates.is_empty() { "None".to_string() } else { candidates.join(", ") };
                    plan.errors
                        .push(format!("No version matching '{name}{version}' could be found (available: {shown})"));
                    continue;
                }
            }
        }
        let pkgstr = format!("{name}={version}");
        match cver {
            Some(c) if req.reinstall && spec::compare(&version, "==", c, false) => {
                plan.reinstall.push(pkgstr);
                plan.reinstall_names.push(name.clone());
            }
            Some(c) if !spec::compare(&version, ">=", c, false) => plan.downgrade.push(pkgstr),
            _ => plan.targets.push(pkgstr),
        }
    }
    Ok(plan)
}

/// Salt's `pkg.install` on apt: one `apt-get install` per group, an update
/// first when asked (or when the lists were never downloaded), and the
/// changes `{name: {old, new}}` read from dpkg afterwards.
pub fn install(ctx: &Ctx, req: &InstallRequest) -> Result<Map, PkgError> {
    if req.targets.is_empty() {
        return Ok(Map::default());
    }
    let old = stringify(&package_db(ctx)?.current());
    let plan = plan_install(ctx, req, &old)?;
    let opts = InstallOpts { fromrepo: req.fromrepo.clone(), skip_verify: req.skip_verify, ..InstallOpts::default() };
    let groups = [
        (&plan.targets, opts.clone()),
        (&plan.downgrade, InstallOpts { downgrade: true, ..opts.clone() }),
        (&plan.reinstall, InstallOpts { reinstall: true, ..opts }),
    ];
    let mut errors = plan.errors.clone();
    let mut changes = Map::default();
    if groups.iter().any(|(t, _)| !t.is_empty()) {
        if req.refresh || !backend(ctx).lists_present() {
            refresh_db(ctx, 0, false)?;
        }
        for (targets, opts) in groups.iter().filter(|(t, _)| !t.is_empty()) {
            errors.extend(command_error(backend(ctx).install(ctx, targets, opts)?));
        }
        forget_db(ctx);
        let new = stringify(&package_db(ctx)?.current());
        changes = compare_dicts(&old, &new);
        for name in &plan.reinstall_names {
            let value = pair(("old", old.get(name).map_or("", |s| s)), ("new", new.get(name).map_or("", |s| s)));
            changes.insert(name.clone(), value);
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(PkgError::Commands { message: "Problem encountered installing package(s)", errors, changes })
    }
}

fn command_error(out: RunResult) -> Option<String> {
    (out.retcode != 0 && !out.stderr.is_empty()).then_some(out.stderr)
}

/// Salt's `match_wildcard`: names with `*` expanded against `known`.
fn match_wildcard(known: &IndexMap<String, String>, wanted: &Targets) -> Vec<String> {
    let mut out = Vec::new();
    for name in wanted.keys() {
        if name.contains('*') {
            out.extend(known.keys().filter(|k| crate::fnmatch::fnmatch(k, name)).cloned());
        } else {
            out.push(name.clone());
        }
    }
    out
}

/// Salt's `pkg.remove`/`pkg.purge` on apt: the installed (and, to purge,
/// removed) targets in one `apt-get`, changes read from dpkg afterwards.
pub fn uninstall(ctx: &Ctx, action: RemoveAction, wanted: &Targets) -> Result<Map, PkgError> {
    let db = package_db(ctx)?;
    let (old, old_removed) = (stringify(&db.current()), stringify(&db.removed));
    let mut targets: Vec<String> = match_wildcard(&old, wanted).into_iter().filter(|p| old.contains_key(p)).collect();
    if action == RemoveAction::Purge {
        targets.extend(match_wildcard(&old_removed, wanted).into_iter().filter(|p| old_removed.contains_key(p)));
    }
    if targets.is_empty() {
        return Ok(Map::default());
    }
    let errors: Vec<String> = command_error(backend(ctx).remove(ctx, action, &targets)?).into_iter().collect();
    forget_db(ctx);
    let db = package_db(ctx)?;
    let installed = compare_dicts(&old, &stringify(&db.current()));
    let changes = match action {
        RemoveAction::Remove => installed,
        RemoveAction::Purge => {
            let mut m = Map::default();
            m.insert("removed".into(), Value::Map(compare_dicts(&old_removed, &stringify(&db.removed))));
            m.insert("installed".into(), Value::Map(installed));
            m
        }
    };
    if errors.is_empty() {
        return Ok(changes);
    }
    Err(PkgError::Commands { message: "Problem encountered removing package(s)", errors, changes })
}

/// Salt's `lowpkg.unpurge`: packages selected for install again; the
/// changes of the purge-wanted list.
pub fn unpurge(ctx: &Ctx, names: &[String]) -> Result<Map, ModuleError> {
    if names.is_empty() {
        return Ok(Map::default());
    }
    let old = stringify(&package_db(ctx)?.purge_desired);
    backend(ctx).unpurge(ctx, names)?;
    forget_db(ctx);
    Ok(compare_dicts(&old, &stringify(&package_db(ctx)?.purge_desired)))
}

const N: ArgDefault = ArgDefault::None;
const F: ArgDefault = ArgDefault::Bool(false);

const fn sig(params: &'static [crate::Param], varargs: Option<&'static str>) -> Signature {
    Signature { params, varargs, kwargs: true }
}

pub const MODULE: Module = Module {
    name: "pkg",
    functions: &[
        Function {
            name: "install",
            sig: sig(
                &[
                    opt("name", N),
                    opt("refresh", F),
                    opt("fromrepo", N),
                    opt("skip_verify", F),
                    opt("debconf", N),
                    opt("pkgs", N),
                    opt("sources", N),
                    opt("reinstall", F),
                    opt("downloadonly", F),
                    opt("ignore_epoch", F),
                    opt("normalize", ArgDefault::Bool(true)),
                ],
                None,
            ),
            run: install_fn,
        },
        Function { name: "remove", sig: sig(&[opt("name", N), opt("pkgs", N)], None), run: remove_fn },
        Function { name: "purge", sig: sig(&[opt("name", N), opt("pkgs", N)], None), run: purge_fn },
        Function { name: "version", sig: sig(&[], Some("names")), run: version_fn },
        Function {
            name: "list_pkgs",
            sig: sig(&[opt("versions_as_list", F), opt("removed", F), opt("purge_desired", F)], None),
            run: list_pkgs_fn,
        },
        Function {
            name: "refresh_db",
            sig: sig(&[opt("cache_valid_time", ArgDefault::Int(0)), opt("failhard", F)], None),
            run: refresh_db_fn,
        },
        Function { name: "latest_version", sig: sig(&[], Some("names")), run: latest_version_fn },
        Function { name: "available_version", sig: sig(&[], Some("names")), run: latest_version_fn },
        Function {
            name: "version_cmp",
            sig: sig(&[crate::args::req("pkg1"), crate::args::req("pkg2"), opt("ignore_epoch", F)], None),
            run: version_cmp_fn,
        },
    ],
};

fn versions_value(versions: &Versions, as_list: bool) -> Value {
    Value::Map(
        versions
            .iter()
            .map(|(k, v)| {
                let value =
                    if as_list { Value::List(v.iter().map(Value::str).collect()) } else { Value::str(v.join(",")) };
                (k.clone(), value)
            })
            .collect(),
    )
}

fn install_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    if b.get("sources").truthy() {
        return Err(ModuleError::Invocation("The 'sources' argument is not supported by brine's apt backend".into()));
    }
    let version = b.opt_str("version");
    let name = b.opt_str("name");
    let targets = parse_targets(ctx, name.as_deref(), Some(b.get("pkgs")), version.as_deref(), b.truthy("normalize"))?;
    let req = InstallRequest {
        targets,
        refresh: b.truthy("refresh"),
        fromrepo: b.opt_str("fromrepo").filter(|r| !r.is_empty()),
        skip_verify: b.truthy("skip_verify"),
        reinstall: b.truthy("reinstall"),
        ignore_epoch: b.truthy("ignore_epoch"),
    };
    Ok(Value::Map(install(ctx, &req)?))
}

fn uninstall_fn(b: &Bound, ctx: &Ctx, action: RemoveAction) -> Result<Value, ModuleError> {
    let name = b.opt_str("name");
    let targets = parse_targets(ctx, name.as_deref(), Some(b.get("pkgs")), None, true)?;
    Ok(Value::Map(uninstall(ctx, action, &targets)?))
}

fn remove_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    uninstall_fn(b, ctx, RemoveAction::Remove)
}

fn purge_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    uninstall_fn(b, ctx, RemoveAction::Purge)
}

fn names_of(b: &Bound) -> Vec<String> {
    b.varargs.iter().map(Value::py_str).collect()
}

/// Salt's `pkg_resource.version`: one name gives a string, several (or a glob) a dict.
fn version_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let names = names_of(b);
    let as_list = b.kwargs.get("versions_as_list").is_some_and(Value::truthy);
    let mut found = Versions::new();
    let mut glob = false;
    if !names.is_empty() {
        let current = package_db(ctx)?.current();
        for name in &names {
            if name.contains('*') {
                glob = true;
                found.extend(
                    current
                        .iter()
                        .filter(|(k, _)| crate::fnmatch::fnmatch(k, name))
                        .map(|(k, v)| (k.clone(), v.clone())),
                );
            } else {
                found.insert(name.clone(), current.get(name).cloned().unwrap_or_default());
            }
        }
    }
    let value = versions_value(&found, as_list);
    match value {
        Value::Map(m) if m.len() == 1 && !glob => Ok(m.into_iter().next().map(|(_, v)| v).unwrap_or(Value::str(""))),
        other => Ok(other),
    }
}

fn list_pkgs_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let db = package_db(ctx)?;
    let versions = if b.truthy("removed") {
        db.removed
    } else if b.truthy("purge_desired") {
        db.purge_desired
    } else {
        db.current()
    };
    Ok(versions_value(&versions, b.truthy("versions_as_list")))
}

fn refresh_db_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let valid = b.get("cache_valid_time").as_i64().or_else(|| b.get("cache_valid_time").py_str().parse().ok());
    Ok(Value::Map(refresh_db(ctx, valid.unwrap_or(0).max(0) as u64, b.truthy("failhard"))?))
}

fn latest_version_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    if b.kwargs.contains_key("repo") {
        return Err(ModuleError::Invocation("The 'repo' argument is invalid, use 'fromrepo' instead".into()));
    }
    let names = names_of(b);
    if names.is_empty() {
        return Ok(Value::str(""));
    }
    let opts = LatestOpts {
        refresh: b.kwargs.get("refresh").is_none_or(Value::truthy),
        show_installed: b.kwargs.get("show_installed").is_some_and(Value::truthy),
        fromrepo: b.kwargs.get("fromrepo").filter(|v| v.truthy()).map(Value::py_str),
    };
    let latest = latest_versions(ctx, &names, &opts)?;
    if names.len() == 1 {
        return Ok(Value::str(latest.get(&names[0]).cloned().unwrap_or_default()));
    }
    Ok(Value::Map(latest.into_iter().map(|(k, v)| (k, Value::Str(v))).collect()))
}

fn version_cmp_fn(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let ord = debver::compare(&b.get("pkg1").py_str(), &b.get("pkg2").py_str(), b.truthy("ignore_epoch"));
    Ok(Value::Int(ord as i64))
}

#[cfg(test)]
mod tests;
