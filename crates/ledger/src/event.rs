//! The events the ledger records and the policies that value them.

use chrono::{DateTime, Utc};
use merchantry_core::{
    ChannelId, Currency, Disposition, EventId, LocationId, OrderId, PurchaseOrderId, Quantity, Sku,
};
use rust_decimal::Decimal;

/// One movement of stock or money, as it happened.
///
/// Events are ordered by `at`; events with the same timestamp keep the
/// order in which they reached the ledger (arrival sequence).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use merchantry_core::{Disposition, EventId, LocationId, Quantity, Sku};
/// use merchantry_ledger::{Event, EventKind};
/// use rust_decimal::Decimal;
///
/// let receipt = Event::new(
///     EventId::new("po-17-line-1")?,
///     Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
///     Sku::new("MUG")?,
///     LocationId::new("WH1")?,
///     EventKind::receipt(Quantity::new(100), Decimal::new(250, 2)),
/// );
/// assert_eq!(receipt.sku.as_str(), "MUG");
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Event {
    /// Unique id: a repeat with the same content is ignored.
    pub id: EventId,
    /// When it happened, kept as an instant in nanoseconds: a time in a
    /// leap second (23:59:60.5) is the instant 00:00:00.5 of the next
    /// day, and is stored and compared (for duplicates) as that.
    pub at: DateTime<Utc>,
    /// The SKU moved or valued.
    pub sku: Sku,
    /// Where (for a transfer, the shipping side of `TransferOut` and the
    /// receiving side of `TransferIn`).
    pub location: LocationId,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// An event from its parts.
    #[must_use]
    pub fn new(
        id: EventId,
        at: DateTime<Utc>,
        sku: Sku,
        location: LocationId,
        kind: EventKind,
    ) -> Self {
        Self { id, at, sku, location, kind }
    }
}

