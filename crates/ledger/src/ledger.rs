//! The [`Ledger`]: ingest, idempotency, backdating and queries.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use merchantry_core::{ChannelId, Disposition, EventId, LocationId, Quantity, Sku};
use rust_decimal::Decimal;

use crate::book::{Book, Ctx, Entry, ExtraKind, Fail, Flow, Kind, LandedSpec, NONE};
use crate::corrections::Corrections;
use crate::entries::Entries;
use crate::error::LedgerError;
use crate::event::{
    AdjustmentReason, Event, EventKind, LandedTarget, LedgerOptions, Method, Refusal,
    VendorReturnCost,
};
use crate::names::{FastMap, FastSet, Names};
use crate::slots::Slots;
use crate::views::OpenClaim;

/// What happened to an ingested event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum IngestOutcome {
    /// The event was recorded.
    Applied {
        /// Earlier-recorded events whose value changed because this one was
        /// placed before them (empty for an in-order event), in time
        /// order, landed costs among them when the part on units already
        /// gone changed (see [`crate::Correction`]). They are all of this
        /// event's SKU: a backdate revalues only its own SKU.
        corrections: Corrections,
        /// Negative positions this event filled. After a backdate, the
        /// settlements the replay changed, in time order: new ones, and
        /// those that no longer happen (or now happen for another
        /// amount) reversed, with negative units and the negated amount.
        /// With the corrections they add up to the change in each flow.
        true_ups: Vec<TrueUp>,
    },
    /// The same event was recorded before; nothing changed.
    Duplicate,
}

/// The settlement of units that left while the position was negative.
///
/// They left priced at the last known cost; when units arrived, the
/// difference between their actual cost and that price was recognised
/// in `flow` at the arrival's timestamp, tied to the outbound event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrueUp {
    /// The SKU.
    pub sku: Sku,
    /// The outbound event that went short.
    pub outbound: EventId,
    /// The arrival that settled it.
    pub settled_by: EventId,
    /// When it was settled.
    pub at: DateTime<Utc>,
    /// Units settled (negative for a settlement a backdate undid).
    pub units: Quantity,
    /// Actual cost minus the price used (negative when cheaper; negated
    /// for a settlement a backdate undid).
    pub amount: Decimal,
    /// Where the amount was recognised.
    pub flow: Flow,
}

/// Value recognised in each flow over a period, for one SKU.
///
/// Value conservation: `opening + receipts + landed - cogs - write_offs -
/// vendor_returns - variance = closing`, exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Flows {
    /// Value received (receipts only; returns reduce `cogs`).
    pub receipts: Decimal,
    /// Landed costs.
    pub landed: Decimal,
    /// Cost of goods sold net of returns, with true-ups and landed cost on
    /// units already sold.
    pub cogs: Decimal,
    /// Write-offs net of found units.
    pub write_offs: Decimal,
    /// Vendor returns.
    pub vendor_returns: Decimal,
    /// True-ups of internal moves.
    pub variance: Decimal,
}

/// A cost line: one event's contribution to cost of goods sold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CostLine {
    /// The event (shipment, return, landed cost or settling arrival).
    pub event: EventId,
    /// When it was recognised.
    pub at: DateTime<Utc>,
    /// Where the units left from: for a return, where they came back to
    /// (which may be another location than the shipment's); for a
    /// landed cost's part on units already gone, the location of the
    /// receipt it applies to (the ledger does not record which outbound
    /// events took that receipt's units, so not where they were sold).
    pub location: LocationId,
    /// The channel, when known: `None` for a landed cost's part on units
    /// already gone, so per-channel cost of goods sold adds up to the
    /// total less those lines.
    pub channel: Option<ChannelId>,
    /// Units sold (negative for returns, zero for cost-only lines).
    pub quantity: Quantity,
    /// Cost (negative for returns).
    pub cost: Decimal,
}

/// Units held now that arrived together.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CostLayer {
    /// Where.
    pub location: LocationId,
    /// In what state.
    pub disposition: Disposition,
    /// The receipt (or return, found adjustment) they came from.
    pub origin: EventId,
    /// When that arrival happened.
    pub received_at: DateTime<Utc>,
    /// Units left.
    pub quantity: Quantity,
    /// Their value (under moving average: the pool's average times units,
    /// the last layer taking the remainder).
    pub value: Decimal,
}

/// The inventory ledger of one business in one currency.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use merchantry_core::{ChannelId, Disposition, EventId, LocationId, OrderId, Quantity, Sku};
/// use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions};
/// use rust_decimal::Decimal;
///
/// let mut ledger = Ledger::new(LedgerOptions::default());
/// let (sku, wh) = (Sku::new("MUG")?, LocationId::new("WH1")?);
/// let day = |d| Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap();
/// ledger.ingest(Event::new(EventId::new("r1")?, day(1), sku.clone(), wh.clone(),
///     EventKind::receipt(Quantity::new(10), Decimal::from(3))))?;
/// ledger.ingest(Event::new(EventId::new("s1")?, day(2), sku.clone(), wh.clone(),
///     EventKind::shipment(Quantity::new(4), ChannelId::new("amazon")?, OrderId::new("o1")?)))?;
/// assert_eq!(ledger.balance(&sku, &wh, Disposition::Sellable, day(3)), Quantity::new(6));
/// assert_eq!(ledger.value(&sku, &wh, Disposition::Sellable, day(3)), Decimal::from(18));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ledger {
    options: LedgerOptions,
    methods: BTreeMap<Sku, Method>,
    skus: Slots<Sku>,
    books: Vec<Book>,
    locations: Slots<LocationId>,
    channels: Slots<ChannelId>,
    names: Names,
    /// Indexed names that no recorded event has as its id: ids events
    /// refer to before (or without) the event itself arriving. Every
    /// other indexed name is a recorded event's id. Derived from the
    /// events, so equality and snapshots ignore it.
    unrecorded: FastSet<u32>,
    /// The units and amount of every recorded reimbursement naming a
    /// write-off, added up by the indexed name of that write-off's id,
    /// so a reimbursement that would take them past their bounds is
    /// refused. Derived from the events, so equality and snapshots
    /// ignore it.
    paid: FastMap<u32, Paid>,
    /// The last day an event was stamped on; not part of the state.
    day: Day,
}

/// Units and money reimbursed for one write-off.
type Paid = (i64, Decimal);

/// `total` with a reimbursement of `units` and `amount` added, or what
/// overflows.
fn add_paid(total: Paid, units: Quantity, amount: Decimal) -> Result<Paid, &'static str> {
    let units = total.0.checked_add(units.get()).ok_or("units reimbursed for its write-off")?;
    let amount = total.1.checked_add(amount).ok_or("amount reimbursed for its write-off")?;
    Ok((units, amount))
}

/// Whether reversals took more units or money back from a write-off
/// than its reimbursements paid.
fn overdrawn(total: Paid) -> bool {
    total.0 < 0 || total.1 < Decimal::ZERO
}

/// Whether a reimbursement of `units` and `amount` is a reversal: one of
/// them below zero (validation refuses the other above zero).
fn is_reversal(units: Quantity, amount: Decimal) -> bool {
    units.is_negative() || amount < Decimal::ZERO
}

/// The refusal of reversal `event` of `units` and `amount`, naming
/// `write_off`, with which the reimbursements naming that write-off add
/// up to `total`.
fn exceeds_paid(
    event: &Event,
    write_off: EventId,
    (units, amount): (Quantity, Decimal),
    total: Paid,
) -> LedgerError {
    LedgerError::ReversalExceedsPaid {
        id: event.id.clone(),
        write_off,
        amount,
        units: units.get(),
        paid_amount: total.1.saturating_sub(amount),
        paid_units: total.0.saturating_sub(units.get()),
    }
}

/// A UTC day and its first instant in nanoseconds since the epoch.
///
/// Events come in days, and turning a date into a day number is most of
/// the cost of turning a timestamp into nanoseconds: an event stamped on
/// the day of the one before takes that day's start and adds its time.
#[derive(Debug, Clone, Copy)]
struct Day {
    date: NaiveDate,
    start: i64,
}

impl Default for Day {
    /// The Unix epoch's day, which starts at nanosecond 0: a true day, so
    /// a fresh ledger needs no "no day" case (a sentinel date would be a
    /// date some event can carry).
    fn default() -> Self {
        Self { date: NaiveDate::default(), start: 0 }
    }
}

impl Day {
    /// An event's timestamp in nanoseconds, as [`nanos`], remembering its
    /// day.
    #[inline(always)]
    fn nanos(&mut self, event: &Event) -> Result<i64, LedgerError> {
        let at = event.at.naive_utc();
        if at.date() == self.date {
            // The fraction runs past a second in a leap second, as in
            // `timestamp_nanos_opt`.
            let time = at.time();
            let within = i64::from(time.num_seconds_from_midnight()) * 1_000_000_000
                + i64::from(time.nanosecond());
            if let Some(n) = self.start.checked_add(within).filter(|&n| n != i64::MAX) {
                return Ok(n);
            }
        }
        self.nanos_new_day(event)
    }

    /// [`Day::nanos`] for an event on another day than the last.
    #[inline(never)]
    fn nanos_new_day(&mut self, event: &Event) -> Result<i64, LedgerError> {
        let n = nanos(event)?;
        let date = event.at.date_naive();
        if let Some(start) = date.and_time(NaiveTime::MIN).and_utc().timestamp_nanos_opt() {
            *self = Self { date, start };
        }
        Ok(n)
    }
}

/// Two ledgers are equal when they hold the same options, methods and
/// names and each SKU the same events in the same order (by timestamp,
/// and events at one instant in their arrival order): everything else is
/// derived from these, so a restored snapshot equals its original. A
/// ledger numbers SKUs, locations and channels in the order it first
/// sees them, which differs between two ledgers fed the same events in
/// different orders (one of them backdating): books are paired by SKU,
/// and the other names compared as sets. Two events of one SKU at one
/// instant that arrived in the other order make a different ledger, as
/// they may be valued differently.
impl PartialEq for Ledger {
    fn eq(&self, other: &Self) -> bool {
        self.options == other.options
            && self.methods == other.methods
            && same_names(self.locations.as_slice(), other.locations.as_slice())
            && same_names(self.channels.as_slice(), other.channels.as_slice())
            && self.books.len() == other.books.len()
            && self.skus.len() == other.skus.len()
            && self.skus.as_slice().iter().enumerate().all(|(i, sku)| {
                let Some(j) = other.skus.find(sku).map(|j| j as usize) else {
                    return false;
                };
                let (a, b) = (&self.books[i], &other.books[j]);
                a.method == b.method
                    && a.entries.len() == b.entries.len()
                    && (0..a.entries.len()).all(|p| self.decode(i, p) == other.decode(j, p))
            })
    }
}

/// Whether two lists of distinct names hold the same names.
fn same_names<K: Ord>(a: &[K], b: &[K]) -> bool {
    fn sorted<K: Ord>(names: &[K]) -> Vec<&K> {
        let mut v: Vec<&K> = names.iter().collect();
        v.sort_unstable();
        v
    }
    a.len() == b.len() && sorted(a) == sorted(b)
}

/// The room of the name tables before a batch (see [`Ledger::room`]).
#[derive(Debug, Clone, Copy)]
struct Room {
    names: (usize, usize),
    skus: (usize, usize),
    locations: (usize, usize),
    channels: (usize, usize),
    books: usize,
    unrecorded: usize,
}

/// The lengths of the name tables, to undo a failed ingest.
#[derive(Debug, Clone, Copy)]
struct Mark {
    skus: usize,
    locations: usize,
    channels: usize,
    names: usize,
}

