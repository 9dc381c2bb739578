//! The settlement report flat file (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`
//! and the older layout with typed amount pairs), mapped into charge
//! kinds.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{DateTime, FixedOffset, NaiveDate};
use merchantry_core::{CoreError, Currency, FeeKind, Money, OrderId, Quantity, Sku};

use crate::ReadOptions;
use crate::charge_names::{classify_under, column_decides, says_fee};
use crate::error::{ReadError, ReadStats};
use crate::parse::header_key;
use crate::table::{Built, Column, Row, Table, opt, req};

const REPORT: &str = "settlement";

/// What a settlement amount is, in the terms of a margin model.
///
/// The mapping from Amazon's names is [`ChargeKind::classify`]; a name it
/// does not know is [`ChargeKind::Unknown`], and the reader keeps the
/// original name next to every amount, so nothing is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ChargeKind {
    /// The item price paid by the customer (`Principal`).
    Principal,
    /// Shipping charged to the customer.
    ShippingCharge,
    /// Gift wrap charged to the customer.
    GiftWrapCharge,
    /// Taxes collected or withheld (sales tax, VAT, marketplace
    /// facilitator tax, India's GST parts and tax collected or deducted at
    /// source: `TCS-CGST`, `TCS-SGST`, `TCS-IGST`, `TDS`), and tax on fees.
    Tax,
    /// The marketplace referral fee (`Commission`).
    ReferralFee,
    /// Fulfillment fees (FBA per unit, per order, weight based; MCF).
    FulfillmentFee,
    /// Monthly storage fees.
    StorageFee,
    /// Long-term storage and aged-inventory surcharges.
    AgedInventoryFee,
    /// Inbound transportation and placement fees.
    InboundFee,
    /// Prep and labelling fees.
    PrepFee,
    /// Removal and disposal fees.
    RemovalFee,
    /// Advertising spend (sponsored ads, `Cost of Advertising`).
    Advertising,
    /// Fees for Amazon's marketing programmes other than ads: Lightning
    /// and other deals, coupons, Vine enrollment; core's
    /// [`FeeKind::PromotionProgramme`], kept apart from advertising. A
    /// fee, unlike [`ChargeKind::Promotion`], which is a discount given to
    /// customers.
    MarketingFee,
    /// Returns processing: refund commission, return shipping, customer
    /// return fees.
    ReturnsFee,
    /// Reimbursements for lost or damaged inventory (income), and their
    /// reversals and clawbacks (negative amounts of the same kind). Only
    /// Amazon's own reimbursement names, names that say `reimbursement`
    /// (or `clawback`, `compensated`), and amounts under a reimbursement
    /// amount type are income; a name that says it is a fee or a charge
    /// never is.
    Reimbursement,
    /// Promotions and discounts given to customers.
    Promotion,
    /// Subscription and other account-level fees.
    AccountFee,
    /// Cash Amazon holds back from a payout as a reserve (`Current
    /// Reserve Amount`, negative) or releases from the previous
    /// settlement's reserve (`Previous Reserve Amount Balance`,
    /// positive). Neither revenue nor a fee: it moves the seller's own
    /// money from one payout to the next, so it counts in the
    /// settlement's total but not in a margin
    /// ([`ChargeKind::counts_in_margin`] is `false`, and
    /// [`SettlementAmount::fee_kind`] is `None`).
    ReserveTransfer,
    /// Cash moved between the seller's Amazon balance and the seller's
    /// own bank or card: `Payable to Amazon` (a negative balance carried
    /// as owed), `Successful charge` (the card charged to cover it), a
    /// failed or unsuccessful card charge (a move that did not happen or
    /// was undone), a debt recovered, a failed disbursement, an
    /// unavailable balance. Like
    /// [`ChargeKind::ReserveTransfer`], neither revenue nor a fee: it
    /// counts in the settlement's total but not in a margin
    /// ([`ChargeKind::counts_in_margin`] is `false`, and
    /// [`SettlementAmount::fee_kind`] is `None`).
    BalanceTransfer,
    /// A name this crate does not know; see the amount's `name`.
    Unknown,
}

