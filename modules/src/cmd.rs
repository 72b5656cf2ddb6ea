//! The `cmd` execution module: run, run_all, run_stdout, retcode, which.
//!
//! It builds the argv (shell or shlex split), the environment (Salt's C locale
//! defaults, `env`, `prepend_path`), the working directory and user, runs the
//! command through the [`ProcessRunner`](crate::ProcessRunner) in the context,
//! and shapes the result as Salt does (rstrip, success_retcodes, timeout
//! message). It must not know about states: `cmd.run` the *state* lives in
//! brine-states and calls [`run_all`] through the registry.

use std::path::{Path, PathBuf};
use std::time::Duration;

use brine_common::{Map, Value};

use crate::args::{opt, req, ArgDefault, Param, Signature};
use crate::process::{ProcOutput, ProcSpec};
use crate::{shlex, sys, Bound, Ctx, Function, Module, ModuleError};

pub const MODULE: Module = Module {
    name: "cmd",
    functions: &[
        Function { name: "run", sig: sig(RUN_PARAMS), run },
        Function { name: "shell", sig: sig(RUN_PARAMS), run: shell },
        Function { name: "run_all", sig: sig(RUN_ALL_PARAMS), run: run_all_fn },
        Function { name: "run_stdout", sig: sig(RUN_ALL_PARAMS), run: run_stdout },
        Function { name: "retcode", sig: sig(RUN_ALL_PARAMS), run: retcode },
        Function {
            name: "which",
            sig: Signature { params: &[req("cmd")], varargs: None, kwargs: false },
            run: which_fn,
        },
        Function {
            name: "has_exec",
            sig: Signature { params: &[req("cmd")], varargs: None, kwargs: false },
            run: has_exec,
        },
    ],
};

const fn sig(params: &'static [Param]) -> Signature {
    Signature { params, varargs: None, kwargs: true }
}

const N: ArgDefault = ArgDefault::None;

macro_rules! run_params {
    ($redirect:expr) => {
        &[
            req("cmd"),
            opt("cwd", N),
            opt("stdin", N),
            opt("runas", N),
            opt("group", N),
            opt("shell", N),
            opt("python_shell", N),
            opt("env", N),
            opt("clean_env", ArgDefault::Bool(false)),
            opt("template", N),
            opt("rstrip", ArgDefault::Bool(true)),
            opt("umask", N),
            opt("output_encoding", N),
            opt("output_loglevel", ArgDefault::Str("debug")),
            opt("log_callback", N),
            opt("hide_output", ArgDefault::Bool(false)),
            opt("timeout", N),
            opt("reset_system_locale", ArgDefault::Bool(true)),
            opt("ignore_retcode", ArgDefault::Bool(false)),
            opt("saltenv", N),
            opt("use_vt", ArgDefault::Bool(false)),
            opt("redirect_stderr", ArgDefault::Bool($redirect)),
            opt("bg", ArgDefault::Bool(false)),
            opt("password", N),
            opt("encoded_cmd", ArgDefault::Bool(false)),
            opt("raise_err", ArgDefault::Bool(false)),
            opt("prepend_path", N),
            opt("success_retcodes", N),
            opt("success_stdout", N),
            opt("success_stderr", N),
        ]
    };
}

const RUN_PARAMS: &[Param] = run_params!(true);
const RUN_ALL_PARAMS: &[Param] = run_params!(false);

/// The command: a string (shell line) or an argv list.
#[derive(Debug, Clone, PartialEq)]
pub enum CmdLine {
    Text(String),
    Argv(Vec<String>),
}

/// Typed arguments of `cmd.run_all` and friends.
#[derive(Debug, Clone)]
pub struct RunArgs {
    pub cmd: CmdLine,
    pub cwd: Option<String>,
    pub stdin: Option<String>,
    pub runas: Option<String>,
    pub shell: String,
    pub python_shell: bool,
    pub env: Vec<(String, String)>,
    pub clean_env: bool,
    pub rstrip: bool,
    pub umask: Option<String>,
    pub timeout: Option<f64>,
    pub reset_system_locale: bool,
    pub ignore_retcode: bool,
    pub prepend_path: Option<String>,
    pub success_retcodes: Vec<i64>,
    pub success_stdout: Vec<String>,
    pub success_stderr: Vec<String>,
    pub merge_stderr: bool,
}