impl Ledger {
    /// An empty ledger.
    #[must_use]
    pub fn new(options: LedgerOptions) -> Self {
        Self {
            options,
            methods: BTreeMap::new(),
            skus: Slots::new("skus"),
            books: Vec::new(),
            locations: Slots::new("locations"),
            channels: Slots::new("channels"),
            names: Names::default(),
            unrecorded: FastSet::default(),
            paid: FastMap::default(),
            day: Day::default(),
        }
    }

    /// The options the ledger was built with.
    #[must_use]
    pub fn options(&self) -> &LedgerOptions {
        &self.options
    }

    /// Sets the valuation method of `sku` (others use the default).
    ///
    /// # Errors
    ///
    /// [`LedgerError::MethodLocked`] once the SKU has events.
    pub fn set_method(&mut self, sku: &Sku, method: Method) -> Result<(), LedgerError> {
        if let Some(i) = self.skus.find(sku) {
            let book = &mut self.books[i as usize];
            if !book.entries.is_empty() {
                return Err(LedgerError::MethodLocked { sku: sku.clone() });
            }
            book.method = method;
        }
        self.methods.insert(sku.clone(), method);
        Ok(())
    }

    /// The valuation method of `sku`.
    #[must_use]
    pub fn method(&self, sku: &Sku) -> Method {
        self.methods.get(sku).copied().unwrap_or(self.options.default_method)
    }

