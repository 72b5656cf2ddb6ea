//! Debian's sysvinit as a service backend (Salt's `debian_service`):
//! `/etc/init.d/NAME {start,stop,restart,reload,force-reload,status}`,
//! `update-rc.d NAME defaults|enable|disable`, and "enabled" meaning an
//! `S??NAME` link in `/etc/rc{S,2,3,4,5}.d`.
//!
//! Everything is found below a root (`/` on a minion; a temporary directory
//! holding fake init scripts and a fake `update-rc.d` in tests), so a test
//! never touches the machine's services.

use std::path::{Path, PathBuf};

use super::{run, Action, ServiceBackend};
use crate::{Ctx, ModuleError};

/// Runlevel directories whose start links count as enabled.
const RC_DIRS: [&str; 5] = ["rcS.d", "rc2.d", "rc3.d", "rc4.d", "rc5.d"];

/// sysvinit below a root.
#[derive(Debug, Clone, Default)]
pub struct SysvInit {
    root: Option<PathBuf>,
}

impl SysvInit {
    /// The init scripts of the running system.
    pub const fn system() -> Self {
        SysvInit { root: None }
    }

    /// Init scripts, rc directories and `update-rc.d` below `root`.
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        SysvInit { root: Some(root.into()) }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.as_deref().unwrap_or(Path::new("/")).join(rel)
    }

    fn script(&self, name: &str) -> Option<PathBuf> {
        let valid = !name.is_empty() && !name.contains('/') && name != "." && name != "..";
        let path = self.path("etc/init.d").join(name);
        (valid && path.is_file()).then_some(path)
    }

    fn run_script(&self, ctx: &Ctx, name: &str, verb: &str) -> Result<bool, ModuleError> {
        let Some(script) = self.script(name) else { return Ok(false) };
        let out = run(ctx, vec![script.to_string_lossy().into_owned(), verb.to_string()])?;
        Ok(out.retcode == 0)
    }

    /// Service names with a link of `kind` (`S` or `K`) in the rc directories.
    fn linked(&self, kind: char) -> Vec<String> {
        let mut out = Vec::new();
        for dir in RC_DIRS {
            let Ok(entries) = std::fs::read_dir(self.path("etc").join(dir)) else { continue };
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if let Some(name) =
                    file.strip_prefix(kind).map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
                {
                    if !name.is_empty() {
                        out.push(name.to_string());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

impl ServiceBackend for SysvInit {
    fn control(&self, ctx: &Ctx, name: &str, action: Action) -> Result<bool, ModuleError> {
        self.run_script(ctx, name, action.verb())
    }

    fn status(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
        self.run_script(ctx, name, "status")
    }

    fn set_enabled(&self, ctx: &Ctx, name: &str, enable: bool) -> Result<bool, ModuleError> {
        if self.script(name).is_none() {
            return Ok(false);
        }
        let has_links = self.linked('S').iter().chain(self.linked('K').iter()).any(|s| s == name);
        let verb = match (enable, has_links) {
            (true, false) => "defaults",
            (true, true) => "enable",
            (false, _) => "disable",
        };
        let tool = self.path("usr/sbin/update-rc.d").to_string_lossy().into_owned();
        Ok(run(ctx, vec![tool, name.to_string(), verb.to_string()])?.retcode == 0)
    }

    fn enabled(&self, _: &Ctx, name: &str) -> Result<bool, ModuleError> {
        Ok(self.linked('S').iter().any(|s| s == name))
    }

    fn available(&self, ctx: &Ctx, name: &str) -> Result<bool, ModuleError> {
        Ok(self.get_all(ctx)?.iter().any(|s| s == name))
    }

    fn get_all(&self, _: &Ctx) -> Result<Vec<String>, ModuleError> {
        let mut all: Vec<String> = std::fs::read_dir(self.path("etc/init.d"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n != "README")
                    .collect()
            })
            .unwrap_or_default();
        all.extend(self.linked('S'));
        all.sort();
        all.dedup();
        Ok(all)
    }

    fn get_enabled(&self, _: &Ctx) -> Result<Vec<String>, ModuleError> {
        Ok(self.linked('S'))
    }
}
