//! The FBA Reimbursements report (`GET_FBA_REIMBURSEMENTS_DATA`), and the
//! matching of reimbursements to the losses they pay for.

use std::collections::{BTreeMap, BTreeSet};

use crate::codes::{ReasonCode, SummaryBucket};
use crate::error::{ReadError, SkipReason};
use crate::ledger::{LedgerDetailRow, RowKey};
use crate::parse::header_key;
use crate::settlement::{ChargeKind, SettlementAmount};
use crate::table::{Built, Column, Row, opt, reader, req};
use chrono::{DateTime, FixedOffset, NaiveDate};
use merchantry_core::{Asin, Currency, Fnsku, Money, OrderId, Quantity, Sku};
use rust_decimal::Decimal;

const REPORT: &str = "reimbursements";

/// Why Amazon paid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ReimbursementReason {
    /// `Lost_Warehouse`: units lost in a fulfillment center.
    LostWarehouse,
    /// `Damaged_Warehouse`: units damaged in a fulfillment center.
    DamagedWarehouse,
    /// `Lost_Inbound`: units lost on the way in or at check-in.
    LostInbound,
    /// `Lost_Outbound` or `Damaged_Outbound`: lost or damaged in delivery.
    Outbound,
    /// `CustomerReturn`: the customer was refunded but the unit never
    /// came back.
    CustomerReturn,
    /// `CustomerServiceIssue`: a customer service concession.
    CustomerServiceIssue,
    /// `FeeCorrection`: a fee charged in error.
    FeeCorrection,
    /// `Removal_Order_Lost` or `Removal_Order_Damaged`.
    RemovalOrder,
    /// `Reimbursement_Reversal`: an earlier payment taken back (the unit
    /// was found).
    Reversal,
    /// `GeneralAdjustment`.
    GeneralAdjustment,
    /// A reason this crate does not know, kept by name.
    Other(String),
}

impl ReimbursementReason {
    /// Reads a reason, ignoring case and punctuation.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match header_key(text.as_bytes()).as_str() {
            "lostwarehouse" => Self::LostWarehouse,
            "damagedwarehouse" => Self::DamagedWarehouse,
            "lostinbound" | "missingfrominbound" => Self::LostInbound,
            "lostoutbound" | "damagedoutbound" => Self::Outbound,
            "customerreturn" => Self::CustomerReturn,
            "customerserviceissue" => Self::CustomerServiceIssue,
            "feecorrection" => Self::FeeCorrection,
            "removalorderlost" | "removalorderdamaged" => Self::RemovalOrder,
            "reimbursementreversal" => Self::Reversal,
            "generaladjustment" => Self::GeneralAdjustment,
            _ => Self::Other(text.to_owned()),
        }
    }

    /// The reason as Amazon writes it (for grouped variants, the first
    /// of the names it stands for).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::LostWarehouse => "Lost_Warehouse",
            Self::DamagedWarehouse => "Damaged_Warehouse",
            Self::LostInbound => "Lost_Inbound",
            Self::Outbound => "Lost_Outbound",
            Self::CustomerReturn => "CustomerReturn",
            Self::CustomerServiceIssue => "CustomerServiceIssue",
            Self::FeeCorrection => "FeeCorrection",
            Self::RemovalOrder => "Removal_Order_Lost",
            Self::Reversal => "Reimbursement_Reversal",
            Self::GeneralAdjustment => "GeneralAdjustment",
            Self::Other(name) => name,
        }
    }

    /// Whether the reason pays for units lost or damaged inside the
    /// warehouse, which the ledger shows as `Lost` or `Damaged`
    /// adjustments.
    #[must_use]
    pub const fn pays_for_warehouse_loss(&self) -> bool {
        matches!(self, Self::LostWarehouse | Self::DamagedWarehouse)
    }
}

impl ReimbursementRow {
    /// Whether the row takes back an earlier payment: its reason is
    /// `Reimbursement_Reversal`, or it gives back units or money (a
    /// negative `quantity-reimbursed-total` or `amount-total`) whatever
    /// its reason. [`match_reimbursements`] takes the row's units (as a
    /// magnitude) back from the reimbursement named by
    /// `original-reimbursement-id`.
    ///
    /// The reader keeps this in step with [`charge`](Self::charge): a
    /// row's signed cells all agree ([`ReadError::MixedSigns`]), and a
    /// `Reimbursement_Reversal` row has none positive
    /// ([`ReadError::PositiveReversal`]), so a reversal's charge is
    /// negative or zero, never income. A row with a paying reason
    /// (`Lost_Warehouse`, ...) but negative units or a negative amount is
    /// a reversal too: its charge is negative income under that reason's
    /// name, and its units are taken back from its original (or, naming
    /// none, listed in [`LossMatching::unapplied_reversals`]).
    #[must_use]
    pub fn is_reversal(&self) -> bool {
        self.reason == ReimbursementReason::Reversal
            || self.quantity_total.is_negative()
            || self.amount_total.amount() < Decimal::ZERO
    }

    /// The payment as a settlement-style amount: kind
    /// [`ChargeKind::Reimbursement`] (income; a reversal is negative), named
    /// by the reason as Amazon wrote it.
    #[must_use]
    pub fn charge(&self) -> SettlementAmount {
        SettlementAmount {
            kind: ChargeKind::Reimbursement,
            name: self.reason.as_str().to_owned(),
            amount: self.amount_total,
        }
    }

    /// Whether this row and `other` can name the same item: their
    /// FNSKUs agree where both give one, and so do their SKUs (a blank
    /// FNSKU or SKU agrees with any). [`match_reimbursements`] reads rows
    /// of one reimbursement id that name the same item as one line item
    /// (repeats, or a conflict), and a reversal as taking back from the
    /// rows of its original that name its item.
    ///
    /// ```
    /// use merchantry_amazon::ReimbursementReader;
    /// let file = "approval-date\treimbursement-id\treason\tsku\tfnsku\tcurrency-unit\t\
    ///     amount-total\tquantity-reimbursed-total\n\
    ///     2026-01-05\tR1\tLost_Warehouse\tMUG\tX00MUG\tUSD\t10.00\t1\n\
    ///     2026-01-05\tR1\tLost_Warehouse\t\tX00MUG\tUSD\t10.00\t1\n\
    ///     2026-01-05\tR1\tLost_Warehouse\tCUP\tX00CUP\tUSD\t10.00\t1\n";
    /// let rows = ReimbursementReader::new(file.as_bytes())?.collect::<Result<Vec<_>, _>>()?;
    /// assert!(rows[0].same_item(&rows[1])); // the blank SKU agrees
    /// assert!(!rows[0].same_item(&rows[2]));
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn same_item(&self, other: &Self) -> bool {
        let agree = |x: Option<&str>, y: Option<&str>| x.zip(y).is_none_or(|(x, y)| x == y);
        agree(self.fnsku.as_ref().map(Fnsku::as_str), other.fnsku.as_ref().map(Fnsku::as_str))
            && agree(self.sku.as_ref().map(Sku::as_str), other.sku.as_ref().map(Sku::as_str))
    }

    /// Whether this row and `other` say the same in every field but
    /// [`line`](Self::line): one row read twice, as overlapping downloads
    /// (or one file passed twice) give. Amounts are compared by value
    /// (`12.5` is `12.50`), so are dates and quantities; a blank cell
    /// differs from a written one. [`match_reimbursements`] matches such
    /// a repeat once; rows of one id and item that are not repeats
    /// contradict each other ([`conflicting_reimbursements`]).
    ///
    /// ```
    /// use merchantry_amazon::ReimbursementReader;
    /// let read = |rows: &str| {
    ///     let head = "approval-date\treimbursement-id\tcase-id\treason\tfnsku\t\
    ///                 currency-unit\tamount-total\tquantity-reimbursed-total\n";
    ///     ReimbursementReader::new(format!("{head}{rows}").as_bytes())?
    ///         .collect::<Result<Vec<_>, _>>()
    /// };
    /// // Two downloads overlapping on R1: on line 2 of the first, on
    /// // line 3 of the second, which writes its amount `12.5`.
    /// let first = read("2026-01-05\tR1\tC7\tLost_Warehouse\tX00MUG\tUSD\t12.50\t1\n")?;
    /// let second = read(
    ///     "2026-01-04\tR0\t\tLost_Warehouse\tX00CUP\tUSD\t9.00\t1\n\
    ///      2026-01-05\tR1\tC7\tLost_Warehouse\tX00MUG\tUSD\t12.5\t1\n\
    ///      2026-01-05\tR1\t\tLost_Warehouse\tX00MUG\tUSD\t12.50\t1\n",
    /// )?;
    /// assert_eq!((first[0].line, second[1].line), (2, 3));
    /// assert!(first[0].same_content(&second[1]));
    /// // Without its case id, the last row is another row of R1.
    /// assert!(!first[0].same_content(&second[2]));
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn same_content(&self, other: &Self) -> bool {
        // Named field by field, so that a field added to the row is not
        // forgotten here.
        let Self {
            approval_date,
            approved_at,
            reimbursement_id,
            case_id,
            order_id,
            reason,
            sku,
            fnsku,
            asin,
            amount_per_unit,
            amount_total,
            quantity_cash,
            quantity_inventory,
            quantity_total,
            original_reimbursement_id,
            line: _,
        } = self;
        *approval_date == other.approval_date
            && *approved_at == other.approved_at
            && *reimbursement_id == other.reimbursement_id
            && *case_id == other.case_id
            && *order_id == other.order_id
            && *reason == other.reason
            && *sku == other.sku
            && *fnsku == other.fnsku
            && *asin == other.asin
            && *amount_per_unit == other.amount_per_unit
            && *amount_total == other.amount_total
            && *quantity_cash == other.quantity_cash
            && *quantity_inventory == other.quantity_inventory
            && *quantity_total == other.quantity_total
            && *original_reimbursement_id == other.original_reimbursement_id
    }

    /// Whether this row pays for the item of the loss row `loss` (a
    /// detail row's [`RowKey`]): its FNSKU is the loss's, or, when the
    /// row gives no FNSKU, its SKU is the loss's seller SKU. Only the
    /// item is compared: [`match_reimbursements`] also asks for a reason
    /// that pays for warehouse losses and a loss dated no later than the
    /// approval.
    #[must_use]
    pub fn pays_for(&self, loss: &RowKey) -> bool {
        match &self.fnsku {
            Some(f) => *f == loss.fnsku,
            None => self.sku.as_ref() == Some(&loss.msku),
        }
    }
}

