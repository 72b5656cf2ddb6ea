//! Core grains collected from fake /proc, /etc and /sys trees in temp dirs:
//! distributions, Xen dom0/domU, containers, CPU, memory, interfaces, DNS,
//! init systems, users. Each test builds its own tree and removes it.
//!
//! These tests must not depend on the machine they run on: they only assert
//! grains that come from the fake tree or from the given interfaces.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use brine_common::{Map, Value};
use brine_grains::{merge, static_grains, Collector, GrainsError, Interface};

/// A temp directory removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("brine-grains-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp tree");
        Tree(dir)
    }

    fn file(&self, abs: &str, content: &str) -> &Tree {
        self.bytes(abs, content.as_bytes())
    }

    fn bytes(&self, abs: &str, content: &[u8]) -> &Tree {
        let p = self.0.join(abs.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, content).expect("write");
        self
    }

    fn dir(&self, abs: &str) -> &Tree {
        std::fs::create_dir_all(self.0.join(abs.trim_start_matches('/'))).expect("mkdir");
        self
    }

    fn exe(&self, abs: &str) -> &Tree {
        use std::os::unix::fs::PermissionsExt;
        self.file(abs, "#!/bin/sh\n");
        let p = self.0.join(abs.trim_start_matches('/'));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self
    }

    fn grains(&self) -> Map {
        self.collector().collect(&opts())
    }

    fn collector(&self) -> Collector {
        Collector::with_root(&self.0).with_env([("PATH", "/usr/bin:/bin")])
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn opts() -> Map {
    let mut o = Map::default();
    o.insert("id".into(), Value::str("vm"));
    o.insert("master".into(), Value::str("salt"));
    o
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| Value::str(*i)).collect())
}

fn get<'m>(g: &'m Map, key: &str) -> &'m Value {
    g.get(key).unwrap_or_else(|| panic!("grain {key} missing from {:?}", g.keys().collect::<Vec<_>>()))
}

const DEBIAN12: &str = r#"PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
"#;

#[test]
fn debian_12_os_grains_match_salt() {
    let t = Tree::new("debian");
    t.file("/etc/os-release", DEBIAN12)
        .file("/proc/sys/kernel/ostype", "Linux\n")
        .file("/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n")
        .file("/proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1\n")
        .file("/proc/sys/kernel/hostname", "vm\n")
        .file("/proc/sys/kernel/arch", "x86_64\n");
    let g = t.grains();
    let expect = [
        ("os", s("Debian")), ("os_family", s("Debian")), ("oscodename", s("bookworm")),
        ("osfullname", s("Debian GNU/Linux")), ("lsb_distrib_id", s("Debian GNU/Linux")),
        ("lsb_distrib_release", s("12")), ("lsb_distrib_codename", s("bookworm")), ("osrelease", s("12")),
        ("osrelease_info", Value::List(vec![Value::Int(12)])), ("osmajorrelease", Value::Int(12)),
        ("osfinger", s("Debian-12")), ("osarch", s("amd64")), ("kernel", s("Linux")),
        ("kernelrelease", s("6.1.0-18-amd64")), ("cpuarch", s("x86_64")), ("nodename", s("vm")),
        ("id", s("vm")), ("master", s("salt")), ("server_id", Value::Int(2067164805)),
    ];
    for (k, v) in expect {
        assert_eq!(get(&g, k), &v, "grain {k}");
    }
    let order: Vec<&str> = g.keys().map(String::as_str).filter(|k| k.starts_with("os") || k.starts_with("lsb")).collect();
    assert_eq!(&order[..5], ["os", "os_family", "oscodename", "osfullname", "lsb_distrib_id"]);
}

#[test]
fn ubuntu_uses_lsb_release_and_full_osrelease_in_osfinger() {
    let t = Tree::new("ubuntu");
    t.file(
        "/etc/lsb-release",
        "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION=\"Ubuntu 22.04.3 LTS\"\n",
    )
    .file(
        "/etc/os-release",
        "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=jammy\n",
    )
    .file("/proc/sys/kernel/arch", "aarch64\n");
    let g = t.grains();
    assert_eq!(get(&g, "os"), &s("Ubuntu"));
    assert_eq!(get(&g, "os_family"), &s("Debian"));
    assert_eq!(get(&g, "lsb_distrib_description"), &s("Ubuntu 22.04.3 LTS"));
    assert_eq!(get(&g, "osrelease_info"), &Value::List(vec![Value::Int(22), Value::Int(4)]));
    assert_eq!(get(&g, "osfinger"), &s("Ubuntu-22.04"));
    assert_eq!(get(&g, "osarch"), &s("arm64"));
}

