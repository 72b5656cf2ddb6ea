//! brine-states: turns SLS files into results.
//!
//! Renderers (Jinja, YAML, JSON and `#!` pipelines), the top file, the SLS
//! compiler (high data -> low chunks), the requisite runtime and the state
//! modules. It reaches the system only through `brine-modules`; it must not
//! open network connections or know where files come from (a file client is
//! handed in).

pub mod jinja;
pub mod runtime;
pub mod mods;
