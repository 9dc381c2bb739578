//! The delimited-table engine every reader is built on.
//!
//! It reads the header line itself (to strip a byte-order mark and detect
//! the delimiter), maps header cells to the reader's columns by name,
//! then hands the rest to the `csv` crate one record at a time, reusing a
//! single record buffer, so memory stays constant whatever the file size.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use csv::ByteRecord;
use merchantry_core::{CoreError, Quantity, Sku};
use rust_decimal::Decimal;

use crate::error::{Cut, ReadError, ReadStats, SkipReason, excerpt};
use crate::parse::{
    Cell, DateOrder, TimestampProblem, header_key, order_hint, parse_amount, parse_quantity,
    read_cell,
};
use crate::zones::{DstPolicy, ZoneNames, ZoneRules};

/// Options shared by every reader. `ReadOptions::default()` gives the
/// documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ReadOptions {
    /// The largest record (one row, all its cells) accepted, in bytes;
    /// default 1 MiB. A longer record rejects the file with
    /// [`ReadError::RecordTooLarge`]. The check runs on bytes pulled from
    /// the source, so it triggers within 64 KiB past the cap.
    pub max_record_bytes: usize,
    /// How to read an all-numeric date such as `01/02/2026`; default
    /// `None`: the reader decides from the file before it yields its
    /// first row. It looks at the dates of the first records, as many as
    /// fit in [`ReadOptions::look_ahead_bytes`] (1 MiB: some thousands
    /// of typical records), rows that are then refused included: a
    /// date that is only a real day read day
    /// first (`25/01/2026`) makes the file day first, one that is only a
    /// real day read month first (`01/25/2026`) makes it month first, and
    /// both kinds there are the file error [`ReadError::MixedDateOrder`].
    /// When none settles it, dates are read month first (Amazon's US
    /// reports) and [`ReadStats::date_order_assumed`] says so: from the
    /// first row on when the look-ahead saw an ambiguous date, otherwise
    /// from the first ambiguous date read after it. ISO dates
    /// (`2026-01-25`), dates with month names, dates with dots and dates
    /// that start with a four-digit year (`2026/01/25`, as Amazon.co.jp
    /// writes them) are never ambiguous: they are read the same in
    /// either order and never settle it. A later date that is no real day in the order
    /// decided is a row error naming its line, as with an order set here;
    /// when the order was assumed, [`ReadStats::date_order_refuted_at`]
    /// names the first such line.
    /// `Some(order)` reads every date in `order`, with no look-ahead.
    ///
    /// The limit that remains: a file whose look-ahead holds only
    /// ambiguous dates is read month first, however many records it
    /// holds. The records looked at must be kept to be yielded after the
    /// decision, so the look-ahead cannot grow with the file; a caller
    /// who knows the marketplace (Amazon's European downloads are day
    /// first, the US, CA and MX ones month first; Japanese ones write the
    /// year first, `2026/01/25`, which needs no order) should set the
    /// order, or raise
    /// [`ReadOptions::look_ahead_bytes`].
    pub date_order: Option<DateOrder>,
    /// How many bytes of records the date-order look-ahead may hold; see
    /// [`ReadOptions::date_order`]. Default [`LOOK_AHEAD_BYTES`] (1 MiB).
    /// Each record counts its text, one machine word per cell and
    /// [`LOOK_AHEAD_RECORD_COST`] bytes for its buffers, what keeping it
    /// costs; the record that crosses the limit is the last one looked
    /// at. There is no limit on the number of records.
    pub look_ahead_bytes: usize,
    /// How date-time cells become instants: what `CST`, `IST` and `AST`
    /// mean, the zone of a time written without one, and what a time a
    /// daylight-saving change skipped or repeated there becomes. Default
    /// [`ZoneRules::default()`]: `CST` is US Central, no zone is assumed
    /// (a date-time without a zone is a row error,
    /// [`ReadError::InvalidTimestamp`], in the columns whose rows carry
    /// an instant), and skipped or repeated times are refused.
    pub zones: ZoneRules,
    /// Whether an input whose last record has no line break after it is
    /// refused as [`ReadError::Truncated`] ([`Cut::NoLineEnd`]); default
    /// `false`. A cut inside an unquoted last cell leaves a record that
    /// looks whole (see [`Cut`]); set this for Amazon's downloads, which
    /// end with a line break, to refuse those too.
    pub require_line_end: bool,
    /// Whether a display-only cell (a product title or description) with
    /// invalid UTF-8 is read with U+FFFD in place of the bad bytes and
    /// its row flagged (`title_lossy`, `description_lossy`, counted in
    /// [`ReadStats::lossy_rows`]), rather than refused; default `true`.
    /// `false` makes it a row error, [`ReadError::InvalidUtf8`], as every
    /// other cell is: an identifier, code, number or date is never
    /// altered.
    pub lossy_text: bool,
}

/// Formerly the most records the date-order look-ahead held. The
/// look-ahead is now bounded by bytes only
/// ([`ReadOptions::look_ahead_bytes`]); this constant no longer bounds
/// anything.
#[deprecated(note = "the look-ahead is bounded by ReadOptions::look_ahead_bytes only")]
pub const LOOK_AHEAD_RECORDS: usize = 1000;

/// The default of [`ReadOptions::look_ahead_bytes`]: 1 MiB.
pub const LOOK_AHEAD_BYTES: usize = 1 << 20;

/// What the look-ahead counts for each record it keeps, besides its text
/// and cell bounds: the record's own buffers and its queue slot, so a
/// file of tiny records cannot make the look-ahead hold millions.
pub const LOOK_AHEAD_RECORD_COST: usize = 128;

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_record_bytes: 1 << 20,
            date_order: None,
            look_ahead_bytes: LOOK_AHEAD_BYTES,
            zones: ZoneRules::default(),
            require_line_end: false,
            lossy_text: true,
        }
    }
}

impl ReadOptions {
    /// Sets [`ReadOptions::max_record_bytes`].
    #[must_use]
    pub const fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// Sets [`ReadOptions::date_order`] to `Some(order)`: every date is
    /// read in `order`, with no look-ahead.
    #[must_use]
    pub const fn date_order(mut self, order: DateOrder) -> Self {
        self.date_order = Some(order);
        self
    }

    /// Sets [`ReadOptions::look_ahead_bytes`].
    #[must_use]
    pub const fn look_ahead_bytes(mut self, bytes: usize) -> Self {
        self.look_ahead_bytes = bytes;
        self
    }

    /// Sets [`ReadOptions::zones`].
    #[must_use]
    pub const fn zones(mut self, zones: ZoneRules) -> Self {
        self.zones = zones;
        self
    }

