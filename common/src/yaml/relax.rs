//! Source rewrites for the few places where `yaml-rust2` (YAML 1.2 rules)
//! rejects what libyaml accepts, none of which changes the loaded value:
//! continuation lines of a quoted scalar indented less than its block or
//! with tabs (their leading whitespace is folded away anyway), a comment
//! glued to a closing quote or bracket, a tab after `:` in a flow
//! collection, flow collection lines indented less than their block or by
//! tabs. The composer retries with the rewritten text.
//!
//! A rewrite must never change a loaded value, nor make an input libyaml
//! rejects load.

/// Where and why the event parser stopped.
pub(super) struct Stop {
    /// `yaml-rust2`'s message.
    pub info: String,
    /// The char index it points at.
    pub index: usize,
    /// Whether a flow collection was open.
    pub in_flow: bool,
}

/// The text with the construct `yaml-rust2` stopped at rewritten the
/// libyaml-compatible way, if it is one of those.
pub(super) fn rewrite(src: &str, stop: &Stop) -> Option<String> {
    let mut chars: Vec<char> = src.chars().collect();
    let index = stop.index;
    match stop.info.as_str() {
        "invalid indentation in quoted scalar" => reindent_quoted(&mut chars, index)?,
        "tab cannot be used as indentation" => untab_line(&mut chars, index)?,
        "tabs disallowed within this context (block indentation)" if stop.in_flow => {
            untab_line(&mut chars, index)?
        }
        "invalid indentation in flow construct" => indent_flow_line(&mut chars, index)?,
        "comments must be separated from other tokens by whitespace"
            if chars.get(index) == Some(&'#') =>
        {
            chars.insert(index, ' ')
        }
        "':' must be followed by a valid YAML whitespace" => untab_after_colon(&mut chars, index)?,
        _ => return None,
    }
    Some(chars.into_iter().collect())
}

fn line_start(chars: &[char], index: usize) -> usize {
    chars[..index.min(chars.len())]
        .iter()
        .rposition(|&c| c == '\n')
        .map_or(0, |p| p + 1)
}

/// The continuation lines of the quoted scalar opening at `start` get
/// space indentation one past its opening quote.
fn reindent_quoted(chars: &mut Vec<char>, start: usize) -> Option<()> {
    let quote = *chars.get(start)?;
    let end = closing_quote(chars, start, quote)?;
    let width = start - line_start(chars, start) + 1;
    let breaks: Vec<usize> = (start..end).filter(|&i| chars[i] == '\n').collect();
    for &at in breaks.iter().rev() {
        let first = at + 1;
        let blanks = chars[first..]
            .iter()
            .take_while(|c| **c == ' ' || **c == '\t')
            .count();
        chars.splice(
            first..first + blanks,
            std::iter::repeat_n(' ', width.max(blanks)),
        );
    }
    Some(())
}

/// The index of the quote closing the scalar opened at `start`.
fn closing_quote(chars: &[char], start: usize, quote: char) -> Option<usize> {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 1,
            '\'' if quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 1,
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The line at `index`, inside a flow collection, gets at least one more
/// space of indentation than the line before it (libyaml ignores
/// indentation there; `yaml-rust2` wants it past the enclosing block's).
fn indent_flow_line(chars: &mut Vec<char>, index: usize) -> Option<()> {
    let start = line_start(chars, index);
    let previous = line_start(chars, start.checked_sub(1)?);
    let indent = |from: usize| chars[from..].iter().take_while(|c| **c == ' ').count();
    let missing = (indent(previous) + 1).saturating_sub(indent(start)).max(1);
    chars.splice(start..start, std::iter::repeat_n(' ', missing));
    Some(())
}

/// Tabs in the leading whitespace of the line at `index` become spaces.
fn untab_line(chars: &mut [char], index: usize) -> Option<()> {
    let start = line_start(chars, index);
    let mut changed = false;
    for c in chars[start..]
        .iter_mut()
        .take_while(|c| **c == ' ' || **c == '\t')
    {
        changed |= *c == '\t';
        *c = ' ';
    }
    changed.then_some(())
}

/// The tab right after the `:` before `index` becomes a space.
fn untab_after_colon(chars: &mut [char], index: usize) -> Option<()> {
    let colon = chars[..index.min(chars.len())]
        .iter()
        .rposition(|&c| c == ':')?;
    let next = chars.get_mut(colon + 1)?;
    (*next == '\t').then(|| *next = ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(info: &str, index: usize, in_flow: bool) -> Stop {
        Stop {
            info: info.to_string(),
            index,
            in_flow,
        }
    }

    #[test]
    fn quoted_continuations_are_reindented() {
        let src = "a:\n  - cwd: \"x\n  y\"\n";
        let want = "a:\n  - cwd: \"x\n         y\"\n";
        assert_eq!(
            rewrite(src, &at("invalid indentation in quoted scalar", 11, false)).unwrap(),
            want
        );
        let src = "k: 'it''s\n\tend'";
        assert_eq!(
            rewrite(src, &at("tab cannot be used as indentation", 10, false)).unwrap(),
            "k: 'it''s\n end'"
        );
    }

    #[test]
    fn flow_lines_are_indented_and_untabbed() {
        let src = "k: [a,\nb]\n";
        assert_eq!(
            rewrite(src, &at("invalid indentation in flow construct", 7, true)).unwrap(),
            "k: [a,\n b]\n"
        );
        let tabs = "tabs disallowed within this context (block indentation)";
        assert_eq!(
            rewrite("- [\n\tfoo]", &at(tabs, 5, true)).unwrap(),
            "- [\n foo]"
        );
        assert_eq!(rewrite("a:\n\t- x", &at(tabs, 4, false)), None);
    }

    #[test]
    fn glued_comments_and_colon_tabs() {
        let glued = "comments must be separated from other tokens by whitespace";
        assert_eq!(
            rewrite("k: \"x\"#c", &at(glued, 6, false)).unwrap(),
            "k: \"x\" #c"
        );
        let colon = "':' must be followed by a valid YAML whitespace";
        assert_eq!(rewrite("[a:\t1]", &at(colon, 4, true)).unwrap(), "[a: 1]");
        assert_eq!(rewrite("[a:b]", &at(colon, 3, true)), None);
        assert_eq!(rewrite("x", &at("something else", 0, false)), None);
    }
}
