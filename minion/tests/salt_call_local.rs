//! `salt-call --local` end to end: the real binary on temp trees, checking the
//! error texts, positions and exit codes a Salt user relies on.

mod support;

use std::path::{Path, PathBuf};

struct Tree {
    root: PathBuf,
}

impl Tree {
    /// A temp root with `conf/minion` pointing file_roots at `root/tree`.
    fn new(name: &str) -> Tree {
        let root = std::env::temp_dir().join(format!("brine-call-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("conf")).unwrap();
        std::fs::create_dir_all(root.join("tree")).unwrap();
        std::fs::create_dir_all(root.join("pillar")).unwrap();
        let conf = serde_json::json!({
            "file_client": "local",
            "root_dir": root,
            "file_roots": {"base": [root.join("tree")]},
            "pillar_roots": {"base": [root.join("pillar")]},
            "id": "web01",
            "grains": {"os": "Debian", "os_family": "Debian", "roles": ["web"]},
        });
        std::fs::write(root.join("conf/minion"), conf.to_string()).unwrap();
        Tree { root }
    }

    fn file(&self, rel: &str, text: &str) -> &Tree {
        let p = self.root.join("tree").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Run salt-call; returns (exit code, stdout, stderr).
    fn call(&self, args: &[&str]) -> (i32, String, String) {
        support::salt_call(&self.root, args)
    }

    fn path(&self) -> &Path {
        &self.root
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[test]
fn undefined_variable_names_sls_line_and_shows_context() {
    let t = Tree::new("undef");
    t.file("web.sls", "a:\n  test.nop:\n    - x: {{ nope }}\nb:\n  test.nop: []\n");
    let (code, out, _) = t.call(&["--out=json", "state.show_sls", "web"]);
    assert_eq!(code, 1);
    assert!(out.contains("Rendering SLS 'base:web' failed: Jinja variable 'nope' is undefined; line 3"), "{out}");
    assert!(out.contains("    - x: {{ nope }}    <======================"), "{out}");
}

#[test]
fn yaml_error_gives_line_and_column() {
    let t = Tree::new("yamlerr");
    t.file("bad.sls", "a:\n  test.nop:\n    - x: 1\n   y: : 2\n");
    let (code, out, _) = t.call(&["--out=json", "state.show_sls", "bad"]);
    assert_eq!(code, 1);
    assert!(out.contains("Rendering SLS 'base:bad' failed"), "{out}");
    assert!(out.contains("line 4"), "{out}");
    assert!(out.contains("column"), "{out}");
}

#[test]
fn unknown_top_matcher_is_named() {
    let t = Tree::new("matcher");
    t.file("top.sls", "base:\n  'web*':\n    - match: nosuchmatcher\n    - web\n").file("web.sls", "a:\n  test.nop: []\n");
    let (code, out, _) = t.call(&["--out=json", "state.show_top"]);
    assert_ne!(code, 0);
    assert!(out.contains("nosuchmatcher"), "{out}");
}

#[test]
fn unsupported_renderer_is_an_error_not_a_skip() {
    let t = Tree::new("pyrend");
    t.file("py.sls", "#!py\ndef run():\n    return {}\n");
    let (code, out, _) = t.call(&["--out=json", "state.show_sls", "py"]);
    assert_eq!(code, 1);
    assert!(out.contains("\\\"py\\\"") || out.contains("\"py\""), "{out}");
}

#[test]
fn missing_include_is_named() {
    let t = Tree::new("inc");
    t.file("web.sls", "include:\n  - ghost\na:\n  test.nop: []\n");
    let (code, out, _) = t.call(&["--out=json", "state.show_sls", "web"]);
    assert_eq!(code, 1);
    assert!(out.contains("ghost"), "{out}");
}

#[test]
fn state_apply_writes_only_the_planned_file_and_test_mode_writes_nothing() {
    let t = Tree::new("apply");
    let target = t.path().join("out.conf");
    t.file("w.sls", &format!("out:\n  file.managed:\n    - name: {}\n    - contents: hello\n", target.display()));
    let (code, out, _) = t.call(&["--out=json", "state.apply", "w", "test=True"]);
    assert_eq!(code, 0, "{out}");
    assert!(!target.exists(), "test=True must not write");
    assert!(out.contains("\"result\": null"), "{out}");
    let (code, out, _) = t.call(&["--out=json", "state.apply", "w"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "hello\n");
}

#[test]
fn key_value_arguments_are_yaml_typed() {
    let t = Tree::new("args");
    let (code, out, _) = t.call(&["--out=json", "test.echo", "[1, 2]"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["local"], serde_json::json!([1, 2]));
    let (_, out, _) = t.call(&["--out=json", "grains.get", "roles"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["local"], serde_json::json!(["web"]));
}

#[test]
fn highstate_outputter_is_the_default_for_state_runs() {
    let t = Tree::new("hsout");
    t.file("n.sls", "noop:\n  test.nop: []\n");
    let (code, out, _) = t.call(&["state.apply", "n"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("          ID: noop\n    Function: test.nop\n      Result: True"), "{out}");
    assert!(out.contains("Summary for local"), "{out}");
}

/// Every file below `dir` with its bytes and mode, sorted: a fingerprint of a sandbox.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if md.is_dir() {
                out.push((rel, Vec::new(), md.permissions().mode()));
                stack.push(p);
            } else {
                out.push((rel, std::fs::read(&p).unwrap_or_default(), md.permissions().mode()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn test_mode_leaves_the_sandbox_identical_and_a_second_apply_changes_nothing() {
    let t = Tree::new("twice");
    let sb = t.path().join("sandbox");
    std::fs::create_dir_all(&sb).unwrap();
    std::fs::write(sb.join("existing.conf"), "old\n").unwrap();
    let sls = format!(
        "conf-dir:\n  file.directory:\n    - name: {sb}/etc\n    - mode: 750\n\
         conf:\n  file.managed:\n    - name: {sb}/etc/app.conf\n    - contents: port=80\n    - mode: 640\n    - require:\n      - file: conf-dir\n\
         existing:\n  file.managed:\n    - name: {sb}/existing.conf\n    - contents: new\n\
         marker:\n  cmd.run:\n    - name: touch {sb}/marker\n    - creates: {sb}/marker\n\
         reload:\n  cmd.run:\n    - name: echo reloaded >> {sb}/reloads\n    - onchanges:\n      - file: conf\n",
        sb = sb.display()
    );
    t.file("twice.sls", &sls);
    let before = snapshot(&sb);
    let (code, out, _) = t.call(&["--out=json", "state.apply", "twice", "test=True"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(snapshot(&sb), before, "test=True changed the sandbox");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rets = v["local"].as_object().unwrap();
    assert!(rets.values().filter(|r| r["__id__"] != "reload").all(|r| r["result"].is_null()), "{out}");

    let (code, out, _) = t.call(&["--out=json", "state.apply", "twice"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let changed = v["local"].as_object().unwrap().values().filter(|r| !r["changes"].as_object().unwrap().is_empty()).count();
    assert_eq!(changed, 5, "first apply changes every state: {out}");
    assert_eq!(std::fs::read_to_string(sb.join("etc/app.conf")).unwrap(), "port=80\n");
    assert_eq!(std::fs::read_to_string(sb.join("reloads")).unwrap(), "reloaded\n");

    let after_first = snapshot(&sb);
    let (code, out, _) = t.call(&["--out=json", "state.apply", "twice"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for r in v["local"].as_object().unwrap().values() {
        assert!(r["changes"].as_object().unwrap().is_empty(), "second apply changed something: {out}");
        assert_eq!(r["result"], serde_json::json!(true), "{out}");
    }
    assert_eq!(snapshot(&sb), after_first, "the second apply touched the sandbox");
}

#[test]
fn a_failed_command_makes_salt_call_exit_1_as_salt() {
    let t = Tree::new("retcode");
    let (code, out, _) = t.call(&["--out=json", "cmd.run", "echo out; exit 3"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\"out\""), "{out}");
    let (code, out, _) = t.call(&["--out=json", "cmd.run", "exit 0"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = t.call(&["--out=json", "cmd.retcode", "exit 3", "ignore_retcode=True"]);
    assert_eq!((code, out.contains('3')), (0, true), "{out}");
}

#[test]
fn salt_call_runs_with_transparent_huge_pages_off() {
    // The shell cmd.run starts is salt-call's child: its parent's status
    // shows the switch `no_huge_pages_before_main!` threw before `main`.
    let t = Tree::new("thp");
    let (code, out, err) = t.call(&["--out=json", "cmd.run", "grep THP_enabled /proc/$PPID/status; cat /proc/$PPID/comm"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v["local"].as_str().unwrap_or_default();
    if text.contains("THP_enabled") {
        assert_eq!(text, "THP_enabled:\t0\nsalt-call", "{text}");
    } else {
        // Kernels before 6.1 do not show the flag; the process is still ours.
        assert!(text.ends_with("salt-call"), "{text}");
    }
}
