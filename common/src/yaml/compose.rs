//! Events of the `yaml-rust2` parser turned into a node graph, as libyaml's
//! composer (PyYAML's `CParser`) builds it: every node gets its resolved tag
//! and the start mark libyaml would give it, aliases share their anchor's
//! node, and anchors, aliases and document count are checked the same way.
//!
//! `yaml-rust2` marks a block mapping at its first `:` and a node with
//! properties at its content; a side scan of the tokens moves those marks to
//! the first key and to the first property, where libyaml puts them.

use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, Scanner, TScalarStyle, Token, TokenType};

use super::error::{Mark, Marked, YamlErrorKind};
use super::relax;
use super::resolve::resolve_plain;

/// Deepest nesting of collections accepted (libyaml 0.2.5 has no limit; this
/// keeps the recursive constructor and dumper within the stack).
pub(crate) const MAX_DEPTH: usize = 1000;

const SEQ_TAG: &str = "tag:yaml.org,2002:seq";
const MAP_TAG: &str = "tag:yaml.org,2002:map";
const STR_TAG: &str = "tag:yaml.org,2002:str";

/// A composed node: PyYAML's `ScalarNode`, `SequenceNode` or `MappingNode`.
#[derive(Debug)]
pub(crate) struct Node {
    pub tag: String,
    pub start: Mark,
    pub kind: NodeKind,
}

#[derive(Debug)]
pub(crate) enum NodeKind {
    Scalar(String),
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
}

impl Node {
    /// PyYAML's `node.id`.
    pub fn id(&self) -> &'static str {
        match self.kind {
            NodeKind::Scalar(_) => "scalar",
            NodeKind::Seq(_) => "sequence",
            NodeKind::Map(_) => "mapping",
        }
    }
}

/// The single document of `src`, `None` for an empty stream.
pub(crate) fn compose(src: &str) -> Result<Option<Rc<Node>>, Marked> {
    let mut text = src.to_string();
    for _ in 0..MAX_REWRITES {
        match compose_once(&text) {
            Err((_, Some(e))) => match relax::rewrite(&text, e.info(), e.marker().index()) {
                Some(relaxed) => text = relaxed,
                None => break,
            },
            done => return done.map_err(|(m, _)| m),
        }
    }
    compose_once(&text).map_err(|(m, _)| m)
}

/// How many `yaml-rust2` rejections [`relax`] may rewrite away.
const MAX_REWRITES: usize = 32;

/// One pass of the event parser; a failure carries the parser's own error
/// when it is the parser that stopped.
fn compose_once(src: &str) -> Result<Option<Rc<Node>>, (Marked, Option<ScanError>)> {
    let chars: Vec<char> = src.chars().collect();
    let tokens = TokenInfo::scan(src);
    let mut composer = Composer::new(&chars, &tokens);
    if let Some(e) = leading_directive_error(&chars) {
        return Err((e, None));
    }
    let mut parser = Parser::new_from_str(src);
    let bad_anchor = tokens.bad_anchor.clone();
    let fail = |(error, scan, index): (Marked, Option<ScanError>, usize)| match &bad_anchor {
        Some((at, anchor_error)) if *at <= index => (anchor_error.clone(), None),
        _ => (error, scan),
    };
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            let index = e.marker().index();
            fail((composer.scan_error(&e), Some(e), index))
        })?;
        let index = marker.index();
        if composer.feed(event, marker).map_err(|m| fail((m, None, index)))? {
            return match bad_anchor {
                Some((_, error)) => Err((error, None)),
                None => Ok(composer.root),
            };
        }
    }
}

fn mark_of(m: &Marker) -> Mark {
    Mark::new(m.line().saturating_sub(1), m.col())
}

/// An anchor or tag token, by source position.
struct Prop {
    index: usize,
    mark: Mark,
    anchor: Option<String>,
}