/// What an event did. Quantities are whole units; amounts are totals in the
/// ledger's currency except `unit_cost`, which is per unit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum EventKind {
    /// Units received from a supplier at a unit cost (zero allowed).
    Receipt {
        /// Units received (positive).
        quantity: Quantity,
        /// Cost per unit (not negative).
        unit_cost: Decimal,
        /// The disposition the units arrive in (not `InTransit`).
        disposition: Disposition,
        /// The purchase order or inbound shipment, when known.
        purchase_order: Option<PurchaseOrderId>,
    },
    /// A cost added after the fact (freight, duty, brokerage, prep) and
    /// spread over earlier receipts of the same SKU.
    ///
    /// The share of a receipt's units still held raises their value; the
    /// share of units already gone is recognised as cost of goods sold at
    /// the landed cost's timestamp (whether they were sold, written off
    /// or sent back). Under moving average the pool's units leave oldest
    /// first for this count, as they do for aging: 10 received at 2 and
    /// 10 at 4, 5 sold, then 20 of freight on the first receipt puts 10
    /// on its 5 units still held (into the pool, raising its average) and
    /// 10 into cost of goods sold.
    LandedCost {
        /// The total amount (not negative).
        amount: Decimal,
        /// How the amount is split between the targets.
        basis: LandedBasis,
        /// The receipts it applies to, each once (at least one; a
        /// receipt listed twice is refused as
        /// [`crate::LedgerError::InvalidWeights`]).
        targets: Vec<LandedTarget>,
    },
    /// Units shipped to a customer: recognises cost of goods sold.
    /// Ships from the `Sellable` position.
    Shipment {
        /// Units shipped (positive).
        quantity: Quantity,
        /// The channel sold through.
        channel: ChannelId,
        /// The customer order.
        order: OrderId,
    },
    /// Units a customer sent back. They come back at the cost they left
    /// with when `shipment` names the original shipment, else at the last
    /// known cost (see [`NegativeStock::AllowWithTrueUp`]: under moving
    /// average the average of the pool they return to); the amount
    /// reduces cost of goods sold. The cost they
    /// left with is the shipment's value plus the true-ups settled for it
    /// before the return (units it took short), less what its earlier
    /// returns brought back, shared by units still out: the last unit
    /// back takes the rest, so a shipment returned whole nets to zero.
    /// The returns naming one shipment add up to at most the units it
    /// shipped ([`crate::LedgerError::ReturnExceedsShipment`]); they may
    /// come back to another location or through another channel, as
    /// marketplace returns often do.
    CustomerReturn {
        /// Units returned (positive).
        quantity: Quantity,
        /// The channel of the original sale.
        channel: ChannelId,
        /// The disposition they return to.
        disposition: Disposition,
        /// The original shipment event, when known.
        shipment: Option<EventId>,
    },
    /// Units found (positive) or lost, damaged, disposed of or counted
    /// away (negative). The sign must be one `reason` allows (see
    /// [`AdjustmentReason::admits`]): a positive `Lost` or a negative
    /// `Found` is refused as [`crate::LedgerError::AdjustmentDirection`].
    /// Negative adjustments are write-offs at cost;
    /// positive ones enter at `unit_cost`, or else at the last known
    /// cost (see [`NegativeStock::AllowWithTrueUp`]): under FIFO and LIFO
    /// the SKU's latest receipt's (at any location, zero before the
    /// first receipt), under moving average the pool's average, so
    /// found units leave it unchanged, as ERPNext and Odoo value them.
    Adjustment {
        /// Signed units (not zero).
        quantity: Quantity,
        /// Why.
        reason: AdjustmentReason,
        /// The disposition adjusted.
        disposition: Disposition,
        /// Cost per unit of found units; `None` uses the last known cost.
        unit_cost: Option<Decimal>,
    },
    /// Units leave `location` for `to`, where they wait in `InTransit`
    /// carrying their cost until a [`EventKind::TransferIn`].
    TransferOut {
        /// Units shipped (positive).
        quantity: Quantity,
        /// The disposition they leave from.
        disposition: Disposition,
        /// The receiving location.
        to: LocationId,
    },
    /// Units arrive at `location` from its `InTransit` position. They
    /// take the in-transit units that `from` sent before any others (in
    /// method order), so two shipments travelling to one place from two
    /// warehouses each arrive at their own cost. Under moving average,
    /// units in transit keep the average they left their source with,
    /// lot by lot (first in, first out within a source), and the
    /// receiving pool averages them in on arrival.
    TransferIn {
        /// Units received (positive).
        quantity: Quantity,
        /// The sending location.
        from: LocationId,
        /// The disposition they arrive in.
        disposition: Disposition,
    },
    /// Units change state at one location, carrying their cost.
    DispositionChange {
        /// Units moved (positive).
        quantity: Quantity,
        /// From this disposition.
        from: Disposition,
        /// To this one.
        to: Disposition,
    },
    /// Units sent back to the vendor (or removed for a refund).
    VendorReturn {
        /// Units returned (positive).
        quantity: Quantity,
        /// The disposition they leave from.
        disposition: Disposition,
        /// Which cost they leave at, recorded on the event.
        cost: VendorReturnCost,
    },
    /// Money paid for lost or damaged units: no units move and inventory
    /// value does not change; it is kept to match against write-offs.
    ///
    /// It counts for the write-off `write_off` names, whatever SKU it is
    /// filed under (an event id names one event, and a marketplace
    /// reports a payment under the SKU's current name, which may have
    /// changed under one FNSKU). Its `units` count toward the units
    /// written off; one of money alone (no units, a positive amount)
    /// settles the write-off's claim whole, however many units are
    /// still open, until reversals of no units take that money back; one
    /// of no units and no money settles nothing. See
    /// [`crate::Ledger::unreimbursed`] and
    /// [`crate::Ledger::overreimbursed`]. The units and the amounts of
    /// all the reimbursements naming one write-off are added exactly: one
    /// that would take either sum past `i64` or `Decimal`'s bounds is
    /// refused as [`crate::LedgerError::Overflow`].
    ///
    /// # Reversals
    ///
    /// A reimbursement with `amount` and `units` both zero or below and
    /// one of them below zero is a reversal: the marketplace takes back
    /// money or units it paid for the write-off (Amazon's
    /// `Reimbursement_Reversal` row, when the units are found). It lowers
    /// the write-off's totals, so a claim over-paid because its units
    /// turned up leaves [`crate::Ledger::overreimbursed`] once the
    /// payment is taken back, and a reversed payment on a write-off still
    /// lost reopens it in [`crate::Ledger::unreimbursed`]. A reversal
    /// must name a write-off
    /// ([`crate::LedgerError::ReversalWithoutWriteOff`]), and may take
    /// back at most what the reimbursements naming it have paid: one
    /// that would take the units or the amount of all the recorded
    /// reimbursements naming that write-off (under any SKU, whatever
    /// their timestamps) below zero is refused as
    /// [`crate::LedgerError::ReversalExceedsPaid`]. So a reversal that
    /// arrives before the payment it reverses is refused, and is taken
    /// once sent again after it (within one
    /// [`crate::Ledger::ingest_batch`], the batch is checked as a whole:
    /// the totals after it must not be below zero). A reimbursement with
    /// one of `amount` and `units` above zero and the other below is
    /// refused as [`crate::LedgerError::MixedSignReimbursement`]. See
    /// [`EventKind::reimbursement_reversal`].
    Reimbursement {
        /// Amount paid (below zero for a reversal: the amount taken
        /// back).
        amount: Decimal,
        /// Units the payment covers, paid in cash and replaced in kind
        /// together: Amazon's `quantity-reimbursed-total`, the sum of
        /// `quantity-reimbursed-cash` and
        /// `quantity-reimbursed-inventory`. Units replaced in kind reach
        /// stock through an event of their own (an adjustment that adds
        /// them), since a reimbursement moves no units. Zero is money
        /// alone; below zero, the units a reversal takes back.
        units: Quantity,
        /// The write-off (adjustment or shortfall event) it settles. Not
        /// checked at ingest, since the write-off may arrive later:
        /// [`crate::Ledger::unmatched_reimbursements`] lists those naming
        /// no claimable write-off.
        write_off: Option<EventId>,
    },
    /// An inbound shipment received short: the missing units leave the
    /// location's `InTransit` position at cost and stay an open claim
    /// until reimbursements naming this event cover them, less the
    /// units received later by receipts of the SKU whose
    /// `purchase_order` names `shipment` (see
    /// [`crate::Ledger::unreimbursed`], "Units received late").
    InboundShortfall {
        /// Units missing (positive).
        quantity: Quantity,
        /// The inbound shipment.
        shipment: PurchaseOrderId,
    },
}