#[test]
fn rocky_and_rhel_codenames_and_families() {
    let t = Tree::new("rocky");
    t.file(
        "/etc/os-release",
        "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n",
    )
    .file("/proc/sys/kernel/arch", "x86_64\n");
    let g = t.grains();
    assert_eq!(get(&g, "os"), &s("Rocky"));
    assert_eq!(get(&g, "os_family"), &s("RedHat"));
    assert_eq!(get(&g, "oscodename"), &s("Blue Onyx"));
    assert_eq!(get(&g, "osfinger"), &s("Rocky Linux-9"));
    assert_eq!(get(&g, "osarch"), &s("x86_64"));

    let r = Tree::new("rhel");
    r.file(
        "/etc/os-release",
        "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.3 (Plow)\"\nID=\"rhel\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\n",
    );
    let g = r.grains();
    assert_eq!(get(&g, "os"), &s("RedHat"));
    assert_eq!(get(&g, "os_family"), &s("RedHat"));
    assert_eq!(get(&g, "oscodename"), &s("Plow"));
    assert_eq!(get(&g, "osmajorrelease"), &Value::Int(9));
}

#[test]
fn arch_without_version_has_no_osrelease_info() {
    let t = Tree::new("arch");
    t.file("/etc/os-release", "NAME=\"Arch Linux\"\nPRETTY_NAME=\"Arch Linux\"\nID=arch\nBUILD_ID=rolling\n");
    let g = t.grains();
    assert_eq!(get(&g, "os"), &s("Arch"));
    assert_eq!(get(&g, "os_family"), &s("Arch"));
    assert_eq!(get(&g, "osrelease"), &s(""));
    assert_eq!(get(&g, "oscodename"), &s("Arch Linux"));
    assert!(!g.contains_key("osrelease_info") && !g.contains_key("osfinger"));
}

#[test]
fn opensuse_leap_from_cpe_name() {
    let t = Tree::new("suse");
    t.file(
        "/usr/lib/os-release",
        "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"openSUSE Leap 15.5\"\nCPE_NAME=\"cpe:/o:opensuse:leap:15.5\"\n",
    );
    let g = t.grains();
    assert_eq!(get(&g, "os"), &s("SUSE"));
    assert_eq!(get(&g, "os_family"), &s("Suse"));
    assert_eq!(get(&g, "osfullname"), &s("Leap"));
    assert_eq!(get(&g, "osrelease"), &s("15.5"));
    assert_eq!(get(&g, "osfinger"), &s("Leap-15"));
}

#[test]
fn xen_dom0_from_capabilities() {
    let t = Tree::new("dom0");
    t.file("/proc/xen/capabilities", "control_d\n")
        .file("/sys/hypervisor/type", "xen\n")
        .file("/sys/hypervisor/version/major", "4\n")
        .file("/sys/hypervisor/version/minor", "17\n")
        .file("/sys/hypervisor/version/extra", ".2\n")
        .file("/sys/hypervisor/properties/features", "00000805\n")
        .exe("/usr/bin/systemd-detect-virt");
    let g = t.grains();
    assert_eq!(get(&g, "virtual"), &s("xen"));
    assert_eq!(get(&g, "virtual_subtype"), &s("Xen Dom0"));
    assert_eq!(get(&g, "virtual_hv_version"), &s("4.17.2"));
    assert_eq!(get(&g, "virtual_hv_version_info"), &list(&["4", "17", ".2"]));
    assert_eq!(get(&g, "virtual_hv_features"), &s("00000805"));
    assert_eq!(get(&g, "virtual_hv_features_list"), &list(&["writable_page_tables", "auto_translated_physmap", "dom0"]));
}

#[test]
fn xen_pv_domu_from_capabilities() {
    let t = Tree::new("domu");
    t.file("/proc/xen/capabilities", "\n").file("/sys/hypervisor/type", "xen\n").exe("/usr/bin/systemd-detect-virt");
    let g = t.grains();
    assert_eq!(get(&g, "virtual"), &s("xen"));
    assert_eq!(get(&g, "virtual_subtype"), &s("Xen PV DomU"));
}

