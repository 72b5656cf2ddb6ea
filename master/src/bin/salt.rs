//! `salt TGT FUN [ARGS]`: publish a function to the minions a target names
//! and print their returns as they arrive, as Salt's `salt` does.
//!
//! Exit status as Salt's: 0 when every minion returned with retcode 0, 1
//! ("ERROR: Minions returned with non-zero exit code") otherwise, 2 when no
//! return was received or the master could not be reached; with
//! `--progress`, 0 once the job is out (Salt counts no retcodes then).
//! It must not run anything itself: the master and the minions do.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use brine_common::config::{self, Role};
use brine_common::wire::{CliEvent, CliRequest, PublishRequest};
use brine_common::{Map, Value};
use brine_master::client::Client;
use brine_master::cliout::{Printer, Progress};
use brine_states::outputter::{Options as StateOptions, StateOutput};
use brine_master::context::int_opt;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "salt", version, about = "Run a function on brine minions")]
struct Cli {
    /// Directory holding the master configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    /// Seconds to wait for returns (default: `timeout` from the configuration, 5).
    #[arg(short = 't', long = "timeout")]
    timeout: Option<u64>,
    /// Publish and print the jid without waiting.
    #[arg(long = "async")]
    run_async: bool,
    /// Print the jid and the minions that did not return.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Print the jid.
    #[arg(long = "show-jid")]
    show_jid: bool,
    /// Do not print minions that did not return.
    #[arg(long = "hide-timeout")]
    hide_timeout: bool,
    /// Target by PCRE on the minion id.
    #[arg(short = 'E', long = "pcre")]
    pcre: bool,
    /// Target a comma-separated list of ids.
    #[arg(short = 'L', long = "list")]
    list: bool,
    /// Target by grain (`key:glob`).
    #[arg(short = 'G', long = "grain")]
    grain: bool,
    /// Target by grain with a PCRE.
    #[arg(short = 'P', long = "grain-pcre")]
    grain_pcre: bool,
    /// Target by pillar (`key:glob`).
    #[arg(short = 'I', long = "pillar")]
    pillar: bool,
    /// Target by pillar with a PCRE.
    #[arg(short = 'J', long = "pillar-pcre")]
    pillar_pcre: bool,
    /// Target by IP address or CIDR.
    #[arg(short = 'S', long = "ipcidr")]
    ipcidr: bool,
    /// Target a nodegroup from the master configuration.
    #[arg(short = 'N', long = "nodegroup")]
    nodegroup: bool,
    /// Target with a compound expression.
    #[arg(short = 'C', long = "compound")]
    compound: bool,
    /// Delimiter of nested grain and pillar keys.
    #[arg(long = "delimiter", default_value = ":")]
    delimiter: String,
    /// Outputter: nested, json, yaml, txt, raw, highstate, quiet.
    #[arg(long = "out", visible_alias = "output")]
    out: Option<String>,
    /// Highstate output mode: full, terse, mixed or changes (default: `state_output` from the configuration).
    #[arg(long = "state-output", visible_alias = "state_output")]
    state_output: Option<String>,
    /// `False` hides states that succeeded without changes (default: `state_verbose` from the configuration).
    #[arg(long = "state-verbose", visible_alias = "state_verbose")]
    state_verbose: Option<String>,
    /// No colours, even on a terminal.
    #[arg(long = "no-color", visible_alias = "no-colour")]
    no_color: bool,
    /// Colours even when the output is not a terminal.
    #[arg(long = "force-color", visible_alias = "force-colour")]
    force_color: bool,
    /// Run on this many minions at a time (`N` or `N%`).
    #[arg(short = 'b', long = "batch-size", visible_alias = "batch")]
    batch: Option<String>,
    /// Seconds to wait after a minion returns before starting the next one in a batch.
    #[arg(long = "batch-wait", default_value_t = 0.0)]
    batch_wait: f64,
    /// Display a progress bar of the returns (on stderr) and a summary instead of the returns.
    #[arg(long = "progress")]
    progress: bool,
    /// Log level (accepted for compatibility).
    #[arg(short = 'l', long = "log-level")]
    log_level: Option<String>,
    /// The target, the function and its arguments.
    #[arg(required = true, num_args = 2..)]
    words: Vec<String>,
}

