//! The `highstate` outputter: state returns as Salt 3007 prints them.
//!
//! One block per state in `__run_num__` order (ID, Function, Name when it
//! differs, Result, Comment, Started, Duration, Changes as nested output),
//! or one terse line per state, as Salt's `state_output` (`full`, `terse`,
//! `mixed`, `changes`, each with an `_id` variant) and `state_verbose` ask
//! ([`Extras`] carry `state_output_profile`, `state_output_diff`,
//! `state_output_pct` and `state_tabular: True`); then Salt's summary. A
//! compile error list prints as "Data failed to compile:". With colour on,
//! every line carries Salt's escape codes (green success, cyan changes, red
//! failure, light yellow for test runs).
//!
//! It must not change the data it prints, nor decide whether colour is on.

use brine_common::output::{self, Colors, NestedOptions};
use brine_common::{Map, Value};
use indexmap::IndexMap;

/// Salt's `state_output` modes (`filter` is not supported: it prints as `full`,
/// which is what Salt does when no filter is configured).
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
    /// `full_id`: as `Full`, the state ID shown as its name.
    FullId,
    /// `terse_id`.
    TerseId,
    /// `mixed_id`.
    MixedId,
    /// `changes_id`.
    ChangesId,
}

impl StateOutput {
    /// Parse Salt's name of a mode as Salt reads it (case-insensitive prefix,
    /// `_id` suffix); `None` for a name Salt prints in full anyway.
    pub fn parse(name: &str) -> Option<StateOutput> {
        let name = name.to_ascii_lowercase();
        let by_id = name.ends_with("_id");
        let mode = if name.starts_with("terse") {
            StateOutput::Terse
        } else if name.starts_with("mixed") {
            StateOutput::Mixed
        } else if name.starts_with("changes") {
            StateOutput::Changes
        } else if name.starts_with("full") {
            StateOutput::Full
        } else {
            return None;
        };
        Some(if by_id { mode.with_id() } else { mode })
    }

    fn with_id(self) -> StateOutput {
        match self {
            StateOutput::Full | StateOutput::FullId => StateOutput::FullId,
            StateOutput::Terse | StateOutput::TerseId => StateOutput::TerseId,
            StateOutput::Mixed | StateOutput::MixedId => StateOutput::MixedId,
            StateOutput::Changes | StateOutput::ChangesId => StateOutput::ChangesId,
        }
    }

    fn by_id(self) -> bool {
        matches!(self, StateOutput::FullId | StateOutput::TerseId | StateOutput::MixedId | StateOutput::ChangesId)
    }

    /// Whether a state with this result prints on one line.
    fn terse_for(self, result: &Value, changed: bool) -> bool {
        match self {
            StateOutput::Full | StateOutput::FullId => false,
            StateOutput::Terse | StateOutput::TerseId => true,
            StateOutput::Mixed | StateOutput::MixedId => *result != Value::Bool(false),
            StateOutput::Changes | StateOutput::ChangesId => result.truthy() && !changed,
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

/// Salt's other highstate display settings (`state_output_profile`,
/// `state_output_diff`, `state_output_pct`, `state_tabular: True`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extras {
    /// Started/Duration per state and the total run time (Salt's default: on).
    pub profile: bool,
    /// Hide states that succeeded without changes.
    pub diff: bool,
    /// "Success %" and "Failure %" in the summary.
    pub pct: bool,
    /// Terse lines in aligned columns.
    pub tabular: bool,
}

impl Default for Extras {
    fn default() -> Self {
        Extras { profile: true, diff: false, pct: false, tabular: false }
    }
}

/// Render `{minion: return}` with the highstate layout, no colour.
pub fn highstate(v: &Value) -> String {
    highstate_with(v, &Options::default())
}

/// Render `{minion: return}` with the highstate layout and these options, no colour.
pub fn highstate_with(v: &Value, opts: &Options) -> String {
    render(v, opts, &Extras::default(), false).unwrap_or_else(|| output::nested(v))
}

/// Salt's highstate outputter; `None` where Salt's raises and its display
/// falls back to the `nested` outputter (a return that is no highstate data).
pub fn render(v: &Value, opts: &Options, extras: &Extras, color: bool) -> Option<String> {
    let ctx = Ctx { opts, extras, c: Colors::new(color), depth: 0 };
    ctx.output(v, 1)
}

/// Nested highstates (orchestration, `module.run` of a state function) deeper
/// than this print as nested data.
const MAX_DEPTH: usize = 32;

struct Ctx<'a> {
    opts: &'a Options,
    extras: &'a Extras,
    c: Colors,
    depth: usize,
}

/// Salt's `rcounts` (per result value) and the totals beside them.
#[derive(Default)]
struct Tally {
    counts: IndexMap<String, usize>,
    nchanges: usize,
    durations: f64,
    parallel_max: Option<f64>,
}

impl Tally {
    fn get(&self, key: &str) -> usize {
        self.counts.get(key).copied().unwrap_or(0)
    }