impl ChargeKind {
    /// Classifies an Amazon amount name (an `amount-description`, a
    /// `*-fee-type` or `price-type` cell, a `transaction-type`, or a
    /// reimbursement `reason`).
    ///
    /// First the whole name, ignoring case, spaces and punctuation, is
    /// looked up among the names Amazon writes (`Principal`, `Commission`,
    /// `FBAPerUnitFulfillmentFee`, `WAREHOUSE_DAMAGE`,
    /// `MISSING_FROM_INBOUND`, `FREE_REPLACEMENT_REFUND_ITEMS`,
    /// `Lost_Warehouse`, `DigitalServicesFee`, `VineEnrollmentFee`, ...).
    /// Otherwise the name is cut into words (at punctuation, digits and
    /// camel-case humps) and only whole words count, so one word inside
    /// another never decides: `Damaged` is not `aged`, `Replacement` is
    /// not `placement`. Taxes come first, then names that say they are a
    /// reimbursement and not a fee, then payout reserves (`reserve`
    /// without a fee word: [`ChargeKind::ReserveTransfer`]), then balance
    /// moves (`payable`, `disbursement`, `balance`, `debt recovery`, or a
    /// card charge such as `Failed charge` or `Card charge`, without a
    /// fee, fees or surcharge word and without words that name a fee:
    /// [`ChargeKind::BalanceTransfer`]), then the fee words.
    ///
    /// Income is claimed narrowly: `lost`, `damaged` or `missing` alone
    /// does not make a name a [`ChargeKind::Reimbursement`] (Amazon names
    /// fees after such defects too), and a name that calls itself a fee or
    /// a charge never is one. The settlement reader also looks at the
    /// amount type a name sits under; see [`SettlementReader`].
    ///
    /// ```
    /// use merchantry_amazon::ChargeKind;
    /// assert_eq!(ChargeKind::classify("FBAPerUnitFulfillmentFee"), ChargeKind::FulfillmentFee);
    /// assert_eq!(ChargeKind::classify("Commission"), ChargeKind::ReferralFee);
    /// assert_eq!(ChargeKind::classify("INBOUND_CARRIER_DAMAGE"), ChargeKind::Reimbursement);
    /// assert_eq!(ChargeKind::classify("SAFE-T Reimbursement"), ChargeKind::Reimbursement);
    /// assert_eq!(ChargeKind::classify("Missing Label Fee"), ChargeKind::PrepFee);
    /// assert_eq!(ChargeKind::classify("TCS-IGST"), ChargeKind::Tax);
    /// assert_eq!(ChargeKind::classify("FBA Long-Term Storage Fee"), ChargeKind::AgedInventoryFee);
    /// assert_eq!(ChargeKind::classify("Previous Reserve Amount Balance"), ChargeKind::ReserveTransfer);
    /// assert_eq!(ChargeKind::classify("Successful charge"), ChargeKind::BalanceTransfer);
    /// assert_eq!(ChargeKind::classify("Failed charge"), ChargeKind::BalanceTransfer);
    /// assert_eq!(ChargeKind::classify("Mystery Fee"), ChargeKind::Unknown);
    /// ```
    #[must_use]
    pub fn classify(name: &str) -> Self {
        crate::charge_names::classify(name)
    }

    /// Whether an amount of this kind belongs in a margin model, as
    /// revenue or as a fee. `false` for [`ChargeKind::ReserveTransfer`]
    /// and [`ChargeKind::BalanceTransfer`]: a reserve held or released, or
    /// a balance owed to Amazon and the card charge that pays it, is the
    /// seller's own cash moving between payouts, bank and card, so a
    /// margin model leaves it out (it still adds up to the settlement's
    /// total). Every other kind, [`ChargeKind::Unknown`]
    /// included, is `true`: an unknown amount is carried as a fee by its
    /// name, never dropped.
    ///
    /// A margin model sorts an amount with this and
    /// [`SettlementAmount::fee_kind`]: left out when this is `false`,
    /// a fee when `fee_kind` is `Some`, revenue (or a tax passed
    /// through) otherwise.
    ///
    /// ```
    /// use merchantry_amazon::ChargeKind;
    /// assert!(!ChargeKind::classify("Current Reserve Amount").counts_in_margin());
    /// assert!(!ChargeKind::classify("Previous Reserve Amount Balance").counts_in_margin());
    /// assert!(!ChargeKind::classify("Payable to Amazon").counts_in_margin());
    /// assert!(ChargeKind::classify("Principal").counts_in_margin());
    /// assert!(ChargeKind::classify("Mystery Fee").counts_in_margin());
    /// ```
    #[must_use]
    pub const fn counts_in_margin(self) -> bool {
        !matches!(self, Self::ReserveTransfer | Self::BalanceTransfer)
    }
}

/// One amount of a settlement row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SettlementAmount {
    /// The kind it maps to: [`ChargeKind::classify`] of the name, except
    /// under a promotion, reimbursement or tax column or amount type,
    /// which decides unless the name says it is a fee (a V2 `Promotion`
    /// row named `Principal` is a [`ChargeKind::Promotion`]).
    pub kind: ChargeKind,
    /// The name as Amazon wrote it (for example `FBAPerUnitFulfillmentFee`).
    pub name: String,
    /// The signed amount: positive is paid to the seller.
    pub amount: Money,
}

