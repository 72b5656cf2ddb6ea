//! The apt/dpkg package backend: `dpkg-query -W` for what is installed,
//! `apt-cache policy`/`show` for what the repositories offer, `apt-get
//! update|install|remove|purge` with Debian's non-interactive environment,
//! and `dpkg --set-selections` to unpurge, plus the parsers of their output.
//!
//! It runs exactly the command it is asked for and reports its output: no
//! Salt semantics (targets, changes, comments) here. The alternative root
//! (`dpkg --root`, `Dir::State::status`) exists for tests only; a minion
//! always manages the system it runs on.

use std::path::PathBuf;

use indexmap::IndexMap;

use super::{InstallOpts, PkgBackend, PkgDb, RemoveAction};
use crate::cmd::{self, RunArgs, RunResult};
use crate::{Ctx, ModuleError};

/// Salt's `DPKG_ENV_VARS`: keep apt and dpkg from asking questions.
pub const DPKG_ENV: &[(&str, &str)] = &[
    ("APT_LISTBUGS_FRONTEND", "none"),
    ("APT_LISTCHANGES_FRONTEND", "none"),
    ("DEBIAN_FRONTEND", "noninteractive"),
    ("UCF_FORCE_CONFFOLD", "1"),
];

const SHOWFORMAT: &str = "${Status} ${Package} ${Version} ${Architecture}\n";

/// apt and dpkg on the running system (or, in tests, below `root`).
#[derive(Debug, Clone, Default)]
pub struct AptBackend {
    root: Option<PathBuf>,
}

impl AptBackend {
    /// The backend for the system brine runs on.
    pub const fn system() -> Self {
        AptBackend { root: None }
    }

