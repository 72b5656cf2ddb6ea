//! `pkg.installed`: Salt's `_find_install_targets` (what is missing, at
//! the wrong version, to reinstall or to unpurge), its test-mode
//! prediction (`_get_installable_versions`), one `pkg.install` for the
//! planned targets, and `_verify_install` with Salt's comments.
//!
//! Changes nothing in test mode, and nothing beyond the planned targets.

use brine_common::{Map, Value};
use brine_modules::pkg::{self, spec, InstallRequest, LatestOpts, Targets, Versions};

use super::{current_versions, desired_pkg, empty_pkgs, failed, new_old, parse_common, Common};
use crate::mods::parse::flag;
use crate::mods::{StateCall, StateError, StateRet};

/// Typed arguments of `pkg.installed`.
struct Args {
    common: Common,
    sources: bool,
    allow_updates: bool,
    pkg_verify: bool,
    reinstall: bool,
    hold: bool,
}

fn parse(call: &StateCall) -> Args {
    let args = call.args;
    Args {
        common: parse_common(call),
        sources: args.get("sources").is_some_and(Value::truthy),
        allow_updates: flag(args, "allow_updates", false),
        pkg_verify: flag(args, "pkg_verify", false),
        reinstall: flag(args, "reinstall", false),
        hold: args.contains_key("hold"),
    }
}

/// What `pkg.installed` has to do.
#[derive(Debug, Default)]
struct Plan {
    /// Every wanted package, `latest` resolved to a version.
    desired: Targets,
    /// Missing or at the wrong version.
    targets: Targets,
    to_unpurge: Vec<String>,
    to_reinstall: Targets,
    /// Whether a version was compared (the "at the desired version" comment).
    version_spec: bool,
}

pub fn installed(call: &StateCall) -> Result<StateRet, StateError> {
    let a = parse(call);
    let name = call.arg("name").clone();
    if let Some(ret) = refused(&a, name.clone()) {
        return Ok(ret);
    }
    let desired = match wanted(&a)? {
        Some(d) => d,
        None => return Ok(StateRet::new(name).error("Invalidly formatted 'pkgs' parameter. See minion log.")),
    };
    let db = match pkg::package_db(call.ctx) {
        Ok(db) => db,
        Err(e) => return Ok(StateRet::new(name).error(e.to_string())),
    };
    let mut refresh = a.common.refresh;
    let plan = plan(call, &a, desired, &db, &mut refresh)?;
    let mut ret = StateRet::new(name);
    if a.hold {
        ret.warn("The 'hold' argument is not supported by brine and was ignored");
    }
    if plan.targets.is_empty() && plan.to_unpurge.is_empty() && plan.to_reinstall.is_empty() {
        let suffix = if plan.version_spec { " and are at the desired version" } else { "" };
        return Ok(ret.with_comment(format!("All specified packages are already installed{suffix}")));
    }
    if call.test {
        return predict(call, ret, &a, &plan);
    }
    apply(call, ret, &a, plan, refresh)
}

/// Arguments brine (or Salt on Debian) cannot act on.
fn refused(a: &Args, name: Value) -> Option<StateRet> {
    if empty_pkgs(&a.common.pkgs) {
        return Some(StateRet::new(name).with_comment("No packages to install provided"));
    }
    if a.pkg_verify {
        return Some(StateRet::new(name).error("pkg.verify not implemented"));
    }
    if a.sources && a.common.pkgs.as_ref().is_some_and(Value::truthy) {
        return Some(StateRet::new(name).error("Only one of \"pkgs\" and \"sources\" is permitted."));
    }
    if a.sources {
        return Some(StateRet::new(name).error("The 'sources' argument is not supported by brine"));
    }
    None
}

/// The wanted packages: `pkgs`, else `name` with `version`; None when badly formed.
fn wanted(a: &Args) -> Result<Option<Targets>, StateError> {
    let c = &a.common;
    let pkgs = match &c.pkgs {
        Some(p) if p.truthy() => p.clone(),
        _ => {
            let mut one = Map::default();
            one.insert(c.name.clone(), c.version.clone().map(Value::Str).unwrap_or(Value::Null));
            Value::List(vec![Value::Map(one)])
        }
    };
    let desired = spec::repack(&pkgs, &|n: &str| n.to_string())?;
    Ok((!desired.is_empty()).then_some(desired))
}

