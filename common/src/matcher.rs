//! Target matchers: does this minion match a Salt target expression?
//!
//! Mirrors Salt's minion-side matchers (`salt/matchers/*.py`): glob, pcre,
//! list, grain, grain_pcre, pillar, pillar_pcre, pillar_exact, ipcidr,
//! nodegroup and compound, with `salt.utils.data.subdict_match` for the
//! key:value forms and `salt.utils.minions.nodegroup_comp` for nodegroups.
//!
//! It only answers yes/no for one minion from data it is handed: it must not
//! read files, look anything up on the network, or know about top files.

use std::net::IpAddr;

use crate::{Map, Value};

/// Salt's `DEFAULT_TARGET_DELIM`; compound terms use it unless they name one.
pub const DEFAULT_DELIMITER: &str = ":";

/// Everything a matcher may look at for the minion being matched.
#[derive(Clone, Copy, Debug)]
pub struct MatchData<'a> {
    pub id: &'a str,
    pub grains: &'a Map,
    pub pillar: &'a Map,
    pub nodegroups: &'a Map,
}

/// Why a target could not be evaluated (as opposed to simply not matching).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    #[error("unknown matcher '{0}'")]
    UnknownMatcher(String),
    #[error("the '{0}' matcher is not supported")]
    Unsupported(String),
    #[error("invalid compound target '{expr}': {reason}")]
    InvalidCompound { expr: String, reason: String },
    #[error("invalid regular expression '{pattern}': {message}")]
    InvalidRegex { pattern: String, message: String },
    #[error("unknown nodegroup '{0}'")]
    UnknownNodegroup(String),
    #[error("nodegroup '{0}' includes itself")]
    NodegroupCycle(String),
    #[error("nodegroup '{0}' is neither a string nor a list")]
    BadNodegroup(String),
    #[error("the target delimiter must not be empty")]
    EmptyDelimiter,
    #[error("the '{matcher}' matcher needs a string target, got {found}")]
    TargetType { matcher: String, found: &'static str },
}

/// Does the minion described by `data` match `tgt` under matcher `tgt_type`?
///
/// `delimiter` separates nested keys for grain/pillar targets (Salt's
/// `delimiter` argument, usually `:`); compound terms use `:` unless the
/// term names its own (`G;@a;b`), as in Salt. A target that merely does not match is
/// `Ok(false)`; an unknown matcher, a malformed compound expression or an
/// invalid regex for `pcre` is an error.
pub fn matches(tgt: &Value, tgt_type: &str, data: &MatchData, delimiter: &str) -> Result<bool, MatchError> {
    if delimiter.is_empty() {
        return Err(MatchError::EmptyDelimiter);
    }
    match tgt_type {
        "glob" => Ok(tgt.as_str().is_some_and(|t| fnmatch(data.id, t))),
        "list" => Ok(list_match(tgt, data.id)),
        "compound" => compound_match(tgt, data),
        "nodegroup" => nodegroup_match(tgt, data),
        "range" | "data" => Err(MatchError::Unsupported(tgt_type.to_string())),
        _ => string_match(string_target(tgt, tgt_type)?, tgt_type, data, delimiter),
    }
}

/// The matchers whose target must be a string.
fn string_match(tgt: &str, tgt_type: &str, data: &MatchData, delimiter: &str) -> Result<bool, MatchError> {
    match tgt_type {
        "pcre" => pcre_match(tgt, data.id),
        "grain" => Ok(keyed_match(data.grains, tgt, delimiter, Mode::Glob)),
        "grain_pcre" => Ok(keyed_match(data.grains, tgt, delimiter, Mode::Regex)),
        "pillar" => Ok(keyed_match(data.pillar, tgt, delimiter, Mode::Glob)),
        "pillar_pcre" => Ok(keyed_match(data.pillar, tgt, delimiter, Mode::Regex)),
        "pillar_exact" => Ok(keyed_match(data.pillar, tgt, delimiter, Mode::Exact)),
        "ipcidr" => Ok(ipcidr_match(tgt, data.grains)),
        _ => Err(MatchError::UnknownMatcher(tgt_type.to_string())),
    }
}

fn string_target<'v>(tgt: &'v Value, tgt_type: &str) -> Result<&'v str, MatchError> {
    tgt.as_str().ok_or_else(|| MatchError::TargetType {
        matcher: tgt_type.to_string(),
        found: tgt.type_name(),
    })
}

// ---------------------------------------------------------------- fnmatch

/// One element of a parsed fnmatch pattern.
enum GlobTok {
    Star,
    Any,
    Lit(char),
    Set { negated: bool, ranges: Vec<(char, char)> },
}

/// Python's `fnmatch.fnmatch` on POSIX: `*`, `?`, `[seq]`, `[!seq]`,
/// case-sensitive, `*` also matching `/` and newlines, no escapes, no braces.
///
/// Written here rather than taken from globset because globset treats `\`
/// as an escape, supports `{a,b}` and `**`, which fnmatch does not.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return name == pattern;
    }
    let toks = parse_glob(pattern);
    let text: Vec<char> = name.chars().collect();
    glob_tokens_match(&toks, &text)
}

