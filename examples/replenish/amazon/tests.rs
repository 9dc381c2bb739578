use super::claims::*;
use super::*;
use clap::Parser as _;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn paid_without_loss(payments: u64, units: i64, amount: Decimal) -> PaidWithoutLoss {
    PaidWithoutLoss { payments, units, amount }
}

/// An All Orders file: `days` consecutive days from `dense_from`
/// with one order of 2 units of `W` each, and one order of 1 unit on
/// each of `stray` days.
fn orders_file(dense_from: NaiveDate, days: u64, stray: &[NaiveDate]) -> String {
    let mut f = String::from(
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n",
    );
    let dense = (0..days).map(|i| (dense_from + chrono::Days::new(i), 2));
    for (i, (date, units)) in stray.iter().map(|d| (*d, 1)).chain(dense).enumerate() {
        f.push_str(&format!("111-{i:07}\t{date}T10:00:00+00:00\tShipped\tAmazon\tW\t{units}\n"));
    }
    f
}

/// Books one All Orders file from a fresh folder and plans it.
fn plan_orders(name: &str, file: &str) -> (Books, Vec<AmazonRec>) {
    let dir = std::env::temp_dir().join(format!("merchantry-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("all_orders.tsv");
    std::fs::write(&path, file).unwrap();
    let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
    let mut books = Books::new().unwrap();
    let row = books.read_file(Report::Orders, "all_orders.tsv", &path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(row.note.is_empty(), "{}", row.note);
    books.prepare_detail(args.cost_share);
    books.note_window();
    let service = ServiceLevel::new(args.service_level).unwrap();
    let (recs, _) = plan(&args, service, &books).unwrap();
    (books, recs)
}

/// 30 days of 2 units a day (2025-03-01 to 03-30) behind six single
/// 1-unit orders 80 days apart, the last 40 days before the dense
/// block: every gap is under 90 days, so the block rule alone took
/// the window from 2023-12-17 and showed (60 + 6) / 470 = 0.14 units
/// a day. Each stray order has no other row within 15 days (a
/// neighbourhood of 1), the median row's neighbourhood is 31 (mid
/// March: 15 days either side), and 1 < 31 / 10 = 3: the window is
/// the 30 dense days and history per day is 60 / 30 = 2.
#[test]
fn a_chain_of_single_old_orders_no_longer_dilutes_history_per_day() {
    let dense_from = day("2025-03-01");
    let stray: Vec<NaiveDate> =
        (0..6).rev().map(|k| dense_from - chrono::Days::new(40 + 80 * k)).collect();
    assert_eq!(stray[0], day("2023-12-17"));
    let (books, recs) = plan_orders("chain", &orders_file(dense_from, 30, &stray));
    assert_eq!(books.days(), Some((dense_from, day("2025-03-30"))));
    assert_eq!(recs.len(), 1);
    assert!((recs[0].history_units_per_day - 2.0).abs() < 1e-12);
    let note = &books.counts.examples["rows outside the demand window (another block, or a sparse end), booked but left out of demand"];
    assert_eq!(
        note,
        &["6 row(s) dated 2023-12-17 to 2025-01-20, before the window 2025-03-01 to 2025-03-30"]
    );
}

/// Tester (L1): the demand window was cut from every report's booked
/// days, so a ledger receipt of another SKU (V) two days before the
/// first All Orders line stretched it to 2024-12-30 to 2025-03-01:
/// W's 120 units over 62 days, 1.9 a day (1.935), reorder point 154
/// where a receipt on 01-01, or months earlier in another block, gave
/// 2.0 and 153. The window is now the All Orders days alone: 120 / 60
/// = 2.0, reorder point 152.9, whatever the ledger holds.
#[test]
fn the_demand_window_is_the_demand_reports_own_days() {
    let orders = || ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[]));
    let receipt = |date: &str, sku: &str, units: u32| {
        format!("{DETAIL_HEAD}{date},X00{sku},{sku},Receipts,FBA1,{units},ABE2,SELLABLE\n")
    };
    for (name, date) in [("before", "2024-12-30"), ("first", "2025-01-01"), ("old", "2024-11-01")] {
        let files = [orders(), ("ledger_detail.csv", receipt(date, "V", 200))];
        let (books, recs) = plan_folder(&format!("window{name}"), &files);
        assert_eq!(books.days(), Some((day("2025-01-01"), day("2025-03-01"))), "{date}");
        assert_eq!(books.last_day(), Some(day("2025-03-01")), "{date}");
        let w = &recs[0];
        assert_eq!(w.rec.sku.as_str(), "W");
        assert!(
            (w.history_units_per_day - 2.0).abs() < 1e-12,
            "{date}: {}",
            w.history_units_per_day
        );
        assert!((w.rec.reorder_point - 152.9).abs() < 0.05, "{date}: {}", w.rec.reorder_point);
    }

    // W's own receipt of 100 three days after the last order line
    // (03-04, 14 rows within 15 days: not sparse) moves the planning
    // day, not the history: stock counts it (100 on hand, the
    // opening unknown), history stays 120 / 60 (was 120 / 63, 1.9),
    // and the assumptions say which day the plan is for.
    let files = [orders(), ("ledger_detail.csv", receipt("2025-03-04", "W", 100))];
    let (books, recs) = plan_folder("windowafter", &files);
    assert_eq!(books.days(), Some((day("2025-01-01"), day("2025-03-01"))));
    assert_eq!(books.last_day(), Some(day("2025-03-04")));
    let w = &recs[0];
    assert!((w.history_units_per_day - 2.0).abs() < 1e-12, "{}", w.history_units_per_day);
    assert_eq!(w.rec.on_hand, Some(100), "{}", w.rec.reason);
    let args = Args::parse_from(["replenish", "--amazon", "unused"]);
    let lines = assumptions(&args, Path::new("unused"), &books);
    assert!(
        lines[1].starts_with(
            "demand window (2025-01-01 to 2025-03-01, from the days of the All Orders demand \
             lines alone: ledger rows neither widen nor narrow it): "
        ) && lines[1].ends_with(
            "; the plan is for the day after 2025-03-04, the last day of the rows booked \
             from every report (the same rule), so stock counts the movements to then, and \
             the days after the window are not history"
        ),
        "{}",
        lines[1]
    );

    // A lone ledger row 50 days after the last order line is a
    // sparse end of every report's days: the plan stays on 03-01,
    // and the row is named as left out of the stock figures (it was
    // "left out of demand", which a ledger row never is here).
    let files = [orders(), ("ledger_detail.csv", receipt("2025-04-20", "W", 100))];
    let (books, _) = plan_folder("windowsparse", &files);
    assert_eq!(books.last_day(), Some(day("2025-03-01")));
    assert_eq!(
        books.counts.examples["ledger rows after the last day planned from (a sparse end of \
                               the booked days), booked but left out of the stock figures"],
        ["1 row(s) dated 2025-04-20 to 2025-04-20, after 2025-03-01"]
    );
    assert!(!books.counts.examples.keys().any(|k| k.starts_with("rows outside the demand")));
}

/// Writes `files` (name, text) to a fresh folder and loads it as a
/// run with `flags` would.
fn load_folder(
    name: &str,
    flags: &[&str],
    files: &[(&str, impl AsRef<[u8]>)],
) -> Result<Books, String> {
    let dir = std::env::temp_dir().join(format!("merchantry-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let dir_arg = dir.to_string_lossy().into_owned();
    let args = Args::parse_from(["replenish", "--amazon", &dir_arg].iter().chain(flags));
    let loaded = load(&args, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    loaded.map(|(books, _)| books).map_err(|e| e.to_string())
}

/// A download cut inside its last cell (`12` of `120`) reads as a
/// whole row: its file is used and named in a warning, and a file
/// that ends with a line break is not.
#[test]
fn a_file_without_a_final_line_break_is_named() {
    let myi = "sku\tafn-fulfillable-quantity\nW\t120\nV\t12";
    let whole = "sku\tafn-fulfillable-quantity\nU\t7\n";
    let files = [
        ("ledger_detail.csv", small_detail()),
        ("myi_cut.tsv", myi.to_owned()),
        ("myi_whole.tsv", whole.to_owned()),
    ];
    let books = load_folder("unterminated", &[], &files).unwrap();
    assert_eq!(books.counts.warnings[UNTERMINATED], 1);
    assert_eq!(books.counts.examples[UNTERMINATED], ["myi_cut.tsv"]);
    assert_eq!(books.myi.len(), 3);
}

/// Tester: with an undated line between two dated ones, which line
/// decided depended on the order the files were read in (b
/// Cancelled on 03-05, c undated Pending, d Shipped on 03-03 kept
/// 500 units as demand; without c the Cancelled line won). A line
/// without a date now decides only when no line of its pair has
/// one, in any order of files. A last update after tomorrow (2099)
/// always won; it is now skipped as dated in the future. The skip
/// example names the line not used.
#[test]
fn overlapping_downloads_decide_alike_in_any_file_order() {
    let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                fulfillment-channel\tsku\tquantity\n";
    let line = |updated: &str, status: &str| {
        format!("{head}O1\t2026-03-01T09:00:00+00:00\t{updated}\t{status}\tAmazon\tA\t500\n")
    };
    let cancelled = line("2026-03-05T10:00:00+00:00", "Cancelled");
    let undated = line("", "Pending");
    let shipped = line("2026-03-03T10:00:00+00:00", "Shipped");
    let future = line("2099-01-01T10:00:00+00:00", "Pending");
    // Another order's demand, so the folder has a dated day.
    let other = format!("{head}O2\t2026-03-01T09:00:00+00:00\t\tShipped\tAmazon\tA\t7\n");
    let names = ["a_orders.tsv", "b_orders.tsv", "c_orders.tsv", "d_orders.tsv"];
    let orders = [&cancelled, &undated, &shipped, &future];
    for turn in 0..4 {
        // Each rotation of the files over the names: another order
        // of reading.
        let mut files: Vec<(&str, &String)> =
            (0..4).map(|i| (names[i], orders[(i + turn) % 4])).collect();
        files.push(("e_orders.tsv", &other));
        let books = load_folder(&format!("anyorder{turn}"), &[], &files).unwrap();
        assert_eq!(demand_units(&books), 7, "turn {turn}");
        assert_eq!(books.counts.rows_skipped["last update dated in the future"], 1);
        assert!(!books.counts.warnings.contains_key(UPDATED_BEFORE_PURCHASE));
        assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 2, "turn {turn}");
        let cancelled_file = names[(4 - turn) % 4];
        assert!(
            !books.counts.examples[ORDER_LINE_AGAIN].iter().any(|e| e.starts_with(cancelled_file)),
            "turn {turn}: the Cancelled line, in {cancelled_file}, is the one used"
        );
    }
}

/// Tester: two lines of SKU A in one order (100 and 200 units) were
/// taken for one line read twice, so 200 was demand. They are two
/// items; a second download of both lines still counts them once.
#[test]
fn two_items_of_one_sku_in_an_order_are_both_demand() {
    let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\t\
                quantity\n";
    let items = "O1\t2026-03-01T09:00:00+00:00\tShipped\tAmazon\tA\t100\n\
                 O1\t2026-03-01T09:00:00+00:00\tShipped\tAmazon\tA\t200\n";
    let one = [("orders.tsv", format!("{head}{items}"))];
    let books = load_folder("twoitems", &[], &one).unwrap();
    assert_eq!(demand_units(&books), 300);
    let twice =
        [("orders_1.tsv", format!("{head}{items}")), ("orders_2.tsv", format!("{head}{items}"))];
    let books = load_folder("twoitemstwice", &[], &twice).unwrap();
    assert_eq!(demand_units(&books), 300);
    assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 2);
}

/// Tester: an update dated 2020 on a line purchased in 2026 decided
/// its pair as the oldest. Such an update is ignored (the line counts
/// as undated), with a warning: here the dated Cancelled line wins.
#[test]
fn an_update_before_the_purchase_is_ignored_and_named() {
    let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                fulfillment-channel\tsku\tquantity\n";
    let line = |updated: &str, status: &str| {
        format!("O1\t2026-03-01T09:00:00+00:00\t{updated}\t{status}\tAmazon\tA\t500\n")
    };
    let other = "O2\t2026-03-01T09:00:00+00:00\t\tShipped\tAmazon\tA\t7\n";
    let files = [
        (
            "a_orders.tsv",
            format!("{head}{}{other}", line("2026-03-02T10:00:00+00:00", "Cancelled")),
        ),
        ("b_orders.tsv", format!("{head}{}", line("2020-01-01T10:00:00+00:00", "Shipped"))),
    ];
    let books = load_folder("beforepurchase", &[], &files).unwrap();
    assert_eq!(demand_units(&books), 7);
    assert_eq!(
        books.counts.examples[UPDATED_BEFORE_PURCHASE],
        ["b_orders.tsv line 2: order O1 purchased 2026-03-01, last updated 2020-01-01"]
    );
}

/// Tester: `Amazon.de`, `amazon.de` and `AMAZON.DE ` counted as three
/// marketplaces, and a cancelled line in pounds refused a folder of
/// euro sales for mixing prices it does not have; so did a pound line
/// a later download cancelled, and one skipped as updated in 2099.
#[test]
fn marketplace_names_ignore_case_and_only_deciding_demand_has_a_currency() {
    let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                fulfillment-channel\tsku\tquantity\tcurrency\tsales-channel\titem-price\n";
    let line = |id: &str, updated: &str, status: &str, units: u32, money: &str, market: &str| {
        format!(
            "{id}\t2026-09-01T10:00:00+00:00\t{updated}\t{status}\tAmazon\tW\t{units}\t\
             {money}\t{market}\t10\n"
        )
    };
    let day1 = "2026-09-01T11:00:00+00:00";
    let day2 = "2026-09-02T11:00:00+00:00";
    let first = [
        head.to_owned(),
        line("1", day1, "Shipped", 1, "EUR", "Amazon.de"),
        line("2", day1, "Shipped", 2, "EUR", "amazon.de"),
        line("3", day1, "Shipped", 3, "EUR", "AMAZON.DE "),
        line("4", day1, "Cancelled", 4, "GBP", "Amazon.de"),
        line("5", day1, "Pending", 5, "GBP", "Amazon.de"),
        line("6", "2099-01-01T10:00:00+00:00", "Shipped", 6, "GBP", "Amazon.de"),
    ]
    .concat();
    let later = [head.to_owned(), line("5", day2, "Cancelled", 5, "GBP", "Amazon.de")].concat();
    let files = [("orders_1.tsv", first), ("orders_2.tsv", later)];
    let books = load_folder("cased", &[], &files).unwrap();
    assert_eq!(demand_units(&books), 6);
    assert_eq!(books.marketplaces(), [("Amazon.de", 7)]);
}

/// Tester: two Manage FBA Inventory rows of a SKU (the reports of
/// two marketplaces, 400 and 10 fulfillable) left the last one read
/// as on hand without a word. It is still the one used, named in a
/// warning with the row it replaced; the same row read twice (a
/// download kept twice) says nothing.
#[test]
fn disagreeing_inventory_rows_of_one_sku_are_named() {
    let head = "sku\tafn-fulfillable-quantity\n";
    let files = [
        ("ledger_detail.csv", small_detail()),
        ("myi_de.tsv", format!("{head}W\t400\nU\t5\n")),
        ("myi_fr.tsv", format!("{head}W\t10\nU\t5\n")),
    ];
    let books = load_folder("myitwice", &[], &files).unwrap();
    assert_eq!(books.myi[&Sku::new("W").unwrap()].afn_fulfillable, Some(Quantity::new(10)));
    assert_eq!(books.counts.warnings[MYI_AGAIN], 1);
    assert_eq!(
        books.counts.examples[MYI_AGAIN],
        ["myi_fr.tsv line 2: W: fulfillable 400 -> 10 replaces the row read at myi_de.tsv line 2"]
    );
    // Tester: a difference in another column was shown as
    // "fulfillable 100 replaces 100".
    let head = "sku\tafn-fulfillable-quantity\tafn-reserved-quantity\n";
    let files = [
        ("ledger_detail.csv", small_detail()),
        ("myi_a.tsv", format!("{head}W\t100\t0\n")),
        ("myi_b.tsv", format!("{head}W\t100\t7\n")),
    ];
    let books = load_folder("myireserved", &[], &files).unwrap();
    assert_eq!(
        books.counts.examples[MYI_AGAIN],
        ["myi_b.tsv line 2: W: reserved 0 -> 7 replaces the row read at myi_a.tsv line 2"]
    );
}

fn demand_units(books: &Books) -> i64 {
    books.orders.values().map(|(_, units)| units.get()).sum()
}

/// Order 111-9999999-1 (500 units) is Pending in the first download
/// and Cancelled in the second: the later line decides, so the 500
/// units are no demand and their day is not booked. The 30 orders
/// in both downloads count once. Written in the other order, the
/// Pending line is the later one and the 500 units are demand.
#[test]
fn a_cancellation_in_a_later_download_removes_the_order() {
    let base = orders_file(day("2026-09-01"), 30, &[]);
    let big = |status: &str| {
        format!("111-9999999-1\t2026-09-30T09:00:00+00:00\t{status}\tAmazon\tW\t500\n")
    };
    let pending = format!("{base}{}", big("Pending"));
    let cancelled = format!("{base}{}", big("Cancelled"));
    let files = [
        ("all_orders_2026-10-01.tsv", pending.clone()),
        ("all_orders_2026-10-02.tsv", cancelled.clone()),
    ];
    let books = load_folder("cancel", &[], &files).unwrap();
    assert_eq!(demand_units(&books), 60);
    assert_eq!(books.orders.len(), 30);
    assert_eq!(books.dates.values().sum::<u64>(), 30);
    assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 31);
    assert_eq!(books.counts.rows_skipped["order line not demand (cancelled or replacement)"], 1);

    let files = [("all_orders_2026-10-01.tsv", cancelled), ("all_orders_2026-10-02.tsv", pending)];
    let books = load_folder("uncancel", &[], &files).unwrap();
    assert_eq!(demand_units(&books), 560);
}

/// Tester: order 111-9 (500 units) was Pending in
/// `all_orders_b.tsv` (updated 2026-09-30) and Cancelled in
/// `all_orders_a.tsv` (updated 2026-10-01, a download named so that
/// it sorts first): the line read last decided, so the cancelled
/// 500 units were demand. The latest `last-updated-date` now
/// decides, whichever file sorts first; instants compare as
/// instants (23:00 at -08:00 is after 06:00 UTC the next day).
/// Where the dates tie, or a line has none, the line read last
/// still decides, and the assumptions count the undated lines.
#[test]
fn the_latest_last_updated_date_decides_an_order_read_twice() {
    let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                fulfillment-channel\tsku\tquantity\n";
    let line = |id: &str, updated: &str, status: &str, units: u32| {
        format!("{id}\t2026-09-30T09:00:00+00:00\t{updated}\t{status}\tAmazon\tW\t{units}\n")
    };
    let cancelled = [
        head.to_owned(),
        line("111-9", "2026-10-01T08:00:00+00:00", "Cancelled", 500),
        // Updated 2026-10-01 23:00 -08:00, that is 10-02 07:00 UTC.
        line("111-8", "2026-10-01T23:00:00-08:00", "Shipped", 7),
        // Same update as the other file: the line read last decides.
        line("111-7", "2026-10-01T08:00:00+00:00", "Cancelled", 40),
        // No date here: the line read last decides.
        line("111-6", "", "Cancelled", 30),
    ]
    .concat();
    let pending = [
        head.to_owned(),
        line("111-9", "2026-09-30T10:00:00+00:00", "Pending", 500),
        line("111-8", "2026-10-02T06:00:00+00:00", "Cancelled", 7),
        line("111-7", "2026-10-01T08:00:00+00:00", "Shipped", 4),
        line("111-6", "2026-10-03T08:00:00+00:00", "Shipped", 3),
    ]
    .concat();
    let files = [("all_orders_a.tsv", cancelled), ("all_orders_b.tsv", pending)];
    let books = load_folder("updated", &[], &files).unwrap();
    let units: BTreeMap<&str, i64> =
        books.orders.iter().map(|((order, _), (_, q))| (order.as_str(), q.get())).collect();
    assert_eq!(units, BTreeMap::from([("111-6", 3), ("111-7", 4), ("111-8", 7)]));
    assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 4);
    assert_eq!(books.order_lines_undated, 1);
    let args = Args::parse_from(["replenish", "--amazon", "updated"]);
    let said = assumptions(&args, Path::new("updated"), &books).join("\n");
    assert!(said.contains("decided by its latest last-updated-date"), "{said}");
    assert!(said.contains("1 of 8 lines had no last-updated-date"), "{said}");
}