/// One reimbursement line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReimbursementRow {
    /// The day Amazon approved it.
    pub approval_date: NaiveDate,
    /// The instant of approval, with the offset as written, when the
    /// cell carries a time and a zone (`2023-07-18T22:54:07+00:00`);
    /// `None` for a bare date. See [`crate::parse_timestamp`].
    #[cfg_attr(feature = "serde", serde(default))]
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// Amazon's id of the reimbursement.
    pub reimbursement_id: String,
    /// The seller's support case, when there was one.
    pub case_id: Option<String>,
    /// The customer order concerned, when there was one.
    pub order_id: Option<OrderId>,
    /// Why.
    pub reason: ReimbursementReason,
    /// The seller SKU, when given.
    pub sku: Option<Sku>,
    /// Amazon's label id, when given.
    pub fnsku: Option<Fnsku>,
    /// The listing, when given.
    pub asin: Option<Asin>,
    /// The amount per unit, when given.
    pub amount_per_unit: Option<Money>,
    /// The amount paid (negative for a reversal).
    pub amount_total: Money,
    /// Units paid in cash.
    pub quantity_cash: Quantity,
    /// Units replaced in kind (added back to inventory).
    pub quantity_inventory: Quantity,
    /// Units reimbursed in total, as the report gives them; when its
    /// cell is blank or the column is absent, cash plus inventory. When
    /// the report gives it and a cash or inventory cell too, it is their
    /// sum: the reader refuses a row where it is not.
    pub quantity_total: Quantity,
    /// For a reversal: the reimbursement it reverses.
    pub original_reimbursement_id: Option<String>,
    /// The line of the row in the file.
    pub line: u64,
}

const COLUMNS: &[Column] = &[
    req("approval-date", &["approvaldate"]).dated(),
    req("reimbursement-id", &["reimbursementid"]),
    opt("case-id", &["caseid"]),
    opt("amazon-order-id", &["amazonorderid"]),
    req("reason", &["reason"]),
    opt("sku", &["sku", "msku", "sellersku"]).sku_column(),
    opt("fnsku", &["fnsku"]),
    opt("asin", &["asin"]),
    req("currency-unit", &["currencyunit", "currency"]),
    opt("amount-per-unit", &["amountperunit"]),
    req("amount-total", &["amounttotal"]),
    opt("quantity-reimbursed-cash", &["quantityreimbursedcash"]),
    opt("quantity-reimbursed-inventory", &["quantityreimbursedinventory"]),
    opt("quantity-reimbursed-total", &["quantityreimbursedtotal"]),
    opt("original-reimbursement-id", &["originalreimbursementid"]),
];

fn build(row: &Row<'_>) -> Result<Built<ReimbursementRow>, ReadError> {
    let (Some(approval_date), approved_at) = row.date_time(0)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(0))));
    };
    let currency: Currency = row.value(8)?;
    let total = row.opt_amount(10)?.ok_or(ReadError::MissingValue {
        report: REPORT,
        line: row.line,
        sku: None,
        column: row.column_name(10),
    })?;
    let (cash, inventory) = (row.opt_quantity(11)?, row.opt_quantity(12)?);
    let quantity_cash = cash.unwrap_or(Quantity::ZERO);
    let quantity_inventory = inventory.unwrap_or(Quantity::ZERO);
    let written_total = row.opt_quantity(13)?;
    // A row pays (every signed cell positive) or takes back (every one
    // negative); zeros and blanks have no sign.
    let per_unit = row.opt_amount(9)?;
    let signed = [
        (10, Some(total)),
        (9, per_unit),
        (11, cash.map(|q| Decimal::from(q.get()))),
        (12, inventory.map(|q| Decimal::from(q.get()))),
        (13, written_total.map(|q| Decimal::from(q.get()))),
    ];
    let mut signs = signed
        .into_iter()
        .filter_map(|(column, value)| value.filter(|v| !v.is_zero()).map(|v| (column, v)));
    if let Some((first, reference)) = signs.next()
        && let Some((column, value)) =
            signs.find(|(_, v)| v.is_sign_negative() != reference.is_sign_negative())
    {
        return Err(ReadError::MixedSigns {
            report: REPORT,
            line: row.line,
            sku: None,
            column: row.column_name(column),
            value,
            against: row.column_name(first),
        });
    }
    // A reversal takes back: a positive cell would take units back while
    // booking the amount as income.
    let reason = ReimbursementReason::parse(row.required(4)?);
    if reason == ReimbursementReason::Reversal
        && let Some((column, value)) = signed
            .into_iter()
            .find_map(|(column, value)| value.filter(|v| *v > Decimal::ZERO).map(|v| (column, v)))
    {
        return Err(ReadError::PositiveReversal {
            report: REPORT,
            line: row.line,
            sku: None,
            column: row.column_name(column),
            value,
        });
    }
    let parts = Quantity::checked_sum([quantity_cash, quantity_inventory])
        .map_err(|source| row.invalid(13, source))?;
    // A blank or absent total is the sum of its parts, never zero units
    // paid for (which would match nothing to the losses). A total
    // written beside a part written must be their sum.
    let quantity_total = match (written_total, cash.or(inventory)) {
        (Some(total), Some(_)) if total != parts => {
            return Err(ReadError::TotalMismatch {
                report: REPORT,
                line: row.line,
                sku: None,
                column: row.column_name(13),
                total,
                parts,
            });
        }
        (Some(total), _) => total,
        (None, _) => parts,
    };
    Ok(Built::Row(ReimbursementRow {
        approval_date,
        approved_at,
        reimbursement_id: row.required(1)?.to_owned(),
        case_id: row.owned(2)?,
        order_id: row.opt_value(3)?,
        reason,
        sku: row.opt_value(5)?,
        fnsku: row.opt_value(6)?,
        asin: row.opt_value(7)?,
        amount_per_unit: per_unit.map(|a| Money::new(a, currency)),
        amount_total: Money::new(total, currency),
        quantity_cash,
        quantity_inventory,
        quantity_total,
        original_reimbursement_id: row.owned(14)?,
        line: row.line,
    }))
}

reader!(
    /// Streams [`ReimbursementRow`]s from a Reimbursements download.
    ///
    /// Required columns: `approval-date`, `reimbursement-id`, `reason`,
    /// `currency-unit`, `amount-total`. Blank cash and inventory
    /// quantities are zero; a blank (or absent)
    /// `quantity-reimbursed-total` is cash plus inventory, so
    /// [`match_reimbursements`] still sees the units paid for.
    ///
    /// A total written beside a cash or inventory cell that is not their
    /// sum (`2` cash, `0` inventory, `3` total) refuses the row as
    /// [`ReadError::TotalMismatch`], naming the line and the
    /// `quantity-reimbursed-total` column: the matcher runs on the total,
    /// and which cell is wrong cannot be told. A total with both part
    /// cells blank (or their columns absent) has nothing to disagree
    /// with and is read as written. Parts whose sum leaves 64 bits are
    /// [`ReadError::InvalidValue`] on the total's column.
    ///
    /// A row pays or takes back, not both: its `amount-total`,
    /// `amount-per-unit`, cash, inventory and total cells, zeros and
    /// blanks aside, are all positive (a payment) or all negative (a
    /// reversal). A row with both signs (`2` cash and `-1` inventory,
    /// `20.00` paid for `-2` units, or `-10.00` per unit on a `20.00`
    /// payment) is refused as [`ReadError::MixedSigns`], naming the line,
    /// the column that disagrees and the column it disagrees with. A
    /// `Reimbursement_Reversal` row takes back, so a positive cell in it
    /// (`20.00` and `2` units, every cell positive) is refused as
    /// [`ReadError::PositiveReversal`], naming the line and the first
    /// positive column. A row with another reason whose cells are
    /// negative is read, as a reversal
    /// ([`ReimbursementRow::is_reversal`]).
    ///
    /// ```
    /// use merchantry_amazon::{ReimbursementReader, ReimbursementReason};
    /// let file = "approval-date\treimbursement-id\treason\tfnsku\tcurrency-unit\tamount-total\tquantity-reimbursed-total\n\
    ///             2026-03-20T00:00:00+00:00\t900\tLost_Warehouse\tX001\tUSD\t12.50\t1\n";
    /// let row = ReimbursementReader::new(file.as_bytes())?.next().unwrap()?;
    /// assert_eq!(row.reason, ReimbursementReason::LostWarehouse);
    /// assert_eq!(row.amount_total.to_string(), "12.50 USD");
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    ReimbursementReader,
    ReimbursementRow,
    REPORT,
    COLUMNS,
    build
);

/// Units of one reimbursement assigned to one loss row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LossMatch {
    /// The reimbursement.
    pub reimbursement_id: String,
    /// The loss it pays for, by its ledger identity.
    pub loss: RowKey,
    /// Units of the loss it covers.
    pub units: Quantity,
}

/// The outcome of [`match_reimbursements`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LossMatching {
    /// Every assignment, in reimbursement order then loss order.
    pub matches: Vec<LossMatch>,
    /// Reimbursed units no loss was found for, per reimbursement id.
    pub unmatched_reimbursed: Vec<(String, Quantity)>,
    /// Lost or damaged units no reimbursement covers yet, per loss, in
    /// matching order (damage that was not Amazon's own last).
    pub open_losses: Vec<(RowKey, Quantity)>,
    /// Loss rows passed over as repeats of an earlier one (the same
    /// [`RowKey`]), as overlapping ledger downloads give.
    #[cfg_attr(feature = "serde", serde(default))]
    pub repeated_losses: usize,
    /// Reimbursement rows passed over as exact repeats of an earlier one
    /// (every field the same but the line), as overlapping downloads
    /// give.
    #[cfg_attr(feature = "serde", serde(default))]
    pub repeated_reimbursements: usize,
    /// Reimbursement ids with two or more different rows for the same
    /// item (FNSKU and SKU): a row revised between two downloads, or two
    /// downloads mixed up. Which row is right cannot be told, so none of
    /// those rows is matched; each id is listed once, sorted. For a
    /// payment, the losses it would cover stay open. For a reversal, none
    /// of its rows takes anything back, so the losses its original covers
    /// stay closed, and each of its differing rows is also listed in
    /// `unapplied_reversals`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub conflicting_reimbursements: Vec<String>,
    /// Units of reversal rows that could not be taken back from a
    /// reimbursement, per reversal id: the row names no original, its
    /// original is not among the rows given, the item it names of its
    /// original is one whose rows conflict (so the original is in
    /// `conflicting_reimbursements`), the reversal's own rows conflict
    /// (each is listed), its blank SKU or FNSKU could name
    /// two or more of the original's line items (those whose rows
    /// conflict counted too), it takes back more
    /// units than the original has left, or it gives no units at all (its quantity cells
    /// blank or zero, only an amount taken back), which is listed with 0
    /// units. They reopen no loss.
    #[cfg_attr(feature = "serde", serde(default))]
    pub unapplied_reversals: Vec<(String, Quantity)>,
}