/// What `cmd.run_all` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub pid: i64,
    pub retcode: i64,
    pub stdout: String,
    pub stderr: String,
}

impl RunResult {
    /// `{pid, retcode, stdout, stderr}` in Salt's key order.
    pub fn to_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("pid".into(), Value::Int(self.pid));
        m.insert("retcode".into(), Value::Int(self.retcode));
        m.insert("stdout".into(), Value::str(&self.stdout));
        m.insert("stderr".into(), Value::str(&self.stderr));
        Value::Map(m)
    }
}

impl RunArgs {
    /// A tool run by another module, as Salt's `cmd.run_all(argv,
    /// python_shell=False, ignore_retcode=True)`: no shell, C locale, output
    /// stripped, the return code left to the caller.
    pub fn argv(argv: Vec<String>, ctx: &Ctx) -> RunArgs {
        RunArgs {
            cmd: CmdLine::Argv(argv),
            cwd: None,
            stdin: None,
            runas: None,
            shell: ctx.shell(),
            python_shell: false,
            env: Vec::new(),
            clean_env: false,
            rstrip: true,
            umask: None,
            timeout: None,
            reset_system_locale: true,
            ignore_retcode: true,
            prepend_path: None,
            success_retcodes: vec![0],
            success_stdout: Vec::new(),
            success_stderr: Vec::new(),
            merge_stderr: false,
        }
    }

    /// Reads bound registry arguments; `python_shell=None` means True only for
    /// calls published by the CLI (`__pub_jid` present), as Salt does.
    pub fn from_bound(b: &Bound, ctx: &Ctx) -> Result<Self, ModuleError> {
        let python_shell = match b.get("python_shell") {
            Value::Null => b.kwargs.contains_key("__pub_jid") || ctx.opts.get("cmd_safe") == Some(&Value::Bool(false)),
            v => v.truthy(),
        };
        Ok(RunArgs {
            cmd: cmd_line(b.get("cmd"))?,
            cwd: b.opt_str("cwd").filter(|s| !s.is_empty()),
            stdin: b.opt_str("stdin"),
            runas: b.opt_str("runas").filter(|s| !s.is_empty()),
            shell: b.opt_str("shell").filter(|s| !s.is_empty()).unwrap_or_else(|| ctx.shell()),
            python_shell,
            env: parse_env(b.get("env")),
            clean_env: b.truthy("clean_env"),
            rstrip: b.truthy("rstrip"),
            umask: b.opt_str("umask"),
            timeout: timeout_secs(b.get("timeout"))?,
            reset_system_locale: b.truthy("reset_system_locale"),
            ignore_retcode: b.truthy("ignore_retcode"),
            prepend_path: b.opt_str("prepend_path").filter(|s| !s.is_empty()),
            success_retcodes: success_retcodes(b.get("success_retcodes"))?,
            success_stdout: split_input(b.get("success_stdout")),
            success_stderr: split_input(b.get("success_stderr")),
            merge_stderr: b.truthy("redirect_stderr"),
        })
    }
}

fn cmd_line(v: &Value) -> Result<CmdLine, ModuleError> {
    match v {
        Value::List(items) => Ok(CmdLine::Argv(items.iter().map(Value::py_str).collect())),
        Value::Null => Err(ModuleError::Invocation("Missing required argument 'cmd'".into())),
        other => Ok(CmdLine::Text(other.py_str())),
    }
}

fn timeout_secs(v: &Value) -> Result<Option<f64>, ModuleError> {
    match v {
        Value::Null => Ok(None),
        v if !v.truthy() => Ok(None),
        v => crate::test::seconds(v).map(Some),
    }
}

/// Salt's `_parse_env`: a dict, or a list of one-key dicts; anything else is empty.
pub fn parse_env(v: &Value) -> Vec<(String, String)> {
    let pairs: Vec<(String, Value)> = match v {
        Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Value::List(items) => repack_dictlist(items),
        _ => Vec::new(),
    };
    pairs.into_iter().map(|(k, v)| (k, env_str(&v))).collect()
}

