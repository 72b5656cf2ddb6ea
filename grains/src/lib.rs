//! Core grains (being written).
