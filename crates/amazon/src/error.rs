//! The error type of `merchantry-amazon`, and the skip counts every
//! reader keeps.

use std::borrow::Cow;
use std::collections::BTreeMap;

use merchantry_core::{CoreError, Sku};

/// What went wrong while reading a report.
///
/// Every variant says where: the physical line (1-based, the header is
/// line 1) and, for a cell, the column by its canonical name. Values are
/// quoted in the message, cut to [`MAX_QUOTED`] bytes so a 10 MB field
/// cannot flood a log.
///
/// Errors come in two kinds, told apart by [`ReadError::is_fatal`]:
///
/// - **File errors** reject the whole input: an empty input, a header
///   without a required column, a header whose delimiter is neither tab nor
///   comma, two header cells that mean the same column, a record longer than
///   the cap, an input that is not UTF-8 or is cut short
///   ([`ReadError::Truncated`]), a mix of date orders, an I/O failure. The reader yields the error once and then
///   ends.
/// - **Row errors** reject one row: a short or long row (shifted columns,
///   wrapped lines), bad UTF-8 in a used cell (display-only text aside,
///   see [`crate::ReadOptions::lossy_text`]), an unparseable number or
///   date, a date-time that names no instant, an empty required id, a
///   total that disagrees with its parts, parts of a row that disagree
///   in sign, a negative amount where only
///   zero or more makes sense. The reader yields the error and goes on
///   with the next row; [`ReadStats::row_errors`] counts them. A row
///   error also carries the row's SKU when its SKU cell can be read
///   and its cells line up with the header ([`ReadError::sku`]), so a
///   caller can name the SKU whose row was refused without reading the
///   file again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input held no header line.
    #[error("{report}: input is empty, expected a header line")]
    Empty {
        /// The report being read.
        report: &'static str,
    },
    /// The header line is delimited by something other than a tab or a
    /// comma.
    #[error("{report}: line 1: header is delimited by {found:?}, expected tab or comma")]
    UnsupportedDelimiter {
        /// The report being read.
        report: &'static str,
        /// The delimiter seen.
        found: char,
    },
    /// A required column is absent from the header.
    #[error("{report}: line 1: required column {column:?} is missing from the header")]
    MissingColumn {
        /// The report being read.
        report: &'static str,
        /// The canonical name of the column.
        column: &'static str,
    },
    /// Two header cells name the same column, so which to read is
    /// ambiguous.
    #[error(
        "{report}: line 1: columns {first} and {second} both name {column:?} (1-based positions)"
    )]
    DuplicateColumn {
        /// The report being read.
        report: &'static str,
        /// The canonical name of the column.
        column: &'static str,
        /// Position of the first cell naming it.
        first: usize,
        /// Position of the second.
        second: usize,
    },
    /// A record ran past the size cap, most often an unclosed quote that
    /// swallows the rest of the file. Where the next record starts cannot
    /// be known, so the file is rejected.
    #[error("{report}: line {line}: record is longer than the cap of {limit} bytes")]
    RecordTooLarge {
        /// The report being read.
        report: &'static str,
        /// The line where the record starts.
        line: u64,
        /// The cap, see [`crate::ReadOptions::max_record_bytes`].
        limit: usize,
    },
    /// The input is not UTF-8: it starts with a UTF-16 or UTF-32
    /// byte-order mark, or its header holds NUL bytes (a spreadsheet's
    /// "Unicode text" export). Convert it to UTF-8 first.
    #[error("{report}: line 1: input is {encoding}, expected UTF-8")]
    UnsupportedEncoding {
        /// The report being read.
        report: &'static str,
        /// What the input looks like (`UTF-16LE`, ...).
        encoding: &'static str,
    },
    /// The input ends part way through a record: the file was cut short
    /// (an interrupted download). [`Cut`] says how that was seen; see it
    /// for the cuts that cannot be seen.
    #[error("{report}: line {line}: {cut}, the file is truncated")]
    Truncated {
        /// The report being read.
        report: &'static str,
        /// The line where the cut row starts.
        line: u64,
        /// What shows the cut.
        cut: Cut,
    },
    /// The caller left [`crate::ReadOptions::date_order`] unset and the
    /// first records (see [`crate::ReadOptions::date_order`]) hold dates
    /// that can only be read day first and others that can only be read
    /// month first: the file's dates cannot all be right.
    #[error(
        "{report}: dates are day first on line {day_first_line} and month first on line {month_first_line}; set ReadOptions::date_order"
    )]
    MixedDateOrder {
        /// The report being read.
        report: &'static str,
        /// The first line with a date that is only a date day first
        /// (`25/01/2026`).
        day_first_line: u64,
        /// The first line with a date that is only a date month first
        /// (`01/25/2026`).
        month_first_line: u64,
    },
    /// The underlying reader failed.
    #[error("{report}: line {line}: read failed: {source}")]
    Io {
        /// The report being read.
        report: &'static str,
        /// The last line read.
        line: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A row has a different number of cells than the header: shifted
    /// columns, a line wrapped in two, or a stray delimiter. It carries
    /// no SKU ([`ReadError::sku`] is `None`): with its cells out of line
    /// with the header, the cell at the SKU column's place may belong to
    /// another column, or be a piece of another row (a lone `\r` in an
    /// unquoted title splits a row in two).
    ///
    /// When a quoted cell of the row holds a line break
    /// (`quoted_line_break`), the message adds that its closing quote
    /// may be missing: a cell opened with `"` and never closed runs on
    /// to the next `"`, taking in the rows between, and the one row
    /// error is all that is left of them.
    #[error(
        "{report}: line {line}: row has {found} cells, header has {expected}{}",
        if *quoted_line_break {
            "; a quoted cell runs over a line break: if its closing quote is missing, the \
             lines after it were read into this row"
        } else {
            ""
        }
    )]
    FieldCount {
        /// The report being read.
        report: &'static str,
        /// The line where the row starts.
        line: u64,
        /// Cells in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
        /// Whether a cell of the row holds a line break, which only a
        /// quoted cell can: the row runs over more than one line.
        quoted_line_break: bool,
    },
    /// A row with as many cells as the header, one of them quoted,
    /// running over a line break and holding a row's worth of delimiters
    /// or more (the header's cells less one). Its closing quote is almost
    /// surely missing: a cell that opens with a `"` it does not close (a
    /// title such as `"Best pan` in a tab-separated report, which Amazon
    /// does not quote) runs on to the next `"`, taking in the rows between, and
    /// the cells after it come from the row where that quote is; when the
    /// quote stands in the same column of both rows, the cells line up
    /// with the header and only this check sees the rows lost. The row is
    /// refused whole, with no SKU ([`ReadError::sku`] is `None`: its cells
    /// come from two rows), and reading goes on after it. A quoted cell
    /// that only wraps a text over lines, with fewer delimiters, is read
    /// as it is, and so is any cell of a file that quotes every cell (as
    /// its header and first row show), where a quote left open ends at
    /// the next cell's opening quote. A quote left open can still take in
    /// rows unseen when the cells on either side happen to line up and
    /// read: no reader can tell such a row from a sound one.
    #[error(
        "{report}: line {line}: cell {cell} is quoted and runs over {lines} lines holding \
         {delimiters} delimiters, a row's worth or more: its closing quote is likely missing, \
         and the rows up to the next quote were read into it"
    )]
    OpenQuote {
        /// The report being read.
        report: &'static str,
        /// The line where the row starts.
        line: u64,
        /// The cell, counted from 1.
        cell: usize,
        /// Lines the cell runs over.
        lines: u64,
        /// Delimiters inside the cell.
        delimiters: usize,
    },
    /// A cell the reader needs is not valid UTF-8. Identifiers, codes,
    /// numbers and dates are never repaired; display-only text is
    /// repaired and flagged unless
    /// [`crate::ReadOptions::lossy_text`] is off.
    #[error("{report}: line {line}, column {column:?}: cell is not valid UTF-8")]
    InvalidUtf8 {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
    },
    /// A required cell is empty.
    #[error("{report}: line {line}, column {column:?}: required value is empty")]
    MissingValue {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
    },
    /// A cell is not a whole number, or is outside the quantities a
    /// reader accepts: -(2^63 - 1) to 2^63 - 1. (`-9223372036854775808`,
    /// `i64::MIN`, fits in 64 bits but has no negation, so a return or a
    /// reversal of it could not be written.)
    #[error(
        "{report}: line {line}, column {column:?}: {value:?} is not a whole number from -9223372036854775807 to 9223372036854775807"
    )]
    InvalidQuantity {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
        /// The cell, cut to [`MAX_QUOTED`] bytes.
        value: String,
    },
    /// A cell is not a decimal amount.
    #[error("{report}: line {line}, column {column:?}: {value:?} is not a decimal amount")]
    InvalidAmount {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
        /// The cell, cut to [`MAX_QUOTED`] bytes.
        value: String,
    },
    /// A date-time cell is a date with a time of day that names no
    /// single instant under the reader's
    /// [`ZoneRules`](crate::ZoneRules): no zone is written and none is
    /// assumed ([`TimestampProblem::NoZone`](crate::TimestampProblem)),
    /// or the assumed zone skipped or repeated that time for a
    /// daylight-saving change and [`crate::DstPolicy::Refuse`] is in
    /// force.
    #[error("{report}: line {line}, column {column:?}: {value:?} names no instant: {problem}")]
    InvalidTimestamp {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
        /// The cell, cut to [`MAX_QUOTED`] bytes.
        value: String,
        /// Why it names no instant.
        problem: crate::TimestampProblem,
    },
    /// A cell holds digits but is not a date in any accepted format (see
    /// [`crate::parse_date`]), or is a date followed by what is not a
    /// time and zone the reader takes: a malformed time, text after the
    /// zone, or a zone name unknown or refused as ambiguous (`AST`, which
    /// [`ReadOptions::zone_names`](crate::ReadOptions::zone_names) can
    /// settle). `problem` says which; the message names it.
    #[error("{report}: line {line}, column {column:?}: {value:?} {}", DateRefusal(problem))]
    InvalidDate {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
        /// The cell, cut to [`MAX_QUOTED`] bytes.
        value: String,
        /// What is wrong: [`TimestampProblem::Date`](crate::TimestampProblem::Date)
        /// when the date itself is unreadable, else what follows it.
        problem: crate::TimestampProblem,
    },
    /// A cell holds a negative amount where only zero or more makes
    /// sense: a storage fee report's volume, rate, average units on hand
    /// or fee, or a Manage FBA Inventory quantity (units held, on their
    /// way in or under research). The column says which, so a negative
    /// fee (a credit) is told apart from an impossible volume or rate.
    #[error("{report}: line {line}, column {column:?}: {value} is negative, expected zero or more")]
    NegativeValue {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
        /// The amount as read.
        value: rust_decimal::Decimal,
    },
    /// A total cell disagrees with the cells it totals: the Reimbursements
    /// report's `quantity-reimbursed-total` is not
    /// `quantity-reimbursed-cash` plus `quantity-reimbursed-inventory`.
    /// Which cell is wrong cannot be told, so the row is refused rather
    /// than read with either count.
    #[error(
        "{report}: line {line}, column {column:?}: total {total} is not the sum of its parts, {parts}"
    )]
    TotalMismatch {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The total's column.
        column: &'static str,
        /// The total as written.
        total: merchantry_core::Quantity,
        /// The sum of the parts as written.
        parts: merchantry_core::Quantity,
    },
    /// Two signed cells of one row disagree in sign: the Reimbursements
    /// report's `amount-total`, `amount-per-unit`, `quantity-reimbursed-cash`,
    /// `quantity-reimbursed-inventory` and `quantity-reimbursed-total`
    /// (zeros and blanks aside) must all be positive, a payment, or all
    /// negative, a reversal. A row paying cash and taking inventory back
    /// at once cannot be matched to a loss either way, so it is refused.
    #[error(
        "{report}: line {line}, column {column:?}: {value} has the opposite sign to column \
         {against:?}; a row pays or takes back, not both"
    )]
    MixedSigns {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column whose sign disagrees.
        column: &'static str,
        /// Its value as read.
        value: rust_decimal::Decimal,
        /// The first signed column of the row, whose sign it disagrees
        /// with.
        against: &'static str,
    },
    /// A `Reimbursement_Reversal` row of the Reimbursements report with a
    /// positive amount or unit cell. A reversal takes back: its non-zero
    /// amount and unit cells are all negative. Read as written, it would
    /// take units back from a reimbursement while booking the amount as
    /// income, so it is refused.
    #[error(
        "{report}: line {line}, column {column:?}: {value} is positive in a \
         Reimbursement_Reversal row; a reversal's non-zero amounts and units are negative"
    )]
    PositiveReversal {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The first column whose value is positive.
        column: &'static str,
        /// Its value as read.
        value: rust_decimal::Decimal,
    },
    /// A cell is not a valid identifier or code (too long, control
    /// characters, not a currency code, ...), or is a quantity that
    /// takes a sum the row hands out past 64 bits (see
    /// [`InventoryReader`](crate::InventoryReader)).
    #[error("{report}: line {line}, column {column:?}: {source}")]
    InvalidValue {
        /// The report being read.
        report: &'static str,
        /// The line.
        line: u64,
        /// The SKU of the row, when the reader has a SKU column and
        /// the row's cell there makes one: see [`ReadError::sku`].
        sku: Option<Box<Sku>>,
        /// The column.
        column: &'static str,
        /// Why the core type refused it.
        #[source]
        source: CoreError,
    },
}

