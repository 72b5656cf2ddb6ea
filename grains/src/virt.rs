//! `virtual` and `virtual_subtype` (and Xen's `virtual_hv_*`), following
//! Salt's `_virtual` / `_virtual_hv` on Linux.
//!
//! Salt first asks tools (systemd-detect-virt or virt-what, then dmidecode,
//! then lspci) and then checks files. Here each tool is consulted only if it
//! is installed, as Salt does, but its answer is worked out from the same
//! files the tool reads (container marker files, DMI, Xen nodes, PCI ids)
//! instead of running it. It must not spawn processes.

use brine_common::{Map, Value};

use crate::root::Root;

/// The two grains being worked out.
struct Virt {
    virtual_: String,
    subtype: Option<String>,
}

impl Virt {
    fn set(&mut self, virtual_: &str, subtype: Option<&str>) {
        self.virtual_ = virtual_.to_string();
        if let Some(s) = subtype {
            self.subtype = Some(s.to_string());
        }
    }
}

/// Adds virtual, virtual_subtype and, on Xen, the virtual_hv_* grains.
pub fn virtual_grains(root: &Root, path_var: &str, g: &mut Map) {
    let mut v = Virt { virtual_: "physical".into(), subtype: None };
    let has = |tool: &str| root.which(tool, path_var).is_some();
    let productname = g.get("productname").and_then(Value::as_str).unwrap_or("").to_string();
    tool_detection(root, &has, &mut v);
    file_detection(root, &productname, &mut v);
    if v.subtype.is_some() && v.virtual_ == "physical" {
        v.virtual_ = "virtual".into();
    }
    if has("dmidecode") && dmidecode_works(root) {
        amazon_ec2(root, &mut v);
    }
    g.insert("virtual".into(), v.virtual_.clone().into());
    if let Some(s) = &v.subtype {
        g.insert("virtual_subtype".into(), s.clone().into());
    }
    if v.virtual_.contains("xen") {
        xen_hv(root, g);
    }
}

// ------------------------------------------------------------ tool answers

/// The command loop of `_virtual`: the first tool with a usable answer wins.
fn tool_detection(root: &Root, has: &dyn Fn(&str) -> bool, v: &mut Virt) {
    if has("virt-what") {
        virt_what_answer(&detect_virt(root), v);
        return;
    }
    if has("systemd-detect-virt") && systemd_answer(&detect_virt(root), v) {
        return;
    }
    if has("dmidecode") && dmidecode_works(root) {
        dmidecode_answer(&dmidecode_text(root), v);
        return;
    }
    if has("lspci") && root.exists("/proc/bus/pci") {
        lspci_answer(&pci_vendor_words(root), v);
    }
}

/// How Salt reads `systemd-detect-virt` output; false when it moves on.
fn systemd_answer(out: &str, v: &mut Virt) -> bool {
    match out {
        "qemu" | "kvm" | "oracle" | "xen" | "bochs" | "chroot" | "uml" | "systemd-nspawn" => v.set(out, None),
        o if o.contains("vmware") => v.set("VMware", None),
        o if o.contains("microsoft") => v.set("VirtualPC", None),
        o if o.contains("lxc") => v.set("container", Some("LXC")),
        o if o.contains("podman") => v.set("container", Some("Podman")),
        o if o.contains("docker") => v.set("container", Some("Docker")),
        o if o.contains("amazon") => v.set("Nitro", Some("Amazon EC2")),
        _ => return false,
    }
    true
}

/// How Salt reads `virt-what` output (its names differ from systemd's).
fn virt_what_answer(systemd_name: &str, v: &mut Virt) {
    let line = match systemd_name {
        "microsoft" => "hyperv",
        "oracle" => "virtualbox",
        other => other,
    };
    match line {
        "kvm" | "qemu" | "uml" | "xen" => v.set(line, None),
        l if l.contains("lxc") => v.set("container", Some("LXC")),
        l if l.contains("docker") => v.set("container", Some("Docker")),
        l if l.contains("vmware") => v.set("VMware", None),
        l if l.contains("parallels") => v.set("Parallels", None),
        l if l.contains("hyperv") => v.set("HyperV", None),
        _ => {}
    }
}

/// dmidecode needs the raw SMBIOS table, readable by root only.
fn dmidecode_works(root: &Root) -> bool {
    root.read_bytes("/sys/firmware/dmi/tables/DMI").is_some()
}

fn dmi(root: &Root, file: &str) -> String {
    root.read_value(&format!("/sys/class/dmi/id/{file}")).unwrap_or_default()
}

