//! Tests of the `pkg` module: the apt backend on recorded dpkg/apt output
//! (argv, environment, parsing, one `dpkg-query` per run), the real
//! `dpkg-query` over a crafted database below a temporary root, and, only
//! with `BRINE_PKG_TESTS=1`, a real install and removal of `sl`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::*;
use crate::testing::{output, Recorded};
use crate::{call, Backends, SystemRunner};

const BEFORE: &str = "install ok installed bash 5.2.15-2+b8 amd64\ndeinstall ok config-files mc 3:4.8.1-2 amd64\n";
const AFTER: &str =
    "install ok installed bash 5.2.15-2+b8 amd64\ndeinstall ok config-files mc 3:4.8.1-2 amd64\ninstall ok installed hello 2.10-3 amd64\n";

/// A fake system where `apt-get install hello` installs hello.
fn apt_system(fail_install: bool) -> Recorded {
    let installed = Arc::new(AtomicBool::new(false));
    Recorded::new(move |argv| {
        let words: Vec<&str> = argv.iter().map(String::as_str).collect();
        match words.first().copied() {
            Some("dpkg-query") => output(0, if installed.load(Ordering::SeqCst) { AFTER } else { BEFORE }, ""),
            Some("apt-cache") if words.contains(&"policy") => output(
                0,
                "hello:\n  Installed: (none)\n  Candidate: 2.10-3\nbash:\n  Installed: 5.2.15-2+b8\n  Candidate: 5.2.15-2+b13\n",
                "",
            ),
            Some("apt-get") if words.contains(&"install") && fail_install => {
                output(100, "", "E: Unable to locate package nosuchpkg")
            }
            Some("apt-get") if words.contains(&"install") => {
                installed.store(true, Ordering::SeqCst);
                output(0, "Setting up hello (2.10-3) ...", "")
            }
            Some("apt-get") if words.contains(&"update") => {
                output(0, "Hit:1 http://deb.debian.org/debian bookworm InRelease\nGet:2 http://x y [1,234 B]\nErr:3 http://z w\n", "")
            }
            _ => output(0, "", ""),
        }
    })
}

fn ctx_for<'a>(runner: &'a Recorded, map: &'a Map) -> Ctx<'a> {
    Ctx::new(map, map, map, runner)
}

fn req(targets: &[(&str, Option<&str>)]) -> InstallRequest {
    InstallRequest {
        targets: targets.iter().map(|(n, v)| (n.to_string(), v.map(str::to_string))).collect(),
        ..InstallRequest::default()
    }
}

#[test]
fn version_and_list_read_dpkg_once_per_run() {
    let runner = apt_system(false);
    let m = Map::default();
    let ctx = ctx_for(&runner, &m);
    assert_eq!(call("pkg.version", &[Value::str("bash")], &m, &ctx).unwrap(), Value::str("5.2.15-2+b8"));
    assert_eq!(call("pkg.version", &[Value::str("nope")], &m, &ctx).unwrap(), Value::str(""));
    let both = call("pkg.version", &[Value::str("bash"), Value::str("nope")], &m, &ctx).unwrap();
    assert_eq!(both.get("nope"), Some(&Value::str("")));
    let mut kw = Map::default();
    kw.insert("removed".into(), Value::Bool(true));
    let removed = call("pkg.list_pkgs", &[], &kw, &ctx).unwrap();
    assert_eq!(removed.get("mc"), Some(&Value::str("3:4.8.1-2")));
    let queries = runner.commands().iter().filter(|c| c.starts_with("dpkg-query")).count();
    assert_eq!(queries, 1, "{:?}", runner.commands());
    assert_eq!(runner.commands()[0], "dpkg-query --showformat ${Status} ${Package} ${Version} ${Architecture}\n -W");
}

