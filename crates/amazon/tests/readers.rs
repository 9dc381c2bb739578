//! Every reader against the bundled sample files, plus hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use merchantry_amazon::{
    AmazonDisposition, ChargeKind, Cut, DateOrder, DemandByChannel, DstPolicy, EventType,
    InventoryReader, LedgerDetailReader, LedgerDetailRow, LedgerRollup, LedgerSummaryReader,
    NotADate, OrdersReader, ReadError, ReadOptions, ReadStats, ReasonCode, ReimbursementReader,
    RetailDaily, RetailLineKind, ScmsReader, SettlementAmount, SettlementReader, SkipReason,
    StorageFeeReader, TimestampProblem, UciRetailReader, ZoneNames, ZoneRules, parse_date,
    parse_timestamp, parse_timestamp_in, summary_snapshot,
};
use merchantry_core::{CoreError, Disposition, LocationId, Quantity, StockView};
use proptest::prelude::*;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn detail(bytes: &[u8]) -> Vec<LedgerDetailRow> {
    LedgerDetailReader::new(bytes).unwrap().map(Result::unwrap).collect()
}

fn stats_add_up(stats: &ReadStats) -> bool {
    stats.records == stats.rows + stats.row_errors + stats.skipped_total()
}

// ---- synthetic golden files -------------------------------------------

#[test]
fn synthetic_ledger_detail_reads_every_event() {
    let rows = detail(&data("synthetic_ledger_detail_view.csv"));
    assert_eq!(rows.len(), 12);
    // 48 - 3 - 2 + 1 - 10 - 4 + 10 + 1 - 1 + 1 - 5 - 1 = 35
    let net = Quantity::checked_sum(rows.iter().map(|r| r.quantity)).unwrap();
    assert_eq!(net, Quantity::new(35));
    let m = &rows[5];
    assert_eq!(m.date, day(2026, 3, 4));
    assert_eq!(m.event_type, EventType::Adjustments);
    assert_eq!(m.reason, Some(ReasonCode::Misplaced));
    assert_eq!(m.reconciled_quantity, Some(Quantity::new(1)));
    assert_eq!(m.unreconciled_quantity, Some(Quantity::new(3)));
    assert_eq!(m.fulfillment_center.as_str(), "ABE2");
    assert_eq!(rows[3].disposition, AmazonDisposition::CustomerDamaged);
    assert_eq!(rows[0].reconciled_quantity, None);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[11].line, 13);
    // Every row has its own identity.
    let keys: BTreeSet<_> = rows.iter().map(|r| r.key().event_id().unwrap()).collect();
    assert_eq!(keys.len(), 12);
}

#[test]
fn synthetic_detail_rolls_up_to_the_summary_view() {
    let mut rollup = LedgerRollup::default();
    for row in detail(&data("synthetic_ledger_detail_view.csv")) {
        rollup.add(&row).unwrap();
    }
    let summary: Vec<_> = LedgerSummaryReader::new(&data("synthetic_ledger_summary_view.csv")[..])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(summary.len(), 3);
    for row in &summary {
        assert!(row.monthly);
        assert_eq!(row.period_end(), day(2026, 3, 31));
        assert_eq!(row.is_balanced(), Some(true), "line {}", row.line);
        assert_eq!(rollup.mismatches(row), vec![], "line {}", row.line);
    }
    // Sellable: 100 + 48 - 5 - 5 + 1 - 4 - 1 = 134.
    assert_eq!(summary[0].ending_balance, Quantity::new(134));
    assert_eq!(summary[1].disposition, AmazonDisposition::CustomerDamaged);
}

#[test]
fn inventory_sums_past_64_bits_are_not_totals_that_agree() {
    let max = i64::MAX;
    let file = format!(
        "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\t\
         afn-reserved-quantity\tafn-total-quantity\tafn-inbound-working-quantity\t\
         afn-inbound-shipped-quantity\tafn-researching-quantity\n\
         W\t{max}\t{max}\t5\t5\t{max}\t0\t0\t0\n\
         V\t10\t6\t2\t2\t13\t1\t2\t0\n"
    );
    let rows: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
    // Saturated, fulfillable + 5 + 5 would equal the warehouse.
    assert!(!rows[0].totals_agree());
    let small = &rows[1];
    assert!(small.totals_agree());
    assert_eq!(small.inbound().unwrap(), Quantity::new(3));
    let fba = LocationId::new("FBA-US").unwrap();
    assert_eq!(small.stock_records(&fba, day(2026, 3, 31)).unwrap().len(), 4);

    // Built by hand, sums past 64 bits are errors, never pinned counts.
    let mut big = small.clone();
    big.afn_warehouse = Some(Quantity::MAX);
    big.afn_total = Some(Quantity::MAX);
    big.afn_inbound_working = Some(Quantity::MAX);
    big.afn_inbound_shipped = Some(Quantity::MAX);
    big.afn_fulfillable = Some(Quantity::MAX.checked_sub(Quantity::new(4)).unwrap());
    assert!(!big.totals_agree());
    // inbound() saturated here (Quantity::MAX, a count no cell holds);
    // it is now the checked sum.
    assert!(matches!(big.inbound(), Err(CoreError::QuantityOverflow { .. })));
    let mut negative = small.clone();
    negative.afn_inbound_working = Some(Quantity::MIN.checked_add(Quantity::new(1)).unwrap());
    negative.afn_inbound_shipped = Some(Quantity::new(-5));
    assert!(negative.inbound().is_err());
    assert!(big.stock_records(&fba, day(2026, 3, 31)).is_err());
    let mut unsellable = small.clone();
    unsellable.afn_unsellable = Some(Quantity::MAX);
    unsellable.afn_researching = Some(Quantity::new(1));
    assert!(unsellable.stock_records(&fba, day(2026, 3, 31)).is_err());
}

/// A total cell of `0` read as a blank one: both were zero, and a
/// caller could only check totals that were not zero, so a row claiming
/// 0 in the warehouse and 0 in total while holding 7 fulfillable and 5
/// inbound passed. Blank or absent totals are now `None` and a `0` is
/// checked: each total cell given must match its parts.
#[test]
fn inventory_total_cells_of_zero_are_checked_blank_ones_are_not() {
    let file = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-total-quantity\t\
                afn-inbound-shipped-quantity\n\
                A\t0\t7\t0\t5\n\
                B\t\t7\t\t5\n\
                C\t7\t7\t0\t5\n\
                D\t\t7\t12\t5\n\
                E\t\t7\t11\t5\n\
                F\t0\t0\t0\t0\n";
    let rows: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
    let a = &rows[0];
    assert_eq!((a.afn_warehouse, a.afn_total), (Some(Quantity::ZERO), Some(Quantity::ZERO)));
    assert!(!a.totals_agree());
    let b = &rows[1];
    assert_eq!((b.afn_warehouse, b.afn_total), (None, None));
    assert!(b.totals_agree());
    // The warehouse agrees, the total of 0 does not.
    assert!(!rows[2].totals_agree());
    // Without a warehouse cell the total is checked against the parts.
    assert!(rows[3].totals_agree());
    assert!(!rows[4].totals_agree());
    assert!(rows[5].totals_agree());

    let old = "sku\tafn-fulfillable-quantity\nW\t7\n";
    let row = InventoryReader::new(old.as_bytes()).unwrap().next().unwrap().unwrap();
    assert_eq!((row.afn_warehouse, row.afn_total), (None, None));
    assert!(row.totals_agree());
}

