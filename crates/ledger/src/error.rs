//! The error type of `merchantry-ledger`.

use merchantry_core::{CoreError, Disposition, EventId, LocationId, Sku};

use crate::event::AdjustmentReason;

/// Why the ledger refused an event or a query.
///
/// A refused event leaves the ledger exactly as it was: every variant is
/// returned before any state is committed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// An event id was seen before with different content.
    #[error("event {id} was ingested before with different content")]
    ConflictingDuplicate {
        /// The repeated id.
        id: EventId,
    },
    /// A quantity that must be positive was zero or negative.
    #[error("event {id}: quantity {quantity} must be positive")]
    NonPositiveQuantity {
        /// The event.
        id: EventId,
        /// The quantity given.
        quantity: i64,
    },
    /// A reimbursement with one of its amount and units above zero and
    /// the other below: a payment has neither below zero, and a
    /// reversal (which takes back) neither above zero (see
    /// [`crate::EventKind::Reimbursement`], "Reversals").
    #[error(
        "event {id}: a reimbursement of {amount} for {units} units mixes signs; a payment \
         has neither below zero and a reversal neither above zero"
    )]
    MixedSignReimbursement {
        /// The event.
        id: EventId,
        /// The amount given.
        amount: rust_decimal::Decimal,
        /// The units given.
        units: i64,
    },
    /// A reversal (a reimbursement with its amount or units below zero)
    /// that names no write-off: there is nothing to take back from.
    #[error(
        "event {id}: a reversal of {amount} for {units} units names no write-off to take \
         them back from"
    )]
    ReversalWithoutWriteOff {
        /// The event.
        id: EventId,
        /// The amount given.
        amount: rust_decimal::Decimal,
        /// The units given.
        units: i64,
    },
    /// A reversal that would take back more units or money than the
    /// reimbursements naming its write-off paid: with it, the units or
    /// the amount of all the recorded reimbursements naming that
    /// write-off (under any SKU, whatever their timestamps) would be
    /// below zero. A reversal that arrives before the payment it reverses
    /// is refused so, and taken once sent again after it; a batch is
    /// checked as a whole, naming its last reversal of the write-off (in
    /// input order) whose totals end below zero.
    #[error(
        "event {id}: a reversal of {amount} for {units} units of write-off {write_off} \
         takes back more than its reimbursements paid ({paid_amount} for {paid_units} units)"
    )]
    ReversalExceedsPaid {
        /// The reversal.
        id: EventId,
        /// The write-off it names.
        write_off: EventId,
        /// Its amount (below or at zero).
        amount: rust_decimal::Decimal,
        /// Its units (below or at zero).
        units: i64,
        /// The amount of the other reimbursements naming the write-off
        /// (recorded before it, or in its batch).
        paid_amount: rust_decimal::Decimal,
        /// Their units.
        paid_units: i64,
    },
    /// An adjustment of zero units.
    #[error("event {id}: adjustment of zero units")]
    ZeroAdjustment {
        /// The event.
        id: EventId,
    },
    /// An adjustment whose sign (or, for units arriving damaged, whose
    /// disposition) its reason rules out: a positive `Lost` or
    /// `Disposed`, a negative `Found`, or a positive `Damaged` outside
    /// `Unsellable` (see [`crate::AdjustmentReason::admits`]).
    #[error(
        "event {id}: adjustment of {quantity:+} units ({disposition}) with reason {reason:?}: \
         {rule}"
    )]
    AdjustmentDirection {
        /// The event.
        id: EventId,
        /// Its reason.
        reason: AdjustmentReason,
        /// The signed units given.
        quantity: i64,
        /// The disposition adjusted.
        disposition: Disposition,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A cost or amount that must not be negative was negative.
    #[error("event {id}: amount {amount} must not be negative")]
    NegativeAmount {
        /// The event.
        id: EventId,
        /// The amount given.
        amount: rust_decimal::Decimal,
    },
    /// The timestamp is outside the range the ledger stores
    /// (1677-09-21 to 2262-04-11, nanosecond precision), or is one of its
    /// two extreme nanoseconds, which stand for "before every event" and
    /// "after every event" in queries.
    #[error("event {id}: timestamp outside 1677-09-21..2262-04-11")]
    TimestampOutOfRange {
        /// The event.
        id: EventId,
    },
    /// Under the reject policy, an outbound movement would take more units
    /// than the position holds at that moment (or would make a later
    /// balance negative, for a backdated event).
    #[error(
        "event {id}: sku {sku} at {location} ({disposition}) would go negative: \
         {available} available, {requested} requested"
    )]
    InsufficientStock {
        /// The event that would go (or make a later event go) negative.
        id: EventId,
        /// The SKU.
        sku: Sku,
        /// The location.
        location: LocationId,
        /// The disposition.
        disposition: Disposition,
        /// Units held at that moment.
        available: i64,
        /// Units the event takes.
        requested: i64,
    },
    /// An event refers to another event that the ledger does not hold for
    /// this SKU before it (a landed cost's receipt, a return's shipment,
    /// the receipt a vendor return at receipt cost names).
    #[error("event {id}: referenced event {reference} is not a {expected} of sku {sku} before it")]
    UnknownReference {
        /// The referring event.
        id: EventId,
        /// The id it refers to.
        reference: String,
        /// What kind of event was expected.
        expected: &'static str,
        /// The SKU.
        sku: Sku,
    },
    /// A customer return names a shipment whose units have already come
    /// back (or that shipped fewer units than returned): its returns
    /// would add up to more than it shipped.
    #[error(
        "event {id}: return of {requested} units against shipment {shipment} of sku {sku}, \
         which shipped {shipped} and has {returned} back already"
    )]
    ReturnExceedsShipment {
        /// The return.
        id: EventId,
        /// The shipment it names.
        shipment: String,
        /// The SKU.
        sku: Sku,
        /// Units the shipment took.
        shipped: i64,
        /// Units its earlier returns brought back.
        returned: i64,
        /// Units this return brings back.
        requested: i64,
    },
    /// A vendor return at a receipt's cost names a receipt fewer of whose
    /// units are still held at the position than it sends back (the
    /// position itself may hold more units, from other arrivals).
    #[error(
        "event {id}: vendor return of {requested} units of receipt {receipt} of sku {sku}, \
         of which {held} are held at {location} ({disposition})"
    )]
    ReceiptUnitsShort {
        /// The vendor return (for a backdated event, the later return
        /// that no longer fits).
        id: EventId,
        /// The receipt it names.
        receipt: String,
        /// The SKU.
        sku: Sku,
        /// The location.
        location: LocationId,
        /// The disposition.
        disposition: Disposition,
        /// Units of the receipt held there at that moment.
        held: i64,
        /// Units the return sends back.
        requested: i64,
    },
    /// A landed cost's allocation weights were unusable.
    #[error("event {id}: landed cost weights are invalid: {reason}")]
    InvalidWeights {
        /// The event.
        id: EventId,
        /// What was wrong.
        reason: &'static str,
    },
    /// A disposition that an event cannot use (for example a receipt into
    /// `InTransit`, or a change from a disposition to itself).
    #[error("event {id}: disposition {disposition} is not allowed here: {reason}")]
    InvalidDisposition {
        /// The event.
        id: EventId,
        /// The disposition.
        disposition: Disposition,
        /// Why.
        reason: &'static str,
    },
    /// A transfer whose source and destination are the same location.
    #[error("event {id}: transfer from {location} to itself")]
    SelfTransfer {
        /// The event.
        id: EventId,
        /// The location.
        location: LocationId,
    },
    /// Decimal or quantity arithmetic overflowed.
    #[error("event {id}: arithmetic overflow in {what}")]
    Overflow {
        /// The event being applied when it overflowed: for a backdated
        /// event, possibly a later one its replay reached (as with
        /// [`LedgerError::InsufficientStock`]).
        id: EventId,
        /// Which computation overflowed.
        what: &'static str,
    },
    /// The valuation method of a SKU cannot change once it has events.
    #[error("sku {sku} already has events; its valuation method cannot change")]
    MethodLocked {
        /// The SKU.
        sku: Sku,
    },
    /// More distinct names (SKUs, locations, ids) than the ledger's 32-bit
    /// indexes hold.
    #[error("too many distinct {what} for one ledger")]
    Capacity {
        /// What ran out.
        what: &'static str,
    },
    /// [`crate::Ledger::reserve`] asked for more room than can be had.
    #[error("cannot reserve room for {events} more events")]
    Reserve {
        /// The number of events asked for.
        events: usize,
    },
    /// A value from merchantry-core was invalid.
    #[error(transparent)]
    Core(#[from] CoreError),
}
