//! The requisite runtime (being written).
