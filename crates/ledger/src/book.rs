//! The per-SKU engine: compact entries, cost pools, replay and as-of scans.
//!
//! Everything here works on small integer indexes; the [`crate::Ledger`]
//! owns the names behind them and turns internal failures into
//! [`crate::LedgerError`]s.

use std::collections::VecDeque;

use merchantry_core::Disposition;
use rust_decimal::Decimal;

use crate::arith::{
    Running, add, add_positive, average_draw, draw, mul, ordered_sum, overflow, share, sub,
    weighted_share,
};
use crate::entries::Entries;
use crate::event::{Method, NegativeStock, Pooling};

/// "No index" in the `u32` reference fields.
pub(crate) const NONE: u32 = u32::MAX;
/// A light checkpoint (units and value per position) every this many
/// entries: an as-of query scans at most this many entries.
pub(crate) const LIGHT: usize = 16;
/// The fewest entries between two full checkpoints.
const FULL_MIN: usize = 256;
/// Entries between two full checkpoints per item the state holds (position,
/// pool, cost layer or deficit): a checkpoint then costs about two bytes
/// per entry however many layers the SKU holds, and a backdated event
/// replays at most [`FULL_MIN`] entries, or this many per item held,
/// before it.
const FULL_PER_ITEM: usize = 32;
// Full checkpoints fall on light ones: the first (not stored) is after
// no entries and every spacing is a multiple of LIGHT, so an append only
// has a checkpoint to make after every LIGHT-th entry.
const _: () = assert!(FULL_MIN.is_multiple_of(LIGHT) && FULL_PER_ITEM.is_multiple_of(LIGHT));

/// The kind of an entry, one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Receipt,
    Landed,
    Shipment,
    Return,
    Adjustment,
    TransferOut,
    TransferIn,
    DispositionChange,
    VendorReturn,
    Reimbursement,
    Shortfall,
}

/// One retained event in compact form (48 bytes).
///
/// Field use by kind: `aux` is the channel (shipment, return), the other
/// location (transfers), an index into `amounts` (receipt, adjustment,
/// reimbursement) or into `landed`; `refx` is a name index (order,
/// purchase order, referenced event) or, for an adjustment, its reason.
/// The value moved is kept as its 96-bit mantissa and one byte of sign
/// and scale (see [`Entry::value`]), and the extras of an entry are
/// found by position in `Book::extras`, so no field is padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) at: i64,
    pub(crate) qty: i64,
    /// Output: the mantissa of the value moved by the event, low word
    /// first (see `effects`).
    mantissa: [u32; 3],
    pub(crate) id: u32,
    pub(crate) loc: u32,
    pub(crate) aux: u32,
    pub(crate) refx: u32,
    pub(crate) kind: Kind,
    pub(crate) disp: Disposition,
    pub(crate) disp2: Disposition,
    /// Output: the value's scale (low five bits) and sign (top bit).
    sign_scale: u8,
}

// The memory budget (96 bytes per retained event) is planned on these.
const _: () = assert!(std::mem::size_of::<Entry>() == 48);
const _: () = assert!(std::mem::size_of::<Extra>() == 48);
const _: () = assert!(std::mem::size_of::<Mark>() == 32);
const _: () = assert!(std::mem::size_of::<Layer>() == 40);

impl Entry {
    /// An entry of no event, to fill in where it is stored.
    pub(crate) const BLANK: Self = Self::new(0, NONE, NONE);

    /// A new entry moving no value yet.
    pub(crate) const fn new(at: i64, id: u32, loc: u32) -> Self {
        Self {
            at,
            qty: 0,
            mantissa: [0; 3],
            id,
            loc,
            aux: NONE,
            refx: NONE,
            kind: Kind::Reimbursement,
            disp: Disposition::Sellable,
            disp2: Disposition::Sellable,
            sign_scale: 0,
        }
    }

    /// The value moved by the event (an output of applying it).
    pub(crate) fn value(&self) -> Decimal {
        self.output().value()
    }

    /// The value moved, as stored: cheap to copy and compare bit for bit.
    pub(crate) fn output(&self) -> Output {
        Output { mantissa: self.mantissa, sign_scale: self.sign_scale }
    }

    /// Puts back an output taken by [`Entry::output`].
    pub(crate) fn set_output(&mut self, output: Output) {
        self.mantissa = output.mantissa;
        self.sign_scale = output.sign_scale;
    }

    /// [`Entry::value`] as its signed mantissa and scale, negated when
    /// `negate`: the parts of `-value()` or `value()`, except that a zero
    /// loses its sign (callers only use non-zero mantissas).
    pub(crate) fn value_parts(&self, negate: bool) -> (i128, u32) {
        let [lo, mid, hi] = self.mantissa;
        let m = i128::from(lo) | (i128::from(mid) << 32) | (i128::from(hi) << 64);
        let negative = (self.sign_scale & 0x80 != 0) != negate;
        (if negative { -m } else { m }, u32::from(self.sign_scale & 0x1F).min(28))
    }

    pub(crate) fn set_value(&mut self, value: Decimal) {
        self.set_output(Output::of(value));
    }
}

/// An entry's value as stored: equal outputs are equal values; unequal
/// ones may still be equal numbers at different scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Output {
    mantissa: [u32; 3],
    sign_scale: u8,
}

impl Output {
    /// The stored form of `value`.
    #[inline(always)]
    pub(crate) fn of(value: Decimal) -> Self {
        let m = value.mantissa().unsigned_abs();
        let word = |shift: u32| u32::try_from((m >> shift) & 0xFFFF_FFFF).unwrap_or(0);
        let scale = u8::try_from(value.scale()).unwrap_or(0);
        let sign = if value.is_sign_negative() { 0x80 } else { 0 };
        Self { mantissa: [word(0), word(32), word(64)], sign_scale: scale | sign }
    }

    /// [`Output::of`] the positive value of mantissa `m` at `scale` (at
    /// most 28), without building the `Decimal` first.
    #[inline(always)]
    pub(crate) fn positive(m: u64, scale: u32) -> Self {
        let word = |shift: u32| u32::try_from((m >> shift) & 0xFFFF_FFFF).unwrap_or(0);
        Self { mantissa: [word(0), word(32), 0], sign_scale: u8::try_from(scale).unwrap_or(0) }
    }

    pub(crate) fn value(self) -> Decimal {
        let [lo, mid, hi] = self.mantissa;
        let scale = u32::from(self.sign_scale & 0x1F).min(28);
        Decimal::from_parts(lo, mid, hi, self.sign_scale & 0x80 != 0, scale)
    }
}

/// Where a cost leaves inventory to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Flow {
    /// Cost of goods sold.
    Cogs,
    /// Write-offs (lost, damaged, disposed, shortfalls; found units
    /// count negative).
    WriteOff,
    /// Returns to vendors.
    VendorReturn,
    /// True-ups of internal moves (transfers, disposition changes) that
    /// went negative.
    Variance,
}

/// What an extra records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtraKind {
    /// Part of a landed cost raising units still held (pool gains amount).
    LandedHeld,
    /// Part of a landed cost on units already gone (to `flow`).
    LandedGone,
    /// A negative position filled: actual cost minus the price used,
    /// leaving the pool to `flow`.
    TrueUp,
}

/// A secondary effect of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Extra {
    pub(crate) kind: ExtraKind,
    pub(crate) flow: Flow,
    /// The position of the entry that made it (extras are in entry
    /// order).
    pub(crate) entry: u32,
    pub(crate) pool: u32,
    pub(crate) loc: u32,
    pub(crate) channel: u32,
    /// The outbound event a true-up settles, or the receipt of a landed
    /// share.
    pub(crate) origin: u32,
    pub(crate) qty: i64,
    pub(crate) amount: Decimal,
}

/// Units that arrived together, with their total value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layer {
    /// The receipt (or return, or found adjustment) the units came from.
    pub(crate) origin: u32,
    pub(crate) at: i64,
    pub(crate) qty: i64,
    /// Total value; always zero under moving average, whose value is the
    /// pool's (except in transit, see [`Book::method_of`]).
    pub(crate) value: Decimal,
    /// In transit: the location that sent the units (a transfer's
    /// arrival takes its own source's units first); `NONE` elsewhere.
    pub(crate) source: u32,
}

/// Units that left without being held, priced at the last known cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deficit {
    pub(crate) origin: u32,
    pub(crate) loc: u32,
    pub(crate) channel: u32,
    pub(crate) flow: Flow,
    pub(crate) qty: i64,
    pub(crate) value: Decimal,
}

/// One cost pool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pool {
    pub(crate) qty: i64,
    pub(crate) value: Decimal,
    pub(crate) layers: VecDeque<Layer>,
    pub(crate) deficits: Vec<Deficit>,
    /// Under moving average, the unit cost the pool last carried while
    /// it holds no units: the average it had when its units ran out, or
    /// the unit cost of units that arrived since and brought it back to
    /// exactly zero. `None` until either happens, and under FIFO and
    /// LIFO.
    pub(crate) rate: Option<Decimal>,
}

impl Pool {
    /// Under moving average, before `pieces` arrive (one event's units,
    /// in one or more lots): keeps their unit cost, all lots together, as
    /// [`Pool::rate`] when they fill the pool's deficit exactly, as the
    /// cost the units that leave short next are priced at. Units that
    /// fill part of a deficit leave the rate as it was, as ERPNext's
    /// moving average keeps its rate while stock stays below zero (and
    /// units that leave some held price the pool from its average).
    fn note_arrival(&mut self, pieces: &[Layer], id: u32) -> Result<(), Fail> {
        if self.qty >= 0 {
            return Ok(());
        }
        let (mut qty, mut value) = (0_i64, Decimal::ZERO);
        for piece in pieces {
            qty = qty.checked_add(piece.qty).ok_or(overflow(id, "units"))?;
            value = add(value, piece.value, id)?;
        }
        if qty > 0 && self.qty.checked_add(qty) == Some(0) {
            self.rate = Some(share(value, 1, qty, id)?);
        }
        Ok(())
    }

    /// Under moving average, before `qty` units leave: keeps the average
    /// as [`Pool::rate`] when they take every unit held.
    fn note_running_out(&mut self, qty: i64, id: u32) -> Result<(), Fail> {
        if self.qty > 0 && qty >= self.qty {
            self.rate = Some(share(self.value, 1, self.qty, id)?);
        }
        Ok(())
    }
}

/// The running state of a SKU after some prefix of its entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct State {
    /// Units per position slot.
    pub(crate) qty: Vec<i64>,
    /// Cost pools per pool slot.
    pub(crate) pools: Vec<Pool>,
    /// Unit cost of the latest receipt.
    pub(crate) last_cost: Decimal,
}

