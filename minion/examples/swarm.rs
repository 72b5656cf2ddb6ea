//! A swarm of minions in one process, for benchmarks (`bench/swarm.py`):
//! N identities `<prefix>0001`, ... each with its own ed25519 key, pki and
//! cache directories under the configured `root_dir` and its own TLS session
//! to the master, all run by the real daemon code (`brine_minion::daemon`) in
//! one tokio runtime. Grains are gathered once and copied to each identity
//! with its `id`.
//!
//!     cargo run --release -p brine-minion --example swarm -- -c CONF_DIR -n 1000
//!
//! It stops on SIGTERM or SIGINT. It must not be installed or used as a
//! minion: it exists to load a master with many sessions.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use brine_common::daemon::process::{raise_open_files, shutdown_signal};
use brine_common::{Map, Value};
use brine_minion::daemon::{self, Minion};
use brine_minion::setup::{self, Overrides};
use clap::Parser;
use tokio::sync::watch;

#[derive(Parser, Debug)]
#[command(name = "swarm", about = "Run many minion identities in one process")]
struct Cli {
    /// Directory holding the minion configuration shared by every identity.
    #[arg(short = 'c', long = "config-dir")]
    config_dir: PathBuf,
    /// How many identities to run.
    #[arg(short = 'n', long = "count", default_value_t = 10)]
    count: usize,
    /// Prefix of the ids (followed by a four-digit number from 0001).
    #[arg(long = "prefix", default_value = "swarm-")]
    prefix: String,
    /// Console log level.
    #[arg(short = 'l', long = "log-level", default_value = "warning")]
    log_level: String,
    /// Milliseconds between starting two identities (spreads the handshakes).
    #[arg(long = "stagger-ms", default_value_t = 2)]
    stagger_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    brine_common::daemon::logging::init(&cli.log_level, None, &cli.log_level)?;
    raise_open_files(u64::MAX)?;
    let (opts, grains) = setup::load(&cli.config_dir, &Overrides::default(), &[])
        .with_context(|| format!("loading the minion configuration from {}", cli.config_dir.display()))?;
    let root = setup::path_opt(&opts, "root_dir", "/");
    let minions = (1..=cli.count)
        .map(|i| identity(&opts, &grains, &root, &format!("{}{i:04}", cli.prefix)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(minions, Duration::from_millis(cli.stagger_ms)));
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// One identity: the shared options with its own id, pki and cache directories.
fn identity(opts: &Map, grains: &Map, root: &std::path::Path, id: &str) -> anyhow::Result<Arc<Minion>> {
    anyhow::ensure!(daemon::valid_id(id), "invalid minion id {id:?}");
    let dir = root.join(id);
    let mut opts = opts.clone();
    opts.insert("id".into(), Value::str(id));
    opts.insert("pki_dir".into(), Value::Str(dir.join("pki").display().to_string()));
    opts.insert("cachedir".into(), Value::Str(dir.join("cache").display().to_string()));
    let mut grains = grains.clone();
    grains.insert("id".into(), Value::str(id));
    Ok(Arc::new(Minion::new(opts, grains).with_context(|| format!("preparing minion {id}"))?))
}

/// Run every identity until SIGTERM or SIGINT.
async fn run(minions: Vec<Arc<Minion>>, stagger: Duration) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let count = minions.len();
    let mut tasks = tokio::task::JoinSet::new();
    let start = async {
        for m in minions {
            tasks.spawn(daemon::run(m, stop_rx.clone()));
            tokio::time::sleep(stagger).await;
        }
        log::warn!("swarm: {count} minions started");
        std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = start => {}
        _ = shutdown_signal() => {}
    }
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}
