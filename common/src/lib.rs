//! brine-common: the one crate every brine crate shares.
//!
//! The plain data tree ([`Value`]) that YAML, JSON, pillar, grains, high data,
//! low chunks and state returns are made of; Salt's YAML loader and dumper
//! ([`yaml`]); minion/master configuration loading ([`config`]); target
//! matchers ([`matcher`]); the outputters both CLIs print with ([`output`]);
//! and what both daemons need to talk: the wire messages and framing
//! ([`wire`]) and keys, TLS pinning, handshake, sessions and process plumbing
//! ([`daemon`]).
//!
//! It must not know about states or execution modules, and must not decide
//! policy (which keys are accepted, what a job runs): the master and minion
//! crates do that.

pub mod config;
pub mod daemon;
pub mod matcher;
pub mod output;
pub mod stack;
pub mod value;
pub mod wire;
pub mod yaml;

pub use value::{Map, Value};