impl SettlementAmount {
    /// The fee this amount is in the shared fee vocabulary, or `None` for
    /// what the customer paid or Amazon passed through: principal,
    /// shipping and gift-wrap charges, taxes and promotions belong to
    /// revenue, not to fees. A reserve held or released
    /// ([`ChargeKind::ReserveTransfer`]) or a balance move
    /// ([`ChargeKind::BalanceTransfer`]) is `None` too, but is not
    /// revenue either: check [`ChargeKind::counts_in_margin`] first and
    /// leave such amounts out of a margin.
    ///
    /// Fees this crate knows map to their kind (a removal line whose name
    /// mentions disposal is [`FeeKind::Disposal`]; the digital services
    /// fee goes with the fee it is levied on, [`FeeKind::Referral`] or
    /// [`FeeKind::Fulfillment`]; deal, coupon and Vine fees are
    /// [`FeeKind::PromotionProgramme`], not advertising, and keep their
    /// name on the amount); account-level fees and names it does not know
    /// are [`FeeKind::Other`] under the name Amazon wrote, so an unknown
    /// fee is carried by name, never dropped.
    ///
    /// ```
    /// use merchantry_amazon::{ChargeKind, SettlementAmount};
    /// use merchantry_core::{Currency, Decimal, FeeKind, Money};
    /// let line = |name: &str| SettlementAmount {
    ///     kind: ChargeKind::classify(name),
    ///     name: name.into(),
    ///     amount: Money::new(Decimal::new(-150, 2), Currency::USD),
    /// };
    /// assert_eq!(line("FBAPerUnitFulfillmentFee").fee_kind(), Some(FeeKind::Fulfillment));
    /// assert_eq!(line("Principal").fee_kind(), None);
    /// assert_eq!(line("LightningDealFee").fee_kind(), Some(FeeKind::PromotionProgramme));
    /// assert_eq!(line("PromotionDiscount").fee_kind(), None);
    /// assert_eq!(line("Mystery Fee").fee_kind(), Some(FeeKind::Other("Mystery Fee".into())));
    /// // Cash held back for the next payout: no fee, and not revenue.
    /// let reserve = line("Current Reserve Amount");
    /// assert_eq!((reserve.fee_kind(), reserve.kind.counts_in_margin()), (None, false));
    /// ```
    #[must_use]
    pub fn fee_kind(&self) -> Option<FeeKind> {
        Some(match self.kind {
            ChargeKind::Principal
            | ChargeKind::ShippingCharge
            | ChargeKind::GiftWrapCharge
            | ChargeKind::Tax
            | ChargeKind::Promotion
            | ChargeKind::ReserveTransfer
            | ChargeKind::BalanceTransfer => return None,
            ChargeKind::ReferralFee => FeeKind::Referral,
            ChargeKind::FulfillmentFee => FeeKind::Fulfillment,
            ChargeKind::StorageFee => FeeKind::StorageMonthly,
            ChargeKind::AgedInventoryFee => FeeKind::StorageAged,
            ChargeKind::InboundFee => FeeKind::InboundPlacement,
            ChargeKind::PrepFee => FeeKind::Prep,
            ChargeKind::RemovalFee if header_key(self.name.as_bytes()).contains("disposal") => {
                FeeKind::Disposal
            }
            ChargeKind::RemovalFee => FeeKind::Removal,
            ChargeKind::Advertising => FeeKind::Advertising,
            ChargeKind::MarketingFee => FeeKind::PromotionProgramme,
            ChargeKind::ReturnsFee => FeeKind::ReturnsProcessing,
            ChargeKind::Reimbursement => FeeKind::Reimbursement,
            ChargeKind::AccountFee | ChargeKind::Unknown => FeeKind::Other(self.name.clone()),
        })
    }
}

/// One row of a settlement report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SettlementRow {
    /// The settlement.
    pub settlement_id: String,
    /// The settlement total, on the summary row only.
    pub total: Option<Money>,
    /// `Order`, `Refund`, `other-transaction`, ...; `None` on the summary
    /// row.
    pub transaction_type: Option<String>,
    /// The order, when the row belongs to one.
    pub order_id: Option<OrderId>,
    /// The SKU, when given.
    pub sku: Option<Sku>,
    /// Units, when given.
    pub quantity: Option<Quantity>,
    /// The marketplace, when given.
    pub marketplace: Option<String>,
    /// The posting day, when given.
    pub posted: Option<NaiveDate>,
    /// The posting instant, with the offset as written: from
    /// `posted-date-time` (`2026-03-04 12:00:00 UTC`), else from
    /// `posted-date` when that carries a time and a zone. `None` when
    /// neither does. See [`crate::parse_timestamp`].
    #[cfg_attr(feature = "serde", serde(default))]
    pub posted_at: Option<DateTime<FixedOffset>>,
    /// `settlement-start-date` as an instant, when given with a time and
    /// a zone (on the summary row).
    #[cfg_attr(feature = "serde", serde(default))]
    pub period_start: Option<DateTime<FixedOffset>>,
    /// `settlement-end-date` as an instant, when given with a time and a
    /// zone (on the summary row).
    #[cfg_attr(feature = "serde", serde(default))]
    pub period_end: Option<DateTime<FixedOffset>>,
    /// `deposit-date` as an instant, when given with a time and a zone
    /// (on the summary row).
    #[cfg_attr(feature = "serde", serde(default))]
    pub deposited_at: Option<DateTime<FixedOffset>>,
    /// The amounts of the row: one in the V2 layout, up to seven in the
    /// older one. Blank and zero-named cells are left out.
    pub amounts: Vec<SettlementAmount>,
    /// The line of the row in the file.
    pub line: u64,
}

