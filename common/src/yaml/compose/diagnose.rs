//! `yaml-rust2`'s errors told in libyaml's words (as PyYAML prints them),
//! with the context and problem marks libyaml would give, recovered from
//! the composer's open collections and from the source text.
//! It must not change whether a document loads, only how a failure reads.

use yaml_rust2::scanner::{Marker, ScanError};

use super::{mark_of, Composer, Frame};
use crate::yaml::error::{Mark, Marked, YamlErrorKind};

/// libyaml's error for a `%` directive at the top of the stream that is
/// neither `%YAML` nor `%TAG` (`yaml-rust2` skips those silently).
pub(super) fn leading_directive_error(text: &str) -> Option<Marked> {
    for (n, line) in text.split('\n').enumerate() {
        let Some(rest) = line.strip_prefix('%') else {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            return None;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let after = rest.chars().nth(name.chars().count());
        let problem = if name.is_empty() {
            "could not find expected directive name"
        } else if !after.is_none_or(|c| c == ' ' || c == '\t') {
            "found unexpected non-alphabetical character"
        } else if name != "YAML" && name != "TAG" {
            "found unknown directive name"
        } else {
            continue;
        };
        let at = Mark::new(n, 1 + name.chars().count());
        let context = "while scanning a directive";
        return Some(Marked::with_context(
            YamlErrorKind::Scanner,
            context,
            Some(Mark::new(n, 0)),
            problem,
            at,
        ));
    }
    None
}

impl Composer<'_> {
    /// A `yaml-rust2` error in libyaml's words and marks.
    pub(super) fn scan_error(&self, e: &ScanError) -> Marked {
        let index = e.marker().index();
        let info = self.situated(e.info());
        if info == "missing explicit document end marker before directive" {
            return self.second_document(mark_of(e.marker()));
        }
        let (kind, context, problem) = translate(info, self.chars.get(index).copied());
        let at = self.blamed_mark(kind, &problem, e.marker());
        match context {
            Some(context) if context.starts_with("while scanning a quoted") => {
                self.quoted_scalar_error(context, problem, at)
            }
            Some(context) => match self.scanner_stop(&context, &problem, index, at) {
                Some(stop) => Marked::with_context(kind, context, Some(at), problem, stop),
                None => self.context_error(kind, context, problem, at),
            },
            None => Marked::new(kind, problem, at),
        }
    }

    /// The mark libyaml blames where `yaml-rust2` points elsewhere: the
    /// first tab rather than after it; for the parser, a mapping's first
    /// key rather than its `:`, a block scalar's indicator rather than its
    /// content, a line's `-` rather than the node after it.
    fn blamed_mark(&self, kind: YamlErrorKind, problem: &str, marker: &Marker) -> Mark {
        let index = marker.index();
        let mut at = mark_of(marker);
        if problem == "found character that cannot start any token" {
            at = self.tab_run_start(index, at);
        }
        if kind == YamlErrorKind::Parser {
            at = self.tokens.mapping_start(index).map_or(at, |k| k.0);
            if self.tokens.block_scalars.binary_search(&index).is_ok() {
                at = self.block_indicator_mark(marker).unwrap_or(at);
            }
            at = self.line_entry_start(at);
        }
        at
    }

    /// Where libyaml stopped, for scanner errors `yaml-rust2` reports at the
    /// start of the token (which libyaml gives as the context mark).
    fn scanner_stop(&self, context: &str, problem: &str, index: usize, at: Mark) -> Option<Mark> {
        if problem.contains("a tab character") {
            return Some(self.indentation_tab_after(index).unwrap_or(at));
        }
        if context == "while parsing a quoted scalar" {
            return Some(self.bad_escape_after(index, at).unwrap_or(at));
        }
        let skip = self.problem_offset(context, problem, index)?;
        Some(Mark::new(at.line, at.column + skip))
    }

    /// An error whose context mark is where the enclosing construct began.
    fn context_error(
        &self,
        kind: YamlErrorKind,
        context: String,
        problem: String,
        at: Mark,
    ) -> Marked {
        let context_mark = match context.as_str() {
            "while parsing a block mapping" => {
                let indent = self.entry_indent(at.line);
                self.innermost(|f| f.is_map && !f.flow && f.content.column <= indent)
            }
            "while parsing a block collection" => self.innermost(|f| !f.is_map && !f.flow),
            "while parsing a flow sequence" => self.innermost(|f| !f.is_map && f.flow),
            "while parsing a flow mapping" => self.innermost(|f| f.is_map && f.flow),
            "while scanning a simple key" => self.simple_key_start(at),
            _ => Some(at),
        };
        let context = match context.as_str() {
            "while parsing a node" if self.in_flow() => "while parsing a flow node".to_string(),
            "while parsing a node" => "while parsing a block node".to_string(),
            _ => context,
        };
        Marked {
            kind,
            context: Some(context),
            context_mark,
            problem,
            problem_mark: Some(at),
        }
    }

    /// Where libyaml stops at the first bad escape of the double-quoted
    /// scalar opening at `index`: the `\` of an unknown escape, the digits
    /// of a bad `\x`, `\u` or `\U` one.
    fn bad_escape_after(&self, index: usize, start: Mark) -> Option<Mark> {
        let (mut line, mut column) = (start.line, start.column + 1);
        let mut i = index + 1;
        while let Some(&c) = self.chars.get(i) {
            match c {
                '"' => return None,
                '\\' => {
                    let next = *self.chars.get(i + 1)?;
                    let Some(width) = escape_width(next) else {
                        return Some(Mark::new(line, column));
                    };
                    let digits: String = self.chars.iter().skip(i + 2).take(width).collect();
                    let valid = digits.chars().count() == width && is_code_point(&digits);
                    if !valid {
                        return Some(Mark::new(line, column + 2));
                    }
                    if next == '\n' {
                        (line, column) = (line + 1, 0);
                    } else {
                        column += 2 + width;
                    }
                    i += 2 + width;
                    continue;
                }
                '\n' => (line, column) = (line + 1, 0),
                _ => column += 1,
            }
            i += 1;
        }
        None
    }

    /// For errors inside an indicator `yaml-rust2` reports at its start,
    /// how many characters further libyaml's problem mark is.
    fn problem_offset(&self, context: &str, problem: &str, index: usize) -> Option<usize> {
        let after = self.chars.get(index + 1..)?;
        let count = |pred: &dyn Fn(char) -> bool| after.iter().take_while(|c| pred(**c)).count();
        let alpha = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        match (context, problem) {
            ("while scanning an anchor" | "while scanning an alias", _) => Some(1 + count(&alpha)),
            ("while scanning a block scalar", "found an indentation indicator equal to 0") => {
                Some(1 + count(&|c| c == '+' || c == '-'))
            }
            ("while scanning a block scalar", "did not find expected comment or line break") => {
                let indicators = count(&|c| "+-0123456789".contains(c));
                let blanks = after[indicators..]
                    .iter()
                    .take_while(|c| **c == ' ' || **c == '\t')
                    .count();
                Some(1 + indicators + blanks)
            }
            _ => None,
        }
    }

    /// The source text (for the error paths that look at whole lines).
    fn source(&self) -> String {
        self.chars.iter().collect()
    }

    /// The column where the content of `line` starts past its indentation
    /// and its `- ` sequence entry indicators: a mapping opened after a `-`
    /// on that line (`    - name: x`) starts there.
    fn entry_indent(&self, line: usize) -> usize {
        let text = self.source();
        let Some(l) = text.split('\n').nth(line) else { return 0 };
        let mut rest = l.trim_start_matches(' ');
        while let Some(after) = rest.strip_prefix('-').filter(|a| a.starts_with(' ')) {
            rest = after.trim_start_matches(' ');
        }
        l.chars().count() - rest.chars().count()
    }

    /// libyaml blames the first token of a line (a `-` included) where
    /// `yaml-rust2` may blame the node after the `-`.
    fn line_entry_start(&self, at: Mark) -> Mark {
        let text = self.source();
        let Some(line) = text.split('\n').nth(at.line) else {
            return at;
        };
        let before: String = line.chars().take(at.column).collect();
        let lead = before.trim_start_matches(' ');
        if lead.chars().all(|c| c == '-' || c == ' ') && !lead.is_empty() && lead.starts_with("- ")
        {
            return Mark::new(at.line, before.len() - lead.len());
        }
        at
    }

    /// `yaml-rust2` points after a tab that libyaml stops at.
    fn tab_run_start(&self, index: usize, at: Mark) -> Mark {
        let mut i = index;
        while i > 0 && self.chars.get(i - 1) == Some(&'\t') {
            i -= 1;
        }
        Mark::new(at.line, at.column - (index - i).min(at.column))
    }

    /// The first tab after `index` that stands in a line's indentation.
    fn indentation_tab_after(&self, index: usize) -> Option<Mark> {
        let (mut line, mut column, mut indentation) = (0, 0, true);
        for (i, &c) in self.chars.iter().enumerate() {
            if i > index && indentation && c == '\t' {
                return Some(Mark::new(line, column));
            }
            if c == '\n' {
                (line, column, indentation) = (line + 1, 0, true);
            } else {
                indentation &= c == ' ';
                column += 1;
            }
        }
        None
    }

    /// An unterminated quoted scalar: `yaml-rust2` gives where it began,
    /// libyaml also where it stopped (the end, or a `---`/`...` line).
    fn quoted_scalar_error(&self, context: String, problem: String, start: Mark) -> Marked {
        let text = self.source();
        let lines: Vec<&str> = text.split('\n').collect();
        let stop = if problem == "found unexpected document indicator" {
            (start.line + 1..lines.len())
                .find(|&n| lines[n].starts_with("---") || lines[n].starts_with("..."))
                .map_or(start, |n| Mark::new(n, 0))
        } else {
            let last = lines.len() - 1;
            Mark::new(last, lines[last].chars().count())
        };
        Marked::with_context(YamlErrorKind::Scanner, context, Some(start), problem, stop)
    }

    /// Messages whose libyaml counterpart depends on the open collection.
    fn situated<'m>(&self, info: &'m str) -> &'m str {
        let top = self.stack.last().map(|f| (f.is_map, f.flow));
        match (info, top) {
            ("invalid trailing content after double-quoted scalar", Some((true, false))) => {
                "while parsing a block mapping, did not find expected key"
            }
            ("invalid trailing content after double-quoted scalar", Some((true, true))) => {
                "while parsing a flow mapping, did not find expected ',' or '}'"
            }
            ("invalid trailing content after double-quoted scalar", Some((false, true))) => {
                "while parsing a flow sequence, expected ',' or ']'"
            }
            ("illegal placement of ':' indicator", Some((false, true))) => {
                "while parsing a flow sequence, expected ',' or ']'"
            }
            ("invalid content after document end marker", _) => {
                "did not find expected <document start>"
            }
            _ => info,
        }
    }

    /// libyaml reads a directive after a document as the start of another.
    pub(super) fn second_document(&self, at: Mark) -> Marked {
        let at = self.directives_before(at);
        Marked::with_context(
            YamlErrorKind::Composer,
            "expected a single document in the stream",
            self.root
                .as_ref()
                .map(|r| r.start)
                .or(self.stack.first().map(|f| f.start)),
            "but found another document",
            at,
        )
    }

    /// A document starts at its first directive, if `---` follows some.
    fn directives_before(&self, at: Mark) -> Mark {
        let text = self.source();
        let lines: Vec<&str> = text.split('\n').take(at.line).collect();
        let mut first = at;
        for (n, line) in lines.iter().enumerate().rev() {
            if line.starts_with('%') {
                first = Mark::new(n, 0);
            } else if !(line.trim().is_empty() || line.trim_start().starts_with('#')) {
                break;
            }
        }
        first
    }

    /// Where the key that lacks its `:` began: the first token of the last
    /// line with content before the error (the key itself is not reported
    /// by the event parser).
    fn simple_key_start(&self, at: Mark) -> Option<Mark> {
        let text = self.source();
        let lines: Vec<&str> = text.split('\n').take(at.line).collect();
        lines.iter().enumerate().rev().find_map(|(n, line)| {
            let body = line.trim_start_matches([' ', '\t']);
            if body.is_empty() || body.starts_with('#') {
                return None;
            }
            let mut column = line.chars().count() - body.chars().count();
            let mut rest = body;
            while let Some(after) = rest.strip_prefix("- ") {
                let trimmed = after.trim_start_matches(' ');
                column += rest.chars().count() - trimmed.chars().count();
                rest = trimmed;
            }
            Some(Mark::new(n, column))
        })
    }

    fn innermost(&self, pick: impl Fn(&Frame) -> bool) -> Option<Mark> {
        self.stack.iter().rev().find(|f| pick(f)).map(|f| f.content)
    }
}

