//! merchantry-metrics: see the crate README.

#![forbid(unsafe_code)]
