//! Splits template source into tokens as Jinja2's lexer does: template data,
//! `{{ }}` / `{% %}` delimiters, names, literals and operators, with `{# #}`
//! comments dropped, `{% raw %}` kept verbatim, whitespace control (`-`, `+`)
//! and the optional `trim_blocks` / `lstrip_blocks` behaviour.
//!
//! A lexing error does not stop tokenising early for the caller: it becomes a
//! final `Tok::Error` token, so the parser reports whichever error Jinja2 would
//! meet first. It must not build syntax trees.

use std::rc::Rc;

/// Lexer settings (Salt's defaults: both off; a `#jinja2:` header may set them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct LexOptions {
    pub(crate) trim_blocks: bool,
    pub(crate) lstrip_blocks: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Data(Rc<str>),
    VarBegin,
    VarEnd,
    BlockBegin,
    BlockEnd,
    Name(Rc<str>),
    Str(Rc<str>),
    Int(i64),
    Float(f64),
    Op(&'static str),
    Eof,
    /// A lexing error, always the last token.
    Error(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) line: usize,
}

/// Operators, longest first.
const OPERATORS: [&str; 26] = [
    "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">",
    "<", "=", ".", ":", "|", ",", ";",
];

/// Python's `str.isspace`.
pub(crate) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Normalises newlines to `\n` and drops one trailing newline, as Jinja2 does
/// with `keep_trailing_newline` off.
fn normalize(source: &str) -> String {
    let mut s = source.replace("\r\n", "\n").replace('\r', "\n");
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// Tokenises a template.
pub(crate) fn tokenize(source: &str, opts: LexOptions) -> Vec<Token> {
    let src = normalize(source);
    let mut lx = Lexer { src: &src, pos: 0, line: 1, opts, tokens: Vec::new(), line_starting: true };
    if let Err(msg) = lx.run() {
        let line = lx.line;
        lx.tokens.push(Token { tok: Tok::Error(msg), line });
    } else {
        let line = lx.tokens.last().map_or(1, |t| t.line);
        lx.tokens.push(Token { tok: Tok::Eof, line });
    }
    lx.tokens
}

struct Lexer<'a> {
    src: &'a str,
    /// Byte offset.
    pos: usize,
    line: usize,
    opts: LexOptions,
    tokens: Vec<Token>,
    /// Whether the last consumed text ended with a newline (for lstrip_blocks).
    line_starting: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Opener {
    Var,
    Block,
    Comment,
    Raw,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.tokens.push(Token { tok, line });
    }

    /// Moves to `to`, counting newlines.
    fn advance_to(&mut self, to: usize) {
        let consumed = &self.src[self.pos..to];
        self.line += consumed.matches('\n').count();
        if !consumed.is_empty() {
            self.line_starting = consumed.ends_with('\n');
        }
        self.pos = to;
    }

    fn run(&mut self) -> Result<(), String> {
        while self.pos < self.src.len() {
            let Some((at, opener, sign)) = self.find_opener() else {
                let line = self.line;
                let text = self.rest();
                self.push(Tok::Data(Rc::from(text)), line);
                self.advance_to(self.src.len());
                break;
            };
            self.emit_data(at, opener, sign);
            match opener {
                Opener::Comment => self.comment()?,
                Opener::Raw => self.raw()?,
                Opener::Var | Opener::Block => self.tag(opener)?,
            }
        }
        Ok(())
    }

    /// The next opener at or after `pos`: (byte offset, kind, whitespace sign).
    fn find_opener(&self) -> Option<(usize, Opener, char)> {
        let rest = self.rest();
        let mut search = 0;
        while let Some(i) = rest[search..].find('{') {
            let at = search + i;
            let after = &rest[at + 1..];
            let opener = match after.chars().next() {
                Some('{') => Some(Opener::Var),
                Some('%') => Some(if raw_begin(&after[1..]).is_some() { Opener::Raw } else { Opener::Block }),
                Some('#') => Some(Opener::Comment),
                _ => None,
            };
            if let Some(kind) = opener {
                let sign = after[1..].chars().next().filter(|c| *c == '-' || *c == '+').unwrap_or('\0');
                return Some((self.pos + at, kind, sign));
            }
            search = at + 1;
        }
        None
    }

    /// Emits the text before an opener, applying `-` and lstrip_blocks.
    fn emit_data(&mut self, at: usize, opener: Opener, sign: char) {
        let text = &self.src[self.pos..at];
        let kept = if sign == '-' {
            text.trim_end_matches(py_space)
        } else if sign != '+' && self.opts.lstrip_blocks && opener != Opener::Var {
            lstrip_line(text, self.line_starting)
        } else {
            text
        };
        if !kept.is_empty() {
            let line = self.line;
            self.push(Tok::Data(Rc::from(kept)), line);
        }
        self.advance_to(at);
    }

    fn comment(&mut self) -> Result<(), String> {
        let body_start = self.pos + 2 + usize::from(self.rest()[2..].starts_with(['-', '+']));
        let Some(rel) = self.src[body_start..].find("#}") else {
            return Err("Missing end of comment tag".into());
        };
        let close = body_start + rel;
        let sign = if close > body_start { self.src[..close].chars().last().unwrap_or('\0') } else { '\0' };
        let end = self.after_end(close + 2, sign, true);
        self.advance_to(end);
        Ok(())
    }

    /// Where scanning resumes after an end delimiter ending at `end`.
    fn after_end(&self, end: usize, sign: char, block: bool) -> usize {
        match sign {
            '-' => end + self.src[end..].len() - self.src[end..].trim_start_matches(py_space).len(),
            '+' => end,
            _ if block && self.opts.trim_blocks && self.src[end..].starts_with('\n') => end + 1,
            _ => end,
        }
    }

    fn raw(&mut self) -> Result<(), String> {
        let open_len = raw_begin(&self.rest()[2..]).unwrap_or(0) + 2;
        self.advance_to(self.pos + open_len);
        let line = self.line;
        let Some((body_end, sign, end_at)) = find_endraw(self.rest()) else {
            return Err("Missing end of raw directive".into());
        };
        let body = &self.rest()[..body_end];
        let body = if sign == '-' {
            body.trim_end_matches(py_space)
        } else if sign != '+' && self.opts.lstrip_blocks {
            lstrip_line(body, self.line_starting)
        } else {
            body
        };
        if !body.is_empty() {
            self.push(Tok::Data(Rc::from(body)), line);
        }
        let end = self.pos + end_at;
        let close_sign = self.src[..end - 2].chars().last().unwrap_or('\0');
        let resume = self.after_end(end, close_sign, true);
        self.advance_to(resume);
        Ok(())
    }

    /// Lexes a `{{ ... }}` or `{% ... %}` tag.
    fn tag(&mut self, opener: Opener) -> Result<(), String> {
        let line = self.line;
        let begin = if opener == Opener::Var { Tok::VarBegin } else { Tok::BlockBegin };
        self.push(begin, line);
        let skip = 2 + usize::from(self.rest()[2..].starts_with(['-', '+']));
        self.advance_to(self.pos + skip);
        let mut balance: Vec<char> = Vec::new();
        loop {
            let ws = self.rest().len() - self.rest().trim_start_matches(py_space).len();
            self.advance_to(self.pos + ws);
            if self.pos >= self.src.len() {
                return Ok(());
            }
            if balance.is_empty() && self.tag_end(opener) {
                return Ok(());
            }
            self.tag_token(&mut balance)?;
        }
    }

    /// Consumes the end delimiter of a tag if it is next.
    fn tag_end(&mut self, opener: Opener) -> bool {
        let rest = self.rest();
        let close = if opener == Opener::Var { "}}" } else { "%}" };
        let (sign, len) = if rest.starts_with('-') && rest[1..].starts_with(close) {
            ('-', 3)
        } else if opener == Opener::Block && rest.starts_with('+') && rest[1..].starts_with(close) {
            ('+', 3)
        } else if rest.starts_with(close) {
            ('\0', 2)
        } else {
            return false;
        };
        let line = self.line;
        let end_tok = if opener == Opener::Var { Tok::VarEnd } else { Tok::BlockEnd };
        self.push(end_tok, line);
        let resume = self.after_end(self.pos + len, sign, opener == Opener::Block);
        self.advance_to(resume);
        true
    }

    fn tag_token(&mut self, balance: &mut Vec<char>) -> Result<(), String> {
        let rest = self.rest();
        let line = self.line;
        let prev_dot = self.src[..self.pos].ends_with('.');
        let (tok, len) = if let Some(len) = (!prev_dot).then(|| float_len(rest)).flatten() {
            (parse_float(&rest[..len]), len)
        } else if let Some((value, len)) = int_literal(rest) {
            (value, len)
        } else if let Some(len) = name_len(rest) {
            (Tok::Name(Rc::from(&rest[..len])), len)
        } else if let Some(len) = string_len(rest) {
            (Tok::Str(Rc::from(unescape(&rest[1..len - 1])?)), len)
        } else if let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            self.balance(op, balance)?;
            (Tok::Op(op), op.len())
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            let offset = self.src[..self.pos].chars().count();
            return Err(format!("unexpected char {} at {}", brine_common::value::py_str_repr(&c.to_string()), offset));
        };
        self.push(tok, line);
        self.advance_to(self.pos + len);
        Ok(())
    }

    fn balance(&self, op: &str, balance: &mut Vec<char>) -> Result<(), String> {
        match op {
            "{" => balance.push('}'),
            "(" => balance.push(')'),
            "[" => balance.push(']'),
            "}" | ")" | "]" => {
                let Some(expected) = balance.pop() else {
                    return Err(format!("unexpected '{op}'"));
                };
                if !op.starts_with(expected) {
                    return Err(format!("unexpected '{op}', expected '{expected}'"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Strips the whitespace-only last line of `text` (lstrip_blocks).
fn lstrip_line(text: &str, line_starting: bool) -> &str {
    let l_pos = text.rfind('\n').map_or(0, |i| i + 1);
    let tail = &text[l_pos..];
    if (l_pos > 0 || line_starting) && !tail.is_empty() && tail.chars().all(py_space) {
        &text[..l_pos]
    } else {
        text
    }
}

/// After `{%`: matches `[-+]?\s*raw\s*(-%}|%})`, returning its byte length.
fn raw_begin(after_pct: &str) -> Option<usize> {
    let s = after_pct.strip_prefix(['-', '+']).unwrap_or(after_pct);
    let mut len = after_pct.len() - s.len();
    let t = s.trim_start_matches(py_space);
    len += s.len() - t.len();
    let t2 = t.strip_prefix("raw")?;
    len += 3;
    let t3 = t2.trim_start_matches(py_space);
    len += t2.len() - t3.len();
    if t3.starts_with("-%}") {
        Some(len + 3)
    } else if t3.starts_with("%}") {
        Some(len + 2)
    } else {
        None
    }
}

/// Finds `{%[-+]?\s*endraw\s*[-+]?%}`: (body end, its opening sign, byte after `%}`).
fn find_endraw(s: &str) -> Option<(usize, char, usize)> {
    let mut search = 0;
    while let Some(i) = s[search..].find("{%") {
        let at = search + i;
        let after = &s[at + 2..];
        let sign = after.chars().next().filter(|c| *c == '-' || *c == '+').unwrap_or('\0');
        let body = if sign == '\0' { after } else { &after[1..] };
        let t = body.trim_start_matches(py_space);
        if let Some(t2) = t.strip_prefix("endraw") {
            let t3 = t2.trim_start_matches(py_space);
            let close = if t3.starts_with("-%}") || t3.starts_with("+%}") {
                Some(3)
            } else if t3.starts_with("%}") {
                Some(2)
            } else {
                None
            };
            if let Some(n) = close {
                let end = s.len() - t3.len() + n;
                return Some((at, sign, end));
            }
        }
        search = at + 2;
    }
    None
}

/// `(\d+_)*\d+`: digits with single underscores between them.
fn digits_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    while i < b.len() {
        let digit = b[i].is_ascii_digit();
        let separator = b[i] == b'_' && b.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        if digit || separator {
            i += 1;
        } else {
            break;
        }
    }
    Some(i)
}

/// Jinja2's float literal: `D(.D)?e[+-]?D` or `D.D`.
fn float_len(s: &str) -> Option<usize> {
    let int = digits_len(s)?;
    let frac = s[int..].strip_prefix('.').and_then(digits_len).map(|n| n + 1);
    let after_frac = int + frac.unwrap_or(0);
    let exp = s[after_frac..].strip_prefix(['e', 'E']).and_then(|e| {
        let sign = usize::from(e.starts_with(['+', '-']));
        digits_len(&e[sign..]).map(|n| 1 + sign + n)
    });
    match (frac, exp) {
        (_, Some(e)) => Some(after_frac + e),
        (Some(_), None) => Some(after_frac),
        (None, None) => None,
    }
}

fn parse_float(text: &str) -> Tok {
    match text.replace('_', "").parse::<f64>() {
        Ok(f) => Tok::Float(f),
        Err(_) => Tok::Error(format!("invalid float literal {text}")),
    }
}

/// Jinja2's integer literal (binary, octal, hex, decimal with `_`).
fn int_literal(s: &str) -> Option<(Tok, usize)> {
    let lower = s.get(..2).map(str::to_ascii_lowercase);
    let radix = match lower.as_deref() {
        Some("0b") => 2,
        Some("0o") => 8,
        Some("0x") => 16,
        _ => 10,
    };
    let prefixed_digit = s.get(2..).unwrap_or("").trim_start_matches('_').chars().next();
    let radix = if prefixed_digit.is_some_and(|c| c.is_digit(radix)) { radix } else { 10 };
    let (start, len) = if radix == 10 {
        let first = s.chars().next()?;
        if first == '0' {
            let n = 1 + s[1..].chars().take_while(|c| *c == '0' || *c == '_').count();
            let n = s[..n].trim_end_matches('_').len();
            (0, n)
        } else if first.is_ascii_digit() {
            (0, digits_len(s)?)
        } else {
            return None;
        }
    } else {
        let body = &s[2..];
        let mut n = 0;
        let b = body.as_bytes();
        while n < b.len() {
            let ok = |c: u8| (c as char).is_digit(radix);
            if ok(b[n]) || (b[n] == b'_' && b.get(n + 1).is_some_and(|c| ok(*c))) {
                n += 1;
            } else {
                break;
            }
        }
        (2, n)
    };
    let digits: String = s[start..start + len].chars().filter(|c| *c != '_').collect();
    let tok = match i64::from_str_radix(&digits, radix) {
        Ok(i) => Tok::Int(i),
        Err(_) => Tok::Error("integer literal too large".into()),
    };
    Some((tok, start + len))
}

fn name_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    if !(first == '_' || first.is_alphabetic()) {
        return None;
    }
    Some(chars.find(|(_, c)| !(*c == '_' || c.is_alphanumeric())).map_or(s.len(), |(i, _)| i))
}

/// A quoted string literal with backslash escapes; its byte length.
fn string_len(s: &str) -> Option<usize> {
    let quote = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some(i + 1);
        }
    }
    None
}

/// Python's `unicode-escape` decoding of a string literal's body.
fn unescape(body: &str) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            return Err("\\ at end of string".into());
        };
        match e {
            '\n' => {}
            '\\' | '\'' | '"' => out.push(e),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => out.push(octal(e, &mut chars)),
            'x' => out.push(hex_escape(&mut chars, 2, "truncated \\xXX escape")?),
            'u' => out.push(hex_escape(&mut chars, 4, "truncated \\uXXXX escape")?),
            'U' => out.push(hex_escape(&mut chars, 8, "truncated \\UXXXXXXXX escape")?),
            'N' => return Err("malformed \\N character escape".into()),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

fn octal(first: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> char {
    let mut v = first.to_digit(8).unwrap_or(0);
    for _ in 0..2 {
        match chars.peek().and_then(|c| c.to_digit(8)) {
            Some(d) => {
                v = v * 8 + d;
                chars.next();
            }
            None => break,
        }
    }
    char::from_u32(v).unwrap_or('\u{fffd}')
}

fn hex_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize, msg: &str) -> Result<char, String> {
    let mut v: u32 = 0;
    for _ in 0..n {
        let d = chars.peek().and_then(|c| c.to_digit(16)).ok_or_else(|| msg.to_string())?;
        chars.next();
        v = v * 16 + d;
    }
    char::from_u32(v).ok_or_else(|| "illegal Unicode character".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src, LexOptions::default()).into_iter().map(|t| t.tok).collect()
    }

    fn data(s: &str) -> Tok {
        Tok::Data(Rc::from(s))
    }

    #[test]
    fn splits_data_and_tags() {
        assert_eq!(
            toks("a {{ x.y }} b{# c #}\n"),
            vec![data("a "), Tok::VarBegin, Tok::Name("x".into()), Tok::Op("."), Tok::Name("y".into()), Tok::VarEnd, data(" b"), Tok::Eof]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(
            toks("{{ 1_000 0x1F 1.5e3 'a\\nb\\d' \"q\" }}"),
            vec![Tok::VarBegin, Tok::Int(1000), Tok::Int(31), Tok::Float(1500.0), Tok::Str("a\nb\\d".into()), Tok::Str("q".into()), Tok::VarEnd, Tok::Eof]
        );
        assert_eq!(toks("{{ a.0.1 }}")[3..6], [Tok::Int(0), Tok::Op("."), Tok::Int(1)]);
    }

    #[test]
    fn whitespace_control() {
        assert_eq!(toks("a  \n {%- if x -%}\n  b"), vec![data("a"), Tok::BlockBegin, Tok::Name("if".into()), Tok::Name("x".into()), Tok::BlockEnd, data("b"), Tok::Eof]);
        assert_eq!(toks("a {{- x -}} b")[0], data("a"));
    }

    #[test]
    fn trim_and_lstrip() {
        let opts = LexOptions { trim_blocks: true, lstrip_blocks: true };
        let t: Vec<Tok> = tokenize("x\n  {% if a %}\ny", opts).into_iter().map(|t| t.tok).collect();
        assert_eq!(t, vec![data("x\n"), Tok::BlockBegin, Tok::Name("if".into()), Tok::Name("a".into()), Tok::BlockEnd, data("y"), Tok::Eof]);
    }

    #[test]
    fn raw_blocks() {
        assert_eq!(toks("{% raw %}{{ x }}{% endraw %}!"), vec![data("{{ x }}"), data("!"), Tok::Eof]);
        assert_eq!(toks("{% raw %}x"), vec![Tok::Error("Missing end of raw directive".into())]);
    }

    #[test]
    fn errors_and_lines() {
        let t = tokenize("a\n{{ x }\n", LexOptions::default());
        assert_eq!(t.last().map(|t| (&t.tok, t.line)), Some((&Tok::Error("unexpected '}'".into()), 2)));
        let t = tokenize("{{ (] }}", LexOptions::default());
        assert_eq!(t.last().map(|t| t.tok.clone()), Some(Tok::Error("unexpected ']', expected ')'".into())));
        let t = tokenize("{{ a ! b }}", LexOptions::default());
        assert_eq!(t.last().map(|t| t.tok.clone()), Some(Tok::Error("unexpected char '!' at 5".into())));
        let t = tokenize("{# x", LexOptions::default());
        assert_eq!(t.last().map(|t| t.tok.clone()), Some(Tok::Error("Missing end of comment tag".into())));
        let t = tokenize("x\ny\n{{ z }}", LexOptions::default());
        assert_eq!(t[1].line, 3);
    }
}