fn plan(
    call: &StateCall,
    a: &Args,
    mut desired: Targets,
    db: &pkg::PkgDb,
    refresh: &mut bool,
) -> Result<Plan, StateError> {
    let current = db.current();
    let to_unpurge: Vec<String> = desired.keys().filter(|n| db.purge_desired.contains_key(*n)).cloned().collect();
    resolve_latest(call, &mut desired, &current, refresh)?;
    let mut plan = Plan { to_unpurge, ..Plan::default() };
    for (name, version) in &desired {
        let have = current.get(name).cloned().unwrap_or_default();
        if have.is_empty() {
            plan.targets.insert(name.clone(), version.clone());
        } else if a.reinstall {
            plan.to_reinstall.insert(name.clone(), version.clone());
        } else if let Some(v) = version.as_deref().filter(|v| !v.is_empty()) {
            plan.version_spec = true;
            if !spec::fulfills(&have, v, a.common.ignore_epoch, a.allow_updates) {
                plan.targets.insert(name.clone(), version.clone());
            }
        }
    }
    plan.desired = desired;
    Ok(plan)
}

/// Versions `latest` replaced by the candidate (or the installed version
/// when up to date, None when unknown); refreshes at most once.
fn resolve_latest(
    call: &StateCall,
    desired: &mut Targets,
    current: &Versions,
    refresh: &mut bool,
) -> Result<(), StateError> {
    let names: Vec<String> =
        desired.iter().filter(|(_, v)| v.as_deref() == Some("latest")).map(|(n, _)| n.clone()).collect();
    if names.is_empty() {
        return Ok(());
    }
    let opts = LatestOpts { refresh: *refresh && !call.test, ..LatestOpts::default() };
    let latest = pkg::latest_versions(call.ctx, &names, &opts)?;
    *refresh = *refresh && call.test;
    for name in names {
        let resolved = latest.get(&name).filter(|v| !v.is_empty()).cloned();
        let resolved = resolved.or_else(|| current.get(&name).and_then(|v| v.last().cloned()));
        desired.insert(name, resolved);
    }
    Ok(())
}

/// Salt's `_get_installable_versions`: the candidate of unversioned targets,
/// the repository's version of versioned ones, else "installed".
fn installable(call: &StateCall, targets: &Targets) -> Result<Map, StateError> {
    let latest_names: Vec<String> =
        targets.iter().filter(|(_, v)| v.as_deref().is_none_or(str::is_empty)).map(|(n, _)| n.clone()).collect();
    let latest = pkg::latest_versions(call.ctx, &latest_names, &LatestOpts::default())?;
    let explicit: Vec<String> =
        targets.iter().filter(|(n, _)| !latest_names.contains(n)).map(|(n, v)| desired_pkg(n, v.as_deref())).collect();
    let repo = pkg::repo_versions(call.ctx, &explicit)?;
    let mut changes = Map::default();
    for name in targets.keys() {
        let from_repo = repo.get(name).and_then(|v| v.first()).cloned();
        let new = latest.get(name).cloned().filter(|v| !v.is_empty()).or(from_repo);
        changes.insert(name.clone(), new_old(new.as_deref().unwrap_or("installed"), ""));
    }
    Ok(changes)
}

fn predict(call: &StateCall, mut ret: StateRet, a: &Args, plan: &Plan) -> Result<StateRet, StateError> {
    let mut comment = Vec::new();
    if !plan.targets.is_empty() {
        ret.changes.extend(installable(call, &plan.targets)?);
        let summary: Vec<&str> = plan.targets.keys().map(String::as_str).collect();
        comment.push(format!("The following packages would be installed/updated: {}", summary.join(", ")));
    }
    if !plan.to_unpurge.is_empty() {
        comment.push(format!(
            "The following packages would have their selection status changed from 'purge' to 'install': {}",
            plan.to_unpurge.join(", ")
        ));
        for name in &plan.to_unpurge {
            ret.changes.insert(name.clone(), new_old("installed", ""));
        }
    }
    if a.reinstall && !plan.to_reinstall.is_empty() {
        let names: Vec<String> = plan.to_reinstall.iter().map(|(n, v)| desired_pkg(n, v.as_deref())).collect();
        for name in &names {
            ret.changes.insert(name.clone(), new_old("installed", ""));
        }
        comment.push(format!("The following packages would be reinstalled: {}", names.join(", ")));
    }
    Ok(ret.with_result(None).with_comment(comment.join("\n")))
}