fn parse_glob(pattern: &str) -> Vec<GlobTok> {
    let pat: Vec<char> = pattern.chars().collect();
    let closes = next_closes(&pat);
    let mut toks = Vec::new();
    let mut i = 0;
    while i < pat.len() {
        let c = pat[i];
        i += 1;
        match c {
            '*' => {
                if !matches!(toks.last(), Some(GlobTok::Star)) {
                    toks.push(GlobTok::Star);
                }
            }
            '?' => toks.push(GlobTok::Any),
            '[' => match parse_glob_set(&pat, &closes, i) {
                Some((tok, next)) => {
                    toks.push(tok);
                    i = next;
                }
                None => toks.push(GlobTok::Lit('[')),
            },
            c => toks.push(GlobTok::Lit(c)),
        }
    }
    toks
}

/// For each index of `pat`, the index of the first `]` at or after it
/// (`pat.len()` when there is none), so that a pattern of many unclosed
/// `[` is read in linear time.
fn next_closes(pat: &[char]) -> Vec<usize> {
    let mut out = vec![pat.len(); pat.len() + 1];
    for i in (0..pat.len()).rev() {
        out[i] = if pat[i] == ']' { i } else { out[i + 1] };
    }
    out
}

/// Parse a `[...]` set whose body starts at `start`; `None` when it is not
/// closed (then `[` is literal, as in fnmatch.translate).
fn parse_glob_set(pat: &[char], closes: &[usize], start: usize) -> Option<(GlobTok, usize)> {
    let mut j = start;
    if pat.get(j) == Some(&'!') {
        j += 1;
    }
    if pat.get(j) == Some(&']') {
        j += 1;
    }
    j = *closes.get(j)?;
    if j >= pat.len() {
        return None;
    }
    let mut body = &pat[start..j];
    let negated = body.first() == Some(&'!');
    if negated {
        body = &body[1..];
    }
    Some((GlobTok::Set { negated, ranges: parse_set_body(body) }, j + 1))
}

/// Items of a set body: `a-z` ranges and single characters; a `-` that
/// cannot start a range is literal. Reversed ranges match nothing.
fn parse_set_body(body: &[char]) -> Vec<(char, char)> {
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            ranges.push((body[k], body[k + 2]));
            k += 3;
        } else {
            ranges.push((body[k], body[k]));
            k += 1;
        }
    }
    ranges
}

fn glob_tok_matches(tok: &GlobTok, c: char) -> bool {
    match tok {
        GlobTok::Star | GlobTok::Any => true,
        GlobTok::Lit(l) => *l == c,
        GlobTok::Set { negated, ranges } => ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated,
    }
}

/// Classic wildcard matching with backtracking to the last `*`.
fn glob_tokens_match(toks: &[GlobTok], text: &[char]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < toks.len() && matches!(toks[p], GlobTok::Star) {
            star = Some((p, t));
            p += 1;
        } else if p < toks.len() && glob_tok_matches(&toks[p], text[t]) {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    toks[p..].iter().all(|tok| matches!(tok, GlobTok::Star))
}

// ---------------------------------------------------------------- pcre

/// Python's `re.match`: the pattern must match at the start of the text
/// (not necessarily the whole text).
fn regex_match_start(pattern: &str, text: &str) -> Result<bool, MatchError> {
    let invalid = |e: fancy_regex::Error| MatchError::InvalidRegex {
        pattern: pattern.to_string(),
        message: e.to_string(),
    };
    let re = fancy_regex::Regex::new(pattern).map_err(invalid)?;
    // Leftmost search: a match starting at 0 exists iff the first one found starts there.
    let found = re.find(text).map_err(invalid)?;
    Ok(found.is_some_and(|m| m.start() == 0))
}

fn pcre_match(tgt: &str, id: &str) -> Result<bool, MatchError> {
    regex_match_start(tgt, id)
}

// ---------------------------------------------------------------- list

fn list_match(tgt: &Value, id: &str) -> bool {
    match tgt {
        Value::Str(t) => {
            t.contains(&format!(",{id},"))
                || t.starts_with(&format!("{id},"))
                || t.ends_with(&format!(",{id}"))
                || t == id
        }
        Value::List(items) => items.iter().any(|v| v.as_str() == Some(id)),
        _ => false,
    }
}

// ---------------------------------------------------------------- subdict_match

/// How values are compared in `subdict_match`.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Glob,
    Regex,
    Exact,
}

/// grain/pillar matchers: the target must contain the delimiter.
fn keyed_match(data: &Map, tgt: &str, delimiter: &str, mode: Mode) -> bool {
    tgt.contains(delimiter) && subdict_match(data, tgt, delimiter, mode)
}