    fn add(&mut self, key: &str) {
        *self.counts.entry(key.to_string()).or_insert(0) += 1;
    }
}

/// The key Python's dict gives a result (`1 == True`, `0 == False`).
fn result_key(result: &Value) -> String {
    match result {
        Value::Bool(true) | Value::Int(1) => "True".into(),
        Value::Bool(false) | Value::Int(0) => "False".into(),
        Value::Float(f) if *f == 1.0 => "True".into(),
        Value::Float(f) if *f == 0.0 => "False".into(),
        other => other.py_repr(),
    }
}

/// Python's `float()` of a duration: a number, or a string such as `"1.5 ms"`.
fn duration_ms(v: Option<&Value>) -> Option<f64> {
    match v {
        None => Some(0.0),
        Some(Value::Float(f)) => Some(*f),
        Some(Value::Int(i)) => Some(*i as f64),
        Some(Value::Bool(b)) => Some(f64::from(u8::from(*b))),
        Some(Value::Str(s)) => {
            let s = s.trim();
            s.parse().ok().or_else(|| s.split(" ms").next().and_then(|p| p.trim().parse().ok()))
        }
        Some(_) => None,
    }
}

impl Ctx<'_> {
    /// Salt's `output()`: envelopes unwrapped, one block per host.
    fn output(&self, v: &Value, indent_level: usize) -> Option<String> {
        let v = unwrap_envelope(v);
        let hosts = match v {
            Value::Int(_) | Value::Bool(_) | Value::Str(_) => return Some(v.py_str()),
            Value::Null => return Some("None".into()),
            Value::Map(hosts) => hosts,
            _ => return None,
        };
        let mut blocks = Vec::new();
        for (host, data) in hosts {
            blocks.push(self.format_host(host, data, indent_level)?.0);
        }
        Some(blocks.join("\n"))
    }

    /// One host's block and whether anything changed (Salt's `_format_host`).
    fn format_host(&self, host: &str, data: &Value, indent_level: usize) -> Option<(String, bool)> {
        let c = &self.c;
        let mut hcolor = c.green;
        let mut lines = Vec::new();
        let mut changed = false;
        match data {
            Value::Int(_) | Value::Bool(_) => {
                changed = true;
                lines.push(format!("{}    {}{}", c.green, data.py_str(), c.endc));
                hcolor = c.cyan;
            }
            Value::Str(s) => {
                changed = true;
                lines.extend(output::splitlines(s).iter().map(|l| format!("{}    {l}{}", c.green, c.endc)));
                hcolor = c.cyan;
            }
            Value::List(errors) => {
                hcolor = c.light_red;
                lines.push(format!("    {hcolor}Data failed to compile:{}", c.endc));
                for e in errors {
                    lines.push(format!("{hcolor}----------\n    {}{}", output::strip_esc(&e.py_str()), c.endc));
                }
            }
            Value::Map(states) => {
                let tally = self.format_states(states, indent_level, &mut hcolor, &mut lines)?;
                changed = tally.nchanges > 0;
                self.summary(host, &tally, &mut lines);
            }
            _ => {}
        }
        lines.insert(0, format!("{hcolor}{}:{}", output::strip_esc(host), c.endc));
        Some((lines.join("\n"), changed))
    }

    fn format_states(&self, states: &Map, level: usize, hcolor: &mut &'static str, lines: &mut Vec<String>) -> Option<Tally> {
        let mut rets: Vec<(&String, &Map)> =
            states.iter().filter_map(|(k, v)| v.as_map().filter(|m| m.contains_key("result")).map(|m| (k, m))).collect();
        rets.sort_by_key(|(_, r)| r.get("__run_num__").and_then(Value::as_i64).unwrap_or(0));
        let mut tally = Tally::default();
        for (tag, ret) in rets {
            self.format_state(tag, ret, level, &mut tally, hcolor, lines)?;
        }
        Some(tally)
    }

    fn count(ret: &Map, tally: &mut Tally) {
        let result = ret.get("result").unwrap_or(&Value::Null);
        tally.add(&result_key(result));
        let Some(ms) = duration_ms(ret.get("duration")) else { return };
        if ret.contains_key("__parallel__") {
            tally.parallel_max = Some(tally.parallel_max.map_or(ms, |m| m.max(ms)));
        } else {
            tally.durations += ms;
        }
    }

