//! Fuzzes `StorageFeeReader`: see `common.rs` for what must hold.

#![no_main]

#[macro_use]
#[path = "../common.rs"]
mod common;

reader_target!(
    StorageFeeReader,
    b"asin\tfnsku\tfulfillment_center\tmonth_of_charge\tstorage_rate\tcurrency\testimated_monthly_storage_fee\n"
);
