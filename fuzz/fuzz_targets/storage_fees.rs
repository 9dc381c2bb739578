//! Fuzzes `StorageFeeReader`: any bytes, and the same bytes after a valid header so
//! the row paths are reached. The reader must never panic, and after it
//! ends without a file error every record must be accounted for.

#![no_main]

use libfuzzer_sys::fuzz_target;
use merchantry_amazon::{StorageFeeReader, ReadOptions};

const HEADER: &[u8] = b"asin\tfnsku\tfulfillment_center\tmonth_of_charge\tstorage_rate\tcurrency\testimated_monthly_storage_fee\n";

fn run(bytes: &[u8]) {
    let options = ReadOptions::default().max_record_bytes(64 * 1024);
    let Ok(mut reader) = StorageFeeReader::with_options(bytes, options) else {
        return;
    };
    let mut fatal = false;
    for item in reader.by_ref() {
        if let Err(e) = item {
            fatal |= e.is_fatal();
            assert!(!e.to_string().is_empty());
        }
    }
    let s = reader.stats();
    assert!(fatal || s.records == s.rows + s.row_errors + s.skipped_total());
}

fuzz_target!(|data: &[u8]| {
    run(data);
    let mut framed = HEADER.to_vec();
    framed.extend_from_slice(data);
    run(&framed);
});
