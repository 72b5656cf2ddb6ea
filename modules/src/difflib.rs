//! A faithful port of Python's `difflib.SequenceMatcher` (with the autojunk
//! heuristic) and `difflib.unified_diff`, so file diffs in state returns are
//! byte-for-byte what Salt prints.
//!
//! It compares sequences of lines only; it must not read files or decide what
//! a "line" is (callers split, keeping or dropping line ends as Salt does).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// One matching block: `a[a..a+size] == b[b..b+size]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Match {
    a: usize,
    b: usize,
    size: usize,
}

/// An edit operation between ranges of `a` and `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Equal,
    Replace,
    Delete,
    Insert,
}

/// `(tag, i1, i2, j1, j2)` as in Python's `get_opcodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opcode {
    pub tag: Tag,
    pub i1: usize,
    pub i2: usize,
    pub j1: usize,
    pub j2: usize,
}

/// Python's `SequenceMatcher(None, a, b)` (no junk function, autojunk on).
pub struct SequenceMatcher<'s, T> {
    a: &'s [T],
    b: &'s [T],
    b2j: HashMap<&'s T, Vec<usize>>,
}

impl<'s, T: Hash + Eq> SequenceMatcher<'s, T> {
    pub fn new(a: &'s [T], b: &'s [T]) -> Self {
        let mut b2j: HashMap<&T, Vec<usize>> = HashMap::new();
        for (i, elt) in b.iter().enumerate() {
            b2j.entry(elt).or_default().push(i);
        }
        let n = b.len();
        if n >= 200 {
            let ntest = n / 100 + 1;
            let popular: HashSet<&T> = b2j.iter().filter(|(_, idxs)| idxs.len() > ntest).map(|(k, _)| *k).collect();
            for elt in popular {
                b2j.remove(elt);
            }
        }
        SequenceMatcher { a, b, b2j }
    }

    fn find_longest_match(&self, alo: usize, ahi: usize, blo: usize, bhi: usize) -> Match {
        let (a, b) = (self.a, self.b);
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0usize);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for (i, item) in a.iter().enumerate().take(ahi).skip(alo) {
            let mut newj2len: HashMap<usize, usize> = HashMap::new();
            if let Some(js) = self.b2j.get(item) {
                for &j in js {
                    if j < blo {
                        continue;
                    }
                    if j >= bhi {
                        break;
                    }
                    let k = j.checked_sub(1).and_then(|p| j2len.get(&p)).copied().unwrap_or(0) + 1;
                    newj2len.insert(j, k);
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            j2len = newj2len;
        }
        // No junk elements exist (isjunk is None), but "popular" elements were
        // removed from b2j: extend the match over equal neighbours as Python does.
        while besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1] {
            besti -= 1;
            bestj -= 1;
            bestsize += 1;
        }
        while besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize] {
            bestsize += 1;
        }
        Match { a: besti, b: bestj, size: bestsize }
    }

    fn matching_blocks(&self) -> Vec<Match> {
        let (la, lb) = (self.a.len(), self.b.len());
        let mut queue = vec![(0, la, 0, lb)];
        let mut blocks = Vec::new();
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let m = self.find_longest_match(alo, ahi, blo, bhi);
            if m.size > 0 {
                blocks.push(m);
                if alo < m.a && blo < m.b {
                    queue.push((alo, m.a, blo, m.b));
                }
                if m.a + m.size < ahi && m.b + m.size < bhi {
                    queue.push((m.a + m.size, ahi, m.b + m.size, bhi));
                }
            }
        }
        blocks.sort();
        collapse_adjacent(blocks, la, lb)
    }

    /// Python's `get_opcodes`.
    pub fn opcodes(&self) -> Vec<Opcode> {
        let (mut i, mut j) = (0, 0);
        let mut answer = Vec::new();
        for m in self.matching_blocks() {
            let tag = if i < m.a && j < m.b {
                Some(Tag::Replace)
            } else if i < m.a {
                Some(Tag::Delete)
            } else if j < m.b {
                Some(Tag::Insert)
            } else {
                None
            };
            if let Some(tag) = tag {
                answer.push(Opcode { tag, i1: i, i2: m.a, j1: j, j2: m.b });
            }
            i = m.a + m.size;
            j = m.b + m.size;
            if m.size > 0 {
                answer.push(Opcode { tag: Tag::Equal, i1: m.a, i2: i, j1: m.b, j2: j });
            }
        }
        answer
    }

    /// Python's `get_grouped_opcodes(n)`.
    pub fn grouped_opcodes(&self, n: usize) -> Vec<Vec<Opcode>> {
        let mut codes = self.opcodes();
        if codes.is_empty() {
            codes.push(Opcode { tag: Tag::Equal, i1: 0, i2: 1, j1: 0, j2: 1 });
        }
        trim_edges(&mut codes, n);
        let nn = n + n;
        let mut groups = Vec::new();
        let mut group = Vec::new();
        for mut c in codes {
            if c.tag == Tag::Equal && c.i2 - c.i1 > nn {
                group.push(Opcode { i2: c.i2.min(c.i1 + n), j2: c.j2.min(c.j1 + n), ..c });
                groups.push(std::mem::take(&mut group));
                c.i1 = c.i1.max(c.i2.saturating_sub(n));
                c.j1 = c.j1.max(c.j2.saturating_sub(n));
            }
            group.push(c);
        }
        if !group.is_empty() && (group.len() != 1 || group[0].tag != Tag::Equal) {
            groups.push(group);
        }
        groups
    }
}