/// A ledger detail view of one shipment of `W` per row, dated
/// `DD/03/2026` for each day given, day first as UK downloads are.
fn uk_detail(days: impl IntoIterator<Item = u32>) -> String {
    let mut f = String::from(
        "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n",
    );
    for (i, d) in days.into_iter().enumerate() {
        f.push_str(&format!("{d:02}/03/2026,X00W,W,Shipments,202-{i:07},-1,LTN1,SELLABLE\n"));
    }
    f
}

/// 5,000 rows dated 01/03 to 12/03 fill the look-ahead, which
/// cannot tell the order and assumes month first; line 5,002 is
/// 13/03/2026, only a date day first. The run stops, naming the file
/// and line and the flag; it used to book the rows across January to
/// December and drop the rest as "not a date". With --date-order
/// day-first every row is in March.
#[test]
fn a_refuted_date_order_stops_the_run_and_names_the_flag() {
    let days = (0..5_000).map(|i| i % 12 + 1).chain(13..=20);
    let files = [("ledger_detail.csv", uk_detail(days))];
    let Err(e) = load_folder("ukref", &[], &files) else { panic!("read mixed dates") };
    assert!(e.starts_with("ledger_detail.csv: dates were read month first"), "{e}");
    assert!(e.contains("line 5002 holds a date that is only a date day first"), "{e}");
    assert!(e.contains("--date-order day-first"), "{e}");

    let books = load_folder("ukref-dmy", &["--date-order", "day-first"], &files).unwrap();
    assert_eq!(books.dates.keys().next(), Some(&day("2026-03-01")));
    assert_eq!(books.dates.keys().next_back(), Some(&day("2026-03-20")));
    assert_eq!(books.dates.values().sum::<u64>(), 5_008);
    assert!(books.date_order_assumed.is_empty());
}

/// The file above beside a small one that decides day first from its
/// first row: the big file's later 13/03 no longer stops the run, since
/// the folder's order is settled; every file is read day first. A
/// sibling deciding month first instead disagrees with that line, and
/// the run stops naming both.
#[test]
fn a_refuted_date_order_follows_a_file_that_settled_the_folder() {
    let days = (0..5_000).map(|i| i % 12 + 1).chain(13..=20);
    let february = uk_detail([20]).replace("/03/2026", "/02/2026").replace("202-", "201-");
    let files = [("a_detail_feb.csv", february), ("ledger_detail.csv", uk_detail(days.clone()))];
    let books = load_folder("ukref-sibling", &[], &files).unwrap();
    assert_eq!(books.dates.keys().next(), Some(&day("2026-02-20")));
    assert_eq!(books.dates.keys().next_back(), Some(&day("2026-03-20")));
    assert_eq!(books.dates.values().sum::<u64>(), 5_009);
    let from = books.date_order_from.as_ref().unwrap();
    assert_eq!((from.file.as_str(), from.line), ("a_detail_feb.csv", 2));
    assert_eq!(from.files, ["ledger_detail.csv"]);

    let us = uk_detail([1]).replace("01/03/2026", "02/21/2026").replace("202-", "203-");
    let files = [("a_detail_us.csv", us), ("ledger_detail.csv", uk_detail(days))];
    let Err(e) = load_folder("ukref-us", &[], &files) else { panic!("read mixed dates") };
    assert!(e.contains("a_detail_us.csv line 2 reads only month first"), "{e}");
    assert!(e.contains("ledger_detail.csv line 5002 only day first"), "{e}");
}

/// A week dated 01/03 to 06/03/2026 fits either order: read month
/// first (January to June), and the assumptions say it was assumed
/// and name the flag. --date-order day-first reads the week.
#[test]
fn an_assumed_date_order_is_printed() {
    let files = [("ledger_detail.csv", uk_detail(1..=6))];
    let books = load_folder("uk", &[], &files).unwrap();
    assert_eq!(books.date_order_assumed, ["ledger_detail.csv"]);
    assert_eq!(books.dates.keys().next_back(), Some(&day("2026-06-03")));
    let args = Args::parse_from(["replenish", "--amazon", "uk"]);
    let said = assumptions(&args, Path::new("uk"), &books).join("\n");
    assert!(
        said.contains("dates: ASSUMED month first (MM/DD/YYYY) in ledger_detail.csv")
            && said.contains("--date-order day-first"),
        "{said}"
    );
    // Tester: Japan writes year first, not day first.
    assert!(
        said.contains(
            "a day-first marketplace (UK, Europe) need --date-order day-first (dates written \
             year first, 2026/01/15, are read so under either order)"
        ),
        "{said}"
    );

    let books = load_folder("uk-dmy", &["--date-order", "day-first"], &files).unwrap();
    let march: Vec<NaiveDate> = books.dates.keys().copied().collect();
    assert_eq!(march, (1..=6).map(|d| day(&format!("2026-03-{d:02}"))).collect::<Vec<_>>());
    let args = Args::parse_from(["replenish", "--amazon", "uk", "--date-order", "day-first"]);
    let said = assumptions(&args, Path::new("uk"), &books).join("\n");
    assert!(
        said.contains("dates: all-numeric dates read day first (DD/MM/YYYY), as --date-order says"),
        "{said}"
    );
}

/// Fresh user: one 13/03/2026 among dates that fit either order made
/// the whole detail view day first, and nothing said so. The
/// assumptions now name the file, the order and the line that decided
/// it (the header is line 1, so the fourth row is line 5); a file that
/// decides nothing, or a run with --date-order, names none.
#[test]
fn the_row_that_decides_a_files_date_order_is_printed() {
    let files = [("ledger_detail.csv", uk_detail([1, 2, 3, 13, 4]))];
    let books = load_folder("ukdecided", &[], &files).unwrap();
    assert_eq!(
        books.date_order_decided,
        [("ledger_detail.csv".to_owned(), DateOrder::DayFirst, 5)]
    );
    assert_eq!(books.dates.keys().next_back(), Some(&day("2026-03-13")));
    let args = Args::parse_from(["replenish", "--amazon", "uk"]);
    let said = assumptions(&args, Path::new("uk"), &books).join("\n");
    assert!(
        said.contains(
            "dates: all-numeric dates read day first (DD/MM/YYYY) in ledger_detail.csv, decided \
             by line 5, whose date reads only day first"
        ),
        "{said}"
    );

    let books = load_folder("ukdecided-dmy", &["--date-order", "day-first"], &files).unwrap();
    assert!(books.date_order_decided.is_empty());
    let books = load_folder("ukdecided-none", &[], &[("ledger_detail.csv", uk_detail(1..=6))]);
    assert!(books.unwrap().date_order_decided.is_empty());
}

/// Fresh user: a February file with 20/02/2026 was read day first, but
/// the March file beside it (days 1 to 6 only) was assumed month first,
/// so its rows were booked from January to June. One folder is one
/// marketplace: the folder is now read again with every file day first,
/// and the assumptions say which file and line decided it.
#[test]
fn a_date_order_one_file_decides_holds_for_the_files_that_cannot_tell() {
    let february = uk_detail([20, 21]).replace("/03/2026", "/02/2026").replace("202-", "201-");
    let files = [("ledger_detail_feb.csv", february), ("ledger_detail_mar.csv", uk_detail(1..=6))];
    let books = load_folder("uk-siblings", &[], &files).unwrap();
    let days: Vec<NaiveDate> = books.dates.keys().copied().collect();
    let mut want = vec![day("2026-02-20"), day("2026-02-21")];
    want.extend((1..=6).map(|d| day(&format!("2026-03-{d:02}"))));
    assert_eq!(days, want);
    assert!(books.date_order_assumed.is_empty() && books.date_order_decided.is_empty());
    let args = Args::parse_from(["replenish", "--amazon", "uk"]);
    let said = assumptions(&args, Path::new("uk"), &books).join("\n");
    assert!(
        said.contains(
            "dates: all-numeric dates read day first (DD/MM/YYYY) in every file: \
             ledger_detail_feb.csv line 2 reads only so"
        ),
        "{said}"
    );
    assert!(said.contains("so ledger_detail_mar.csv, whose first rows could not tell"));
}

/// A file deciding month first (02/21/2026) beside one that cannot tell:
/// the other file was read month first already, and the assumptions say
/// that the folder's order came from the deciding file, not that it was
/// assumed (and that day-first reports need the flag).
#[test]
fn a_month_first_order_one_file_decides_is_named_for_the_folder() {
    let decides = uk_detail([1]).replace("01/03/2026", "02/21/2026").replace("202-", "203-");
    let files = [("a_detail.csv", decides), ("b_detail.csv", uk_detail(1..=6))];
    let books = load_folder("us-siblings", &[], &files).unwrap();
    let args = Args::parse_from(["replenish", "--amazon", "us"]);
    let said = assumptions(&args, Path::new("us"), &books).join("\n");
    assert!(
        said.contains(
            "dates: all-numeric dates read month first (MM/DD/YYYY) in every file: a_detail.csv \
             line 2 reads only so"
        ),
        "{said}"
    );
    assert!(!said.contains("ASSUMED"), "{said}");
    // b_detail.csv's days 1 to 6 are January to June, month first.
    assert_eq!(books.dates.keys().next(), Some(&day("2026-01-03")));
}

/// Two files that decide different orders (20/02/2026 and 02/21/2026)
/// cannot both belong to one marketplace's folder: the run stops and
/// names both lines.
#[test]
fn files_that_decide_different_date_orders_stop_the_run() {
    let day_first = uk_detail([20]).replace("/03/2026", "/02/2026");
    let month_first = uk_detail([1]).replace("01/03/2026", "02/21/2026").replace("202-", "203-");
    let files = [("a_detail.csv", day_first), ("b_detail.csv", month_first)];
    let Err(err) = load_folder("uk-us-mixed", &[], &files) else { panic!("the run went on") };
    assert!(
        err.contains(
            "the files disagree on the order of all-numeric dates: a_detail.csv line 2 reads \
             only day first (DD/MM/YYYY), b_detail.csv line 2 only month first (MM/DD/YYYY)"
        ),
        "{err}"
    );
    // With the order given, the run goes on and the other file's date
    // is an unreadable row.
    assert!(load_folder("uk-us-mixed-dmy", &["--date-order", "day-first"], &files).is_ok());
}

/// An All Orders download gzipped in two members (two gzipped
/// halves joined, as `cat` or a streaming export makes): every row
/// of both is read. The single-member decoder stopped after the
/// first, silently dropping the second half's orders.
#[test]
fn every_member_of_a_multi_member_gzip_is_read() {
    use std::io::Write as _;
    let file = orders_file(day("2026-03-01"), 30, &[]);
    let (first, second) = file.split_at(file.len() / 2);
    let mut bytes = Vec::new();
    for half in [first, second] {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(half.as_bytes()).unwrap();
        bytes.extend(gz.finish().unwrap());
    }
    let books = load_folder("gzmulti", &[], &[("all_orders.tsv.gz", bytes)]).unwrap();
    assert_eq!(books.orders.len(), 30);
    assert_eq!(books.counts.rows_read, 30);
}

/// All Orders with Amazon.com (USD), Amazon.de (EUR) and
/// Amazon.co.jp (JPY) lines were summed into one series, the unit
/// cost a median across currencies: the run now stops and names
/// them. Amazon.com with Multi-Channel Fulfillment (`Non-Amazon`)
/// lines is one marketplace and loads.
#[test]
fn mixed_marketplaces_are_refused_and_named() {
    let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t\
                sales-channel\tsku\tquantity\tcurrency\titem-price\n";
    let line = |id: &str, channel: &str, currency: &str| {
        format!(
            "{id}\t2026-09-01T10:00:00+00:00\tShipped\tAmazon\t{channel}\tW\t1\t{currency}\t10\n"
        )
    };
    let mixed = [
        head.to_owned(),
        line("111-1", "Amazon.com", "USD"),
        line("111-2", "Amazon.com", "USD"),
        line("302-1", "Amazon.de", "EUR"),
        line("503-1", "Amazon.co.jp", "JPY"),
    ]
    .concat();
    let Err(e) = load_folder("mix", &[], &[("all_orders.tsv", mixed)]) else {
        panic!("summed three marketplaces")
    };
    assert!(
        e.contains(
            "more than one currency (EUR, JPY, USD): Amazon.co.jp (1 line, JPY), \
             Amazon.com (2 lines, USD), Amazon.de (1 line, EUR)"
        ),
        "{e}"
    );
    assert!(e.ends_with("Run one marketplace per folder"), "{e}");

    let one = [head.to_owned(), line("111-1", "Amazon.com", "USD"), line("S-1", "Non-Amazon", "")]
        .concat();
    let books = load_folder("onemarket", &[], &[("all_orders.tsv", one)]).unwrap();
    assert_eq!(books.orders.len(), 2);
}

/// Tester: a pan-European FBA seller (Amazon.de, .fr and .it, all
/// in EUR, one stock) could not plan: lines from several
/// marketplaces always stopped the run. `--pool-marketplaces` now
/// sums their demand and names them in the assumptions; without it
/// the refusal names the flag. A GBP marketplace among them is still
/// refused, naming both currencies, since prices would mix.
#[test]
fn pooled_marketplaces_of_one_currency_plan_as_one_demand() {
    let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t\
                sales-channel\tsku\tquantity\tcurrency\titem-price\n";
    let line = |id: &str, channel: &str, units: u32, currency: &str| {
        format!(
            "{id}\t2026-09-01T10:00:00+00:00\tShipped\tAmazon\t{channel}\tW\t{units}\t{currency}\t10\n"
        )
    };
    let euro = [
        head.to_owned(),
        line("302-1", "Amazon.de", 2, "EUR"),
        line("302-2", "Amazon.de", 1, "EUR"),
        line("402-1", "Amazon.fr", 3, "EUR"),
        line("403-1", "Amazon.it", 4, "EUR"),
        line("S-1", "Non-Amazon", 5, ""),
    ]
    .concat();
    let files = [("all_orders.tsv", euro.clone())];
    let Err(e) = load_folder("paneu", &[], &files) else { panic!("pooled without the flag") };
    assert!(
        e.contains(
            "more than one marketplace: Amazon.de (2 lines, EUR), Amazon.fr (1 line, EUR), \
             Amazon.it (1 line, EUR), Non-Amazon (1 line, no currency)"
        ),
        "{e}"
    );
    assert!(
        e.ends_with("pass --pool-marketplaces if they draw on one stock (pan-European FBA)"),
        "{e}"
    );

    let books = load_folder("paneu-pool", &["--pool-marketplaces"], &files).unwrap();
    assert_eq!(demand_units(&books), 15);
    let args = Args::parse_from(["replenish", "--amazon", "paneu", "--pool-marketplaces"]);
    let said = assumptions(&args, Path::new("paneu"), &books).join("\n");
    assert!(
        said.contains(
            "marketplaces POOLED (--pool-marketplaces): Amazon.de (2 lines read), Amazon.fr \
             (1 line read), Amazon.it (1 line read), in EUR; their demand is summed per SKU"
        ),
        "{said}"
    );

    let mixed = format!("{euro}{}", line("202-1", "Amazon.co.uk", 1, "GBP"));
    let files = [("all_orders.tsv", mixed)];
    let Err(e) = load_folder("paneu-gbp", &["--pool-marketplaces"], &files) else {
        panic!("pooled two currencies")
    };
    assert!(e.contains("more than one currency (EUR, GBP): Amazon.co.uk (1 line, GBP)"), "{e}");
    assert!(e.ends_with("(--pool-marketplaces pools marketplaces of one currency only)"), "{e}");
}

