//! The few facts only the C library can tell: network interface addresses
//! (getifaddrs), the local time zone abbreviation (localtime_r) and the
//! canonical name of a host (getaddrinfo with AI_CANONNAME).
//!
//! This is the only file with `unsafe`; each call is wrapped in a safe
//! function that owns and frees what libc hands back. It must not read
//! files or spawn processes, and it never blocks for long except in
//! `canonical_name`, which callers run under a deadline.

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ptr;

/// One entry of the kernel's interface address list.
#[derive(Clone, Debug, PartialEq)]
pub enum IfAddr {
    /// A link-layer (AF_PACKET) entry with its hardware address, if any.
    Link(Option<String>),
    Ip(IpAddr),
    /// An interface listed with an address family we do not report.
    Other,
}

/// Every (interface name, address) pair getifaddrs returns, in its order.
pub fn if_addresses() -> Vec<(String, IfAddr)> {
    let mut head: *mut libc::ifaddrs = ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getifaddrs returned and is not yet freed.
        let ifa = unsafe { &*cur };
        if !ifa.ifa_name.is_null() {
            // SAFETY: ifa_name is a NUL-terminated string owned by the list.
            let name = unsafe { CStr::from_ptr(ifa.ifa_name) }.to_string_lossy().into_owned();
            out.push((name, decode_sockaddr(ifa.ifa_addr)));
        }
        cur = ifa.ifa_next;
    }
    // SAFETY: head came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

fn decode_sockaddr(addr: *const libc::sockaddr) -> IfAddr {
    if addr.is_null() {
        return IfAddr::Other;
    }
    // SAFETY: addr points to a sockaddr whose real size matches its family;
    // each branch reads only the struct its family promises.
    unsafe {
        match i32::from((*addr).sa_family) {
            libc::AF_INET => {
                let sin = &*(addr as *const libc::sockaddr_in);
                IfAddr::Ip(IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))))
            }
            libc::AF_INET6 => {
                let sin6 = &*(addr as *const libc::sockaddr_in6);
                IfAddr::Ip(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
            }
            libc::AF_PACKET => {
                let sll = &*(addr as *const libc::sockaddr_ll);
                let len = usize::from(sll.sll_halen).min(sll.sll_addr.len());
                IfAddr::Link(format_hwaddr(&sll.sll_addr[..len]))
            }
            _ => IfAddr::Other,
        }
    }
}

/// Hardware addresses as `ip` prints them: colon hex, or dotted/IPv6 form
/// for tunnels whose "hardware address" is an IP address.
fn format_hwaddr(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        0 => None,
        4 => Some(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()),
        16 => <[u8; 16]>::try_from(bytes).ok().map(|b| Ipv6Addr::from(b).to_string()),
        _ => Some(bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")),
    }
}

/// The abbreviation of the local time zone now (`UTC`, `CEST`, ...).
pub fn timezone_abbrev() -> Option<String> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    let now = libc::time_t::try_from(secs).ok()?;
    // SAFETY: tm is plain data; localtime_r fills it and tm_zone points to
    // static storage of the C library that outlives this call.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() || tm.tm_zone.is_null() {
            return None;
        }
        Some(CStr::from_ptr(tm.tm_zone).to_string_lossy().into_owned())
    }
}

/// getaddrinfo(host, AI_CANONNAME)'s canonical name. May block on DNS:
/// call it under a deadline.
pub fn canonical_name(host: &str) -> Option<String> {
    let c_host = CString::new(host).ok()?;
    // SAFETY: hints is zeroed plain data with the fields getaddrinfo reads
    // set; the result list is walked read-only and freed once.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_family = libc::AF_UNSPEC;
        hints.ai_socktype = libc::SOCK_STREAM;
        hints.ai_protocol = libc::IPPROTO_TCP;
        hints.ai_flags = libc::AI_CANONNAME;
        let mut res: *mut libc::addrinfo = ptr::null_mut();
        if libc::getaddrinfo(c_host.as_ptr(), ptr::null(), &hints, &mut res) != 0 {
            return None;
        }
        let mut name = None;
        let mut cur = res;
        while !cur.is_null() {
            let ai = &*cur;
            if !ai.ai_canonname.is_null() {
                let s = CStr::from_ptr(ai.ai_canonname).to_string_lossy().into_owned();
                if !s.is_empty() {
                    name = Some(s);
                }
            }
            cur = ai.ai_next;
        }
        libc::freeaddrinfo(res);
        name
    }
}
