//! The core traits on [`Ledger`], and reconciliation.

use chrono::{DateTime, Days, NaiveDate, Utc};
use merchantry_core::{
    AgedLot, CostOfSale, Currency, DateRange, DemandHistory, DemandSeries, Disposition, Holding,
    LocationId, Quantity, Sku, StockPosition, StockRecord, StockView, ValuationView,
};
use rust_decimal::Decimal;

use crate::event::Event;
use crate::ledger::{Ledger, at_nanos};

/// The last instant of `day` (UTC), in nanoseconds.
fn end_of(day: NaiveDate) -> i64 {
    day.succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(i64::MAX, |t| at_nanos(t.and_utc()).saturating_sub(1))
}

fn instant(nanos: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(nanos)
}

impl StockView for Ledger {
    fn positions(&self, sku: &Sku, as_of: NaiveDate) -> Vec<StockPosition> {
        self.positions_raw(sku, end_of(as_of))
            .into_iter()
            .filter(|p| !p.2.is_zero())
            .map(|(location, disposition, quantity, _)| StockPosition {
                location,
                disposition,
                quantity,
            })
            .collect()
    }

    fn stock_skus(&self) -> Vec<Sku> {
        self.skus()
    }

    fn quantity(
        &self,
        sku: &Sku,
        location: &LocationId,
        disposition: Disposition,
        as_of: NaiveDate,
    ) -> Quantity {
        self.balance(sku, location, disposition, instant(end_of(as_of)))
    }
}

impl ValuationView for Ledger {
    fn currency(&self) -> Currency {
        self.options().currency
    }

    fn valuation_skus(&self) -> Vec<Sku> {
        self.skus()
    }

    fn holdings(&self, sku: &Sku, as_of: NaiveDate) -> Vec<Holding> {
        self.positions_raw(sku, end_of(as_of))
            .into_iter()
            .map(|(location, disposition, quantity, value)| Holding {
                location,
                disposition,
                quantity,
                value,
            })
            .collect()
    }

    fn cost_of_sales(&self, sku: &Sku, range: DateRange) -> Vec<CostOfSale> {
        let after = instant(end_of(range.start()).saturating_sub(day_nanos()));
        let until = instant(range.last().map_or(i64::MIN, end_of));
        self.cost_lines(sku, after, until)
            .into_iter()
            .map(|l| CostOfSale {
                date: l.at.date_naive(),
                location: l.location,
                channel: l.channel,
                quantity: l.quantity,
                cost: l.cost,
            })
            .collect()
    }

    /// The cost layers held at the end of `as_of` (UTC), as
    /// [`Ledger::layers_at`] gives them: what [`ValuationView::holdings`]
    /// holds that day, lot by lot.
    fn aged_lots(&self, sku: &Sku, as_of: NaiveDate) -> Vec<AgedLot> {
        self.layers_at(sku, instant(end_of(as_of)))
            .into_iter()
            .map(|l| AgedLot {
                location: l.location,
                received_on: l.received_at.date_naive(),
                quantity: l.quantity,
                value: l.value,
            })
            .collect()
    }

    fn inventory_value(&self, sku: &Sku, as_of: NaiveDate) -> Decimal {
        self.total_value(sku, instant(end_of(as_of)))
    }
}

impl DemandHistory for Ledger {
    fn demand_skus(&self) -> Vec<Sku> {
        self.skus()
    }

    /// Shipments net of returns per UTC day, all channels.
    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries {
        self.demand(sku, range, None)
    }
}

fn day_nanos() -> i64 {
    86_400_000_000_000
}

/// A count that disagrees with the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CountDifference {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// The disposition.
    pub disposition: Disposition,
    /// The day counted (end of day, UTC).
    pub date: NaiveDate,
    /// Units counted.
    pub counted: Quantity,
    /// Units in the ledger.
    pub ledger: Quantity,
    /// The ledger's events of that SKU at that location within the
    /// window around the date, to explain the difference.
    pub nearby: Vec<Event>,
}

/// A lost, damaged or short-received write-off, the units of it found
/// again or received late, and what the reimbursements naming it
/// cover: one not fully reimbursed ([`Ledger::unreimbursed`]), or
/// reimbursed for more units than are still lost
/// ([`Ledger::overreimbursed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OpenClaim {
    /// The write-off event.
    pub write_off: Event,
    /// Its value at cost (of every unit written off, whether found
    /// again or received late or not).
    pub value: Decimal,
    /// Units written off.
    pub units: Quantity,
    /// Units of a `Lost` write-off found again, which reverse the loss
    /// (see [`Ledger::unreimbursed`]); zero for a damaged write-off or a
    /// shortfall. At most `units`.
    pub found_units: Quantity,
    /// Units of an inbound shortfall received late: receipts of its SKU
    /// naming its shipment, stamped after it (see
    /// [`Ledger::unreimbursed`]); zero for a lost or damaged write-off.
    /// At most `units`.
    pub received_late_units: Quantity,
    /// Units reimbursed so far, in cash and in kind, less those reversals
    /// took back.
    pub reimbursed_units: Quantity,
    /// Amount reimbursed so far, less what reversals took back.
    pub reimbursed_amount: Decimal,
}