/// Tester: an All Orders line whose `item-price` was `19,99` was
/// refused whole, so its units were lost from demand although the
/// price only feeds the median order price. The line now counts in
/// demand, its price is left out of the median (10 here, the one
/// readable price per unit), and a note names file, line, order and
/// cell. Its currency still counts in the one-currency check.
#[test]
fn an_unreadable_order_price_keeps_the_lines_units_in_demand() {
    let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t\
                sales-channel\tsku\tquantity\tcurrency\titem-price\n";
    let line = |id: &str, units: u32, currency: &str, price: &str| {
        format!(
            "{id}\t2026-09-01T10:00:00+00:00\tShipped\tAmazon\tAmazon.de\tW\t{units}\t{currency}\t{price}\n"
        )
    };
    let file = [
        head.to_owned(),
        line("302-1", 2, "EUR", "20.00"),
        line("302-2", 5, "EUR", "19,99"),
        line("302-3", 3, "EUR", "EUR 19.99"),
    ]
    .concat();
    let books = load_folder("orderprice", &[], &[("all_orders.tsv", file.clone())]).unwrap();
    assert_eq!(demand_units(&books), 10);
    assert_eq!(books.orders.len(), 3);
    let w = Sku::new("W").unwrap();
    assert_eq!(books.order_prices[&w], [Decimal::from(10)]);
    assert_eq!(books.counts.warnings[ORDER_PRICE_UNREAD], 2);
    assert_eq!(
        books.counts.examples[ORDER_PRICE_UNREAD],
        [
            "all_orders.tsv line 3: order 302-2 item-price \"19,99\"",
            "all_orders.tsv line 4: order 302-3 item-price \"EUR 19.99\""
        ]
    );
    // The currency column still feeds the check: a USD line among
    // the EUR ones stops the run, its price unread or not.
    let mixed = format!("{file}{}", line("302-4", 1, "USD", "19,99"));
    let Err(e) = load_folder("orderpricemix", &[], &[("all_orders.tsv", mixed)]) else {
        panic!("summed two currencies")
    };
    assert!(e.contains("Amazon.de (4 lines, EUR/USD)"), "{e}");
}

/// The grouped All Orders history answers as core's plain slice of
/// the same records does, SKU by SKU (days outside the range, an
/// unknown SKU), without scanning every record per SKU.
#[test]
fn orders_grouped_by_sku_give_the_slice_series() {
    let mut orders = BTreeMap::new();
    for i in 0..300_u32 {
        let sku = Sku::new(format!("S{}", i % 7)).unwrap();
        let date = day("2026-01-01") + chrono::Days::new(u64::from(i % 45));
        let order = OrderId::new(format!("111-{i}")).unwrap();
        orders.insert((order, sku), (date, Quantity::new(i64::from(i % 5 + 1))));
    }
    let grouped = OrdersHistory::new(&orders);
    let flat: Vec<DemandRecord> = grouped.0.values().flatten().cloned().collect();
    assert_eq!(grouped.demand_skus(), flat.demand_skus());
    let range = DateRange::inclusive(day("2026-01-10"), day("2026-02-20")).unwrap();
    for sku in flat.demand_skus().into_iter().chain([Sku::new("NONE").unwrap()]) {
        assert_eq!(grouped.daily_demand(&sku, range), flat.daily_demand(&sku, range), "{sku}");
    }
}

/// A detail view of one receipt and one shipment of `W`.
fn small_detail() -> String {
    "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n\
     2026-03-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n\
     2026-03-02,X00W,W,Shipments,111-1,-3,ABE2,SELLABLE\n"
        .to_owned()
}

/// An adjustment whose sign its reason code rules out, a loss `M`
/// of +4 or a `P` of +1 into sellable (damaged units arriving fit to
/// sell), is refused by the ledger as a lost or damaged adjustment;
/// both are booked as count corrections, as other unexpected signs
/// are: 48 - 3 + 4 + 1 = 50 sellable. The `M` of -2 stays a loss.
#[test]
fn adjustments_against_their_codes_direction_are_count_corrections() {
    let detail = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                  Disposition,Reason\n\
                  2026-03-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE,\n\
                  2026-03-02,X00W,W,Shipments,111-1,-3,ABE2,SELLABLE,\n\
                  2026-03-03,X00W,W,Adjustments,ADJ1,4,ABE2,SELLABLE,M\n\
                  2026-03-03,X00W,W,Adjustments,ADJ2,1,ABE2,SELLABLE,P\n\
                  2026-03-04,X00W,W,Adjustments,ADJ3,-2,ABE2,SELLABLE,M\n";
    let files = [("ledger_detail.csv", detail.to_owned())];
    let mut books = load_folder("adjsign", &[], &files).unwrap();
    let booked = &books.counts.booked_as;
    assert_eq!(booked["count correction (unknown type or unexpected sign)"], 2);
    assert_eq!(booked["adjustment: lost"], 1);
    // Fresh user: these were counted with no line named.
    assert_eq!(
        books.counts.examples[UNEXPECTED_KIND],
        ["ledger_detail.csv line 4: Adjustments 4", "ledger_detail.csv line 5: Adjustments 1"]
    );
    assert!(!books.counts.rows_skipped.contains_key("refused by the ledger"));
    books.close().unwrap();
    let w = Sku::new("W").unwrap();
    assert_eq!(books.held(&w, Disposition::Sellable, day("2026-03-03")), 50);
    assert_eq!(books.held(&w, Disposition::Sellable, day("2026-03-04")), 48);
}

/// Two summary rows starting at 5e18 units each (their sum leaves
/// 64 bits) and a Manage FBA Inventory row of i64::MAX fulfillable
/// units wrapped in release builds and panicked in debug ones. Each
/// is now a row beyond 10,000,000 units, skipped and named like a
/// detail row, and the books close on the detail rows alone.
#[test]
fn absurd_summary_and_inventory_quantities_are_skipped_not_summed() {
    let summary =
        "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse Balance\n\
                   2026-03-01,X00W,W,SELLABLE,5000000000000000000,5000000000000000000\n\
                   2026-03-01,X00V,W,SELLABLE,5000000000000000000,5000000000000000000\n"
            .to_owned();
    let myi = format!("sku\tafn-fulfillable-quantity\tafn-reserved-quantity\nW\t{}\t4\n", i64::MAX);
    let files =
        [("ledger_detail.csv", small_detail()), ("ledger_summary.csv", summary), ("myi.tsv", myi)];
    let mut books = load_folder("absurd", &[], &files).unwrap();
    assert!(books.summary.is_empty() && books.myi.is_empty());
    assert_eq!(books.counts.rows_skipped["quantity beyond 10,000,000 units"], 3);
    assert_eq!(
        books.counts.examples["quantity beyond 10,000,000 units"],
        [
            "ledger_summary.csv line 2: starting balance 5000000000000000000",
            "ledger_summary.csv line 3: starting balance 5000000000000000000",
            "myi.tsv line 2: afn-fulfillable-quantity 9223372036854775807",
        ]
    );
    books.close().unwrap();
    assert_eq!(books.held(&Sku::new("W").unwrap(), Disposition::Sellable, day("2026-03-02")), 45);
}

/// Manage FBA Inventory rows with a negative fulfillable (-130) or
/// inbound (-5) quantity, or totals that disagree (warehouse 135 but
/// 130 + 1 + 5 = 136), were used as on hand (or their inbound
/// dropped without a word): each is now skipped and named. A row
/// with blank total cells has nothing to disagree with and is kept
/// (D; F's total is checked against its parts, 7 + 5). Tester: E
/// claims 0 in the warehouse and 0 in total while holding 7
/// fulfillable and 5 inbound; totals of 0 read as absent, so it was
/// used as on hand. A 0 is now a total like any other. The file has
/// only one inbound column, so totals are not checked against it
/// (a warehouse cell still is): F's on order is its total less its
/// warehouse parts, 12 - 7 = 5.
#[test]
fn unsound_inventory_rows_are_skipped_and_named() {
    let myi = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\t\
               afn-reserved-quantity\tafn-total-quantity\tafn-inbound-shipped-quantity\n\
               A\t\t-130\t\t\t\t\n\
               B\t\t10\t\t\t\t-5\n\
               C\t135\t130\t1\t5\t195\t60\n\
               D\t\t7\t\t\t\t\n\
               E\t0\t7\t\t\t0\t5\n\
               F\t\t7\t\t\t12\t5\n\
               W\t135\t130\t1\t4\t195\t60\n";
    let files = [("ledger_detail.csv", small_detail()), ("myi.tsv", myi.to_owned())];
    let books = load_folder("myineg", &[], &files).unwrap();
    let kept: Vec<&str> = books.myi.keys().map(Sku::as_str).collect();
    assert_eq!(kept, ["D", "F", "W"]);
    assert_eq!(books.myi_on_order[&Sku::new("F").unwrap()], (Some(Quantity::new(5)), None));
    assert_eq!(books.counts.stock_rows_refused, 4);
    let skipped = &books.counts.examples;
    // The reader refuses a quantity below zero (tester L2), naming
    // the cell, and gives the row's SKU: A and B are refused as
    // unreadable rows.
    assert_eq!(
        skipped["unreadable row"],
        [
            "myi.tsv: manage FBA inventory: line 2, column \"afn-fulfillable-quantity\": \
             -130 is negative, expected zero or more",
            "myi.tsv: manage FBA inventory: line 3, column \"afn-inbound-shipped-quantity\": \
             -5 is negative, expected zero or more"
        ]
    );
    assert!(books.myi_refused[&Sku::new("A").unwrap()].contains("-130 is negative"));
    assert!(books.myi_refused[&Sku::new("B").unwrap()].contains("-5 is negative"));
    assert!(!skipped.contains_key("Manage FBA Inventory quantity below zero"));
    assert_eq!(
        skipped["Manage FBA Inventory totals disagree"],
        [
            "myi.tsv line 4: C: warehouse 135 vs fulfillable 130 + unsellable 1 + reserved 5; \
             total 195 (the file has no afn-inbound-working-quantity, \
             afn-inbound-receiving-quantity)",
            "myi.tsv line 6: E: warehouse 0 vs fulfillable 7 + unsellable 0 + reserved 0; \
             total 0 (the file has no afn-inbound-working-quantity, \
             afn-inbound-receiving-quantity)"
        ]
    );
}

/// Tester: a Manage FBA Inventory row whose `your-price` was `19,99`
/// was refused whole, so the SKU fell back to the ledger (on hand
/// 130 / on order 96 became 34 / 0, and the plan turned late). The
/// row is now used for its quantities, valued by its order price
/// (none here, so zero), and the price is named in a note.
#[test]
fn an_unreadable_inventory_price_keeps_the_rows_quantities() {
    let myi = "sku\tyour-price\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
               afn-reserved-quantity\tafn-total-quantity\tafn-inbound-shipped-quantity\n\
               W\t19,99\t134\t130\t4\t230\t96\n";
    let files = [("ledger_detail.csv", small_detail()), ("myi.tsv", myi.to_owned())];
    let mut books = load_folder("myiprice", &[], &files).unwrap();
    let w = Sku::new("W").unwrap();
    let row = &books.myi[&w];
    assert_eq!((units(row.afn_fulfillable).get(), row.inbound().unwrap().get()), (130, 96));
    assert_eq!(row.price, None);
    assert!(!books.counts.rows_skipped.contains_key("unreadable row"));
    let why = "Manage FBA Inventory price unreadable, row used for its quantities, price left out of unit cost";
    assert_eq!(books.counts.warnings[why], 1);
    assert_eq!(books.counts.examples[why], ["myi.tsv line 2: W: your-price \"19,99\""]);
    assert!(!books.unit_costs.contains_key(&w));
    books.close().unwrap();
    let args = Args::parse_from(["replenish", "--amazon", "unused"]);
    let service = ServiceLevel::new(args.service_level).unwrap();
    let (recs, _) = plan(&args, service, &books).unwrap();
    assert_eq!((recs[0].rec.on_hand, recs[0].rec.on_order), (Some(130), Some(96)));
}

/// Fresh user: a `your-price` of exactly `Decimal::MAX` was read, made
/// W's unit cost 0.40 x MAX, and the receipt of 48 it valued
/// overflowed: the ledger refused the detail view's line 2, naming
/// neither the price nor its cell. The price cell is now refused
/// (above 10,000,000) with its file and line, the row kept for its
/// quantities as with an unreadable price, and the receipt booked; an
/// All Orders price per unit as corrupt is left out the same way.
#[test]
fn an_implausible_price_is_refused_at_its_cell() {
    let max = Decimal::MAX;
    let myi = format!("sku\tyour-price\tafn-fulfillable-quantity\nW\t{max}\t45\nV\t10000000\t5\n");
    let orders = format!(
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\t\
         item-price\n111-1\t2026-03-02T10:00:00+00:00\tShipped\tAmazon\tU\t2\t{max}\n"
    );
    let files =
        [("ledger_detail.csv", small_detail()), ("myi.tsv", myi), ("all_orders.tsv", orders)];
    let mut books = load_folder("myimax", &[], &files).unwrap();
    let [w, v, u] = ["W", "V", "U"].map(|s| Sku::new(s).unwrap());
    assert_eq!(books.counts.warnings[MYI_PRICE_IMPLAUSIBLE], 1);
    assert_eq!(
        books.counts.examples[MYI_PRICE_IMPLAUSIBLE],
        [format!("myi.tsv line 2: W: your-price {max}")]
    );
    assert_eq!(books.myi[&w].price, None);
    assert!(!books.unit_costs.contains_key(&w));
    // 10,000,000 itself is a price.
    assert_eq!(books.unit_costs[&v], Decimal::from(4_000_000));
    assert_eq!(books.counts.warnings[ORDER_PRICE_IMPLAUSIBLE], 1);
    assert!(
        books.counts.examples[ORDER_PRICE_IMPLAUSIBLE][0].starts_with(
            "all_orders.tsv line 2: order 111-1 item-price 79228162514264337593543950335"
        ),
        "{:?}",
        books.counts.examples
    );
    assert!(!books.unit_costs.contains_key(&u));
    let skipped = &books.counts.rows_skipped;
    assert!(!skipped.contains_key("refused by the ledger"), "{skipped:?}");
    assert_eq!(books.counts.booked_as["receipt"], 1);
    books.close().unwrap();
    assert_eq!(books.held(&w, Disposition::Sellable, day("2026-03-02")), 45);
}

/// Fresh user: a starting balance of -5 in the summary view was
/// named only by the checks it made fail. A note now names the file,
/// line, SKU and disposition; the row is still used as reported.
#[test]
fn a_starting_balance_below_zero_is_named() {
    let summary =
        format!("{SUMMARY_HEAD}01/2026,X00W,W,SELLABLE,-5,10\n01/2026,X00V,V,SELLABLE,3,3\n");
    let files = [("ledger_detail.csv", small_detail()), ("ledger_summary.csv", summary)];
    let books = load_folder("summaryneg", &[], &files).unwrap();
    assert_eq!(books.counts.warnings[SUMMARY_BELOW_ZERO], 1);
    assert_eq!(
        books.counts.examples[SUMMARY_BELOW_ZERO],
        ["ledger_summary.csv line 2: W SELLABLE starting balance -5"]
    );
    assert_eq!(books.summary.len(), 2, "both rows used");
}

/// Fresh user: rows of zero quantity and rows with no date were
/// counted with no file or line, so they could not be found. Each
/// count now names the first rows, as the other counts do (the
/// header is line 1; the reader names the first of each file).
#[test]
fn zero_quantities_and_missing_dates_name_their_lines() {
    let detail = format!(
        "{DETAIL_HEAD}2026-03-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n\
         2026-03-02,X00W,W,Shipments,111-1,0,ABE2,SELLABLE\n\
         Date Not Captured,X00W,W,Shipments,111-2,-1,ABE2,SELLABLE\n\
         2026-03-03,X00W,W,Shipments,111-3,0,ABE2,SELLABLE\n\
         ,X00W,W,Shipments,111-4,-1,ABE2,SELLABLE\n"
    );
    let files = [("ledger_detail.csv", detail)];
    let books = load_folder("zeroundated", &[], &files).unwrap();
    let skipped = &books.counts.rows_skipped;
    assert_eq!((skipped["zero quantity"], skipped["no date in column Date"]), (2, 2));
    let examples = &books.counts.examples;
    assert_eq!(examples["zero quantity"], ["ledger_detail.csv line 3", "ledger_detail.csv line 5"]);
    assert_eq!(examples["no date in column Date"], ["ledger_detail.csv line 4"]);
}

/// Loads `files` as a run would, closes the books and plans them.
fn plan_folder(name: &str, files: &[(&str, String)]) -> (Books, Vec<AmazonRec>) {
    let mut books = load_folder(name, &[], files).unwrap();
    books.close().unwrap();
    let args = Args::parse_from(["replenish", "--amazon", "unused"]);
    let service = ServiceLevel::new(args.service_level).unwrap();
    let (recs, _) = plan(&args, service, &books).unwrap();
    (books, recs)
}