#[test]
fn xen_hvm_domu_from_dmi_product_name() {
    let t = Tree::new("hvm");
    t.file("/sys/class/dmi/id/product_name", "HVM domU\n").file("/sys/class/dmi/id/sys_vendor", "Xen\n").dir("/sys/bus/xen");
    let g = t.grains();
    assert_eq!(get(&g, "productname"), &s("HVM domU"));
    assert_eq!(get(&g, "manufacturer"), &s("Xen"));
    assert_eq!(get(&g, "virtual"), &s("xen"));
    assert_eq!(get(&g, "virtual_subtype"), &s("Xen HVM DomU"));
}

#[test]
fn docker_from_dockerenv_and_cgroup() {
    let t = Tree::new("docker");
    t.file("/.dockerenv", "").exe("/usr/bin/systemd-detect-virt");
    let g = t.grains();
    assert_eq!(get(&g, "virtual"), &s("container"));
    assert_eq!(get(&g, "virtual_subtype"), &s("Docker"));

    let c = Tree::new("docker-cgroup");
    c.file("/proc/1/cgroup", "12:pids:/docker/0123abcd\n0::/\n");
    let g = c.grains();
    assert_eq!(get(&g, "virtual"), &s("container"));
    assert_eq!(get(&g, "virtual_subtype"), &s("Docker"));
}

#[test]
fn lxc_podman_kubernetes_and_physical() {
    let lxc = Tree::new("lxc");
    lxc.file("/run/systemd/container", "lxc\n").exe("/usr/bin/systemd-detect-virt");
    let g = lxc.grains();
    assert_eq!((get(&g, "virtual"), get(&g, "virtual_subtype")), (&s("container"), &s("LXC")));

    let podman = Tree::new("podman");
    podman.file("/run/.containerenv", "").exe("/usr/bin/systemd-detect-virt");
    assert_eq!(get(&podman.grains(), "virtual_subtype"), &s("Podman"));

    let k8s = Tree::new("k8s");
    k8s.file("/proc/1/cgroup", "11:memory:/kubepods/burstable/pod1\n");
    let g = k8s.grains();
    assert_eq!((get(&g, "virtual"), get(&g, "virtual_subtype")), (&s("virtual"), &s("kubernetes")));

    let metal = Tree::new("metal");
    metal.file("/proc/1/cgroup", "0::/init.scope\n").exe("/usr/bin/systemd-detect-virt");
    let g = metal.grains();
    assert_eq!(get(&g, "virtual"), &s("physical"));
    assert!(!g.contains_key("virtual_subtype"));
}

#[test]
fn kvm_and_vmware_guests() {
    let kvm = Tree::new("kvm");
    kvm.file("/sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc kvm-clock \n")
        .exe("/usr/bin/systemd-detect-virt");
    assert_eq!(get(&kvm.grains(), "virtual"), &s("kvm"));

    let vmw = Tree::new("vmware");
    vmw.file("/sys/class/dmi/id/sys_vendor", "VMware, Inc.\n")
        .file("/sys/class/dmi/id/product_uuid", "ABCD-EF\n")
        .exe("/usr/bin/systemd-detect-virt");
    let g = vmw.grains();
    assert_eq!(get(&g, "virtual"), &s("VMware"));
    assert_eq!(get(&g, "uuid"), &s("abcd-ef"));
}

#[test]
fn cpu_and_memory() {
    let t = Tree::new("cpu");
    t.file(
        "/proc/cpuinfo",
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme de\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme de\n",
    )
    .file("/proc/meminfo", "MemTotal:       24683520 kB\nMemFree:         1000 kB\nSwapTotal:       2097148 kB\n");
    let g = t.grains();
    assert_eq!(get(&g, "num_cpus"), &Value::Int(2));
    assert_eq!(get(&g, "cpu_model"), &s("AMD EPYC"));
    assert_eq!(get(&g, "cpu_flags"), &list(&["fpu", "vme", "de"]));
    assert_eq!(get(&g, "mem_total"), &Value::Int(24105));
    assert_eq!(get(&g, "swap_total"), &Value::Int(2047));

    let empty = Tree::new("nocpu").grains();
    assert_eq!(get(&empty, "num_cpus"), &Value::Int(0));
    assert_eq!(get(&empty, "cpu_model"), &s("Unknown"));
    assert_eq!(get(&empty, "mem_total"), &Value::Int(0));
}

