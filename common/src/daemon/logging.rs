//! The daemons' log, in Salt's formats: `[WARNING ] message` on the console,
//! `2024-01-01 12:00:00,123 [module           ][WARNING ][1234] message` in
//! the log file. Levels are Salt's names (`garbage`, `trace`, `debug`,
//! `info`, `warning`, `error`, `critical`, `quiet`).
//!
//! It must not decide what is logged: callers use the `log` macros.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::daemon::DaemonError;

/// A Salt level name as a `log` filter (unknown names mean `warning`).
pub fn level_filter(name: &str) -> LevelFilter {
    match name.to_ascii_lowercase().as_str() {
        "all" | "garbage" | "trace" | "profile" => LevelFilter::Trace,
        "debug" => LevelFilter::Debug,
        "info" => LevelFilter::Info,
        "error" | "critical" => LevelFilter::Error,
        "quiet" => LevelFilter::Off,
        _ => LevelFilter::Warn,
    }
}

struct Logger {
    console: LevelFilter,
    file: Option<(Mutex<std::fs::File>, LevelFilter)>,
}

fn salt_level(level: Level) -> &'static str {
    match level {
        Level::Error => "ERROR",
        Level::Warn => "WARNING",
        Level::Info => "INFO",
        Level::Debug => "DEBUG",
        Level::Trace => "TRACE",
    }
}

/// Third-party crates (rustls, ...) log at most `info` unless tracing.
fn allowed(meta: &Metadata, filter: LevelFilter) -> bool {
    let own = meta.target().starts_with("brine") || meta.target().starts_with("salt");
    let cap = if own || filter == LevelFilter::Trace { filter } else { filter.min(LevelFilter::Info) };
    meta.level() <= cap
}

impl Log for Logger {
    fn enabled(&self, meta: &Metadata) -> bool {
        allowed(meta, self.console) || self.file.as_ref().is_some_and(|(_, f)| allowed(meta, *f))
    }

    fn log(&self, record: &Record) {
        let level = salt_level(record.level());
        if allowed(record.metadata(), self.console) {
            eprintln!("[{level:<8}] {}", record.args());
        }
        if let Some((file, filter)) = &self.file {
            if allowed(record.metadata(), *filter) {
                let line = format!(
                    "{} [{:<17}][{level:<8}][{}] {}\n",
                    timestamp(),
                    record.target(),
                    std::process::id(),
                    record.args()
                );
                if let Ok(mut f) = file.lock() {
                    let _ = f.write_all(line.as_bytes());
                }
            }
        }
    }

    fn flush(&self) {
        if let Some((file, _)) = &self.file {
            if let Ok(mut f) = file.lock() {
                let _ = f.flush();
            }
        }
    }
}

/// Install the logger: console at `console_level`, and `log_file` (appended,
/// its directory created) at `file_level`.
pub fn init(console_level: &str, log_file: Option<&Path>, file_level: &str) -> Result<(), DaemonError> {
    let file = match log_file {
        Some(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| DaemonError::io(dir, e))?;
            }
            let f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| DaemonError::io(path, e))?;
            Some((Mutex::new(f), level_filter(file_level)))
        }
        None => None,
    };
    let console = level_filter(console_level);
    let max = file.as_ref().map_or(console, |(_, f)| console.max(*f));
    log::set_boxed_logger(Box::new(Logger { console, file })).map_err(|e| DaemonError::Process(e.to_string()))?;
    log::set_max_level(max);
    Ok(())
}

/// Local time as Salt's log timestamp: `YYYY-MM-DD hh:mm:ss,mmm`.
fn timestamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r writes only into the `tm` we own.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    if unsafe { libc::localtime_r(&secs, &mut tm) }.is_null() {
        return format!("{secs}");
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_level_names_map() {
        assert_eq!(level_filter("warning"), LevelFilter::Warn);
        assert_eq!(level_filter("garbage"), LevelFilter::Trace);
        assert_eq!(level_filter("quiet"), LevelFilter::Off);
        assert_eq!(salt_level(Level::Warn), "WARNING");
        assert_eq!(timestamp().len(), 23);
    }
}
