//! Fuzzes `ScmsReader` and its replenishment adapter, bare and behind a
//! valid header. Neither may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use merchantry_amazon::{ReadOptions, ScmsReader};

const HEADER: &[u8] = b"ID,PO / SO #,Country,Shipment Mode,PO Sent to Vendor Date,Scheduled Delivery Date,Delivered to Client Date,Vendor,Weight (Kilograms),Freight Cost (USD)\n";

fn run(bytes: &[u8]) {
    let options = ReadOptions::default().max_record_bytes(64 * 1024);
    if let Ok(reader) = ScmsReader::with_options(bytes, options) {
        let mut reps = reader.replenishments();
        for item in reps.by_ref() {
            if let Ok(r) = item {
                assert!(r.actual_days() >= 0);
            }
        }
        let _ = reps.stats();
    }
}

fuzz_target!(|data: &[u8]| {
    run(data);
    let mut framed = HEADER.to_vec();
    framed.extend_from_slice(data);
    run(&framed);
});