fn collapse_adjacent(blocks: Vec<Match>, la: usize, lb: usize) -> Vec<Match> {
    let (mut i1, mut j1, mut k1) = (0, 0, 0);
    let mut out = Vec::new();
    for m in blocks {
        if i1 + k1 == m.a && j1 + k1 == m.b {
            k1 += m.size;
        } else {
            if k1 > 0 {
                out.push(Match { a: i1, b: j1, size: k1 });
            }
            (i1, j1, k1) = (m.a, m.b, m.size);
        }
    }
    if k1 > 0 {
        out.push(Match { a: i1, b: j1, size: k1 });
    }
    out.push(Match { a: la, b: lb, size: 0 });
    out
}

fn trim_edges(codes: &mut [Opcode], n: usize) {
    if let Some(first) = codes.first_mut() {
        if first.tag == Tag::Equal {
            first.i1 = first.i1.max(first.i2.saturating_sub(n));
            first.j1 = first.j1.max(first.j2.saturating_sub(n));
        }
    }
    if let Some(last) = codes.last_mut() {
        if last.tag == Tag::Equal {
            last.i2 = last.i2.min(last.i1 + n);
            last.j2 = last.j2.min(last.j1 + n);
        }
    }
}

/// Python's `_format_range_unified`.
fn format_range(start: usize, stop: usize) -> String {
    let mut beginning = start + 1;
    let length = stop - start;
    if length == 1 {
        return beginning.to_string();
    }
    if length == 0 {
        beginning -= 1;
    }
    format!("{beginning},{length}")
}

/// Python's `difflib.unified_diff(a, b, fromfile, tofile, lineterm=lineterm)`
/// with the default three lines of context; returns the generated lines.
pub fn unified_diff<S: AsRef<str> + Hash + Eq>(
    a: &[S],
    b: &[S],
    fromfile: &str,
    tofile: &str,
    lineterm: &str,
) -> Vec<String> {
    let matcher = SequenceMatcher::new(a, b);
    let mut out = Vec::new();
    for (idx, group) in matcher.grouped_opcodes(3).iter().enumerate() {
        if idx == 0 {
            out.push(format!("--- {fromfile}{lineterm}"));
            out.push(format!("+++ {tofile}{lineterm}"));
        }
        let (first, last) = (group[0], group[group.len() - 1]);
        out.push(format!("@@ -{} +{} @@{lineterm}", format_range(first.i1, last.i2), format_range(first.j1, last.j2)));
        for op in group {
            push_op_lines(&mut out, op, a, b);
        }
    }
    out
}

fn push_op_lines<S: AsRef<str>>(out: &mut Vec<String>, op: &Opcode, a: &[S], b: &[S]) {
    if op.tag == Tag::Equal {
        out.extend(a[op.i1..op.i2].iter().map(|l| format!(" {}", l.as_ref())));
        return;
    }
    if matches!(op.tag, Tag::Replace | Tag::Delete) {
        out.extend(a[op.i1..op.i2].iter().map(|l| format!("-{}", l.as_ref())));
    }
    if matches!(op.tag, Tag::Replace | Tag::Insert) {
        out.extend(b[op.j1..op.j2].iter().map(|l| format!("+{}", l.as_ref())));
    }
}

/// Splits text into lines keeping their `\n` (Python's `readlines()` on bytes).
pub fn lines_keepends(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Salt's `stringutils.get_diff(a, b)`: the concatenated unified diff of two
/// texts split into lines that keep their line ends.
pub fn text_diff(a: &str, b: &str) -> String {
    unified_diff(&lines_keepends(a), &lines_keepends(b), "", "", "\n").concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaced_line() {
        let d = text_diff("line one\nline two\nline three\n", "line one\nline 2 changed\nline three\n");
        assert_eq!(d, "--- \n+++ \n@@ -1,3 +1,3 @@\n line one\n-line two\n+line 2 changed\n line three\n");
    }

    #[test]
    fn identical_is_empty_and_missing_newline_is_kept_raw() {
        assert_eq!(text_diff("a\n", "a\n"), "");
        assert_eq!(text_diff("a", "b"), "--- \n+++ \n@@ -1 +1 @@\n-a+b");
        assert_eq!(text_diff("", "x\n"), "--- \n+++ \n@@ -0,0 +1 @@\n+x\n");
    }

    #[test]
    fn groups_far_apart_changes() {
        let a: Vec<String> = (1..40).map(|i| format!("{i}\n")).collect();
        let mut b = a.clone();
        b[1] = "x\n".into();
        b[30] = "y\n".into();
        let d = unified_diff(&a, &b, "", "", "\n").concat();
        assert!(d.contains("@@ -1,5 +1,5 @@"), "{d}");
        assert!(d.contains("@@ -28,7 +28,7 @@"), "{d}");
    }
}
