//! brine-minion: the minion side of brine.
//!
//! `salt-call` and the `salt-minion` daemon: the minion configuration and
//! grains (`setup`), the dispatch of function calls to the state engine and
//! execution modules (`dispatch`) with files and pillar from the local roots
//! (`local`) or from the master (`daemon`), and `mine.update` (`mine`).
//!
//! It must not implement states or execution modules itself.

pub mod alloc;
pub mod args;
pub mod daemon;
pub mod dispatch;
pub mod host;
pub mod local;
pub mod local_mine;
pub mod mine;
pub mod setup;