const COLUMNS: &[Column] = &[
    req("settlement-id", &["settlementid"]),
    opt("total-amount", &["totalamount"]),
    opt("currency", &["currency"]),
    opt("transaction-type", &["transactiontype"]),
    opt("order-id", &["orderid"]),
    opt("sku", &["sku"]).sku_column(),
    opt("quantity-purchased", &["quantitypurchased"]),
    opt("marketplace-name", &["marketplacename"]),
    // V2 carries both `posted-date` and `posted-date-time`; either alone
    // also works (see `build`).
    opt("posted-date", &["posteddate"]).dated(),
    // V2: one typed amount per row.
    opt("amount-type", &["amounttype"]),
    opt("amount-description", &["amountdescription"]),
    opt("amount", &["amount"]),
    // Older layout: typed pairs.
    opt("shipment-fee-type", &["shipmentfeetype"]),
    opt("shipment-fee-amount", &["shipmentfeeamount"]),
    opt("order-fee-type", &["orderfeetype"]),
    opt("order-fee-amount", &["orderfeeamount"]),
    opt("price-type", &["pricetype"]),
    opt("price-amount", &["priceamount"]),
    opt("item-related-fee-type", &["itemrelatedfeetype"]),
    opt("item-related-fee-amount", &["itemrelatedfeeamount"]),
    opt("promotion-type", &["promotiontype"]),
    opt("promotion-amount", &["promotionamount"]),
    opt("direct-payment-type", &["directpaymenttype"]),
    opt("direct-payment-amount", &["directpaymentamount"]),
    opt("other-fee-reason-description", &["otherfeereasondescription"]),
    opt("other-fee-amount", &["otherfeeamount"]),
    opt("misc-fee-amount", &["miscfeeamount"]),
    opt("other-amount", &["otheramount"]),
    opt("posted-date-time", &["posteddatetime"]).dated(),
    opt("settlement-start-date", &["settlementstartdate"]).dated(),
    opt("settlement-end-date", &["settlementenddate"]).dated(),
    opt("deposit-date", &["depositdate"]).dated(),
];

/// What an older-layout amount column holds, which decides the kind of
/// an amount whose name cell is blank (or that has no name cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `price-amount`: principal, shipping, gift wrap or tax. Which one
    /// only its `price-type` says, so a blank type stays unknown.
    Price,
    /// The fee columns: which fee only the type cell (or, on a row of its
    /// own, the transaction type) says.
    Fee,
    /// `promotion-amount`: a promotion whatever it discounted.
    Promotion,
    /// `direct-payment-amount`: payments made to the seller outside
    /// Amazon's checkout; not a fee, its kind unknown without its type.
    Payment,
    /// `other-amount`: account-level amounts whose row's transaction type
    /// names them (`Subscription Fee`, `Previous Reserve Amount Balance`).
    Other,
}

/// The older layout's amount columns: (name column, amount column, the
/// name an amount takes when its name cell is blank or absent, family).
const OLDER: [(Option<usize>, usize, &str, Family); 9] = [
    (Some(12), 13, "shipment-fee", Family::Fee),
    (Some(14), 15, "order-fee", Family::Fee),
    (Some(16), 17, "price", Family::Price),
    (Some(18), 19, "item-related-fee", Family::Fee),
    (Some(20), 21, "promotion", Family::Promotion),
    (Some(22), 23, "direct-payment", Family::Payment),
    (Some(24), 25, "other-fee", Family::Fee),
    (None, 26, "misc-fee", Family::Fee),
    (None, 27, "other-amount", Family::Other),
];

/// The name and kind of an older-layout amount whose name cell is blank
/// or absent, from what its column says and the row's transaction type.
///
/// A promotion column decides alone. A fee column or `other-amount`
/// takes the transaction type's name and kind when that names a fee (for
/// `other-amount`, anything this crate knows): such amounts stand on
/// rows of their own, whose transaction type is the only name they have
/// (`Subscription Fee`, `Storage Fee`). Otherwise, and always in the
/// price and direct-payment columns, the kind cannot be told (each
/// column carries several kinds, and an `Order` or `Refund` transaction
/// type says nothing about the amount): [`ChargeKind::Unknown`], named
/// after the column. A balance move (`Payable to Amazon`) is not a fee,
/// so a fee column on such a row stays an unknown fee, not the move (see
/// [`SettlementReader`] for why; V2's `ItemFees` does the same).
fn unnamed<'a>(
    column: &'a str,
    family: Family,
    transaction_type: Option<&'a str>,
) -> (&'a str, ChargeKind) {
    let by_row = transaction_type.map(|t| (t, ChargeKind::classify(t)));
    match (family, by_row) {
        (Family::Promotion, _) => (column, ChargeKind::Promotion),
        (Family::Fee, Some((name, kind))) if is_fee(kind) => (name, kind),
        (Family::Other, Some((name, kind))) if kind != ChargeKind::Unknown => (name, kind),
        _ => (column, ChargeKind::Unknown),
    }
}