/// How a cut at the end of the input shows, in [`ReadError::Truncated`].
///
/// What can be seen is the last record's shape; what cannot is a cut
/// that leaves a well-formed record:
///
/// - a cut right after a line break (whole rows lost, none damaged);
/// - a cut inside the last record's last cell when that cell is not
///   quoted (`...,SELLABLE,12` of `...,SELLABLE,120`), or right after
///   the delimiter before it (an empty last cell), leaving as many
///   cells as the header has.
///
/// Both leave a file that ends without a line break, the second always:
/// [`ReadStats::unterminated`] says so, and
/// [`ReadOptions::require_line_end`](crate::ReadOptions::require_line_end)
/// refuses such a file as [`Cut::NoLineEnd`]. Amazon's report downloads
/// end with a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Cut {
    /// The input ends inside a quoted cell: its closing quote is
    /// missing.
    InsideQuotes,
    /// The last record has fewer cells than the header and no line
    /// break after it: it stops part way (right after a delimiter, or
    /// inside an unquoted cell).
    ShortLastRecord,
    /// The last record is whole in shape but has no line break after
    /// it, and the caller asked for one
    /// ([`ReadOptions::require_line_end`](crate::ReadOptions::require_line_end)).
    NoLineEnd,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::InsideQuotes => "input ends inside a quoted cell",
            Self::ShortLastRecord => {
                "input ends without a line break in a record with fewer cells than the header"
            }
            Self::NoLineEnd => "input ends without a line break after its last record",
        })
    }
}