/// The tester's folder: W sells 2 a day for 60 days (2025-01-01 to
/// 03-01). Planned on 100 on hand and 50 on order with the default
/// lead time of 60 +/- 10 days, 95% cycle service and 60 days of
/// cover, the demand being flat: reorder point 2 x 60 + 1.6449 x
/// sqrt(60 x 0 + 2^2 x 10^2) = 120 + 32.9 = 152.9 (shown 153);
/// position 100 + 50 = 150 <= 153; order up to 152.9 + 2 x 60 =
/// 272.9, less 150 is 122.9, 123, in cases of 12: 132.
fn myi_case(myi: &str) -> (Books, Vec<AmazonRec>, &'static str) {
    let files =
        [("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])), ("myi.tsv", myi.to_owned())];
    // A folder of its own per call: tests run in parallel, and two
    // rows of one length once shared a name.
    static CASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (books, recs) = plan_folder(&format!("myicase{n}"), &files);
    (books, recs, "W")
}

const MYI_HEAD: &str = "sku\tproduct-name\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                        afn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\t\
                        afn-inbound-working-quantity\tafn-inbound-shipped-quantity\t\
                        afn-inbound-receiving-quantity\n";

fn assert_planned_on_100_and_50(rec: &RecRow) {
    assert_eq!((rec.on_hand, rec.on_order), (Some(100), Some(50)), "{}", rec.reason);
    assert!((rec.reorder_point - 152.9).abs() < 0.05, "{}", rec.reorder_point);
    assert_eq!(rec.order_quantity, Some(132), "{}", rec.reason);
    assert!(
        rec.reason.ends_with(
            "position 150 <= reorder point 153; order up to 272.9 (reorder point 152.9 + 60 \
             days of demand 120) less position 150: 122.9, rounded up to 123; 123 rounded up \
             to whole cases: 132"
        ),
        "{}",
        rec.reason
    );
}

/// Tester: a row whose total was 156 where warehouse 105 + inbound
/// 10 + 30 + 10 is 155 was refused, and with no ledger in the folder
/// W was planned on 0 on hand and 0 on order: 276 units, with no
/// caution. Its warehouse cell agrees with its parts (100 + 2 + 3),
/// so on hand 100 stands; on order is in doubt (50 by the cells, 51
/// by the total less the warehouse, 156 less 105), the smaller is
/// counted, and the reason and the caution say so.
#[test]
fn a_total_alone_in_disagreement_keeps_on_hand_and_doubts_on_order() {
    let myi = format!("{MYI_HEAD}W\tWidget\t105\t100\t2\t3\t156\t10\t30\t10\n");
    let (books, recs, _) = myi_case(&myi);
    assert_eq!(recs.len(), 1);
    assert_planned_on_100_and_50(&recs[0].rec);
    assert!(
        recs[0].rec.reason.starts_with(
            "on order in doubt, 50 counted: myi.tsv line 2 gives inbound 50 but total 156 \
             less warehouse 105 is 51; position 150"
        ),
        "{}",
        recs[0].rec.reason
    );
    assert_eq!((books.counts.stock_rows_in_doubt, books.counts.stock_rows_refused), (1, 0));
    assert_eq!(
        books.counts.examples[MYI_TOTAL_DOUBT],
        ["myi.tsv line 2: W: total 156 vs warehouse 105 + inbound 50"]
    );
    let out = output(books, recs);
    let caution = caution(&out).unwrap();
    assert!(
        caution.starts_with(
            "Caution: 1 Manage FBA Inventory row whose total disagrees above: the ledger"
        ),
        "{caution}"
    );
}

fn output(books: Books, recs: Vec<AmazonRec>) -> AmazonOutput {
    AmazonOutput {
        assumptions: Vec::new(),
        legend: String::new(),
        files: Vec::new(),
        counts: books.counts,
        checks: Vec::new(),
        claims: None,
        recommendations: recs,
    }
}

/// Fresh user: the caution said "0 unreadable row(s)" when there were
/// none. A count of zero is now left out, and one is singular.
#[test]
fn the_caution_counts_only_what_happened_in_words_that_agree() {
    let file = |row_errors| FileRow {
        file: "f.tsv".to_owned(),
        report: None,
        rows: 1,
        row_errors,
        skipped: 0,
        note: String::new(),
    };
    let check = |passed| Check { passed, text: String::new() };
    let said = |files: Vec<FileRow>, checks: Vec<Check>| {
        let out = AmazonOutput { files, checks, ..output(Books::new().unwrap(), Vec::new()) };
        caution(&out).map(|c| c.split(" above").next().unwrap_or_default().to_owned())
    };
    assert_eq!(said(vec![file(0)], vec![check(true)]), None);
    assert_eq!(said(vec![file(0)], vec![check(false)]).unwrap(), "Caution: 1 failed check");
    assert_eq!(
        said(vec![file(1)], vec![check(false), check(true)]).unwrap(),
        "Caution: 1 unreadable row and 1 failed check"
    );
    assert_eq!(
        said(vec![file(2), file(1)], vec![check(true)]).unwrap(),
        "Caution: 3 unreadable rows"
    );
}

/// A row whose warehouse cell is not its parts (106 vs 100 + 2 + 3)
/// leaves on hand in doubt and is refused. With no ledger row of W
/// and no other row, W is not planned: no order on zero stock (the
/// old plan ordered 276), its row shown with `-` for the stock and
/// the order, the reorder point and order-up-to level (272.9) still
/// given, and the caution counts the refused row.
#[test]
fn a_refused_stock_row_with_no_other_source_is_not_planned() {
    let myi = format!("{MYI_HEAD}W\tWidget\t106\t100\t2\t3\t156\t10\t30\t10\n");
    let (books, recs, _) = myi_case(&myi);
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
    assert_eq!((rec.order_on, rec.urgency.as_str()), (None, "not planned"));
    assert_eq!(rec.description, "Widget");
    assert_eq!(
        rec.reason,
        "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: warehouse \
         106 is not fulfillable 100 + unsellable 2 + reserved 3), and no ledger row gives \
         its stock; order up to 272.9 less the position, once known"
    );
    let table = recommendation_table("title", true, &[(rec, Some(2.0))]).render();
    let line = table.lines().find(|l| l.starts_with('W')).unwrap();
    assert!(line.contains(" 153 ") && line.contains("not planned"), "{line}");
    assert!(!line.contains(" 0 "), "{line}");
    assert_eq!(books.counts.stock_rows_refused, 1);
    let caution = caution(&output(books, recs)).unwrap();
    assert!(
        caution.starts_with("Caution: 1 refused Manage FBA Inventory row above: the ledger")
            && caution.contains("(not planned when no other report gives its stock).")
            && caution.ends_with(NOT_PLANNED_ONE),
        "{caution}"
    );
}

/// Tester (u1): a row whose fulfillable cell reads `1OO` was only
/// counted as an unreadable row, and W, named by no other row, was
/// planned on 0 on hand and 0 on order (276 ordered) with the untrue
/// reason "no stock report names this SKU". The row's SKU cell reads
/// `W`, so the row is refused like any other: W is not planned, its
/// reason naming the file, the line and the cell.
#[test]
fn an_unreadable_stock_row_refuses_its_sku() {
    let myi = format!("{MYI_HEAD}W\tWidget\t105\t1OO\t2\t3\t155\t20\t20\t10\n");
    let (books, recs, _) = myi_case(&myi);
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
    assert_eq!(rec.urgency, "not planned");
    assert!(
        rec.reason.starts_with(
            "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: \
             unreadable row ("
        ) && rec.reason.contains("afn-fulfillable-quantity")
            && rec.reason.contains("\"1OO\"")
            && rec.reason.contains("no ledger row gives its stock"),
        "{}",
        rec.reason
    );
    assert_eq!(books.counts.stock_rows_refused, 1);
    // A row whose SKU cell is blank names no SKU: W keeps the row
    // read after it.
    let myi = format!(
        "{MYI_HEAD}\tWidget\t105\t1OO\t2\t3\t155\t20\t20\t10\n\
         W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
    );
    let (books, recs, _) = myi_case(&myi);
    assert_planned_on_100_and_50(&recs[0].rec);
    assert_eq!(books.counts.stock_rows_refused, 0);
}

/// W's stock from the ledger alone (no Manage FBA Inventory row of
/// it, or a refused one), with W selling 2 a day from 2025-01-01 to
/// 03-01 (reorder point 152.9, order up to 272.9; cases of 12).
fn ledger_case(files: &[(&str, String)], refused: bool) -> RecRow {
    let mut all = vec![("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[]))];
    if refused {
        all.push(("myi.tsv", format!("{MYI_HEAD}W\tWidget\t505\t500\t2\t3\t555\t-10\t30\t10\n")));
    }
    all.extend(files.iter().cloned());
    static CASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (_, mut recs) = plan_folder(&format!("ledgercase{n}"), &all);
    recs.remove(0).rec
}

const SUMMARY_HEAD: &str =
    "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse Balance\n";
const DETAIL_HEAD: &str =
    "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n";

/// Tester (b3, b4, b2, s1, a2, a3, k, k2): the ledger route now
/// applies the refused-row checks, and a summary view alone gives the
/// latest ending balance, not the first opening.
#[test]
fn the_ledger_gives_stock_only_when_the_reports_vouch_for_it() {
    // Summary alone: January 100 -> 40, February 40 -> 20. On hand
    // is February's ending 20 (was January's opening 100, 180
    // ordered): 272.9 - 20 = 252.9, 253, in cases of 12: 264.
    let summary =
        format!("{SUMMARY_HEAD}01/2025,X00W,W,SELLABLE,100,40\n02/2025,X00W,W,SELLABLE,40,20\n");
    for refused in [false, true] {
        let rec = ledger_case(&[("ledger_summary.csv", summary.clone())], refused);
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(20), None, Some(264)));
        assert!(
            rec.reason.starts_with(
                "on hand from the ledger summary view's ending balance for 2025-02-01 to \
                 2025-02-28"
            ),
            "{}",
            rec.reason
        );
    }
    // A summary closing (100 on 01-31) the ledger misses (100 + 48
    // received): not planned, with or without a refused row.
    let receipt = format!("{DETAIL_HEAD}2025-01-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n");
    let check = format!("{SUMMARY_HEAD}01/2025,X00W,W,SELLABLE,100,100\n");
    for refused in [false, true] {
        let rec = ledger_case(
            &[("ledger_detail.csv", receipt.clone()), ("ledger_summary.csv", check.clone())],
            refused,
        );
        assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
        assert!(
            rec.reason.contains(
                "the ledger fails the summary view's check (summary 100 sellable on \
                 2025-01-31, ledger 148)"
            ),
            "{}",
            rec.reason
        );
    }
    // The sellable summary row unreadable: its opening is unknown
    // (the damaged row alone is no opening).
    let unread = format!(
        "{SUMMARY_HEAD}01/2025,X00W,W,SELLABLE,1OO,148\n01/2025,X00W,W,CUSTOMER_DAMAGED,0,0\n"
    );
    let rec = ledger_case(
        &[("ledger_detail.csv", receipt.clone()), ("ledger_summary.csv", unread)],
        true,
    );
    assert_eq!(rec.on_hand, None);
    assert!(
        rec.reason.contains(
            "rests on an unknown opening (the ledger summary view has no readable sellable row"
        ),
        "{}",
        rec.reason
    );
    // Detail alone, 48 received less 120 shipped: -72, not planned
    // (was clamped to 0, 276 ordered).
    let mut negative = receipt.clone();
    for d in 0..60 {
        let date = day("2025-01-01") + chrono::Days::new(d);
        negative.push_str(&format!("{date},X00W,W,Shipments,ORD{d},-2,ABE2,SELLABLE\n"));
    }
    let rec = ledger_case(&[("ledger_detail.csv", negative)], false);
    assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
    assert!(
        rec.reason.contains("the ledger's sellable balance, -72, is below zero"),
        "{}",
        rec.reason
    );
    // Detail alone, one receipt of 48: still planned (the usual
    // ledger-only route), 272.9 - 48 = 224.9, 225, in cases: 228,
    // the reason and the caution saying the opening is unknown.
    let rec = ledger_case(&[("ledger_detail.csv", receipt)], false);
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(48), None, Some(228)));
    assert!(
        rec.reason.starts_with(
            "on hand from a ledger with unknown opening (no ledger summary view gives it); no \
             Manage FBA Inventory row names this SKU: on order unknown"
        ),
        "{}",
        rec.reason
    );
    let out = output(
        Books::new().unwrap(),
        vec![AmazonRec {
            rec,
            history_units_per_day: 2.0,
            assumed_zero: false,
            on_order_partial: false,
            unknown_opening: true,
        }],
    );
    let caution = caution(&out).unwrap();
    assert!(
        caution.contains("1 planned with on order unknown")
            && caution.contains("1 planned on a ledger with unknown opening"),
        "{caution}"
    );
    // A summary period starting after the planning day (03-01):
    // unknown as of that day; not planned with a refused row, planned
    // on 0 and counted without one.
    let after = format!("{SUMMARY_HEAD}04/2025,X00W,W,SELLABLE,500,500\n");
    let rec = ledger_case(&[("ledger_summary.csv", after.clone())], true);
    assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
    assert!(rec.reason.contains("the ledger summary view's first period starts 2025-04-01, after the planning day 2025-03-01"), "{}", rec.reason);
    let rec = ledger_case(&[("ledger_summary.csv", after)], false);
    assert_eq!((rec.on_hand, rec.order_quantity), (Some(0), Some(276)));
    assert!(rec.reason.starts_with("on hand from a ledger with unknown opening"), "{}", rec.reason);
}

/// Tester (c1, c2, c3): a blank fulfillable cell reads as 0, and W
/// was planned on 0 on hand (252 or 276 ordered). With no warehouse
/// cell to vouch for it, the row is refused: W is not planned. A
/// warehouse cell of 0 vouches for it: planned on 0 + 30 on order,
/// 272.9 - 30 = 242.9, 243, in cases of 12: 252.
#[test]
fn a_blank_fulfillable_cell_with_nothing_to_check_it_refuses_the_row() {
    for myi in [
        format!("{MYI_HEAD}W\tWidget\t\t\t0\t0\t\t10\t10\t10\n"),
        format!("{MYI_HEAD}W\tWidget\t\t\t0\t0\t30\t10\t10\t10\n"),
        "sku\tafn-fulfillable-quantity\nW\t\n".to_owned(),
    ] {
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.order_quantity), (None, None), "{myi}");
        assert!(
            rec.reason.starts_with(
                "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: \
                 afn-fulfillable-quantity blank, and no warehouse cell to check it)"
            ),
            "{}",
            rec.reason
        );
        assert_eq!(books.counts.stock_rows_refused, 1);
    }
    let myi = format!("{MYI_HEAD}W\tWidget\t0\t\t0\t0\t30\t10\t10\t10\n");
    let (_, recs, _) = myi_case(&myi);
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(0), Some(30), Some(252)));
}

/// V's row, its title holding a line break inside its quotes: a lone
/// `\r` (which a split on `\n` does not see), a `\n` and a `\r\n`.
/// The reader counts each as one line break, so the row after V's is
/// on line 4 whichever it is.
const V_WITH_BREAKS: [&str; 3] = [
    "V\t\"Vase\rBlue\"\t5\t5\t0\t0\t5\t0\t0\t0\n",
    "V\t\"Vase\nBlue\"\t5\t5\t0\t0\t5\t0\t0\t0\n",
    "V\t\"Vase\r\nBlue\"\t5\t5\t0\t0\t5\t0\t0\t0\n",
];

/// The SKU of an unreadable row was looked up on that line of the
/// raw text, split at `\n`: after a title holding a lone `\r` the
/// reader's line 4 (W's, fulfillable `1OO`) was no line of the split,
/// so W's row named no SKU and W was planned as if no stock report
/// named it. The reader's error now carries the SKU of its row.
#[test]
fn an_unreadable_stock_row_after_a_quoted_line_break_refuses_its_own_sku() {
    for v in V_WITH_BREAKS {
        let myi = format!("{MYI_HEAD}{v}W\tWidget\t105\t1OO\t2\t3\t155\t20\t20\t10\n");
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.sku.as_str(), rec.urgency.as_str()), ("W", "not planned"), "{v:?}");
        assert!(
            rec.reason.starts_with(
                "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 4: \
                 unreadable row ("
            ) && rec.reason.contains("\"1OO\""),
            "{v:?}: {}",
            rec.reason
        );
        assert_eq!(books.counts.stock_rows_refused, 1, "{v:?}");
        assert!(books.myi.contains_key(&Sku::new("V").unwrap()), "{v:?}");
    }
}

/// A blank fulfillable cell was found on the raw text's lines: after
/// a title holding a lone `\r`, W's blank cell sat on the split's
/// line 3 and the reader's row on line 4, so W was planned on 0 on
/// hand. The reader's row now says the cell was blank.
#[test]
fn a_blank_fulfillable_cell_after_a_quoted_line_break_refuses_its_row() {
    for v in V_WITH_BREAKS {
        let myi = format!("{MYI_HEAD}{v}W\tWidget\t\t\t0\t0\t\t10\t10\t10\n");
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.order_quantity), (None, None), "{v:?}: {}", rec.reason);
        assert!(
            rec.reason.starts_with(
                "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 4: \
                 afn-fulfillable-quantity blank, and no warehouse cell to check it)"
            ),
            "{v:?}: {}",
            rec.reason
        );
        assert_eq!(books.counts.stock_rows_refused, 1, "{v:?}");
    }
}

/// A quoted title whose second line reads like part of a row of W
/// with its fulfillable cell `1OO` is V's title and nothing more:
/// read at physical lines it would have refused W, whose own row
/// below is sound. W is planned on its row (100 on hand, 50 on
/// order), V on its 5, and no row is refused or unreadable. When that
/// line holds a whole row's cells (W with a blank fulfillable cell),
/// the quoted cell looks exactly like a quote left open over a row,
/// and the reader refuses V's row as unreadable (`OpenQuote`); W is
/// still planned on its own row.
#[test]
fn a_quoted_title_that_reads_like_a_row_misdirects_nothing() {
    for fake in ["W\tWidget\t\t\t0\t0\t\t10\t10\t10", "W\tWidget\t105\t1OO\t2\t3"] {
        let whole_row = fake.matches('\t').count() >= MYI_HEAD.matches('\t').count();
        for gap in ["\n", "\r\n", "\r"] {
            let myi = format!(
                "{MYI_HEAD}V\t\"Vase{gap}{fake}\"\t5\t5\t0\t0\t5\t0\t0\t0\n\
                 W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
            );
            let (books, recs, _) = myi_case(&myi);
            let w = recs.iter().find(|r| r.rec.sku == "W").unwrap();
            assert_planned_on_100_and_50(&w.rec);
            assert_eq!(books.myi[&Sku::new("W").unwrap()].line, 4, "{gap:?}");
            assert_eq!(books.counts.stock_rows_refused, 0, "{fake:?} {gap:?}");
            let unreadable = books.counts.rows_skipped.get(UNREADABLE_ROW).copied();
            if whole_row {
                assert!(!books.myi.contains_key(&Sku::new("V").unwrap()), "{gap:?}");
                assert_eq!(unreadable, Some(1), "{gap:?}");
            } else {
                let v = &books.myi[&Sku::new("V").unwrap()];
                assert_eq!((v.afn_fulfillable, v.line), (Some(Quantity::new(5)), 2));
                assert!(v.title.ends_with(fake), "{gap:?}: {:?}", v.title);
                assert_eq!(unreadable, None, "{gap:?}");
            }
        }
    }
}

