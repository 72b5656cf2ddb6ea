//! `salt-master`: the brine master daemon. Listens for minions on its TLS
//! port and for `salt`/`salt-run` on its local socket; stops cleanly on
//! SIGTERM or SIGINT.
//!
//! It must not do the work itself: it wires up `brine_master`'s parts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use brine_common::config::{self, Role};
use brine_common::daemon::boot::{self, DaemonArgs};
use brine_common::daemon::process::{self, shutdown_signal};
use brine_master::context::{int_opt, Master};
use brine_master::jobcache::keep_jobs_seconds;
use brine_master::{cliserver, listener};
use clap::Parser;
use tokio::sync::watch;

brine_common::no_huge_pages_before_main!();

#[derive(Parser, Debug)]
#[command(name = "salt-master", version, about = "The brine master daemon")]
struct Cli {
    /// Directory holding the master configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    #[command(flatten)]
    daemon: DaemonArgs,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e:#}");
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config_dir = std::path::absolute(&cli.config_dir).unwrap_or(cli.config_dir.clone());
    let opts = config::load(&config_dir, Role::Master)
        .with_context(|| format!("loading the master configuration from {}", config_dir.display()))?;
    let _pid = boot::start(&opts, &cli.daemon)?;
    raise_open_files(&opts);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(opts))
}

async fn serve(opts: brine_common::Map) -> anyhow::Result<()> {
    // Loading blocks (the job cache may connect to PostgreSQL).
    let master = Arc::new(tokio::task::spawn_blocking(move || Master::load(opts)).await??);
    let first = master.clone();
    tokio::task::spawn_blocking(move || (first.files.update(None), first.git_pillar.update())).await?;
    let tcp = listener::bind(&master).await?;
    let sock = cliserver::bind(&cliserver::socket_path(&master.opts))?;
    let (stop_tx, stop_rx) = watch::channel(false);
    log::info!("salt-master listening on {}", tcp.local_addr().map(|a| a.to_string()).unwrap_or_default());
    let minions = tokio::spawn(listener::serve(master.clone(), tcp, stop_rx.clone()));
    let clis = tokio::spawn(cliserver::serve(master.clone(), sock, stop_rx.clone()));
    let pruner = tokio::spawn(prune_jobs(master.clone(), stop_rx.clone()));
    let updater = tokio::spawn(update_files(master.clone(), stop_rx));
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = minions.await;
        let _ = clis.await;
        let _ = pruner.await;
        let _ = updater.await;
    })
    .await;
    let _ = std::fs::remove_file(cliserver::socket_path(&master.opts));
    log::info!("salt-master stopped");
    Ok(())
}

/// Each minion session holds a socket: raise the soft limit on open files to
/// `max_open_files` (Salt's default: 100000), or the hard limit if lower.
fn raise_open_files(opts: &brine_common::Map) {
    let wanted = u64::try_from(int_opt(opts, "max_open_files", 100_000)).unwrap_or(100_000);
    if let Err(e) = process::raise_open_files(wanted) {
        log::warn!("{e}");
    }
}

/// Drop jobs older than `keep_jobs_seconds` (or the older `keep_jobs` hours), hourly; `0` keeps them.
async fn prune_jobs(master: Arc<Master>, mut stop: watch::Receiver<bool>) {
    let keep = keep_jobs_seconds(&master.opts);
    if keep == 0 {
        return;
    }
    loop {
        let jobs = master.jobs.clone();
        match tokio::task::spawn_blocking(move || jobs.prune(keep)).await {
            Ok(Ok(n)) if n > 0 => log::info!("pruned {n} job(s) from the job cache"),
            Ok(Err(e)) => log::warn!("{e}"),
            _ => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Update the fileserver backends (gitfs fetches) and git_pillar every `gitfs_update_interval` seconds.
async fn update_files(master: Arc<Master>, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(u64::try_from(int_opt(&master.opts, "gitfs_update_interval", 60)).unwrap_or(60).max(1));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        let m = master.clone();
        // Errors are logged by the backends; a failed remote keeps serving its last fetch.
        let _ = tokio::task::spawn_blocking(move || (m.files.update(None), m.git_pillar.update())).await;
    }
}
