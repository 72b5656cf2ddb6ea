//! A fast path for the YAML most SLS files are once Jinja has run: block
//! mappings and sequences of single-line plain or quoted scalars, `[]`,
//! `{}` and literal blocks (`|`, `|-`). It reads that subset line by line,
//! builds the value as the general loader would, and gives up (`None`) on
//! anything else: flow collections, anchors, aliases, tags, folded or kept
//! blocks, multi-line scalars, comments after content, tabs, document
//! markers, duplicate or non-string keys.
//!
//! Giving up is never an error: the general loader then reads the text from
//! the start and reports what is wrong. This path must not accept a text
//! the general loader reads differently, nor report errors itself; the
//! differential fuzz target (`common/tests/fuzz.rs`) holds it to that.

use crate::{Map, Value};

use super::construct::plain_value;
use super::resolve::{resolve_plain, Implicit};

/// Deeper documents go the general way (which has its own limit).
const MAX_NESTING: usize = 64;

/// Longer keys go the general way (libyaml allows 1024 characters before
/// the `:` of an implicit key).
const MAX_KEY: usize = 1000;

/// The value of `src` (already through the reader), or `None` when it is
/// not in the subset.
pub(super) fn load(src: &str) -> Option<Value> {
    if !src.is_empty() && !src.ends_with('\n') {
        return None;
    }
    if src.as_bytes().contains(&b'\t') || (!src.is_ascii() && src.contains(['\u{2028}', '\u{2029}', '\u{feff}'])) {
        return None;
    }
    let mut p = Lines::new(src)?;
    let Some(first) = p.peek() else {
        return Some(Value::Null);
    };
    let value = p.block(first.indent, 0)?;
    p.peek().is_none().then_some(value)
}

#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

impl Line<'_> {
    /// A `-` entry: `- x` or a lone `-`.
    fn is_entry(&self) -> bool {
        self.text == "-" || self.text.starts_with("- ")
    }
}

struct Lines<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
}

impl<'a> Lines<'a> {
    /// Splits `src` into lines; `None` on a line the subset never reads
    /// (document markers, directives).
    fn new(src: &'a str) -> Option<Lines<'a>> {
        let mut lines = Vec::new();
        for raw in src.split_terminator('\n') {
            let text = raw.trim_start_matches(' ');
            let indent = raw.len() - text.len();
            if indent == 0 && (raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%')) {
                return None;
            }
            lines.push(Line { indent, text });
        }
        Some(Lines { lines, at: 0 })
    }

    /// Whether line `i` carries no node: blank, or a whole-line comment.
    fn is_void(&self, i: usize) -> bool {
        let t = self.lines[i].text;
        t.is_empty() || t.starts_with('#')
    }

    /// The next line with content, skipping blank and comment lines.
    fn peek(&mut self) -> Option<Line<'a>> {
        while self.at < self.lines.len() && self.is_void(self.at) {
            self.at += 1;
        }
        self.lines.get(self.at).copied()
    }