/// Loads `files` as a run would and plans them: the books, the
/// output (files, counts, recommendations) and its caution.
fn run_folder(name: &str, files: &[(&str, String)]) -> (AmazonOutput, Option<String>) {
    let dir = std::env::temp_dir().join(format!("merchantry-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
    let loaded = load(&args, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let (mut books, files) = loaded.unwrap();
    books.close().unwrap();
    let service = ServiceLevel::new(args.service_level).unwrap();
    let (recs, _) = plan(&args, service, &books).unwrap();
    let out = AmazonOutput { files, ..output(books, recs) };
    let caution = caution(&out);
    (out, caution)
}

/// Tester (M1): a lone `\r` in V's unquoted title split its row in
/// two, `V\tVase` (2 cells) and `W\t105...` (9 cells), and the
/// reader gave the second part's cell at the SKU's place, `W`, as its
/// SKU: W, planned on its own row on line 4, was said to have
/// "another Manage FBA Inventory row of this SKU" refused, and the
/// caution counted 2 refused rows. A row whose cells do not line up
/// with the header now names no SKU: W's reason is its plan alone,
/// nothing is refused, and the caution counts 2 unreadable rows
/// naming no SKU.
#[test]
fn a_split_stock_row_blames_no_sku_for_a_row_not_its_own() {
    let myi = format!(
        "{MYI_HEAD}V\tVase\rW\t105\t100\t2\t3\t155\t10\t30\t10\n\
         W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
    );
    let files = [("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])), ("myi.tsv", myi)];
    let (out, caution) = run_folder("splitrow", &files);
    let rec = &out.recommendations[0].rec;
    assert_eq!(rec.sku.as_str(), "W");
    assert_planned_on_100_and_50(rec);
    assert!(rec.reason.starts_with("position 150 <= reorder point 153"), "{}", rec.reason);
    assert_eq!((out.counts.stock_rows_refused, out.counts.stock_rows_unnamed), (0, 2));
    assert_eq!(
        caution.unwrap(),
        "Caution: 2 unreadable rows (2 of them Manage FBA Inventory rows naming no SKU) \
         above: the ledger may not match the reports, so these \
         figures may not either; a SKU whose stock row was refused or is in doubt, whose \
         stock file was rejected, or that no readable stock row names while a stock row \
         naming no SKU could not be read, says so in its reason (not planned when no other \
         report gives its stock)."
    );
}

/// A SKU whose only stock row is split (a lone `\r` in W's title)
/// was refused by the first part's SKU cell; with no SKU given for a
/// row whose cells do not line up, it must not fall to "no stock
/// report names this SKU" and be planned on zero (276 ordered): no
/// readable row names W while two rows naming no SKU could not be
/// read, so W is not planned, its reason naming both rows. So it is
/// for a SKU no row names at all, beside a row whose SKU cell is
/// blank: planned on zero before, not planned now.
#[test]
fn a_sku_an_unreadable_row_naming_no_sku_may_stand_for_is_not_planned_on_zero() {
    let split = format!("{MYI_HEAD}W\tWid\rget\t105\t100\t2\t3\t155\t10\t30\t10\n");
    let blank = format!("{MYI_HEAD}\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n");
    let not_planned = |myi: &str, rows: &str| {
        let files = [
            ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])),
            ("myi.tsv", myi.to_owned()),
        ];
        let (out, caution) = run_folder("unnamedrow", &files);
        let rec = &out.recommendations[0];
        assert!(!rec.assumed_zero);
        let rec = &rec.rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
        assert_eq!(rec.urgency, "not planned");
        assert_eq!(
            rec.reason,
            format!(
                "stock unknown: no readable Manage FBA Inventory row names it, while {rows}, \
                 and no ledger row gives its stock; order up to 272.9 less the position, \
                 once known"
            )
        );
        assert_eq!(out.counts.stock_rows_refused, 0);
        let caution = caution.unwrap();
        assert!(caution.ends_with(NOT_PLANNED_ONE), "{caution}");
        assert!(!caution.contains("planned on zero stock"), "{caution}");
    };
    not_planned(
        &split,
        "2 Manage FBA Inventory rows naming no SKU could not be read, any of which may be \
         this SKU's (myi.tsv line 2: unreadable row (manage FBA inventory: line 2: row has 2 \
         cells, header has 10); myi.tsv line 3: unreadable row (manage FBA inventory: line \
         3: row has 9 cells, header has 10))",
    );
    not_planned(
        &blank,
        "1 Manage FBA Inventory row naming no SKU could not be read, and may be this SKU's \
         (myi.tsv line 2: unreadable row (manage FBA inventory: line 2, column \"sku\": \
         required value is empty))",
    );
}

/// Tester (L2): a negative quantity cell (fulfillable `-4`) is now
/// refused by the reader, which gives the row's SKU: W is still not
/// planned, its reason naming the file, the line and the cell as the
/// reader words it.
#[test]
fn a_negative_stock_quantity_refuses_its_sku_with_the_readers_words() {
    let myi = format!("{MYI_HEAD}W\tWidget\t105\t-4\t2\t3\t155\t20\t20\t10\n");
    let (books, recs, _) = myi_case(&myi);
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
    assert_eq!(
        rec.reason,
        "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: unreadable \
         row (manage FBA inventory: line 2, column \"afn-fulfillable-quantity\": -4 is \
         negative, expected zero or more)), and no ledger row gives its stock; order up to \
         272.9 less the position, once known"
    );
    assert_eq!((books.counts.stock_rows_refused, books.counts.stock_rows_unnamed), (1, 0));
}

/// The caution's words for one SKU not planned.
const NOT_PLANNED_ONE: &str = "SKUs: 1 not planned (their stock is unknown: no order, \"-\" for stock); each one's \
     reason says why.";

/// Tester (H2): the refused row fell back to the ledger's balance
/// however the ledger came by it. With a detail view alone the
/// ledger's opening is unknown: a receipt of 48 on the first day
/// gave 48, and with shipments of 2 a day for 60 days, 48 - 120 =
/// -72, which the checks call wrong, clamped to 0: 276 ordered. Now
/// the ledger stands in for a refused row only when its opening
/// comes from the summary view (not from any Manage FBA Inventory
/// row) and it ends at or above zero; else W is not planned, and the
/// reason names the row and what is wrong with the ledger.
#[test]
fn a_refused_stock_row_falls_back_only_to_a_ledger_that_stands_on_its_own() {
    let myi = format!("{MYI_HEAD}W\tWidget\t505\t500\t2\t3\t555\t-10\t30\t10\n");
    let head = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n";
    let receipt = "2025-01-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n";
    let plan_with = |name: &str, detail: String, summary: Option<String>| {
        let mut files = vec![
            ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])),
            ("ledger_detail.csv", detail),
            ("myi.tsv", myi.clone()),
        ];
        if let Some(summary) = summary {
            files.push(("ledger_summary.csv", summary));
        }
        plan_folder(name, &files)
    };
    let refused = "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: \
                   unreadable row (manage FBA inventory: line 2, column \
                   \"afn-inbound-working-quantity\": -10 is negative, expected zero or \
                   more)), and the ledger's sellable balance, ";

    // Detail alone, one receipt: 48 on an unknown opening.
    let (_, recs) = plan_with("refusedledger", format!("{head}{receipt}"), None);
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
    assert_eq!(
        rec.reason,
        format!(
            "{refused}48, rests on an unknown opening (no ledger summary view gives it); \
             order up to 272.9 less the position, once known"
        )
    );

    // The tester's folder: 48 less 60 shipments of 2 is -72.
    let mut detail = format!("{head}{receipt}");
    for i in 0..60 {
        let date = day("2025-01-01") + chrono::Days::new(i);
        detail.push_str(&format!("{date},X00W,W,Shipments,ORD{i},-2,ABE2,SELLABLE\n"));
    }
    let (books, recs) = plan_with("negledger2", detail, None);
    let rec = &recs[0].rec;
    assert_eq!(
        (rec.on_hand, rec.order_quantity, rec.urgency.as_str()),
        (None, None, "not planned")
    );
    assert!(rec.reason.starts_with(&format!("{refused}-72, is below zero;")), "{}", rec.reason);
    assert!(caution(&output(books, recs)).unwrap().ends_with(NOT_PLANNED_ONE));

    // An opening of 100 from the summary view and the receipt of 48:
    // 148 on hand, on order unknown; 272.9 - 148 = 124.9, 125, in
    // cases of 12: 132.
    let summary = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse \
                   Balance\n2025-01-01,X00W,W,SELLABLE,100,148\n"
        .to_owned();
    let (_, recs) = plan_with("refusedsummary", format!("{head}{receipt}"), Some(summary));
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(148), None, Some(132)));
    assert!(
        rec.reason.starts_with(
            "on hand from the ledger (its opening from the summary view), its Manage FBA \
             Inventory row was refused (myi.tsv line 2: unreadable row (manage FBA \
             inventory: line 2, column \"afn-inbound-working-quantity\": -10 is negative, \
             expected zero or more)); on order unknown, none counted; position 148 <= \
             reorder point 153"
        ),
        "{}",
        rec.reason
    );
}

/// Tester (H1): a Manage FBA Inventory file rejected whole (here a
/// title line above the header) left W planned on 0 and 0, 276
/// units, its reason saying no stock report names it, and no
/// caution. W is now not planned, the reason names the file and the
/// caution counts the file and the SKU.
#[test]
fn a_rejected_stock_file_leaves_its_skus_not_planned() {
    let myi = format!(
        "Manage FBA Inventory report\n{MYI_HEAD}W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
    );
    let (books, recs, _) = myi_case(&myi);
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
    assert_eq!(rec.urgency, "not planned");
    assert!(
        rec.reason.starts_with("stock unknown: its stock report was rejected (myi.tsv: ")
            && rec.reason.ends_with(
                "), no other Manage FBA Inventory row names it, and no ledger row gives its \
                 stock; order up to 272.9 less the position, once known"
            ),
        "{}",
        rec.reason
    );
    assert_eq!(books.counts.stock_files_rejected, 1);
    let caution = caution(&output(books, recs)).unwrap();
    assert!(
        caution.starts_with("Caution: 1 rejected Manage FBA Inventory file above: the ledger")
            && caution.ends_with(NOT_PLANNED_ONE),
        "{caution}"
    );
}

/// Tester (H3): with no warehouse cell, a total that disagreed with
/// fulfillable + unsellable + reserved + inbound was trusted for on
/// hand (1000 fulfillable, total 155: idle), and the reason spoke of
/// a warehouse of 1005 that was the parts' sum. The total is then
/// the only check on on hand: 155 is not 1000 + 2 + 3 + 50 = 1055,
/// so the row is refused. A blank warehouse with a total that agrees
/// (155 = 100 + 2 + 3 + 50) plans the 132 of the reference row. With
/// some inbound columns absent (L3), a total below the parts + those
/// present is refused (120 < 105 + 30), as the file's note now says,
/// and one above them gives on order as the total less the parts,
/// named as such (155 - 105 = 50), never as a warehouse figure.
#[test]
fn a_row_without_a_warehouse_cell_is_checked_by_its_total() {
    let (books, recs, _) =
        myi_case(&format!("{MYI_HEAD}W\tWidget\t\t1000\t2\t3\t155\t10\t30\t10\n"));
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
    assert!(
        rec.reason.starts_with(
            "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: no \
             warehouse cell, and total 155 is not fulfillable 1000 + unsellable 2 + reserved \
             3 + inbound 50 = 1055), and no ledger row gives its stock"
        ),
        "{}",
        rec.reason
    );
    assert_eq!((books.counts.stock_rows_refused, books.counts.stock_rows_in_doubt), (1, 0));
    assert!(caution(&output(books, recs)).unwrap().ends_with(NOT_PLANNED_ONE));

    let (_, recs, _) = myi_case(&format!("{MYI_HEAD}W\tWidget\t\t100\t2\t3\t155\t10\t30\t10\n"));
    assert_planned_on_100_and_50(&recs[0].rec);
    assert!(recs[0].rec.reason.starts_with("position 150"), "{}", recs[0].rec.reason);

    let head = "sku\tafn-fulfillable-quantity\tafn-unsellable-quantity\t\
                afn-reserved-quantity\tafn-total-quantity\tafn-inbound-shipped-quantity\n";
    let (books, recs, _) = myi_case(&format!("{head}W\t100\t2\t3\t120\t30\n"));
    assert_eq!(recs[0].rec.on_hand, None);
    assert!(
        recs[0].rec.reason.contains(
            "(myi.tsv line 2: no warehouse cell, and total 120 is below fulfillable 100 + \
             unsellable 2 + reserved 3 + the inbound columns present 30 = 135)"
        ),
        "{}",
        recs[0].rec.reason
    );
    assert_eq!(books.counts.stock_rows_refused, 1);
    assert!(INBOUND_ABSENT.contains(
        "its total is checked only for being below warehouse + the inbound columns present"
    ));

    let (_, recs, _) = myi_case(&format!("{head}W\t100\t2\t3\t155\t30\n"));
    assert_planned_on_100_and_50(&recs[0].rec);
    assert!(
        recs[0].rec.reason.starts_with(
            "on order 50 read as total 155 less fulfillable + unsellable + reserved 105 \
             (myi.tsv line 2; the file has no afn-inbound-working-quantity, \
             afn-inbound-receiving-quantity); position 150"
        ),
        "{}",
        recs[0].rec.reason
    );
}

/// Tester (M1, M2): a SKU planned with on order unknown, or on zero
/// stock because no stock report names it (another SKU's row read,
/// or no stock report at all), stays planned but was not counted in
/// the caution, which did not appear. Each is now counted there.
/// W with only its fulfillable cell: 272.9 - 100 = 172.9, 173, in
/// cases of 12: 180. W on zero: 272.9, 273, in cases: 276.
#[test]
fn skus_planned_on_unknown_or_assumed_stock_are_counted_in_the_caution() {
    let (books, recs, _) = myi_case("sku\tafn-fulfillable-quantity\nW\t100\n");
    assert_eq!((recs[0].rec.on_order, recs[0].rec.order_quantity), (None, Some(180)));
    assert_eq!(
        caution(&output(books, recs)).unwrap(),
        "Caution: SKUs: 1 planned with on order unknown (\"-\": units on their way in are not \
         counted, so the order may be too large); each one's reason says why."
    );
    // Only the shipped column and no total: 30 on order counted,
    // the rest unknown; 272.9 - 130 = 142.9, 143, in cases: 144.
    let head = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                afn-unsellable-quantity\tafn-reserved-quantity\tafn-inbound-shipped-quantity\n";
    let (books, recs, _) = myi_case(&format!("{head}W\t105\t100\t2\t3\t30\n"));
    assert_eq!((recs[0].rec.on_order, recs[0].rec.order_quantity), (Some(30), Some(144)));
    assert_eq!(
        caution(&output(books, recs)).unwrap(),
        "Caution: SKUs: 1 planned with on order partly unknown (only the inbound columns \
         their file has are counted, so the order may be too large); each one's reason says \
         why."
    );
    let zero = "Caution: SKUs: 1 planned on zero stock (no stock report or ledger row names \
                them: 0 on hand and 0 on order assumed); each one's reason says why.";
    let (books, recs, _) =
        myi_case(&format!("{MYI_HEAD}V\tOther\t105\t100\t2\t3\t155\t10\t30\t10\n"));
    assert_eq!((recs[0].rec.on_hand, recs[0].rec.order_quantity), (Some(0), Some(276)));
    assert!(recs[0].rec.reason.starts_with("no stock report names this SKU"));
    assert_eq!(caution(&output(books, recs)).unwrap(), zero);
    let files = [("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[]))];
    let (books, recs) = plan_folder("nostockreport", &files);
    assert_eq!((recs[0].rec.on_hand, recs[0].rec.order_quantity), (Some(0), Some(276)));
    assert_eq!(caution(&output(books, recs)).unwrap(), zero);
}

/// Tester (L2): the caution says a SKU whose stock row was refused
/// or in doubt says so in its reason, but with a good row and a
/// refused one (either order), or a doubted row then a good one, the
/// good row was used in silence. Its reason now names the other row.
#[test]
fn a_refused_or_doubted_row_beside_the_used_one_is_named() {
    let good = "W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n";
    let bad = "W\tWidget\t106\t100\t2\t3\t156\t10\t30\t10\n";
    let doubted = "W\tWidget\t105\t100\t2\t3\t156\t10\t30\t10\n";
    let refused = |line: u32| {
        format!(
            "another Manage FBA Inventory row of this SKU was refused (myi.tsv line {line}: \
             warehouse 106 is not fulfillable 100 + unsellable 2 + reserved 3); myi.tsv line \
             {} used; position 150",
            5 - line
        )
    };
    for (rows, starts) in [
        (format!("{good}{bad}"), refused(3)),
        (format!("{bad}{good}"), refused(2)),
        (
            format!("{doubted}{good}"),
            "another Manage FBA Inventory row of this SKU (myi.tsv line 2) has a total in \
             disagreement; myi.tsv line 3 used; position 150"
                .to_owned(),
        ),
    ] {
        let (_, recs, _) = myi_case(&format!("{MYI_HEAD}{rows}"));
        assert_planned_on_100_and_50(&recs[0].rec);
        assert!(recs[0].rec.reason.starts_with(&starts), "{}", recs[0].rec.reason);
    }
}

/// Tester (L4): "not planned" was missing from the urgency legend.
#[test]
fn the_legend_names_not_planned() {
    assert!(
        amazon_legend(7, 3).ends_with(
            "; not planned = the SKU's stock is unknown (the reason says why): no order"
        )
    );
}

/// Tester: a Manage FBA Inventory file without the afn-inbound
/// columns read them as 0, so total 155 vs warehouse 105 + 0 refused
/// the row and W was planned on zero. The total is now not checked
/// (said once for the file), and on order is the total less the
/// warehouse, 50, as the reason says: the plan is the 132 above.
/// With no total either, on order is unknown: none counted, `-` in
/// the table: 272.9 - 100 = 172.9, 173, in cases: 180.
#[test]
fn absent_inbound_columns_are_not_read_as_zero() {
    let head = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                afn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\n";
    let (books, recs, _) = myi_case(&format!("{head}W\t105\t100\t2\t3\t155\n"));
    assert_planned_on_100_and_50(&recs[0].rec);
    assert!(
        recs[0].rec.reason.starts_with(
            "on order 50 read as total 155 less warehouse 105 (myi.tsv line 2; the file has \
             no afn-inbound-working-quantity, afn-inbound-shipped-quantity, \
             afn-inbound-receiving-quantity); position 150"
        ),
        "{}",
        recs[0].rec.reason
    );
    assert_eq!(books.counts.stock_rows_refused + books.counts.stock_rows_in_doubt, 0);
    assert_eq!(
        books.counts.examples[INBOUND_ABSENT],
        ["myi.tsv: no afn-inbound-working-quantity, afn-inbound-shipped-quantity, \
             afn-inbound-receiving-quantity"]
    );

    let (books, recs, _) = myi_case("sku\tafn-fulfillable-quantity\nW\t100\n");
    let rec = &recs[0].rec;
    assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(100), None, Some(180)));
    assert!(
        rec.reason.starts_with(
            "on order unknown, none counted: myi.tsv has no afn-inbound column and myi.tsv \
             line 2 no total; position 100 <= reorder point 153"
        ),
        "{}",
        rec.reason
    );
    assert_eq!(books.counts.warnings[INBOUND_ABSENT], 1);
    let table = recommendation_table("title", true, &[(rec, Some(2.0))]).render();
    let line = table.lines().find(|l| l.starts_with('W')).unwrap();
    assert!(line.contains(" 100         - "), "{line}");
}

