//! Debian version comparison (`dpkg --compare-versions`, Salt's
//! `pkg.version_cmp` on apt): epoch, then upstream version, then Debian
//! revision, each compared with dpkg's `verrevcmp` (`~` sorts before
//! everything, letters before other characters, digit runs numerically).
//!
//! Pure computation: it must not run dpkg.

use std::cmp::Ordering;

/// A version split into epoch, upstream version and revision.
struct Parts<'v> {
    epoch: u64,
    upstream: &'v str,
    revision: &'v str,
}

fn parts(version: &str) -> Parts<'_> {
    let version = version.trim();
    let (epoch, rest) = match version.split_once(':') {
        Some((e, rest)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (e.parse().unwrap_or(0), rest),
        _ => (0, version),
    };
    let (upstream, revision) = match rest.rfind('-') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    Parts { epoch, upstream, revision }
}

/// Compares two Debian versions; with `ignore_epoch` the `N:` prefixes are dropped.
pub fn compare(a: &str, b: &str, ignore_epoch: bool) -> Ordering {
    let strip = |v: &'_ str| -> String {
        if ignore_epoch {
            v.split_once(':').map(|(_, rest)| rest.to_string()).unwrap_or_else(|| v.to_string())
        } else {
            v.to_string()
        }
    };
    let (a, b) = (strip(a), strip(b));
    let (pa, pb) = (parts(&a), parts(&b));
    pa.epoch
        .cmp(&pb.epoch)
        .then_with(|| verrevcmp(pa.upstream.as_bytes(), pb.upstream.as_bytes()))
        .then_with(|| verrevcmp(pa.revision.as_bytes(), pb.revision.as_bytes()))
}

/// dpkg's character order: end and digits 0, `~` first, letters, then the rest.
fn order(c: Option<&u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
        Some(c) => i32::from(*c) + 256,
    }
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let (ac, bc) = (order(a.get(i)), order(b.get(j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(a, i) && is_digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if is_digit(a, i) {
            return Ordering::Greater;
        }
        if is_digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn follows_dpkg() {
        let cases = [
            ("5.2.15-2+b8", "5.2.15-2+b13", Less),
            ("1.0", "1.0-0", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1:0.1", "2.0", Greater),
            ("2.10-3", "2.10-3", Equal),
            ("1.0a", "1.0+", Less),
            ("1.010", "1.9", Greater),
            ("9.1-1", "9.1-1~deb12u1", Greater),
            ("", "0", Equal),
            ("1.2.3", "1.2.3.0", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b, false), want, "{a} vs {b}");
            assert_eq!(compare(b, a, false), want.reverse(), "{b} vs {a}");
        }
        assert_eq!(compare("1:2.0", "2.0", true), Equal);
        assert_eq!(compare("x:1", "x:1", false), Equal, "a bad epoch does not panic");
    }
}