impl EventKind {
    /// A receipt into `Sellable` without a purchase order.
    #[must_use]
    pub fn receipt(quantity: Quantity, unit_cost: Decimal) -> Self {
        Self::Receipt {
            quantity,
            unit_cost,
            disposition: Disposition::Sellable,
            purchase_order: None,
        }
    }

    /// A shipment.
    #[must_use]
    pub fn shipment(quantity: Quantity, channel: ChannelId, order: OrderId) -> Self {
        Self::Shipment { quantity, channel, order }
    }

    /// A reversal of reimbursements for `write_off`: `amount` and
    /// `units` as the marketplace reports them, zero or below (Amazon's
    /// `amount-total` and `quantity-reimbursed-total` of a
    /// `Reimbursement_Reversal` row). The ledger refuses it unless one of
    /// them is below zero, neither is above, and the reimbursements
    /// naming `write_off` paid at least as much (see
    /// [`EventKind::Reimbursement`], "Reversals").
    ///
    /// ```
    /// use merchantry_core::{EventId, Quantity};
    /// use merchantry_ledger::EventKind;
    /// use rust_decimal::Decimal;
    ///
    /// // One unit of a payment for "lost-7" taken back, with its 10.00.
    /// let back = EventKind::reimbursement_reversal(
    ///     Decimal::new(-1000, 2),
    ///     Quantity::new(-1),
    ///     EventId::new("lost-7")?,
    /// );
    /// assert!(matches!(back, EventKind::Reimbursement { write_off: Some(_), .. }));
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    #[must_use]
    pub fn reimbursement_reversal(amount: Decimal, units: Quantity, write_off: EventId) -> Self {
        Self::Reimbursement { amount, units, write_off: Some(write_off) }
    }
}

