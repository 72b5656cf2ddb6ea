//! brine-modules
