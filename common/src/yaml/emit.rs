//! `yaml.safe_dump` as Salt runs it: PyYAML's `SafeRepresenter` (keys
//! sorted, floats as `repr`, collections flow-styled when they hold only
//! scalars unless a flow style is forced) feeding libyaml 0.2.5's emitter
//! (`CSafeDumper`), whose scalar analysis, quoting choices, indentation and
//! line folding at the width are ported here state for state.
//!
//! It only writes what a [`Value`] can hold: no anchors (a tree shares
//! nothing), no block scalar styles (PyYAML never asks), tags only where
//! libyaml adds them itself (`! "1"` under `default_style='"'`).
//! It must not drift from libyaml's choices for the sake of prettier output.

use crate::value::py_float;
use crate::Value;

use super::resolve::{resolve_plain, Implicit};

/// The `safe_dump` keyword arguments Salt passes somewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpOptions {
    /// `default_flow_style`: `None` lets each collection of scalars be flow.
    pub flow: Option<bool>,
    /// `indent` (libyaml keeps 2 unless it is 2..=9).
    pub indent: Option<usize>,
    /// `width` (libyaml uses 80 unless it exceeds twice the indent).
    pub width: Option<usize>,
    /// `default_style='"'`: every scalar double-quoted.
    pub double_quoted: bool,
    /// `sort_keys` (PyYAML's default `True`; Salt's OrderedDicts are not sorted).
    pub sort_keys: bool,
    /// `allow_unicode` (PyYAML's default `False`; Salt's `safe_dump` sets
    /// it): without it, a non-ASCII character makes its scalar
    /// double-quoted and is written as an escape.
    pub allow_unicode: bool,
}

impl Default for DumpOptions {
    fn default() -> DumpOptions {
        DumpOptions {
            flow: None,
            indent: None,
            width: None,
            double_quoted: false,
            sort_keys: true,
            allow_unicode: true,
        }
    }
}

/// The YAML text of `v` (one document, ending in a newline).
pub(crate) fn dump(v: &Value, options: &DumpOptions) -> String {
    let node = represent(v, options);
    let best_indent = options.indent.filter(|i| (2..=9).contains(i)).unwrap_or(2);
    let best_width = options.width.filter(|w| *w > best_indent * 2).unwrap_or(80);
    let mut e = Emitter::new(best_indent, best_width);
    e.emit_node(
        &node,
        Context {
            mapping: false,
            simple_key: false,
        },
    );
    e.write_indent();
    e.out
}

/// A represented node (PyYAML's node graph with `flow_style` decided).
enum RNode {
    Scalar(Scalar),
    Seq(Vec<RNode>, bool),
    Map(Vec<(RNode, RNode)>, bool),
}

struct Scalar {
    text: Vec<char>,
    /// `plain_implicit`: reads back with the same tag when written plain.
    plain_implicit: bool,
    /// `quoted_implicit`: it is a string.
    quoted_implicit: bool,
    /// The tag's suffix (`int`, `str`, ...), written when neither implicit flag holds.
    tag: &'static str,
    double_quoted: bool,
    /// `allow_unicode` is off: non-ASCII characters are special.
    ascii: bool,
}

fn represent(v: &Value, o: &DumpOptions) -> RNode {
    match v {
        Value::Null => scalar("null", Implicit::Null, o),
        Value::Bool(b) => scalar(if *b { "true" } else { "false" }, Implicit::Bool, o),
        Value::Int(i) => scalar(&i.to_string(), Implicit::Int, o),
        Value::Float(f) => scalar(&float_text(*f), Implicit::Float, o),
        Value::Str(s) => scalar(s, Implicit::Str, o),
        Value::List(items) => {
            let nodes: Vec<RNode> = items.iter().map(|i| represent(i, o)).collect();
            let best = nodes.iter().all(|n| is_plain_scalar(n, o));
            RNode::Seq(nodes, o.flow.unwrap_or(best))
        }
        Value::Map(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            if o.sort_keys {
                keys.sort();
            }
            let pairs: Vec<(RNode, RNode)> = keys
                .into_iter()
                .map(|k| (scalar(k, Implicit::Str, o), represent(&map[k.as_str()], o)))
                .collect();
            let best = pairs
                .iter()
                .all(|(k, v)| is_plain_scalar(k, o) && is_plain_scalar(v, o));
            RNode::Map(pairs, o.flow.unwrap_or(best))
        }
    }
}

/// PyYAML's `best_style` test: a scalar node without a style.
fn is_plain_scalar(n: &RNode, o: &DumpOptions) -> bool {
    matches!(n, RNode::Scalar(_)) && !o.double_quoted
}

fn scalar(text: &str, tag: Implicit, o: &DumpOptions) -> RNode {
    RNode::Scalar(Scalar {
        text: text.chars().collect(),
        plain_implicit: resolve_plain(text) == tag,
        quoted_implicit: tag == Implicit::Str,
        tag: tag.tag().trim_start_matches("tag:yaml.org,2002:"),
        double_quoted: o.double_quoted,
        ascii: !o.allow_unicode,
    })
}