/// One receipt a landed cost applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LandedTarget {
    /// The receipt event.
    pub receipt: EventId,
    /// Its weight or volume; used only by [`LandedBasis::Weight`] and
    /// [`LandedBasis::Volume`].
    pub measure: Decimal,
}

/// How a landed cost is split between its receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LandedBasis {
    /// In proportion to units received.
    Quantity,
    /// In proportion to receipt value (units times unit cost).
    Value,
    /// In proportion to each target's stated weight.
    Weight,
    /// In proportion to each target's stated volume.
    Volume,
}

/// Why an adjustment happened. Each reason says which way units may
/// move ([`AdjustmentReason::admits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AdjustmentReason {
    /// Units found: they only arrive. Units lost and found again are a
    /// `Found` adjustment, not a positive `Lost` one (as Amazon's
    /// inventory ledger reverses a loss), and in claims they reverse the
    /// oldest `Lost` write-offs of their SKU at their location (see
    /// [`crate::Ledger::unreimbursed`]).
    Found,
    /// Units lost (claimable): they only leave.
    Lost,
    /// Units damaged beyond sale (claimable when they leave). They
    /// leave, or arrive into `Unsellable`: a damage reported as two
    /// rows, units out of one disposition and into a damaged one (Amazon's
    /// damage codes and their `P`), books the second as a positive
    /// `Damaged` adjustment, which is no claim.
    Damaged,
    /// Units destroyed or disposed of: they only leave.
    Disposed,
    /// A correction after a physical count, either way.
    CountCorrection,
}

impl AdjustmentReason {
    /// Every reason, in declaration order (the order the ledger encodes
    /// them in).
    ///
    /// ```
    /// use merchantry_ledger::AdjustmentReason;
    /// assert_eq!(AdjustmentReason::ALL.len(), 5);
    /// assert_eq!(AdjustmentReason::ALL[0], AdjustmentReason::Found);
    /// ```
    pub const ALL: [Self; 5] =
        [Self::Found, Self::Lost, Self::Damaged, Self::Disposed, Self::CountCorrection];

    /// Whether a write-off with this reason may be reimbursed by a
    /// marketplace (lost and damaged).
    #[must_use]
    pub const fn is_claimable(self) -> bool {
        matches!(self, Self::Lost | Self::Damaged)
    }

    /// Whether the ledger takes an adjustment of `quantity` signed units
    /// in `disposition` with this reason, as far as those three decide:
    /// the units are not zero (nor `i64::MIN`, whose size no `i64`
    /// holds); the disposition is one units are held in (not
    /// `InTransit`, whose units move only by transfer); and the sign is
    /// one the reason allows: `Found` adds units; `Lost` and `Disposed`
    /// remove them; `Damaged` removes them, or adds them to
    /// `Unsellable`; `CountCorrection` does either.
    ///
    /// Ingest makes this very check, refusing what it rules out as
    /// [`crate::LedgerError::ZeroAdjustment`],
    /// [`crate::LedgerError::Overflow`],
    /// [`crate::LedgerError::InvalidDisposition`] or
    /// [`crate::LedgerError::AdjustmentDirection`]. An admitted
    /// adjustment may still be refused for what the ledger holds
    /// ([`crate::LedgerError::InsufficientStock`] under the reject
    /// policy), for a negative unit cost, or for overflow.
    ///
    /// ```
    /// use merchantry_core::{Disposition, Quantity};
    /// use merchantry_ledger::AdjustmentReason;
    ///
    /// let sellable = Disposition::Sellable;
    /// assert!(AdjustmentReason::Lost.admits(Quantity::new(-2), sellable));
    /// assert!(!AdjustmentReason::Lost.admits(Quantity::new(2), sellable));
    /// assert!(AdjustmentReason::Damaged.admits(Quantity::new(1), Disposition::Unsellable));
    /// assert!(!AdjustmentReason::Damaged.admits(Quantity::new(1), sellable));
    /// // Never zero units, nor the in-transit position.
    /// assert!(!AdjustmentReason::CountCorrection.admits(Quantity::ZERO, sellable));
    /// assert!(!AdjustmentReason::Found.admits(Quantity::new(1), Disposition::InTransit));
    /// ```
    #[must_use]
    pub const fn admits(self, quantity: Quantity, disposition: Disposition) -> bool {
        self.refusal(quantity, disposition).is_none()
    }