    fn format_state(
        &self,
        tag: &str,
        ret: &Map,
        level: usize,
        tally: &mut Tally,
        hcolor: &mut &'static str,
        lines: &mut Vec<String>,
    ) -> Option<()> {
        let c = &self.c;
        Self::count(ret, tally);
        let result = ret.get("result").unwrap_or(&Value::Null);
        let (changed, ctext) = self.changes_text(ret, level)?;
        tally.nchanges += usize::from(changed);
        if (self.extras.diff || !self.opts.verbose) && result.truthy() && !changed {
            return Some(());
        }
        let mut tcolor = if changed { c.cyan } else { c.green };
        match result {
            Value::Bool(false) => (*hcolor, tcolor) = (c.red, c.red),
            Value::Null => (*hcolor, tcolor) = (c.light_yellow, c.light_yellow),
            _ => {}
        }
        let mut comps: Vec<&str> = tag.split("_|-").collect();
        if self.opts.state_output.by_id() && comps.len() > 2 {
            comps[2] = comps[1];
        }
        if self.opts.state_output.terse_for(result, changed) {
            lines.push(self.terse_line(tcolor, &comps, ret)?);
            return Some(());
        }
        self.full_block(tcolor, &comps, ret, &ctext, lines)?;
        if let Some(w) = ret.get("warnings") {
            tally.add("warnings");
            let filled = fill(&join_lines(w), 80, 14);
            lines.push(format!("   {} Warnings: {}{}", c.light_red, filled.trim_start(), c.endc));
        }
        Some(())
    }

    /// Whether the state changed something and the text after "Changes:"
    /// (Salt's `_format_changes`; `None` when `changes` is missing).
    fn changes_text(&self, ret: &Map, level: usize) -> Option<(bool, String)> {
        let changes = ret.get("changes")?;
        let name = ret.get("name").and_then(Value::as_str).unwrap_or("");
        if matches!(name, "state.orch" | "state.orchestrate" | "state.sls") && self.can_nest() {
            let inner = Ctx { depth: self.depth + 1, ..*self };
            let nested = inner.output(changes, level + 1)?;
            let pad = " ".repeat(14 * level);
            let text: Vec<String> = format!("\n{nested}").split('\n').map(|l| format!("{pad}{l}")).collect();
            return Some((true, text.join("\n")));
        }
        if !changes.truthy() {
            return Some((false, String::new()));
        }
        let Value::Map(map) = changes else {
            return Some((true, format!("Invalid Changes data: {}", changes.py_str())));
        };
        match (map.get("ret"), map.get("out").and_then(Value::as_str)) {
            (Some(inner), Some("highstate")) if *inner != Value::Null && self.can_nest() => self.inner_highstate(inner),
            _ => Some((true, format!("\n{}", self.nested_changes(changes)))),
        }
    }

    /// Whether a highstate inside the changes may be printed as one
    /// (depth and stack left); otherwise it prints as nested data.
    fn can_nest(&self) -> bool {
        self.depth < MAX_DEPTH && brine_common::stack::enough()
    }

    /// Changes that are themselves a highstate return, indented under "Changes:".
    fn inner_highstate(&self, ret: &Value) -> Option<(bool, String)> {
        let Value::Map(hosts) = ret else { return None };
        let inner = Ctx { depth: self.depth + 1, ..*self };
        let mut text = String::new();
        let mut changed = false;
        for (host, data) in hosts {
            let (s, c) = inner.format_host(host, data, 1)?;
            text.push('\n');
            text.push_str(&s.lines().map(|l| format!("{}{l}", " ".repeat(14))).collect::<Vec<_>>().join("\n"));
            changed |= c;
        }
        Some((changed, text))
    }

    fn nested_changes(&self, changes: &Value) -> String {
        let opts = NestedOptions { color: !self.c.endc.is_empty(), retcode: 0, indent: 14 };
        output::nested_with(changes, &opts).trim_end().to_string()
    }

