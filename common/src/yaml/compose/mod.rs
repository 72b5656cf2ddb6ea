//! Events of the `yaml-rust2` parser turned into a node graph, as libyaml's
//! composer (PyYAML's `CParser`) builds it: every node gets its resolved tag
//! and the start mark libyaml would give it, aliases share their anchor's
//! node, and anchors, aliases and document count are checked the same way.
//!
//! `yaml-rust2` marks a block mapping at its first `:` and a node with
//! properties at its content; a side scan of the tokens moves those marks to
//! the first key and to the first property, where libyaml puts them.
//!
//! It must not build values or apply Salt's rules (construct.rs does).

mod blocks;
mod diagnose;
mod tokens;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser, Tag, TokenObserver};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::error::{Mark, Marked, YamlErrorKind};
use super::relax;
use super::resolve::resolve_plain;
use diagnose::leading_directive_error;
use tokens::{TokenInfo, TokenScan};

/// Deepest nesting of collections accepted (libyaml 0.2.5 has no limit; this
/// keeps the recursive constructor and dumper within the stack).
pub(crate) const MAX_DEPTH: usize = 1000;

const SEQ_TAG: &str = "tag:yaml.org,2002:seq";
const MAP_TAG: &str = "tag:yaml.org,2002:map";
const STR_TAG: &str = "tag:yaml.org,2002:str";

/// A composed node: PyYAML's `ScalarNode`, `SequenceNode` or `MappingNode`.
#[derive(Debug)]
pub(crate) struct Node {
    pub tag: Cow<'static, str>,
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

/// A composed document: its root, and whether any alias shares a node
/// (without one, every node hangs from exactly one parent).
pub(crate) struct Document {
    pub root: Rc<Node>,
    pub aliased: bool,
}

/// The single document of `src`, `None` for an empty stream.
pub(crate) fn compose(src: &str) -> Result<Option<Document>, Marked> {
    let mut text = Cow::Borrowed(src);
    for _ in 0..MAX_REWRITES {
        match guarded_compose(&text) {
            Err(failed) => match failed.stop.and_then(|stop| relax::rewrite(&text, &stop)) {
                Some(relaxed) => text = Cow::Owned(relaxed),
                None => return Err(failed.error),
            },
            Ok(root) => return Ok(root),
        }
    }
    guarded_compose(&text).map_err(|failed| failed.error)
}

/// Why a pass failed: the error to report, and where the event parser
/// stopped when it is the parser that did (a candidate for [`relax`]).
struct Failed {
    error: Marked,
    stop: Option<relax::Stop>,
}

fn failed(error: Marked, stop: Option<relax::Stop>) -> Box<Failed> {
    Box::new(Failed { error, stop })
}

/// [`compose_once`], with a panic inside the third-party parser (none is
/// known; its code still holds `unwrap`s) turned into an error.
fn guarded_compose(src: &str) -> Result<Option<Document>, Box<Failed>> {
    std::panic::catch_unwind(|| compose_once(src)).unwrap_or_else(|_| {
        let problem = "the YAML parser failed on this input";
        Err(failed(
            Marked::new(YamlErrorKind::Value, problem, Mark::default()),
            None,
        ))
    })
}

/// How many `yaml-rust2` rejections [`relax`] may rewrite away.
const MAX_REWRITES: usize = 32;

/// One pass of the event parser; a failure carries the parser's own error
/// when it is the parser that stopped.
fn compose_once(src: &str) -> Result<Option<Document>, Box<Failed>> {
    if let Some(e) = leading_directive_error(src) {
        return Err(failed(e, None));
    }
    let chars: Vec<char> = src.chars().collect();
    let (events, end, seen) = parse(src);
    // The tokens the parser took are all of them unless it failed; then the
    // rest of the stream is scanned on its own, as libyaml's marks may lie
    // past the stop. (Past the depth limit the composer stops anyway.)
    let tokens = match end {
        Ok(()) => seen.finish(&chars),
        Err(_) => TokenInfo::scan(src, &chars),
    };
    let mut composer = Composer::new(&chars, &tokens);
    let bad_anchor = tokens.bad_anchor.clone();
    let fail = |error: Marked, stop: Option<relax::Stop>, index: usize| match &bad_anchor {
        Some((at, anchor_error)) if *at <= index => failed(anchor_error.clone(), None),
        _ => failed(error, stop),
    };
    for (event, marker) in events {
        let index = marker.index();
        if composer
            .feed(event, marker)
            .map_err(|m| fail(m, None, index))?
        {
            return match bad_anchor {
                Some((_, error)) => Err(failed(error, None)),
                None => Ok(composer.root.map(|root| Document {
                    root,
                    aliased: composer.aliased,
                })),
            };
        }
    }
    // Past this point the events ran out before the stream's end: the
    // parser failed, or (never in practice) the depth limit cut them short
    // without the composer noticing.
    let e = match end {
        Err(e) => e,
        Ok(()) => {
            let problem = format!("exceeded max depth of {MAX_DEPTH}");
            return Err(failed(Marked::new(YamlErrorKind::Value, problem, Mark::default()), None));
        }
    };
    let index = e.marker().index();
    let stop = relax::Stop {
        info: e.info().to_string(),
        index,
        in_flow: composer.in_flow(),
    };
    Err(fail(composer.scan_error(&e), Some(stop), index))
}

/// The events of `src` up to its end, the parser's error, or the first
/// collection nested deeper than [`MAX_DEPTH`] (where the composer stops),
/// and the tokens the parser took on the way.
fn parse(src: &str) -> (Vec<(Event, Marker)>, Result<(), ScanError>, TokenScan) {
    let scan = Rc::new(RefCell::new(TokenScan::default()));
    let sink = Rc::clone(&scan);
    let observer = TokenObserver(Box::new(move |token| sink.borrow_mut().token(token)));
    let mut parser = Parser::new_from_str(src).observe_tokens(observer);
    let mut events = Vec::new();
    let mut depth = 0usize;
    let end = loop {
        match parser.next_token() {
            Ok(item) => {
                match item.0 {
                    Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
                    Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
                    _ => {}
                }
                let done = item.0 == Event::StreamEnd || depth > MAX_DEPTH;
                events.push(item);
                if done {
                    break Ok(());
                }
            }
            Err(e) => break Err(e),
        }
    };
    drop(parser);
    let scan = Rc::try_unwrap(scan).map_or_else(|_| TokenScan::default(), RefCell::into_inner);
    (events, end, scan)
}

fn mark_of(m: &Marker) -> Mark {
    Mark::new(m.line().saturating_sub(1), m.col())
}

/// An open collection.
struct Frame {
    is_map: bool,
    flow: bool,
    /// A `key: value` pair inside a flow sequence (starts at its key).
    pair: bool,
    tag: Cow<'static, str>,
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

impl Props {
    fn new(anchor_id: usize, tag: Option<Tag>) -> Props {
        Props {
            anchor_id,
            tag: tag.map(full_tag),
        }
    }