impl Cli {
    fn tgt_type(&self) -> &'static str {
        let flags = [
            (self.pcre, "pcre"),
            (self.list, "list"),
            (self.grain, "grain"),
            (self.grain_pcre, "grain_pcre"),
            (self.pillar, "pillar"),
            (self.pillar_pcre, "pillar_pcre"),
            (self.ipcidr, "ipcidr"),
            (self.nodegroup, "nodegroup"),
            (self.compound, "compound"),
        ];
        flags.iter().find(|(on, _)| *on).map(|(_, t)| *t).unwrap_or("glob")
    }

    fn printer(&self, opts: &Map) -> Printer {
        Printer {
            out: self.out.clone(),
            verbose: self.verbose,
            show_jid: self.show_jid,
            hide_timeout: self.hide_timeout,
            state: self.state_options(opts),
            color: brine_states::outputter::color_wanted(self.force_color, self.no_color, opts),
        }
    }


    /// The highstate outputter's options: the CLI's, else the configuration's; an unknown mode prints `full` as Salt.
    fn state_options(&self, opts: &Map) -> StateOptions {
        let mode = self.state_output.clone().or_else(|| opts.get("state_output").map(Value::py_str)).unwrap_or_default();
        let verbose = match &self.state_verbose {
            Some(v) => !matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no" | "off"),
            None => opts.get("state_verbose").is_none_or(Value::truthy),
        };
        StateOptions { state_output: StateOutput::parse(&mode).unwrap_or_default(), verbose }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<u8> {
    let cli = Cli::parse();
    let opts = config::load(&cli.config_dir, Role::Master)
        .with_context(|| format!("loading the master configuration from {}", cli.config_dir.display()))?;
    let timeout = cli.timeout.filter(|t| *t > 0).unwrap_or_else(|| int_opt(&opts, "timeout", 5).max(1) as u64);
    let tgt_type = cli.tgt_type();
    let tgt = match tgt_type {
        "list" => Value::List(cli.words[0].split(',').map(|s| Value::str(s.trim())).collect()),
        _ => Value::str(&cli.words[0]),
    };
    let request = PublishRequest {
        tgt,
        tgt_type: tgt_type.to_string(),
        fun: cli.words[1].clone(),
        arg: cli.words[2..].iter().map(Value::str).collect(),
        kwarg: Map::default(),
        delimiter: cli.delimiter.clone(),
        timeout,
        wait: !cli.run_async,
    };
    if let Some(batch) = &cli.batch {
        return Ok(brine_master::batch::run(&opts, request, batch, cli.batch_wait, &cli.printer(&opts))?);
    }
    let mut client = Client::connect(&opts)?;
    client.send(&CliRequest::Publish(request))?;
    if cli.progress && !cli.run_async {
        return show_progress(&mut client, &cli);
    }
    show(&mut client, &cli, &cli.printer(&opts))
}

/// `--progress`, as Salt: a bar of the returns on stderr while they come,
/// then the returns summary on stdout; the exit status is 0 once published.
fn show_progress(client: &mut Client, cli: &Cli) -> anyhow::Result<u8> {
    let mut bar: Option<Bar> = None;
    while let Some(event) = client.next_event()? {
        match event {
            CliEvent::Published { minions, .. } if minions.is_empty() => {
                println!("No minions matched the target. No command was sent, no jid was assigned.");
                return Ok(0);
            }
            CliEvent::Published { jid, minions } => {
                if cli.show_jid {
                    println!("jid: {jid}");
                }
                bar = Some(Bar::start(minions.len()));
            }
            CliEvent::Return(r) => {
                if let Some(b) = bar.as_mut() {
                    b.progress.returned(&r);
                    b.update();
                }
            }
            CliEvent::NoReturn { id, reason } if !cli.hide_timeout => {
                if let Some(b) = bar.as_mut() {
                    b.progress.missing(&id, reason);
                }
            }
            CliEvent::Done => break,
            CliEvent::Error { message } => {
                eprintln!("{message}");
                eprintln!("ERROR: No return received");
                return Ok(2);
            }
            _ => {}
        }
    }
    if let Some(mut b) = bar {
        b.finish();
        println!("{}", b.progress.summary(cli.verbose));
    }
    Ok(0)
}

/// The bar on stderr and what it last showed.
struct Bar {
    progress: Progress,
    start: Instant,
    drawn_at: Instant,
    drawn: usize,
}

impl Bar {
    fn start(total: usize) -> Bar {
        let now = Instant::now();
        let mut bar = Bar { progress: Progress::new(total), start: now, drawn_at: now, drawn: 0 };
        bar.paint();
        bar
    }

    /// After a return: redraw at most every [`REDRAW`], and at the last return.
    fn update(&mut self) {
        let last = self.progress.returned == self.progress.total;
        if self.progress.returned != self.drawn && (last || self.drawn_at.elapsed() >= REDRAW) {
            self.paint();
        }
    }

    /// At the end: show the final count if it is not shown yet.
    fn finish(&mut self) {
        if self.progress.returned != self.drawn {
            self.paint();
        }
    }

    fn paint(&mut self) {
        let mut err = std::io::stderr();
        let _ = err.write_all(self.progress.bar(self.start.elapsed(), term_width()).as_bytes());
        let _ = err.flush();
        self.drawn = self.progress.returned;
        self.drawn_at = Instant::now();
    }
}

/// The bar is redrawn at most this often while returns pour in (and at the last one).
const REDRAW: Duration = Duration::from_millis(100);

/// The width of the terminal on stderr, else `COLUMNS` - 1, else 79 (as `progressbar`).
fn term_width() -> usize {
    // SAFETY: TIOCGWINSZ writes only into the winsize we own.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    if unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut ws) } == 0 && ws.ws_col > 0 {
        return usize::from(ws.ws_col);
    }
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()).unwrap_or(80);
    columns.saturating_sub(1)
}