    /// What ingest refuses in an adjustment of `quantity` units in
    /// `disposition` with this reason, if anything: the one check
    /// behind both [`AdjustmentReason::admits`] and ingest.
    pub(crate) const fn refusal(
        self,
        quantity: Quantity,
        disposition: Disposition,
    ) -> Option<Refusal> {
        if quantity.is_zero() {
            return Some(Refusal::Zero);
        }
        if quantity.get() == i64::MIN {
            return Some(Refusal::Unsized);
        }
        if matches!(disposition, Disposition::InTransit) {
            return Some(Refusal::InTransit);
        }
        let adds = quantity.is_positive();
        let rule = match self {
            Self::Found if !adds => {
                "found units only arrive; units that leave again are lost, damaged, \
                 disposed of or counted away"
            }
            Self::Lost if adds => "lost units only leave; units found again are a Found adjustment",
            Self::Disposed if adds => "disposed units only leave",
            Self::Damaged if adds && !matches!(disposition, Disposition::Unsellable) => {
                "damaged units arrive only into unsellable"
            }
            _ => return None,
        };
        Some(Refusal::Direction(rule))
    }
}

/// Why ingest refuses an adjustment's reason, units and disposition
/// taken together (see [`AdjustmentReason::admits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Zero units.
    Zero,
    /// `i64::MIN` units, whose size no `i64` holds.
    Unsized,
    /// The in-transit position, which only transfers move.
    InTransit,
    /// A sign (or, for units arriving damaged, a disposition) the
    /// reason rules out: the rule it breaks.
    Direction(&'static str),
}

/// The cost a vendor return leaves at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum VendorReturnCost {
    /// The units of this receipt still held, at their carrying value;
    /// [`crate::LedgerError::ReceiptUnitsShort`] if fewer of them remain
    /// at the position. Under moving
    /// average every unit's carrying value is the pool's average, so this
    /// leaves at the average too: the receipt only says which units go
    /// (their arrival dates leave the aging report).
    Receipt(EventId),
    /// The position's current average cost (value / units). Under FIFO
    /// and LIFO the units still leave from the layers in method order,
    /// and the layers left are revalued to hold the rest of the value,
    /// each in proportion to its own value (by units when they hold
    /// none), so no layer changes sign and the position's value stays
    /// exact.
    CurrentAverage,
}

/// A valuation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Method {
    /// First in, first out: outbound units take the oldest layers' cost.
    /// A layer's age is its arrival into the ledger (its receipt, return
    /// or found adjustment), which it keeps through transfers and
    /// disposition changes: units that went through in-transit are not
    /// newer than a purchase made while they travelled.
    #[default]
    Fifo,
    /// Last in, first out: outbound units take the newest layers' cost
    /// (newest by arrival into the ledger, as for FIFO).
    Lifo,
    /// Moving (perpetual weighted) average: each outbound unit leaves at
    /// pool value / pool units at that moment. Units in transit are not
    /// averaged together: each lot keeps the average it left its source
    /// with until it arrives (see [`EventKind::TransferIn`]).
    MovingAverage,
}