/// The lines of `dmidecode` output Salt looks at, rebuilt from sysfs.
fn dmidecode_text(root: &Root) -> String {
    format!(
        "Vendor: {}\nManufacturer: {}\nProduct Name: {}\nVersion: {}\n",
        dmi(root, "bios_vendor"),
        dmi(root, "sys_vendor"),
        dmi(root, "product_name"),
        dmi(root, "product_version")
    )
}

fn dmidecode_answer(out: &str, v: &mut Virt) {
    if ["Vendor: QEMU", "Manufacturer: QEMU", "Vendor: Bochs", "Manufacturer: Bochs"].iter().any(|s| out.contains(s)) {
        v.set("kvm", None);
    }
    if out.contains("BHYVE") {
        v.set("bhyve", None);
    } else if out.contains("Manufacturer: oVirt") {
        v.set("kvm", Some("ovirt"));
    } else if out.contains("Product Name: RHEV Hypervisor") {
        v.set("kvm", Some("rhev"));
    } else if out.contains("VirtualBox") {
        v.set("VirtualBox", None);
    } else if out.contains("VMware") {
        v.set("VMware", None);
    } else if out.contains(": Microsoft") && out.contains("Virtual Machine") {
        v.set("VirtualPC", None);
    } else if out.contains("Parallels Software") {
        v.set("Parallels", None);
    } else if out.contains("Manufacturer: Google") || out.contains("Vendor: SeaBIOS") {
        v.set("kvm", None);
    }
}

