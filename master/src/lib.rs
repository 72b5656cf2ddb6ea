//! brine-master: the master side — `salt-master`, `salt`, `salt-key`, `salt-run`.
//!
//! Key management: the PKI directories and decisions (`pki`) and `salt-key`
//! (`keycli`). The daemon: shared state (`context`), the TLS port
//! (`listener`) and one task per minion session (`session`), the connected
//! minions (`registry`), their cached grains and pillar (`minion_data`),
//! target resolution (`targets`), publishing and collecting jobs (`publish`),
//! the fileserver and pillar service (`fileserver`), pillar from git (`git_pillar`), the mine (`mine`), the job cache
//! (`jobcache`), jids (`jid`), the local CLI socket (`cliserver`) and the
//! runners (`runners`). The CLIs' side of that socket: `client`, their
//! output (`cliout`) and batches (`batch`).
//!
//! It must not run execution modules or states for minions: minions do.

pub mod batch;
pub mod cliserver;
pub mod client;
pub mod cliout;
pub mod context;
pub mod fileserver;
pub mod git_pillar;
pub mod jid;
pub mod jobcache;
pub mod keycli;
pub mod listener;
pub mod mine;
pub mod minion_data;
pub mod pki;
pub mod publish;
pub mod registry;
pub mod runners;
pub mod session;
pub mod targets;
