//! Starting a daemon process as Salt's do: the `-d`, `-l`, `--log-file`,
//! `--log-file-level` and `--pid-file` options, detaching, the log and the
//! pid file, in that order (the fork comes before any thread exists).
//!
//! It must not start the daemon's work: the binary does, after [`start`].

use std::path::PathBuf;

use crate::{Map, Value};

use crate::daemon::logging;
use crate::daemon::process::{self, PidFile};
use crate::daemon::DaemonError;

/// The command-line options every brine daemon takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DaemonArgs {
    /// Run in the background.
    #[arg(short = 'd', long = "daemon")]
    pub daemon: bool,
    /// Console log level: garbage, trace, debug, info, warning, error, critical, quiet.
    #[arg(short = 'l', long = "log-level")]
    pub log_level: Option<String>,
    /// Log file path (default: `log_file` from the configuration).
    #[arg(long = "log-file")]
    pub log_file: Option<PathBuf>,
    /// Log file level (default: `log_level_logfile`, else the console level).
    #[arg(long = "log-file-level")]
    pub log_file_level: Option<String>,
    /// Pid file path (default: `pidfile` from the configuration).
    #[arg(long = "pid-file")]
    pub pid_file: Option<PathBuf>,
}

fn opt(opts: &Map, key: &str) -> Option<String> {
    opts.get(key).filter(|v| !v.is_null()).map(Value::py_str)
}

/// Detach if asked, install the log, write the pid file.
pub fn start(opts: &Map, args: &DaemonArgs) -> Result<PidFile, DaemonError> {
    let console = args.log_level.clone().or_else(|| opt(opts, "log_level")).unwrap_or_else(|| "warning".into());
    let file_level = args.log_file_level.clone().or_else(|| opt(opts, "log_level_logfile")).unwrap_or_else(|| console.clone());
    let log_file = args.log_file.clone().or_else(|| opt(opts, "log_file").map(PathBuf::from));
    let pid_file = args.pid_file.clone().or_else(|| opt(opts, "pidfile").map(PathBuf::from));
    if args.daemon {
        process::daemonize()?;
    }
    logging::init(&console, log_file.as_deref(), &file_level)?;
    match pid_file {
        Some(p) => PidFile::create(&p),
        None => Err(DaemonError::Process("no pid file configured".into())),
    }
}