    /// A block collection whose lines start at column `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Value> {
        if depth > MAX_NESTING {
            return None;
        }
        let line = self.peek()?;
        if line.is_entry() {
            self.sequence(indent, depth)
        } else {
            self.mapping(indent, depth)
        }
    }

    /// `- item` lines at `indent`.
    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || !line.is_entry() {
                break;
            }
            let rest = line.text[1..].trim_start_matches(' ');
            let column = indent + line.text.len() - rest.len();
            let item = if rest.is_empty() {
                self.at += 1;
                self.nested(indent, false, depth)?
            } else if rest.starts_with('#') || rest == "-" || rest.starts_with("- ") {
                // A comment after the `-`, or a sequence in a sequence.
                return None;
            } else if key_end(rest).is_some() {
                // `- key: value`: a mapping whose keys stand at `column`.
                self.lines[self.at] = Line { indent: column, text: rest };
                self.mapping(column, depth + 1)?
            } else {
                self.at += 1;
                self.scalar(rest, indent)?
            };
            items.push(item);
        }
        self.after_block(indent)?;
        Some(Value::List(items))
    }

    /// `key: value` lines at `indent`.
    fn mapping(&mut self, indent: usize, depth: usize) -> Option<Value> {
        let mut entries = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || line.is_entry() {
                break;
            }
            let (key, rest) = split_key(line.text)?;
            self.at += 1;
            let value = if rest.is_empty() {
                self.nested(indent, true, depth)?
            } else {
                self.scalar(rest, indent)?
            };
            entries.push((key, value));
        }
        self.after_block(indent)?;
        into_map(entries).map(Value::Map)
    }

    /// A collection's end: the next line must belong to an outer one.
    fn after_block(&mut self, indent: usize) -> Option<()> {
        match self.peek() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    /// The value of a key or entry with nothing after its indicator: a
    /// deeper block, an indentless sequence (for a key), or null.
    fn nested(&mut self, indent: usize, is_key: bool, depth: usize) -> Option<Value> {
        match self.peek() {
            Some(next) if next.indent > indent => self.block(next.indent, depth + 1),
            Some(next) if is_key && next.indent == indent && next.is_entry() => self.sequence(indent, depth + 1),
            _ => Some(Value::Null),
        }
    }

    /// A scalar written after `key: ` or `- ` in a collection at `indent`.
    fn scalar(&mut self, text: &str, indent: usize) -> Option<Value> {
        let text = text.trim_end_matches(' ');
        match text {
            "[]" => return self.single_line(indent, Value::List(Vec::new())),
            "{}" => return self.single_line(indent, Value::Map(Map::default())),
            "|" | "|-" => return self.literal(indent, text == "|-"),
            _ => {}
        }
        let value = match text.as_bytes()[0] {
            b'\'' => Value::Str(single_quoted(text)?),
            b'"' => Value::Str(double_quoted(text)?),
            _ if !plain_start(text) || has_comment(text) || key_end(text).is_some() => return None,
            _ => plain_value(text)?,
        };
        self.single_line(indent, value)
    }

    /// `value`, provided no more-indented line continues the scalar.
    fn single_line(&mut self, indent: usize, value: Value) -> Option<Value> {
        let mut i = self.at;
        while i < self.lines.len() && self.lines[i].text.is_empty() {
            i += 1;
        }
        match self.lines.get(i) {
            Some(next) if next.indent > indent => None,
            _ => Some(value),
        }
    }

    /// A literal block scalar (`|` clipped, `|-` stripped) whose header
    /// ends a line of the collection at `indent`.
    fn literal(&mut self, indent: usize, strip: bool) -> Option<Value> {
        let first = *self.lines.get(self.at)?;
        if first.text.is_empty() || first.indent <= indent {
            return None;
        }
        let content = first.indent;
        let mut out = String::new();
        let mut pending_breaks = 0;
        while let Some(line) = self.lines.get(self.at) {
            if line.text.is_empty() {
                if line.indent > 0 {
                    return None;
                }
                pending_breaks += 1;
            } else if line.indent >= content {
                for _ in 0..pending_breaks {
                    out.push('\n');
                }
                pending_breaks = 0;
                out.extend(std::iter::repeat_n(' ', line.indent - content));
                out.push_str(line.text);
                out.push('\n');
            } else {
                break;
            }
            self.at += 1;
        }
        if strip {
            out.pop();
        }
        Some(Value::Str(out))
    }
}

/// The map of `entries`, allocated at its final size (most SLS maps hold
/// one to four keys, and a map grown one key at a time would reserve room
/// for more); `None` on a duplicate key.
fn into_map(entries: Vec<(String, Value)>) -> Option<Map> {
    let mut map = crate::value::map_with_capacity(entries.len());
    for (key, value) in entries {
        if map.insert(key, value).is_some() {
            return None;
        }
    }
    Some(map)
}

/// Where a plain `key:` ends in `text` (the index of its `:`): the first
/// `: ` or a final `:`.
fn key_end(text: &str) -> Option<usize> {
    find_pair(text, b':', b' ').or_else(|| text.ends_with(':').then(|| text.len() - 1))
}

/// Whether a plain scalar holds ` #`, which starts a comment.
fn has_comment(text: &str) -> bool {
    find_pair(text, b' ', b'#').is_some()
}

