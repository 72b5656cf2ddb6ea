//! `salt-minion`: the brine minion daemon. Keeps a TLS session with its
//! master, runs the jobs published to it and returns their results; stops
//! cleanly on SIGTERM or SIGINT (running jobs get a few seconds to finish
//! and spool their returns).
//!
//! Exit status: 0 when stopped, 77 when the master rejected the key, 1 on a
//! startup error. It must not do the work itself: `brine_minion::daemon` does.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use brine_common::Value;
use brine_common::daemon::boot::{self, DaemonArgs};
use brine_common::daemon::process::shutdown_signal;
use brine_minion::daemon::{self, Minion};
use brine_minion::setup::{self, Overrides};
use clap::Parser;
use tokio::sync::watch;

brine_common::no_huge_pages_before_main!();

/// The runtime's worker threads: a minion's async work is one session with
/// its master (jobs run in blocking threads), so one worker per core of a
/// large host would only hold memory.
const WORKERS: usize = 2;

#[derive(Parser, Debug)]
#[command(name = "salt-minion", version, about = "The brine minion daemon")]
struct Cli {
    /// Directory holding the minion configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    /// Minion id to use instead of the configured one.
    #[arg(long = "id")]
    id: Option<String>,
    #[command(flatten)]
    daemon: DaemonArgs,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            log::error!("{e:#}");
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> anyhow::Result<u8> {
    let cli = Cli::parse();
    let config_dir = std::path::absolute(&cli.config_dir).unwrap_or(cli.config_dir.clone());
    let ov = Overrides { id: cli.id.clone(), ..Overrides::default() };
    let (opts, grains) = setup::load(&config_dir, &ov, &[])
        .with_context(|| format!("loading the minion configuration from {}", config_dir.display()))?;
    let id = opts.get("id").map(Value::py_str).unwrap_or_default();
    anyhow::ensure!(brine_minion::daemon::valid_id(&id), "invalid minion id {id:?}");
    let _pid = boot::start(&opts, &cli.daemon)?;
    let minion = Arc::new(Minion::new(opts, grains)?);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(WORKERS).enable_all().build()?;
    let code = runtime.block_on(async move {
        let (stop_tx, stop_rx) = watch::channel(false);
        let work = tokio::spawn(daemon::run(minion, stop_rx));
        tokio::select! {
            code = work => code.unwrap_or(1),
            _ = shutdown_signal() => {
                let _ = stop_tx.send(true);
                0
            }
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(5));
    log::info!("salt-minion stopped");
    Ok(u8::try_from(code).unwrap_or(1))
}