impl State {
    /// Bytes of the state's buffers (not of the state itself).
    fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.qty.capacity() * size_of::<i64>()
            + self.pools.capacity() * size_of::<Pool>()
            + self
                .pools
                .iter()
                .map(|p| {
                    p.layers.capacity() * size_of::<Layer>()
                        + p.deficits.capacity() * size_of::<Deficit>()
                })
                .sum::<usize>()
    }

    /// How many entries to apply after this state before the next full
    /// checkpoint.
    fn spacing(&self) -> usize {
        let items: usize =
            self.pools.iter().map(|p| 1 + p.layers.len() + p.deficits.len()).sum::<usize>()
                + self.qty.len();
        (items * FULL_PER_ITEM).max(FULL_MIN)
    }
}

/// A full checkpoint: the state after the first `at` entries, every cost
/// layer included (what a backdated event replays from).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Full {
    pub(crate) at: usize,
    /// Where the next full checkpoint is due: `at` plus the state's
    /// [`State::spacing`].
    pub(crate) next: usize,
    pub(crate) state: State,
}

impl Full {
    fn new(at: usize, state: State) -> Self {
        Self { at, next: at + state.spacing(), state }
    }
}

/// Units and value per slot after some prefix of entries (what an as-of
/// query starts from).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Light {
    pub(crate) qty: Vec<i64>,
    pub(crate) value: Vec<Decimal>,
}

/// One light checkpoint (32 bytes, so it never straddles a cache line):
/// the first position's units and the first pool's value inline (most
/// SKUs have one of each, so a query reads one record), and where the
/// other slots' numbers start. Its timestamp is in [`Lights::ats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(align(32))]
pub(crate) struct Mark {
    qty0: i64,
    value0: Decimal,
    qty_start: u32,
    value_start: u32,
}

/// How many checkpoints one entry of [`Lights::top`] stands for.
const TOP: usize = 16;

/// The light checkpoints of a book, flat: checkpoint `k` (after the first
/// `k * LIGHT` entries) is `marks[k]` stamped `ats[k]`, whose slots past
/// the first are the runs of `qty` and `value` from its starts to the
/// next checkpoint's. An as-of query binary-searches the small `top`
/// (every [`TOP`]th timestamp), then one run of [`TOP`] timestamps (128
/// bytes, two adjacent cache lines, where searching a run of marks would
/// take a dependent miss per probe), and reads the mark's inline numbers:
/// a few cache lines, and no checkpoint owns an allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Lights {
    marks: Vec<Mark>,
    /// `ats[k]`: the timestamp of the last entry checkpoint `k` includes
    /// (`i64::MIN` for none).
    ats: Vec<i64>,
    /// `top[j] == ats[j * TOP]`.
    top: Vec<i64>,
    qty: Vec<i64>,
    value: Vec<Decimal>,
}

impl Lights {
    pub(crate) fn len(&self) -> usize {
        self.marks.len()
    }

    /// Appends a checkpoint of `state` stamped `at`.
    ///
    /// `marks` and `ats` double from one: a book makes one checkpoint per
    /// [`LIGHT`] entries, 2.5 bytes an entry, and growing them by a
    /// quarter reallocated each about 14 times on a book's way to 1,000
    /// entries (some 18 instructions an event); doubling takes half the
    /// reallocations, its spare room at most what is held. From one, not
    /// `Vec`'s first four: a book of a few events holds only its opening
    /// mark (four took 12 bytes an event more for SKUs of 10 events).
    fn push(&mut self, at: i64, state: &State) {
        if self.marks.len() == self.marks.capacity() {
            let more = self.marks.len().max(1);
            self.marks.reserve_exact(more);
            self.ats.reserve_exact(more);
        }
        if self.marks.len().is_multiple_of(TOP) {
            crate::names::reserve_more(&mut self.top, 1);
            self.top.push(at);
        }
        self.ats.push(at);
        self.marks.push(Mark {
            qty0: state.qty.first().copied().unwrap_or(0),
            value0: state.pools.first().map_or(Decimal::ZERO, |p| p.value),
            qty_start: u32::try_from(self.qty.len()).unwrap_or(NONE),
            value_start: u32::try_from(self.value.len()).unwrap_or(NONE),
        });
        // Most books have one position and one pool, all in the mark.
        if let [_, more @ ..] = &state.qty[..]
            && !more.is_empty()
        {
            crate::names::reserve_more(&mut self.qty, more.len());
            self.qty.extend_from_slice(more);
        }
        if let [_, more @ ..] = &state.pools[..]
            && !more.is_empty()
        {
            crate::names::reserve_more(&mut self.value, more.len());
            self.value.extend(more.iter().map(|p| p.value));
        }
    }

    /// The last checkpoint stamped at or before `at` (0 if none is).
    pub(crate) fn find(&self, at: i64) -> usize {
        let j = self.top.partition_point(|&t| t <= at).saturating_sub(1);
        let start = (j * TOP).min(self.ats.len());
        let run = self.ats.get(start..(start + TOP).min(self.ats.len())).unwrap_or(&[]);
        (start + run.partition_point(|&t| t <= at)).saturating_sub(1)
    }

    /// Units of position slot `slot` at checkpoint `k`.
    pub(crate) fn qty(&self, k: usize, slot: usize) -> i64 {
        let Some(m) = self.marks.get(k) else { return 0 };
        if slot == 0 {
            return m.qty0;
        }
        let end = self.marks.get(k + 1).map_or(self.qty.len(), |n| n.qty_start as usize);
        let i = m.qty_start as usize + slot - 1;
        if i < end { self.qty.get(i).copied().unwrap_or(0) } else { 0 }
    }

    /// Value of pool slot `slot` at checkpoint `k`.
    pub(crate) fn value(&self, k: usize, slot: usize) -> Decimal {
        let Some(m) = self.marks.get(k) else { return Decimal::ZERO };
        if slot == 0 {
            return m.value0;
        }
        let end = self.marks.get(k + 1).map_or(self.value.len(), |n| n.value_start as usize);
        let i = m.value_start as usize + slot - 1;
        if i < end { self.value.get(i).copied().unwrap_or_default() } else { Decimal::ZERO }
    }

    /// Checkpoint `k` with `keys` position slots and `pools` pool slots.
    pub(crate) fn light(&self, k: usize, keys: usize, pools: usize) -> Light {
        Light {
            qty: (0..keys).map(|s| self.qty(k, s)).collect(),
            value: (0..pools).map(|s| self.value(k, s)).collect(),
        }
    }

    /// Keeps the first `n` checkpoints.
    fn truncate(&mut self, n: usize) {
        let Some(m) = self.marks.get(n).copied() else { return };
        self.qty.truncate(m.qty_start as usize);
        self.value.truncate(m.value_start as usize);
        self.marks.truncate(n);
        self.ats.truncate(n);
        self.top.truncate(n.div_ceil(TOP));
    }

    /// Removes and returns the checkpoints from `n` on (their starts stay
    /// absolute, so [`Lights::restore`] after `truncate(n)` puts them back).
    fn split_off(&mut self, n: usize) -> Self {
        let Some(m) = self.marks.get(n).copied() else { return Self::default() };
        let qty = self.qty.split_off((m.qty_start as usize).min(self.qty.len()));
        let value = self.value.split_off((m.value_start as usize).min(self.value.len()));
        let marks = self.marks.split_off(n);
        let ats = self.ats.split_off(n.min(self.ats.len()));
        self.top.truncate(n.div_ceil(TOP));
        Self { marks, ats, top: Vec::new(), qty, value }
    }

    /// Puts back a tail taken by [`Lights::split_off`] at the same length.
    fn restore(&mut self, tail: Self) {
        for (m, at) in tail.marks.into_iter().zip(tail.ats) {
            if self.marks.len().is_multiple_of(TOP) {
                self.top.push(at);
            }
            self.marks.push(m);
            self.ats.push(at);
        }
        self.qty.extend(tail.qty);
        self.value.extend(tail.value);
    }

    fn shrink_to_fit(&mut self) {
        self.marks.shrink_to_fit();
        self.ats.shrink_to_fit();
        self.top.shrink_to_fit();
        self.qty.shrink_to_fit();
        self.value.shrink_to_fit();
    }

    /// Bytes held, for the memory report.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.marks.capacity() * std::mem::size_of::<Mark>()
            + self.ats.capacity() * 8
            + self.top.capacity() * 8
            + self.qty.capacity() * 8
            + self.value.capacity() * 16
    }
}

/// A landed cost's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LandedSpec {
    pub(crate) amount: Decimal,
    pub(crate) basis: crate::event::LandedBasis,
    /// `(receipt name index, measure)`.
    pub(crate) targets: Vec<(u32, Decimal)>,
}

/// Why applying an entry failed, in indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    Insufficient { id: u32, loc: u32, disp: Disposition, available: i64, requested: i64 },
    UnknownRef { id: u32, reference: u32, expected: &'static str },
    Weights { id: u32, reason: &'static str },
    Overflow { id: u32, what: &'static str },
    ReturnExceeds { id: u32, shipment: u32, shipped: i64, returned: i64, requested: i64 },
    OriginShort { id: u32, origin: u32, loc: u32, disp: Disposition, held: i64, requested: i64 },
}

/// Read-only settings an apply needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub(crate) pooling: Pooling,
    pub(crate) negative: NegativeStock,
}

/// Everything the ledger keeps about one SKU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Book {
    pub(crate) method: Method,
    /// Sorted by (timestamp, arrival).
    pub(crate) entries: Entries,
    pub(crate) amounts: Vec<Decimal>,
    pub(crate) landed: Vec<LandedSpec>,
    pub(crate) extras: Vec<Extra>,
    /// Position slots: `(location, disposition)`.
    pub(crate) keys: Vec<(u32, Disposition)>,
    /// Pool slots: `(location or NONE, disposition)`.
    pub(crate) pools: Vec<(u32, Disposition)>,
    /// Checkpoint `k`: after the first `k * LIGHT` entries.
    pub(crate) light: Lights,
    /// Full checkpoints, spaced by [`State::spacing`], after the opening
    /// one: that is the empty state after no entries and is not stored (a
    /// book of fewer than [`FULL_MIN`] entries holds none).
    pub(crate) full: Vec<Full>,
    /// After every entry.
    pub(crate) live: State,
}

/// The parts of a book that the fast paths of [`Book::push`] read and
/// change, borrowed apart from the entries (where the new one is).
///
/// Each path applies the commonest events appended in order (a shipment
/// that one cost layer or a moving-average pool covers, a receipt into a
/// position and pool that exist and owe no deficit) to the live state
/// without the general path's bookkeeping and writes the entry's output;
/// or returns `None` with nothing changed for every other case, which
/// [`Book::apply`] handles. Their results are exactly what
/// `apply` gives, bit for bit: the laws that compare arrival order with
/// time order check it, since a replay always goes through `apply`.
struct Appending<'a> {
    keys: &'a [(u32, Disposition)],
    pools: &'a [(u32, Disposition)],
    live: &'a mut State,
    pooling: Pooling,
}

