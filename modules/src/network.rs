//! The `network` execution module: interfaces (Salt's parsing of `ip link
//! show` and `ip addr show`), ip_addrs and ip_addrs6 (with `interface`
//! globs, `include_loopback`, `cidr` and `type=public|private`), hw_addr and
//! get_hostname.
//!
//! It only reads: it must not change addresses or routes.

use std::net::IpAddr;

use brine_common::{Map, Value};

use crate::args::{opt, req, ArgDefault, Signature};
use crate::cmd::{self, RunArgs};
use crate::fnmatch::fnmatch;
use crate::{Bound, Ctx, Function, Module, ModuleError};

fn ip_output(ctx: &Ctx, what: &str) -> Result<String, ModuleError> {
    let Some(ip) = cmd::which("ip") else { return Ok(String::new()) };
    let mut args = RunArgs::argv(vec![ip, what.into(), "show".into()], ctx);
    args.merge_stderr = true;
    Ok(cmd::run_all(&args, ctx)?.stdout)
}

/// Salt's `network.interfaces`: per interface `up`, `hwaddr`, `inet`,
/// `inet6` and `secondary`, as `ip` shows them.
pub fn interfaces(ctx: &Ctx) -> Result<Map, ModuleError> {
    let text = format!("{}\n{}", ip_output(ctx, "link")?, ip_output(ctx, "addr")?);
    Ok(parse_ip(&text))
}

/// Splits `ip` output into one block per `N: name:` header line.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for line in text.lines() {
        if line.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
            out.push(Vec::new());
        }
        if let Some(block) = out.last_mut() {
            block.push(line);
        }
    }
    out
}

/// The interface, its parent (`eth0@if5`) and whether it is up, from a header line.
fn header(line: &str) -> Option<(String, Option<String>, bool)> {
    let rest = line.trim_start_matches(|c: char| c.is_ascii_digit()).strip_prefix(':')?.trim_start();
    let (names, rest) = rest.split_once(':')?;
    let attrs = rest.trim_start().strip_prefix('<')?.split_once('>')?.0;
    let (name, parent) = match names.split_once('@') {
        Some((n, p)) => (n.to_string(), Some(p.to_string())),
        None => (names.to_string(), None),
    };
    Some((name, parent, attrs.split(',').any(|a| a == "UP")))
}

/// Salt's `cidr_to_ipv4_netmask`.
fn netmask(bits: u32) -> String {
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
    std::net::Ipv4Addr::from(mask).to_string()
}

fn address(cols: &[&str]) -> Option<(String, Map)> {
    let (kind, value) = (*cols.first()?, *cols.get(1)?);
    let (addr, cidr) = value.split_once('/').unwrap_or((value, "32"));
    let after = |key: &str| cols.iter().position(|c| *c == key).and_then(|i| cols.get(i + 1)).map(|s| Value::str(*s));
    let mut obj = Map::default();
    obj.insert("address".into(), Value::str(addr));
    if kind == "inet" {
        obj.insert("netmask".into(), Value::str(netmask(cidr.parse().unwrap_or(32))));
        obj.insert("broadcast".into(), after("brd").unwrap_or(Value::Null));
        obj.insert("label".into(), Value::str(*cols.last()?));
    } else {
        obj.insert("prefixlen".into(), Value::str(cidr));
        obj.insert("scope".into(), after("scope").unwrap_or(Value::Null));
    }
    Some((kind.to_string(), obj))
}

fn push(data: &mut Map, key: &str, obj: Map) {
    if let Value::List(list) = data.entry(key.to_string()).or_insert_with(|| Value::List(Vec::new())) {
        list.push(Value::Map(obj));
    }
}

fn parse_block(lines: &[&str]) -> Option<(String, Map)> {
    let (name, parent, up) = header(lines.first()?)?;
    let mut data = Map::default();
    data.insert("up".into(), Value::Bool(up));
    if let Some(p) = parent {
        data.insert("parent".into(), Value::Str(p));
    }
    for line in &lines[1..] {
        let cols: Vec<&str> = line.split_whitespace().collect();
        match cols.first() {
            Some(kind) if kind.starts_with("link") && cols.len() >= 2 => {
                data.insert("hwaddr".into(), Value::str(cols[1]));
            }
            Some(&("inet" | "inet6")) => {
                let Some((kind, mut obj)) = address(&cols) else { continue };
                if cols.contains(&"secondary") {
                    obj.insert("type".into(), Value::str(&kind));
                    push(&mut data, "secondary", obj);
                } else {
                    push(&mut data, &kind, obj);
                }
            }
            _ => {}
        }
    }
    Some((name, data))
}

