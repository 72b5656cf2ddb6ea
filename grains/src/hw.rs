//! Hardware and firmware grains read from sysfs and /proc: DMI (bios*,
//! productname, manufacturer, uuid, serialnumber), machine_id, GPUs, disks
//! and ssds, EFI, fibre channel, kernel boot parameters.
//!
//! Salt gets GPUs from `lspci -vmm`; here the same facts come from
//! /sys/bus/pci and the pci.ids database, and only when lspci is installed,
//! as Salt would report none otherwise. It must not spawn processes.

use brine_common::{Map, Value};

use crate::root::Root;

/// DMI values from /sys/class/dmi/id, in Salt's order (`_hw_data`).
pub fn dmi_data(root: &Root, g: &mut Map) {
    if !root.exists("/sys/class/dmi/id") {
        return;
    }
    let files = [
        ("biosversion", "bios_version"), ("biosvendor", "bios_vendor"), ("boardname", "board_name"),
        ("productname", "product_name"), ("manufacturer", "sys_vendor"), ("biosreleasedate", "bios_date"),
        ("uuid", "product_uuid"), ("serialnumber", "product_serial"),
    ];
    for (grain, file) in files {
        if let Some(v) = root.read_value(&format!("/sys/class/dmi/id/{file}")) {
            let v = if grain == "uuid" { v.to_lowercase() } else { v };
            g.insert(grain.into(), v.into());
        }
    }
}

pub fn machine_id(root: &Root, g: &mut Map) {
    let found = ["/etc/machine-id", "/var/lib/dbus/machine-id"].into_iter().find(|p| root.exists(p));
    if let Some(id) = found.and_then(|p| root.read_value(p)) {
        g.insert("machine_id".into(), id.into());
    }
}

/// PCI classes Salt counts as GPUs (VGA, 3D, display controller, accelerator).
const GPU_CLASSES: [u32; 4] = [0x0300, 0x0302, 0x0380, 0x1200];
const KNOWN_GPU_VENDORS: [&str; 8] = ["nvidia", "amd", "ati", "intel", "cirrus logic", "vmware", "matrox", "aspeed"];
const PCI_IDS: [&str; 3] = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"];

/// num_gpus and gpus (`_linux_gpu_data`), when lspci is available.
pub fn gpu_data(root: &Root, opts: &Map, path_var: &str, g: &mut Map) {
    let disabled = |key: &str| opts.get(key) == Some(&Value::Bool(false));
    if disabled("enable_lspci") || disabled("enable_gpu_grains") || root.which("lspci", path_var).is_none() {
        return;
    }
    let gpus: Vec<Value> = root
        .list_dir("/sys/bus/pci/devices")
        .iter()
        .filter_map(|dev| gpu_device(root, &format!("/sys/bus/pci/devices/{dev}")))
        .collect();
    g.insert("num_gpus".into(), Value::Int(i64::try_from(gpus.len()).unwrap_or(i64::MAX)));
    g.insert("gpus".into(), Value::List(gpus));
}

fn hex_attr(root: &Root, path: &str) -> Option<u32> {
    let v = root.read_value(path)?;
    u32::from_str_radix(v.trim_start_matches("0x"), 16).ok()
}

fn gpu_device(root: &Root, dir: &str) -> Option<Value> {
    let class = hex_attr(root, &format!("{dir}/class"))?;
    if !GPU_CLASSES.contains(&(class >> 8)) {
        return None;
    }
    let vendor_id = hex_attr(root, &format!("{dir}/vendor"))?;
    let device_id = hex_attr(root, &format!("{dir}/device")).unwrap_or(0);
    let (vendor_name, model) = pci_names(root, vendor_id, device_id);
    let words: Vec<String> = vendor_name.to_lowercase().split(|c: char| !c.is_ascii_alphanumeric()).map(str::to_string).collect();
    let vendor = KNOWN_GPU_VENDORS.iter().find(|v| words.iter().any(|w| w == *v)).copied().unwrap_or("unknown");
    let mut gpu = Map::default();
    gpu.insert("vendor".into(), vendor.into());
    gpu.insert("model".into(), model.into());
    Some(Value::Map(gpu))
}