/// The longest cell excerpt quoted in an error message, in bytes.
pub const MAX_QUOTED: usize = 80;

impl ReadError {
    /// Whether the error rejects the whole input (the reader ends after
    /// yielding it) rather than one row.
    ///
    /// ```
    /// use merchantry_amazon::LedgerDetailReader;
    /// let err = LedgerDetailReader::new("Date;FNSKU\n".as_bytes()).err().unwrap();
    /// assert!(err.is_fatal());
    /// ```
    #[must_use]
    pub const fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::Empty { .. }
                | Self::UnsupportedDelimiter { .. }
                | Self::MissingColumn { .. }
                | Self::DuplicateColumn { .. }
                | Self::RecordTooLarge { .. }
                | Self::UnsupportedEncoding { .. }
                | Self::Truncated { .. }
                | Self::MixedDateOrder { .. }
                | Self::Io { .. }
        )
    }

    /// The line the error points at; 1 for header errors, 0 for an empty
    /// input.
    #[must_use]
    pub const fn line(&self) -> u64 {
        match self {
            Self::Empty { .. } => 0,
            Self::UnsupportedDelimiter { .. }
            | Self::UnsupportedEncoding { .. }
            | Self::MissingColumn { .. }
            | Self::DuplicateColumn { .. } => 1,
            Self::MixedDateOrder { day_first_line, month_first_line, .. } => {
                if *day_first_line > *month_first_line {
                    *day_first_line
                } else {
                    *month_first_line
                }
            }
            Self::RecordTooLarge { line, .. }
            | Self::Truncated { line, .. }
            | Self::Io { line, .. }
            | Self::FieldCount { line, .. }
            | Self::OpenQuote { line, .. }
            | Self::InvalidUtf8 { line, .. }
            | Self::MissingValue { line, .. }
            | Self::InvalidQuantity { line, .. }
            | Self::InvalidAmount { line, .. }
            | Self::InvalidDate { line, .. }
            | Self::InvalidTimestamp { line, .. }
            | Self::NegativeValue { line, .. }
            | Self::TotalMismatch { line, .. }
            | Self::MixedSigns { line, .. }
            | Self::PositiveReversal { line, .. }
            | Self::InvalidValue { line, .. } => *line,
        }
    }

    /// The SKU of the row a row error refuses, when the reader has a
    /// SKU column and the row's cell there makes a [`Sku`]: trimmed, not
    /// blank, valid UTF-8 and a valid id. `None` for a file error, for a
    /// reader without a SKU column (storage fees, SCMS), when the SKU
    /// cell is itself what was refused (blank, not UTF-8, not an id),
    /// and for a row with the wrong number of cells
    /// ([`ReadError::FieldCount`]), whose cell at the SKU column's place
    /// may be another column's (a row shifted left or right) or a piece
    /// of another row (a row split by a lone `\r`). So a SKU given here
    /// never names a row it did not come from, and a row error without
    /// one may be any SKU's row: a caller that must know every SKU's row
    /// treats the SKUs no readable row names as possibly that row's.
    ///
    /// The SKU column of each reader: `sku` (Manage FBA Inventory, All
    /// Orders, Reimbursements, settlements), `MSKU` (both Inventory
    /// Ledger views) and UCI Online Retail's `StockCode`.
    ///
    /// The variants hold it boxed, so that the error stays small (a
    /// `Result<_, ReadError>` is moved for every row read); the box is
    /// only allocated for a row error that has a SKU.
    ///
    /// ```
    /// use merchantry_amazon::InventoryReader;
    /// let file = "sku\tafn-fulfillable-quantity\n\
    ///             WIDGET\t1OO\n\
    ///             \t7\n";
    /// let errors: Vec<_> = InventoryReader::new(file.as_bytes())?.filter_map(Result::err).collect();
    /// assert_eq!(errors[0].sku().map(|s| s.as_str()), Some("WIDGET"));
    /// assert_eq!(errors[0].column(), Some("afn-fulfillable-quantity"));
    /// assert_eq!(errors[1].sku(), None); // the SKU cell is blank
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn sku(&self) -> Option<&Sku> {
        match self {
            Self::InvalidUtf8 { sku, .. }
            | Self::MissingValue { sku, .. }
            | Self::InvalidQuantity { sku, .. }
            | Self::InvalidAmount { sku, .. }
            | Self::InvalidDate { sku, .. }
            | Self::InvalidTimestamp { sku, .. }
            | Self::NegativeValue { sku, .. }
            | Self::TotalMismatch { sku, .. }
            | Self::MixedSigns { sku, .. }
            | Self::PositiveReversal { sku, .. }
            | Self::InvalidValue { sku, .. } => sku.as_deref(),
            _ => None,
        }
    }

    /// The same error with its row's SKU set to `found`; a file error,
    /// and a [`ReadError::FieldCount`], which carries no SKU, are
    /// returned as they are.
    pub(crate) fn with_sku(mut self, found: Option<Sku>) -> Self {
        match &mut self {
            Self::InvalidUtf8 { sku, .. }
            | Self::MissingValue { sku, .. }
            | Self::InvalidQuantity { sku, .. }
            | Self::InvalidAmount { sku, .. }
            | Self::InvalidDate { sku, .. }
            | Self::InvalidTimestamp { sku, .. }
            | Self::NegativeValue { sku, .. }
            | Self::TotalMismatch { sku, .. }
            | Self::MixedSigns { sku, .. }
            | Self::PositiveReversal { sku, .. }
            | Self::InvalidValue { sku, .. } => *sku = found.map(Box::new),
            _ => {}
        }
        self
    }

    /// The column the error points at, when it is about one cell or one
    /// header column.
    #[must_use]
    pub const fn column(&self) -> Option<&'static str> {
        match self {
            Self::MissingColumn { column, .. }
            | Self::DuplicateColumn { column, .. }
            | Self::InvalidUtf8 { column, .. }
            | Self::MissingValue { column, .. }
            | Self::InvalidQuantity { column, .. }
            | Self::InvalidAmount { column, .. }
            | Self::InvalidDate { column, .. }
            | Self::InvalidTimestamp { column, .. }
            | Self::NegativeValue { column, .. }
            | Self::TotalMismatch { column, .. }
            | Self::MixedSigns { column, .. }
            | Self::PositiveReversal { column, .. }
            | Self::InvalidValue { column, .. } => Some(column),
            _ => None,
        }
    }
}