/// What the token stream tells that the events do not.
#[derive(Default)]
struct TokenInfo {
    props: Vec<Prop>,
    /// Block mapping start (at the first `:`) -> mark and index of its first key.
    mapping_starts: HashMap<usize, (Mark, usize)>,
    /// Positions of `-` entries (for indentless sequences) and of `:`
    /// values (empty values start right after them).
    entries: Vec<(usize, Mark)>,
    values: Vec<(usize, Mark)>,
    /// Block scalars (by content index), and those that run to the end of
    /// the stream.
    block_scalars: Vec<usize>,
    final_block_scalars: Vec<usize>,
    /// The first anchor or alias name libyaml's scanner rejects (it allows
    /// only `[0-9A-Za-z_-]`), with its source index.
    bad_anchor: Option<(usize, Marked)>,
}

impl TokenInfo {
    fn scan(src: &str) -> TokenInfo {
        let mut info = TokenInfo::default();
        let mut pending_mapping: Option<usize> = None;
        let mut last_block_scalar: Option<usize> = None;
        for Token(marker, kind) in Scanner::new(src.chars()) {
            match kind {
                TokenType::Scalar(TScalarStyle::Literal | TScalarStyle::Folded, _) => {
                    info.block_scalars.push(marker.index());
                    last_block_scalar = Some(marker.index())
                }
                TokenType::BlockEnd | TokenType::StreamEnd => {}
                _ => last_block_scalar = None,
            }
            if let Some(index) = pending_mapping.take() {
                info.mapping_starts.insert(index, (mark_of(&marker), marker.index()));
            }
            match kind {
                TokenType::BlockMappingStart => pending_mapping = Some(marker.index()),
                TokenType::BlockEntry => info.entries.push((marker.index(), mark_of(&marker))),
                TokenType::Value => info.values.push((marker.index(), mark_of(&marker))),
                TokenType::Anchor(name) => {
                    info.check_anchor(&name, &marker, "while scanning an anchor", src);
                    info.props.push(Prop { index: marker.index(), mark: mark_of(&marker), anchor: Some(name) })
                }
                TokenType::Alias(name) => info.check_anchor(&name, &marker, "while scanning an alias", src),
                TokenType::Tag(..) => info.props.push(Prop { index: marker.index(), mark: mark_of(&marker), anchor: None }),
                _ => {}
            }
        }
        info.final_block_scalars.extend(last_block_scalar);
        info
    }

    fn check_anchor(&mut self, name: &str, marker: &Marker, context: &str, src: &str) {
        if self.bad_anchor.is_some() {
            return;
        }
        let alpha = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let valid = name.chars().take_while(|&c| alpha(c)).count();
        let next = name.chars().nth(valid).or_else(|| src.chars().nth(marker.index() + 1 + valid));
        // libyaml ends the name at these and goes on (differently from us).
        let ends_name = |c: char| " \t\n?:,]}%@`".contains(c);
        if next.is_none_or(ends_name) {
            return;
        }
        let at = mark_of(marker);
        let problem = "did not find expected alphabetic or numeric character";
        let stop = Mark::new(at.line, at.column + 1 + valid);
        let error = Marked::with_context(YamlErrorKind::Scanner, context, Some(at), problem, stop);
        self.bad_anchor = Some((marker.index(), error));
    }

    /// The properties (`&a`, `!t`) written just before content at `index`.
    fn props_before(&self, index: usize, count: usize) -> &[Prop] {
        let end = self.props.partition_point(|p| p.index < index);
        &self.props[end.saturating_sub(count)..end]
    }

    fn entry_before(&self, index: usize) -> Option<(Mark, usize)> {
        last_before(&self.entries, index).map(|(i, m)| (m, i))
    }

    /// Where libyaml puts an empty block value or entry: just after the
    /// `:` or `-` before `index`.
    fn empty_node_mark(&self, index: usize) -> Option<Mark> {
        let entry = last_before(&self.entries, index);
        let value = last_before(&self.values, index);
        let (_, mark) = entry.into_iter().chain(value).max_by_key(|(i, _)| *i)?;
        Some(Mark::new(mark.line, mark.column + 1))
    }
}