/// Whether the kind is a fee: neither what the customer paid, nor a
/// tax, promotion, reimbursement, reserve or balance transfer, nor
/// unknown.
const fn is_fee(kind: ChargeKind) -> bool {
    !matches!(
        kind,
        ChargeKind::Principal
            | ChargeKind::ShippingCharge
            | ChargeKind::GiftWrapCharge
            | ChargeKind::Tax
            | ChargeKind::Promotion
            | ChargeKind::Reimbursement
            | ChargeKind::ReserveTransfer
            | ChargeKind::BalanceTransfer
            | ChargeKind::Unknown
    )
}

/// Placeholder until the reader resolves the row's currency.
const PENDING: Currency = Currency::USD;

/// Builds a row whose amounts carry [`PENDING`], with the currency the
/// row gave, if any; the reader then applies the settlement's currency.
fn build(row: &Row<'_>) -> Result<Built<(SettlementRow, Option<Currency>)>, ReadError> {
    let given: Option<Currency> = row.opt_value(2)?;
    let currency = PENDING;
    let mut amounts = Vec::new();
    // V2: one typed amount per row.
    if let Some(amount) = row.opt_amount(11)? {
        let (name, kind) = v2_amount(row.text(9)?, row.text(10)?, row.text(3)?);
        amounts.push(SettlementAmount {
            kind,
            name: name.to_owned(),
            amount: Money::new(amount, currency),
        });
    }
    // Older layout: typed pairs, then the amounts without a name column.
    for (name_col, amount_col, column, family) in OLDER {
        let Some(amount) = row.opt_amount(amount_col)? else { continue };
        let given = match name_col {
            Some(col) => row.text(col)?,
            None => None,
        };
        let (name, kind) = match given {
            Some(name) if family == Family::Promotion => {
                (name, classify_under(ChargeKind::Promotion, name))
            }
            Some(name) => (name, ChargeKind::classify(name)),
            None => unnamed(column, family, row.text(3)?),
        };
        amounts.push(SettlementAmount {
            kind,
            name: name.to_owned(),
            amount: Money::new(amount, currency),
        });
    }
    let (posted, posted_time) = (row.date_time(8)?, row.date_time(28)?);
    Ok(Built::Row((
        SettlementRow {
            settlement_id: row.required(0)?.to_owned(),
            total: row.opt_amount(1)?.map(|a| Money::new(a, currency)),
            transaction_type: row.owned(3)?,
            order_id: row.opt_value(4)?,
            sku: row.opt_value(5)?,
            quantity: row.opt_quantity(6)?,
            marketplace: row.owned(7)?,
            posted: posted.0.or(posted_time.0),
            posted_at: posted_time.1.or(posted.1),
            period_start: row.date_time(29)?.1,
            period_end: row.date_time(30)?.1,
            deposited_at: row.date_time(31)?.1,
            amounts,
            line: row.line,
        },
        given,
    )))
}

fn with_currency(mut row: SettlementRow, currency: Currency) -> SettlementRow {
    row.total = row.total.map(|m| Money::new(m.amount(), currency));
    for a in &mut row.amounts {
        a.amount = Money::new(a.amount.amount(), currency);
    }
    row
}

/// The name and kind of a V2 amount from its `amount-type` and
/// `amount-description`. The type decides first when it says promotion,
/// reimbursement or tax (unless the description says it is a fee); then
/// the description; the type again when the description is blank or says
/// nothing the crate knows (advertising rows read `Cost of Advertising` /
/// `TransactionTotalAmount`; newer fee rows name the fee in the type and
/// its part, `Base fee`, in the description), and then the name is the
/// type's. An unknown fee name under a promotion, reimbursement or tax
/// type stays unknown: a fee never becomes income by its column.
///
/// With the description blank and an amount type that says nothing the
/// crate knows (`other-transaction`), the row's `transaction-type` names
/// the amount when the crate knows it (`Payable to Amazon`, `Subscription
/// Fee`); an `Order` or `Refund` says nothing about an amount and leaves
/// the amount type's name. An amount type that says fee but names none
/// the crate knows (`ItemFees`) takes the transaction type only when that
/// names a fee (`Storage Fee`): under `Payable to Amazon` it stays an
/// unknown fee named `ItemFees`, never a balance move out of the margin.
fn v2_amount<'a>(
    amount_type: Option<&'a str>,
    description: Option<&'a str>,
    transaction_type: Option<&'a str>,
) -> (&'a str, ChargeKind) {
    let column = amount_type.map_or(ChargeKind::Unknown, ChargeKind::classify);
    if description.is_none() && column == ChargeKind::Unknown {
        // The older layout's rule for an unnamed amount: an amount type
        // that says fee (`ItemFees`) is a fee column, which takes the
        // transaction type only when that names a fee; one that says
        // nothing is `other-amount`, which takes any known kind.
        let family = if amount_type.is_some_and(says_fee) { Family::Fee } else { Family::Other };
        return unnamed(amount_type.unwrap_or("amount"), family, transaction_type);
    }
    match (amount_type, description) {
        (_, Some(name)) => match classify_under(column, name) {
            ChargeKind::Unknown if column != ChargeKind::Unknown && !column_decides(column) => {
                (amount_type.unwrap_or(name), column)
            }
            kind => (name, kind),
        },
        (Some(kind_name), None) => (kind_name, column),
        (None, None) => ("amount", ChargeKind::Unknown),
    }
}

