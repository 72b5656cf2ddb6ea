//! The `pip` state module: installed (`name`, `pkgs`, `requirements`,
//! `editable`, `bin_env`, `upgrade`, ...) and removed, with Salt's
//! comments, changes (`{"pkg==1.0": "Installed"}`) and test-mode
//! predictions. Debian 12 refuses the system pip, so states normally name a
//! virtualenv with `bin_env`.
//!
//! pip is reached only through the `pip.*` execution modules; nothing is
//! installed or removed in test mode.

#[cfg(test)]
mod tests;

use brine_common::{Map, Value};
use brine_modules::pip::pep440::{self, parse_requirement};
use brine_modules::ModuleError;
use indexmap::IndexMap;

use super::parse::{flag, opt_str};
use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "pip",
    functions: &[
        StateFunction { name: "installed", required: &["name"], optional: &[], kwargs: true, run: installed },
        StateFunction {
            name: "removed",
            required: &["name"],
            optional: &["requirements", "bin_env", "log", "proxy", "timeout", "user", "cwd", "use_vt"],
            kwargs: false,
            run: removed,
        },
    ],
};

/// `pip.install` parameters the state passes on when given.
const PASSED_ON: &[&str] = &[
    "requirements",
    "use_wheel",
    "no_use_wheel",
    "log",
    "proxy",
    "timeout",
    "editable",
    "find_links",
    "index_url",
    "extra_index_url",
    "no_index",
    "mirrors",
    "build",
    "target",
    "download",
    "download_cache",
    "source",
    "upgrade",
    "force_reinstall",
    "ignore_installed",
    "exists_action",
    "no_deps",
    "no_install",
    "no_download",
    "install_options",
    "global_options",
    "user",
    "cwd",
    "pre_releases",
    "cert",
    "env_vars",
    "use_vt",
    "trusted_host",
    "no_cache_dir",
    "cache_dir",
    "no_binary",
    "extra_args",
];

/// Typed arguments of `pip.installed`.
struct Args {
    name: String,
    /// Requirement strings (`pkgs`, else `name`).
    pkgs: Vec<String>,
    requirements: Option<String>,
    editable: Option<String>,
    upgrade: bool,
    force_reinstall: bool,
    ignore_installed: bool,
    user: Option<String>,
    env: Map,
}

fn parse(call: &StateCall) -> Result<Args, String> {
    let args = call.args;
    let pkgs = match args.get("pkgs") {
        Some(Value::List(items)) if !items.is_empty() => items.iter().map(requirement_text).collect(),
        Some(v) if v.truthy() => return Err("pkgs argument must be formatted as a list".into()),
        _ => vec![call.name()],
    };
    let bin_env = opt_str(args, "bin_env")
        .filter(|b| !b.is_empty())
        .or_else(|| opt_str(args, "pip_bin").filter(|b| !b.is_empty()));
    let mut env = Map::default();
    for key in ["user", "cwd", "env_vars"] {
        env.insert(key.into(), args.get(key).cloned().unwrap_or(Value::Null));
    }
    env.insert("bin_env".into(), bin_env.clone().map(Value::Str).unwrap_or(Value::Null));
    Ok(Args {
        name: call.name(),
        pkgs,
        requirements: opt_str(args, "requirements").filter(|r| !r.is_empty()),
        editable: opt_str(args, "editable").filter(|r| !r.is_empty()),
        upgrade: flag(args, "upgrade", false),
        force_reinstall: flag(args, "force_reinstall", false),
        ignore_installed: flag(args, "ignore_installed", false),
        user: opt_str(args, "user").filter(|u| !u.is_empty()),
        env,
    })
}

/// A `pkgs` item: a string, or `{name: spec}` as "name spec".
fn requirement_text(v: &Value) -> String {
    match v {
        Value::Map(m) => m.iter().map(|(k, v)| format!("{k} {}", v.py_str())).collect::<Vec<_>>().join(" "),
        other => other.py_str(),
    }
}

/// A package the state checks: prefix (project name, "" for URLs), the
/// requirement as written, and its version specifiers.
struct Detail {
    prefix: String,
    text: String,
    specs: Vec<(String, String)>,
}