    /// Number of events held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.books.iter().map(|b| b.entries.len()).sum()
    }

    /// Whether the ledger holds no event.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.books.iter().all(|b| b.entries.is_empty())
    }

    fn ctx(&self) -> Ctx {
        Ctx { pooling: self.options.pooling, negative: self.options.negative_stock }
    }

    fn mark(&self) -> Mark {
        Mark {
            skus: self.skus.len(),
            locations: self.locations.len(),
            channels: self.channels.len(),
            names: self.names.len(),
        }
    }

    fn undo_names(&mut self, mark: Mark) {
        self.unrecorded.retain(|&i| (i as usize) < mark.names);
        self.skus.truncate(mark.skus);
        self.books.truncate(mark.skus);
        self.locations.truncate(mark.locations);
        self.channels.truncate(mark.channels);
        self.names.truncate(mark.names);
    }

    /// Records one event.
    ///
    /// An event stamped at or after every other event of its SKU is
    /// appended; an older one is placed in time order and the SKU is
    /// revalued from there, returning the corrections.
    ///
    /// # Errors
    ///
    /// [`LedgerError::ConflictingDuplicate`] for a known id with other
    /// content; the validation errors of each event kind
    /// ([`LedgerError::NonPositiveQuantity`],
    /// [`LedgerError::NegativeAmount`], [`LedgerError::InvalidDisposition`],
    /// [`LedgerError::SelfTransfer`], [`LedgerError::ZeroAdjustment`],
    /// [`LedgerError::AdjustmentDirection`],
    /// [`LedgerError::MixedSignReimbursement`],
    /// [`LedgerError::ReversalWithoutWriteOff`],
    /// [`LedgerError::TimestampOutOfRange`]);
    /// [`LedgerError::ReversalExceedsPaid`] for a reversal taking back
    /// more than the reimbursements naming its write-off paid (see
    /// [`EventKind::Reimbursement`], "Reversals");
    /// [`LedgerError::InsufficientStock`] under the reject policy;
    /// [`LedgerError::UnknownReference`] and
    /// [`LedgerError::InvalidWeights`] for references and landed costs;
    /// [`LedgerError::Overflow`], among them for a reimbursement that
    /// would take the units or the amount reimbursed for the write-off it
    /// names (by all the reimbursements naming it, under any SKU) past
    /// `i64` or `Decimal`'s bounds. After an error nothing has changed.
    pub fn ingest(&mut self, event: Event) -> Result<IngestOutcome, LedgerError> {
        self.ingest_ref(&event)
    }

    /// [`Ledger::ingest`] on a borrowed event: the ledger keeps none of
    /// the event's values, so a caller that holds its events (a parsed
    /// report, a replay log) records them without cloning, and their
    /// ids are not dropped one by one inside the call.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{Event, EventKind, IngestOutcome, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    /// let events = vec![Event::new(EventId::new("r1")?, at, Sku::new("MUG")?,
    ///     LocationId::new("WH1")?, EventKind::receipt(Quantity::new(3), Decimal::ONE))];
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// for event in &events {
    ///     ledger.ingest_ref(event)?;
    /// }
    /// assert_eq!(ledger.ingest_ref(&events[0])?, IngestOutcome::Duplicate);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Ledger::ingest`]. After an error nothing has changed.
    pub fn ingest_ref(&mut self, event: &Event) -> Result<IngestOutcome, LedgerError> {
        let at = self.day.nanos(event)?;
        validate(event)?;
        let hash = self.names.hash(event.id.as_str());
        let mark = self.mark();
        // One probe of the id index finds the id or stores it (a failure
        // below forgets it again with the other new names).
        let (id, known) = self.names.find_or_insert(event.id.as_str(), hash);
        if let EventKind::Reimbursement { write_off: Some(write_off), units, amount } = &event.kind
        {
            return self.ingest_payment(event, (at, id, known), mark, write_off, (*units, *amount));
        }
        if known {
            return self.record_known(event, at, id, mark);
        }
        self.record(event, at, id, mark)
    }

    /// [`Ledger::ingest_ref`] for a reimbursement naming `write_off`,
    /// which it pays `units` and an amount for (takes them back, for a
    /// reversal): refused when the totals paid for that write-off would
    /// overflow or go below zero.
    #[cold]
    #[inline(never)]
    fn ingest_payment(
        &mut self,
        event: &Event,
        (at, id, known): (i64, u32, bool),
        mark: Mark,
        write_off: &EventId,
        (units, amount): (Quantity, Decimal),
    ) -> Result<IngestOutcome, LedgerError> {
        // A repeat is a duplicate before anything else.
        if known && self.is_recorded(event, at, id)? {
            return Ok(IngestOutcome::Duplicate);
        }
        let named = self.reference(write_off.as_str());
        let before = self.paid.get(&named).copied().unwrap_or_default();
        let total = match add_paid(before, units, amount) {
            Ok(total) => total,
            Err(what) => {
                let err = LedgerError::Overflow { id: event.id.clone(), what };
                return Err(self.refuse(mark, err));
            }
        };
        if overdrawn(total) {
            let err = exceeds_paid(event, write_off.clone(), (units, amount), total);
            return Err(self.refuse(mark, err));
        }
        let outcome = self.record_unrecorded(event, at, (id, known), mark)?;
        self.paid.insert(named, total);
        Ok(outcome)
    }

    /// [`Ledger::ingest_ref`] for an event whose id was indexed before: a
    /// repeat, a conflict, or an event that others referred to first.
    #[inline(never)]
    fn record_known(
        &mut self,
        event: &Event,
        at: i64,
        id: u32,
        mark: Mark,
    ) -> Result<IngestOutcome, LedgerError> {
        if self.is_recorded(event, at, id)? {
            return Ok(IngestOutcome::Duplicate);
        }
        self.record_unrecorded(event, at, (id, true), mark)
    }

    /// [`Ledger::record`] for an event that is no repeat, whose id, when
    /// `known`, was so far only referred to: it now names a recorded
    /// event.
    fn record_unrecorded(
        &mut self,
        event: &Event,
        at: i64,
        (id, known): (u32, bool),
        mark: Mark,
    ) -> Result<IngestOutcome, LedgerError> {
        let outcome = self.record(event, at, id, mark)?;
        if known {
            self.unrecorded.remove(&id);
        }
        Ok(outcome)
    }

    /// Records a new event whose id is name `id`. On failure the names
    /// stored since `mark` are forgotten, so nothing has changed; the
    /// outcome is returned straight from where it is made.
    #[inline(always)]
    fn record(
        &mut self,
        event: &Event,
        at: i64,
        id: u32,
        mark: Mark,
    ) -> Result<IngestOutcome, LedgerError> {
        let sku = match self.sku_slot(&event.sku) {
            Ok(sku) => sku,
            Err(err) => return Err(self.refuse(mark, err)),
        };
        let ctx = self.ctx();
        let book = &self.books[sku];
        let (amounts, landed) = (book.amounts.len(), book.landed.len());
        if book.entries.last().is_some_and(|last| last.at > at) {
            let entry = match self.encode(event, sku, at, id) {
                Ok(entry) => entry,
                Err(err) => return Err(self.refuse_encoded(sku, (amounts, landed), mark, err)),
            };
            return self.backdate(entry, sku, (amounts, landed), mark);
        }
        // In order: the event is encoded in place, as its book's new last
        // entry, starting from a blank entry given its timestamp and id
        // there. An entry built elsewhere (returned by `encode`, or made
        // by `Entry::new`) is written field by field and then copied
        // whole, and the copy's wide loads wait for those narrow stores to
        // reach the cache (a load spanning several stores cannot be
        // forwarded from them): about a seventh of an in-order ingest.
        let (mut encoder, entries) = self.encoder(sku);
        let entry = entries.push(Entry::BLANK);
        (entry.at, entry.id) = (at, id);
        if let Err(err) = encoder.encode(event, entry) {
            entries.pop();
            return Err(self.refuse_encoded(sku, (amounts, landed), mark, err));
        }
        let book = &mut self.books[sku];
        if let Err(fail) = book.apply_appended(ctx) {
            let err = self.error(sku, fail);
            return Err(self.refuse_encoded(sku, (amounts, landed), mark, err));
        }
        let pos = book.entries.len() - 1;
        if book.extras.last().is_some_and(|x| x.entry as usize == pos) {
            return Ok(self.settled(sku, pos));
        }
        // The common case: nothing settled, nothing to collect.
        Ok(IngestOutcome::Applied { corrections: Corrections::default(), true_ups: Vec::new() })
    }

    /// The totals paid for each write-off that `payments` (the handle of
    /// the write-off named, units, amount and input position of each of
    /// a batch's reimbursements naming one) name, with what was paid
    /// before the batch.
    ///
    /// The reversals are added first and the payments after them, so
    /// each total falls and then rises: it overflows only if the batch's
    /// final total does, whatever the order of the batch. A snapshot
    /// lists its events SKU by SKU, not in the order they arrived, and
    /// must restore whenever the ledger took them one by one. (Reversals
    /// that together take back more than `i64::MAX` units or
    /// `Decimal::MAX` from one write-off in one batch, beyond what was
    /// paid before it, still overflow.)
    ///
    /// # Errors
    ///
    /// [`LedgerError::Overflow`], naming the reimbursement whose addition
    /// overflowed.
    fn batch_paid(
        &self,
        events: &[Event],
        payments: &[(u32, Quantity, Decimal, usize)],
    ) -> Result<FastMap<u32, Paid>, LedgerError> {
        let mut paid: FastMap<u32, Paid> = FastMap::default();
        let (reversals, payments): (Vec<_>, Vec<_>) =
            payments.iter().partition(|&&(_, units, amount, _)| is_reversal(units, amount));
        for &&(named, units, amount, i) in reversals.iter().chain(&payments) {
            let before = paid.get(&named).or_else(|| self.paid.get(&named));
            let total =
                add_paid(before.copied().unwrap_or_default(), units, amount).map_err(|what| {
                    LedgerError::Overflow {
                        id: events.get(i).map_or_else(unknown::<EventId>, |e| e.id.clone()),
                        what,
                    }
                })?;
            paid.insert(named, total);
        }
        Ok(paid)
    }

    /// The outcome of the entry just appended at `pos` of book `sku`,
    /// which settled negative positions.
    #[inline(never)]
    fn settled(&self, sku: usize, pos: usize) -> IngestOutcome {
        let book = &self.books[sku];
        let Some(&entry) = book.entries.get(pos) else {
            return IngestOutcome::Applied {
                corrections: Corrections::default(),
                true_ups: Vec::new(),
            };
        };
        let true_ups = book
            .extras_of(pos)
            .iter()
            .filter(|x| x.kind == ExtraKind::TrueUp)
            .map(|x| self.true_up(sku, entry.id, entry.at, x))
            .collect();
        IngestOutcome::Applied { corrections: Corrections::default(), true_ups }
    }

    /// Places `entry`, older than the last of book `sku`, in time order
    /// and revalues what follows it; `lengths` are the book's amounts and
    /// landed costs before `entry` was encoded.
    #[inline(never)]
    fn backdate(
        &mut self,
        entry: Entry,
        sku: usize,
        (amounts, landed): (usize, usize),
        mark: Mark,
    ) -> Result<IngestOutcome, LedgerError> {
        let ctx = self.ctx();
        match self.books[sku].insert(vec![entry], ctx, amounts, landed) {
            Ok(undo) => Ok(self.outcome(sku, &undo)),
            Err(fail) => {
                let err = self.error(sku, fail);
                Err(self.refuse(mark, err))
            }
        }
    }

    /// [`Ledger::refuse`] for an event that was encoded, or failed while
    /// encoding, into book `sku`: the amounts and landed cost it stored
    /// there past `lengths` go too (a stray amount would be invisible to
    /// `==` and snapshots).
    #[cold]
    #[inline(never)]
    fn refuse_encoded(
        &mut self,
        sku: usize,
        (amounts, landed): (usize, usize),
        mark: Mark,
        err: LedgerError,
    ) -> LedgerError {
        if let Some(book) = self.books.get_mut(sku) {
            book.amounts.truncate(amounts);
            book.landed.truncate(landed);
        }
        self.refuse(mark, err)
    }

    /// Forgets the names stored since `mark` and passes `err` on: what a
    /// refused event does before reporting.
    #[cold]
    #[inline(never)]
    fn refuse(&mut self, mark: Mark, err: LedgerError) -> LedgerError {
        self.undo_names(mark);
        err
    }

    /// Records many events, replaying each affected SKU once from its
    /// earliest new event: a month of late events costs one pass over
    /// what they affect. All or nothing: on error nothing has changed.
    ///
    /// Events are taken in the given order as their arrival order.
    /// Returns one outcome per event, in input order. Each SKU's
    /// corrections and true-ups are reported once, on its first new event
    /// in the input; its other events report none.
    ///
    /// Reimbursement reversals are checked against the batch as a whole:
    /// one may come before the payment it takes back from, as long as
    /// the totals of each write-off after the batch are not below zero
    /// (see [`EventKind::Reimbursement`], "Reversals"); and their totals
    /// overflow only if the totals after the batch do (reversals are
    /// added before payments). A snapshot, which lists events SKU by SKU,
    /// relies on both.
    ///
    /// # Errors
    ///
    /// As [`Ledger::ingest`], for the first failing event;
    /// [`LedgerError::ReversalExceedsPaid`] once every event is read,
    /// naming the last reversal (in input order) of the write-off it
    /// leaves below zero.
    pub fn ingest_batch(
        &mut self,
        events: impl IntoIterator<Item = Event>,
    ) -> Result<Vec<IngestOutcome>, LedgerError> {
        let events: Vec<Event> = events.into_iter().collect();
        let mark = self.mark();
        let room = self.room();
        // Per SKU slot: the lengths of its amounts and landed costs before
        // the batch, once the batch touches it.
        let mut touched: Vec<Option<(usize, usize)>> = Vec::new();
        let result = self.batch_inner(&events, &mut touched);
        if result.is_err() {
            for (sku, lengths) in touched.iter().enumerate() {
                if let (Some((amounts, landed)), Some(book)) = (lengths, self.books.get_mut(sku)) {
                    book.amounts.truncate(*amounts);
                    book.landed.truncate(*landed);
                }
            }
            self.undo_names(mark);
            self.give_back(&room);
        }
        result
    }

    /// The room the name tables hold: what a refused batch gives back to.
    fn room(&self) -> Room {
        Room {
            names: self.names.capacity(),
            skus: self.skus.capacity(),
            locations: self.locations.capacity(),
            channels: self.channels.capacity(),
            books: self.books.capacity(),
            unrecorded: self.unrecorded.capacity(),
        }
    }

    /// Shrinks the name tables back to `room` after a refused batch, so
    /// that it leaves no reserved room behind either.
    fn give_back(&mut self, room: &Room) {
        self.names.shrink_to(room.names);
        self.skus.shrink_to(room.skus);
        self.locations.shrink_to(room.locations);
        self.channels.shrink_to(room.channels);
        self.books.shrink_to(room.books);
        self.unrecorded.shrink_to(room.unrecorded);
    }

    fn batch_inner(
        &mut self,
        events: &[Event],
        touched: &mut Vec<Option<(usize, usize)>>,
    ) -> Result<Vec<IngestOutcome>, LedgerError> {
        // Room for every name the batch may add: its ids and the ids
        // its events refer to (each with a header of at most two bytes).
        let bytes: usize =
            events.iter().map(|e| e.id.as_str().len() + 2 + names_bytes(&e.kind)).sum();
        self.names.reserve(events.len(), bytes);
        let names_start = self.names.len();
        let mut outcomes = Vec::with_capacity(events.len());
        let mut repeats = Repeats::default();
        // New events whose id was stored before them (so far only as a
        // reference): recorded once the batch succeeds.
        let mut referenced = Vec::new();
        // Per SKU slot: the input position of its first new event and its
        // new entries in arrival order.
        let mut per_sku: Vec<(usize, Vec<Entry>)> = Vec::new();
        // The batch's reimbursements naming a write-off: the write-off's
        // handle, units, amount and input position (see `batch_paid`).
        let mut payments: Vec<(u32, Quantity, Decimal, usize)> = Vec::new();
        // The input position of the batch's last reversal naming each
        // write-off: the batch is checked as a whole, so a reversal may
        // come before the payment it takes back from.
        let mut reversals: FastMap<u32, usize> = FastMap::default();
        for (i, event) in events.iter().enumerate() {
            let at = self.day.nanos(event)?;
            validate(event)?;
            let hash = self.names.hash(event.id.as_str());
            let (id, known) = self.names.find_or_insert(event.id.as_str(), hash);
            if known {
                // Only a name stored by this batch, or one so far only
                // referred to, can be the id of an earlier event of the
                // batch (an id recorded before is in a book).
                let maybe_here = id as usize >= names_start || self.unrecorded.contains(&id);
                let repeated = match maybe_here.then(|| repeats.find(id, events)).flatten() {
                    Some(previous) if same_event(previous, event) => true,
                    Some(_) => {
                        return Err(LedgerError::ConflictingDuplicate { id: event.id.clone() });
                    }
                    None => self.is_recorded(event, at, id)?,
                };
                if repeated {
                    outcomes.push(IngestOutcome::Duplicate);
                    continue;
                }
                referenced.push(id);
            }
            repeats.add(id, i);
            let sku = self.sku_slot(&event.sku)?;
            if touched.len() <= sku {
                touched.resize(sku + 1, None);
                per_sku.resize_with(sku + 1, || (usize::MAX, Vec::new()));
            }
            let book = &self.books[sku];
            touched[sku].get_or_insert((book.amounts.len(), book.landed.len()));
            let entry = self.encode(event, sku, at, id)?;
            if let EventKind::Reimbursement { write_off: Some(_), units, amount } = &event.kind {
                payments.push((entry.refx, *units, *amount, i));
                if is_reversal(*units, *amount) {
                    reversals.insert(entry.refx, i);
                }
            }
            let (first, list) = &mut per_sku[sku];
            if list.is_empty() {
                *first = i;
            }
            list.push(entry);
            outcomes.push(IngestOutcome::Applied {
                corrections: Corrections::default(),
                true_ups: Vec::new(),
            });
        }
        let paid = self.batch_paid(events, &payments)?;
        overdrawn_by_batch(events, &paid, &reversals)?;
        let ctx = self.ctx();
        let mut undos = Vec::new();
        for (sku, (first, list)) in per_sku.iter_mut().enumerate() {
            if list.is_empty() {
                continue;
            }
            // Stable: equal timestamps keep their arrival order.
            if !list.is_sorted_by_key(|e| e.at) {
                list.sort_by_key(|e| e.at);
            }
            let (amounts, landed) = touched.get(sku).copied().flatten().unwrap_or_default();
            match self.books[sku].insert(std::mem::take(list), ctx, amounts, landed) {
                Ok(undo) => undos.push((sku, *first, undo)),
                Err(fail) => {
                    let err = self.error(sku, fail);
                    for (sku, _, undo) in undos.into_iter().rev() {
                        self.books[sku].rollback(undo);
                    }
                    return Err(err);
                }
            }
        }
        // Every new event is recorded now: ids only referred to until
        // this batch name recorded events.
        for id in &referenced {
            self.unrecorded.remove(id);
        }
        self.paid.extend(paid);
        // Corrections and true-ups are reported on the first new event of
        // each SKU in the input; the other new events report none.
        for (sku, first, undo) in &undos {
            if let Some(slot) = outcomes.get_mut(*first) {
                *slot = self.outcome(*sku, undo);
            }
        }
        Ok(outcomes)
    }

    fn outcome(&self, sku: usize, undo: &crate::book::Undo) -> IngestOutcome {
        let book = &self.books[sku];
        let (changed, created) = undo.changes(book);
        let mut corrections = Corrections::with_capacity(changed.len());
        for (pos, before, after) in changed {
            let e = &book.entries[pos];
            corrections.push(self.names.get_bytes(e.id), e.at, before, after);
        }
        let true_ups = created
            .iter()
            .map(|x| {
                let e = book.entries.get(x.entry as usize).copied();
                self.true_up(sku, e.map_or(NONE, |e| e.id), e.map_or(0, |e| e.at), x)
            })
            .collect();
        IngestOutcome::Applied { corrections, true_ups }
    }

    fn true_up(&self, sku: usize, by: u32, at: i64, x: &crate::book::Extra) -> TrueUp {
        TrueUp {
            sku: self.sku(sku),
            outbound: self.event_id(x.origin),
            settled_by: self.event_id(by),
            at: DateTime::from_timestamp_nanos(at),
            units: Quantity::new(x.qty),
            amount: x.amount,
            flow: x.flow,
        }
    }

    fn event_id(&self, i: u32) -> EventId {
        stored(self.names.get(i))
    }

    fn error(&self, sku: usize, fail: Fail) -> LedgerError {
        let sku_id = self.sku(sku);
        match fail {
            Fail::Insufficient { id, loc, disp, available, requested } => {
                LedgerError::InsufficientStock {
                    id: self.event_id(id),
                    sku: sku_id,
                    location: self.location(loc),
                    disposition: disp,
                    available,
                    requested,
                }
            }
            Fail::UnknownRef { id, reference, expected } => LedgerError::UnknownReference {
                id: self.event_id(id),
                reference: self.names.get(reference).to_owned(),
                expected,
                sku: sku_id,
            },
            Fail::Weights { id, reason } => {
                LedgerError::InvalidWeights { id: self.event_id(id), reason }
            }
            Fail::Overflow { id, what } => LedgerError::Overflow { id: self.event_id(id), what },
            Fail::OriginShort { id, origin, loc, disp, held, requested } => {
                LedgerError::ReceiptUnitsShort {
                    id: self.event_id(id),
                    receipt: self.names.get(origin).to_owned(),
                    sku: sku_id,
                    location: self.location(loc),
                    disposition: disp,
                    held,
                    requested,
                }
            }
            Fail::ReturnExceeds { id, shipment, shipped, returned, requested } => {
                LedgerError::ReturnExceedsShipment {
                    id: self.event_id(id),
                    shipment: self.names.get(shipment).to_owned(),
                    sku: sku_id,
                    shipped,
                    returned,
                    requested,
                }
            }
        }
    }

    fn location(&self, i: u32) -> LocationId {
        self.locations.get(i).cloned().unwrap_or_else(unknown)
    }

    /// Whether `event`, whose id is stored as name `id` (as an event's
    /// id, or so far only as a reference from another event), was
    /// recorded before with identical content.
    ///
    /// # Errors
    ///
    /// [`LedgerError::ConflictingDuplicate`] when its id was recorded
    /// with other content.
    fn is_recorded(&self, event: &Event, at: i64, id: u32) -> Result<bool, LedgerError> {
        let conflict = || LedgerError::ConflictingDuplicate { id: event.id.clone() };
        let Some(sku) = self.skus.find(&event.sku) else {
            return if self.holds_event(id) { Err(conflict()) } else { Ok(false) };
        };
        let book = &self.books[sku as usize];
        let start = book.entries.partition_point(|e| e.at < at);
        let same =
            book.entries.iter_from(start).take_while(|e| e.at == at).position(|e| e.id == id);
        match same {
            Some(offset) if same_event(&self.decode(sku as usize, start + offset), event) => {
                Ok(true)
            }
            Some(_) => Err(conflict()),
            None if self.holds_event(id) => Err(conflict()),
            None => Ok(false),
        }
    }

    /// Whether some recorded event has the indexed name `id` as its id.
    fn holds_event(&self, id: u32) -> bool {
        !self.unrecorded.contains(&id)
    }

    /// The handle of an id an event refers to (a shipment, a receipt, a
    /// write-off), stored and indexed if new, and then noted as naming no
    /// recorded event yet.
    fn reference(&mut self, text: &str) -> u32 {
        reference(&mut self.names, &mut self.unrecorded, text)
    }

    /// The slot of `sku`, a new book when it is new. Consecutive events
    /// are seldom of one SKU, so this goes straight to the index.
    #[inline(always)]
    fn sku_slot(&mut self, sku: &Sku) -> Result<usize, LedgerError> {
        let text = sku.as_str();
        match self.skus.find_hashed(text, self.skus.hash(text)) {
            Some(i) => Ok(i as usize),
            None => Ok(self.add_sku(sku)? as usize),
        }
    }

    /// [`Ledger::sku_slot`] for a SKU not seen before.
    #[cold]
    #[inline(never)]
    fn add_sku(&mut self, sku: &Sku) -> Result<u32, LedgerError> {
        let (i, new) = self.skus.slot(sku)?;
        if new {
            // Grown by a quarter, not doubled: each spare book is 368 bytes.
            crate::names::reserve_more(&mut self.books, 1);
            self.books.push(Book::new(self.method(sku)));
        }
        Ok(i)
    }

    /// The SKU in slot `i` (which the caller has from a book).
    fn sku(&self, i: usize) -> Sku {
        u32::try_from(i).ok().and_then(|i| self.skus.get(i)).cloned().unwrap_or_else(unknown::<Sku>)
    }

    /// Turns an event into a compact entry whose id is name `id`,
    /// interning its other names (see [`Encoder::encode`]).
    fn encode(
        &mut self,
        event: &Event,
        sku: usize,
        at: i64,
        id: u32,
    ) -> Result<Entry, LedgerError> {
        let mut entry = Entry::new(at, id, NONE);
        self.encoder(sku).0.encode(event, &mut entry)?;
        Ok(entry)
    }

    /// The [`Encoder`] of an event of book `sku`, and the book's entries.
    fn encoder(&mut self, sku: usize) -> (Encoder<'_>, &mut Entries) {
        let Self { names, unrecorded, locations, channels, books, .. } = self;
        let Book { entries, amounts, landed, .. } = &mut books[sku];
        (Encoder { names, unrecorded, locations, channels, amounts, landed }, entries)
    }

    /// Rebuilds the event at `pos` of book `sku`.
    fn decode(&self, sku: usize, pos: usize) -> Event {
        let book = &self.books[sku];
        let e = book.entries[pos];
        let amount = || book.amounts.get(e.aux as usize).copied().unwrap_or_default();
        let name = |i: u32| self.names.get(i);
        let event_ref = |i: u32| (i != NONE).then(|| self.event_id(i));
        let channel = || self.channels.get(e.aux).cloned();
        let kind = match e.kind {
            Kind::Receipt => EventKind::Receipt {
                quantity: Quantity::new(e.qty),
                unit_cost: amount(),
                disposition: e.disp,
                purchase_order: (e.refx != NONE)
                    .then(|| merchantry_core::PurchaseOrderId::new(name(e.refx)).ok())
                    .flatten(),
            },
            Kind::Landed => {
                let spec = book.landed.get(e.aux as usize);
                EventKind::LandedCost {
                    amount: spec.map(|s| s.amount).unwrap_or_default(),
                    basis: spec.map_or(crate::event::LandedBasis::Quantity, |s| s.basis),
                    targets: spec
                        .map(|s| {
                            s.targets
                                .iter()
                                .map(|&(r, measure)| LandedTarget {
                                    receipt: self.event_id(r),
                                    measure,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            }
            Kind::Shipment => EventKind::Shipment {
                quantity: Quantity::new(e.qty),
                channel: channel().unwrap_or_else(unknown),
                order: stored(name(e.refx)),
            },
            Kind::Return => EventKind::CustomerReturn {
                quantity: Quantity::new(e.qty),
                channel: channel().unwrap_or_else(unknown),
                disposition: e.disp2,
                shipment: event_ref(e.refx),
            },
            Kind::Adjustment => EventKind::Adjustment {
                quantity: Quantity::new(e.qty),
                reason: AdjustmentReason::ALL
                    .get(e.refx as usize)
                    .copied()
                    .unwrap_or(AdjustmentReason::Found),
                disposition: e.disp,
                unit_cost: (e.aux != NONE).then(amount),
            },
            Kind::TransferOut => EventKind::TransferOut {
                quantity: Quantity::new(e.qty),
                disposition: e.disp,
                to: self.location(e.aux),
            },
            Kind::TransferIn => EventKind::TransferIn {
                quantity: Quantity::new(e.qty),
                from: self.location(e.aux),
                disposition: e.disp,
            },
            Kind::DispositionChange => EventKind::DispositionChange {
                quantity: Quantity::new(e.qty),
                from: e.disp,
                to: e.disp2,
            },
            Kind::VendorReturn => EventKind::VendorReturn {
                quantity: Quantity::new(e.qty),
                disposition: e.disp,
                cost: event_ref(e.refx)
                    .map_or(VendorReturnCost::CurrentAverage, VendorReturnCost::Receipt),
            },
            Kind::Reimbursement => EventKind::Reimbursement {
                amount: amount(),
                units: Quantity::new(e.qty),
                write_off: event_ref(e.refx),
            },
            Kind::Shortfall => EventKind::InboundShortfall {
                quantity: Quantity::new(e.qty),
                shipment: stored(name(e.refx)),
            },
        };
        Event {
            id: self.event_id(e.id),
            at: DateTime::from_timestamp_nanos(e.at),
            sku: self.sku(sku),
            location: self.location(e.loc),
            kind,
        }
    }

    // ---- queries ----------------------------------------------------------

    fn book(&self, sku: &Sku) -> Option<(usize, &Book)> {
        let i = self.skus.find(sku)?;
        Some((i as usize, self.books.get(i as usize)?))
    }

    /// Every event of `sku`, in ledger order (time, then arrival).
    #[must_use]
    pub fn events(&self, sku: &Sku) -> Vec<Event> {
        self.book(sku)
            .map(|(i, b)| (0..b.entries.len()).map(|p| self.decode(i, p)).collect())
            .unwrap_or_default()
    }

    /// Every SKU with events, sorted.
    #[must_use]
    pub fn skus(&self) -> Vec<Sku> {
        let mut skus = self.skus.as_slice().to_vec();
        skus.sort();
        skus
    }

    /// Units of `sku` at `location` in `disposition` after every event
    /// stamped at or before `at`.
    #[must_use]
    pub fn balance(
        &self,
        sku: &Sku,
        location: &LocationId,
        disposition: Disposition,
        at: DateTime<Utc>,
    ) -> Quantity {
        let Some((_, book)) = self.book(sku) else { return Quantity::ZERO };
        let Some(loc) = self.locations.find(location) else { return Quantity::ZERO };
        let Some(key) = book.keys.iter().position(|&k| k == (loc, disposition)) else {
            return Quantity::ZERO;
        };
        Quantity::new(self.scan(book, at_nanos(at), Some(key), None).0)
    }

    /// Carrying value of `sku` at `location` in `disposition` after every
    /// event stamped at or before `at`. Under [`crate::Pooling::PerSku`] the
    /// pool's value is split over locations by units (see [`crate::Pooling`]).
    #[must_use]
    pub fn value(
        &self,
        sku: &Sku,
        location: &LocationId,
        disposition: Disposition,
        at: DateTime<Utc>,
    ) -> Decimal {
        if self.options.pooling == crate::Pooling::PerLocation {
            // One pool per position: its value is the position's value,
            // found by scanning that pool alone.
            let Some((_, book)) = self.book(sku) else { return Decimal::ZERO };
            let Some(loc) = self.locations.find(location) else { return Decimal::ZERO };
            let Some(pool) = book.find_pool(crate::Pooling::PerLocation, loc, disposition) else {
                return Decimal::ZERO;
            };
            return plain(self.scan(book, at_nanos(at), None, Some(pool)).1);
        }
        self.positions_at(sku, at_nanos(at))
            .into_iter()
            .find(|(l, d, _, _)| l == location && *d == disposition)
            .map_or(Decimal::ZERO, |(_, _, _, v)| v)
    }

    /// Total carrying value of `sku` after every event stamped at or
    /// before `at`.
    ///
    /// The pools are added in order of location name and disposition, not
    /// in the order they were first used: past 28 significant digits a
    /// `Decimal` sum rounds at each step, and the total must not depend on
    /// the order events arrived in.
    #[must_use]
    pub fn total_value(&self, sku: &Sku, at: DateTime<Utc>) -> Decimal {
        let Some((_, book)) = self.book(sku) else { return Decimal::ZERO };
        let light = book.as_of(at_nanos(at), self.options.pooling);
        let mut pools: Vec<(Option<&LocationId>, Disposition, Decimal)> = book
            .pools
            .iter()
            .zip(&light.value)
            .map(|(&(loc, disp), &v)| (self.locations.get(loc), disp, v))
            .collect();
        pools.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        plain(pools.iter().fold(Decimal::ZERO, |a, p| a.saturating_add(p.2)))
    }

    /// `(units of key, value of pool)` after entries at or before `at`,
    /// scanning only the requested slots.
    fn scan(
        &self,
        book: &Book,
        at: i64,
        key: Option<usize>,
        pool: Option<usize>,
    ) -> (i64, Decimal) {
        let (k, end) = book.block(at);
        let q = key.map_or(0, |s| book.light.qty(k, s));
        let v = pool.map_or(Decimal::ZERO, |s| book.light.value(k, s));
        let key = key.and_then(|s| book.keys.get(s)).copied();
        let pool = pool.and_then(|s| book.pools.get(s).map(|&p| (s, p)));
        book.scan_slots(k * crate::book::LIGHT..end, self.options.pooling, key, pool, (q, v))
    }

    /// Every position of `sku` with units or value at `at`:
    /// `(location, disposition, units, value)`, sorted.
    fn positions_at(
        &self,
        sku: &Sku,
        at: i64,
    ) -> Vec<(LocationId, Disposition, Quantity, Decimal)> {
        let Some((_, book)) = self.book(sku) else { return Vec::new() };
        let light = book.as_of(at, self.options.pooling);
        let mut out: Vec<(LocationId, Disposition, Quantity, Decimal)> = Vec::new();
        for (pool, &(ploc, disp)) in book.pools.iter().enumerate() {
            let value = light.value.get(pool).copied().unwrap_or_default();
            // In order of location name, not of first use, so that the
            // split (and the remainder, which goes to the last location
            // holding units) does not depend on the order events arrived.
            let mut members: Vec<(usize, u32)> = book
                .keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.1 == disp && (ploc == NONE || k.0 == ploc))
                .map(|(s, &(loc, _))| (s, loc))
                .collect();
            members.sort_by(|a, b| self.locations.get(a.1).cmp(&self.locations.get(b.1)));
            let units: Vec<i64> =
                members.iter().map(|&(s, _)| light.qty.get(s).copied().unwrap_or(0)).collect();
            // Positions may be negative: partial sums can pass i64.
            let total: i128 = units.iter().map(|&q| i128::from(q)).sum();
            let mut left = value;
            let last = units.iter().rposition(|&q| q != 0).unwrap_or(units.len().saturating_sub(1));
            for (i, (&(_, loc), &q)) in members.iter().zip(&units).enumerate() {
                let v = if i == last {
                    left
                } else if total == 0 || q == 0 {
                    Decimal::ZERO
                } else {
                    value
                        .checked_mul(Decimal::from(q))
                        .and_then(|x| x.checked_div(Decimal::from(total)))
                        .unwrap_or_default()
                };
                left = left.saturating_sub(v);
                if q != 0 || !v.is_zero() {
                    out.push((self.location(loc), disp, Quantity::new(q), plain(v)));
                }
            }
        }
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        out
    }

    /// Value recognised in each flow for `sku` over events stamped in
    /// `(after, until]`. Sums saturate at `Decimal`'s bounds (about
    /// 7.9e28), far past any real business; ingest refuses a single value
    /// beyond them.
    #[must_use]
    pub fn flows(&self, sku: &Sku, after: DateTime<Utc>, until: DateTime<Utc>) -> Flows {
        let mut f = Flows::default();
        let Some((_, book)) = self.book(sku) else { return f };
        let (a, u) = (at_nanos(after), at_nanos(until));
        let start = book.entries.partition_point(|e| e.at <= a);
        let end = book.entries.partition_point(|e| e.at <= u);
        let plus = |x: &mut Decimal, v: Decimal| *x = x.saturating_add(v);
        for pos in start..end.max(start) {
            let e = &book.entries[pos];
            match e.kind {
                Kind::Receipt => plus(&mut f.receipts, e.value()),
                Kind::Landed => plus(&mut f.landed, e.value()),
                Kind::Shipment => plus(&mut f.cogs, e.value()),
                Kind::Return => plus(&mut f.cogs, -e.value()),
                Kind::Adjustment if e.qty < 0 => plus(&mut f.write_offs, e.value()),
                Kind::Adjustment => plus(&mut f.write_offs, -e.value()),
                Kind::Shortfall => plus(&mut f.write_offs, e.value()),
                Kind::VendorReturn => plus(&mut f.vendor_returns, e.value()),
                _ => {}
            }
            for x in book.extras_of(pos).iter().filter(|x| x.kind != ExtraKind::LandedHeld) {
                let target = match x.flow {
                    Flow::Cogs => &mut f.cogs,
                    Flow::WriteOff => &mut f.write_offs,
                    Flow::VendorReturn => &mut f.vendor_returns,
                    Flow::Variance => &mut f.variance,
                };
                plus(target, x.amount);
            }
        }
        f
    }

    /// Cost of goods sold of `sku` over events stamped in `(after, until]`,
    /// line by line: shipments, returns (negative), true-ups of shipments
    /// and landed cost on units already sold.
    #[must_use]
    pub fn cost_lines(
        &self,
        sku: &Sku,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<CostLine> {
        let Some((_, book)) = self.book(sku) else { return Vec::new() };
        let (a, u) = (at_nanos(after), at_nanos(until));
        let start = book.entries.partition_point(|e| e.at <= a);
        let end = book.entries.partition_point(|e| e.at <= u).max(start);
        let mut lines = Vec::new();
        for pos in start..end {
            let e = &book.entries[pos];
            let at = DateTime::from_timestamp_nanos(e.at);
            let line = |quantity: i64, cost: Decimal, loc: u32, channel: u32| CostLine {
                event: self.event_id(e.id),
                at,
                location: self.location(loc),
                channel: self.channels.get(channel).cloned(),
                quantity: Quantity::new(quantity),
                cost,
            };
            match e.kind {
                Kind::Shipment => lines.push(line(e.qty, e.value(), e.loc, e.aux)),
                Kind::Return => lines.push(line(-e.qty, -e.value(), e.loc, e.aux)),
                _ => {}
            }
            for x in book.extras_of(pos) {
                if x.flow == Flow::Cogs && x.kind != ExtraKind::LandedHeld {
                    lines.push(line(0, x.amount, x.loc, x.channel));
                }
            }
        }
        lines
    }

    /// Cost of goods sold of `sku` in `(after, until]`, optionally only at
    /// one location and through one channel, as the [`CostLine`]s place
    /// them (a return at the location it came back to; a landed cost on
    /// units already gone at its receipt's location and through no
    /// channel). The sum saturates at
    /// `Decimal`'s bounds, as [`Ledger::flows`].
    #[must_use]
    pub fn cogs(
        &self,
        sku: &Sku,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        location: Option<&LocationId>,
        channel: Option<&ChannelId>,
    ) -> Decimal {
        self.cost_lines(sku, after, until)
            .iter()
            .filter(|l| location.is_none_or(|x| *x == l.location))
            .filter(|l| channel.is_none_or(|c| l.channel.as_ref() == Some(c)))
            .fold(Decimal::ZERO, |a, l| a.saturating_add(l.cost))
    }

    /// The cost layers of `sku` held now, oldest arrival first within each
    /// position, for inventory aging.
    #[must_use]
    pub fn layers(&self, sku: &Sku) -> Vec<CostLayer> {
        let Some((_, book)) = self.book(sku) else { return Vec::new() };
        self.layers_of(book, &book.live)
    }

    /// The cost layers of `sku` held after every event stamped at or
    /// before `at`, as [`Ledger::layers`] lists those held now: the
    /// units that had arrived by then and were still held then, at their
    /// value then. Layers are kept for the present only, so a past moment
    /// replays the SKU from its last full checkpoint before `at` (at most
    /// a few hundred events, or 32 an item held) on a scratch copy.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{ChannelId, EventId, LocationId, OrderId, Quantity, Sku};
    /// use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let (sku, wh) = (Sku::new("MUG")?, LocationId::new("WH1")?);
    /// let day = |d| Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap();
    /// ledger.ingest(Event::new(EventId::new("r1")?, day(1), sku.clone(), wh.clone(),
    ///     EventKind::receipt(Quantity::new(10), Decimal::from(2))))?;
    /// ledger.ingest(Event::new(EventId::new("s1")?, day(5), sku.clone(), wh.clone(),
    ///     EventKind::shipment(Quantity::new(10), ChannelId::new("amazon")?, OrderId::new("o1")?)))?;
    /// assert!(ledger.layers(&sku).is_empty()); // all sold
    /// let then = ledger.layers_at(&sku, day(3)); // before the sale
    /// assert_eq!((then[0].quantity, then[0].value), (Quantity::new(10), Decimal::from(20)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn layers_at(&self, sku: &Sku, at: DateTime<Utc>) -> Vec<CostLayer> {
        let Some((_, book)) = self.book(sku) else { return Vec::new() };
        let state = book.state_at(at_nanos(at), self.ctx());
        self.layers_of(book, &state)
    }

    /// The layers of `state`, a state of `book`, as [`Ledger::layers`]
    /// lists them.
    fn layers_of(&self, book: &Book, state: &crate::book::State) -> Vec<CostLayer> {
        // A pool across locations keeps no location per layer: a layer is
        // placed where its units arrived (its origin event's location).
        let arrived: BTreeMap<u32, u32> = if self.options.pooling == crate::Pooling::PerSku {
            book.entries.iter().map(|e| (e.id, e.loc)).collect()
        } else {
            BTreeMap::new()
        };
        let mut out = Vec::new();
        for (slot, pool) in state.pools.iter().enumerate() {
            let Some(&(ploc, disp)) = book.pools.get(slot) else { continue };
            let average = book.method_of(disp) == Method::MovingAverage;
            let mut left = pool.value;
            let held: i64 = pool.layers.iter().map(|l| l.qty).sum();
            let count = pool.layers.len();
            for (i, layer) in pool.layers.iter().enumerate() {
                let value = if !average {
                    layer.value
                } else if i + 1 == count {
                    left
                } else {
                    pool.value
                        .checked_mul(Decimal::from(layer.qty))
                        .and_then(|x| x.checked_div(Decimal::from(held)))
                        .unwrap_or_default()
                };
                left = left.saturating_sub(value);
                let loc = if ploc == NONE {
                    arrived.get(&layer.origin).copied().unwrap_or(NONE)
                } else {
                    ploc
                };
                out.push(CostLayer {
                    location: self.location(loc),
                    disposition: disp,
                    origin: self.event_id(layer.origin),
                    received_at: DateTime::from_timestamp_nanos(layer.at),
                    quantity: Quantity::new(layer.qty),
                    value,
                });
            }
        }
        out.sort_by(|a, b| {
            (&a.location, a.disposition, a.received_at).cmp(&(
                &b.location,
                b.disposition,
                b.received_at,
            ))
        });
        out
    }

    /// Units shipped minus units returned per day of `days` (UTC), for one
    /// channel or all, with a day flagged when the SKU had no sellable
    /// units anywhere at its start (its balance at 00:00:00, events
    /// stamped at that instant included, as every as-of query counts
    /// them) or after any of its later events.
    #[must_use]
    pub fn demand(
        &self,
        sku: &Sku,
        days: merchantry_core::DateRange,
        channel: Option<&ChannelId>,
    ) -> merchantry_core::DemandSeries {
        let len = days.len_days() as usize;
        let mut units = vec![Quantity::ZERO; len];
        let mut out = vec![false; len];
        let Some((_, book)) = self.book(sku) else {
            return merchantry_core::DemandSeries::fully_available(days.start(), units);
        };
        let chan = channel.and_then(|c| self.channels.find(c));
        let sellable: Vec<usize> = book
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.1 == Disposition::Sellable)
            .map(|(s, _)| s)
            .collect();
        let day_start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map_or(0, |t| at_nanos(t.and_utc()));
        let light = book.as_of(day_start(days.start()).saturating_sub(1), self.options.pooling);
        let mut level = sellable
            .iter()
            .map(|&s| light.qty.get(s).copied().unwrap_or(0))
            .fold(0_i64, i64::saturating_add);
        let start = book.entries.partition_point(|e| e.at < day_start(days.start()));
        let mut pos = start;
        // Counts the event at `pos` into the day's units and the level.
        let step = |pos: usize, day: &mut Quantity, level: &mut i64| {
            let Some(e) = book.entries.get(pos) else { return };
            let counts = channel.is_none() || (chan.is_some() && chan == Some(e.aux));
            match e.kind {
                Kind::Shipment if counts => *day = day.saturating_add(Quantity::new(e.qty)),
                Kind::Return if counts => *day = day.saturating_add(Quantity::new(-e.qty)),
                _ => {}
            }
            book.effects(
                pos,
                self.options.pooling,
                |s, dq| {
                    if sellable.contains(&s) {
                        // Summed over locations: may pass i64.
                        *level = level.saturating_add(dq);
                    }
                },
                |_, _| {},
            );
        };
        for (i, (day, units)) in days.days().zip(units.iter_mut()).enumerate() {
            // The day opens with its balance at its first instant, events
            // stamped 00:00:00 included, as every as-of query counts it.
            let first = day_start(day);
            while book.entries.get(pos).is_some_and(|e| e.at <= first) {
                step(pos, units, &mut level);
                pos += 1;
            }
            let mut min = level;
            let end = day.succ_opt().map_or(i64::MAX, day_start);
            while book.entries.get(pos).is_some_and(|e| e.at < end) {
                step(pos, units, &mut level);
                min = min.min(level);
                pos += 1;
            }
            if let Some(flag) = out.get_mut(i) {
                *flag = min <= 0;
            }
        }
        merchantry_core::DemandSeries::new(days.start(), units, out).unwrap_or_else(|_| {
            merchantry_core::DemandSeries::fully_available(days.start(), Vec::new())
        })
    }

    /// Makes room in the event-id index for at least `events` more
    /// events, as [`Vec::reserve`] does, so that it is not rehashed as
    /// they arrive one by one: a loader that knows how many rows a report
    /// holds calls it before ingesting them ([`Ledger::ingest_batch`]
    /// reserves for its batch itself). Nothing else changes, and the
    /// ledger compares equal to itself before.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let rows = 3;
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// ledger.reserve(rows)?;
    /// for i in 0..rows {
    ///     let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    ///     ledger.ingest(Event::new(EventId::new(format!("r{i}"))?, at, Sku::new("MUG")?,
    ///         LocationId::new("WH1")?, EventKind::receipt(Quantity::new(2), Decimal::ONE)))?;
    /// }
    /// assert_eq!(ledger.len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`LedgerError::Reserve`] when that much room cannot be allocated
    /// (nothing changed).
    pub fn reserve(&mut self, events: usize) -> Result<(), LedgerError> {
        if self.names.try_reserve(events) { Ok(()) } else { Err(LedgerError::Reserve { events }) }
    }

    /// Releases the spare capacity of every structure the ledger keeps
    /// (small arenas grow by a quarter when full and large ones by an
    /// eighth, so up to a fifth of a small one and a ninth of a large one
    /// can be unused), for instance after loading a history. The event-id
    /// index keeps its load factor (72% to 90% once large). Nothing else
    /// changes; later events grow the arenas again.
    pub fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        for book in &mut self.books {
            book.shrink_to_fit();
        }
        self.skus.shrink_to_fit();
        self.books.shrink_to_fit();
        self.locations.shrink_to_fit();
        self.channels.shrink_to_fit();
        self.unrecorded.shrink_to_fit();
        self.paid.shrink_to_fit();
    }

    /// Bytes the ledger holds per event, counting every retained
    /// structure's capacity (entries, side tables, extras, checkpoints,
    /// names and indexes); `None` when empty.
    #[must_use]
    pub fn bytes_per_event(&self) -> Option<f64> {
        let events = self.len();
        if events == 0 {
            return None;
        }
        let mut bytes = self.names.heap_bytes();
        bytes += self.books.capacity() * std::mem::size_of::<Book>()
            + self
                .books
                .iter()
                .map(|b| b.heap_bytes() - std::mem::size_of::<Book>())
                .sum::<usize>();
        bytes += self.skus.heap_bytes() + self.locations.heap_bytes() + self.channels.heap_bytes();
        bytes += self.unrecorded.capacity() * 5;
        bytes += self.paid.capacity() * (std::mem::size_of::<(u32, Paid)>() + 1);
        #[expect(clippy::cast_precision_loss, reason = "a memory report")]
        Some(bytes as f64 / events as f64)
    }

    /// The snapshot: options, methods, the names in slot order and every
    /// event, book by book in ledger order.
    #[cfg(feature = "serde")]
    pub(crate) fn data(&self) -> LedgerData {
        let events = (0..self.books.len())
            .flat_map(|i| (0..self.books[i].entries.len()).map(move |p| (i, p)))
            .map(|(i, p)| self.decode(i, p))
            .collect();
        LedgerData {
            options: self.options.clone(),
            methods: self.methods.clone(),
            skus: self.skus.as_slice().to_vec(),
            locations: self.locations.as_slice().to_vec(),
            channels: self.channels.as_slice().to_vec(),
            events,
        }
    }

    /// Rebuilds a ledger from a snapshot by ingesting its events again, so
    /// a snapshot is checked exactly as live input is: a damaged one is
    /// refused with the error its first bad event gives.
    #[cfg(feature = "serde")]
    pub(crate) fn from_data(data: LedgerData) -> Result<Self, String> {
        let mut ledger = Self::new(data.options);
        for (sku, &method) in &data.methods {
            ledger.set_method(sku, method).map_err(|e| e.to_string())?;
        }
        ledger.skus.fill(&data.skus)?;
        ledger.books = data.skus.iter().map(|sku| Book::new(ledger.method(sku))).collect();
        ledger.locations.fill(&data.locations)?;
        ledger.channels.fill(&data.channels)?;
        // One batch: each SKU's events are put in time order (keeping the
        // snapshot's order among equal times) and valued in one pass, so a
        // snapshot listed out of order still loads in linear time.
        let ids: Vec<EventId> = data.events.iter().map(|e| e.id.clone()).collect();
        let outcomes = ledger.ingest_batch(data.events).map_err(|e| format!("snapshot: {e}"))?;
        if let Some(i) = outcomes.iter().position(|o| *o == IngestOutcome::Duplicate) {
            let id = ids.get(i).map_or("", EventId::as_str);
            return Err(format!("snapshot lists event {id} twice"));
        }
        // A ledger only numbers SKUs that have events.
        if let Some((sku, _)) =
            ledger.skus.as_slice().iter().zip(&ledger.books).find(|(_, b)| b.entries.is_empty())
        {
            return Err(format!("snapshot lists sku {sku} without events"));
        }
        Ok(ledger)
    }

    pub(crate) fn positions_raw(
        &self,
        sku: &Sku,
        at: i64,
    ) -> Vec<(LocationId, Disposition, Quantity, Decimal)> {
        self.positions_at(sku, at)
    }

    /// Every event of `sku` at `location` stamped in `[from, to]`.
    pub(crate) fn events_between(
        &self,
        sku: &Sku,
        location: &LocationId,
        from: i64,
        to: i64,
    ) -> Vec<Event> {
        let Some((i, book)) = self.book(sku) else { return Vec::new() };
        let loc = self.locations.find(location);
        let start = book.entries.partition_point(|e| e.at < from);
        let end = book.entries.partition_point(|e| e.at <= to).max(start);
        (start..end)
            .filter(|&p| {
                let e = &book.entries[p];
                Some(e.loc) == loc || (e.kind == Kind::TransferOut && Some(e.aux) == loc)
            })
            .map(|p| self.decode(i, p))
            .collect()
    }

    /// Reimbursements naming a write-off that the ledger holds no
    /// claimable write-off (lost or damaged adjustment, inbound shortfall)
    /// for: the id of no recorded event, or of an event of another kind.
    /// In time order, then by SKU and id.
    pub(crate) fn orphan_reimbursements(&self) -> Vec<Event> {
        let claimable: BTreeSet<u32> = self
            .books
            .iter()
            .flat_map(|book| book.entries.iter())
            .filter(|e| is_claimable(e))
            .map(|e| e.id)
            .collect();
        let mut out: Vec<Event> = self
            .books
            .iter()
            .enumerate()
            .flat_map(|(i, book)| {
                book.entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| {
                        e.kind == Kind::Reimbursement
                            && e.refx != NONE
                            && !claimable.contains(&e.refx)
                    })
                    .map(move |(pos, _)| (i, pos))
            })
            .map(|(i, pos)| self.decode(i, pos))
            .collect();
        out.sort_by(|a, b| (a.at, &a.sku, &a.id).cmp(&(b.at, &b.sku, &b.id)));
        out
    }

    /// Claimable write-offs and reimbursements: every lost or damaged
    /// adjustment and every shortfall stamped at or before `until`, with
    /// the units found again by `paid_by` (see [`Ledger::found_again`])
    /// or received late by then (see [`Ledger::received_late`]), the
    /// reimbursements (of any SKU) naming it stamped at or before
    /// `paid_by` (reversals among them, which take back), and whether
    /// they hold money alone: the amounts of those of no units (payments
    /// of money alone, less reversals of no units) add up to more than
    /// zero, which settles the claim whatever its units; in time order,
    /// then by SKU and id.
    pub(crate) fn claims(&self, until: i64, paid_by: i64) -> Vec<(OpenClaim, bool)> {
        // Payments are added in time order, then by SKU and id: past 28
        // significant digits a `Decimal` sum rounds at each step, and the
        // total must not depend on the order events arrived in. Ingest
        // keeps every write-off's totals within bounds, so the sums do
        // not saturate, except that with reversals a partial sum in this
        // order may pass a bound the arrival order kept within (totals
        // near `Decimal`'s or `i64`'s bounds only), and saturates.
        let mut payments: Vec<(i64, &Sku, &str, u32, i64, Decimal)> = Vec::new();
        for (i, book) in self.books.iter().enumerate() {
            let Some(sku) = self.skus.get(u32::try_from(i).unwrap_or(NONE)) else { continue };
            let named = book
                .entries
                .iter()
                .filter(|e| e.kind == Kind::Reimbursement && e.refx != NONE && e.at <= paid_by);
            for e in named {
                let amount = book.amounts.get(e.aux as usize).copied().unwrap_or_default();
                payments.push((e.at, sku, self.names.get(e.id), e.refx, e.qty, amount));
            }
        }
        payments.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        // Per write-off: units, amount, and the amount of money alone
        // (payments of no units, less reversals of no units).
        let mut paid: BTreeMap<u32, (i64, Decimal, Decimal)> = BTreeMap::new();
        for (_, _, _, write_off, units, amount) in payments {
            let slot = paid.entry(write_off).or_insert((0, Decimal::ZERO, Decimal::ZERO));
            slot.0 = slot.0.saturating_add(units);
            slot.1 = slot.1.saturating_add(amount);
            if units == 0 {
                slot.2 = slot.2.saturating_add(amount);
            }
        }
        let mut out = Vec::new();
        for (i, book) in self.books.iter().enumerate() {
            let found = self.found_again(book, paid_by);
            let late = self.received_late(book, paid_by);
            for (pos, e) in book.entries.iter().enumerate().filter(|(_, e)| e.at <= until) {
                if is_claimable(e) {
                    let (units, amount, alone) =
                        paid.get(&e.id).copied().unwrap_or((0, Decimal::ZERO, Decimal::ZERO));
                    let money_alone = alone > Decimal::ZERO;
                    let claim = OpenClaim {
                        write_off: self.decode(i, pos),
                        value: e.value(),
                        units: Quantity::new(e.qty.abs()),
                        found_units: Quantity::new(found.get(&pos).copied().unwrap_or(0)),
                        received_late_units: Quantity::new(late.get(&pos).copied().unwrap_or(0)),
                        reimbursed_units: Quantity::new(units),
                        reimbursed_amount: amount,
                    };
                    out.push((claim, money_alone));
                }
            }
        }
        out.sort_by(|(a, _), (b, _)| {
            let (a, b) = (&a.write_off, &b.write_off);
            (a.at, &a.sku, &a.id).cmp(&(b.at, &b.sku, &b.id))
        });
        out
    }

    /// Units of each lost write-off of `book` (by position) found again
    /// by `by`: each `Found` adjustment stamped by then, in time order
    /// and then by id, nets against the `Lost` adjustments at its
    /// location stamped at or before it, oldest first (by time, then
    /// id), until its units run out. Ties go by id, not arrival, so the
    /// answer does not depend on the order events arrived in.
    fn found_again(&self, book: &Book, by: i64) -> BTreeMap<usize, i64> {
        // Per location: (time, id, position, units not yet found) of each
        // loss, and (time, id, units) of each find.
        let mut losses: BTreeMap<u32, Vec<(i64, &str, usize, i64)>> = BTreeMap::new();
        let mut finds: BTreeMap<u32, Vec<(i64, &str, i64)>> = BTreeMap::new();
        let end = book.entries.partition_point(|e| e.at <= by);
        for (pos, e) in book.entries.iter().enumerate().take(end) {
            if e.kind != Kind::Adjustment {
                continue;
            }
            let id = self.names.get(e.id);
            match AdjustmentReason::ALL.get(e.refx as usize) {
                Some(AdjustmentReason::Lost) if e.qty < 0 => {
                    losses.entry(e.loc).or_default().push((e.at, id, pos, e.qty.saturating_neg()));
                }
                Some(AdjustmentReason::Found) if e.qty > 0 => {
                    finds.entry(e.loc).or_default().push((e.at, id, e.qty));
                }
                _ => {}
            }
        }
        let mut out = BTreeMap::new();
        for (loc, finds) in finds {
            let Some(losses) = losses.get_mut(&loc) else { continue };
            net_oldest_first(losses, finds, true, &mut out);
        }
        out
    }

    /// Units of each inbound shortfall of `book` (by position) received
    /// late by `by`: each receipt stamped by then that names a
    /// shortfall's shipment as its purchase order, in time order and
    /// then by id, nets against the shortfalls of that shipment stamped
    /// strictly before it, oldest first (by time, then id), until its
    /// units run out. A receipt at the shortfall's own instant does not
    /// count: it is the receiving the shortfall was counted from, not a
    /// later one. Receipts net at any location, since a shipment's units
    /// may be received at another warehouse than the one it was sent
    /// to. Ties go by id, not arrival.
    fn received_late(&self, book: &Book, by: i64) -> BTreeMap<usize, i64> {
        let end = book.entries.partition_point(|e| e.at <= by);
        let upto = || book.entries.iter().enumerate().take(end);
        // Per shipment: (time, id, position, units still short) of each
        // shortfall, and (time, id, units) of each receipt naming it.
        let mut shorts: BTreeMap<&str, Vec<(i64, &str, usize, i64)>> = BTreeMap::new();
        for (pos, e) in upto().filter(|(_, e)| e.kind == Kind::Shortfall) {
            let shipment = self.names.get(e.refx);
            shorts.entry(shipment).or_default().push((e.at, self.names.get(e.id), pos, e.qty));
        }
        let mut out = BTreeMap::new();
        if shorts.is_empty() {
            return out;
        }
        let mut receipts: BTreeMap<&str, Vec<(i64, &str, i64)>> = BTreeMap::new();
        for (_, e) in upto().filter(|(_, e)| e.kind == Kind::Receipt && e.refx != NONE) {
            let shipment = self.names.get(e.refx);
            if shorts.contains_key(shipment) {
                receipts.entry(shipment).or_default().push((e.at, self.names.get(e.id), e.qty));
            }
        }
        for (shipment, receipts) in receipts {
            let Some(shorts) = shorts.get_mut(shipment) else { continue };
            net_oldest_first(shorts, receipts, false, &mut out);
        }
        out
    }
}

