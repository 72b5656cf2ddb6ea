//! `pkg.latest`: the packages whose candidate is newer than what is
//! installed (or that are missing) installed or upgraded in one
//! `pkg.install`, with Salt's comments and test-mode prediction.
//!
//! Refreshes the package lists only when asked and not in test mode.

use brine_common::{Map, Value};
use brine_modules::pkg::{self, spec, InstallRequest, LatestOpts, Targets};
use indexmap::IndexMap;

use super::{desired_pkg, empty_pkgs, new_old, parse_common, Common};
use crate::mods::{StateCall, StateError, StateRet};

/// Package -> version it would be brought to.
type Upgrades = IndexMap<String, String>;

pub fn latest(call: &StateCall) -> Result<StateRet, StateError> {
    let c = parse_common(call);
    let ret = StateRet::new(call.arg("name").clone());
    if call.args.get("sources").is_some_and(Value::truthy) {
        return Ok(ret.error("The \"sources\" parameter is not supported."));
    }
    let names = match wanted(call, &c)? {
        Wanted::Names(n) => n,
        Wanted::Nothing => return Ok(ret.with_comment("No packages to install provided")),
        Wanted::Invalid => return Ok(ret.error("Invalidly formatted \"pkgs\" parameter. See minion log.")),
    };
    let opts = LatestOpts { refresh: c.refresh && !call.test, fromrepo: c.fromrepo.clone(), ..LatestOpts::default() };
    let avail = match pkg::latest_versions(call.ctx, &names, &opts) {
        Ok(a) => a,
        Err(e) => {
            return Ok(ret.error(format!(
                "An error was encountered while checking the newest available version of package(s): {e}"
            )))
        }
    };
    let current = match pkg::package_db(call.ctx) {
        Ok(db) => pkg::stringify(&db.current()),
        Err(e) => return Ok(ret.error(e.to_string())),
    };
    let (targets, problems) = plan(&names, &avail, &current);
    if !problems.is_empty() {
        return Ok(ret.error(problems.join(" ")));
    }
    if targets.is_empty() {
        return Ok(ret.with_comment(up_to_date_comment(&names)));
    }
    let up_to_date: Vec<String> =
        if listed(&c) { names.iter().filter(|n| !targets.contains_key(*n)).cloned().collect() } else { Vec::new() };
    if call.test {
        return predict(call, ret, &targets, &up_to_date, &current);
    }
    apply(call, ret, &c, &targets, &up_to_date)
}

enum Wanted {
    Names(Vec<String>),
    Nothing,
    Invalid,
}

fn listed(c: &Common) -> bool {
    c.pkgs.as_ref().is_some_and(Value::truthy)
}

fn wanted(call: &StateCall, c: &Common) -> Result<Wanted, StateError> {
    if listed(c) {
        let pkgs = c.pkgs.clone().unwrap_or(Value::Null);
        let repacked = spec::repack(&pkgs, &|n: &str| pkg::normalize_name(call.ctx, n))?;
        return Ok(if repacked.is_empty() {
            Wanted::Invalid
        } else {
            Wanted::Names(repacked.keys().cloned().collect())
        });
    }
    if empty_pkgs(&c.pkgs) {
        return Ok(Wanted::Nothing);
    }
    Ok(Wanted::Names(vec![c.name.clone()]))
}

/// The upgrades, and Salt's "No information found" problems.
fn plan(
    names: &[String],
    avail: &IndexMap<String, String>,
    current: &IndexMap<String, String>,
) -> (Upgrades, Vec<String>) {
    let mut targets = Upgrades::new();
    let mut problems = Vec::new();
    for name in names {
        match avail.get(name).filter(|v| !v.is_empty()) {
            Some(v) => {
                targets.insert(name.clone(), v.clone());
            }
            None if current.get(name).is_none_or(String::is_empty) => {
                problems.push(format!("No information found for '{name}'."));
            }
            None => {}
        }
    }
    (targets, problems)
}

fn up_to_date_comment(names: &[String]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort();
    match names.len() {
        n if n > 10 => format!("All {n} packages are up-to-date."),
        n if n > 1 => format!("All packages are up-to-date ({}).", sorted.join(", ")),
        _ => format!("Package {} is already up-to-date", names.first().map_or("", String::as_str)),
    }
}

fn sorted_keys(targets: &Upgrades) -> Vec<String> {
    let mut keys: Vec<String> = targets.keys().cloned().collect();
    keys.sort();
    keys
}

