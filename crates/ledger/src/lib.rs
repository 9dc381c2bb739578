//! merchantry-ledger: see the crate README.

#![forbid(unsafe_code)]