    /// Salt's `_format_terse` (not tabular), with `state_output_profile` on;
    /// `None` where Salt's raises (a start time without a duration).
    fn terse_line(&self, tcolor: &str, comps: &[&str], ret: &Map) -> Option<String> {
        let c = &self.c;
        let outcome = match ret.get("result") {
            Some(Value::Bool(false)) => "Failed",
            Some(Value::Null) => "Differs",
            _ if ret.get("changes").is_some_and(Value::truthy) => "Changed",
            _ => "Clean",
        };
        let comp = |i: usize| comps.get(i).copied().unwrap_or("");
        let last = comps.last().copied().unwrap_or("");
        let mut line = String::new();
        if let Some(w) = ret.get("warnings") {
            let sep = if self.extras.tabular { "\n" } else { "" };
            line.push_str(&format!("{}Warnings:\n{}{}{sep}", c.light_red, join_lines(w), c.endc));
        }
        let timing = match ret.get("start_time").filter(|_| self.extras.profile) {
            Some(start) => Some((start.py_str(), ret.get("duration")?.py_str())),
            None => None,
        };
        if self.extras.tabular {
            line.push_str(tcolor);
            if let Some((start, duration)) = timing {
                line.push_str(&format!("{start} [{duration:>7} ms] "));
            }
            line.push_str(&format!("{:>10}.{last:<10} {outcome:7}   Name: {}", comp(0), comp(2)));
        } else {
            line.push_str(&format!(" {tcolor} Name: {} - Function: {}.{last} - Result: {outcome}", comp(2), comp(0)));
            if let Some((start, duration)) = timing {
                line.push_str(&format!(" - Started: {start} - Duration: {duration} ms"));
            }
        }
        line.push_str(c.endc);
        Some(line)
    }

    /// The full block of one state.
    fn full_block(&self, tcolor: &str, comps: &[&str], ret: &Map, ctext: &str, lines: &mut Vec<String>) -> Option<()> {
        let endc = self.c.endc;
        let comp = |i: usize| comps.get(i).copied().unwrap_or("");
        let result = ret.get("result").map(Value::py_str).unwrap_or_default();
        let comment = comment_text(ret)?;
        lines.push(format!("{tcolor}----------{endc}"));
        lines.push(format!("    {tcolor}      ID: {}{endc}", comp(1)));
        lines.push(format!("    {tcolor}Function: {}.{}{endc}", comp(0), comp(3)));
        if comp(1) != comp(2) {
            lines.push(format!("    {tcolor}    Name: {}{endc}", comp(2)));
        }
        lines.push(format!("    {tcolor}  Result: {result}{endc}"));
        lines.push(format!("    {tcolor} Comment: {comment}{endc}"));
        if let Some(start) = ret.get("start_time").filter(|_| self.extras.profile) {
            let duration = match ret.get("duration") {
                None => String::new(),
                Some(Value::Str(s)) if s.is_empty() => String::new(),
                Some(d) => format!("{} ms", d.py_str()),
            };
            lines.push(format!("    {tcolor} Started: {}{endc}", start.py_str()));
            lines.push(format!("    {tcolor}Duration: {duration}{endc}"));
        }
        lines.push(format!("{tcolor}     Changes:   {ctext}{endc}"));
        Some(())
    }

    /// Salt's summary: counts, failures, total states and run time.
    fn summary(&self, host: &str, t: &Tally, lines: &mut Vec<String>) {
        let c = &self.c;
        let count_len = t.counts.values().map(|n| n.to_string().len()).max().unwrap_or(0);
        let width = "Succeeded".len() + count_len + 2;
        let counts = |label: &str, n: String| format!("{label}: {n:>w$}", w = width - (label.len() + 2));
        lines.push(format!("{}\nSummary for {host}\n{}{}", c.cyan, "-".repeat(width), c.endc));
        let mut stats = Vec::new();
        if t.get("None") > 0 {
            stats.push(format!("{}unchanged={}{}", c.light_yellow, t.get("None"), c.endc));
        }
        if t.nchanges > 0 {
            stats.push(format!("{}changed={}{}", c.green, t.nchanges, c.endc));
        }
        let stats = if stats.is_empty() { String::new() } else { format!(" ({})", stats.join(", ")) };
        let succeeded = (t.get("True") + t.get("None")).to_string();
        lines.push(format!("{}{}{}{stats}", c.green, counts("Succeeded", succeeded), c.endc));
        let failed = t.get("False");
        let fcolor = if failed > 0 { c.red } else { c.cyan };
        lines.push(format!("{fcolor}{}{}", counts("Failed", failed.to_string()), c.endc));
        if self.extras.pct {
            self.percentages(t, &counts, lines);
        }
        let warnings = t.get("warnings");
        if warnings > 0 {
            lines.push(format!("{}{}{}", c.light_red, counts("Warnings", warnings.to_string()), c.endc));
        }
        let total = t.counts.values().sum::<usize>() - warnings;
        let w = width - 7;
        lines.push(format!("{}{}\nTotal states run: {total:>w$}{}", c.cyan, "-".repeat(width), c.endc));
        if !self.extras.profile {
            return;
        }
        let ms = t.durations + t.parallel_max.unwrap_or(0.0);
        let (dur, unit) = if ms > 999.0 { (ms / 1000.0, "s") } else { (ms, "ms") };
        let w = width - 5;
        lines.push(format!("{}Total run time: {:>w$} {unit}{}", c.cyan, format!("{dur:.3}"), c.endc));
    }
}