/// Matches warehouse reimbursements to the ledger losses they pay for.
///
/// Losses are detail rows with a negative quantity whose adjustment
/// rolls up into `Lost` or `Damaged` (codes `M`, `5`, `E`, `6`, `7`, `H`,
/// `K`, `U`, `Q`). Reimbursements considered are those whose reason pays
/// for a warehouse loss ([`ReimbursementReason::pays_for_warehouse_loss`])
/// with a positive unit count. The rule, first in first out: each
/// reimbursement, in approval-date order, covers the earliest open
/// losses of the same FNSKU (or the same SKU when it has no FNSKU) dated
/// on or before its approval, until its units run out; damage that was
/// not Amazon's own ([`ReasonCode::damage_not_amazons`]: codes `6`, `7`,
/// `H`, `K`, `U`), which Amazon's policy may not pay for, comes after
/// every other loss, so a payment covers an expired unit only when no
/// lost or warehouse-damaged one is open. What is left on
/// either side is reported, never dropped. Ties are broken by content,
/// never by line or input order: losses of one day in [`RowKey`] order
/// (event type, reference id, center, disposition, reason, quantity,
/// country), reimbursements of one day by id, then FNSKU, then SKU.
///
/// Reversals ([`ReimbursementRow::is_reversal`]: reason
/// `Reimbursement_Reversal`, or a negative unit total or amount) take their units
/// back from the reimbursement their `original-reimbursement-id` names
/// (its row for the same item), before any matching: a reimbursement of
/// 2 units with 1 reversed covers 1 unit, so the loss it covered shows 1
/// unit open again, and one reversed in full covers nothing. A reversal
/// that cannot be applied is listed in
/// [`LossMatching::unapplied_reversals`]: among others, one whose SKU and
/// FNSKU could name two or more line items of its original (both blank,
/// against an original of several items), since which item it takes
/// back cannot be told (the original's items are counted over all its
/// rows, an item whose rows conflict included, so a blank reversal never
/// falls on the one clean item left); against an original of one item a
/// blank item is that item. So is one that gives no
/// units (only a negative amount), with 0 units: it takes money back but
/// says nothing about which units, so no loss is reopened.
///
/// Overlapping downloads may be passed in together: the matching is the
/// same as with each row once.
///
/// - A loss row is a repeat of an earlier one when it has the same
///   [`RowKey`] (the reconciliation counts, which Amazon revises between
///   downloads, and the line do not count). It is matched once;
///   [`LossMatching::repeated_losses`] counts the repeats.
/// - So two rows that agree in every key column are one loss, whatever
///   the order they come in: two genuinely distinct losses without a
///   reference id, of one quantity, on one day, at one center, in one
///   disposition and for one reason, are seen as one. The Inventory
///   Ledger detail view consolidates movements per reference id, day,
///   center and disposition, so a real download should not hold such
///   twins; counting them once never claims for units that are not
///   lost, where telling overlapping downloads apart by line numbers
///   would (a download read from its middle, filtered or sorted).
/// - A reimbursement row is a repeat when every field but `line` is the
///   same as an earlier row's ([`ReimbursementRow::same_content`]:
///   amounts compared by value, `12.5` = `12.50`). It is matched once;
///   [`LossMatching::repeated_reimbursements`] counts the repeats.
/// - Rows that share a reimbursement id but differ are never merged. For
///   different items (FNSKUs or SKUs that differ where both rows give
///   one) they are the line items one reimbursement may have, each
///   matched on its own. For the same item they contradict each other (a
///   row revised between downloads, or a mix-up): none of them is
///   matched, and the id is listed in
///   [`LossMatching::conflicting_reimbursements`] (the ids that
///   [`conflicting_reimbursements`] finds alone). For a payment its
///   losses stay open until the caller settles which row holds. For a
///   reversal nothing is taken back, so the losses its original covers
///   stay closed, and each of its differing rows is listed, with its
///   units, in [`LossMatching::unapplied_reversals`]. A row whose FNSKU or
///   SKU is blank names the same item as one that gives it, so a copy
///   with a cell left blank is such a conflict, not a second line item.
///   Rows linked through such blanks are one item, whatever their order:
///   a row whose blanks let it name two line items that differ (`W` with
///   a blank FNSKU, `X2` with a blank SKU, beside `V`/`X2`) puts them all
///   in conflict, so no loss is paid for on a guess.
#[must_use]
pub fn match_reimbursements(
    losses: &[LedgerDetailRow],
    reimbursements: &[ReimbursementRow],
) -> LossMatching {
    match_reimbursements_net(losses, reimbursements, |_, _| Quantity::ZERO)
}

/// [`match_reimbursements`] over the units still lost: `found(loss,
/// day)` gives the units of `loss` found again (or otherwise come back)
/// by the end of `day`, and a reimbursement approved that day covers at
/// most the loss's units less those found and less what earlier
/// reimbursements covered. A loss of 4 units, 1 found before a payment
/// of 4 units, takes 3 of them, and the fourth goes on to the next loss
/// (or to [`LossMatching::unmatched_reimbursed`]), where matching by the
/// units written off would pay the found unit and leave a later loss
/// unpaid. Units found after a payment do not undo its match: that loss
/// is then paid for more units than are still lost, as Amazon sees it
/// too. `found` is asked only about a loss dated on or before `day`;
/// what it gives is held between 0 and the loss's units.
/// [`LossMatching::open_losses`] still counts the units no reimbursement
/// covered, found ones included: the caller's books know what was found
/// by when.
#[must_use]
pub fn match_reimbursements_net<F>(
    losses: &[LedgerDetailRow],
    reimbursements: &[ReimbursementRow],
    found: F,
) -> LossMatching
where
    F: Fn(&RowKey, NaiveDate) -> Quantity,
{
    let mut outcome = LossMatching::default();
    // One loss per key, whatever the order the rows come in and however
    // many copies of a row overlapping downloads hold. Losses are taken
    // in key order: by day first, the date being the key's first column.
    let mut keys = BTreeSet::new();
    for row in losses.iter().filter(|r| {
        r.quantity.is_negative()
            && matches!(r.summary_bucket(), SummaryBucket::Lost | SummaryBucket::Damaged)
    }) {
        if !keys.insert(row.key()) {
            outcome.repeated_losses += 1;
        }
    }
    // Each loss with its units written off and those no reimbursement
    // has covered yet. Damage that was not Amazon's own (codes 6, 7, H,
    // K, U) comes after every other loss, each group in key order: a
    // payment is first taken to be for a loss Amazon pays for.
    let mut open: Vec<(RowKey, i64, i64)> = keys
        .into_iter()
        .map(|key| {
            let units = key.quantity.get().saturating_neg();
            (key, units, units)
        })
        .collect();
    open.sort_by_cached_key(|(key, _, _)| ReasonCode::parse(&key.reason).damage_not_amazons());
    let items = line_items(reimbursements);
    outcome.repeated_reimbursements = items.repeated;
    outcome.conflicting_reimbursements = items.conflicting.into_iter().map(str::to_owned).collect();
    // Every item of every payment, the conflicting ones included: a
    // reversal counts them all to tell which item it names.
    let payments = items.payments;
    // A reversal whose rows conflict is applied by none of them, and each
    // of them is listed as unapplied.
    let (reversals, conflicting) = split_items(&items.reversals);
    let mut reversals: Vec<(&ReimbursementRow, bool)> = reversals
        .into_iter()
        .map(|r| (r, true))
        .chain(conflicting.into_iter().map(|r| (r, false)))
        .collect();
    reversals.sort_by_key(|(r, _)| (order_key(r), r.quantity_total, r.amount_total.amount()));
    // Units of each payment item (by its place in `payments`) still
    // standing; `None` for an item in conflict, which pays nothing and
    // has nothing to take back.
    let mut standing: Vec<Option<i64>> = payments
        .iter()
        .map(|item| match item.as_slice() {
            [only] => Some(only.quantity_total.get()),
            _ => None,
        })
        .collect();
    // The payment items of each reimbursement id, so that a reversal
    // reads its original's items only, not every payment's.
    let mut items_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, item) in payments.iter().enumerate() {
        let ids: BTreeSet<&str> = item.iter().map(|p| p.reimbursement_id.as_str()).collect();
        for id in ids {
            items_of.entry(id).or_default().push(i);
        }
    }
    for (reversal, applicable) in reversals {
        let units = reversal.quantity_total.get().saturating_abs();
        let mut left = units;
        if let Some(original) = reversal.original_reimbursement_id.as_ref().filter(|_| applicable) {
            // The original's line item this reversal names, counted over
            // all the original's items, those in conflict too. When it
            // could name two or more (its SKU and FNSKU blank against an
            // original of several items), which is meant cannot be told:
            // none. One in conflict has nothing to take back.
            let mut items = items_of.get(original.as_str()).into_iter().flatten().filter(|&&i| {
                payments[i].iter().any(|payment| {
                    payment.reimbursement_id == *original && payment.same_item(reversal)
                })
            });
            if let (Some(&i), None) = (items.next(), items.next())
                && let Some(Some(standing)) = standing.get_mut(i)
            {
                let taken = left.min(*standing);
                *standing -= taken;
                left -= taken;
            }
        }
        // A reversal of no units (only an amount taken back) has nothing
        // to apply: it is listed, with 0 units, for the caller to see.
        if left > 0 || units == 0 {
            outcome
                .unapplied_reversals
                .push((reversal.reimbursement_id.clone(), Quantity::new(left)));
        }
    }
    let mut paying: Vec<(&ReimbursementRow, i64)> = payments
        .iter()
        .zip(standing)
        .filter_map(|(item, units)| match (item.as_slice(), units) {
            ([only], Some(units)) => Some((*only, units)),
            _ => None,
        })
        .filter(|(r, units)| r.reason.pays_for_warehouse_loss() && *units > 0)
        .collect();
    paying.sort_by_key(|(r, _)| order_key(r));

    // The open losses of each FNSKU and of each SKU, in order, each list
    // with the first of its losses not yet covered whole: a payment reads
    // its own item's losses from there (`pays_for`), not every loss, and
    // a loss covered whole is never read again.
    let mut by_fnsku: BTreeMap<Fnsku, (usize, Vec<usize>)> = BTreeMap::new();
    let mut by_msku: BTreeMap<Sku, (usize, Vec<usize>)> = BTreeMap::new();
    for (i, (loss, _, _)) in open.iter().enumerate() {
        by_fnsku.entry(loss.fnsku.clone()).or_default().1.push(i);
        by_msku.entry(loss.msku.clone()).or_default().1.push(i);
    }
    let none = (0, Vec::new());
    for (reimbursement, mut left) in paying {
        let (first, list) = match (&reimbursement.fnsku, &reimbursement.sku) {
            (Some(f), _) => by_fnsku.get_mut(f),
            (None, Some(s)) => by_msku.get_mut(s),
            (None, None) => None,
        }
        .map_or((0, &none.1), |(first, list)| {
            while list.get(*first).is_some_and(|&i| open[i].2 == 0) {
                *first += 1;
            }
            (*first, &*list)
        });
        for &i in list.get(first..).unwrap_or(&[]) {
            if left == 0 {
                break;
            }
            let (loss, written_off, remaining) = &mut open[i];
            if !reimbursement.pays_for(loss)
                || *remaining == 0
                || loss.date > reimbursement.approval_date
            {
                continue;
            }
            // Neither the units covered already (`remaining` is what is
            // left) nor those found by the approval day are paid for
            // again.
            let back = found(loss, reimbursement.approval_date).get().clamp(0, *written_off);
            let free = remaining.saturating_sub(back).max(0);
            let units = left.min(free);
            if units == 0 {
                continue;
            }
            left -= units;
            *remaining -= units;
            outcome.matches.push(LossMatch {
                reimbursement_id: reimbursement.reimbursement_id.clone(),
                loss: loss.clone(),
                units: Quantity::new(units),
            });
        }
        if left > 0 {
            outcome
                .unmatched_reimbursed
                .push((reimbursement.reimbursement_id.clone(), Quantity::new(left)));
        }
    }
    outcome.open_losses = open
        .into_iter()
        .filter(|(_, _, remaining)| *remaining > 0)
        .map(|(loss, _, remaining)| (loss, Quantity::new(remaining)))
        .collect();
    outcome
}

