//! Network grains: per-interface addresses (ip_interfaces, ip4_interfaces,
//! ip6_interfaces, hwaddr_interfaces), ipv4/ipv6, default gateways
//! (ip_gw, ip4_gw, ip6_gw) and the resolver configuration (dns).
//!
//! Interfaces come from getifaddrs (or a list given to the collector);
//! routes and resolv.conf from files below the root. It must not open
//! sockets or resolve names.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use brine_common::{Map, Value};

use crate::root::Root;
use crate::sys::IfAddr;

/// One network interface as the grains see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interface {
    pub name: String,
    pub hwaddr: Option<String>,
    pub inet: Vec<Ipv4Addr>,
    pub inet6: Vec<Ipv6Addr>,
}

/// Group getifaddrs entries by interface, in first-seen order. IPv4 alias
/// labels (`eth0:1`) belong to their interface, as `ip addr` shows them.
pub fn group_interfaces(entries: Vec<(String, IfAddr)>) -> Vec<Interface> {
    let mut out: Vec<Interface> = Vec::new();
    for (name, addr) in entries {
        let base = match name.split_once(':') {
            Some((base, _)) if out.iter().any(|i| i.name == base) => base.to_string(),
            _ => name,
        };
        let pos = match out.iter().position(|i| i.name == base) {
            Some(p) => p,
            None => {
                out.push(Interface { name: base, ..Interface::default() });
                out.len() - 1
            }
        };
        let iface = &mut out[pos];
        match addr {
            IfAddr::Link(hw) => iface.hwaddr = hw.or(iface.hwaddr.take()),
            IfAddr::Ip(IpAddr::V4(a)) => iface.inet.push(a),
            IfAddr::Ip(IpAddr::V6(a)) => iface.inet6.push(a),
            IfAddr::Other => {}
        }
    }
    out
}

pub fn hwaddr_interfaces(ifaces: &[Interface], g: &mut Map) {
    let hw: Map = ifaces.iter().filter_map(|i| Some((i.name.clone(), Value::str(i.hwaddr.clone()?)))).collect();
    g.insert("hwaddr_interfaces".into(), Value::Map(hw));
}

fn per_interface(ifaces: &[Interface], addrs: impl Fn(&Interface) -> Vec<String>) -> Value {
    Value::Map(
        ifaces
            .iter()
            .map(|i| (i.name.clone(), Value::List(addrs(i).into_iter().map(Value::Str).collect())))
            .collect(),
    )
}

fn v4_strings(i: &Interface) -> Vec<String> {
    i.inet.iter().map(Ipv4Addr::to_string).collect()
}

fn v6_strings(i: &Interface) -> Vec<String> {
    i.inet6.iter().map(Ipv6Addr::to_string).collect()
}

pub fn ip4_interfaces(ifaces: &[Interface], g: &mut Map) {
    g.insert("ip4_interfaces".into(), per_interface(ifaces, v4_strings));
}

pub fn ip6_interfaces(ifaces: &[Interface], g: &mut Map) {
    g.insert("ip6_interfaces".into(), per_interface(ifaces, v6_strings));
}

pub fn ip_interfaces(ifaces: &[Interface], g: &mut Map) {
    let both = |i: &Interface| v4_strings(i).into_iter().chain(v6_strings(i)).collect();
    g.insert("ip_interfaces".into(), per_interface(ifaces, both));
}

/// All addresses of one family, loopback included, sorted and unique.
pub fn sorted_addrs<T: Ord + Copy>(ifaces: &[Interface], pick: impl Fn(&Interface) -> &[T]) -> Vec<T> {
    let mut all: Vec<T> = ifaces.iter().flat_map(|i| pick(i).iter().copied()).collect();
    all.sort();
    all.dedup();
    all
}

