//! merchantry-route: see the crate README.

#![forbid(unsafe_code)]