/// How [`ReadError::InvalidDate`] words what is wrong with its cell:
/// an unreadable date is "not a date"; a readable date is named as one,
/// with what went wrong after it.
struct DateRefusal<'a>(&'a crate::TimestampProblem);

impl std::fmt::Display for DateRefusal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::TimestampProblem;
        match self.0 {
            TimestampProblem::Date => f.write_str("is not a date"),
            TimestampProblem::UnknownZone(word) if word.eq_ignore_ascii_case("AST") => write!(
                f,
                "has a date, but zone {word:?} is ambiguous (Atlantic or Arabia?): \
                 choose its meaning with ReadOptions::zone_names or write an offset"
            ),
            problem => write!(f, "has a date, but {problem}"),
        }
    }
}

/// Cuts `text` to at most [`MAX_QUOTED`] bytes on a character boundary.
pub(crate) fn excerpt(text: &[u8]) -> String {
    let lossy = String::from_utf8_lossy(text);
    let mut end = lossy.len().min(MAX_QUOTED);
    while !lossy.is_char_boundary(end) {
        end -= 1;
    }
    lossy.get(..end).unwrap_or_default().to_owned()
}

/// Why a row was passed over without an error: each reader documents
/// which of these it uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SkipReason {
    /// A line whose cells are all empty (`,,,`). Truly empty lines are
    /// passed over by the parser and not counted as records.
    BlankLine,
    /// A copy of the header line, as left by concatenating downloads.
    RepeatedHeader,
    /// A date the row cannot do without holds text instead of a date
    /// (`Date Not Captured`, `N/A - From RDC`, `Pre-PQ Process`, empty).
    /// The column is named.
    DateNotCaptured(Cow<'static, str>),
    /// An SCMS line with no usable shipment mode (`N/A`).
    NoShipmentMode,
    /// An SCMS line delivered before its purchase order was sent.
    DeliveredBeforeOrder,
}

