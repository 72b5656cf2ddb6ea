//! A side scan of the token stream for what `yaml-rust2`'s events leave
//! out: where properties (`&anchor`, `!tag`) and block mapping keys start,
//! where `-` and `:` indicators stand, which block scalar ends the stream,
//! and anchor names libyaml would reject.
//! It records positions only and must not decide how a document loads.

use yaml_rust2::scanner::{Marker, Scanner, TScalarStyle, Token, TokenType};

use super::mark_of;
use crate::yaml::error::{Mark, Marked, YamlErrorKind};

/// An anchor or tag token, by source position.
pub(super) struct Prop {
    index: usize,
    pub mark: Mark,
    pub anchor: Option<String>,
}

/// What the token stream tells that the events do not.
#[derive(Default)]
pub(super) struct TokenInfo {
    props: Vec<Prop>,
    /// Block mapping starts (at the first `:`, in source order), each with
    /// the mark and index of its first key.
    mapping_starts: Vec<(usize, (Mark, usize))>,
    /// Positions of `-` entries (for indentless sequences) and of `:`
    /// values (empty values start right after them).
    entries: Vec<(usize, Mark)>,
    values: Vec<(usize, Mark)>,
    /// Block scalars (by content index, in order), and the one that runs
    /// to the end of the stream.
    pub block_scalars: Vec<usize>,
    pub final_block_scalar: Option<usize>,
    /// The first anchor or alias name libyaml's scanner rejects (it allows
    /// only `[0-9A-Za-z_-]`), with its source index.
    pub bad_anchor: Option<(usize, Marked)>,
}

/// Builds a [`TokenInfo`] from tokens given one at a time, in source order.
#[derive(Default)]
pub(super) struct TokenScan {
    info: TokenInfo,
    pending_mapping: Option<usize>,
    last_block_scalar: Option<usize>,
    /// Anchor and alias names with their position and error context,
    /// checked against the source once the scan ends.
    names: Vec<(Marker, String, &'static str)>,
}

impl TokenScan {
    /// Takes the next token of the stream.
    pub fn token(&mut self, Token(marker, kind): &Token) {
        let info = &mut self.info;
        match kind {
            TokenType::Scalar(TScalarStyle::Literal | TScalarStyle::Folded, _) => {
                info.block_scalars.push(marker.index());
                self.last_block_scalar = Some(marker.index())
            }
            TokenType::BlockEnd | TokenType::StreamEnd => {}
            _ => self.last_block_scalar = None,
        }
        if let Some(index) = self.pending_mapping.take() {
            info.mapping_starts
                .push((index, (mark_of(marker), marker.index())));
        }
        match kind {
            TokenType::BlockMappingStart => self.pending_mapping = Some(marker.index()),
            TokenType::BlockEntry => info.entries.push((marker.index(), mark_of(marker))),
            TokenType::Value => info.values.push((marker.index(), mark_of(marker))),
            TokenType::Anchor(name) => {
                self.names.push((*marker, name.clone(), "while scanning an anchor"));
                info.props.push(Prop {
                    index: marker.index(),
                    mark: mark_of(marker),
                    anchor: Some(name.clone()),
                })
            }
            TokenType::Alias(name) => {
                self.names.push((*marker, name.clone(), "while scanning an alias"))
            }
            TokenType::Tag(..) => info.props.push(Prop {
                index: marker.index(),
                mark: mark_of(marker),
                anchor: None,
            }),
            _ => {}
        }
    }

    /// The information gathered, once every token has been given.
    pub fn finish(self, chars: &[char]) -> TokenInfo {
        let mut info = self.info;
        info.final_block_scalar = self.last_block_scalar;
        // Stable, so the last start recorded at an index stays last.
        info.mapping_starts.sort_by_key(|e| e.0);
        for (marker, name, context) in &self.names {
            info.check_anchor(name, marker, context, chars);
        }
        info
    }
}

impl TokenInfo {
    /// Scans all of `src` on its own (used when the event parser stopped
    /// early, so the tokens past its stop are known too).
    pub fn scan(src: &str, chars: &[char]) -> TokenInfo {
        let mut scan = TokenScan::default();
        for token in Scanner::new(src.chars()) {
            scan.token(&token);
        }
        scan.finish(chars)
    }

    /// Records the first anchor or alias name libyaml would reject.
    fn check_anchor(&mut self, name: &str, marker: &Marker, context: &str, chars: &[char]) {
        if self.bad_anchor.is_some() {
            return;
        }
        let alpha = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let valid = name.chars().take_while(|&c| alpha(c)).count();
        let next = name
            .chars()
            .nth(valid)
            .or_else(|| chars.get(marker.index() + 1 + valid).copied());
        // libyaml ends the name at these and goes on (differently from us).
        let ends_name = |c: char| " \t\n?:,]}%@`".contains(c);
        if valid > 0 && next.is_none_or(ends_name) {
            return;
        }
        let at = mark_of(marker);
        let problem = "did not find expected alphabetic or numeric character";
        let stop = Mark::new(at.line, at.column + 1 + valid);
        let error = Marked::with_context(YamlErrorKind::Scanner, context, Some(at), problem, stop);
        self.bad_anchor = Some((marker.index(), error));
    }

    /// The first key (mark, index) of the block mapping starting at `index`.
    pub fn mapping_start(&self, index: usize) -> Option<(Mark, usize)> {
        let end = self.mapping_starts.partition_point(|e| e.0 <= index);
        let last = self.mapping_starts.get(end.checked_sub(1)?)?;
        (last.0 == index).then_some(last.1)
    }

    /// The properties (`&a`, `!t`) written just before content at `index`.
    pub fn props_before(&self, index: usize, count: usize) -> &[Prop] {
        let end = self.props.partition_point(|p| p.index < index);
        &self.props[end.saturating_sub(count)..end]
    }

    /// The `-` entry before `index` (mark, index).
    pub fn entry_before(&self, index: usize) -> Option<(Mark, usize)> {
        last_before(&self.entries, index).map(|(i, m)| (m, i))
    }

    /// Where libyaml puts an empty block value or entry: just after the
    /// `:` or `-` before `index`.
    pub fn empty_node_mark(&self, index: usize) -> Option<Mark> {
        let entry = last_before(&self.entries, index);
        let value = last_before(&self.values, index);
        let (_, mark) = entry.into_iter().chain(value).max_by_key(|(i, _)| *i)?;
        Some(Mark::new(mark.line, mark.column + 1))
    }
}

/// The last (index, mark) before `index` in a list sorted by index.
fn last_before(list: &[(usize, Mark)], index: usize) -> Option<(usize, Mark)> {
    let end = list.partition_point(|e| e.0 < index);
    end.checked_sub(1).map(|i| list[i])
}
