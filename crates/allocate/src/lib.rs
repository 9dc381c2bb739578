//! merchantry-allocate: see the crate README.

#![forbid(unsafe_code)]