/// Counts kept while reading: every record is either yielded as a row,
/// yielded as a row error, or skipped for a counted reason.
///
/// `records == rows + row_errors + skipped total` holds after the reader
/// ends without a file error.
///
/// Start one with `ReadStats::default()`; fields are added over time,
/// so it cannot be built with a struct literal outside this crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ReadStats {
    /// Records read after the header.
    pub records: u64,
    /// Rows yielded successfully.
    pub rows: u64,
    /// Row errors yielded.
    pub row_errors: u64,
    /// Records skipped, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The line of the first record skipped for each reason in
    /// [`ReadStats::skipped`], so that a caller can name one (the first
    /// row with no date, say) and not only count them.
    pub first_skipped_at: BTreeMap<SkipReason, u64>,
    /// Whether an all-numeric date such as `03/01/2026` was read in the
    /// default order, [`DateOrder::MonthFirst`](crate::DateOrder), only
    /// because nothing in the file settled it: the caller left
    /// [`ReadOptions::date_order`](crate::ReadOptions::date_order) unset
    /// and the look-ahead found no date whose day is above 12. When this
    /// is `true` and the file may come from a day-first marketplace, read
    /// it again with the order set.
    pub date_order_assumed: bool,
    /// When month first was assumed because the look-ahead held no date
    /// that settles the order: the first line past it whose date can
    /// only be read day first (`25/01/2026`). That row is a
    /// row error; this says the assumption was wrong, so the file should
    /// be read again with [`ReadOptions::date_order`] set to the other
    /// order (the rows before the look-ahead ended are not held to be
    /// replayed).
    ///
    /// [`ReadOptions::date_order`]: crate::ReadOptions::date_order
    pub date_order_refuted_at: Option<u64>,
    /// When the reader decided the date order itself
    /// ([`ReadOptions::date_order`] unset) because a date in the
    /// look-ahead is a real day in one order only (`25/01/2026` day
    /// first, `01/25/2026` month first): that order, and the line of
    /// the first such date. One such date settles the whole file, so a
    /// caller may name it. `None` when the caller set the order, and
    /// when the order was assumed ([`ReadStats::date_order_assumed`]).
    ///
    /// [`ReadOptions::date_order`]: crate::ReadOptions::date_order
    pub date_order_decided: Option<(crate::DateOrder, u64)>,
    /// Rows yielded with a display-only cell (a product title, a
    /// description) whose invalid UTF-8 was replaced by U+FFFD; each such
    /// row says so in its own flag (`title_lossy`, `description_lossy`).
    /// Identifiers, codes, numbers and dates are never replaced: their
    /// invalid UTF-8 is [`ReadError::InvalidUtf8`].
    pub lossy_rows: u64,
    /// Rows yielded although an optional amount cell that only values
    /// the row (the Manage FBA Inventory report's `your-price`, the All
    /// Orders report's `item-price`, the SCMS history's `Line Item
    /// Value`) could not be read: that amount is left blank and the row
    /// says so in its own field
    /// ([`InventoryRow::price_unread`](crate::InventoryRow::price_unread),
    /// [`OrderLine::item_price_unread`](crate::OrderLine::item_price_unread),
    /// [`ScmsShipment::line_value_unread`](crate::ScmsShipment::line_value_unread),
    /// with the cell as written). Such rows are also in
    /// [`ReadStats::rows`]. An amount the row cannot do without, and
    /// every quantity, is still a row error.
    pub unread_amount_rows: u64,
    /// Whether the input's last record ended without a line break.
    /// Amazon's downloads end with one, so a `true` here may mean a
    /// download cut inside the last record's last cell, which cannot be
    /// told from a whole one (see [`Cut`]).
    pub unterminated: bool,
}

