//! How `salt` prints what the master streams back: each return through its
//! outputter (`--out` wins over the function's own), minions that did not
//! return as Salt's `no_return` outputter shows them, the jid lines of `-v`
//! and `--show-jid`, the exit status Salt gives, and `--progress`: the bar
//! Salt draws with the `progressbar` package and the summary it prints
//! instead of the returns.
//!
//! It must not talk to the master.

use brine_common::wire::{JobReturn, Missing};
use brine_common::{Map, Value};
use brine_states::outputter::RenderOptions;

/// Print options of one `salt` run.
#[derive(Debug, Clone, Default)]
pub struct Printer {
    pub out: Option<String>,
    pub verbose: bool,
    pub show_jid: bool,
    pub hide_timeout: bool,
    /// `--state-output` and `--state-verbose` for the highstate outputter.
    pub state: brine_states::outputter::Options,
    /// Salt's escape codes (`--force-color`, or a terminal without `--no-color`).
    pub color: bool,
}

fn one(id: &str, v: Value) -> Value {
    Value::Map(Map::from_iter([(id.to_string(), v)]))
}

/// Render `data` with outputter `out`, without colour.
pub fn render(out: &str, data: &Value) -> String {
    render_with(out, data, &RenderOptions::default())
}

/// Render `data` with outputter `out` and these options (the one
/// outputter entry point `salt-call` uses too).
pub fn render_with(out: &str, data: &Value, opts: &RenderOptions) -> String {
    brine_states::outputter::render(out, data, opts)
}

impl Printer {
    fn options(&self, retcode: i64) -> RenderOptions {
        RenderOptions { state: self.state, color: self.color, retcode, ..RenderOptions::default() }
    }

    /// The lines printed once the job is out.
    pub fn published(&self, jid: &str) -> Option<String> {
        if self.verbose {
            let msg = format!("Executing job with jid {jid}");
            return Some(format!("{msg}\n{}\n", "-".repeat(msg.len())));
        }
        self.show_jid.then(|| format!("jid: {jid}"))
    }

    /// One minion's return, as Salt's `display_output` prints it.
    pub fn minion_return(&self, r: &JobReturn) -> String {
        let fallback = r.out.clone().unwrap_or_else(|| "nested".into());
        let out = match self.out.as_deref() {
            Some(o) if o != "highstate" => o.to_string(),
            _ => fallback,
        };
        render_with(&out, &one(&r.id, r.ret.clone()), &self.options(r.retcode.into()))
    }

    /// One minion's return in a batch run: Salt prints the return's `jid`
    /// and `retcode` beside it, keys in sorted order.
    pub fn batch_return(&self, r: &JobReturn) -> String {
        let fallback = r.out.clone().unwrap_or_else(|| "nested".into());
        let out = match self.out.as_deref() {
            Some(o) if o != "highstate" => o.to_string(),
            _ => fallback,
        };
        let mut entries = vec![
            ("jid".to_string(), Value::Str(r.jid.clone())),
            (r.id.clone(), r.ret.clone()),
            ("retcode".to_string(), Value::Int(r.retcode.into())),
        ];
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        render_with(&out, &Value::Map(entries.into_iter().collect()), &self.options(r.retcode.into()))
    }

    /// A minion that did not return; `None` with `--hide-timeout`.
    pub fn no_return(&self, id: &str, reason: Missing, jid: &str) -> Option<String> {
        if self.hide_timeout {
            return None;
        }
        let msg = no_return_text(reason, jid);
        Some(match self.out.as_deref() {
            Some(o) if o != "highstate" => render(o, &one(id, Value::Str(msg))),
            _ => {
                let lines: Vec<String> = msg.split('\n').map(|l| format!("    {l}")).collect();
                format!("{id}:\n{}", lines.join("\n")).trim_end().to_string()
            }
        })
    }
}

/// Salt's texts for a minion that did not return.
pub fn no_return_text(reason: Missing, jid: &str) -> String {
    match reason {
        Missing::NotConnected => "Minion did not return. [Not connected]".into(),
        Missing::NoResponse => format!(
            "Minion did not return. [No response]\nThe minions may not have all finished running and any remaining minions will return upon completion. To look up the return data for this job later, run the following command:\n\nsalt-run jobs.lookup_jid {jid}"
        ),
    }
}

/// What `salt --progress` counts: Salt draws a bar of the returns received
/// out of the minions expected and prints a summary, not the returns.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub total: usize,
    pub returned: usize,
    pub failed: usize,
    pub not_connected: Vec<String>,
    pub no_response: Vec<String>,
}

const RULE: &str = "-------------------------------------------";

impl Progress {
    pub fn new(total: usize) -> Progress {
        Progress { total, ..Progress::default() }
    }