#[test]
fn inventory_rows_whose_sums_leave_64_bits_are_refused_naming_the_column() {
    let max = i64::MAX;
    let file = format!(
        "sku\tafn-fulfillable-quantity\tafn-unsellable-quantity\tafn-inbound-working-quantity\t\
         afn-inbound-shipped-quantity\tafn-inbound-receiving-quantity\tafn-researching-quantity\n\
         A\t1\t0\t{max}\t{max}\t0\t0\n\
         B\t1\t0\t{max}\t0\t1\t0\n\
         C\t1\t{max}\t0\t0\t0\t1\n\
         D\t1\t0\t{max}\t0\t0\t{max}\n"
    );
    let mut reader = InventoryReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().collect();
    let columns: Vec<_> = rows[..3]
        .iter()
        .map(|r| match r {
            Err(e @ ReadError::InvalidValue { .. }) => (e.line(), e.column().unwrap()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        columns,
        [
            (2, "afn-inbound-shipped-quantity"),
            (3, "afn-inbound-receiving-quantity"),
            (4, "afn-researching-quantity")
        ]
    );
    let message = rows[0].as_ref().unwrap_err().to_string();
    assert!(message.contains("does not fit in 64 bits"), "{message}");
    // The reader goes on: a row whose sums fit is read, inbound exact.
    let last = rows[3].as_ref().unwrap();
    assert_eq!(last.inbound().unwrap(), Quantity::MAX);
    assert_eq!(reader.stats().row_errors, 3);
}

/// A blank `afn-fulfillable-quantity` read as 0, the same as a written
/// `0`, so a caller could not tell unknown units free to sell from none.
/// Every quantity cell is now `None` when blank or absent.
#[test]
fn a_blank_fulfillable_cell_is_none_and_a_written_zero_is_some() {
    let file = "sku\tmfn-fulfillable-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\t\
                afn-reserved-quantity\tafn-inbound-working-quantity\tafn-inbound-shipped-quantity\t\
                afn-inbound-receiving-quantity\tafn-researching-quantity\n\
                BLANK\t\t\t\t\t\t\t\t\n\
                ZERO\t0\t0\t0\t0\t0\t0\t0\t0\n\
                SOME\t1\t2\t3\t4\t5\t6\t7\t8\n";
    let rows: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
    let cells = |r: &merchantry_amazon::InventoryRow| {
        [
            r.mfn_fulfillable,
            r.afn_fulfillable,
            r.afn_unsellable,
            r.afn_reserved,
            r.afn_inbound_working,
            r.afn_inbound_shipped,
            r.afn_inbound_receiving,
            r.afn_researching,
        ]
    };
    assert_eq!(cells(&rows[0]), [None; 8]);
    assert_eq!(cells(&rows[1]), [Some(Quantity::ZERO); 8]);
    assert_eq!(cells(&rows[2]), [1, 2, 3, 4, 5, 6, 7, 8].map(|q| Some(Quantity::new(q))));
    // The sums count a blank as zero, as they did.
    let fba = LocationId::new("FBA-US").unwrap();
    for row in &rows[..2] {
        assert_eq!(row.inbound().unwrap(), Quantity::ZERO);
        assert!(row.totals_agree());
        assert!(row.stock_records(&fba, day(2026, 3, 7)).unwrap().is_empty());
    }
    // A column the header lacks is `None` too.
    let short = "sku\tafn-fulfillable-quantity\nW\t0\n";
    let row = InventoryReader::new(short.as_bytes()).unwrap().next().unwrap().unwrap();
    assert_eq!((row.afn_fulfillable, row.afn_reserved), (Some(Quantity::ZERO), None));
    assert_eq!((row.mfn_fulfillable, row.afn_inbound_shipped), (None, None));
}

/// An absent optional column and a blank cell both read as `None`: a
/// caller told them apart by reading the header line again itself. The
/// reader says which columns its header has, under any spelling.
#[test]
fn a_reader_says_which_columns_its_header_has() {
    let file = "Seller SKU,AFN Fulfillable Quantity,afn_inbound_shipped_quantity\nW,1,\n";
    let mut reader = InventoryReader::new(file.as_bytes()).unwrap();
    assert!(reader.has_column("sku") && reader.has_column("afn-fulfillable-quantity"));
    assert!(reader.has_column("afn-inbound-shipped-quantity"));
    assert!(!reader.has_column("afn-inbound-working-quantity"));
    assert!(!reader.has_column("afninboundshippedquantity")); // canonical names only
    let row = reader.next().unwrap().unwrap();
    assert_eq!((row.afn_inbound_shipped, row.afn_inbound_working), (None, None));
}

/// A row error named line and column but not the row's SKU, so a
/// caller that refuses the SKU of an unreadable row read the file again
/// as raw text to find it. The error now carries it; the message is
/// unchanged.
#[test]
fn an_unreadable_inventory_row_carries_its_sku() {
    let file = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-reserved-quantity\n\
                W\t105\t1OO\t3\n\
                V\t5\t5\t-\n\
                U\t1\n\
                T\t1\t1\t0\n";
    let mut reader = InventoryReader::new(file.as_bytes()).unwrap();
    let read: Vec<_> = reader.by_ref().collect();
    let err = read[0].as_ref().unwrap_err();
    assert!(matches!(
        err,
        ReadError::InvalidQuantity { line: 2, column: "afn-fulfillable-quantity", .. }
    ));
    assert_eq!(err.sku().map(|s| s.as_str()), Some("W"));
    assert_eq!(
        err.to_string(),
        "manage FBA inventory: line 2, column \"afn-fulfillable-quantity\": \"1OO\" is not a \
         whole number from -9223372036854775807 to 9223372036854775807"
    );
    let err = read[1].as_ref().unwrap_err();
    assert_eq!(
        (err.line(), err.column(), err.sku().map(|s| s.as_str())),
        (3, Some("afn-reserved-quantity"), Some("V"))
    );
    // A short row: its cells are out of line with the header, so the
    // cell at the SKU's place is no SKU it can vouch for.
    let err = read[2].as_ref().unwrap_err();
    assert!(matches!(err, ReadError::FieldCount { line: 4, expected: 4, found: 2, .. }));
    assert_eq!(err.sku(), None);
    assert_eq!(read[3].as_ref().unwrap().sku.as_str(), "T");
    assert_eq!(reader.stats().row_errors, 3);
}

/// The SKU given with a row error is the row's own cell, read as the
/// reader reads a SKU: a blank cell, one that is no id and one that is
/// not UTF-8 give none, whether the error is in that cell or another.
#[test]
fn an_unreadable_row_whose_sku_cell_is_blank_or_bad_carries_no_sku() {
    let text = [
        &b"sku\tafn-fulfillable-quantity\n"[..],
        b"\t7\n",        // the SKU cell blank: the error is the SKU's
        b"  \t1OO\n",    // blank SKU, bad fulfillable: the first error is the SKU's
        b"A\x07B\t7\n",  // a control character: no id
        b"\xFFW\t7\n",   // not UTF-8
        b"\xFFW\t1OO\n", // not UTF-8, and a bad fulfillable
        b" W \t1OO\n",   // trimmed, as the reader reads it
    ]
    .concat();
    let read: Vec<_> = InventoryReader::new(&text[..]).unwrap().collect();
    let got: Vec<_> = read
        .iter()
        .map(|r| {
            let e = r.as_ref().unwrap_err();
            (e.line(), e.column().unwrap(), e.sku().map(|s| s.as_str().to_owned()))
        })
        .collect();
    assert_eq!(
        got,
        [
            (2, "sku", None),
            (3, "sku", None),
            (4, "sku", None),
            (5, "sku", None),
            (6, "sku", None),
            (7, "afn-fulfillable-quantity", Some("W".to_owned())),
        ]
    );
    assert!(matches!(read[0], Err(ReadError::MissingValue { .. })));
    assert!(matches!(read[2], Err(ReadError::InvalidValue { .. })));
    assert!(matches!(read[3], Err(ReadError::InvalidUtf8 { .. })));
}

/// A caller that looked an unreadable row's SKU up on the raw text,
/// split at line breaks, took it from the wrong line after a quoted
/// cell holding a line break: the reader counts each `\n`, `\r\n` and
/// lone `\r`, inside quotes too, so its row on line 5 is the raw split's
/// line 4 or 5. The SKU now comes from the parsed record itself.
#[test]
fn a_quoted_line_break_before_a_bad_row_leaves_its_sku_right() {
    for title in ["\"Vase\nBlue\"", "\"Vase\rBlue\"", "\"Vase\r\nBlue\""] {
        let file = format!(
            "sku\tproduct-name\tafn-fulfillable-quantity\n\
             A\tAlpha\t1\n\
             V\t{title}\t5\n\
             W\tWidget\t1OO\n\
             X\tX-ray\t\n"
        );
        let read: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().collect();
        assert_eq!(read[1].as_ref().unwrap().sku.as_str(), "V", "{title:?}");
        let err = read[2].as_ref().unwrap_err();
        assert_eq!(
            (err.line(), err.column(), err.sku().map(|s| s.as_str())),
            (5, Some("afn-fulfillable-quantity"), Some("W")),
            "{title:?}"
        );
        // The blank fulfillable cell is on the row after it.
        let x = read[3].as_ref().unwrap();
        assert_eq!((x.sku.as_str(), x.line, x.afn_fulfillable), ("X", 6, None), "{title:?}");
    }
}

/// Tester (M1): a row with the wrong number of cells gave the cell at
/// the SKU column's place as its SKU. A lone `\r` in an unquoted title
/// ends a record, so `A..Mu` (4 cells) and `g..5` (5 cells) are two
/// short rows, and the second named SKU `g`, a piece of the title; a row
/// with a stray cell before its SKU named the stray cell (`ZZ`). A
/// `FieldCount` error now carries no SKU; its message is unchanged.
#[test]
fn a_row_whose_cells_do_not_line_up_names_no_sku() {
    let head = "sku\tfnsku\tasin\tproduct-name\tafn-warehouse-quantity\t\
                afn-fulfillable-quantity\tafn-reserved-quantity\tafn-total-quantity\n";
    let file = format!("{head}A\tX1\tB01\tMu\rg\t5\tz\t1\t5\nB\tX2\tB02\tCup\t5\t4\t1\t5\n");
    let read: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().collect();
    let errors: Vec<_> = read[..2]
        .iter()
        .map(|r| {
            let e = r.as_ref().unwrap_err();
            (e.to_string(), e.sku().map(|s| s.as_str().to_owned()))
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("manage FBA inventory: line 2: row has 4 cells, header has 8".to_owned(), None),
            ("manage FBA inventory: line 3: row has 5 cells, header has 8".to_owned(), None),
        ]
    );
    assert_eq!(read[2].as_ref().unwrap().sku.as_str(), "B");
    // The SKU column last, a stray cell before it: the SKU's place
    // holds `ZZ`.
    let file = "fnsku\tafn-fulfillable-quantity\tsku\nX1\t4\tZZ\tA\n";
    let err = InventoryReader::new(file.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::FieldCount { line: 2, expected: 3, found: 4, .. }));
    assert_eq!(err.sku(), None);
}

/// Tester: a title opened with a quote and closed in a later row runs
/// on to that quote, taking the rows between in with it: one row of the
/// wrong length, whose error said only "row has 10 cells". A row whose
/// quoted cell holds a line break now says its closing quote may be
/// missing; a row on one line does not. (A quote never closed runs to the
/// end of the input, which then ends inside a quoted cell: `Truncated`.)
#[test]
fn a_short_row_running_over_a_line_break_says_a_quote_may_be_unclosed() {
    let head = "sku\tfnsku\tasin\tproduct-name\tafn-warehouse-quantity\t\
                afn-fulfillable-quantity\tafn-reserved-quantity\tafn-total-quantity\n";
    let file = format!("{head}A\tX1\tB01\t\"Mug\t5\t4\t1\t5\nB\tX2\tB02\tCup\t5\t4\t1\t5\n");
    let read: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().collect();
    assert_eq!(read.len(), 1);
    let err = read[0].as_ref().unwrap_err();
    assert!(matches!(err, ReadError::Truncated { line: 2, cut: Cut::InsideQuotes, .. }));
    // Closed in B's second cell (`X2"`): one row of A's 3 cells, the
    // quoted one, and B's 6 after it, 10 cells; then C's row.
    let file = format!(
        "{head}A\tX1\tB01\t\"Mug\t5\t4\t1\t5\nB\tX2\"\tB02\tCup\t5\t4\t1\t5\n\
         C\tX3\tB03\tPot\t5\t4\t1\t5\n"
    );
    let read: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().collect();
    let err = read[0].as_ref().unwrap_err();
    assert!(
        matches!(err, ReadError::FieldCount { line: 2, found: 10, quoted_line_break: true, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "manage FBA inventory: line 2: row has 10 cells, header has 8; a quoted cell runs over \
         a line break: if its closing quote is missing, the lines after it were read into \
         this row"
    );
    assert_eq!((read[1].as_ref().unwrap().sku.as_str(), read[1].as_ref().unwrap().line), ("C", 4));
    // A short row on one line: the message as before.
    let file = format!("{head}A\tX1\tB01\n");
    let err = InventoryReader::new(file.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::FieldCount { quoted_line_break: false, .. }));
    assert_eq!(err.to_string(), "manage FBA inventory: line 2: row has 3 cells, header has 8");
}

/// A title opening with a quote it does not close (`"Best Mug`,
/// unquoted text in a tab-separated report) ran on to the next quote, here in C's title, in
/// the same column: one record of A's first 3 cells, the long cell, and
/// C's 4 after its title, 8 cells as the header has. It read as A's row
/// with C's quantities, and B's and C's rows were lost without a word.
/// A cell that runs over a line break holding a row's worth of
/// delimiters now refuses its row as `OpenQuote`; the rows after it read
/// on.
#[test]
fn a_quote_left_open_into_the_same_column_of_a_later_row_refuses_the_row() {
    let head = "sku\tfnsku\tasin\tproduct-name\tafn-warehouse-quantity\t\
                afn-fulfillable-quantity\tafn-reserved-quantity\tafn-total-quantity\n";
    for eol in ["\n", "\r\n"] {
        let file = format!(
            "{head}A\tX1\tB01\t\"Best Mug\t5\t4\t1\t5{eol}B\tX2\tB02\tCup\t9\t8\t1\t9{eol}\
             C\tX3\tB03\tPan 12\"\t7\t6\t1\t7{eol}D\tX4\tB04\tPot\t3\t2\t1\t3{eol}"
        );
        let read: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().collect();
        assert_eq!(read.len(), 2, "{eol:?}");
        let err = read[0].as_ref().unwrap_err();
        assert!(
            matches!(err, ReadError::OpenQuote { line: 2, cell: 4, lines: 3, delimiters: 14, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "manage FBA inventory: line 2: cell 4 is quoted and runs over 3 lines holding 14 \
             delimiters, a row's worth or more: its closing quote is likely missing, and the \
             rows up to the next quote were read into it"
        );
        assert_eq!((err.line(), err.sku(), err.column()), (2, None, None));
        let d = read[1].as_ref().unwrap();
        assert_eq!((d.sku.as_str(), d.line), ("D", 5), "{eol:?}");
    }
    // A quoted title wrapped over two lines, with no delimiter in it,
    // reads as it is; so does one holding fewer delimiters than a row.
    for title in ["\"Mug\nBlue\"", "\"Mug\tset\nof\ttwo\""] {
        let file = format!("{head}A\tX1\tB01\t{title}\t5\t4\t1\t5\nB\tX2\tB02\tCup\t9\t8\t1\t9\n");
        let read: Vec<_> = InventoryReader::new(file.as_bytes()).unwrap().collect();
        let a = read[0].as_ref().unwrap();
        assert_eq!((a.sku.as_str(), a.afn_fulfillable), ("A", Some(Quantity::new(4))), "{title:?}");
        assert_eq!(read[1].as_ref().unwrap().sku.as_str(), "B");
    }
}

/// Tester: in a ledger detail download that quotes every cell, a title
/// wrapped over two lines and holding more commas than a row was refused
/// as `OpenQuote`, and its shipment lost. In such a file a quote left open
/// ends at the next cell's opening quote and takes in no row, so a file
/// whose header and first row quote every cell is not checked for it. A
/// quoted header alone is not enough (tester, high): rows quoted only
/// where a cell needs it let a quote left open take in the rows after
/// it, and three rows read as one with no error.
#[test]
fn a_long_wrapped_title_in_a_file_that_quotes_every_cell_reads() {
    let head = "\"Date\",\"FNSKU\",\"ASIN\",\"MSKU\",\"Title\",\"Event Type\",\"Reference ID\",\
                \"Quantity\",\"Fulfillment Center\",\"Disposition\",\"Reason\",\"Country\"\n";
    let title = "\"Mug, 12 oz, white, ceramic, dishwasher safe,\nmicrowave safe, set of 4, gift box, \
                 red, blue, green, yellow\"";
    for bom in ["", "\u{feff}"] {
        let file = format!(
            "{bom}{head}\"03/02/2026\",\"X1\",\"B01\",\"MUG\",{title},\"Shipments\",\"111-1\",\"-3\",\
             \"ABE2\",\"SELLABLE\",\"\",\"US\"\n\
             \"03/03/2026\",\"X1\",\"B01\",\"MUG\",\"Mug\",\"Shipments\",\"111-2\",\"-2\",\"ABE2\",\
             \"SELLABLE\",\"\",\"US\"\n"
        );
        let rows: Vec<LedgerDetailRow> = LedgerDetailReader::new(file.as_bytes())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{bom:?}: {e}"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].quantity, Quantity::new(-3));
        assert!(rows[0].title.contains("\nmicrowave safe"), "{:?}", rows[0].title);
    }
    // Unquoted, the same text read past a stray opening quote is refused.
    let file = format!(
        "{}\
         03/02/2026,X1,B01,MUG,\"Mug,Shipments,111-1,-3,ABE2,SELLABLE,,US\n\
         03/03/2026,X1,B01,MUG,Mug 12\",Shipments,111-2,-2,ABE2,SELLABLE,,US\n",
        head.replace('"', "")
    );
    let err = LedgerDetailReader::new(file.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::OpenQuote { line: 2, cell: 5, lines: 2, .. }), "{err:?}");
    // A quoted header over rows quoted only where needed is checked.
    let head = "\"Date\",\"FNSKU\",\"MSKU\",\"Title\",\"Event Type\",\"Quantity\",\
                \"Fulfillment Center\",\"Disposition\"\n";
    for bom in ["", "\u{feff}"] {
        let file = format!(
            "{bom}{head}03/01/2026,X1,W,\"Mug, blue,Receipts,48,ABE2,SELLABLE\n\
             03/02/2026,X1,W,Mug,Shipments,-3,ABE2,SELLABLE\n\
             03/03/2026,X1,W,Mug,Shipments,-2,ABE2,SELLABLE\n\
             03/04/2026,X1,W,\"Mug\",Shipments,-5,ABE2,SELLABLE\n"
        );
        let read: Vec<_> = LedgerDetailReader::new(file.as_bytes()).unwrap().collect();
        assert_eq!(read.len(), 1, "{bom:?}");
        let err = read[0].as_ref().unwrap_err();
        assert!(matches!(err, ReadError::OpenQuote { line: 2, cell: 4, lines: 4, .. }), "{err:?}");
    }
}

/// Tester (L2): a negative quantity cell of the Manage FBA Inventory
/// report was read as written: fulfillable `-4` gave `Some(-4)`, only
/// `totals_agree` said anything, and `stock_records` gave a Sellable
/// record of -4. The report counts units held, and Amazon documents no
/// negative count in it: each quantity cell below zero now refuses its
/// row as `NegativeValue`, naming line and column and carrying the
/// row's SKU, as the storage fee reader refuses a negative volume.
/// `-0` is zero.
#[test]
fn a_negative_inventory_quantity_is_refused_naming_its_column() {
    let columns = [
        "mfn-fulfillable-quantity",
        "afn-warehouse-quantity",
        "afn-fulfillable-quantity",
        "afn-unsellable-quantity",
        "afn-reserved-quantity",
        "afn-total-quantity",
        "afn-inbound-working-quantity",
        "afn-inbound-shipped-quantity",
        "afn-inbound-receiving-quantity",
        "afn-researching-quantity",
    ];
    let mut file = format!("sku\t{}\n", columns.join("\t"));
    for negative in 0..columns.len() {
        let cells: Vec<&str> =
            (0..columns.len()).map(|i| if i == negative { "-4" } else { "0" }).collect();
        file.push_str(&format!("W{negative}\t{}\n", cells.join("\t")));
    }
    file.push_str(&format!("Z\t{}\n", ["-0"; 10].join("\t")));
    let mut reader = InventoryReader::new(file.as_bytes()).unwrap();
    let read: Vec<_> = reader.by_ref().collect();
    for (i, column) in columns.iter().enumerate() {
        let err = read[i].as_ref().unwrap_err();
        let line = i as u64 + 2;
        assert!(
            matches!(err, ReadError::NegativeValue { line: l, column: c, value, .. }
                if *l == line && c == column && *value == rust_decimal::Decimal::from(-4)),
            "{err}"
        );
        assert_eq!(err.sku().map(|s| s.as_str().to_owned()), Some(format!("W{i}")));
        assert!(!err.is_fatal());
    }
    let zero = read[10].as_ref().unwrap();
    assert_eq!((zero.sku.as_str(), zero.afn_fulfillable), ("Z", Some(Quantity::ZERO)));
    assert_eq!((reader.stats().rows, reader.stats().row_errors), (1, 10));

    // The tester's row, and its message.
    let file = "sku\tfnsku\tasin\tproduct-name\tafn-warehouse-quantity\t\
                afn-fulfillable-quantity\tafn-reserved-quantity\tafn-total-quantity\n\
                A\tX1\tB01\tMug\t5\t-4\t1\t5\n";
    let err = InventoryReader::new(file.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "manage FBA inventory: line 2, column \"afn-fulfillable-quantity\": -4 is negative, \
         expected zero or more"
    );
    assert_eq!(err.sku().map(|s| s.as_str()), Some("A"));
}

/// Every reader with a SKU column gives it with its row errors; one
/// without gives none.
#[test]
fn row_errors_carry_the_sku_of_readers_that_have_one() {
    let detail = "Date,FNSKU,MSKU,Event Type,Quantity,Fulfillment Center,Disposition\n\
                  03/01/2026,X00W,W,Receipts,4x,ABE2,SELLABLE\n";
    let err = LedgerDetailReader::new(detail.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert_eq!((err.column(), err.sku().map(|s| s.as_str())), (Some("Quantity"), Some("W")));
    let orders = format!("{ORDERS_HEAD}111-1\t2026-03-01T10:00:00+00:00\tShipped\tW\tzz\n");
    let err = OrdersReader::new(orders.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert_eq!((err.column(), err.sku().map(|s| s.as_str())), (Some("quantity"), Some("W")));
    let storage = "asin\tfnsku\tfulfillment_center\tcountry_code\taverage_quantity_on_hand\t\
                   estimated_total_item_volume\tmonth_of_charge\tstorage_rate\tcurrency\t\
                   estimated_monthly_storage_fee\n\
                   B0TEST0001\tX00W\tABE2\tUS\t1\t1\t2026-03\t0.87\tUSD\tzz\n";
    let err = StorageFeeReader::new(storage.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert_eq!(err.column(), Some("estimated_monthly_storage_fee"));
    assert_eq!(err.sku(), None);
    // A file error names no row, so no SKU.
    let err = InventoryReader::new("sku\n".as_bytes()).err().unwrap();
    assert_eq!(err.sku(), None);
}

#[test]
fn synthetic_snapshot_matches_the_ledger_end_of_week() {
    let rows: Vec<_> =
        InventoryReader::new(&data("synthetic_fba_myi_unsuppressed_inventory.tsv")[..])
            .unwrap()
            .map(Result::unwrap)
            .collect();
    assert_eq!(rows.len(), 1);
    let myi = &rows[0];
    assert!(myi.totals_agree());
    // warehouse 135 = 130 + 1 + 4; total 231 = 135 + 24 + 60 + 12.
    assert_eq!(myi.afn_warehouse, Some(Quantity::new(135)));
    assert_eq!(myi.inbound().unwrap(), Quantity::new(96));
    assert_eq!(myi.mfn_fulfillable, None); // blank cell

    let summary: Vec<_> = LedgerSummaryReader::new(&data("synthetic_ledger_summary_view.csv")[..])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let fba = LocationId::new("FBA-US").unwrap();
    let end = day(2026, 3, 31);
    let ledger = summary_snapshot(&summary, &fba).unwrap();
    let snapshot = myi.stock_records(&fba, end).unwrap();
    let sku = &myi.sku;
    // Ledger sellable 134 = fulfillable 130 + reserved 4.
    let on_shelf = snapshot.total(sku, Disposition::Sellable, end).get()
        + snapshot.total(sku, Disposition::Reserved, end).get();
    assert_eq!(on_shelf, ledger.total(sku, Disposition::Sellable, end).get());
    // Ledger unsellable (customer-damaged 1 + warehouse-damaged 0) = 1.
    assert_eq!(
        snapshot.total(sku, Disposition::Unsellable, end),
        ledger.total(sku, Disposition::Unsellable, end)
    );
    assert_eq!(snapshot.total(sku, Disposition::Inbound, end), Quantity::new(96));
}

// ---- airbyte fixtures: real headers, placeholder rows -----------------

#[test]
fn airbyte_ledger_detail_header_without_spaces_is_accepted() {
    let bytes = data("airbyte_GET_LEDGER_DETAIL_VIEW_DATA.tsv");
    let mut reader = LedgerDetailReader::new(&bytes[..]).unwrap();
    let results: Vec<_> = reader.by_ref().collect();
    assert_eq!(results.len(), 2);
    for (i, r) in results.iter().enumerate() {
        match r {
            Err(ReadError::InvalidQuantity { line, column: "Quantity", value, .. }) => {
                assert_eq!(*line, i as u64 + 2);
                assert_eq!(value, "Quantity");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(reader.stats().row_errors, 2);
    assert!(stats_add_up(reader.stats()));
}

#[test]
fn airbyte_summary_header_is_accepted() {
    let bytes = data("airbyte_GET_LEDGER_SUMMARY_VIEW_DATA.tsv");
    let reader = LedgerSummaryReader::new(&bytes[..]);
    let errors: Vec<_> = reader.unwrap().filter_map(Result::err).collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].column(), Some("Starting Warehouse Balance"));
}

#[test]
fn airbyte_repeated_headers_are_skipped_and_counted() {
    let myi = data("airbyte_GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA.tsv");
    let mut r = InventoryReader::new(&myi[..]).unwrap();
    assert!(r.next().is_none());
    assert_eq!(r.stats().skipped(&SkipReason::RepeatedHeader), 2);

    let pay = data("airbyte_GET_FBA_REIMBURSEMENTS_DATA.tsv");
    let mut r = ReimbursementReader::new(&pay[..]).unwrap();
    assert!(r.next().is_none());
    assert_eq!(r.stats().skipped(&SkipReason::RepeatedHeader), 2);

    let orders = data("airbyte_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE.tsv");
    let mut r = OrdersReader::new(&orders[..]).unwrap();
    assert!(r.next().is_none());
    assert_eq!(r.stats().skipped(&SkipReason::RepeatedHeader), 2);
    assert!(stats_add_up(r.stats()));
}

// ---- orders and demand by channel -------------------------------------

#[test]
fn orders_fold_into_demand_by_channel() {
    let file = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\titem-status\tquantity\tcurrency\titem-price\tis-replacement-order\n\
                111-1\t2026-03-01T10:00:00+00:00\tShipped\tAmazon\tAmazon.com\tW\tShipped\t2\tUSD\t39.98\tfalse\n\
                111-2\t2026-03-01T11:00:00+00:00\tShipped\tAmazon\tAmazon.com\tW\tShipped\t1\tUSD\t19.99\tfalse\n\
                111-3\t2026-03-01T12:00:00+00:00\tCancelled\tAmazon\tAmazon.com\tW\tCancelled\t5\tUSD\t0\tfalse\n\
                111-4\t2026-03-02T12:00:00+00:00\tShipped\tAmazon\tAmazon.com\tW\tShipped\t1\tUSD\t0\ttrue\n\
                S-1\t2026-03-02T09:00:00+00:00\tShipped\tAmazon\tNon-Amazon\tW\tShipped\t3\t\t\tfalse\n\
                111-5\t2026-03-02T13:00:00+00:00\tPending\tMerchant\tAmazon.ca\tW\tUnshipped\t4\tCAD\t80.00\tfalse\n";
    let mut demand = DemandByChannel::default();
    let mut counted = 0;
    for line in OrdersReader::new(file.as_bytes()).unwrap() {
        counted += usize::from(demand.add(&line.unwrap()).unwrap());
    }
    // The cancelled order and the free replacement are not demand.
    assert_eq!(counted, 4);
    let names: Vec<_> = demand.channels().iter().map(ToString::to_string).collect();
    assert_eq!(names, ["Amazon.ca", "Amazon.com", "Non-Amazon"]);
    let com = demand.records(&"Amazon.com".parse().unwrap());
    assert_eq!(com.len(), 1);
    assert_eq!((com[0].date, com[0].units), (day(2026, 3, 1), Quantity::new(3))); // 2 + 1
    assert_eq!(demand.records(&"Non-Amazon".parse().unwrap())[0].units, Quantity::new(3));
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

/// Rows kept only the day of a date-time cell; they now carry the
/// instant too, with the offset as written, and `None` where the cell
/// has no time or no zone.
#[test]
fn order_and_reimbursement_rows_carry_their_instant() {
    let file = "amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\n\
                111-1\t2026-03-01T22:30:00-08:00\tShipped\tW\t1\n\
                111-2\t2026-03-01\tShipped\tW\t1\n\
                111-3\tMar 1, 2026 10:30:00 PM PST\tShipped\tW\t1\n";
    let lines: Vec<_> = OrdersReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
    // 22:30 at -08:00 is 06:30 UTC the next day; the day stays as written.
    assert_eq!(lines[0].purchase_date, day(2026, 3, 1));
    let at = lines[0].purchased_at.unwrap();
    assert_eq!(at.to_utc(), utc(2026, 3, 2, 6, 30, 0));
    assert_eq!(at.offset().local_minus_utc(), -8 * 3600);
    assert_eq!(lines[1].purchased_at, None);
    assert_eq!(lines[2].purchase_date, day(2026, 3, 1));
    assert_eq!(lines[2].purchased_at.map(|a| a.to_utc()), Some(utc(2026, 3, 2, 6, 30, 0)));

    let pay = "approval-date\treimbursement-id\treason\tcurrency-unit\tamount-total\n\
               2023-07-18T22:54:07+00:00\t1\tLost_Warehouse\tUSD\t12.50\n\
               2023-07-18\t2\tLost_Warehouse\tUSD\t12.50\n";
    let rows: Vec<_> =
        ReimbursementReader::new(pay.as_bytes()).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows[0].approved_at.map(|a| a.to_utc()), Some(utc(2023, 7, 18, 22, 54, 7)));
    assert_eq!(rows[1].approved_at, None);
    assert_eq!(rows[1].approval_date, day(2023, 7, 18));
}

/// The reader dropped `last-updated-date`, so a caller holding two
/// downloads of one order could not tell which state is newer. It now
/// comes with the line, day and instant; a blank cell, a placeholder
/// without digits or an absent column is `None`, and a cell that is no
/// date refuses the line as a bad purchase date does.
#[test]
fn order_lines_carry_their_last_updated_date() {
    let file = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tsku\tquantity\n\
                111-1\t2026-03-01T10:00:00+00:00\t2026-03-04T08:15:00-08:00\tCancelled\tW\t1\n\
                111-2\t2026-03-01T10:00:00+00:00\t2026-03-02\tShipped\tW\t1\n\
                111-3\t2026-03-01T10:00:00+00:00\t\tShipped\tW\t1\n\
                111-4\t2026-03-01T10:00:00+00:00\tN/A\tShipped\tW\t1\n\
                111-5\t2026-03-01T10:00:00+00:00\t2026-13-45T00:00:00+00:00\tShipped\tW\t1\n\
                111-6\t2026-03-01T10:00:00+00:00\t2026-03-02T10:00:00\tShipped\tW\t1\n";
    let mut reader = OrdersReader::new(file.as_bytes()).unwrap();
    let lines: Vec<_> = reader.by_ref().collect();
    let first = lines[0].as_ref().unwrap();
    assert_eq!(first.last_updated_date, Some(day(2026, 3, 4)));
    assert_eq!(first.last_updated_at.map(|a| a.to_utc()), Some(utc(2026, 3, 4, 16, 15, 0)));
    let second = lines[1].as_ref().unwrap();
    assert_eq!((second.last_updated_date, second.last_updated_at), (Some(day(2026, 3, 2)), None));
    for blank in [&lines[2], &lines[3]] {
        let blank = blank.as_ref().unwrap();
        assert_eq!((blank.last_updated_date, blank.last_updated_at), (None, None));
    }
    assert!(matches!(
        &lines[4],
        Err(e @ ReadError::InvalidDate { line: 6, .. }) if e.column() == Some("last-updated-date")
    ));
    assert!(matches!(
        &lines[5],
        Err(e @ ReadError::InvalidTimestamp { line: 7, .. })
            if e.column() == Some("last-updated-date")
    ));
    assert_eq!(reader.stats().row_errors, 2);

    // Exports without the column read as before.
    let old = "amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\n\
               111-1\t2026-03-01T10:00:00+00:00\tShipped\tW\t1\n";
    let line = OrdersReader::new(old.as_bytes()).unwrap().next().unwrap().unwrap();
    assert_eq!((line.last_updated_date, line.last_updated_at), (None, None));
}

/// The settlement sample's period, deposit and posting times as
/// instants.
#[test]
fn settlement_rows_carry_period_deposit_and_posting_instants() {
    let rows: Vec<_> = SettlementReader::new(&data("synthetic_settlement_v2_march.tsv")[..])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let summary = &rows[0];
    assert_eq!(summary.period_start.map(|a| a.to_utc()), Some(utc(2026, 3, 1, 0, 0, 0)));
    assert_eq!(summary.period_end.map(|a| a.to_utc()), Some(utc(2026, 3, 31, 23, 59, 59)));
    assert_eq!(summary.deposited_at.map(|a| a.to_utc()), Some(utc(2026, 4, 2, 0, 0, 0)));
    // `posted-date` is a bare day; `posted-date-time` gives the instant.
    let order = &rows[1];
    assert_eq!(order.posted, Some(day(2026, 3, 4)));
    assert_eq!(order.posted_at.map(|a| a.to_utc()), Some(utc(2026, 3, 4, 12, 0, 0)));
    assert!(rows.iter().skip(1).all(|r| r.posted_at.is_some() && r.period_start.is_none()));
}

// ---- UCI and SCMS slices ----------------------------------------------

#[test]
fn uci_slice_lines_and_daily_totals() {
    let bytes = data("uci_online_retail_slice.csv");
    let mut reader = UciRetailReader::new(&bytes[..]).unwrap();
    let lines: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 300);
    let count = |k| lines.iter().filter(|l| l.kind == k).count();
    let units = |k| lines.iter().filter(|l| l.kind == k).map(|l| l.quantity.get()).sum::<i64>();
    // Counted independently with a script over the slice.
    assert_eq!((count(RetailLineKind::Sale), units(RetailLineKind::Sale)), (290, 6642));
    assert_eq!(
        (count(RetailLineKind::Cancellation), units(RetailLineKind::Cancellation)),
        (8, -133)
    );
    assert_eq!(count(RetailLineKind::NonProduct), 2);
    assert_eq!(lines[0].unit_price.to_string(), "2.55");
    assert_eq!(lines[0].date, day(2010, 12, 1));
    assert_eq!(reader.stats().rows, 300);

    let mut daily = RetailDaily::default();
    for line in &lines {
        daily.add(line).unwrap();
    }
    assert_eq!(daily.non_product_lines(), 2);
    let heart = daily.days().find(|(sku, _, _)| sku.as_str() == "85123A").unwrap();
    assert_eq!(heart.2.sold, Quantity::new(120));
    let c_total: i64 = daily.days().map(|(_, _, d)| d.cancelled.get()).sum();
    assert_eq!(c_total, 133); // the C line on code D is non-product
    let demand = daily.demand_records().unwrap();
    let net: i64 = demand.iter().map(|r| r.units.get()).sum();
    assert_eq!(net, 6642 - 133);
}

#[test]
fn scms_slice_replenishments_and_skips() {
    let bytes = data("scms_delivery_history_slice.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let lines: Vec<_> = ScmsReader::new(&bytes[..]).unwrap().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 305);
    assert_eq!(lines[0].id, 1);
    assert_eq!(lines[0].country.as_str(), "Côte d'Ivoire");
    let first_po = lines.iter().find(|l| l.po_sent.is_some()).unwrap();
    assert_eq!(first_po.id, 47);
    assert_eq!(first_po.po_sent, Some(day(2006, 11, 13)));
    assert_eq!(first_po.scheduled, day(2007, 1, 30));
    assert_eq!(first_po.weight_kg.map(|w| w.to_string()), Some("643".into()));
    assert_eq!(first_po.freight_usd, None); // "Freight Included in Commodity Cost"

    let mut reps = ScmsReader::new(&bytes[..]).unwrap().replenishments();
    let all: Vec<_> = reps.by_ref().map(Result::unwrap).collect();
    // Counted independently: 150 usable lines, 15,456 days from PO to
    // delivery in total, delivered 72 days early in total.
    assert_eq!(all.len(), 150);
    assert_eq!(all.iter().map(|r| r.actual_days()).sum::<i64>(), 15_456);
    assert_eq!(all.iter().map(|r| r.variance_days()).sum::<i64>(), -72);
    let stats = reps.stats();
    assert_eq!(stats.skipped(&SkipReason::no_date("PO Sent to Vendor Date")), 150);
    assert_eq!(stats.skipped(&SkipReason::NoShipmentMode), 5);
    assert_eq!(stats.rows, 150);
    assert!(stats_add_up(&stats));
    assert_eq!(all[0].id.as_str(), "SCMS-165/47");
}

// ---- settlement (issue 11) -------------------------------------------

#[test]
fn airbyte_settlement_older_layout_maps_every_amount() {
    let bytes = data("airbyte_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE.tsv");
    let mut reader = SettlementReader::new(&bytes[..]).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].total.unwrap().to_string(), "1234.56 USD");
    assert!(rows[0].amounts.is_empty());
    let order = &rows[1];
    assert_eq!(order.transaction_type.as_deref(), Some("Order"));
    assert_eq!(order.posted, Some(day(2023, 1, 3)));
    let got: Vec<_> =
        order.amounts.iter().map(|a| (a.kind, a.name.as_str(), a.amount.to_string())).collect();
    assert_eq!(
        got,
        [
            (ChargeKind::Principal, "Principal", "19.99 USD".to_owned()),
            (ChargeKind::FulfillmentFee, "FBAPerUnitFulfillmentFee", "-3.22 USD".to_owned()),
        ]
    );
    assert!(reader.unknown_names().is_empty());
}

#[test]
fn settlement_v2_unknown_fee_names_are_reported_not_dropped() {
    let file = "settlement-id\tsettlement-start-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tsku\tquantity-purchased\tamount-type\tamount-description\tamount\tposted-date\n\
                9\t2026-03-01\t100.00\tUSD\t\t\t\t\t\t\t\t\n\
                9\t\t\tUSD\tOrder\t111-1\tW\t1\tItemPrice\tPrincipal\t25.00\t2026-03-02\n\
                9\t\t\tUSD\tOrder\t111-1\tW\t1\tItemFees\tCommission\t-3.75\t2026-03-02\n\
                9\t\t\tUSD\tOrder\t111-1\tW\t1\tItemFees\tFBAPerUnitFulfillmentFee\t-4.00\t2026-03-02\n\
                9\t\t\tUSD\tother-transaction\t\t\t\tother-transaction\tStorage Fee\t-1.25\t2026-03-03\n\
                9\t\t\tUSD\tother-transaction\t\t\t\tother-transaction\tGalactic Surcharge\t-0.50\t2026-03-03\n\
                9\t\t\tUSD\tother-transaction\t\t\t\tother-transaction\tGalactic Surcharge\t-0.50\t2026-03-04\n";
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let kinds: Vec<_> = rows.iter().flat_map(|r| r.amounts.iter().map(|a| a.kind)).collect();
    assert_eq!(
        kinds,
        [
            ChargeKind::Principal,
            ChargeKind::ReferralFee,
            ChargeKind::FulfillmentFee,
            ChargeKind::StorageFee,
            ChargeKind::Unknown,
            ChargeKind::Unknown,
        ]
    );
    // Nothing lost: 25.00 - 3.75 - 4.00 - 1.25 - 0.50 - 0.50 = 15.00.
    let sum: rust_decimal::Decimal =
        rows.iter().flat_map(|r| r.amounts.iter().map(|a| a.amount.amount())).sum();
    assert_eq!(sum.to_string(), "15.00");
    assert_eq!(reader.unknown_names().get("Galactic Surcharge"), Some(&2));
}

/// Amount names as Amazon writes them in settlement `amount-description`,
/// `*-fee-type` and `price-type` cells and in the reimbursement report's
/// `reason` column, with the kind each must get. The first block is the
/// names a substring match used to book as fees.
const NAMED_KINDS: &[(&str, ChargeKind)] = &[
    ("WAREHOUSE_DAMAGED", ChargeKind::Reimbursement),
    ("WAREHOUSE_DAMAGE", ChargeKind::Reimbursement),
    ("Damaged:Warehouse", ChargeKind::Reimbursement),
    ("Damaged_Warehouse", ChargeKind::Reimbursement),
    ("INBOUND_CARRIER_DAMAGE", ChargeKind::Reimbursement),
    ("MULTICHANNEL_ORDER_LOST", ChargeKind::Reimbursement),
    ("Missing From Inbound", ChargeKind::Reimbursement),
    ("SAFE-TReimbursement", ChargeKind::Reimbursement),
    ("SAFE-T Reimbursement", ChargeKind::Reimbursement),
    ("FREE_REPLACEMENT_REFUND_ITEMS", ChargeKind::Reimbursement),
    ("MISSING_FROM_INBOUND", ChargeKind::Reimbursement),
    ("Lost:Warehouse", ChargeKind::Reimbursement),
    ("Lost:Inbound", ChargeKind::Reimbursement),
    ("Damaged:Inbound", ChargeKind::Reimbursement),
    ("Lost_Warehouse", ChargeKind::Reimbursement),
    ("Lost_Inbound", ChargeKind::Reimbursement),
    ("Lost_Outbound", ChargeKind::Reimbursement),
    ("Damaged_Outbound", ChargeKind::Reimbursement),
    ("WAREHOUSE_LOST", ChargeKind::Reimbursement),
    ("WAREHOUSE_LOST_MANUAL", ChargeKind::Reimbursement),
    ("WAREHOUSE_DAMAGE_EXCEPTION", ChargeKind::Reimbursement),
    ("MISSING_FROM_INBOUND_CLAWBACK", ChargeKind::Reimbursement),
    ("REVERSAL_REIMBURSEMENT", ChargeKind::Reimbursement),
    ("Reimbursement_Reversal", ChargeKind::Reimbursement),
    ("COMPENSATED_CLAWBACK", ChargeKind::Reimbursement),
    ("INCORRECT_FEES_ITEMS", ChargeKind::Reimbursement),
    ("INCORRECT_FEES_NON_ITEMIZED", ChargeKind::Reimbursement),
    ("CS_ERROR_ITEMS", ChargeKind::Reimbursement),
    ("RE_EVALUATION", ChargeKind::Reimbursement),
    ("REMOVAL_ORDER_LOST", ChargeKind::Reimbursement),
    ("Removal_Order_Damaged", ChargeKind::Reimbursement),
    ("CustomerReturn", ChargeKind::Reimbursement),
    ("CUSTOMER_RETURN", ChargeKind::Reimbursement),
    ("CustomerServiceIssue", ChargeKind::Reimbursement),
    ("FeeCorrection", ChargeKind::Reimbursement),
    ("GeneralAdjustment", ChargeKind::Reimbursement),
    ("FBA Inventory Reimbursement", ChargeKind::Reimbursement),
    ("LostOrDamagedReimbursement", ChargeKind::Reimbursement),
    ("ReimbursementClawback", ChargeKind::Reimbursement),
    // Revenue.
    ("Principal", ChargeKind::Principal),
    ("ItemPrice", ChargeKind::Principal),
    ("Shipping", ChargeKind::ShippingCharge),
    ("ShippingChargeback", ChargeKind::ShippingCharge),
    ("GiftWrap", ChargeKind::GiftWrapCharge),
    ("GiftwrapChargeback", ChargeKind::GiftWrapCharge),
    ("Tax", ChargeKind::Tax),
    ("ShippingTax", ChargeKind::Tax),
    ("GiftWrapTax", ChargeKind::Tax),
    ("MarketplaceFacilitatorTax-Principal", ChargeKind::Tax),
    ("MarketplaceFacilitatorVAT-Shipping", ChargeKind::Tax),
    ("LowValueGoodsTax-Principal", ChargeKind::Tax),
    ("TaxWithheld", ChargeKind::Tax),
    // India: GST collected at source by the marketplace, and income tax
    // deducted at source (section 194-O), as taxes withheld.
    ("TCS-CGST", ChargeKind::Tax),
    ("TCS-SGST", ChargeKind::Tax),
    ("TCS-IGST", ChargeKind::Tax),
    ("TCS-UTGST", ChargeKind::Tax),
    ("TDS", ChargeKind::Tax),
    ("TDS - Section 194-O", ChargeKind::Tax),
    ("TDS (Section 194-O)", ChargeKind::Tax),
    // The tax part of a fee row (the fee is the row's amount type).
    ("Tax on fee", ChargeKind::Tax),
    ("PromotionDiscount", ChargeKind::Promotion),
    ("ShippingDiscount", ChargeKind::Promotion),
    // Fees.
    ("Commission", ChargeKind::ReferralFee),
    ("VariableClosingFee", ChargeKind::ReferralFee),
    ("FixedClosingFee", ChargeKind::ReferralFee),
    ("FBAPerUnitFulfillmentFee", ChargeKind::FulfillmentFee),
    ("FBAPerOrderFulfillmentFee", ChargeKind::FulfillmentFee),
    ("FBAWeightBasedFee", ChargeKind::FulfillmentFee),
    ("MCF Fulfillment Fee", ChargeKind::FulfillmentFee),
    ("Storage Fee", ChargeKind::StorageFee),
    ("FBAStorageFee", ChargeKind::StorageFee),
    ("StorageRenewalBilling", ChargeKind::StorageFee),
    ("FBALongTermStorageFee", ChargeKind::AgedInventoryFee),
    ("FBA Long-Term Storage Fee", ChargeKind::AgedInventoryFee),
    ("Aged Inventory Surcharge", ChargeKind::AgedInventoryFee),
    ("FBAInboundTransportationFee", ChargeKind::InboundFee),
    ("Inbound Transportation Fee", ChargeKind::InboundFee),
    ("FBA Inbound Placement Service Fee", ChargeKind::InboundFee),
    ("FBAInboundConvenienceFee", ChargeKind::InboundFee),
    ("LabelingFee", ChargeKind::PrepFee),
    ("FBA Prep Fee: Bubblewrap", ChargeKind::PrepFee),
    ("PolybaggingFee", ChargeKind::PrepFee),
    ("FBARemovalFee", ChargeKind::RemovalFee),
    ("FBADisposalFee", ChargeKind::RemovalFee),
    ("RemovalComplete", ChargeKind::RemovalFee),
    ("DisposalComplete", ChargeKind::RemovalFee),
    ("RefundCommission", ChargeKind::ReturnsFee),
    ("RestockingFee", ChargeKind::ReturnsFee),
    ("ReturnShipping", ChargeKind::ReturnsFee),
    ("FBACustomerReturnPerUnitFee", ChargeKind::ReturnsFee),
    ("Cost of Advertising", ChargeKind::Advertising),
    ("Sponsored Products Charge", ChargeKind::Advertising),
    ("Subscription", ChargeKind::AccountFee),
    ("Subscription Fee", ChargeKind::AccountFee),
    // The digital services fee goes with the fee it is a share of.
    ("DigitalServicesFee", ChargeKind::ReferralFee),
    ("Digital Services Fee", ChargeKind::ReferralFee),
    ("DigitalServicesFeeFBA", ChargeKind::FulfillmentFee),
    ("Low-Inventory-Level Fee", ChargeKind::FulfillmentFee),
    // Marketing programmes other than ads.
    ("VineFee", ChargeKind::MarketingFee),
    ("Vine Enrollment Fee", ChargeKind::MarketingFee),
    ("VineEnrollmentFee", ChargeKind::MarketingFee),
    ("LightningDealFee", ChargeKind::MarketingFee),
    ("Lightning Deal Fee", ChargeKind::MarketingFee),
    ("RunLightningDealFee", ChargeKind::MarketingFee),
    ("DealParticipationFee", ChargeKind::MarketingFee),
    ("DealPerformanceFee", ChargeKind::MarketingFee),
    ("CouponRedemptionFee", ChargeKind::MarketingFee),
    ("Promotion Fee", ChargeKind::MarketingFee),
    // Fees the crate carries by name.
    ("SalesTaxCollectionFee", ChargeKind::Unknown),
    ("Galactic Surcharge", ChargeKind::Unknown),
    // A part of a fee named by the row's amount type: alone, unknown.
    ("Base fee", ChargeKind::Unknown),
    ("Discount on fee", ChargeKind::Unknown),
    // A loss named with no reimbursement word is not income by its name
    // alone (it is under a reimbursement amount type or report).
    ("Carrier Damaged", ChargeKind::Unknown),
];

#[test]
fn real_amount_names_get_their_kinds() {
    let wrong: Vec<_> = NAMED_KINDS
        .iter()
        .map(|&(name, want)| (name, want, ChargeKind::classify(name)))
        .filter(|(_, want, got)| want != got)
        .collect();
    assert!(wrong.is_empty(), "(name, want, got): {wrong:#?}");
}

#[test]
fn every_reimbursement_reason_is_income_in_any_spelling() {
    // Every reason the reimbursement reader knows, and every
    // reimbursement-kind name of the table, upper snake, lower, spaced.
    let reasons = [
        "Lost_Warehouse",
        "Damaged_Warehouse",
        "Lost_Inbound",
        "Lost_Outbound",
        "Damaged_Outbound",
        "CustomerReturn",
        "CustomerServiceIssue",
        "FeeCorrection",
        "Removal_Order_Lost",
        "Removal_Order_Damaged",
        "Reimbursement_Reversal",
        "GeneralAdjustment",
        "MISSING_FROM_INBOUND",
    ];
    let names = reasons.iter().copied().chain(
        NAMED_KINDS.iter().filter(|(_, k)| *k == ChargeKind::Reimbursement).map(|(n, _)| *n),
    );
    for name in names {
        for spelled in [
            name.to_owned(),
            name.to_uppercase(),
            name.to_lowercase(),
            name.replace(['_', ':'], " "),
        ] {
            let amount = SettlementAmount {
                kind: ChargeKind::classify(&spelled),
                name: spelled.clone(),
                amount: merchantry_core::Money::new(
                    rust_decimal::Decimal::new(450, 2),
                    merchantry_core::Currency::USD,
                ),
            };
            assert_eq!(amount.kind, ChargeKind::Reimbursement, "{spelled}");
            assert_eq!(
                amount.fee_kind(),
                Some(merchantry_core::FeeKind::Reimbursement),
                "{spelled}"
            );
        }
    }
}

/// The fee (or revenue) each newly mapped Amazon name reaches through
/// `SettlementAmount::fee_kind`: `None` is revenue or a pass-through tax.
#[test]
fn newly_mapped_names_reach_their_fee_kinds() {
    use merchantry_core::FeeKind;
    let cases: &[(&str, Option<FeeKind>)] = &[
        // A share of the selling fees on the order line, or of the FBA fee.
        ("DigitalServicesFee", Some(FeeKind::Referral)),
        ("Digital Services Fee", Some(FeeKind::Referral)),
        ("DigitalServicesFeeFBA", Some(FeeKind::Fulfillment)),
        ("Low-Inventory-Level Fee", Some(FeeKind::Fulfillment)),
        // Promotion programmes: a fee of their own, not advertising, so
        // TACoS counts only bought clicks; the amount keeps Amazon's name.
        ("VineFee", Some(FeeKind::PromotionProgramme)),
        ("Vine Enrollment Fee", Some(FeeKind::PromotionProgramme)),
        ("VineEnrollmentFee", Some(FeeKind::PromotionProgramme)),
        ("LightningDealFee", Some(FeeKind::PromotionProgramme)),
        ("Lightning Deal Fee", Some(FeeKind::PromotionProgramme)),
        ("RunLightningDealFee", Some(FeeKind::PromotionProgramme)),
        ("CouponRedemptionFee", Some(FeeKind::PromotionProgramme)),
        ("DealParticipationFee", Some(FeeKind::PromotionProgramme)),
        ("DealPerformanceFee", Some(FeeKind::PromotionProgramme)),
        ("Promotion Fee", Some(FeeKind::PromotionProgramme)),
        // Pay-per-click spend stays advertising; the discount a customer
        // was given is revenue, not a fee.
        ("Cost of Advertising", Some(FeeKind::Advertising)),
        ("Sponsored Products Charge", Some(FeeKind::Advertising)),
        ("PromotionDiscount", None),
        // Taxes withheld at source: taxes, like every tax line, not fees.
        ("TCS-CGST", None),
        ("TCS-SGST", None),
        ("TCS-IGST", None),
        ("TCS-UTGST", None),
        ("TDS", None),
        ("TDS - Section 194-O", None),
        // Reimbursement names Amazon writes.
        ("INBOUND_CARRIER_DAMAGE", Some(FeeKind::Reimbursement)),
        ("MULTICHANNEL_ORDER_LOST", Some(FeeKind::Reimbursement)),
        ("REVERSAL_REIMBURSEMENT", Some(FeeKind::Reimbursement)),
        ("COMPENSATED_CLAWBACK", Some(FeeKind::Reimbursement)),
        ("RE_EVALUATION", Some(FeeKind::Reimbursement)),
        // No longer income by a loss word alone: carried by name.
        ("Carrier Damaged", Some(FeeKind::Other("Carrier Damaged".to_owned()))),
    ];
    for (name, want) in cases {
        let amount = SettlementAmount {
            kind: ChargeKind::classify(name),
            name: (*name).to_owned(),
            amount: merchantry_core::Money::new(
                rust_decimal::Decimal::new(-100, 2),
                merchantry_core::Currency::USD,
            ),
        };
        assert_eq!(&amount.fee_kind(), want, "{name} ({:?})", amount.kind);
    }
}

#[test]
fn fee_names_that_mention_a_loss_are_fees_not_income() {
    // Names built to exercise the rule (fees named after a defect): a
    // name that calls itself a fee or a charge is never a reimbursement,
    // whatever loss word it carries. Amazon's own example is first.
    let cases = [
        ("Unplanned Service Fee - Barcode label missing", ChargeKind::PrepFee),
        ("Missing Label Fee", ChargeKind::PrepFee),
        ("FBA Inbound Defect Fee - Missing box content", ChargeKind::InboundFee),
        ("Damaged Inventory Disposal Fee", ChargeKind::RemovalFee),
        ("Lost Inventory Charge", ChargeKind::Unknown),
        ("Reimbursement Processing Fee", ChargeKind::Unknown),
        ("Clawback Surcharge", ChargeKind::Unknown),
    ];
    for (name, want) in cases {
        assert_eq!(ChargeKind::classify(name), want, "{name}");
    }
}

#[test]
fn settlement_v2_rows_classify_by_their_amount_type_first() {
    use merchantry_core::FeeKind;
    // Real V2 (transaction-type, amount-type, amount-description) triples.
    let file = format!(
        "{V2_HEAD}1\t100.00\tUSD\t\t\t\t\n\
         1\t\t\tOrder\tPromotion\tPrincipal\t-2.00\n\
         1\t\t\tOrder\tPromotion\tShipping\t-1.00\n\
         1\t\t\tOrder\tPromotion\tTaxDiscount\t-0.10\n\
         1\t\t\tRefund\tPromotion\tPrincipal\t2.00\n\
         1\t\t\tother-transaction\tFBA Inventory Reimbursement\tWAREHOUSE_LOST\t9.00\n\
         1\t\t\tother-transaction\tFBA Inventory Reimbursement\tA_REASON_NOT_YET_SEEN\t3.00\n\
         1\t\t\tother-transaction\tFBA Inventory Reimbursement\tMissing Label Fee\t-0.20\n\
         1\t\t\tother-transaction\tMCF Inventory Reimbursement\tMULTICHANNEL_ORDER_LOST\t5.00\n\
         1\t\t\tOrder\tItemWithheldTax\tTCS-IGST\t-0.50\n\
         1\t\t\tOrder\tItemWithheldTax\tTCS-UTGST\t-0.25\n\
         1\t\t\tother-transaction\tother-transaction\tTDS - Section 194-O\t-0.10\n\
         1\t\t\tOrder\tItemFees\tDigitalServicesFee\t-0.30\n\
         1\t\t\tOrder\tItemFees\tDigitalServicesFeeFBA\t-0.40\n\
         1\t\t\tVine Enrollment Fee\tVine Enrollment Fee\tVine Enrollment Fee\t-200.00\n\
         1\t\t\tAmazon Fees\tVine Enrollment Fee\tBase fee\t-200.00\n\
         1\t\t\tAmazon Fees\tVine Enrollment Fee\tDiscount on fee\t50.00\n\
         1\t\t\tAmazon Fees\tVine Enrollment Fee\tTax on fee\t-30.00\n\
         1\t\t\tother-transaction\tother-transaction\tLightningDealFee\t-150.00\n"
    );
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let got: Vec<_> = rows[1..]
        .iter()
        .map(|r| {
            let a = &r.amounts[0];
            (a.kind, a.name.as_str(), a.fee_kind())
        })
        .collect();
    let (promotion, tax, paid) =
        (ChargeKind::Promotion, ChargeKind::Tax, ChargeKind::Reimbursement);
    let (vine, promo) = ("Vine Enrollment Fee", Some(FeeKind::PromotionProgramme));
    assert_eq!(
        got,
        [
            // The type says promotion: the description only says what was
            // discounted.
            (promotion, "Principal", None),
            (promotion, "Shipping", None),
            (promotion, "TaxDiscount", None),
            (promotion, "Principal", None),
            // The type says reimbursement, and the name is not a fee.
            (paid, "WAREHOUSE_LOST", Some(FeeKind::Reimbursement)),
            (paid, "A_REASON_NOT_YET_SEEN", Some(FeeKind::Reimbursement)),
            // A fee is a fee whatever type it sits under.
            (ChargeKind::PrepFee, "Missing Label Fee", Some(FeeKind::Prep)),
            (paid, "MULTICHANNEL_ORDER_LOST", Some(FeeKind::Reimbursement)),
            // Taxes withheld at source are taxes, as every tax line.
            (tax, "TCS-IGST", None),
            (tax, "TCS-UTGST", None),
            (tax, "TDS - Section 194-O", None),
            (ChargeKind::ReferralFee, "DigitalServicesFee", Some(FeeKind::Referral)),
            (ChargeKind::FulfillmentFee, "DigitalServicesFeeFBA", Some(FeeKind::Fulfillment)),
            // Newer fee rows name the fee in the type and its part in the
            // description: the part alone falls back to the type.
            (ChargeKind::MarketingFee, vine, promo.clone()),
            (ChargeKind::MarketingFee, vine, promo.clone()),
            (ChargeKind::MarketingFee, vine, promo.clone()),
            (tax, "Tax on fee", None),
            (ChargeKind::MarketingFee, "LightningDealFee", promo),
        ]
    );
    assert!(reader.unknown_names().is_empty(), "{:?}", reader.unknown_names());
}

#[test]
fn older_layout_promotion_column_is_a_promotion() {
    // The older layout names what a promotion discounted in its
    // `promotion-type` cell; the column makes it a promotion.
    let file = "settlement-id\ttotal-amount\tcurrency\ttransaction-type\tprice-type\tprice-amount\tpromotion-type\tpromotion-amount\n\
                7\t10.00\tUSD\t\t\t\t\t\n\
                7\t\t\tOrder\tPrincipal\t12.00\tPrincipal\t-2.00\n";
    let rows: Vec<_> =
        SettlementReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
    let kinds: Vec<_> = rows[1].amounts.iter().map(|a| (a.kind, a.name.as_str())).collect();
    assert_eq!(kinds, [(ChargeKind::Principal, "Principal"), (ChargeKind::Promotion, "Principal")]);
}

/// A German settlement file prints its times in `MEZ`/`MESZ`; the rows
/// were refused as bad dates. An ambiguous zone (`AST`: Atlantic or
/// Arabia) is still a row error naming the line and the cell.
#[test]
fn settlement_dates_in_marketplace_zones_are_read() {
    let file = "settlement-id\ttotal-amount\tcurrency\ttransaction-type\tamount-type\tamount-description\tamount\tposted-date-time\n\
                5\t10.00\tEUR\t\t\t\t\t01.03.2026 00:00:00 MEZ\n\
                5\t\t\tOrder\tItemPrice\tPrincipal\t10.00\t31.03.2026 23:15:00 MESZ\n\
                5\t\t\tOrder\tItemPrice\tPrincipal\t1.00\t2026-03-31 23:15:00 AST\n";
    let rows = settlement_rows(file);
    assert_eq!(rows[0].as_ref().unwrap().posted, Some(day(2026, 3, 1)));
    assert_eq!(rows[1].as_ref().unwrap().posted, Some(day(2026, 3, 31)));
    // Midnight MEZ (+1) on 1 March is 23:00 UTC on 28 February; 23:15
    // MESZ (+2) is 21:15 UTC.
    let instant = |i: usize| rows[i].as_ref().unwrap().posted_at.map(|a| a.to_utc());
    assert_eq!(instant(0), Some(utc(2026, 2, 28, 23, 0, 0)));
    assert_eq!(instant(1), Some(utc(2026, 3, 31, 21, 15, 0)));
    match &rows[2] {
        Err(ReadError::InvalidDate { line: 4, value, .. }) => {
            assert_eq!(value, "2026-03-31 23:15:00 AST");
        }
        other => panic!("expected an invalid date on line 4, got {other:?}"),
    }
    assert_eq!(merchantry_amazon::zone_offset("MESZ").map(|o| o.local_minus_utc()), Some(7200));
}

/// Older-layout amounts with a blank type cell, or in a column with no
/// name cell, were all named `unnamed` / `misc-fee` / `other-amount` and
/// classified Unknown. The layout names them: a promotion column is a
/// promotion, and an amount on a row of its own is named by the row's
/// transaction type. Where the column carries several kinds (price, an
/// `Order` row's fees), the kind stays unknown, named after the column.
#[test]
fn older_layout_unnamed_amounts_take_the_layouts_name() {
    let file = "settlement-id\ttotal-amount\tcurrency\ttransaction-type\tprice-type\tprice-amount\titem-related-fee-type\titem-related-fee-amount\tpromotion-type\tpromotion-amount\tdirect-payment-type\tdirect-payment-amount\tother-fee-reason-description\tother-fee-amount\tmisc-fee-amount\tother-amount\n\
                8\t100.00\tUSD\t\t\t\t\t\t\t\t\t\t\t\t\t\n\
                8\t\t\tOrder\t\t12.00\t\t-1.80\t\t-2.00\t\t0.50\t\t-0.10\t-0.20\t0.30\n\
                8\t\t\tSubscription Fee\t\t\t\t\t\t\t\t\t\t\t\t-39.99\n\
                8\t\t\tStorage Fee\t\t\t\t\t\t\t\t\t\t-4.25\t-1.00\t\n\
                8\t\t\tFBA Inventory Reimbursement\t\t\t\t\t\t\t\t\t\t-0.40\t\t7.00\n\
                8\t\t\tPrevious Reserve Amount Balance\t\t\t\t\t\t\t\t\t\t\t\t55.00\n";
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let got = |i: usize| -> Vec<(ChargeKind, &str)> {
        rows[i].amounts.iter().map(|a| (a.kind, a.name.as_str())).collect()
    };
    // An order row: only the promotion column decides; price and fees
    // carry several kinds each and `Order` names none of them.
    assert_eq!(
        got(1),
        [
            (ChargeKind::Unknown, "price"),
            (ChargeKind::Unknown, "item-related-fee"),
            (ChargeKind::Promotion, "promotion"),
            (ChargeKind::Unknown, "direct-payment"),
            (ChargeKind::Unknown, "other-fee"),
            (ChargeKind::Unknown, "misc-fee"),
            (ChargeKind::Unknown, "other-amount"),
        ]
    );
    assert_eq!(got(2), [(ChargeKind::AccountFee, "Subscription Fee")]);
    assert_eq!(
        got(3),
        [(ChargeKind::StorageFee, "Storage Fee"), (ChargeKind::StorageFee, "Storage Fee")]
    );
    // A fee column never becomes income by its row: the -0.40 fee stays
    // unknown, the 7.00 other-amount is the reimbursement.
    assert_eq!(
        got(4),
        [
            (ChargeKind::Unknown, "other-fee"),
            (ChargeKind::Reimbursement, "FBA Inventory Reimbursement"),
        ]
    );
    // A reserve released from the previous payout: named by its row,
    // neither revenue nor a fee.
    assert_eq!(got(5), [(ChargeKind::ReserveTransfer, "Previous Reserve Amount Balance")]);
    let unknown: Vec<_> = reader.unknown_names().iter().map(|(n, c)| (n.as_str(), *c)).collect();
    assert_eq!(
        unknown,
        [
            ("direct-payment", 1),
            ("item-related-fee", 1),
            ("misc-fee", 1),
            ("other-amount", 1),
            ("other-fee", 2),
            ("price", 1),
        ]
    );
}

/// Reserve transfers were unknown charges, and `fee_kind` made them
/// `FeeKind::Other`: a margin model charged the 50.00 Amazon held back
/// (and credited the 40.00 it released) as fees. They are their own
/// kind now, outside the margin, and still add up to the total.
#[test]
fn settlement_reserves_are_neither_revenue_nor_fees() {
    use merchantry_core::FeeKind;
    let file = format!(
        "{V2_HEAD}9\t5.77\tUSD\t\t\t\t\n\
         9\t\t\tOrder\tItemPrice\tPrincipal\t19.99\n\
         9\t\t\tOrder\tItemFees\tFBAPerUnitFulfillmentFee\t-3.22\n\
         9\t\t\tother-transaction\tother-transaction\tPrevious Reserve Amount Balance\t40.00\n\
         9\t\t\tother-transaction\tother-transaction\tCurrent Reserve Amount\t-50.00\n\
         9\t\t\tother-transaction\tCurrent Reserve Amount\t\t0.00\n\
         9\t\t\tother-transaction\tother-transaction\tReserve Fee\t-1.00\n"
    );
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let kinds: Vec<_> = rows[3..]
        .iter()
        .map(|r| (r.amounts[0].kind, r.amounts[0].name.as_str(), r.amounts[0].fee_kind()))
        .collect();
    let reserve = ChargeKind::ReserveTransfer;
    assert_eq!(
        kinds,
        [
            (reserve, "Previous Reserve Amount Balance", None),
            (reserve, "Current Reserve Amount", None),
            // The amount type alone names it.
            (reserve, "Current Reserve Amount", None),
            // A fee for a reserve would be a fee, carried by its name.
            (ChargeKind::Unknown, "Reserve Fee", Some(FeeKind::Other("Reserve Fee".into()))),
        ]
    );
    assert_eq!(reader.unknown_names().keys().collect::<Vec<_>>(), ["Reserve Fee"]);

    // A margin model's split: out of the margin, fee, or revenue.
    let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    let (revenue, fees, outside) = margin_split(&rows);
    // Revenue 19.99; fees -3.22 - 1.00 = -4.22; reserves 40.00 - 50.00
    // + 0.00 = -10.00. The margin sees 19.99 - 4.22 = 15.77; the
    // settlement still adds up: 15.77 - 10.00 = 5.77, its total.
    assert_eq!((revenue, fees, outside), (dec("19.99"), dec("-4.22"), dec("-10.00")));
    let total = rows[0].total.unwrap().amount();
    assert_eq!((revenue + fees + outside, total), (dec("5.77"), dec("5.77")));
}

/// A margin model's split of settlement amounts: revenue, fees, and what
/// stays out of the margin.
fn margin_split(
    rows: &[merchantry_amazon::SettlementRow],
) -> (rust_decimal::Decimal, rust_decimal::Decimal, rust_decimal::Decimal) {
    let (mut revenue, mut fees, mut outside) = Default::default();
    for a in rows.iter().flat_map(|r| &r.amounts) {
        let v = a.amount.amount();
        match (a.kind.counts_in_margin(), a.fee_kind()) {
            (false, _) => outside += v,
            (true, Some(_)) => fees += v,
            (true, None) => revenue += v,
        }
    }
    (revenue, fees, outside)
}

/// Balance moves were unknown charges (`Successful charge` says
/// `charge`, so it was even taken for a fee by its words): a margin
/// model charged the 33.23 carried as payable to Amazon as a fee and took
/// the 40.00 charged to the seller's card as income. They move the
/// seller's own money between the Amazon balance and the bank or card,
/// so they stay out of the margin, like reserves, and still add up.
#[test]
fn settlement_balance_moves_are_neither_revenue_nor_fees() {
    let file = format!(
        "{V2_HEAD}7\t-26.46\tUSD\t\t\t\t\n\
         7\t\t\tOrder\tItemPrice\tPrincipal\t19.99\n\
         7\t\t\tOrder\tItemFees\tFBAPerUnitFulfillmentFee\t-3.22\n\
         7\t\t\tother-transaction\tother-transaction\tStorage Fee\t-50.00\n\
         7\t\t\tother-transaction\tother-transaction\tSuccessful charge\t40.00\n\
         7\t\t\tother-transaction\tother-transaction\tPayable to Amazon\t-33.23\n"
    );
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let moves: Vec<_> = rows[4..]
        .iter()
        .map(|r| {
            let a = &r.amounts[0];
            (a.name.as_str(), a.kind, a.kind.counts_in_margin(), a.fee_kind())
        })
        .collect();
    let balance = ChargeKind::BalanceTransfer;
    assert_eq!(
        moves,
        [("Successful charge", balance, false, None), ("Payable to Amazon", balance, false, None)]
    );
    assert!(reader.unknown_names().is_empty(), "{:?}", reader.unknown_names());
    // Words say it too: a name without a fee word naming a payable, a
    // disbursement or a balance; never a fee named after one.
    for name in ["Failed Disbursement", "Payable to Amazon Balance", "Unavailable balance"] {
        assert_eq!(ChargeKind::classify(name), balance, "{name}");
    }
    assert_eq!(ChargeKind::classify("Balance Fee"), ChargeKind::Unknown);

    let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    let (revenue, fees, outside) = margin_split(&rows);
    // Revenue 19.99; fees -3.22 - 50.00 = -53.22; balance moves 40.00 -
    // 33.23 = 6.77. The margin is 19.99 - 53.22 = -33.23; with the moves
    // the settlement adds up: -33.23 + 6.77 = -26.46, its total.
    assert_eq!((revenue, fees, outside), (dec("19.99"), dec("-53.22"), dec("6.77")));
    let total = rows[0].total.unwrap().amount();
    assert_eq!((revenue + fees + outside, total), (dec("-26.46"), dec("-26.46")));
}

/// Pins a decision, not a fix: in the older layout an amount in a fee
/// column (`misc-fee-amount`, or `other-fee-amount` with a blank
/// `other-fee-reason-description`) on a `Payable to Amazon` or
/// `Successful charge` row stays a fee, an unknown one named after its
/// column, while `other-amount` on such rows is the balance move. The
/// column says fee; the row's balance move names no fee, so taking it
/// would move a possible fee out of the margin on the row's word alone.
/// The V2 rule is the same: `ItemFees` with a blank description on a
/// `Payable to Amazon` row stays a fee named `ItemFees`.
#[test]
fn older_layout_fee_columns_on_balance_move_rows_stay_fees() {
    use merchantry_core::FeeKind;
    let file = "settlement-id\ttotal-amount\tcurrency\ttransaction-type\tprice-type\tprice-amount\titem-related-fee-type\titem-related-fee-amount\tother-fee-reason-description\tother-fee-amount\tmisc-fee-amount\tother-amount\n\
                6\t21.29\tUSD\t\t\t\t\t\t\t\t\t\n\
                6\t\t\tOrder\tPrincipal\t19.99\tFBAPerUnitFulfillmentFee\t-3.22\t\t\t\t\n\
                6\t\t\tPayable to Amazon\t\t\t\t\t\t\t\t-33.23\n\
                6\t\t\tSuccessful charge\t\t\t\t\t\t\t\t40.00\n\
                6\t\t\tPayable to Amazon\t\t\t\t\t\t\t-1.50\t\n\
                6\t\t\tSuccessful charge\t\t\t\t\t\t-0.75\t\t\n";
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let got: Vec<_> = rows[2..]
        .iter()
        .flat_map(|r| &r.amounts)
        .map(|a| (a.name.as_str(), a.kind, a.kind.counts_in_margin(), a.fee_kind()))
        .collect();
    let balance = ChargeKind::BalanceTransfer;
    let other = |n: &str| Some(FeeKind::Other(n.into()));
    assert_eq!(
        got,
        [
            ("Payable to Amazon", balance, false, None),
            ("Successful charge", balance, false, None),
            ("misc-fee", ChargeKind::Unknown, true, other("misc-fee")),
            ("other-fee", ChargeKind::Unknown, true, other("other-fee")),
        ]
    );
    let unknown: Vec<_> = reader.unknown_names().iter().map(|(n, c)| (n.as_str(), *c)).collect();
    assert_eq!(unknown, [("misc-fee", 1), ("other-fee", 1)]);

    let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    let (revenue, fees, outside) = margin_split(&rows);
    // Revenue 19.99; fees -3.22 - 1.50 - 0.75 = -5.47; balance moves
    // -33.23 + 40.00 = 6.77. The margin is 19.99 - 5.47 = 14.52; with
    // the moves the settlement adds up: 14.52 + 6.77 = 21.29, its total.
    assert_eq!((revenue, fees, outside), (dec("19.99"), dec("-5.47"), dec("6.77")));
    let total = rows[0].total.unwrap().amount();
    assert_eq!((revenue + fees + outside, total), (dec("21.29"), dec("21.29")));
}

/// A V2 row whose amount type is `other-transaction` and whose
/// description is blank was named `other-transaction` and left Unknown
/// (so charged as a fee), though its transaction type, `Payable to
/// Amazon`, says what it is. The transaction type names it when the
/// crate knows it; an `Order` row's blank description keeps its amount
/// type's name.
#[test]
fn settlement_v2_blank_description_takes_the_transaction_type() {
    let file = format!(
        "{V2_HEAD}8\t-13.23\tUSD\t\t\t\t\n\
         8\t\t\tPayable to Amazon\tother-transaction\t\t-33.23\n\
         8\t\t\tSubscription Fee\tother-transaction\t\t-39.99\n\
         8\t\t\tSuccessful charge\tother-transaction\t\t40.00\n\
         8\t\t\tOrder\tother-transaction\t\t19.99\n"
    );
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    let got: Vec<_> =
        rows[1..].iter().map(|r| (r.amounts[0].name.as_str(), r.amounts[0].kind)).collect();
    assert_eq!(
        got,
        [
            ("Payable to Amazon", ChargeKind::BalanceTransfer),
            ("Subscription Fee", ChargeKind::AccountFee),
            ("Successful charge", ChargeKind::BalanceTransfer),
            ("other-transaction", ChargeKind::Unknown),
        ]
    );
    assert_eq!(reader.unknown_names().len(), 1, "{:?}", reader.unknown_names());
}

fn settlement_rows(file: &str) -> Vec<Result<merchantry_amazon::SettlementRow, ReadError>> {
    SettlementReader::new(file.as_bytes()).unwrap().collect()
}

const V2_HEAD: &str = "settlement-id\ttotal-amount\tcurrency\ttransaction-type\tamount-type\tamount-description\tamount\n";

#[test]
fn settlement_blank_currency_takes_the_summary_rows_currency() {
    // Settlement 1's summary says EUR; a detail row in GBP keeps GBP and
    // does not leak into the next blank row, which is EUR again.
    let file = format!(
        "{V2_HEAD}1\t10.00\tEUR\t\t\t\t\n\
         1\t\tGBP\tOrder\tItemPrice\tPrincipal\t4.00\n\
         1\t\t\tOrder\tItemPrice\tPrincipal\t6.00\n"
    );
    let rows: Vec<_> = settlement_rows(&file).into_iter().map(Result::unwrap).collect();
    let currencies: Vec<_> =
        rows[1..].iter().map(|r| r.amounts[0].amount.currency().code().to_owned()).collect();
    assert_eq!(currencies, ["GBP", "EUR"]);
}

#[test]
fn settlement_blank_currency_without_a_summary_is_a_row_error_naming_the_line() {
    // No summary row for settlement 2: its blank-currency row (line 3) is
    // refused even though line 2 named USD; the reader goes on.
    let file = format!(
        "{V2_HEAD}2\t\tUSD\tOrder\tItemPrice\tPrincipal\t4.00\n\
         2\t\t\tOrder\tItemPrice\tPrincipal\t6.00\n\
         2\t\tUSD\tOrder\tItemPrice\tPrincipal\t1.00\n"
    );
    let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().collect();
    assert!(rows[0].is_ok() && rows[2].is_ok());
    let err = rows[1].as_ref().unwrap_err();
    assert!(matches!(err, ReadError::MissingValue { line: 3, column: "currency", .. }), "{err}");
    assert!(err.to_string().contains('3'), "{err}");
    assert_eq!((reader.stats().rows, reader.stats().row_errors), (2, 1));
    // A summary row of another settlement does not lend its currency.
    let file = format!(
        "{V2_HEAD}1\t10.00\tEUR\t\t\t\t\n\
         2\t\t\tOrder\tItemPrice\tPrincipal\t6.00\n"
    );
    assert!(settlement_rows(&file)[1].is_err());
}

#[test]
fn settlement_currency_code_xxx_is_accepted_as_core_decides() {
    // ISO 4217 lists XXX ("no currency"); core's Currency::new accepts
    // any three ASCII letters, and the reader follows it.
    let file = format!("{V2_HEAD}3\t1.00\tXXX\t\t\t\t\n3\t\t\tOrder\tItemPrice\tPrincipal\t1.00\n");
    let rows: Vec<_> = settlement_rows(&file).into_iter().map(Result::unwrap).collect();
    assert_eq!(rows[1].amounts[0].amount.currency().code(), "XXX");
    assert!(settlement_rows(&format!("{V2_HEAD}3\t1.00\tUS1\t\t\t\t\n"))[0].is_err());
}

#[test]
fn storage_fees_and_reimbursements_map_to_charge_kinds() {
    let file = "asin\tfnsku\tfulfillment_center\tcountry_code\taverage_quantity_on_hand\testimated_total_item_volume\tmonth_of_charge\tstorage_rate\tcurrency\testimated_monthly_storage_fee\n\
                B0TEST0001\tX00TEST001\tABE2\tUS\t120.5\t14.46\t2026-03\t0.87\tUSD\t12.5802\n\
                B0TEST0001\tX00TEST001\tPHX6\tUS\t10\t1.2\t03/01/2026\t0.87\tUSD\t1.044\n";
    let rows: Vec<_> =
        StorageFeeReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.kind == ChargeKind::StorageFee && r.month == day(2026, 3, 1)));
    // 14.46 cu ft x 0.87 = 12.5802; the report's fee is carried exactly.
    assert_eq!(
        rows[0].fee.amount(),
        rows[0].estimated_total_item_volume.unwrap() * rows[0].storage_rate.unwrap()
    );
    let pay = "approval-date\treimbursement-id\treason\tcurrency-unit\tamount-total\n2026-03-20\t1\tReimbursement_Reversal\tUSD\t-12.50\n";
    let r = ReimbursementReader::new(pay.as_bytes()).unwrap().next().unwrap().unwrap();
    let charge = r.charge();
    assert_eq!(
        (charge.kind, charge.name.as_str(), charge.amount.to_string()),
        (ChargeKind::Reimbursement, "Reimbursement_Reversal", "-12.50 USD".to_owned())
    );
}

#[test]
fn synthetic_storage_fee_report_reads_in_its_real_column_layout() {
    let bytes = data("synthetic_storage_fee_charges.tsv");
    let mut reader = StorageFeeReader::new(&bytes[..]).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(reader.stats().rows, 4);
    assert!(stats_add_up(reader.stats()));
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.asin.as_str(),
                r.fulfillment_center.as_deref().unwrap(),
                r.fee.to_string(),
                r.cubic_foot_days().unwrap().to_string(),
            )
        })
        .collect();
    // cubic-foot-days = average volume x 31 days of March:
    // 12 x 31 = 372, 6 x 31 = 186; fee = volume x 0.78.
    assert_eq!(
        got,
        [
            ("B0SYNMUG01", "ABE2", "9.36 USD".to_owned(), "372".to_owned()),
            ("B0SYNPAN01", "ABE2", "9.36 USD".to_owned(), "372".to_owned()),
            ("B0SYNPAN01", "PHX6", "4.68 USD".to_owned(), "186".to_owned()),
            ("B0SYNLAMP1", "ABE2", "4.68 USD".to_owned(), "186".to_owned()),
        ]
    );
    for r in &rows {
        assert_eq!(r.month, day(2026, 3, 1));
        assert_eq!(r.volume_units.as_deref(), Some("cubic feet"));
        // average on hand x unit volume = total volume; x rate = fee
        let volume = r.estimated_total_item_volume.unwrap();
        assert_eq!(volume * r.storage_rate.unwrap(), r.fee.amount());
    }
    // A metric report converts: 1 cubic metre over 30 days of April is
    // 30 / 0.028316846592 cubic-foot-days.
    let metric = "asin\tvolume_units\testimated_total_item_volume\tmonth_of_charge\tcurrency\testimated_monthly_storage_fee\n\
                  B0TEST0001\tcubic meters\t1\t2026-04\tEUR\t20\n\
                  B0TEST0002\tlitres\t1\t2026-04\tEUR\t1\n";
    let rows: Vec<_> =
        StorageFeeReader::new(metric.as_bytes()).unwrap().map(Result::unwrap).collect();
    let expected = rust_decimal::Decimal::from(30)
        / "0.028316846592".parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(rows[0].cubic_foot_days(), Some(expected));
    assert_eq!(rows[1].cubic_foot_days(), None);
}

