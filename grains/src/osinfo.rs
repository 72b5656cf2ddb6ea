//! Operating-system grains: kernel identity (uname), the distribution
//! (os, os_family, osfullname, osrelease, oscodename, lsb_distrib_*),
//! osarch and the values derived from osrelease.
//!
//! Follows Salt 3007's Linux path as it runs from its own Python (where the
//! `lsb_release` module is missing, so the "legacy" heuristics apply):
//! /etc/lsb-release first, then os-release. It must not run dpkg, rpm or
//! lsb_release; everything comes from files below the collector's root.

use brine_common::{Map, Value};
use indexmap::IndexMap;

use crate::root::Root;

type Fields = IndexMap<String, String>;

/// kernel, nodename, kernelrelease, kernelversion, cpuarch (`platform.uname()`).
pub fn uname(root: &Root, g: &mut Map) {
    let kernel = root.read_value("/proc/sys/kernel/ostype").unwrap_or_else(|| "Linux".into());
    let arch = root.read_value("/proc/sys/kernel/arch").unwrap_or_else(|| std::env::consts::ARCH.into());
    g.insert("kernel".into(), kernel.into());
    g.insert("nodename".into(), root.read_value("/proc/sys/kernel/hostname").unwrap_or_default().into());
    g.insert("kernelrelease".into(), root.read_value("/proc/sys/kernel/osrelease").unwrap_or_default().into());
    g.insert("kernelversion".into(), root.read_value("/proc/sys/kernel/version").unwrap_or_default().into());
    g.insert("cpuarch".into(), arch.into());
}

/// The distribution grains, in the order Salt adds them.
pub fn distribution(root: &Root, g: &mut Map) {
    let mut d = lsb_release_file(root);
    let os_release = os_release(root);
    if let Some(osr) = &os_release {
        d.insert("os".into(), derive_os(field(osr, "NAME"), Some(field(osr, "ID"))));
        // Placeholders keep Salt's key order; both are settled in finish_distribution.
        d.insert("os_family".into(), String::new());
        d.insert("oscodename".into(), String::new());
        d.insert("osfullname".into(), field(osr, "NAME").trim().to_string());
    }
    legacy_lsb_from_os_release(&mut d, os_release.as_ref());
    let fallback = DistroFallback::from(os_release.as_ref());
    finish_distribution(&mut d, &fallback);
    for (k, v) in d {
        g.insert(k, Value::Str(v));
    }
}

/// Parse `/etc/os-release`, else `/usr/lib/os-release`, as Python's
/// `platform.freedesktop_os_release()` does (with its NAME/ID defaults).
pub fn os_release(root: &Root) -> Option<Fields> {
    let text = root.read("/etc/os-release").or_else(|| root.read("/usr/lib/os-release"))?;
    let mut fields: Fields = [("NAME", "Linux"), ("ID", "linux"), ("PRETTY_NAME", "Linux")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for line in text.lines() {
        if let Some((k, v)) = os_release_line(line) {
            fields.insert(k, v);
        }
    }
    Some(fields)
}

/// `^([a-zA-Z0-9_]+)=(["']?)(.*)\2$` plus backslash unescaping.
fn os_release_line(line: &str) -> Option<(String, String)> {
    let (key, raw) = line.split_once('=')?;
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let value = ['"', '\'']
        .into_iter()
        .find_map(|q| raw.strip_prefix(q).and_then(|r| r.strip_suffix(q)))
        .unwrap_or(raw);
    Some((key.to_string(), unescape_shell(value)))
}

/// Drop the backslash before `\ $ " ' \``.
fn unescape_shell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek().filter(|n| "\\$\"'`".contains(**n)) {
                out.push(n);
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn field<'f>(f: &'f Fields, key: &str) -> &'f str {
    f.get(key).map(String::as_str).unwrap_or("")
}

/// `/etc/lsb-release` lines matching Salt's `_LSB_REGEX`, as `lsb_distrib_*`.
fn lsb_release_file(root: &Root) -> Fields {
    let mut out = Fields::new();
    for line in root.read("/etc/lsb-release").unwrap_or_default().lines() {
        if let Some((key, value)) = lsb_line(line) {
            out.insert(format!("lsb_{}", key.to_lowercase()), value);
        }
    }
    out
}