/// A block scalar's header line.
struct BlockHeader {
    /// `Some('+')` (keep), `Some('-')` (strip) or `None` (clip).
    chomp: Option<char>,
    /// Column and source index of the `|` or `>`.
    column: usize,
    indicator: usize,
    /// Source index of the header line's end.
    line_end: usize,
}

/// libyaml's error for a `%` directive at the top of the stream that is
/// neither `%YAML` nor `%TAG` (`yaml-rust2` skips those silently).
fn leading_directive_error(chars: &[char]) -> Option<Marked> {
    let text: String = chars.iter().collect();
    for (n, line) in text.split('\n').enumerate() {
        let Some(rest) = line.strip_prefix('%') else {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            return None;
        };
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
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
        return Some(Marked::with_context(YamlErrorKind::Scanner, context, Some(Mark::new(n, 0)), problem, at));
    }
    None
}

/// The last (index, mark) before `index` in a list sorted by index.
fn last_before(list: &[(usize, Mark)], index: usize) -> Option<(usize, Mark)> {
    let end = list.partition_point(|e| e.0 < index);
    end.checked_sub(1).map(|i| list[i])
}

/// An open collection.
struct Frame {
    is_map: bool,
    flow: bool,
    /// A `key: value` pair inside a flow sequence (starts at its key).
    pair: bool,
    tag: String,
    /// The node's start (its first property) and its content's start (the
    /// mark libyaml's parser errors use).
    start: Mark,
    content: Mark,
    anchor: Option<usize>,
    items: Vec<Rc<Node>>,
}

/// A node's properties as the event gives them.
struct Props {
    anchor_id: usize,
    tag: Option<String>,
}

struct Composer<'a> {
    chars: &'a [char],
    tokens: &'a TokenInfo,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Node>>,
    anchor_names: HashMap<String, Mark>,
    documents: usize,
    root: Option<Rc<Node>>,
    /// The first alias to an anchor still being composed (Python builds a
    /// recursive object; a value tree cannot hold one).
    recursive: Option<Mark>,
}

