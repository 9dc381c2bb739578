//! Loading the inputs: the retailer's invoice lines and the SCMS
//! purchase orders, gzipped or plain, with a progress bar.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use chrono::NaiveDate;
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressStyle};
use merchantry::amazon::{RetailLineKind, ScmsReader, UciRetailReader};
use merchantry::core::{Decimal, Replenishment, Sku};

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Row errors shown before the rest are only counted.
const ERRORS_SHOWN: u64 = 5;

// The most units one retail line may move, the Amazon reports' limit:
// past it a line is a corrupt number, not a sale, and is skipped as an
// unreadable row.
use crate::amazon::MAX_ROW_UNITS as MAX_LINE_UNITS;
use crate::window::{WindowRule, window};

/// The retail lines' dates are cut into blocks wherever more than a year
/// passes without a line, and the block with the most lines is kept: a
/// line dated years from the rest (a typo, 9999-12-31) is left out,
/// instead of stretching the plan over every day between.
const RETAIL_DATES: WindowRule = WindowRule { max_gap_days: 366, trim_sparse_ends: false };

/// Opens a file, un-gzipping `.gz` (every member of it: a `.gz` made by
/// concatenating gzip files holds several), behind a byte-count progress
/// bar that draws only on a terminal.
fn open(path: &Path, label: &str) -> Result<(Box<dyn Read>, ProgressBar), BoxError> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let bar = ProgressBar::new(file.metadata()?.len()).with_message(label.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {bytes}/{total_bytes}")?
            .progress_chars("=> "),
    );
    let counted = bar.wrap_read(BufReader::new(file));
    let gz = path.extension().is_some_and(|e| e == "gz");
    let reader: Box<dyn Read> =
        if gz { Box::new(MultiGzDecoder::new(counted)) } else { Box::new(counted) };
    Ok((reader, bar))
}

/// One stock code's daily sales.
pub(crate) struct SkuSales {
    pub(crate) sku: Sku,
    pub(crate) description: String,
    /// Units sold per day (cancellations not netted).
    pub(crate) sold: BTreeMap<NaiveDate, i64>,
    pub(crate) units: i64,
    /// The median price of its sale lines.
    pub(crate) median_price: Decimal,
}

/// The retailer's sales, per stock code, busiest first.
pub(crate) struct Retail {
    pub(crate) first_day: NaiveDate,
    pub(crate) last_day: NaiveDate,
    pub(crate) skus: Vec<SkuSales>,
    pub(crate) lines: u64,
    pub(crate) row_errors: u64,
    /// Lines read but left out, said why (a file given twice, lines dated
    /// far from the rest), as printed to stderr while loading: the
    /// assumptions repeat them, so `--json` keeps them too.
    pub(crate) left_out: Vec<String>,
}

