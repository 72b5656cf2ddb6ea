//! The `test` execution module: ping, echo, version, true, false, sleep.
//!
//! It must stay free of side effects beyond `sleep` waiting (until its job is killed).

use std::time::Duration;

use brine_common::Value;

use crate::args::{opt, req, ArgDefault, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// The Salt release whose behaviour brine reproduces.
pub const SALT_VERSION: &str = "3007.17";

pub const MODULE: Module = Module {
    name: "test",
    functions: &[
        Function { name: "ping", sig: NO_ARGS, run: ping },
        Function { name: "echo", sig: Signature { params: &[req("text")], varargs: None, kwargs: false }, run: echo },
        Function { name: "version", sig: NO_ARGS, run: version },
        Function { name: "true", sig: NO_ARGS, run: true_ },
        Function { name: "false", sig: NO_ARGS, run: false_ },
        Function {
            name: "sleep",
            sig: Signature {
                params: &[req("length"), opt("fire_event", ArgDefault::Bool(false))],
                varargs: None,
                kwargs: false,
            },
            run: sleep,
        },
    ],
};

const NO_ARGS: Signature = Signature { params: &[], varargs: None, kwargs: false };

fn ping(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(true))
}

fn echo(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(args.get("text").clone())
}

fn version(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::str(SALT_VERSION))
}

fn true_(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(true))
}

fn false_(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Bool(false))
}

/// Sleep `length` seconds, or until the job is killed (Salt's kill ends the sleep with its process).
fn sleep(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let length = seconds(args.get("length"))?;
    let total = Duration::try_from_secs_f64(length).map_err(|_| bad_seconds(args.get("length")))?;
    let deadline = std::time::Instant::now().checked_add(total).ok_or_else(|| bad_seconds(args.get("length")))?;
    loop {
        if crate::job::cancelled() {
            return Err(ModuleError::Execution("The job was killed".into()));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(Value::Bool(true));
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// A non-negative number of seconds from an int, float or numeric string.
pub fn seconds(v: &Value) -> Result<f64, ModuleError> {
    let secs = match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Str(s) => s.trim().parse::<f64>().map_err(|_| bad_seconds(v))?,
        _ => return Err(bad_seconds(v)),
    };
    if secs.is_finite() && secs >= 0.0 {
        Ok(secs)
    } else {
        Err(bad_seconds(v))
    }
}

fn bad_seconds(v: &Value) -> ModuleError {
    ModuleError::Invocation(format!("Invalid number of seconds: {}", v.py_repr()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{call, SystemRunner};
    use brine_common::Map;

    #[test]
    fn functions_return_salt_values() {
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        assert_eq!(call("test.ping", &[], &m, &ctx).unwrap(), Value::Bool(true));
        assert_eq!(call("test.echo", &[Value::str("hi")], &m, &ctx).unwrap(), Value::str("hi"));
        assert_eq!(call("test.false", &[], &m, &ctx).unwrap(), Value::Bool(false));
        assert_eq!(call("test.sleep", &[Value::str("0.01")], &m, &ctx).unwrap(), Value::Bool(true));
        assert!(call("test.sleep", &[Value::str("x")], &m, &ctx).is_err());
    }

    #[test]
    fn sleep_ends_when_its_job_is_killed() {
        let job = crate::job::JobHandle::new();
        let killer = {
            let job = job.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                job.cancel(crate::job::Signal::Term);
            })
        };
        let _in = job.enter();
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &SystemRunner);
        let start = std::time::Instant::now();
        assert!(call("test.sleep", &[Value::Int(30)], &m, &ctx).is_err());
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        killer.join().unwrap();
    }
}