fn predict(
    call: &StateCall,
    mut ret: StateRet,
    targets: &Upgrades,
    up_to_date: &[String],
    current: &IndexMap<String, String>,
) -> Result<StateRet, StateError> {
    let mut comments =
        vec![format!("The following packages would be installed/upgraded: {}", sorted_keys(targets).join(", "))];
    if !up_to_date.is_empty() {
        let mut sorted = up_to_date.to_vec();
        sorted.sort();
        comments.push(if sorted.len() <= 10 {
            let shown: Vec<String> =
                sorted.iter().map(|n| format!("{n} ({})", current.get(n).map_or("", String::as_str))).collect();
            format!("The following packages are already up-to-date: {}", shown.join(", "))
        } else {
            format!("{} packages are already up-to-date", sorted.len())
        });
    }
    let specs: Vec<String> = targets.iter().map(|(n, v)| desired_pkg(n, Some(v))).collect();
    let repo = pkg::repo_versions(call.ctx, &specs)?;
    for name in targets.keys() {
        let new = repo.get(name).and_then(|v| v.first()).map_or("installed", String::as_str);
        ret.changes.insert(name.clone(), new_old(new, current.get(name).map_or("", String::as_str)));
    }
    Ok(ret.with_result(None).with_comment(comments.join("\n")))
}

fn apply(
    call: &StateCall,
    mut ret: StateRet,
    c: &Common,
    targets: &Upgrades,
    up_to_date: &[String],
) -> Result<StateRet, StateError> {
    let req = InstallRequest {
        targets: targets.keys().map(|n| (n.clone(), None)).collect::<Targets>(),
        refresh: false,
        fromrepo: c.fromrepo.clone(),
        skip_verify: c.skip_verify,
        ..InstallRequest::default()
    };
    let changes = match pkg::install(call.ctx, &req) {
        Ok(ch) => ch,
        Err(e) => return Ok(ret.error(format!("An error was encountered while installing package(s): {e}"))),
    };
    let comment =
        if changes.is_empty() { nothing_changed(targets, up_to_date) } else { changed(targets, &changes, up_to_date) };
    ret.result = Some(comment.1);
    ret.comment = comment.0;
    ret.changes = changes;
    Ok(ret)
}

fn up_to_date_suffix(up_to_date: &[String], none_changed: bool) -> Option<String> {
    if up_to_date.is_empty() {
        return None;
    }
    let mut sorted = up_to_date.to_vec();
    sorted.sort();
    Some(match (sorted.len() <= 10, none_changed) {
        (true, _) => format!("The following packages were already up-to-date: {}", sorted.join(", ")),
        (false, false) => format!("{} packages were already up-to-date ", sorted.len()),
        (false, true) => format!("{} packages were already up-to-date", sorted.len()),
    })
}

/// Comment and result when `pkg.install` reported changes.
fn changed(targets: &Upgrades, changes: &Map, up_to_date: &[String]) -> (String, bool) {
    let upgraded = |name: &str, want: &str| match changes.get(name) {
        Some(Value::Map(m)) => match m.get("new") {
            Some(Value::Null) | None => true,
            Some(new) => want == "latest" || new.py_str().split(',').any(|v| v == want),
        },
        Some(v) => v.truthy(),
        None => false,
    };
    let mut failed: Vec<String> = targets.iter().filter(|(n, v)| !upgraded(n, v)).map(|(n, _)| n.clone()).collect();
    let mut ok: Vec<String> = targets.keys().filter(|n| !failed.contains(*n)).cloned().collect();
    failed.sort();
    ok.sort();
    let mut comments = Vec::new();
    if !failed.is_empty() {
        comments.push(format!("The following packages failed to update: {}", failed.join(", ")));
    }
    if !ok.is_empty() {
        comments.push(format!("The following packages were successfully installed/upgraded: {}", ok.join(", ")));
    }
    comments.extend(up_to_date_suffix(up_to_date, false));
    (comments.join(" "), failed.is_empty())
}

/// Comment when `pkg.install` changed nothing (result False).
fn nothing_changed(targets: &Upgrades, up_to_date: &[String]) -> (String, bool) {
    let keys = sorted_keys(targets);
    let mut comment = match keys.len() {
        n if n > 10 => format!("{n} targeted packages failed to update. See debug log for details."),
        n if n > 1 => format!(
            "The following targeted packages failed to update. See debug log for details: ({}).",
            keys.join(", ")
        ),
        _ => format!("Package {} failed to update.", keys.first().map_or("", String::as_str)),
    };
    if let Some(suffix) = up_to_date_suffix(up_to_date, true) {
        comment.push_str(if up_to_date.len() <= 10 { " " } else { "" });
        comment.push_str(&suffix);
    }
    (comment, false)
}