/// `^(DISTRIB_(?:ID|RELEASE|CODENAME|DESCRIPTION))=['"]?([\w\s.\-_]+)`
fn lsb_line(line: &str) -> Option<(String, String)> {
    let (key, rest) = line.split_once('=')?;
    if !["DISTRIB_ID", "DISTRIB_RELEASE", "DISTRIB_CODENAME", "DISTRIB_DESCRIPTION"].contains(&key) {
        return None;
    }
    let rest = rest.strip_prefix(['\'', '"']).unwrap_or(rest);
    let value: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '_' || *c == '.' || *c == '-')
        .collect();
    (!value.is_empty()).then(|| (key.to_string(), value.trim_end().to_string()))
}

/// lsb_distrib_* taken from os-release when /etc/lsb-release gave no id.
fn legacy_lsb_from_os_release(d: &mut Fields, osr: Option<&Fields>) {
    if d.get("lsb_distrib_description").is_some_and(|s| s.to_lowercase().starts_with("antergos")) {
        d.insert("osfullname".into(), "Antergos Linux".into());
        return;
    }
    let Some(osr) = osr.filter(|_| !d.contains_key("lsb_distrib_id")) else {
        return;
    };
    d.insert("lsb_distrib_id".into(), field(osr, "NAME").trim().to_string());
    if let Some(v) = osr.get("VERSION_ID") {
        d.insert("lsb_distrib_release".into(), v.clone());
    }
    let codename = osr.get("VERSION_CODENAME").or_else(|| osr.get("PRETTY_NAME"));
    if let Some(c) = codename {
        d.insert("lsb_distrib_codename".into(), c.clone());
    }
    if let Some(cpe) = osr.get("CPE_NAME") {
        apply_suse_cpe(d, osr, &parse_cpe(cpe));
    }
    if field(osr, "ID").trim() == "mendel" {
        if let Some(v) = field(osr, "PRETTY_NAME").split_whitespace().nth(2) {
            d.insert("lsb_distrib_release".into(), v.to_string());
        }
    }
}

/// vendor/product/version of a CPE_NAME (`_parse_cpe_name`), empty if malformed.
fn parse_cpe(cpe: &str) -> IndexMap<&'static str, String> {
    let parts: Vec<&str> = cpe.split(':').collect();
    let mut out = IndexMap::new();
    if parts.len() <= 4 || parts[0] != "cpe" {
        return out;
    }
    let fields: &[&str] = if parts[1].starts_with('/') {
        &parts[2..5]
    } else if parts[1] == "2.3" && (parts.len() == 6 || (8..=13).contains(&parts.len())) {
        &parts[3..6]
    } else {
        return out;
    };
    for (name, v) in ["vendor", "product", "version"].into_iter().zip(fields) {
        if *v != "*" {
            out.insert(name, v.to_string());
        }
    }
    out
}

fn apply_suse_cpe(d: &mut Fields, osr: &Fields, cpe: &IndexMap<&'static str, String>) {
    let vendor = cpe.get("vendor").map(|v| v.to_lowercase()).unwrap_or_default();
    if vendor != "suse" && vendor != "opensuse" {
        return;
    }
    d.insert("os".into(), "SUSE".into());
    if field(osr, "NAME") == "openSUSE Leap" {
        d.insert("osfullname".into(), "Leap".into());
    } else if field(osr, "VERSION") == "Tumbleweed" {
        d.insert("osfullname".into(), "Tumbleweed".into());
    }
    if let Some(v) = cpe.get("version").filter(|v| !v.is_empty() && vendor == "opensuse") {
        d.insert("lsb_distrib_release".into(), v.clone());
    }
}

/// What the `distro` package would answer when the grains above lack a value.
struct DistroFallback {
    id: String,
    version: String,
    codename: String,
}

impl DistroFallback {
    fn from(osr: Option<&Fields>) -> Self {
        let Some(osr) = osr else {
            return DistroFallback { id: String::new(), version: String::new(), codename: String::new() };
        };
        let codename = [osr.get("VERSION_CODENAME"), osr.get("UBUNTU_CODENAME")]
            .into_iter()
            .flatten()
            .find(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| codename_in_version(field(osr, "VERSION")));
        DistroFallback {
            id: field(osr, "ID").to_lowercase(),
            version: field(osr, "VERSION_ID").to_string(),
            codename,
        }
    }
}

