//! Fuzzes `SettlementReader`, bare and behind a valid V2 header: no
//! panic, and every unknown amount name is counted.

#![no_main]

use libfuzzer_sys::fuzz_target;
use merchantry_amazon::{ChargeKind, ReadOptions, SettlementReader};

const HEADER: &[u8] = b"settlement-id\ttotal-amount\tcurrency\ttransaction-type\torder-id\tsku\tquantity-purchased\tamount-type\tamount-description\tamount\tposted-date\titem-related-fee-type\titem-related-fee-amount\n";

fn run(bytes: &[u8]) {
    let options = ReadOptions::default().max_record_bytes(64 * 1024);
    let Ok(mut reader) = SettlementReader::with_options(bytes, options) else {
        return;
    };
    let mut unknown = 0_u64;
    for row in reader.by_ref().flatten() {
        unknown += row.amounts.iter().filter(|a| a.kind == ChargeKind::Unknown).count() as u64;
    }
    assert_eq!(unknown, reader.unknown_names().values().sum::<u64>());
}

fuzz_target!(|data: &[u8]| {
    run(data);
    let mut framed = HEADER.to_vec();
    framed.extend_from_slice(data);
    run(&framed);
});