    /// Sets what `CST`, `IST` and `AST` mean ([`ZoneRules::names`]).
    ///
    /// ```
    /// use merchantry_amazon::{OrdersReader, ReadOptions, ZoneNames};
    /// let report = "amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\n\
    ///               111-1\t2026-03-01 09:00:00 CST\tShipped\tW\t1\n";
    /// let china = ReadOptions::default().zone_names(ZoneNames::China);
    /// let line = OrdersReader::with_options(report.as_bytes(), china)?.next().unwrap()?;
    /// let at = line.purchased_at.unwrap();
    /// assert_eq!(at.offset().local_minus_utc(), 8 * 3600); // not -6
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub const fn zone_names(mut self, names: ZoneNames) -> Self {
        self.zones.names = names;
        self
    }

    /// Sets the zone a date-time written without one is in
    /// ([`ZoneRules::assume`]).
    ///
    /// ```
    /// use chrono_tz::Asia::Tokyo;
    /// use merchantry_amazon::{OrdersReader, ReadError, ReadOptions};
    /// let report = "amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\n\
    ///               111-1\t2026-03-01 09:00:00\tShipped\tW\t1\n";
    /// // No zone written and none assumed: the row names no instant.
    /// let err = OrdersReader::new(report.as_bytes())?.next().unwrap().unwrap_err();
    /// assert!(matches!(err, ReadError::InvalidTimestamp { line: 2, .. }));
    /// let tokyo = ReadOptions::default().assume_zone(Tokyo);
    /// let line = OrdersReader::with_options(report.as_bytes(), tokyo)?.next().unwrap()?;
    /// assert_eq!(line.purchased_at.unwrap().to_rfc3339(), "2026-03-01T09:00:00+09:00");
    /// # Ok::<(), ReadError>(())
    /// ```
    #[must_use]
    pub const fn assume_zone(mut self, zone: chrono_tz::Tz) -> Self {
        self.zones.assume = Some(zone);
        self
    }

    /// Sets what a zone-less time skipped or repeated by a
    /// daylight-saving change in the assumed zone becomes
    /// ([`ZoneRules::dst`]).
    #[must_use]
    pub const fn dst_policy(mut self, policy: DstPolicy) -> Self {
        self.zones.dst = policy;
        self
    }

    /// Sets [`ReadOptions::require_line_end`].
    #[must_use]
    pub const fn require_line_end(mut self, required: bool) -> Self {
        self.require_line_end = required;
        self
    }

    /// Sets [`ReadOptions::lossy_text`].
    #[must_use]
    pub const fn lossy_text(mut self, lossy: bool) -> Self {
        self.lossy_text = lossy;
        self
    }
}

/// One column a reader knows: its canonical name, the header keys that
/// mean it (see `header_key`), and whether the file is refused without
/// it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    pub(crate) keys: &'static [&'static str],
    pub(crate) required: bool,
    /// Whether the column holds dates, looked at to decide the date order.
    pub(crate) date: bool,
    /// Whether the column holds the rows' SKU, given with their row
    /// errors ([`ReadError::sku`]).
    pub(crate) sku: bool,
}

impl Column {
    /// The same column, marked as holding dates.
    pub(crate) const fn dated(self) -> Self {
        Self { date: true, ..self }
    }

    /// The same column, marked as holding the rows' SKU.
    pub(crate) const fn sku_column(self) -> Self {
        Self { sku: true, ..self }
    }
}

/// A required column.
pub(crate) const fn req(name: &'static str, keys: &'static [&'static str]) -> Column {
    Column { name, keys, required: true, date: false, sku: false }
}

/// An optional column.
pub(crate) const fn opt(name: &'static str, keys: &'static [&'static str]) -> Column {
    Column { name, keys, required: false, date: false, sku: false }
}

const BUFFER: usize = 64 * 1024;

/// Marks the I/O error the size guard raises.
#[derive(Debug)]
struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too large")
    }
}

impl std::error::Error for TooLarge {}

/// Sits between the source and the csv parser: refuses to hand over
/// more than `limit` bytes since the last record, and notes where line
/// breaks are so a record's line can be told from its byte offset (the
/// csv crate's own line count drifts on `\r\n`). A break is a `\n`, or a
/// `\r` (so `\r\n` counts once, and old `\r`-only files work).
struct Guard<R> {
    inner: R,
    since_record: usize,
    limit: usize,
    /// Bytes handed over so far.
    offset: u64,
    /// Offsets of line breaks not yet attributed to a record; bounded by
    /// the read-ahead plus one record.
    breaks: VecDeque<u64>,
    after_cr: bool,
    /// The last bytes handed over (at most [`TAIL`]), to tell at the end
    /// of the input whether the last cell was left inside a quote.
    tail: Vec<u8>,
    /// Whether the source has reported its end.
    eof: bool,
}

/// How many of the last bytes [`Guard`] keeps.
const TAIL: usize = 4096;

impl<R> Guard<R> {
    /// Records the line breaks in `bytes`, which start at `self.offset`.
    /// Eight bytes at a time are tested for `\r` or `\n` at once (a
    /// branch-free zero-byte test), since most chunks hold neither.
    fn note_breaks(&mut self, bytes: &[u8]) {
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        let has = |word: u64, byte: u8| {
            let x = word ^ (ONES * u64::from(byte));
            x.wrapping_sub(ONES) & !x & HIGHS != 0
        };
        let mut at = self.offset;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in chunks.by_ref() {
            let word = chunk.try_into().map_or(0, u64::from_ne_bytes);
            if self.after_cr || has(word, b'\r') || has(word, b'\n') {
                self.note_each(chunk, at);
            }
            at += 8;
        }
        self.note_each(chunks.remainder(), at);
    }

    fn note_each(&mut self, bytes: &[u8], start: u64) {
        for (at, &b) in (start..).zip(bytes) {
            if breaks_line(b, self.after_cr) {
                self.breaks.push_back(at);
            }
            self.after_cr = b == b'\r';
        }
    }

    /// Keeps the last [`TAIL`] bytes of the input seen so far.
    fn keep_tail(&mut self, bytes: &[u8]) {
        let new = bytes.get(bytes.len().saturating_sub(TAIL)..).unwrap_or_default();
        let keep = TAIL - new.len();
        let drop = self.tail.len().saturating_sub(keep);
        self.tail.drain(..drop);
        self.tail.extend_from_slice(new);
    }

