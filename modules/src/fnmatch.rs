//! Python's `fnmatch.fnmatch` on POSIX (case-sensitive `*`, `?`, `[seq]`,
//! `[!seq]`; an unclosed `[` is literal) and `has_magic`, for the execution
//! modules that take name globs (`pkg.version 'lib*'`, `service.status`,
//! `network.ip_addrs interface=eth*`).
//!
//! Pure string matching: it must not touch the system.

/// Whether `name` matches the shell-style `pattern`.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    matches(&name, &pattern)
}

/// Whether `pattern` holds glob characters (Salt's `re.search(r"\*|\?|\[.+\]")`).
pub fn has_magic(pattern: &str) -> bool {
    if pattern.contains('*') || pattern.contains('?') {
        return true;
    }
    pattern.find('[').is_some_and(|open| pattern[open + 1..].find(']').is_some_and(|close| close > 0))
}

fn matches(name: &[char], pattern: &[char]) -> bool {
    let Some((&first, rest)) = pattern.split_first() else { return name.is_empty() };
    match first {
        '*' => (0..=name.len()).any(|skip| matches(&name[skip..], rest)),
        '?' => !name.is_empty() && matches(&name[1..], rest),
        '[' => match class(rest) {
            Some((negate, items, after)) => name.split_first().is_some_and(|(&c, tail)| {
                let hit = items.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                hit != negate && matches(tail, after)
            }),
            None => name.first() == Some(&'[') && matches(&name[1..], rest),
        },
        literal => name.first() == Some(&literal) && matches(&name[1..], rest),
    }
}

/// The `[...]` class after its `[`: (negated, ranges, pattern after `]`).
type Class<'p> = (bool, Vec<(char, char)>, &'p [char]);

fn class(p: &[char]) -> Option<Class<'_>> {
    let negate = p.first() == Some(&'!');
    let mut i = usize::from(negate);
    let start = i;
    let mut items = Vec::new();
    while i < p.len() {
        if p[i] == ']' && i > start {
            return Some((negate, items, &p[i + 1..]));
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            items.push((p[i], p[i + 2]));
            i += 3;
        } else {
            items.push((p[i], p[i]));
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_python() {
        assert!(fnmatch("libc-bin", "libc*"));
        assert!(fnmatch("eth0", "eth?"));
        assert!(fnmatch("eth1", "eth[0-3]"));
        assert!(!fnmatch("eth7", "eth[0-3]"));
        assert!(fnmatch("eth7", "eth[!0-3]"));
        assert!(fnmatch("a[b", "a[b"));
        assert!(fnmatch("2.10-3", "2.10*"));
        assert!(!fnmatch("bash", "bas"));
        assert!(has_magic("py*") && has_magic("a[bc]") && !has_magic("a[") && !has_magic("plain"));
    }
}
