//! Python package requirements and versions as the `pip` state reads them:
//! `name[extras] >=1.0,<2; marker` split into the project name and its
//! specifiers (pip's `InstallRequirement`), and PEP 440 version matching
//! for `==`, `!=`, `<`, `<=`, `>`, `>=`, `~=`, `===` and `==1.2.*`
//! (`packaging.specifiers.SpecifierSet.contains`).
//!
//! Pure string work: it must not run pip.

use std::cmp::Ordering;

/// A parsed requirement: the project name ("" for URLs and paths, which
/// cannot be known before installing) and its specifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub name: String,
    pub specs: Vec<(String, String)>,
}

/// Why a requirement could not be read (Salt's comment text).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct BadRequirement(pub String);

const OPERATORS: [&str; 8] = ["===", "==", "!=", "~=", "<=", ">=", "<", ">"];

fn is_url_or_path(pkg: &str) -> bool {
    pkg.contains("://")
        || pkg.starts_with(['/', '.'])
        || pkg.ends_with(".whl")
        || pkg.ends_with(".tar.gz")
        || pkg.ends_with(".zip")
}

/// Reads a requirement as pip would (name, extras, specifiers, markers).
pub fn parse_requirement(pkg: &str) -> Result<Requirement, BadRequirement> {
    let text = pkg.split(';').next().unwrap_or("").trim();
    if is_url_or_path(text) || text.contains(" @ ") {
        return Ok(Requirement { name: String::new(), specs: Vec::new() });
    }
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c))).unwrap_or(text.len());
    let name = &text[..end];
    let mut rest = text[end..].trim_start();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(invalid(pkg));
    }
    if rest.starts_with('[') {
        let close = rest.find(']').ok_or_else(|| invalid(pkg))?;
        rest = rest[close + 1..].trim_start();
    }
    let rest = rest.trim_start_matches('(').trim_end_matches(')');
    let mut specs = Vec::new();
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let oper = OPERATORS.iter().find(|o| part.starts_with(**o)).ok_or_else(|| invalid(pkg))?;
        let version = part[oper.len()..].trim();
        if version.is_empty() {
            return Err(invalid(pkg));
        }
        specs.push((oper.to_string(), version.to_string()));
    }
    Ok(Requirement { name: sanitize(name), specs })
}

fn invalid(pkg: &str) -> BadRequirement {
    if pkg.contains('=') && !pkg.contains("==") {
        return BadRequirement(format!(
            "Invalid version specification in package {pkg}. '=' is not supported, use '==' instead."
        ));
    }
    BadRequirement(format!("pip raised an exception while parsing '{pkg}': Invalid requirement: '{pkg}'"))
}

/// Salt's prefix: runs of characters other than letters, digits and `.` become `-`.
fn sanitize(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    out
}

/// A PEP 440 version reduced to what ordering needs.
#[derive(Debug, Clone, PartialEq)]
struct Version {
    epoch: u64,
    release: Vec<u64>,
    /// (kind 0=a 1=b 2=rc, number); None sorts after any pre-release.
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
}

fn number_after<'s>(s: &'s str, tags: &[&str]) -> Option<(u64, &'s str)> {
    let tag = tags.iter().find(|t| s.starts_with(**t))?;
    let rest = s[tag.len()..].trim_start_matches(['.', '-', '_']);
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    Some((rest[..digits].parse().unwrap_or(0), &rest[digits..]))
}

fn parse_version(text: &str) -> Option<Version> {
    let lower = text.trim().to_ascii_lowercase();
    let s = lower.trim_start_matches('v').split('+').next().unwrap_or("");
    let (epoch, s) = match s.split_once('!') {
        Some((e, rest)) => (e.parse().ok()?, rest),
        None => (0, s),
    };
    let rel_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let release: Vec<u64> =
        s[..rel_end].trim_end_matches('.').split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let mut rest = s[rel_end..].trim_start_matches(['.', '-', '_']);
    let mut v = Version { epoch, release, pre: None, post: None, dev: None };
    for (kind, tags) in [(0u8, &["alpha", "a"][..]), (1, &["beta", "b"][..]), (2, &["rc", "c", "pre", "preview"][..])] {
        if let Some((n, r)) = number_after(rest, tags) {
            v.pre = Some((kind, n));
            rest = r.trim_start_matches(['.', '-', '_']);
        }
    }
    if let Some((n, r)) = number_after(rest, &["post", "rev", "r"]) {
        v.post = Some(n);
        rest = r.trim_start_matches(['.', '-', '_']);
    }
    if let Some((n, r)) = number_after(rest, &["dev"]) {
        v.dev = Some(n);
        rest = r;
    }
    rest.is_empty().then_some(v)
}

fn cmp_release(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len).map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

