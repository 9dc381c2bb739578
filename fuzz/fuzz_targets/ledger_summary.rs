//! Fuzzes `LedgerSummaryReader`: see `common.rs` for what must hold.

#![no_main]

#[macro_use]
#[path = "../common.rs"]
mod common;

reader_target!(
    LedgerSummaryReader,
    b"Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Receipts,Customer Shipments,Lost,Found,Damaged,Ending Warehouse Balance,Location\n"
);