/// Print events until the master is done; the exit status.
fn show(client: &mut Client, cli: &Cli, printer: &Printer) -> anyhow::Result<u8> {
    let mut stdout = std::io::stdout();
    let mut jid = String::new();
    let mut retcodes = Vec::new();
    while let Some(event) = client.next_event()? {
        match event {
            CliEvent::Published { minions, .. } if minions.is_empty() => {
                println!("No minions matched the target. No command was sent, no jid was assigned.");
                eprintln!("ERROR: No return received");
                return Ok(2);
            }
            CliEvent::Published { jid: j, .. } if cli.run_async => {
                println!("Executed command with job ID: {j}");
                return Ok(0);
            }
            CliEvent::Published { jid: j, .. } => {
                if let Some(text) = printer.published(&j) {
                    println!("{text}");
                }
                jid = j;
            }
            CliEvent::Return(r) => {
                println!("{}", printer.minion_return(&r));
                retcodes.push(r.retcode);
            }
            CliEvent::NoReturn { id, reason } => {
                if let Some(text) = printer.no_return(&id, reason, &jid) {
                    println!("{text}");
                    retcodes.push(1);
                }
            }
            CliEvent::Done => break,
            CliEvent::Error { message } => {
                eprintln!("{message}");
                eprintln!("ERROR: No return received");
                return Ok(2);
            }
            CliEvent::RunnerResult { .. } => {}
        }
        let _ = stdout.flush();
    }
    if retcodes.iter().any(|c| *c != 0) {
        eprintln!("ERROR: Minions returned with non-zero exit code");
        return Ok(1);
    }
    Ok(0)
}
