//! Salt's network filters (salt/utils/network.py): `is_ip`, `is_ipv4`,
//! `is_ipv6`, `ipv4`, `ipv6`, `ipaddr`, `ip_host`, `network_size`,
//! `network_hosts`, `ipwrap`, with Python `ipaddress` parsing and the address
//! classes (`private`, `loopback`, ...) Salt's `options` argument selects.
//!
//! Pure computation on strings; it must not resolve names or touch sockets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::args::{bind, int, text};
use super::error::Error;
use super::eval::State;
use super::filters::FilterFn;
use super::ops;
use super::value::{Kwargs, Value};

/// Largest host list `network_hosts` builds.
const MAX_HOSTS: u128 = 1 << 16;

pub(crate) fn lookup(name: &str) -> Option<FilterFn> {
    let f: FilterFn = match name {
        "is_ip" => |_, v, a, k| is_version(v, a, k, None),
        "is_ipv4" => |_, v, a, k| is_version(v, a, k, Some(4)),
        "is_ipv6" => |_, v, a, k| is_version(v, a, k, Some(6)),
        "ipv4" => |_, v, a, k| filter_version(v, a, k, Some(4)),
        "ipv6" => |_, v, a, k| filter_version(v, a, k, Some(6)),
        "ipaddr" => |_, v, a, k| filter_version(v, a, k, None),
        "ip_host" => |_, v, a, k| per_network(v, a, k, |n| Ok(Value::from(n.to_string()))),
        "network_size" => |_, v, a, k| per_network(v, a, k, |n| Ok(Value::Int(i64::try_from(n.size()).unwrap_or(i64::MAX)))),
        "network_hosts" => |_, v, a, k| per_network(v, a, k, hosts),
        "ipwrap" => ipwrap,
        _ => return None,
    };
    Some(f)
}

/// An address with an optional prefix (Python's `ip_address` or `ip_interface`).
#[derive(Clone, Copy)]
struct Iface {
    addr: IpAddr,
    prefix: u8,
    has_prefix: bool,
}

impl Iface {
    fn version(&self) -> u8 {
        if self.addr.is_ipv4() {
            4
        } else {
            6
        }
    }

    fn bits(&self) -> u8 {
        if self.addr.is_ipv4() {
            32
        } else {
            128
        }
    }

    fn size(&self) -> u128 {
        let host_bits = u32::from(self.bits() - self.prefix);
        1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
    }

    fn as_u128(&self) -> u128 {
        match self.addr {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        }
    }

    fn same_family(&self, n: u128) -> IpAddr {
        match self.addr {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::try_from(n).unwrap_or(0))),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
        }
    }

    fn in_net(&self, net: &str) -> bool {
        parse(net).is_some_and(|n| n.version() == self.version() && {
            let shift = u32::from(n.bits() - n.prefix);
            self.as_u128().checked_shr(shift).unwrap_or(0) == n.as_u128().checked_shr(shift).unwrap_or(0)
        })
    }

    fn in_any(&self, nets: &[&str]) -> bool {
        nets.iter().any(|n| self.in_net(n))
    }

    fn is_private(&self) -> bool {
        match self.addr {
            IpAddr::V4(_) => self.in_any(&[
                "0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/29",
                "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
            ]),
            IpAddr::V6(_) => self.in_any(&[
                "::1/128", "::/128", "::ffff:0:0/96", "100::/64", "2001::/23", "2001:2::/48", "2001:db8::/32",
                "2001:10::/28", "fc00::/7", "fe80::/10",
            ]),
        }
    }

    /// One of Salt's address classes (`private`, `loopback`, ...).
    fn has_class(&self, option: &str) -> bool {
        let v4 = self.addr.is_ipv4();
        match option {
            "global" | "public" => !self.is_private(),
            "private" => self.is_private(),
            "link-local" | "linklocal" | "ll" | "link_local" => self.in_net(if v4 { "169.254.0.0/16" } else { "fe80::/10" }),
            "loopback" | "lo" => self.addr.is_loopback(),
            "multicast" => self.addr.is_multicast(),
            "reserved" => v4 && self.in_net("240.0.0.0/4"),
            "site-local" | "sl" | "site_local" => !v4 && self.in_net("fec0::/10"),
            "unspecified" => self.addr.is_unspecified(),
            _ => true,
        }
    }
}