fn module(call: &StateCall, fun: &str, args: &[Value], kwargs: &Map) -> Result<Value, ModuleError> {
    brine_modules::call(fun, args, kwargs, call.ctx)
}

fn pip_list(call: &StateCall, a: &Args, prefix: Option<&str>) -> Result<IndexMap<String, String>, ModuleError> {
    let args: Vec<Value> = prefix.map(Value::str).into_iter().collect();
    let listed = module(call, "pip.list", &args, &a.env)?;
    Ok(listed.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.py_str())).collect()).unwrap_or_default())
}

/// Salt's `CaseInsensitiveDict` lookup.
fn lookup<'m>(list: &'m IndexMap<String, String>, key: &str) -> Option<&'m String> {
    list.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

fn installed(call: &StateCall) -> Result<StateRet, StateError> {
    let a = match parse(call) {
        Ok(a) => a,
        Err(msg) => return Ok(StateRet::new(call.arg("name").clone()).error(msg)),
    };
    let ret = StateRet::new(a.pkgs.join(";")).with_result(None);
    let mut version_args = Map::default();
    version_args.insert("bin_env".into(), a.env.get("bin_env").cloned().unwrap_or(Value::Null));
    let pip_version = match module(call, "pip.version", &[], &version_args) {
        Ok(v) => v.py_str(),
        Err(e) => return Ok(ret.error(format!("Error installing '{}': {e}", a.name))),
    };
    if let Some(msg) = unsupported_options(call, &pip_version) {
        return Ok(ret.error(msg));
    }
    let details = match details(&a) {
        Ok(d) => d,
        Err(msg) => return Ok(ret.error(msg)),
    };
    if let Some(user) = a.user.as_deref().filter(|u| brine_modules::sys::user_by_name(u).is_none()) {
        return Ok(ret.error(format!("User {user} does not exist")));
    }
    if a.requirements.is_some() || a.editable.is_some() {
        if call.test {
            return Ok(ret.with_comment(requirements_test_comment(&a)));
        }
        return install(call, ret, &a, Vec::new(), Vec::new());
    }
    let (targets, already) = match plan(call, &a, &details)? {
        Plan::Install(targets, already) => (targets, already),
        Plan::Done(comment) => return Ok(ret.with_result(Some(true)).with_comment(comment)),
    };
    if call.test {
        return Ok(ret.with_comment(test_comment(&details, &targets)));
    }
    install(call, ret, &a, targets, already)
}

/// Salt's pip-version checks of `use_wheel`, `no_use_wheel` and `no_binary`.
fn unsupported_options(call: &StateCall, pip_version: &str) -> Option<String> {
    let below = |v: &str| pep440::compare(pip_version, v).is_some_and(|o| o.is_lt());
    let above = |v: &str| pep440::compare(pip_version, v).is_some_and(|o| o.is_gt());
    for key in ["use_wheel", "no_use_wheel"] {
        if flag(call.args, key, false) && (below("1.4") || above("9.0.3")) {
            return Some(format!(
                "The '{key}' option is only supported in pip between 1.4 and 9.0.3. The version of pip detected was {pip_version}."
            ));
        }
    }
    if call.args.get("no_binary").is_some_and(Value::truthy) && below("7.0.0") {
        return Some(format!(
            "The 'no_binary' option is only supported in pip 7.0.0 and newer. The version of pip detected was {pip_version}."
        ));
    }
    None
}

