//! `salt-call`: run one function on this minion and print its return.
//!
//! Only the masterless mode (`--local`, or `file_client: local`) exists until
//! the master arrives. Exit status as Salt's: 0 on success, 1 when the
//! function failed (or its exact retcode with `--retcode-passthrough`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use brine_common::{output, Map, Value};
use brine_minion::args::parse_input;
use brine_minion::local::{LocalMinion, Overrides};
use clap::Parser;

/// Rendering and compiling allocate many small strings and maps; mimalloc
/// serves those markedly faster than glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "salt-call", version, about = "Run a brine function on this minion")]
struct Cli {
    /// Directory holding the minion configuration file.
    #[arg(short = 'c', long = "config-dir", default_value = "/etc/salt")]
    config_dir: PathBuf,
    /// Run without a master, from the local file_roots and pillar_roots.
    #[arg(long)]
    local: bool,
    /// Outputter: nested, json, yaml, txt, highstate.
    #[arg(long = "out", visible_alias = "output")]
    out: Option<String>,
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
        &["-c", "--config-dir", "--out", "--output", "-l", "--log-level", "--file-root", "--pillar-root", "--id"],
        &["--local", "--retcode-passthrough", "-g", "--grains"],
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
    let mut wrapped = Map::new();
    wrapped.insert("local".into(), outcome.ret);
    let wrapped = Value::Map(wrapped);
    let out = cli.out.clone().unwrap_or_else(|| brine_minion::dispatch::outputter(&fun).into());
    print_output(&out, &wrapped)?;
    let code = match (retcode, cli.retcode_passthrough) {
        (0, _) => 0,
        (rc, true) => rc.clamp(1, 255) as u8,
        (_, false) => 1,
    };
    Ok(ExitCode::from(code))
}

/// Print through one buffered, locked stdout (returns can be megabytes).
fn print_output(out: &str, v: &Value) -> std::io::Result<()> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if out == "json" {
        output::write_json(v, &mut w).map_err(std::io::Error::other)?;
    } else {
        w.write_all(render_output(out, v).as_bytes())?;
    }
    w.write_all(b"\n")?;
    w.flush()
}

fn render_output(out: &str, v: &Value) -> String {
    match out {
        "json" => output::json(v),
        "yaml" => output::yaml(v),
        "txt" => output::txt(v),
        "highstate" => brine_states::outputter::highstate(v),
        _ => output::nested(v),
    }
}