/// Nets units that came back (finds, late receipts: `(time, id,
/// units)`) against the write-offs they reverse (`(time, id, position,
/// units still out)`), each in time order and then by id: each return
/// takes from the oldest write-off stamped before it, or at its instant
/// when `same_instant`, until its units run out. Adds the units each
/// write-off gets back to `out`, by its position.
fn net_oldest_first(
    write_offs: &mut [(i64, &str, usize, i64)],
    mut back: Vec<(i64, &str, i64)>,
    same_instant: bool,
    out: &mut BTreeMap<usize, i64>,
) {
    write_offs.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    back.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let before = |w: &(i64, &str, usize, i64), at: i64| w.0 < at || (same_instant && w.0 == at);
    // Write-offs are netted oldest first, so those netted whole are a
    // prefix: `next` is the first with units still out.
    let mut next = 0;
    for (at, _, mut units) in back {
        while units > 0 {
            let Some(w) = write_offs.get_mut(next).filter(|w| before(w, at)) else { break };
            let take = units.min(w.3);
            units -= take;
            w.3 -= take;
            *out.entry(w.2).or_insert(0) += take;
            if w.3 == 0 {
                next += 1;
            }
        }
    }
}

/// The serialised form of a [`Ledger`]: its event log.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct LedgerData {
    options: LedgerOptions,
    methods: BTreeMap<Sku, Method>,
    skus: Vec<Sku>,
    locations: Vec<LocationId>,
    channels: Vec<ChannelId>,
    events: Vec<Event>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Ledger {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.data().serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Ledger {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = LedgerData::deserialize(deserializer)?;
        Ledger::from_data(data).map_err(serde::de::Error::custom)
    }
}