fn apply(call: &StateCall, mut ret: StateRet, a: &Args, plan: Plan, refresh: bool) -> Result<StateRet, StateError> {
    let mut to_install = plan.targets.clone();
    to_install.extend(plan.to_reinstall.clone());
    let mut pkg_ret = Map::default();
    if !to_install.is_empty() {
        let req = InstallRequest {
            targets: to_install,
            refresh,
            fromrepo: a.common.fromrepo.clone(),
            skip_verify: a.common.skip_verify,
            reinstall: !plan.to_reinstall.is_empty(),
            ignore_epoch: a.common.ignore_epoch.unwrap_or(false),
        };
        match pkg::install(call.ctx, &req) {
            Ok(changes) => pkg_ret = changes,
            Err(e) => return Ok(failed(ret.name.clone(), &e, "installing")),
        }
    }
    ret.changes.extend(pkg_ret.clone());
    if !plan.to_unpurge.is_empty() {
        ret.changes.insert("purge_desired".into(), Value::Map(pkg::unpurge(call.ctx, &plan.to_unpurge)?));
    }
    let new = match current_versions(call) {
        Ok(v) => v,
        Err(e) => return Ok(ret.error(e)),
    };
    Ok(report(ret, &plan, &new, &pkg_ret, a.common.ignore_epoch))
}

/// Salt's `_verify_install`: which desired packages are now as wanted.
fn verify(desired: &Targets, new: &Versions, ignore_epoch: Option<bool>) -> (Vec<String>, Vec<String>) {
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for (name, version) in desired {
        let have = new.get(name.split('=').next().unwrap_or(name)).cloned().unwrap_or_default();
        let good = match version.as_deref() {
            _ if have.is_empty() => false,
            None | Some("") | Some("latest") => true,
            Some(v) if v.strip_suffix('*').is_some_and(|p| have.first().is_some_and(|h| h.starts_with(p))) => true,
            Some(v) => spec::fulfills(&have, v, ignore_epoch, false),
        };
        if good {
            ok.push(name.clone())
        } else {
            failed.push(name.clone())
        }
    }
    (ok, failed)
}

fn summary(names: &[String], desired: &Targets) -> String {
    let parts: Vec<String> =
        names.iter().map(|n| desired_pkg(n, desired.get(n).cloned().flatten().as_deref())).collect();
    parts.join(", ")
}

fn counted(n: usize, what: &str) -> String {
    let (s, verb) = if n > 1 { ("s", "were") } else { ("", "was") };
    format!("{n} targeted package{s} {verb} {what}")
}

fn report(mut ret: StateRet, plan: &Plan, new: &Versions, pkg_ret: &Map, ignore_epoch: Option<bool>) -> StateRet {
    let (ok, failed) = verify(&plan.desired, new, ignore_epoch);
    let modified: Vec<String> = ok.iter().filter(|n| plan.targets.contains_key(*n)).cloned().collect();
    let not_modified: Vec<String> =
        ok.iter().filter(|n| !plan.targets.contains_key(*n) && !plan.to_reinstall.contains_key(*n)).cloned().collect();
    let failed: Vec<String> = failed.into_iter().filter(|n| plan.targets.contains_key(n)).collect();
    let mut comment = Vec::new();
    if !modified.is_empty() {
        let text = summary(&modified, &plan.desired);
        comment.push(if text.len() < 20 {
            format!("The following packages were installed/updated: {text}")
        } else {
            format!("{}.", counted(modified.len(), "installed/updated"))
        });
    }
    if !not_modified.is_empty() {
        comment.push(if not_modified.len() <= 20 {
            format!("The following packages were already installed: {}", summary(&not_modified, &plan.desired))
        } else {
            counted(not_modified.len(), "already installed")
        });
    }
    let mut result = true;
    if !failed.is_empty() {
        comment
            .insert(0, format!("The following packages failed to install/update: {}", summary(&failed, &plan.desired)));
        result = false;
    }
    for name in plan.to_reinstall.keys() {
        let pkgstr = desired_pkg(name, plan.desired.get(name).cloned().flatten().as_deref());
        if pkg_ret.contains_key(name) {
            comment.push(format!("Package {pkgstr} was reinstalled."));
        } else {
            comment.push(format!("Reinstall was not successful for package {pkgstr}."));
            result = false;
        }
    }
    ret.result = Some(result);
    ret.comment = comment.join("\n");
    ret
}