impl OpenClaim {
    /// Units that came back: `found_units` and `received_late_units`
    /// (one of the two is zero).
    #[must_use]
    pub fn units_back(&self) -> Quantity {
        Quantity::new(self.found_units.get().saturating_add(self.received_late_units.get()))
    }

    /// Units still lost, which the claim is for: `units` less
    /// [`OpenClaim::units_back`].
    #[must_use]
    pub fn net_units(&self) -> Quantity {
        Quantity::new(self.units.get().saturating_sub(self.units_back().get()))
    }
}

impl Ledger {
    /// Compares an external count with the ledger and lists every
    /// difference with the events within `window_days` days of the count
    /// (a window reaching past the dates the ledger stores takes in every
    /// event on that side).
    /// A position the count omits is not compared.
    #[must_use]
    pub fn reconcile(&self, counts: &[StockRecord], window_days: u32) -> Vec<CountDifference> {
        let mut out = Vec::new();
        for c in counts {
            let ledger = self.quantity(&c.sku, &c.location, c.disposition, c.as_of);
            if ledger == c.quantity {
                continue;
            }
            // A window reaching past the calendar takes in every event
            // on that side (it must widen, not collapse to the count day).
            let span = Days::new(u64::from(window_days));
            let from = c
                .as_of
                .checked_sub_days(span)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(i64::MIN, |t| at_nanos(t.and_utc()));
            let to = c.as_of.checked_add_days(span).map_or(i64::MAX, end_of);
            out.push(CountDifference {
                sku: c.sku.clone(),
                location: c.location.clone(),
                disposition: c.disposition,
                date: c.as_of,
                counted: c.quantity,
                ledger,
                nearby: self.events_between(&c.sku, &c.location, from, to),
            });
        }
        out.sort_by(|a, b| {
            (&a.sku, &a.location, a.disposition, a.date).cmp(&(
                &b.sku,
                &b.location,
                b.disposition,
                b.date,
            ))
        });
        out
    }