/// Tester: with every All Orders line unreadable the run stopped
/// with counts only ("0 rows, 102 row errors"), naming no error,
/// while a partly bad file's report names them. The stop now names a
/// few, as the report does.
#[test]
fn a_run_stopped_for_want_of_dated_rows_names_unreadable_rows() {
    let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n";
    let bad = format!(
        "{head}1\t2026-13-01T10:00:00Z\tShipped\tAmazon\tW\t2\n\
         2\t2026-13-02T10:00:00Z\tShipped\tAmazon\tW\t2\n"
    );
    let Err(e) = load_folder("allbad", &[], &[("all_orders.tsv", bad)]) else {
        panic!("planned on no dated row")
    };
    assert!(e.contains("all_orders.tsv: All Orders: 0 rows, 2 row errors, 0 skipped"), "{e}");
    assert!(
        e.ends_with(
            "\n  unreadable rows, e.g. all_orders.tsv: all orders: line 2, column \
             \"purchase-date\": \"2026-13-01T10:00:00Z\" is not a date; all_orders.tsv: all \
             orders: line 3, column \"purchase-date\": \"2026-13-02T10:00:00Z\" is not a date"
        ),
        "{e}"
    );
}

/// The same 30 dense days alone: the window and history per day are
/// what the block rule gave.
#[test]
fn a_dense_history_keeps_its_window() {
    let (books, recs) = plan_orders("dense", &orders_file(day("2025-03-01"), 30, &[]));
    assert_eq!(books.days(), Some((day("2025-03-01"), day("2025-03-30"))));
    assert!((recs[0].history_units_per_day - 2.0).abs() < 1e-12);
    assert!(books.counts.warnings.is_empty(), "{:?}", books.counts.warnings);
}

/// Detail rows with three losses and a damage of `W` (FNSKU `X00W`),
/// a unit of L1 found on 2026-03-09 (after the payments the tests
/// book, bar the reversals of
/// `a_reversal_takes_back_from_an_over_reimbursed_write_off_first`,
/// so they pay L1's 4 units), and a last shipment on 2026-03-10; Manage FBA
/// Inventory prices `W` at 25.00, so it costs 10.00 a unit.
fn claims_folder() -> Vec<(&'static str, String)> {
    let detail = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                  Disposition,Reason\n\
                  2026-01-02,X00W,W,Receipts,FBA1,100,ABE2,SELLABLE,\n\
                  2026-01-05,X00W,W,Adjustments,L1,-4,ABE2,SELLABLE,M\n\
                  2026-01-06,X00W,W,Adjustments,D1,-2,ABE2,SELLABLE,E\n\
                  2026-01-07,X00W,W,Adjustments,L2,-3,ABE2,SELLABLE,M\n\
                  2026-02-20,X00W,W,Adjustments,L3,-2,ABE2,SELLABLE,M\n\
                  2026-03-09,X00W,W,Adjustments,F1,1,ABE2,SELLABLE,F\n\
                  2026-03-10,X00W,W,Shipments,111-1,-1,ABE2,SELLABLE,\n";
    let myi = "sku\tfnsku\tyour-price\tafn-fulfillable-quantity\nW\tX00W\t25.00\t89\n";
    vec![("ledger_detail.csv", detail.to_owned()), ("myi.tsv", myi.to_owned())]
}

/// The books of [`claims_folder`] with `reimbursements` as its
/// Reimbursements file, loaded as folder `name`.
fn claims_books(name: &str, reimbursements: impl Into<String>) -> Books {
    let mut files = claims_folder();
    files.push(("fba_reimbursements.tsv", reimbursements.into()));
    load_folder(name, &[], &files).unwrap()
}

/// A Reimbursements file: `(date, id, reason, units, amount,
/// original)` rows of `W`/`X00W`.
fn reimbursements_file(rows: &[(&str, &str, &str, i64, &str, &str)]) -> String {
    let mut f = String::from(
        "approval-date\treimbursement-id\treason\tsku\tfnsku\tcurrency-unit\tamount-total\t\
         quantity-reimbursed-cash\tquantity-reimbursed-total\toriginal-reimbursement-id\n",
    );
    for (date, id, reason, units, amount, original) in rows {
        f.push_str(&format!(
            "{date}\t{id}\t{reason}\tW\tX00W\tUSD\t{amount}\t{units}\t{units}\t{original}\n"
        ));
    }
    f
}

/// Each claim line's figures in one string, for comparing.
fn claim_numbers(lines: &[ClaimLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            format!(
                "{} {} {} found {} paid {} ({}) open {} at cost {} {}",
                l.date,
                l.what,
                l.units,
                l.found,
                l.reimbursed,
                l.reimbursed_amount,
                l.open,
                l.value_at_cost.map_or_else(|| "-".to_owned(), |v| v.round_dp(2).to_string()),
                if l.claimable { "claim" } else { "wait" }
            )
        })
        .collect()
}

/// Paid, partly paid, reversed and unmatched, worked by hand. The
/// crate matches payments first in, first out over the lost and
/// damaged rows of `X00W` dated by their approval: P1 (5 units,
/// 50.00) pays L1's 4 (40.00) and 1 of D1 (10.00); P2 (3, 30.00)
/// pays D1's last (10.00) and 2 of L2 (20.00). R1 takes 1 unit and
/// 10.00 of P2 back from its latest write-off, L2. U1 (a customer
/// return) matches no loss and is booked naming none; R2 reverses a
/// payment never booked and is counted, not booked. On 2026-03-10:
/// L1 lost 4, 1 found, paid 4: over-reimbursed by 1. D1 paid 2 of 2:
/// closed. L2 lost 3, paid 2 - 1 = 1 (10.00): 2 open, 30.00 at cost,
/// 62 days old, so a claim. L3 lost 2, unpaid: 2 open, 20.00 at
/// cost, 18 days old, so wait.
#[test]
fn reimbursements_are_booked_against_losses_and_claims_listed() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 5, "50.00", ""),
        ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
        ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
        ("2026-02-01", "R1", "Reimbursement_Reversal", -1, "-10.00", "P2"),
        ("2026-02-02", "R2", "Reimbursement_Reversal", -1, "-12.00", "NOPE"),
    ]);
    let books = claims_books("claims", reimbursements);
    let booked = |what: &str| books.counts.booked_as.get(what).copied();
    assert_eq!(booked("reimbursement of a loss"), Some(4));
    assert_eq!(booked("reimbursement naming no loss"), Some(1));
    assert_eq!(booked("reimbursement reversal"), Some(1));
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), Some(&1));
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
    let last = books.last_day();
    assert_eq!(last, Some(day("2026-03-10")));
    let listed = claims_fn(&books, last, 30);
    assert_eq!(
        claim_numbers(&listed.open),
        [
            "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim",
            "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
        ]
    );
    assert_eq!(
        claim_numbers(&listed.overreimbursed),
        ["2026-01-05 lost 4 found 1 paid 4 (40.00) open -1 at cost 40.00 claim"]
    );
    // With --claim-days 10 the young loss is due too.
    let listed = claims_fn(&books, last, 10);
    assert!(listed.open.iter().all(|l| l.claimable));
}

/// Amounts near `Decimal`'s limit: H1 (10 units) cannot be split
/// over the losses it pays for, and H3 cannot be added to H2 among
/// the payments naming no loss; both are counted, none panics.
#[test]
fn reimbursements_too_large_are_counted_not_booked() {
    let max = Decimal::MAX.to_string();
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "H1", "Lost_Warehouse", 10, &max, ""),
        ("2026-01-21", "H2", "CustomerReturn", 1, &max, ""),
        ("2026-01-22", "H3", "CustomerReturn", 1, &max, ""),
    ]);
    let books = claims_books("huge", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(AMOUNT_TOO_LARGE), Some(&2));
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::MAX));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), None);
}

/// A Reimbursements file of P1 (a loss, 40.00) and U1 (no loss,
/// 12.00) in USD, G1 in GBP and E1 in EUR.
fn three_currencies() -> String {
    let usd = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
        ("2026-01-21", "U1", "CustomerReturn", 1, "12.00", ""),
        ("2026-01-22", "G1", "CustomerReturn", 1, "9.00", ""),
        ("2026-01-23", "E1", "Lost_Warehouse", 1, "10.00", ""),
    ]);
    let mut lines: Vec<String> = usd.lines().map(str::to_owned).collect();
    lines[3] = lines[3].replace("\tUSD\t", "\tGBP\t");
    lines[4] = lines[4].replace("\tUSD\t", "\tEUR\t");
    lines.join("\n") + "\n"
}

/// Rows in three currencies: USD is on two rows (P1 and U1), EUR and
/// GBP on one each, so only the USD rows are booked (P1 pays L1's 4
/// units, U1 names no loss) and the others are counted; nothing is
/// added across currencies and the section says USD.
#[test]
fn reimbursements_in_other_currencies_are_not_added() {
    let books = claims_books("currencies", three_currencies());
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&2));
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.currency.as_deref(), Some("USD"));
    // D1's 2 units stay unpaid: E1 in EUR was not booked against it.
    assert_eq!(listed.open[0].what, "damaged");
    assert_eq!(listed.open[0].reimbursed, 0);
}

/// Each Claims line shows its write-off's reason code from the detail
/// view (D1 damaged under `E`, the losses under `M`), in the table and
/// in JSON, so a code Amazon does not pay for can be seen before filing.
#[test]
fn claim_lines_show_the_write_off_reason_code() {
    let books = claims_books("codes", reimbursements_file(&[]));
    let listed = claims_fn(&books, books.last_day(), 30);
    let codes: Vec<(&str, Option<&str>)> =
        listed.open.iter().map(|l| (l.what, l.code.as_deref())).collect();
    assert_eq!(
        codes,
        [("lost", Some("M")), ("damaged", Some("E")), ("lost", Some("M")), ("lost", Some("M"))]
    );
    let json = serde_json::to_value(&listed.open[1]).unwrap();
    assert_eq!(json["code"], "E");
}

/// The file of the case above passed twice (as a second
/// Reimbursements file): its GBP and EUR rows are counted once each
/// as in another currency, and their second reading is a repeat, as
/// the USD rows' is. They were counted twice (4 rows in another
/// currency from 2).
#[test]
fn reimbursements_in_other_currencies_read_twice_count_once() {
    let file = three_currencies();
    let mut files = claims_folder();
    files.push(("fba_reimbursements.tsv", file.clone()));
    files.push(("fba_reimbursements_again.tsv", file));
    let books = load_folder("currencies-twice", &[], &files).unwrap();
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&2));
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.currency.as_deref(), Some("USD"));
}

/// The payments are booked in one batch; one the ledger refuses (P2
/// takes what L1 was paid past `Decimal::MAX`) refuses the batch,
/// and the rows are booked again one by one: P1 and U1 are booked,
/// P2 alone is set aside, as when every row was booked on its own.
#[test]
fn a_payment_the_ledger_refuses_is_set_aside_alone() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 1, "50000000000000000000000000000", ""),
        ("2026-01-21", "P2", "Lost_Warehouse", 1, "50000000000000000000000000000", ""),
        ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
    ]);
    let books = claims_books("batch-refused", reimbursements);
    assert_eq!(books.counts.rows_skipped.get("refused by the ledger"), Some(&1));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
    assert_eq!(books.counts.booked_as.get("reimbursement naming no loss"), Some(&1));
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
    assert_eq!(books.paid_to, Some(day("2026-01-22")));
    assert_eq!(books.counts.duplicates_ignored, 0);
}

/// The reversals are booked in one batch too. A reversal row under
/// P2, the id of a payment (taking back 1 unit of P1), has its piece
/// named as P2's first piece, booked with other content: the plan
/// cannot see it (it holds the reversals alone), the ledger refuses
/// the batch, and the reversals are booked again one by one. That
/// row alone is refused; V1 still takes its unit of P2 back from L2,
/// as in `reimbursements_are_booked_against_losses_and_claims_listed`.
#[test]
fn a_reversal_the_ledger_refuses_is_set_aside_alone() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 5, "50.00", ""),
        ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
        ("2026-02-01", "P2", "Reimbursement_Reversal", -1, "-10.00", "P1"),
        ("2026-02-02", "V1", "Reimbursement_Reversal", -1, "-10.00", "P2"),
    ]);
    let books = claims_books("reversal-batch-refused", reimbursements);
    assert_eq!(books.counts.rows_skipped.get("refused by the ledger"), Some(&1));
    assert_eq!(
        books.counts.examples["refused by the ledger"],
        ["fba_reimbursements.tsv line 4: event amzr-P2-X00W-0 was ingested before with \
             different content"]
    );
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
    assert_eq!(books.counts.duplicates_ignored, 0);
    assert_eq!(books.paid_to, Some(day("2026-02-02")));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        claim_numbers(&listed.open)[0],
        "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim"
    );
}

/// Tester ae's a3: reversals alone, in euros. No payment votes, so
/// there is no currency to be another than: each reversal is set
/// aside as matched to no write-off (it was "in another currency than
/// most").
#[test]
fn reversals_alone_are_set_aside_for_what_they_are() {
    let rows = reimbursements_file(&[
        ("2026-01-23", "E4", "Reimbursement_Reversal", -1, "-5.00", "NONE1"),
        ("2026-01-24", "E5", "Reimbursement_Reversal", -1, "-5.00", "NONE2"),
    ])
    .replace("\tUSD\t", "\tEUR\t");
    let books = claims_books("reversals-alone", rows);
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), None);
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), Some(&2));
    assert_eq!(books.reimbursement_currency, None);
}

/// Two reversals of P1 on one day. P1 pays L1 4, D1 2 and L2 3 (the
/// units lost on 03-01); F1 finds a unit of L1 on 03-09, so L1 is
/// over-paid by 1. V1 takes that unit back from L1; V2's unit then
/// finds no write-off over-paid and comes off the latest, L2. Had V2
/// read the excess as it stood before V1 (the day's figures are
/// kept and lowered as reversals book), it took L1's unit again and
/// left L1 open for 1 and L2 paid whole.
///
/// The same with V1 a day before V2 (on 03-09, the day F1 is found):
/// the reversals are planned in one batch, so on V2's day the
/// ledger's excess does not hold V1 yet, and what V1 took back is
/// taken off it.
#[test]
fn a_reversal_sees_the_excess_the_one_before_it_took_back() {
    for first in ["2026-03-10", "2026-03-09"] {
        a_reversal_after_another(first);
    }
}

fn a_reversal_after_another(first: &str) {
    let reimbursements = reimbursements_file(&[
        ("2026-03-01", "P1", "Lost_Warehouse", 9, "90.00", ""),
        (first, "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
        ("2026-03-10", "V2", "Reimbursement_Reversal", -1, "-10.00", "P1"),
    ]);
    let books = claims_books("excess-twice", reimbursements);
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    assert_eq!(
        claim_numbers(&listed.open),
        [
            "2026-01-07 lost 3 found 0 paid 2 (20.00) open 1 at cost 30.00 claim",
            "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
        ]
    );
}

/// Tester ad's c4 to c9: one USD payment for L1 and, in EUR, two
/// rows of one id that disagree, two payments of nothing and two
/// reversals naming no payment. None of the EUR rows could book, so
/// none votes: USD is the currency and P1 pays L1. They outvoted P1
/// (EUR won), P1 was set aside as in another currency and L1 showed
/// as unpaid.
#[test]
fn rows_that_could_not_book_do_not_vote_on_the_currency() {
    let rows = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
        ("2026-01-21", "E1", "CustomerReturn", 1, "10.00", ""),
        ("2026-01-21", "E1", "CustomerReturn", 1, "11.00", ""),
        ("2026-01-22", "E2", "CustomerReturn", 0, "0.00", ""),
        ("2026-01-22", "E3", "CustomerReturn", 0, "0.00", ""),
        ("2026-01-23", "E4", "Reimbursement_Reversal", -1, "-5.00", "NONE1"),
        ("2026-01-23", "E5", "Reimbursement_Reversal", -1, "-5.00", "NONE2"),
    ]);
    let lines: Vec<String> = rows
        .lines()
        .map(|l| if l.contains("\tE") { l.replace("\tUSD\t", "\tEUR\t") } else { l.to_owned() })
        .collect();
    let books = claims_books("novote", lines.join("\n") + "\n");
    assert_eq!(books.reimbursement_currency.as_deref(), Some("USD"));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&6));
    let listed = claims_fn(&books, books.last_day(), 30);
    // L1 (4 lost on 2026-01-05) is paid and no longer open; D1, the
    // damaged row after it, is.
    assert!(listed.open.iter().all(|l| l.date != day("2026-01-05")));
    assert_eq!(listed.open[0].what, "damaged");
}

/// One row in USD and one in EUR: neither currency is the one most
/// rows carry, so neither row is booked and the section names none.
#[test]
fn reimbursements_in_two_currencies_tied_book_none() {
    let usd = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
        ("2026-01-23", "E1", "Lost_Warehouse", 1, "10.00", ""),
    ]);
    let mut lines: Vec<String> = usd.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replace("\tUSD\t", "\tEUR\t");
    let books = claims_books("tied", lines.join("\n") + "\n");
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&2));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), None);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.currency, None);
    let caution = none_booked(&listed).unwrap_or_default();
    assert!(caution.starts_with("CAUTION: 2 Reimbursements row(s) read but none booked"));
    let json = serde_json::to_value(&listed).unwrap();
    assert_eq!(json.get("currency"), Some(&serde_json::Value::Null));
    assert_eq!(json.get("paid_to"), Some(&serde_json::Value::Null));
}

/// P1 is approved on 2026-04-01, after the ledger's last day
/// (2026-03-10): it is booked, and the section counts it, so L1 (4
/// lost, 1 found on 03-09, before P1) is paid its 3 still lost and
/// D1 1 of its 2, and the losses are still aged on 2026-03-10 (L3,
/// 18 days old, waits).
#[test]
fn payments_after_the_last_day_are_counted() {
    let reimbursements =
        reimbursements_file(&[("2026-04-01", "P1", "Lost_Warehouse", 4, "40.00", "")]);
    let books = claims_books("late", reimbursements);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.as_of, day("2026-03-10"));
    assert_eq!(listed.paid_to, Some(day("2026-04-01")));
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    assert_eq!(
        claim_numbers(&listed.open),
        [
            "2026-01-06 damaged 2 found 0 paid 1 (10.00) open 1 at cost 20.00 claim",
            "2026-01-07 lost 3 found 0 paid 0 (0) open 3 at cost 30.00 claim",
            "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
        ]
    );
}

/// P2 is repeated, in its own file and in a second file: its pieces
/// are booked once and R1 still takes its unit back from L2, as in
/// `reimbursements_are_booked_against_losses_and_claims_listed`.
#[test]
fn a_repeated_payment_still_has_its_reversal_booked() {
    let rows = [
        ("2026-01-20", "P1", "Lost_Warehouse", 5, "50.00", ""),
        ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
        ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
        ("2026-02-01", "R1", "Reimbursement_Reversal", -1, "-10.00", "P2"),
    ];
    let mut files = claims_folder();
    files.push(("fba_reimbursements.tsv", reimbursements_file(&rows)));
    files.push(("fba_reimbursements_2.tsv", reimbursements_file(&rows[1..3])));
    let books = load_folder("repeated", &[], &files).unwrap();
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), None);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        claim_numbers(&listed.open)[0],
        "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim"
    );
}

