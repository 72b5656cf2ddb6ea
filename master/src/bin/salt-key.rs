//! `salt-key`: manage the minion keys of this master, as Salt's `salt-key`.
//!
//! Exit status 0, or 64 (usage) for an invalid `-l` argument as Salt does.
//! It must not need the master to be running: it works on the PKI directories.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use brine_common::config::{self, Role};
use brine_common::Value;
use brine_master::keycli::{self, Action, Io, KeyOptions};
use brine_master::pki::Pki;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "salt-key", version, about = "Manage the minion keys of a brine master")]
struct Cli {
    /// Directory holding the master configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    /// List the keys of one status: acc, pre/un, rej, den, all.
    #[arg(short = 'l', long = "list")]
    list: Option<String>,
    /// List all keys.
    #[arg(short = 'L', long = "list-all")]
    list_all: bool,
    /// Print the named public key(s) (glob).
    #[arg(short = 'p', long = "print")]
    print: Option<String>,
    /// Print all public keys.
    #[arg(short = 'P', long = "print-all")]
    print_all: bool,
    /// Accept the named key(s) (glob or comma-separated list).
    #[arg(short = 'a', long = "accept")]
    accept: Option<String>,
    /// Accept all pending keys.
    #[arg(short = 'A', long = "accept-all")]
    accept_all: bool,
    /// Reject the named key(s).
    #[arg(short = 'r', long = "reject")]
    reject: Option<String>,
    /// Reject all pending keys.
    #[arg(short = 'R', long = "reject-all")]
    reject_all: bool,
    /// Delete the named key(s).
    #[arg(short = 'd', long = "delete")]
    delete: Option<String>,
    /// Delete all keys.
    #[arg(short = 'D', long = "delete-all")]
    delete_all: bool,
    /// Print the fingerprint of the named key(s).
    #[arg(short = 'f', long = "finger")]
    finger: Option<String>,
    /// Print all fingerprints.
    #[arg(short = 'F', long = "finger-all")]
    finger_all: bool,
    /// Answer yes to every question.
    #[arg(short = 'y', long = "yes")]
    yes: bool,
    /// Also act on rejected keys when accepting.
    #[arg(long = "include-rejected")]
    include_rejected: bool,
    /// Also act on denied keys.
    #[arg(long = "include-denied")]
    include_denied: bool,
    /// Also act on accepted keys when rejecting.
    #[arg(long = "include-accepted")]
    include_accepted: bool,
    /// Include rejected keys when accepting and accepted keys when rejecting.
    #[arg(long = "include-all")]
    include_all: bool,
    /// Outputter: key (default), json, yaml, nested, txt.
    #[arg(long = "out", visible_alias = "output")]
    out: Option<String>,
    /// Log level (accepted for compatibility).
    #[arg(long = "log-level")]
    log_level: Option<String>,
}

impl Cli {
    /// The command, in the precedence Salt gives its options.
    fn action(&self) -> Action {
        let glob = |o: &Option<String>| o.clone();
        if let Some(l) = &self.list {
            return Action::List(l.clone());
        }
        if self.list_all {
            return Action::ListAll;
        }
        let all = "*".to_string();
        let candidates = [
            (glob(&self.print), self.print_all, Action::Print as fn(String) -> Action),
            (glob(&self.accept), self.accept_all, Action::Accept),
            (glob(&self.reject), self.reject_all, Action::Reject),
            (glob(&self.delete), self.delete_all, Action::Delete),
            (glob(&self.finger), self.finger_all, Action::Finger),
        ];
        for (one, every, make) in candidates {
            if let Some(g) = one {
                return make(g);
            }
            if every {
                return make(all);
            }
        }
        Action::ListAll
    }

    fn options(&self) -> KeyOptions {
        KeyOptions {
            yes: self.yes,
            include_accepted: self.include_accepted || self.include_all,
            include_rejected: self.include_rejected || self.include_all,
            include_denied: self.include_denied,
            out: self.out.clone(),
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    if let Some(l) = cli.list.as_deref().filter(|l| !keycli::valid_list_arg(l)) {
        eprintln!("Usage: salt-key [options]\n\nsalt-key: error: '{l}' is not a valid argument to '--list'");
        return Ok(ExitCode::from(64));
    }
    let opts = config::load(&cli.config_dir, Role::Master)
        .with_context(|| format!("loading the master configuration from {}", cli.config_dir.display()))?;
    let pki_dir = opts.get("pki_dir").map(Value::py_str).unwrap_or_else(|| "/etc/salt/pki/master".into());
    let pki = Pki::new(&PathBuf::from(pki_dir));
    pki.ensure_dirs()?;
    let stdout = std::io::stdout();
    let stdin = std::io::stdin();
    let mut out = stdout.lock();
    let mut input = stdin.lock();
    keycli::run(&pki, &cli.action(), &cli.options(), &mut Io { out: &mut out, input: &mut input })?;
    Ok(ExitCode::SUCCESS)
}
