//! What libyaml's reader does before scanning: reject control characters,
//! drop a leading byte order mark, and turn every line break it knows
//! (`\r\n`, `\r`, NEL) into `\n`, the only one the event parser handles.
//! It must not interpret any YAML syntax.

use std::borrow::Cow;

use super::error::{reader_error, Mark, YamlError};

/// The source ready for the event parser, or libyaml's reader error.
pub(super) fn prepare(src: &str) -> Result<Cow<'_, str>, YamlError> {
    check_printable(src)?;
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let has_nel = !body.is_ascii() && body.contains('\u{85}');
    if !body.as_bytes().contains(&b'\r') && !has_nel {
        return Ok(Cow::Borrowed(body));
    }
    Ok(Cow::Owned(normalize_breaks(body)))
}

/// The characters libyaml's reader accepts (tab, breaks, printable text).
fn is_acceptable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// The first unacceptable character, reported at its byte offset.
fn check_printable(src: &str) -> Result<(), YamlError> {
    // Whole blocks without an early exit, which the compiler vectorises.
    let plain = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e);
    if src.as_bytes().chunks(64).all(|block| block.iter().fold(true, |ok, b| ok & plain(b))) {
        return Ok(());
    }
    let mut mark = Mark::default();
    for (offset, c) in src.char_indices() {
        if !is_acceptable(c) {
            return Err(reader_error(c, offset, mark));
        }
        if c == '\n' {
            mark = Mark::new(mark.line + 1, 0);
        } else {
            mark.column += 1;
        }
    }
    Ok(())
}

fn normalize_breaks(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{85}' => out.push('\n'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_become_newlines() {
        assert_eq!(prepare("a\r\nb\rc\u{85}d").unwrap(), "a\nb\nc\nd");
        assert!(matches!(prepare("a: 1\n").unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn leading_bom_is_dropped() {
        assert_eq!(prepare("\u{feff}a: 1").unwrap(), "a: 1");
    }

    #[test]
    fn control_characters_are_rejected_at_their_byte_offset() {
        let e = prepare("\u{e9}: \u{1}\n").unwrap_err();
        assert_eq!(
            e.message,
            "unacceptable character #x0001: control characters are not allowed\n  in \"<unicode string>\", position 4"
        );
        assert_eq!((e.line, e.column), (1, 4));
        assert!(prepare("a: \u{7f}").is_err());
        assert!(prepare("a: \u{fffe}").is_err());
        assert!(prepare("a: \t\u{a0}\u{1F600}").is_ok());
    }
}