/// The `(codename)` or `, codename` part of an os-release VERSION.
fn codename_in_version(version: &str) -> String {
    if let Some((_, rest)) = version.split_once('(') {
        return rest.split(')').next().unwrap_or("").trim().to_string();
    }
    version.split_once(',').map(|(_, c)| c.trim().to_string()).unwrap_or_default()
}

/// osfullname, osrelease, oscodename, os and os_family from what was gathered.
fn finish_distribution(d: &mut Fields, fallback: &DistroFallback) {
    if !d.contains_key("osfullname") {
        let lsb_id = d.get("lsb_distrib_id").cloned();
        let name = match lsb_id {
            Some(id) if id.to_lowercase().starts_with("nilrt") => "nilrt".to_string(),
            Some(id) => id.trim().to_string(),
            None => fallback.id.trim().to_string(),
        };
        d.insert("osfullname".into(), name);
    }
    let release = d.get("lsb_distrib_release").cloned().unwrap_or_else(|| fallback.version.clone());
    d.insert("osrelease".into(), release.trim().to_string());
    bracketed_codename(d);
    let lsb_codename = d.get("lsb_distrib_codename").map(|c| c.trim().to_string()).unwrap_or_default();
    let mut codename = if lsb_codename.is_empty() { fallback.codename.clone() } else { lsb_codename };
    if codename.contains("Red Hat") {
        codename = fallback.codename.clone();
    }
    d.insert("oscodename".into(), codename);
    if !d.contains_key("os") {
        let os = derive_os(d.get("osfullname").map(String::as_str).unwrap_or(""), None);
        d.insert("os".into(), os);
    }
    let os = d.get("os").cloned().unwrap_or_default();
    d.insert("os_family".into(), os_family(&os).to_string());
}

/// Rocky, AlmaLinux and AstraLinuxSE keep the codename in parentheses.
fn bracketed_codename(d: &mut Fields) {
    let os = d.get("os").cloned().unwrap_or_default();
    if !["Rocky", "AlmaLinux", "AstraLinuxSE"].iter().any(|o| os.contains(o)) {
        return;
    }
    let Some(inner) = d
        .get("lsb_distrib_codename")
        .and_then(|c| c.split_once('('))
        .map(|(_, rest)| rest.split(')').next().unwrap_or("").to_string())
    else {
        return;
    };
    let codename = if os == "AstraLinuxSE" {
        inner.split_whitespace().next().unwrap_or("").to_lowercase()
    } else {
        inner
    };
    d.insert("lsb_distrib_codename".into(), codename);
}

/// `_derive_os_grain`: the traditional short `os` name from a full name.
fn derive_os(fullname: &str, os_id: Option<&str>) -> String {
    let by_id = [
        ("astra", "Astra Linux (Orel)", "AstraLinuxCE"),
        ("astra", "Astra Linux (Smolensk)", "AstraLinuxSE"),
        ("pop", "Pop!_OS", "Pop"),
    ];
    if let Some((_, _, os)) = by_id.iter().find(|(id, name, _)| Some(*id) == os_id && *name == fullname) {
        return os.to_string();
    }
    let distroname = strip_linux_words(fullname).trim().to_string();
    let short: String = distroname.replace(' ', "").to_lowercase().chars().take(10).collect();
    os_name_map(&short).map(str::to_string).unwrap_or(distroname)
}