pub fn ipv4_ipv6(ifaces: &[Interface], g: &mut Map) {
    let v4 = sorted_addrs(ifaces, |i| &i.inet);
    let v6 = sorted_addrs(ifaces, |i| &i.inet6);
    g.insert("ipv4".into(), Value::List(v4.iter().map(|a| Value::Str(a.to_string())).collect()));
    g.insert("ipv6".into(), Value::List(v6.iter().map(|a| Value::Str(a.to_string())).collect()));
}

// ------------------------------------------------------------ gateways

/// ip_gw, ip4_gw, ip6_gw from the kernel routing tables; like Salt, only
/// when the `ip` command exists.
pub fn default_gateway(root: &Root, path_var: &str, g: &mut Map) {
    if root.which("ip", path_var).is_none() {
        return;
    }
    let v4 = ipv4_default(&root.read("/proc/net/route").unwrap_or_default());
    let v6 = ipv6_default(&root.read("/proc/net/ipv6_route").unwrap_or_default());
    let found = |gw: &Option<Option<String>>| gw.is_some();
    g.insert("ip_gw".into(), Value::Bool(found(&v4) || found(&v6)));
    g.insert("ip4_gw".into(), gateway_value(v4));
    g.insert("ip6_gw".into(), gateway_value(v6));
}

/// No default route: false; a default route: its gateway, or true without one.
fn gateway_value(gw: Option<Option<String>>) -> Value {
    match gw {
        None => Value::Bool(false),
        Some(None) => Value::Bool(true),
        Some(Some(addr)) => Value::Str(addr),
    }
}

const RTF_UP: u32 = 0x1;
const RTF_GATEWAY: u32 = 0x2;
const RTF_REJECT: u32 = 0x200;

/// The first default route of /proc/net/route.
fn ipv4_default(table: &str) -> Option<Option<String>> {
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (dest, gw, flags, mask) = (f.get(1)?, f.get(2)?, f.get(3)?, f.get(7)?);
        let flags = u32::from_str_radix(flags, 16).ok()?;
        if *dest != "00000000" || *mask != "00000000" || flags & RTF_UP == 0 {
            return None;
        }
        let raw = u32::from_str_radix(gw, 16).ok()?;
        let via = (flags & RTF_GATEWAY != 0 && raw != 0).then(|| Ipv4Addr::from(raw.to_ne_bytes()).to_string());
        Some(via)
    })
}

/// The first usable default route of /proc/net/ipv6_route.
fn ipv6_default(table: &str) -> Option<Option<String>> {
    table.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (dest, plen, next_hop, flags) = (f.first()?, f.get(1)?, f.get(4)?, f.get(8)?);
        let flags = u32::from_str_radix(flags, 16).ok()?;
        if dest.bytes().any(|b| b != b'0') || *plen != "00" || flags & RTF_UP == 0 || flags & RTF_REJECT != 0 {
            return None;
        }
        let hop = u128::from_str_radix(next_hop, 16).ok()?;
        Some((hop != 0).then(|| Ipv6Addr::from(hop).to_string()))
    })
}

// ------------------------------------------------------------ dns

/// The `dns` grain from systemd-resolved's resolv.conf or /etc/resolv.conf.
pub fn dns(root: &Root, g: &mut Map) {
    let text = root.read("/run/systemd/resolve/resolv.conf").or_else(|| root.read("/etc/resolv.conf"));
    if let Some(text) = text {
        g.insert("dns".into(), Value::Map(parse_resolv(&text)));
    }
}

/// `salt.utils.dns.parse_resolv`.
pub fn parse_resolv(text: &str) -> Map {
    let mut r = Resolv::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((directive, rest)) = words.split_first() else {
            continue;
        };
        let args: Vec<&str> = rest.iter().copied().take_while(|a| !a.starts_with(['#', ';'])).collect();
        r.directive(&directive.to_lowercase(), &args);
    }
    r.into_map()
}

