//! The `highstate` outputter: state returns as Salt prints them.
//!
//! One block per state in `__run_num__` order (ID, Function, Name when it
//! differs, Result, Comment, Started, Duration, Changes as nested output),
//! then Salt's summary (Succeeded with changed/unchanged counts, Failed,
//! Total states run, Total run time). A compile error list prints as
//! "Data failed to compile:". No colour codes. [`Options`] carry Salt's
//! `state_output` (`full`, `terse`, `mixed`, `changes`) and `state_verbose`.
//!
//! It must not change the data it prints.

use brine_common::{output, Map, Value};

/// Salt's `state_output` modes (the `_id` and `filter` variants are not supported).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateOutput {
    #[default]
    Full,
    /// One line per state.
    Terse,
    /// Terse unless the state failed.
    Mixed,
    /// Terse unless the state failed or changed something.
    Changes,
}

impl StateOutput {
    /// Parse Salt's name of a mode; `None` for an unknown one.
    pub fn parse(name: &str) -> Option<StateOutput> {
        match name.to_ascii_lowercase().as_str() {
            "full" => Some(StateOutput::Full),
            "terse" => Some(StateOutput::Terse),
            "mixed" => Some(StateOutput::Mixed),
            "changes" => Some(StateOutput::Changes),
            _ => None,
        }
    }
}

/// How the outputter prints states (Salt's `state_output` and `state_verbose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub state_output: StateOutput,
    /// `false`: states that succeeded without changes are not printed (they still count).
    pub verbose: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { state_output: StateOutput::Full, verbose: true }
    }
}

/// Render `{minion: return}` with the highstate layout.
pub fn highstate(v: &Value) -> String {
    highstate_with(v, &Options::default())
}

/// Render `{minion: return}` with the highstate layout and these options.
pub fn highstate_with(v: &Value, opts: &Options) -> String {
    let Value::Map(hosts) = v else { return output::nested(v) };
    hosts.iter().map(|(host, data)| format_host(host, data, opts)).collect::<Vec<_>>().join("\n")
}

fn format_host(host: &str, data: &Value, opts: &Options) -> String {
    let mut out = vec![format!("{host}:")];
    match data {
        Value::List(errors) => {
            out.push("    Data failed to compile:".into());
            for e in errors {
                out.push(format!("----------\n    {}", e.py_str()));
            }
        }
        Value::Map(states) => format_states(host, states, opts, &mut out),
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

fn format_states(host: &str, states: &Map, opts: &Options, out: &mut Vec<String>) {
    let mut rets: Vec<(&String, &Map)> =
        states.iter().filter_map(|(k, v)| v.as_map().filter(|m| m.contains_key("result")).map(|m| (k, m))).collect();
    rets.sort_by_key(|(_, r)| r.get("__run_num__").and_then(Value::as_i64).unwrap_or(0));
    let mut counts = Counts::default();
    for (tag, ret) in rets {
        format_state(tag, ret, opts, &mut counts, out);
    }
    summary(host, &counts, out);
}

fn format_state(tag: &str, ret: &Map, opts: &Options, counts: &mut Counts, out: &mut Vec<String>) {
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
    let succeeded = result.truthy();
    if !opts.verbose && succeeded && changes.is_none() {
        return;
    }
    let terse = match opts.state_output {
        StateOutput::Full => false,
        StateOutput::Terse => true,
        StateOutput::Mixed => result != Value::Bool(false),
        StateOutput::Changes => succeeded && changes.is_none(),
    };
    if terse {
        return out.push(terse_line(&comps, ret, &result, changes.is_some()));
    }
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

/// Salt's `_format_terse` without colours, with `state_output_profile` on (its default).
fn terse_line(comps: &[&str], ret: &Map, result: &Value, changed: bool) -> String {
    let outcome = match result {
        Value::Bool(false) => "Failed",
        Value::Null => "Differs",
        _ if changed => "Changed",
        _ => "Clean",
    };
    let comp = |i: usize| comps.get(i).copied().unwrap_or("");
    let last = comps.last().copied().unwrap_or("");
    let mut line = format!("  Name: {} - Function: {}.{last} - Result: {outcome}", comp(2), comp(0));
    if let Some(start) = ret.get("start_time") {
        let duration = ret.get("duration").map(Value::py_str).unwrap_or_default();
        line.push_str(&format!(" - Started: {} - Duration: {duration} ms", start.py_str()));
    }
    line
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

    fn two_states() -> Value {
        Value::from_json(&serde_json::json!({"local": {
            "test_|-a_|-a_|-nop": {"result": true, "comment": "ok", "changes": {}, "__run_num__": 0,
                                   "start_time": "10:00:00.000000", "duration": 0.5, "name": "a"},
            "file_|-b_|-/tmp/b_|-managed": {"result": false, "comment": "no", "changes": {}, "__run_num__": 1,
                                   "start_time": "10:00:01.000000", "duration": 1.5, "name": "/tmp/b"}
        }}))
    }

    #[test]
    fn terse_mixed_and_quiet_modes_print_as_salt() {
        let terse = Options { state_output: StateOutput::Terse, verbose: true };
        let text = highstate_with(&two_states(), &terse);
        assert!(text.starts_with("local:\n  Name: a - Function: test.nop - Result: Clean - Started: 10:00:00.000000 - Duration: 0.5 ms\n  Name: /tmp/b - Function: file.managed - Result: Failed"), "{text}");
        let mixed = highstate_with(&two_states(), &Options { state_output: StateOutput::Mixed, verbose: true });
        assert!(mixed.contains("  Name: a - Function") && mixed.contains("          ID: b\n"), "{mixed}");
        let quiet = highstate_with(&two_states(), &Options { verbose: false, ..Options::default() });
        assert!(!quiet.contains("ID: a\n") && quiet.contains("ID: b\n") && quiet.contains("Succeeded: 1"), "{quiet}");
        assert_eq!(highstate_with(&two_states(), &Options::default()), highstate(&two_states()));
        assert_eq!(StateOutput::parse("Changes"), Some(StateOutput::Changes));
        assert_eq!(StateOutput::parse("bogus"), None);
    }
}