pub(crate) fn load_retail(path: &Path) -> Result<Retail, BoxError> {
    let (mut reader, bar) = open(path, "retail")?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (bytes, repeats) = without_repeats(bytes);
    let mut notes = Vec::new();
    for r in &repeats {
        notes.push(format!(
            "leaving out lines {} to {} of {}: they repeat lines {} to {} in full, header and \
             rows (a file given twice); the layout has no row identity, so each sale would \
             count twice",
            r.lines.0,
            r.lines.1,
            path.display(),
            r.of.0,
            r.of.1
        ));
    }
    let mut rows =
        UciRetailReader::new(Cursor::new(bytes)).map_err(|e| format!("{}: {e}", path.display()))?;
    // Per stock code: a description, units sold per day, sale prices
    // with their days.
    type Acc = (String, BTreeMap<NaiveDate, i64>, Vec<(NaiveDate, Decimal)>);
    let mut by_sku: BTreeMap<Sku, Acc> = BTreeMap::new();
    let mut lines_per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut row_errors = 0;
    for row in rows.by_ref() {
        let line = match row {
            Ok(line) => line,
            Err(e) if e.is_fatal() => {
                return Err(format!("{}: {e}", path.display()).into());
            }
            Err(e) => {
                row_errors += 1;
                if row_errors <= ERRORS_SHOWN {
                    eprintln!("skipping a retail row: {}: {e}", path.display());
                }
                continue;
            }
        };
        if line.quantity.get().unsigned_abs() > MAX_LINE_UNITS.unsigned_abs() {
            row_errors += 1;
            if row_errors <= ERRORS_SHOWN {
                eprintln!(
                    "skipping a retail row: {} line {}: quantity {} is beyond 10,000,000 units",
                    path.display(),
                    line.line,
                    line.quantity
                );
            }
            continue;
        }
        *lines_per_day.entry(line.date).or_insert(0) += 1;
        if line.kind != RetailLineKind::Sale
            || !line.quantity.is_positive()
            || line.unit_price.is_zero()
        {
            continue;
        }
        let entry = by_sku.entry(line.stock_code.clone()).or_default();
        if entry.0.is_empty() {
            entry.0.clone_from(&line.description);
        }
        let day = entry.1.entry(line.date).or_insert(0);
        *day = day.checked_add(line.quantity.get()).ok_or_else(|| {
            format!(
                "{} line {}: units of {} sold on {} pass 64 bits",
                path.display(),
                line.line,
                line.stock_code,
                line.date
            )
        })?;
        entry.2.push((line.date, line.unit_price));
    }
    bar.finish_and_clear();
    let lines = rows.stats().rows;
    let Some((first_day, last_day)) = window(&lines_per_day, RETAIL_DATES) else {
        return Err(format!("{} holds no sales line", path.display()).into());
    };
    let kept = first_day..=last_day;
    let left_out: u64 =
        lines_per_day.iter().filter(|(day, _)| !kept.contains(day)).map(|(_, n)| n).sum();
    if left_out > 0 {
        notes.push(format!(
            "leaving out {left_out} retail line(s) of {} dated outside {first_day} to \
             {last_day}: more than {} days from the bulk of the lines",
            path.display(),
            RETAIL_DATES.max_gap_days
        ));
    }
    for note in &notes {
        eprintln!("{note}");
    }
    let mut skus: Vec<SkuSales> = by_sku
        .into_iter()
        .filter_map(|(sku, (description, mut sold, prices))| {
            sold.retain(|day, _| kept.contains(day));
            let prices: Vec<Decimal> =
                prices.into_iter().filter(|(day, _)| kept.contains(day)).map(|(_, p)| p).collect();
            (!sold.is_empty()).then_some((sku, (description, sold, prices)))
        })
        .map(|(sku, (description, sold, mut prices))| {
            prices.sort();
            let median_price = prices.get(prices.len() / 2).copied().unwrap_or_default();
            let units =
                sold.values().try_fold(0_i64, |sum, &n| sum.checked_add(n)).ok_or_else(|| {
                    format!("{}: units of {sku} sold in all pass 64 bits", path.display())
                })?;
            Ok(SkuSales { sku, description, sold, units, median_price })
        })
        .collect::<Result<_, String>>()?;
    skus.sort_by(|a, b| b.units.cmp(&a.units).then_with(|| a.sku.cmp(&b.sku)));
    Ok(Retail { first_day, last_day, skus, lines, row_errors, left_out: notes })
}

/// A part of a retail file that repeats an earlier part in full: the
/// lines each spans, first and last.
#[derive(Debug, PartialEq, Eq)]
struct Repeat {
    lines: (u64, u64),
    of: (u64, u64),
}

