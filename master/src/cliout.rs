//! How `salt` prints what the master streams back: each return through its
//! outputter (`--out` wins over the function's own), minions that did not
//! return as Salt's `no_return` outputter shows them, the jid lines of `-v`
//! and `--show-jid`, and the exit status Salt gives.
//!
//! It must not talk to the master.

use brine_common::wire::{JobReturn, Missing};
use brine_common::{output, Map, Value};

/// Print options of one `salt` run.
#[derive(Debug, Clone, Default)]
pub struct Printer {
    pub out: Option<String>,
    pub verbose: bool,
    pub show_jid: bool,
    pub hide_timeout: bool,
    /// `--state-output` and `--state-verbose` for the highstate outputter.
    pub state: brine_states::outputter::Options,
}

fn one(id: &str, v: Value) -> Value {
    Value::Map(Map::from_iter([(id.to_string(), v)]))
}

/// Render `data` with outputter `out`.
pub fn render(out: &str, data: &Value) -> String {
    render_with(out, data, &brine_states::outputter::Options::default())
}

/// Render `data` with outputter `out`, states with `state` options.
pub fn render_with(out: &str, data: &Value, state: &brine_states::outputter::Options) -> String {
    let text = match out {
        "json" => output::json(data),
        "yaml" => output::yaml(data),
        "txt" | "text" => output::txt(data),
        "highstate" => brine_states::outputter::highstate_with(data, state),
        "raw" => data.py_repr(),
        "quiet" => String::new(),
        _ => output::nested(data),
    };
    text.trim_end().to_string()
}

impl Printer {
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
        render_with(&out, &one(&r.id, r.ret.clone()), &self.state)
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
        render(&out, &Value::Map(entries.into_iter().collect()))
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
}
