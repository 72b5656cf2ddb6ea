//! brine-minion: the minion side — `salt-call` and `salt-minion`.