/// `bytes` with each part that repeats an earlier part in full turned
/// into blank lines, and those parts. A part runs from the header line
/// (the first line) or a later copy of it to the next copy: a file
/// given twice, by `cat a.csv a.csv` or two gzip members of one file,
/// is two parts alike. The invoice layout has no row identity, so the
/// second would count every sale again. Blank lines keep the lines
/// after them numbered as in the file, and the reader skips them; a
/// part holding nothing but its header repeats nothing.
fn without_repeats(bytes: Vec<u8>) -> (Vec<u8>, Vec<Repeat>) {
    let line_end = |from: usize| {
        bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(bytes.len(), |at| from + at + 1)
    };
    let header_end = line_end(0);
    let header = line_text(bytes.get(..header_end).unwrap_or_default());
    if header.is_empty() {
        return (bytes, Vec::new());
    }
    let mut starts = vec![0];
    let mut at = header_end;
    while at < bytes.len() {
        let end = line_end(at);
        if line_text(bytes.get(at..end).unwrap_or_default()) == header {
            starts.push(at);
        }
        at = end;
    }
    if starts.len() == 1 {
        return (bytes, Vec::new());
    }
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([bytes.len()]).collect();
    let parts: Vec<(usize, usize)> = starts.into_iter().zip(ends).collect();
    // The lines a part spans: from its header line to its last line
    // with text.
    let lines = |(start, end): (usize, usize)| {
        let first = 1 + breaks(bytes.get(..start).unwrap_or_default());
        let text = bytes.get(start..end).unwrap_or_default();
        (first, first + breaks(text.trim_ascii_end()))
    };
    let mut seen: HashMap<&[u8], (usize, usize)> = HashMap::new();
    let mut repeated = Vec::new();
    for &(start, end) in &parts {
        let body = bytes.get(line_end(start).min(end)..end).unwrap_or_default().trim_ascii_end();
        if body.is_empty() {
            continue;
        }
        match seen.get(body) {
            Some(&earlier) => repeated.push(((start, end), earlier)),
            None => {
                seen.insert(body, (start, end));
            }
        }
    }
    if repeated.is_empty() {
        return (bytes, Vec::new());
    }
    let repeats =
        repeated.iter().map(|&(part, of)| Repeat { lines: lines(part), of: lines(of) }).collect();
    let mut kept = Vec::with_capacity(bytes.len());
    let mut from = 0;
    for ((start, end), _) in repeated {
        kept.extend_from_slice(bytes.get(from..start).unwrap_or_default());
        let part = bytes.get(start..end).unwrap_or_default();
        kept.extend(part.iter().filter(|&&b| b == b'\n' || b == b'\r'));
        from = end;
    }
    kept.extend_from_slice(bytes.get(from..).unwrap_or_default());
    (kept, repeats)
}

/// A line's text without its line break and any byte-order mark, to
/// compare with the header line.
fn line_text(line: &[u8]) -> &[u8] {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    line.strip_suffix(b"\n").map_or(line, |l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// The line breaks in `bytes` as the reader counts them: `\n`, `\r`
/// and `\r\n` one each.
fn breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    let mut after_cr = false;
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !after_cr) {
            n += 1;
        }
        after_cr = b == b'\r';
    }
    n
}

/// The SCMS purchase orders that could become replenishments, and how
/// many lines were skipped for why.
pub(crate) struct Scms {
    pub(crate) replenishments: Vec<Replenishment>,
    pub(crate) skipped: BTreeMap<String, u64>,
}