impl<'a> Appending<'a> {
    /// The slots of position `(loc, disp)` and of its pool, when both
    /// exist.
    #[inline(always)]
    fn slots(&self, loc: u32, disp: Disposition) -> Option<(usize, usize)> {
        let key = find_slot(self.keys, (loc, disp))?;
        let pool = find_slot(self.pools, pool_key(self.pooling, loc, disp))?;
        Some((key, pool))
    }

    /// The live position and pool a shipment takes from, when both exist,
    /// hold its units and owe no deficit (so nothing is short).
    #[inline(always)]
    fn shipping(self, e: &Entry) -> Option<(&'a mut i64, &'a mut Pool)> {
        let (key, pool) = self.slots(e.loc, Disposition::Sellable)?;
        let State { qty, pools, .. } = self.live;
        let held = qty.get_mut(key)?;
        let p = pools.get_mut(pool)?;
        (*held >= e.qty && p.qty >= e.qty && p.deficits.is_empty()).then_some((held, p))
    }

    /// A FIFO (or LIFO) shipment that the oldest (newest) layer covers.
    #[inline(always)]
    fn ship_layer(self, e: &mut Entry, lifo: bool) -> Option<()> {
        let (held, p) = self.shipping(e)?;
        let Pool { qty: units, value, layers, .. } = p;
        let layer = if lifo { layers.back_mut() } else { layers.front_mut() }?;
        if layer.qty < e.qty {
            return None;
        }
        let whole = layer.qty == e.qty;
        // Each way to the value commits on its own: a value joined from
        // both went through the stack.
        match draw(layer.value, *value, e.qty, layer.qty) {
            Some(drawn) => take_layer(layer, value, e, drawn),
            None => take_layer_general(layer, value, e)?,
        }
        if whole {
            if lifo {
                layers.pop_back()
            } else {
                layers.pop_front()
            };
        }
        *units -= e.qty;
        *held -= e.qty;
        Some(())
    }

    /// A moving-average shipment.
    #[inline(always)]
    fn ship_average(self, e: &mut Entry) -> Option<()> {
        let (held, p) = self.shipping(e)?;
        match average_draw(p.value, e.qty, p.qty) {
            Some(drawn) => take_average(held, p, e, drawn),
            None => take_average_general(held, p, e)?,
        }
        Some(())
    }

    /// A receipt at a unit cost from `amounts`.
    #[inline(always)]
    fn receive(self, e: &mut Entry, amounts: &[Decimal], average: bool) -> Option<()> {
        let (key, pool) = self.slots(e.loc, e.disp)?;
        let cost = amounts.get(e.aux as usize).copied().unwrap_or_default();
        let value = mul(cost, e.qty, e.id).ok()?;
        let State { qty, pools, last_cost } = self.live;
        let held = qty.get_mut(key)?;
        let p = pools.get_mut(pool)?;
        if !p.deficits.is_empty() {
            return None;
        }
        let units = held.checked_add(e.qty)?;
        let pool_units = p.qty.checked_add(e.qty)?;
        // A moving-average pool, once divided, is at a larger scale than
        // a receipt's value: that sum inline, where `add` calls out.
        let sum = if average { add_positive(p.value, value) } else { None };
        let pool_value = match sum {
            Some(sum) => sum,
            None => add(p.value, value, e.id).ok()?,
        };
        *held = units;
        p.qty = pool_units;
        p.value = pool_value;
        let layer_value = if average { Decimal::ZERO } else { value };
        push_layer(
            &mut p.layers,
            Layer { origin: e.id, at: e.at, qty: e.qty, value: layer_value, source: NONE },
        );
        *last_cost = cost;
        e.set_value(value);
        Some(())
    }
}

/// What to put back if a replay fails.
#[derive(Debug)]
pub(crate) struct Undo {
    from: usize,
    cut: usize,
    outputs: Vec<Output>,
    extras: Vec<Extra>,
    light: Lights,
    /// Full checkpoints kept (the others are in `full`).
    full_kept: usize,
    full: Vec<Full>,
    live: State,
    keys: usize,
    pools: usize,
    /// Positions (after insertion) of inserted entries, ascending.
    inserted: Vec<usize>,
    amounts: usize,
    landed: usize,
}

impl Undo {
    /// Entries whose value changed, with old and new values, and the
    /// true-ups the replay changed: those created that were not there
    /// before, and those no longer made, reversed.
    pub(crate) fn changes(&self, book: &Book) -> (Vec<(usize, Decimal, Decimal)>, Vec<Extra>) {
        let mut changed = Vec::new();
        let mut old = self.outputs.iter();
        // Appended in order: no entry that was there before was replayed.
        let replayed = if self.outputs.is_empty() { 0 } else { usize::MAX };
        let mut inserted = self.inserted.iter().copied().peekable();
        let mut old_pos = self.from;
        for (pos, entry) in (self.from..).zip(book.entries.iter_from(self.from)).take(replayed) {
            if inserted.next_if_eq(&pos).is_some() {
                continue;
            }
            old_pos += 1;
            if entry.kind == Kind::Landed {
                // Its amount never changes; the part of it on units
                // already gone (cost of goods sold) may.
                let (before, after) = (gone(&self.extras, old_pos - 1), gone(&book.extras, pos));
                if before != after {
                    changed.push((pos, before, after));
                }
                old.next();
                continue;
            }
            // Equal as stored is equal; otherwise compare the numbers (the
            // same value may come back at another scale).
            if let Some(&output) = old.next()
                && output != entry.output()
            {
                let (before, after) = (output.value(), entry.value());
                if (before.scale() != after.scale() || before.is_zero()) && before == after {
                    continue;
                }
                changed.push((pos, before, after));
            }
        }
        // True-ups the replay made that were not there before, and, reversed
        // (negative units and amount, at the settling event's new
        // position), those it no longer makes: together with the
        // corrections they add up to the change in each flow.
        // Matched one to one (two equal settlements are two), and only
        // with a settlement by the same event: one that moved to another
        // settling event, even for the same amount, is undone at the old
        // event's instant and made at the new one's, which may fall in
        // another period.
        let now = book.extras.get(self.cut.min(book.extras.len())..).unwrap_or(&[]);
        let now: Vec<Extra> = now.iter().filter(|x| x.kind == ExtraKind::TrueUp).copied().collect();
        let before: Vec<Extra> = self
            .extras
            .iter()
            .filter(|x| x.kind == ExtraKind::TrueUp)
            .map(|x| Extra {
                entry: u32::try_from(self.moved(x.entry as usize)).unwrap_or(NONE),
                ..*x
            })
            .collect();
        let mut kept_now = vec![false; now.len()];
        let mut kept_before = vec![false; before.len()];
        for (x, kept) in before.iter().zip(kept_before.iter_mut()) {
            let found = now.iter().zip(&kept_now).position(|(y, &taken)| !taken && x == y);
            if let Some(j) = found
                && let Some(taken) = kept_now.get_mut(j)
            {
                *taken = true;
                *kept = true;
            }
        }
        let removed = before.iter().zip(&kept_before).filter(|(_, k)| !**k).map(|(x, _)| Extra {
            qty: x.qty.saturating_neg(),
            amount: -x.amount,
            ..*x
        });
        let created = now.iter().zip(&kept_now).filter(|(_, k)| !**k).map(|(x, _)| *x);
        let mut true_ups: Vec<Extra> = removed.chain(created).collect();
        // In order of the settling events (a reversal before its
        // replacement at the same event).
        true_ups.sort_by_key(|x| x.entry);
        (changed, true_ups)
    }

    /// The position after the insertion of an entry that was at `old`
    /// before it.
    fn moved(&self, old: usize) -> usize {
        let mut pos = old;
        for &i in &self.inserted {
            if i <= pos {
                pos += 1;
            } else {
                break;
            }
        }
        pos
    }
}

impl Book {
    /// An empty book valued by `method`.
    pub(crate) fn new(method: Method) -> Self {
        Self {
            method,
            light: {
                let mut light = Lights::default();
                light.push(i64::MIN, &State::default());
                light
            },
            ..Self::default()
        }
    }