    fn is_empty(&self) -> bool {
        self.anchor_id == 0 && self.tag.is_none()
    }
}

/// The composer's state: the open collections, the anchors seen, the root.
struct Composer<'a> {
    chars: &'a [char],
    tokens: &'a TokenInfo,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Node>>,
    anchor_names: HashMap<String, Mark>,
    documents: usize,
    root: Option<Rc<Node>>,
    /// Whether an alias has attached an anchored node a second time.
    aliased: bool,
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
            aliased: false,
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
                self.scalar(value, style, Props::new(anchor_id, tag), &marker)?
            }
            Event::SequenceStart(anchor_id, tag) => {
                self.open(false, Props::new(anchor_id, tag), &marker)?
            }
            Event::MappingStart(anchor_id, tag) => {
                self.open(true, Props::new(anchor_id, tag), &marker)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.alias(id, at)?,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(false)
    }

    fn end(&self) -> Result<bool, Marked> {
        match self.recursive {
            Some(at) => Err(Marked::new(
                YamlErrorKind::Constructor,
                "found unconstructable recursive node",
                at,
            )),
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

    fn scalar(
        &mut self,
        mut value: String,
        style: TScalarStyle,
        props: Props,
        marker: &Marker,
    ) -> Result<(), Marked> {
        let mut content = mark_of(marker);
        let missing = style == TScalarStyle::Plain && value.is_empty();
        if missing && props.is_empty() && !self.in_flow() {
            content = self
                .tokens
                .empty_node_mark(marker.index())
                .unwrap_or(content);
        }
        if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
            self.fix_block_scalar(&mut value, marker.index());
            content = self.block_indicator_mark(marker).unwrap_or(content);
        }
        let (start, anchor) = self.properties(&props, marker.index(), content)?;
        let tag = scalar_tag(props.tag, style, &value, missing);
        self.finish(
            Rc::new(Node {
                tag,
                start,
                kind: NodeKind::Scalar(value),
            }),
            anchor,
        );
        Ok(())
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
            Some(t) if t != "!" => Cow::Owned(t),
            _ => Cow::Borrowed(default),
        };
        let pair = is_map && flow && self.chars.get(marker.index()) != Some(&'{');
        self.stack.push(Frame {
            is_map,
            flow,
            pair,
            tag,
            start,
            content,
            anchor,
            items: Vec::new(),
        });
        Ok(())
    }

