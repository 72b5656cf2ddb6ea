//! brine-minion: the minion side of brine.
//!
//! `salt-call` (masterless today) and, later, the `salt-minion` daemon: the
//! minion configuration, its grains and pillar, the local file client and the
//! dispatch of function calls to the state engine and execution modules.
//!
//! It must not implement states or execution modules itself.

pub mod args;
pub mod host;
pub mod local;