pub(crate) fn load_scms(path: &Path) -> Result<Scms, BoxError> {
    let (reader, bar) = open(path, "shipments")?;
    let mut rows = ScmsReader::new(reader).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut replenishments = Vec::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let (mut errors, mut flagged) = (0, 0);
    for row in rows.by_ref() {
        match row {
            Ok(shipment) => {
                // Kept for its dates; its value is not used here.
                if let Some(e) = shipment.line_value_error() {
                    flagged += 1;
                    if flagged <= ERRORS_SHOWN {
                        eprintln!(
                            "keeping a shipment row, its line value left blank: {}: {e}",
                            path.display()
                        );
                    }
                }
                match shipment.to_replenishment() {
                    Ok(r) => replenishments.push(r),
                    Err(reason) => *skipped.entry(reason.to_string()).or_insert(0) += 1,
                }
            }
            Err(e) if e.is_fatal() => {
                return Err(format!("{}: {e}", path.display()).into());
            }
            Err(e) => {
                errors += 1;
                if errors <= ERRORS_SHOWN {
                    eprintln!("skipping a shipment row: {}: {e}", path.display());
                }
            }
        }
    }
    bar.finish_and_clear();
    for (reason, n) in &rows.stats().skipped {
        *skipped.entry(reason.to_string()).or_insert(0) += n;
    }
    if errors > 0 {
        skipped.insert("unreadable row".to_owned(), errors);
    }
    if flagged > ERRORS_SHOWN {
        eprintln!(
            "kept {flagged} shipment rows in all with their line value left blank: {}",
            path.display()
        );
    }
    Ok(Scms { replenishments, skipped })
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    const RETAIL_HEADER: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    /// A file of `bytes` named `name` in a directory of its own.
    fn file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "merchantry-data-{}-{}",
            name.replace('.', "-"),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    fn sale(invoice: u32, code: &str, quantity: &str, day: u32) -> String {
        format!(
            "{invoice},{code},THING {code},{quantity},2010-12-{day:02} 08:26:00,2.55,17850,United Kingdom\n"
        )
    }

    /// Fresh user: a file given twice (`cat a.csv a.csv`, or a gzip
    /// whose two members are one file) was read twice, every sale
    /// counted double, since the invoice layout has no row identity.
    /// The second copy is now left out (lines 5 to 8 repeat 1 to 4),
    /// and a later part that differs is still read.
    #[test]
    fn a_file_repeated_in_full_is_read_once() {
        let once = format!(
            "{RETAIL_HEADER}{}{}{}",
            sale(1, "22197", "6", 1),
            sale(2, "84406B", "2", 1),
            sale(3, "22197", "4", 2)
        );
        let mut gz = gzip(&once);
        gz.extend(gzip(&once));
        for (name, bytes) in
            [("twice.csv", format!("{once}{once}").into_bytes()), ("twice.csv.gz", gz)]
        {
            let path = file(name, &bytes);
            let retail = load_retail(&path).unwrap();
            std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
            assert_eq!(retail.lines, 3, "{name}");
            // The warning reaches the assumptions, and so `--json`.
            assert_eq!(retail.left_out.len(), 1, "{name}");
            assert!(retail.left_out[0].starts_with("leaving out lines 5 to 8 of "), "{name}");
            assert_eq!(
                (retail.skus[0].sku.as_str(), retail.skus[0].units),
                ("22197", 10),
                "{name}"
            );
        }
        let (kept, repeats) = without_repeats(format!("{once}{once}").into_bytes());
        assert_eq!(repeats, [Repeat { lines: (5, 8), of: (1, 4) }]);
        assert_eq!(&kept[..once.len()], once.as_bytes());
        assert_eq!(&kept[once.len()..], b"\n\n\n\n");

        // A third part with other rows is read; a header alone is no
        // repeat.
        let other = format!("{RETAIL_HEADER}{}", sale(4, "71053", "1", 3));
        let text = format!("{once}{RETAIL_HEADER}{other}{once}");
        let (_, repeats) = without_repeats(text.into_bytes());
        assert_eq!(repeats, [Repeat { lines: (8, 11), of: (1, 4) }]);
    }

    /// Two gzip members one after the other (`cat a.gz b.gz`) are one
    /// file: every row of both is read, not the first member's alone.
    #[test]
    fn every_member_of_a_multi_member_gzip_is_read() {
        let first =
            format!("{RETAIL_HEADER}{}{}", sale(1, "22197", "6", 1), sale(2, "84406B", "2", 1));
        let second = format!("{}{}", sale(3, "22197", "4", 2), sale(4, "71053", "1", 3));
        let mut bytes = gzip(&first);
        bytes.extend(gzip(&second));
        let path = file("two_members.csv.gz", &bytes);
        let retail = load_retail(&path).unwrap();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        assert_eq!(retail.lines, 4);
        assert_eq!(retail.skus.len(), 3);
        assert_eq!((retail.skus[0].sku.as_str(), retail.skus[0].units), ("22197", 10));
        assert_eq!(retail.last_day, NaiveDate::from_ymd_opt(2010, 12, 3).unwrap());
    }

    /// A line dated years from the rest (9999-12-31) stretched the plan
    /// over every day between, and the run did not end: it is left out,
    /// with its stock code's units and prices, and the rest kept.
    #[test]
    fn a_line_dated_years_from_the_rest_is_left_out() {
        let far = sale(9, "71053", "7", 1).replace("2010-12-01", "9999-12-31");
        let text = format!(
            "{RETAIL_HEADER}{}{}{}{far}",
            sale(1, "22197", "6", 1),
            sale(2, "22197", "4", 3),
            sale(3, "84406B", "2", 2),
        );
        let path = file("far.csv", text.as_bytes());
        let retail = load_retail(&path).unwrap();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2010, 12, d).unwrap();
        assert_eq!((retail.first_day, retail.last_day), (day(1), day(3)));
        let codes: Vec<&str> = retail.skus.iter().map(|s| s.sku.as_str()).collect();
        assert_eq!(codes, ["22197", "84406B"], "71053 sold only on the far day");
        assert_eq!(retail.lines, 4);
        assert_eq!(retail.left_out.len(), 1);
        assert!(retail.left_out[0].starts_with("leaving out 1 retail line(s) of "));
    }

    /// Two lines of 2^62 units each would wrap an i64 sum negative and
    /// sink the stock code to the bottom (or panic with overflow checks):
    /// a line past 10,000,000 units is skipped as unreadable instead,
    /// and the stock codes around it are read as before.
    #[test]
    fn a_quantity_past_ten_million_units_is_skipped_not_summed() {
        let huge = "4611686018427387904";
        let text = format!(
            "{RETAIL_HEADER}{}{}{}{}{}",
            sale(1, "22197", "12", 1),
            sale(2, "22197", huge, 1),
            sale(3, "22197", huge, 2),
            sale(4, "71053", "5", 2),
            sale(5, "22197", "10000000", 3),
        );
        let path = file("huge.csv", text.as_bytes());
        let retail = load_retail(&path).unwrap();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        assert_eq!(retail.row_errors, 2);
        let top = &retail.skus[0];
        assert_eq!((top.sku.as_str(), top.units), ("22197", 10_000_012));
        assert_eq!(top.sold.len(), 2, "the skipped lines book no day");
        assert_eq!(retail.skus[1].units, 5);
    }

    /// A shipment whose `Line Item Value` the reader cannot read
    /// (`1,234.50`) still gives its lead time; a bad date still skips
    /// its row as unreadable.
    #[test]
    fn a_shipment_with_an_unreadable_value_keeps_its_lead_time() {
        let head = "ID,PO / SO #,Country,Shipment Mode,PO Sent to Vendor Date,\
                    Scheduled Delivery Date,Delivered to Client Date,Vendor,Line Item Value\n";
        let text = format!(
            "{head}7,SCMS-1,Vietnam,Air,11/13/06,2-Jan-07,5-Jan-07,ACME,\"1,234.50\"\n\
             8,SCMS-2,Vietnam,Air,11/13/06,2-Jan-07,31-Feb-07,ACME,551\n\
             9,SO-3,Vietnam,Air,N/A - From RDC,2-Jan-07,5-Jan-07,ACME,551\n"
        );
        let path = file("value.csv", text.as_bytes());
        let scms = load_scms(&path).unwrap();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        let days: Vec<_> = scms.replenishments.iter().map(Replenishment::actual_days).collect();
        assert_eq!(days, [53]);
        assert_eq!(scms.skipped.get("unreadable row"), Some(&1));
        assert_eq!(scms.skipped.values().sum::<u64>(), 2);
    }

    /// A file the readers refuse outright is named in the message: an
    /// empty retail file, and a retail file given as the shipments.
    #[test]
    fn a_refused_file_is_named() {
        let empty = file("empty.csv", b"");
        let Err(e) = load_retail(&empty) else { panic!("an empty file is refused") };
        let message = e.to_string();
        assert!(message.contains(&empty.display().to_string()), "{message}");
        assert!(message.contains("input is empty"), "{message}");
        std::fs::remove_dir_all(empty.parent().unwrap()).unwrap();

        let retail =
            file("retail.csv", format!("{RETAIL_HEADER}{}", sale(1, "22197", "1", 1)).as_bytes());
        let Err(e) = load_scms(&retail) else { panic!("a retail file is not shipments") };
        let message = e.to_string();
        assert!(message.contains(&retail.display().to_string()), "{message}");
        assert!(message.contains("\"ID\""), "{message}");
        std::fs::remove_dir_all(retail.parent().unwrap()).unwrap();
    }
}
