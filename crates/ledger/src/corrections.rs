//! [`Corrections`]: the events a backdated ingest revalued.

use chrono::{DateTime, Utc};
use merchantry_core::EventId;
use rust_decimal::Decimal;

/// The earlier-recorded events whose value changed when a backdated event
/// was placed before them, in time order.
///
/// A late receipt can revalue thousands of later shipments, so the ids are
/// kept in one text buffer rather than one allocation each; iterate to
/// read them as [`Correction`]s, and call [`Correction::event_id`] for an
/// owned id.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use merchantry_core::{ChannelId, EventId, LocationId, OrderId, Quantity, Sku};
/// use merchantry_ledger::{Event, EventKind, IngestOutcome, Ledger, LedgerOptions};
/// use rust_decimal::Decimal;
///
/// let mut ledger = Ledger::new(LedgerOptions::default());
/// let (sku, wh) = (Sku::new("MUG")?, LocationId::new("WH1")?);
/// let day = |d| Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap();
/// ledger.ingest(Event::new(EventId::new("r1")?, day(2), sku.clone(), wh.clone(),
///     EventKind::receipt(Quantity::new(10), Decimal::from(3))))?;
/// ledger.ingest(Event::new(EventId::new("s1")?, day(5), sku.clone(), wh.clone(),
///     EventKind::shipment(Quantity::new(4), ChannelId::new("amazon")?, OrderId::new("o1")?)))?;
/// // A cheaper receipt stamped before the first one, reported late:
/// let late = ledger.ingest(Event::new(EventId::new("r0")?, day(1), sku, wh,
///     EventKind::receipt(Quantity::new(4), Decimal::ONE)))?;
/// let IngestOutcome::Applied { corrections, .. } = late else { unreachable!() };
/// let s1 = corrections.iter().next().unwrap();
/// assert_eq!(s1.event(), "s1");
/// assert_eq!((s1.before(), s1.after(), s1.delta()), (Decimal::from(12), Decimal::from(4), Decimal::from(-8)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Corrections {
    /// `None` when empty, as for nearly every ingest: an in-order event
    /// returns and drops one pointer, not two empty lists.
    lists: Option<Box<Lists>>,
}

/// The corrections' ids, one after another (as bytes: they are checked
/// as UTF-8 when read, not while a backdate builds them), and their rows.
#[derive(Debug, Clone, Default)]
struct Lists {
    ids: Vec<u8>,
    rows: Vec<Row>,
}

/// Equal when they list the same corrections, however their buffers grew.
impl PartialEq for Corrections {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Corrections {}

/// One correction, its id being `ids[previous row's end..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    end: usize,
    at: i64,
    before: Decimal,
    after: Decimal,
}

impl Corrections {
    /// Room for `n` corrections.
    pub(crate) fn with_capacity(n: usize) -> Self {
        let lists =
            (n > 0).then(|| Box::new(Lists { ids: Vec::new(), rows: Vec::with_capacity(n) }));
        Self { lists }
    }

    /// Adds the correction of event `id`, stamped `at` (nanoseconds since
    /// the epoch).
    pub(crate) fn push(&mut self, id: &[u8], at: i64, before: Decimal, after: Decimal) {
        let lists = self.lists.get_or_insert_default();
        lists.ids.extend_from_slice(id);
        lists.rows.push(Row { end: lists.ids.len(), at, before, after });
    }

    /// The rows, none when empty.
    fn rows(&self) -> &[Row] {
        self.lists.as_ref().map_or(&[], |l| &l.rows)
    }

    /// How many events were revalued.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    /// Whether none was.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows().is_empty()
    }

    /// The `i`-th correction, in time order.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Correction<'_>> {
        let rows = self.rows();
        let row = rows.get(i)?;
        let start = i.checked_sub(1).and_then(|j| rows.get(j)).map_or(0, |r| r.end);
        Some(self.correction(start, row))
    }

    /// The corrections in time order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Correction<'_>> + '_ {
        let mut start = 0;
        self.rows().iter().map(move |row| {
            let c = self.correction(start, row);
            start = row.end;
            c
        })
    }

    fn correction(&self, start: usize, row: &Row) -> Correction<'_> {
        Correction {
            event: self
                .lists
                .as_ref()
                .and_then(|l| l.ids.get(start..row.end))
                .and_then(|id| std::str::from_utf8(id).ok())
                .unwrap_or(""),
            at: row.at,
            before: row.before,
            after: row.after,
        }
    }
}

/// One event a backdate revalued: the value it moved before and after
/// (for a shipment, its cost of goods sold; for a landed cost, whose
/// amount never changes, the part of it recognised in cost of goods sold
/// on units already gone). Its SKU is the SKU of the event whose outcome
/// reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction<'a> {
    event: &'a str,
    at: i64,
    before: Decimal,
    after: Decimal,
}

impl Correction<'_> {
    /// The id of the event revalued.
    #[must_use]
    pub fn event(&self) -> &str {
        self.event
    }

    /// The id of the event revalued, owned.
    #[must_use]
    pub fn event_id(&self) -> EventId {
        crate::ledger::stored(self.event)
    }

    /// The event's timestamp.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_nanos(self.at)
    }

    /// Value the event moved before (for a landed cost, its part in cost
    /// of goods sold).
    #[must_use]
    pub fn before(&self) -> Decimal {
        self.before
    }

    /// Value it moves now (for a landed cost, its part in cost of goods
    /// sold).
    #[must_use]
    pub fn after(&self) -> Decimal {
        self.after
    }

    /// `after - before`.
    #[must_use]
    pub fn delta(&self) -> Decimal {
        self.after.saturating_sub(self.before)
    }
}

/// The serialised form of one correction.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    event: EventId,
    at: DateTime<Utc>,
    before: Decimal,
    after: Decimal,
}

/// A list of `{event, at, before, after}` records.
#[cfg(feature = "serde")]
impl serde::Serialize for Corrections {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(|c| Record {
            event: c.event_id(),
            at: c.at(),
            before: c.before,
            after: c.after,
        }))
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Corrections {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let records = Vec::<Record>::deserialize(deserializer)?;
        let mut out = Self::default();
        for r in records {
            let at = r.at.timestamp_nanos_opt().ok_or_else(|| {
                serde::de::Error::custom(format!("correction of {}: time out of range", r.event))
            })?;
            out.push(r.event.as_str().as_bytes(), at, r.before, r.after);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_back_in_order_from_one_buffer() {
        let mut c = Corrections::with_capacity(3);
        c.push(b"s1", 5, Decimal::from(12), Decimal::from(4));
        c.push(b"", 6, Decimal::ONE, Decimal::ONE);
        c.push(b"ship-22", 7, Decimal::ZERO, Decimal::TEN);
        let events: Vec<&str> = c.iter().map(|x| x.event).collect();
        assert_eq!(events, ["s1", "", "ship-22"]);
        assert_eq!(
            c.get(2).map(|x| (x.event, x.at, x.delta())),
            Some(("ship-22", 7, Decimal::TEN))
        );
        assert_eq!(c.get(0).map(|x| x.delta()), Some(Decimal::from(-8)));
        assert_eq!(c.get(3), None);
        assert_eq!((c.len(), c.iter().len()), (3, 3));
        assert_eq!(c.get(0).unwrap().event_id().as_str(), "s1");
    }
}