/// `SafeRepresenter.represent_float`.
pub(crate) fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let text = py_float(f).to_lowercase();
    if !text.contains('.') && text.contains('e') {
        return text.replacen('e', ".0e", 1);
    }
    text
}

/// What `yaml_emitter_analyze_scalar` learns about a scalar.
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    /// Length in bytes, as libyaml counts it.
    length: usize,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blankz(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c),
    }
}

/// libyaml's `IS_PRINTABLE` (note: nothing beyond the BMP).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}')
}

fn analyze(text: &[char], ascii: bool) -> Analysis {
    let length = text.iter().map(|c| c.len_utf8()).sum();
    if text.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            length,
        };
    }
    let (flow_indicators, block_indicators) = indicators(text);
    let w = whitespace(text, ascii);
    let plain = !(w.edge_blank || w.line_breaks || w.mixed || w.special);
    Analysis {
        multiline: w.line_breaks,
        flow_plain_allowed: plain && !flow_indicators,
        block_plain_allowed: plain && !block_indicators,
        single_quoted_allowed: !(w.mixed || w.special),
        length,
    }
}

/// Whether the text holds indicators that forbid it plain in flow and in
/// block context (`- x`, `a: b`, `#x`, `a #b`, `[x`, `x,y`, `---`, ...).
fn indicators(text: &[char]) -> (bool, bool) {
    let document_marker = text.starts_with(&['-', '-', '-']) || text.starts_with(&['.', '.', '.']);
    let (mut flow, mut block) = (document_marker, document_marker);
    let mut preceded_by_whitespace = true;
    for (i, &c) in text.iter().enumerate() {
        let followed_by_whitespace = is_blankz(text.get(i + 1).copied());
        let (f, b) = match c {
            _ if i == 0 && "#,[]{}&*!|>'\"%@`".contains(c) => (true, true),
            '?' if i == 0 => (true, followed_by_whitespace),
            '-' if i == 0 => (followed_by_whitespace, followed_by_whitespace),
            ':' => (true, followed_by_whitespace),
            ',' | '?' | '[' | ']' | '{' | '}' if i > 0 => (true, false),
            '#' if i > 0 && preceded_by_whitespace => (true, true),
            _ => (false, false),
        };
        flow |= f;
        block |= b;
        preceded_by_whitespace = is_blankz(Some(c));
    }
    (flow, block)
}

/// What the spaces, line breaks and unprintable characters of a scalar say.
struct Whitespace {
    /// A space or break at the start or the end.
    edge_blank: bool,
    line_breaks: bool,
    /// A space right after a break or right before one.
    mixed: bool,
    special: bool,
}