/// Vendor and device names from pci.ids, or the hex ids lspci shows without it.
fn pci_names(root: &Root, vendor: u32, device: u32) -> (String, String) {
    let fallback = (format!("{vendor:04x}"), format!("{device:04x}"));
    let Some(db) = PCI_IDS.iter().find_map(|p| root.read(p)) else {
        return fallback;
    };
    let vendor_hex = format!("{vendor:04x}");
    let device_hex = format!("\t{device:04x}");
    let mut lines = db.lines().skip_while(|l| !l.starts_with(&vendor_hex));
    let Some(vendor_name) = lines.next().map(|l| l[vendor_hex.len()..].trim().to_string()) else {
        return fallback;
    };
    let model = lines
        .take_while(|l| l.starts_with('\t') || l.starts_with('#') || l.is_empty())
        .find(|l| l.starts_with(&device_hex))
        .map(|l| l[device_hex.len()..].trim().to_string())
        .unwrap_or(fallback.1);
    (vendor_name, model)
}

/// disks and ssds: non-virtual block devices by their rotational flag.
pub fn disks(root: &Root, g: &mut Map) {
    let (mut disks, mut ssds) = (Vec::new(), Vec::new());
    for dev in root.list_dir("/sys/block") {
        let entry = format!("/sys/block/{dev}");
        let is_virtual = root.read_link(&entry).is_some_and(|t| t.starts_with("../devices/virtual/"));
        if is_virtual {
            continue;
        }
        match root.read(&format!("{entry}/queue/rotational")).and_then(|s| s.chars().next()) {
            Some('0') => ssds.push(Value::Str(dev)),
            Some('1') => disks.push(Value::Str(dev)),
            _ => {}
        }
    }
    g.insert("disks".into(), Value::List(disks));
    g.insert("ssds".into(), Value::List(ssds));
}

/// efi and efi-secure-boot (`uefi`).
pub fn efi(root: &Root, g: &mut Map) {
    let dir = ["/sys/firmware/efi/efivars", "/sys/firmware/efi/vars"].into_iter().find(|p| root.exists(p));
    g.insert("efi".into(), Value::Bool(dir.is_some()));
    g.insert("efi-secure-boot".into(), Value::Bool(dir.is_some_and(|d| secure_boot(root, d))));
}

fn secure_boot(root: &Root, dir: &str) -> bool {
    let files: Vec<String> = root
        .list_dir(dir)
        .into_iter()
        .filter(|n| n.starts_with("SecureBoot-"))
        .map(|n| if dir.ends_with("/efivars") { format!("{dir}/{n}") } else { format!("{dir}/{n}/data") })
        .filter(|p| root.exists(p))
        .collect();
    match files.as_slice() {
        [only] => root.read_bytes(only).is_some_and(|b| b.last() == Some(&1)),
        _ => false,
    }
}

pub fn fibre_channel_host(root: &Root, g: &mut Map) {
    g.insert("fibre_channel_host".into(), Value::Bool(root.is_dir("/sys/class/fc_host")));
}

/// kernelparams: /proc/cmdline split as a POSIX shell would, each word as
/// `[key, value]` (value `None` unless the word has exactly one `=`).
pub fn kernelparams(root: &Root, g: &mut Map) {
    let Some(words) = root.read("/proc/cmdline").and_then(|c| shell_split(&c)) else {
        return;
    };
    let params = words
        .iter()
        .map(|w| {
            let parts: Vec<&str> = w.split('=').collect();
            let value = match parts.as_slice() {
                [_, v] => Value::str(v.trim_matches('"')),
                _ => Value::Null,
            };
            Value::List(vec![Value::str(parts[0]), value])
        })
        .collect();
    g.insert("kernelparams".into(), Value::List(params));
}

/// `shlex.split` (POSIX mode, no comments); `None` on an unclosed quote or
/// a trailing backslash, where Python raises.
pub fn shell_split(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(cur.take()),
            '\'' => cur.get_or_insert_with(String::new).push_str(&single_quoted(&mut chars)?),
            '"' => cur.get_or_insert_with(String::new).push_str(&double_quoted(&mut chars)?),
            '\\' => cur.get_or_insert_with(String::new).push(chars.next()?),
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(cur);
    Some(words)
}

fn single_quoted(chars: &mut std::str::Chars) -> Option<String> {
    let mut out = String::new();
    loop {
        match chars.next()? {
            '\'' => return Some(out),
            c => out.push(c),
        }
    }
}

fn double_quoted(chars: &mut std::str::Chars) -> Option<String> {
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                c @ ('"' | '\\') => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c);
                }
            },
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_split_follows_shlex() {
        let words = |s: &str| shell_split(s).map(|w| w.join("|"));
        assert_eq!(words("a 'b c' \"d \\\" e\" f\\ g ''"), Some("a|b c|d \" e|f g|".into()));
        assert_eq!(words("x=\"1 2\"y"), Some("x=1 2y".into()));
        assert_eq!(words("'open"), None);
        assert_eq!(words("trailing\\"), None);
    }
}