/// Which units share one cost pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Pooling {
    /// One pool per SKU, location and disposition (the default: FBA and
    /// an own warehouse cost differently).
    #[default]
    PerLocation,
    /// One pool per SKU and disposition across locations. Quantities are
    /// still kept per location; value by location is the pool's value
    /// split in proportion to units, the location last by name (of those
    /// holding units) taking the remainder so the parts add up exactly.
    /// A cost layer is placed where its units arrived. Neither depends on
    /// the order events arrived in.
    PerSku,
}

/// What happens when an outbound event takes more units than are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum NegativeStock {
    /// Refuse the event with [`crate::LedgerError::InsufficientStock`]
    /// and change nothing (the default). A backdated event that would
    /// make any later balance negative is refused too.
    #[default]
    Reject,
    /// Let the position go negative. Missing units leave at the last known
    /// unit cost; when units later arrive, the difference between their
    /// cost and the price used is a separate [`crate::TrueUp`] tied to
    /// the event that went short.
    ///
    /// The last known cost under FIFO and LIFO is the unit cost of the
    /// SKU's latest receipt (at any location; zero before the first).
    /// Under moving average it is the pool's own, as ERPNext and Odoo
    /// keep it: its average while it holds units, else the average it
    /// had when they ran out, or the unit cost of the units (one event's,
    /// all its lots together) that since filled its deficit exactly
    /// (units filling part of it leave the cost as it was). A pool that
    /// never had a cost takes the SKU's average over its pools holding
    /// units (Odoo's product-wide average, ERPNext's latest rate in any
    /// warehouse), else the SKU's latest receipt's unit cost. Averages
    /// are kept to 16 places.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{ChannelId, EventId, LocationId, OrderId, Quantity, Sku};
    /// use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions, Method, NegativeStock};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions {
    ///     default_method: Method::MovingAverage,
    ///     negative_stock: NegativeStock::AllowWithTrueUp,
    ///     ..LedgerOptions::default()
    /// });
    /// let (sku, wh) = (Sku::new("MUG")?, LocationId::new("WH1")?);
    /// let at = |h| Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0).unwrap();
    /// let event = |id: &str, h, kind| -> Result<Event, Box<dyn std::error::Error>> {
    ///     Ok(Event::new(EventId::new(id)?, at(h), sku.clone(), wh.clone(), kind))
    /// };
    /// let sale = |units| -> Result<EventKind, Box<dyn std::error::Error>> {
    ///     Ok(EventKind::shipment(Quantity::new(units), ChannelId::new("web")?, OrderId::new("o1")?))
    /// };
    /// ledger.ingest(event("r1", 1, EventKind::receipt(Quantity::new(10), Decimal::from(10)))?)?;
    /// ledger.ingest(event("r2", 2, EventKind::receipt(Quantity::new(10), Decimal::from(20)))?)?;
    /// // 30 sold with 20 held at an average of 15: the 10 missing at 15 too.
    /// ledger.ingest(event("s1", 3, sale(30)?)?)?;
    /// assert_eq!(ledger.cogs(&sku, at(0), at(4), None, None), Decimal::from(450));
    /// // 10 arrive at 30: a true-up of 10 x (30 - 15) on the sale.
    /// ledger.ingest(event("r3", 4, EventKind::receipt(Quantity::new(10), Decimal::from(30)))?)?;
    /// assert_eq!(ledger.cogs(&sku, at(0), at(5), None, None), Decimal::from(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    AllowWithTrueUp,
}

/// Options of a ledger, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LedgerOptions {
    /// The currency of every amount. Default: USD.
    pub currency: Currency,
    /// The method of SKUs without one set. Default: FIFO.
    pub default_method: Method,
    /// Pooling key. Default: per SKU and location.
    pub pooling: Pooling,
    /// Negative stock policy. Default: reject.
    pub negative_stock: NegativeStock,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        Self {
            currency: Currency::USD,
            default_method: Method::Fifo,
            pooling: Pooling::PerLocation,
            negative_stock: NegativeStock::Reject,
        }
    }
}