/// What encoding an event changes besides its entry: the name tables,
/// and the amounts and landed costs of the event's book. Borrowed apart
/// from the book's entries, so that an event appended in order is
/// encoded in place (see [`Ledger::record`]).
struct Encoder<'a> {
    names: &'a mut Names,
    unrecorded: &'a mut FastSet<u32>,
    locations: &'a mut Slots<LocationId>,
    channels: &'a mut Slots<ChannelId>,
    amounts: &'a mut Vec<Decimal>,
    landed: &'a mut Vec<LandedSpec>,
}

impl Encoder<'_> {
    /// Completes `e`, which holds the event's timestamp and id, from
    /// `event`, interning its other names. On failure `e` is incomplete,
    /// and names may have been stored (the caller forgets them).
    fn encode(&mut self, event: &Event, e: &mut Entry) -> Result<(), LedgerError> {
        e.loc = self.locations.slot(&event.location)?.0;
        match &event.kind {
            EventKind::Receipt { quantity, unit_cost, disposition, purchase_order } => {
                e.kind = Kind::Receipt;
                e.qty = quantity.get();
                e.disp = *disposition;
                e.aux = self.amount(*unit_cost);
                e.refx = purchase_order.as_ref().map_or(NONE, |p| self.names.push(p.as_str()));
            }
            EventKind::LandedCost { amount, basis, targets } => {
                e.kind = Kind::Landed;
                let targets =
                    targets.iter().map(|t| (self.reference(t.receipt.as_str()), t.measure));
                let spec =
                    LandedSpec { amount: *amount, basis: *basis, targets: targets.collect() };
                self.landed.push(spec);
                e.aux = u32::try_from(self.landed.len() - 1).unwrap_or(NONE);
            }
            EventKind::Shipment { quantity, channel, order } => {
                e.kind = Kind::Shipment;
                e.qty = quantity.get();
                e.aux = self.channels.slot(channel)?.0;
                e.refx = self.names.push(order.as_str());
            }
            EventKind::CustomerReturn { quantity, channel, disposition, shipment } => {
                e.kind = Kind::Return;
                e.qty = quantity.get();
                e.aux = self.channels.slot(channel)?.0;
                e.disp2 = *disposition;
                e.refx = shipment.as_ref().map_or(NONE, |s| self.reference(s.as_str()));
            }
            EventKind::Adjustment { quantity, reason, disposition, unit_cost } => {
                e.kind = Kind::Adjustment;
                e.qty = quantity.get();
                e.disp = *disposition;
                let reason = AdjustmentReason::ALL.iter().position(|r| r == reason).unwrap_or(0);
                e.refx = u32::try_from(reason).unwrap_or(0);
                e.aux = unit_cost.map_or(NONE, |c| self.amount(c));
            }
            EventKind::TransferOut { quantity, disposition, to } => {
                e.kind = Kind::TransferOut;
                e.qty = quantity.get();
                e.disp = *disposition;
                e.aux = self.locations.slot(to)?.0;
            }
            EventKind::TransferIn { quantity, from, disposition } => {
                e.kind = Kind::TransferIn;
                e.qty = quantity.get();
                e.disp = *disposition;
                e.aux = self.locations.slot(from)?.0;
            }
            EventKind::DispositionChange { quantity, from, to } => {
                e.kind = Kind::DispositionChange;
                e.qty = quantity.get();
                e.disp = *from;
                e.disp2 = *to;
            }
            EventKind::VendorReturn { quantity, disposition, cost } => {
                e.kind = Kind::VendorReturn;
                e.qty = quantity.get();
                e.disp = *disposition;
                e.refx = match cost {
                    VendorReturnCost::Receipt(r) => self.reference(r.as_str()),
                    VendorReturnCost::CurrentAverage => NONE,
                };
            }
            EventKind::Reimbursement { amount, units, write_off } => {
                e.kind = Kind::Reimbursement;
                e.qty = units.get();
                e.aux = self.amount(*amount);
                e.refx = write_off.as_ref().map_or(NONE, |w| self.reference(w.as_str()));
            }
            EventKind::InboundShortfall { quantity, shipment } => {
                e.kind = Kind::Shortfall;
                e.qty = quantity.get();
                e.refx = self.names.push(shipment.as_str());
            }
        }
        Ok(())
    }

    /// Stores a unit cost or an amount in the book; its index.
    fn amount(&mut self, amount: Decimal) -> u32 {
        crate::names::reserve_more(self.amounts, 1);
        self.amounts.push(amount);
        u32::try_from(self.amounts.len() - 1).unwrap_or(NONE)
    }

    /// The handle of an id the event refers to (see [`reference`]).
    fn reference(&mut self, text: &str) -> u32 {
        reference(self.names, self.unrecorded, text)
    }
}