impl<'a> Composer<'a> {
    fn new(chars: &'a [char], tokens: &'a TokenInfo) -> Composer<'a> {
        Composer {
            chars,
            tokens,
            stack: Vec::new(),
            anchors: HashMap::new(),
            anchor_names: HashMap::new(),
            documents: 0,
            root: None,
            recursive: None,
        }
    }

    /// Takes one event; `true` once the stream is complete.
    fn feed(&mut self, event: Event, marker: Marker) -> Result<bool, Marked> {
        let at = mark_of(&marker);
        match event {
            Event::StreamEnd => return self.end(),
            Event::DocumentStart => self.document_start(at)?,
            Event::Scalar(value, style, anchor_id, tag) => {
                let props = Props { anchor_id, tag: tag.map(full_tag) };
                self.scalar(value, style, props, &marker)?
            }
            Event::SequenceStart(anchor_id, tag) => {
                self.open(false, Props { anchor_id, tag: tag.map(full_tag) }, &marker)?
            }
            Event::MappingStart(anchor_id, tag) => {
                self.open(true, Props { anchor_id, tag: tag.map(full_tag) }, &marker)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
            Event::Alias(id) => self.alias(id, at)?,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(false)
    }

    fn end(&self) -> Result<bool, Marked> {
        match self.recursive {
            Some(at) => Err(Marked::new(YamlErrorKind::Constructor, "found unconstructable recursive node", at)),
            None => Ok(true),
        }
    }

    /// `CParser.get_single_node`: a second document is an error.
    fn document_start(&mut self, at: Mark) -> Result<(), Marked> {
        self.documents += 1;
        if self.documents < 2 {
            return Ok(());
        }
        Err(self.second_document(at))
    }

    fn scalar(&mut self, mut value: String, style: TScalarStyle, props: Props, marker: &Marker) -> Result<(), Marked> {
        let mut content = mark_of(marker);
        let bare = props.anchor_id == 0 && props.tag.is_none();
        if style == TScalarStyle::Plain && value.is_empty() && bare && !self.in_flow() {
            content = self.tokens.empty_node_mark(marker.index()).unwrap_or(content);
        }
        if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
            self.fix_block_scalar(&mut value, marker.index());
            content = self.block_indicator_mark(marker).unwrap_or(content);
        }
        let (start, anchor) = self.properties(&props, marker.index(), content)?;
        // libyaml: a missing scalar is "plain implicit" only without a tag;
        // the non-specific `!` makes any other scalar plain implicit.
        let missing = style == TScalarStyle::Plain && value.is_empty();
        let tag = match props.tag.as_deref() {
            None if style == TScalarStyle::Plain => resolve_plain(&value).tag().to_string(),
            Some("!") if !missing => resolve_plain(&value).tag().to_string(),
            Some("!") => STR_TAG.to_string(),
            None => STR_TAG.to_string(),
            Some(t) => t.to_string(),
        };
        let node = Rc::new(Node { tag, start, kind: NodeKind::Scalar(value) });
        self.finish(node, anchor)
    }

    /// libyaml's chomping where `yaml-rust2` differs: a clipped scalar
    /// with no content is empty, a kept one is the line breaks after its
    /// header, and a last line without a line break (at the end of the
    /// stream) adds none.
    fn fix_block_scalar(&self, value: &mut String, index: usize) {
        let Some(BlockHeader { chomp, line_end: header_end, .. }) = self.block_header(index) else {
            return;
        };
        let blank = value.bytes().all(|b| b == b'\n');
        let last = self.tokens.final_block_scalars.contains(&index);
        if blank && chomp.is_none() {
            value.clear();
        } else if blank && chomp == Some('+') && last {
            *value = "\n".repeat(self.blank_lines_after(header_end));
        }
        if last && value.ends_with('\n') && self.ends_inside_scalar(index) {
            value.pop();
        }
    }

    /// How many whitespace-only lines, each ending in a break, follow the
    /// line break at `at`.
    fn blank_lines_after(&self, at: usize) -> usize {
        let rest: String = self.chars.get(at + 1..).unwrap_or_default().iter().collect();
        rest.split_inclusive('\n').take_while(|l| l.ends_with('\n') && l.trim().is_empty()).count()
    }

    /// Whether the stream's last line, lacking a line break, still belongs
    /// to the block scalar at `index` (blank, or indented like its content).
    fn ends_inside_scalar(&self, index: usize) -> bool {
        if matches!(self.chars.last(), Some('\n') | None) {
            return false;
        }
        let line_start = self.chars.iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
        let last_line = &self.chars[line_start..];
        let indent = last_line.iter().take_while(|&&c| c == ' ').count();
        let content_start = self.chars[..index.min(self.chars.len())].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
        let content_indent = index.saturating_sub(content_start);
        indent == last_line.len() || indent >= content_indent
    }

    /// The header of the block scalar whose event points at `index` (its
    /// header, or its content).
    fn block_header(&self, index: usize) -> Option<BlockHeader> {
        let mut end = index.min(self.chars.len());
        if matches!(self.chars.get(index), Some('|' | '>')) {
            end = index + 1;
        }
        while end > 0 && matches!(self.chars[end - 1], ' ' | '\t' | '\n') {
            end -= 1;
        }
        let start = self.chars[..end].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1);
        let line_end = self.chars[start..].iter().position(|&c| c == '\n').map_or(self.chars.len(), |p| start + p);
        let line = &self.chars[start..line_end];
        line.iter().enumerate().find_map(|(i, &c)| {
            if c != '|' && c != '>' {
                return None;
            }
            let rest = &line[i + 1..];
            let n = rest.iter().take_while(|c| "+-0123456789".contains(**c)).count();
            let ends = rest.get(n).is_none_or(|c| *c == ' ' || *c == '\t');
            let chomp = rest[..n].iter().copied().find(|c| *c == '+' || *c == '-');
            ends.then_some(BlockHeader { chomp, column: i, indicator: start + i, line_end })
        })
    }

    /// Where libyaml starts the block scalar whose content is at `marker`:
    /// its `|` or `>`.
    fn block_indicator_mark(&self, marker: &Marker) -> Option<Mark> {
        let header = self.block_header(marker.index())?;
        let lines_between = self.chars.get(header.indicator..marker.index())?.iter().filter(|&&c| c == '\n').count();
        Some(Mark::new(mark_of(marker).line.checked_sub(lines_between)?, header.column))
    }

    fn open(&mut self, is_map: bool, props: Props, marker: &Marker) -> Result<(), Marked> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Marked::new(
                YamlErrorKind::Value,
                format!("exceeded max depth of {MAX_DEPTH}"),
                mark_of(marker),
            ));
        }
        let (content, index, flow) = self.collection_start(is_map, marker);
        let (start, anchor) = self.properties(&props, index, content)?;
        let default = if is_map { MAP_TAG } else { SEQ_TAG };
        let tag = match props.tag {
            None => default.to_string(),
            Some(t) if t == "!" => default.to_string(),
            Some(t) => t,
        };
        let pair = is_map && flow && self.chars.get(marker.index()) != Some(&'{');
        self.stack.push(Frame { is_map, flow, pair, tag, start, content, anchor, items: Vec::new() });
        Ok(())
    }

    /// Where libyaml starts a collection (mark and source index of its
    /// content), and whether it is a flow one.
    fn collection_start(&self, is_map: bool, marker: &Marker) -> (Mark, usize, bool) {
        let index = marker.index();
        let here = (mark_of(marker), index);
        let (at, flow) = match self.chars.get(index) {
            Some('[') | Some('{') => (here, true),
            _ if is_map => (self.tokens.mapping_starts.get(&index).copied().unwrap_or(here), self.in_flow()),
            Some('-') => (here, false),
            _ => (self.tokens.entry_before(index).unwrap_or(here), false),
        };
        (at.0, at.1, flow)
    }

    fn in_flow(&self) -> bool {
        self.stack.last().is_some_and(|f| f.flow)
    }

    fn close(&mut self) -> Result<(), Marked> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let start = match frame.items.first() {
            Some(key) if frame.pair => key.start,
            _ => frame.start,
        };
        let kind = if frame.is_map {
            let mut pairs = Vec::with_capacity(frame.items.len() / 2);
            let mut items = frame.items.into_iter();
            while let (Some(k), Some(v)) = (items.next(), items.next()) {
                pairs.push((k, v));
            }
            NodeKind::Map(pairs)
        } else {
            NodeKind::Seq(frame.items)
        };
        let node = Rc::new(Node { tag: frame.tag, start, kind });
        self.finish(node, frame.anchor)
    }

    fn alias(&mut self, id: usize, at: Mark) -> Result<(), Marked> {
        match self.anchors.get(&id) {
            Some(node) => {
                let node = Rc::clone(node);
                self.attach(node);
                Ok(())
            }
            None if self.stack.iter().any(|f| f.anchor == Some(id)) => {
                self.recursive.get_or_insert(at);
                self.attach(Rc::new(Node { tag: STR_TAG.into(), start: at, kind: NodeKind::Scalar(String::new()) }));
                Ok(())
            }
            None => Err(Marked::new(YamlErrorKind::Composer, "found undefined alias", at)),
        }
    }

    /// The start mark of a node (its first property, if any) and its anchor,
    /// checked for duplicates as PyYAML's composer does.
    fn properties(&mut self, props: &Props, index: usize, content: Mark) -> Result<(Mark, Option<usize>), Marked> {
        let count = usize::from(props.anchor_id > 0) + usize::from(props.tag.is_some());
        if count == 0 {
            return Ok((content, None));
        }
        let found = self.tokens.props_before(index, count);
        let start = found.first().map_or(content, |p| p.mark);
        if props.anchor_id == 0 {
            return Ok((start, None));
        }
        let name = found.iter().find_map(|p| p.anchor.clone()).unwrap_or_default();
        if let Some(first) = self.anchor_names.get(&name) {
            return Err(Marked::with_context(
                YamlErrorKind::Composer,
                "found duplicate anchor; first occurrence",
                Some(*first),
                "second occurrence",
                start,
            ));
        }
        self.anchor_names.insert(name, start);
        Ok((start, Some(props.anchor_id)))
    }

    fn finish(&mut self, node: Rc<Node>, anchor: Option<usize>) -> Result<(), Marked> {
        if let Some(id) = anchor {
            self.anchors.insert(id, Rc::clone(&node));
        }
        self.attach(node);
        Ok(())
    }

    fn attach(&mut self, node: Rc<Node>) {
        match self.stack.last_mut() {
            Some(frame) => frame.items.push(node),
            None if self.root.is_none() => self.root = Some(node),
            None => {}
        }
    }

    /// A `yaml-rust2` error in libyaml's words.
    fn scan_error(&self, e: &ScanError) -> Marked {
        let index = e.marker().index();
        let mut at = mark_of(e.marker());
        let info = self.situated(e.info());
        if info == "missing explicit document end marker before directive" {
            return self.second_document(at);
        }
        let (kind, context, problem) = translate(info, self.chars.get(index).copied());
        if problem == "found character that cannot start any token" {
            at = self.tab_run_start(index, at);
        }
        if kind == YamlErrorKind::Parser {
            at = self.tokens.mapping_starts.get(&index).map_or(at, |k| k.0);
            if self.tokens.block_scalars.contains(&index) {
                at = self.block_indicator_mark(e.marker()).unwrap_or(at);
            }
            at = self.line_entry_start(at);
        }
        if context.as_deref().is_some_and(|c| c.starts_with("while scanning a quoted")) {
            return self.quoted_scalar_error(context, problem, at);
        }
        if problem.contains("a tab character") {
            let tab = self.indentation_tab_after(index).unwrap_or(at);
            return Marked::with_context(kind, context.unwrap_or_default(), Some(at), problem, tab);
        }
        if context.as_deref() == Some("while parsing a quoted scalar") {
            let stop = self.bad_escape_after(index, at).unwrap_or(at);
            return Marked::with_context(kind, context.unwrap_or_default(), Some(at), problem, stop);
        }
        if let Some(skip) = self.problem_offset(context.as_deref(), &problem, index) {
            let stop = Mark::new(at.line, at.column + skip);
            return Marked::with_context(kind, context.unwrap_or_default(), Some(at), problem, stop);
        }
        let context_mark = match context.as_deref() {
            Some("while parsing a block mapping") => {
                let indent = self.line_indent(at.line);
                self.innermost(|f| f.is_map && !f.flow && f.content.column <= indent)
            }
            Some("while parsing a block collection") => self.innermost(|f| !f.is_map && !f.flow),
            Some("while parsing a flow sequence") => self.innermost(|f| !f.is_map && f.flow),
            Some("while parsing a flow mapping") => self.innermost(|f| f.is_map && f.flow),
            Some("while scanning a simple key") => self.simple_key_start(at),
            Some(_) => Some(at),
            None => None,
        };
        let context = context.map(|c| match c.as_str() {
            "while parsing a node" if self.in_flow() => "while parsing a flow node".to_string(),
            "while parsing a node" => "while parsing a block node".to_string(),
            _ => c,
        });
        Marked { kind, context, context_mark, problem, problem_mark: Some(at) }
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
                    let width = match next {
                        'x' => 2,
                        'u' => 4,
                        'U' => 8,
                        '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"' | '\'' | '/' | '\\'
                        | 'N' | '_' | 'L' | 'P' | '\n' => 0,
                        _ => return Some(Mark::new(line, column)),
                    };
                    let digits: String = self.chars.iter().skip(i + 2).take(width).collect();
                    let valid = digits.chars().count() == width
                        && u32::from_str_radix(&digits, 16).ok().is_none_or(|v| char::from_u32(v).is_some());
                    if width > 0 && !valid {
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
    fn problem_offset(&self, context: Option<&str>, problem: &str, index: usize) -> Option<usize> {
        let after = self.chars.get(index + 1..)?;
        let count = |pred: &dyn Fn(char) -> bool| after.iter().take_while(|c| pred(**c)).count();
        let alpha = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        match (context?, problem) {
            ("while scanning an anchor" | "while scanning an alias", _) => Some(1 + count(&alpha)),
            ("while scanning a block scalar", "found an indentation indicator equal to 0") => {
                Some(1 + count(&|c| c == '+' || c == '-'))
            }
            ("while scanning a block scalar", "did not find expected comment or line break") => {
                let indicators = count(&|c| "+-0123456789".contains(c));
                let blanks = after[indicators..].iter().take_while(|c| **c == ' ' || **c == '\t').count();
                Some(1 + indicators + blanks)
            }
            _ => None,
        }
    }

    /// The indentation of source line `line` (0-based).
    fn line_indent(&self, line: usize) -> usize {
        let text: String = self.chars.iter().collect();
        text.split('\n').nth(line).map_or(0, |l| l.chars().take_while(|&c| c == ' ').count())
    }

    /// libyaml blames the first token of a line (a `-` included) where
    /// `yaml-rust2` may blame the node after the `-`.
    fn line_entry_start(&self, at: Mark) -> Mark {
        let text: String = self.chars.iter().collect();
        let Some(line) = text.split('\n').nth(at.line) else {
            return at;
        };
        let before: String = line.chars().take(at.column).collect();
        let lead = before.trim_start_matches(' ');
        if lead.chars().all(|c| c == '-' || c == ' ') && !lead.is_empty() && lead.starts_with("- ") {
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
    fn quoted_scalar_error(&self, context: Option<String>, problem: String, start: Mark) -> Marked {
        let text: String = self.chars.iter().collect();
        let lines: Vec<&str> = text.split('\n').collect();
        let stop = if problem == "found unexpected document indicator" {
            (start.line + 1..lines.len())
                .find(|&n| lines[n].starts_with("---") || lines[n].starts_with("..."))
                .map_or(start, |n| Mark::new(n, 0))
        } else {
            let last = lines.len() - 1;
            Mark::new(last, lines[last].chars().count())
        };
        Marked::with_context(YamlErrorKind::Scanner, context.unwrap_or_default(), Some(start), problem, stop)
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
            ("invalid content after document end marker", _) => "did not find expected <document start>",
            _ => info,
        }
    }

    /// libyaml reads a directive after a document as the start of another.
    fn second_document(&self, at: Mark) -> Marked {
        let at = self.directives_before(at);
        Marked::with_context(
            YamlErrorKind::Composer,
            "expected a single document in the stream",
            self.root.as_ref().map(|r| r.start).or(self.stack.first().map(|f| f.start)),
            "but found another document",
            at,
        )
    }

    /// A document starts at its first directive, if `---` follows some.
    fn directives_before(&self, at: Mark) -> Mark {
        let text: String = self.chars.iter().collect();
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
        let text: String = self.chars.iter().collect();
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

/// The tag as libyaml spells it (`tag:yaml.org,2002:str`, `!foo`, `!`).
fn full_tag(tag: Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
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
    let kind = if info.starts_with("while parsing a block") || info.starts_with("while parsing a flow")
        || info.starts_with("while parsing a node")
    {
        Parser
    } else {
        Scanner
    };
    match info.split_once(", ") {
        Some((context, problem)) if context.starts_with("while ") => {
            let context = context.replace("YAML directive", "%YAML directive").replace("scanning TAG", "scanning a %TAG directive");
            (kind, Some(context), problem.to_string())
        }
        _ => (kind, None, info.to_string()),
    }
}