    /// A backend whose dpkg database lives below `root` (tests only).
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        AptBackend { root: Some(root.into()) }
    }

    fn under_root(&self, path: &str) -> PathBuf {
        match &self.root {
            Some(r) => r.join(path.trim_start_matches('/')),
            None => PathBuf::from(path),
        }
    }

    /// `-o` options pointing apt at the alternative root's dpkg database.
    fn apt_root_opts(&self, with_dpkg: bool) -> Vec<String> {
        let Some(root) = &self.root else { return Vec::new() };
        let status = self.under_root("/var/lib/dpkg/status");
        let mut opts = vec!["-o".to_string(), format!("Dir::State::status={}", status.display())];
        if with_dpkg {
            opts.extend(["-o".to_string(), format!("DPkg::Options::=--root={}", root.display())]);
        }
        opts
    }

    fn run(&self, ctx: &Ctx, argv: Vec<String>, stdin: Option<String>) -> Result<RunResult, ModuleError> {
        let mut args = RunArgs::argv(argv, ctx);
        args.env = DPKG_ENV.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        args.stdin = stdin;
        cmd::run_all(&args, ctx)
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl PkgBackend for AptBackend {
    fn query(&self, ctx: &Ctx) -> Result<PkgDb, ModuleError> {
        let mut argv = strings(&["dpkg-query", "--showformat", SHOWFORMAT, "-W"]);
        if self.root.is_some() {
            argv.push(format!("--admindir={}", self.under_root("/var/lib/dpkg").display()));
        }
        let out = self.run(ctx, argv, None)?;
        Ok(parse_dpkg_query(&out.stdout, &super::osarch(ctx)))
    }

    fn policy(
        &self,
        ctx: &Ctx,
        names: &[String],
        fromrepo: Option<&str>,
    ) -> Result<IndexMap<String, String>, ModuleError> {
        let mut argv = strings(&["apt-cache", "-q", "policy"]);
        argv.extend(names.iter().cloned());
        if let Some(repo) = fromrepo {
            argv.extend(["-o".to_string(), format!("APT::Default-Release={repo}")]);
        }
        argv.extend(self.apt_root_opts(false));
        Ok(parse_policy(&self.run(ctx, argv, None)?.stdout, names))
    }

    fn show(&self, ctx: &Ctx, specs: &[String]) -> Result<IndexMap<String, Vec<String>>, ModuleError> {
        let mut argv = strings(&["apt-cache", "show"]);
        argv.extend(specs.iter().cloned());
        argv.extend(self.apt_root_opts(false));
        Ok(parse_show(&self.run(ctx, argv, None)?.stdout))
    }

    fn lists_present(&self) -> bool {
        let lists = self.under_root("/var/lib/apt/lists");
        let Ok(entries) = std::fs::read_dir(lists) else { return false };
        entries.flatten().any(|e| e.file_name().to_string_lossy().contains("_Packages"))
    }

    fn update(&self, ctx: &Ctx) -> Result<RunResult, ModuleError> {
        let mut argv = strings(&["apt-get", "-q", "update"]);
        argv.extend(self.apt_root_opts(false));
        self.run(ctx, argv, None)
    }

    fn install(&self, ctx: &Ctx, targets: &[String], opts: &InstallOpts) -> Result<RunResult, ModuleError> {
        let mut argv = strings(&[
            "apt-get",
            "-q",
            "-y",
            "-o",
            "DPkg::Options::=--force-confold",
            "-o",
            "DPkg::Options::=--force-confdef",
        ]);
        if opts.skip_verify {
            argv.push("--allow-unauthenticated".into());
        }
        if opts.downgrade {
            argv.push("--allow-downgrades".into());
        }
        if let Some(repo) = &opts.fromrepo {
            argv.extend(["-t".to_string(), repo.clone()]);
        }
        argv.extend(self.apt_root_opts(true));
        argv.push("install".into());
        if opts.reinstall {
            argv.push("--reinstall".into());
        }
        argv.extend(targets.iter().cloned());
        self.run(ctx, argv, None)
    }

    fn remove(&self, ctx: &Ctx, action: RemoveAction, targets: &[String]) -> Result<RunResult, ModuleError> {
        let mut argv = strings(&["apt-get", "-q", "-y"]);
        argv.extend(self.apt_root_opts(true));
        argv.push(action.verb().into());
        argv.extend(targets.iter().cloned());
        self.run(ctx, argv, None)
    }

    fn unpurge(&self, ctx: &Ctx, names: &[String]) -> Result<RunResult, ModuleError> {
        let mut argv = strings(&["dpkg", "--set-selections"]);
        if let Some(root) = &self.root {
            argv.push(format!("--root={}", root.display()));
        }
        let selections: String = names.iter().map(|n| format!("{n} install\n")).collect();
        self.run(ctx, argv, Some(selections))
    }
}

/// Salt's parsing of `dpkg-query -W` lines (`install ok installed zsh 5.9-4 amd64`):
/// installed, removed (config files left) and purge-wanted-but-installed
/// packages; foreign architectures get a `:arch` suffix on amd64.
pub fn parse_dpkg_query(out: &str, osarch: &str) -> PkgDb {
    let mut db = PkgDb::default();
    for line in out.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (Some(linetype), Some(status), Some(name), Some(version), Some(arch)) =
            (cols.first(), cols.get(2), cols.get(3), cols.get(4), cols.get(5))
        else {
            continue;
        };
        let mut name = name.to_string();
        if *arch != "all" && osarch == "amd64" && osarch != *arch {
            name = format!("{name}:{arch}");
        }
        let list = if (linetype.contains("install") || linetype.contains("hold")) && status.contains("installed") {
            &mut db.installed
        } else if linetype.contains("deinstall") {
            &mut db.removed
        } else if linetype.contains("purge") && *status == "installed" {
            &mut db.purge_desired
        } else {
            continue;
        };
        list.entry(name).or_default().push(version.to_string());
    }
    for list in [&mut db.installed, &mut db.removed, &mut db.purge_desired] {
        for versions in list.values_mut() {
            versions.sort();
            versions.dedup();
        }
    }
    db
}