#[test]
fn install_runs_one_apt_get_noninteractively_and_reports_changes() {
    let runner = apt_system(false);
    let m = Map::default();
    let ctx = ctx_for(&runner, &m).with_backends(Backends { pkg: Some(&ROOTLESS), ..Backends::default() });
    let changes = install(&ctx, &req(&[("hello", None), ("bash", None)])).unwrap();
    assert_eq!(Value::Map(changes).to_json(), serde_json::json!({"hello": {"old": "", "new": "2.10-3"}}));
    let cmds = runner.commands();
    let installs: Vec<&String> = cmds.iter().filter(|c| c.starts_with("apt-get")).collect();
    assert_eq!(installs.len(), 1, "{cmds:?}");
    assert_eq!(
        installs[0],
        "apt-get -q -y -o DPkg::Options::=--force-confold -o DPkg::Options::=--force-confdef install hello bash"
    );
    let index = cmds.iter().position(|c| c.starts_with("apt-get")).unwrap_or(0);
    assert_eq!(runner.env_of(index, "DEBIAN_FRONTEND").as_deref(), Some("noninteractive"));
}

/// The system backend, but with lists that count as present.
struct ListsPresent;
static ROOTLESS: ListsPresent = ListsPresent;

impl PkgBackend for ListsPresent {
    fn query(&self, ctx: &Ctx) -> Result<PkgDb, ModuleError> {
        SYSTEM.query(ctx)
    }
    fn policy(&self, ctx: &Ctx, names: &[String], repo: Option<&str>) -> Result<IndexMap<String, String>, ModuleError> {
        SYSTEM.policy(ctx, names, repo)
    }
    fn show(&self, ctx: &Ctx, specs: &[String]) -> Result<IndexMap<String, Vec<String>>, ModuleError> {
        SYSTEM.show(ctx, specs)
    }
    fn lists_present(&self) -> bool {
        true
    }
    fn update(&self, ctx: &Ctx) -> Result<RunResult, ModuleError> {
        SYSTEM.update(ctx)
    }
    fn install(&self, ctx: &Ctx, t: &[String], o: &InstallOpts) -> Result<RunResult, ModuleError> {
        SYSTEM.install(ctx, t, o)
    }
    fn remove(&self, ctx: &Ctx, a: RemoveAction, t: &[String]) -> Result<RunResult, ModuleError> {
        SYSTEM.remove(ctx, a, t)
    }
    fn unpurge(&self, ctx: &Ctx, names: &[String]) -> Result<RunResult, ModuleError> {
        SYSTEM.unpurge(ctx, names)
    }
}

#[test]
fn refresh_runs_update_first_and_parses_it() {
    let runner = apt_system(false);
    let m = Map::default();
    let ctx = ctx_for(&runner, &m).with_backends(Backends { pkg: Some(&ROOTLESS), ..Backends::default() });
    let mut r = req(&[("hello", Some("2.10-3"))]);
    r.refresh = true;
    install(&ctx, &r).unwrap();
    let cmds = runner.commands();
    let update = cmds.iter().position(|c| c == "apt-get -q update");
    let inst = cmds.iter().position(|c| c.ends_with("install hello=2.10-3"));
    assert!(update.is_some() && inst.is_some() && update < inst, "{cmds:?}");
    let (ret, errors) = parse_update("Hit:1 http://a b InRelease\nGet:2 http://x y [1,234 B]\nErr:3 http://z w\n");
    assert_eq!(ret.get("http://a b InRelease"), Some(&Value::Null));
    assert_eq!(ret.get("http://x y"), Some(&Value::Bool(true)));
    assert_eq!(errors, vec!["http://z w".to_string()]);
}

#[test]
fn failed_install_carries_salts_message() {
    let runner = apt_system(true);
    let m = Map::default();
    let ctx = ctx_for(&runner, &m).with_backends(Backends { pkg: Some(&ROOTLESS), ..Backends::default() });
    let err = install(&ctx, &req(&[("nosuchpkg", None)])).unwrap_err();
    assert_eq!(
        err.without_changes(),
        "Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - E: Unable to locate package nosuchpkg"
    );
    assert!(err.changes().is_empty());
}