impl std::fmt::Display for Iface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.has_prefix {
            write!(f, "{}/{}", self.addr, self.prefix)
        } else {
            write!(f, "{}", self.addr)
        }
    }
}

fn parse(s: &str) -> Option<Iface> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let bits = if addr.is_ipv4() { 32 } else { 128 };
    let prefix_len = match prefix {
        None => bits,
        Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => p.parse::<u8>().ok().filter(|n| *n <= bits)?,
        Some(p) => netmask_len(p, addr.is_ipv4())?,
    };
    Some(Iface { addr, prefix: prefix_len, has_prefix: prefix.is_some() })
}

fn netmask_len(mask: &str, v4: bool) -> Option<u8> {
    if !v4 {
        return None;
    }
    let m = u32::from(mask.parse::<Ipv4Addr>().ok()?);
    let ones = m.leading_ones();
    (m.checked_shl(ones).unwrap_or(0) == 0).then(|| u8::try_from(ones).unwrap_or(32))
}

/// Salt's `_is_ipv`: the address as a string when it has the version and
/// every requested class, else `None`.
fn check(value: &str, version: u8, options: Option<&str>) -> Option<String> {
    let ip = parse(value)?;
    if ip.version() != version {
        return None;
    }
    if let Some(opts) = options.filter(|o| !o.is_empty()) {
        if !opts.split(',').map(str::trim).all(|o| ip.has_class(o)) {
            return None;
        }
    }
    Some(ip.to_string())
}

fn options(a: &[Value], k: &Kwargs, name: &str) -> Result<Option<String>, Error> {
    let [opts] = bind(name, ["options"], a, k)?;
    match opts {
        None | Some(Value::None) => Ok(None),
        Some(o) => Ok(Some(text(o)?.to_string())),
    }
}

fn is_version(v: &Value, a: &[Value], k: &Kwargs, version: Option<u8>) -> Result<Value, Error> {
    let opts = options(a, k, "is_ip")?;
    let Some(s) = v.as_str() else { return Ok(Value::Bool(false)) };
    let versions: &[u8] = match version {
        Some(4) => &[4],
        Some(_) => &[6],
        None => &[4, 6],
    };
    Ok(Value::Bool(versions.iter().any(|ver| check(s, *ver, opts.as_deref()).is_some())))
}

/// `ipv4`/`ipv6`: a string (or `None`), or the matching items of a list.
fn by_version(v: &Value, version: u8, opts: Option<&str>) -> Result<Option<Value>, Error> {
    match v {
        Value::Str(s) => Ok(check(s, version, opts).map(Value::from)),
        Value::List(_) | Value::Tuple(_) => {
            let mut out = Vec::new();
            for item in ops::iterate(v)? {
                if let Some(s) = item.as_str().and_then(|s| check(s, version, opts)) {
                    out.push(Value::from(s));
                }
            }
            Ok(Some(Value::list(out)))
        }
        _ => Ok(None),
    }
}

fn filter_version(v: &Value, a: &[Value], k: &Kwargs, version: Option<u8>) -> Result<Value, Error> {
    let opts = options(a, k, "ipaddr")?;
    filtered(v, version, opts.as_deref()).map(|r| r.unwrap_or(Value::None))
}

