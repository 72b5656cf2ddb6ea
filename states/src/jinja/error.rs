//! Errors of the Jinja engine: a kind, a message in Jinja2's wording and the
//! place (template name, 1-based line) where it happened.
//!
//! It only describes errors; it must not format Salt's context lines or the
//! "Jinja variable ..." prefixes (the Salt-side wrapper does that).

use std::fmt;

/// What went wrong, mirroring the Python exception Jinja2 (or Salt) raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `TemplateSyntaxError` / `TemplateAssertionError`, found while parsing.
    Syntax,
    /// `UndefinedError`: an undefined value was used.
    Undefined,
    /// `SecurityError`: the sandbox refused an attribute.
    Security,
    /// `TemplateRuntimeError`: Jinja's own runtime errors (bad `set` target,
    /// failed `load_yaml`, unknown filter in a conditional branch, ...).
    Runtime,
    /// A Python-level exception (`TypeError`, `ValueError`, `ZeroDivisionError`,
    /// `OverflowError`, `KeyError`, ...).
    Type,
    /// `TemplateNotFound`: the loader has no such template.
    TemplateNotFound,
    /// Salt's `raise('...')` global (`TemplateError`).
    Raised,
    /// An error returned by a host function or object (for Salt: an execution
    /// module failure).
    Host,
}

/// A template error; `Display` gives the bare message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    line: Option<usize>,
    template: Option<String>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), line: None, template: None }
    }

    pub(crate) fn syntax(message: impl Into<String>, line: usize) -> Error {
        Error { line: Some(line), ..Error::new(ErrorKind::Syntax, message) }
    }

    /// A Python `TypeError`/`ValueError`-like failure.
    pub fn type_error(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Type, message)
    }

    pub fn runtime(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Runtime, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based line of the template where the error happened.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// Name of the template where the error happened.
    pub fn template(&self) -> Option<&str> {
        self.template.as_deref()
    }

    /// Records where the error happened, unless an inner frame already did.
    pub(crate) fn located(mut self, template: &str, line: usize) -> Error {
        if self.line.is_none() {
            self.line = Some(line);
        }
        if self.template.is_none() {
            self.template = Some(template.to_string());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_location_wins() {
        let e = Error::type_error("boom").located("inner.jinja", 3).located("outer.sls", 9);
        assert_eq!(e.line(), Some(3));
        assert_eq!(e.template(), Some("inner.jinja"));
        assert_eq!(e.to_string(), "boom");
        assert_eq!(e.kind(), ErrorKind::Type);
    }
}