#[test]
fn interfaces_addresses_and_fqdn_from_hosts() {
    let t = Tree::new("net");
    t.file("/proc/sys/kernel/hostname", "web01\n")
        .file("/etc/hosts", "127.0.0.1 localhost\n192.0.2.2 web01.example.com web01 # me\n::1 localhost ip6-localhost\n");
    let ifaces = vec![
        Interface {
            name: "lo".into(),
            hwaddr: Some("00:00:00:00:00:00".into()),
            inet: vec![Ipv4Addr::LOCALHOST],
            inet6: vec![Ipv6Addr::LOCALHOST],
        },
        Interface { name: "ifb0".into(), hwaddr: Some("fa:3a:25:39:bc:6a".into()), inet: vec![], inet6: vec![] },
        Interface {
            name: "eth0".into(),
            hwaddr: Some("02:fc:00:00:00:01".into()),
            inet: vec![Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(10, 0, 0, 5)],
            inet6: vec!["fd00::2".parse().expect("v6"), "fe80::fc:ff:fe00:1".parse().expect("v6")],
        },
    ];
    let g = t.collector().with_interfaces(ifaces).collect(&opts());
    assert_eq!(get(&g, "localhost"), &s("web01"));
    assert_eq!(get(&g, "fqdn"), &s("web01.example.com"));
    assert_eq!(get(&g, "host"), &s("web01"));
    assert_eq!(get(&g, "domain"), &s("example.com"));
    assert_eq!(get(&g, "fqdn_ip4"), &list(&["192.0.2.2"]));
    assert_eq!(get(&g, "fqdn_ip6"), &list(&[]));
    assert_eq!(get(&g, "fqdns"), &list(&["web01.example.com"]));
    assert_eq!(get(&g, "ipv4"), &list(&["10.0.0.5", "127.0.0.1", "192.0.2.2"]));
    assert_eq!(get(&g, "ipv6"), &list(&["::1", "fd00::2", "fe80::fc:ff:fe00:1"]));
    let ip4 = get(&g, "ip4_interfaces");
    assert_eq!(ip4.get("ifb0"), Some(&list(&[])));
    assert_eq!(ip4.get("eth0"), Some(&list(&["192.0.2.2", "10.0.0.5"])));
    let all = get(&g, "ip_interfaces");
    assert_eq!(all.get("eth0"), Some(&list(&["192.0.2.2", "10.0.0.5", "fd00::2", "fe80::fc:ff:fe00:1"])));
    assert_eq!(get(&g, "hwaddr_interfaces").get("lo"), Some(&s("00:00:00:00:00:00")));
    let keys: Vec<&String> = get(&g, "ip6_interfaces").as_map().map(|m| m.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["lo", "ifb0", "eth0"]);
}

#[test]
fn hostname_missing_from_hosts_stays_short() {
    let t = Tree::new("nohosts");
    t.file("/proc/sys/kernel/hostname", "lonely\n");
    let g = t.grains();
    assert_eq!((get(&g, "fqdn"), get(&g, "host"), get(&g, "domain")), (&s("lonely"), &s("lonely"), &s("")));
    assert_eq!(get(&g, "fqdn_ip4"), &list(&[]));
}

#[test]
fn dns_from_resolv_conf() {
    let t = Tree::new("dns");
    t.file(
        "/etc/resolv.conf",
        "# generated\nnameserver 10.255.255.53\nnameserver 2001:db8::53 # v6\nnameserver bogus\nnameserver 10.255.255.53\n\
         search example.com corp.example.com\noptions ndots:2 timeout:1\noptions rotate\nsortlist 130.155.160.0/255.255.240.0 130.155.0.0 10.1.2.3/8\ndomain\n",
    );
    let g = t.grains();
    let dns = get(&g, "dns");
    assert_eq!(dns.get("nameservers"), Some(&list(&["10.255.255.53", "2001:db8::53"])));
    assert_eq!(dns.get("ip4_nameservers"), Some(&list(&["10.255.255.53"])));
    assert_eq!(dns.get("ip6_nameservers"), Some(&list(&["2001:db8::53"])));
    assert_eq!(dns.get("search"), Some(&list(&["example.com", "corp.example.com"])));
    assert_eq!(dns.get("options"), Some(&list(&["ndots:2", "rotate"])));
    assert_eq!(dns.get("sortlist"), Some(&list(&["130.155.160.0/255.255.240.0", "130.155.0.0/255.255.0.0"])));
    assert_eq!(dns.get("domain"), Some(&s("")));
    assert!(!Tree::new("nodns").grains().contains_key("dns"));
}