    /// Whether the input ended inside a quoted cell, judged from the
    /// raw bytes that end the input and the last cell of the last
    /// record, `last`, as the parser read it. A whole last cell ends the
    /// input in one of two forms, each starting a cell (after a
    /// delimiter, a line break or at the start of the input): verbatim,
    /// when it was not quoted (so `last` does not begin with `"`), or
    /// quoted, as `"`, `last` with each `"` doubled, and a closing `"`.
    /// Anything else lost its closing quote: inside an open quote each
    /// `"` of the cell stands doubled, so a cut right after an escaped
    /// `""` leaves an even run of quotes where a closed cell has an odd
    /// one (`"12""` is cut, `"12"""` is whole), and a lone `"` or `"""`
    /// after a delimiter only opens a cell. A last cell whose quoted
    /// form is longer than the bytes kept cannot be judged and passes.
    /// An input that ends on a line break ended inside a quote only when
    /// the break is the last cell's own: the cell's open form, `"` and
    /// `last` doubled, ends the input.
    fn ended_inside_quote(&self, last: &[u8], delimiter: u8) -> bool {
        let tail = &self.tail;
        let starts_cell = |at: usize| {
            at.checked_sub(1)
                .and_then(|i| tail.get(i))
                .is_none_or(|&b| b == delimiter || is_line_end(b))
        };
        let quotes = last.iter().filter(|&&b| b == b'"').count();
        let whole_input = u64::try_from(tail.len()).is_ok_and(|kept| kept == self.offset);
        if tail.last().is_none_or(|&b| is_line_end(b)) {
            // Ended on a line break: inside a quote only when that break
            // is the last cell's own, the input ending in the cell's open
            // form, `"` and `last` with each `"` doubled, and no closing
            // quote (a quote left open runs to the end of the input).
            let open_len = last.len() + quotes + 1;
            let Some(start) = tail.len().checked_sub(open_len) else { return false };
            if !last.last().is_some_and(|&b| is_line_end(b)) || (start == 0 && !whole_input) {
                return false;
            }
            let mut form = tail.get(start..).unwrap_or_default().iter();
            let opened = form.next() == Some(&b'"');
            let doubled = last
                .iter()
                .all(|&b| form.next() == Some(&b) && (b != b'"' || form.next() == Some(&b'"')));
            return opened && doubled && starts_cell(start);
        }
        let quoted_len = last.len() + quotes + 2;
        if quoted_len >= tail.len() && !whole_input {
            return false;
        }
        let verbatim = last.first() != Some(&b'"')
            && tail.ends_with(last)
            && tail.len().checked_sub(last.len()).is_some_and(starts_cell);
        let quoted = || {
            let Some(start) = tail.len().checked_sub(quoted_len) else { return false };
            let mut form = tail.get(start..).unwrap_or_default().iter();
            let opened = form.next() == Some(&b'"') && form.next_back() == Some(&b'"');
            let doubled = last
                .iter()
                .all(|&b| form.next() == Some(&b) && (b != b'"' || form.next() == Some(&b'"')));
            opened && doubled && form.next().is_none() && starts_cell(start)
        };
        !(verbatim || quoted())
    }

    /// Drops the breaks before `offset`, returning how many there were.
    fn breaks_before(&mut self, offset: u64) -> u64 {
        let mut n = 0;
        while self.breaks.front().is_some_and(|&at| at < offset) {
            self.breaks.pop_front();
            n += 1;
        }
        n
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_record > self.limit {
            return Err(io::Error::other(TooLarge));
        }
        let n = self.inner.read(buf)?;
        let bytes = buf.get(..n).unwrap_or_default();
        self.note_breaks(bytes);
        self.keep_tail(bytes);
        self.eof |= n == 0 && !buf.is_empty();
        self.offset = self.offset.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        self.since_record = self.since_record.saturating_add(n);
        Ok(n)
    }
}

type Source<R> = Guard<Chain<Cursor<Vec<u8>>, R>>;

/// A delimited table whose header has been read and mapped.
pub(crate) struct Table<R: Read> {
    csv: csv::Reader<Source<R>>,
    header: ByteRecord,
    record: ByteRecord,
    /// For each of the reader's columns, its position in the header.
    positions: Vec<Option<usize>>,
    columns: &'static [Column],
    report: &'static str,
    options: ReadOptions,
    line: u64,
    delimiter: u8,
    /// Line breaks before the current record.
    breaks_seen: u64,
    done: bool,
    pub(crate) stats: ReadStats,
    /// The date order in force; `None` until the look-ahead decides it.
    order: Option<DateOrder>,
    /// Whether the order in force was assumed for want of evidence.
    assumed: bool,
    /// Whether the file quotes every cell, as far as its header and first
    /// row show: a quote left open there closes at the next cell's
    /// opening quote and cannot run over rows (see [`Table::open_quote`]).
    quoted: bool,
    /// Header positions of the date columns.
    dates: Vec<usize>,
    /// Header position of the SKU column, when the reader has one and
    /// the header names it.
    sku_at: Option<usize>,
    /// What the look-ahead read, to be replayed in order.
    pending: VecDeque<Pending>,
}

/// How a record read from the source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// At a line break, or with more input after it.
    LineBreak,
    /// At the end of the input, with no line break.
    Unterminated,
    /// At the end of the input, inside a quoted cell.
    InsideQuotes,
}

/// One outcome of reading the source, kept by the look-ahead.
enum Pending {
    /// A record, the line it starts on, and how it ended.
    Record(ByteRecord, u64, Ending),
    /// The end of the input.
    End,
    /// A file error.
    Failed(ReadError),
}

/// What the date cells seen so far say about the order.
#[derive(Default)]
struct Evidence {
    day_first: Option<u64>,
    month_first: Option<u64>,
    /// Whether a date read differently in the two orders was seen.
    ambiguous: bool,
}

/// Whether a file quotes every cell, judged from its header line `head`
/// and the bytes after it that are already read, `next`: the header and
/// the first row (as far as `next` holds it) each open with a quote and
/// hold a quote, the delimiter and a quote in a row, as Amazon's quoted
/// downloads do. A header quoted by a writer that quotes rows only where
/// a cell needs it is not enough: there a quote left open runs over rows.
fn quotes_every_cell(head: &[u8], next: &[u8], delimiter: u8) -> bool {
    let quoted_line = |line: &[u8]| {
        let line = line.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(line);
        line.first() == Some(&b'"') && line.windows(3).any(|w| w == [b'"', delimiter, b'"'])
    };
    // The first row starts after the header's line break (a `\n` after a
    // `\r` ending the header is still in `next`).
    let next =
        if head.last() == Some(&b'\r') { next.strip_prefix(b"\n").unwrap_or(next) } else { next };
    let row = next.split(|&b| is_line_end(b)).next().unwrap_or_default();
    quoted_line(head) && quoted_line(row)
}

