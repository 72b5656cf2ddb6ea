//! The `nginx` execution module: version, configtest and signal over the
//! `nginx` binary, with Salt's return shapes. `configtest` also takes a
//! `conf_file` (brine's addition, `nginx -t -c FILE`) so a configuration can
//! be checked before it is installed. Like Salt's module, it is not
//! available when no `nginx` binary is installed.
//!
//! It must not edit nginx configuration.

use brine_common::{Map, Value};

use crate::args::{opt, ArgDefault, Signature};
use crate::cmd::{self, RunArgs, RunResult};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// The nginx binary, or Salt's "not available" for `function`.
fn binary(function: &str) -> Result<String, ModuleError> {
    cmd::which("nginx").ok_or_else(|| ModuleError::NotAvailable(format!("nginx.{function}")))
}

fn run(ctx: &Ctx, argv: Vec<String>) -> Result<RunResult, ModuleError> {
    cmd::run_all(&RunArgs::argv(argv, ctx), ctx)
}

/// Salt's `nginx.version`: the text after the last `/` of `nginx -v`.
pub fn version(ctx: &Ctx, bin: &str) -> Result<String, ModuleError> {
    let out = run(ctx, vec![bin.to_string(), "-v".into()])?;
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    let first = text.lines().next().unwrap_or_default();
    Ok(first.rsplit('/').next().unwrap_or_default().to_string())
}

/// Salt's `nginx.configtest`: `{comment, stdout|stderr, result}`.
pub fn configtest(ctx: &Ctx, bin: &str, conf_file: Option<&str>) -> Result<Map, ModuleError> {
    let mut argv = vec![bin.to_string(), "-t".to_string()];
    if let Some(conf) = conf_file {
        argv.extend(["-c".to_string(), conf.to_string()]);
    }
    let out = run(ctx, argv)?;
    let ok = out.retcode == 0;
    let mut ret = Map::default();
    ret.insert("comment".into(), Value::str(if ok { "Syntax OK" } else { "Syntax Error" }));
    ret.insert((if ok { "stdout" } else { "stderr" }).into(), Value::Str(out.stderr));
    ret.insert("result".into(), Value::Bool(ok));
    Ok(ret)
}

const SIGNALS: [&str; 5] = ["start", "reopen", "stop", "quit", "reload"];

/// Salt's `nginx.signal`: None for an unknown signal, else nginx's message
/// or Salt's "completed successfully" text.
pub fn signal(ctx: &Ctx, bin: &str, sig: Option<&str>) -> Result<Value, ModuleError> {
    let Some(sig) = sig.filter(|s| SIGNALS.contains(s)) else { return Ok(Value::Null) };
    let mut argv = vec![bin.to_string()];
    if sig != "start" {
        argv.extend(["-s".to_string(), sig.to_string()]);
    }
    let command = argv.join(" ");
    let out = run(ctx, argv)?;
    let text = match (out.stderr.trim(), out.stdout.trim()) {
        ("", "") => format!("Command: \"{command}\" completed successfully!"),
        ("", stdout) => stdout.to_string(),
        (stderr, _) => stderr.to_string(),
    };
    Ok(Value::Str(text))
}

pub const MODULE: Module = Module {
    name: "nginx",
    functions: &[
        Function { name: "version", sig: Signature { params: &[], varargs: None, kwargs: false }, run: version_fn },
        Function {
            name: "configtest",
            sig: Signature { params: &[opt("conf_file", ArgDefault::None)], varargs: None, kwargs: false },
            run: configtest_fn,
        },
        Function {
            name: "signal",
            sig: Signature { params: &[opt("signal", ArgDefault::None)], varargs: None, kwargs: false },
            run: signal_fn,
        },
    ],
};

fn version_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Str(version(ctx, &binary("version")?)?))
}

fn configtest_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let conf = b.opt_str("conf_file").filter(|c| !c.is_empty());
    Ok(Value::Map(configtest(ctx, &binary("configtest")?, conf.as_deref())?))
}

fn signal_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    signal(ctx, &binary("signal")?, b.opt_str("signal").as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{output, Recorded};
    use crate::SystemRunner;

    #[test]
    fn recorded_nginx_outputs_take_salts_shapes() {
        let runner = Recorded::new(|argv| {
            match argv.get(1).map(String::as_str) {
            Some("-v") => output(0, "", "nginx version: nginx/1.22.1"),
            Some("-t") if argv.len() > 2 => output(
                1,
                "",
                "nginx: [emerg] unexpected \"}\" in /etc/nginx/bad.conf:2\nnginx: configuration file /etc/nginx/bad.conf test failed",
            ),
            Some("-t") => output(
                0,
                "",
                "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful",
            ),
            _ => output(0, "", ""),
        }
        });
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &runner);
        assert_eq!(version(&ctx, "/usr/sbin/nginx").unwrap(), "1.22.1");
        let ok = Value::Map(configtest(&ctx, "/usr/sbin/nginx", None).unwrap()).to_json();
        assert_eq!(ok["comment"], "Syntax OK");
        assert_eq!(ok["result"], true);
        assert!(ok["stdout"].as_str().unwrap_or_default().ends_with("test is successful"));
        let bad = Value::Map(configtest(&ctx, "/usr/sbin/nginx", Some("/etc/nginx/bad.conf")).unwrap()).to_json();
        assert_eq!((bad["comment"].as_str(), bad["result"].as_bool()), (Some("Syntax Error"), Some(false)));
        assert_eq!(signal(&ctx, "/usr/sbin/nginx", Some("bogus")).unwrap(), Value::Null);
        assert_eq!(
            signal(&ctx, "/usr/sbin/nginx", Some("reload")).unwrap(),
            Value::str("Command: \"/usr/sbin/nginx -s reload\" completed successfully!")
        );
        assert!(runner.commands().contains(&"/usr/sbin/nginx -t -c /etc/nginx/bad.conf".to_string()));
    }

    /// Against a real nginx (on PATH, or named by BRINE_NGINX_BIN) when there is one.
    #[test]
    fn real_nginx_configtest_of_good_and_broken_files() {
        let Some(bin) = std::env::var("BRINE_NGINX_BIN").ok().or_else(|| cmd::which("nginx")) else {
            eprintln!("skipped: no nginx binary (install nginx or set BRINE_NGINX_BIN)");
            return;
        };
        let dir = std::env::temp_dir().join(format!("brine-nginx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.display();
        let good = format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n access_log off;\n client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;\n server {{ listen 127.0.0.1:18080; }}\n}}\n"
        );
        std::fs::write(dir.join("good.conf"), good).unwrap();
        std::fs::write(dir.join("bad.conf"), "events {}\nhttp { server { listen 18080 } }\n").unwrap();
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        let ok = configtest(&ctx, &bin, Some(&dir.join("good.conf").to_string_lossy())).unwrap();
        assert_eq!(ok.get("result"), Some(&Value::Bool(true)), "{ok:?}");
        let bad = configtest(&ctx, &bin, Some(&dir.join("bad.conf").to_string_lossy())).unwrap();
        assert_eq!(bad.get("comment"), Some(&Value::str("Syntax Error")));
        assert!(bad.get("stderr").is_some_and(|e| e.py_str().contains("unexpected \"}\"")), "{bad:?}");
        assert!(version(&ctx, &bin).unwrap().starts_with(|c: char| c.is_ascii_digit()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
