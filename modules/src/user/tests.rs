//! Tests of the `user` and `group` modules: command lines on a recorded
//! runner, and the real shadow-utils in a chroot below a temporary
//! directory (`-R ROOT`), only when running as root; the machine's own
//! accounts are never changed.

use std::path::PathBuf;

use brine_common::{Map, Value};

use crate::accounts::LocalAccounts;
use crate::testing::{output, Recorded};
use crate::{call, Backends, Ctx, SystemRunner};

/// A root with minimal account files.
pub fn account_root(tag: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("brine-accounts-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("home")).unwrap();
    let files = [
        ("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"),
        ("etc/group", "root:x:0:\nusers:x:100:\n"),
        ("etc/shadow", "root:*:19000:0:99999:7:::\n"),
        ("etc/gshadow", "root:*::\nusers:*::\n"),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).unwrap();
    }
    root
}

fn is_root() -> bool {
    crate::sys::euid() == 0 && crate::cmd::which("useradd").is_some()
}

fn kw(pairs: &[(&str, Value)]) -> Map {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[test]
fn useradd_command_line_follows_salt() {
    let root = account_root("argv");
    let accounts = LocalAccounts::with_root(&root);
    let runner = Recorded::new(|_| output(0, "", ""));
    let m = Map::default();
    let ctx =
        Ctx::new(&m, &m, &m, &runner).with_backends(Backends { accounts: Some(&accounts), ..Backends::default() });
    let args = kw(&[
        ("shell", Value::str("/bin/sh")),
        ("uid", Value::Int(2001)),
        ("home", Value::str("/srv/bob")),
        ("system", Value::Bool(true)),
    ]);
    assert_eq!(call("user.add", &[Value::str("bob")], &args, &ctx).unwrap(), Value::Bool(true));
    let cmd = runner.commands()[0].clone();
    assert!(cmd.ends_with(&format!("useradd -s /bin/sh -u 2001 -m -d /srv/bob -r bob -R {}", root.display())), "{cmd}");
    assert_eq!(call("user.info", &[Value::str("nobody-here")], &m, &ctx).unwrap(), Value::Map(Map::default()));
    assert!(call("user.info", &[Value::str("x")], &kw(&[("root", Value::str("/"))]), &ctx).is_err());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn chroot_accounts_with_real_shadow_utils() {
    if !is_root() {
        eprintln!("skipped: needs root and shadow-utils to run useradd -R in a chroot");
        return;
    }
    let root = account_root("real");
    let accounts = LocalAccounts::with_root(&root);
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &SystemRunner)
        .with_backends(Backends { accounts: Some(&accounts), ..Backends::default() });
    assert_eq!(
        call("group.add", &[Value::str("web")], &kw(&[("gid", Value::Int(2000))]), &ctx).unwrap(),
        Value::Bool(true)
    );
    let g = call("group.info", &[Value::str("web")], &m, &ctx).unwrap();
    assert_eq!(g.get("gid"), Some(&Value::Int(2000)));
    let args = kw(&[
        ("fullname", Value::str("Bob B")),
        ("groups", Value::from_json(&serde_json::json!(["web"]))),
        ("shell", Value::str("/bin/sh")),
    ]);
    assert_eq!(call("user.add", &[Value::str("bob")], &args, &ctx).unwrap(), Value::Bool(true));
    let info = call("user.info", &[Value::str("bob")], &m, &ctx).unwrap();
    assert_eq!(info.get("fullname"), Some(&Value::str("Bob B")));
    assert_eq!(info.get("groups"), Some(&Value::from_json(&serde_json::json!(["users", "web"]))));
    assert_eq!(info.get("home"), Some(&Value::str("/home/bob")));
    assert!(root.join("home/bob").is_dir());
    assert_eq!(
        call("user.chshell", &[Value::str("bob"), Value::str("/bin/bash")], &m, &ctx).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        call("group.members", &[Value::str("web"), Value::str("bob,root")], &m, &ctx).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(call("group.deluser", &[Value::str("web"), Value::str("root")], &m, &ctx).unwrap(), Value::Bool(true));
    let g = call("group.info", &[Value::str("web")], &m, &ctx).unwrap();
    assert_eq!(g.get("members"), Some(&Value::from_json(&serde_json::json!(["bob"]))));
    assert_eq!(
        call("user.delete", &[Value::str("bob")], &kw(&[("remove", Value::Bool(true))]), &ctx).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(call("group.delete", &[Value::str("web")], &m, &ctx).unwrap(), Value::Bool(true));
    let _ = std::fs::remove_dir_all(&root);
}