impl SkipReason {
    /// [`SkipReason::DateNotCaptured`] for the column `name`.
    #[must_use]
    pub const fn no_date(name: &'static str) -> Self {
        Self::DateNotCaptured(Cow::Borrowed(name))
    }
}

/// The reason in words, for a person reading a count of skipped lines.
///
/// ```
/// use merchantry_amazon::SkipReason;
/// let why = SkipReason::no_date("PO Sent to Vendor Date");
/// assert_eq!(why.to_string(), "no date in column PO Sent to Vendor Date");
/// assert_eq!(SkipReason::NoShipmentMode.to_string(), "no usable shipment mode");
/// ```
impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BlankLine => f.write_str("blank line"),
            Self::RepeatedHeader => f.write_str("repeated header line"),
            Self::DateNotCaptured(column) => write!(f, "no date in column {column}"),
            Self::NoShipmentMode => f.write_str("no usable shipment mode"),
            Self::DeliveredBeforeOrder => {
                f.write_str("delivered before its purchase order was sent")
            }
        }
    }
}

impl ReadStats {
    /// Records skipped for any reason.
    #[must_use]
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Records skipped for `reason`.
    #[must_use]
    pub fn skipped(&self, reason: &SkipReason) -> u64 {
        self.skipped.get(reason).copied().unwrap_or(0)
    }

    /// Counts the record on `line` as skipped for `reason`, and keeps
    /// `line` when it is the first skipped for it.
    pub(crate) fn skip_at(&mut self, reason: SkipReason, line: u64) {
        self.first_skipped_at.entry(reason.clone()).or_insert(line);
        *self.skipped.entry(reason).or_insert(0) += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let text = "é".repeat(100);
        let cut = excerpt(text.as_bytes());
        assert_eq!(cut.len(), 80);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(excerpt(b"short"), "short");
    }

    #[test]
    fn fatal_and_row_errors_are_told_apart() {
        let fatal = ReadError::MissingColumn { report: "r", column: "Date" };
        let row = ReadError::MissingValue { report: "r", line: 7, sku: None, column: "MSKU" };
        assert!(fatal.is_fatal());
        assert!(!row.is_fatal());
        assert_eq!(row.line(), 7);
        assert_eq!(row.column(), Some("MSKU"));
        assert_eq!(row.to_string(), "r: line 7, column \"MSKU\": required value is empty");
    }
}