/// `salt.utils.data.subdict_match`: `a:b:c` matches `data[a][b] == c` or
/// `data[a] == "b:c"`, deeper keys first; values compare case-insensitively;
/// list values match when any member does.
fn subdict_match(data: &Map, expr: &str, delimiter: &str, mode: Mode) -> bool {
    let splits: Vec<&str> = expr.split(delimiter).collect();
    for idx in (1..splits.len()).rev() {
        let key = splits[..idx].join(delimiter);
        if key == "*" {
            if !data.is_empty() && dict_match(data, expr, mode) {
                return true;
            }
            continue;
        }
        let matchstr = splits[idx..].join(delimiter);
        if traverse(data, &key, delimiter).is_some_and(|found| value_match(found, &matchstr, mode)) {
            return true;
        }
    }
    false
}

/// Match one looked-up value against the rest of the expression.
fn value_match(found: &Value, matchstr: &str, mode: Mode) -> bool {
    match found {
        Value::Map(m) if m.is_empty() => false,
        Value::Map(m) => dict_match(m, matchstr, mode),
        Value::List(members) => members.iter().any(|member| {
            member.as_map().is_some_and(|m| dict_match(m, matchstr, mode)) || scalar_match(member, matchstr, mode)
        }),
        other => scalar_match(other, matchstr, mode),
    }
}

/// `_match`: compare `str(target).lower()` with the lowercased pattern.
fn scalar_match(target: &Value, pattern: &str, mode: Mode) -> bool {
    let target = target.py_str().to_lowercase();
    let pattern = pattern.to_lowercase();
    match mode {
        Mode::Glob => fnmatch(&target, &pattern),
        Mode::Exact => target == pattern,
        // An invalid regex here is "no match", as Salt logs and returns False.
        Mode::Regex => regex_match_start(&pattern, &target).unwrap_or(false),
    }
}

/// `_dict_match`: key presence, key patterns, nested expressions, and the
/// `*:` prefix that searches every value below the dict.
fn dict_match(target: &Map, pattern: &str, mode: Mode) -> bool {
    let (wildcard, pattern) = match pattern.strip_prefix("*:") {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    if pattern == "*" || target.contains_key(pattern) {
        return true;
    }
    if target.keys().any(|k| scalar_match(&Value::str(k.as_str()), pattern, mode)) {
        return true;
    }
    // Salt recurses with the default delimiter here, whatever the caller used.
    if subdict_match(target, pattern, DEFAULT_DELIMITER, mode) {
        return true;
    }
    wildcard && target.values().any(|v| wildcard_value_match(v, pattern, mode))
}

fn wildcard_value_match(v: &Value, pattern: &str, mode: Mode) -> bool {
    match v {
        Value::Map(m) => dict_match(m, pattern, mode),
        Value::List(items) => items.iter().any(|item| scalar_match(item, pattern, mode)),
        other => scalar_match(other, pattern, mode),
    }
}

/// `traverse_dict_and_list` with a missing result as `None`: lists are
/// indexed by integers (negative from the end) or searched for embedded
/// dicts holding the key.
fn traverse<'a>(data: &'a Map, key: &str, delimiter: &str) -> Option<&'a Value> {
    let mut parts = key.split(delimiter);
    let mut ptr = data.get(parts.next()?)?;
    for part in parts {
        ptr = traverse_step(ptr, part)?;
    }
    Some(ptr)
}

fn traverse_step<'a>(ptr: &'a Value, part: &str) -> Option<&'a Value> {
    match ptr {
        Value::Map(m) => m.get(part),
        Value::List(items) => {
            let embedded = items.iter().filter_map(Value::as_map).find_map(|m| m.get(part));
            match part.trim().parse::<i64>() {
                Ok(idx) => embedded.or_else(|| list_index(items, idx)),
                Err(_) => embedded,
            }
        }
        _ => None,
    }
}

fn list_index(items: &[Value], idx: i64) -> Option<&Value> {
    let len = i64::try_from(items.len()).ok()?;
    let pos = if idx < 0 { len + idx } else { idx };
    usize::try_from(pos).ok().and_then(|p| items.get(p))
}

// ---------------------------------------------------------------- ipcidr

/// An IP network as Python's `ipaddress.ip_network` (strict) accepts it.
struct Network {
    addr: IpAddr,
    prefix: u32,
}

fn ipcidr_match(tgt: &str, grains: &Map) -> bool {
    if let Ok(addr) = tgt.parse::<IpAddr>() {
        let wanted = addr.to_string();
        return grain_addresses(grains, addr).any(|a| a == wanted);
    }
    match parse_network(tgt) {
        Some(net) => grain_addresses(grains, net.addr)
            .filter_map(|a| a.parse::<IpAddr>().ok())
            .any(|a| net.contains(a)),
        None => false,
    }
}

/// The `ipv4` or `ipv6` grain (whichever family `like` is) as strings.
fn grain_addresses(grains: &Map, like: IpAddr) -> impl Iterator<Item = &str> {
    let key = if like.is_ipv4() { "ipv4" } else { "ipv6" };
    let values: &[Value] = match grains.get(key) {
        Some(Value::List(l)) => l,
        Some(v @ Value::Str(_)) => std::slice::from_ref(v),
        _ => &[],
    };
    values.iter().filter_map(Value::as_str)
}

