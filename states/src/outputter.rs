//! The `highstate` outputter: state returns as Salt prints them.
//!
//! One block per state in `__run_num__` order (ID, Function, Name when it
//! differs, Result, Comment, Started, Duration, Changes as nested output),
//! then Salt's summary (Succeeded with changed/unchanged counts, Failed,
//! Total states run, Total run time). A compile error list prints as
//! "Data failed to compile:". No colour codes.
//!
//! It must not change the data it prints.

use brine_common::{output, Map, Value};

/// Render `{minion: return}` with the highstate layout.
pub fn highstate(v: &Value) -> String {
    let Value::Map(hosts) = v else { return output::nested(v) };
    hosts.iter().map(|(host, data)| format_host(host, data)).collect::<Vec<_>>().join("\n")
}

fn format_host(host: &str, data: &Value) -> String {
    let mut out = vec![format!("{host}:")];
    match data {
        Value::List(errors) => {
            out.push("    Data failed to compile:".into());
            for e in errors {
                out.push(format!("----------\n    {}", e.py_str()));
            }
        }
        Value::Map(states) => format_states(host, states, &mut out),
        other => out.extend(other.py_str().lines().map(|l| format!("    {l}"))),
    }
    out.join("\n")
}

#[derive(Default)]
struct Counts {
    succeeded: usize,
    failed: usize,
    unchanged: usize,
    changed: usize,
    duration_ms: f64,
}

fn format_states(host: &str, states: &Map, out: &mut Vec<String>) {
    let mut rets: Vec<(&String, &Map)> =
        states.iter().filter_map(|(k, v)| v.as_map().filter(|m| m.contains_key("result")).map(|m| (k, m))).collect();
    rets.sort_by_key(|(_, r)| r.get("__run_num__").and_then(Value::as_i64).unwrap_or(0));
    let mut counts = Counts::default();
    for (tag, ret) in rets {
        format_state(tag, ret, &mut counts, out);
    }
    summary(host, &counts, out);
}

fn format_state(tag: &str, ret: &Map, counts: &mut Counts, out: &mut Vec<String>) {
    let comps: Vec<&str> = tag.split("_|-").collect();
    let comp = |i: usize| comps.get(i).copied().unwrap_or("");
    let result = ret.get("result").cloned().unwrap_or(Value::Null);
    match result {
        Value::Bool(true) => counts.succeeded += 1,
        Value::Bool(false) => counts.failed += 1,
        _ => {
            counts.succeeded += 1;
            counts.unchanged += 1;
        }
    }
    let changes = ret.get("changes").filter(|c| c.truthy());
    if changes.is_some() {
        counts.changed += 1;
    }
    counts.duration_ms += match ret.get("duration") {
        Some(Value::Float(f)) => *f,
        Some(Value::Int(i)) => *i as f64,
        _ => 0.0,
    };
    let comment = ret.get("comment").map(Value::py_str).unwrap_or_default();
    let comment = comment.trim().replace('\n', &format!("\n{}", " ".repeat(14)));
    out.push("----------".into());
    out.push(format!("          ID: {}", comp(1)));
    out.push(format!("    Function: {}.{}", comp(0), comp(3)));
    if comp(1) != comp(2) {
        out.push(format!("        Name: {}", comp(2)));
    }
    out.push(format!("      Result: {}", result.py_str()));
    out.push(format!("     Comment: {comment}"));
    if let Some(start) = ret.get("start_time") {
        out.push(format!("     Started: {}", start.py_str()));
    }
    if let Some(d) = ret.get("duration") {
        out.push(format!("    Duration: {} ms", d.py_str()));
    }
    match changes {
        Some(c) => {
            let nested = output::nested(c);
            let indented: Vec<String> = nested.lines().map(|l| format!("{}{l}", " ".repeat(14))).collect();
            out.push(format!("     Changes:   \n{}", indented.join("\n")));
        }
        None => out.push("     Changes:   ".into()),
    }
}

fn summary(host: &str, c: &Counts, out: &mut Vec<String>) {
    let total = c.succeeded + c.failed;
    let count_len = [c.succeeded, c.failed].iter().map(|n| n.to_string().len()).max().unwrap_or(1);
    let width = "Succeeded".len() + count_len + 2;
    let line = |label: &str, n: usize| format!("{label}: {n:>w$}", w = width - label.len() - 2);
    out.push(format!("\nSummary for {host}\n{}", "-".repeat(width)));
    let mut stats = Vec::new();
    if c.unchanged > 0 {
        stats.push(format!("unchanged={}", c.unchanged));
    }
    if c.changed > 0 {
        stats.push(format!("changed={}", c.changed));
    }
    let stats = if stats.is_empty() { String::new() } else { format!(" ({})", stats.join(", ")) };
    out.push(format!("{}{stats}", line("Succeeded", c.succeeded)));
    out.push(line("Failed", c.failed));
    out.push(format!("{}\nTotal states run: {total:>w$}", "-".repeat(width), w = width.saturating_sub(7).max(1)));
    let (dur, unit) = if c.duration_ms > 999.0 { (c.duration_ms / 1000.0, "s") } else { (c.duration_ms, "ms") };
    out.push(format!("Total run time: {:>w$} {unit}", format!("{dur:.3}"), w = width.saturating_sub(5)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_blocks_and_summary() {
        let v = Value::from_json(&serde_json::json!({"local": {
            "test_|-a_|-a_|-nop": {"result": true, "comment": "Success!", "changes": {}, "__run_num__": 0,
                                   "start_time": "10:00:00.000000", "duration": 0.5, "name": "a"}
        }}));
        let text = highstate(&v);
        assert!(text.starts_with("local:\n----------\n          ID: a\n    Function: test.nop\n      Result: True"));
        assert!(text.contains("Succeeded: 1\nFailed:    0\n"));
        assert!(text.contains("Total states run:     1"));
    }

    #[test]
    fn compile_errors_are_listed() {
        let v = Value::from_json(&serde_json::json!({"local": ["bad thing"]}));
        assert_eq!(highstate(&v), "local:\n    Data failed to compile:\n----------\n    bad thing");
    }
}