/// The line breaks in `text`, counted as the reader counts lines: a
/// `\n`, or a `\r` (so `\r\n` counts once).
fn line_breaks(text: &[u8]) -> u64 {
    let mut after_cr = false;
    let mut breaks = 0_u64;
    for &b in text {
        breaks += u64::from(breaks_line(b, after_cr));
        after_cr = b == b'\r';
    }
    breaks
}

/// Whether `b` ends a line: a `\n` or a `\r`.
fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Whether `b`, after a `\r` when `after_cr`, starts a line break as the
/// reader counts them: a `\r`, or a `\n` not after one (so `\r\n` is
/// one break).
fn breaks_line(b: u8, after_cr: bool) -> bool {
    b == b'\r' || (b == b'\n' && !after_cr)
}

/// Whether `record`, just read, was the last of the input and its last
/// cell was cut inside its quotes.
fn cut_inside_quote<R: Read>(
    csv: &csv::Reader<Guard<R>>,
    record: &ByteRecord,
    delimiter: u8,
) -> bool {
    let guard = csv.get_ref();
    let at_end = guard.eof && csv.position().byte() >= guard.offset;
    let last = record.len().checked_sub(1).and_then(|i| record.get(i));
    at_end && last.is_some_and(|cell| guard.ended_inside_quote(cell, delimiter))
}

