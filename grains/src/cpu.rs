//! CPU and memory grains from /proc/cpuinfo and /proc/meminfo:
//! num_cpus, cpu_model, cpu_flags, mem_total and swap_total (MiB).
//!
//! Parses exactly the keys Salt's `_linux_cpudata` / `_linux_memdata` look
//! at, line by line in file order. It must not read anything else.

use brine_common::{Map, Value};

use crate::root::Root;

pub fn cpu_data(root: &Root, g: &mut Map) {
    let mut num_cpus: i64 = 0;
    let mut model: Option<String> = None;
    let mut flags: Option<Vec<Value>> = None;
    for line in root.read("/proc/cpuinfo").unwrap_or_default().lines() {
        let mut comps = line.split(':');
        let (Some(key), Some(val)) = (comps.next(), comps.next()) else {
            continue;
        };
        let (key, val) = (key.trim(), val.trim());
        match key {
            "processor" => num_cpus += 1,
            "# processors" => num_cpus = val.parse().unwrap_or(num_cpus),
            "vendor_id" | "model name" | "cpu" => model = Some(val.to_string()),
            "flags" | "Features" => flags = Some(val.split_whitespace().map(Value::str).collect()),
            "Processor" => {
                model = Some(val.split('-').next().unwrap_or("").to_string());
                num_cpus = 1;
            }
            _ => {}
        }
    }
    g.insert("num_cpus".into(), Value::Int(num_cpus));
    g.insert("cpu_model".into(), model.unwrap_or_else(|| "Unknown".into()).into());
    g.insert("cpu_flags".into(), Value::List(flags.unwrap_or_default()));
}

pub fn mem_data(root: &Root, g: &mut Map) {
    let mut mem_total = 0;
    let mut swap_total = 0;
    for line in root.read("/proc/meminfo").unwrap_or_default().lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let mib = rest.split_whitespace().next().and_then(|kb| kb.parse::<i64>().ok()).map(|kb| kb / 1024);
        match (key.trim(), mib) {
            ("MemTotal", Some(m)) => mem_total = m,
            ("SwapTotal", Some(m)) => swap_total = m,
            _ => {}
        }
    }
    g.insert("mem_total".into(), Value::Int(mem_total));
    g.insert("swap_total".into(), Value::Int(swap_total));
}