/// Streams [`SettlementRow`]s from a settlement flat file, V2 or the
/// older layout (detected by column names: both read through one
/// column list).
///
/// Currency: a row that names one uses it. A row with a blank `currency`
/// takes the currency of its settlement's summary row (the row with the
/// `total-amount`, which Amazon writes first and which is the only row
/// the older layout gives a currency); a blank-currency row of a
/// settlement whose summary row has not been read, or gave none, is a
/// row error ([`ReadError::MissingValue`] naming the line). A currency
/// on a detail row is never carried to the next row. A second summary
/// row of the same settlement in another currency (two downloads mixed
/// up) is a row error ([`ReadError::InvalidValue`] with
/// [`CoreError::CurrencyMismatch`], naming the line); the first summary's
/// currency stays the settlement's. Any three ASCII
/// letters are accepted as a code, as [`Currency::new`] decides
/// (`XXX`, ISO 4217's "no currency", included).
///
/// Kinds: each amount is classified by its name
/// ([`ChargeKind::classify`]), except that the column or V2
/// `amount-type` it sits under decides first when that says promotion
/// (`Promotion`, the older layout's `promotion-type` column),
/// reimbursement (`FBA Inventory Reimbursement`) or tax
/// (`ItemWithheldTax`), unless the name says it is a fee. A V2
/// description the crate does not know falls back to the amount type. A
/// blank description under an amount type the crate does not know
/// (`other-transaction`) takes the row's `transaction-type` when the
/// crate knows that (`Payable to Amazon`, a balance move); under an
/// amount type that says fee (`ItemFees`), only when that names a fee.
/// An older-layout amount whose type cell is blank, or that has no type
/// column (`misc-fee-amount`, `other-amount`), is named by its layout:
/// a promotion column makes it a promotion; a fee column or
/// `other-amount` takes the row's transaction type when that names a fee
/// (for `other-amount`, any kind the crate knows), as on a `Subscription
/// Fee` row; otherwise it is [`ChargeKind::Unknown`] named after its
/// column (`price`, `item-related-fee`), because the column alone holds
/// several kinds. Amount names the crate cannot classify are counted by name in
/// [`SettlementReader::unknown_names`] and kept on the row.
///
/// A fee column with a blank type cell on a balance-move row (`Payable
/// to Amazon`, `Successful charge`) therefore stays a fee: an unknown
/// one named after its column (`misc-fee`, `other-fee`), charged as
/// [`FeeKind::Other`], while `other-amount` on the same row is the
/// balance move. This is deliberate. The column says fee and the row's
/// transaction type names no fee, so nothing says the amount is not a
/// fee; `other-amount`, the column for an amount named only by its row,
/// is where the move itself is read, and moving
/// a fee-column amount out of the margin on the row's word alone could
/// hide a real fee, an error a margin model would not see, whereas an
/// unknown fee is counted in [`SettlementReader::unknown_names`] for
/// review. V2 follows the same rule: an amount type that says fee
/// (`ItemFees`) with a blank description takes the transaction type only
/// when that names a fee, so on a `Payable to Amazon` row it stays an
/// unknown fee named `ItemFees`.
///
/// Reserves: the cash Amazon holds back from a payout (`Current Reserve
/// Amount`) and releases from the previous one (`Previous Reserve Amount
/// Balance`), in the V2 description or type or, in the older layout, as
/// the transaction type of an `other-amount` row, are
/// [`ChargeKind::ReserveTransfer`]: they add up to the settlement's
/// total like every amount, but are neither revenue nor a fee
/// ([`ChargeKind::counts_in_margin`]). So are balance moves
/// ([`ChargeKind::BalanceTransfer`]): `Payable to Amazon`, `Successful
/// charge`, card charges (`Card charge`, `Failed charge`, `Unsuccessful
/// charge`), `Debt recovery`, and names that say `payable`,
/// `disbursement` or `balance`, unless they say fee or name one.
///
/// Required column: `settlement-id`.
///
/// ```
/// use merchantry_amazon::{ChargeKind, SettlementReader};
/// let file = "settlement-id\tcurrency\ttransaction-type\torder-id\tsku\tamount-type\tamount-description\tamount\n\
///             1\tUSD\tOrder\t111-1\tW\tItemPrice\tPrincipal\t19.99\n\
///             1\tUSD\tOrder\t111-1\tW\tItemFees\tNewFee2027\t-0.10\n";
/// let mut reader = SettlementReader::new(file.as_bytes())?;
/// let rows: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
/// assert_eq!(rows[0].amounts[0].kind, ChargeKind::Principal);
/// assert_eq!(rows[1].amounts[0].kind, ChargeKind::Unknown);
/// assert_eq!(reader.unknown_names().get("NewFee2027"), Some(&1));
/// # Ok::<(), merchantry_amazon::ReadError>(())
/// ```
pub struct SettlementReader<R: Read> {
    table: Table<R>,
    unknown: BTreeMap<String, u64>,
    /// The currency of each settlement's summary row, by settlement id.
    summary_currency: BTreeMap<String, Currency>,
}