    /// A minion returned (with errors when its retcode is not 0).
    pub fn returned(&mut self, r: &JobReturn) {
        self.returned += 1;
        self.failed += usize::from(r.retcode != 0);
    }

    pub fn missing(&mut self, id: &str, reason: Missing) {
        match reason {
            Missing::NotConnected => self.not_connected.push(id.to_string()),
            Missing::NoResponse => self.no_response.push(id.to_string()),
        }
    }

    /// The bar as `progressbar` draws it for Salt, `width` columns, ending
    /// with a carriage return: `100% |####| Elapsed Time: 0:00:01 Returns: [3/3]`.
    pub fn bar(&self, elapsed: std::time::Duration, width: usize) -> String {
        let pct = (self.returned * 100).checked_div(self.total).unwrap_or(100);
        let secs = elapsed.as_secs();
        let timer = format!("Elapsed Time: {}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        let counter = format!("Returns: [{}/{}]", self.returned, self.total);
        let head = format!("{pct:3}% ");
        let fixed = head.chars().count() + 1 + timer.len() + 1 + counter.len();
        let inner = width.saturating_sub(fixed).saturating_sub(2);
        let marked = (self.returned * inner).checked_div(self.total).unwrap_or(inner).min(inner);
        let line = format!("{head}|{}{}| {timer} {counter}", "#".repeat(marked), " ".repeat(inner - marked));
        format!("{line:<width$}\r")
    }

    /// Salt's returns summary (`-v` adds the minions that did not return).
    pub fn summary(&self, verbose: bool) -> String {
        let missing = self.not_connected.len() + self.no_response.len();
        let mut lines = vec![
            "\n".to_string(),
            RULE.to_string(),
            "Summary".to_string(),
            RULE.to_string(),
            format!("# of minions targeted: {}", self.returned + missing),
            format!("# of minions returned: {}", self.returned),
            format!("# of minions that did not return: {missing}"),
            format!("# of minions with errors: {}", self.failed),
        ];
        if verbose && !self.not_connected.is_empty() {
            lines.push(format!("Minions not connected: {}", self.not_connected.join(" ")));
        }
        if verbose && !self.no_response.is_empty() {
            lines.push(format!("Minions not responding: {}", self.no_response.join(" ")));
        }
        lines.push(RULE.to_string());
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_return_is_indented_under_the_id() {
        let p = Printer::default();
        assert_eq!(p.no_return("node2", Missing::NotConnected, "1").unwrap(), "node2:\n    Minion did not return. [Not connected]");
        let long = p.no_return("node2", Missing::NoResponse, "123").unwrap();
        assert!(long.ends_with("\n    salt-run jobs.lookup_jid 123"), "{long}");
        assert!(long.contains("command:\n\n    salt-run") || long.contains("command:\n    \n    salt-run"), "{long}");
    }

    #[test]
    fn verbose_prints_the_jid_banner() {
        let p = Printer { verbose: true, ..Printer::default() };
        assert_eq!(p.published("20240101000000000000").unwrap(), "Executing job with jid 20240101000000000000\n-------------------------------------------\n");
    }

    fn ret(id: &str, retcode: i32) -> JobReturn {
        JobReturn { jid: "1".into(), id: id.into(), fun: "test.ping".into(), ret: Value::Bool(true), retcode, success: retcode == 0, out: None }
    }

    #[test]
    fn progress_bar_is_drawn_as_salts_progressbar() {
        let mut p = Progress::new(1);
        let zero = "  0% |                                   | Elapsed Time: 0:00:00 Returns: [0/1]\r";
        assert_eq!(p.bar(std::time::Duration::ZERO, 79), zero);
        p.returned(&ret("a", 0));
        let full = "100% |###################################| Elapsed Time: 0:01:05 Returns: [1/1]\r";
        assert_eq!(p.bar(std::time::Duration::from_secs(65), 79), full);
        let mut half = Progress::new(4);
        half.returned(&ret("a", 0));
        half.returned(&ret("b", 1));
        assert!(half.bar(std::time::Duration::ZERO, 10).starts_with(" 50% || Elapsed"), "{}", half.bar(std::time::Duration::ZERO, 10));
    }

    #[test]
    fn progress_summary_counts_returns_errors_and_silent_minions() {
        let mut p = Progress::new(3);
        p.returned(&ret("a", 0));
        p.returned(&ret("b", 1));
        p.missing("c", Missing::NoResponse);
        let text = p.summary(true);
        assert!(text.starts_with("\n\n-------------------------------------------\nSummary\n"), "{text}");
        for line in ["# of minions targeted: 3", "# of minions returned: 2", "# of minions that did not return: 1", "# of minions with errors: 1", "Minions not responding: c"] {
            assert!(text.contains(&format!("\n{line}\n")), "{line} in {text}");
        }
        assert!(!p.summary(false).contains("Minions not responding"));
    }
}
