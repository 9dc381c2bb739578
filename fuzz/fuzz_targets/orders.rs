//! Fuzzes `OrdersReader`: see `common.rs` for what must hold.

#![no_main]

#[macro_use]
#[path = "../common.rs"]
mod common;

reader_target!(
    OrdersReader,
    b"amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\titem-status\tquantity\tcurrency\titem-price\tis-replacement-order\n"
);