/// The handle of an id an event refers to (a shipment, a receipt, a
/// write-off), stored and indexed if new, and then noted in `unrecorded`
/// as naming no recorded event yet.
fn reference(names: &mut Names, unrecorded: &mut FastSet<u32>, text: &str) -> u32 {
    let (i, known) = names.find_or_insert(text, names.hash(text));
    if !known {
        unrecorded.insert(i);
    }
    i
}

/// An event's timestamp in nanoseconds. The two extreme values are kept
/// for "before every event" and "after every event" (queries outside the
/// range are pinned to them), so an event may not carry them.
fn nanos(event: &Event) -> Result<i64, LedgerError> {
    event
        .at
        .timestamp_nanos_opt()
        .filter(|&n| n != i64::MIN && n != i64::MAX)
        .ok_or_else(|| LedgerError::TimestampOutOfRange { id: event.id.clone() })
}

/// Whether two events are the same: equal fields, their timestamps
/// compared as instants (a leap second, 23:59:60.5, is the instant
/// 00:00:00.5 of the next day, which is how the ledger stores it).
fn same_event(a: &Event, b: &Event) -> bool {
    a.id == b.id
        && a.at.timestamp_nanos_opt() == b.at.timestamp_nanos_opt()
        && a.sku == b.sku
        && a.location == b.location
        && a.kind == b.kind
}

