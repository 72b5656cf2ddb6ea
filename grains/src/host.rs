//! Host-name grains: localhost, fqdn, host, domain, fqdn_ip4, fqdn_ip6 and
//! fqdns.
//!
//! Names are looked up in /etc/hosts below the root first. Only when that
//! has no answer, and the collector allows it, the system resolver is asked,
//! on a helper thread with a deadline so a dead DNS server cannot stall
//! grain collection. Reverse lookups for `fqdns` use /etc/hosts only. It
//! must not block longer than `LOOKUP_DEADLINE` per lookup.

use std::net::{IpAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use brine_common::{Map, Value};

use crate::root::Root;

/// The longest a resolver lookup may take before the grain goes without it.
pub const LOOKUP_DEADLINE: Duration = Duration::from_millis(500);

/// What a forward lookup of a name found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resolved {
    pub canonical: Option<String>,
    pub addrs: Vec<IpAddr>,
}

/// One /etc/hosts line: an address and its names (canonical name first).
struct HostsLine {
    addr: IpAddr,
    names: Vec<String>,
}

fn hosts_lines(root: &Root) -> Vec<HostsLine> {
    let text = root.read("/etc/hosts").unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let addr = words.next()?.parse().ok()?;
            let names: Vec<String> = words.map(str::to_string).collect();
            (!names.is_empty()).then_some(HostsLine { addr, names })
        })
        .collect()
}

/// Forward lookup of `name` in /etc/hosts (case-insensitive, all lines).
fn hosts_forward(lines: &[HostsLine], name: &str) -> Option<Resolved> {
    let matching: Vec<&HostsLine> = lines.iter().filter(|l| l.names.iter().any(|n| n.eq_ignore_ascii_case(name))).collect();
    let first = matching.first()?;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for l in &matching {
        if !addrs.contains(&l.addr) {
            addrs.push(l.addr);
        }
    }
    Some(Resolved { canonical: first.names.first().cloned(), addrs })
}

/// Resolve `name` through the C library, giving up after the deadline.
fn resolver_forward(name: &str) -> Option<Resolved> {
    let owned = name.to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("grains-resolve".into())
        .spawn(move || {
            let canonical = crate::sys::canonical_name(&owned);
            let target = canonical.clone().unwrap_or_else(|| owned.clone());
            let addrs = (target.as_str(), 0).to_socket_addrs().map(|it| it.map(|a| a.ip()).collect()).unwrap_or_default();
            // The receiver may have given up already; nothing to do then.
            let _ = tx.send(Resolved { canonical, addrs });
        })
        .ok()?;
    rx.recv_timeout(LOOKUP_DEADLINE).ok()
}

/// localhost, fqdn, host and domain (`hostname`).
/// Returns the addresses the fqdn resolves to, for `fqdn_ips`.
pub fn hostname_grains(root: &Root, use_resolver: bool, g: &mut Map) -> Vec<IpAddr> {
    let hostname = root.read_value("/proc/sys/kernel/hostname").unwrap_or_default();
    let lines = hosts_lines(root);
    let found = hosts_forward(&lines, &hostname).or_else(|| use_resolver.then(|| resolver_forward(&hostname)).flatten());
    let fqdn = found
        .as_ref()
        .and_then(|r| r.canonical.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| if hostname.is_empty() { "localhost.localdomain".into() } else { hostname.clone() });
    let (host, domain) = fqdn.split_once('.').unwrap_or((&fqdn, ""));
    g.insert("localhost".into(), hostname.clone().into());
    g.insert("fqdn".into(), fqdn.clone().into());
    g.insert("host".into(), host.into());
    g.insert("domain".into(), domain.into());
    hosts_forward(&lines, &fqdn).or(found).map(|r| r.addrs).unwrap_or_default()
}

/// fqdn_ip4 and fqdn_ip6; empty for a family the host has no address in.
pub fn fqdn_ips(addrs: &[IpAddr], has_v4: bool, has_v6: bool, g: &mut Map) {
    let pick = |v4: bool, present: bool| {
        let list = addrs.iter().filter(|a| a.is_ipv4() == v4).map(|a| Value::Str(a.to_string()));
        Value::List(if present { list.collect() } else { Vec::new() })
    };
    g.insert("fqdn_ip4".into(), pick(true, has_v4));
    g.insert("fqdn_ip6".into(), pick(false, has_v6));
}

/// fqdns: names /etc/hosts gives the non-loopback addresses, each taken to
/// its fully-qualified alias when the line has one.
pub fn fqdns(root: &Root, opts: &Map, addrs: &[IpAddr], g: &mut Map) {
    if opts.get("enable_fqdns_grains") == Some(&Value::Bool(false)) {
        g.insert("fqdns".into(), Value::List(Vec::new()));
        return;
    }
    let lines = hosts_lines(root);
    let mut names: Vec<String> = addrs
        .iter()
        .filter(|a| !a.is_loopback())
        .filter_map(|a| lines.iter().find(|l| l.addr == *a))
        .filter_map(|l| l.names.iter().find(|n| n.contains('.')).or(l.names.first()).cloned())
        .collect();
    names.sort();
    names.dedup();
    g.insert("fqdns".into(), Value::List(names.into_iter().map(Value::Str).collect()));
}
