//! brine-grains: the facts a minion reports about itself, as Salt's core
//! grains on Linux (`salt/grains/core.py` and friends), plus static grains
//! from the minion configuration.
//!
//! Everything is read from files through one root-relative reader, from
//! getifaddrs, and (under a deadline) from the resolver; nothing is spawned.
//! It must not depend on execution modules or states, and must not write.

mod collector;
mod cpu;
mod host;
mod hw;
mod initsys;
mod net;
mod osinfo;
mod process;
mod root;
mod static_grains;
mod sys;
mod virt;

use brine_common::Map;

pub use collector::Collector;
pub use host::LOOKUP_DEADLINE;
pub use net::Interface;
pub use static_grains::{merge, static_grains, GrainsError};

/// Core grains of the running system for the minion configured by `opts`
/// (which supplies `id`, `master` and the `enable_*_grains` switches).
pub fn core_grains(opts: &Map) -> Map {
    Collector::new().collect(opts)
}
