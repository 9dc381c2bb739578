//! merchantry-forecast: see the crate README.

#![forbid(unsafe_code)]
