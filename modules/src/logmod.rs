//! The `log` execution module (Salt's `logmod`): `log.debug`, `log.info`,
//! `log.warning`, `log.error`, `log.critical`, `log.exception`, each writing
//! one message to the minion's log at its level and returning None. Formulas
//! call them from templates (`{% do salt['log.debug'](...) %}`).
//!
//! It must not print to stdout: the log goes where the daemon's log goes.

use brine_common::Value;

use crate::args::{req, Signature};
use crate::{Bound, Ctx, Function, Module, ModuleError};

const SIG: Signature = Signature { params: &[req("message")], varargs: Some("args"), kwargs: true };

pub const MODULE: Module = Module {
    name: "log",
    functions: &[
        Function { name: "debug", sig: SIG, run: debug },
        Function { name: "info", sig: SIG, run: info },
        Function { name: "warning", sig: SIG, run: warning },
        Function { name: "error", sig: SIG, run: error },
        Function { name: "critical", sig: SIG, run: error },
        Function { name: "exception", sig: SIG, run: error },
    ],
};

fn emit(level: log::Level, args: &Bound) -> Result<Value, ModuleError> {
    log::log!(level, "{}", args.get("message").py_str());
    Ok(Value::Null)
}

fn debug(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    emit(log::Level::Debug, args)
}

fn info(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    emit(log::Level::Info, args)
}

fn warning(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    emit(log::Level::Warn, args)
}

fn error(args: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    emit(log::Level::Error, args)
}