/// March 2026 for MUG, PAN and LAMP on Amazon.com and a web store
/// (multi-channel fulfillment), read from the two synthetic samples and
/// turned into a margin statement, every line traced by hand.
mod statement {
    use std::collections::BTreeMap;

    use merchantry_core::{
        ChannelId, CostOfSale, Currency, DateRange, Decimal, LocationId, Quantity, Sku,
        ValuationTable,
    };
    use merchantry_metrics::margin::{
        Attribution, Charge, FeeKind, NoChannel, RateTable, SalesDrivers, ValuedSalesOptions,
        sales_from_valuation,
    };

    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn sku(s: &str) -> Sku {
        Sku::new(s).unwrap()
    }

    fn ch(s: &str) -> ChannelId {
        ChannelId::new(s).unwrap()
    }

    /// The seller's attribution of a settlement amount. The fee kind is
    /// the crate's mapping (`None` is revenue). A charge naming a SKU is
    /// direct to its line; storage pools by cubic-foot-days, advertising
    /// by advertised sales; account fees go to the remainder, under the
    /// name Amazon wrote.
    fn fee_of(a: &SettlementAmount) -> Option<(FeeKind, Option<Attribution>)> {
        let kind = a.fee_kind()?;
        let rule = match (&kind, a.kind) {
            (FeeKind::StorageMonthly, _) => Some(Attribution::ByCubicFootDays),
            (FeeKind::Advertising, _) => Some(Attribution::ByAdSales),
            (_, ChargeKind::AccountFee) => Some(Attribution::Unattributed),
            _ => None,
        };
        Some((kind, rule))
    }