/// Nanoseconds of `at`, pinned to the stored range.
pub(crate) fn at_nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 { i64::MIN } else { i64::MAX })
}

/// The new events of a batch by the handle of their id, for finding an
/// id repeated within the batch. Kept as a list in input order until the
/// first id that may repeat one, and only then indexed: most batches
/// never pay for the index.
#[derive(Default)]
struct Repeats {
    list: Vec<(u32, usize)>,
    index: Option<FastMap<u32, usize>>,
}

impl Repeats {
    fn add(&mut self, id: u32, at: usize) {
        match &mut self.index {
            Some(index) => {
                index.insert(id, at);
            }
            None => self.list.push((id, at)),
        }
    }

    /// The earlier event of the batch with id `id`, if any.
    fn find<'a>(&mut self, id: u32, events: &'a [Event]) -> Option<&'a Event> {
        let list = &mut self.list;
        let index = self.index.get_or_insert_with(|| list.drain(..).collect());
        index.get(&id).and_then(|&at| events.get(at))
    }
}

/// Bytes of the names an event of `kind` stores besides its id (orders,
/// purchase orders, the events it refers to), with their headers: at most
/// what [`Ledger::encode`] adds to the arena.
fn names_bytes(kind: &EventKind) -> usize {
    let name = |text: &str| text.len() + 2;
    match kind {
        EventKind::Receipt { purchase_order, .. } => {
            purchase_order.as_ref().map_or(0, |p| name(p.as_str()))
        }
        EventKind::LandedCost { targets, .. } => {
            targets.iter().map(|t| name(t.receipt.as_str())).sum()
        }
        EventKind::Shipment { order, .. } => name(order.as_str()),
        EventKind::CustomerReturn { shipment, .. } => {
            shipment.as_ref().map_or(0, |s| name(s.as_str()))
        }
        EventKind::VendorReturn { cost: VendorReturnCost::Receipt(r), .. } => name(r.as_str()),
        EventKind::Reimbursement { write_off, .. } => {
            write_off.as_ref().map_or(0, |w| name(w.as_str()))
        }
        EventKind::InboundShortfall { shipment, .. } => name(shipment.as_str()),
        _ => 0,
    }
}