fn cmp_versions(a: &Version, b: &Version) -> Ordering {
    // Sort keys as packaging does: dev-only releases before pre-releases.
    let pre_key = |v: &Version| match (v.pre, v.post, v.dev) {
        (None, None, Some(_)) => (0u8, 0u8, 0u64),
        (Some((k, n)), _, _) => (1, k, n),
        _ => (2, 0, 0),
    };
    let dev_key = |v: &Version| v.dev.map_or((1u8, 0u64), |d| (0, d));
    a.epoch
        .cmp(&b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| pre_key(a).cmp(&pre_key(b)))
        .then_with(|| a.post.map(|p| p + 1).unwrap_or(0).cmp(&b.post.map(|p| p + 1).unwrap_or(0)))
        .then_with(|| dev_key(a).cmp(&dev_key(b)))
}

/// Salt's `_pep440_version_cmp`: -1, 0 or 1, None when either is not PEP 440.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(cmp_versions(&parse_version(a)?, &parse_version(b)?))
}

fn matches_one(version: &Version, raw: &str, oper: &str, spec: &str) -> bool {
    if oper == "===" {
        return raw == spec;
    }
    if let Some(prefix) = spec.strip_suffix(".*") {
        let Some(want) = parse_version(prefix) else { return false };
        let hit =
            version.epoch == want.epoch && version.release.iter().take(want.release.len()).eq(want.release.iter());
        return if oper == "!=" { !hit } else { oper == "==" && hit };
    }
    let Some(want) = parse_version(spec) else { return false };
    let ord = cmp_versions(version, &want);
    match oper {
        "==" => ord.is_eq(),
        "!=" => ord.is_ne(),
        "<" => ord.is_lt() && (want.pre.is_some() || version.pre.is_none() || version.release != want.release),
        "<=" => ord.is_le(),
        ">" => ord.is_gt() && (want.post.is_some() || version.post.is_none() || version.release != want.release),
        ">=" => ord.is_ge(),
        "~=" => {
            let keep = want.release.len().saturating_sub(1).max(1);
            ord.is_ge() && version.release.iter().take(keep).eq(want.release.iter().take(keep))
        }
        _ => false,
    }
}

/// Whether `version` meets every specifier (Salt's `_fulfills_version_spec`);
/// a pre-release only when a specifier names one, as `packaging` decides.
pub fn fulfills(version: &str, specs: &[(String, String)]) -> bool {
    let Some(parsed) = parse_version(version) else {
        return specs.iter().all(|(o, s)| s == version && (o == "==" || o == "==="));
    };
    let is_pre = |v: &Version| v.pre.is_some() || v.dev.is_some();
    let pre_allowed =
        specs.iter().any(|(_, spec)| parse_version(spec.trim_end_matches(".*")).is_some_and(|v| is_pre(&v)));
    if is_pre(&parsed) && !pre_allowed {
        return false;
    }
    specs.iter().all(|(oper, spec)| matches_one(&parsed, version, oper, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, specs: &[(&str, &str)]) -> Requirement {
        Requirement { name: name.into(), specs: specs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() }
    }

    #[test]
    fn parses_requirements() {
        assert_eq!(parse_requirement("Flask>=2.0,<3").unwrap(), req("Flask", &[(">=", "2.0"), ("<", "3")]));
        assert_eq!(
            parse_requirement("my_pkg[extra] == 1.0 ; python_version>'3'").unwrap(),
            req("my-pkg", &[("==", "1.0")])
        );
        assert_eq!(parse_requirement("/tmp/x-1.0-py3-none-any.whl").unwrap(), req("", &[]));
        assert_eq!(parse_requirement("git+https://x/y.git#egg=y").unwrap(), req("", &[]));
        assert_eq!(
            parse_requirement("foo=1.0").unwrap_err().0,
            "Invalid version specification in package foo=1.0. '=' is not supported, use '==' instead."
        );
    }

    #[test]
    fn versions_follow_pep440() {
        let s = |o: &str, v: &str| vec![(o.to_string(), v.to_string())];
        assert!(fulfills("1.0", &s("==", "1.0.0")));
        assert!(fulfills("1.4.2", &s("~=", "1.4")));
        assert!(!fulfills("2.0", &s("~=", "1.4")));
        assert!(fulfills("1.2.3", &s("==", "1.2.*")));
        assert!(!fulfills("2.0rc1", &s("<", "2.0")), "pre-releases need a pre-release specifier");
        assert!(!fulfills("2.0rc1", &s(">=", "2.0")));
        assert!(fulfills("2.0.post1", &s(">=", "2.0")));
        assert!(fulfills("1.0.dev1", &s("<", "1.0a1")));
        assert_eq!(compare("1.10", "1.9"), Some(Ordering::Greater));
        assert_eq!(compare("x y", "1"), None);
    }
}
