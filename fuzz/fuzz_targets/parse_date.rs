//! Fuzzes the cell parsers directly: any text, both date orders.

#![no_main]

use libfuzzer_sys::fuzz_target;
use merchantry_amazon::{DateOrder, parse_amount, parse_date, parse_quantity};

fuzz_target!(|data: &[u8]| {
    let _ = parse_quantity(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_amount(text);
        for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
            if let Ok(Some(date)) = parse_date(text, order) {
                // A parsed date always has a digit behind it.
                assert!(text.bytes().any(|b| b.is_ascii_digit()), "{date}");
            }
        }
    }
});
