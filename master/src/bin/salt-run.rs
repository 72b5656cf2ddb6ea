//! `salt-run FUN [ARGS]`: run a runner function inside the master
//! (`jobs.list_jobs`, `jobs.lookup_jid`, `manage.up`, `manage.down`,
//! `manage.status`, `fileserver.envs`, `fileserver.file_list`) and print its
//! return with the nested outputter (or `--out`).
//!
//! It must not read the master's caches itself: the master answers.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use brine_common::config::{self, Role};
use brine_common::wire::{CliEvent, CliRequest};
use brine_common::{Map, Value};
use brine_master::client::Client;
use brine_master::cliout::render;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "salt-run", version, about = "Run a brine runner function on the master")]
struct Cli {
    /// Directory holding the master configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    /// Outputter: nested, json, yaml, txt, raw.
    #[arg(long = "out", visible_alias = "output")]
    out: Option<String>,
    /// Log level (accepted for compatibility).
    #[arg(short = 'l', long = "log-level")]
    log_level: Option<String>,
    /// The function and its arguments (`key=value` words are keyword arguments).
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::from(1)
        }
    }
}

/// `name=value` words become keyword arguments; values stay strings.
fn split_args(words: &[String]) -> (Vec<Value>, Map) {
    let mut args = Vec::new();
    let mut kwargs = Map::default();
    for w in words {
        match w.split_once('=') {
            Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                kwargs.insert(k.to_string(), Value::str(v));
            }
            _ => args.push(Value::str(w)),
        }
    }
    (args, kwargs)
}

fn run() -> anyhow::Result<u8> {
    let cli = Cli::parse();
    let opts = config::load(&cli.config_dir, Role::Master)
        .with_context(|| format!("loading the master configuration from {}", cli.config_dir.display()))?;
    let (arg, kwarg) = split_args(&cli.words[1..]);
    let mut client = Client::connect(&opts)?;
    client.send(&CliRequest::Runner { fun: cli.words[0].clone(), arg, kwarg })?;
    while let Some(event) = client.next_event()? {
        match event {
            CliEvent::RunnerResult { ret, retcode } => {
                println!("{}", render(cli.out.as_deref().unwrap_or("nested"), &ret));
                return Ok(if retcode == 0 { 0 } else { 1 });
            }
            CliEvent::Error { message } => {
                eprintln!("{message}");
                return Ok(1);
            }
            _ => {}
        }
    }
    anyhow::bail!("the master closed the connection without an answer")
}