    /// Releases spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        self.amounts.shrink_to_fit();
        self.landed.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.pools.shrink_to_fit();
        self.light.shrink_to_fit();
        self.full.shrink_to_fit();
    }

    /// Bytes the book holds, itself included: every buffer's capacity,
    /// nested ones too (the allocator's own overhead is not counted).
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        size_of::<Self>()
            + self.entries.capacity() * size_of::<Entry>()
            + self.entries.spine_bytes()
            + self.amounts.capacity() * size_of::<Decimal>()
            + self.landed.capacity() * size_of::<LandedSpec>()
            + self
                .landed
                .iter()
                .map(|l| l.targets.capacity() * size_of::<(u32, Decimal)>())
                .sum::<usize>()
            + self.extras.capacity() * size_of::<Extra>()
            + (self.keys.capacity() + self.pools.capacity()) * size_of::<(u32, Disposition)>()
            + self.light.heap_bytes()
            + self.full.capacity() * size_of::<Full>()
            + self.full.iter().map(|f| f.state.heap_bytes()).sum::<usize>()
            + self.live.heap_bytes()
    }

    /// The slot of position `(loc, disp)`, added when new.
    pub(crate) fn key_slot(&mut self, loc: u32, disp: Disposition) -> usize {
        slot(&mut self.keys, (loc, disp))
    }

    /// The slot of the pool holding `(loc, disp)`, added when new.
    fn pool_slot(&mut self, ctx: Ctx, loc: u32, disp: Disposition) -> usize {
        slot(&mut self.pools, pool_key(ctx.pooling, loc, disp))
    }

    /// The pool slot of `(loc, disp)` if it exists.
    pub(crate) fn find_pool(&self, pooling: Pooling, loc: u32, disp: Disposition) -> Option<usize> {
        find_slot(&self.pools, pool_key(pooling, loc, disp))
    }

    /// Where the extras of the entry at `pos` (or after the last) start.
    pub(crate) fn extras_start(&self, pos: usize) -> usize {
        self.extras.partition_point(|x| (x.entry as usize) < pos)
    }

    /// The extras of the entry at `pos`.
    pub(crate) fn extras_of(&self, pos: usize) -> &[Extra] {
        let start = self.extras_start(pos);
        let end = self.extras_start(pos + 1);
        self.extras.get(start..end).unwrap_or(&[])
    }

    /// The method that values a pool of disposition `disp`: the SKU's,
    /// except that under moving average units in transit keep, layer by
    /// layer, the average they left their source with (each shipment
    /// travels on its own; the receiving pool averages them in), taken
    /// first in, first out.
    pub(crate) fn method_of(&self, disp: Disposition) -> Method {
        if self.method == Method::MovingAverage && disp == Disposition::InTransit {
            Method::Fifo
        } else {
            self.method
        }
    }

    /// Appends `entry` after every other and applies it to the live state.
    /// On failure the book is as before.
    pub(crate) fn push(&mut self, entry: Entry, ctx: Ctx) -> Result<(), Fail> {
        self.entries.push(entry);
        self.apply_appended(ctx)
    }

    /// Applies the last entry, just appended after every other, to the
    /// live state. On failure it is taken out again and the book is as
    /// before it was appended.
    ///
    /// Inlined into its two callers (the in-order ingest and
    /// [`Book::push`]): a call of its own took about 20 instructions an
    /// event in entry, exit and spills (cachegrind, 100k events).
    #[inline(always)]
    pub(crate) fn apply_appended(&mut self, ctx: Ctx) -> Result<(), Fail> {
        // The fast path that applies the entry writes its output in place:
        // the paths share no join that carries a value (which took stack
        // spills) and the entry is not copied.
        let Self { method, entries, amounts, keys, pools, live, .. } = self;
        let Some(e) = entries.last_mut() else {
            // No entry: nothing to apply.
            return Ok(());
        };
        let fast = Appending { keys, pools, live, pooling: ctx.pooling };
        let applied = match (e.kind, *method) {
            (Kind::Shipment, Method::MovingAverage) => fast.ship_average(e),
            // One copy each, so that neither tests the method again.
            (Kind::Shipment, Method::Fifo) => fast.ship_layer(e, false),
            (Kind::Shipment, Method::Lifo) => fast.ship_layer(e, true),
            (Kind::Receipt, method) => fast.receive(e, amounts, method == Method::MovingAverage),
            _ => None,
        };
        if applied.is_none() {
            return self.apply_last(ctx);
        }
        let done = self.entries.len();
        // Full checkpoints fall on light ones (see `FULL_MIN`): no other
        // entry can owe one.
        if done.is_multiple_of(LIGHT) {
            self.checkpoint(done - 1);
        }
        Ok(())
    }

    /// [`Book::push`] past its fast paths: applies the entry it appended
    /// through [`Book::apply`], and takes it out again, the book as it
    /// was, on failure.
    #[inline(never)]
    fn apply_last(&mut self, ctx: Ctx) -> Result<(), Fail> {
        let keys = self.keys.len();
        let pools = self.pools.len();
        let extras = self.extras.len();
        let pos = self.entries.len() - 1;
        let mut live = std::mem::take(&mut self.live);
        match self.apply(pos, &mut live, ctx) {
            Ok(()) => {
                self.live = live;
                self.checkpoint(pos);
                Ok(())
            }
            Err(fail) => {
                self.entries.pop();
                self.extras.truncate(extras);
                self.keys.truncate(keys);
                self.pools.truncate(pools);
                self.rebuild_live(ctx);
                Err(fail)
            }
        }
    }

    /// Rebuilds the live state from the last full checkpoint. Replaying
    /// committed entries reproduces their outputs exactly.
    fn rebuild_live(&mut self, ctx: Ctx) {
        let Full { at: start, mut state, .. } = self.full.last().cloned().unwrap_or_default();
        self.extras.truncate(self.extras_start(start));
        self.replay(start..self.entries.len(), &mut state, ctx);
        self.live = state;
    }

    /// Applies the committed entries at `range` again to `state`, a state
    /// they were applied to before (a checkpoint's), which gives their
    /// values again.
    fn replay(&mut self, range: std::ops::Range<usize>, state: &mut State, ctx: Ctx) {
        for pos in range {
            // An error here would mean a logic bug; it leaves the entry's
            // previous outputs in place.
            let _ = self.apply(pos, state, ctx);
        }
    }

    /// Records checkpoints of the live state after the entry at `pos`
    /// when due.
    fn checkpoint(&mut self, pos: usize) {
        let Self { light, full, entries, live, .. } = self;
        record(light, full, entries, pos, live);
    }

    /// Adds `new` (sorted by timestamp, ties in arrival order): appended
    /// one by one when none is older than the last entry (a batch read
    /// in order, a snapshot restored), otherwise inserted and replayed
    /// once. On failure everything is put back.
    pub(crate) fn insert(
        &mut self,
        new: Vec<Entry>,
        ctx: Ctx,
        amounts: usize,
        landed: usize,
    ) -> Result<Undo, Fail> {
        let in_order = match (self.entries.last(), new.first()) {
            (Some(last), Some(first)) => last.at <= first.at,
            _ => true,
        };
        if !in_order {
            return self.insert_and_replay(new, ctx, amounts, landed);
        }
        let from = self.entries.len();
        let mut undo = Undo {
            from,
            cut: self.extras.len(),
            outputs: Vec::new(),
            extras: Vec::new(),
            light: Lights::default(),
            full_kept: self.full.len(),
            full: Vec::new(),
            live: self.live.clone(),
            keys: self.keys.len(),
            pools: self.pools.len(),
            inserted: Vec::with_capacity(new.len()),
            amounts,
            landed,
        };
        for entry in new {
            if let Err(fail) = self.push(entry, ctx) {
                self.rollback(undo);
                return Err(fail);
            }
            undo.inserted.push(self.entries.len() - 1);
        }
        Ok(undo)
    }

    /// Inserts `new` (each with its arrival order already final and sorted
    /// by timestamp among themselves) and replays once from the earliest
    /// insertion. On failure everything is put back.
    fn insert_and_replay(
        &mut self,
        new: Vec<Entry>,
        ctx: Ctx,
        amounts: usize,
        landed: usize,
    ) -> Result<Undo, Fail> {
        let first_at = new.first().map_or(i64::MAX, |e| e.at);
        let first = self.entries.partition_point(|e| e.at <= first_at);
        // The last full checkpoint at or before the first new entry (the
        // opening one when none is kept).
        let full_kept = self.full.partition_point(|f| f.at <= first);
        let from = full_kept.checked_sub(1).and_then(|k| self.full.get(k)).map_or(0, |f| f.at);
        let cut = self.extras_start(from);
        let mut undo = Undo {
            from,
            cut,
            outputs: self.entries.iter_from(from).map(Entry::output).collect(),
            extras: self.extras[self.extras_start(from)..].to_vec(),
            light: self.light.split_off((from / LIGHT + 1).min(self.light.len())),
            full_kept,
            full: self.full.split_off(full_kept.min(self.full.len())),
            live: std::mem::take(&mut self.live),
            keys: self.keys.len(),
            pools: self.pools.len(),
            inserted: Vec::with_capacity(new.len()),
            amounts,
            landed,
        };
        self.merge(new, first, &mut undo.inserted);
        self.extras.truncate(undo.cut);
        let mut state = self.full.last().map(|f| f.state.clone()).unwrap_or_default();
        for pos in from..self.entries.len() {
            if let Err(fail) = self.apply(pos, &mut state, ctx) {
                self.rollback(undo);
                return Err(fail);
            }
            self.checkpoint_with(pos, &state);
        }
        self.live = state;
        Ok(undo)
    }

    /// Merges sorted `new` entries into `entries` from `first` on, keeping
    /// existing entries before new ones with the same timestamp.
    fn merge(&mut self, new: Vec<Entry>, first: usize, inserted: &mut Vec<usize>) {
        if let [entry] = new[..] {
            // One late event (the common case): every entry from `first`
            // on is stamped after it, so it goes at `first`, moving the
            // tail once instead of splitting and re-appending it.
            let at = first.min(self.entries.len());
            self.entries.insert(at, entry);
            inserted.push(at);
            return;
        }
        let tail = self.entries.split_off(first);
        let mut tail = tail.into_iter().peekable();
        for entry in new {
            while let Some(old) = tail.next_if(|old| old.at <= entry.at) {
                self.entries.push(old);
            }
            inserted.push(self.entries.len());
            self.entries.push(entry);
        }
        self.entries.extend(tail);
    }

    /// Records checkpoints of `state`, the state after the entry at
    /// `pos`, when due.
    fn checkpoint_with(&mut self, pos: usize, state: &State) {
        record(&mut self.light, &mut self.full, &self.entries, pos, state);
    }

    /// Puts the book back as it was before `insert_and_replay`.
    pub(crate) fn rollback(&mut self, undo: Undo) {
        for &pos in undo.inserted.iter().rev() {
            self.entries.remove(pos);
        }
        for (entry, &output) in self.entries.iter_mut_from(undo.from).zip(&undo.outputs) {
            entry.set_output(output);
        }
        self.extras.truncate(undo.cut);
        self.extras.extend(undo.extras);
        self.light.truncate(undo.from / LIGHT + 1);
        self.light.restore(undo.light);
        self.full.truncate(undo.full_kept);
        self.full.extend(undo.full);
        self.live = undo.live;
        self.keys.truncate(undo.keys);
        self.pools.truncate(undo.pools);
        self.amounts.truncate(undo.amounts);
        self.landed.truncate(undo.landed);
    }

    // ---- applying one entry ---------------------------------------------

    /// Applies the entry at `pos` to `state`, writing its outputs. On
    /// failure `state` and the extras past this entry's start may be
    /// partly changed; callers restore them.
    fn apply(&mut self, pos: usize, state: &mut State, ctx: Ctx) -> Result<(), Fail> {
        let e = self.entries[pos];
        let first = self.extras.len();
        let value = match e.kind {
            Kind::Receipt => self.apply_receipt(&e, state, ctx)?,
            Kind::Landed => self.apply_landed(pos, &e, state)?,
            Kind::Shipment => self.move_out(
                &e,
                state,
                ctx,
                (e.loc, Disposition::Sellable),
                (Flow::Cogs, e.aux),
                None,
            )?,
            Kind::Return => self.apply_return(pos, &e, state, ctx)?,
            Kind::Adjustment => self.apply_adjustment(&e, state, ctx)?,
            Kind::TransferOut => {
                self.move_between(&e, state, ctx, (e.loc, e.disp), (e.aux, Disposition::InTransit))?
            }
            Kind::TransferIn => {
                self.move_between(&e, state, ctx, (e.loc, Disposition::InTransit), (e.loc, e.disp))?
            }
            Kind::DispositionChange => {
                self.move_between(&e, state, ctx, (e.loc, e.disp), (e.loc, e.disp2))?
            }
            Kind::VendorReturn => self.apply_vendor_return(pos, &e, state, ctx)?,
            Kind::Reimbursement => Decimal::ZERO,
            Kind::Shortfall => {
                let disp = Disposition::InTransit;
                self.move_out(&e, state, ctx, (e.loc, disp), (Flow::WriteOff, NONE), None)?
            }
        };
        self.entries[pos].set_value(value);
        let at = u32::try_from(pos).unwrap_or(NONE);
        for x in self.extras.get_mut(first..).unwrap_or(&mut []) {
            x.entry = at;
        }
        Ok(())
    }

    fn amount(&self, e: &Entry) -> Decimal {
        self.amounts.get(e.aux as usize).copied().unwrap_or_default()
    }

    fn apply_receipt(&mut self, e: &Entry, state: &mut State, ctx: Ctx) -> Result<Decimal, Fail> {
        let cost = self.amount(e);
        let value = mul(cost, e.qty, e.id)?;
        let layer = Layer { origin: e.id, at: e.at, qty: e.qty, value, source: NONE };
        self.move_in(e, state, ctx, (e.loc, e.disp), &[layer])?;
        state.last_cost = cost;
        Ok(value)
    }

    fn apply_return(
        &mut self,
        pos: usize,
        e: &Entry,
        state: &mut State,
        ctx: Ctx,
    ) -> Result<Decimal, Fail> {
        let value = if e.refx == NONE {
            let cost = self.known_cost(state, ctx, (e.loc, e.disp2), e.id)?;
            mul(cost, e.qty, e.id)?
        } else {
            let (at, ship, returned, returned_value) = self
                .shipment_before(pos, e.refx)
                .ok_or(Fail::UnknownRef { id: e.id, reference: e.refx, expected: "shipment" })?;
            // Units that never left cannot come back at a cost they left
            // with: the returns of one shipment add up to at most what
            // it shipped.
            if returned.checked_add(e.qty).is_none_or(|total| total > ship.qty) {
                return Err(Fail::ReturnExceeds {
                    id: e.id,
                    shipment: e.refx,
                    shipped: ship.qty,
                    returned,
                    requested: e.qty,
                });
            }
            // What the units still out cost: the shipment's value, the
            // true-ups settled for it since (units it took short, priced
            // at the last known cost until stock arrived), less what its
            // earlier returns brought back. Each return takes its share
            // by units still out, so the last one takes the rest and a
            // shipment returned whole nets to exactly zero.
            let mut cost = ship.value();
            let start = self.extras_start(at);
            let settled = self.extras.get(start..).unwrap_or(&[]).iter().filter(|x| {
                x.kind == ExtraKind::TrueUp
                    && x.origin == ship.id
                    && x.flow == Flow::Cogs
                    && (x.entry as usize) < pos
            });
            for x in settled {
                cost = add(cost, x.amount, e.id)?;
            }
            cost = sub(cost, returned_value, e.id)?;
            let out = ship.qty - returned;
            if e.qty == out { cost } else { share(cost, e.qty, out, e.id)? }
        };
        let layer = Layer { origin: e.id, at: e.at, qty: e.qty, value, source: NONE };
        self.move_in(e, state, ctx, (e.loc, e.disp2), &[layer])?;
        Ok(value)
    }

    /// [`Book::last_known_cost`] of the pool of `(loc, disp)`, for units
    /// that arrive there with no cost of their own (a return naming no
    /// shipment, units found without a cost).
    fn known_cost(
        &mut self,
        state: &mut State,
        ctx: Ctx,
        (loc, disp): (u32, Disposition),
        id: u32,
    ) -> Result<Decimal, Fail> {
        let key = self.key_slot(loc, disp);
        let pool = self.pool_slot(ctx, loc, disp);
        grow(state, key, pool);
        self.last_known_cost(state, pool, disp, id)
    }

    /// The last known unit cost of pool slot `pool` (of disposition
    /// `disp`): under moving average its average (to [`SHARE_SCALE`]
    /// places) while it holds units, else [`Pool::rate`], else
    /// [`Book::first_cost`]; under FIFO and LIFO the SKU's latest
    /// receipt's.
    fn last_known_cost(
        &self,
        state: &State,
        pool: usize,
        disp: Disposition,
        id: u32,
    ) -> Result<Decimal, Fail> {
        let Some(p) = state.pools.get(pool) else { return Ok(state.last_cost) };
        if self.method_of(disp) != Method::MovingAverage {
            return Ok(state.last_cost);
        }
        match (p.qty > 0, p.rate) {
            (true, _) => share(p.value, 1, p.qty, id),
            (false, Some(rate)) => Ok(rate),
            (false, None) => Ok(self.first_cost(state, id)),
        }
    }

    /// The cost a moving-average pool that never had one starts from: the
    /// SKU's average over its moving-average pools that hold units (as
    /// Odoo's product-wide average; ERPNext takes the latest rate of any
    /// warehouse, the same figure when one holds stock), else the unit
    /// cost of the SKU's latest receipt. The pools' values are added by
    /// [`ordered_sum`], so the figure does not depend on arrival order.
    fn first_cost(&self, state: &State, id: u32) -> Decimal {
        let mut qty = 0_i64;
        let mut values: Vec<Decimal> = Vec::new();
        for (slot, p) in state.pools.iter().enumerate() {
            let disp = self.pools.get(slot).map_or(Disposition::Sellable, |k| k.1);
            if p.qty > 0 && self.method_of(disp) == Method::MovingAverage {
                let Some(total) = qty.checked_add(p.qty) else { return state.last_cost };
                qty = total;
                values.push(p.value);
            }
        }
        if qty == 0 {
            return state.last_cost;
        }
        ordered_sum(&mut values, id)
            .and_then(|value| share(value, 1, qty, id))
            .unwrap_or(state.last_cost)
    }

    fn apply_adjustment(
        &mut self,
        e: &Entry,
        state: &mut State,
        ctx: Ctx,
    ) -> Result<Decimal, Fail> {
        if e.qty < 0 {
            let out = Entry { qty: e.qty.checked_neg().ok_or(overflow(e.id, "adjustment"))?, ..*e };
            return self.move_out(&out, state, ctx, (e.loc, e.disp), (Flow::WriteOff, NONE), None);
        }
        let cost = if e.aux == NONE {
            self.known_cost(state, ctx, (e.loc, e.disp), e.id)?
        } else {
            self.amount(e)
        };
        let value = mul(cost, e.qty, e.id)?;
        let layer = Layer { origin: e.id, at: e.at, qty: e.qty, value, source: NONE };
        self.move_in(e, state, ctx, (e.loc, e.disp), &[layer])?;
        Ok(value)
    }

    fn apply_vendor_return(
        &mut self,
        pos: usize,
        e: &Entry,
        state: &mut State,
        ctx: Ctx,
    ) -> Result<Decimal, Fail> {
        let key = self.key_slot(e.loc, e.disp);
        let pool = self.pool_slot(ctx, e.loc, e.disp);
        grow(state, key, pool);
        // Short (of units at the position, or of the named receipt's)
        // because no receipt of that id came before (not yet arrived, a
        // typo, another SKU's): an unknown reference, as for a landed
        // cost, so a caller can tell it from units that are gone. Looked
        // up only on failure, so a replay does not scan for every return.
        let unknown = |book: &Self| {
            (e.refx != NONE && book.find_before(pos, e.refx, Kind::Receipt).is_none())
                .then_some(Fail::UnknownRef { id: e.id, reference: e.refx, expected: "receipt" })
        };
        if let Err(fail) = self.check(e, state, key, e.loc, e.disp, ctx) {
            return Err(unknown(self).unwrap_or(fail));
        }
        let method = self.method_of(e.disp);
        let p = &mut state.pools[pool];
        let value = if e.refx != NONE {
            match take_origin(p, method, e.refx, e.qty, e.id, e.loc, e.disp) {
                Err(fail @ Fail::OriginShort { .. }) => return Err(unknown(self).unwrap_or(fail)),
                taken => taken?,
            }
        } else if p.qty >= e.qty && method != Method::MovingAverage {
            let average =
                if p.qty == e.qty { p.value } else { share(p.value, e.qty, p.qty, e.id)? };
            consume(p, method, e.qty, e.id, NONE, None)?;
            p.qty = p.qty.checked_sub(e.qty).ok_or(overflow(e.id, "units"))?;
            p.value = sub(p.value, average, e.id)?;
            revalue_layers(p, e.id)?;
            average
        } else {
            return self.move_out(e, state, ctx, (e.loc, e.disp), (Flow::VendorReturn, NONE), None);
        };
        state.qty[key] -= e.qty;
        Ok(value)
    }

    fn apply_landed(&mut self, pos: usize, e: &Entry, state: &mut State) -> Result<Decimal, Fail> {
        let spec = self.landed.get(e.aux as usize).cloned().ok_or(overflow(e.id, "landed"))?;
        let mut receipts = Vec::with_capacity(spec.targets.len());
        let mut weights = Vec::with_capacity(spec.targets.len());
        for &(target, measure) in &spec.targets {
            let receipt = self.find_before(pos, target, Kind::Receipt).ok_or(Fail::UnknownRef {
                id: e.id,
                reference: target,
                expected: "receipt",
            })?;
            weights.push(match spec.basis {
                crate::event::LandedBasis::Quantity => Decimal::from(receipt.qty),
                crate::event::LandedBasis::Value => receipt.value(),
                _ => measure,
            });
            receipts.push(receipt);
        }
        let total = weights.iter().try_fold(Decimal::ZERO, |a, w| a.checked_add(*w));
        let total = total.ok_or(overflow(e.id, "landed weights"))?;
        if total.is_zero() {
            return Err(Fail::Weights { id: e.id, reason: "weights sum to zero" });
        }
        // Shares rounded to SHARE_SCALE places; the last non-zero weight
        // takes the remainder so the shares add up to the amount exactly.
        let last = weights.iter().rposition(|w| !w.is_zero()).unwrap_or(0);
        let mut left = spec.amount;
        let mut shares = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let part = if i == last {
                left
            } else {
                weighted_share(spec.amount, *w, total).ok_or(overflow(e.id, "landed share"))?
            };
            left = sub(left, part, e.id)?;
            shares.push(part);
        }
        for (receipt, part) in receipts.iter().zip(shares) {
            self.spread_landed(e, receipt, part, state)?;
        }
        Ok(spec.amount)
    }

    /// Adds `part` to the units of `receipt` still held, the rest to COGS.
    fn spread_landed(
        &mut self,
        e: &Entry,
        receipt: &Entry,
        part: Decimal,
        state: &mut State,
    ) -> Result<(), Fail> {
        // The parts held, one a pool, added by `ordered_sum`: the part on
        // units gone does not depend on arrival order.
        let mut gains: Vec<Decimal> = Vec::new();
        for (slot, pool) in state.pools.iter_mut().enumerate() {
            let mut gained = Decimal::ZERO;
            let disp = self.pools.get(slot).map_or(Disposition::Sellable, |k| k.1);
            let layered = self.method_of(disp) != Method::MovingAverage;
            for layer in pool.layers.iter_mut().filter(|l| l.origin == receipt.id) {
                let portion = share(part, layer.qty, receipt.qty, e.id)?;
                if layered {
                    layer.value = add(layer.value, portion, e.id)?;
                }
                gained = add(gained, portion, e.id)?;
            }
            if gained.is_zero() {
                continue;
            }
            pool.value = add(pool.value, gained, e.id)?;
            gains.push(gained);
            self.extras.push(Extra {
                entry: NONE,
                kind: ExtraKind::LandedHeld,
                flow: Flow::Cogs,
                pool: u32::try_from(slot).unwrap_or(NONE),
                loc: receipt.loc,
                channel: NONE,
                origin: receipt.id,
                qty: 0,
                amount: gained,
            });
        }
        let held = ordered_sum(&mut gains, e.id)?;
        let gone = sub(part, held, e.id)?;
        if !gone.is_zero() {
            self.extras.push(Extra {
                entry: NONE,
                kind: ExtraKind::LandedGone,
                flow: Flow::Cogs,
                pool: NONE,
                loc: receipt.loc,
                channel: NONE,
                origin: receipt.id,
                qty: 0,
                amount: gone,
            });
        }
        Ok(())
    }

    /// The latest shipment before `pos` named `id` (its position and
    /// entry), with the units and the value that the returns between it
    /// and `pos` naming it brought back.
    fn shipment_before(&self, pos: usize, id: u32) -> Option<(usize, Entry, i64, Decimal)> {
        let mut returned = 0_i64;
        let mut value = Decimal::ZERO;
        for p in (0..pos).rev() {
            let x = self.entries.get(p)?;
            if x.id == id && x.kind == Kind::Shipment {
                return Some((p, *x, returned, value));
            }
            if x.kind == Kind::Return && x.refx == id {
                returned = returned.saturating_add(x.qty);
                value = value.saturating_add(x.value());
            }
        }
        None
    }

    /// The latest entry before `pos` with name `id` and kind `kind`.
    fn find_before(&self, pos: usize, id: u32, kind: Kind) -> Option<Entry> {
        (0..pos)
            .rev()
            .filter_map(|p| self.entries.get(p))
            .find(|x| x.id == id && x.kind == kind)
            .copied()
    }

    /// Under the reject policy, fails unless `key` holds `e.qty` units.
    fn check(
        &self,
        e: &Entry,
        state: &State,
        key: usize,
        loc: u32,
        disp: Disposition,
        ctx: Ctx,
    ) -> Result<(), Fail> {
        let available = state.qty[key];
        if ctx.negative == NegativeStock::Reject && available < e.qty {
            return Err(Fail::Insufficient { id: e.id, loc, disp, available, requested: e.qty });
        }
        Ok(())
    }

    /// Takes `e.qty` units out of `(loc, disp)`, a shortfall recognised
    /// in `flow` (through `channel`); returns the value and pushes the
    /// pieces (layers) that left to `pieces` when given.
    fn move_out(
        &mut self,
        e: &Entry,
        state: &mut State,
        ctx: Ctx,
        (loc, disp): (u32, Disposition),
        (flow, channel): (Flow, u32),
        mut pieces: Option<&mut Vec<Layer>>,
    ) -> Result<Decimal, Fail> {
        let key = self.key_slot(loc, disp);
        let pool = self.pool_slot(ctx, loc, disp);
        grow(state, key, pool);
        self.check(e, state, key, loc, disp, ctx)?;
        let method = self.method_of(disp);
        let average = method == Method::MovingAverage;
        let held = state.pools[pool].qty.clamp(0, e.qty);
        let short = e.qty - held;
        // Units short leave at the last known cost, worked out (only when
        // some are) before any unit leaves.
        let cost =
            if short > 0 { self.last_known_cost(state, pool, disp, e.id)? } else { Decimal::ZERO };
        let p = &mut state.pools[pool];
        if average {
            p.note_running_out(e.qty, e.id)?;
        }
        // An arrival takes the units its own source sent first.
        let prefer = if e.kind == Kind::TransferIn { e.aux } else { NONE };
        let mut value = if held == 0 {
            Decimal::ZERO
        } else if average {
            let v = if held == p.qty { p.value } else { share(p.value, held, p.qty, e.id)? };
            take_units_from(p, held, prefer, pieces.as_deref_mut());
            v
        } else {
            consume(p, method, held, e.id, prefer, pieces.as_deref_mut())?
        };
        if short > 0 {
            let priced = mul(cost, short, e.id)?;
            p.deficits.push(Deficit {
                origin: e.id,
                loc,
                channel,
                flow,
                qty: short,
                value: priced,
            });
            if let Some(pieces) = pieces {
                pieces.push(Layer {
                    origin: e.id,
                    at: e.at,
                    qty: short,
                    value: priced,
                    source: NONE,
                });
            }
            value = add(value, priced, e.id)?;
        }
        // Under the allow policy a position can go negative without bound:
        // a count past i64 is refused, not wrapped.
        p.qty = p.qty.checked_sub(e.qty).ok_or(overflow(e.id, "units"))?;
        p.value = sub(p.value, value, e.id)?;
        state.qty[key] = state.qty[key].checked_sub(e.qty).ok_or(overflow(e.id, "units"))?;
        Ok(value)
    }

    /// Moves `e.qty` units with their cost from one position to another.
    fn move_between(
        &mut self,
        e: &Entry,
        state: &mut State,
        ctx: Ctx,
        from: (u32, Disposition),
        to: (u32, Disposition),
    ) -> Result<Decimal, Fail> {
        let mut pieces = Vec::new();
        let value =
            self.move_out(e, state, ctx, from, (Flow::Variance, NONE), Some(&mut pieces))?;
        if self.method_of(from.1) == Method::MovingAverage {
            // Pieces carry units only: spread the moved value over them by
            // units, the last taking the remainder.
            let mut left = value;
            let count = pieces.len();
            for (i, piece) in pieces.iter_mut().enumerate() {
                piece.value =
                    if i + 1 == count { left } else { share(value, piece.qty, e.qty, e.id)? };
                left = sub(left, piece.value, e.id)?;
            }
        }
        if self.method == Method::Lifo {
            pieces.reverse();
        }
        // Units in transit remember who sent them; elsewhere no one.
        let source = if e.kind == Kind::TransferOut { e.loc } else { NONE };
        for piece in &mut pieces {
            piece.source = source;
        }
        self.move_in(e, state, ctx, to, &pieces)?;
        Ok(value)
    }

    /// Puts `pieces` into `(loc, disp)`, filling any deficit first.
    fn move_in(
        &mut self,
        e: &Entry,
        state: &mut State,
        ctx: Ctx,
        (loc, disp): (u32, Disposition),
        pieces: &[Layer],
    ) -> Result<(), Fail> {
        let key = self.key_slot(loc, disp);
        let pool = self.pool_slot(ctx, loc, disp);
        grow(state, key, pool);
        let average = self.method_of(disp) == Method::MovingAverage;
        let p = &mut state.pools[pool];
        if average {
            p.note_arrival(pieces, e.id)?;
        }
        for piece in pieces {
            let mut piece = *piece;
            while piece.qty > 0 && !p.deficits.is_empty() {
                let d = &mut p.deficits[0];
                let t = piece.qty.min(d.qty);
                let actual = if t == piece.qty {
                    piece.value
                } else {
                    share(piece.value, t, piece.qty, e.id)?
                };
                let priced = if t == d.qty { d.value } else { share(d.value, t, d.qty, e.id)? };
                let true_up = sub(actual, priced, e.id)?;
                self.extras.push(Extra {
                    entry: NONE,
                    kind: ExtraKind::TrueUp,
                    flow: d.flow,
                    pool: u32::try_from(pool).unwrap_or(NONE),
                    loc: d.loc,
                    channel: d.channel,
                    origin: d.origin,
                    qty: t,
                    amount: true_up,
                });
                d.qty -= t;
                d.value = sub(d.value, priced, e.id)?;
                if d.qty == 0 {
                    p.deficits.remove(0);
                }
                piece.qty -= t;
                piece.value = sub(piece.value, actual, e.id)?;
                p.qty += t;
                p.value = add(p.value, priced, e.id)?;
            }
            if piece.qty > 0 {
                p.qty = p.qty.checked_add(piece.qty).ok_or(overflow(e.id, "units"))?;
                p.value = add(p.value, piece.value, e.id)?;
                if average {
                    piece.value = Decimal::ZERO;
                }
                place_layer(&mut p.layers, piece);
            }
        }
        state.qty[key] = state.qty[key].checked_add(e.qty).ok_or(overflow(e.id, "units"))?;
        Ok(())
    }

    // ---- reading ----------------------------------------------------------

    /// The full state (cost layers included) after the entries stamped at
    /// or before `at`: the live state when that is every entry, else the
    /// last full checkpoint before them with the entries since replayed
    /// on a scratch copy of what [`Book::apply`] reads (the book itself
    /// is not changed). Replaying committed entries from a checkpoint
    /// gives their values again, as [`Book::rebuild_live`] relies on.
    pub(crate) fn state_at(&self, at: i64, ctx: Ctx) -> State {
        let end = self.entries.partition_point(|e| e.at <= at);
        if end == self.entries.len() {
            return self.live.clone();
        }
        let kept = self.full.partition_point(|f| f.at <= end);
        let (from, mut state) = kept
            .checked_sub(1)
            .and_then(|k| self.full.get(k))
            .map_or((0, State::default()), |f| (f.at, f.state.clone()));
        let mut scratch = Self {
            method: self.method,
            entries: self.entries.prefix(end),
            amounts: self.amounts.clone(),
            landed: self.landed.clone(),
            extras: self.extras.get(..self.extras_start(from)).unwrap_or(&[]).to_vec(),
            keys: self.keys.clone(),
            pools: self.pools.clone(),
            ..Self::default()
        };
        scratch.replay(from..end, &mut state, ctx);
        state
    }

    /// Units per position slot and value per pool slot after the entries
    /// stamped at or before `at`.
    pub(crate) fn as_of(&self, at: i64, pooling: Pooling) -> Light {
        let (k, end) = self.block(at);
        let mut light = self.light.light(k, self.keys.len(), self.pools.len());
        for pos in k * LIGHT..end {
            self.effects(
                pos,
                pooling,
                |slot, dq| light.qty[slot] += dq,
                |slot, dv| {
                    light.value[slot] = light.value[slot].saturating_add(dv);
                },
            );
        }
        light
    }

    /// `(k, end)`: the last light checkpoint `k` at or before `at` and the
    /// number of entries stamped at or before `at`, found by a binary
    /// search over the checkpoints and a scan of at most [`LIGHT`]
    /// entries (the checkpoints are small and dense; the entries are not).
    pub(crate) fn block(&self, at: i64) -> (usize, usize) {
        let k = self.light.find(at);
        let start = (k * LIGHT).min(self.entries.len());
        let mut end = start;
        loop {
            let run = self.entries.run_from(end);
            let taken = run.iter().take_while(|e| e.at <= at).count();
            end += taken;
            if taken < run.len() || run.is_empty() {
                return (k, end);
            }
        }
    }

    /// Adds to `(units, value)` what the entries in `range` changed at
    /// position `key` and in pool `pool` (its slot and key): the same sums
    /// as [`Book::effects`] restricted to those slots, without looking
    /// slots up entry by entry.
    pub(crate) fn scan_slots(
        &self,
        range: std::ops::Range<usize>,
        pooling: Pooling,
        key: Option<(u32, Disposition)>,
        pool: Option<(usize, (u32, Disposition))>,
        (mut units, value): (i64, Decimal),
    ) -> (i64, Decimal) {
        let mut value = Running::new(value);
        // Extras (landed costs, true-ups) are rare: look them up entry by
        // entry only when the range has some.
        let extras = self.extras_start(range.start) != self.extras_start(range.end);
        let mut runs = range.start;
        let mut positions = range.clone();
        while runs < range.end {
            let run = self.entries.run_from(runs);
            let run = run.get(..run.len().min(range.end - runs)).unwrap_or_default();
            if run.is_empty() {
                break;
            }
            runs += run.len();
            for (pos, e) in positions.by_ref().zip(run) {
                for (loc, disp, sign) in sides(e).into_iter().flatten() {
                    if key == Some((loc, disp)) {
                        units += sign * e.qty.abs();
                    }
                    if pool.is_some_and(|(_, k)| k == pool_key(pooling, loc, disp)) {
                        let (m, scale) = e.value_parts(sign < 0);
                        if !value.add_mantissa(m, scale) {
                            add_value(&mut value, e, sign < 0);
                        }
                    }
                }
                let Some((slot, _)) = pool.filter(|_| extras) else { continue };
                for x in self.extras_of(pos).iter().filter(|x| x.pool as usize == slot) {
                    match x.kind {
                        ExtraKind::LandedHeld => value.add(x.amount),
                        ExtraKind::TrueUp => value.add(-x.amount),
                        ExtraKind::LandedGone => {}
                    }
                }
            }
        }
        (units, value.get())
    }

    /// Calls `units(slot, delta)` and `value(pool, delta)` for what the
    /// entry at `pos` changed.
    pub(crate) fn effects(
        &self,
        pos: usize,
        pooling: Pooling,
        mut units: impl FnMut(usize, i64),
        mut value: impl FnMut(usize, Decimal),
    ) {
        let Some(e) = self.entries.get(pos) else { return };
        let key = |loc: u32, disp: Disposition| self.keys.iter().position(|&k| k == (loc, disp));
        let pool = |loc: u32, disp: Disposition| self.find_pool(pooling, loc, disp);
        let mut step = |loc: u32, disp: Disposition, sign: i64| {
            if let Some(k) = key(loc, disp) {
                units(k, sign * e.qty.abs());
            }
            if let Some(p) = pool(loc, disp) {
                let v = e.value();
                value(p, if sign < 0 { -v } else { v });
            }
        };
        match e.kind {
            Kind::Receipt => step(e.loc, e.disp, 1),
            Kind::Shipment => step(e.loc, Disposition::Sellable, -1),
            Kind::Return => step(e.loc, e.disp2, 1),
            Kind::Adjustment => step(e.loc, e.disp, e.qty.signum()),
            Kind::TransferOut => {
                step(e.loc, e.disp, -1);
                step(e.aux, Disposition::InTransit, 1);
            }
            Kind::TransferIn => {
                step(e.loc, Disposition::InTransit, -1);
                step(e.loc, e.disp, 1);
            }
            Kind::DispositionChange => {
                step(e.loc, e.disp, -1);
                step(e.loc, e.disp2, 1);
            }
            Kind::VendorReturn => step(e.loc, e.disp, -1),
            Kind::Shortfall => step(e.loc, Disposition::InTransit, -1),
            Kind::Landed | Kind::Reimbursement => {}
        }
        for x in self.extras_of(pos) {
            match x.kind {
                ExtraKind::LandedHeld => value(x.pool as usize, x.amount),
                ExtraKind::TrueUp => value(x.pool as usize, -x.amount),
                ExtraKind::LandedGone => {}
            }
        }
    }
}