/// Words lspci would print for the PCI vendors Salt looks for.
fn pci_vendor_words(root: &Root) -> String {
    root.list_dir("/sys/bus/pci/devices")
        .iter()
        .filter_map(|d| root.read_value(&format!("/sys/bus/pci/devices/{d}/vendor")))
        .map(|id| match id.as_str() {
            "0x15ad" => "vmware",
            "0x80ee" => "virtualbox",
            "0x1234" | "0x1b36" => "qemu",
            "0x1af4" => "virtio",
            _ => "",
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn lspci_answer(model: &str, v: &mut Virt) {
    if model.contains("vmware") {
        v.set("VMware", None);
    } else if model.contains("virtualbox") {
        v.set("VirtualBox", None);
    } else if model.contains("qemu") || model.contains("virtio") {
        v.set("kvm", None);
    }
}

// ------------------------------------------------ systemd-detect-virt logic

/// What `systemd-detect-virt` would print: a container first, else a VM,
/// else "none".
fn detect_virt(root: &Root) -> String {
    detect_container(root).or_else(|| detect_vm(root)).unwrap_or_else(|| "none".into())
}

fn detect_container(root: &Root) -> Option<String> {
    if root.exists("/proc/vz") && !root.exists("/proc/bc") {
        return Some("openvz".into());
    }
    let osrelease = root.read("/proc/sys/kernel/osrelease").unwrap_or_default();
    if osrelease.contains("Microsoft") || osrelease.contains("WSL") {
        return Some("wsl".into());
    }
    let named = ["/run/host/container-manager", "/run/systemd/container"]
        .iter()
        .find_map(|p| root.read(p).and_then(|s| s.lines().next().map(str::to_string)).filter(|s| !s.is_empty()))
        .or_else(|| environ_var(root, "/proc/1/environ", "container"));
    match named {
        Some(name) => Some(container_name(root, &name)),
        None => container_files(root),
    }
}

/// A `NAME=value` entry of a NUL-separated environ file.
fn environ_var(root: &Root, path: &str, name: &str) -> Option<String> {
    let bytes = root.read_bytes(path)?;
    let prefix = format!("{name}=");
    bytes
        .split(|b| *b == 0)
        .map(String::from_utf8_lossy)
        .find_map(|e| e.strip_prefix(&prefix).map(str::to_string))
        .filter(|v| !v.is_empty())
}

fn container_name(root: &Root, name: &str) -> String {
    const KNOWN: [&str; 9] = ["lxc", "lxc-libvirt", "systemd-nspawn", "docker", "podman", "rkt", "wsl", "proot", "pouch"];
    if name == "oci" {
        return container_files(root).unwrap_or_else(|| "container-other".into());
    }
    if KNOWN.contains(&name) { name.to_string() } else { "container-other".into() }
}

fn container_files(root: &Root) -> Option<String> {
    if root.exists("/run/.containerenv") {
        Some("podman".into())
    } else if root.exists("/.dockerenv") {
        Some("docker".into())
    } else {
        None
    }
}

fn detect_vm(root: &Root) -> Option<String> {
    let dmi = dmi_vendor(root);
    let found = match dmi {
        Some(d) if ["oracle", "xen", "amazon", "parallels"].contains(&d) => Some(d.to_string()),
        _ => None,
    }
    .or_else(|| uml(root))
    .or_else(|| root.exists("/proc/xen").then(|| "xen".to_string()))
    .or_else(|| clocksource_hypervisor(root))
    .or_else(|| dmi.map(str::to_string))
    .or_else(|| (root.read_value("/sys/hypervisor/type").as_deref() == Some("xen")).then(|| "xen".to_string()))
    .or_else(|| device_tree_hypervisor(root))?;
    if found == "xen" && xen_dom0(root) {
        return None;
    }
    Some(found)
}

/// systemd's DMI vendor table, matched as prefixes of the DMI strings.
fn dmi_vendor(root: &Root) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("KVM", "kvm"), ("OpenStack", "kvm"), ("KubeVirt", "kvm"), ("Amazon EC2", "amazon"), ("QEMU", "qemu"),
        ("VMware", "vmware"), ("VMW", "vmware"), ("innotek GmbH", "oracle"), ("VirtualBox", "oracle"),
        ("Xen", "xen"), ("Bochs", "bochs"), ("Parallels", "parallels"), ("BHYVE", "bhyve"),
        ("Hyper-V", "microsoft"), ("Microsoft Corporation", "microsoft"), ("Apple Virtualization", "apple"),
        ("Google Compute Engine", "google"),
    ];
    ["product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version"]
        .iter()
        .map(|f| dmi(root, f))
        .find_map(|s| TABLE.iter().find(|(prefix, _)| s.starts_with(prefix)).map(|(_, name)| *name))
}

fn uml(root: &Root) -> Option<String> {
    let cpuinfo = root.read("/proc/cpuinfo").unwrap_or_default();
    cpuinfo
        .lines()
        .any(|l| l.starts_with("vendor_id") && l.ends_with("User Mode Linux"))
        .then(|| "uml".into())
}

/// Stands in for systemd's CPUID check: the paravirtual clock a guest
/// kernel offers names its hypervisor.
fn clocksource_hypervisor(root: &Root) -> Option<String> {
    let sources = root.read("/sys/devices/system/clocksource/clocksource0/available_clocksource")?;
    sources.split_whitespace().find_map(|s| match s {
        "kvm-clock" => Some("kvm".to_string()),
        "xen" => Some("xen".to_string()),
        s if s.starts_with("hyperv_clocksource") => Some("microsoft".to_string()),
        _ => None,
    })
}

fn device_tree_hypervisor(root: &Root) -> Option<String> {
    let compat = root.read("/proc/device-tree/hypervisor/compatible")?;
    if compat.contains("linux,kvm") {
        Some("kvm".into())
    } else if compat.contains("xen") {
        Some("xen".into())
    } else if compat.contains("vmware") {
        Some("vmware".into())
    } else {
        Some("vm-other".into())
    }
}

/// Xen's control domain is not a guest: feature bit 11 (dom0) or a
/// `control_d` capability.
fn xen_dom0(root: &Root) -> bool {
    if let Some(features) = root.read_value("/sys/hypervisor/properties/features") {
        return u64::from_str_radix(&features, 16).is_ok_and(|f| f & (1 << 11) != 0);
    }
    root.read("/proc/xen/capabilities").is_some_and(|c| c.trim().split(',').any(|cap| cap == "control_d"))
}

// ------------------------------------------------------------ file checks

/// The checks `_virtual` makes after the tools, in its order.
fn file_detection(root: &Root, productname: &str, v: &mut Virt) {
    chroot(root, v);
    openvz(root, v);
    xen_subtype(root, productname, v);
    if root.read("/proc/cpuinfo").is_some_and(|c| c.contains("QEMU Virtual CPU")) {
        v.set("kvm", None);
    }
    product_name_file(root, v);
    cgroup(root, v);
    if v.subtype.as_deref() != Some("LXC") && root.read("/proc/1/environ").is_some_and(|e| e.contains("container=lxc")) {
        v.set("container", Some("LXC"));
    }
}

fn chroot(root: &Root, v: &mut Virt) {
    if let (Some(own), Some(init)) = (root.dev_ino("/"), root.dev_ino("/proc/1/root/.")) {
        if own != init {
            v.subtype = Some("chroot".into());
        }
    }
}

fn openvz(root: &Root, v: &mut Virt) {
    if root.is_dir("/proc/vz") {
        if root.is_file("/proc/vz/version") {
            v.set("openvzhn", None);
        } else if root.is_file("/proc/vz/veinfo") {
            v.set("openvzve", None);
        }
    }
    let status = root.read("/proc/self/status").unwrap_or_default();
    for line in status.lines() {
        let env_id = line.strip_prefix("envID:").filter(|r| r.starts_with(char::is_whitespace)).map(str::trim);
        match env_id.and_then(|id| id.parse::<u64>().ok()) {
            Some(0) => v.set("openvzhn", None),
            Some(_) => v.set("openvzve", None),
            None => {}
        }
    }
}

fn xen_subtype(root: &Root, productname: &str, v: &mut Virt) {
    if !["/proc/sys/xen", "/sys/bus/xen", "/proc/xen"].iter().any(|d| root.is_dir(d)) {
        return;
    }
    if root.is_file("/proc/xen/xsd_kva") {
        v.subtype = Some("Xen Dom0".into());
    } else if productname == "HVM domU" {
        v.subtype = Some("Xen HVM DomU".into());
    } else if let Some(caps) = root.read("/proc/xen/capabilities") {
        let kind = if caps.contains("control_d") { "Xen Dom0" } else { "Xen PV DomU" };
        v.subtype = Some(kind.into());
    } else if root.is_dir("/sys/bus/xen/drivers/xenconsole") {
        v.subtype = Some("Xen PV DomU".into());
    }
    if v.subtype.as_deref().is_some_and(|s| s.to_lowercase().contains("dom")) {
        v.virtual_ = "xen".into();
    }
}

fn product_name_file(root: &Root, v: &mut Virt) {
    let Some(name) = root.read("/sys/devices/virtual/dmi/id/product_name") else {
        return;
    };
    if name.contains("VirtualBox") {
        v.set("VirtualBox", None);
    } else if name.contains("RHEV Hypervisor") {
        v.set("kvm", Some("rhev"));
    } else if name.contains("oVirt Node") {
        v.set("kvm", Some("ovirt"));
    } else if name.contains("Google") {
        v.set("gce", None);
    } else if name.contains("BHYVE") {
        v.set("bhyve", None);
    }
}

fn cgroup(root: &Root, v: &mut Virt) {
    let Some(cg) = root.read("/proc/1/cgroup") else {
        return;
    };
    if cg.contains(":/lxc/") {
        v.set("container", Some("LXC"));
    } else if cg.contains(":/kubepods/") {
        v.subtype = Some("kubernetes".into());
    } else if cg.contains(":/libpod_parent/") {
        v.subtype = Some("libpod".into());
    } else if [":/system.slice/docker", ":/docker/", ":/docker-ce/"].iter().any(|p| cg.contains(p)) {
        v.set("container", Some("Docker"));
    }
}

/// What `dmidecode -t system` tells Salt about EC2 instances.
fn amazon_ec2(root: &Root, v: &mut Virt) {
    if !["qemu", "kvm", "xen", "amazon"].contains(&v.virtual_.as_str()) {
        return;
    }
    if dmi(root, "sys_vendor") == "Amazon EC2" {
        if v.virtual_ != "xen" {
            v.virtual_ = "Nitro".into();
        }
        let product = dmi(root, "product_name");
        v.subtype = Some(format!("Amazon EC2 ({product})"));
    } else if dmi(root, "product_version").contains(".amazon") {
        v.subtype = Some("Amazon EC2".into());
    }
}

// ------------------------------------------------------------ _virtual_hv

/// virtual_hv_version(_info) and virtual_hv_features(_list) from sysfs.
fn xen_hv(root: &Root, g: &mut Map) {
    let parts: Option<Vec<String>> = ["major", "minor", "extra"]
        .iter()
        .map(|f| root.read_value(&format!("/sys/hypervisor/version/{f}")))
        .collect();
    if let Some(p) = parts {
        g.insert("virtual_hv_version".into(), format!("{}.{}{}", p[0], p[1], p[2]).into());
        g.insert("virtual_hv_version_info".into(), Value::List(p.into_iter().map(Value::Str).collect()));
    }
    let Some(features) = root.read_value("/sys/hypervisor/properties/features") else {
        return;
    };
    let Ok(bits) = u64::from_str_radix(&features, 16) else {
        return;
    };
    const TABLE: &[(u32, &str)] = &[
        (0, "writable_page_tables"), (1, "writable_descriptor_tables"), (2, "auto_translated_physmap"),
        (3, "supervisor_mode_kernel"), (4, "pae_pgdir_above_4gb"), (5, "mmu_pt_update_preserve_ad"),
        (7, "gnttab_map_avail_bits"), (8, "hvm_callback_vector"), (9, "hvm_safe_pvclock"), (10, "hvm_pirqs"),
        (11, "dom0"), (12, "grant_map_identity"), (13, "memory_op_vnode_supported"), (14, "ARM_SMCCC_supported"),
    ];
    let enabled = TABLE.iter().filter(|(bit, _)| bits & (1 << bit) != 0).map(|(_, n)| Value::str(*n)).collect();
    g.insert("virtual_hv_features".into(), features.into());
    g.insert("virtual_hv_features_list".into(), Value::List(enabled));
}