/// How many hex digits follow the escape `\\<c>` in a double-quoted
/// scalar, or `None` if libyaml knows no such escape.
fn escape_width(c: char) -> Option<usize> {
    match c {
        'x' => Some(2),
        'u' => Some(4),
        'U' => Some(8),
        '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"' | '\'' | '/'
        | '\\' | 'N' | '_' | 'L' | 'P' | '\n' => Some(0),
        _ => None,
    }
}

/// Whether hex `digits` (none for a plain escape) name a character.
fn is_code_point(digits: &str) -> bool {
    digits.is_empty()
        || (digits.chars().all(|c| c.is_ascii_hexdigit())
            && u32::from_str_radix(digits, 16)
                .ok()
                .and_then(char::from_u32)
                .is_some())
}

/// `yaml-rust2`'s message -> (exception class, context, problem) in libyaml's
/// words. `at` is the character the error points at.
fn translate(info: &str, at: Option<char>) -> (YamlErrorKind, Option<String>, String) {
    use YamlErrorKind::{Composer, Parser, Scanner};
    let fixed: Option<(YamlErrorKind, Option<&str>, &str)> = match info {
        "while parsing node, found unknown anchor" => Some((Composer, None, "found undefined alias")),
        "while parsing a flow sequence, expected ',' or ']'" => {
            Some((Parser, Some("while parsing a flow sequence"), "did not find expected ',' or ']'"))
        }
        "did not find expected <document start>" | "did not find expected <document-start>" => {
            Some((Parser, None, "did not find expected <document start>"))
        }
        "the handle wasn't declared" => Some((Parser, Some("while parsing a node"), "found undefined tag handle")),
        "duplicate version directive" => Some((Parser, None, "found duplicate %YAML directive")),
        "the TAG directive must only be given at most once per handle in the same document" => {
            Some((Parser, None, "found duplicate %TAG directive"))
        }
        "found incompatible YAML document" => Some((Parser, None, "found incompatible YAML document")),
        "simple key expect ':'" | "simple key expected" => {
            Some((Scanner, Some("while scanning a simple key"), "could not find expected ':'"))
        }
        "invalid indentation in quoted scalar" => {
            Some((Scanner, Some("while scanning a quoted scalar"), "found unexpected end of stream"))
        }
        "while scanning a plain scalar, found a tab" => {
            Some((Scanner, Some("while scanning a plain scalar"), "found a tab character that violates indentation"))
        }
        "while parsing a quoted scalar, did not find expected hexadecimal number" => {
            Some((Scanner, Some("while parsing a quoted scalar"), "did not find expected hexdecimal number"))
        }
        "while scanning an anchor or alias, did not find expected alphabetic or numeric character" => Some((
            Scanner,
            Some(if at == Some('*') { "while scanning an alias" } else { "while scanning an anchor" }),
            "did not find expected alphabetic or numeric character",
        )),
        "a block scalar content cannot start with a tab" | "wrongly indented line in block scalar" => Some((
            Scanner,
            Some("while scanning a block scalar"),
            "found a tab character where an indentation space is expected",
        )),
        _ => None,
    };
    if let Some((kind, context, problem)) = fixed {
        return (kind, context.map(str::to_string), problem.to_string());
    }
    if info.starts_with("unexpected character")
        || info == "expected whitespace"
        || info.starts_with("tab")
        || info.contains("must be followed by a valid YAML whitespace")
    {
        return (
            Scanner,
            Some("while scanning for the next token".into()),
            "found character that cannot start any token".into(),
        );
    }
    let kind = if info.starts_with("while parsing a block")
        || info.starts_with("while parsing a flow")
        || info.starts_with("while parsing a node")
    {
        Parser
    } else {
        Scanner
    };
    match info.split_once(", ") {
        Some((context, problem)) if context.starts_with("while ") => {
            let context = context
                .replace("YAML directive", "%YAML directive")
                .replace("scanning TAG", "scanning a %TAG directive");
            (kind, Some(context), problem.to_string())
        }
        _ => (kind, None, info.to_string()),
    }
}
