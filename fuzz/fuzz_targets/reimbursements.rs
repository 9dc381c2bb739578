//! Fuzzes `ReimbursementReader`: see `common.rs` for what must hold.

#![no_main]

#[macro_use]
#[path = "../common.rs"]
mod common;

reader_target!(
    ReimbursementReader,
    b"approval-date\treimbursement-id\treason\tsku\tfnsku\tcurrency-unit\tamount-per-unit\tamount-total\tquantity-reimbursed-total\n"
);