#[test]
fn latest_version_reports_upgrades_and_new_packages() {
    let runner = apt_system(false);
    let m = Map::default();
    let ctx = ctx_for(&runner, &m);
    let names = vec!["hello".to_string(), "bash".to_string()];
    let latest = latest_versions(&ctx, &names, &LatestOpts::default()).unwrap();
    assert_eq!(latest.get("hello").map(String::as_str), Some("2.10-3"));
    assert_eq!(latest.get("bash").map(String::as_str), Some("5.2.15-2+b13"));
    let mut kw = Map::default();
    kw.insert("refresh".into(), Value::Bool(false));
    assert_eq!(call("pkg.latest_version", &[Value::str("hello")], &kw, &ctx).unwrap(), Value::str("2.10-3"));
    assert_eq!(call("pkg.version_cmp", &[Value::str("1.0"), Value::str("1.0~rc1")], &m, &ctx).unwrap(), Value::Int(1));
}

#[test]
fn remove_and_purge_shape_changes() {
    let gone = Arc::new(AtomicBool::new(false));
    let runner = Recorded::new(move |argv| match argv.first().map(String::as_str) {
        Some("dpkg-query") if gone.load(Ordering::SeqCst) => output(0, "", ""),
        Some("dpkg-query") => output(0, BEFORE, ""),
        _ => {
            gone.store(true, Ordering::SeqCst);
            output(0, "", "")
        }
    });
    let m = Map::default();
    let ctx = ctx_for(&runner, &m);
    let wanted: Targets = [("bash".to_string(), None), ("mc".to_string(), None)].into_iter().collect();
    let changes = uninstall(&ctx, RemoveAction::Purge, &wanted).unwrap();
    assert_eq!(
        Value::Map(changes).to_json(),
        serde_json::json!({"removed": {"mc": {"new": "", "old": "3:4.8.1-2"}}, "installed": {"bash": {"new": "", "old": "5.2.15-2+b8"}}})
    );
    assert!(runner.commands().iter().any(|c| c == "apt-get -q -y purge bash mc"), "{:?}", runner.commands());
    assert!(uninstall(&ctx, RemoveAction::Remove, &wanted).unwrap().is_empty(), "nothing left to remove");
}

#[test]
fn real_dpkg_query_reads_a_database_below_a_root() {
    if crate::cmd::which("dpkg-query").is_none() {
        eprintln!("skipped: dpkg-query is not installed");
        return;
    }
    let root = std::env::temp_dir().join(format!("brine-pkg-root-{}", std::process::id()));
    let admin = root.join("var/lib/dpkg");
    std::fs::create_dir_all(admin.join("info")).unwrap();
    std::fs::create_dir_all(admin.join("updates")).unwrap();
    let status = "Package: hello\nStatus: install ok installed\nVersion: 2.9-1\nArchitecture: amd64\nMaintainer: x\nDescription: test\n\n\
Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\nArchitecture: amd64\nMaintainer: x\nDescription: test\n\n";
    std::fs::write(admin.join("status"), status).unwrap();
    let backend = AptBackend::with_root(&root);
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &SystemRunner).with_backends(Backends { pkg: Some(&backend), ..Backends::default() });
    assert_eq!(call("pkg.version", &[Value::str("hello")], &m, &ctx).unwrap(), Value::str("2.9-1"));
    let db = package_db(&ctx).unwrap();
    assert_eq!(db.removed.get("gone"), Some(&vec!["1.0".to_string()]));
    assert!(!db.installed.contains_key("bash"), "the system's packages are not seen");
    let _ = std::fs::remove_dir_all(&root);
}

/// Installs, re-checks and removes the real package `sl` on this machine;
/// only with BRINE_PKG_TESTS=1 (root on Debian with a reachable mirror).
#[test]
fn real_package_install_and_remove() {
    if std::env::var("BRINE_PKG_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: set BRINE_PKG_TESTS=1 to install and remove the real package sl");
        return;
    }
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
    let name = [("sl".to_string(), None)].into_iter().collect::<Targets>();
    let changes = install(&ctx, &InstallRequest { targets: name.clone(), ..InstallRequest::default() }).unwrap();
    assert!(changes.contains_key("sl"), "{changes:?}");
    assert!(!install(&ctx, &InstallRequest { targets: name.clone(), ..InstallRequest::default() })
        .unwrap()
        .contains_key("sl"));
    let removed = uninstall(&ctx, RemoveAction::Purge, &name).unwrap();
    assert!(removed.get("installed").and_then(|i| i.get("sl")).is_some(), "{removed:?}");
}