fn parse_network(tgt: &str) -> Option<Network> {
    let (addr, mask) = tgt.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let bits = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = if !mask.is_empty() && mask.bytes().all(|b| b.is_ascii_digit()) {
        mask.parse::<u32>().ok().filter(|p| *p <= bits)?
    } else if addr.is_ipv4() {
        ipv4_mask_prefix(mask)?
    } else {
        return None;
    };
    let net = Network { addr, prefix };
    // Strict, as ip_network(): no host bits may be set.
    (addr_bits(addr) & !net.mask() == 0).then_some(net)
}

/// A dotted netmask (`255.255.255.0`) or hostmask (`0.0.0.255`) as a prefix length.
fn ipv4_mask_prefix(mask: &str) -> Option<u32> {
    let m = u32::from(mask.parse::<std::net::Ipv4Addr>().ok()?);
    if m.leading_ones() + m.trailing_zeros() == 32 {
        Some(m.leading_ones())
    } else if m.leading_zeros() + m.trailing_ones() == 32 {
        Some(m.leading_zeros())
    } else {
        None
    }
}

fn addr_bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

impl Network {
    fn mask(&self) -> u128 {
        let bits = if self.addr.is_ipv4() { 32 } else { 128 };
        let host_bits = bits - self.prefix;
        let all = if bits == 32 { u128::from(u32::MAX) } else { u128::MAX };
        all.checked_shl(host_bits).map_or(0, |m| m & all)
    }

    fn contains(&self, a: IpAddr) -> bool {
        a.is_ipv4() == self.addr.is_ipv4() && addr_bits(a) & self.mask() == addr_bits(self.addr)
    }
}

// ---------------------------------------------------------------- nodegroups

const OPERATORS: [&str; 5] = ["and", "or", "not", "(", ")"];

fn nodegroup_match(tgt: &Value, data: &MatchData) -> Result<bool, MatchError> {
    let Some(name) = tgt.as_str() else {
        return Ok(false);
    };
    if !data.nodegroups.contains_key(name) {
        return Ok(false);
    }
    let words = nodegroup_comp(name, data.nodegroups, &mut Vec::new(), true)?;
    compound_words(words, name, data)
}

/// `nodegroup_comp`: expand `N@` references recursively into compound words.
fn nodegroup_comp(name: &str, nodegroups: &Map, skip: &mut Vec<String>, first_call: bool) -> Result<Vec<String>, MatchError> {
    if skip.iter().any(|s| s == name) {
        return Err(MatchError::NodegroupCycle(name.to_string()));
    }
    let words = nodegroup_words(name, nodegroups)?;
    skip.push(name.to_string());
    let mut expanded = false;
    let mut ret = Vec::new();
    for word in &words {
        match word.strip_prefix("N@").filter(|rest| !rest.is_empty()) {
            Some(inner) => {
                expanded = true;
                ret.extend(nodegroup_comp(inner, nodegroups, skip, false)?);
            }
            None => ret.push(word.clone()),
        }
    }
    skip.pop();
    let ret = parenthesised(ret);
    if let Some(joined) = nodegroup_as_list_or_regex(&words) {
        if !(first_call && expanded) {
            return Ok(vec![joined]);
        }
    }
    Ok(if expanded || !first_call { ret } else { words })
}

fn nodegroup_words(name: &str, nodegroups: &Map) -> Result<Vec<String>, MatchError> {
    match nodegroups.get(name) {
        None => Err(MatchError::UnknownNodegroup(name.to_string())),
        Some(Value::Str(s)) => Ok(s.split_whitespace().map(str::to_string).collect()),
        Some(Value::List(items)) => Ok(items.iter().map(Value::py_str).collect()),
        Some(_) => Err(MatchError::BadNodegroup(name.to_string())),
    }
}

/// `_nodegroup_regex`: a nodegroup of plain words (no operators, no `*`, no
/// `X@` prefixes) is a list of ids, or a regex when a word has regex characters.
fn nodegroup_as_list_or_regex(words: &[String]) -> Option<String> {
    let plain = |w: &String| !OPERATORS.contains(&w.as_str()) && !w.contains('*') && !has_engine_prefix(w);
    if !words.iter().all(plain) {
        return None;
    }
    const REGEX_CHARS: [char; 8] = ['(', '[', '{', '\\', '?', '}', ']', ')'];
    let prefix = if words.iter().any(|w| w.contains(REGEX_CHARS)) { "E@" } else { "L@" };
    Some(format!("{prefix}{}", words.join(",")))
}

fn has_engine_prefix(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 2 && b[0].is_ascii_uppercase() && b[1] == b'@'
}

// ---------------------------------------------------------------- compound

/// A compound word after evaluation: an operator or a matcher's result.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Tok {
    And,
    Or,
    Not,
    Open,
    Close,
    Val(bool),
}

/// A parsed `X@` word (`parse_target`): engine letter, optional delimiter, pattern.
struct Term<'w> {
    engine: char,
    delimiter: Option<char>,
    pattern: &'w str,
}

