//! merchantry-amazon: see the crate README.

#![forbid(unsafe_code)]