/// The part of the landed cost at `pos` recognised on units already gone,
/// from `extras` (sorted by entry).
fn gone(extras: &[Extra], pos: usize) -> Decimal {
    let start = extras.partition_point(|x| (x.entry as usize) < pos);
    extras
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|x| x.entry as usize == pos)
        .filter(|x| x.kind == ExtraKind::LandedGone)
        .fold(Decimal::ZERO, |a, x| a.saturating_add(x.amount))
}

/// The positions an entry moves units at: `(location, disposition, sign)`
/// for each side, out (-1) or in (+1), as [`Book::effects`] books them.
#[inline]
fn sides(e: &Entry) -> [Option<(u32, Disposition, i64)>; 2] {
    let one = |loc, disp, sign| [Some((loc, disp, sign)), None];
    match e.kind {
        Kind::Receipt => one(e.loc, e.disp, 1),
        Kind::Shipment => one(e.loc, Disposition::Sellable, -1),
        Kind::Return => one(e.loc, e.disp2, 1),
        Kind::Adjustment => one(e.loc, e.disp, e.qty.signum()),
        Kind::TransferOut => [Some((e.loc, e.disp, -1)), Some((e.aux, Disposition::InTransit, 1))],
        Kind::TransferIn => [Some((e.loc, Disposition::InTransit, -1)), Some((e.loc, e.disp, 1))],
        Kind::DispositionChange => [Some((e.loc, e.disp, -1)), Some((e.loc, e.disp2, 1))],
        Kind::VendorReturn => one(e.loc, e.disp, -1),
        Kind::Shortfall => one(e.loc, Disposition::InTransit, -1),
        Kind::Landed | Kind::Reimbursement => [None, None],
    }
}