/// Without a Reimbursements file the section knows none was read; a
/// file cut short inside a row is rejected and named, and nothing of
/// it is booked.
#[test]
fn claims_say_whether_reimbursements_were_read() {
    let books = load_folder("noreimb", &[], &claims_folder()).unwrap();
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.reimbursement_files_read, 0);
    assert!(listed.reimbursement_files_rejected.is_empty());
    let whole = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
        ("2026-01-21", "P2", "Lost_Warehouse", 1, "10.00", ""),
    ]);
    let cut = &whole[..whole.len() - 20];
    let books = claims_books("cutreimb", cut.to_owned());
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.reimbursement_files_read, 0);
    assert_eq!(listed.reimbursement_files_rejected.len(), 1);
    assert!(
        listed.reimbursement_files_rejected[0].starts_with("fba_reimbursements.tsv: "),
        "{:?}",
        listed.reimbursement_files_rejected
    );
    assert_eq!(listed.open.len(), 4);
}

/// P1 pays 13 units, 130.00: the 11 units lost (L1 4, D1 2, L2 3,
/// L3 2; 40.00, 20.00, 30.00, 20.00) and 2 no loss takes (20.00). R1
/// takes 3 units and 30.00 back: the 2 loose units (20.00) first,
/// then 1 of L3 (10.00), so L3 is paid 1 (10.00) and still open 1.
/// R2 takes U1 (a customer return, 12.00) back whole. The payments
/// without a loss: 2, with 2 + 1 units and 32.00, less 3 units and
/// 32.00 taken back: both taken back whole, so none is left to list.
/// R2's repeat is a duplicate.
#[test]
fn reversals_take_back_loose_units_first() {
    let reimbursements = reimbursements_file(&[
        ("2026-03-01", "P1", "Lost_Warehouse", 13, "130.00", ""),
        ("2026-03-02", "U1", "CustomerReturn", 1, "12.00", ""),
        ("2026-03-05", "R1", "Reimbursement_Reversal", -3, "-30.00", "P1"),
        ("2026-03-06", "R2", "Reimbursement_Reversal", -1, "-12.00", "U1"),
        ("2026-03-06", "R2", "Reimbursement_Reversal", -1, "-12.00", "U1"),
    ]);
    let books = claims_books("loose", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), None);
    assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), Some(&2));
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
    assert_eq!(books.counts.duplicates_ignored, 1);
    assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
    // R2, a reversal of units paid naming no loss, counts for the day
    // payments are counted to, as reversals of write-offs do.
    assert_eq!(books.paid_to, Some(day("2026-03-06")));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        claim_numbers(&listed.open),
        ["2026-02-20 lost 2 found 0 paid 1 (10.00) open 1 at cost 20.00 wait"]
    );
    assert_eq!(
        claim_numbers(&listed.overreimbursed),
        ["2026-01-05 lost 4 found 1 paid 4 (40.00) open -1 at cost 40.00 claim"]
    );
}

/// P1 (2 units) pays L1's fourth unit and one of D1's, its amount
/// split 12.68 + 12.67 (25.35) or 12.62 + 12.63 (25.25); V1 takes
/// all of it back, so each write-off gets back exactly what it was
/// paid, whatever the rounding: D1 is open again, unpaid.
#[test]
fn a_full_reversal_restores_every_write_off_exactly() {
    for amount in ["25.35", "25.25"] {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P0", "Lost_Warehouse", 3, "30.00", ""),
            ("2026-01-21", "P1", "Lost_Warehouse", 2, amount, ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", -2, &format!("-{amount}"), "P1"),
        ]);
        let books = claims_books("revround", reimbursements);
        assert_eq!(books.counts.rows_skipped.get("refused by the ledger"), None, "{amount}");
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2), "{amount}");
        let listed = claims_fn(&books, books.last_day(), 30);
        let open = claim_numbers(&listed.open);
        assert_eq!(
            open[0], "2026-01-06 damaged 2 found 0 paid 0 (0.00) open 2 at cost 20.00 claim",
            "{amount}"
        );
    }
}

/// P1 (13 units, 130.00) pays the 11 units lost and 2 with no loss;
/// V1 takes back 3 units and 50.00: the 2 loose units got 20.00 and
/// L3's 2 units 20.00, so 50.00 is more than they can give back. The
/// row books nothing, not even the loose part, and is counted once.
#[test]
fn a_reversal_any_piece_of_which_is_refused_books_none() {
    let reimbursements = reimbursements_file(&[
        ("2026-03-01", "P1", "Lost_Warehouse", 13, "130.00", ""),
        ("2026-03-05", "V1", "Reimbursement_Reversal", -3, "-50.00", "P1"),
    ]);
    let books = claims_books("revhalf", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1));
    assert_eq!(books.counts.rows_skipped.values().sum::<u64>(), 1);
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), None);
    assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), None);
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 2, Decimal::new(2000, 2)));
}

/// Tester z's revconf: P1 pays L1 2 units, 20.00; two rows of V1
/// take back 1 unit and 10.00 and 2 units and 20.00. Which holds
/// cannot be told, so neither is booked, each counted as rows that
/// disagree (as payments that disagree are), none as a duplicate:
/// L1 stays paid 2. Before, the first was booked and the second
/// counted as a duplicate.
#[test]
fn reversal_rows_of_one_id_that_disagree_book_none() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 2, "20.00", ""),
        ("2026-02-01", "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
        ("2026-02-01", "V1", "Reimbursement_Reversal", -2, "-20.00", "P1"),
    ]);
    let books = claims_books("revconf", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(REIMBURSEMENT_CONFLICT), Some(&2));
    assert_eq!(books.counts.duplicates_ignored, 0);
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), None);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        claim_numbers(&listed.open)[0],
        "2026-01-05 lost 4 found 1 paid 2 (20.00) open 1 at cost 40.00 claim"
    );
}

/// Fresh user: a reimbursed quantity of `i64::MAX` was read without
/// the 10,000,000-unit cap the other reports apply (tester z's satur
/// had U1 and U2 each pay 5,000,000,000,000,000,000 units, refused only
/// when their sum passed `i64`). A row with any quantity beyond
/// 10,000,000 units either way is now not used, named by file, line,
/// column and figure as the other reports' rows are, and counted with
/// the rows not used; the rest are booked as before.
#[test]
fn reimbursed_quantities_beyond_ten_million_units_are_not_used() {
    let big = 5_000_000_000_000_000_000;
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "M1", "CustomerReturn", i64::MAX, "1.00", ""),
        ("2026-01-22", "U1", "CustomerReturn", big, "1.00", ""),
        ("2026-01-22", "U2", "CustomerReturn", 10_000_000, "1.00", ""),
        ("2026-02-01", "V1", "Reimbursement_Reversal", -big, "-1.00", "U1"),
    ]);
    let books = claims_books("satur", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(ABSURD_UNITS), Some(&3));
    assert_eq!(
        books.counts.examples[ABSURD_UNITS],
        [
            "fba_reimbursements.tsv line 2: quantity-reimbursed-cash 9223372036854775807",
            "fba_reimbursements.tsv line 3: quantity-reimbursed-cash 5000000000000000000",
            "fba_reimbursements.tsv line 5: quantity-reimbursed-cash -5000000000000000000",
        ]
    );
    assert_eq!(books.counts.rows_skipped.get(UNITS_TOO_LARGE), None);
    assert_eq!(books.counts.booked_as.get("reimbursement naming no loss"), Some(&1));
    assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), None);
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 10_000_000, Decimal::ONE));
}

/// Tester z's zerozero: rows of amount 0 and 0 units, a payment for a
/// loss, one for a customer return and a reversal, book nothing and
/// are counted as such; a 0.00 payment of units still books (it
/// pays them nothing, as `a_reversal_of_nothing_leaves_a_plain_zero`).
#[test]
fn rows_of_nothing_are_not_booked() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 0, "0", ""),
        ("2026-01-21", "P2", "CustomerReturn", 0, "0.00", ""),
        ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
        ("2026-02-01", "V1", "Reimbursement_Reversal", 0, "0.00", "U1"),
    ]);
    let books = claims_books("zerozero", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(NOTHING_TO_BOOK), Some(&3));
    assert_eq!(books.counts.booked_as.get("reimbursement naming no loss"), Some(&1));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), None);
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
}

/// Tester ab's z1: rows not used are named in line order, though
/// payments are booked before reversals (before: line 2; line 4;
/// line 3).
#[test]
fn rows_not_used_are_named_in_line_order() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 0, "0", ""),
        ("2026-02-01", "V1", "Reimbursement_Reversal", 0, "0.00", "U1"),
        ("2026-01-21", "P2", "CustomerReturn", 0, "0.00", ""),
        ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
    ]);
    let books = claims_books("inorder", reimbursements);
    assert_eq!(
        books.counts.examples[NOTHING_TO_BOOK],
        [2, 3, 4].map(|n| format!("fba_reimbursements.tsv line {n}"))
    );
}

/// U1 pays 12.50 for a unit with no loss; V1 would take 50.00 back
/// for it, more than it got: refused, the payment still stands.
#[test]
fn a_reversal_of_loose_units_takes_back_no_more_than_they_got() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-22", "U1", "CustomerReturn", 1, "12.50", ""),
        ("2026-02-01", "V1", "Reimbursement_Reversal", -1, "-50.00", "U1"),
    ]);
    let books = claims_books("revbig", reimbursements);
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1));
    assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), None);
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1250, 2)));
}

/// Two USD payments, and EUR rows that could not book: two dated
/// in 2030 (future), and one repeated three times (it books once).
/// EUR has two votes, USD two, before the repeats count once: USD
/// wins 2 to 1 among rows that could book, and P1 and P2 are booked.
/// Three EUR rows are counted as in another currency; E3's two
/// repeats are repeats.
#[test]
fn only_rows_that_could_book_vote_on_the_currency() {
    let rows = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 2, "20.00", ""),
        ("2026-01-21", "P2", "Lost_Warehouse", 2, "20.00", ""),
        ("2030-01-01", "E1", "Lost_Warehouse", 1, "10.00", ""),
        ("2030-01-02", "E2", "Lost_Warehouse", 1, "10.00", ""),
        ("2026-01-23", "E3", "Lost_Warehouse", 1, "10.00", ""),
        ("2026-01-23", "E3", "Lost_Warehouse", 1, "10.00", ""),
        ("2026-01-23", "E3", "Lost_Warehouse", 1, "10.00", ""),
    ]);
    let lines: Vec<String> = rows
        .lines()
        .map(|l| if l.contains("\tE") { l.replace("\tUSD\t", "\tEUR\t") } else { l.to_owned() })
        .collect();
    let books = claims_books("curvote", lines.join("\n") + "\n");
    assert_eq!(books.reimbursement_currency.as_deref(), Some("USD"));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&2));
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&3));
    assert_eq!(books.counts.duplicates_ignored, 2);
}

/// Two USD payments, and EUR rows: E1 twice, approved on two days
/// (the same ids, item, amount and units), and E2 read twice. E2's
/// second reading is one row read twice, a repeat; E1's two rows
/// are two rows (as the matching and the booking see them, rows of
/// one id that disagree), each in another currency. Before, a row
/// was a repeat when its ids, item, amount, units and currency were
/// another's, so E1's second row was counted as a repeat: 2 rows in
/// another currency and 2 repeats, now 3 and 1.
#[test]
fn rows_in_another_currency_differing_only_in_their_date_are_not_repeats() {
    let rows = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 2, "20.00", ""),
        ("2026-01-21", "P2", "Lost_Warehouse", 2, "20.00", ""),
        ("2026-01-22", "E1", "CustomerReturn", 1, "10.00", ""),
        ("2026-01-23", "E1", "CustomerReturn", 1, "10.00", ""),
        ("2026-01-24", "E2", "CustomerReturn", 1, "9.00", ""),
        ("2026-01-24", "E2", "CustomerReturn", 1, "9.00", ""),
    ]);
    let lines: Vec<String> = rows
        .lines()
        .map(|l| if l.contains("\tE") { l.replace("\tUSD\t", "\tEUR\t") } else { l.to_owned() })
        .collect();
    let books = claims_books("eur-days", lines.join("\n") + "\n");
    assert_eq!(books.reimbursement_currency.as_deref(), Some("USD"));
    assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&2));
    assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&3));
    assert_eq!(
        books.counts.examples[OTHER_CURRENCY],
        [4, 5, 6].map(|n| format!("fba_reimbursements.tsv line {n}: EUR"))
    );
    assert_eq!(books.counts.duplicates_ignored, 1);
}

/// P1 pays L1's 4 units nothing; V1 takes them all back, nothing
/// too: the amount left on L1 is zero, never printed as `-0.00`.
#[test]
fn a_reversal_of_nothing_leaves_a_plain_zero() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 4, "0.00", ""),
        ("2026-02-01", "V1", "Reimbursement_Reversal", -4, "0.00", "P1"),
    ]);
    let books = claims_books("revzero", reimbursements);
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
    let listed = claims_fn(&books, books.last_day(), 30);
    let open = claim_numbers(&listed.open);
    assert_eq!(open[0], "2026-01-05 lost 4 found 1 paid 0 (0.00) open 3 at cost 40.00 claim");
}

/// A payment for `OTHER`, a SKU no other report names, is booked
/// (it counts among the payments without a loss) but adds no SKU to
/// the plan: only `W` is planned, and a warning names `OTHER`.
#[test]
fn a_reimbursement_adds_no_sku_to_the_plan() {
    let file = reimbursements_file(&[
        ("2026-03-01", "P1", "Lost_Warehouse", 1, "10.00", ""),
        ("2026-03-02", "O1", "Lost_Warehouse", 1, "5.00", ""),
    ]);
    let file = file.replace("O1\tLost_Warehouse\tW\tX00W", "O1\tLost_Warehouse\tOTHER\tX00O");
    let mut files = claims_folder();
    files.push(("fba_reimbursements.tsv", file));
    let mut books = load_folder("otherSku", &[], &files).unwrap();
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(500, 2)));
    books.close().unwrap();
    let args = Args::parse_from(["replenish", "--amazon", "unused"]);
    let service = ServiceLevel::new(args.service_level).unwrap();
    let (recs, warnings) = plan(&args, service, &books).unwrap();
    let skus: Vec<String> = recs.iter().map(|r| r.rec.sku.to_string()).collect();
    assert_eq!(skus, ["W"]);
    assert!(
        warnings.iter().any(|(why, sku)| why.contains("only by Reimbursements") && sku == "OTHER")
    );
}

/// The bundled folder's ledger (WIDGET-BLUE lost 4 on 03-04, 1
/// found on 03-05; damaged 1 on 03-05) with `rows` (date, id,
/// reason, units, amount, original) as its Reimbursements file.
fn bundled_books(name: &str, rows: &[(&str, &str, &str, i64, &str, &str)]) -> Books {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
    let mut files: Vec<(&str, String)> = [
        "synthetic_ledger_detail_view.csv",
        "synthetic_ledger_summary_view.csv",
        "synthetic_fba_myi_unsuppressed_inventory.tsv",
    ]
    .into_iter()
    .map(|f| (f, std::fs::read_to_string(data.join(f)).unwrap()))
    .collect();
    let file = reimbursements_file(rows).replace("\tW\tX00W\t", "\tWIDGET-BLUE\tX00TEST001\t");
    files.push(("fba_reimbursements.tsv", file));
    load_folder(name, &[], &files).unwrap()
}

/// Tester z's span: on 2026-03-06 the lost row (4 units, 7.995 a
/// unit at cost) has 3 still lost, 1 found on 03-05, and the damaged
/// row 1. P1 pays 5 units, 50.00: the 3 still lost (30.00), the
/// damaged unit (10.00) and 1 unit no loss takes (10.00), where
/// matching by the 4 units written off left the lost row
/// over-reimbursed by the found unit. Paid 4 units, 40.00 (what
/// Amazon owes), it closes both rows; by units written off it paid
/// the lost row 4 and left the damaged one open.
#[test]
fn a_payment_covers_the_units_still_lost_not_those_found() {
    let books = bundled_books("span", &[("2026-03-06", "P1", "Lost_Warehouse", 5, "50.00", "")]);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert!(listed.open.is_empty(), "{:?}", claim_numbers(&listed.open));
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1000, 2)));
    let books = bundled_books("span4", &[("2026-03-06", "P1", "Lost_Warehouse", 4, "40.00", "")]);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert!(listed.open.is_empty(), "{:?}", claim_numbers(&listed.open));
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
}

/// Tester z's spanrev: P1 as in the span case, then V1 takes 1 unit
/// and 10.00 back: the unit no loss took (10.00) goes first, so
/// nothing is open, nothing over-reimbursed, and no payment without a
/// loss is left: P1's piece naming no loss was taken back whole (it
/// was listed as "payments 1, units 0, amount 0.00"). Before, the damaged row
/// (latest) was reopened while the lost row stayed over-reimbursed.
#[test]
fn a_reversal_of_the_span_case_reopens_nothing() {
    let books = bundled_books(
        "spanrev",
        &[
            ("2026-03-06", "P1", "Lost_Warehouse", 5, "50.00", ""),
            ("2026-03-06", "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
        ],
    );
    let listed = claims_fn(&books, books.last_day(), 30);
    assert!(listed.open.is_empty(), "{:?}", claim_numbers(&listed.open));
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
    assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), Some(&1));
}

/// P1 (2026-01-07, 9 units, 90.00) pays L1's 4, D1's 2 and L2's 3
/// (10.00 a unit); F1 finds 1 of L1's on 03-09, after it, so L1 is
/// paid for 1 unit more than is still lost. V1 (03-09) takes 1 unit
/// and 10.00 back: from L1, over-reimbursed, not from L2, the latest,
/// so nothing of P1's is open or over-reimbursed. V2 takes 2 more
/// units and 20.00: L1 has no excess left, so the latest first, L2,
/// which is open for 2 again (paid 1, 10.00).
#[test]
fn a_reversal_takes_back_from_an_over_reimbursed_write_off_first() {
    let reimbursements = reimbursements_file(&[
        ("2026-01-07", "P1", "Lost_Warehouse", 9, "90.00", ""),
        ("2026-03-09", "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
    ]);
    let books = claims_books("overrev", reimbursements.clone());
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        claim_numbers(&listed.open),
        ["2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait"]
    );
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    let more = "2026-03-10\tV2\tReimbursement_Reversal\tW\tX00W\tUSD\t-20.00\t-2\t-2\tP1\n";
    let books = claims_books("overrev2", reimbursements + more);
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        claim_numbers(&listed.open),
        [
            "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim",
            "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
        ]
    );
    assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
}