fn filtered(v: &Value, version: Option<u8>, opts: Option<&str>) -> Result<Option<Value>, Error> {
    if let Some(ver) = version {
        return by_version(v, ver, opts);
    }
    let (four, six) = (by_version(v, 4, opts)?, by_version(v, 6, opts)?);
    match (four, six) {
        (Some(Value::List(a)), Some(Value::List(b))) => {
            let mut items = a.snapshot();
            items.extend(b.snapshot());
            Ok(Some(Value::list(items)))
        }
        (a, b) => Ok(a.filter(|x| ops::truthy(x).unwrap_or(false)).or(b)),
    }
}

/// `ip_host`, `network_size`, `network_hosts`: `f` of each matching network.
fn per_network(v: &Value, a: &[Value], k: &Kwargs, f: fn(Iface) -> Result<Value, Error>) -> Result<Value, Error> {
    let [opts, version] = bind("ip_host", ["options", "version"], a, k)?;
    let opts = match opts {
        None | Some(Value::None) => None,
        Some(o) => Some(text(o)?.to_string()),
    };
    let version = match version {
        None | Some(Value::None) => None,
        Some(x) => Some(u8::try_from(int(x, "version")?).unwrap_or(0)),
    };
    let Some(found) = filtered(v, version, opts.as_deref())? else { return Ok(Value::None) };
    if !ops::truthy(&found)? {
        return Ok(Value::None);
    }
    let entries = match &found {
        Value::Str(_) => vec![found.clone()],
        other => ops::iterate(other)?,
    };
    let nets = entries.iter().filter_map(|e| e.as_str().and_then(parse)).map(|mut n| {
        n.has_prefix = true;
        n
    });
    let results = nets.map(f).collect::<Result<Vec<_>, _>>()?;
    match v {
        Value::List(_) | Value::Tuple(_) => Ok(Value::list(results)),
        _ => Ok(results.into_iter().next().unwrap_or(Value::None)),
    }
}

fn hosts(n: Iface) -> Result<Value, Error> {
    if n.size() > MAX_HOSTS {
        return Err(Error::type_error("network too large to list its hosts"));
    }
    let mask = n.size() - 1;
    let base = n.as_u128() & !mask;
    let all: Vec<u128> = (0..n.size()).map(|i| base + i).collect();
    let usable: &[u128] = match (n.addr.is_ipv4(), n.bits() - n.prefix) {
        (_, 0) => &all,
        (true, 1) => &all,
        (true, _) => &all[1..all.len() - 1],
        (false, _) => &all[1..],
    };
    Ok(Value::list(usable.iter().map(|x| Value::from(n.same_family(*x).to_string())).collect()))
}

fn ipwrap(_: &mut State<'_>, v: &Value, _: &[Value], _: &Kwargs) -> Result<Value, Error> {
    let wrap = |s: &str| if check(s, 6, None).is_some() { format!("[{s}]") } else { s.to_string() };
    match v {
        Value::Str(s) => Ok(Value::from(wrap(s))),
        Value::List(_) | Value::Tuple(_) => Ok(Value::list(
            ops::iterate(v)?.iter().map(|x| x.as_str().map_or(x.clone(), |s| Value::from(wrap(s)))).collect(),
        )),
        other => Ok(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_checks() {
        assert_eq!(check("192.168.1.10", 4, None).as_deref(), Some("192.168.1.10"));
        assert_eq!(check("192.168.1.10/24", 4, Some("private")).as_deref(), Some("192.168.1.10/24"));
        assert_eq!(check("8.8.8.8", 4, Some("private")), None);
        assert_eq!(check("8.8.8.8", 4, Some("public")).as_deref(), Some("8.8.8.8"));
        assert_eq!(check("::1", 6, Some("loopback")).as_deref(), Some("::1"));
        assert_eq!(check("10.0.0.1/255.255.255.0", 4, None).as_deref(), Some("10.0.0.1/24"));
        assert_eq!(check("300.1.1.1", 4, None), None);
        let n = parse("10.0.0.0/30").unwrap();
        assert_eq!(n.size(), 4);
        assert_eq!(hosts(n).unwrap(), Value::list(vec![Value::str("10.0.0.1"), Value::str("10.0.0.2")]));
    }
}
