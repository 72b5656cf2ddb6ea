//! `salt-call --local` output options end to end: the real binary on a temp
//! tree (test states only, nothing outside the temp root is written),
//! checking the outputters, Salt's colour escape codes and the
//! `state_output`/`state_verbose` modes byte for byte where Salt's text is
//! fixed.

mod support;

use std::path::PathBuf;

struct Tree {
    root: PathBuf,
}

const STATES: &str = "changed:\n  test.succeed_with_changes: []\nclean:\n  test.succeed_without_changes: []\nbroken:\n  test.fail_without_changes: []\n";

impl Tree {
    /// A temp root with `conf/minion` (plus the `extra` config keys) and `tree/out.sls`.
    fn new(name: &str, extra: serde_json::Value) -> Tree {
        let root = std::env::temp_dir().join(format!("brine-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("conf")).expect("conf dir");
        std::fs::create_dir_all(root.join("tree")).expect("tree dir");
        std::fs::create_dir_all(root.join("pillar")).expect("pillar dir");
        let mut conf = serde_json::json!({
            "file_client": "local",
            "root_dir": root,
            "file_roots": {"base": [root.join("tree")]},
            "pillar_roots": {"base": [root.join("pillar")]},
            "id": "web01",
        });
        if let (Some(conf), serde_json::Value::Object(extra)) = (conf.as_object_mut(), extra) {
            conf.extend(extra);
        }
        std::fs::write(root.join("conf/minion"), conf.to_string()).expect("minion config");
        std::fs::write(root.join("tree/out.sls"), STATES).expect("sls");
        Tree { root }
    }

    /// Run salt-call with stdout piped; returns (exit code, stdout, stderr).
    fn call(&self, args: &[&str]) -> (i32, String, String) {
        support::salt_call(&self.root, args)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[test]
fn quiet_prints_nothing() {
    let t = Tree::new("quiet", serde_json::json!({}));
    let (code, out, _) = t.call(&["--out=quiet", "test.ping"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = t.call(&["state.apply", "out", "--out", "quiet"]);
    assert_eq!((code, out.as_str()), (1, ""));
}

#[test]
fn force_color_prints_salts_escape_codes() {
    let t = Tree::new("force", serde_json::json!({}));
    let (_, out, _) = t.call(&["--force-color", "test.ping"]);
    assert_eq!(out, "\x1b[0;36mlocal\x1b[0;0m:\n    \x1b[0;1;33mTrue\x1b[0;0m\n");
    let (code, out, _) = t.call(&["state.apply", "out", "--force-colour"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("\x1b[0;31mlocal:\x1b[0;0m\n\x1b[0;36m----------\x1b[0;0m\n    \x1b[0;36m      ID: changed\x1b[0;0m\n"), "{out}");
    assert!(out.contains("\n\x1b[0;32m----------\x1b[0;0m\n    \x1b[0;32m      ID: clean\x1b[0;0m\n"), "{out}");
    assert!(out.contains("\n\x1b[0;31m----------\x1b[0;0m\n    \x1b[0;31m      ID: broken\x1b[0;0m\n"), "{out}");
    assert!(out.contains("\x1b[0;32mSucceeded: 2\x1b[0;0m (\x1b[0;32mchanged=1\x1b[0;0m)\n\x1b[0;31mFailed:    1\x1b[0;0m\n"), "{out}");
}

#[test]
fn no_color_and_a_pipe_print_no_escape_codes() {
    let t = Tree::new("nocolor", serde_json::json!({}));
    for args in [&["state.apply", "out"][..], &["--no-color", "state.apply", "out"], &["--no-color", "test.ping"]] {
        let (_, out, _) = t.call(args);
        assert!(!out.contains('\x1b') && !out.is_empty(), "{args:?}: {out}");
    }
    let (_, out, _) = t.call(&["--no-color", "--force-color", "test.ping"]);
    assert!(out.contains('\x1b'), "--force-color wins: {out}");
}

#[test]
fn terse_prints_one_line_per_state() {
    let t = Tree::new("terse", serde_json::json!({}));
    for args in [&["--state-output=terse", "state.apply", "out"][..], &["state.apply", "out", "--state_output", "terse"]] {
        let (code, out, _) = t.call(args);
        assert_eq!(code, 1);
        let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("  Name: ")).collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[0].starts_with("  Name: changed - Function: test.succeed_with_changes - Result: Changed - Started: "), "{out}");
        assert!(lines[2].starts_with("  Name: broken - Function: test.fail_without_changes - Result: Failed - Started: "), "{out}");
        assert!(!out.contains("ID:"), "{out}");
    }
}

#[test]
fn config_state_output_and_verbose_apply_unless_overridden() {
    let t = Tree::new("config", serde_json::json!({"state_output": "mixed", "state_verbose": false}));
    let (_, out, _) = t.call(&["state.apply", "out"]);
    assert!(out.contains("  Name: changed - Function") && out.contains("      ID: broken\n"), "{out}");
    assert!(!out.contains("clean"), "state_verbose False hides clean states: {out}");
    let (_, out, _) = t.call(&["--state-output=full", "--state-verbose=True", "state.apply", "out"]);
    assert!(out.contains("      ID: changed\n") && out.contains("      ID: clean\n"), "{out}");
}

#[test]
fn unknown_outputter_falls_back_to_nested_with_salts_error() {
    let t = Tree::new("unknown", serde_json::json!({}));
    let (code, out, err) = t.call(&["--out=bogus", "test.ping"]);
    assert_eq!((code, out.as_str()), (0, "local:\n    True\n"));
    assert!(err.contains("[ERROR   ] Invalid outputter bogus specified, fall back to nested"), "{err}");
    let (_, out, _) = t.call(&["--out=raw", "test.ping"]);
    assert_eq!(out, "{'local': True}\n");
    let (_, out, _) = t.call(&["--out=highstate", "test.ping"]);
    assert_eq!(out, "local:\n    True\n", "--out=highstate keeps the function's own outputter");
}
