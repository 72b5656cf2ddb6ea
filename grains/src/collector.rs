//! The grain collector: runs every core-grain collector against one root
//! and one set of process facts, in the order Salt's loader reports them.
//!
//! `Collector::new()` looks at the running system; `Collector::with_root`
//! points every file read at a fake tree and asks the kernel and resolver
//! nothing (interfaces and environment are then whatever the builders set),
//! so tests are deterministic. It must not spawn processes or write files.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use brine_common::{Map, Value};
use sha2::{Digest, Sha256};

use crate::net::{self, Interface};
use crate::root::Root;
use crate::{cpu, host, hw, initsys, osinfo, process, sys, virt};

/// Collects core grains from a root directory and a set of process facts.
#[derive(Clone, Debug)]
pub struct Collector {
    root: Root,
    env: HashMap<String, String>,
    interfaces: Option<Vec<Interface>>,
    live: bool,
}

impl Default for Collector {
    fn default() -> Self {
        Self::new()
    }
}

impl Collector {
    /// The running system: root "/", this process's environment, the
    /// kernel's interfaces, the system resolver (under a deadline).
    pub fn new() -> Self {
        Collector { root: Root::new("/"), env: std::env::vars().collect(), interfaces: None, live: true }
    }

    /// A fake tree: files are read below `root`; no environment, no
    /// interfaces and no resolver unless given with the builders below.
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        Collector { root: Root::new(root), env: HashMap::new(), interfaces: Some(Vec::new()), live: false }
    }

    /// Use these environment variables (PATH, SHELL, LANG, ...).
    pub fn with_env<K: Into<String>, V: Into<String>>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self {
        self.env = vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self
    }

    /// Use these interfaces instead of asking the kernel.
    pub fn with_interfaces(mut self, interfaces: Vec<Interface>) -> Self {
        self.interfaces = Some(interfaces);
        self
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// The locale category Python's getlocale() reports (LC_ALL > LC_CTYPE > LANG).
    fn lc_ctype(&self) -> Option<&str> {
        ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|k| self.env(k).filter(|v| !v.is_empty()))
    }

    fn current_interfaces(&self) -> Vec<Interface> {
        match &self.interfaces {
            Some(list) => list.clone(),
            None => net::group_interfaces(sys::if_addresses()),
        }
    }

    /// All core grains for the minion configured by `opts`.
    pub fn collect(&self, opts: &Map) -> Map {
        let mut g = Map::default();
        let root = &self.root;
        let path_var = self.env("PATH").unwrap_or("");
        let ifaces = self.current_interfaces();
        let v4 = net::sorted_addrs(&ifaces, |i| &i.inet);
        let v6 = net::sorted_addrs(&ifaces, |i| &i.inet6);
        let all_addrs: Vec<IpAddr> = v4.iter().copied().map(IpAddr::V4).chain(v6.iter().copied().map(IpAddr::V6)).collect();

        process::cwd(&mut g);
        net::default_gateway(root, path_var, &mut g);
        net::dns(root, &mut g);
        hw::fibre_channel_host(root, &mut g);
        host::fqdns(root, opts, &all_addrs, &mut g);
        hw::machine_id(root, &mut g);
        g.insert("master".into(), opts.get("master").cloned().unwrap_or_else(|| Value::str("")));
        g.insert("server_id".into(), Value::Int(server_id(opts)));
        let fqdn_addrs = host::hostname_grains(root, self.live, &mut g);
        net::hwaddr_interfaces(&ifaces, &mut g);
        g.insert("id".into(), opts.get("id").cloned().unwrap_or_else(|| Value::str("")));
        net::ip4_interfaces(&ifaces, &mut g);
        net::ip6_interfaces(&ifaces, &mut g);
        net::ipv4_ipv6(&ifaces, &mut g);
        host::fqdn_ips(&fqdn_addrs, !v4.is_empty(), !v6.is_empty(), &mut g);
        net::ip_interfaces(&ifaces, &mut g);
        hw::kernelparams(root, &mut g);
        let timezone = if self.live { sys::timezone_abbrev() } else { None };
        process::locale_info(self.lc_ctype(), timezone, &mut g);
        self.os_data(opts, path_var, &mut g);
        process::path(path_var, &mut g);
        version_grains(&mut g);
        hw::disks(root, &mut g);
        process::shell(self.env("SHELL"), &mut g);
        g.insert("transactional".into(), Value::Bool(root.which("transactional-update", path_var).is_some()));
        hw::efi(root, &mut g);
        process::user_grains(root, &mut g);
        g
    }

    /// Salt's `os_data`: kernel, distribution, CPU, memory, hardware, virtual.
    fn os_data(&self, opts: &Map, path_var: &str, g: &mut Map) {
        let root = &self.root;
        g.insert("num_gpus".into(), Value::Int(0));
        g.insert("gpus".into(), Value::List(Vec::new()));
        osinfo::uname(root, g);
        initsys::systemd(root, path_var, g);
        initsys::init_system(root, path_var, g);
        osinfo::distribution(root, g);
        cpu::cpu_data(root, g);
        hw::gpu_data(root, opts, path_var, g);
        let osarch = osinfo::osarch(str_grain(g, "os_family"), str_grain(g, "cpuarch"));
        g.insert("osarch".into(), osarch.into());
        cpu::mem_data(root, g);
        hw::dmi_data(root, g);
        virt::virtual_grains(root, path_var, g);
        g.insert("ps".into(), ps_command(g).into());
        let (os, fullname, release) = (str_grain(g, "os").to_string(), str_grain(g, "osfullname").to_string(), str_grain(g, "osrelease").to_string());
        if !release.is_empty() {
            osinfo::osrelease_data(&os, &fullname, &release, g);
        }
    }
}

