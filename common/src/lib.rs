//! brine-common: the few things every brine crate shares.
//!
//! The plain data tree ([`Value`]) that YAML, JSON, pillar, grains, high data,
//! low chunks and state returns are made of; Salt's YAML loader and dumper
//! ([`yaml`]); minion/master configuration loading ([`config`]); and the
//! outputters both CLIs print with ([`output`]).
//!
//! It must not know about states, execution modules or the network: anything
//! that needs those lives in the crate that owns them.

pub mod config;
pub mod matcher;
pub mod output;
pub mod value;
pub mod wire;
pub mod yaml;

pub use value::{Map, Value};