/// Salt's `_interfaces_ip`: the last block of each interface wins.
pub fn parse_ip(text: &str) -> Map {
    let mut ret = Map::default();
    for block in blocks(text) {
        if let Some((name, data)) = parse_block(&block) {
            ret.insert(name, Value::Map(data));
        }
    }
    ret
}

/// Addresses of `proto` (`inet`/`inet6`) on the matching interfaces, sorted.
fn addrs(ifaces: &Map, interface: &[String], include_loopback: bool, proto: &str) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = ifaces
        .iter()
        .filter(|(name, _)| interface.is_empty() || interface.iter().any(|p| fnmatch(name, p)))
        .flat_map(|(_, data)| {
            let main = data.get(proto).and_then(Value::as_list).unwrap_or_default().to_vec();
            let secondary = data.get("secondary").and_then(Value::as_list).unwrap_or_default();
            main.into_iter()
                .chain(secondary.iter().filter(|a| a.get("type").and_then(Value::as_str) == Some(proto)).cloned())
        })
        .filter_map(|a| a.get("address").and_then(Value::as_str).and_then(|s| s.parse::<IpAddr>().ok()))
        .filter(|ip| include_loopback || !ip.is_loopback())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether `ip` is in `cidr` (Salt's `in_subnet`).
fn in_subnet(cidr: &str, ip: &IpAddr) -> bool {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, ""));
    let Ok(net) = net.parse::<IpAddr>() else { return false };
    let as_bits = |ip: &IpAddr| -> (u128, u32) {
        match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(*v4)), 32),
            IpAddr::V6(v6) => (u128::from(*v6), 128),
        }
    };
    let ((n, width), (a, awidth)) = (as_bits(&net), as_bits(ip));
    let prefix: u32 = bits.parse().unwrap_or(width);
    if width != awidth || prefix > width {
        return false;
    }
    let shift = width - prefix;
    prefix == 0 || (n >> shift) == (a >> shift)
}

/// Python's `ipaddress.ip_address(x).is_private` for the ranges that matter.
fn is_private(ip: &IpAddr) -> bool {
    const V4: [&str; 14] = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/29",
        "192.0.0.170/31",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "255.255.255.255/32",
    ];
    const V6: [&str; 8] =
        ["::1/128", "::/128", "::ffff:0:0/96", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10"];
    V4.iter().chain(V6.iter()).any(|c| in_subnet(c, ip))
}

/// Typed arguments of `ip_addrs`/`ip_addrs6`.
struct AddrArgs {
    interface: Vec<String>,
    include_loopback: bool,
    cidr: Option<String>,
    kind: Option<String>,
}

fn addr_args(b: &Bound) -> AddrArgs {
    AddrArgs {
        interface: crate::cmd::split_input(b.get("interface")),
        include_loopback: b.truthy("include_loopback"),
        cidr: b.opt_str("cidr").filter(|c| !c.is_empty()),
        kind: b.opt_str("type"),
    }
}

fn ip_list(b: &Bound, ctx: &Ctx, proto: &str) -> Result<Value, ModuleError> {
    let a = addr_args(b);
    let all = addrs(&interfaces(ctx)?, &a.interface, a.include_loopback, proto);
    let picked: Vec<IpAddr> = match (&a.cidr, a.kind.as_deref()) {
        (Some(cidr), _) => all.into_iter().filter(|ip| in_subnet(cidr, ip)).collect(),
        (None, Some("public")) => all.into_iter().filter(|ip| !is_private(ip)).collect(),
        (None, Some("private")) => all.into_iter().filter(is_private).collect(),
        _ => all,
    };
    Ok(Value::List(picked.into_iter().map(|ip| Value::Str(ip.to_string())).collect()))
}

const N: ArgDefault = ArgDefault::None;
const F: ArgDefault = ArgDefault::Bool(false);

pub const MODULE: Module = Module {
    name: "network",
    functions: &[
        Function {
            name: "interfaces",
            sig: Signature { params: &[], varargs: None, kwargs: false },
            run: interfaces_fn,
        },
        Function {
            name: "ip_addrs",
            sig: Signature {
                params: &[opt("interface", N), opt("include_loopback", F), opt("cidr", N), opt("type", N)],
                varargs: None,
                kwargs: false,
            },
            run: ip_addrs_fn,
        },
        Function {
            name: "ip_addrs6",
            sig: Signature {
                params: &[opt("interface", N), opt("include_loopback", F), opt("cidr", N)],
                varargs: None,
                kwargs: false,
            },
            run: ip_addrs6_fn,
        },
        Function {
            name: "hw_addr",
            sig: Signature { params: &[req("iface")], varargs: None, kwargs: false },
            run: hw_addr_fn,
        },
        Function {
            name: "get_hostname",
            sig: Signature { params: &[], varargs: None, kwargs: false },
            run: hostname_fn,
        },
    ],
};

