//! Times the master's fileserver in-process, as a minion's `File` requests
//! reach it: every file of `base`, sent whole (no cached hash: read, sha256,
//! base64; the first round separately, before any cache of the backend is
//! warm) and answered `Unchanged` (the minion's hash matches). Prints one
//! JSON line of figures; `bench/gitfs.py` runs it for `roots` and `gitfs`.
//!
//! Usage: fileserver_bench MASTER_CONFIG_DIR ROUNDS
//!
//! It must not change the tree it reads.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use brine_common::config::{self, Role};
use brine_common::wire::FileReply;
use brine_master::fileserver::Fileserver;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(rounds)) = (args.get(1), args.get(2).and_then(|r| r.parse::<usize>().ok())) else {
        eprintln!("usage: fileserver_bench MASTER_CONFIG_DIR ROUNDS");
        return ExitCode::from(2);
    };
    match run(&PathBuf::from(dir), rounds) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

fn run(dir: &std::path::Path, rounds: usize) -> Result<String, Box<dyn std::error::Error>> {
    let opts = config::load(dir, Role::Master)?;
    let files = Fileserver::from_opts(&opts)?;
    let t = Instant::now();
    let errors = files.update(None);
    let update_ms = t.elapsed().as_secs_f64() * 1e3;
    if !errors.is_empty() {
        return Err(errors.join("; ").into());
    }
    let paths = files.file_list("base", None);
    if paths.is_empty() {
        return Err("the fileserver lists no files in base".into());
    }
    let (full, bytes, hashes) = time_full(&files, &paths, rounds);
    let unchanged = time_unchanged(&files, &paths, &hashes, rounds);
    let line = serde_json::json!({
        "files": paths.len(),
        "update_ms": update_ms,
        "bytes": bytes,
        "first_us": summary(&full[..paths.len()]),
        "full_us": summary(&full),
        "unchanged_us": summary(&unchanged),
        "full_mb_s": bytes as f64 * rounds as f64 / full.iter().sum::<f64>(),
    });
    Ok(line.to_string())
}

/// Fetch every file `rounds` times without a hash: latencies (µs), bytes of one round, the hashes.
fn time_full(files: &Fileserver, paths: &[String], rounds: usize) -> (Vec<f64>, usize, Vec<String>) {
    let (mut lat, mut bytes, mut hashes) = (Vec::new(), 0, Vec::new());
    for round in 0..rounds {
        for p in paths {
            let t = Instant::now();
            let reply = files.file("base", p, None, 0);
            lat.push(t.elapsed().as_secs_f64() * 1e6);
            if let (0, FileReply::Content { data, hash, .. }) = (round, reply) {
                bytes += data.len() * 3 / 4;
                hashes.push(hash);
            }
        }
    }
    (lat, bytes, hashes)
}

/// Ask for every file with its current hash `rounds` times: latencies (µs).
fn time_unchanged(files: &Fileserver, paths: &[String], hashes: &[String], rounds: usize) -> Vec<f64> {
    let mut lat = Vec::new();
    for _ in 0..rounds {
        for (p, h) in paths.iter().zip(hashes) {
            let t = Instant::now();
            let _ = files.file("base", p, Some(h), 0);
            lat.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    lat
}

/// Mean, median and 99th percentile.
fn summary(lat: &[f64]) -> serde_json::Value {
    let mut sorted = lat.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted.get(((sorted.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    serde_json::json!({"mean": lat.iter().sum::<f64>() / lat.len().max(1) as f64, "p50": at(0.5), "p99": at(0.99)})
}