/// Tester ab's per-unit case: on 2026-03-06 P1 pays the 3 units of
/// the lost row still lost, 30.00 (10.00 a unit; 0.03 at cent
/// scale, 0.01 a unit). V1 takes 1 unit back with 20.00 (0.02):
/// more than that unit got, so it is refused whole and the lost row
/// stays paid 3 (closed). Before, the check was against all 30.00
/// on the write-off, so V1 was booked and the row showed paid 2
/// (10.00). Taking back 10.00 (0.01), what the unit got, is booked.
#[test]
fn a_reversal_takes_back_no_more_than_the_units_it_names_got() {
    for (paid, back, ok) in
        [("30.00", "-20.00", false), ("0.03", "-0.02", false), ("30.00", "-10.00", true)]
    {
        let books = bundled_books(
            "perunit",
            &[
                ("2026-03-06", "P1", "Lost_Warehouse", 3, paid, ""),
                ("2026-03-06", "V1", "Reimbursement_Reversal", -1, back, "P1"),
            ],
        );
        let listed = claims_fn(&books, books.last_day(), 30);
        let open = claim_numbers(&listed.open);
        let case = format!("{paid} {back}: {open:?}");
        if ok {
            assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), None, "{case}");
            assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
            assert_eq!(
                open[0], "2026-03-04 lost 4 found 1 paid 2 (20.00) open 1 at cost 31.98 wait",
                "{case}"
            );
        } else {
            assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1), "{case}");
            assert_eq!(books.counts.booked_as.get("reimbursement reversal"), None, "{case}");
            assert!(open.iter().all(|l| !l.contains(" lost ")), "{case}");
        }
    }
}

/// A unit's share of a piece is rounded up to the cent: P1 pays 0.05
/// for 2 of the 3 units still lost, so one unit may have got 0.03 (as
/// Amazon may have split it). V1 takes that unit back with 0.03 and
/// is booked; V2 then takes the last one back with what stands, 0.02,
/// and the lost row is open for both again. A reversal of 0.04 for
/// one unit is refused.
#[test]
fn a_units_share_is_rounded_up_to_the_cent() {
    let books = bundled_books(
        "unitup",
        &[
            ("2026-03-06", "P1", "Lost_Warehouse", 2, "0.05", ""),
            ("2026-03-07", "V1", "Reimbursement_Reversal", -1, "-0.03", "P1"),
            ("2026-03-08", "V2", "Reimbursement_Reversal", -1, "-0.02", "P1"),
        ],
    );
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2));
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), None);
    let listed = claims_fn(&books, books.last_day(), 30);
    let open = claim_numbers(&listed.open);
    assert!(open[0].starts_with("2026-03-04 lost 4 found 1 paid 0 (0.00) open 3"), "{open:?}");
    let books = bundled_books(
        "unitup2",
        &[
            ("2026-03-06", "P1", "Lost_Warehouse", 2, "0.05", ""),
            ("2026-03-07", "V1", "Reimbursement_Reversal", -1, "-0.04", "P1"),
        ],
    );
    assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1));
    // Tester ac: 10.00 for 3 units taken back as 3.34, 3.33 and 3.33
    // (booked in id order, so the 3.34 first or last): whichever
    // order, all three are booked and the row is open for all three.
    for ids in [["V1", "V2", "V3"], ["V3", "V1", "V2"]] {
        let books = bundled_books(
            "unitup3",
            &[
                ("2026-03-06", "P1", "Lost_Warehouse", 3, "10.00", ""),
                ("2026-03-07", ids[0], "Reimbursement_Reversal", -1, "-3.34", "P1"),
                ("2026-03-07", ids[1], "Reimbursement_Reversal", -1, "-3.33", "P1"),
                ("2026-03-07", ids[2], "Reimbursement_Reversal", -1, "-3.33", "P1"),
            ],
        );
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&3), "{ids:?}");
        let listed = claims_fn(&books, books.last_day(), 30);
        let open = claim_numbers(&listed.open);
        assert!(open[0].contains("paid 0 (0.00) open 3"), "{ids:?}: {open:?}");
    }
}

/// Tester ac: taking 2 of 3 units back from a payment of
/// `Decimal::MAX` was refused as too large to split, the payment
/// times 2 overflowing although two thirds of it is a figure.
#[test]
fn a_reversal_of_part_of_the_largest_payment_is_split() {
    let max = Decimal::MAX.to_string();
    let back = format!("-{}", Decimal::MAX / Decimal::from(3) * Decimal::TWO);
    let books = bundled_books(
        "maxsplit",
        &[
            ("2026-03-06", "P1", "Lost_Warehouse", 3, &max, ""),
            ("2026-03-07", "V1", "Reimbursement_Reversal", -2, &back, "P1"),
        ],
    );
    assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
    assert_eq!(books.counts.rows_skipped.get(AMOUNT_TOO_LARGE), None);
}

/// Tester ab: with no price for a SKU (here no Manage FBA Inventory
/// file and no orders) the ledger values its stock at zero, and the
/// Claims section showed its write-offs at cost 0.00. The value is
/// now unknown: `-` in the text, `null` in the JSON.
#[test]
fn a_write_off_of_a_sku_with_no_price_has_no_value_at_cost() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
    let detail = "synthetic_ledger_detail_view.csv";
    let files = [(detail, std::fs::read_to_string(data.join(detail)).unwrap())];
    let books = load_folder("unpriced", &[], &files).unwrap();
    assert!(books.unit_costs.is_empty());
    let listed = claims_fn(&books, books.last_day(), 30);
    assert!(!listed.open.is_empty());
    assert!(listed.open.iter().all(|l| l.value_at_cost.is_none()));
    assert!(claim_numbers(&listed.open).iter().all(|l| l.contains(" at cost - ")));
    let json = serde_json::to_value(&listed.open[0]).unwrap();
    assert_eq!(json["value_at_cost"], serde_json::Value::Null);
}

fn claims_fn(books: &Books, last: Option<NaiveDate>, days: u32) -> Claims {
    claims(books, last, days).unwrap()
}

/// Without a Reimbursements file every loss is open; without a loss
/// there is no section.
#[test]
fn claims_without_reimbursements_list_every_loss() {
    let books = load_folder("noclaims", &[], &claims_folder()).unwrap();
    let listed = claims_fn(&books, books.last_day(), 30);
    let open: Vec<(i64, i64)> = listed.open.iter().map(|l| (l.units, l.open)).collect();
    // L1 4 lost, 1 found: 3 open; D1 2; L2 3; L3 2.
    assert_eq!(open, [(4, 3), (2, 2), (3, 3), (2, 2)]);
    let books = load_folder("nolosses", &[], &[("ledger_detail.csv", small_detail())]).unwrap();
    assert!(claims(&books, books.last_day(), 30).is_none());
}

/// The airbyte sample (its header, then the header repeated as
/// placeholder rows) is recognised as a Reimbursements report by its
/// header; the reader skips the repeated headers, so nothing is
/// booked and every loss stays open.
#[test]
fn the_airbyte_reimbursements_sample_is_recognised() {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/amazon/tests/data/airbyte_GET_FBA_REIMBURSEMENTS_DATA.tsv"
    ))
    .unwrap();
    let mut files = claims_folder();
    files.push(("airbyte.tsv", sample));
    let dir = std::env::temp_dir().join(format!("merchantry-airbyte-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in &files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
    let (books, rows) = load(&args, &dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let airbyte = rows.iter().find(|r| r.file == "airbyte.tsv").unwrap();
    assert_eq!(airbyte.report, Some("Reimbursements"));
    assert_eq!((airbyte.rows, airbyte.row_errors, airbyte.note.as_str()), (0, 0, ""));
    assert!(!books.counts.booked_as.keys().any(|k| k.starts_with("reimbursement")));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(listed.open.len(), 4);
    assert_eq!(
        no_rows(&listed).as_deref(),
        Some(
            "the Reimbursements report(s) read (1) had no rows, so every write-off shows as unpaid"
        )
    );
}

/// Amounts print rounded to the cent, two decimals always: the
/// bundled damaged unit's 7.996 at cost is 8.00, not 7.99.
#[test]
fn claim_amounts_print_rounded_to_the_cent() {
    assert_eq!(cents(Decimal::new(7996, 3)), "8.00");
    assert_eq!(cents(Decimal::new(-12_505, 3)), "-12.50");
    assert_eq!(cents(Decimal::ZERO), "0.00");
    assert_eq!(cents(Decimal::new(125, 1)), "12.50");
}

/// Tester ab: `--json`'s Claims give the figures the text prints:
/// amounts rounded to the cent as strings with two decimals (the
/// lost row's 31.984 at cost is `31.98`, an unpaid row `0.00`), and
/// the payments without a loss as named fields, not an unlabelled
/// array.
#[test]
fn claims_json_gives_the_printed_figures_with_names() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
    let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
    let (books, _) = load(&args, &dir).unwrap();
    let json = serde_json::to_value(claims_fn(&books, books.last_day(), 30)).unwrap();
    let lines: Vec<(&str, &str)> = json["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["reimbursed_amount"].as_str().unwrap(), l["value_at_cost"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [("25.00", "31.98"), ("0.00", "8.00")]);
    assert_eq!(
        json["paid_without_loss"],
        serde_json::json!({"payments": 1, "units": 1, "amount": "12.50"})
    );
}

/// Tester z's hdronly: a Reimbursements file of its header alone is
/// read, with no rows: the section says so (the line printed), and
/// `--json` gives the same counts (1 file read, 0 rows).
#[test]
fn a_reimbursements_file_without_rows_is_said() {
    let books = claims_books("hdronly", reimbursements_file(&[]));
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!((listed.reimbursement_files_read, listed.reimbursement_rows_read), (1, 0));
    let line = no_rows(&listed).unwrap_or_default();
    assert!(line.starts_with("the Reimbursements report(s) read (1) had no rows"), "{line}");
    assert!(none_booked(&listed).is_none());
    let json = serde_json::to_value(&listed).unwrap();
    assert_eq!(json.get("reimbursement_files_read"), Some(&serde_json::json!(1)));
    assert_eq!(json.get("reimbursement_rows_read"), Some(&serde_json::json!(0)));
    let books = claims_books(
        "onerow",
        reimbursements_file(&[("2026-01-20", "P1", "Lost_Warehouse", 1, "10.00", "")]),
    );
    assert!(no_rows(&claims_fn(&books, books.last_day(), 30)).is_none());
}

/// The bundled folder shows the Claims section: R-SYN-0001 pays 2 of
/// the `M` loss's 4 units (1 found again), so 1 is open, and the `E`
/// damage is unpaid; the customer-return payment matches no loss.
#[test]
fn the_bundled_folder_lists_its_claims() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
    let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
    let (books, rows) = load(&args, &dir).unwrap();
    let files: Vec<(&str, Option<&str>, u64)> =
        rows.iter().map(|r| (r.file.as_str(), r.report, r.rows)).collect();
    assert!(files.contains(&("synthetic_fba_reimbursements.tsv", Some("Reimbursements"), 2)));
    let claims = claims_fn(&books, books.last_day(), 30);
    let open: Vec<(&str, i64, i64, i64, i64, bool)> = claims
        .open
        .iter()
        .map(|l| (l.what, l.units, l.found, l.reimbursed, l.open, l.claimable))
        .collect();
    assert_eq!(open, [("lost", 4, 1, 2, 1, false), ("damaged", 1, 0, 0, 1, false)]);
    assert!(claims.overreimbursed.is_empty());
    assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1250, 2)));
}

/// A detail view listed newest first books as the same file oldest
/// first: rows are booked in date order (each was a backdated event
/// before, a replay that grew with the square of the rows), and a
/// return listed above its shipment still finds it.
#[test]
fn a_detail_view_listed_newest_first_books_as_oldest_first() {
    let header = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                  Disposition,Reason\n";
    let rows = [
        "2026-01-02,X00W,W,Receipts,FBA1,20,ABE2,SELLABLE,",
        "2026-01-03,X00W,W,Shipments,111-1,-3,ABE2,SELLABLE,",
        "2026-01-04,X00W,W,Shipments,111-2,-2,ABE2,SELLABLE,",
        "2026-01-06,X00W,W,CustomerReturns,111-1,1,ABE2,SELLABLE,",
        "2026-01-07,X00W,W,Adjustments,L1,-1,ABE2,SELLABLE,M",
        "2026-01-09,X00W,W,Shipments,111-3,-4,ABE2,SELLABLE,",
    ];
    let myi = "sku\tfnsku\tyour-price\tafn-fulfillable-quantity\nW\tX00W\t25.00\t11\n";
    let load = |name: &str, rows: Vec<&str>| {
        let detail = format!("{header}{}\n", rows.join("\n"));
        load_folder(name, &[], &[("ledger_detail.csv", detail), ("myi.tsv", myi.to_owned())])
            .unwrap()
    };
    let oldest = load("oldest-first", rows.to_vec());
    let newest = load("newest-first", rows.iter().rev().copied().collect());
    let sku = Sku::new("W").unwrap();
    let all = |b: &Books| b.ledger.flows(&sku, at(day("2026-01-01"), 0), at(day("2026-02-01"), 0));
    assert_eq!(all(&newest), all(&oldest));
    assert_eq!(newest.counts.booked_as, oldest.counts.booked_as);
    // 3 + 2 + 4 shipped at 10.00 a unit, 1 returned: cost of goods 80.00.
    assert_eq!(all(&oldest).cogs, Decimal::new(8000, 2));
    assert!(newest.counts.rows_skipped.is_empty(), "{:?}", newest.counts.rows_skipped);
    // The return names its shipment: booked in file order it came
    // before the shipment was known, and named none.
    let shipment_of_return = |b: &Books| {
        b.ledger.events(&sku).into_iter().find_map(|e| match e.kind {
            EventKind::CustomerReturn { shipment, .. } => Some(shipment),
            _ => None,
        })
    };
    assert_eq!(shipment_of_return(&oldest), shipment_of_return(&newest));
    assert!(shipment_of_return(&newest).flatten().is_some());
}

/// Detail files read newest first (by name, `a_` before `b_`) book as
/// one file in date order: the March file's return finds the February
/// file's shipment, and nothing is replayed file after file.
#[test]
fn detail_files_read_newest_first_book_in_date_order() {
    let header = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                  Disposition,Reason\n";
    let march = format!("{header}2026-03-05,X00W,W,CustomerReturns,111-1,1,ABE2,SELLABLE,\n");
    let february = format!(
        "{header}2026-02-01,X00W,W,Receipts,FBA1,20,ABE2,SELLABLE,\n\
         2026-02-10,X00W,W,Shipments,111-1,-3,ABE2,SELLABLE,\n"
    );
    let myi = "sku\tfnsku\tyour-price\tafn-fulfillable-quantity\nW\tX00W\t25.00\t18\n";
    let files = [
        ("a_detail_march.csv", march),
        ("b_detail_february.csv", february),
        ("myi.tsv", myi.to_owned()),
    ];
    let books = load_folder("detail-files-newest-first", &[], &files).unwrap();
    let sku = Sku::new("W").unwrap();
    let events = books.ledger.events(&sku);
    let linked = events.iter().find_map(|e| match &e.kind {
        EventKind::CustomerReturn { shipment, .. } => Some(shipment.clone()),
        _ => None,
    });
    assert!(linked.flatten().is_some(), "{events:?}");
}

/// Fresh user: with `--claim-days 0`, damage under code 7 (expired) and
/// H (customer-damaged) said "file a claim", though the section itself
/// says Amazon may not pay for such codes. They are now marked, and the
/// table says "check code"; E and M are Amazon's own and are not.
#[test]
fn claims_under_codes_amazon_may_not_pay_say_check_code() {
    let mut files = claims_folder();
    files[0].1 = files[0].1.replace(
        "2026-03-10,X00W,W,Shipments",
        "2026-03-09,X00W,W,Adjustments,X7,-1,ABE2,SELLABLE,7\n\
         2026-03-09,X00W,W,Adjustments,XH,-1,ABE2,SELLABLE,H\n\
         2026-03-10,X00W,W,Shipments",
    );
    files.push(("fba_reimbursements.tsv", reimbursements_file(&[])));
    let books = load_folder("codes-not-amazons", &[], &files).unwrap();
    let listed = claims_fn(&books, books.last_day(), 0);
    let marked: Vec<(Option<&str>, bool)> =
        listed.open.iter().map(|l| (l.code.as_deref(), l.amazon_may_not_pay)).collect();
    assert!(marked.contains(&(Some("7"), true)) && marked.contains(&(Some("H"), true)));
    assert!(marked.contains(&(Some("E"), false)) && marked.contains(&(Some("M"), false)));
    let json = serde_json::to_value(&listed).unwrap();
    assert!(json["open"].as_array().unwrap().iter().any(|l| l["amazon_may_not_pay"] == true));
}

/// Fresh user: a Reimbursements row left out (here a quantity past the
/// 10,000,000-unit cap) paid for L1, which then showed more units open
/// than Amazon had left unpaid, and the Claims section did not say so.
/// It now cautions, naming the row.
#[test]
fn claims_caution_about_reimbursements_rows_left_out() {
    let mut file = reimbursements_file(&[
        ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
        ("2026-01-21", "P2", "Lost_Warehouse", 1, "10.00", ""),
    ]);
    file = file.replace("\t1\t1\t\n", "\t9223372036854775807\t9223372036854775807\t\n");
    let books = claims_books("left-out", file);
    let listed = claims_fn(&books, books.last_day(), 30);
    assert_eq!(
        listed.reimbursement_rows_left_out.len(),
        1,
        "{:?}",
        listed.reimbursement_rows_left_out
    );
    let named = &listed.reimbursement_rows_left_out[0];
    assert!(named.starts_with("fba_reimbursements.tsv line 3"), "{named}");
    let caution = rows_left_out(&listed).unwrap();
    assert!(caution.starts_with("CAUTION: 1 Reimbursements row left out"), "{caution}");
    let clean = claims_books("left-out-none", reimbursements_file(&[]));
    assert!(rows_left_out(&claims_fn(&clean, clean.last_day(), 30)).is_none());
}
