//! `salt-call`: run one function on this minion and print its return.
//!
//! Only the masterless mode (`--local`, or `file_client: local`) exists until
//! the master arrives. Exit status as Salt's: 0 on success, 1 when the
//! function failed (or its exact retcode with `--retcode-passthrough`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use brine_common::{output, Map, Value};
use brine_states::outputter::{self, RenderOptions};
use brine_minion::args::parse_input;
use brine_minion::local::{LocalMinion, Overrides};
use clap::Parser;

brine_common::no_huge_pages_before_main!();

/// Rendering and compiling allocate many small strings and maps; mimalloc
/// serves those markedly faster than glibc's allocator.
#[global_allocator]
static GLOBAL: brine_minion::alloc::PaddedMiMalloc = brine_minion::alloc::PaddedMiMalloc;

#[derive(Parser, Debug)]
#[command(name = "salt-call", version, about = "Run a brine function on this minion", args_override_self = true)]
struct Cli {
    /// Directory holding the minion configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    /// Run without a master, from the local file_roots and pillar_roots.
    #[arg(long)]
    local: bool,
    /// Outputter: nested, json, yaml, txt, text, raw, quiet, highstate.
    #[arg(long = "out", visible_alias = "output")]
    out: Option<String>,
    /// Disable all colored output.
    #[arg(long = "no-color", visible_alias = "no-colour")]
    no_color: bool,
    /// Force colored output.
    #[arg(long = "force-color", visible_alias = "force-colour")]
    force_color: bool,
    /// Override the configured state_output: full, terse, mixed, changes (each also with _id).
    #[arg(long = "state-output", visible_alias = "state_output")]
    state_output: Option<String>,
    /// Override the configured state_verbose: True or False.
    #[arg(long = "state-verbose", visible_alias = "state_verbose")]
    state_verbose: Option<String>,
    /// Report only those states that have changed.
    #[arg(long = "output-diff")]
    output_diff: bool,
    /// Log level (accepted for compatibility; brine logs warnings and errors).
    #[arg(short = 'l', long = "log-level", default_value = "warning")]
    log_level: String,
    /// Use this directory as the base file root.
    #[arg(long = "file-root")]
    file_root: Option<PathBuf>,
    /// Use this directory as the base pillar root.
    #[arg(long = "pillar-root")]
    pillar_root: Option<PathBuf>,
    /// Minion id to use instead of the configured one.
    #[arg(long = "id")]
    id: Option<String>,
    /// Exit with the function's own retcode.
    #[arg(long = "retcode-passthrough")]
    retcode_passthrough: bool,
    /// Print all grains (same as `grains.items`).
    #[arg(short = 'g', long = "grains")]
    grains: bool,
    /// The function and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    call: Vec<String>,
}

fn main() -> ExitCode {
    brine_minion::alloc::short_run();
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let argv = brine_minion::args::intersperse_options(
        std::env::args().collect(),
        &[
            "-c", "--config-dir", "--out", "--output", "-l", "--log-level", "--file-root", "--pillar-root", "--id",
            "--state-output", "--state_output", "--state-verbose", "--state_verbose",
        ],
        &[
            "--local", "--retcode-passthrough", "-g", "--grains", "--no-color", "--no-colour", "--force-color",
            "--force-colour", "--output-diff",
        ],
    );
    let cli = Cli::parse_from(argv);
    let mut words = cli.call.clone();
    if cli.grains {
        words = vec!["grains.items".into()];
    }
    let Some(fun) = words.first().cloned() else {
        anyhow::bail!("no function given; usage: salt-call [options] <function> [arguments]");
    };
    let ov = Overrides { file_root: cli.file_root.clone(), pillar_root: cli.pillar_root.clone(), id: cli.id.clone() };
    let minion = LocalMinion::load(&cli.config_dir, &ov)
        .with_context(|| format!("loading the minion configuration from {}", cli.config_dir.display()))?;
    let call = parse_input(&words[1..]);
    let outcome = minion.call(&fun, &call);
    let retcode = outcome.retcode;
    let mut wrapped = Map::default();
    wrapped.insert("local".into(), outcome.ret);
    let wrapped = Value::Map(wrapped);
    let out = outputter_name(&cli, &minion.opts, &fun);
    if display::known(&out).is_none() {
        eprintln!("{}", display::unknown_message(&out));
    }
    let opts = display::options(&cli, &minion.opts, retcode.into());
    print_output(&out, &wrapped, &opts)?;
    // The process ends right after: the kernel takes a large return back
    // at once, where dropping it would free it node by node.
    std::mem::forget(wrapped);
    let code = match (retcode, cli.retcode_passthrough) {
        (0, _) => 0,
        (rc, true) => rc.clamp(1, 255) as u8,
        (_, false) => 1,
    };
    Ok(ExitCode::from(code))
}

