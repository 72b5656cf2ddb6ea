//! What the salt-call integration tests share: running the real binary
//! masterless against a config dir. It must not build trees or configs
//! (each test file lays out its own).

use std::path::Path;
use std::process::{Command, Stdio};

/// Run `salt-call -c <root>/conf --local ARGS` in `root` with stdout piped;
/// returns (exit code, stdout, stderr).
pub fn salt_call(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_salt-call"))
        .arg("-c")
        .arg(root.join("conf"))
        .arg("--local")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .expect("salt-call runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