#[test]
fn default_gateways_need_the_ip_command() {
    let t = Tree::new("gw");
    t.file(
        "/proc/net/route",
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
         eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
    )
    .file(
        "/proc/net/ipv6_route",
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n",
    );
    assert!(!t.grains().contains_key("ip_gw"));
    t.exe("/usr/bin/ip");
    let g = t.grains();
    assert_eq!(get(&g, "ip_gw"), &Value::Bool(true));
    assert_eq!(get(&g, "ip4_gw"), &s("192.0.2.1"));
    assert_eq!(get(&g, "ip6_gw"), &s("fd00::1"));
}

#[test]
fn init_systems() {
    let sd = Tree::new("init-systemd");
    sd.dir("/run/systemd/system");
    assert_eq!(get(&sd.grains(), "init"), &s("systemd"));

    let sysv = Tree::new("init-sysv");
    sysv.bytes("/proc/1/cmdline", b"/sbin/init\0splash\0").exe("/sbin/init");
    sysv.bytes("/sbin/init", b"\x7fELF...SysVinit version 3.06...");
    assert_eq!(get(&sysv.grains(), "init"), &s("sysvinit"));

    let tini = Tree::new("init-tini");
    tini.bytes("/proc/1/cmdline", b"/usr/bin/tini\0--\0app\0").exe("/usr/bin/tini");
    assert_eq!(get(&tini.grains(), "init"), &s("tini"));

    let other = Tree::new("init-other");
    other.bytes("/proc/1/cmdline", b"/process_api\0--addr\0").exe("/process_api");
    assert_eq!(get(&other.grains(), "init"), &s("unknown"));
}

#[test]
fn systemd_grain_from_shared_library() {
    let t = Tree::new("systemd");
    t.exe("/usr/bin/systemctl").exe("/usr/bin/localectl").bytes(
        "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so",
        b"\x7fELF\0junk\0+PAM +AUDIT -GNUTLS +SYSVINIT default-hierarchy=unified\0more\0",
    );
    let g = t.grains();
    let sd = get(&g, "systemd");
    assert_eq!(sd.get("version"), Some(&s("252")));
    assert_eq!(sd.get("features"), Some(&s("+PAM +AUDIT -GNUTLS +SYSVINIT default-hierarchy=unified")));
    assert!(!Tree::new("nosystemd").grains().contains_key("systemd"));
}

#[test]
fn process_and_user_grains() {
    let t = Tree::new("user");
    t.file("/proc/self/status", "Name:\tbrine\nUid:\t1000\t1001\t1001\t1001\nGid:\t100\t100\t100\t100\n")
        .file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1001:100:Alice:/home/alice:/bin/zsh\n")
        .file("/etc/group", "root:x:0:\nusers:x:100:\n")
        .file("/etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n")
        .file("/proc/cmdline", "console=ttyS0 quiet root=UUID=ab-cd opt=\"a b\"\n");
    let g = Collector::with_root(&t.0)
        .with_env([("PATH", "/usr/bin:/bin"), ("SHELL", "/bin/zsh"), ("LANG", "de_DE.utf8")])
        .collect(&opts());
    assert_eq!(get(&g, "uid"), &Value::Int(1001));
    assert_eq!(get(&g, "gid"), &Value::Int(100));
    assert_eq!(get(&g, "username"), &s("alice"));
    assert_eq!(get(&g, "groupname"), &s("users"));
    assert_eq!(get(&g, "pid"), &Value::Int(i64::from(std::process::id())));
    assert_eq!(get(&g, "shell"), &s("/bin/zsh"));
    assert_eq!(get(&g, "path"), &s("/usr/bin:/bin"));
    assert_eq!(get(&g, "systempath"), &list(&["/usr/bin", "/bin"]));
    assert_eq!(get(&g, "machine_id"), &s("3d1219c7c4c5404aaa1f6d2a48adfda4"));
    let locale = get(&g, "locale_info");
    assert_eq!(locale.get("defaultlanguage"), Some(&s("de_DE")));
    assert_eq!(locale.get("defaultencoding"), Some(&s("UTF-8")));
    assert_eq!(locale.get("detectedencoding"), Some(&s("utf-8")));
    let pair = |k: &str, v: Value| Value::List(vec![s(k), v]);
    assert_eq!(
        get(&g, "kernelparams"),
        &Value::List(vec![pair("console", s("ttyS0")), pair("quiet", Value::Null), pair("root", Value::Null), pair("opt", s("a b"))])
    );
}