/// The index of the first `a` followed by `b` (ASCII both). A substring
/// search sets up a searcher per call; these texts are a few bytes long.
fn find_pair(text: &str, a: u8, b: u8) -> Option<usize> {
    text.as_bytes().windows(2).position(|w| w[0] == a && w[1] == b)
}

/// A mapping line's key and what follows its `: `.
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, rest) = match text.as_bytes()[0] {
        b'\'' | b'"' => {
            let close = closing_quote(text).filter(|&c| c < MAX_KEY)?;
            let rest = text[close + 1..].strip_prefix(':')?;
            let quoted = &text[..=close];
            let key = if text.starts_with('\'') { single_quoted(quoted)? } else { double_quoted(quoted)? };
            (key, rest)
        }
        _ => {
            let end = key_end(text).filter(|&e| e < MAX_KEY)?;
            let key = text[..end].trim_end_matches(' ');
            if key.is_empty() || !plain_start(key) || has_comment(key) || resolve_plain(key) != Implicit::Str {
                return None;
            }
            (key.to_string(), &text[end + 1..])
        }
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((key, rest.trim_start_matches(' ')))
}

/// Whether a plain scalar may start as `text` does: not with an indicator,
/// but `-` when a non-space follows (`?` and `:` then are legal too; the
/// subset leaves them to the general loader).
fn plain_start(text: &str) -> bool {
    if let Some(rest) = text.strip_prefix('-') {
        return !rest.is_empty() && !rest.starts_with(' ');
    }
    !text.starts_with(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`'])
}

/// The index of the quote closing the quoted scalar `text` starts with.
fn closing_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = bytes[0];
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => return None,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `'text'` as a whole, with `''` read as `'`.
fn single_quoted(text: &str) -> Option<String> {
    let close = closing_quote(text)?;
    (close == text.len() - 1).then(|| text[1..close].replace("''", "'"))
}

/// `"text"` as a whole, without escapes.
fn double_quoted(text: &str) -> Option<String> {
    let close = closing_quote(text)?;
    (close == text.len() - 1).then(|| text[1..close].to_string())
}

#[cfg(test)]
mod tests {
    use super::load;
    use crate::yaml;

    /// The fast path reads `src`, and exactly as the general loader does.
    fn same(src: &str) {
        let fast = load(src).unwrap_or_else(|| panic!("the fast path gave up on {src:?}"));
        let general = yaml::load_general(src).expect("the general loader reads it");
        assert_eq!(format!("{fast:?}"), format!("{general:?}"), "for {src:?}");
    }

    fn gives_up(src: &str) {
        assert!(load(src).is_none(), "the fast path read {src:?}");
    }

    #[test]
    fn reads_the_usual_sls_shapes() {
        same("");
        same("# only a comment\n");
        same("nginx:\n  pkg.installed: []\n  service.running:\n    - enable: True\n    - watch:\n      - file: /etc/nginx/nginx.conf\n");
        same("/etc/x.conf:\n  file.managed:\n    - mode: 0644\n    - user: 'root'\n    - contents: |\n        a = 1\n\n          b\n    - contents_x: |-\n        last\n");
        same("top:\n- a\n- b: 1\n  c: 2\n-\n- 3.5\nnext: ~\n'*':\n  - \"x y\"\n");
        same("a:\n\n  b: yes\n  c: 2001-12-14\n  d: 1e3\n  e: -1\n  f: it's\n");
    }

    #[test]
    fn gives_up_outside_the_subset() {
        gives_up("a: {b: 1}\n");
        gives_up("a: &x 1\nb: *x\n");
        gives_up("a: 1\na: 2\n");
        gives_up("a: b\n  c\n");
        gives_up("a: >\n  folded\n");
        gives_up("a: 1 # comment\n");
        gives_up("a: \"esc\\n\"\n");
        gives_up("1: a\n");
        gives_up("--- \na: 1\n");
        gives_up("a:\tb\n");
        gives_up("a: 1");
        gives_up("a: b: c\n");
        gives_up("plain\n");
    }
}
