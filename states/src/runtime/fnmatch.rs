//! Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?`, `[seq]`,
//! `[!seq]`, an unclosed `[` being literal. Requisites use it to match state
//! names, IDs and SLS names.
//!
//! Pure string matching; nothing else.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Any,
    One,
    Set { negate: bool, items: Vec<(char, char)> },
    Lit(char),
}

fn parse_set(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negate = chars.get(i) == Some(&'!');
    if negate {
        i += 1;
    }
    let first = i;
    let mut items = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && i > first {
            return Some((Token::Set { negate, items }, i + 1));
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
            items.push((c, chars[i + 2]));
            i += 3;
        } else {
            items.push((c, c));
            i += 1;
        }
    }
    None
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if tokens.last() != Some(&Token::Any) {
                    tokens.push(Token::Any);
                }
                i += 1;
            }
            '?' => {
                tokens.push(Token::One);
                i += 1;
            }
            '[' => match parse_set(&chars, i + 1) {
                Some((tok, next)) => {
                    tokens.push(tok);
                    i = next;
                }
                None => {
                    tokens.push(Token::Lit('['));
                    i += 1;
                }
            },
            c => {
                tokens.push(Token::Lit(c));
                i += 1;
            }
        }
    }
    tokens
}

fn token_matches(tok: &Token, c: char) -> bool {
    match tok {
        Token::One => true,
        Token::Lit(l) => *l == c,
        Token::Set { negate, items } => items.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negate,
        Token::Any => true,
    }
}

/// A compiled shell-style pattern (plain text is compared directly).
pub struct Pattern {
    literal: Option<String>,
    tokens: Vec<Token>,
}

impl Pattern {
    pub fn new(pattern: &str) -> Self {
        if pattern.contains(['*', '?', '[']) {
            Pattern { literal: None, tokens: tokenize(pattern) }
        } else {
            Pattern { literal: Some(pattern.to_string()), tokens: Vec::new() }
        }
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        match &self.literal {
            Some(l) => l == name,
            None => glob_matches(&self.tokens, name),
        }
    }
}

fn glob_matches(tokens: &[Token], name: &str) -> bool {
    let text: Vec<char> = name.chars().collect();
    // reachable[j]: the tokens so far can consume exactly text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for tok in tokens {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            if !reachable[j] {
                continue;
            }
            if *tok == Token::Any {
                next[j..].iter_mut().for_each(|n| *n = true);
                break;
            }
            if j < text.len() && token_matches(tok, text[j]) {
                next[j + 1] = true;
            }
        }
        reachable = next;
    }
    reachable[text.len()]
}

/// Whether `name` matches the shell-style `pattern`.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    Pattern::new(pattern).matches(name)
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn matches_like_python() {
        assert!(fnmatch("conf", "conf"));
        assert!(!fnmatch("conf", "con"));
        assert!(fnmatch("web.conf", "*.conf"));
        assert!(fnmatch("a\nb", "a*b"));
        assert!(fnmatch("cat", "c?t"));
        assert!(fnmatch("b", "[a-c]"));
        assert!(!fnmatch("d", "[a-c]"));
        assert!(fnmatch("d", "[!a-c]"));
        assert!(fnmatch("[x", "[x"));
        assert!(fnmatch("]", "[]]"));
        assert!(!fnmatch("A", "a"));
        assert!(fnmatch("", "*"));
    }
}
