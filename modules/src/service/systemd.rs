//! systemd as a service backend (Salt's `systemd_service`): `systemctl
//! start|stop|restart|reload|force-reload|enable|disable NAME.service`,
//! `is-active`, `is-enabled`, `status` for availability and
//! `list-unit-files` for the service list.
//!
//! It only runs systemctl; it must not edit unit files.

use super::{run, Action, ServiceBackend};
use crate::{Ctx, ModuleError};

/// Unit types systemd knows (Salt's `VALID_UNIT_TYPES`).
const UNIT_TYPES: [&str; 10] =
    ["service", "socket", "device", "mount", "automount", "swap", "target", "path", "timer", "scope"];

/// systemd on the running system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Systemd;

/// Salt's `_canonical_unit_name`: `nginx` is `nginx.service`.
fn unit(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, kind)) if UNIT_TYPES.contains(&kind) => name.to_string(),
        _ => format!("{name}.service"),
    }
}

fn systemctl(args: &[&str], name: Option<&str>) -> Vec<String> {
    let mut argv = vec!["systemctl".to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    argv.extend(name.map(unit));
    argv
}

/// Salt's `_strip_scope`: the error without `systemd-run` scope lines.
fn strip_scope(msg: &str) -> String {
    msg.lines().filter(|l| !l.ends_with(".scope")).collect::<Vec<_>>().join("\n").trim().to_string()
}

/// The units `list-unit-files` shows in `state` (any state when None).
fn unit_files(ctx: &Ctx, state: Option<&str>) -> Result<Vec<String>, ModuleError> {
    let out = run(ctx, systemctl(&["--full", "--no-legend", "--no-pager", "list-unit-files"], None))?;
    let mut names: Vec<String> = out
        .stdout
        .lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let (full, unit_state) = (cols.next()?, cols.next()?);
            if state.is_some_and(|s| s != unit_state) {
                return None;
            }
            let (base, kind) = full.rsplit_once('.')?;
            UNIT_TYPES.contains(&kind).then(|| if kind == "service" { base.to_string() } else { full.to_string() })
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

impl ServiceBackend for Systemd {
    fn control(&self, ctx: &Ctx, name: &str, action: Action) -> Result<bool, ModuleError> {
        let out = run(ctx, systemctl(&[action.verb()], Some(name)))?;
        if out.retcode == 0 {
            return Ok(true);
        }
        match action {
            Action::Stop => Ok(false),
            _ => Err(ModuleError::Execution(strip_scope(&out.stderr))),
        }
    }

    fn status(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
        Ok(run(ctx, systemctl(&["is-active"], Some(name)))?.retcode == 0)
    }

    fn set_enabled(&self, ctx: &Ctx, name: &str, enable: bool) -> Result<bool, ModuleError> {
        let out = run(ctx, systemctl(&[if enable { "enable" } else { "disable" }], Some(name)))?;
        if out.retcode != 0 && enable {
            return Err(ModuleError::Execution(strip_scope(&out.stderr)));
        }
        Ok(out.retcode == 0)
    }

    fn enabled(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
        let out = run(ctx, systemctl(&["is-enabled"], Some(name)))?;
        Ok(out.retcode == 0 && out.stdout != "alias")
    }

    fn available(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
        let out = run(ctx, systemctl(&["status", "-n", "0"], Some(name)))?;
        Ok((0..4).contains(&out.retcode))
    }

    fn get_all(&self, ctx: &Ctx) -> Result<Vec<String>, ModuleError> {
        unit_files(ctx, None)
    }

    fn get_enabled(&self, ctx: &Ctx) -> Result<Vec<String>, ModuleError> {
        unit_files(ctx, Some("enabled"))
    }
}