fn whitespace(text: &[char], ascii: bool) -> Whitespace {
    let last = text.len() - 1;
    let edge = |c: char| c == ' ' || is_break(c);
    let mut w = Whitespace {
        edge_blank: edge(text[0]) || edge(text[last]),
        line_breaks: false,
        mixed: false,
        special: false,
    };
    for (i, &c) in text.iter().enumerate() {
        w.special |= !is_printable(c) || (ascii && !c.is_ascii());
        w.line_breaks |= is_break(c);
        if let Some(&prev) = i.checked_sub(1).and_then(|p| text.get(p)) {
            w.mixed |= (c == ' ' && is_break(prev)) || (is_break(c) && prev == ' ');
        }
    }
    w
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

/// The context flags `yaml_emitter_emit_node` sets (root and sequence
/// contexts change nothing the emitter writes for these events).
#[derive(Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

/// libyaml's emitter state that matters for the output.
struct Emitter {
    out: String,
    best_indent: i64,
    best_width: i64,
    indent: i64,
    indents: Vec<i64>,
    flow_level: usize,
    column: i64,
    whitespace: bool,
    indention: bool,
    mapping_context: bool,
}

impl Emitter {
    fn new(best_indent: usize, best_width: usize) -> Emitter {
        Emitter {
            out: String::new(),
            best_indent: best_indent as i64,
            best_width: i64::try_from(best_width).unwrap_or(i64::MAX),
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            column: 0,
            whitespace: true,
            indention: true,
            mapping_context: false,
        }
    }

    fn emit_node(&mut self, node: &RNode, ctx: Context) {
        self.mapping_context = ctx.mapping;
        match node {
            RNode::Scalar(s) => self.emit_scalar(s, ctx.simple_key),
            RNode::Seq(items, flow) if *flow || self.flow_level > 0 || items.is_empty() => {
                self.flow_sequence(items)
            }
            RNode::Seq(items, _) => self.block_sequence(items),
            RNode::Map(pairs, flow) if *flow || self.flow_level > 0 || pairs.is_empty() => {
                self.flow_mapping(pairs)
            }
            RNode::Map(pairs, _) => self.block_mapping(pairs),
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn flow_sequence(&mut self, items: &[RNode]) {
        self.write_indicator("[", true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.emit_node(
                item,
                Context {
                    mapping: false,
                    simple_key: false,
                },
            );
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("]", false, false, false);
    }

    fn flow_mapping(&mut self, pairs: &[(RNode, RNode)]) {
        self.write_indicator("{", true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for (i, (key, value)) in pairs.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            if is_simple_key(key) {
                self.emit_node(
                    key,
                    Context {
                        mapping: true,
                        simple_key: true,
                    },
                );
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, false);
                self.emit_node(
                    key,
                    Context {
                        mapping: true,
                        simple_key: false,
                    },
                );
                if self.column > self.best_width {
                    self.write_indent();
                }
                self.write_indicator(":", true, false, false);
            }
            self.emit_node(
                value,
                Context {
                    mapping: true,
                    simple_key: false,
                },
            );
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("}", false, false, false);
    }

    fn block_sequence(&mut self, items: &[RNode]) {
        let indentless = self.mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.emit_node(
                item,
                Context {
                    mapping: false,
                    simple_key: false,
                },
            );
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, pairs: &[(RNode, RNode)]) {
        self.increase_indent(false, false);
        for (key, value) in pairs {
            self.write_indent();
            if is_simple_key(key) {
                self.emit_node(
                    key,
                    Context {
                        mapping: true,
                        simple_key: true,
                    },
                );
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.emit_node(
                    key,
                    Context {
                        mapping: true,
                        simple_key: false,
                    },
                );
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.emit_node(
                value,
                Context {
                    mapping: true,
                    simple_key: false,
                },
            );
        }
        self.pop_indent();
    }

    fn emit_scalar(&mut self, s: &Scalar, simple_key: bool) {
        let a = analyze(&s.text, s.ascii);
        let explicit_tag = !s.plain_implicit && !s.quoted_implicit;
        let style = self.select_style(s, &a, simple_key, explicit_tag);
        if explicit_tag {
            self.write_tag(&format!("!!{}", s.tag));
        } else if !s.quoted_implicit && style != Style::Plain {
            self.write_tag("!");
        }
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(&s.text, a.length, allow_breaks),
            Style::Single => self.write_single_quoted(&s.text, allow_breaks),
            Style::Double => self.write_double_quoted(&s.text, allow_breaks, s.ascii),
        }
        self.pop_indent();
    }

    /// `yaml_emitter_select_scalar_style`.
    fn select_style(
        &self,
        s: &Scalar,
        a: &Analysis,
        simple_key: bool,
        explicit_tag: bool,
    ) -> Style {
        let no_tag = !explicit_tag;
        let mut style = if s.double_quoted {
            Style::Double
        } else {
            Style::Plain
        };
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            let flow = self.flow_level > 0;
            if (flow && !a.flow_plain_allowed) || (!flow && !a.block_plain_allowed) {
                style = Style::Single;
            }
            if a.length == 0 && (flow || simple_key) {
                style = Style::Single;
            }
            if no_tag && !s.plain_implicit {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        style
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// `WRITE_BREAK`: a `\n` is written as the line break, others as is.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_tag(&mut self, tag: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        tag.chars().for_each(|c| self.put(c));
        self.whitespace = false;
        self.indention = false;
    }

    fn write_plain(&mut self, text: &[char], length: usize, allow_breaks: bool) {
        if !self.whitespace && (length > 0 || self.flow_level > 0) {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in text.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && text.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, text: &[char], allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let last = text.len().saturating_sub(1);
        for (i, &c) in text.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i != 0
                    && i != last
                    && text.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if breaks {
            self.write_indent();
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, text: &[char], allow_breaks: bool, ascii: bool) {
        self.write_indicator("\"", true, false, false);
        let mut spaces = false;
        let last = text.len().saturating_sub(1);
        for (i, &c) in text.iter().enumerate() {
            if !is_printable(c) || (ascii && !c.is_ascii()) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                for e in escape(c).chars() {
                    self.put(e);
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && i != 0 && i != last {
                    self.write_indent();
                    if text.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }
}

/// `yaml_emitter_check_simple_key` for a key node.
fn is_simple_key(key: &RNode) -> bool {
    match key {
        RNode::Scalar(s) => {
            let a = analyze(&s.text, s.ascii);
            let tag_length = if !s.plain_implicit && !s.quoted_implicit {
                2 + s.tag.len()
            } else {
                0
            };
            !a.multiline && a.length + tag_length <= 128
        }
        RNode::Seq(items, _) => items.is_empty(),
        RNode::Map(pairs, _) => pairs.is_empty(),
    }
}

/// libyaml's double-quoted escape of one character.
pub(crate) fn escape(c: char) -> String {
    let short = match c {
        '\0' => "0",
        '\u{7}' => "a",
        '\u{8}' => "b",
        '\t' => "t",
        '\n' => "n",
        '\u{b}' => "v",
        '\u{c}' => "f",
        '\r' => "r",
        '\u{1b}' => "e",
        '"' => "\"",
        '\\' => "\\",
        '\u{85}' => "N",
        '\u{a0}' => "_",
        '\u{2028}' => "L",
        '\u{2029}' => "P",
        _ => "",
    };
    if !short.is_empty() {
        return format!("\\{short}");
    }
    let v = c as u32;
    if v <= 0xff {
        format!("\\x{v:02X}")
    } else if v <= 0xffff {
        format!("\\u{v:04X}")
    } else {
        format!("\\U{v:08X}")
    }
}