/// Adds an entry's value (negated when `negate`) to a running sum the slow
/// way: the rare terms outside [`Running::add_mantissa`]'s integer path.
#[cold]
#[inline(never)]
fn add_value(value: &mut Running, e: &Entry, negate: bool) {
    let v = e.value();
    value.add(if negate { -v } else { v });
}

/// The layer a method takes next: the first (FIFO, moving average) or
/// last (LIFO) of those sent from `prefer` if any, else of all.
#[inline]
fn next_layer(p: &Pool, method: Method, prefer: u32) -> Option<usize> {
    let lifo = method == Method::Lifo;
    if prefer != NONE {
        let mine = |l: &Layer| l.source == prefer;
        let found =
            if lifo { p.layers.iter().rposition(mine) } else { p.layers.iter().position(mine) };
        if found.is_some() {
            return found;
        }
    }
    match p.layers.len() {
        0 => None,
        n if lifo => Some(n - 1),
        _ => Some(0),
    }
}

/// Takes `qty` units (all held) from the layers in method order (those
/// sent from `prefer` first), pushing the pieces taken; returns their
/// value. Does not touch `p.qty`/`p.value`.
fn consume(
    p: &mut Pool,
    method: Method,
    mut qty: i64,
    id: u32,
    prefer: u32,
    mut pieces: Option<&mut Vec<Layer>>,
) -> Result<Decimal, Fail> {
    // The first piece's value is the total so far as it is (adding a
    // non-zero value to a plain zero gives it back unchanged).
    let mut value: Option<Decimal> = None;
    while qty > 0 {
        let Some(i) = next_layer(p, method, prefer) else { break };
        let Some(layer) = p.layers.get_mut(i) else { break };
        let piece = if layer.qty <= qty {
            qty -= layer.qty;
            let whole = *layer;
            if let Some(pieces) = pieces.as_deref_mut() {
                pieces.push(whole);
            }
            if i == 0 {
                p.layers.pop_front();
            } else if i + 1 == p.layers.len() {
                p.layers.pop_back();
            } else {
                p.layers.remove(i);
            }
            whole.value
        } else {
            let part = share(layer.value, qty, layer.qty, id)?;
            layer.qty -= qty;
            layer.value = sub(layer.value, part, id)?;
            if let Some(pieces) = pieces.as_deref_mut() {
                pieces.push(Layer { qty, value: part, ..*layer });
            }
            qty = 0;
            part
        };
        value = Some(match value {
            None if !piece.is_zero() => piece,
            v => add(v.unwrap_or(Decimal::ZERO), piece, id)?,
        });
    }
    Ok(value.unwrap_or(Decimal::ZERO))
}