impl Ctx<'_> {
    /// Salt's `state_output_pct` lines (none when no state ran).
    fn percentages(&self, t: &Tally, counts: &dyn Fn(&str, String) -> String, lines: &mut Vec<String>) {
        let c = &self.c;
        let states = t.counts.values().sum::<usize>() - t.get("warnings");
        if states == 0 {
            return;
        }
        let pct = |n: usize| {
            let rounded: f64 = format!("{:.2}", n as f64 / states as f64 * 100.0).parse().unwrap_or(0.0);
            brine_common::value::py_float(rounded)
        };
        let failed = t.get("False");
        let fcolor = if failed > 0 { c.red } else { c.cyan };
        lines.push(format!("{}{}{}", c.green, counts("Success %", pct(t.get("True") + t.get("None"))), c.endc));
        lines.push(format!("{fcolor}{}{}", counts("Failure %", pct(failed)), c.endc));
    }
}

/// Salt's envelopes around highstate data: `return`, `data`, a job lookup.
fn unwrap_envelope(v: &Value) -> &Value {
    let mut v = v;
    if let Some(inner) = v.as_map().and_then(|m| m.get("return")) {
        v = inner;
    }
    if let Some(inner) = v.as_map().and_then(|m| m.get("data")) {
        v = inner;
    }
    if let Some(m) = v.as_map().filter(|m| m.len() == 1) {
        let job = m.values().next().and_then(Value::as_map).filter(|j| j.contains_key("jid") && j.contains_key("fun"));
        if let Some(job) = job {
            let data = job.get("return").and_then(Value::as_map).and_then(|r| r.get("data"));
            return data.unwrap_or(v);
        }
    }
    v
}

/// The comment as Salt prints it: stripped, continuation lines indented,
/// `data` appended; `None` when the return has no comment.
fn comment_text(ret: &Map) -> Option<String> {
    let comment = ret.get("comment")?.py_str();
    let mut comment = comment.trim().replace('\n', &format!("\n{}", " ".repeat(14)));
    match ret.get("data") {
        None => {}
        Some(Value::List(items)) => items.iter().for_each(|i| comment.push_str(&format!(" {}", i.py_str()))),
        Some(Value::Map(m)) => m.iter().for_each(|(k, v)| comment.push_str(&format!("\n\t\t{k}: {}", v.py_str()))),
        Some(other) => comment.push_str(&format!(" {}", other.py_str())),
    }
    Some(comment)
}

/// Python's `"\n".join(warnings)`.
fn join_lines(w: &Value) -> String {
    match w {
        Value::List(items) => items.iter().map(Value::py_str).collect::<Vec<_>>().join("\n"),
        Value::Str(s) => s.chars().map(String::from).collect::<Vec<_>>().join("\n"),
        other => other.py_str(),
    }
}

/// Python's `textwrap.fill` with both indents `indent` spaces (words split at
/// whitespace only; over-long words are cut).
fn fill(text: &str, width: usize, indent: usize) -> String {
    let text: String = text.chars().map(|ch| if ch.is_ascii_whitespace() || ch == '\x0b' { ' ' } else { ch }).collect();
    let room = width.saturating_sub(indent).max(1);
    let mut chunks: Vec<String> = split_chunks(&text);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        if !lines.is_empty() && chunks.last().is_some_and(|ch| ch.trim().is_empty()) {
            chunks.pop();
        }
        let mut line: Vec<String> = Vec::new();
        let mut len = 0;
        while let Some(ch) = chunks.last() {
            let n = ch.chars().count();
            if len + n > room {
                break;
            }
            len += n;
            line.extend(chunks.pop());
        }
        if let Some(long) = chunks.last_mut().filter(|ch| ch.chars().count() > room) {
            let cut = room.saturating_sub(len);
            let head: String = long.chars().take(cut).collect();
            *long = long.chars().skip(cut).collect();
            if !head.is_empty() {
                line.push(head);
            }
        }
        if line.last().is_some_and(|ch| ch.trim().is_empty()) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(format!("{}{}", " ".repeat(indent), line.concat()));
        }
    }
    lines.join("\n")
}

/// Runs of spaces and runs of other characters.
fn split_chunks(text: &str) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    for ch in text.chars() {
        match chunks.last_mut() {
            Some(last) if last.ends_with(' ') == (ch == ' ') => last.push(ch),
            _ => chunks.push(ch.to_string()),
        }
    }
    chunks
}