/// Remove every `\W(gnu/)?linux` (case-insensitive), as `_REPLACE_LINUX_RE`.
fn strip_linux_words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < chars.len() {
        match linux_word_len(&chars[i..]) {
            Some(len) => i += len,
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

fn linux_word_len(s: &[char]) -> Option<usize> {
    let first = s.first()?;
    if first.is_alphanumeric() || *first == '_' {
        return None;
    }
    let starts = |at: usize, word: &str| {
        let n = word.chars().count();
        s.len() >= at + n && s[at..at + n].iter().zip(word.chars()).all(|(a, b)| a.to_ascii_lowercase() == b)
    };
    let after_gnu = if starts(1, "gnu/") { 5 } else { 1 };
    starts(after_gnu, "linux").then_some(after_gnu + 5)
}

fn os_name_map(short: &str) -> Option<&'static str> {
    const MAP: &[(&str, &str)] = &[
        ("redhatente", "RedHat"), ("gentoobase", "Gentoo"), ("archarm", "Arch ARM"), ("arch", "Arch"),
        ("debian", "Debian"), ("raspbian", "Raspbian"), ("fedoraremi", "Fedora"), ("chapeau", "Chapeau"),
        ("korora", "Korora"), ("amazonami", "Amazon"), ("alt", "ALT"), ("enterprise", "OEL"),
        ("oracleserv", "OEL"), ("cloudserve", "CloudLinux"), ("cloudlinux", "CloudLinux"),
        ("almalinux", "AlmaLinux"), ("pidora", "Fedora"), ("scientific", "ScientificLinux"),
        ("synology", "Synology"), ("nilrt", "NILinuxRT"), ("poky", "Poky"), ("manjaro", "Manjaro"),
        ("manjarolin", "Manjaro"), ("univention", "Univention"), ("antergos", "Antergos"), ("sles", "SUSE"),
        ("void", "Void"), ("slesexpand", "RES"), ("linuxmint", "Mint"), ("neon", "KDE neon"), ("pop", "Pop"),
        ("rocky", "Rocky"), ("alibabaclo", "Alinux"), ("mendel", "Mendel"), ("photon", "VMware Photon OS"),
    ];
    MAP.iter().find(|(k, _)| *k == short).map(|(_, v)| *v)
}

/// `_OS_FAMILY_MAP`, defaulting to the os name itself.
fn os_family(os: &str) -> &str {
    const MAP: &[(&str, &str)] = &[
        ("Ubuntu", "Debian"), ("Fedora", "RedHat"), ("Chapeau", "RedHat"), ("Korora", "RedHat"),
        ("FedBerry", "RedHat"), ("CentOS", "RedHat"), ("CentOS Stream", "RedHat"), ("GoOSe", "RedHat"),
        ("Scientific", "RedHat"), ("Amazon", "RedHat"), ("CloudLinux", "RedHat"), ("AlmaLinux", "RedHat"),
        ("OVS", "RedHat"), ("OEL", "RedHat"), ("XCP", "RedHat"), ("XCP-ng", "RedHat"), ("XenServer", "RedHat"),
        ("RES", "RedHat"), ("Sangoma", "RedHat"), ("VMware Photon OS", "RedHat"), ("Mandrake", "Mandriva"),
        ("Mint", "Debian"), ("VMwareESX", "VMware"), ("Bluewhite64", "Bluewhite"), ("Slamd64", "Slackware"),
        ("SLES", "Suse"), ("SUSE Enterprise Server", "Suse"), ("SUSE  Enterprise Server", "Suse"),
        ("SLED", "Suse"), ("openSUSE", "Suse"), ("SUSE", "Suse"), ("openSUSE Leap", "Suse"),
        ("openSUSE Tumbleweed", "Suse"), ("SLES_SAP", "Suse"), ("alfaLinux", "Suse"), ("alfaLinux Rise", "Suse"),
        ("AlterOS", "RedHat"), ("RED OS", "RedHat"), ("Arch ARM", "Arch"), ("Manjaro", "Arch"),
        ("Manjaro ARM", "Arch"), ("Antergos", "Arch"), ("EndeavourOS", "Arch"), ("ALT", "RedHat"),
        ("Trisquel", "Debian"), ("GCEL", "Debian"), ("Linaro", "Debian"), ("elementary OS", "Debian"),
        ("elementary", "Debian"), ("Univention", "Debian"), ("ScientificLinux", "RedHat"), ("Raspbian", "Debian"),
        ("Devuan", "Debian"), ("antiX", "Debian"), ("Kali", "Debian"), ("Parrot OS", "Debian"), ("neon", "Debian"),
        ("Cumulus", "Debian"), ("Deepin", "Debian"), ("NILinuxRT", "NILinuxRT"), ("KDE neon", "Debian"),
        ("Void", "Void"), ("IDMS", "Debian"), ("Funtoo", "Gentoo"), ("TurnKey", "Debian"), ("Pop", "Debian"),
        ("Rocky", "RedHat"), ("AstraLinuxCE", "Debian"), ("AstraLinuxSE", "Debian"), ("Alinux", "RedHat"),
        ("Mendel", "Debian"), ("OSMC", "Debian"),
    ];
    MAP.iter().find(|(k, _)| *k == os).map(|(_, v)| *v).unwrap_or(os)
}

/// `osarch`: Debian's architecture name (what `dpkg --print-architecture`
/// prints for a native userland), else the CPU architecture.
pub fn osarch(os_family: &str, cpuarch: &str) -> String {
    if os_family != "Debian" {
        return cpuarch.to_string();
    }
    let debian = match cpuarch {
        "x86_64" => "amd64",
        "i386" | "i486" | "i586" | "i686" => "i386",
        "aarch64" | "arm64" => "arm64",
        "armv7l" | "armv6l" | "armv8l" => "armhf",
        "ppc64le" => "ppc64el",
        "loongarch64" => "loong64",
        "mips64" => "mips64el",
        other => other,
    };
    debian.to_string()
}

/// osrelease_info, osmajorrelease and osfinger (`_osrelease_data`).
pub fn osrelease_data(os: &str, osfullname: &str, osrelease: &str, g: &mut Map) {
    let info: Vec<Value> = osrelease.split('.').map(release_part).collect();
    let first = info.first().cloned().unwrap_or(Value::Null);
    g.insert("osrelease_info".into(), Value::List(info));
    let major = match &first {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if let Some(m) = major {
        g.insert("osmajorrelease".into(), Value::Int(m));
    }
    let name = if ["Debian", "FreeBSD", "OpenBSD", "NetBSD", "Mac", "Raspbian"].contains(&os) { os } else { osfullname };
    let version = if ["Ubuntu", "Pop"].contains(&os) { osrelease.to_string() } else { first.py_str() };
    g.insert("osfinger".into(), format!("{name}-{version}").into());
}

/// A numeric release component becomes an int, anything else stays text.
fn release_part(part: &str) -> Value {
    if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = part.parse::<i64>() {
            return Value::Int(i);
        }
    }
    Value::str(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_names_derive_like_salt() {
        let cases = [
            ("Debian GNU/Linux", Some("debian"), "Debian"), ("Arch Linux", None, "Arch"),
            ("Red Hat Enterprise Linux", None, "RedHat"), ("AlmaLinux", None, "AlmaLinux"),
            ("Linux Mint", None, "Mint"), ("Amazon Linux", None, "Amazon"), ("CentOS Stream", None, "CentOS Stream"),
            ("Pop!_OS", Some("pop"), "Pop"), ("Fedora Linux", None, "Fedora"), ("openSUSE Leap", None, "openSUSE Leap"),
        ];
        for (name, id, want) in cases {
            assert_eq!(derive_os(name, id), want, "{name}");
        }
        assert_eq!(os_family("Amazon"), "RedHat");
        assert_eq!(os_family("Gentoo"), "Gentoo");
    }

    #[test]
    fn os_release_lines_unquote_and_unescape() {
        assert_eq!(os_release_line(r#"NAME="A \"B\" \$C""#), Some(("NAME".into(), r#"A "B" $C"#.into())));
        assert_eq!(os_release_line("ID='x'"), Some(("ID".into(), "x".into())));
        assert_eq!(os_release_line("ID=\"open"), Some(("ID".into(), "\"open".into())));
        assert_eq!(os_release_line("# comment"), None);
        assert_eq!(lsb_line("DISTRIB_DESCRIPTION=\"Debian GNU/Linux\""), Some(("DISTRIB_DESCRIPTION".into(), "Debian GNU".into())));
    }

    #[test]
    fn osrelease_data_keeps_text_parts() {
        let mut g = Map::default();
        osrelease_data("CentOS Stream", "CentOS Stream", "9", &mut g);
        assert_eq!(g.get("osfinger"), Some(&Value::str("CentOS Stream-9")));
        let mut g = Map::default();
        osrelease_data("Foo", "Foo", "rolling.2", &mut g);
        assert_eq!(g.get("osrelease_info"), Some(&Value::List(vec![Value::str("rolling"), Value::Int(2)])));
        assert!(!g.contains_key("osmajorrelease"));
    }
}