fn compound_match(tgt: &Value, data: &MatchData) -> Result<bool, MatchError> {
    let (words, expr) = match tgt {
        Value::Str(s) => (s.split_whitespace().map(str::to_string).collect(), s.clone()),
        Value::List(items) => {
            let words: Vec<String> = items.iter().map(Value::py_str).collect();
            let expr = words.join(" ");
            (words, expr)
        }
        _ => return Ok(false),
    };
    compound_words(words, &expr, data)
}

/// Evaluate compound words: every term is matched, then the and/or/not
/// expression is evaluated with Python's precedence (not > and > or).
fn compound_words(words: Vec<String>, expr: &str, data: &MatchData) -> Result<bool, MatchError> {
    let invalid = |reason: &str| MatchError::InvalidCompound { expr: expr.to_string(), reason: reason.to_string() };
    let mut queue: std::collections::VecDeque<String> = words.into();
    let mut toks: Vec<Tok> = Vec::new();
    while let Some(word) = queue.pop_front() {
        if let Some(op) = operator(&word) {
            push_operator(&mut toks, op).map_err(|r| invalid(&r))?;
            continue;
        }
        match parse_term(&word) {
            Some(term) if term.engine == 'N' => {
                let expansion = nodegroup_comp(term.pattern, data.nodegroups, &mut Vec::new(), true)?;
                for w in parenthesised(expansion).into_iter().rev() {
                    queue.push_front(w);
                }
            }
            Some(term) => toks.push(Tok::Val(eval_term(&term, expr, data)?)),
            None => toks.push(Tok::Val(fnmatch(data.id, &word))),
        }
    }
    eval_tokens(&toks).map_err(|r| invalid(&r))
}

/// Wrap several words in parentheses so an expansion keeps its own precedence.
fn parenthesised(words: Vec<String>) -> Vec<String> {
    if words.len() <= 1 {
        return words;
    }
    let mut out = Vec::with_capacity(words.len() + 2);
    out.push("(".to_string());
    out.extend(words);
    out.push(")".to_string());
    out
}

fn operator(word: &str) -> Option<Tok> {
    match word {
        "and" => Some(Tok::And),
        "or" => Some(Tok::Or),
        "not" => Some(Tok::Not),
        "(" => Some(Tok::Open),
        ")" => Some(Tok::Close),
        _ => None,
    }
}

/// Salt's operator rules: no leading `and`/`or`, none right after `(`, and a
/// `not` directly after a term implies `and`.
fn push_operator(toks: &mut Vec<Tok>, op: Tok) -> Result<(), String> {
    let binary = matches!(op, Tok::And | Tok::Or);
    match toks.last() {
        None if binary || op == Tok::Close => Err(format!("it cannot start with '{}'", op_text(op))),
        Some(Tok::Open) if binary => Err(format!("'{}' right after '('", op_text(op))),
        Some(prev) if op == Tok::Not && !matches!(prev, Tok::And | Tok::Or | Tok::Open) => {
            toks.push(Tok::And);
            toks.push(op);
            Ok(())
        }
        _ => {
            toks.push(op);
            Ok(())
        }
    }
}

fn op_text(op: Tok) -> &'static str {
    match op {
        Tok::And => "and",
        Tok::Or => "or",
        Tok::Not => "not",
        Tok::Open => "(",
        Tok::Close => ")",
        Tok::Val(_) => "term",
    }
}

/// `TARGET_REX`: `E@pat`, `G@key:val`, or with a one-character delimiter for
/// G/P/I/J (`G;@key;val`). Anything else is a bare glob word.
fn parse_term(word: &str) -> Option<Term<'_>> {
    let mut chars = word.char_indices();
    let (_, engine) = chars.next()?;
    if !"GPIJLNSER".contains(engine) {
        return None;
    }
    let (i1, c1) = chars.next()?;
    let with_delim = "GPIJ".contains(engine)
        .then(|| chars.next())
        .flatten()
        .filter(|(_, c2)| *c2 == '@' && c1 != '\n')
        .map(|(i2, _)| Term { engine, delimiter: Some(c1), pattern: &word[i2 + 1..] })
        .filter(|t| !t.pattern.is_empty());
    if with_delim.is_some() {
        return with_delim;
    }
    let pattern = &word[i1 + c1.len_utf8()..];
    (c1 == '@' && !pattern.is_empty()).then_some(Term { engine, delimiter: None, pattern })
}

fn eval_term(term: &Term, expr: &str, data: &MatchData) -> Result<bool, MatchError> {
    let tgt_type = match term.engine {
        'G' => "grain",
        'P' => "grain_pcre",
        'I' => "pillar",
        'J' => "pillar_pcre",
        'L' => "list",
        'S' => "ipcidr",
        'E' => "pcre",
        _ => {
            return Err(MatchError::InvalidCompound {
                expr: expr.to_string(),
                reason: format!("range targets ({}@) are not supported", term.engine),
            })
        }
    };
    let delimiter = term.delimiter.map(String::from).unwrap_or_else(|| DEFAULT_DELIMITER.to_string());
    matches(&Value::str(term.pattern), tgt_type, data, &delimiter)
}

