//! `pkg.removed` and `pkg.purged` (Salt's `_uninstall`): the installed
//! targets (at a matching version when one is given; for purge also the
//! removed ones whose configuration files remain), one `pkg.remove` or
//! `pkg.purge`, and a check of dpkg afterwards, with Salt's comments.
//!
//! Changes nothing in test mode.

use brine_modules::pkg::{self, spec, PkgDb, RemoveAction, Targets};

use super::{failed, parse_common, Common};
use crate::mods::{StateCall, StateError, StateRet};

pub fn removed(call: &StateCall) -> Result<StateRet, StateError> {
    uninstall(call, RemoveAction::Remove)
}

pub fn purged(call: &StateCall) -> Result<StateRet, StateError> {
    uninstall(call, RemoveAction::Purge)
}

fn doing(action: RemoveAction) -> &'static str {
    match action {
        RemoveAction::Remove => "removing",
        RemoveAction::Purge => "purging",
    }
}

fn uninstall(call: &StateCall, action: RemoveAction) -> Result<StateRet, StateError> {
    let c = parse_common(call);
    let ret = StateRet::new(call.arg("name").clone());
    let params = pkg::parse_targets(call.ctx, Some(&c.name), c.pkgs.as_ref(), c.version.as_deref(), c.normalize)?;
    let db = match pkg::package_db(call.ctx) {
        Ok(db) => db,
        Err(e) => return Ok(ret.error(e.to_string())),
    };
    let mut targets = match remove_targets(call, &c, &db)? {
        Ok(t) => t,
        Err(_) if action == RemoveAction::Purge => Vec::new(),
        Err(done) => return Ok(done),
    };
    if action == RemoveAction::Purge {
        targets.extend(params.keys().filter(|p| db.removed.contains_key(*p)).cloned());
    }
    targets.sort();
    let verb = format!("{}d", action.verb());
    if targets.is_empty() {
        let partial = if action == RemoveAction::Purge { " or partially installed" } else { "" };
        return Ok(ret.with_comment(format!("None of the targeted packages are installed{partial}")));
    }
    if call.test {
        let mut ret = ret.with_result(None);
        for t in &targets {
            ret.changes.insert(t.clone(), super::new_old(&verb, ""));
        }
        return Ok(ret.with_comment(format!("The following packages will be {verb}: {}.", targets.join(", "))));
    }
    apply(call, ret, action, &params, &targets)
}

/// Salt's `_find_remove_targets`: the installed packages to remove, or the
/// final return when there are none (or `pkgs` is badly formed).
fn remove_targets(call: &StateCall, c: &Common, db: &PkgDb) -> Result<Result<Vec<String>, StateRet>, StateError> {
    let name = call.arg("name").clone();
    let to_remove: Targets = match c.pkgs.as_ref().filter(|p| p.truthy()) {
        Some(pkgs) => {
            let norm = |n: &str| if c.normalize { pkg::normalize_name(call.ctx, n) } else { n.to_string() };
            let t = spec::repack(pkgs, &norm)?;
            if t.is_empty() {
                return Ok(Err(StateRet::new(name).error("Invalidly formatted pkgs parameter. See minion log.")));
            }
            t
        }
        None => [(pkg::normalize_name(call.ctx, &c.name), c.version.clone())].into_iter().collect(),
    };
    let current = db.current();
    let mut version_spec = false;
    let mut targets = Vec::new();
    for (pkgname, version) in &to_remove {
        let Some(have) = current.get(pkgname).filter(|v| !v.is_empty()) else { continue };
        match version.as_deref().filter(|v| !v.is_empty()) {
            None => targets.push(pkgname.clone()),
            Some(v) => {
                version_spec = true;
                if spec::fulfills(have, v, c.ignore_epoch, false) {
                    targets.push(pkgname.clone());
                }
            }
        }
    }
    if targets.is_empty() {
        let matching = if version_spec { " (matching specified versions)" } else { "" };
        return Ok(Err(
            StateRet::new(name).with_comment(format!("All specified packages{matching} are already absent"))
        ));
    }
    Ok(Ok(targets))
}

fn apply(
    call: &StateCall,
    mut ret: StateRet,
    action: RemoveAction,
    params: &Targets,
    targets: &[String],
) -> Result<StateRet, StateError> {
    let changes = match pkg::uninstall(call.ctx, action, params) {
        Ok(ch) => ch,
        Err(e) => return Ok(failed(ret.name.clone(), &e, doing(action))),
    };
    let db = match pkg::package_db(call.ctx) {
        Ok(db) => db,
        Err(e) => return Ok(ret.error(e.to_string())),
    };
    let current = db.current();
    let mut still: Vec<String> = params.keys().filter(|p| current.contains_key(*p)).cloned().collect();
    if action == RemoveAction::Purge {
        still.extend(params.keys().filter(|p| db.removed.contains_key(*p)).cloned());
    }
    still.sort();
    ret.changes = changes;
    let verb = format!("{}d", action.verb());
    if !still.is_empty() {
        return Ok(ret.error(format!("The following packages failed to {}: {}.", action.verb(), still.join(", "))));
    }
    let mut not_installed: Vec<String> = params.keys().filter(|p| !targets.contains(*p)).cloned().collect();
    not_installed.sort();
    ret.comment = if not_installed.is_empty() {
        format!("All targeted packages were {verb}.")
    } else {
        format!(
            "The following packages were not installed: {} The following packages were {verb}: {}.",
            not_installed.join(", "),
            targets.join(", ")
        )
    };
    Ok(ret.with_result(Some(true)))
}
