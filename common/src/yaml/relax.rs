//! Source rewrites for the few places where `yaml-rust2` (YAML 1.2 rules)
//! rejects what libyaml accepts, none of which changes the loaded value:
//! continuation lines of a quoted scalar indented less than its block or
//! with tabs (their leading whitespace is folded away anyway), a comment
//! glued to a closing quote or bracket, a tab after `:` in a flow
//! collection. The composer retries with the rewritten text.

/// The text with the construct `yaml-rust2` stopped at (`info` at char
/// `index`) rewritten the libyaml-compatible way, if it is one of those.
pub(super) fn rewrite(src: &str, info: &str, index: usize) -> Option<String> {
    let mut chars: Vec<char> = src.chars().collect();
    match info {
        "invalid indentation in quoted scalar" => reindent_quoted(&mut chars, index)?,
        "tab cannot be used as indentation" => untab_line(&mut chars, index)?,
        "comments must be separated from other tokens by whitespace" if chars.get(index) == Some(&'#') => {
            chars.insert(index, ' ')
        }
        "':' must be followed by a valid YAML whitespace" => untab_after_colon(&mut chars, index)?,
        _ => return None,
    }
    Some(chars.into_iter().collect())
}

fn line_start(chars: &[char], index: usize) -> usize {
    chars[..index.min(chars.len())].iter().rposition(|&c| c == '\n').map_or(0, |p| p + 1)
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
        let blanks = chars[first..].iter().take_while(|c| **c == ' ' || **c == '\t').count();
        chars.splice(first..first + blanks, std::iter::repeat_n(' ', width.max(blanks)));
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

/// Tabs in the leading whitespace of the line at `index` become spaces.
fn untab_line(chars: &mut [char], index: usize) -> Option<()> {
    let start = line_start(chars, index);
    let mut changed = false;
    for c in chars[start..].iter_mut().take_while(|c| **c == ' ' || **c == '\t') {
        changed |= *c == '\t';
        *c = ' ';
    }
    changed.then_some(())
}

/// The tab right after the `:` before `index` becomes a space.
fn untab_after_colon(chars: &mut [char], index: usize) -> Option<()> {
    let colon = chars[..index.min(chars.len())].iter().rposition(|&c| c == ':')?;
    let next = chars.get_mut(colon + 1)?;
    (*next == '\t').then(|| *next = ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_continuations_are_reindented() {
        let src = "a:\n  - cwd: \"x\n  y\"\n";
        assert_eq!(rewrite(src, "invalid indentation in quoted scalar", 11).unwrap(), "a:\n  - cwd: \"x\n         y\"\n");
        let src = "k: 'it''s\n\tend'";
        assert_eq!(rewrite(src, "tab cannot be used as indentation", 10).unwrap(), "k: 'it''s\n end'");
    }

    #[test]
    fn glued_comments_and_colon_tabs() {
        assert_eq!(rewrite("k: \"x\"#c", "comments must be separated from other tokens by whitespace", 6).unwrap(), "k: \"x\" #c");
        assert_eq!(rewrite("[a:\t1]", "':' must be followed by a valid YAML whitespace", 4).unwrap(), "[a: 1]");
        assert_eq!(rewrite("[a:b]", "':' must be followed by a valid YAML whitespace", 3), None);
        assert_eq!(rewrite("x", "something else", 0), None);
    }
}