/// Salt's parsing of `apt-cache policy`: the candidate of each package
/// whose header is one of `names` ("" for `(none)`).
pub fn parse_policy(out: &str, names: &[String]) -> IndexMap<String, String> {
    let short: Vec<&str> = names.iter().map(|n| n.split(':').next().unwrap_or(n)).collect();
    let mut candidates = IndexMap::new();
    let mut current: Option<String> = None;
    for line in out.lines().map(str::trim) {
        if let Some(head) = line.strip_suffix(':').filter(|_| !line.starts_with("Version table")) {
            let base = head.split(':').next().unwrap_or(head);
            let wanted = names.iter().any(|n| n == head) || short.contains(&base);
            current = wanted.then(|| head.to_string());
        } else if line.starts_with("Candidate") {
            let candidate = line.split_whitespace().nth(1).filter(|c| !c.eq_ignore_ascii_case("(none)"));
            if let Some(pkg) = &current {
                candidates.insert(pkg.clone(), candidate.unwrap_or_default().to_string());
            }
        }
    }
    candidates
}

/// Salt's `list_repo_pkgs` parsing of `apt-cache show`: versions per package.
pub fn parse_show(out: &str) -> IndexMap<String, Vec<String>> {
    let mut ret: IndexMap<String, Vec<String>> = IndexMap::new();
    let mut current: Option<String> = None;
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(pkg) = line.strip_prefix("Package: ") {
            current = Some(pkg.trim().to_string());
            continue;
        }
        if let (Some(version), Some(pkg)) = (line.trim().strip_prefix("Version: "), &current) {
            ret.entry(pkg.clone()).or_default().push(version.trim().to_string());
        }
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUERY: &str = "install ok installed bash 5.2.15-2+b8 amd64\n\
deinstall ok config-files mc 3:4.8.1-2 amd64\n\
install ok installed libc6 2.36-9 i386\n\
purge ok installed oldlib 1.0 amd64\n\
install ok installed tzdata 2024a-0+deb12u1 all\n\
unknown ok not-installed ghost 1.0 amd64\n\
short line\n";

    #[test]
    fn parses_dpkg_query() {
        let db = parse_dpkg_query(QUERY, "amd64");
        assert_eq!(db.installed.get("bash"), Some(&vec!["5.2.15-2+b8".to_string()]));
        assert!(db.installed.contains_key("libc6:i386"));
        assert!(db.installed.contains_key("tzdata"));
        assert_eq!(db.removed.get("mc"), Some(&vec!["3:4.8.1-2".to_string()]));
        assert!(db.purge_desired.contains_key("oldlib"));
        assert!(!db.installed.contains_key("ghost"));
    }

    const POLICY: &str =
        "bash:\n  Installed: 5.2.15-2+b8\n  Candidate: 5.2.15-2+b13\n  Version table:\n     5.2.15-2+b13 500\n\
hello:\n  Installed: (none)\n  Candidate: 2.10-3\n\
nope:\n  Installed: (none)\n  Candidate: (none)\n";

    #[test]
    fn parses_policy_and_show() {
        let names: Vec<String> = ["bash", "hello", "nope"].iter().map(|s| s.to_string()).collect();
        let c = parse_policy(POLICY, &names);
        assert_eq!(c.get("bash").map(String::as_str), Some("5.2.15-2+b13"));
        assert_eq!(c.get("hello").map(String::as_str), Some("2.10-3"));
        assert_eq!(c.get("nope").map(String::as_str), Some(""));
        let show = "Package: hello\nVersion: 2.10-3\nArchitecture: amd64\n\nPackage: hello\nVersion: 2.10-2\n";
        assert_eq!(parse_show(show).get("hello"), Some(&vec!["2.10-3".to_string(), "2.10-2".to_string()]));
    }
}
