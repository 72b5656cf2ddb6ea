//! The `status` execution module, as far as templates use it: `time`
//! (formulas stamp backup suffixes with `salt['status.time'](fmt)`).
//!
//! It only reads the clock; it must not change the system.

use std::ffi::CString;
use std::time::{SystemTime, UNIX_EPOCH};

use brine_common::Value;

use crate::args::{opt, ArgDefault, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

pub const MODULE: Module = Module {
    name: "status",
    functions: &[Function {
        name: "time",
        sig: Signature {
            params: &[opt("format", ArgDefault::Str("%A, %d. %B %Y %I:%M%p"))],
            varargs: None,
            kwargs: false,
        },
        run: time,
    }],
};

/// `status.time(format)`: the local time formatted as Python's
/// `datetime.now().strftime(format)` in the C locale.
fn time(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    let format = match args.get("format") {
        Value::Str(s) => s.to_string(),
        other => return Err(ModuleError::Invocation(format!("strftime() argument 1 must be str, not {}", other.type_name()))),
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    strftime_local(&format, now).map(Value::Str)
}

/// `format` applied to the local time of Unix time `secs` by the C library.
fn strftime_local(format: &str, secs: i64) -> Result<String, ModuleError> {
    if format.is_empty() {
        return Ok(String::new());
    }
    let cformat = CString::new(format).map_err(|_| ModuleError::Invocation("embedded null character".into()))?;
    let t = secs as libc::time_t;
    // SAFETY: zeroed is a valid `tm`; both pointers are valid for the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        return Err(ModuleError::Execution("localtime failed".into()));
    }
    let mut size = 256 + format.len() * 8;
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: buf holds `size` bytes; cformat is NUL-terminated.
        let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), size, cformat.as_ptr(), &tm) };
        if n > 0 || size > 1 << 16 {
            buf.truncate(n);
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        size *= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_strftime() {
        // 2001-02-03 04:05:06 UTC; only fields the time zone cannot move far.
        let s = strftime_local("%Y|%%|x", 981_173_106).expect("format");
        assert!(s == "2001|%|x", "{s}");
        assert_eq!(strftime_local("", 0).expect("empty"), "");
        assert!(strftime_local("a\0b", 0).is_err());
    }

    #[test]
    fn registered_as_status_time() {
        assert!(crate::exists("status.time"));
    }
}