/// Salt's `_check_pkg_version_format` on every package (not for requirement files).
fn details(a: &Args) -> Result<Vec<Detail>, String> {
    if a.requirements.is_some() || a.editable.is_some() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for pkg in &a.pkgs {
        match parse_requirement(pkg) {
            Ok(r) => out.push(Detail { prefix: r.name, text: pkg.clone(), specs: r.specs }),
            Err(e) => errors.push(e.0),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

fn requirements_test_comment(a: &Args) -> String {
    let mut comments = Vec::new();
    if let Some(r) = &a.requirements {
        comments.push(format!("Requirements file '{r}' will be processed."));
    }
    if let Some(e) = &a.editable {
        comments
            .push(format!("Package will be installed in editable mode (i.e. setuptools \"develop mode\") from {e}."));
    }
    comments.join(" ")
}

enum Plan {
    /// (prefix, requirement) to install, and "already installed" comments.
    Install(Vec<(String, String)>, Vec<String>),
    Done(String),
}

/// Salt's `_check_if_installed` for each package, against one `pip.list`.
fn plan(call: &StateCall, a: &Args, details: &[Detail]) -> Result<Plan, StateError> {
    let listed = pip_list(call, a, None)?;
    let mut targets = Vec::new();
    let mut already = Vec::new();
    for d in details {
        let have = (!d.prefix.is_empty() && !a.ignore_installed).then(|| lookup(&listed, &d.prefix)).flatten();
        let satisfied = match have {
            Some(v) if !a.force_reinstall && !a.upgrade => d.specs.is_empty() || pep440::fulfills(v, &d.specs),
            _ => false,
        };
        if satisfied {
            already.push(format!("Python package {} was already installed", d.text));
        } else {
            targets.push((d.prefix.clone(), d.text.replace(',', ";")));
        }
    }
    if !targets.is_empty() {
        return Ok(Plan::Install(targets, already));
    }
    let last =
        format!("All specified packages are already installed{}", if a.upgrade { " and up-to-date" } else { "" });
    Ok(Plan::Done(join_after(&already, last)))
}

/// `lines` joined with newlines, then `last` on its own line.
fn join_after(lines: &[String], last: String) -> String {
    if lines.is_empty() {
        last
    } else {
        format!("{}\n{last}", lines.join("\n"))
    }
}

fn test_comment(details: &[Detail], targets: &[(String, String)]) -> String {
    if details.len() > 1 {
        let all: Vec<&str> = details.iter().map(|d| d.text.as_str()).collect();
        return format!("Python package(s) set to be installed:\n{}", all.join("\n"));
    }
    let first = targets.first().map(|(_, t)| t.replace(';', ",")).unwrap_or_default();
    format!("Python package {first} is set to be installed")
}

fn install_kwargs(call: &StateCall, a: &Args, targets: &[(String, String)]) -> Map {
    let mut kw = Map::default();
    let names: Vec<&str> = targets.iter().map(|(_, t)| t.as_str()).collect();
    kw.insert("pkgs".into(), Value::Str(names.join(",")));
    kw.insert("bin_env".into(), a.env.get("bin_env").cloned().unwrap_or(Value::Null));
    for key in PASSED_ON {
        if let Some(v) = call.args.get(*key) {
            kw.insert((*key).to_string(), v.clone());
        }
    }
    kw.insert("saltenv".into(), Value::str(call.saltenv));
    kw.insert("disable_version_check".into(), Value::Bool(true));
    kw
}

fn install(
    call: &StateCall,
    mut ret: StateRet,
    a: &Args,
    targets: Vec<(String, String)>,
    already: Vec<String>,
) -> Result<StateRet, StateError> {
    let out = match module(call, "pip.install", &[], &install_kwargs(call, a, &targets))? {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    if out.is_empty() {
        return Ok(ret.error("Could not install package"));
    }
    let stdout = out.get("stdout").map(Value::py_str).unwrap_or_default();
    if out.get("retcode").and_then(Value::as_i64).unwrap_or(1) != 0 {
        let error = match out.get("stderr") {
            Some(stderr) if out.contains_key("stdout") => format!("Error: {stdout} {}", stderr.py_str()),
            _ => format!("Error: {}", out.get("comment").map(Value::py_str).unwrap_or_default()),
        };
        return Ok(ret.error(install_error(a, &targets, &already, error)));
    }
    ret.result = Some(true);
    if a.requirements.is_some() || a.editable.is_some() {
        ret.comment = requirements_done(&mut ret.changes, a, &stdout);
        return Ok(ret);
    }
    let mut missing = Vec::new();
    let satisfied = already_satisfied(&stdout);
    for (prefix, text) in &targets {
        if prefix.is_empty() {
            ret.changes.insert(format!("{text}==???"), Value::str("Installed"));
            continue;
        }
        let found = pip_list(call, a, Some(prefix))?;
        if found.is_empty() {
            let last = a.pkgs.last().cloned().unwrap_or_default();
            missing.push(format!(
                "There was no error installing package '{last}' although it does not show when calling 'pip.freeze'."
            ));
        } else if let Some(ver) = lookup(&found, prefix).filter(|_| !satisfied.contains(prefix)) {
            ret.changes.insert(format!("{prefix}=={ver}"), Value::str("Installed"));
        }
    }
    let done =
        if missing.is_empty() { "All packages were successfully installed".to_string() } else { missing.join("\n") };
    ret.comment = join_after(&already, done);
    Ok(ret)
}

fn install_error(a: &Args, targets: &[(String, String)], already: &[String], error: String) -> String {
    if a.requirements.is_some() || a.editable.is_some() {
        let mut comments = Vec::new();
        if let Some(r) = &a.requirements {
            comments.push(format!("Unable to process requirements file \"{r}\""));
        }
        if let Some(e) = &a.editable {
            comments.push(format!("Unable to install from VCS checkout {e}."));
        }
        comments.push(error);
        return comments.join(" ");
    }
    let names: Vec<&str> = targets.iter().map(|(_, t)| t.as_str()).collect();
    join_after(already, format!("Failed to install packages: {}. {error}", names.join(", ")))
}

/// Packages pip reported as "Requirement already satisfied", normalised.
fn already_satisfied(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix("Requirement already satisfied: ")
                .or_else(|| l.strip_prefix("Requirement already up-to-date: "))
        })
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|spec| brine_modules::pip::normalize(spec.split(['=', '!', '<', '>', '~', '@']).next().unwrap_or(spec)))
        .collect()
}

const NO_CHANGE: [&str; 7] = [
    "Requirement already satisfied",
    "Requirement already up-to-date",
    "Requirement not upgraded",
    "Collecting",
    "Cloning",
    "Cleaning up...",
    "Looking in indexes",
];

fn requirements_done(changes: &mut Map, a: &Args, stdout: &str) -> String {
    let mut comments = Vec::new();
    if let Some(r) = &a.requirements {
        if stdout.split('\n').any(|l| !NO_CHANGE.iter().any(|p| l.trim().starts_with(p))) {
            changes.insert("requirements".into(), Value::Bool(true));
            comments.push(format!("Successfully processed requirements file {r}."));
        } else {
            comments.push("Requirements were already installed.".to_string());
        }
    }
    if let Some(e) = &a.editable {
        comments.push(format!("Package successfully installed from VCS checkout {e}."));
        changes.insert("editable".into(), Value::Bool(true));
    }
    comments.join(" ")
}

fn removed(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let ret = StateRet::new(call.arg("name").clone()).with_result(None);
    let mut env = Map::default();
    for key in ["bin_env", "user", "cwd"] {
        env.insert(key.into(), call.args.get(key).cloned().unwrap_or(Value::Null));
    }
    let listed = match module(call, "pip.list", &[], &env) {
        Ok(v) => v,
        Err(e) => return Ok(ret.error(format!("Error uninstalling '{name}': {e}"))),
    };
    if !listed.as_map().is_some_and(|m| m.contains_key(&name)) {
        return Ok(ret.with_result(Some(true)).with_comment("Package is not installed."));
    }
    if call.test {
        return Ok(ret.with_comment(format!("Package {name} is set to be removed")));
    }
    let mut kw = env;
    kw.insert("pkgs".into(), Value::str(&name));
    for key in ["requirements", "log", "proxy", "timeout", "use_vt"] {
        if let Some(v) = call.args.get(key) {
            kw.insert(key.into(), v.clone());
        }
    }
    let out = module(call, "pip.uninstall", &[], &kw)?;
    if out.get("retcode").and_then(Value::as_i64) != Some(0) {
        return Ok(ret.error("Could not remove package."));
    }
    let mut ret = ret.with_result(Some(true)).with_comment("Package was successfully removed.");
    ret.changes.insert(name, Value::str("Removed"));
    Ok(ret)
}
