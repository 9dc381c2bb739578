//! Integration tests of merchantry-allocate: hand-worked scenarios (one
//! per rule, split and fault), proptest laws, and a threaded stress test.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on bad fixtures")]

mod laws;
mod returns;
mod scenarios;
mod stress;
mod support;