#[test]
fn disks_efi_and_gpus() {
    let t = Tree::new("hw");
    t.file("/sys/devices/pci0000:00/block/vda/queue/rotational", "1\n")
        .file("/sys/devices/pci0000:00/block/nvme0n1/queue/rotational", "0\n")
        .dir("/sys/devices/virtual/block/loop0/queue")
        .file("/sys/firmware/efi/efivars/SecureBoot-8be4df61", "\x06\0\0\0\x01")
        .file("/sys/bus/pci/devices/0000:01:00.0/class", "0x030000\n")
        .file("/sys/bus/pci/devices/0000:01:00.0/vendor", "0x10de\n")
        .file("/sys/bus/pci/devices/0000:01:00.0/device", "0x1c82\n")
        .file("/sys/bus/pci/devices/0000:00:02.0/class", "0x020000\n")
        .file("/sys/bus/pci/devices/0000:00:02.0/vendor", "0x1af4\n")
        .file("/usr/share/misc/pci.ids", "# db\n10de  NVIDIA Corporation\n\t1c81  GP107\n\t1c82  GP107 [GeForce GTX 1050 Ti]\n\t\t1043 85d3  sub\n10df  Other\n")
        .exe("/usr/bin/lspci");
    std::fs::create_dir_all(t.0.join("sys/block")).expect("mkdir");
    for (name, target) in [("vda", "pci0000:00/block/vda"), ("nvme0n1", "pci0000:00/block/nvme0n1"), ("loop0", "virtual/block/loop0")] {
        std::os::unix::fs::symlink(format!("../devices/{target}"), t.0.join("sys/block").join(name)).expect("symlink");
    }
    let g = t.grains();
    assert_eq!(get(&g, "disks"), &list(&["vda"]));
    assert_eq!(get(&g, "ssds"), &list(&["nvme0n1"]));
    assert_eq!(get(&g, "efi"), &Value::Bool(true));
    assert_eq!(get(&g, "efi-secure-boot"), &Value::Bool(true));
    assert_eq!(get(&g, "num_gpus"), &Value::Int(1));
    let mut gpu = Map::default();
    gpu.insert("vendor".into(), s("nvidia"));
    gpu.insert("model".into(), s("GP107 [GeForce GTX 1050 Ti]"));
    assert_eq!(get(&g, "gpus"), &Value::List(vec![Value::Map(gpu)]));
}

#[test]
fn static_grains_from_config_option() {
    let conf = Tree::new("conf");
    let mut o = opts();
    let mut statics = Map::default();
    statics.insert("role".into(), s("web"));
    statics.insert("os".into(), s("Custom"));
    o.insert("grains".into(), Value::Map(statics));
    let got = static_grains(&o, &conf.0).expect("static grains");
    assert_eq!(got.get("role"), Some(&s("web")));

    let mut core = Tree::new("core").grains();
    merge(&mut core, got);
    assert_eq!(core.get("os"), Some(&s("Custom")));
    assert_eq!(core.get("role"), Some(&s("web")));
}

#[test]
fn static_grains_errors_name_their_source() {
    let conf = Tree::new("conf-bad");
    let mut o = opts();
    o.insert("grains".into(), list(&["a"]));
    let err = static_grains(&o, &conf.0).expect_err("list grains option");
    assert!(matches!(err, GrainsError::ConfigNotAMapping { found: "list" }), "{err}");

    conf.file("/grains", "- a\n- b\n");
    let err = static_grains(&opts(), Path::new(&conf.0)).expect_err("a list is not a grains mapping");
    let path = conf.0.join("grains");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
}

#[test]
fn grains_file_is_overridden_by_config_option() {
    let conf = Tree::new("conf-file");
    conf.file("/grains", "role: db\nrack: r1\n");
    let mut o = opts();
    let mut statics = Map::default();
    statics.insert("role".into(), s("web"));
    o.insert("grains".into(), Value::Map(statics));
    let got = static_grains(&o, &conf.0).expect("static grains");
    assert_eq!(got.get("role"), Some(&s("web")));
    assert_eq!(got.get("rack"), Some(&s("r1")));
    assert!(static_grains(&opts(), &Tree::new("conf-none").0).expect("no file").is_empty());
}

#[test]
fn version_grains_name_the_salt_release_brine_follows() {
    let g = Tree::new("version").grains();
    assert_eq!(get(&g, "saltversion"), &s("3007.17"));
    assert_eq!(get(&g, "saltversioninfo"), &Value::List(vec![Value::Int(3007), Value::Int(17)]));
    assert_eq!(get(&g, "brineversion"), &s(env!("CARGO_PKG_VERSION")));
    let py = get(&g, "pythonversion");
    assert_eq!(py, &Value::List(vec![Value::Int(3), Value::Int(11), Value::Int(2), s("final"), Value::Int(0)]));
}