fn interfaces_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Map(interfaces(ctx)?))
}

fn ip_addrs_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    ip_list(b, ctx, "inet")
}

fn ip_addrs6_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    ip_list(b, ctx, "inet6")
}

/// Salt's `network.hw_addr`: the address, or Salt's message naming the interfaces.
fn hw_addr_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    let iface = b.str("iface")?;
    let all = interfaces(ctx)?;
    match all.get(&iface) {
        Some(data) => Ok(data.get("hwaddr").cloned().unwrap_or(Value::str(""))),
        None => {
            let names: Vec<&str> = all.keys().map(String::as_str).collect();
            Ok(Value::Str(format!("Interface \"{iface}\" not in available interfaces: \"{}\"", names.join("\", \""))))
        }
    }
}

fn hostname_fn(_: &Bound, _: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Str(crate::sys::hostname()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call;
    use crate::testing::{output, Recorded};

    const LINK: &str = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n\
4: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 state UP mode DEFAULT\n    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff";
    const ADDR: &str = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope host \n\
4: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 state UP group default qlen 1000\n    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n    inet 8.8.4.4/32 scope global secondary eth0:1\n    inet6 fd00::2/64 scope global nodad \n    inet6 fe80::fc:ff:fe00:1/64 scope link \n\
5: ifb0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default qlen 32\n    link/ether fa:3a:25:39:bc:6a brd ff:ff:ff:ff:ff:ff";

    fn recorded() -> Recorded {
        Recorded::new(|argv| output(0, if argv.get(1).map(String::as_str) == Some("link") { LINK } else { ADDR }, ""))
    }

    #[test]
    fn interfaces_parse_like_salt() {
        let parsed = Value::Map(parse_ip(&format!("{LINK}\n{ADDR}"))).to_json();
        assert_eq!(
            parsed["lo"],
            serde_json::json!({"up": true, "hwaddr": "00:00:00:00:00:00",
                "inet": [{"address": "127.0.0.1", "netmask": "255.0.0.0", "broadcast": null, "label": "lo"}],
                "inet6": [{"address": "::1", "prefixlen": "128", "scope": "host"}]})
        );
        assert_eq!(parsed["eth0"]["parent"], serde_json::json!("if9"));
        assert_eq!(parsed["eth0"]["secondary"][0]["label"], serde_json::json!("eth0:1"));
        assert_eq!(parsed["ifb0"], serde_json::json!({"up": false, "hwaddr": "fa:3a:25:39:bc:6a"}));
    }

    #[test]
    fn addresses_filter_like_salt() {
        if cmd::which("ip").is_none() {
            eprintln!("skipped: no `ip` binary to stand in for");
            return;
        }
        let runner = recorded();
        let m = Map::default();
        let ctx = Ctx::new(&m, &m, &m, &runner);
        let kw = |pairs: &[(&str, Value)]| pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Map>();
        let ips = |v: Value| v.to_json();
        assert_eq!(ips(call("network.ip_addrs", &[], &m, &ctx).unwrap()), serde_json::json!(["8.8.4.4", "192.0.2.2"]));
        let lo = kw(&[("include_loopback", Value::Bool(true)), ("cidr", Value::str("127.0.0.0/8"))]);
        assert_eq!(ips(call("network.ip_addrs", &[], &lo, &ctx).unwrap()), serde_json::json!(["127.0.0.1"]));
        let public = kw(&[("type", Value::str("public"))]);
        assert_eq!(ips(call("network.ip_addrs", &[], &public, &ctx).unwrap()), serde_json::json!(["8.8.4.4"]));
        let v6 = kw(&[("interface", Value::str("eth*"))]);
        assert_eq!(
            ips(call("network.ip_addrs6", &[], &v6, &ctx).unwrap()),
            serde_json::json!(["fd00::2", "fe80::fc:ff:fe00:1"])
        );
        assert_eq!(call("network.hw_addr", &[Value::str("eth0")], &m, &ctx).unwrap(), Value::str("02:fc:00:00:00:01"));
        assert_eq!(
            call("network.hw_addr", &[Value::str("nope")], &m, &ctx).unwrap(),
            Value::str("Interface \"nope\" not in available interfaces: \"lo\", \"eth0\", \"ifb0\"")
        );
        assert!(!call("network.get_hostname", &[], &m, &ctx).unwrap().py_str().is_empty());
    }
}