    #[test]
    fn a_month_statement_from_the_settlement_and_storage_samples() {
        let (amazon, web) = (ch("amazon-us"), ch("web"));

        // Read the settlement: revenue per line and every charge.
        let bytes = data("synthetic_settlement_v2_march.tsv");
        let mut reader = SettlementReader::new(&bytes[..]).unwrap();
        let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
        // The one name the crate does not know is reported by name.
        assert_eq!(
            reader.unknown_names().iter().collect::<Vec<_>>(),
            [(&"Experimental Program Fee".to_owned(), &1)]
        );
        // The file reconciles: the amounts add up to the deposit.
        let total = rows[0].total.unwrap().amount();
        let sum: Decimal = rows.iter().flat_map(|r| &r.amounts).map(|a| a.amount.amount()).sum();
        assert_eq!((total, sum), (dec("721.93"), dec("721.93")));

        let mut drivers: BTreeMap<(Sku, ChannelId), SalesDrivers> = BTreeMap::new();
        let mut charges = Vec::new();
        for row in &rows {
            let channel = match row.marketplace.as_deref() {
                Some("Non-Amazon") => web.clone(),
                _ => amazon.clone(),
            };
            // A reserve held or released is no part of the margin.
            for a in row.amounts.iter().filter(|a| a.kind.counts_in_margin()) {
                let line = row.sku.clone().map(|s| (s, channel.clone()));
                match (fee_of(a), &line) {
                    (None, Some(key)) => {
                        drivers.entry(key.clone()).or_default().revenue += a.amount.amount();
                    }
                    (None, None) => panic!("revenue with no sku on line {}", row.line),
                    (Some((kind, rule)), _) => {
                        let attribution = match (rule, line) {
                            (Some(rule), _) => rule,
                            (None, Some((sku, channel))) => Attribution::Direct { sku, channel },
                            (None, None) => Attribution::Unattributed,
                        };
                        let date = row.posted.unwrap();
                        charges.push(Charge { date, kind, amount: a.amount, attribution });
                    }
                }
            }
        }

        // The web store's own revenue (not in the settlement): MUG 12 x
        // 22.00 = 264.00, PAN 4 x 48.00 = 192.00.
        drivers.entry((sku("MUG"), web.clone())).or_default().revenue = dec("264.00");
        drivers.entry((sku("PAN"), web.clone())).or_default().revenue = dec("192.00");
        // Advertised sales from the ads console: 360, 270, 90 on Amazon.
        for (s, v) in [("MUG", "360"), ("PAN", "270"), ("LAMP", "90")] {
            drivers.entry((sku(s), amazon.clone())).or_default().ad_sales = dec(v);
        }

        // Storage volume from the storage report, per ASIN, split over a
        // SKU's channels by units sold: MUG 372 (36 : 12 -> 279 and 93),
        // PAN 372 + 186 = 558 (12 : 4 -> 418.5 and 139.5), LAMP 186.
        let catalogue = [("B0SYNMUG01", "MUG"), ("B0SYNPAN01", "PAN"), ("B0SYNLAMP1", "LAMP")];
        let mut cfd: BTreeMap<Sku, Decimal> = BTreeMap::new();
        let mut storage_fees = Decimal::ZERO;
        for r in StorageFeeReader::new(&data("synthetic_storage_fee_charges.tsv")[..]).unwrap() {
            let r = r.unwrap();
            let s = catalogue.iter().find(|(a, _)| *a == r.asin.as_str()).unwrap().1;
            *cfd.entry(sku(s)).or_default() += r.cubic_foot_days().unwrap();
            storage_fees += r.fee.amount();
        }
        // The settlement's storage fee is the report's total: 28.08.
        let settled: Decimal = charges
            .iter()
            .filter(|c| c.kind == FeeKind::StorageMonthly)
            .map(|c| c.amount.amount())
            .sum();
        assert_eq!(-settled, storage_fees);
        for (s, share) in [
            ("MUG", [("amazon-us", "0.75"), ("web", "0.25")]),
            ("PAN", [("amazon-us", "0.75"), ("web", "0.25")]),
        ] {
            for (c, part) in share {
                drivers.entry((sku(s), ch(c))).or_default().cubic_foot_days =
                    cfd[&sku(s)] * dec(part);
            }
        }
        drivers.entry((sku("LAMP"), amazon.clone())).or_default().cubic_foot_days =
            cfd[&sku("LAMP")];

        // The books: unit costs MUG 8.00, PAN 18.00, LAMP 14.00.
        let mut books = ValuationTable::new(Currency::USD);
        let fba = LocationId::new("FBA-US").unwrap();
        for (s, c, day_of, units, cost) in [
            ("MUG", Some("amazon-us"), 4, 37, "296"), // 37 x 8
            ("MUG", Some("amazon-us"), 20, -1, "-8"), // the refund came back
            ("MUG", Some("web"), 15, 12, "96"),
            ("PAN", Some("amazon-us"), 9, 12, "216"),
            ("PAN", Some("web"), 16, 4, "72"),
            ("LAMP", Some("amazon-us"), 12, 5, "70"),
            ("LAMP", None, 18, 1, "14"), // a replacement, no channel
        ] {
            books.cost_of_sales.push((
                sku(s),
                CostOfSale {
                    date: day(2026, 3, day_of),
                    location: fba.clone(),
                    channel: c.map(ch),
                    quantity: Quantity::new(units),
                    cost: dec(cost),
                },
            ));
        }
        let march = DateRange::inclusive(day(2026, 3, 1), day(2026, 3, 31)).unwrap();
        let options = ValuedSalesOptions { no_channel: NoChannel::Report };
        let valued = sales_from_valuation(&books, march, &drivers, &options).unwrap();
        let s = valued.net_margins(&charges, &RateTable::new()).unwrap();

        let line = |k: &str, c: &str| {
            s.lines.iter().find(|l| l.sku.as_str() == k && l.channel.as_str() == c).unwrap()
        };
        let fee = |l: &merchantry_metrics::margin::MarginLine, k: FeeKind| {
            l.charges.get(&k).copied().unwrap_or_default()
        };
        assert_eq!(s.lines.len(), 5);

        // Storage -28.08 by cubic-foot-days 279 : 93 : 418.5 : 139.5 : 186
        // (of 1116) = 1/4, 1/12, 3/8, 1/8, 1/6 -> -7.02, -2.34, -10.53,
        // -3.51, -4.68. Ads -96 by 360 : 270 : 90 -> -48, -36, -12.

        // MUG amazon-us: revenue 740 - 20 = 720; COGS 296 - 8 = 288 (36
        // units); referral -111 + 3 = -108; FBA -138.75; refund
        // commission -0.60; storage -7.02; ads -48.
        // 720 - 288 - 108 - 138.75 - 0.60 - 7.02 - 48 = 129.63
        let m = line("MUG", "amazon-us");
        assert_eq!((m.revenue, m.cogs, m.units.get()), (dec("720"), dec("288"), 36));
        assert_eq!(fee(m, FeeKind::Referral), dec("-108"));
        assert_eq!(fee(m, FeeKind::Fulfillment), dec("-138.75"));
        assert_eq!(fee(m, FeeKind::ReturnsProcessing), dec("-0.60"));
        assert_eq!(fee(m, FeeKind::StorageMonthly), dec("-7.02"));
        assert_eq!(fee(m, FeeKind::Advertising), dec("-48"));
        assert_eq!(m.net_margin, dec("129.63"));
        // TACoS 48 / 720 = 1/15
        assert_eq!(m.tacos.value(), Some(dec("48") / dec("720")));

        // MUG web: 264 - 96 - 66 (MCF) - 2.34 (storage) = 99.66
        let w = line("MUG", "web");
        assert_eq!(fee(w, FeeKind::Fulfillment), dec("-66"));
        assert_eq!(fee(w, FeeKind::StorageMonthly), dec("-2.34"));
        assert_eq!(w.net_margin, dec("99.66"));
        // per unit 99.66 / 12 = 8.305
        assert_eq!(w.net_margin_per_unit.value(), Some(dec("8.305")));

        // PAN amazon-us: 540 - 216 - 81 - 74.40 - 10.53 - 36 + 16.50
        // (warehouse damage reimbursed) = 138.57
        let p = line("PAN", "amazon-us");
        assert_eq!(fee(p, FeeKind::StorageMonthly), dec("-10.53"));
        assert_eq!(fee(p, FeeKind::Advertising), dec("-36"));
        assert_eq!(fee(p, FeeKind::Reimbursement), dec("16.50"));
        assert_eq!(p.net_margin, dec("138.57"));

        // PAN web: 192 - 72 - 34 - 3.51 = 82.49
        assert_eq!(line("PAN", "web").net_margin, dec("82.49"));

        // LAMP amazon-us: 175 - 70 - 26.25 - 35 - 1.50 (the unknown fee,
        // kept under its own name) - 4.68 - 12 = 25.57; the channel-less
        // replacement (1 unit, 14.00) is not in it but reported.
        let l = line("LAMP", "amazon-us");
        assert_eq!(fee(l, FeeKind::Other("Experimental Program Fee".into())), dec("-1.50"));
        assert_eq!((l.cogs, l.units.get()), (dec("70"), 5));
        assert_eq!(l.net_margin, dec("25.57"));
        assert_eq!(valued.unassigned_cogs().unwrap(), dec("14"));

        // The remainder: the subscription, -39.99, under its name.
        assert_eq!(
            s.unattributed.get(&FeeKind::Other("Subscription Fee".into())),
            Some(&dec("-39.99"))
        );
        assert_eq!(s.unattributed_total, dec("-39.99"));
        // Every charge: -713.07 (the deposit 721.93 less revenue 1435.00);
        // lines carry -302.37 - 68.34 - 185.43 - 37.51 - 79.43 = -673.08.
        assert_eq!(s.charges_total, dec("-713.07"));
        assert_eq!(s.attributed_total().unwrap(), dec("-673.08"));
        assert_eq!(s.attributed_total().unwrap() + s.unattributed_total, s.charges_total);
        // What the month left: 129.63 + 99.66 + 138.57 + 82.49 + 25.57
        // - 39.99 - 14 (unassigned COGS) = 421.93
        let net: Decimal = s.lines.iter().map(|l| l.net_margin).sum();
        assert_eq!(net + s.unattributed_total - valued.unassigned_cogs().unwrap(), dec("421.93"));
    }
}

