//! brine-master: the master side — `salt-master`, `salt`, `salt-key`, `salt-run`.