fn str_grain<'g>(g: &'g Map, key: &str) -> &'g str {
    g.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The `ps` grain: how to list processes on this system.
fn ps_command(g: &Map) -> &'static str {
    if str_grain(g, "virtual") == "openvzhn" {
        "ps -fH -p $(grep -l \"^envID:[[:space:]]*0\\$\" /proc/[0-9]*/status | sed -e \"s=/proc/\\([0-9]*\\)/.*=\\1=\")  | awk '{ $7=\"\"; print }'"
    } else if str_grain(g, "os_family") == "NILinuxRT" {
        "ps -o user,pid,ppid,tty,time,comm"
    } else {
        "ps -efHww"
    }
}

/// `server_id`: sha256 of the minion id, reduced modulo 2**31.
fn server_id(opts: &Map) -> i64 {
    let id = opts.get("id").and_then(Value::as_str).unwrap_or("");
    let digest = Sha256::digest(id.as_bytes());
    let tail: [u8; 4] = [digest[28], digest[29], digest[30], digest[31]];
    i64::from(u32::from_be_bytes(tail) & 0x7fff_ffff)
}

/// The Salt release whose behaviour brine reproduces: formulas choose their
/// code paths by `saltversioninfo`, so it reports that release (as
/// `test.version` does); brine's own version is `brineversion`.
const SALT_VERSION: &str = "3007.17";

/// The Python of a Debian 12 minion, for formulas that pick packages by
/// `pythonversion` (brine itself has no Python).
const PYTHON_VERSION: (i64, i64, i64) = (3, 11, 2);

fn version_grains(g: &mut Map) {
    let info = SALT_VERSION.split('.').filter_map(|p| p.parse::<i64>().ok()).map(Value::Int).collect();
    g.insert("saltversion".into(), SALT_VERSION.into());
    g.insert("saltversioninfo".into(), Value::List(info));
    g.insert("brineversion".into(), env!("CARGO_PKG_VERSION").into());
    let (major, minor, micro) = PYTHON_VERSION;
    let py = vec![Value::Int(major), Value::Int(minor), Value::Int(micro), Value::str("final"), Value::Int(0)];
    g.insert("pythonversion".into(), Value::List(py));
}
