//! A throwaway cluster for integration tests: a real `salt-master` and real
//! `salt-minion` processes on loopback (a free port), each in its own
//! `root_dir` under a temporary directory, and the real CLIs against them.
//!
//! Every process is killed when its handle (or the cluster) is dropped, and
//! the directory removed. It must not touch anything outside its directory.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

/// A child process killed on drop.
pub struct Proc {
    child: Child,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Has the process exited, and with which code?
    pub fn exit_code(&mut self) -> Option<i32> {
        self.child.try_wait().ok().flatten().map(|s| s.code().unwrap_or(-1))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a CLI printed.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(Path::parent).expect("target directory").to_path_buf()
}

/// `salt-minion` belongs to another package: build it once so it is fresh.
fn minion_bin() -> PathBuf {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "brine-minion", "--bin", "salt-minion"]);
        if bin_dir().ends_with("release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building salt-minion failed");
    });
    bin_dir().join("salt-minion")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Poll `f` until it holds or `secs` pass.
pub fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

/// A master, its minions and their directories.
pub struct Cluster {
    pub root: PathBuf,
    pub port: u16,
    master: Option<Proc>,
    minions: HashMap<String, Proc>,
}

impl Cluster {
    /// A fresh directory with a master configuration (not started).
    pub fn new(name: &str, extra: serde_json::Value) -> Cluster {
        let root = std::env::temp_dir().join(format!("brine-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["master/conf", "srv/salt", "srv/pillar"] {
            std::fs::create_dir_all(root.join(d)).expect("test directories");
        }
        let cluster = Cluster { root, port: free_port(), master: None, minions: HashMap::new() };
        cluster.write_master_conf(extra);
        cluster
    }

    pub fn write_master_conf(&self, extra: serde_json::Value) {
        let mut conf = serde_json::json!({
            "root_dir": self.root.join("master"),
            "interface": "127.0.0.1",
            "ret_port": self.port,
            "file_roots": {"base": [self.root.join("srv/salt")]},
            "pillar_roots": {"base": [self.root.join("srv/pillar")]},
            "gather_job_timeout": 1,
            "log_level_logfile": "debug",
        });
        if let (Some(c), Some(e)) = (conf.as_object_mut(), extra.as_object()) {
            c.extend(e.clone());
        }
        std::fs::write(self.root.join("master/conf/master"), conf.to_string()).expect("master config");
    }

    fn conf_dir(&self) -> PathBuf {
        self.root.join("master/conf")
    }

    /// Write a file of the state or pillar tree (`srv/salt/...`, `srv/pillar/...`).
    pub fn file(&self, rel: &str, text: &str) {
        let p = self.root.join("srv").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("tree directory");
        std::fs::write(p, text).expect("tree file");
    }

    fn spawn(&self, bin: &Path, conf: &Path, log_name: &str) -> Proc {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.root.join(log_name)).expect("log file");
        let child = Command::new(bin)
            .arg("-c")
            .arg(conf)
            .args(["-l", "info"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("daemon starts");
        Proc { child }
    }

    pub fn start_master(&mut self) {
        let proc = self.spawn(Path::new(env!("CARGO_BIN_EXE_salt-master")), &self.conf_dir(), "master.out");
        self.master = Some(proc);
        let sock = self.root.join("master/var/run/salt/master/master.sock");
        wait_for("the master socket", 15, || sock.exists());
    }

    /// Stop the master with SIGKILL (as a crash would).
    pub fn kill_master(&mut self) {
        self.master = None;
    }

    /// Stop the master with SIGTERM and wait for it to exit.
    pub fn stop_master(&mut self) -> Option<i32> {
        let mut proc = self.master.take()?;
        signal(proc.pid(), "TERM");
        let mut code = None;
        wait_for("the master to stop", 10, || {
            code = proc.exit_code();
            code.is_some()
        });
        code
    }

    /// Write a minion's configuration (its own root_dir) and start it.
    pub fn start_minion(&mut self, id: &str, grains: serde_json::Value) {
        self.start_minion_as(id, id, grains);
    }

    /// Start a minion process named `name` (its directory) that calls itself `id`.
    pub fn start_minion_as(&mut self, name: &str, id: &str, grains: serde_json::Value) {
        let dir = self.root.join(name);
        std::fs::create_dir_all(dir.join("conf")).expect("minion directory");
        let conf = serde_json::json!({
            "root_dir": dir,
            "id": id,
            "master": "127.0.0.1",
            "master_port": self.port,
            "acceptance_wait_time": 0.3,
            "recon_default": 200,
            "grains": grains,
            "log_level_logfile": "debug",
        });
        std::fs::write(dir.join("conf/minion"), conf.to_string()).expect("minion config");
        let proc = self.spawn(&minion_bin(), &dir.join("conf"), &format!("{name}.out"));
        self.minions.insert(name.to_string(), proc);
    }

    /// Extra configuration for minion `name`, in `conf/minion.d/extra.conf` (write it before starting it).
    pub fn minion_conf(&self, name: &str, text: &str) {
        let d = self.root.join(name).join("conf/minion.d");
        std::fs::create_dir_all(&d).expect("minion.d directory");
        std::fs::write(d.join("extra.conf"), text).expect("minion.d file");
    }

    pub fn stop_minion(&mut self, name: &str) {
        self.minions.remove(name);
    }

    pub fn minion(&mut self, name: &str) -> &mut Proc {
        self.minions.get_mut(name).expect("a started minion")
    }

    /// What a process printed so far (`master`, or a minion's name).
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join(format!("{name}.out"))).unwrap_or_default()
    }

    fn run(&self, bin: &str, args: &[&str]) -> Out {
        let out = Command::new(bin).arg("-c").arg(self.conf_dir()).args(args).stdin(Stdio::null()).output().expect("CLI runs");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn salt(&self, args: &[&str]) -> Out {
        self.run(env!("CARGO_BIN_EXE_salt"), args)
    }

    pub fn salt_key(&self, args: &[&str]) -> Out {
        self.run(env!("CARGO_BIN_EXE_salt-key"), args)
    }

    pub fn salt_run(&self, args: &[&str]) -> Out {
        self.run(env!("CARGO_BIN_EXE_salt-run"), args)
    }

    /// The ids `salt-key -l un` lists.
    pub fn pending(&self) -> Vec<String> {
        self.salt_key(&["-l", "un"]).stdout.lines().skip(1).map(str::to_string).collect()
    }

    /// Wait until `salt TGT test.ping` gets True from exactly these ids.
    pub fn wait_ping(&self, ids: &[&str]) {
        let want: Vec<String> = ids.iter().map(|id| format!("{id}:\n    True")).collect();
        wait_for("the minions to answer", 20, || {
            let out = self.salt(&["-t", "2", "*", "test.ping"]).stdout;
            want.iter().all(|w| out.contains(w.as_str()))
        });
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

/// Send a signal with kill(1) (the tests own these pids).
pub fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").arg(format!("-{sig}")).arg(pid.to_string()).status();
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.minions.clear();
        self.master = None;
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Run `git` in `dir` (a fixed identity and default branch, no user config).
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=brine", "-c", "user.email=brine@example.invalid", "-c", "init.defaultBranch=master"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}