#[derive(Default)]
struct Resolv {
    nameservers: Vec<String>,
    ip4: Vec<String>,
    ip6: Vec<String>,
    sortlist: Vec<String>,
    domain: String,
    search: Vec<String>,
    options: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

impl Resolv {
    fn directive(&mut self, directive: &str, args: &[&str]) {
        match (directive, args.first()) {
            ("nameserver", Some(addr)) => self.nameserver(addr),
            ("domain", Some(d)) => self.domain = d.to_string(),
            ("search", _) => self.search = args.iter().map(|s| s.to_string()).collect(),
            ("sortlist", _) => {
                for net in args.iter().filter_map(|a| sortlist_entry(a)) {
                    push_unique(&mut self.sortlist, net);
                }
            }
            ("options", Some(opt)) => push_unique(&mut self.options, opt.to_string()),
            _ => {}
        }
    }

    fn nameserver(&mut self, raw: &str) {
        let (addr, scope) = raw.split_once('%').map_or((raw, None), |(a, s)| (a, Some(s)));
        let Ok(ip) = addr.parse::<IpAddr>() else {
            return;
        };
        let text = match scope {
            Some(s) if ip.is_ipv6() => format!("{ip}%{s}"),
            Some(_) => return,
            None => ip.to_string(),
        };
        push_unique(&mut self.nameservers, text.clone());
        push_unique(if ip.is_ipv4() { &mut self.ip4 } else { &mut self.ip6 }, text);
    }

    fn into_map(self) -> Map {
        let list = |v: Vec<String>| Value::List(v.into_iter().map(Value::Str).collect());
        let mut m = Map::default();
        m.insert("nameservers".into(), list(self.nameservers));
        m.insert("ip4_nameservers".into(), list(self.ip4));
        m.insert("ip6_nameservers".into(), list(self.ip6));
        m.insert("sortlist".into(), list(self.sortlist));
        m.insert("domain".into(), Value::Str(self.domain));
        m.insert("search".into(), list(self.search));
        m.insert("options".into(), list(self.options));
        m
    }
}

/// A sortlist item as `network/netmask`; an IPv4 address without a mask
/// gets its classful ("natural") mask, as Salt does.
fn sortlist_entry(raw: &str) -> Option<String> {
    match raw.split_once('/') {
        None => match raw.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => {
                let first = a.octets()[0];
                let prefix = if first >= 0xc0 { 24 } else if first >= 0x80 { 16 } else { 8 };
                Some(with_netmask(IpAddr::V4(a), prefix))
            }
            v6 => Some(with_netmask(v6, 128)),
        },
        Some((addr, mask)) => {
            let addr: IpAddr = addr.parse().ok()?;
            let prefix = mask_prefix(addr, mask)?;
            (masked(addr, prefix) == addr).then(|| with_netmask(addr, prefix))
        }
    }
}

fn mask_prefix(addr: IpAddr, mask: &str) -> Option<u32> {
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if let Ok(p) = mask.parse::<u32>() {
        return (p <= max).then_some(p);
    }
    let m = u32::from(mask.parse::<Ipv4Addr>().ok().filter(|_| addr.is_ipv4())?);
    (m.leading_ones() + m.trailing_zeros() == 32).then(|| m.leading_ones())
}

fn netmask(addr: IpAddr, prefix: u32) -> IpAddr {
    match addr {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::MAX.checked_shl(32 - prefix).unwrap_or(0))),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(u128::MAX.checked_shl(128 - prefix).unwrap_or(0))),
    }
}

fn masked(addr: IpAddr, prefix: u32) -> IpAddr {
    match (addr, netmask(addr, prefix)) {
        (IpAddr::V4(a), IpAddr::V4(m)) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & u32::from(m))),
        (IpAddr::V6(a), IpAddr::V6(m)) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & u128::from(m))),
        (a, _) => a,
    }
}

/// Python's `network.with_netmask` after masking off host bits.
fn with_netmask(addr: IpAddr, prefix: u32) -> String {
    format!("{}/{}", masked(addr, prefix), netmask(addr, prefix))
}