// ---- idempotent re-import ---------------------------------------------

#[test]
fn overlapping_downloads_share_keys_even_when_reconciliation_changes() {
    let first = data("synthetic_ledger_detail_view.csv");
    let text = String::from_utf8(first.clone()).unwrap();
    // A later download: the misplaced units were all reconciled, and the
    // title was edited; rows before 03/03 fall outside its period.
    let later = text
        .replace("\"M\",\"US\",\"1\",\"3\"", "\"M\",\"US\",\"4\",\"0\"")
        .replace("Test Widget Blue", "Test Widget Blue v2");
    let later: String = later
        .lines()
        .filter(|l| !l.starts_with("\"03/01/") && !l.starts_with("\"03/02/"))
        .map(|l| format!("{l}\n"))
        .collect();
    let a: BTreeSet<_> = detail(&first).iter().map(|r| r.key()).collect();
    let b = detail(later.as_bytes());
    assert_eq!(b.len(), 9);
    assert!(b.iter().all(|r| a.contains(&r.key())));
    let m = b.iter().find(|r| r.reason == Some(ReasonCode::Misplaced)).unwrap();
    assert_eq!(m.reconciled_quantity, Some(Quantity::new(4)));
}

// ---- header drift and hostile input -----------------------------------

const SYNTH_ROWS: &str = "03/01/2026,X00TEST001,WIDGET-BLUE,Receipts,FBA15TEST01,48,ABE2,SELLABLE,,US\n\
                          03/02/2026,X00TEST001,WIDGET-BLUE,Shipments,111-0000000-0000001,-3,ABE2,SELLABLE,,US\n";

#[test]
fn header_drift_is_tolerated() {
    // Reordered, differently spelled, with unknown and newer columns.
    let text = "\u{feff}date and time,store,Unknown Thing,DISPOSITION,fulfillment-center,quantity,event_type,reference-id,msku,fnsku,date\r\n\
                2026-03-01T08:00:00Z,US-store,x,SELLABLE,ABE2,48,Receipts,FBA15TEST01,WIDGET-BLUE,X00TEST001,03/01/2026\r\n";
    let rows = detail(text.as_bytes());
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.date, r.quantity.get(), r.event_type.clone()),
        (day(2026, 3, 1), 48, EventType::Receipts)
    );
    assert_eq!(r.store.as_deref(), Some("US-store"));
    // The same event spelled the canonical way has the same key, except
    // for the country column this header lacks.
    let canon = format!(
        "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n{}",
        "03/01/2026,X00TEST001,WIDGET-BLUE,Receipts,FBA15TEST01,48,ABE2,SELLABLE,\n"
    );
    assert_eq!(detail(canon.as_bytes())[0].key(), r.key());
}

#[test]
fn missing_required_column_is_named() {
    let text = "Date,FNSKU,MSKU,Event Type,Quantity,Disposition\n";
    let err = LedgerDetailReader::new(text.as_bytes()).err().unwrap();
    assert!(err.is_fatal());
    assert_eq!(
        err.to_string(),
        "ledger detail view: line 1: required column \"Fulfillment Center\" is missing from the header"
    );
}

fn header10() -> &'static str {
    "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason,Country\n"
}

#[test]
fn wrapped_and_shifted_lines_are_row_errors_and_reading_goes_on() {
    let text = format!(
        "{}{}03/03/2026,X00TEST001,WIDGET-BLUE,Ship\nments,R,-1,ABE2,SELLABLE,,US\n03/03/2026,X00TEST001,WIDGET,BLUE,Shipments,R,-1,ABE2,SELLABLE,,US\n03/04/2026,X00TEST001,WIDGET-BLUE,Receipts,R2,5,ABE2,SELLABLE,,US\n",
        header10(),
        SYNTH_ROWS
    );
    let mut reader = LedgerDetailReader::new(text.as_bytes()).unwrap();
    let results: Vec<_> = reader.by_ref().collect();
    let summary: Vec<_> = results
        .iter()
        .map(|r| match r {
            Ok(row) => format!("ok {}", row.line),
            Err(ReadError::FieldCount { line, found, expected: 10, .. }) => {
                format!("count {line} {found}")
            }
            Err(e) => format!("other {e}"),
        })
        .collect();
    assert_eq!(summary, ["ok 2", "ok 3", "count 4 4", "count 5 7", "count 6 11", "ok 7"]);
    assert_eq!(reader.stats().rows, 3);
    assert_eq!(reader.stats().row_errors, 3);
    assert!(stats_add_up(reader.stats()));
}

#[test]
fn wrong_delimiter_is_a_file_error() {
    let text = "Date;FNSKU;MSKU;Event Type;Quantity;Fulfillment Center;Disposition\n";
    let err = LedgerDetailReader::new(text.as_bytes()).err().unwrap();
    assert!(matches!(err, ReadError::UnsupportedDelimiter { found: ';', .. }));
    assert!(matches!(LedgerDetailReader::new(&b""[..]).err(), Some(ReadError::Empty { .. })));
    assert!(matches!(
        LedgerDetailReader::new(&b"\xEF\xBB\xBF\r\n"[..]).err(),
        Some(ReadError::Empty { .. })
    ));
}

#[test]
fn bad_utf8_fails_the_cell_it_is_in_only_when_used() {
    let mut text = header10().as_bytes().to_vec();
    text.extend_from_slice(b"03/01/2026,X00TEST001,WID\xFFGET,Receipts,R,1,ABE2,SELLABLE,,US\n");
    let mut titled =
        b"Date,FNSKU,MSKU,Title,Event Type,Quantity,Fulfillment Center,Disposition,Junk\n".to_vec();
    titled.extend_from_slice(b"03/01/2026,X1,W,Caf\xE9,Receipts,1,ABE2,SELLABLE,\xFF\xFE\n");
    let err = LedgerDetailReader::new(&text[..]).unwrap().next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::InvalidUtf8 { line: 2, column: "MSKU", .. }), "{err}");
    let row = LedgerDetailReader::new(&titled[..]).unwrap().next().unwrap().unwrap();
    assert_eq!(row.title, "Caf\u{fffd}");
}

#[test]
fn ten_megabyte_field_is_refused_without_reading_it_all() {
    let mut text = header10().as_bytes().to_vec();
    text.extend_from_slice(SYNTH_ROWS.as_bytes());
    text.extend_from_slice(b"03/05/2026,X1,\"");
    text.extend(std::iter::repeat_n(b'A', 10 << 20));
    text.extend_from_slice(b"\",Receipts,R,1,ABE2,SELLABLE,,US\n");
    let mut reader = LedgerDetailReader::new(&text[..]).unwrap();
    assert!(reader.next().unwrap().is_ok());
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::RecordTooLarge { line: 4, limit: 1_048_576, .. }), "{err}");
    assert!(err.is_fatal());
    assert!(reader.next().is_none());
    // A larger cap lets the same record through, to a row error: the
    // field is an over-long SKU.
    let options = ReadOptions::default().max_record_bytes(16 << 20);
    let mut reader = LedgerDetailReader::with_options(&text[..], options).unwrap();
    let err = reader.nth(2).unwrap().unwrap_err();
    assert!(matches!(err, ReadError::InvalidValue { line: 4, column: "MSKU", .. }));
    assert!(err.to_string().len() < 300);
}

#[test]
fn crlf_bom_blank_lines_and_quotes() {
    let text = format!(
        "\u{feff}{}\r\n\r\n,,,,,,,,,\r\n{}",
        header10().trim_end(),
        "\"03/01/2026\",\"X1\",\"W\",\"Receipts\",\"R, with comma\",\"1\",\"ABE2\",\"SELLABLE\",\"\",\"US\"\r\n"
    );
    let mut reader = LedgerDetailReader::new(text.as_bytes()).unwrap();
    let row = reader.next().unwrap().unwrap();
    assert_eq!(row.reference_id.as_deref(), Some("R, with comma"));
    assert_eq!(row.line, 4);
    assert_eq!(reader.stats().skipped(&SkipReason::BlankLine), 1);
    assert_eq!(reader.stats().records, 2); // the empty line is not a record
}

#[test]
fn bad_dates_and_placeholders() {
    let text = format!(
        "{}13/45/2026,X1,W,Receipts,R,1,ABE2,SELLABLE,,US\nDate Not Captured,X1,W,Receipts,R,1,ABE2,SELLABLE,,US\n",
        header10()
    );
    let mut reader = LedgerDetailReader::new(text.as_bytes()).unwrap();
    let err = reader.next().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "ledger detail view: line 2, column \"Date\": \"13/45/2026\" is not a date"
    );
    assert!(reader.next().is_none());
    assert_eq!(reader.stats().skipped(&SkipReason::no_date("Date")), 1);
}

/// Fresh user: rows skipped for want of a date (and blank lines,
/// repeated headers) were only counted. The stats keep the line of the
/// first record skipped for each reason, so a caller can name it.
#[test]
fn the_first_line_skipped_for_each_reason_is_kept() {
    let row = "2026-03-01,X1,W,Receipts,R,1,ABE2,SELLABLE,,US\n";
    let undated = "Date Not Captured,X1,W,Receipts,R,1,ABE2,SELLABLE,,US\n";
    let text = format!("{}{row}{undated},,\n{undated}{}", header10(), header10());
    let mut reader = LedgerDetailReader::new(text.as_bytes()).unwrap();
    assert_eq!(reader.by_ref().filter(Result::is_ok).count(), 1);
    let stats = reader.stats();
    assert_eq!(stats.skipped(&SkipReason::no_date("Date")), 2);
    assert_eq!(
        stats.first_skipped_at,
        std::collections::BTreeMap::from([
            (SkipReason::no_date("Date"), 3),
            (SkipReason::BlankLine, 4),
            (SkipReason::RepeatedHeader, 6),
        ])
    );
}