/// The reimbursement ids whose rows contradict each other: two or more
/// rows of one id that name the same item
/// ([`ReimbursementRow::same_item`], linked through blank FNSKU or SKU
/// cells) and are not repeats of each other
/// ([`ReimbursementRow::same_content`]), payments and reversals apart
/// (a reversal row never conflicts with a payment row). Which of them is
/// right cannot be told, so [`match_reimbursements`] matches none of
/// them: these are its [`LossMatching::conflicting_reimbursements`] for
/// the same rows, found without matching anything, borrowed from the
/// rows and sorted.
///
/// ```
/// use merchantry_amazon::{ReimbursementReader, conflicting_reimbursements};
/// let file = "approval-date\treimbursement-id\treason\tsku\tfnsku\tcurrency-unit\t\
///     amount-total\tquantity-reimbursed-total\n\
///     2026-01-05\tR1\tLost_Warehouse\tMUG\tX00MUG\tUSD\t10.00\t1\n\
///     2026-01-05\tR1\tLost_Warehouse\tMUG\tX00MUG\tUSD\t10.00\t1\n\
///     2026-01-05\tR1\tLost_Warehouse\tCUP\tX00CUP\tUSD\t8.00\t1\n\
///     2026-01-06\tR2\tLost_Warehouse\tMUG\tX00MUG\tUSD\t10.00\t1\n\
///     2026-01-06\tR2\tLost_Warehouse\tMUG\tX00MUG\tUSD\t12.00\t1\n";
/// let rows = ReimbursementReader::new(file.as_bytes())?.collect::<Result<Vec<_>, _>>()?;
/// // R1's MUG row is repeated and its CUP row is another item; R2's two
/// // MUG rows disagree on the amount.
/// assert_eq!(conflicting_reimbursements(&rows).into_iter().collect::<Vec<_>>(), ["R2"]);
/// # Ok::<(), merchantry_amazon::ReadError>(())
/// ```
#[must_use]
pub fn conflicting_reimbursements<'a>(
    rows: impl IntoIterator<Item = &'a ReimbursementRow>,
) -> BTreeSet<&'a str> {
    line_items(rows).conflicting
}

/// Reimbursement rows sorted into line items ([`line_items`]).
struct LineItems<'a> {
    /// The payments' items, the conflicting ones included.
    payments: Vec<Vec<&'a ReimbursementRow>>,
    /// The reversals' items, the conflicting ones included.
    reversals: Vec<Vec<&'a ReimbursementRow>>,
    /// Rows passed over as exact repeats of an earlier one.
    repeated: usize,
    /// The ids with an item of two or more differing rows.
    conflicting: BTreeSet<&'a str>,
}

/// `rows` grouped into line items, payments and reversals apart
/// ([`ReimbursementRow::is_reversal`]), each by [`distinct_reimbursements`]:
/// the one place where repeats and conflicts are decided, for
/// [`match_reimbursements_net`] and [`conflicting_reimbursements`] alike.
fn line_items<'a>(rows: impl IntoIterator<Item = &'a ReimbursementRow>) -> LineItems<'a> {
    let (reversals, payments): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.is_reversal());
    let (mut repeated, mut conflicting) = (0, BTreeSet::new());
    let payments = distinct_reimbursements(payments, &mut repeated, &mut conflicting);
    let reversals = distinct_reimbursements(reversals, &mut repeated, &mut conflicting);
    LineItems { payments, reversals, repeated, conflicting }
}

/// The distinct reimbursement rows grouped into items: per id, the
/// rows that can name one item, each distinct row once. An item of one
/// row is matched; an item of two or more differing rows is a
/// contradiction (its id is added to `conflicting`). Adds the exact
/// repeats to `repeated`.
///
/// Rows are of one item when a chain of [`ReimbursementRow::same_item`] links them: a row
/// whose blank cells let it name two items that differ (`W` with a blank
/// FNSKU and `X2` with a blank SKU, beside `V`/`X2`) joins them into one
/// item, in conflict. Linking does not depend on which row comes first,
/// so neither does the grouping (as a first match would), and a row that
/// could name more than one item never pays a loss on a guess.
fn distinct_reimbursements<'a>(
    rows: Vec<&'a ReimbursementRow>,
    repeated: &mut usize,
    conflicting: &mut BTreeSet<&'a str>,
) -> Vec<Vec<&'a ReimbursementRow>> {
    type Item<'a> = Vec<&'a ReimbursementRow>;
    let mut ids: BTreeMap<&'a str, Vec<Item<'a>>> = BTreeMap::new();
    for row in rows {
        let items = ids.entry(row.reimbursement_id.as_str()).or_default();
        if items.iter().flatten().any(|kept| kept.same_content(row)) {
            *repeated += 1;
            continue;
        }
        // The row joins every item it can name, and they become one.
        let (linked, apart): (Vec<Item<'a>>, Vec<Item<'a>>) = std::mem::take(items)
            .into_iter()
            .partition(|item| item.iter().any(|kept| kept.same_item(row)));
        *items = apart;
        let mut joined: Item<'a> = linked.into_iter().flatten().collect();
        joined.push(row);
        items.push(joined);
    }
    let mut all = Vec::new();
    for (id, items) in ids {
        for item in items {
            if item.len() > 1 {
                conflicting.insert(id);
            }
            all.push(item);
        }
    }
    all
}

/// The rows of the items of one row each (to be matched), and the rows
/// of the items in conflict, each distinct row once.
fn split_items<'a>(
    items: &[Vec<&'a ReimbursementRow>],
) -> (Vec<&'a ReimbursementRow>, Vec<&'a ReimbursementRow>) {
    let (mut kept, mut differing) = (Vec::new(), Vec::new());
    for item in items {
        match item.as_slice() {
            [only] => kept.push(*only),
            rows => differing.extend(rows.iter().copied()),
        }
    }
    (kept, differing)
}