fn repack_dictlist(items: &[Value]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::Map(m) if m.len() == 1 => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Value::Str(_) | Value::Int(_) | Value::Float(_) => out.push((item.py_str(), Value::Null)),
            _ => return Vec::new(),
        }
    }
    out
}

fn env_str(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => other.py_str(),
    }
}

/// Salt's `split_input`: a list, or a comma-separated string.
pub fn split_input(v: &Value) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        other => other.py_str().split(',').map(|s| s.trim().to_string()).collect(),
    }
}

fn success_retcodes(v: &Value) -> Result<Vec<i64>, ModuleError> {
    if v.is_null() {
        return Ok(vec![0]);
    }
    split_input(v)
        .iter()
        .map(|s| s.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ModuleError::Invocation("success_retcodes must be a list of integers".into()))
}

fn run(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let args = RunArgs::from_bound(b, ctx)?;
    let res = run_all(&args, ctx)?;
    let hide = b.truthy("hide_output");
    if res.retcode != 0 && !args.ignore_retcode && b.truthy("raise_err") {
        return Err(ModuleError::Execution(if hide { String::new() } else { res.stdout }));
    }
    Ok(Value::Str(if hide { String::new() } else { res.stdout }))
}

/// `cmd.shell`: `cmd.run` through the shell unless `python_shell=False`
/// is given.
fn shell(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let mut b = b.clone();
    if b.get("python_shell").is_null() {
        b.values.insert("python_shell", Value::Bool(true));
    }
    run(&b, ctx)
}

fn run_all_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let args = RunArgs::from_bound(b, ctx)?;
    let mut res = run_all(&args, ctx)?;
    if b.truthy("hide_output") {
        res.stdout.clear();
        res.stderr.clear();
    }
    Ok(res.to_value())
}

fn run_stdout(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let args = RunArgs::from_bound(b, ctx)?;
    let stdout = run_all(&args, ctx)?.stdout;
    Ok(Value::Str(if b.truthy("hide_output") { String::new() } else { stdout }))
}

fn retcode(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let args = RunArgs::from_bound(b, ctx)?;
    Ok(Value::Int(run_all(&args, ctx)?.retcode))
}

fn which_fn(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(which(&b.str("cmd")?).map(Value::Str).unwrap_or(Value::Null))
}

/// `cmd.has_exec`: whether `which` finds the executable.
fn has_exec(b: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(which(&b.str("cmd")?).is_some()))
}

