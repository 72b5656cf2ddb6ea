//! One entry point for every outputter `salt-call` and `salt` print with:
//! [`render`] picks the outputter by Salt's name (`nested`, `json`, `yaml`,
//! `txt`/`text`, `raw`, `quiet`, `highstate`) and applies the display
//! options (colour, the call's retcode, `state_output`, `state_verbose`).
//!
//! It must not print, nor decide whether colour is on (callers know the
//! terminal and the options); unknown outputter names fall back to `nested`
//! here, and the caller reports them as Salt does ([`Outputter::parse`]).

pub mod highstate;

pub use highstate::{highstate, highstate_with, Extras, Options, StateOutput};

use brine_common::output::{self, NestedOptions};
use brine_common::{Map, Value};

/// The outputters brine has, by Salt's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outputter {
    Nested,
    Json,
    Yaml,
    Txt,
    Raw,
    Quiet,
    Highstate,
}

impl Outputter {
    /// The outputter Salt picks for `--out=NAME` (`text` is `txt`; an empty
    /// name is `nested`); `None` for a name Salt does not know.
    pub fn parse(name: &str) -> Option<Outputter> {
        Some(match name {
            "" | "nested" => Outputter::Nested,
            "json" => Outputter::Json,
            "yaml" => Outputter::Yaml,
            "txt" | "text" => Outputter::Txt,
            "raw" => Outputter::Raw,
            "quiet" => Outputter::Quiet,
            "highstate" => Outputter::Highstate,
            _ => return None,
        })
    }
}

/// How [`render`] prints: Salt's display options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// `state_output` and `state_verbose` for the highstate outputter.
    pub state: Options,
    /// The highstate outputter's other settings (profile, diff, pct, tabular).
    pub extras: Extras,
    /// Salt's escape codes (`--force-color`, or a terminal without `--no-color`).
    pub color: bool,
    /// The call's retcode: `nested` prints keys red when it is not 0.
    pub retcode: i64,
}

/// Whether to print colours, as Salt decides: `--force-color` (or
/// `force_color`), then `--no-color` (or `no_color`), then the
/// configuration's `color`, then whether stdout is a terminal.
pub fn color_wanted(force_color: bool, no_color: bool, opts: &Map) -> bool {
    let set = |flag: bool, key: &str| flag || opts.get(key).is_some_and(Value::truthy);
    if set(force_color, "force_color") {
        return true;
    }
    if set(no_color, "no_color") {
        return false;
    }
    match opts.get("color") {
        Some(c) => c.truthy(),
        None => std::io::IsTerminal::is_terminal(&std::io::stdout()),
    }
}

/// The text Salt's display prints for `data` with outputter `out`, without
/// its trailing whitespace; empty means Salt prints nothing at all. An
/// unknown `out` prints as `nested`.
pub fn render(out: &str, data: &Value, opts: &RenderOptions) -> String {
    let nested = || output::nested_with(data, &NestedOptions { color: opts.color, retcode: opts.retcode, indent: 0 });
    let text = match Outputter::parse(out).unwrap_or(Outputter::Nested) {
        Outputter::Nested => nested(),
        Outputter::Json => output::json(data),
        Outputter::Yaml => output::yaml(data),
        Outputter::Txt => output::txt(data),
        Outputter::Raw => data.py_str(),
        Outputter::Quiet => String::new(),
        Outputter::Highstate => highstate::render(data, &opts.state, &opts.extras, opts.color).unwrap_or_else(nested),
    };
    let len = text.trim_end().len();
    let mut text = text;
    text.truncate(len);
    text
}

#[cfg(test)]
mod tests;