/// The order reimbursement rows are taken in: by approval day, then by
/// id and item, never by line, so that the outcome does not depend on
/// the order of the rows given. Two rows kept for matching never share
/// all of it: rows of one id and item are repeats or a conflict.
fn order_key(row: &ReimbursementRow) -> (NaiveDate, &str, Option<&str>, Option<&str>) {
    (
        row.approval_date,
        &row.reimbursement_id,
        row.fnsku.as_ref().map(Fnsku::as_str),
        row.sku.as_ref().map(Sku::as_str),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of an inventory ledger detail report given as text.
    fn losses_in(report: &str) -> Vec<LedgerDetailRow> {
        LedgerDetailReader::new(report.as_bytes()).unwrap().map(Result::unwrap).collect()
    }

    /// The rows of a reimbursements report given as text.
    fn paid_in(report: &str) -> Vec<ReimbursementRow> {
        ReimbursementReader::new(report.as_bytes()).unwrap().map(Result::unwrap).collect()
    }

    /// The matches as (reimbursement id, loss reference, units).
    fn matched(m: &LossMatching) -> Vec<(&str, &str, i64)> {
        m.matches
            .iter()
            .map(|x| (x.reimbursement_id.as_str(), x.loss.reference_id.as_str(), x.units.get()))
            .collect()
    }

    /// The open losses as (reference, units).
    fn still_open(m: &LossMatching) -> Vec<(&str, i64)> {
        m.open_losses.iter().map(|(k, q)| (k.reference_id.as_str(), q.get())).collect()
    }

    /// The line and both columns of each row refused for mixed signs.
    fn mixed_signs(
        rows: &[Result<ReimbursementRow, ReadError>],
    ) -> Vec<(u64, &'static str, &'static str)> {
        rows.iter()
            .filter_map(|r| match r {
                Err(ReadError::MixedSigns { line, column, against, .. }) => {
                    Some((*line, *column, *against))
                }
                _ => None,
            })
            .collect()
    }

    fn unapplied(m: &LossMatching) -> Vec<(&str, i64)> {
        m.unapplied_reversals.iter().map(|(id, q)| (id.as_str(), q.get())).collect()
    }
    use crate::LedgerDetailReader;

    #[test]
    fn reimbursement_covers_earliest_losses_first() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n\
                      03/02/2026,X1,W,Adjustments,A2,-3,ABE2,SELLABLE,M\n\
                      03/02/2026,X1,W,Adjustments,A3,1,ABE2,SELLABLE,F\n\
                      03/09/2026,X1,W,Adjustments,A4,-1,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,quantity-reimbursed-total\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,40,4\n\
                   03/06/2026,R2,Lost_Warehouse,X1,USD,20,2\n\
                   03/06/2026,R3,FeeCorrection,X1,USD,1,1\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        // R1 (4 units): A1 takes 2, A2 takes 2 of its 3.
        // R2 (2 units): A2's last unit; A4 is dated after R2, so 1 unit
        // of R2 is unmatched and A4 stays open. R3 is not a loss payment.
        let got = matched(&m);
        assert_eq!(got, vec![("R1", "A1", 2), ("R1", "A2", 2), ("R2", "A2", 1)]);
        assert_eq!(m.unmatched_reimbursed, vec![("R2".to_owned(), Quantity::new(1))]);
        assert_eq!(m.open_losses.len(), 1);
        assert_eq!(m.open_losses[0].0.reference_id, "A4");
    }

    /// A1 loses 4 units on 03/01 and 1 of them is found on 03/02; D1
    /// damages 1 on 03/03. R1 pays 4 units on 03/05: by the units
    /// written off it paid A1's 4 (the found one too) and left D1
    /// unpaid; over the units still lost it pays A1's 3 and D1's 1. R2
    /// (1 unit, 03/06) then finds nothing left to pay. Units found after
    /// a payment do not undo it: B1 loses 2 on 03/07, R3 pays them on
    /// 03/08 and 1 is found on 03/09, yet R3 keeps both.
    #[test]
    fn matching_over_the_units_still_lost_skips_those_found() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-4,ABE2,SELLABLE,M\n\
                      03/03/2026,X1,W,Adjustments,D1,-1,ABE2,SELLABLE,E\n\
                      03/07/2026,X1,W,Adjustments,B1,-2,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,quantity-reimbursed-total\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,40,4\n\
                   03/06/2026,R2,Lost_Warehouse,X1,USD,10,1\n\
                   03/08/2026,R3,Lost_Warehouse,X1,USD,20,2\n";
        let paid = paid_in(pay);
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let found = |loss: &RowKey, on: NaiveDate| {
            let units = match loss.reference_id.as_str() {
                "A1" if on >= day(2) => 1,
                "B1" if on >= day(9) => 1,
                _ => 0,
            };
            Quantity::new(units)
        };
        let gross = match_reimbursements(&losses, &paid);
        assert_eq!(matched(&gross), [("R1", "A1", 4), ("R2", "D1", 1), ("R3", "B1", 2)]);
        let net = match_reimbursements_net(&losses, &paid, found);
        assert_eq!(matched(&net), [("R1", "A1", 3), ("R1", "D1", 1), ("R3", "B1", 2)]);
        assert_eq!(net.unmatched_reimbursed, [("R2".to_owned(), Quantity::new(1))]);
        // The found unit is not covered: `open_losses` still counts it.
        assert_eq!(still_open(&net), [("A1", 1)]);
        // Found beyond the loss's units is held to them.
        let all = match_reimbursements_net(&losses, &paid, |_, _| Quantity::new(99));
        assert!(all.matches.is_empty());
    }

    /// A copy of R1 (2 units) with its SKU or FNSKU cell blank was a
    /// second line item, so R1 closed A1 and A2 (4 units for 2 paid).
    /// A blank cell names the same item: the two rows contradict, R1 is
    /// matched to nothing and both losses stay open.
    #[test]
    fn a_copy_with_a_blank_item_cell_is_a_conflict_not_a_second_line_item() {
        let head = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                    Disposition,Reason\n";
        let ledger = format!(
            "{head}03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n\
             03/02/2026,X1,W,Adjustments,A2,-2,ABE2,SELLABLE,M\n"
        );
        let losses = losses_in(&ledger);
        let head = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                    quantity-reimbursed-cash,quantity-reimbursed-inventory,quantity-reimbursed-total\n";
        for blank in [
            "03/05/2026,R1,Lost_Warehouse,,X1,USD,20.00,2,0,2",
            "03/05/2026,R1,Lost_Warehouse,W,,USD,20.00,2,0,2",
        ] {
            let text =
                format!("{head}{blank}\n03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2,0,2\n");
            let paid: Vec<ReimbursementRow> =
                ReimbursementReader::new(text.as_bytes()).unwrap().map(Result::unwrap).collect();
            let m = match_reimbursements(&losses, &paid);
            assert!(m.matches.is_empty(), "{blank}: {:?}", m.matches);
            assert_eq!(m.conflicting_reimbursements, ["R1"], "{blank}");
            let open = still_open(&m);
            assert_eq!(open, [("A1", 2), ("A2", 2)], "{blank}");
        }
    }

    /// Two overlapping downloads of each report, passed in together:
    /// R1 (2 units) was read twice and its copy closed A2 as well as A1,
    /// the two R2 rows (one revised from 10.00 to 12.00) closed A2's 2
    /// units between them, and every loss was counted twice.
    #[test]
    fn overlapping_downloads_match_as_if_each_row_were_read_once() {
        let head = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                    Disposition,Reason,Reconciled Quantity,Unreconciled Quantity\n";
        let first = format!(
            "{head}03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M,0,2\n\
             03/02/2026,X2,V,Adjustments,A3,-1,ABE2,SELLABLE,M,0,1\n\
             03/03/2026,X1,W,Adjustments,A2,-2,ABE2,SELLABLE,M,0,2\n"
        );
        // The later download: A1 since reconciled, A3 before its period.
        let later = format!(
            "{head}03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M,2,0\n\
             03/03/2026,X1,W,Adjustments,A2,-2,ABE2,SELLABLE,M,0,2\n"
        );
        let read_ledger = |text: &str| -> Vec<LedgerDetailRow> {
            LedgerDetailReader::new(text.as_bytes()).unwrap().map(Result::unwrap).collect()
        };
        let mut losses = read_ledger(&first);
        losses.extend(read_ledger(&later));

        let head = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                    quantity-reimbursed-total\n";
        let first = format!(
            "{head}03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2\n\
             03/06/2026,R2,Lost_Warehouse,W,X1,USD,10.00,1\n"
        );
        // R1 again (20 is 20.00), R2 revised, and R3's two line items.
        let later = format!(
            "{head}03/05/2026,R1,Lost_Warehouse,W,X1,USD,20,2\n\
             03/06/2026,R2,Lost_Warehouse,W,X1,USD,12.00,1\n\
             03/07/2026,R3,Lost_Warehouse,W,X1,USD,10.00,1\n\
             03/07/2026,R3,Lost_Warehouse,V,X2,USD,5.00,1\n"
        );
        let read_paid = |text: &str| -> Vec<ReimbursementRow> {
            ReimbursementReader::new(text.as_bytes()).unwrap().map(Result::unwrap).collect()
        };
        let mut paid = read_paid(&first);
        paid.extend(read_paid(&later));

        let m = match_reimbursements(&losses, &paid);
        // Losses once each: A1 2 (X1, 03/01), A3 1 (X2, 03/02), A2 2
        // (X1, 03/03). R1 (2) closes A1. R2 is left out. R3's X1 line
        // (1) takes 1 of A2's 2; its X2 line (1) closes A3. Open: A2, 1.
        let got = matched(&m);
        assert_eq!(got, [("R1", "A1", 2), ("R3", "A2", 1), ("R3", "A3", 1)]);
        let open = still_open(&m);
        assert_eq!(open, [("A2", 1)]);
        assert!(m.unmatched_reimbursed.is_empty(), "{m:?}");
        // A1 and A2 came twice, R1 twice; R2's two rows contradict.
        assert_eq!((m.repeated_losses, m.repeated_reimbursements), (2, 1));
        assert_eq!(m.conflicting_reimbursements, ["R2"]);
        // Passing the same downloads once more changes no match.
        let (twice_losses, twice_paid) =
            ([&losses[..], &losses[..]].concat(), [&paid[..], &paid[..]].concat());
        let again = match_reimbursements(&twice_losses, &twice_paid);
        assert_eq!(
            (again.matches, again.open_losses, again.conflicting_reimbursements),
            (m.matches, m.open_losses, m.conflicting_reimbursements)
        );
        // 5 loss rows twice are 3 losses and 7 repeats; 6 paid rows twice
        // are 5 distinct rows and 7 repeats.
        assert_eq!((again.repeated_losses, again.repeated_reimbursements), (7, 7));
    }

    /// A total that disagreed with its parts was read as written: the
    /// row below says 2 units in cash and 0 in kind but 3 in total, and
    /// the matcher closed 3 lost units with it. Such a row is refused,
    /// naming line and column; the rows around it are read.
    #[test]
    fn a_total_that_is_not_cash_plus_inventory_is_refused() {
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-cash,quantity-reimbursed-inventory,quantity-reimbursed-total\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,20,2,0,3\n\
                   03/05/2026,R2,Lost_Warehouse,X1,USD,20,2,1,3\n\
                   03/05/2026,R3,Lost_Warehouse,X1,USD,0,,1,0\n\
                   03/05/2026,R4,Lost_Warehouse,X1,USD,10,1,,1\n\
                   03/05/2026,R5,Lost_Warehouse,X1,USD,10,,,1\n";
        let mut reader = ReimbursementReader::new(pay.as_bytes()).unwrap();
        let rows: Vec<_> = reader.by_ref().collect();
        // R1: 2 + 0 = 2, not 3. R2: 2 + 1 = 3. R3: 0 + 1 = 1, not 0.
        // R4: 1 + blank = 1. R5: no part written, nothing to check.
        match &rows[0] {
            Err(ReadError::TotalMismatch { line: 2, column, total, parts, .. }) => {
                assert_eq!(
                    (*column, total.get(), parts.get()),
                    ("quantity-reimbursed-total", 3, 2)
                );
            }
            other => panic!("expected a total mismatch on line 2, got {other:?}"),
        }
        assert!(matches!(rows[2], Err(ReadError::TotalMismatch { line: 4, .. })), "{:?}", rows[2]);
        let totals: Vec<_> = rows
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| (r.reimbursement_id.as_str(), r.quantity_total.get()))
            .collect();
        assert_eq!(totals, [("R2", 3), ("R4", 1), ("R5", 1)]);
        assert_eq!((reader.stats().rows, reader.stats().row_errors), (3, 2));
        let message = rows[0].as_ref().unwrap_err().to_string();
        assert_eq!(
            message,
            "reimbursements: line 2, column \"quantity-reimbursed-total\": \
             total 3 is not the sum of its parts, 2"
        );
    }

    /// A download without `quantity-reimbursed-total` (or with the cell
    /// blank) read every reimbursement as 0 units, so none was matched:
    /// the 2 lost units stayed open though 2 were paid for in cash.
    #[test]
    fn a_blank_total_is_cash_plus_inventory() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-cash,quantity-reimbursed-inventory\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,20,2,\n\
                   03/05/2026,R2,Lost_Warehouse,X1,USD,0,,1\n";
        let paid = paid_in(pay);
        // R1: 2 cash + 0 inventory = 2; R2: 0 + 1 = 1.
        let totals: Vec<_> = paid.iter().map(|r| r.quantity_total.get()).collect();
        assert_eq!(totals, [2, 1]);
        let m = match_reimbursements(&losses, &paid);
        assert!(m.open_losses.is_empty(), "{m:?}");
        assert_eq!(m.unmatched_reimbursed, vec![("R2".to_owned(), Quantity::new(1))]);
        // A total written without its parts stays as written.
        let written = "approval-date,reimbursement-id,reason,currency-unit,amount-total,\
                       quantity-reimbursed-cash,quantity-reimbursed-total\n\
                       03/05/2026,R3,Lost_Warehouse,USD,20,,3\n";
        let row = ReimbursementReader::new(written.as_bytes()).unwrap().next().unwrap().unwrap();
        assert_eq!(row.quantity_total, Quantity::new(3));
        // Parts whose sum leaves 64 bits are refused, naming the line.
        let huge = format!(
            "approval-date,reimbursement-id,reason,currency-unit,amount-total,\
             quantity-reimbursed-cash,quantity-reimbursed-inventory\n\
             03/05/2026,R4,Lost_Warehouse,USD,20,{max},1\n",
            max = i64::MAX
        );
        let err = ReimbursementReader::new(huge.as_bytes()).unwrap().next().unwrap().unwrap_err();
        assert!(matches!(err, ReadError::InvalidValue { line: 2, .. }), "{err}");
    }

    /// A reversal took nothing back: R1 paid for A1's 2 lost units, R9
    /// (`Reimbursement_Reversal`, -1 unit, -10.00, original R1) took one
    /// of them back because the unit was found, yet A1 stayed closed.
    /// R1 now covers 2 - 1 = 1 unit and A1 shows 1 unit open again.
    #[test]
    fn a_reversal_reopens_the_loss_its_original_covered() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let head = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                    quantity-reimbursed-cash,quantity-reimbursed-inventory,\
                    quantity-reimbursed-total,original-reimbursement-id\n";
        let pay = format!(
            "{head}03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2,0,2,\n\
             03/20/2026,R9,Reimbursement_Reversal,W,X1,USD,-10.00,-1,0,-1,R1\n"
        );
        let paid = paid_in(&pay);
        assert!(paid[1].is_reversal() && !paid[0].is_reversal());
        let m = match_reimbursements(&losses, &paid);
        assert_eq!(matched(&m), [("R1", "A1", 1)]);
        assert_eq!(still_open(&m), [("A1", 1)]);
        assert!(m.unapplied_reversals.is_empty(), "{m:?}");
        // The whole payment reversed (a second reversal of 1, and a copy
        // of it from an overlapping download): A1 is open in full.
        let all =
            format!("{pay}03/21/2026,R10,Reimbursement_Reversal,W,X1,USD,-10.00,-1,0,-1,R1\n");
        let mut paid: Vec<_> =
            ReimbursementReader::new(all.as_bytes()).unwrap().map(Result::unwrap).collect();
        paid.push(paid[2].clone());
        let m = match_reimbursements(&losses, &paid);
        assert!(m.matches.is_empty(), "{m:?}");
        assert_eq!(still_open(&m), [("A1", 2)]);
        assert_eq!(m.repeated_reimbursements, 1);
        // A reversal of more than is left, of an id not given, or naming
        // no original takes nothing from the losses and is listed.
        let odd = format!(
            "{head}03/05/2026,R1,Lost_Warehouse,W,X1,USD,10.00,1,0,1,\n\
             03/20/2026,R9,Reimbursement_Reversal,W,X1,USD,-20.00,-2,0,-2,R1\n\
             03/20/2026,R11,Reimbursement_Reversal,W,X1,USD,-10.00,-1,0,-1,R0\n\
             03/20/2026,R12,Lost_Warehouse,W,X1,USD,-10.00,-1,0,-1,\n"
        );
        let paid: Vec<_> =
            ReimbursementReader::new(odd.as_bytes()).unwrap().map(Result::unwrap).collect();
        let m = match_reimbursements(&losses, &paid);
        // R1's 1 unit is taken back by R9, whose second unit is left.
        assert!(m.matches.is_empty(), "{m:?}");
        assert_eq!(still_open(&m), [("A1", 2)]);
        // Reversals of one day are taken by id ("R11" < "R12" < "R9").
        assert_eq!(unapplied(&m), [("R11", 1), ("R12", 1), ("R9", 1)]);
    }

    /// A `Reimbursement_Reversal` row with every cell positive (20.00,
    /// 2 units) was read: `is_reversal` took 2 units back from R1 while
    /// `charge` booked +20.00 income. It is refused, naming the line and
    /// the first positive column. A paying reason with negative cells is
    /// read as a reversal whose charge is negative, and so is a paying
    /// reason with only a negative amount (listed, with 0 units).
    #[test]
    fn a_reversal_with_positive_cells_is_refused() {
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-cash,quantity-reimbursed-inventory,\
                   quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,20.00,2,0,2,\n\
                   03/20/2026,R9,Reimbursement_Reversal,X1,USD,20.00,2,0,2,R1\n\
                   03/20/2026,R10,Reimbursement_Reversal,X1,USD,0,,,2,R1\n\
                   03/20/2026,R11,Lost_Warehouse,X1,USD,-10.00,-1,0,-1,R1\n\
                   03/21/2026,R12,Lost_Warehouse,X1,USD,-5.00,,,,R1\n";
        let rows: Vec<_> = ReimbursementReader::new(pay.as_bytes()).unwrap().collect();
        let refused: Vec<_> = rows
            .iter()
            .filter_map(|r| match r {
                Err(ReadError::PositiveReversal { line, column, value, .. }) => {
                    Some((*line, *column, value.to_string()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            refused,
            [
                (3, "amount-total", "20.00".to_owned()),
                (4, "quantity-reimbursed-total", "2".to_owned())
            ]
        );
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "reimbursements: line 3, column \"amount-total\": 20.00 is positive in a \
             Reimbursement_Reversal row; a reversal's non-zero amounts and units are negative"
        );
        let paid: Vec<_> = rows.into_iter().filter_map(Result::ok).collect();
        let read: Vec<_> = paid
            .iter()
            .map(|r| (r.reimbursement_id.as_str(), r.is_reversal(), r.charge().amount.to_string()))
            .collect();
        assert_eq!(
            read,
            [
                ("R1", false, "20.00 USD".to_owned()),
                ("R11", true, "-10.00 USD".to_owned()),
                ("R12", true, "-5.00 USD".to_owned()),
            ]
        );
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let m = match_reimbursements(&losses, &paid);
        // R1 pays 2, R11 takes 1 back: A1 has 2 - 1 = 1 unit covered, 1
        // open. R12 gives no units: listed with 0.
        assert_eq!(matched(&m), [("R1", "A1", 1)]);
        assert_eq!(still_open(&m), [("A1", 1)]);
        assert_eq!(unapplied(&m), [("R12", 0)]);
    }

    /// R1 paid for two line items, X1 (A1, 2 units) and X2 (A2, 1 unit).
    /// R9 reversed 1 unit of R1 with its SKU and FNSKU blank and was
    /// applied to whichever item came first, reopening A1 on a guess. It
    /// is listed as unapplied and both losses stay closed. Against R5,
    /// of one item, a blank item is that item and is applied.
    #[test]
    fn a_blank_item_reversal_of_an_original_with_several_items_is_unapplied() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n\
                      03/01/2026,X2,V,Adjustments,A2,-1,ABE2,SELLABLE,M\n\
                      03/02/2026,X3,U,Adjustments,A3,-1,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2,\n\
                   03/05/2026,R1,Lost_Warehouse,V,X2,USD,10.00,1,\n\
                   03/05/2026,R5,Lost_Warehouse,U,X3,USD,10.00,1,\n\
                   03/20/2026,R9,Reimbursement_Reversal,,,USD,-10.00,-1,R1\n\
                   03/20/2026,R10,Reimbursement_Reversal,,,USD,-10.00,-1,R5\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        // R1 closes A1 (2) and A2 (1); R5's 1 unit is taken back by R10,
        // so A3 is open again.
        assert_eq!(matched(&m), [("R1", "A1", 2), ("R1", "A2", 1)]);
        assert_eq!(still_open(&m), [("A3", 1)]);
        assert_eq!(unapplied(&m), [("R9", 1)]);
    }

    /// R9, a reversal of 1 of R1's 2 units, was revised between two
    /// downloads (-10.00, then -12.00). It went to
    /// `conflicting_reimbursements`, whose docs said its losses stay
    /// open, yet A1 stayed closed and R9 was listed nowhere else. Neither
    /// row is applied, A1 stays closed (R1 still covers 2), and both rows
    /// are listed as unapplied, 1 unit each.
    #[test]
    fn a_conflicting_reversal_is_listed_as_unapplied() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2,\n\
                   03/20/2026,R9,Reimbursement_Reversal,W,X1,USD,-12.00,-1,R1\n\
                   03/20/2026,R9,Reimbursement_Reversal,W,X1,USD,-10.00,-1,R1\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        assert_eq!(m.conflicting_reimbursements, ["R9"]);
        assert_eq!(matched(&m), [("R1", "A1", 2)]);
        assert!(m.open_losses.is_empty(), "{m:?}");
        assert_eq!(unapplied(&m), [("R9", 1), ("R9", 1)]);
        // In the other order, the same.
        let mut reversed = paid.clone();
        reversed.reverse();
        assert_eq!(match_reimbursements(&losses, &reversed), m);
    }

    /// `amount-per-unit` was not checked for sign: -10.00 per unit on a
    /// 20.00 payment of 2 units was read. It is refused as mixed signs,
    /// naming the per-unit column; a per-unit amount agreeing with the
    /// row (10.00 on a payment, -10.00 on a reversal, 0) is read.
    #[test]
    fn a_per_unit_amount_of_the_other_sign_is_refused() {
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-per-unit,\
                   amount-total,quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,-10.00,20.00,2,\n\
                   03/05/2026,R2,Lost_Warehouse,X1,USD,10.00,20.00,2,\n\
                   03/20/2026,R9,Reimbursement_Reversal,X1,USD,10.00,-10.00,-1,R2\n\
                   03/20/2026,R10,Reimbursement_Reversal,X1,USD,-10.00,-10.00,-1,R2\n\
                   03/20/2026,R11,Lost_Warehouse,X1,USD,0,0,1,\n";
        let rows: Vec<_> = ReimbursementReader::new(pay.as_bytes()).unwrap().collect();
        let refused = mixed_signs(&rows);
        assert_eq!(
            refused,
            [(2, "amount-per-unit", "amount-total"), (4, "amount-per-unit", "amount-total")]
        );
        let read: Vec<_> = rows
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.reimbursement_id.as_str())
            .collect();
        assert_eq!(read, ["R2", "R10", "R11"]);
    }

    /// A reversal that gives no units (quantity cells blank or 0, only
    /// -10.00 taken back) was neither applied nor listed, though a
    /// reversal that cannot be applied is listed: it vanished. It is
    /// listed with 0 units, and R1's 2 units still close A1.
    #[test]
    fn a_reversal_without_units_is_listed_as_unapplied() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-cash,quantity-reimbursed-inventory,\
                   quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2,0,2,\n\
                   03/20/2026,R9,Reimbursement_Reversal,W,X1,USD,-10.00,,,,R1\n\
                   03/21/2026,R10,Reimbursement_Reversal,W,X1,USD,-5.00,0,0,0,R1\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        assert_eq!(matched(&m), [("R1", "A1", 2)]);
        assert!(m.open_losses.is_empty(), "{m:?}");
        assert_eq!(unapplied(&m), [("R9", 0), ("R10", 0)]);
    }

    /// A row paying in cash and taking inventory back at once (cash 2,
    /// inventory -1, total 1) was read as 1 unit paid, and matched to a
    /// loss; so was 20.00 paid for -2 units. A row either pays or takes
    /// back: mixed signs are refused, naming the line, the column whose
    /// sign disagrees and the first signed column it disagrees with.
    #[test]
    fn a_row_with_parts_of_both_signs_is_refused() {
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-cash,quantity-reimbursed-inventory,quantity-reimbursed-total\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,20,2,-1,1\n\
                   03/05/2026,R2,Lost_Warehouse,X1,USD,20,-2,0,-2\n\
                   03/05/2026,R3,Lost_Warehouse,X1,USD,-10,,,1\n\
                   03/05/2026,R4,Reimbursement_Reversal,X1,USD,-10,-1,0,-1\n\
                   03/05/2026,R5,Lost_Warehouse,X1,USD,0,0,1,1\n";
        let mut reader = ReimbursementReader::new(pay.as_bytes()).unwrap();
        let rows: Vec<_> = reader.by_ref().collect();
        let refused = mixed_signs(&rows);
        assert_eq!(
            refused,
            [
                (2, "quantity-reimbursed-inventory", "amount-total"),
                (3, "quantity-reimbursed-cash", "amount-total"),
                (4, "quantity-reimbursed-total", "amount-total"),
            ]
        );
        // A reversal (all negative) and an in-kind payment (amount 0,
        // which has no sign) are read.
        let read: Vec<_> = rows
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.reimbursement_id.as_str())
            .collect();
        assert_eq!(read, ["R4", "R5"]);
        assert_eq!((reader.stats().rows, reader.stats().row_errors), (2, 3));
        assert_eq!(
            rows[0].as_ref().unwrap_err().to_string(),
            "reimbursements: line 2, column \"quantity-reimbursed-inventory\": -1 has the \
             opposite sign to column \"amount-total\"; a row pays or takes back, not both"
        );
    }

    /// Two loss rows without a reference id that agree in every key
    /// column were counted as two losses when they came from one
    /// download, telling downloads apart by rising lines. They are one
    /// loss (a real detail view consolidates such movements), however
    /// many times and in whatever order they come: R1's 1 unit closes it.
    #[test]
    fn a_payment_covers_damage_that_was_not_amazons_last() {
        // An expired unit (7) written off the day before a lost one (M),
        // then one Lost_Warehouse payment: it pays the lost unit, and the
        // expired one stays open. First in first out alone paid the
        // expired unit and left the lost one open.
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-1,ABE2,SELLABLE,7\n\
                      03/02/2026,X1,W,Adjustments,A2,-1,ABE2,SELLABLE,M\n";
        let pay = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,W,X1,USD,10.00,1,\n";
        let m = match_reimbursements(&losses_in(ledger), &paid_in(pay));
        assert_eq!(matched(&m), [("R1", "A2", 1)]);
        assert_eq!(still_open(&m), [("A1", 1)]);
    }

    #[test]
    fn twin_losses_without_a_reference_id_are_one_loss() {
        let head = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                    Disposition,Reason\n";
        let ledger = format!(
            "{head}03/01/2026,X1,W,Adjustments,,-1,ABE2,SELLABLE,M\n\
             03/01/2026,X1,W,Receipts,S1,5,ABE2,SELLABLE,\n\
             03/01/2026,X1,W,Adjustments,,-1,ABE2,SELLABLE,M\n"
        );
        let losses = losses_in(&ledger);
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,10.00,1\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        // One loss of 1 unit, closed by R1; the twin is a repeat.
        assert_eq!(matched(&m), [("R1", "", 1)]);
        assert!(m.open_losses.is_empty(), "{m:?}");
        assert_eq!(m.repeated_losses, 1);
        // The download twice: still one loss, three repeats.
        let twice = [&losses[..], &losses[..]].concat();
        let again = match_reimbursements(&twice, &paid);
        assert_eq!((again.matches, again.open_losses), (m.matches, m.open_losses));
        assert_eq!(again.repeated_losses, 3);
    }

    /// The outcome hung on the order of the loss rows: with twins told
    /// apart by rising lines, a second download read from line 3 on
    /// (leading rows skipped), the rows filtered to losses, or sorted by
    /// date, counted the blank-reference loss below twice (2 units open
    /// after R1's 1, or R2 claimed for a unit not lost), and a download
    /// passed newest first counted it once. Every order now gives the
    /// same matches, open losses and repeats.
    #[test]
    fn loss_rows_in_any_order_match_the_same() {
        let head = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                    Disposition,Reason\n";
        let read = |text: &str| -> Vec<LedgerDetailRow> {
            LedgerDetailReader::new(format!("{head}{text}").as_bytes())
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        // Lines 2 to 5, then an overlapping download whose leading rows
        // were skipped, so its first row is line 6.
        let first = read(
            "03/01/2026,X1,W,Adjustments,,-1,ABE2,SELLABLE,M\n\
             03/01/2026,X1,W,Receipts,S1,5,ABE2,SELLABLE,\n\
             03/02/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,E\n\
             03/01/2026,X1,W,Adjustments,A0,-1,PHX3,SELLABLE,M\n",
        );
        let later: Vec<_> = read(
            "03/09/2026,X1,W,Receipts,S2,1,ABE2,SELLABLE,\n\
             03/09/2026,X1,W,Receipts,S3,1,ABE2,SELLABLE,\n\
             03/09/2026,X1,W,Receipts,S4,1,ABE2,SELLABLE,\n\
             03/09/2026,X1,W,Receipts,S5,1,ABE2,SELLABLE,\n\
             03/01/2026,X1,W,Adjustments,,-1,ABE2,SELLABLE,M\n\
             03/02/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,E\n",
        )
        .into_iter()
        .skip(4)
        .collect();
        let pay = "approval-date,reimbursement-id,reason,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total\n\
                   03/05/2026,R2,Lost_Warehouse,X1,USD,20.00,2\n\
                   03/05/2026,R1,Lost_Warehouse,X1,USD,30.00,3\n";
        let paid = paid_in(pay);
        let both = [&first[..], &later[..]].concat();
        let m = match_reimbursements(&both, &paid);
        // Losses: 03/01 blank (1) and A0 (1, PHX3), 03/02 A1 (2): 4 units,
        // 2 repeats. On 03/01 the blank reference sorts before A0. R1 (3)
        // then R2 (2), one day, by id: R1 covers "" 1, A0 1, A1 1; R2
        // covers A1's last unit and has 1 left.
        assert_eq!(matched(&m), [("R1", "", 1), ("R1", "A0", 1), ("R1", "A1", 1), ("R2", "A1", 1)]);
        assert!(m.open_losses.is_empty(), "{m:?}");
        assert_eq!(m.unmatched_reimbursed, [("R2".to_owned(), Quantity::new(1))]);
        assert_eq!(m.repeated_losses, 2);
        let negative = |rows: &[LedgerDetailRow]| -> Vec<LedgerDetailRow> {
            rows.iter().filter(|r| r.quantity.is_negative()).cloned().collect()
        };
        let mut by_date = both.clone();
        by_date.sort_by_key(|r| r.date);
        let mut reversed = both.clone();
        reversed.reverse();
        let mut paid_reversed = paid.clone();
        paid_reversed.reverse();
        let orders: [(&str, Vec<LedgerDetailRow>, &[ReimbursementRow]); 6] = [
            ("later first", [&later[..], &first[..]].concat(), &paid),
            ("losses only", negative(&both), &paid),
            ("sorted by date", by_date, &paid),
            ("reversed", reversed.clone(), &paid),
            ("reversed, both reports", reversed, &paid_reversed),
            ("each twice", [&both[..], &both[..]].concat(), &paid),
        ];
        for (name, rows, paid) in orders {
            let other = match_reimbursements(&rows, paid);
            assert_eq!(
                (&other.matches, &other.open_losses, &other.unmatched_reimbursed),
                (&m.matches, &m.open_losses, &m.unmatched_reimbursed),
                "{name}"
            );
            let repeats = if name == "each twice" { 2 + 5 } else { 2 };
            assert_eq!(other.repeated_losses, repeats, "{name}");
        }
    }

    /// Every order of `rows`: Heap's algorithm, iteratively.
    fn permutations<T: Clone>(rows: &[T]) -> Vec<Vec<T>> {
        let mut rows = rows.to_vec();
        let mut out = vec![rows.clone()];
        let mut counters = vec![0; rows.len()];
        let mut i = 1;
        while i < rows.len() {
            if counters[i] < i {
                rows.swap(if i % 2 == 0 { 0 } else { counters[i] }, i);
                out.push(rows.clone());
                counters[i] += 1;
                i = 1;
            } else {
                counters[i] = 0;
                i += 1;
            }
        }
        out
    }

    /// R1's rows: W with a blank FNSKU (2 units), V/X2 (1), and X2 with
    /// a blank SKU (1). The third can be the same item as either of the
    /// others, which differ. Each row joined the first item it could
    /// name, so the outcome hung on the order: as written A1 open 2 and
    /// A2 closed, the first two swapped A1 closed and A2 open, reversed
    /// both open. Rows of one id that can name one item are one item,
    /// however they chain (W/blank ~ blank/X2 ~ V/X2), so all three
    /// contradict: R1 is conflicting, nothing is paid on a guess, and
    /// every order of the rows gives that.
    #[test]
    fn rows_linked_through_blank_item_cells_match_the_same_in_any_order() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n\
                      03/01/2026,X2,V,Adjustments,A2,-1,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total\n\
                   03/05/2026,R1,Lost_Warehouse,W,,USD,20.00,2\n\
                   03/05/2026,R1,Lost_Warehouse,V,X2,USD,10.00,1\n\
                   03/05/2026,R1,Lost_Warehouse,,X2,USD,10.00,1\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        assert!(m.matches.is_empty(), "{m:?}");
        assert_eq!(still_open(&m), [("A1", 2), ("A2", 1)]);
        assert_eq!(m.conflicting_reimbursements, ["R1"]);
        assert!(m.unmatched_reimbursed.is_empty(), "{m:?}");
        let orders = permutations(&paid);
        assert_eq!(orders.len(), 6);
        for rows in orders {
            let lines: Vec<_> = rows.iter().map(|r| r.line).collect();
            assert_eq!(match_reimbursements(&losses, &rows), m, "lines {lines:?}");
        }
    }

    /// R1's X1 line was revised between downloads (20.00, then 25.00,
    /// both 2 units) and its X2 line is clean (10.00, 1 unit). R9 takes
    /// 1 unit back with its SKU and FNSKU blank: it could name X1 or X2.
    /// The X1 rows were left out before the reversal looked, so it found
    /// X2 alone, took its unit on a guess, reopened A2 and was listed
    /// nowhere. The original's items are counted over all its rows, the
    /// conflicting ones included: R9 names two, so it is unapplied, R1's
    /// X2 line still closes A2, and A1 stays open (R1's X1 conflicts).
    #[test]
    fn a_blank_item_reversal_counts_the_originals_conflicting_items() {
        let ledger = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason\n\
                      03/01/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M\n\
                      03/01/2026,X2,V,Adjustments,A2,-1,ABE2,SELLABLE,M\n";
        let losses = losses_in(ledger);
        let pay = "approval-date,reimbursement-id,reason,sku,fnsku,currency-unit,amount-total,\
                   quantity-reimbursed-total,original-reimbursement-id\n\
                   03/05/2026,R1,Lost_Warehouse,W,X1,USD,20.00,2,\n\
                   03/05/2026,R1,Lost_Warehouse,W,X1,USD,25.00,2,\n\
                   03/05/2026,R1,Lost_Warehouse,V,X2,USD,10.00,1,\n\
                   03/20/2026,R9,Reimbursement_Reversal,,,USD,-10.00,-1,R1\n";
        let paid = paid_in(pay);
        let m = match_reimbursements(&losses, &paid);
        assert_eq!(m.conflicting_reimbursements, ["R1"]);
        assert_eq!(matched(&m), [("R1", "A2", 1)]);
        assert_eq!(still_open(&m), [("A1", 2)]);
        assert_eq!(unapplied(&m), [("R9", 1)]);
        // Naming X2 outright, the reversal is applied to R1's clean line.
        let named = pay.replace(",,,USD,-10.00", ",V,X2,USD,-10.00");
        let paid: Vec<_> =
            ReimbursementReader::new(named.as_bytes()).unwrap().map(Result::unwrap).collect();
        let m = match_reimbursements(&losses, &paid);
        assert!(m.matches.is_empty(), "{m:?}");
        assert_eq!(still_open(&m), [("A1", 2), ("A2", 1)]);
        assert!(m.unapplied_reversals.is_empty(), "{m:?}");
    }
    /// A hand-made payment row of reimbursement `id` for `fnsku` and
    /// `sku` (blank when `None`): `amount` USD for `units` units, on line
    /// `line`.
    fn hand_made(
        id: &str,
        item: (Option<&str>, Option<&str>),
        amount: &str,
        units: i64,
        line: u64,
    ) -> ReimbursementRow {
        ReimbursementRow {
            approval_date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            approved_at: None,
            reimbursement_id: id.to_owned(),
            case_id: Some("C1".to_owned()),
            order_id: None,
            reason: if units < 0 {
                ReimbursementReason::Reversal
            } else {
                ReimbursementReason::LostWarehouse
            },
            sku: item.1.map(|s| Sku::new(s).unwrap()),
            fnsku: item.0.map(|f| Fnsku::new(f).unwrap()),
            asin: None,
            amount_per_unit: None,
            amount_total: Money::new(amount.parse().unwrap(), "USD".parse().unwrap()),
            quantity_cash: Quantity::new(units),
            quantity_inventory: Quantity::ZERO,
            quantity_total: Quantity::new(units),
            original_reimbursement_id: (units < 0).then(|| "P0".to_owned()),
            line,
        }
    }

    /// A row read twice is the same content on another line, its amount
    /// written with another scale too; a change to any other field, one
    /// at a time, makes it another row.
    #[test]
    fn same_content_compares_every_field_but_the_line() {
        let row = hand_made("R1", (Some("X1"), Some("W")), "12.50", 1, 2);
        let again = ReimbursementRow {
            line: 40,
            amount_total: Money::new("12.5".parse().unwrap(), "USD".parse().unwrap()),
            ..row.clone()
        };
        assert!(row.same_content(&again) && again.same_content(&row));
        let other_day = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-03-05T10:00:00+00:00").unwrap();
        let usd = |a: &str| Money::new(a.parse().unwrap(), "USD".parse().unwrap());
        let changed: Vec<(&str, ReimbursementRow)> = vec![
            ("approval date", ReimbursementRow { approval_date: other_day, ..row.clone() }),
            ("approved at", ReimbursementRow { approved_at: Some(at), ..row.clone() }),
            ("id", ReimbursementRow { reimbursement_id: "R2".to_owned(), ..row.clone() }),
            ("case id", ReimbursementRow { case_id: None, ..row.clone() }),
            ("order", ReimbursementRow { order_id: Some("111-1".parse().unwrap()), ..row.clone() }),
            (
                "reason",
                ReimbursementRow { reason: ReimbursementReason::DamagedWarehouse, ..row.clone() },
            ),
            ("sku", ReimbursementRow { sku: None, ..row.clone() }),
            ("fnsku", ReimbursementRow { fnsku: Some(Fnsku::new("X2").unwrap()), ..row.clone() }),
            ("asin", ReimbursementRow { asin: Some("B000000001".parse().unwrap()), ..row.clone() }),
            ("per unit", ReimbursementRow { amount_per_unit: Some(usd("12.50")), ..row.clone() }),
            ("amount", ReimbursementRow { amount_total: usd("12.51"), ..row.clone() }),
            (
                "currency",
                ReimbursementRow {
                    amount_total: Money::new("12.50".parse().unwrap(), "EUR".parse().unwrap()),
                    ..row.clone()
                },
            ),
            (
                "cash and inventory",
                ReimbursementRow {
                    quantity_cash: Quantity::ZERO,
                    quantity_inventory: Quantity::new(1),
                    ..row.clone()
                },
            ),
            ("total", ReimbursementRow { quantity_total: Quantity::new(2), ..row.clone() }),
            (
                "original",
                ReimbursementRow {
                    original_reimbursement_id: Some("R0".to_owned()),
                    ..row.clone()
                },
            ),
        ];
        for (what, other) in &changed {
            assert!(!row.same_content(other) && !other.same_content(&row), "{what}");
        }
    }

    /// The conflicting ids of hand-made rows: R1's repeat (another line)
    /// and its second item are no conflict; R2's rows of one item
    /// disagree on the amount; R3's row with a blank SKU links its two
    /// items into one, in conflict; R4's payment and its reversal are
    /// apart, and so no conflict; R5's two reversal rows disagree. The
    /// same ids as the matching lists, in every order of the rows.
    #[test]
    fn conflicting_reimbursements_are_the_matchings_in_any_order() {
        let rows = [
            hand_made("R1", (Some("X1"), Some("W")), "10.00", 1, 2),
            hand_made("R1", (Some("X1"), Some("W")), "10.0", 1, 3),
            hand_made("R1", (Some("X2"), Some("V")), "10.00", 1, 4),
            hand_made("R2", (Some("X1"), Some("W")), "10.00", 1, 5),
            hand_made("R2", (Some("X1"), None), "11.00", 1, 6),
            hand_made("R3", (None, Some("W")), "20.00", 2, 7),
            hand_made("R3", (Some("X2"), Some("V")), "10.00", 1, 8),
            hand_made("R3", (Some("X2"), None), "10.00", 1, 9),
            hand_made("R4", (Some("X1"), Some("W")), "10.00", 1, 10),
            hand_made("R4", (Some("X1"), Some("W")), "-10.00", -1, 11),
            hand_made("R5", (Some("X1"), Some("W")), "-10.00", -1, 12),
            hand_made("R5", (Some("X1"), Some("W")), "-20.00", -2, 13),
        ];
        let ids = conflicting_reimbursements(&rows);
        assert_eq!(ids.iter().copied().collect::<Vec<_>>(), ["R2", "R3", "R5"]);
        assert_eq!(match_reimbursements(&[], &rows).conflicting_reimbursements, ["R2", "R3", "R5"]);
        // Borrowed rows in any order (a slice of them, of R2, R3 and R5
        // alone, in every order; all of them reversed and rotated).
        for order in permutations(&rows[3..8]) {
            let ids = conflicting_reimbursements(order.iter());
            let matched = match_reimbursements(&[], &order).conflicting_reimbursements;
            assert_eq!(ids.into_iter().collect::<Vec<_>>(), matched);
            assert_eq!(matched, ["R2", "R3"]);
        }
        let mut turned = rows.to_vec();
        turned.reverse();
        for _ in 0..rows.len() {
            turned.rotate_left(1);
            let ids: Vec<&str> = conflicting_reimbursements(&turned).into_iter().collect();
            assert_eq!(ids, ["R2", "R3", "R5"]);
        }
        assert!(conflicting_reimbursements(&rows[..3]).is_empty());
        assert!(conflicting_reimbursements(&[]).is_empty());
    }
}