/// Salt's choice: `--out` (or the config's `output`) unless it is
/// `highstate`, else the function's own outputter.
fn outputter_name(cli: &Cli, opts: &Map, fun: &str) -> String {
    let asked = cli.out.clone().or_else(|| opts.get("output").and_then(Value::as_str).map(str::to_string));
    match asked {
        Some(o) if o != "highstate" => o,
        _ => brine_minion::dispatch::outputter(fun).into(),
    }
}

/// Print through one buffered, locked stdout (returns can be megabytes);
/// an empty rendering prints nothing, not even a newline, as Salt.
fn print_output(out: &str, v: &Value, opts: &RenderOptions) -> std::io::Result<()> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if out == "json" {
        output::write_json(v, &mut w)?;
    } else {
        let text = outputter::render(out, v, opts);
        if text.is_empty() {
            return Ok(());
        }
        w.write_all(text.as_bytes())?;
    }
    w.write_all(b"\n")?;
    w.flush()
}

/// Display options from the command line over the minion config, as Salt
/// merges them.
mod display {
    use super::Cli;
    use brine_common::{Map, Value};
    use brine_states::outputter::{Extras, Options, Outputter, RenderOptions, StateOutput};

    /// Outputters Salt has that brine does not: they print as `nested`.
    const SALT_ONLY: &[&str] = &[
        "dson", "key", "newline_values_only", "no_return", "overstatestage", "pony", "pprint", "profile",
        "progress", "table", "virt_query",
    ];

    /// The outputter for `name`; `grains` is nested without complaint, as in Salt.
    pub fn known(name: &str) -> Option<Outputter> {
        if name == "grains" {
            return Some(Outputter::Nested);
        }
        Outputter::parse(name)
    }

    /// The error line printed for an outputter brine cannot print.
    pub fn unknown_message(name: &str) -> String {
        if SALT_ONLY.contains(&name) {
            return format!("[ERROR   ] The {name} outputter is not available here, fall back to nested");
        }
        format!("[ERROR   ] Invalid outputter {name} specified, fall back to nested")
    }

    /// Salt's `state_verbose` option: `True`/`true` and `False`/`false` are
    /// booleans, any other text counts by its truth (empty is false).
    fn verbose_flag(text: &str) -> bool {
        match text {
            "True" | "true" => true,
            "False" | "false" => false,
            other => !other.is_empty(),
        }
    }

    fn flag(cli: bool, opts: &Map, key: &str) -> bool {
        cli || opts.get(key).is_some_and(Value::truthy)
    }

    pub fn options(cli: &Cli, opts: &Map, retcode: i64) -> RenderOptions {
        let mode = cli.state_output.clone().or_else(|| opts.get("state_output").map(Value::py_str));
        let verbose = match &cli.state_verbose {
            Some(text) => verbose_flag(text),
            None => opts.get("state_verbose").is_none_or(Value::truthy),
        };
        let state_output = mode.as_deref().and_then(StateOutput::parse).unwrap_or_default();
        let extras = Extras {
            profile: opts.get("state_output_profile").is_none_or(Value::truthy),
            diff: flag(cli.output_diff, opts, "state_output_diff"),
            pct: flag(false, opts, "state_output_pct"),
            tabular: opts.get("state_tabular") == Some(&Value::Bool(true)),
        };
        RenderOptions { state: Options { state_output, verbose }, extras, color: brine_states::outputter::color_wanted(cli.force_color, cli.no_color, opts), retcode }
    }
}