/// Salt's `salt.utils.path.which`: PATH plus the usual system directories.
pub fn which(exe: &str) -> Option<String> {
    if exe.is_empty() {
        return None;
    }
    if is_executable(Path::new(exe)) {
        return Some(exe.to_string());
    }
    let path = std::env::var("PATH").unwrap_or_default();
    let mut dirs: Vec<String> = path.split(':').map(str::to_string).collect();
    for extra in ["/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
        if !dirs.iter().any(|d| d == extra) {
            dirs.push(extra.to_string());
        }
    }
    dirs.iter().map(|d| Path::new(d).join(exe)).find(|p| is_executable(p)).map(|p| p.to_string_lossy().into_owned())
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// Runs a command as Salt's `cmd.run_all` does and records the retcode in
/// the context (0 when `ignore_retcode`).
pub fn run_all(args: &RunArgs, ctx: &Ctx) -> Result<RunResult, ModuleError> {
    let spec = build_spec(args)?;
    let out = ctx.runner.run(&spec)?;
    let result = shape_output(args, &spec, out);
    ctx.retcode.set(if args.ignore_retcode { 0 } else { result.retcode });
    Ok(result)
}

fn build_spec(args: &RunArgs) -> Result<ProcSpec, ModuleError> {
    let user = match &args.runas {
        Some(name) => Some(
            sys::user_by_name(name).ok_or_else(|| ModuleError::Execution(format!("User '{name}' is not available")))?,
        ),
        None => None,
    };
    check_shell(&args.shell)?;
    let cwd = working_dir(args, user.as_ref())?;
    Ok(ProcSpec {
        argv: argv(args)?,
        cwd,
        env: environment(args, user.as_ref()),
        stdin: args.stdin.as_ref().map(|s| s.clone().into_bytes()),
        timeout: args.timeout.and_then(|t| Duration::try_from_secs_f64(t).ok()),
        merge_stderr: args.merge_stderr,
        uid_gid: user.as_ref().map(|u| (u.uid, u.gid)),
        umask: parse_umask(args.umask.as_deref())?,
    })
}

fn check_shell(shell: &str) -> Result<(), ModuleError> {
    if is_executable(Path::new(shell)) {
        Ok(())
    } else {
        Err(ModuleError::Execution(format!("The shell {shell} is not available")))
    }
}

fn working_dir(args: &RunArgs, user: Option<&sys::UserEntry>) -> Result<PathBuf, ModuleError> {
    let cwd = match &args.cwd {
        Some(c) => PathBuf::from(c),
        None => default_cwd(user),
    };
    if !cwd.is_absolute() || !cwd.is_dir() {
        return Err(ModuleError::Execution(format!(
            "Specified cwd '{}' either not absolute or does not exist",
            cwd.display()
        )));
    }
    Ok(cwd)
}

fn default_cwd(user: Option<&sys::UserEntry>) -> PathBuf {
    let home = match user {
        Some(u) => u.home.clone(),
        None => std::env::var("HOME").unwrap_or_default(),
    };
    let p = PathBuf::from(home);
    if p.is_absolute() && p.is_dir() {
        p
    } else {
        PathBuf::from("/")
    }
}

fn argv(args: &RunArgs) -> Result<Vec<String>, ModuleError> {
    match (&args.cmd, args.python_shell) {
        (CmdLine::Text(t), true) => Ok(vec![args.shell.clone(), "-c".into(), t.clone()]),
        (CmdLine::Text(t), false) => shlex::split(t),
        (CmdLine::Argv(v), true) => {
            let mut out = vec![args.shell.clone(), "-c".into()];
            out.extend(v.iter().cloned());
            Ok(out)
        }
        (CmdLine::Argv(v), false) => Ok(v.clone()),
    }
}

const LOCALE_VARS: &[&str] = &[
    "LC_CTYPE",
    "LC_NUMERIC",
    "LC_TIME",
    "LC_COLLATE",
    "LC_MONETARY",
    "LC_MESSAGES",
    "LC_PAPER",
    "LC_NAME",
    "LC_ADDRESS",
    "LC_TELEPHONE",
    "LC_MEASUREMENT",
    "LC_IDENTIFICATION",
    "LANGUAGE",
];

fn environment(args: &RunArgs, user: Option<&sys::UserEntry>) -> Vec<(String, String)> {
    let mut env: indexmap::IndexMap<String, String> = args.env.iter().cloned().collect();
    if args.reset_system_locale {
        for var in LOCALE_VARS {
            env.entry((*var).to_string()).or_insert_with(|| "C".to_string());
        }
    }
    let mut run_env: indexmap::IndexMap<String, String> =
        if args.clean_env { indexmap::IndexMap::new() } else { std::env::vars().collect() };
    if let Some(u) = user {
        run_env.insert("USER".into(), u.name.clone());
        run_env.insert("HOME".into(), u.home.clone());
    }
    let notify_given = env.contains_key("NOTIFY_SOCKET");
    run_env.extend(env);
    if let Some(prefix) = &args.prepend_path {
        let path = run_env.get("PATH").cloned().unwrap_or_default();
        run_env.insert("PATH".into(), format!("{prefix}:{path}"));
    }
    if !notify_given {
        run_env.shift_remove("NOTIFY_SOCKET");
    }
    run_env.into_iter().collect()
}

fn parse_umask(umask: Option<&str>) -> Result<Option<u32>, ModuleError> {
    let Some(raw) = umask else { return Ok(None) };
    let trimmed = raw.trim_start_matches('0');
    if trimmed.is_empty() {
        return Err(ModuleError::Execution("Zero umask is not allowed.".into()));
    }
    u32::from_str_radix(trimmed, 8).map(Some).map_err(|_| ModuleError::Execution(format!("Invalid umask: '{raw}'")))
}

fn shape_output(args: &RunArgs, spec: &ProcSpec, out: ProcOutput) -> RunResult {
    if out.timed_out {
        return RunResult {
            pid: out.pid as i64,
            retcode: 1,
            stdout: timeout_message(args, spec),
            stderr: String::new(),
        };
    }
    let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if args.rstrip {
        stdout.truncate(stdout.trim_end().len());
        stderr.truncate(stderr.trim_end().len());
    }
    let mut retcode = out.returncode;
    let success_text = args.success_stdout.iter().any(|s| stdout.contains(s.as_str()))
        || args.success_stderr.iter().any(|s| stderr.contains(s.as_str()));
    if args.success_retcodes.contains(&retcode) || success_text {
        retcode = 0;
    }
    RunResult { pid: out.pid as i64, retcode, stdout, stderr }
}

fn timeout_message(args: &RunArgs, spec: &ProcSpec) -> String {
    let command = match (&args.cmd, args.python_shell) {
        (CmdLine::Text(t), true) => t.clone(),
        _ => Value::List(spec.argv.iter().map(Value::str).collect()).py_repr(),
    };
    let secs = args.timeout.unwrap_or(0.0);
    let secs_text = if secs.fract() == 0.0 { format!("{}", secs as i64) } else { secs.to_string() };
    format!("{command} : Timed out after {secs_text} seconds")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{call, SystemRunner};

    fn ctx_call(name: &str, cmd: &str, kw: Map) -> Result<Value, ModuleError> {
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        call(name, &[Value::str(cmd)], &kw, &ctx)
    }

    fn shell_kw() -> Map {
        let mut kw = Map::default();
        kw.insert("python_shell".into(), Value::Bool(true));
        kw.insert("cwd".into(), Value::str("/"));
        kw
    }

    #[test]
    fn run_all_strips_and_reports() {
        let v = ctx_call("cmd.run_all", "echo out; echo err >&2; exit 3", shell_kw()).unwrap();
        assert_eq!(v.get("retcode"), Some(&Value::Int(3)));
        assert_eq!(v.get("stdout"), Some(&Value::str("out")));
        assert_eq!(v.get("stderr"), Some(&Value::str("err")));
    }

    #[test]
    fn run_merges_stderr_and_sets_locale() {
        let v = ctx_call("cmd.run", "echo $LC_CTYPE; echo e >&2", shell_kw()).unwrap();
        assert_eq!(v, Value::str("C\ne"));
    }

    #[test]
    fn shell_runs_through_the_shell_unless_told_not_to() {
        let mut kw = Map::default();
        kw.insert("cwd".into(), Value::str("/"));
        assert_eq!(ctx_call("cmd.shell", "echo a | tr a b", kw.clone()).unwrap(), Value::str("b"));
        kw.insert("python_shell".into(), Value::Bool(false));
        assert_eq!(ctx_call("cmd.shell", "echo a | tr a b", kw).unwrap(), Value::str("a | tr a b"));
    }

    #[test]
    fn without_shell_words_are_split() {
        let mut kw = Map::default();
        kw.insert("cwd".into(), Value::str("/"));
        let v = ctx_call("cmd.run_stdout", "echo 'a  b' c", kw).unwrap();
        assert_eq!(v, Value::str("a  b c"));
    }

    #[test]
    fn env_success_retcodes_and_timeout() {
        let mut kw = shell_kw();
        let mut env = Map::default();
        env.insert("FOO".into(), Value::Int(5));
        kw.insert("env".into(), Value::Map(env));
        kw.insert("success_retcodes".into(), Value::str("0,5"));
        assert_eq!(ctx_call("cmd.retcode", "exit $FOO", kw).unwrap(), Value::Int(0));
        let mut kw = shell_kw();
        kw.insert("timeout".into(), Value::Float(0.2));
        let v = ctx_call("cmd.run_all", "sleep 3", kw).unwrap();
        assert_eq!(v.get("stdout"), Some(&Value::str("sleep 3 : Timed out after 0.2 seconds")));
        assert_eq!(v.get("retcode"), Some(&Value::Int(1)));
    }

    #[test]
    fn bad_cwd_and_which() {
        let mut kw = shell_kw();
        kw.insert("cwd".into(), Value::str("relative"));
        let e = ctx_call("cmd.run_all", "true", kw).unwrap_err();
        assert_eq!(e.to_string(), "Specified cwd 'relative' either not absolute or does not exist");
        assert!(which("sh").is_some());
        assert_eq!(which("definitely-not-a-command-xyz"), None);
    }
}
