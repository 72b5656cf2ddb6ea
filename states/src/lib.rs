//! brine-states: turns SLS files into results.
//!
//! Renderers (Jinja, YAML, JSON and `#!` pipelines), the top file, the SLS
//! compiler (high data -> low chunks), the requisite runtime and the state
//! modules. It reaches the system only through `brine-modules`; it must not
//! open network connections or know where files come from (a file client is
//! handed in).

pub mod api;
pub mod compiler;
pub mod highstate;
pub mod jinja;
pub mod mods;
pub mod outputter;
pub mod pillar;
pub mod render;
pub mod roots;
pub mod runtime;
pub mod saltfns;
pub mod yamlpool;
