//! Fuzzes `InventoryReader`: see `common.rs` for what must hold.

#![no_main]

#[macro_use]
#[path = "../common.rs"]
mod common;

reader_target!(
    InventoryReader,
    b"sku\tfnsku\tasin\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\tafn-inbound-working-quantity\tafn-inbound-shipped-quantity\tafn-inbound-receiving-quantity\tafn-researching-quantity\n"
);