/// Recursive-descent evaluation of the token list.
fn eval_tokens(toks: &[Tok]) -> Result<bool, String> {
    let mut pos = 0;
    let value = parse_or(toks, &mut pos)?;
    match toks.get(pos) {
        None => Ok(value),
        Some(t) => Err(format!("unexpected '{}'", op_text(*t))),
    }
}

fn parse_or(toks: &[Tok], pos: &mut usize) -> Result<bool, String> {
    let mut value = parse_and(toks, pos)?;
    while toks.get(*pos) == Some(&Tok::Or) {
        *pos += 1;
        let rhs = parse_and(toks, pos)?;
        value = value || rhs;
    }
    Ok(value)
}

fn parse_and(toks: &[Tok], pos: &mut usize) -> Result<bool, String> {
    let mut value = parse_not(toks, pos)?;
    while toks.get(*pos) == Some(&Tok::And) {
        *pos += 1;
        let rhs = parse_not(toks, pos)?;
        value = value && rhs;
    }
    Ok(value)
}

fn parse_not(toks: &[Tok], pos: &mut usize) -> Result<bool, String> {
    match toks.get(*pos) {
        Some(Tok::Not) => {
            *pos += 1;
            Ok(!parse_not(toks, pos)?)
        }
        Some(Tok::Val(v)) => {
            *pos += 1;
            Ok(*v)
        }
        Some(Tok::Open) => {
            *pos += 1;
            let value = parse_or(toks, pos)?;
            if toks.get(*pos) != Some(&Tok::Close) {
                return Err("unbalanced '('".to_string());
            }
            *pos += 1;
            Ok(value)
        }
        Some(t) => Err(format!("unexpected '{}'", op_text(*t))),
        None => Err("it ends where a term is expected".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(j: serde_json::Value) -> Map {
        match Value::from_json(&j) {
            Value::Map(m) => m,
            _ => Map::default(),
        }
    }

    /// The grains every compat `top-*` case sets.
    fn grains() -> Map {
        map(serde_json::json!({
            "os": "Debian", "os_family": "Debian", "role": "web", "roles": ["web", "cache"],
            "osrelease": "12.5", "env": "prod", "num": 12, "flag": true, "none": null,
            "nested": {"a": {"b": "c"}, "list": [{"k": "v"}, "x"]}, "colon": "a:b", "empty": {},
            "path": "/usr/bin",
            "ipv4": ["127.0.0.1", "192.0.2.2"], "ipv6": ["::1", "fd00::2", "fe80::fc:ff:fe00:1"]
        }))
    }

    struct Fixture {
        id: String,
        grains: Map,
        pillar: Map,
        nodegroups: Map,
    }

    impl Fixture {
        fn new(id: &str) -> Self {
            Fixture {
                id: id.to_string(),
                grains: grains(),
                pillar: map(serde_json::json!({"tier": "frontend", "team": "ops", "deep": {"x": ["Alpha", "beta"]}})),
                nodegroups: map(serde_json::json!({
                    "webs": "L@web01,web02", "dbs": ["db01", "db02"], "re": ["web\\d+"],
                    "mix": "G@os:RedHat or N@dbs", "nested": "N@webs or N@dbs",
                    "comp": "G@os:Debian and web*", "orgroup": "G@os:RedHat or web*",
                    "empty": "", "loop": "N@loop2", "loop2": "N@loop", "bad": 3
                })),
            }
        }

        fn data(&self) -> MatchData<'_> {
            MatchData { id: &self.id, grains: &self.grains, pillar: &self.pillar, nodegroups: &self.nodegroups }
        }

        fn check(&self, tgt: &str, tgt_type: &str) -> Result<bool, MatchError> {
            matches(&Value::str(tgt), tgt_type, &self.data(), ":")
        }

        fn is(&self, tgt: &str, tgt_type: &str) -> bool {
            self.check(tgt, tgt_type).unwrap_or_else(|e| panic!("{tgt_type} {tgt:?}: {e}"))
        }
    }

    #[test]
    fn fnmatch_follows_python() {
        let cases = [
            ("web01", "web*", true), ("web01", "*01", true), ("web01", "w?b0[0-9]", true),
            ("web01", "web0[!1]", false), ("web01", "web0[!2]", true), ("a[b", "a[b", true),
            ("a]", "a[]]", true), ("a-", "a[a-]", true), ("b", "[a-c-e]", true), ("-", "[a-c-e]", true),
            ("d", "[a-c-e]", false), ("b", "[z-a]", false), ("x", "[!z-a]", true), ("a/b", "a*b", true),
            ("a\nb", "a*b", true), ("a\\b", "a\\b", true), ("a{b,c}", "a{b,c}", true), ("ab", "a{b,c}", false),
            ("WEB01", "web*", false), ("", "*", true), ("", "?", false), ("abc", "a**c", true), ("[", "[", true),
            ("a", "[!]", false), ("[!]", "[!]", true), ("]", "[!]]", false), ("^", "[^a]", true), ("b", "[^a]", false),
            ("aaa", "*a*a*a*", true), ("aa", "*a*a*a*", false), ("é1", "?1", true),
        ];
        for (name, pat, want) in cases {
            assert_eq!(fnmatch(name, pat), want, "fnmatch({name:?}, {pat:?})");
        }
    }

    #[test]
    fn fnmatch_reads_many_unclosed_sets_as_literals() {
        // 100,000 `[` without a `]`: each is a literal (this pattern once
        // took one scan to the end per `[`).
        let pat = "[!x [".repeat(20_000);
        assert!(fnmatch(&pat, &pat));
        assert!(!fnmatch("x", &pat));
        // A set that does close takes everything up to its `]`.
        let long_set = format!("{}b]", "[".repeat(50_000));
        assert!(fnmatch("b", &long_set) && fnmatch("[", &long_set) && !fnmatch("[b", &long_set));
    }

    #[test]
    fn glob_targets_from_top_glob_case() {
        let f = Fixture::new("web01");
        assert!(f.is("*", "glob"));
        assert!(f.is("web*", "glob"));
        assert!(!f.is("db*", "glob"));
        assert!(f.is("*01", "glob"));
        assert!(!matches(&Value::Int(1), "glob", &f.data(), ":").unwrap_or(true));
    }

    #[test]
    fn pcre_is_anchored_at_start_only() {
        let f = Fixture::new("web01");
        assert!(f.is(r"web\d+", "pcre"));
        assert!(!f.is("eb0", "pcre"));
        assert!(f.is(".*01$", "pcre"));
        assert!(f.is("web", "pcre"));
        assert!(matches!(f.check("web(", "pcre"), Err(MatchError::InvalidRegex { .. })));
    }

    #[test]
    fn list_accepts_strings_and_lists() {
        let f = Fixture::new("web02");
        assert!(f.is("web01,web02", "list"));
        assert!(!f.is("db01,db02", "list"));
        assert!(f.is("web02", "list"));
        assert!(f.is("a,web02,b", "list"));
        assert!(!f.is("web0", "list"));
        let list = Value::List(vec![Value::str("x"), Value::str("web02")]);
        assert!(matches(&list, "list", &f.data(), ":").unwrap_or(false));
    }

    #[test]
    fn grain_matcher_follows_subdict_match() {
        let f = Fixture::new("web01");
        let cases = [
            ("os:Debian", true), ("os:debian", true), ("os:Deb*", true), ("roles:cache", true), ("roles:c*", true),
            ("os:RedHat", false), ("role:w*", true), ("nested:a:b:c", true), ("nested:a:b", true),
            ("nested:a:*", true), ("nested:list:k:v", true), ("nested:list:k", true), ("nested:list:0:k:v", true),
            ("nested:list:1:x", true), ("nested:list:-1:x", true), ("colon:a:b", true), ("num:12", true),
            ("flag:true", true), ("none:none", true), ("*:prod", true), ("*:cache", true), ("*:c", false),
            ("empty:*", false), ("nested:*", true), ("nested:a", true), ("path:/usr/*", true), ("os", false),
            ("missing:x", false),
        ];
        for (tgt, want) in cases {
            assert_eq!(f.is(tgt, "grain"), want, "grain {tgt}");
        }
        let dotted = matches(&Value::str("nested.a.b.c"), "grain", &f.data(), ".");
        assert_eq!(dotted, Ok(true));
        assert_eq!(matches(&Value::str("os:Debian"), "grain", &f.data(), ""), Err(MatchError::EmptyDelimiter));
    }

    #[test]
    fn grain_pcre_lowercases_and_anchors() {
        let f = Fixture::new("web01");
        assert!(f.is(r"osrelease:12\..*", "grain_pcre"));
        assert!(f.is("os:(Debian|Ubuntu)", "grain_pcre"));
        assert!(!f.is("os:Deb$", "grain_pcre"));
        assert!(f.is("os:De.*", "grain_pcre"));
        assert!(!f.is("os:DEB$", "grain_pcre"));
        assert!(!f.is("os:(", "grain_pcre"), "an invalid regex is no match, as in Salt");
    }

    #[test]
    fn pillar_matchers() {
        let f = Fixture::new("web01");
        assert!(f.is("tier:frontend", "pillar"));
        assert!(!f.is("tier:backend", "pillar"));
        assert!(f.is("tier:front*", "pillar"));
        assert!(f.is("deep:x:alpha", "pillar"));
        assert!(f.is("tier:fr.*", "pillar_pcre"));
        assert!(f.is("tier:FRONTEND", "pillar_exact"));
        assert!(!f.is("tier:front*", "pillar_exact"));
        assert!(f.is("team:ops", "pillar_exact"));
    }

    #[test]
    fn ipcidr_addresses_and_networks() {
        let f = Fixture::new("web01");
        assert!(f.is("192.0.2.2", "ipcidr"));
        assert!(f.is("192.0.2.0/24", "ipcidr"));
        assert!(f.is("192.0.2.0/255.255.255.0", "ipcidr"));
        assert!(f.is("0.0.0.0/0", "ipcidr"));
        assert!(!f.is("10.0.0.0/8", "ipcidr"));
        assert!(!f.is("192.0.2.2/24", "ipcidr"), "host bits set: ip_network() rejects it");
        assert!(f.is("fd00::/8", "ipcidr"));
        assert!(f.is("fd00:0::2", "ipcidr"), "addresses compare in canonical form");
        assert!(!f.is("2001:db8::/32", "ipcidr"));
        assert!(!f.is("not-an-ip", "ipcidr"));
    }

    #[test]
    fn compound_targets_from_top_compound_case() {
        let f = Fixture::new("web01");
        assert!(f.is("G@os:Debian and L@web01,web02", "compound"));
        assert!(f.is("G@os:RedHat or web*", "compound"));
        assert!(!f.is("G@os:Debian and not web*", "compound"));
        assert!(f.is(r"E@web\d+ and G@role:web", "compound"));
        assert!(f.is("I@team:ops", "compound"));
        assert!(f.is("web*", "compound"), "a bare word is a glob");
    }

    #[test]
    fn compound_precedence_and_forms() {
        let f = Fixture::new("web01");
        // not > and > or, as Python evaluates Salt's translated expression.
        assert!(f.is("web* or db* and G@os:RedHat", "compound"));
        assert!(!f.is("( web* or db* ) and G@os:RedHat", "compound"));
        assert!(f.is("not db* and not G@os:RedHat", "compound"));
        assert!(f.is("web* not db*", "compound"), "'not' after a term implies 'and'");
        assert!(f.is("G;@nested;a;b;c", "compound"), "per-term delimiter");
        assert!(f.is("P@os:deb.*", "compound"));
        assert!(f.is("J@tier:f.*", "compound"));
        assert!(f.is("S@192.0.2.0/24", "compound"));
        assert!(f.is("G@", "compound") == fnmatch("web01", "G@"));
        let list = Value::List(vec![Value::str("G@os:Debian"), Value::str("and"), Value::str("web*")]);
        assert_eq!(matches(&list, "compound", &f.data(), ":"), Ok(true));
    }

    #[test]
    fn malformed_compound_is_an_error_naming_it() {
        let f = Fixture::new("web01");
        for bad in ["and web*", "or web*", "( and web* )", "web* db*", "( web*", "web* )", "web* and", "", "not not web*", ") web*"] {
            match f.check(bad, "compound") {
                Err(MatchError::InvalidCompound { expr, .. }) => assert_eq!(expr, bad),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        let err = f.check("R@%test.cluster", "compound");
        assert!(matches!(err, Err(MatchError::InvalidCompound { ref reason, .. }) if reason.contains("range")));
    }

    #[test]
    fn nodegroups_expand() {
        let f = Fixture::new("web01");
        assert!(f.is("webs", "nodegroup"));
        assert!(!f.is("dbs", "nodegroup"));
        assert!(f.is("re", "nodegroup"));
        assert!(!f.is("mix", "nodegroup"));
        assert!(f.is("nested", "nodegroup"));
        assert!(f.is("comp", "nodegroup"));
        assert!(!f.is("empty", "nodegroup"));
        assert!(!f.is("unknown", "nodegroup"));
        assert!(f.is("N@webs and G@os:Debian", "compound"));
        // The expansion keeps its own precedence inside a larger expression.
        // (Salt 3007 splices a plain nodegroup in unparenthesised and says True here.)
        assert!(!f.is("N@orgroup and G@os:RedHat", "compound"));
        assert!(!f.is("G@os:RedHat and N@orgroup", "compound"));
        assert_eq!(f.check("loop", "nodegroup"), Err(MatchError::NodegroupCycle("loop".into())));
        assert_eq!(f.check("N@nope", "compound"), Err(MatchError::UnknownNodegroup("nope".into())));
        assert_eq!(f.check("bad", "nodegroup"), Err(MatchError::BadNodegroup("bad".into())));
        let db = Fixture::new("db02");
        assert!(db.is("mix", "nodegroup"));
        assert!(db.is("nested", "nodegroup"));
    }

    #[test]
    fn unknown_and_unsupported_matchers() {
        let f = Fixture::new("web01");
        assert_eq!(f.check("x", "bogus"), Err(MatchError::UnknownMatcher("bogus".into())));
        assert_eq!(f.check("x", "range"), Err(MatchError::Unsupported("range".into())));
        let err = matches(&Value::Int(3), "grain", &f.data(), ":");
        assert!(matches!(err, Err(MatchError::TargetType { .. })));
    }

    #[test]
    fn grain_matcher_from_top_grain_case() {
        let f = Fixture::new("minion1");
        let got: Vec<&str> = [("os:Debian", "debian"), ("roles:cache", "cache"), ("os:RedHat", "redhat"), ("role:w*", "globbed")]
            .into_iter()
            .filter(|(t, _)| f.is(t, "grain"))
            .map(|(_, sls)| sls)
            .collect();
        assert_eq!(got, ["debian", "cache", "globbed"]);
    }
}