/// Sets the values of a FIFO or LIFO pool's layers to add up to the
/// pool's value again, after units left at the pool's average rather than
/// at their own layers' cost (a vendor return at the current average).
///
/// Each layer keeps its share of the layers' value, so none changes sign
/// and a cheap layer stays cheaper than a dear one; when the layers hold
/// no value (or some hold less than none) the shares go by units instead.
/// The layer of the largest share takes the rounding remainder, so the
/// layers add up to the pool's value exactly. (Moving the whole
/// difference onto the next layer instead could leave that layer, and the
/// sales that later take it, at a negative cost.)
fn revalue_layers(p: &mut Pool, id: u32) -> Result<(), Fail> {
    let mut held = Decimal::ZERO;
    let mut units = Decimal::ZERO;
    let mut signed = false;
    for layer in &p.layers {
        held = add(held, layer.value, id)?;
        units = add(units, Decimal::from(layer.qty), id)?;
        signed |= layer.value < Decimal::ZERO;
    }
    if held == p.value {
        return Ok(());
    }
    let by_value = !signed && !held.is_zero();
    let (total, weight): (Decimal, fn(&Layer) -> Decimal) =
        if by_value { (held, |l| l.value) } else { (units, |l| Decimal::from(l.qty)) };
    if total.is_zero() {
        return Ok(());
    }
    let anchor = p.layers.iter().enumerate().max_by_key(|(_, l)| weight(l)).map_or(0, |(i, _)| i);
    let mut left = p.value;
    for (i, layer) in p.layers.iter_mut().enumerate() {
        if i != anchor {
            let part = weighted_share(p.value, weight(layer), total)
                .ok_or(overflow(id, "layer revaluation"))?;
            left = sub(left, part, id)?;
            layer.value = part;
        }
    }
    if let Some(layer) = p.layers.get_mut(anchor) {
        layer.value = left;
    }
    Ok(())
}

/// Takes the value of a layer shipment of `e` that [`draw`] (or
/// [`take_layer_general`]) drew, `(output, layer left, pool left)`, out
/// of `layer` and the pool's `value`; a layer taken whole is left to the
/// caller to remove.
#[inline(always)]
fn take_layer(
    layer: &mut Layer,
    value: &mut Decimal,
    e: &mut Entry,
    (output, left, rest): (Output, Decimal, Decimal),
) {
    if layer.qty != e.qty {
        layer.qty -= e.qty;
        layer.value = left;
    }
    *value = rest;
    e.set_output(output);
}

/// [`take_layer`] where [`draw`] declined (values at other scales,
/// shares that do not divide exactly): the value by `share` and `sub`, as
/// [`consume`] takes it. `None`, with nothing changed, for a zero share
/// (which sums differently there) and on overflow.
#[cold]
#[inline(never)]
fn take_layer_general(layer: &mut Layer, value: &mut Decimal, e: &mut Entry) -> Option<()> {
    let whole = layer.qty == e.qty;
    let part = if whole { layer.value } else { share(layer.value, e.qty, layer.qty, e.id).ok()? };
    if part.is_zero() {
        return None;
    }
    let left = if whole { Decimal::ZERO } else { sub(layer.value, part, e.id).ok()? };
    let rest = sub(*value, part, e.id).ok()?;
    take_layer(layer, value, e, (Output::of(part), left, rest));
    Some(())
}