impl<R: Read> SettlementReader<R> {
    /// Reads the header and maps its columns.
    ///
    /// # Errors
    ///
    /// A file error, as for every reader.
    pub fn new(reader: R) -> Result<Self, ReadError> {
        Self::with_options(reader, ReadOptions::default())
    }

    /// As [`Self::new`], with explicit options.
    ///
    /// # Errors
    ///
    /// As [`Self::new`].
    pub fn with_options(reader: R, options: ReadOptions) -> Result<Self, ReadError> {
        Ok(Self {
            table: Table::open(reader, REPORT, COLUMNS, options)?,
            unknown: BTreeMap::new(),
            summary_currency: BTreeMap::new(),
        })
    }

    /// Counts so far.
    #[must_use]
    pub fn stats(&self) -> &ReadStats {
        &self.table.stats
    }

    /// Whether the header has the column called `column`, by its
    /// canonical name (the one errors give), under any spelling the
    /// reader accepts.
    #[must_use]
    pub fn has_column(&self, column: &str) -> bool {
        self.table.has_column(column)
    }

    /// Every amount name classified [`ChargeKind::Unknown`] so far, with
    /// how many amounts carried it.
    #[must_use]
    pub const fn unknown_names(&self) -> &BTreeMap<String, u64> {
        &self.unknown
    }
}