impl<R: Read> Table<R> {
    /// Reads the header, detects the delimiter and maps the columns.
    pub(crate) fn open(
        reader: R,
        report: &'static str,
        columns: &'static [Column],
        options: ReadOptions,
    ) -> Result<Self, ReadError> {
        let mut source = BufReader::with_capacity(BUFFER, reader);
        let mut head = read_header_line(&mut source, report, options.max_record_bytes)?;
        let delimiter = detect_delimiter(&head, report)?;
        let quoted = quotes_every_cell(&head, source.buffer(), delimiter);
        // Hand what the header read buffered to the parser with the
        // header, and the bare source after it: one buffer fewer to copy
        // through.
        head.extend_from_slice(source.buffer());
        let guard = Guard {
            inner: Cursor::new(head).chain(source.into_inner()),
            since_record: 0,
            limit: options.max_record_bytes,
            offset: 0,
            breaks: VecDeque::new(),
            after_cr: false,
            tail: Vec::with_capacity(TAIL),
            eof: false,
        };
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(BUFFER)
            .from_reader(guard);
        let mut header = ByteRecord::new();
        match csv.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(ReadError::Empty { report }),
            Err(e) => return Err(csv_error(e, report, 1, options.max_record_bytes)),
        }
        // A download cut inside the header's last quoted name: nothing
        // follows, and the names before it may still map.
        if cut_inside_quote(&csv, &header, delimiter) {
            return Err(ReadError::Truncated { report, line: 1, cut: Cut::InsideQuotes });
        }
        let positions = map_columns(&header, columns, report)?;
        let dates = columns
            .iter()
            .zip(&positions)
            .filter_map(|(column, at)| at.filter(|_| column.date))
            .collect();
        let sku_at =
            columns.iter().zip(&positions).find_map(|(column, at)| at.filter(|_| column.sku));
        Ok(Self {
            csv,
            header,
            record: ByteRecord::new(),
            positions,
            columns,
            report,
            options,
            line: 1,
            delimiter,
            breaks_seen: 0,
            done: false,
            stats: ReadStats::default(),
            order: options.date_order,
            assumed: false,
            quoted,
            dates,
            sku_at,
            pending: VecDeque::new(),
        })
    }

    /// Whether the header named the column called `name` (its canonical
    /// name, as errors give it).
    pub(crate) fn has_column(&self, name: &str) -> bool {
        self.columns.iter().zip(&self.positions).any(|(c, at)| c.name == name && at.is_some())
    }

    /// The SKU in the current record's SKU cell, when the reader has a
    /// SKU column and the cell, trimmed, makes one: what a row error of
    /// a record whose cells line up with the header carries
    /// ([`ReadError::sku`]).
    fn record_sku(&self) -> Option<Sku> {
        let cell = self.record.get(self.sku_at?)?.trim_ascii();
        std::str::from_utf8(cell).ok()?.parse().ok()
    }

    /// Reads the next record from the source into `self.record`.
    fn read(&mut self) -> Pending {
        self.csv.get_mut().since_record = 0;
        match self.csv.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Pending::End,
            Err(e) => {
                let line = self.line.saturating_add(1);
                return Pending::Failed(csv_error(
                    e,
                    self.report,
                    line,
                    self.options.max_record_bytes,
                ));
            }
        }
        let start = self.record.position().map_or(0, csv::Position::byte);
        self.breaks_seen += self.csv.get_mut().breaks_before(start);
        self.line = self.breaks_seen + 1;
        Pending::Record(ByteRecord::new(), self.line, self.ending())
    }

    /// How the record just read ended.
    fn ending(&self) -> Ending {
        let guard = self.csv.get_ref();
        let at_end = guard.eof && self.csv.position().byte() >= guard.offset;
        if !at_end {
            Ending::LineBreak
        } else if cut_inside_quote(&self.csv, &self.record, self.delimiter) {
            Ending::InsideQuotes
        } else if guard.tail.last().is_some_and(|&b| is_line_end(b)) {
            Ending::LineBreak
        } else {
            Ending::Unterminated
        }
    }

    /// Decides the date order from the first records, which are kept to
    /// be replayed; see [`ReadOptions::date_order`].
    fn look_ahead(&mut self) -> Result<DateOrder, ReadError> {
        let mut evidence = Evidence::default();
        let mut bytes = 0_usize;
        while bytes < self.options.look_ahead_bytes {
            let outcome = match self.read() {
                Pending::Record(_, line, ending) => {
                    // What the kept record holds: its text, one bound
                    // per cell (a record of empty cells is not free) and
                    // its buffers (a record of nothing is not free).
                    let held = self.record.as_slice().len()
                        + (self.record.len() + 1) * std::mem::size_of::<usize>()
                        + LOOK_AHEAD_RECORD_COST;
                    bytes = bytes.saturating_add(held);
                    self.weigh(line, &mut evidence);
                    Pending::Record(std::mem::take(&mut self.record), line, ending)
                }
                other => other,
            };
            let last = !matches!(outcome, Pending::Record(_, _, Ending::LineBreak));
            self.pending.push_back(outcome);
            if last {
                break;
            }
        }
        match evidence {
            Evidence {
                day_first: Some(day_first_line),
                month_first: Some(month_first_line),
                ..
            } => Err(ReadError::MixedDateOrder {
                report: self.report,
                day_first_line,
                month_first_line,
            }),
            Evidence { day_first: Some(line), .. } => {
                self.stats.date_order_decided = Some((DateOrder::DayFirst, line));
                Ok(DateOrder::DayFirst)
            }
            Evidence { month_first: Some(line), .. } => {
                self.stats.date_order_decided = Some((DateOrder::MonthFirst, line));
                Ok(DateOrder::MonthFirst)
            }
            Evidence { ambiguous, .. } => {
                self.assumed = true;
                self.stats.date_order_assumed = ambiguous;
                Ok(DateOrder::MonthFirst)
            }
        }
    }

    /// Notes what the date cells of `self.record` say about the order.
    fn weigh(&self, line: u64, evidence: &mut Evidence) {
        for &at in &self.dates {
            let Some(cell) = self.record.get(at) else { continue };
            match order_hint(cell.trim_ascii(), self.options.zones.names) {
                Some(Some(DateOrder::DayFirst)) => {
                    evidence.day_first = evidence.day_first.or(Some(line));
                }
                Some(Some(_)) => evidence.month_first = evidence.month_first.or(Some(line)),
                Some(None) => evidence.ambiguous = true,
                None => {}
            }
        }
    }

    /// Reads the next record that should become a row: `None` at the end
    /// (or after a file error), `Some(Err)` for a file error or a row with
    /// the wrong number of cells. Blank lines and repeated headers are
    /// skipped and counted.
    pub(crate) fn advance(&mut self) -> Option<Result<Row<'_>, ReadError>> {
        loop {
            if self.done {
                return None;
            }
            if self.order.is_none() {
                match self.look_ahead() {
                    Ok(order) => self.order = Some(order),
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            // Whether the look-ahead kept, and so already weighed, it.
            let (outcome, weighed) = match self.pending.pop_front() {
                Some(Pending::Record(record, line, ending)) => {
                    self.record = record;
                    self.line = line;
                    (Pending::Record(ByteRecord::new(), line, ending), true)
                }
                Some(other) => (other, true),
                None => (self.read(), false),
            };
            let ending = match outcome {
                Pending::Record(_, _, ending) => ending,
                Pending::End => {
                    self.done = true;
                    return None;
                }
                Pending::Failed(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            self.stats.records += 1;
            // The look-ahead's records gave no day-first date (or the
            // order would not be assumed) and their ambiguous dates are
            // already in the stats: only records read since are weighed.
            if self.assumed
                && !weighed
                && (!self.stats.date_order_assumed || self.stats.date_order_refuted_at.is_none())
            {
                let mut evidence = Evidence::default();
                self.weigh(self.line, &mut evidence);
                self.stats.date_order_assumed |= evidence.ambiguous;
                // Month first is what is assumed: a date that is only a
                // date day first refutes it.
                self.stats.date_order_refuted_at =
                    self.stats.date_order_refuted_at.or(evidence.day_first);
            }
            if let Some(cut) = self.cut(ending) {
                self.done = true;
                return Some(Err(ReadError::Truncated {
                    report: self.report,
                    line: self.line,
                    cut,
                }));
            }
            if self.record.iter().all(|cell| cell.trim_ascii().is_empty()) {
                self.stats.skip_at(SkipReason::BlankLine, self.line);
                continue;
            }
            if self.record == self.header || is_header_with_bom(&self.record, &self.header) {
                self.stats.skip_at(SkipReason::RepeatedHeader, self.line);
                continue;
            }
            let expected = self.header.len();
            let found = self.record.len();
            let extra_is_empty =
                self.record.iter().skip(expected).all(|cell| cell.trim_ascii().is_empty());
            if found < expected || !extra_is_empty {
                self.stats.row_errors += 1;
                // No SKU: the cell at the SKU column's place is not
                // known to be this row's (see `ReadError::FieldCount`).
                return Some(Err(ReadError::FieldCount {
                    report: self.report,
                    line: self.line,
                    expected,
                    found,
                    quoted_line_break: self
                        .record
                        .iter()
                        .any(|cell| cell.iter().any(|&b| is_line_end(b))),
                }));
            }
            if let Some(err) = self.open_quote() {
                self.stats.row_errors += 1;
                return Some(Err(err));
            }
            return Some(Ok(Row {
                record: &self.record,
                positions: &self.positions,
                columns: self.columns,
                report: self.report,
                line: self.line,
                date_order: self.order.unwrap_or_default(),
                zones: self.options.zones,
                lossy_text: self.options.lossy_text,
                lossy_seen: std::cell::Cell::new(false),
                unread_seen: std::cell::Cell::new(false),
            }));
        }
    }

    /// The current record's first quoted cell that runs over a line
    /// break and holds a row's worth of delimiters, as the row error it
    /// makes (see [`ReadError::OpenQuote`]). Not in a file that quotes
    /// every cell (header and first row, see [`quotes_every_cell`]): there
    /// a quote left open ends at the next cell's and takes in no row, and
    /// a long quoted text running over lines with many commas is just
    /// that.
    fn open_quote(&self) -> Option<ReadError> {
        let text = self.record.as_slice();
        if self.quoted || (!text.contains(&b'\n') && !text.contains(&b'\r')) {
            return None;
        }
        let row = self.header.len().checked_sub(1).filter(|&d| d > 0)?;
        self.record.iter().enumerate().find_map(|(i, cell)| {
            let delimiters = cell.iter().filter(|&&b| b == self.delimiter).count();
            let breaks = line_breaks(cell);
            (breaks > 0 && delimiters >= row).then(|| ReadError::OpenQuote {
                report: self.report,
                line: self.line,
                cell: i + 1,
                lines: breaks.saturating_add(1),
                delimiters,
            })
        })
    }

    /// How the current record, which ended as `ending`, shows the input
    /// was cut, if it does; notes a missing final line break in the
    /// stats. A last record of one blank cell (trailing spaces) is no
    /// cut unless a line end is required.
    fn cut(&mut self, ending: Ending) -> Option<Cut> {
        match ending {
            Ending::LineBreak => None,
            Ending::InsideQuotes => Some(Cut::InsideQuotes),
            Ending::Unterminated => {
                self.stats.unterminated = true;
                let blank = self.record.len() <= 1
                    && self.record.iter().all(|cell| cell.trim_ascii().is_empty());
                if self.options.require_line_end {
                    Some(Cut::NoLineEnd)
                } else if self.record.len() < self.header.len() && !blank {
                    Some(Cut::ShortLastRecord)
                } else {
                    None
                }
            }
        }
    }

    /// Reads records until one becomes a row, is refused with a row
    /// error (carrying the row's SKU, see [`ReadError::sku`]), or a file
    /// error ends the input; skips are counted.
    pub(crate) fn next_with<T>(
        &mut self,
        build: impl Fn(&Row<'_>) -> Result<Built<T>, ReadError>,
    ) -> Option<Result<T, ReadError>> {
        loop {
            let (built, lossy, unread) = match self.advance()? {
                Ok(row) => (build(&row), row.lossy_seen.get(), row.unread_seen.get()),
                Err(e) => return Some(Err(e)),
            };
            match built {
                Ok(Built::Row(row)) => {
                    self.stats.rows += 1;
                    self.stats.lossy_rows += u64::from(lossy);
                    self.stats.unread_amount_rows += u64::from(unread);
                    return Some(Ok(row));
                }
                Ok(Built::Skip(reason)) => self.stats.skip_at(reason, self.line),
                Err(e) => {
                    self.stats.row_errors += 1;
                    return Some(Err(e.with_sku(self.record_sku())));
                }
            }
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A copy of the header whose first cell starts with a byte-order mark,
/// as left by concatenating downloads that each carry one.
fn is_header_with_bom(record: &ByteRecord, header: &ByteRecord) -> bool {
    let Some(first) = record.get(0).and_then(|cell| cell.strip_prefix(BOM)) else {
        return false;
    };
    record.len() == header.len()
        && header.get(0) == Some(first)
        && record.iter().skip(1).eq(header.iter().skip(1))
}

/// What a record became.
pub(crate) enum Built<T> {
    /// A row to yield.
    Row(T),
    /// A record passed over for a documented reason.
    Skip(SkipReason),
}

/// Declares a reader type over a [`Table`]: constructors, stats and the
/// iterator.
macro_rules! reader {
    (
        $(#[$meta:meta])*
        $name:ident, $row:ty, $report:expr, $columns:expr, $build:path
    ) => {
        $(#[$meta])*
        pub struct $name<R: std::io::Read> {
            table: $crate::table::Table<R>,
        }

        impl<R: std::io::Read> $name<R> {
            /// Reads the header and maps its columns, with default
            /// [`ReadOptions`](crate::ReadOptions).
            ///
            /// # Errors
            ///
            /// A file error ([`ReadError::is_fatal`](crate::ReadError::is_fatal)):
            /// empty input, unsupported delimiter, a missing required or
            /// duplicated column, an over-long header, or an I/O failure.
            pub fn new(reader: R) -> Result<Self, $crate::ReadError> {
                Self::with_options(reader, $crate::ReadOptions::default())
            }

            /// As [`Self::new`], with explicit options.
            ///
            /// # Errors
            ///
            /// As [`Self::new`].
            pub fn with_options(
                reader: R,
                options: $crate::ReadOptions,
            ) -> Result<Self, $crate::ReadError> {
                let table = $crate::table::Table::open(reader, $report, $columns, options)?;
                Ok(Self { table })
            }

            /// Counts so far: rows yielded, row errors, skips by reason.
            #[must_use]
            pub fn stats(&self) -> &$crate::ReadStats {
                &self.table.stats
            }

            /// Whether the header has the column called `column`, by
            /// its canonical name (the one errors give, and the reader's
            /// docs use), under any spelling the reader accepts. An
            /// optional column the header lacks reads as blank in every
            /// row: this tells the two apart.
            #[must_use]
            pub fn has_column(&self, column: &str) -> bool {
                self.table.has_column(column)
            }
        }

        impl<R: std::io::Read> Iterator for $name<R> {
            type Item = Result<$row, $crate::ReadError>;

            fn next(&mut self) -> Option<Self::Item> {
                self.table.next_with($build)
            }
        }
    };
}

pub(crate) use reader;

fn read_header_line<R: Read>(
    source: &mut BufReader<R>,
    report: &'static str,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    // The header ends at the first `\n` or `\r`, as every line does (the
    // guard counts lines the same way): a `\r`-only file has one line
    // per `\r`, however large. A `\n` after a `\r` stays in the source
    // and the parser reads it as part of the same break.
    let mut head = Vec::new();
    let mut ended = false;
    while !ended && head.len() < limit {
        let buf = match source.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(ReadError::Io { report, line: 1, source }),
        };
        if buf.is_empty() {
            break;
        }
        let window = buf.get(..limit.saturating_sub(head.len())).unwrap_or(buf);
        let take = match window.iter().position(|&b| is_line_end(b)) {
            Some(at) => {
                ended = true;
                at + 1
            }
            None => window.len(),
        };
        head.extend_from_slice(window.get(..take).unwrap_or_default());
        source.consume(take);
    }
    if !ended && head.len() >= limit {
        return Err(ReadError::RecordTooLarge { report, line: 1, limit });
    }
    if let Some(encoding) = not_utf8(&head) {
        return Err(ReadError::UnsupportedEncoding { report, encoding });
    }
    if let Some(rest) = head.strip_prefix(BOM) {
        head = rest.to_vec();
    }
    if head.trim_ascii().is_empty() {
        return Err(ReadError::Empty { report });
    }
    Ok(head)
}

/// The encoding a header line is in when it is plainly not UTF-8: a
/// UTF-16 or UTF-32 byte-order mark, or NUL bytes (UTF-16 without a
/// mark). Report headers are ASCII text, so a NUL never belongs there.
fn not_utf8(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\xFF\xFE\0\0") || head.starts_with(b"\0\0\xFE\xFF") {
        return Some("UTF-32");
    }
    if head.starts_with(b"\xFF\xFE") {
        return Some("UTF-16LE");
    }
    if head.starts_with(b"\xFE\xFF") {
        return Some("UTF-16BE");
    }
    head.contains(&0).then_some("UTF-16 or another encoding with NUL bytes")
}

/// Tab when the header line has more tabs than commas, comma when it has
/// commas; a header split by `;` or `|` instead is refused, and a header
/// with no delimiter at all is read as one column (so the missing columns
/// are named).
fn detect_delimiter(head: &[u8], report: &'static str) -> Result<u8, ReadError> {
    let mut quoted = false;
    let (mut tabs, mut commas, mut other) = (0_usize, 0_usize, None);
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\t' if !quoted => tabs += 1,
            b',' if !quoted => commas += 1,
            b';' | b'|' if !quoted => other = other.or(Some(b)),
            _ => {}
        }
    }
    if tabs > 0 && tabs >= commas {
        return Ok(b'\t');
    }
    if commas > 0 {
        return Ok(b',');
    }
    match other {
        Some(found) => Err(ReadError::UnsupportedDelimiter { report, found: char::from(found) }),
        None => Ok(b','),
    }
}

fn map_columns(
    header: &ByteRecord,
    columns: &'static [Column],
    report: &'static str,
) -> Result<Vec<Option<usize>>, ReadError> {
    let mut positions: Vec<Option<usize>> = vec![None; columns.len()];
    for (at, cell) in header.iter().enumerate() {
        let key = header_key(cell);
        let Some(index) = columns.iter().position(|c| c.keys.contains(&key.as_str())) else {
            continue;
        };
        let Some(slot) = positions.get_mut(index) else {
            continue;
        };
        if let (Some(first), Some(column)) = (*slot, columns.get(index)) {
            return Err(ReadError::DuplicateColumn {
                report,
                column: column.name,
                first: first + 1,
                second: at + 1,
            });
        }
        *slot = Some(at);
    }
    for (column, position) in columns.iter().zip(&positions) {
        if column.required && position.is_none() {
            return Err(ReadError::MissingColumn { report, column: column.name });
        }
    }
    Ok(positions)
}

fn csv_error(e: csv::Error, report: &'static str, line: u64, limit: usize) -> ReadError {
    let line = e.position().map_or(line, csv::Position::line);
    match e.into_kind() {
        csv::ErrorKind::Io(source) => {
            if source.get_ref().is_some_and(|inner| inner.is::<TooLarge>()) {
                ReadError::RecordTooLarge { report, line, limit }
            } else {
                ReadError::Io { report, line, source }
            }
        }
        other => ReadError::Io {
            report,
            line,
            source: io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
        },
    }
}

/// One record, with typed accessors that name the line and column in
/// their errors.
pub(crate) struct Row<'a> {
    record: &'a ByteRecord,
    positions: &'a [Option<usize>],
    columns: &'static [Column],
    report: &'static str,
    pub(crate) line: u64,
    date_order: DateOrder,
    zones: ZoneRules,
    /// [`ReadOptions::lossy_text`].
    lossy_text: bool,
    /// Whether a display-only cell of this row had its invalid UTF-8
    /// replaced.
    lossy_seen: std::cell::Cell<bool>,
    /// Whether an optional amount cell of this row could not be read and
    /// was left blank (see [`Row::lenient_amount`]).
    unread_seen: std::cell::Cell<bool>,
}

impl Row<'_> {
    fn name(&self, index: usize) -> &'static str {
        self.columns.get(index).map_or("?", |c| c.name)
    }

    /// The trimmed bytes of a cell; `None` when the column is absent or
    /// the cell is blank.
    pub(crate) fn bytes(&self, index: usize) -> Option<&[u8]> {
        let at = self.positions.get(index).copied().flatten()?;
        let cell = self.record.get(at)?.trim_ascii();
        (!cell.is_empty()).then_some(cell)
    }

    /// The trimmed text of a cell, `None` when absent or blank.
    pub(crate) fn text(&self, index: usize) -> Result<Option<&str>, ReadError> {
        let Some(bytes) = self.bytes(index) else {
            return Ok(None);
        };
        std::str::from_utf8(bytes).map(Some).map_err(|_| ReadError::InvalidUtf8 {
            report: self.report,
            line: self.line,
            sku: None,
            column: self.name(index),
        })
    }

    /// The text of a cell that must not be blank.
    pub(crate) fn required(&self, index: usize) -> Result<&str, ReadError> {
        self.text(index)?.ok_or(ReadError::MissingValue {
            report: self.report,
            line: self.line,
            sku: None,
            column: self.name(index),
        })
    }

    /// Display-only text such as a product title, a blank cell being an
    /// empty string, and whether invalid UTF-8 in it was replaced by
    /// U+FFFD. Replacing is allowed by [`ReadOptions::lossy_text`];
    /// otherwise invalid UTF-8 is [`ReadError::InvalidUtf8`] as in
    /// every other cell. Never use this for an identifier or a code.
    pub(crate) fn lossy(&self, index: usize) -> Result<(String, bool), ReadError> {
        let Some(bytes) = self.bytes(index) else {
            return Ok((String::new(), false));
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok((text.to_owned(), false)),
            Err(_) if self.lossy_text => {
                self.lossy_seen.set(true);
                Ok((String::from_utf8_lossy(bytes).into_owned(), true))
            }
            Err(_) => Err(ReadError::InvalidUtf8 {
                report: self.report,
                line: self.line,
                sku: None,
                column: self.name(index),
            }),
        }
    }

    /// Optional free text, owned.
    pub(crate) fn owned(&self, index: usize) -> Result<Option<String>, ReadError> {
        Ok(self.text(index)?.map(str::to_owned))
    }

    /// A required value built by a core constructor (ids, currencies).
    pub(crate) fn value<T: FromStr<Err = CoreError>>(&self, index: usize) -> Result<T, ReadError> {
        let text = self.required(index)?;
        T::from_str(text).map_err(|source| self.invalid(index, source))
    }

    /// An optional value built by a core constructor.
    pub(crate) fn opt_value<T: FromStr<Err = CoreError>>(
        &self,
        index: usize,
    ) -> Result<Option<T>, ReadError> {
        self.text(index)?
            .map(|text| T::from_str(text).map_err(|source| self.invalid(index, source)))
            .transpose()
    }

    /// [`ReadError::InvalidValue`] for the cell of column `index`.
    pub(crate) fn invalid(&self, index: usize, source: CoreError) -> ReadError {
        ReadError::InvalidValue {
            report: self.report,
            line: self.line,
            sku: None,
            column: self.name(index),
            source,
        }
    }

    /// An optional whole number; `i64::MIN` is refused, since a
    /// quantity must have a negation (a return undoes a shipment).
    pub(crate) fn opt_quantity(&self, index: usize) -> Result<Option<Quantity>, ReadError> {
        let Some(bytes) = self.bytes(index) else {
            return Ok(None);
        };
        let value = parse_quantity(bytes).filter(|&q| q != i64::MIN);
        value.map(|q| Some(Quantity::new(q))).ok_or_else(|| ReadError::InvalidQuantity {
            report: self.report,
            line: self.line,
            sku: None,
            column: self.name(index),
            value: excerpt(bytes),
        })
    }

    /// An optional whole number of zero or more, for a column that
    /// counts units held: a negative one is refused as
    /// [`ReadError::NegativeValue`] naming the column (`-0` is zero).
    pub(crate) fn opt_units(&self, index: usize) -> Result<Option<Quantity>, ReadError> {
        match self.opt_quantity(index)? {
            Some(q) if q.is_negative() => Err(ReadError::NegativeValue {
                report: self.report,
                line: self.line,
                sku: None,
                column: self.name(index),
                value: Decimal::from(q.get()),
            }),
            units => Ok(units),
        }
    }

    /// A whole number that must be present.
    pub(crate) fn quantity(&self, index: usize) -> Result<Quantity, ReadError> {
        self.opt_quantity(index)?.ok_or(ReadError::MissingValue {
            report: self.report,
            line: self.line,
            sku: None,
            column: self.name(index),
        })
    }

    /// An optional decimal amount.
    pub(crate) fn opt_amount(&self, index: usize) -> Result<Option<Decimal>, ReadError> {
        let Some(text) = self.text(index)? else {
            return Ok(None);
        };
        parse_amount(text).map(Some).ok_or_else(|| ReadError::InvalidAmount {
            report: self.report,
            line: self.line,
            sku: None,
            column: self.name(index),
            value: excerpt(text.as_bytes()),
        })
    }

    /// An optional amount that only values the row and never counts
    /// anything in it (a listing or item price, a line value): a cell that is no
    /// amount under [`parse_amount`] (`19,99`, `EUR 19.99`, `1e3`) or is
    /// not valid UTF-8 reads as `None`, and the second value holds the cell as
    /// written (cut to [`crate::MAX_QUOTED`] bytes, invalid UTF-8 shown
    /// as U+FFFD) so the row can say so; the row is counted in
    /// [`ReadStats::unread_amount_rows`]. A blank cell is `(None, None)`.
    pub(crate) fn lenient_amount(&self, index: usize) -> (Option<Decimal>, Option<String>) {
        let Some(bytes) = self.bytes(index) else {
            return (None, None);
        };
        match std::str::from_utf8(bytes).ok().and_then(parse_amount) {
            Some(amount) => (Some(amount), None),
            None => {
                self.unread_seen.set(true);
                (None, Some(excerpt(bytes)))
            }
        }
    }

    /// An optional amount where text other than a number (`Invoiced
    /// Separately`, `See ASN-93`) counts as absent: used for columns whose
    /// documented content mixes numbers and notes.
    pub(crate) fn amount_or_note(&self, index: usize) -> Option<Decimal> {
        self.bytes(index).and_then(|b| std::str::from_utf8(b).ok()).and_then(parse_amount)
    }

    /// An optional date; `Ok(None)` for a blank cell or a placeholder
    /// without digits.
    pub(crate) fn date(&self, index: usize) -> Result<Option<NaiveDate>, ReadError> {
        Ok(self.date_cell(index)?.map(|(_, cell)| cell.date))
    }

    /// The date cell at `index` taken apart in the file's order, with its
    /// text; `Ok(None)` for a blank cell or a placeholder without digits.
    fn date_cell(&self, index: usize) -> Result<Option<(&str, Cell)>, ReadError> {
        let Some(text) = self.text(index)? else {
            return Ok(None);
        };
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        read_cell(text.as_bytes(), self.date_order, self.zones.names)
            .map(|cell| Some((text, cell)))
            .map_err(|problem| ReadError::InvalidDate {
                report: self.report,
                line: self.line,
                sku: None,
                column: self.name(index),
                value: excerpt(text.as_bytes()),
                problem,
            })
    }

    /// An optional date, as [`Row::date`], and the instant the cell
    /// names when it carries a time (see [`crate::parse_timestamp_in`],
    /// under [`ReadOptions::zones`]); one parse gives both, so they
    /// agree. A date without a time is no error: its instant is `None`.
    /// A time that names no instant (no zone written or assumed, or one
    /// a daylight-saving change skipped or repeated, refused by the
    /// policy) is [`ReadError::InvalidTimestamp`].
    pub(crate) fn date_time(
        &self,
        index: usize,
    ) -> Result<(Option<NaiveDate>, Option<DateTime<FixedOffset>>), ReadError> {
        let Some((text, cell)) = self.date_cell(index)? else {
            return Ok((None, None));
        };
        match cell.instant(&self.zones) {
            Ok(at) => Ok((Some(cell.date), Some(at))),
            Err(TimestampProblem::NoTime) => Ok((Some(cell.date), None)),
            Err(problem) => Err(ReadError::InvalidTimestamp {
                report: self.report,
                line: self.line,
                sku: None,
                column: self.name(index),
                value: excerpt(text.as_bytes()),
                problem,
            }),
        }
    }

    /// The canonical name of a column, for skip reasons.
    pub(crate) fn column_name(&self, index: usize) -> &'static str {
        self.name(index)
    }
}

