//! merchantry-reorder: see the crate README.

#![forbid(unsafe_code)]
