//! State modules, one per file (being written).