/// The refusal of a batch whose reversals leave the totals of a
/// write-off below zero (`paid`, with the batch's reimbursements), if
/// any: of the write-offs so overdrawn, the one whose last reversal in
/// `reversals` (input positions) comes first, naming that reversal.
fn overdrawn_by_batch(
    events: &[Event],
    paid: &FastMap<u32, Paid>,
    reversals: &FastMap<u32, usize>,
) -> Result<(), LedgerError> {
    let first = reversals
        .iter()
        .filter_map(|(named, &at)| Some((at, *paid.get(named)?)))
        .filter(|&(_, total)| overdrawn(total))
        .min_by_key(|&(at, _)| at);
    let Some((at, total)) = first else { return Ok(()) };
    let Some(event) = events.get(at) else { return Ok(()) };
    match &event.kind {
        EventKind::Reimbursement { amount, units, write_off: Some(w) } => {
            Err(exceeds_paid(event, w.clone(), (*units, *amount), total))
        }
        _ => Ok(()),
    }
}

/// Whether `e` is a write-off a reimbursement can settle: an inbound
/// shortfall, or units lost or damaged.
fn is_claimable(e: &Entry) -> bool {
    match e.kind {
        Kind::Shortfall => true,
        Kind::Adjustment => {
            e.qty < 0
                && AdjustmentReason::ALL.get(e.refx as usize).is_some_and(|r| r.is_claimable())
        }
        _ => false,
    }
}

/// `v`, with a zero of any sign or scale as plain `0`: a query answers
/// the same zero however its sum was reached.
fn plain(v: Decimal) -> Decimal {
    if v.is_zero() { Decimal::ZERO } else { v }
}

/// Checks what can be checked without the ledger's state.
#[inline(always)]
fn validate(event: &Event) -> Result<(), LedgerError> {
    let id = || event.id.clone();
    let positive = |q: &Quantity| {
        if q.is_positive() {
            Ok(())
        } else {
            Err(LedgerError::NonPositiveQuantity { id: id(), quantity: q.get() })
        }
    };
    let amount = |a: &Decimal| {
        // The sign bit and a zero test, not `< Decimal::ZERO`: a full
        // comparison costs about ten instructions an event on in-order
        // ingest (a negative zero is zero either way).
        if a.is_sign_negative() && !a.is_zero() {
            Err(LedgerError::NegativeAmount { id: id(), amount: *a })
        } else {
            Ok(())
        }
    };
    let not_transit = |d: &Disposition, reason| {
        if *d == Disposition::InTransit {
            Err(LedgerError::InvalidDisposition { id: id(), disposition: *d, reason })
        } else {
            Ok(())
        }
    };
    match &event.kind {
        EventKind::Receipt { quantity, unit_cost, disposition, .. } => {
            positive(quantity)?;
            amount(unit_cost)?;
            not_transit(disposition, "receipts arrive at a location")
        }
        EventKind::LandedCost { amount: a, targets, .. } => {
            amount(a)?;
            if targets.is_empty() {
                return Err(LedgerError::InvalidWeights { id: id(), reason: "no target receipt" });
            }
            // A receipt named twice would take two shares.
            let mut named = std::collections::HashSet::with_capacity(targets.len());
            if !targets.iter().all(|t| named.insert(t.receipt.as_str())) {
                return Err(LedgerError::InvalidWeights {
                    id: id(),
                    reason: "a target receipt is listed twice",
                });
            }
            targets.iter().try_for_each(|t| amount(&t.measure))
        }
        EventKind::Shipment { quantity, .. } => positive(quantity),
        EventKind::CustomerReturn { quantity, disposition, .. } => {
            positive(quantity)?;
            not_transit(disposition, "returns arrive at a location")
        }
        EventKind::Adjustment { quantity, unit_cost, disposition, reason } => {
            // The check `AdjustmentReason::admits` answers, so the two
            // cannot disagree.
            let refused = reason.refusal(*quantity, *disposition).map(|refusal| match refusal {
                Refusal::Zero => LedgerError::ZeroAdjustment { id: id() },
                Refusal::Unsized => LedgerError::Overflow { id: id(), what: "adjustment" },
                Refusal::InTransit => LedgerError::InvalidDisposition {
                    id: id(),
                    disposition: *disposition,
                    reason: "in-transit units move by transfer",
                },
                Refusal::Direction(rule) => LedgerError::AdjustmentDirection {
                    id: id(),
                    reason: *reason,
                    quantity: quantity.get(),
                    disposition: *disposition,
                    rule,
                },
            });
            if let Some(err) = refused {
                return Err(err);
            }
            unit_cost.as_ref().map_or(Ok(()), amount)
        }
        EventKind::TransferOut { quantity, to, disposition } => {
            positive(quantity)?;
            not_transit(disposition, "a transfer leaves from a held position")?;
            if *to == event.location {
                return Err(LedgerError::SelfTransfer { id: id(), location: to.clone() });
            }
            Ok(())
        }
        EventKind::TransferIn { quantity, disposition, .. } => {
            positive(quantity)?;
            not_transit(disposition, "a transfer arrives into a held position")
        }
        EventKind::DispositionChange { quantity, from, to } => {
            positive(quantity)?;
            if from == to {
                return Err(LedgerError::InvalidDisposition {
                    id: id(),
                    disposition: *to,
                    reason: "a change needs two different dispositions",
                });
            }
            not_transit(from, "in-transit units move by transfer")?;
            not_transit(to, "in-transit units move by transfer")
        }
        EventKind::VendorReturn { quantity, .. } | EventKind::InboundShortfall { quantity, .. } => {
            positive(quantity)
        }
        EventKind::Reimbursement { amount: a, units, write_off } => {
            // A payment has neither below zero, a reversal neither above.
            let below = *a < Decimal::ZERO;
            let above = a.is_sign_positive() && !a.is_zero();
            if (below && units.is_positive()) || (above && units.is_negative()) {
                return Err(LedgerError::MixedSignReimbursement {
                    id: id(),
                    amount: *a,
                    units: units.get(),
                });
            }
            if is_reversal(*units, *a) && write_off.is_none() {
                return Err(LedgerError::ReversalWithoutWriteOff {
                    id: id(),
                    amount: *a,
                    units: units.get(),
                });
            }
            Ok(())
        }
    }
}

/// The id `unknown`, standing in where stored text could not become an id
/// again (the text was validated when it was stored, so only a corrupt
/// snapshot gets here).
fn unknown<T: std::str::FromStr<Err: std::fmt::Debug>>() -> T {
    #[expect(clippy::expect_used, reason = "a constant id that is valid by inspection")]
    "unknown".parse().expect("valid constant id")
}

/// An id rebuilt from text the ledger stored, or [`unknown`].
pub(crate) fn stored<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap_or_else(|_| unknown())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use merchantry_core::{EventId, LocationId, Quantity, Sku};

    use super::*;

    fn stamped(at: DateTime<Utc>) -> Event {
        Event::new(
            EventId::new("e").unwrap(),
            at,
            Sku::new("S").unwrap(),
            LocationId::new("W").unwrap(),
            EventKind::receipt(Quantity::new(1), Decimal::ONE),
        )
    }

    /// The remembered day gives what chrono gives, on the same day and
    /// across midnight, in a leap second, before 1970, and at both ends
    /// of the range (where the day's start is out of range, or the
    /// instant is).
    #[test]
    fn the_remembered_day_gives_chronos_nanoseconds() {
        let noon = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        let first = DateTime::from_timestamp_nanos(i64::MIN + 1);
        let last = DateTime::from_timestamp_nanos(i64::MAX - 1);
        let mut times = vec![
            noon,
            noon + Duration::seconds(1),
            noon + Duration::hours(12) - Duration::nanoseconds(1),
            noon + Duration::hours(12),
            leap - Duration::seconds(1),
            leap,
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(1969, 12, 31, 0, 0, 0).unwrap(),
            first,
            first + Duration::seconds(1),
            last - Duration::seconds(1),
            last,
            last + Duration::nanoseconds(1),
            DateTime::from_timestamp_nanos(i64::MIN),
            Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap(),
        ];
        // Every time twice in a row, so each is also read on a remembered day.
        times = times.into_iter().flat_map(|t| [t, t]).collect();
        let mut day = Day::default();
        for &t in &times {
            let event = stamped(t);
            let want = nanos(&event).ok();
            assert_eq!(day.nanos(&event).ok(), want, "{t:?}");
        }
        // Each as the first time a fresh ledger reads, chrono's first and
        // last days and the epoch's among them.
        let ends = [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, DateTime::UNIX_EPOCH];
        for t in times.into_iter().chain(ends) {
            let event = stamped(t);
            assert_eq!(Day::default().nanos(&event).ok(), nanos(&event).ok(), "{t:?}");
        }
        assert_eq!(Day::default().nanos(&stamped(DateTime::UNIX_EPOCH)).ok(), Some(0));
    }
}
