//! Fuzzes `UciRetailReader`: see `common.rs` for what must hold.

#![no_main]

#[macro_use]
#[path = "../common.rs"]
mod common;

reader_target!(
    UciRetailReader,
    b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
);