/// Tester B: `03/01/2026 10:00:00 AST` was refused as "not a date",
/// though the date is fine and the refused zone is the problem. The
/// error names the zone, and what is wrong after any readable date.
#[test]
fn a_date_refused_for_what_follows_it_says_what_is_wrong() {
    let head = "Date,FNSKU,MSKU,Event Type,Quantity,Fulfillment Center,Disposition\n";
    let first = |date: &str, options: ReadOptions| {
        let text = format!("{head}{date},X1,W,Receipts,1,ABE2,SELLABLE\n");
        LedgerDetailReader::with_options(text.as_bytes(), options).unwrap().next().unwrap()
    };
    let err = first("03/01/2026 10:00:00 AST", ReadOptions::default()).unwrap_err();
    match &err {
        ReadError::InvalidDate { line: 2, column: "Date", problem, .. } => {
            assert_eq!(problem, &TimestampProblem::UnknownZone("AST".into()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "ledger detail view: line 2, column \"Date\": \"03/01/2026 10:00:00 AST\" has a date, \
         but zone \"AST\" is ambiguous (Atlantic or Arabia?): choose its meaning with \
         ReadOptions::zone_names or write an offset"
    );
    // Settled as Arabia Standard Time (+3), the same cell reads.
    let arabia = ReadOptions::default().zone_names(ZoneNames::SaudiArabia);
    assert_eq!(first("03/01/2026 10:00:00 AST", arabia).unwrap().date, day(2026, 3, 1));
    // A name no choice knows, a broken time, text after the zone.
    for (date, why) in [
        ("03/01/2026 10:00:00 XYZ", "has a date, but zone \"XYZ\" is unknown or ambiguous"),
        ("03/01/2026 25:61", "has a date, but the time of day is malformed or does not exist"),
        ("03/01/2026 10:00 UTC PST", "has a date, but unexpected text after the time"),
    ] {
        let err = first(date, ReadOptions::default()).unwrap_err();
        assert!(err.to_string().ends_with(&format!("{date:?} {why}")), "{err}");
    }
    // An unreadable date is still just not a date.
    let err = first("13/45/2026 10:00:00 UTC", ReadOptions::default()).unwrap_err();
    assert!(matches!(&err, ReadError::InvalidDate { problem: TimestampProblem::Date, .. }));
    assert!(err.to_string().ends_with("is not a date"), "{err}");
}

// ---- laws --------------------------------------------------------------

fn drain<I: Iterator<Item = Result<T, ReadError>>, T>(iter: I) {
    for item in iter {
        let _ = item;
    }
}

fn read_all(bytes: &[u8]) {
    let small = ReadOptions::default().max_record_bytes(4096);
    if let Ok(r) = LedgerDetailReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = LedgerSummaryReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = InventoryReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = OrdersReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = ReimbursementReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = UciRetailReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = ScmsReader::with_options(bytes, small) {
        drain(r.replenishments());
    }
    if let Ok(r) = SettlementReader::with_options(bytes, small) {
        drain(r);
    }
    if let Ok(r) = StorageFeeReader::with_options(bytes, small) {
        drain(r);
    }
}

const HEADERS: [&str; 3] = [
    "Date\tFNSKU\tMSKU\tEvent Type\tQuantity\tFulfillment Center\tDisposition\tReason\n",
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
    "ID,PO / SO #,Country,Shipment Mode,PO Sent to Vendor Date,Scheduled Delivery Date,Delivered to Client Date,Vendor\n",
];

/// Words by which a name says Amazon paid (or took back) compensation.
/// Capitalised, so that joined without a separator they still read as
/// words; upper case is tried with separators only (`upper`), since
/// `REIMBURSEMENTLOST` cannot be cut.
const PAID_WORDS: [&str; 6] =
    ["Reimbursement", "Reimbursed", "Clawback", "Compensated", "Reimbursements", "Compensation"];
/// Words that name a loss: alone they say nothing about who pays.
const LOSS_WORDS: [&str; 4] = ["Lost", "Damaged", "Damage", "Missing"];
/// Words from fee names.
const OTHER_WORDS: [&str; 16] = [
    "Placement",
    "Replacement",
    "Storage",
    "Aged",
    "Long",
    "Term",
    "Removal",
    "Disposal",
    "Fulfillment",
    "Carrier",
    "Label",
    "Box",
    "Unit",
    "Per",
    "Prep",
    "Transport",
];
/// Words by which a name says it is a fee or a charge.
const FEE_NAME_WORDS: [&str; 5] = ["Fee", "Fees", "Charge", "Surcharge", "FEE"];

/// Joins `words` with `marker` inserted at `at`, upper-cased when asked.
fn name_of<'a>(
    mut parts: Vec<&'a str>,
    marker: &'a str,
    at: usize,
    sep: &str,
    upper: bool,
) -> String {
    parts.insert(at.min(parts.len()), marker);
    let name = parts.join(sep);
    if upper && !sep.is_empty() { name.to_uppercase() } else { name }
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just("_"), Just(" "), Just(":"), Just("-")]
}

/// A date followed by an impossible time, several zones, or `AM`/`PM`
/// without a time was read as that date; each is now not a date.
#[test]
fn a_date_with_an_impossible_time_or_stacked_zones_is_not_a_date() {
    let mf = DateOrder::MonthFirst;
    for text in [
        "2026-03-01 99:99",
        "2026-03-01 25:61:61",
        "2026-03-01T99:99:99Z",
        "2026-03-01 24:00",
        "2026-03-01 23:60",
        "2026-03-01 10:00:60",
        "2026-03-01 10:00 PST PDT EST",
        "2026-03-01 10:00 PST PDT",
        "2026-03-01T10:00:00Z UTC",
        "2026-03-01 10:00:00+01:00 CET",
        "2026-03-01 10:00 +00:00 UTC",
        "2026-03-01 UTC GMT",
        "2026-03-01 AM",
        "2026-03-01 PM UTC",
        "2026-03-01 UTC 10:00",
        "2026-03-01 10:00 UTC PM",
        "2026-03-01 10:00 AM PM",
        "2026-03-01 13:00 PM",
        "2026-03-01 0:30 AM",
        "03/01/2026 2:05:99 PM PST",
        "2026-03-01T 10:00",
    ] {
        assert_eq!(parse_date(text, mf), Err(NotADate), "{text}");
    }
    let march_first = NaiveDate::from_ymd_opt(2026, 3, 1);
    for text in [
        "2026-03-01 00:00",
        "2026-03-01 23:59:59",
        "2026-03-01 12:00 AM",
        "2026-03-01 12:59:59 pm PST",
        "2026-03-01 9:05 AM UTC+1",
        "2026-03-01 10:00 -0800",
        "2026-03-01T10:00:00.5+01:00",
        "2026-03-01 UTC",
        // A leap second, in the last minute of an hour.
        "2026-03-01T23:59:60Z",
        "2026-03-01 07:59:60 PST",
    ] {
        assert_eq!(parse_date(text, mf), Ok(march_first), "{text}");
    }
}

proptest! {
    /// Law: a clock after a date is accepted exactly when it names a time
    /// of day: hours 0-23 (1-12 before `AM`/`PM`), minutes 0-59, seconds
    /// 0-59 or a leap second 60 at minute 59; and with at most one zone.
    #[test]
    fn a_time_after_a_date_is_accepted_exactly_when_it_exists(
        hour in 0_u32..100,
        minute in 0_u32..100,
        second in proptest::option::of(0_u32..100),
        meridiem in proptest::option::of(prop_oneof![Just("AM"), Just("pm")]),
        zones in proptest::collection::vec(
            prop_oneof![Just("UTC"), Just("PST"), Just("+01:00"), Just("MESZ"), Just("GMT-3")],
            0..3,
        ),
        iso in any::<bool>(),
    ) {
        let mut text = format!("2026-03-01{}{hour:02}:{minute:02}", if iso { 'T' } else { ' ' });
        if let Some(s) = second {
            text.push_str(&format!(":{s:02}"));
        }
        for word in meridiem.iter().chain(&zones) {
            text.push(' ');
            text.push_str(word);
        }
        let hour_ok = if meridiem.is_some() { (1..=12).contains(&hour) } else { hour <= 23 };
        let second_ok = second.is_none_or(|s| s <= 59 || (s == 60 && minute == 59));
        let valid = hour_ok && minute <= 59 && second_ok && zones.len() <= 1;
        let want = if valid { Ok(NaiveDate::from_ymd_opt(2026, 3, 1)) } else { Err(NotADate) };
        prop_assert_eq!(parse_date(&text, DateOrder::MonthFirst), want, "{}", text);
    }

    /// Law: a name with a compensation word and no fee word, however it is
    /// cased, joined or ordered among loss and fee-name words, is a
    /// reimbursement.
    #[test]
    fn a_compensation_word_without_a_fee_word_is_income(
        marker in 0..PAID_WORDS.len(),
        others in proptest::collection::vec(0..OTHER_WORDS.len() + LOSS_WORDS.len(), 0..4),
        at in 0_usize..5,
        sep in separator(),
        upper in any::<bool>(),
    ) {
        let words = OTHER_WORDS.iter().chain(&LOSS_WORDS).copied().collect::<Vec<_>>();
        let parts = others.iter().map(|&i| words[i]).collect();
        let name = name_of(parts, PAID_WORDS[marker], at, sep, upper);
        prop_assert_eq!(ChargeKind::classify(&name), ChargeKind::Reimbursement, "{}", name);
    }

    /// Law: a name that calls itself a fee or a charge is never income,
    /// whatever loss or compensation words it carries, and neither is it
    /// under a V2 `FBA Inventory Reimbursement` amount type.
    #[test]
    fn a_name_that_says_fee_is_never_income(
        marker in 0..FEE_NAME_WORDS.len(),
        others in proptest::collection::vec(0..OTHER_WORDS.len() + LOSS_WORDS.len() + PAID_WORDS.len(), 0..4),
        at in 0_usize..5,
        sep in prop_oneof![Just("_"), Just(" "), Just(":"), Just("-")],
        upper in any::<bool>(),
    ) {
        let words = OTHER_WORDS.iter().chain(&LOSS_WORDS).chain(&PAID_WORDS).copied().collect::<Vec<_>>();
        let parts = others.iter().map(|&i| words[i]).collect();
        let name = name_of(parts, FEE_NAME_WORDS[marker], at, sep, upper);
        prop_assert_ne!(ChargeKind::classify(&name), ChargeKind::Reimbursement, "{}", name);
        let file = format!(
            "{V2_HEAD}1\t1.00\tUSD\t\t\t\t\n1\t\t\tother-transaction\tFBA Inventory Reimbursement\t{name}\t-1.00\n"
        );
        let row = SettlementReader::new(file.as_bytes()).unwrap().nth(1).unwrap().unwrap();
        prop_assert_ne!(row.amounts[0].kind, ChargeKind::Reimbursement, "{}", name);
        prop_assert_ne!(row.amounts[0].fee_kind(), Some(merchantry_core::FeeKind::Reimbursement));
    }

    /// Law: a loss word among fee-name words, with no compensation word,
    /// does not make a name income (none of these is one of Amazon's own
    /// reimbursement names).
    #[test]
    fn a_loss_word_alone_is_not_income(
        marker in 0..LOSS_WORDS.len(),
        others in proptest::collection::vec(0..OTHER_WORDS.len(), 0..4),
        at in 0_usize..5,
        sep in separator(),
        upper in any::<bool>(),
    ) {
        let parts = others.iter().map(|&i| OTHER_WORDS[i]).collect();
        let name = name_of(parts, LOSS_WORDS[marker], at, sep, upper);
        prop_assert_ne!(ChargeKind::classify(&name), ChargeKind::Reimbursement, "{}", name);
    }

    /// Law: a V2 row whose amount type is `Promotion` is a promotion
    /// (revenue, never a fee) whatever its description, unless the
    /// description calls itself a fee.
    #[test]
    fn a_v2_promotion_row_is_a_promotion_whatever_its_description(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("Principal"), Just("Shipping"), Just("Tax"), Just("Discount"), Just("Gift"),
                Just("Wrap"), Just("Warehouse"), Just("Lost"), Just("Storage"), Just("Commission"),
                Just("Reimbursement"), Just("TCS"), Just("CGST"), Just("Inbound"),
            ],
            0..4,
        ),
        sep in separator(),
        refund in any::<bool>(),
    ) {
        let description = parts.join(sep);
        let kind = if refund { "Refund" } else { "Order" };
        let file = format!(
            "{V2_HEAD}1\t1.00\tUSD\t\t\t\t\n1\t\t\t{kind}\tPromotion\t{description}\t-1.00\n"
        );
        let row = SettlementReader::new(file.as_bytes()).unwrap().nth(1).unwrap().unwrap();
        prop_assert_eq!(row.amounts[0].kind, ChargeKind::Promotion, "{}", description);
        prop_assert_eq!(row.amounts[0].fee_kind(), None);
    }

    #[test]
    fn arbitrary_bytes_never_panic_any_reader(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_all(&bytes);
    }

    #[test]
    fn arbitrary_rows_under_a_valid_header_never_panic_and_every_record_is_counted(
        which in 0..HEADERS.len(),
        body in proptest::collection::vec(
            prop_oneof![
                Just(b'\t'), Just(b','), Just(b'\n'), Just(b'\r'), Just(b'"'), Just(b'-'),
                Just(b'/'), b'0'..=b'9', Just(b'X'), any::<u8>(),
            ],
            0..1024,
        ),
    ) {
        let mut bytes = HEADERS[which].as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        read_all(&bytes);
        let mut r = LedgerDetailReader::new(&bytes[..]);
        if let Ok(reader) = r.as_mut() {
            let fatal = reader.by_ref().any(|x| x.as_ref().is_err_and(ReadError::is_fatal));
            prop_assert!(fatal || stats_add_up(reader.stats()));
        }
    }

    #[test]
    fn a_reencoded_row_reads_back_the_same(
        qty in -1_000_000_i64..1_000_000,
        y in 2000_i32..2099, m in 1_u32..=12, d in 1_u32..=28,
        sku in "[A-Z0-9][A-Z0-9-]{0,20}",
        tab in any::<bool>(),
    ) {
        let sep = if tab { "\t" } else { "," };
        let header = ["Date", "FNSKU", "MSKU", "Event Type", "Quantity", "Fulfillment Center", "Disposition"].join(sep);
        let row = [format!("{m:02}/{d:02}/{y}"), "X1".into(), sku.clone(), "Adjustments".into(), qty.to_string(), "ABE2".into(), "SELLABLE".into()].join(sep);
        let rows = detail(format!("{header}\r\n{row}\r\n").as_bytes());
        prop_assert_eq!(rows.len(), 1);
        prop_assert_eq!(rows[0].quantity.get(), qty);
        prop_assert_eq!(rows[0].date, day(y, m, d));
        prop_assert_eq!(rows[0].msku.as_str(), sku.as_str());
    }
}

/// A report whose lines end with a lone `\r` (old Mac) is read at any
/// size: the header once ran to the first `\n`, so a `\r`-only file
/// larger than the record cap was refused as one over-long line 1.
#[test]
fn cr_only_files_larger_than_the_record_cap_read_with_right_line_numbers() {
    let header = "Date\tFNSKU\tMSKU\tEvent Type\tQuantity\tFulfillment Center\tDisposition";
    let mut text = format!("{header}\r");
    for i in 1..=100 {
        // Row i is on line i + 1; row 50 has a quantity that is no number.
        let qty = if i == 50 { "many".to_owned() } else { i.to_string() };
        text.push_str(&format!("03/01/2026\tX1\tSKU-{i}\tReceipts\t{qty}\tABE2\tSELLABLE\r"));
    }
    // About 4.4 KB in all, well past a 1000-byte cap on one record.
    assert!(text.len() > 4000);
    let options = ReadOptions::default().max_record_bytes(1000);
    let mut reader = LedgerDetailReader::with_options(text.as_bytes(), options).unwrap();
    let results: Vec<_> = reader.by_ref().collect();
    assert_eq!(results.len(), 100);
    let errors: Vec<u64> =
        results.iter().filter_map(|r| r.as_ref().err()).map(ReadError::line).collect();
    assert_eq!(errors, vec![51]);
    let rows: Vec<&LedgerDetailRow> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(rows.len(), 99);
    assert_eq!(rows[0].msku.as_str(), "SKU-1");
    assert_eq!(rows[98].quantity.get(), 100);
    assert_eq!(reader.stats().rows, 99);
    // The same file with `\r\n` and with `\n` endings reads the same.
    for ending in ["\r\n", "\n"] {
        let other = text.replace('\r', ending);
        let reader = LedgerDetailReader::with_options(other.as_bytes(), options).unwrap();
        let lines: Vec<Result<u64, u64>> =
            reader.map(|r| r.map(|_| 0).map_err(|e| e.line())).collect();
        assert_eq!(lines.iter().filter(|r| r.is_ok()).count(), 99, "{ending:?}");
        assert_eq!(lines.iter().filter_map(|r| r.err()).collect::<Vec<_>>(), vec![51]);
    }
    // A header over the cap is still refused, `\r`-only or not.
    let long = format!("{header}\t{}\r", "x".repeat(1000));
    let err = LedgerDetailReader::with_options(long.as_bytes(), options).err().unwrap();
    assert!(matches!(err, ReadError::RecordTooLarge { line: 1, limit: 1000, .. }), "{err}");
}

// ---- hostile input: truncation, encodings, concatenation, locales -----

const QUOTED: &str = "\"Date\",\"FNSKU\",\"MSKU\",\"Event Type\",\"Fulfillment Center\",\"Disposition\",\"Quantity\"\r\n\
                      \"03/01/2026\",\"X1\",\"W\",\"Receipts\",\"ABE2\",\"SELLABLE\",\"48\"\r\n\
                      \"03/02/2026\",\"X1\",\"W\",\"Shipments\",\"ABE2\",\"SELLABLE\",\"-12\"";

/// A download cut inside the last quoted cell was read as a whole row:
/// `"48` became a quantity of 4 with nothing to say it was cut.
#[test]
fn a_file_cut_inside_a_quoted_cell_is_refused_as_truncated() {
    let cut = &QUOTED[..QUOTED.len() - 2]; // ..."SELLABLE","-1
    let mut reader = LedgerDetailReader::new(cut.as_bytes()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().quantity.get(), 48);
    let err = reader.next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::Truncated { line: 3, .. }), "{err}");
    assert!(err.is_fatal());
    assert!(reader.next().is_none());
    // Whole files without a final line break still read, quoted or not,
    // and so does an unquoted last cell holding a quote.
    assert_eq!(detail(QUOTED.as_bytes()).last().unwrap().quantity.get(), -12);
    let plain = "Date\tFNSKU\tMSKU\tEvent Type\tFulfillment Center\tDisposition\tQuantity\tTitle\n\
                 03/01/2026\tX1\tW\tReceipts\tABE2\tSELLABLE\t1\tMonitor 27\" wide";
    assert_eq!(detail(plain.as_bytes())[0].title, "Monitor 27\" wide");
    let tab_cut = "Date\tFNSKU\tMSKU\tEvent Type\tFulfillment Center\tDisposition\tQuantity\n\
                   03/01/2026\tX1\tW\tReceipts\tABE2\tSELLABLE\t\"4";
    let err = LedgerDetailReader::new(tab_cut.as_bytes()).unwrap().next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::Truncated { line: 2, .. }), "{err}");
    // Cut inside the header's last quoted name, after every column the
    // reader needs: it read as an empty report.
    let header_cut = "\"Date\",\"FNSKU\",\"MSKU\",\"Event Type\",\"Fulfillment Center\",\"Disposition\",\"Quantity\",\"Rea";
    let err = LedgerDetailReader::new(header_cut.as_bytes()).err().unwrap();
    assert!(matches!(err, ReadError::Truncated { line: 1, .. }), "{err}");
    // The same header whole, without a line break, is an empty report.
    let whole = "\"Date\",\"FNSKU\",\"MSKU\",\"Event Type\",\"Fulfillment Center\",\"Disposition\",\"Quantity\",\"Reason\"";
    assert!(detail(whole.as_bytes()).is_empty());
}

/// Tester: a quote left open in the last row of a file that ends with a
/// line break runs to the end of the input, taking that break in, and
/// was read as a row with the wrong number of cells, not as a file that
/// ends inside a quote. It is now refused as truncated, as a file
/// without the final break is; a closed quoted last cell holding a line
/// break (even a cell of a break, a quote and a break) still reads.
#[test]
fn a_quote_left_open_to_the_end_of_a_file_ending_in_a_line_break_is_truncated() {
    let head = "Date\tFNSKU\tMSKU\tEvent Type\tFulfillment Center\tDisposition\tQuantity\tTitle\n";
    let row = "03/01/2026\tX1\tW\tReceipts\tABE2\tSELLABLE\t48\tMug\n";
    for end in ["\n", "\r\n", "\r"] {
        for open in ["\"Mug", "\"Mug \"\"12\"\" wide", "\"Mug\nBlue"] {
            let file =
                format!("{head}{row}03/02/2026\tX1\tW\tShipments\tABE2\tSELLABLE\t-2\t{open}{end}");
            let mut reader = LedgerDetailReader::new(file.as_bytes()).unwrap();
            assert_eq!(reader.next().unwrap().unwrap().quantity.get(), 48);
            let err = reader.next().unwrap().unwrap_err();
            assert!(
                matches!(err, ReadError::Truncated { line: 3, cut: Cut::InsideQuotes, .. }),
                "{open:?} {end:?}: {err}"
            );
            assert!(reader.next().is_none());
        }
        // Closed, the same cells read, a line break inside or not.
        for (closed, title) in [
            ("\"Mug\"", "Mug"),
            ("\"Mug\nBlue\"", "Mug\nBlue"),
            // A break, a quote and a break: the title, trimmed, is `"`.
            ("\"\n\"\"\n\"", "\""),
        ] {
            let file = format!(
                "{head}{row}03/02/2026\tX1\tW\tShipments\tABE2\tSELLABLE\t-2\t{closed}{end}"
            );
            let rows = detail(file.as_bytes());
            assert_eq!(rows[1].title, title, "{closed:?} {end:?}");
        }
    }
}

/// Tester B: a download cut right after an escaped quote inside the
/// last quoted cell (`"12""`) read as a whole row titled `12"`: the cell
/// ended in `"`, taken for its closing quote. Inside an open quote each
/// `"` stands doubled, so the run of quotes that ends the input decides.
#[test]
fn a_cut_right_after_an_escaped_quote_is_truncated() {
    const HEAD: &str = "sku,afn-fulfillable-quantity,product-name\nX,6,";
    let read = |cell: &str| {
        let file = format!("{HEAD}{cell}");
        let mut reader = InventoryReader::new(file.as_bytes()).unwrap();
        let first = reader.next().unwrap();
        assert!(reader.next().is_none(), "{cell}");
        first
    };
    // Cut: `"12""` is an open quote holding `12"`; `"""` one holding `"`;
    // one byte more, `"12"" P`, was already caught.
    for cut in ["\"12\"\"", "\"\"\"", "\"12\"\" P", "\"", "\"\"\"\"\""] {
        let err = read(cut).unwrap_err();
        assert!(
            matches!(err, ReadError::Truncated { line: 2, cut: Cut::InsideQuotes, .. }),
            "{cut}: {err}"
        );
    }
    // Whole: `"12"""` closes after the escaped quote (an odd run of 3);
    // `""` is an empty quoted cell (the quote run is the cell: even).
    assert_eq!(read("\"12\"\"\"").unwrap().title, "12\"");
    assert_eq!(read("\"\"").unwrap().title, "");
    assert_eq!(read("\"\"\"\"").unwrap().title, "\"");
    // A delimiter inside the quotes before the run is no cell start.
    assert_eq!(read("\"a,\"\"\"").unwrap().title, "a,\"");
    // Unquoted, a quote is plain text, last or not.
    assert_eq!(read("12\"").unwrap().title, "12\"");
}

/// A spreadsheet's "Unicode text" export (UTF-16) matched its header,
/// whose NUL bytes the column matching ignores, then failed every row
/// with a confusing date or cell-count error.
#[test]
fn utf16_and_utf32_inputs_are_refused_by_name() {
    let text = "Date\tFNSKU\tMSKU\tEvent Type\tQuantity\tFulfillment Center\tDisposition\r\n\
                03/01/2026\tX1\tW\tReceipts\t48\tABE2\tSELLABLE\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let cases = [
        ([&[0xFF, 0xFE][..], &le].concat(), "UTF-16LE"),
        ([&[0xFE, 0xFF][..], &be].concat(), "UTF-16BE"),
        (le.clone(), "UTF-16 or another encoding with NUL bytes"),
        (be, "UTF-16 or another encoding with NUL bytes"),
        ([&[0xFF, 0xFE, 0, 0][..], b"D\0\0\0"].concat(), "UTF-32"),
    ];
    for (bytes, want) in cases {
        match LedgerDetailReader::new(&bytes[..]).err() {
            Some(ReadError::UnsupportedEncoding { encoding, .. }) => assert_eq!(encoding, want),
            other => panic!("{want}: {other:?}"),
        }
    }
    let err = SettlementReader::new(&le[..]).err().unwrap();
    assert_eq!(
        err.to_string(),
        "settlement: line 1: input is UTF-16 or another encoding with NUL bytes, expected UTF-8"
    );
}

/// Downloads concatenated with `cat` repeat the header with its
/// byte-order mark; the copy was read as a data row (a skipped
/// placeholder date in the ledger, a bad currency in a settlement).
#[test]
fn a_repeated_header_with_a_byte_order_mark_is_skipped_as_a_header() {
    let header = "Date,FNSKU,MSKU,Event Type,Quantity,Fulfillment Center,Disposition\n";
    let row = "03/01/2026,X1,W,Receipts,48,ABE2,SELLABLE\n";
    let file = format!("\u{feff}{header}{row}\u{feff}{header}{row}");
    let mut reader = LedgerDetailReader::new(file.as_bytes()).unwrap();
    assert_eq!(reader.by_ref().filter(Result::is_ok).count(), 2);
    assert_eq!(reader.stats().skipped(&SkipReason::RepeatedHeader), 1);
    assert_eq!(reader.stats().skipped_total(), 1);
    let settle = "settlement-id\ttotal-amount\tcurrency\n1\t5.00\tUSD\n\u{feff}settlement-id\ttotal-amount\tcurrency\n";
    let mut reader = SettlementReader::new(settle.as_bytes()).unwrap();
    assert!(reader.by_ref().all(|r| r.is_ok()));
    assert_eq!(reader.stats().skipped(&SkipReason::RepeatedHeader), 1);
}

/// Thousands separators and decimal commas, in either locale, are
/// row errors naming the cell, never read as another number.
#[test]
fn numbers_in_another_locale_are_row_errors_naming_the_cell() {
    let head = "Date\tFNSKU\tMSKU\tEvent Type\tQuantity\tFulfillment Center\tDisposition\n";
    for qty in ["1,234", "1.234", "1 234", "1\u{a0}234", "1'234", "\u{661}\u{662}"] {
        let file = format!("{head}03/01/2026\tX1\tW\tReceipts\t{qty}\tABE2\tSELLABLE\n");
        let err = LedgerDetailReader::new(file.as_bytes()).unwrap().next().unwrap().unwrap_err();
        match err {
            ReadError::InvalidQuantity { column: "Quantity", value, line: 2, .. } => {
                assert_eq!(value, qty);
            }
            other => panic!("{qty}: {other:?}"),
        }
    }
    let head = "settlement-id\ttotal-amount\tcurrency\n";
    for amount in ["1.234,56", "1,234.56", "12,50", "1 234,56", "$12.50", "12.50-"] {
        let file = format!("{head}1\t{amount}\tEUR\n");
        let err = SettlementReader::new(file.as_bytes()).unwrap().next().unwrap().unwrap_err();
        match err {
            ReadError::InvalidAmount { column: "total-amount", value, .. } => {
                assert_eq!(value, amount);
            }
            other => panic!("{amount}: {other:?}"),
        }
    }
}

proptest! {
    /// Cutting a quoted report inside any cell never yields the cut
    /// row: every row read before the error is a whole row of the full
    /// file, and the cut row is an error.
    #[test]
    fn a_cut_inside_a_quoted_cell_never_yields_the_cut_row(cut in 0..QUOTED.len()) {
        let prefix = &QUOTED[..cut];
        let quotes = prefix.bytes().filter(|&b| b == b'"').count();
        prop_assume!(quotes % 2 == 1 && prefix.contains('\n'));
        let full = detail(QUOTED.as_bytes());
        let read: Vec<_> = LedgerDetailReader::new(prefix.as_bytes()).unwrap().collect();
        let (rows, errors): (Vec<_>, Vec<_>) = read.into_iter().partition(Result::is_ok);
        let whole_rows = prefix.matches('\n').count() - 1;
        prop_assert_eq!(rows.len(), whole_rows);
        for (got, want) in rows.into_iter().map(Result::unwrap).zip(&full) {
            prop_assert_eq!(&got, want);
        }
        prop_assert_eq!(errors.len(), 1);
    }
}