    /// Lost and damaged write-offs and inbound shortfalls stamped at least
    /// `days` days before the end of `as_of` whose reimbursements (events
    /// naming them, under any SKU, stamped by the end of `as_of`) cover
    /// fewer units than are still lost then ([`OpenClaim::net_units`]:
    /// those written off less those found again or received late), none
    /// of them being
    /// money alone. A reimbursement of money alone (no units, a positive
    /// amount) settles the write-off it names whole: the marketplace paid
    /// for it without counting units. Reversals (see
    /// [`crate::EventKind::Reimbursement`]) count with their signs: a
    /// reversal of units takes them off the units reimbursed, so a
    /// payment taken back from a write-off still lost reopens it, and
    /// money alone settles only while the amounts of the reimbursements
    /// of no units (payments of money alone, less reversals of no units)
    /// add up to more than zero. In time order, then by SKU and id,
    /// whatever the order events arrived in.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{Disposition, EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{AdjustmentReason, Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let (sku, fba) = (Sku::new("MUG")?, LocationId::new("FBA")?);
    /// let at = |d| Utc.with_ymd_and_hms(2026, 2, d, 0, 0, 0).unwrap();
    /// let ev = |id: &str, d, kind| -> Result<Event, merchantry_core::CoreError> {
    ///     Ok(Event::new(EventId::new(id)?, at(d), sku.clone(), fba.clone(), kind))
    /// };
    /// ledger.ingest(ev("r1", 1, EventKind::receipt(Quantity::new(10), Decimal::from(2)))?)?;
    /// let lost = EventKind::Adjustment {
    ///     quantity: Quantity::new(-3),
    ///     reason: AdjustmentReason::Lost,
    ///     disposition: Disposition::Sellable,
    ///     unit_cost: None,
    /// };
    /// ledger.ingest(ev("lost-7", 2, lost)?)?;
    /// let paid = |units, amount| EventKind::Reimbursement {
    ///     amount: Decimal::from(amount),
    ///     units: Quantity::new(units),
    ///     write_off: Some(EventId::new("lost-7").unwrap()),
    /// };
    /// // 2 of the 3 units: 1 paid in cash, 1 replaced in kind.
    /// ledger.ingest(ev("reimb-1", 3, paid(2, 5))?)?;
    /// let open = ledger.unreimbursed(at(3).date_naive(), 0);
    /// assert_eq!((open[0].units, open[0].reimbursed_units), (Quantity::new(3), Quantity::new(2)));
    /// // Then money alone for the write-off: settled.
    /// ledger.ingest(ev("reimb-2", 4, paid(0, 4))?)?;
    /// assert!(ledger.unreimbursed(at(4).date_naive(), 0).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Units found again
    ///
    /// A marketplace reimburses only the net loss: units found after a
    /// loss reverse it. Each `Found` adjustment stamped by the end of
    /// `as_of` nets against the `Lost` write-offs of its SKU at its
    /// location stamped at or before it, oldest first (by time, then
    /// id), until its units run out ([`OpenClaim::found_units`]; a loss
    /// stamped at the same instant as the find counts as before it,
    /// whichever id sorts or arrives first); what
    /// it finds beyond them nets against nothing. A loss found whole is
    /// not open; one found in part is open for the rest. Losses net
    /// whether reimbursed or not, so one reimbursed for more units than
    /// are still lost moves to [`Ledger::overreimbursed`], as Amazon
    /// takes back the reimbursement of units it finds. Damaged
    /// write-offs do not net (units found are not undamaged), nor do
    /// shortfalls (units of a shipment that turn up are received
    /// against it, not found: see below). Netting stays within a
    /// location: an FBA
    /// network booked as one location nets across the network, as
    /// Amazon does per FNSKU, while units lost in one warehouse and
    /// found in another are not paired.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{Disposition, EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{AdjustmentReason, Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let (sku, fba) = (Sku::new("MUG")?, LocationId::new("FBA")?);
    /// let at = |d| Utc.with_ymd_and_hms(2026, 2, d, 0, 0, 0).unwrap();
    /// let mut put = |id: &str, d, kind| {
    ///     ledger.ingest(Event::new(EventId::new(id)?, at(d), sku.clone(), fba.clone(), kind))
    /// };
    /// let adjust = |units, reason| EventKind::Adjustment {
    ///     quantity: Quantity::new(units),
    ///     reason,
    ///     disposition: Disposition::Sellable,
    ///     unit_cost: None,
    /// };
    /// put("r1", 1, EventKind::receipt(Quantity::new(10), Decimal::from(2)))?;
    /// put("lost-a", 2, adjust(-3, AdjustmentReason::Lost))?;
    /// put("lost-b", 4, adjust(-2, AdjustmentReason::Lost))?;
    /// put("found-1", 5, adjust(4, AdjustmentReason::Found))?;
    /// let open = |d| {
    ///     let rows = ledger.unreimbursed(at(d).date_naive(), 0).into_iter();
    ///     rows.map(|c| (c.write_off.id.to_string(), c.found_units.get(), c.net_units().get()))
    ///         .collect::<Vec<_>>()
    /// };
    /// // Day 4: 5 units lost, none found.
    /// assert_eq!(open(4), [("lost-a".into(), 0, 3), ("lost-b".into(), 0, 2)]);
    /// // Day 5: the 4 found reverse lost-a's 3 (oldest first) and 1 of
    /// // lost-b's 2, which stays open for the other.
    /// assert_eq!(open(5), [("lost-b".into(), 1, 1)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Units received late
    ///
    /// The missing units of an inbound shipment often turn up days after
    /// it was counted short (Amazon reconciles the shipment), and are
    /// then not paid for. A shortfall is tied to its shipment by name:
    /// each `Receipt` of its SKU stamped by the end of `as_of` whose
    /// `purchase_order` is the shortfall's `shipment` (the same text)
    /// nets against the shortfalls of that shipment stamped strictly
    /// before it, oldest first (by time, then id, never by arrival),
    /// until its units run out ([`OpenClaim::received_late_units`]);
    /// what it brings beyond them nets against nothing. A receipt
    /// stamped before the shortfall, or at its very instant, is the
    /// receiving the shortfall was counted from and does not net.
    /// Receipts net at any location and in any disposition, since a
    /// shipment's units may be received at another warehouse than the
    /// one it was sent to. A shortfall received whole is not open, one
    /// received in part is open for the rest, and one reimbursed for
    /// more units than are then still short moves to
    /// [`Ledger::overreimbursed`]. A transfer names no shipment, so
    /// units booked as a [`crate::EventKind::TransferIn`] do not net.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{Disposition, EventId, LocationId, PurchaseOrderId, Quantity, Sku};
    /// use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let (sku, fba, wh) = (Sku::new("MUG")?, LocationId::new("FBA")?, LocationId::new("WH")?);
    /// let at = |d| Utc.with_ymd_and_hms(2026, 2, d, 0, 0, 0).unwrap();
    /// let mut put = |id: &str, d, place: &LocationId, kind| {
    ///     ledger.ingest(Event::new(EventId::new(id)?, at(d), sku.clone(), place.clone(), kind))
    /// };
    /// let shipment = PurchaseOrderId::new("FBA15")?;
    /// put("r1", 1, &wh, EventKind::receipt(Quantity::new(10), Decimal::from(2)))?;
    /// let send = EventKind::TransferOut {
    ///     quantity: Quantity::new(10),
    ///     disposition: Disposition::Sellable,
    ///     to: fba.clone(),
    /// };
    /// put("send", 1, &wh, send)?;
    /// let arrived = EventKind::TransferIn {
    ///     quantity: Quantity::new(7),
    ///     from: wh.clone(),
    ///     disposition: Disposition::Sellable,
    /// };
    /// put("in", 2, &fba, arrived)?;
    /// let short = EventKind::InboundShortfall { quantity: Quantity::new(3), shipment: shipment.clone() };
    /// put("short", 2, &fba, short)?;
    /// // Day 5: Amazon receives 2 of the 3 under the shipment's id.
    /// let late = EventKind::Receipt {
    ///     quantity: Quantity::new(2),
    ///     unit_cost: Decimal::from(2),
    ///     disposition: Disposition::Sellable,
    ///     purchase_order: Some(shipment),
    /// };
    /// put("late", 5, &fba, late)?;
    /// let open = |d| {
    ///     let rows = ledger.unreimbursed(at(d).date_naive(), 0).into_iter();
    ///     rows.map(|c| (c.received_late_units.get(), c.net_units().get())).collect::<Vec<_>>()
    /// };
    /// assert_eq!(open(4), [(0, 3)]);
    /// // Day 5: 1 unit is still short, and the claim is for it alone.
    /// assert_eq!(open(5), [(2, 1)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn unreimbursed(&self, as_of: NaiveDate, days: u32) -> Vec<OpenClaim> {
        let end = end_of(as_of);
        let cutoff = end.saturating_sub(day_nanos().saturating_mul(i64::from(days)));
        self.claims(cutoff, end)
            .into_iter()
            .filter(|(c, money_alone)| c.reimbursed_units < c.net_units() && !money_alone)
            .map(|(c, _)| c)
            .collect()
    }

    /// Lost and damaged write-offs and inbound shortfalls stamped by the
    /// end of `as_of` whose reimbursements (events naming them, under
    /// any SKU, stamped by then) cover more units than are still lost
    /// then ([`OpenClaim::net_units`]: those written off less those
    /// found again or received late by then, as
    /// [`Ledger::unreimbursed`] nets them):
    /// `reimbursed_units - net_units()` were paid for beyond the loss,
    /// and the marketplace may take them back. A loss found whole after
    /// a reimbursement of money alone (no units, a positive amount) is
    /// listed too: all of that money was paid for units not lost. Such a
    /// claim is not open, so [`Ledger::unreimbursed`] does not list it.
    /// When the marketplace takes the excess back, a reversal (see
    /// [`crate::EventKind::Reimbursement`]) lowers the units reimbursed
    /// and the claim leaves this list (the last example).
    /// In time order, then by SKU and id, whatever the order events
    /// arrived in.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{Disposition, EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{AdjustmentReason, Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let (sku, fba) = (Sku::new("MUG")?, LocationId::new("FBA")?);
    /// let at = |d| Utc.with_ymd_and_hms(2026, 2, d, 0, 0, 0).unwrap();
    /// let mut put = |id: &str, d, kind| {
    ///     ledger.ingest(Event::new(EventId::new(id)?, at(d), sku.clone(), fba.clone(), kind))
    /// };
    /// put("r1", 1, EventKind::receipt(Quantity::new(10), Decimal::from(2)))?;
    /// let lost = EventKind::Adjustment {
    ///     quantity: Quantity::new(-1),
    ///     reason: AdjustmentReason::Lost,
    ///     disposition: Disposition::Sellable,
    ///     unit_cost: None,
    /// };
    /// put("lost-7", 2, lost)?;
    /// let paid = |units| EventKind::Reimbursement {
    ///     amount: Decimal::from(5),
    ///     units: Quantity::new(units),
    ///     write_off: Some(EventId::new("lost-7").unwrap()),
    /// };
    /// put("reimb-1", 3, paid(1))?;
    /// put("reimb-2", 4, paid(1))?;
    /// // One unit lost, two paid for: one too many.
    /// let over = ledger.overreimbursed(at(4).date_naive());
    /// assert_eq!((over[0].units, over[0].reimbursed_units), (Quantity::new(1), Quantity::new(2)));
    /// assert!(ledger.overreimbursed(at(3).date_naive()).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A loss reimbursed and then found again:
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{Disposition, EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{AdjustmentReason, Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let (sku, fba) = (Sku::new("MUG")?, LocationId::new("FBA")?);
    /// let at = |d| Utc.with_ymd_and_hms(2026, 2, d, 0, 0, 0).unwrap();
    /// let mut put = |id: &str, d, kind| {
    ///     ledger.ingest(Event::new(EventId::new(id)?, at(d), sku.clone(), fba.clone(), kind))
    /// };
    /// let adjust = |units, reason| EventKind::Adjustment {
    ///     quantity: Quantity::new(units),
    ///     reason,
    ///     disposition: Disposition::Sellable,
    ///     unit_cost: None,
    /// };
    /// put("r1", 1, EventKind::receipt(Quantity::new(10), Decimal::from(2)))?;
    /// put("lost-7", 2, adjust(-3, AdjustmentReason::Lost))?;
    /// let paid = EventKind::Reimbursement {
    ///     amount: Decimal::from(15),
    ///     units: Quantity::new(3),
    ///     write_off: Some(EventId::new("lost-7")?),
    /// };
    /// put("reimb-1", 3, paid)?;
    /// put("found-1", 5, adjust(2, AdjustmentReason::Found))?;
    /// // 3 lost and paid for, then 2 found: 1 still lost, 2 paid too many.
    /// let over = &ledger.overreimbursed(at(5).date_naive())[0];
    /// assert_eq!((over.units, over.found_units), (Quantity::new(3), Quantity::new(2)));
    /// assert_eq!((over.net_units(), over.reimbursed_units), (Quantity::new(1), Quantity::new(3)));
    /// // Before the units were found, the payment matched the loss.
    /// assert!(ledger.overreimbursed(at(4).date_naive()).is_empty());
    /// // Day 6: Amazon takes back the 2 units found, with their 10.00.
    /// let back = EventKind::reimbursement_reversal(
    ///     Decimal::from(-10),
    ///     Quantity::new(-2),
    ///     EventId::new("lost-7")?,
    /// );
    /// ledger.ingest(Event::new(EventId::new("reversal-1")?, at(6), sku, fba, back))?;
    /// assert!(ledger.overreimbursed(at(6).date_naive()).is_empty());
    /// assert!(ledger.unreimbursed(at(6).date_naive(), 0).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn overreimbursed(&self, as_of: NaiveDate) -> Vec<OpenClaim> {
        let end = end_of(as_of);
        self.claims(end, end)
            .into_iter()
            .filter(|(c, money_alone)| {
                let net = c.net_units();
                c.reimbursed_units > net || (net.is_zero() && *money_alone)
            })
            .map(|(c, _)| c)
            .collect()
    }

    /// Reimbursements whose `write_off` names no claimable write-off the
    /// ledger holds: the id of no recorded event, or of an event that is
    /// not a lost or damaged adjustment or an inbound shortfall. In time
    /// order, then by SKU and id.
    ///
    /// Ingest does not refuse such a reimbursement, because its write-off
    /// may arrive later (reports come in any order, and the result may not
    /// depend on it); this lists what is still unmatched now, for a
    /// seller to chase. A reimbursement that names no write-off is not
    /// listed.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use merchantry_core::{EventId, LocationId, Quantity, Sku};
    /// use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions};
    /// use rust_decimal::Decimal;
    ///
    /// let mut ledger = Ledger::new(LedgerOptions::default());
    /// let paid = EventKind::Reimbursement {
    ///     amount: Decimal::from(9),
    ///     units: Quantity::new(2),
    ///     write_off: Some(EventId::new("lost-7")?),
    /// };
    /// let at = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    /// ledger.ingest(Event::new(EventId::new("reimb-1")?, at, Sku::new("MUG")?,
    ///     LocationId::new("FBA")?, paid))?;
    /// // No event "lost-7" is recorded (yet): the payment is unmatched.
    /// assert_eq!(ledger.unmatched_reimbursements()[0].id.as_str(), "reimb-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn unmatched_reimbursements(&self) -> Vec<Event> {
        self.orphan_reimbursements()
    }
}
