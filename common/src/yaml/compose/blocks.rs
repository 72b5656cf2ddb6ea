//! Block scalars (`|`, `>`) where `yaml-rust2` and libyaml part ways:
//! chomping of blank content and of a last line without a line break, and
//! the start mark (libyaml's is the indicator, not the content).
//! It must not touch plain or quoted scalars.

use yaml_rust2::scanner::Marker;

use super::{mark_of, Composer};
use crate::yaml::error::Mark;

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

impl Composer<'_> {
    /// libyaml's chomping where `yaml-rust2` differs: a clipped scalar
    /// with no content is empty, a kept one is the line breaks after its
    /// header, and a last line without a line break (at the end of the
    /// stream) adds none.
    pub(super) fn fix_block_scalar(&self, value: &mut String, index: usize) {
        let Some(BlockHeader {
            chomp,
            line_end: header_end,
            ..
        }) = self.block_header(index)
        else {
            return;
        };
        let blank = value.bytes().all(|b| b == b'\n');
        let last = self.tokens.final_block_scalar == Some(index);
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
        let rest: String = self
            .chars
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .collect();
        rest.split_inclusive('\n')
            .take_while(|l| l.ends_with('\n') && l.trim().is_empty())
            .count()
    }

    /// Whether the stream's last line, lacking a line break, still belongs
    /// to the block scalar at `index` (blank, or indented like its content).
    fn ends_inside_scalar(&self, index: usize) -> bool {
        if matches!(self.chars.last(), Some('\n') | None) {
            return false;
        }
        let line_start = self
            .chars
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(0, |p| p + 1);
        let last_line = &self.chars[line_start..];
        let indent = last_line.iter().take_while(|&&c| c == ' ').count();
        let content_start = self.chars[..index.min(self.chars.len())]
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(0, |p| p + 1);
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
        let start = self.chars[..end]
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(0, |p| p + 1);
        let line_end = self.chars[start..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(self.chars.len(), |p| start + p);
        let line = &self.chars[start..line_end];
        line.iter().enumerate().find_map(|(i, &c)| {
            if c != '|' && c != '>' {
                return None;
            }
            let rest = &line[i + 1..];
            let n = rest
                .iter()
                .take_while(|c| "+-0123456789".contains(**c))
                .count();
            let ends = rest.get(n).is_none_or(|c| *c == ' ' || *c == '\t');
            let chomp = rest[..n].iter().copied().find(|c| *c == '+' || *c == '-');
            ends.then_some(BlockHeader {
                chomp,
                column: i,
                indicator: start + i,
                line_end,
            })
        })
    }

    /// Where libyaml starts the block scalar whose content is at `marker`:
    /// its `|` or `>`.
    pub(super) fn block_indicator_mark(&self, marker: &Marker) -> Option<Mark> {
        let header = self.block_header(marker.index())?;
        let lines_between = self
            .chars
            .get(header.indicator..marker.index())?
            .iter()
            .filter(|&&c| c == '\n')
            .count();
        Some(Mark::new(
            mark_of(marker).line.checked_sub(lines_between)?,
            header.column,
        ))
    }
}