proptest! {
    /// Law: a last cell quoted the standard way (each `"` doubled) and
    /// cut at any byte inside its quotes is refused as truncated, unless
    /// the cut fell between the two quotes of an escaped pair: what is
    /// left is then a whole shorter cell (`"a""b"` cut to `"a"`), the cut
    /// no reader can see. Whole, the cell reads back as written.
    #[test]
    fn a_quoted_last_cell_cut_anywhere_inside_its_quotes_is_truncated(
        title in "[a-z\",]{0,8}",
    ) {
        let head = "sku,afn-fulfillable-quantity,product-name\nX,6,";
        let cell = format!("\"{}\"", title.replace('"', "\"\""));
        let whole = format!("{head}{cell}");
        let row = InventoryReader::new(whole.as_bytes()).unwrap().next().unwrap();
        prop_assert_eq!(row.unwrap().title, title.clone());
        for cut in head.len() + 1..whole.len() {
            let first = InventoryReader::new(&whole.as_bytes()[..cut]).unwrap().next().unwrap();
            // What follows the opening quote: a prefix of the doubled
            // text, whole when its quotes pair up before a closing one.
            let inside = &whole[head.len() + 1..cut];
            let closed = inside.ends_with('"') && inside.matches('"').count() % 2 == 1;
            if closed {
                let shorter = inside[..inside.len() - 1].replace("\"\"", "\"");
                prop_assert_eq!(first.unwrap().title, shorter);
            } else {
                prop_assert!(
                    matches!(first, Err(ReadError::Truncated { cut: Cut::InsideQuotes, .. })),
                    "{:?} cut to {:?}: {:?}", title, inside, first
                );
            }
        }
    }
}

// ---- date order: decided from the file unless set ----------------------

const DATED_HEAD: &str = "Date,FNSKU,MSKU,Event Type,Quantity,Fulfillment Center,Disposition\n";

/// A ledger detail file with one row per date, in the order given.
fn dated(dates: &[&str]) -> String {
    let mut text = String::from(DATED_HEAD);
    for date in dates {
        text.push_str(&format!("{date},X001,SKU-1,Receipts,1,ABE2,SELLABLE\n"));
    }
    text
}

fn dates_read(text: &str, options: ReadOptions) -> (Vec<Result<NaiveDate, ReadError>>, ReadStats) {
    let mut reader = LedgerDetailReader::with_options(text.as_bytes(), options).unwrap();
    let dates = reader.by_ref().map(|row| row.map(|r| r.date)).collect();
    (dates, reader.stats().clone())
}

#[test]
fn a_day_first_file_is_read_day_first_from_its_first_row() {
    // The tester's file: 03/01 comes before 25/01, and 25 can only be a
    // day, so both rows are January.
    let (dates, stats) = dates_read(&dated(&["03/01/2026", "25/01/2026"]), ReadOptions::default());
    assert_eq!(
        dates.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 1, 3), day(2026, 1, 25)]
    );
    assert!(!stats.date_order_assumed);
}

/// One date that only one order can read settles the whole file: the
/// stats name that order and that date's line, so a caller can say
/// which row decided (the first such row, 13/01 on line 3 here); a file
/// that settles nothing, or is read as the caller set, names none.
#[test]
fn the_row_that_decides_the_date_order_is_named() {
    let decided = |dates: &[&str], options| dates_read(&dated(dates), options).1.date_order_decided;
    let options = ReadOptions::default();
    let day_first = ["03/01/2026", "13/01/2026", "25/01/2026"];
    assert_eq!(decided(&day_first, options), Some((DateOrder::DayFirst, 3)));
    let month_first = ["03/01/2026", "04/01/2026", "01/25/2026"];
    assert_eq!(decided(&month_first, options), Some((DateOrder::MonthFirst, 4)));
    assert_eq!(decided(&["03/01/2026", "12/11/2026"], options), None, "assumed");
    let set = options.date_order(DateOrder::DayFirst);
    assert_eq!(decided(&day_first, set), None, "set by the caller");
}

#[test]
fn a_file_with_no_day_above_12_is_read_month_first_and_says_so() {
    let (dates, stats) = dates_read(&dated(&["03/01/2026", "12/11/2026"]), ReadOptions::default());
    assert_eq!(
        dates.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 3, 1), day(2026, 12, 11)]
    );
    assert!(stats.date_order_assumed);
    // The same file with the order set is read as told, with nothing
    // assumed.
    let options = ReadOptions::default().date_order(DateOrder::DayFirst);
    let (dates, stats) = dates_read(&dated(&["03/01/2026", "12/11/2026"]), options);
    assert_eq!(
        dates.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 1, 3), day(2026, 11, 12)]
    );
    assert!(!stats.date_order_assumed);
}

#[test]
fn a_month_first_file_is_decided_month_first_without_assuming() {
    let (dates, stats) = dates_read(&dated(&["03/01/2026", "01/25/2026"]), ReadOptions::default());
    assert_eq!(
        dates.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 3, 1), day(2026, 1, 25)]
    );
    assert!(!stats.date_order_assumed);
}

#[test]
fn an_explicit_order_is_used_as_given_even_against_the_file() {
    // Set month first, a day-first file's 25/01 is a row error on its
    // line, and 03/01 stays March: the caller chose.
    let options = ReadOptions::default().date_order(DateOrder::MonthFirst);
    let (dates, _) = dates_read(&dated(&["03/01/2026", "25/01/2026"]), options);
    assert_eq!(dates[0].as_ref().ok(), Some(&day(2026, 3, 1)));
    assert!(matches!(dates[1], Err(ReadError::InvalidDate { line: 3, .. })), "{:?}", dates[1]);
}

#[test]
fn both_orders_in_the_look_ahead_is_a_file_error_naming_both_lines() {
    let text = dated(&["03/01/2026", "25/01/2026", "01/02/2026", "01/26/2026"]);
    let (dates, _) = dates_read(&text, ReadOptions::default());
    assert_eq!(dates.len(), 1, "nothing is yielded before the file error");
    let err = dates[0].as_ref().unwrap_err();
    assert!(err.is_fatal());
    assert!(
        matches!(err, ReadError::MixedDateOrder { day_first_line: 3, month_first_line: 5, .. }),
        "{err:?}"
    );
    assert_eq!(err.line(), 5);
}

#[test]
fn a_contradiction_after_the_look_ahead_is_a_row_error_on_its_line() {
    // A look-ahead of one byte holds only the record that crosses it:
    // 13/01 on line 2 decides day first; 01/13 on line 3, past it, can
    // only be month first.
    let options = ReadOptions::default().look_ahead_bytes(1);
    let (read, stats) = dates_read(&dated(&["13/01/2026", "01/13/2026", "14/01/2026"]), options);
    let errors: Vec<_> = read.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0], ReadError::InvalidDate { line: 3, .. }), "{:?}", errors[0]);
    assert_eq!(read.last().unwrap().as_ref().ok(), Some(&day(2026, 1, 14)));
    assert!(!stats.date_order_assumed);
    assert_eq!(stats.date_order_refuted_at, None, "decided, not assumed");
    assert!(stats_add_up(&stats));
}

/// Shortcoming 5: the look-ahead stopped after 1,000 records, so a
/// day-first file whose first 1,000 dates were all ambiguous was read
/// month first (3 January as 1 March). It now holds records up to its
/// byte limit only, some thousands of typical records.
#[test]
fn a_day_first_file_with_a_thousand_ambiguous_dates_first_is_read_day_first() {
    let mut dates = vec!["03/01/2026"; 3000];
    dates.push("25/01/2026");
    let (read, stats) = dates_read(&dated(&dates), ReadOptions::default());
    assert_eq!(read[0].as_ref().ok(), Some(&day(2026, 1, 3)));
    assert_eq!(read[3000].as_ref().ok(), Some(&day(2026, 1, 25)));
    assert!(!stats.date_order_assumed);
    assert_eq!(stats.rows, 3001);
}

#[test]
fn a_look_ahead_that_ends_before_the_first_unambiguous_date_assumes_month_first() {
    // The limit that remains: a look-ahead (here 4 KiB, about 16 of these
    // records at some 250 bytes each) that sees only ambiguous dates
    // assumes month first and says so; 25/01 past it is a row error
    // naming its line, and the stats name it as refuting the assumption.
    let mut dates = vec!["03/01/2026"; 100];
    dates.push("25/01/2026");
    let options = ReadOptions::default().look_ahead_bytes(4096);
    let (read, stats) = dates_read(&dated(&dates), options);
    assert_eq!(read[0].as_ref().ok(), Some(&day(2026, 3, 1)));
    assert!(matches!(read[100], Err(ReadError::InvalidDate { line: 102, .. })), "{:?}", read[100]);
    assert!(stats.date_order_assumed);
    assert_eq!(stats.date_order_refuted_at, Some(102));
    assert_eq!(stats.rows, 100);
}

#[test]
fn the_byte_cap_also_ends_the_look_ahead() {
    // Rows of about 100 KiB: the look-ahead stops after the record that
    // crosses 1 MiB (the 11th), before 25/01 on row 12.
    let title = "x".repeat(100 * 1024);
    let head = "Date,FNSKU,MSKU,Title,Event Type,Quantity,Fulfillment Center,Disposition\n";
    let mut text = String::from(head);
    for date in ["03/01/2026"; 11].iter().chain(&["25/01/2026"]) {
        text.push_str(&format!("{date},X001,SKU-1,{title},Receipts,1,ABE2,SELLABLE\n"));
    }
    let (read, stats) = dates_read(&text, ReadOptions::default());
    assert_eq!(read[0].as_ref().ok(), Some(&day(2026, 3, 1)));
    assert!(matches!(read[11], Err(ReadError::InvalidDate { line: 13, .. })), "{:?}", read[11]);
    assert!(stats.date_order_assumed);
    assert_eq!(stats.date_order_refuted_at, Some(13));
}

#[test]
fn records_of_empty_cells_count_against_the_byte_cap() {
    // 40 records of 20,000 empty cells hold no text but one bound per
    // cell (160 KB each): the look-ahead stops after the record that
    // crosses 1 MiB (the 7th) instead of keeping all 40, so 25/01 after
    // them is read month first, a row error. Counting text alone, it
    // kept them all and read the file day first.
    let head = "Date,FNSKU,MSKU,Title,Event Type,Quantity,Fulfillment Center,Disposition\n";
    let mut text = String::from(head);
    text.push_str("03/01/2026,X001,SKU-1,t,Receipts,1,ABE2,SELLABLE\n");
    let empty = format!("{}\n", ",".repeat(20_000));
    for _ in 0..40 {
        text.push_str(&empty);
    }
    text.push_str("25/01/2026,X001,SKU-1,t,Receipts,1,ABE2,SELLABLE\n");
    let (read, stats) = dates_read(&text, ReadOptions::default());
    assert_eq!(read[0].as_ref().ok(), Some(&day(2026, 3, 1)));
    assert!(matches!(read[1], Err(ReadError::InvalidDate { line: 43, .. })), "{:?}", read[1]);
    assert!(stats.date_order_assumed);
}

#[test]
fn iso_and_month_name_dates_are_never_ambiguous() {
    let text = dated(&["2026-01-03", "2026-03-01T10:00:00Z", "3-Jan-26", "03.01.2026"]);
    let (read, stats) = dates_read(&text, ReadOptions::default());
    assert_eq!(
        read.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 1, 3), day(2026, 3, 1), day(2026, 1, 3), day(2026, 1, 3)]
    );
    assert!(!stats.date_order_assumed);
    // An ISO file that turns to day-first slashes later is decided by
    // the slashes.
    let (read, _) =
        dates_read(&dated(&["2026-01-03", "03/01/2026", "25/01/2026"]), ReadOptions::default());
    assert_eq!(read[1].as_ref().ok(), Some(&day(2026, 1, 3)));
}

/// Japanese reports write the year first (`2026/01/15`): such dates
/// are read whatever the order and never decide it, so a file of them
/// alone assumes nothing and one with a day-first or month-first date
/// as well is decided by that date, with no mixed-order error.
#[test]
fn year_first_dates_are_read_and_never_decide_the_order() {
    let japanese = ["2026/01/15", "2026/1/5", "2026/12/01 14:23:11 JST", "2026/01/25"];
    let want = [day(2026, 1, 15), day(2026, 1, 5), day(2026, 12, 1), day(2026, 1, 25)];
    for options in [
        ReadOptions::default(),
        ReadOptions::default().date_order(DateOrder::DayFirst),
        ReadOptions::default().date_order(DateOrder::MonthFirst),
    ] {
        let (read, stats) = dates_read(&dated(&japanese), options);
        assert_eq!(read.into_iter().map(Result::unwrap).collect::<Vec<_>>(), want);
        assert!(!stats.date_order_assumed, "nothing was ambiguous");
        assert_eq!(stats.date_order_refuted_at, None);
    }
    // Year-first dates then a day-first one: day first, 03/01 is 3 January.
    let (read, stats) = dates_read(
        &dated(&["2026/01/25", "2026/12/01", "03/01/2026", "25/01/2026"]),
        ReadOptions::default(),
    );
    assert_eq!(
        read.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 1, 25), day(2026, 12, 1), day(2026, 1, 3), day(2026, 1, 25)]
    );
    assert!(!stats.date_order_assumed);
    // And with a month-first one: month first, 03/01 is 1 March.
    let (read, stats) = dates_read(
        &dated(&["2026/01/25", "2026/12/01", "03/01/2026", "01/25/2026"]),
        ReadOptions::default(),
    );
    assert_eq!(
        read.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [day(2026, 1, 25), day(2026, 12, 1), day(2026, 3, 1), day(2026, 1, 25)]
    );
    assert!(!stats.date_order_assumed);
    // With only an ambiguous slashed date beside them, month first is
    // still assumed and said: the year-first dates settle nothing.
    let (read, stats) = dates_read(&dated(&["2026/01/25", "03/01/2026"]), ReadOptions::default());
    assert_eq!(read[1].as_ref().ok(), Some(&day(2026, 3, 1)));
    assert!(stats.date_order_assumed);
    // Past an assumed order, a year-first date refutes nothing.
    let mut dates = vec!["03/01/2026"; 100];
    dates.extend(["2026/01/25", "2026/12/31"]);
    let options = ReadOptions::default().look_ahead_bytes(4096);
    let (read, stats) = dates_read(&dated(&dates), options);
    assert_eq!(read[101].as_ref().ok(), Some(&day(2026, 12, 31)));
    assert!(stats.date_order_assumed);
    assert_eq!(stats.date_order_refuted_at, None);
    // An impossible year-first day is a row error on its line.
    let (read, _) = dates_read(&dated(&["2026/01/15", "2026/02/29"]), ReadOptions::default());
    assert!(
        matches!(
            read[1],
            Err(ReadError::InvalidDate { line: 3, problem: TimestampProblem::Date, .. })
        ),
        "{:?}",
        read[1]
    );
}

#[test]
fn a_day_first_uci_style_file_with_times_is_decided_too() {
    // Dates with a time after them count as evidence as well.
    let text = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice\n\
                536365,85123A,6,01/12/2010 08:26,2.55\n\
                536366,22633,6,13/12/2010 08:28,1.85\n";
    let rows: Vec<_> = UciRetailReader::new(text.as_bytes()).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows[0].date, day(2010, 12, 1));
}

proptest! {
    /// Law: with the order unset, a file written in one order that holds
    /// a day above 12 reads exactly as it does with that order set, and
    /// nothing is assumed.
    #[test]
    fn an_unset_order_reads_a_settled_file_as_its_own_order(
        days in prop::collection::vec((1_u32..=12, 1_u32..=28), 0..40),
        at in 0_usize..40,
        day_first: bool,
    ) {
        let mut days = days;
        // One day above 12 somewhere, to settle the file.
        days.insert(at.min(days.len()), (7, 20));
        let order = if day_first { DateOrder::DayFirst } else { DateOrder::MonthFirst };
        let cells: Vec<String> = days
            .iter()
            .map(|&(m, d)| if day_first { format!("{d:02}/{m:02}/2026") } else { format!("{m:02}/{d:02}/2026") })
            .collect();
        let text = dated(&cells.iter().map(String::as_str).collect::<Vec<_>>());
        let (decided, stats) = dates_read(&text, ReadOptions::default());
        let (given, _) = dates_read(&text, ReadOptions::default().date_order(order));
        let expected: Vec<NaiveDate> = days.iter().map(|&(m, d)| day(2026, m, d)).collect();
        prop_assert_eq!(decided.into_iter().map(Result::unwrap).collect::<Vec<_>>(), expected.clone());
        prop_assert_eq!(given.into_iter().map(Result::unwrap).collect::<Vec<_>>(), expected);
        prop_assert!(!stats.date_order_assumed);
    }
}

/// A day from 1900 to 2099 as a year-first cell: a four-digit year,
/// then month and day (zero-padded or not), by `/`, `.` or `-`.
fn year_first_cell(date: NaiveDate, sep: char, padded: bool) -> String {
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    if padded { format!("{y}{sep}{m:02}{sep}{d:02}") } else { format!("{y}{sep}{m}{sep}{d}") }
}

proptest! {
    /// Law: any day from 1900 to 2099 written year first reads back as
    /// that day in either order, and with a time in JST (+9) as that
    /// local time less nine hours.
    #[test]
    fn year_first_dates_round_trip_in_either_order(
        days in 0_i64..73_049,
        sep in prop_oneof![Just('/'), Just('.'), Just('-')],
        padded: bool,
        seconds in 0_u32..86_400,
    ) {
        let date = day(1900, 1, 1) + chrono::Duration::days(days);
        let cell = year_first_cell(date, sep, padded);
        let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).unwrap();
        let stamp = format!("{cell} {} JST", time.format("%H:%M:%S"));
        let instant = date.and_time(time) - chrono::Duration::hours(9);
        for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
            prop_assert_eq!(parse_date(&cell, order), Ok(Some(date)), "{}", cell);
            prop_assert_eq!(parse_date(&stamp, order), Ok(Some(date)), "{}", stamp);
            let at = parse_timestamp(&stamp, order).unwrap().unwrap();
            prop_assert_eq!(at.naive_utc(), instant, "{}", stamp);
            prop_assert_eq!(at.offset().local_minus_utc(), 9 * 3600);
        }
    }

    /// Law: a year-first cell with any month 0-14 and day 0-33 is a date
    /// exactly when that day exists (30 February, 29 February outside a
    /// leap year and a 13th month never do), in either order, and a
    /// refused one is refused as a date.
    #[test]
    fn year_first_dates_are_read_exactly_when_the_day_exists(
        y in 1900_i32..2100,
        m in 0_u32..15,
        d in 0_u32..34,
        sep in prop_oneof![Just('/'), Just('.')],
    ) {
        let cell = format!("{y}{sep}{m:02}{sep}{d:02}");
        let want = NaiveDate::from_ymd_opt(y, m, d);
        for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
            let got = parse_date(&cell, order);
            match want {
                Some(date) => prop_assert_eq!(got, Ok(Some(date)), "{}", cell),
                None => {
                    prop_assert_eq!(got, Err(NotADate), "{}", cell);
                    let stamp = format!("{cell} 10:00 JST");
                    let err = parse_timestamp(&stamp, order).unwrap_err();
                    prop_assert_eq!(err.problem(), &TimestampProblem::Date, "{}", stamp);
                }
            }
        }
    }

    /// Law: a file of year-first dates with one day-first or month-first
    /// date among them is decided by that date alone, reading exactly as
    /// with its order set.
    #[test]
    fn year_first_dates_never_sway_the_decided_order(
        days in prop::collection::vec(0_i64..73_049, 0..30),
        at in 0_usize..30,
        day_first: bool,
    ) {
        let mut cells: Vec<String> = days
            .iter()
            .map(|&n| year_first_cell(day(1900, 1, 1) + chrono::Duration::days(n), '/', true))
            .collect();
        let settling = if day_first { "20/07/2026" } else { "07/20/2026" };
        let at = at.min(cells.len());
        cells.insert(at, settling.to_owned());
        let order = if day_first { DateOrder::DayFirst } else { DateOrder::MonthFirst };
        let text = dated(&cells.iter().map(String::as_str).collect::<Vec<_>>());
        let (decided, stats) = dates_read(&text, ReadOptions::default());
        let (given, _) = dates_read(&text, ReadOptions::default().date_order(order));
        let decided: Vec<NaiveDate> = decided.into_iter().map(Result::unwrap).collect();
        prop_assert_eq!(&decided, &given.into_iter().map(Result::unwrap).collect::<Vec<_>>());
        prop_assert_eq!(decided[at], day(2026, 7, 20));
        prop_assert!(!stats.date_order_assumed);
    }
}

#[test]
fn a_quantity_without_a_negation_is_a_row_error_naming_the_cell() {
    // i64::MIN fits in 64 bits but -i64::MIN does not; one above it is
    // the smallest quantity read.
    let text = format!(
        "{DATED_HEAD}2026-01-03,X001,SKU-1,Adjustments,-9223372036854775808,ABE2,SELLABLE\n\
         2026-01-03,X001,SKU-1,Adjustments,-9223372036854775807,ABE2,SELLABLE\n"
    );
    let rows: Vec<_> = LedgerDetailReader::new(text.as_bytes()).unwrap().collect();
    match &rows[0] {
        Err(err @ ReadError::InvalidQuantity { line: 2, column: "Quantity", value, .. }) => {
            assert_eq!(value, "-9223372036854775808");
            assert!(!err.is_fatal());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(rows[1].as_ref().unwrap().quantity.get(), -i64::MAX);
}

#[test]
fn each_kept_record_costs_its_buffers_in_the_look_ahead() {
    // With the record count no longer a bound, 10,000 records of one
    // blank cell pair (`,`: 1 byte of text, 3 bounds of 8 bytes) would
    // hold 250 KB by text and bounds alone and all fit in 1 MiB; each
    // also costs LOOK_AHEAD_RECORD_COST (128) bytes of buffers, 153 in
    // all, so the look-ahead stops after 1 MiB / 153 = about 6,850 of
    // them and 25/01 after them is read month first, a row error.
    assert_eq!(merchantry_amazon::LOOK_AHEAD_RECORD_COST, 128);
    let mut text = String::from(DATED_HEAD);
    text.push_str("03/01/2026,X001,SKU-1,Receipts,1,ABE2,SELLABLE\n");
    text.push_str(&",\n".repeat(10_000));
    text.push_str("25/01/2026,X001,SKU-1,Receipts,1,ABE2,SELLABLE\n");
    let (read, stats) = dates_read(&text, ReadOptions::default());
    assert_eq!(read[0].as_ref().ok(), Some(&day(2026, 3, 1)));
    assert!(matches!(read[1], Err(ReadError::InvalidDate { line: 10_003, .. })), "{:?}", read[1]);
    assert!(stats.date_order_assumed);
    assert_eq!(stats.date_order_refuted_at, Some(10_003));
}

// ---- zone names and zone-less date-times --------------------------------

const ORDERS_HEAD: &str = "amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\n";

/// The purchase instants of an orders file with one line per cell.
fn purchased(
    cells: &[&str],
    options: ReadOptions,
) -> Vec<Result<Option<DateTime<FixedOffset>>, ReadError>> {
    let mut text = String::from(ORDERS_HEAD);
    for (i, cell) in cells.iter().enumerate() {
        text.push_str(&format!("111-{i}\t{cell}\tShipped\tW\t1\n"));
    }
    OrdersReader::with_options(text.as_bytes(), options)
        .unwrap()
        .map(|line| line.map(|l| l.purchased_at))
        .collect()
}

fn at_utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// Shortcoming 1: `CST` was always US Central (-6); a report from
/// Amazon China means China Standard Time (+8), 14 hours apart.
#[test]
fn cst_means_what_the_caller_says_the_file_means() {
    let cell = "2026-03-01 09:00:00 CST";
    let us = purchased(&[cell], ReadOptions::default());
    let at = us[0].as_ref().unwrap().unwrap();
    // 09:00 at -6 is 15:00 UTC.
    assert_eq!(at.to_utc(), at_utc(2026, 3, 1, 15, 0));
    let china = purchased(&[cell], ReadOptions::default().zone_names(ZoneNames::China));
    let at = china[0].as_ref().unwrap().unwrap();
    // 09:00 at +8 is 01:00 UTC.
    assert_eq!(at.to_utc(), at_utc(2026, 3, 1, 1, 0));
    assert_eq!(at.offset().local_minus_utc(), 8 * 3600);
    // AST is refused by default (Atlantic or Arabia?) and read as the
    // caller says, in dates as in instants.
    let ast = "2026-03-01 09:00:00 AST";
    assert!(matches!(
        purchased(&[ast], ReadOptions::default())[0],
        Err(ReadError::InvalidDate { line: 2, .. })
    ));
    let saudi = purchased(&[ast], ReadOptions::default().zone_names(ZoneNames::SaudiArabia));
    // 09:00 at +3 is 06:00 UTC.
    assert_eq!(saudi[0].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 3, 1, 6, 0));
    // The free function keeps the default meaning; its `_in` form takes
    // the rules.
    let mf = DateOrder::MonthFirst;
    let china = ZoneRules::default().names(ZoneNames::China);
    assert_eq!(parse_timestamp(cell, mf).unwrap().unwrap().to_utc(), at_utc(2026, 3, 1, 15, 0));
    assert_eq!(
        parse_timestamp_in(cell, mf, &china).unwrap().unwrap().to_utc(),
        at_utc(2026, 3, 1, 1, 0)
    );
}

/// Shortcoming 2: a date-time without a zone gave no instant and no
/// error, so the row's time of day was silently dropped.
#[test]
fn a_zone_less_date_time_is_refused_unless_a_zone_is_assumed() {
    let cells = ["2026-03-01 09:00:00", "2026-03-01", "2026-03-01T09:00:00Z"];
    let read = purchased(&cells, ReadOptions::default());
    match &read[0] {
        Err(
            err @ ReadError::InvalidTimestamp {
                line: 2,
                column: "purchase-date",
                value,
                problem,
                ..
            },
        ) => {
            assert_eq!(value, "2026-03-01 09:00:00");
            assert_eq!(problem, &TimestampProblem::NoZone);
            assert!(!err.is_fatal());
        }
        other => panic!("{other:?}"),
    }
    // A bare date is a day, not an instant: no error; a written zone
    // needs no assumption.
    assert_eq!(read[1].as_ref().unwrap(), &None);
    assert_eq!(read[2].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 3, 1, 9, 0));
    // Assumed Tokyo (+9): 09:00 is 00:00 UTC; the written Z still wins.
    let tokyo = ReadOptions::default().assume_zone(chrono_tz::Asia::Tokyo);
    let read = purchased(&cells, tokyo);
    let at = read[0].as_ref().unwrap().unwrap();
    assert_eq!(at.to_utc(), at_utc(2026, 3, 1, 0, 0));
    assert_eq!(at.offset().local_minus_utc(), 9 * 3600);
    assert_eq!(read[2].as_ref().unwrap().unwrap().offset().local_minus_utc(), 0);
}