impl<R: Read> Iterator for SettlementReader<R> {
    type Item = Result<SettlementRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match self.table.next_with(build)? {
            Ok((row, given)) => {
                if let (Some(currency), Some(_)) = (given, row.total) {
                    let earlier = self.summary_currency.get(&row.settlement_id).copied();
                    if let Some(first) = earlier.filter(|&first| first != currency) {
                        // One settlement is paid in one currency: a second
                        // summary row in another contradicts the first,
                        // which stays the settlement's currency.
                        self.table.stats.rows -= 1;
                        self.table.stats.row_errors += 1;
                        return Some(Err(ReadError::InvalidValue {
                            report: REPORT,
                            line: row.line,
                            sku: row.sku.clone().map(Box::new),
                            column: "currency",
                            source: CoreError::CurrencyMismatch { left: first, right: currency },
                        }));
                    }
                    self.summary_currency.insert(row.settlement_id.clone(), currency);
                }
                let currency =
                    given.or_else(|| self.summary_currency.get(&row.settlement_id).copied());
                match currency {
                    Some(currency) => Ok(with_currency(row, currency)),
                    None => {
                        self.table.stats.rows -= 1;
                        self.table.stats.row_errors += 1;
                        Err(ReadError::MissingValue {
                            report: REPORT,
                            line: row.line,
                            sku: row.sku.clone().map(Box::new),
                            column: "currency",
                        })
                    }
                }
            }
            Err(e) => Err(e),
        };
        if let Ok(row) = &item {
            for a in row.amounts.iter().filter(|a| a.kind == ChargeKind::Unknown) {
                *self.unknown.entry(a.name.clone()).or_insert(0) += 1;
            }
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn amount(name: &str) -> SettlementAmount {
        SettlementAmount {
            kind: ChargeKind::classify(name),
            name: name.to_owned(),
            amount: Money::new(Decimal::new(-1, 0), Currency::USD),
        }
    }

    #[test]
    fn every_charge_kind_maps_to_a_fee_or_to_revenue() {
        let cases = [
            ("Principal", None),
            ("Shipping", None),
            ("GiftWrap", None),
            ("Tax", None),
            ("Commission", Some(FeeKind::Referral)),
            ("FBAPerUnitFulfillmentFee", Some(FeeKind::Fulfillment)),
            ("RefundCommission", Some(FeeKind::ReturnsProcessing)),
            ("Storage Fee", Some(FeeKind::StorageMonthly)),
            ("RemovalComplete", Some(FeeKind::Removal)),
            ("DisposalComplete", Some(FeeKind::Disposal)),
            ("Mystery Fee", Some(FeeKind::Other("Mystery Fee".to_owned()))),
            ("Unplanned Service Fee - Barcode label missing", Some(FeeKind::Prep)),
            ("DigitalServicesFee", Some(FeeKind::Referral)),
            ("DigitalServicesFeeFBA", Some(FeeKind::Fulfillment)),
            ("VineEnrollmentFee", Some(FeeKind::PromotionProgramme)),
            ("LightningDealFee", Some(FeeKind::PromotionProgramme)),
            ("CouponRedemptionFee", Some(FeeKind::PromotionProgramme)),
            ("Cost of Advertising", Some(FeeKind::Advertising)),
            ("TCS-CGST", None),
            ("PromotionDiscount", None),
            ("WAREHOUSE_LOST", Some(FeeKind::Reimbursement)),
            ("Current Reserve Amount", None),
            ("Previous Reserve Amount Balance", None),
        ];
        for (name, want) in cases {
            assert_eq!(amount(name).fee_kind(), want, "{name} ({:?})", ChargeKind::classify(name));
        }
    }

    /// A second summary row of settlement 1 in EUR after one in USD was
    /// taken, and switched the settlement's blank-currency rows to EUR:
    /// the 3.00 below was read as 3.00 EUR in a USD settlement.
    #[test]
    fn a_summary_row_in_another_currency_is_refused() {
        let file = "settlement-id\ttotal-amount\tcurrency\tamount-type\tamount-description\tamount\n\
                    1\t10.00\tUSD\t\t\t\n\
                    1\t20.00\tEUR\t\t\t\n\
                    1\t\t\tItemPrice\tPrincipal\t3.00\n\
                    1\t10.00\tUSD\t\t\t\n";
        let mut reader = SettlementReader::new(file.as_bytes()).unwrap();
        let rows: Vec<_> = reader.by_ref().collect();
        let err = rows[1].as_ref().unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::InvalidValue {
                    line: 3,
                    column: "currency",
                    source: CoreError::CurrencyMismatch {
                        left: Currency::USD,
                        right: Currency::EUR
                    },
                    ..
                }
            ),
            "{err}"
        );
        let principal = &rows[2].as_ref().unwrap().amounts[0].amount;
        assert_eq!(principal.to_string(), "3.00 USD");
        // The same summary again (an overlapping download) is fine.
        assert!(rows[3].is_ok());
        assert_eq!((reader.stats().rows, reader.stats().row_errors), (3, 1));
    }

    #[test]
    fn v2_amounts_take_the_type_first_then_the_description_then_the_type() {
        let cases = [
            ((Some("Promotion"), Some("Principal")), ("Principal", ChargeKind::Promotion)),
            ((Some("ItemPrice"), Some("Principal")), ("Principal", ChargeKind::Principal)),
            ((Some("ItemPrice"), Some("Shipping")), ("Shipping", ChargeKind::ShippingCharge)),
            (
                (Some("Cost of Advertising"), Some("TransactionTotalAmount")),
                ("Cost of Advertising", ChargeKind::Advertising),
            ),
            ((Some("ItemFees"), Some("NewFee2027")), ("NewFee2027", ChargeKind::Unknown)),
            ((Some("Promotion"), None), ("Promotion", ChargeKind::Promotion)),
            ((None, Some("Commission")), ("Commission", ChargeKind::ReferralFee)),
            ((None, None), ("amount", ChargeKind::Unknown)),
            (
                (Some("FBA Inventory Reimbursement"), Some("Mystery Fee")),
                ("Mystery Fee", ChargeKind::Unknown),
            ),
        ];
        for ((amount_type, description), want) in cases {
            assert_eq!(
                v2_amount(amount_type, description, None),
                want,
                "{amount_type:?} {description:?}"
            );
        }
    }

    /// A V2 row of transaction type `Payable to Amazon` with amount type
    /// `ItemFees` and a blank description (-8.00) took the transaction
    /// type's kind, a balance transfer, and was left out of the margin,
    /// though its amount type says fee. Only an amount type that says
    /// nothing (`other-transaction`) takes any kind the transaction type
    /// names; one that says fee takes it only when it names a fee, as the
    /// older layout's fee columns do, and otherwise stays an unknown fee
    /// under its own name.
    #[test]
    fn a_v2_fee_amount_type_never_takes_a_non_fee_transaction_type() {
        let cases = [
            ((Some("ItemFees"), "Payable to Amazon"), ("ItemFees", ChargeKind::Unknown)),
            ((Some("ItemFees"), "Successful charge"), ("ItemFees", ChargeKind::Unknown)),
            ((Some("ItemFees"), "Current Reserve Amount"), ("ItemFees", ChargeKind::Unknown)),
            ((Some("ItemFees"), "Principal"), ("ItemFees", ChargeKind::Unknown)),
            ((Some("ItemFees"), "Storage Fee"), ("Storage Fee", ChargeKind::StorageFee)),
            (
                (Some("other-transaction"), "Payable to Amazon"),
                ("Payable to Amazon", ChargeKind::BalanceTransfer),
            ),
            ((None, "Payable to Amazon"), ("Payable to Amazon", ChargeKind::BalanceTransfer)),
        ];
        for ((amount_type, transaction_type), want) in cases {
            let got = v2_amount(amount_type, None, Some(transaction_type));
            assert_eq!(got, want, "{amount_type:?} {transaction_type:?}");
            assert!(
                amount_type != Some("ItemFees") || got.1.counts_in_margin(),
                "{transaction_type}"
            );
        }
    }
}