/// Commits a moving-average shipment of `e` whose value [`average_draw`]
/// (or [`take_average_general`]) drew: `(output, pool left)`.
#[inline(always)]
fn take_average(held: &mut i64, p: &mut Pool, e: &mut Entry, (output, rest): (Output, Decimal)) {
    // The oldest layer covers the units (nine shipments in ten) or is
    // exactly them (most of the tenth): taken in place, without the
    // general loop's call.
    match p.layers.front_mut() {
        Some(layer) if layer.qty > e.qty => layer.qty -= e.qty,
        Some(layer) if layer.qty == e.qty => {
            p.layers.pop_front();
        }
        _ => take_units(p, e.qty, None),
    }
    p.value = rest;
    p.qty -= e.qty;
    *held -= e.qty;
    e.set_output(output);
}

/// [`take_average`] where [`average_draw`] declined (a pool at another
/// scale, an exact quotient, the whole pool).
#[cold]
#[inline(never)]
fn take_average_general(held: &mut i64, p: &mut Pool, e: &mut Entry) -> Option<()> {
    let value = if e.qty == p.qty { p.value } else { share(p.value, e.qty, p.qty, e.id).ok()? };
    let rest = sub(p.value, value, e.id).ok()?;
    p.note_running_out(e.qty, e.id).ok()?;
    take_average(held, p, e, (Output::of(value), rest));
    Some(())
}

/// Takes `qty` units (all held) from the oldest layers of a moving-average
/// pool, whose layers carry units and arrival dates only (their value is
/// the pool's), pushing the pieces taken at zero value.
fn take_units(p: &mut Pool, mut qty: i64, mut pieces: Option<&mut Vec<Layer>>) {
    while qty > 0 {
        let Some(layer) = p.layers.front_mut() else { break };
        let t = layer.qty.min(qty);
        if let Some(pieces) = pieces.as_deref_mut() {
            pieces.push(Layer { qty: t, value: Decimal::ZERO, ..*layer });
        }
        qty -= t;
        layer.qty -= t;
        if layer.qty == 0 {
            p.layers.pop_front();
        }
    }
}

/// [`take_units`], the oldest layers sent from `prefer` first (an
/// arrival's own source's units).
fn take_units_from(p: &mut Pool, mut qty: i64, prefer: u32, mut pieces: Option<&mut Vec<Layer>>) {
    while qty > 0 && prefer != NONE {
        let Some(i) = p.layers.iter().position(|l| l.source == prefer) else { break };
        let Some(layer) = p.layers.get_mut(i) else { break };
        let t = layer.qty.min(qty);
        if let Some(pieces) = pieces.as_deref_mut() {
            pieces.push(Layer { qty: t, value: Decimal::ZERO, ..*layer });
        }
        qty -= t;
        layer.qty -= t;
        if layer.qty == 0 {
            p.layers.remove(i);
        }
    }
    take_units(p, qty, pieces);
}

/// Takes `qty` units from the layers of receipt `origin`, at their value.
fn take_origin(
    p: &mut Pool,
    method: Method,
    origin: u32,
    qty: i64,
    id: u32,
    loc: u32,
    disp: Disposition,
) -> Result<Decimal, Fail> {
    let held: i64 = p.layers.iter().filter(|l| l.origin == origin).map(|l| l.qty).sum();
    if held < qty {
        return Err(Fail::OriginShort { id, origin, loc, disp, held, requested: qty });
    }
    let mut left = qty;
    let mut taken = Decimal::ZERO;
    let mut value_taken = Decimal::ZERO;
    for layer in p.layers.iter_mut().filter(|l| l.origin == origin) {
        let t = layer.qty.min(left);
        let part = if method == Method::MovingAverage {
            Decimal::ZERO
        } else if t == layer.qty {
            layer.value
        } else {
            share(layer.value, t, layer.qty, id)?
        };
        layer.qty -= t;
        layer.value = sub(layer.value, part, id)?;
        value_taken = add(value_taken, part, id)?;
        left -= t;
        if left == 0 {
            break;
        }
    }
    p.layers.retain(|l| l.qty > 0);
    if method == Method::MovingAverage {
        p.note_running_out(qty, id)?;
        taken = if p.qty == qty { p.value } else { share(p.value, qty, p.qty, id)? };
    } else {
        taken = add(taken, value_taken, id)?;
    }
    p.qty -= qty;
    p.value = sub(p.value, taken, id)?;
    Ok(taken)
}

/// The key of the pool that holds position `(loc, disp)`: per SKU and
/// location, or per SKU across locations (`NONE` for the location).
#[inline(always)]
fn pool_key(pooling: Pooling, loc: u32, disp: Disposition) -> (u32, Disposition) {
    (if pooling == Pooling::PerSku { NONE } else { loc }, disp)
}

/// The slot of `key` among `slots`, if there.
#[inline(always)]
fn find_slot(slots: &[(u32, Disposition)], key: (u32, Disposition)) -> Option<usize> {
    // Most books have one position and one pool: that slot is compared
    // before (and without) setting up the scan.
    if slots.first() == Some(&key) {
        return Some(0);
    }
    slots.iter().position(|&k| k == key)
}

fn slot(slots: &mut Vec<(u32, Disposition)>, key: (u32, Disposition)) -> usize {
    if let Some(i) = find_slot(slots, key) {
        return i;
    }
    crate::names::reserve_more(slots, 1);
    slots.push(key);
    slots.len() - 1
}

/// [`Book::checkpoint_with`] on the book's parts, so that the live state
/// is read where it is (not moved out of the book and back).
fn record(light: &mut Lights, full: &mut Vec<Full>, entries: &Entries, pos: usize, state: &State) {
    let done = pos + 1;
    if done.is_multiple_of(LIGHT) && light.len() == done / LIGHT {
        let at = entries.get(pos).map_or(i64::MIN, |e| e.at);
        light.push(at, state);
    }
    // The opening checkpoint holds no items: the next is due after
    // FULL_MIN entries.
    if done >= full.last().map_or(FULL_MIN, |f| f.next) {
        full.push(Full::new(done, state.clone()));
    }
}

/// Makes room in `state` for position slot `key` and pool slot `pool`,
/// exactly: most SKUs have one of each, and a full checkpoint clones the
/// state anyway.
fn grow(state: &mut State, key: usize, pool: usize) {
    if state.qty.len() <= key {
        state.qty.reserve_exact(key + 1 - state.qty.len());
        state.qty.resize(key + 1, 0);
    }
    if state.pools.len() <= pool {
        state.pools.reserve_exact(pool + 1 - state.pools.len());
        state.pools.resize_with(pool + 1, Pool::default);
    }
}

/// Puts `layer` among a pool's layers in order of arrival date (after
/// those of the same date), so that FIFO and LIFO take purchases in the
/// order they were bought however the units moved since: a transferred
/// layer keeps its receipt's date and its place. A new arrival (a
/// receipt, a return, found units) is the newest and is appended.
#[inline]
fn place_layer(layers: &mut VecDeque<Layer>, layer: Layer) {
    let at = layers.iter().rposition(|l| l.at <= layer.at).map_or(0, |i| i + 1);
    if at == layers.len() {
        push_layer(layers, layer);
    } else {
        if layers.len() == layers.capacity() {
            layers.reserve_exact(crate::names::growth(layers.capacity(), 1));
        }
        layers.insert(at, layer);
    }
}

/// Appends `layer` to a pool's layers, growing them as [`reserve_more`]
/// grows the small arrays (a `VecDeque`'s own first step is four layers,
/// 160 bytes, where most pools hold one or two).
///
/// [`reserve_more`]: crate::names::reserve_more
#[inline]
fn push_layer(layers: &mut VecDeque<Layer>, layer: Layer) {
    if layers.len() == layers.capacity() {
        layers.reserve_exact(crate::names::growth(layers.capacity(), 1));
    }
    layers.push_back(layer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parts_are_the_mantissa_and_scale_of_the_value_or_its_negation() {
        let values = [
            Decimal::new(237, 2),
            Decimal::new(-1, 28),
            Decimal::from_i128_with_scale((1_i128 << 96) - 1, 0),
            Decimal::from_i128_with_scale(-((1_i128 << 96) - 1), 7),
            Decimal::new(5, 16),
        ];
        for v in values {
            let mut e = Entry::new(0, 0, 0);
            e.set_value(v);
            assert_eq!(e.value_parts(false), (v.mantissa(), v.scale()), "{v}");
            assert_eq!(e.value_parts(true), ((-v).mantissa(), (-v).scale()), "-{v}");
        }
    }

    /// A stream of receipts and shipments at two locations: unit costs
    /// at several scales (zero and thirds of a cent among them),
    /// shipments that span layers, empty a position or run it short.
    fn stream(n: usize, seed: u64) -> (Vec<Entry>, Vec<Decimal>) {
        let mut x = seed;
        let mut next = move |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % m
        };
        let (mut entries, mut amounts) = (Vec::new(), Vec::new());
        for i in 0..n {
            let mut e =
                Entry::new(i64::try_from(i / 2).unwrap_or(0), u32::try_from(i).unwrap_or(0), 0);
            e.loc = u32::try_from(next(2)).unwrap_or(0);
            e.qty = i64::try_from(1 + next(7)).unwrap_or(1);
            if next(4) == 0 {
                e.kind = Kind::Receipt;
                let cost = match next(4) {
                    0 => Decimal::ZERO,
                    1 => Decimal::new(i64::try_from(next(10_000)).unwrap_or(0), 2),
                    2 => Decimal::new(i64::try_from(next(100_000)).unwrap_or(0), 3),
                    _ => Decimal::ONE / Decimal::from(3),
                };
                amounts.push(cost);
                e.aux = u32::try_from(amounts.len() - 1).unwrap_or(NONE);
            } else {
                e.kind = Kind::Shipment;
                e.aux = 0;
            }
            entries.push(e);
        }
        (entries, amounts)
    }

    #[test]
    fn appending_gives_bit_for_bit_what_a_replay_gives() {
        let methods = [Method::Fifo, Method::Lifo, Method::MovingAverage];
        let poolings = [Pooling::PerLocation, Pooling::PerSku];
        for (seed, (method, pooling)) in
            methods.into_iter().flat_map(|m| poolings.map(|p| (m, p))).enumerate()
        {
            let (entries, amounts) = stream(3_000, seed as u64);
            let ctx = Ctx { pooling, negative: NegativeStock::AllowWithTrueUp };
            let mut appended = Book::new(method);
            appended.amounts.clone_from(&amounts);
            for e in &entries {
                appended.push(*e, ctx).unwrap();
            }
            let mut replayed = Book::new(method);
            replayed.amounts = amounts;
            replayed.insert_and_replay(entries, ctx, 0, 0).unwrap();
            assert_eq!(appended.entries, replayed.entries, "{method:?} {pooling:?}");
            assert_eq!(appended.extras, replayed.extras, "{method:?} {pooling:?}");
            assert_eq!(appended.live, replayed.live, "{method:?} {pooling:?}");
            // The same full checkpoints, none for the empty opening state.
            assert_eq!(appended.full, replayed.full, "{method:?} {pooling:?}");
            assert!(appended.full.first().is_some_and(|f| f.at == FULL_MIN));
        }
    }
}