#[test]
fn daylight_saving_gaps_and_overlaps_follow_the_stated_policy() {
    // Los Angeles, 2026: clocks go 02:00 PST -> 03:00 PDT on 8 March
    // (02:30 never happens) and 02:00 PDT -> 01:00 PST on 1 November
    // (01:30 happens twice).
    let cells = ["2026-03-08 02:30:00", "2026-11-01 01:30:00", "2026-07-01 12:00:00"];
    let la = ReadOptions::default().assume_zone(chrono_tz::America::Los_Angeles);
    let refused = purchased(&cells, la);
    assert!(matches!(
        &refused[0],
        Err(ReadError::InvalidTimestamp { problem: TimestampProblem::SkippedLocalTime, .. })
    ));
    assert!(matches!(
        &refused[1],
        Err(ReadError::InvalidTimestamp { problem: TimestampProblem::RepeatedLocalTime, .. })
    ));
    // 12:00 PDT (-7) is 19:00 UTC.
    assert_eq!(refused[2].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 7, 1, 19, 0));
    // Offset before the change: 02:30 at -8 is 10:30 UTC (03:30 PDT);
    // 01:30 at -7 is 08:30 UTC, its first occurrence.
    let before = purchased(&cells, la.dst_policy(DstPolicy::OffsetBefore));
    assert_eq!(before[0].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 3, 8, 10, 30));
    assert_eq!(before[1].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 11, 1, 8, 30));
    // Offset after: 02:30 at -7 is 09:30 UTC (01:30 PST); 01:30 at -8 is
    // 09:30 UTC, its second occurrence.
    let after = purchased(&cells, la.dst_policy(DstPolicy::OffsetAfter));
    assert_eq!(after[0].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 3, 8, 9, 30));
    assert_eq!(after[1].as_ref().unwrap().unwrap().to_utc(), at_utc(2026, 11, 1, 9, 30));
}

// ---- truncation without quotes ------------------------------------------

const PLAIN: &str = "Date,FNSKU,MSKU,Event Type,Fulfillment Center,Disposition,Quantity\n\
                     03/01/2026,X1,W,Receipts,ABE2,SELLABLE,48\n\
                     03/02/2026,X1,W,Shipments,ABE2,SELLABLE,-12\n";

/// Shortcoming 3: a download cut right after a delimiter, or inside an
/// unquoted cell before the last, was a non-fatal cell-count row error,
/// so a reader that skips row errors took the cut file as whole.
#[test]
fn a_last_record_cut_short_without_a_line_break_is_truncated() {
    let second = PLAIN.find("03/02").unwrap();
    for cut in [
        "03/02/2026,X1,W,Shipments,ABE2,", // right after a delimiter
        "03/02/2026,X1,W,Ship",            // inside an unquoted cell
        "03/02/2026,X1,W,Shipments,ABE2,SELLABLE,", // after the last delimiter
        "0",                               // one byte into the record
    ] {
        let text = format!("{}{cut}", &PLAIN[..second]);
        let read: Vec<_> = LedgerDetailReader::new(text.as_bytes()).unwrap().collect();
        assert_eq!(read.len(), 2, "{cut}");
        assert_eq!(read[0].as_ref().unwrap().quantity.get(), 48);
        let err = read[1].as_ref().unwrap_err();
        if cut.ends_with("SELLABLE,") {
            // As many cells as the header, the last empty: a whole row
            // with a blank quantity, not a cut.
            assert!(matches!(err, ReadError::MissingValue { column: "Quantity", .. }), "{err}");
        } else {
            assert!(
                matches!(err, ReadError::Truncated { line: 3, cut: Cut::ShortLastRecord, .. }),
                "{cut}: {err}"
            );
            assert!(err.is_fatal());
        }
    }
    // The same short record with a line break after it is a row error,
    // and reading goes on.
    let short = format!(
        "{}03/02/2026,X1,W,Ship\n03/03/2026,X1,W,Receipts,ABE2,SELLABLE,1\n",
        &PLAIN[..second]
    );
    let read: Vec<_> = LedgerDetailReader::new(short.as_bytes()).unwrap().collect();
    assert!(matches!(read[1], Err(ReadError::FieldCount { line: 3, found: 4, .. })));
    assert_eq!(read[2].as_ref().unwrap().quantity.get(), 1);
}

#[test]
fn a_cut_inside_the_last_unquoted_cell_is_flagged_and_refused_on_request() {
    // `-12` cut to `-1` leaves a whole-looking record: read, but the
    // stats say the file has no final line break.
    let cut = &PLAIN[..PLAIN.len() - 2];
    let mut reader = LedgerDetailReader::new(cut.as_bytes()).unwrap();
    let rows: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(rows[1].quantity.get(), -1);
    assert!(reader.stats().unterminated);
    // The whole file says nothing.
    let mut reader = LedgerDetailReader::new(PLAIN.as_bytes()).unwrap();
    assert_eq!(reader.by_ref().count(), 2);
    assert!(!reader.stats().unterminated);
    // Asked for a final line break, the cut file is refused.
    let strict = ReadOptions::default().require_line_end(true);
    let read: Vec<_> = LedgerDetailReader::with_options(cut.as_bytes(), strict).unwrap().collect();
    assert_eq!(read.len(), 2);
    assert!(matches!(read[1], Err(ReadError::Truncated { line: 3, cut: Cut::NoLineEnd, .. })));
    let whole = LedgerDetailReader::with_options(PLAIN.as_bytes(), strict).unwrap();
    assert!(whole.map(Result::unwrap).count() == 2);
    // Trailing spaces after the last line break are no record to cut.
    let spaced = format!("{PLAIN}   ");
    assert_eq!(detail(spaced.as_bytes()).len(), 2);
}

// ---- invalid UTF-8: ids never altered, display text flagged ---------------

/// Shortcoming 4: a title with invalid UTF-8 was silently repaired while
/// an MSKU was refused; nothing on the row said its title was altered.
#[test]
fn invalid_utf8_alters_only_flagged_display_text_and_never_an_id() {
    let head = b"Date,FNSKU,MSKU,Title,Event Type,Quantity,Fulfillment Center,Disposition\n";
    let row = |msku: &[u8], title: &[u8]| {
        [&b"03/01/2026,X1,"[..], msku, b",", title, b",Receipts,1,ABE2,SELLABLE\n"].concat()
    };
    let text = [&head[..], &row(b"W", b"Caf\xE9 mug"), &row(b"W\xFF", b"Mug"), &row(b"W", b"Mug")]
        .concat();
    let mut reader = LedgerDetailReader::new(&text[..]).unwrap();
    let read: Vec<_> = reader.by_ref().collect();
    let first = read[0].as_ref().unwrap();
    assert_eq!(first.title, "Caf\u{FFFD} mug");
    assert!(first.title_lossy);
    assert!(matches!(read[1], Err(ReadError::InvalidUtf8 { line: 3, column: "MSKU", .. })));
    assert!(!read[2].as_ref().unwrap().title_lossy);
    assert_eq!(reader.stats().lossy_rows, 1);
    // Asked not to alter text, the title is refused like an id.
    let strict = ReadOptions::default().lossy_text(false);
    let read: Vec<_> = LedgerDetailReader::with_options(&text[..], strict).unwrap().collect();
    assert!(matches!(read[0], Err(ReadError::InvalidUtf8 { line: 2, column: "Title", .. })));
    assert!(read[2].is_ok());
}

proptest! {
    /// Law: a cut anywhere in an unquoted report is never read as a
    /// whole, unflagged file. Cut after a line break, it reads the rows
    /// before the cut exactly; cut anywhere else, the last record is
    /// refused as truncated, or the stats say the input ended without a
    /// line break (the cut that cannot be seen, see `Cut`), and with a
    /// line end required it is always refused.
    #[test]
    fn a_cut_unquoted_report_is_truncated_or_flagged(cut in PLAIN.find('\n').unwrap() + 1..PLAIN.len()) {
        let prefix = &PLAIN[..cut];
        let full = detail(PLAIN.as_bytes());
        let mut reader = LedgerDetailReader::new(prefix.as_bytes()).unwrap();
        let read: Vec<_> = reader.by_ref().collect();
        let whole_rows = prefix.matches('\n').count() - 1;
        for (got, want) in read.iter().take(whole_rows).zip(&full) {
            prop_assert_eq!(got.as_ref().unwrap(), want);
        }
        if prefix.ends_with('\n') {
            prop_assert_eq!(read.len(), whole_rows);
            prop_assert!(!reader.stats().unterminated);
        } else {
            let truncated = matches!(read.last(), Some(Err(ReadError::Truncated { .. })));
            prop_assert!(truncated || reader.stats().unterminated);
            let strict = ReadOptions::default().require_line_end(true);
            let last = LedgerDetailReader::with_options(prefix.as_bytes(), strict).unwrap().last();
            prop_assert!(matches!(last, Some(Err(ReadError::Truncated { .. }))), "{:?}", last);
        }
    }
}

// ---- an unreadable listing price costs the row nothing but its price ------

/// Tester: a `your-price` of `19,99` refused the whole Manage FBA
/// Inventory row, so its fulfillable and inbound units were lost and
/// replenish fell back to the ledger (on hand 130 became 34). The price
/// only values the listing: it is now left blank and the row flagged,
/// naming line, column and cell; quantities stay strict.
#[test]
fn an_unreadable_price_leaves_the_row_its_quantities_and_is_flagged() {
    let text = [
        &b"sku\tyour-price\tafn-fulfillable-quantity\tafn-inbound-shipped-quantity\n"[..],
        b"W\t19,99\t130\t96\n",
        b"V\tEUR 19.99\t5\t0\n",
        b"U\t1e3\t6\t0\n",
        b"T\t\xFF9.99\t7\t0\n",
        b"S\t19.99\t8\t0\n",
        b"R\t\t9\t0\n",
        b"Q\t19,99\t1,0\t0\n",
    ]
    .concat();
    let mut reader = InventoryReader::new(&text[..]).unwrap();
    let read: Vec<_> = reader.by_ref().collect();
    let w = read[0].as_ref().unwrap();
    assert_eq!(w.price, None);
    assert_eq!(w.price_unread.as_deref(), Some("19,99"));
    assert_eq!(
        (w.afn_fulfillable, w.inbound().unwrap()),
        (Some(Quantity::new(130)), Quantity::new(96))
    );
    let err = w.price_error().unwrap();
    assert!(matches!(err, ReadError::InvalidAmount { line: 2, column: "your-price", .. }));
    assert_eq!(
        err.to_string(),
        "manage FBA inventory: line 2, column \"your-price\": \"19,99\" is not a decimal amount"
    );
    let unread: Vec<_> = read[1..4]
        .iter()
        .map(|r| {
            let r = r.as_ref().unwrap();
            assert_eq!(r.price, None);
            (r.line, r.afn_fulfillable.map(Quantity::get), r.price_unread.clone().unwrap())
        })
        .collect();
    assert_eq!(
        unread,
        [
            (3, Some(5), "EUR 19.99".to_owned()),
            (4, Some(6), "1e3".to_owned()),
            (5, Some(7), "\u{FFFD}9.99".to_owned())
        ]
    );
    // A readable or blank price is no flag.
    for (row, price) in [(&read[4], Some("19.99")), (&read[5], None)] {
        let row = row.as_ref().unwrap();
        assert_eq!(row.price.map(|p| p.to_string()).as_deref(), price);
        assert!(row.price_unread.is_none() && row.price_error().is_none());
    }
    // A bad quantity still refuses its row, whatever the price.
    assert!(matches!(
        read[6],
        Err(ReadError::InvalidQuantity { line: 8, column: "afn-fulfillable-quantity", .. })
    ));
    let stats = reader.stats();
    assert_eq!((stats.rows, stats.row_errors, stats.unread_amount_rows), (6, 1, 4));
    // The flag does not depend on lossy text: a price is never repaired.
    let strict = ReadOptions::default().lossy_text(false);
    let t = InventoryReader::with_options(&text[..], strict).unwrap().nth(3).unwrap().unwrap();
    assert_eq!((t.price, t.afn_fulfillable), (None, Some(Quantity::new(7))));
}

/// Tester: an All Orders `item-price` of `19,99` refused the whole order
/// line, so its units were lost from demand. The price only values the
/// line: it is now left blank and the line flagged, naming line, column
/// and cell; quantity, dates, ids and statuses stay strict.
#[test]
fn an_unreadable_item_price_leaves_the_line_its_quantity_and_is_flagged() {
    let head =
        &b"amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\tcurrency\titem-price\n"[..];
    let text = [
        head,
        b"111-1\t2026-03-01T10:00:00+00:00\tShipped\tW\t2\tEUR\t19,99\n",
        b"111-2\t2026-03-01T11:00:00+00:00\tShipped\tW\t3\tEUR\tEUR 19.99\n",
        b"111-3\t2026-03-01T12:00:00+00:00\tShipped\tW\t4\tEUR\t\xFF9.99\n",
        b"111-4\t2026-03-01T13:00:00+00:00\tShipped\tW\t5\tEUR\t19.99\n",
        b"111-5\t2026-03-01T14:00:00+00:00\tShipped\tW\t6\tEUR\t\n",
        b"111-6\t2026-03-01T15:00:00+00:00\tShipped\tW\t1,0\tEUR\t19,99\n",
        b"111-7\t2026-02-30T10:00:00+00:00\tShipped\tW\t1\tEUR\t19,99\n",
        b"111-8\t2026-03-01T16:00:00+00:00\tShipped\tW\t1\tE1\t19,99\n",
    ]
    .concat();
    let mut reader = OrdersReader::new(&text[..]).unwrap();
    let read: Vec<_> = reader.by_ref().collect();
    let first = read[0].as_ref().unwrap();
    assert_eq!((first.item_price, first.quantity), (None, Quantity::new(2)));
    assert_eq!(first.item_price_unread.as_deref(), Some("19,99"));
    assert_eq!(first.currency.map(|c| c.to_string()).as_deref(), Some("EUR"));
    let err = first.item_price_error().unwrap();
    assert!(matches!(err, ReadError::InvalidAmount { line: 2, column: "item-price", .. }));
    assert_eq!(
        err.to_string(),
        "all orders: line 2, column \"item-price\": \"19,99\" is not a decimal amount"
    );
    let unread: Vec<_> = read[1..3]
        .iter()
        .map(|l| {
            let l = l.as_ref().unwrap();
            assert_eq!(l.item_price, None);
            (l.line, l.quantity.get(), l.item_price_unread.clone().unwrap())
        })
        .collect();
    assert_eq!(unread, [(3, 3, "EUR 19.99".to_owned()), (4, 4, "\u{FFFD}9.99".to_owned())]);
    // A readable or blank price is no flag.
    for (line, price) in [(&read[3], Some("19.99")), (&read[4], None)] {
        let line = line.as_ref().unwrap();
        assert_eq!(line.item_price.map(|p| p.to_string()).as_deref(), price);
        assert!(line.item_price_unread.is_none() && line.item_price_error().is_none());
    }
    // A bad quantity, date or currency still refuses its line, whatever
    // the price.
    assert!(matches!(read[5], Err(ReadError::InvalidQuantity { line: 7, column: "quantity", .. })));
    assert!(matches!(
        read[6],
        Err(ReadError::InvalidDate { line: 8, column: "purchase-date", .. })
    ));
    assert!(matches!(read[7], Err(ReadError::InvalidValue { line: 9, column: "currency", .. })));
    let stats = reader.stats();
    assert_eq!((stats.rows, stats.row_errors, stats.unread_amount_rows), (5, 3, 3));
}

/// Tester: an SCMS `Line Item Value` of `1,234.50` refused the whole
/// shipment, so its PO, scheduled and delivered dates were lost from the
/// lead times. The value only values the shipment: it is now left blank
/// and the shipment flagged, naming line, column and cell; ids and dates
/// stay strict.
#[test]
fn an_unreadable_line_value_leaves_the_shipment_its_dates_and_is_flagged() {
    let head = &b"ID,PO / SO #,Country,Shipment Mode,PO Sent to Vendor Date,\
Scheduled Delivery Date,Delivered to Client Date,Vendor,Line Item Quantity,Line Item Value,\
Weight (Kilograms),Freight Cost (USD)\n"[..];
    let text = [
        head,
        b"7,SCMS-1,Vietnam,Air,11/13/06,2-Jan-07,5-Jan-07,ACME,10,\"1,234.50\",643,900\n",
        b"8,SCMS-2,Vietnam,Air,11/13/06,2-Jan-07,6-Jan-07,ACME,11,USD 551,Weight Captured Separately,\
Freight Included in Commodity Cost\n",
        b"9,SCMS-3,Vietnam,Truck,11/13/06,2-Jan-07,7-Jan-07,ACME,12,\xFF51,1,2\n",
        b"10,SCMS-4,Vietnam,Air,11/13/06,2-Jan-07,8-Jan-07,ACME,13,551.50,1,2\n",
        b"11,SCMS-5,Vietnam,Air,11/13/06,2-Jan-07,9-Jan-07,ACME,14,,1,2\n",
        b"12,SCMS-6,Vietnam,Air,11/13/06,2-Jan-07,31-Feb-07,ACME,15,\"1,234.50\",1,2\n",
        b"13,SCMS-7,Vietnam,Air,11/13/06,2-Jan-07,9-Jan-07 later,ACME,15,551,1,2\n",
        b"1.5,SCMS-8,Vietnam,Air,11/13/06,2-Jan-07,9-Jan-07,ACME,15,\"1,234.50\",1,2\n",
    ]
    .concat();
    let mut reader = ScmsReader::new(&text[..]).unwrap();
    let read: Vec<_> = reader.by_ref().collect();
    let first = read[0].as_ref().unwrap();
    assert_eq!((first.line_value, first.quantity), (None, Some(Quantity::new(10))));
    assert_eq!(first.line_value_unread.as_deref(), Some("1,234.50"));
    assert_eq!(
        (first.po_sent, first.scheduled, first.delivered),
        (Some(day(2006, 11, 13)), day(2007, 1, 2), day(2007, 1, 5))
    );
    assert_eq!(first.weight_kg.map(|w| w.to_string()).as_deref(), Some("643"));
    let err = first.line_value_error().unwrap();
    assert!(matches!(err, ReadError::InvalidAmount { line: 2, column: "Line Item Value", .. }));
    assert_eq!(
        err.to_string(),
        "scms delivery history: line 2, column \"Line Item Value\": \"1,234.50\" is not a decimal amount"
    );
    let unread: Vec<_> = read[1..3]
        .iter()
        .map(|s| {
            let s = s.as_ref().unwrap();
            assert_eq!(s.line_value, None);
            (s.line, s.id, s.delivered, s.line_value_unread.clone().unwrap())
        })
        .collect();
    assert_eq!(
        unread,
        [
            (3, 8, day(2007, 1, 6), "USD 551".to_owned()),
            (4, 9, day(2007, 1, 7), "\u{FFFD}51".to_owned())
        ]
    );
    // Weight and freight notes stay silent: `None`, no flag, no error.
    let noted = read[1].as_ref().unwrap();
    assert_eq!((noted.weight_kg, noted.freight_usd), (None, None));
    // A readable or blank value is no flag.
    for (shipment, value) in [(&read[3], Some("551.50")), (&read[4], None)] {
        let shipment = shipment.as_ref().unwrap();
        assert_eq!(shipment.line_value.map(|v| v.to_string()).as_deref(), value);
        assert!(shipment.line_value_unread.is_none() && shipment.line_value_error().is_none());
    }
    // A bad date or id still refuses its shipment, whatever the value.
    assert!(matches!(
        read[5],
        Err(ReadError::InvalidDate { line: 7, column: "Delivered to Client Date", .. })
    ));
    assert!(matches!(
        read[6],
        Err(ReadError::InvalidDate { line: 8, column: "Delivered to Client Date", .. })
    ));
    assert!(matches!(read[7], Err(ReadError::InvalidQuantity { line: 9, column: "ID", .. })));
    let stats = reader.stats();
    assert_eq!((stats.rows, stats.row_errors, stats.unread_amount_rows), (5, 3, 3));
    assert!(stats_add_up(stats));

    // The flagged shipments keep their lead times as replenishments.
    let mut reps = ScmsReader::new(&text[..]).unwrap().replenishments();
    let lead: Vec<_> = reps.by_ref().filter_map(Result::ok).map(|r| r.actual_days()).collect();
    assert_eq!(lead, [53, 54, 55, 56, 57]);
    assert_eq!(reps.stats().unread_amount_rows, 3);
}
