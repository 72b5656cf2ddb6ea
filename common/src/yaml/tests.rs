//! Loader and dumper checked against what Salt 3007.17 gives.
