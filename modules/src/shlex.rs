//! Python's `shlex.split` (POSIX mode, no comments), used where Salt splits a
//! command line without a shell (`python_shell=False`).
//!
//! It only splits words; it must not expand variables, globs or anything a
//! shell would.

use crate::ModuleError;

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Splits `s` into words as `shlex.split(s)` does; an unterminated quote or
/// trailing escape is an error with Python's message.
pub fn split(s: &str) -> Result<Vec<String>, ModuleError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = Quote::None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Quote::Single => {
                if c == '\'' {
                    quote = Quote::None;
                } else {
                    word.push(c);
                }
            }
            Quote::Double => match c {
                '"' => quote = Quote::None,
                '\\' => match chars.peek() {
                    Some(&n) if matches!(n, '\\' | '"' | '$' | '`' | '\n') => {
                        word.push(n);
                        chars.next();
                    }
                    Some(_) => word.push('\\'),
                    None => return Err(no_escaped()),
                },
                _ => word.push(c),
            },
            Quote::None => match c {
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                '\'' => {
                    quote = Quote::Single;
                    in_word = true;
                }
                '"' => {
                    quote = Quote::Double;
                    in_word = true;
                }
                '\\' => {
                    let n = chars.next().ok_or_else(no_escaped)?;
                    word.push(n);
                    in_word = true;
                }
                _ => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    if quote != Quote::None {
        return Err(ModuleError::Invocation("No closing quotation".into()));
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

fn no_escaped() -> ModuleError {
    ModuleError::Invocation("No escaped character".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python() {
        assert_eq!(split("echo 'a b' \"c\\\"d\" e\\ f").unwrap(), vec!["echo", "a b", "c\"d", "e f"]);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("a''b ''").unwrap(), vec!["ab", ""]);
        assert!(split("'open").is_err());
    }
}
