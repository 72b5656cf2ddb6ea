//! Error values of the YAML loader, worded and positioned as PyYAML (on top
//! of libyaml) reports them.
//!
//! Internally an error is a [`Marked`] value (context, problem and their
//! marks, like PyYAML's `MarkedYAMLError`); it becomes the public
//! [`YamlError`] whose message is exactly `str(exc)` of the Python exception.
//! Wording must not be paraphrased: callers show it where Salt shows PyYAML's.

use std::fmt::Write;

/// The PyYAML exception class (or the plain Python exception) an error
/// corresponds to. Salt's yaml renderer shows only the problem of a
/// `Scanner` error; for the others it shows the whole message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// `yaml.reader.ReaderError`: a character YAML does not accept.
    Reader,
    /// `yaml.scanner.ScannerError`.
    Scanner,
    /// `yaml.parser.ParserError`.
    Parser,
    /// `yaml.composer.ComposerError` (anchors, aliases, several documents).
    Composer,
    /// `yaml.constructor.ConstructorError` (duplicate keys, merges, tags).
    Constructor,
    /// A plain Python exception escaping the constructor (`ValueError` from
    /// `int()`, `KeyError` from a bad `!!bool`, ...), or a limit of brine's.
    Value,
}

/// A YAML error with 1-based position and PyYAML-style text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
    /// `str(exc)`: context, problem and their marks, one per line.
    pub message: String,
    /// Which exception class Salt would have seen.
    pub kind: YamlErrorKind,
    /// `exc.problem` alone (for a scanner error, all Salt's renderer prints).
    pub problem: String,
}

/// A position in the source, 0-based like PyYAML's `Mark`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Mark {
    pub line: usize,
    pub column: usize,
}

impl Mark {
    pub fn new(line: usize, column: usize) -> Mark {
        Mark { line, column }
    }
}

/// PyYAML's `MarkedYAMLError` before it is printed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Marked {
    pub kind: YamlErrorKind,
    pub context: Option<String>,
    pub context_mark: Option<Mark>,
    pub problem: String,
    pub problem_mark: Option<Mark>,
}

impl Marked {
    /// An error with a problem only.
    pub fn new(kind: YamlErrorKind, problem: impl Into<String>, mark: Mark) -> Marked {
        Marked {
            kind,
            context: None,
            context_mark: None,
            problem: problem.into(),
            problem_mark: Some(mark),
        }
    }

    /// An error with a context ("while constructing a mapping") and a problem.
    pub fn with_context(
        kind: YamlErrorKind,
        context: impl Into<String>,
        context_mark: Option<Mark>,
        problem: impl Into<String>,
        mark: Mark,
    ) -> Marked {
        Marked {
            kind,
            context: Some(context.into()),
            context_mark,
            problem: problem.into(),
            problem_mark: Some(mark),
        }
    }

    /// `str(exc)` as `MarkedYAMLError.__str__` builds it: the context mark is
    /// left out when it equals the problem mark.
    fn render(&self) -> String {
        if self.kind == YamlErrorKind::Value {
            return self.problem.clone();
        }
        let mut lines: Vec<String> = Vec::new();
        if let Some(context) = &self.context {
            lines.push(context.clone());
        }
        if let Some(cm) = self.context_mark {
            if self.problem_mark != Some(cm) {
                lines.push(mark_line(cm));
            }
        }
        lines.push(self.problem.clone());
        if let Some(pm) = self.problem_mark {
            lines.push(mark_line(pm));
        }
        lines.join("\n")
    }
}

impl From<Marked> for YamlError {
    fn from(m: Marked) -> YamlError {
        let at = m
            .problem_mark
            .or(m.context_mark)
            .map(|k| (k.line + 1, k.column + 1))
            .unwrap_or((0, 0));
        YamlError {
            line: at.0,
            column: at.1,
            message: m.render(),
            kind: m.kind,
            problem: m.problem,
        }
    }
}

/// `  in "<unicode string>", line L, column C` (PyYAML's `Mark.__str__`
/// without a snippet: libyaml marks carry no buffer).
fn mark_line(m: Mark) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "  in \"<unicode string>\", line {}, column {}",
        m.line + 1,
        m.column + 1
    );
    s
}

/// libyaml's reader error, as `ReaderError.__str__` prints it.
pub(crate) fn reader_error(ch: char, byte_offset: usize, at: Mark) -> YamlError {
    let problem = "control characters are not allowed".to_string();
    let message = format!(
        "unacceptable character #x{:04x}: {}\n  in \"<unicode string>\", position {}",
        ch as u32, problem, byte_offset
    );
    YamlError {
        line: at.line + 1,
        column: at.column + 1,
        message,
        kind: YamlErrorKind::Reader,
        problem,
    }
}