/// The refusal [`Row::lenient_amount`] set aside for a row: when `unread`
/// holds a cell, [`ReadError::InvalidAmount`] naming `report`, `line`,
/// `column` and the cell. `None` when the amount was read or left blank.
pub(crate) fn unread_amount_error(
    report: &'static str,
    line: u64,
    column: &'static str,
    unread: Option<&String>,
) -> Option<ReadError> {
    unread.map(|value| ReadError::InvalidAmount {
        report,
        line,
        sku: None,
        column,
        value: value.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[req("Date", &["date"]), opt("Quantity", &["quantity", "qty"])];

    #[test]
    fn detects_tab_comma_and_refuses_semicolon() {
        assert_eq!(detect_delimiter(b"a\tb\tc,d\n", "r").ok(), Some(b'\t'));
        assert_eq!(detect_delimiter(b"\"a\tb\",c\n", "r").ok(), Some(b','));
        assert!(matches!(
            detect_delimiter(b"a;b;c\n", "r"),
            Err(ReadError::UnsupportedDelimiter { found: ';', .. })
        ));
        assert_eq!(detect_delimiter(b"date\n", "r").ok(), Some(b','));
    }

    #[test]
    fn maps_columns_by_name_and_names_missing_or_duplicate_ones() {
        let t = Table::open("Qty,x,DATE\r\n".as_bytes(), "r", COLS, ReadOptions::default());
        let t = t.unwrap();
        assert_eq!(t.positions, vec![Some(2), Some(0)]);
        let missing = Table::open("Qty,x\n".as_bytes(), "r", COLS, ReadOptions::default());
        assert!(matches!(missing.err(), Some(ReadError::MissingColumn { column: "Date", .. })));
        let dup = Table::open("date,Date\n".as_bytes(), "r", COLS, ReadOptions::default());
        assert!(matches!(
            dup.err(),
            Some(ReadError::DuplicateColumn { column: "Date", first: 1, second: 2, .. })
        ));
    }

    #[test]
    fn caps_record_size() {
        let mut text = b"date,quantity\n\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', 300_000));
        let options = ReadOptions::default().max_record_bytes(100_000);
        let mut t = Table::open(&text[..], "r", COLS, options).unwrap();
        let err = t.advance().unwrap().err().unwrap();
        assert!(matches!(err, ReadError::RecordTooLarge { line: 2, .. }), "{err:?}");
        assert!(t.advance().is_none());
    }

    #[test]
    fn header_without_newline_past_cap_is_refused() {
        let text = vec![b'a'; 5000];
        let options = ReadOptions::default().max_record_bytes(1000);
        let err = Table::open(&text[..], "r", COLS, options).err().unwrap();
        assert!(matches!(err, ReadError::RecordTooLarge { line: 1, .. }));
    }
}
