//! End-to-end gitfs: a real master with `fileserver_backend: [gitfs]` serving
//! git repositories the test makes with the `git` CLI to a real minion:
//! branches and tags as saltenvs, `root` and `mountpoint`, ignore rules,
//! links out of the tree, updates by `fileserver.update` and by the interval,
//! and a remote that disappears.
//!
//! Run with `cargo test -p brine-master --test gitfs`.

mod harness;

use std::path::{Path, PathBuf};

use harness::{git, wait_for, Cluster};
use serde_json::json;


fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("repo directory");
    std::fs::write(p, text).expect("repo file");
}

/// Write files into the work tree at `dir` and commit them all.
fn commit(dir: &Path, files: &[(&str, &str)], message: &str) {
    for (rel, text) in files {
        write(&dir.join(rel), text);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// The SLS that writes `<out>/<name>` from `salt://files/<name>`.
fn app_sls(out: &Path, name: &str) -> String {
    format!("out:\n  file.managed:\n    - name: {}/{name}\n    - source: salt://files/{name}\n", out.display())
}

/// The main repository: `master` (base), a `dev` branch and a tag `v1`.
fn main_repo(c: &Cluster) -> PathBuf {
    let repo = c.path("repo");
    let out = c.path("out");
    std::fs::create_dir_all(&repo).expect("repo");
    std::fs::create_dir_all(&out).expect("out");
    git(&repo, &["init", "-q"]);
    commit(&repo, &[("app.sls", &app_sls(&out, "base.txt")), ("files/base.txt", "master 1\n"), ("files/hidden.secret", "hidden secret\n")], "one");
    std::fs::write(c.path("outside"), "outside secret\n").expect("outside file");
    for (name, url) in PROBES {
        write(&repo.join(format!("probe/{name}.sls")), &probe_sls(&out, name, url));
    }
    std::os::unix::fs::symlink("../../outside", repo.join("files/escape")).expect("link");
    std::os::unix::fs::symlink("base.txt", repo.join("files/alias.txt")).expect("link");
    commit(&repo, &[], "links");
    git(&repo, &["tag", "v1"]);
    git(&repo, &["checkout", "-q", "-b", "dev"]);
    commit(&repo, &[("app.sls", &app_sls(&out, "dev.txt")), ("files/dev.txt", "dev 1\n")], "dev");
    git(&repo, &["checkout", "-q", "master"]);
    repo
}

/// A second repository served from its `states/` folder under `salt://extra`.
fn extra_repo(c: &Cluster) -> PathBuf {
    let repo = c.path("extra");
    std::fs::create_dir_all(&repo).expect("repo");
    git(&repo, &["init", "-q"]);
    let sls = format!("hello:\n  file.managed:\n    - name: {}/hello.txt\n    - contents: hello\n", c.path("out").display());
    commit(&repo, &[("states/hello.sls", &sls), ("README", "not served\n")], "extra");
    repo
}

fn gitfs_cluster(name: &str, interval: u64) -> (Cluster, PathBuf, PathBuf) {
    let mut c = Cluster::new(name, json!({}));
    let (repo, extra) = (main_repo(&c), extra_repo(&c));
    c.write_master_conf(json!({
        "auto_accept": true,
        "fileserver_backend": ["gitfs"],
        "gitfs_update_interval": interval,
        "file_ignore_glob": ["*.secret"],
        "gitfs_remotes": [
            format!("file://{}", repo.display()),
            {extra.display().to_string(): [{"root": "states"}, {"mountpoint": "salt://extra"}, {"name": "extra"}]},
        ],
    }));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    (c, repo, extra)
}

/// SLS `probe/<name>.sls` of the main repository fetches its `salt://` URL into `out/<name>`.
const PROBES: [(&str, &str); 5] = [
    ("alias", "salt://files/alias.txt"),
    ("dotdot", "salt://../repo/app.sls"),
    ("escape", "salt://files/escape"),
    ("hidden", "salt://files/hidden.secret"),
    ("outside", "salt://files/../../outside"),
];

fn probe_sls(out: &Path, name: &str, url: &str) -> String {
    format!("probe:\n  file.managed:\n    - name: {}/{name}\n    - source: {url}\n", out.display())
}

/// The text node1 gets through probe `name` (`None` when its state fails).
fn fetch(c: &Cluster, name: &str) -> Option<String> {
    let out = c.salt(&["node1", "state.apply", &format!("probe.{name}")]);
    (out.code == 0).then(|| read(c.path("out").join(name)))
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn branches_tags_root_mountpoint_ignores_and_manual_updates() {
    let (c, repo, extra) = gitfs_cluster("gitfs-manual", 3600);
    let out = c.path("out");

    let named = c.path("master/var/cache/salt/master/gitfs/extra");
    assert!(named.join("HEAD").is_file() && !named.join(".git").exists(), "a named remote is a bare repository under its name");
    let envs = c.salt_run(&["fileserver.envs"]);
    assert_eq!(envs.stdout, "- base\n- dev\n- v1\n", "{envs:?}");
    let listed = c.salt_run(&["fileserver.file_list", "saltenv=base"]);
    let probes = PROBES.iter().map(|(n, _)| format!("- probe/{n}.sls\n")).collect::<Vec<_>>().join("");
    let want = format!("- app.sls\n- extra/hello.sls\n- files/alias.txt\n- files/base.txt\n{probes}");
    assert_eq!(listed.stdout, want, "{listed:?}");
    let tagged = c.salt_run(&["fileserver.file_list", "saltenv=v1", "backend=gitfs"]);
    assert!(tagged.stdout.contains("- files/base.txt\n") && !tagged.stdout.contains("dev.txt"), "{tagged:?}");

    let base = c.salt(&["node1", "state.apply", "app"]);
    assert_eq!(base.code, 0, "{base:?}");
    assert_eq!(read(out.join("base.txt")), "master 1\n");
    let dev = c.salt(&["node1", "state.apply", "app", "saltenv=dev"]);
    assert_eq!(dev.code, 0, "{dev:?}");
    assert_eq!(read(out.join("dev.txt")), "dev 1\n");
    let hello = c.salt(&["node1", "state.apply", "extra.hello"]);
    assert_eq!((hello.code, read(out.join("hello.txt"))), (0, "hello\n".to_string()), "{hello:?}");
    assert_eq!(fetch(&c, "alias").as_deref(), Some("master 1\n"), "a link inside the tree is served");
    for hidden in ["hidden", "escape", "dotdot", "outside"] {
        assert_eq!(fetch(&c, hidden), None, "{hidden}");
    }

    commit(&repo, &[("files/base.txt", "master 2\n")], "two");
    assert_eq!(c.salt(&["node1", "state.apply", "app"]).code, 0);
    assert_eq!(read(out.join("base.txt")), "master 1\n", "a commit is not served before an update");
    let updated = c.salt_run(&["fileserver.update", "backend=gitfs"]);
    assert_eq!((updated.code, updated.stdout.as_str()), (0, "True\n"), "{updated:?}");
    assert_eq!(c.salt(&["node1", "state.apply", "app"]).code, 0);
    assert_eq!(read(out.join("base.txt")), "master 2\n");

    std::fs::remove_dir_all(&extra).expect("remove the extra remote");
    let failed = c.salt_run(&["fileserver.update"]);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(failed.stdout.contains("errors:") && failed.stdout.contains(&extra.display().to_string()), "{failed:?}");
    assert!(c.log("master").contains(&extra.display().to_string()), "the fetch error is logged");
    std::fs::remove_file(out.join("hello.txt")).expect("remove hello.txt");
    let kept = c.salt(&["node1", "state.apply", "extra.hello"]);
    assert_eq!((kept.code, read(out.join("hello.txt"))), (0, "hello\n".to_string()), "{kept:?}");

    let cleared = c.salt_run(&["fileserver.clear_cache"]);
    assert!(cleared.stdout.contains("cleared:") && cleared.stdout.contains("gitfs"), "{cleared:?}");
    assert_eq!(c.salt_run(&["fileserver.file_list"]).stdout.trim(), "", "nothing is served after clearing the cache");
    c.salt_run(&["fileserver.update"]);
    let again = c.salt_run(&["fileserver.file_list"]).stdout;
    assert!(again.contains("- files/base.txt\n") && !again.contains("extra/"), "{again}");
}

#[test]
fn new_commits_appear_after_the_update_interval() {
    let (c, repo, _extra) = gitfs_cluster("gitfs-interval", 1);
    let out = c.path("out");
    commit(&repo, &[("files/base.txt", "master 2\n"), ("files/new.txt", "new\n")], "two");
    wait_for("the interval's fetch", 15, || c.salt_run(&["fileserver.file_list"]).stdout.contains("- files/new.txt\n"));
    assert_eq!(c.salt(&["node1", "state.apply", "app"]).code, 0);
    assert_eq!(read(out.join("base.txt")), "master 2\n");
}

#[test]
fn git_pillar_serves_its_branch_and_follows_updates() {
    let mut c = Cluster::new("git-pillar", json!({}));
    let repo = c.path("pillar-repo");
    std::fs::create_dir_all(&repo).expect("repo");
    git(&repo, &["init", "-q"]);
    commit(&repo, &[("top.sls", "base:\n  '*':\n    - data\n"), ("data.sls", "colour: blue\n")], "one");
    git(&repo, &["checkout", "-q", "-b", "other"]);
    commit(&repo, &[("data.sls", "colour: red\n")], "other");
    git(&repo, &["checkout", "-q", "master"]);
    c.file("pillar/top.sls", "base:\n  '*':\n    - local\n");
    c.file("pillar/local.sls", "size: 3\ncolour: grey\n");
    c.write_master_conf(json!({
        "auto_accept": true,
        "gitfs_update_interval": 3600,
        "ext_pillar": [{"git": [format!("master file://{}", repo.display())]}],
    }));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let pillar = |c: &Cluster| {
        let out = c.salt(&["node1", "pillar.items", "--out", "json"]);
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))["node1"].clone()
    };
    let first = pillar(&c);
    assert_eq!((first["colour"].as_str(), first["size"].as_i64()), (Some("blue"), Some(3)), "{first}");

    commit(&repo, &[("data.sls", "colour: green\n")], "two");
    assert_eq!(pillar(&c)["colour"], "blue", "not before an update");
    let updated = c.salt_run(&["git_pillar.update"]);
    assert_eq!((updated.code, updated.stdout.as_str()), (0, "True\n"), "{updated:?}");
    assert_eq!(pillar(&c)["colour"], "green");
}