    /// Where libyaml starts a collection (mark and source index of its
    /// content), and whether it is a flow one.
    fn collection_start(&self, is_map: bool, marker: &Marker) -> (Mark, usize, bool) {
        let index = marker.index();
        let here = (mark_of(marker), index);
        let (at, flow) = match self.chars.get(index) {
            Some('[') | Some('{') => (here, true),
            _ if is_map => (
                self.tokens.mapping_start(index).unwrap_or(here),
                self.in_flow(),
            ),
            Some('-') => (here, false),
            _ => (self.tokens.entry_before(index).unwrap_or(here), false),
        };
        (at.0, at.1, flow)
    }

    fn in_flow(&self) -> bool {
        self.stack.last().is_some_and(|f| f.flow)
    }

    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
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
        self.finish(
            Rc::new(Node {
                tag: frame.tag,
                start,
                kind,
            }),
            frame.anchor,
        );
    }

    fn alias(&mut self, id: usize, at: Mark) -> Result<(), Marked> {
        match self.anchors.get(&id) {
            Some(node) => {
                let node = Rc::clone(node);
                self.aliased = true;
                self.attach(node);
                Ok(())
            }
            None if self.stack.iter().any(|f| f.anchor == Some(id)) => {
                self.recursive.get_or_insert(at);
                self.attach(Rc::new(Node {
                    tag: Cow::Borrowed(STR_TAG),
                    start: at,
                    kind: NodeKind::Scalar(String::new()),
                }));
                Ok(())
            }
            None => Err(Marked::new(
                YamlErrorKind::Composer,
                "found undefined alias",
                at,
            )),
        }
    }

    /// The start mark of a node (its first property, if any) and its anchor,
    /// checked for duplicates as PyYAML's composer does.
    fn properties(
        &mut self,
        props: &Props,
        index: usize,
        content: Mark,
    ) -> Result<(Mark, Option<usize>), Marked> {
        let count = usize::from(props.anchor_id > 0) + usize::from(props.tag.is_some());
        if count == 0 {
            return Ok((content, None));
        }
        let found = self.tokens.props_before(index, count);
        let start = found.first().map_or(content, |p| p.mark);
        if props.anchor_id == 0 {
            return Ok((start, None));
        }
        let name = found
            .iter()
            .find_map(|p| p.anchor.clone())
            .unwrap_or_default();
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

    fn finish(&mut self, node: Rc<Node>, anchor: Option<usize>) {
        if let Some(id) = anchor {
            self.anchors.insert(id, Rc::clone(&node));
        }
        self.attach(node);
    }

    fn attach(&mut self, node: Rc<Node>) {
        match self.stack.last_mut() {
            Some(frame) => frame.items.push(node),
            None if self.root.is_none() => self.root = Some(node),
            None => {}
        }
    }
}

/// A scalar's tag as libyaml's composer resolves it: a plain scalar
/// without tag, or any scalar tagged with the non-specific `!` except a
/// missing one, gets the YAML 1.1 implicit tag; other untagged ones are
/// strings.
fn scalar_tag(
    tag: Option<String>,
    style: TScalarStyle,
    value: &str,
    missing: bool,
) -> Cow<'static, str> {
    match tag {
        None if style == TScalarStyle::Plain => Cow::Borrowed(resolve_plain(value).tag()),
        Some(t) if t == "!" && !missing => Cow::Borrowed(resolve_plain(value).tag()),
        Some(t) if t != "!" => Cow::Owned(t),
        _ => Cow::Borrowed(STR_TAG),
    }
}

/// The tag as libyaml spells it (`tag:yaml.org,2002:str`, `!foo`, `!`).
fn full_tag(tag: Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}
