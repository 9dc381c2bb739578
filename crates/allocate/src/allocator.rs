//! The allocator: stock, reservations and advertised quantities for every
//! SKU on one network.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use chrono::{DateTime, NaiveDate, Utc};
use merchantry_core::{Disposition, OrderId, Quantity, Ratio, Sku, StockView};

use crate::changes::{Changes, ChannelUpdate};
use crate::compute::{self, Cell, Fence, PerChannel, ShareTables};
use crate::error::{AllocError, Result};
use crate::network::{
    ChannelKey, LocationKey, MAX_CHANNELS, MAX_POOLS, NO_POOL, Network, PoolKey, ShownRules, SkuKey,
};
use crate::returns::{ReturnId, ReturnOutcome};

/// The most SKUs one allocator holds (keys are 32-bit).
pub const MAX_SKUS: usize = u32::MAX as usize;

const FLAG_BUNDLE: u8 = 1;
const FLAG_PARENT: u8 = 2;
const FLAG_FENCED: u8 = 4;
const FLAG_VELOCITY: u8 = 8;

/// Where an order line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LineState {
    /// Units are held for the line.
    Reserved,
    /// The line shipped: its units left the building.
    Shipped,
    /// The line was cancelled before shipping; its units were freed.
    Cancelled,
    /// The reservation ran past its expiry and was freed.
    Expired,
    /// The line shipped and came back (to stock or not).
    Returned,
}

impl LineState {
    /// Whether the line still holds units.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Reserved)
    }
}

impl fmt::Display for LineState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Reserved => "reserved",
            Self::Shipped => "shipped",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Returned => "returned",
        })
    }
}

/// Whether returned units can be sold again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Restock {
    /// Back on the shelf at the location it shipped from.
    Sellable,
    /// Damaged or unfit: recorded, not counted (the ledger tracks it).
    Unsellable,
}

impl fmt::Display for Restock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sellable => "sellable",
            Self::Unsellable => "unsellable",
        })
    }
}

/// How a ledger event changes sellable stock at one location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StockChange {
    /// Units became sellable (a receipt, a found unit, a transfer in).
    Add(Quantity),
    /// Units stopped being sellable (damage, loss, a transfer out).
    /// Shipments of reserved lines go through
    /// [`Allocator::commit`], not here.
    Remove(Quantity),
    /// The sellable level is now this (a count, or the ledger's balance).
    Set(Quantity),
}

/// One line of an order to reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineRequest {
    /// The line number, unique within the order.
    pub line: u32,
    /// The SKU (a plain SKU or a bundle).
    pub sku: SkuKey,
    /// Units (bundles) wanted; must be positive.
    pub quantity: Quantity,
}

impl LineRequest {
    /// A line.
    #[must_use]
    pub const fn new(line: u32, sku: SkuKey, quantity: Quantity) -> Self {
        Self { line, sku, quantity }
    }
}

/// Options for [`Allocator::reserve`].
///
/// Defaults: no expiry, all or nothing, any linked location, a line may
/// be split across locations when no single one can hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ReserveOptions {
    /// When the hold lapses; [`Allocator::expire`] frees it at or after.
    pub expires_at: Option<DateTime<Utc>>,
    /// Keep the lines that fit and refuse the rest, instead of refusing
    /// the whole order.
    pub partial: bool,
    /// Reserve only at this location.
    pub location: Option<LocationKey>,
    /// Forbid splitting one line across locations.
    pub whole_lines: bool,
}

impl ReserveOptions {
    /// Sets [`ReserveOptions::expires_at`].
    #[must_use]
    pub const fn with_expiry(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Sets [`ReserveOptions::partial`].
    #[must_use]
    pub const fn with_partial(mut self, partial: bool) -> Self {
        self.partial = partial;
        self
    }

    /// Sets [`ReserveOptions::location`].
    #[must_use]
    pub const fn at(mut self, location: LocationKey) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets [`ReserveOptions::whole_lines`].
    #[must_use]
    pub const fn with_whole_lines(mut self, whole: bool) -> Self {
        self.whole_lines = whole;
        self
    }
}

/// What [`Allocator::reserve`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reserved {
    /// Channels whose advertised quantity changed.
    pub changes: Changes,
    /// Lines refused for want of stock (only with
    /// [`ReserveOptions::partial`]), in request order.
    pub refused: Vec<Refusal>,
}

/// A line a partial reservation could not serve.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Refusal {
    /// The line number.
    pub line: u32,
    /// Units of the short SKU the line needed (a component, for a
    /// bundle line).
    pub requested: Quantity,
    /// Units of it the channel could have reserved.
    pub available: Quantity,
    /// The refusal in words (the [`AllocError::Insufficient`] message).
    pub message: String,
}

impl Refusal {
    fn from_error(line: u32, e: &AllocError) -> Self {
        let (requested, available) = match e {
            AllocError::Insufficient { requested, available, .. } => (*requested, *available),
            _ => (0, 0),
        };
        Self {
            line,
            requested: Quantity::new(requested),
            available: Quantity::new(available),
            message: e.to_string(),
        }
    }
}

/// Units of one SKU held at one location for a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Piece {
    /// The SKU (a component, for a bundle line).
    pub sku: SkuKey,
    /// Where.
    pub location: LocationKey,
    /// How many.
    pub units: Quantity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct RawPiece {
    sku: u32,
    location: u16,
    units: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum Pieces {
    One(RawPiece),
    Many(Vec<RawPiece>),
}

impl Pieces {
    fn from_slice(pieces: &[RawPiece]) -> Self {
        match pieces {
            [one] => Self::One(*one),
            many => Self::Many(many.to_vec()),
        }
    }

    fn as_slice(&self) -> &[RawPiece] {
        match self {
            Self::One(p) => std::slice::from_ref(p),
            Self::Many(v) => v,
        }
    }
}

/// An order line as the allocator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "LineRecordWire")
)]
struct LineRecord {
    order: OrderId,
    line: u32,
    sku: u32,
    channel: u16,
    quantity: i64,
    state: LineState,
    expires_at: Option<DateTime<Utc>>,
    pieces: Pieces,
    /// Units (bundles) the line's returns brought back so far, sellable
    /// or not: zero until it ships, at most `quantity`.
    returned: i64,
}

impl LineRecord {
    /// Whether no operation can change the line any more: cancelled,
    /// expired, or every unit shipped came back.
    fn is_final(&self) -> bool {
        match self.state {
            LineState::Cancelled | LineState::Expired => true,
            LineState::Returned => self.returned >= self.quantity,
            _ => false,
        }
    }

    /// Whether the line shipped and some of its units could still come
    /// back.
    fn is_returnable(&self) -> bool {
        matches!(self.state, LineState::Shipped | LineState::Returned)
            && self.returned < self.quantity
    }
}

/// A return recorded under a caller's return id: what
/// [`Allocator::return_units_once`] compares a repeat against.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct ReturnEntry {
    order: OrderId,
    line: u32,
    units: i64,
    restock: Restock,
}

/// A line record as a snapshot holds it: `returned` is absent from
/// snapshots saved before partial returns, when a line took one return;
/// a returned line then counts as fully returned.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct LineRecordWire {
    order: OrderId,
    line: u32,
    sku: u32,
    channel: u16,
    quantity: i64,
    state: LineState,
    expires_at: Option<DateTime<Utc>>,
    pieces: Pieces,
    #[serde(default)]
    returned: Option<i64>,
}

#[cfg(feature = "serde")]
impl From<LineRecordWire> for LineRecord {
    fn from(w: LineRecordWire) -> Self {
        let returned = w.returned.unwrap_or(match w.state {
            LineState::Returned => w.quantity,
            _ => 0,
        });
        Self {
            order: w.order,
            line: w.line,
            sku: w.sku,
            channel: w.channel,
            quantity: w.quantity,
            state: w.state,
            expires_at: w.expires_at,
            pieces: w.pieces,
            returned,
        }
    }
}

/// An order line's key, borrowed: what the line index hashes (the
/// order id's text, then the line number).
#[derive(Hash)]
struct LineRef<'a> {
    order: &'a OrderId,
    line: u32,
}

/// Finds a known line's slot by order id and line number.
///
/// The table holds only slot numbers; each key lives once, in the line
/// record the slot points at, so recording a line clones its order id
/// once, and a reservation hashes its key once for the duplicate check
/// and the insert. Derived from `lines`: equal lines give equal
/// indexes, so comparing two indexes compares only their sizes.
#[derive(Clone, Default)]
struct LineIndex {
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl LineIndex {
    fn hash(&self, order: &OrderId, line: u32) -> u64 {
        self.hasher.hash_one(LineRef { order, line })
    }

    /// The slot of the line with this key and `hash`.
    fn find(
        &self,
        lines: &[Option<LineRecord>],
        hash: u64,
        order: &OrderId,
        line: u32,
    ) -> Option<u32> {
        let holds = |s: &u32| {
            lines
                .get(*s as usize)
                .and_then(Option::as_ref)
                .is_some_and(|r| r.line == line && r.order == *order)
        };
        self.table.find(hash, holds).copied()
    }

    /// Adds `slot`, whose key (absent so far) hashes to `hash`; `lines`
    /// must hold the records of the slots already in.
    fn insert(&mut self, lines: &[Option<LineRecord>], hash: u64, slot: u32) {
        let Self { table, hasher } = self;
        let hasher = &*hasher;
        let rehash = |s: &u32| {
            lines
                .get(*s as usize)
                .and_then(Option::as_ref)
                .map_or(0, |r| hasher.hash_one(LineRef { order: &r.order, line: r.line }))
        };
        table.insert_unique(hash, slot, rehash);
    }

    /// Drops `slot`, whose key is `order` and `line`.
    fn remove(&mut self, order: &OrderId, line: u32, slot: u32) {
        let hash = self.hash(order, line);
        if let Ok(entry) = self.table.find_entry(hash, |&s| s == slot) {
            entry.remove();
        }
    }

    fn len(&self) -> usize {
        self.table.len()
    }
}

impl PartialEq for LineIndex {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
    }
}

impl Eq for LineIndex {}

impl fmt::Debug for LineIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LineIndex({} lines)", self.len())
    }
}

/// A read-only view of one order line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineInfo {
    /// The order.
    pub order: OrderId,
    /// The line number.
    pub line: u32,
    /// The SKU ordered (plain or bundle).
    pub sku: SkuKey,
    /// The channel it was sold on.
    pub channel: ChannelKey,
    /// Units (bundles) ordered.
    pub quantity: Quantity,
    /// Where it stands.
    pub state: LineState,
    /// When the hold lapses, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// The units held, by SKU and location (kept after the line closes,
    /// to say where it shipped from).
    pub pieces: Vec<Piece>,
    /// Units (bundles) returned so far, sellable or not; zero unless the
    /// line is [`LineState::Returned`].
    pub returned: Quantity,
}

impl LineInfo {
    /// Units (bundles) of a shipped line that could still come back: the
    /// quantity less those returned; zero for a line that never shipped.
    /// A line with returnable units is kept by
    /// [`Allocator::purge_closed`].
    #[must_use]
    pub fn returnable(&self) -> Quantity {
        match self.state {
            LineState::Shipped | LineState::Returned => {
                Quantity::new(self.quantity.get().saturating_sub(self.returned.get()).max(0))
            }
            _ => Quantity::ZERO,
        }
    }
}

/// Stock, reservations and advertised quantities for every SKU of one
/// [`Network`].
///
/// State is dense: one row of `(sellable, reserved)` cells per SKU and one
/// row of advertised quantities, indexed by interned keys. Each operation
/// validates its whole input first, then applies it, then recomputes only
/// the SKUs it touched (and the bundles built from them), and returns the
/// channels whose advertised number changed.
///
/// # Sharing across threads
///
/// `Allocator` is plain data, `Send + Sync`. Check and take happen inside
/// one `&mut self` call, so sharing it as `Arc<Mutex<Allocator>>` leaves
/// no window between "is there stock" and "take it": the lock is the
/// unit of atomicity. A deployment that needs more throughput shards
/// SKUs across several allocators (each behind its own lock) by a hash
/// of the SKU, keeping a bundle and its components in one shard.
///
/// # Serialising
///
/// With the `serde` feature the whole state travels (indexes are rebuilt
/// on the way in) and is checked as it comes: the network as
/// [`Network`] checks it, SKUs unique, one stock cell per SKU and
/// location and one advertised figure per SKU and channel, every key in
/// range, no cell with negative or over-reserved units, each cell's
/// reserved units equal to what its open lines hold, each line's pieces
/// adding up to its quantity at locations its channel sells from, with
/// at most one piece per SKU and location, every free line slot listed
/// once for reuse, bundles of plain SKUs only (no bundle of bundles, so
/// no cycle) holding no stock, ring fences positive, one per pool and
/// channel and only on pools their channel sells from, the derived state
/// (the bundles built on each SKU, each SKU's flags) exactly what the
/// settings give, the bundles built on each SKU listed in the order the
/// bundles were defined (which the snapshot keeps, so a restored
/// allocator equals the one saved; a snapshot saved before it kept that
/// order gets the one order its lists agree with, ties by key), and the
/// advertised figures equal to what the rules give, and each recorded
/// return id naming a known, returned line, with a line's recorded units
/// adding up to at most the units it has back. Anything else is
/// [`AllocError::InvalidSnapshot`]: a snapshot that loads is one the
/// builder and the operations could have produced, and saving it again
/// gives the same snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "Snapshot", into = "Snapshot")
)]
pub struct Allocator {
    net: Network,
    skus: Vec<Sku>,
    sku_index: HashMap<Sku, u32>,
    stock: Vec<Cell>,
    advertised: Vec<i64>,
    flags: Vec<u8>,
    fences: BTreeMap<u32, Vec<Fence>>,
    velocity: BTreeMap<u32, Vec<u64>>,
    bundles: BTreeMap<u32, Vec<(u32, i64)>>,
    /// The bundles' keys in the order they were defined: the order each
    /// SKU's `parents` list keeps, held here so a snapshot carries it.
    defined: Vec<u32>,
    parents: BTreeMap<u32, Vec<u32>>,
    lines: Vec<Option<LineRecord>>,
    vacant: Vec<u32>,
    line_index: LineIndex,
    /// Returns recorded under a caller's return id, for
    /// [`Allocator::return_units_once`]; each names a known line.
    returns: BTreeMap<ReturnId, ReturnEntry>,
    expiry: BTreeSet<(DateTime<Utc>, u32)>,
    scratch: Vec<RawPiece>,
    /// Derived from `net` (never serialised): share splits worked out
    /// once.
    tables: ShareTables,
    /// Derived from `net` (never serialised): each channel's publish
    /// rules with neutral bounds, in channel order.
    shown: Vec<ShownRules>,
}

/// The serialised form: everything but the indexes, which are rebuilt.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Snapshot {
    net: Network,
    skus: Vec<Sku>,
    stock: Vec<Cell>,
    advertised: Vec<i64>,
    flags: Vec<u8>,
    fences: BTreeMap<u32, Vec<Fence>>,
    velocity: BTreeMap<u32, Vec<u64>>,
    bundles: BTreeMap<u32, Vec<(u32, i64)>>,
    /// The bundles in definition order. Absent from snapshots saved
    /// before it was kept: then derived from the `parents` lists.
    #[serde(default)]
    defined: Vec<u32>,
    parents: BTreeMap<u32, Vec<u32>>,
    lines: Vec<Option<LineRecord>>,
    vacant: Vec<u32>,
    /// Returns recorded under return ids. Absent from snapshots saved
    /// before return ids were kept, and left out when there is none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    returns: BTreeMap<ReturnId, ReturnEntry>,
}

#[cfg(feature = "serde")]
impl From<Allocator> for Snapshot {
    fn from(a: Allocator) -> Self {
        Self {
            net: a.net,
            skus: a.skus,
            stock: a.stock,
            advertised: a.advertised,
            flags: a.flags,
            fences: a.fences,
            velocity: a.velocity,
            bundles: a.bundles,
            defined: a.defined,
            parents: a.parents,
            lines: a.lines,
            vacant: a.vacant,
            returns: a.returns,
        }
    }
}

#[cfg(feature = "serde")]
impl Snapshot {
    /// Checks the shape: lengths, key ranges, unique SKUs and line keys,
    /// sane cells and reserved units matching the open lines.
    fn check(&self) -> std::result::Result<(), String> {
        let (skus, locations, channels) =
            (self.skus.len(), self.net.locations.len(), self.net.channels.len());
        let pools = self.net.pools.len();
        if self.skus.iter().collect::<BTreeSet<_>>().len() != skus {
            return Err("a sku appears twice".into());
        }
        for (what, got, want) in [
            ("stock cells", self.stock.len(), skus.checked_mul(locations)),
            ("advertised figures", self.advertised.len(), skus.checked_mul(channels)),
            ("sku flags", self.flags.len(), Some(skus)),
        ] {
            if Some(got) != want {
                return Err(format!("{got} {what} for {skus} skus"));
            }
        }
        if self.stock.iter().any(|c| c.reserved < 0 || c.reserved > c.on_hand) {
            return Err("a stock cell is negative or reserves more than it holds".into());
        }
        let sku_ok = |k: u32| (k as usize) < skus;
        // Keys only: the values (fence units, units per bundle) are
        // checked, and named, with the rest of their settings below.
        let fences_ok = self.fences.iter().all(|(&k, list)| {
            sku_ok(k)
                && list
                    .iter()
                    .all(|f| usize::from(f.pool) < pools && usize::from(f.channel) < channels)
        });
        let bundles_ok = self
            .bundles
            .iter()
            .all(|(&k, comps)| sku_ok(k) && comps.iter().all(|&(c, _)| sku_ok(c)));
        let parents_ok =
            self.parents.iter().all(|(&k, ps)| sku_ok(k) && ps.iter().all(|&p| sku_ok(p)));
        if !(fences_ok && bundles_ok && parents_ok) {
            return Err("a ring fence or bundle names an unknown sku, pool or channel".into());
        }
        if let Some((&k, v)) =
            self.velocity.iter().find(|&(&k, v)| !sku_ok(k) || v.len() != channels)
        {
            return Err(format!(
                "the velocity of sku key {k} names an unknown sku or has {} figures for {channels} \
                 channels",
                v.len()
            ));
        }
        self.check_bundles()?;
        self.check_settings()?;
        self.check_lines(skus, locations, channels)
    }

    /// The name of SKU `k`, for messages (keys are checked in range
    /// before this is called).
    fn name(&self, k: u32) -> String {
        self.skus.get(k as usize).map_or_else(|| format!("#{k}"), ToString::to_string)
    }

    /// Bundles as [`Allocator::define_bundle`] makes them: components
    /// plain SKUs (so no bundle contains itself or another bundle, and no
    /// cycle exists), none repeated, each needed 1 to `u32::MAX` times;
    /// no stock held by the bundle; `parents` exactly the reverse of
    /// `bundles`.
    fn check_bundles(&self) -> std::result::Result<(), String> {
        let locations = self.net.locations.len();
        let mut want: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (&b, comps) in &self.bundles {
            let bad = |why: &str| Err(format!("bundle {} {why}", self.name(b)));
            if comps.is_empty() {
                return bad("has no component");
            }
            for (i, &(c, need)) in comps.iter().enumerate() {
                if c == b {
                    return bad("lists itself as a component");
                }
                if self.bundles.contains_key(&c) {
                    return bad(&format!("lists bundle {} as a component", self.name(c)));
                }
                if need < 1 || need > i64::from(u32::MAX) {
                    return bad(&format!(
                        "needs component {} {need} times (1 to {} allowed)",
                        self.name(c),
                        u32::MAX
                    ));
                }
                if comps.get(..i).is_some_and(|before| before.iter().any(|&(d, _)| d == c)) {
                    return bad(&format!("lists component {} twice", self.name(c)));
                }
                want.entry(c).or_default().push(b);
            }
            let start = (b as usize).saturating_mul(locations);
            let row = self.stock.get(start..start.saturating_add(locations)).unwrap_or(&[]);
            if row.iter().any(|c| *c != Cell::default()) {
                return bad("holds stock of its own");
            }
            if self.fences.contains_key(&b) {
                return bad("has a ring fence");
            }
        }
        // Parents list bundles in the order they were defined.
        let mut got = self.parents.clone();
        for list in got.values_mut() {
            list.sort_unstable();
        }
        if got != want {
            return Err("the bundles built on each sku disagree with the bundle list".into());
        }
        if self.defined.is_empty() && !self.bundles.is_empty() {
            return Err("the bundles built on each sku are listed in orders no definition \
                        order gives"
                .into());
        }
        let listed: BTreeSet<u32> = self.defined.iter().copied().collect();
        let once = listed.len() == self.defined.len();
        if !(once && listed.iter().eq(self.bundles.keys())) {
            return Err("the definition order does not list each bundle once".into());
        }
        let rank: BTreeMap<u32, usize> =
            self.defined.iter().zip(0..).map(|(&b, i)| (b, i)).collect();
        for (&c, list) in &self.parents {
            if !list.is_sorted_by_key(|b| rank.get(b)) {
                return Err(format!(
                    "the bundles built on {} are not in the order they were defined",
                    self.name(c)
                ));
            }
        }
        Ok(())
    }

    /// Fills in the definition order of a snapshot saved before it was
    /// kept: the one order every SKU's `parents` list agrees with, ties
    /// broken by key (the order [`Allocator::add_sku`] hands keys out in).
    /// Left as it is when given, or when the lists agree with no order
    /// (two SKUs listing two bundles in opposite orders), which the
    /// checks then refuse.
    fn fill_definition_order(&mut self) {
        if !self.defined.is_empty() || self.bundles.is_empty() {
            return;
        }
        // Kahn's algorithm over "listed before" pairs, smallest key first.
        let mut after: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
        for list in self.parents.values() {
            for pair in list.windows(2) {
                if let [a, b] = *pair {
                    after.entry(a).or_default().insert(b);
                }
            }
        }
        let mut waiting: BTreeMap<u32, usize> = self.bundles.keys().map(|&b| (b, 0)).collect();
        for &b in after.values().flatten() {
            if let Some(n) = waiting.get_mut(&b) {
                *n += 1;
            }
        }
        let mut ready: BTreeSet<u32> =
            waiting.iter().filter(|&(_, &n)| n == 0).map(|(&b, _)| b).collect();
        let mut order = Vec::with_capacity(self.bundles.len());
        while let Some(b) = ready.pop_first() {
            order.push(b);
            for next in after.get(&b).into_iter().flatten() {
                if let Some(n) = waiting.get_mut(next) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        ready.insert(*next);
                    }
                }
            }
        }
        if order.len() == self.bundles.len() {
            self.defined = order;
        }
    }

    /// Ring fences, velocities and flags as the operations leave them:
    /// each SKU's fences non-empty, positive, one per pool and channel,
    /// sorted, each on a pool its channel sells from; velocities within
    /// what [`Allocator::set_velocity`] stores; each SKU's flags exactly
    /// the settings it has.
    fn check_settings(&self) -> std::result::Result<(), String> {
        for (&k, list) in &self.fences {
            let bad = |why: &str| Err(format!("sku {} has {why}", self.name(k)));
            if list.is_empty() {
                return bad("an empty fence list");
            }
            if let Some(f) = list.iter().find(|f| f.units <= 0) {
                let channel = self.net.channels.get(usize::from(f.channel));
                let pool = self.net.pools.get(usize::from(f.pool));
                return bad(&format!(
                    "a ring fence of {} units (zero or fewer) for channel {} on pool {}",
                    f.units,
                    channel.map_or_else(|| format!("#{}", f.channel), |c| c.id.to_string()),
                    pool.map_or_else(|| format!("#{}", f.pool), |p| p.name.clone()),
                ));
            }
            if !list.is_sorted_by(|x, y| (x.pool, x.channel) < (y.pool, y.channel)) {
                return bad("two ring fences for one pool and channel, or fences out of order");
            }
            for f in list {
                let linked = self
                    .net
                    .channels
                    .get(usize::from(f.channel))
                    .is_some_and(|c| c.pools.iter().any(|&(p, _)| p == f.pool));
                if !linked {
                    return bad("a ring fence on a pool its channel does not sell from");
                }
            }
        }
        for (&k, v) in &self.velocity {
            if v.iter().any(|&x| x > MAX_MILLI_UNITS) {
                return Err(format!("sku {} has a velocity out of range", self.name(k)));
            }
        }
        for (k, &flags) in (0u32..).zip(&self.flags) {
            let has = |on: bool, flag: u8| if on { flag } else { 0 };
            let want = has(self.bundles.contains_key(&k), FLAG_BUNDLE)
                | has(self.parents.contains_key(&k), FLAG_PARENT)
                | has(self.fences.contains_key(&k), FLAG_FENCED)
                | has(self.velocity.contains_key(&k), FLAG_VELOCITY);
            if flags != want {
                return Err(format!(
                    "sku {} has flags {flags}, but its settings give {want}",
                    self.name(k)
                ));
            }
        }
        Ok(())
    }

    fn check_lines(
        &self,
        skus: usize,
        locations: usize,
        channels: usize,
    ) -> std::result::Result<(), String> {
        let mut held = vec![0i64; self.stock.len()];
        let mut keys = BTreeSet::new();
        for rec in self.lines.iter().flatten() {
            if rec.sku as usize >= skus || usize::from(rec.channel) >= channels {
                return Err(format!("order {} line {} names an unknown key", rec.order, rec.line));
            }
            if !keys.insert((&rec.order, rec.line)) {
                return Err(format!("order {} line {} appears twice", rec.order, rec.line));
            }
            self.check_line_pieces(rec)?;
            // A return counts at least one unit and marks the line
            // returned; no more come back than shipped.
            let returned_ok = match rec.state {
                LineState::Returned => (1..=rec.quantity).contains(&rec.returned),
                _ => rec.returned == 0,
            };
            if !returned_ok {
                return Err(format!(
                    "order {} line {} is {} with {} of {} units returned",
                    rec.order, rec.line, rec.state, rec.returned, rec.quantity
                ));
            }
            for p in rec.pieces.as_slice() {
                let at = (p.sku as usize)
                    .checked_mul(locations)
                    .and_then(|r| r.checked_add(usize::from(p.location)))
                    .filter(|_| usize::from(p.location) < locations);
                let slot = at.and_then(|i| held.get_mut(i)).filter(|_| p.units > 0);
                let Some(slot) = slot else {
                    return Err(format!("order {} line {} holds a bad piece", rec.order, rec.line));
                };
                if rec.state.is_open() {
                    *slot = slot.checked_add(p.units).ok_or("reserved units overflow")?;
                }
            }
        }
        if held.iter().zip(&self.stock).any(|(h, c)| *h != c.reserved) {
            return Err("reserved units differ from what the open lines hold".into());
        }
        let vacant: BTreeSet<u32> = self.vacant.iter().copied().collect();
        if vacant.len() != self.vacant.len()
            || vacant.iter().any(|&v| !matches!(self.lines.get(v as usize), Some(None)))
        {
            return Err("a vacant line slot is taken, repeated or out of range".into());
        }
        // A purge lists every slot it frees, and only a listed slot is
        // reused: a free slot missing from the list would never be.
        if let Some((slot, _)) =
            (0u32..).zip(&self.lines).find(|(i, l)| l.is_none() && !vacant.contains(i))
        {
            return Err(format!("line slot {slot} is free but not listed as vacant"));
        }
        self.check_returns()
    }

    /// Returns recorded under ids as [`Allocator::return_units_once`]
    /// leaves them: each names a known, returned line, counts at least
    /// one unit, and a line's recorded units add up to at most the units
    /// it has back (returns without an id count there too).
    fn check_returns(&self) -> std::result::Result<(), String> {
        let known: BTreeMap<(&OrderId, u32), &LineRecord> =
            self.lines.iter().flatten().map(|r| ((&r.order, r.line), r)).collect();
        let mut recorded: BTreeMap<(&OrderId, u32), i64> = BTreeMap::new();
        for (id, e) in &self.returns {
            let Some(rec) = known.get(&(&e.order, e.line)) else {
                return Err(format!(
                    "return {id} names order {} line {}, which is not known",
                    e.order, e.line
                ));
            };
            if e.units < 1 || rec.state != LineState::Returned {
                return Err(format!(
                    "return {id} records {} units for order {} line {}, which is {}",
                    e.units, e.order, e.line, rec.state
                ));
            }
            let sum = recorded.entry((&e.order, e.line)).or_insert(0);
            *sum = sum.checked_add(e.units).filter(|&n| n <= rec.returned).ok_or_else(|| {
                format!(
                    "returns recorded for order {} line {} add up to more than its {} units back",
                    e.order, e.line, rec.returned
                )
            })?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl Snapshot {
    /// A line's pieces as a reservation leaves them: at locations its
    /// channel sells from, naming only the SKU ordered (each component,
    /// for a bundle), and adding up to the quantity (times the units per
    /// bundle) for each.
    fn check_line_pieces(&self, rec: &LineRecord) -> std::result::Result<(), String> {
        let bad = || Err(format!("order {} line {} holds a bad piece", rec.order, rec.line));
        let want: Vec<(u32, Option<i64>)> = match self.bundles.get(&rec.sku) {
            Some(comps) => comps.iter().map(|&(c, n)| (c, rec.quantity.checked_mul(n))).collect(),
            None => vec![(rec.sku, Some(rec.quantity))],
        };
        if rec.quantity < 1 {
            return bad();
        }
        let Some(ch) = self.net.channels.get(usize::from(rec.channel)) else { return bad() };
        let pieces = rec.pieces.as_slice();
        if pieces.iter().any(|p| !ch.locations.iter().any(|&(l, _)| l == p.location)) {
            return bad();
        }
        if pieces.iter().any(|p| !want.iter().any(|&(s, _)| s == p.sku)) {
            return bad();
        }
        if matches!(&rec.pieces, Pieces::Many(v) if v.len() < 2) {
            return Err(format!("order {} line {} lists one piece as many", rec.order, rec.line));
        }
        // A reservation places each SKU once per location and a move
        // merges a SKU's pieces, so no line holds two at one location.
        let mut seen = BTreeSet::new();
        if let Some(p) = pieces.iter().find(|p| !seen.insert((p.sku, p.location))) {
            let at = self.net.locations.get(usize::from(p.location));
            return Err(format!(
                "order {} line {} holds {} at {} in two pieces",
                rec.order,
                rec.line,
                self.name(p.sku),
                at.map_or_else(|| format!("#{}", p.location), ToString::to_string),
            ));
        }
        for &(sku, units) in &want {
            let held = pieces
                .iter()
                .filter(|p| p.sku == sku)
                .try_fold(0i64, |acc, p| acc.checked_add(p.units));
            if held.is_none() || held != units {
                return bad();
            }
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl TryFrom<Snapshot> for Allocator {
    type Error = AllocError;

    fn try_from(mut s: Snapshot) -> Result<Self> {
        s.fill_definition_order();
        s.check().map_err(|reason| AllocError::InvalidSnapshot { reason })?;
        let a = Self::from_checked(s);
        if !a.clone().recompute_all().is_empty() {
            return Err(AllocError::InvalidSnapshot {
                reason: "advertised figures differ from what the rules give".into(),
            });
        }
        Ok(a)
    }
}

#[cfg(feature = "serde")]
impl Allocator {
    /// The allocator a checked snapshot describes, indexes rebuilt.
    fn from_checked(s: Snapshot) -> Self {
        let mut a = Self {
            net: s.net,
            sku_index: HashMap::new(),
            skus: s.skus,
            stock: s.stock,
            advertised: s.advertised,
            flags: s.flags,
            fences: s.fences,
            velocity: s.velocity,
            bundles: s.bundles,
            defined: s.defined,
            parents: s.parents,
            lines: s.lines,
            vacant: s.vacant,
            line_index: LineIndex::default(),
            returns: s.returns,
            expiry: BTreeSet::new(),
            scratch: Vec::new(),
            tables: ShareTables::default(),
            shown: Vec::new(),
        };
        a.tables = ShareTables::new(&a.net);
        a.shown = ShownRules::of(&a.net);
        a.sku_index = a.skus.iter().zip(0u32..).map(|(s, i)| (s.clone(), i)).collect();
        for (slot, rec) in (0u32..).zip(&a.lines) {
            if let Some(r) = rec {
                let hash = a.line_index.hash(&r.order, r.line);
                a.line_index.insert(&a.lines, hash, slot);
                if let (LineState::Reserved, Some(at)) = (r.state, r.expires_at) {
                    a.expiry.insert((at, slot));
                }
            }
        }
        a
    }
}

impl Allocator {
    /// An allocator with no SKUs.
    #[must_use]
    pub fn new(network: Network) -> Self {
        Self {
            tables: ShareTables::new(&network),
            shown: ShownRules::of(&network),
            net: network,
            skus: Vec::new(),
            sku_index: HashMap::new(),
            stock: Vec::new(),
            advertised: Vec::new(),
            flags: Vec::new(),
            fences: BTreeMap::new(),
            velocity: BTreeMap::new(),
            bundles: BTreeMap::new(),
            defined: Vec::new(),
            parents: BTreeMap::new(),
            lines: Vec::new(),
            vacant: Vec::new(),
            line_index: LineIndex::default(),
            returns: BTreeMap::new(),
            expiry: BTreeSet::new(),
            scratch: Vec::new(),
        }
    }

    /// The network.
    #[must_use]
    pub const fn network(&self) -> &Network {
        &self.net
    }

    /// Interns a SKU (no stock yet), or returns its key if known. A new
    /// SKU starts out advertising each channel's rules applied to zero
    /// units (zero, unless the channel has a minimum shown).
    ///
    /// # Errors
    ///
    /// [`AllocError::TooMany`] past [`MAX_SKUS`].
    pub fn add_sku(&mut self, sku: &Sku) -> Result<SkuKey> {
        if let Some(&k) = self.sku_index.get(sku) {
            return Ok(SkuKey(k));
        }
        let k = u32::try_from(self.skus.len())
            .map_err(|_| AllocError::TooMany { what: "skus", max: MAX_SKUS })?;
        self.skus.push(sku.clone());
        self.sku_index.insert(sku.clone(), k);
        self.stock.extend(std::iter::repeat_n(Cell::default(), self.net.locations.len()));
        // With no stock a channel shows its rules applied to zero: zero,
        // or its minimum when it opted in to oversell.
        let shown = self.net.channels.iter().map(|c| c.rules.apply_units(0));
        self.advertised.extend(shown);
        self.flags.push(0);
        Ok(SkuKey(k))
    }

    /// Interns many SKUs at once, reserving room first.
    ///
    /// # Errors
    ///
    /// [`AllocError::TooMany`] past [`MAX_SKUS`]; SKUs before the limit
    /// stay interned.
    pub fn add_skus<'a>(&mut self, skus: impl IntoIterator<Item = &'a Sku>) -> Result<()> {
        let iter = skus.into_iter();
        let (lower, _) = iter.size_hint();
        self.skus.reserve(lower);
        self.stock.reserve(lower.saturating_mul(self.net.locations.len()));
        self.advertised.reserve(lower.saturating_mul(self.net.channels.len()));
        for s in iter {
            self.add_sku(s)?;
        }
        Ok(())
    }

    /// The key of a SKU.
    #[must_use]
    pub fn sku_key(&self, sku: &Sku) -> Option<SkuKey> {
        self.sku_index.get(sku).copied().map(SkuKey)
    }

    /// The SKU behind a key.
    #[must_use]
    pub fn sku(&self, key: SkuKey) -> Option<&Sku> {
        self.skus.get(key.index())
    }

    /// How many SKUs are interned.
    #[must_use]
    pub fn sku_count(&self) -> usize {
        self.skus.len()
    }

    /// What `channel` advertises for `sku` now.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for a key from elsewhere.
    pub fn advertised(&self, sku: SkuKey, channel: ChannelKey) -> Result<Quantity> {
        self.check_sku(sku)?;
        self.net.channel(channel)?;
        let at = sku.index() * self.net.channels.len() + channel.index();
        Ok(Quantity::new(self.advertised.get(at).copied().unwrap_or(0)))
    }

    /// The units `channel` is entitled to for `sku` before its publish
    /// rules: its ring-fenced units plus its part of the contested units
    /// (for a bundle, the bundles its components' entitlements allow).
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for a key from elsewhere.
    pub fn entitlement(&self, sku: SkuKey, channel: ChannelKey) -> Result<Quantity> {
        self.check_sku(sku)?;
        self.net.channel(channel)?;
        let mut ent = [0; MAX_CHANNELS];
        self.entitlements_into(sku.0, &mut ent);
        Ok(Quantity::new(ent.get(channel.index()).copied().unwrap_or(0)))
    }

    /// The units of a plain SKU that `channel` could reserve now across
    /// all its linked locations (free stock less other channels' ring
    /// fences). Zero for a bundle; reserve one to see.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for a key from elsewhere.
    pub fn sellable(&self, sku: SkuKey, channel: ChannelKey) -> Result<Quantity> {
        self.check_sku(sku)?;
        let ch = self.net.channel(channel)?;
        if self.is_bundle(sku.0) {
            return Ok(Quantity::ZERO);
        }
        let total = ch.pools.iter().fold(0i64, |acc, &(p, _)| {
            acc.saturating_add(self.sellable_in_pool(sku.0, channel.0, p))
        });
        Ok(Quantity::new(total))
    }

    /// Sellable units of `sku` at `location` (reserved ones included).
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for a key from elsewhere.
    pub fn on_hand(&self, sku: SkuKey, location: LocationKey) -> Result<Quantity> {
        Ok(Quantity::new(self.cell_checked(sku, location)?.on_hand))
    }

    /// Units of `sku` reserved at `location`.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for a key from elsewhere.
    pub fn reserved(&self, sku: SkuKey, location: LocationKey) -> Result<Quantity> {
        Ok(Quantity::new(self.cell_checked(sku, location)?.reserved))
    }

    /// One order line, if the allocator knows it.
    #[must_use]
    pub fn line(&self, order: &OrderId, line: u32) -> Option<LineInfo> {
        let hash = self.line_index.hash(order, line);
        let slot = self.line_index.find(&self.lines, hash, order, line)?;
        self.lines.get(slot as usize)?.as_ref().map(info)
    }

    /// Every known order line, in the order they were first reserved
    /// (slots freed by [`Allocator::purge_closed`] and
    /// [`Allocator::purge_shipped_if`] are reused).
    pub fn lines(&self) -> impl Iterator<Item = LineInfo> + '_ {
        self.lines.iter().flatten().map(info)
    }

    /// Forgets the lines no operation can change any more, so memory
    /// stays bounded: cancelled and expired lines, and returned lines
    /// whose every unit came back. Returns how many were forgotten.
    ///
    /// Shipped lines with units still out (not returned, or returned in
    /// part) are kept, so a later return of them restocks as it would
    /// have; forget those explicitly with [`Allocator::purge_shipped_if`]
    /// once their returns no longer matter.
    ///
    /// A forgotten line's key is free again, and the return ids recorded
    /// for it by [`Allocator::return_units_once`] are forgotten with it:
    /// a repeated release, commit or return of it (with or without a
    /// return id) then fails with [`AllocError::UnknownLine`] instead of
    /// being ignored. Once the same order and line number are reserved
    /// again, such a call reaches the new line, and a return id of the
    /// old one is new to it: keep return ids unique across orders whose
    /// keys may come back.
    ///
    /// ```
    /// # use merchantry_allocate::*;
    /// # use merchantry_core::*;
    /// # let mut b = Network::builder();
    /// # let wh = b.location(LocationId::new("WH")?)?;
    /// # let pool = b.pool("wh", &[wh], Split::Shared)?;
    /// # let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
    /// # b.link(web, pool, Link::default())?;
    /// # let mut alloc = Allocator::new(b.build()?);
    /// # let mug = alloc.add_sku(&Sku::new("MUG")?)?;
    /// # alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(9)))?;
    /// let (a, b) = (OrderId::new("A")?, OrderId::new("B")?);
    /// let line = [LineRequest::new(1, mug, Quantity::new(3))];
    /// alloc.reserve(&a, web, &line, &ReserveOptions::default())?;
    /// alloc.reserve(&b, web, &line, &ReserveOptions::default())?;
    /// alloc.release(&a, 1)?;
    /// alloc.commit(&b, 1)?;
    /// // A is cancelled and goes; B shipped and may still come back.
    /// assert_eq!(alloc.purge_closed(), 1);
    /// alloc.return_units(&b, 1, Quantity::new(3), Restock::Sellable)?;
    /// assert_eq!(alloc.on_hand(mug, wh)?, Quantity::new(9));
    /// // Now every unit of B is back: it goes too.
    /// assert_eq!(alloc.purge_closed(), 1);
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn purge_closed(&mut self) -> usize {
        self.purge_where(LineRecord::is_final)
    }

    /// Forgets shipped lines whose units could still come back (not
    /// returned, or returned in part) when `give_up` says so, giving up
    /// their remaining returns; returns how many were forgotten.
    ///
    /// `give_up` sees each such line; decide by what the allocator does
    /// not keep, such as the ship date against the marketplace's return
    /// window (say, forget lines shipped more than 60 days ago). A later
    /// return of a forgotten line fails with [`AllocError::UnknownLine`]:
    /// restock such a unit with [`Allocator::stock_change`] if it comes
    /// back after all. Lines that can no longer change are left to
    /// [`Allocator::purge_closed`]; return ids recorded for a forgotten
    /// line are forgotten with it.
    ///
    /// ```
    /// # use merchantry_allocate::*;
    /// # use merchantry_core::*;
    /// # let mut b = Network::builder();
    /// # let wh = b.location(LocationId::new("WH")?)?;
    /// # let pool = b.pool("wh", &[wh], Split::Shared)?;
    /// # let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
    /// # b.link(web, pool, Link::default())?;
    /// # let mut alloc = Allocator::new(b.build()?);
    /// # let mug = alloc.add_sku(&Sku::new("MUG")?)?;
    /// # alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(9)))?;
    /// // Orders shipped on day 1 and day 50; the return window is 30 days
    /// // and today is day 60. The ship dates are the caller's records.
    /// let shipped_on = [("OLD", 1), ("NEW", 50)];
    /// for (id, _) in shipped_on {
    ///     let line = [LineRequest::new(1, mug, Quantity::new(2))];
    ///     alloc.reserve(&OrderId::new(id)?, web, &line, &ReserveOptions::default())?;
    ///     alloc.commit(&OrderId::new(id)?, 1)?;
    /// }
    /// let cut_off = 60 - 30;
    /// let n = alloc.purge_shipped_if(|l| {
    ///     shipped_on.iter().any(|&(id, day)| l.order.as_str() == id && day < cut_off)
    /// });
    /// assert_eq!(n, 1);
    /// assert!(alloc.line(&OrderId::new("OLD")?, 1).is_none());
    /// assert!(alloc.line(&OrderId::new("NEW")?, 1).is_some());
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn purge_shipped_if(&mut self, mut give_up: impl FnMut(&LineInfo) -> bool) -> usize {
        self.purge_where(|r| r.is_returnable() && give_up(&info(r)))
    }

    /// Forgets each line `pick` picks, frees its slot and drops the
    /// return ids recorded for it.
    ///
    /// Every line is picked before any is forgotten: `pick` may run the
    /// caller's code, and if that panics the allocator is left as it was
    /// (not with lines gone and their return ids still recorded).
    fn purge_where(&mut self, mut pick: impl FnMut(&LineRecord) -> bool) -> usize {
        let picked: Vec<u32> = (0u32..)
            .zip(&self.lines)
            .filter(|(_, rec)| rec.as_ref().is_some_and(&mut pick))
            .map(|(slot, _)| slot)
            .collect();
        let mut n = 0;
        let mut had_returns = false;
        for slot in picked {
            if let Some(r) = self.lines.get_mut(slot as usize).and_then(Option::take) {
                self.line_index.remove(&r.order, r.line, slot);
                self.vacant.push(slot);
                had_returns |= r.returned > 0;
                n += 1;
            }
        }
        if had_returns {
            let Self { returns, lines, line_index, .. } = self;
            returns.retain(|_, e| {
                let hash = line_index.hash(&e.order, e.line);
                line_index.find(lines, hash, &e.order, e.line).is_some()
            });
        }
        n
    }

    // ----- configuration per SKU -----

    /// Keeps `units` of `pool` for `channel` alone: other channels can
    /// neither advertise nor reserve them. The fence is a standing level,
    /// refilled from free stock as the channel sells; when free stock is
    /// short, fences fill in channel-key order. Zero removes the fence.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`], [`AllocError::PoolNotLinked`] when the
    /// channel does not sell from the pool, [`AllocError::BadQuantity`]
    /// for negative units, [`AllocError::BundleHasNoStock`] for a bundle.
    pub fn set_ring_fence(
        &mut self,
        sku: SkuKey,
        pool: PoolKey,
        channel: ChannelKey,
        units: Quantity,
    ) -> Result<Changes> {
        let name = self.check_sku(sku)?.clone();
        let ch = self.net.channel(channel)?;
        let p = self
            .net
            .pools
            .get(pool.index())
            .ok_or_else(|| AllocError::UnknownKey { what: "pool", index: pool.index() })?;
        if !ch.pools.iter().any(|&(q, _)| q == pool.0) {
            return Err(AllocError::PoolNotLinked { channel: ch.id.clone(), pool: p.name.clone() });
        }
        if units.is_negative() {
            return Err(negative("ring fence", units, name));
        }
        if self.is_bundle(sku.0) {
            return Err(AllocError::BundleHasNoStock { sku: name });
        }
        let list = self.fences.entry(sku.0).or_default();
        list.retain(|f| !(f.pool == pool.0 && f.channel == channel.0));
        if units.is_positive() {
            list.push(Fence { pool: pool.0, channel: channel.0, units: units.get() });
            list.sort_by_key(|f| (f.pool, f.channel));
        }
        let empty = list.is_empty();
        if empty {
            self.fences.remove(&sku.0);
        }
        self.set_flag(sku.0, FLAG_FENCED, !empty);
        Ok(self.refresh_one_sku(sku.0))
    }

    /// Records `channel`'s sales velocity of `sku` (units per day), the
    /// weight under [`Split::Velocity`](crate::Split::Velocity). Stored in
    /// thousandths of a unit per day, rounded half away from zero; that is
    /// the one place a float enters.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for a key from elsewhere.
    pub fn set_velocity(
        &mut self,
        sku: SkuKey,
        channel: ChannelKey,
        units_per_day: Ratio,
    ) -> Result<Changes> {
        self.check_sku(sku)?;
        self.net.channel(channel)?;
        let n = self.net.channels.len();
        let v = self.velocity.entry(sku.0).or_insert_with(|| vec![0; n]);
        if let Some(slot) = v.get_mut(channel.index()) {
            *slot = milli_units(units_per_day);
        }
        self.set_flag(sku.0, FLAG_VELOCITY, true);
        Ok(self.refresh_one_sku(sku.0))
    }

    /// Declares `bundle` as a kit of `components` (SKU, units per
    /// bundle). A bundle holds no stock: a channel may advertise
    /// `min(floor(entitlement(component) / needed))` of it, and reserving
    /// one reserves its components.
    ///
    /// # Errors
    ///
    /// [`AllocError::InvalidBundle`] when there is no component, a
    /// component is a bundle, the bundle itself, repeated or needed zero
    /// times, or the bundle SKU already has stock, reservations or
    /// bundles built on it; [`AllocError::UnknownKey`] for a component key
    /// from elsewhere.
    pub fn define_bundle(
        &mut self,
        bundle: &Sku,
        components: &[(SkuKey, u32)],
    ) -> Result<(SkuKey, Changes)> {
        let bad = |reason| Err(AllocError::InvalidBundle { sku: bundle.clone(), reason });
        if components.is_empty() {
            return bad("has no component");
        }
        let existing = self.sku_key(bundle);
        for (i, &(c, need)) in components.iter().enumerate() {
            self.check_sku(c)?;
            if Some(c) == existing {
                return bad("lists itself as a component");
            }
            if self.is_bundle(c.0) {
                return bad("a component is itself a bundle");
            }
            if need == 0 {
                return bad("a component is needed zero times");
            }
            if components.get(..i).is_some_and(|before| before.iter().any(|&(d, _)| d == c)) {
                return bad("a component is listed twice");
            }
        }
        if let Some(k) = existing {
            let row = self.row(k.0);
            let holds = row.iter().any(|c| c.on_hand != 0 || c.reserved != 0)
                || self.flag(k.0) != 0
                || self.lines.iter().flatten().any(|r| r.sku == k.0);
            if holds {
                return bad("already has stock, settings, reservations or parents");
            }
        }
        let key = self.add_sku(bundle)?;
        self.bundles.insert(key.0, components.iter().map(|&(c, n)| (c.0, i64::from(n))).collect());
        self.defined.push(key.0);
        self.set_flag(key.0, FLAG_BUNDLE, true);
        for &(c, _) in components {
            let list = self.parents.entry(c.0).or_default();
            list.push(key.0);
            self.set_flag(c.0, FLAG_PARENT, true);
        }
        Ok((key, self.refresh_one_sku(key.0)))
    }

    /// Replaces a channel's publish rules and recomputes that channel for
    /// every SKU.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] or [`AllocError::InvalidRules`].
    pub fn set_rules(
        &mut self,
        channel: ChannelKey,
        rules: crate::PublishRules,
    ) -> Result<Changes> {
        let mut b = Network::builder();
        b.channel(self.net.channel(channel)?.id.clone(), rules)?;
        if let Some(ch) = self.net.channels.get_mut(channel.index()) {
            ch.rules = rules;
        }
        if let Some(shown) = self.shown.get_mut(channel.index()) {
            *shown = ShownRules::new(&rules);
        }
        Ok(self.recompute_all())
    }

    // ----- stock -----

    /// Loads every SKU's sellable stock from a [`StockView`] as of a day.
    /// Only [`Disposition::Sellable`] units at the network's locations
    /// count: reserved, inbound, in-transit and unsellable units never
    /// do. SKUs the view does not list, and locations it does not mention,
    /// are set to zero; unknown locations are ignored. A location's
    /// sellable units are summed over the view's positions there, and a
    /// negative sum (a ledger that lets a balance go below zero until a
    /// count trues it up) counts as zero: nothing there can be sold.
    ///
    /// The sum is exact, whatever order the positions come in: one that
    /// passes `i64::MAX` along the way and comes back into range loads
    /// as the true total.
    ///
    /// # Errors
    ///
    /// [`AllocError::StockOverflow`] naming the SKU and location when a
    /// location's sellable positions add up past `i64::MAX` units (never
    /// saturated to it); [`AllocError::WouldStrandReservations`] when a
    /// location would hold fewer units than are reserved there (a
    /// negative balance holds none); [`AllocError::BundleHasNoStock`]
    /// when the view gives a bundle sellable units (one listed with none
    /// loads). Nothing is loaded then.
    pub fn load(&mut self, view: &(impl StockView + ?Sized), as_of: NaiveDate) -> Result<Changes> {
        let n_loc = self.net.locations.len();
        let mut plan: Vec<(Sku, Vec<i64>)> = Vec::new();
        for sku in view.stock_skus() {
            // Summed in i128, exact for any 2^64 positions of i64 each,
            // so neither the order of the positions nor an intermediate
            // sum past the i64 range changes the result.
            let mut sums = vec![0i128; n_loc];
            for p in view.positions(&sku, as_of) {
                if p.disposition != Disposition::Sellable {
                    continue;
                }
                if let Some(l) = self.net.location_key(&p.location)
                    && let Some(slot) = sums.get_mut(l.index())
                {
                    *slot = slot.checked_add(i128::from(p.quantity.get())).ok_or_else(|| {
                        AllocError::StockOverflow { sku: sku.clone(), location: p.location.clone() }
                    })?;
                }
            }
            // Clamped once the positions are summed: a negative balance
            // holds nothing sellable.
            let mut levels = Vec::with_capacity(n_loc);
            for (l, &sum) in sums.iter().enumerate() {
                let level = i64::try_from(sum.max(0)).map_err(|_| AllocError::StockOverflow {
                    sku: sku.clone(),
                    location: self
                        .net
                        .locations
                        .get(l)
                        .cloned()
                        .unwrap_or_else(placeholder_location),
                })?;
                levels.push(level);
            }
            plan.push((sku, levels));
        }
        for (sku, levels) in &plan {
            if let Some(&k) = self.sku_index.get(sku) {
                // A view may list a kit SKU it knows with no stock; only
                // units of a bundle are refused.
                if self.is_bundle(k) && levels.iter().any(|&q| q != 0) {
                    return Err(AllocError::BundleHasNoStock { sku: sku.clone() });
                }
                self.check_levels(k, levels)?;
            }
        }
        let listed: BTreeSet<&Sku> = plan.iter().map(|(s, _)| s).collect();
        for k in 0..self.skus.len() {
            let unlisted = self.skus.get(k).is_some_and(|s| !listed.contains(s));
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            if unlisted && !self.is_bundle(k) {
                self.check_levels(k, &vec![0; n_loc])?;
            }
        }
        for k in 0..self.skus.len() {
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            for c in self.row_mut(k) {
                c.on_hand = 0;
            }
        }
        for (sku, levels) in &plan {
            let k = self.add_sku(sku)?.0;
            for (c, &q) in self.row_mut(k).iter_mut().zip(levels) {
                c.on_hand = q;
            }
        }
        Ok(self.recompute_all())
    }

    /// Applies a stock change from the ledger at one location.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`]; [`AllocError::BundleHasNoStock`] for a
    /// bundle; [`AllocError::BadQuantity`] for a negative amount or a
    /// level that would drop below zero; [`AllocError::Overflow`];
    /// [`AllocError::WouldStrandReservations`] when fewer units would be
    /// left than are reserved there (release or move those first).
    ///
    /// ```
    /// # use merchantry_allocate::*;
    /// # use merchantry_core::*;
    /// # let mut b = Network::builder();
    /// # let wh = b.location(LocationId::new("WH")?)?;
    /// # let pool = b.pool("wh", &[wh], Split::Shared)?;
    /// # let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
    /// # b.link(web, pool, Link::default())?;
    /// let mut alloc = Allocator::new(b.build()?);
    /// let mug = alloc.add_sku(&Sku::new("MUG")?)?;
    /// let changes = alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(12)))?;
    /// assert_eq!(changes.get(mug, web), Some(Quantity::new(12)));
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn stock_change(
        &mut self,
        sku: SkuKey,
        location: LocationKey,
        change: StockChange,
    ) -> Result<Changes> {
        let cell = self.cell_checked(sku, location)?;
        let name = || self.skus.get(sku.index()).cloned().unwrap_or_else(placeholder_sku);
        if self.is_bundle(sku.0) {
            return Err(AllocError::BundleHasNoStock { sku: name() });
        }
        let level = match change {
            StockChange::Add(q) | StockChange::Remove(q) if q.is_negative() => {
                return Err(negative("stock change", q, name()));
            }
            StockChange::Add(q) => cell.on_hand.checked_add(q.get()),
            StockChange::Remove(q) => cell.on_hand.checked_sub(q.get()),
            StockChange::Set(q) => Some(q.get()),
        }
        .ok_or_else(|| AllocError::Overflow { sku: name() })?;
        if level < 0 {
            return Err(negative("stock level", Quantity::new(level), name()));
        }
        if level < cell.reserved {
            return Err(AllocError::WouldStrandReservations {
                sku: name(),
                location: self.net.location(location)?.clone(),
                on_hand: level,
                reserved: cell.reserved,
            });
        }
        if level == cell.on_hand {
            return Ok(Changes::new());
        }
        if let Some(c) = self.cell_mut(sku.0, location.0) {
            c.on_hand = level;
        }
        Ok(self.refresh_one_sku(sku.0))
    }

    // ----- order lines -----

    /// Reserves an order's lines for `channel`, all or nothing (or line by
    /// line with [`ReserveOptions::partial`]).
    ///
    /// Where: a line goes whole to the first linked location that can
    /// hold it, ranked by link priority, then by *net* free units (on
    /// hand less reserved), then by location key. When no location can
    /// hold it whole, the line is split across locations in that ranking
    /// unless [`ReserveOptions::whole_lines`] forbids it. A bundle line
    /// reserves each component that way. When the whole order is checked
    /// at once, demand for the same SKU across lines (bundles expanded) is
    /// summed before any stock is taken.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`]; [`AllocError::NoLines`] for a request
    /// with no line; [`AllocError::BadQuantity`] for a
    /// quantity below one; [`AllocError::RepeatedLine`] for a line number
    /// twice in the request; [`AllocError::DuplicateLine`] for a line
    /// reserved before; [`AllocError::LocationNotLinked`] when
    /// [`ReserveOptions::location`] is not one the channel sells from;
    /// [`AllocError::Insufficient`] when not all lines fit (not with
    /// `partial`: refused lines are listed in [`Reserved::refused`]);
    /// [`AllocError::Overflow`] naming the SKU when the units an order
    /// asks of it (lines summed, bundles expanded) pass the 64-bit range,
    /// or, with `partial`, when one line's do.
    ///
    /// ```
    /// # use merchantry_allocate::*;
    /// # use merchantry_core::*;
    /// # let mut b = Network::builder();
    /// # let wh = b.location(LocationId::new("WH")?)?;
    /// # let pool = b.pool("wh", &[wh], Split::Shared)?;
    /// # let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
    /// # b.link(web, pool, Link::default())?;
    /// # let mut alloc = Allocator::new(b.build()?);
    /// # let mug = alloc.add_sku(&Sku::new("MUG")?)?;
    /// # alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(12)))?;
    /// let order = OrderId::new("112-0000001")?;
    /// let line = LineRequest::new(1, mug, Quantity::new(5));
    /// let done = alloc.reserve(&order, web, &[line], &ReserveOptions::default())?;
    /// assert_eq!(done.changes.get(mug, web), Some(Quantity::new(7)));
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn reserve(
        &mut self,
        order: &OrderId,
        channel: ChannelKey,
        lines: &[LineRequest],
        options: &ReserveOptions,
    ) -> Result<Reserved> {
        let hash = self.validate_request(order, channel, lines, options)?;
        if !options.partial && lines.len() > 1 {
            self.check_order_totals(order, channel, lines, options)?;
        }

        let mut pieces = std::mem::take(&mut self.scratch);
        pieces.clear();
        let mut refused = Vec::new();
        let mut bounds: Vec<(usize, usize)> = Vec::new();
        let mut single: Option<(usize, usize)> = None;
        for req in lines {
            let start = pieces.len();
            match self.place_line(order, channel, req, options, &mut pieces) {
                Ok(()) if lines.len() == 1 => single = Some((start, pieces.len())),
                Ok(()) => bounds.push((start, pieces.len())),
                Err(e) => {
                    self.unreserve(pieces.get(start..).unwrap_or(&[]));
                    pieces.truncate(start);
                    // Only want of stock is a refusal; anything else (a
                    // bundle line whose units overflow) refuses the order.
                    let short = matches!(e, AllocError::Insufficient { .. });
                    if !options.partial || !short {
                        self.unreserve(&pieces);
                        pieces.clear();
                        self.scratch = pieces;
                        return Err(e);
                    }
                    refused.push(Refusal::from_error(req.line, &e));
                    bounds.push((start, start));
                }
            }
        }

        let mut iter_bounds = single.into_iter().chain(bounds.iter().copied());
        for req in lines {
            let Some((a, b)) = iter_bounds.next() else { break };
            let Some(placed) = pieces.get(a..b).filter(|p| !p.is_empty()) else { continue };
            self.record_line(order, channel, req, options.expires_at, placed, hash);
        }
        // Built in place: the changes are large enough that moving them
        // into the result costs a copy.
        let mut done = Ok(Reserved { changes: Changes::new(), refused });
        if let Ok(d) = &mut done {
            self.refresh_pieces(&pieces, &mut d.changes);
        }
        pieces.clear();
        self.scratch = pieces;
        done
    }

    /// Marks a reserved line shipped: its units leave the stock where they
    /// were held. Committing a line already shipped (or returned) again
    /// does nothing.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownLine`]; [`AllocError::WrongState`] for a
    /// cancelled or expired line.
    pub fn commit(&mut self, order: &OrderId, line: u32) -> Result<Changes> {
        self.commit_inner(order, line, None)
    }

    /// As [`Allocator::commit`], for a shipment that left `location`:
    /// refused unless every unit of the line is reserved there, so a
    /// shipment from elsewhere must first
    /// [move](Allocator::move_reservation) the reservation.
    ///
    /// # Errors
    ///
    /// As [`Allocator::commit`], plus [`AllocError::NotReservedThere`].
    pub fn commit_at(
        &mut self,
        order: &OrderId,
        line: u32,
        location: LocationKey,
    ) -> Result<Changes> {
        self.net.location(location)?;
        self.commit_inner(order, line, Some(location))
    }

    /// Cancels a reserved line, freeing every unit it holds at every
    /// location. Cancelling a line already cancelled or expired does
    /// nothing.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownLine`]; [`AllocError::WrongState`] for a line
    /// that shipped (use [`Allocator::return_units`]).
    pub fn release(&mut self, order: &OrderId, line: u32) -> Result<Changes> {
        let slot = self.slot(order, line)?;
        let state = self.record(slot).map(|r| r.state);
        match state {
            Some(LineState::Reserved) => Ok(self.free_line(slot, LineState::Cancelled)),
            Some(LineState::Cancelled | LineState::Expired) => Ok(Changes::new()),
            Some(s) => Err(wrong(order, line, s, "cancel")),
            None => Err(unknown_line(order, line)),
        }
    }

    /// Records a return of `units` (bundles, for a bundle line) of a
    /// shipped line. A line takes any number of returns (a customer may
    /// send back part of an order and later the rest) as long as their
    /// units add up to at most what shipped; the first marks the line
    /// [`LineState::Returned`], and [`LineInfo::returned`] counts the
    /// units back so far.
    ///
    /// Sellable units go back to the locations the line shipped from: the
    /// line's shipped units are handed out in the order they were
    /// reserved, each return taking the next ones (sellable or not), so
    /// no location gets back more than shipped from it. Unsellable units
    /// change no stock here.
    ///
    /// Each call is a return of its own: the allocator cannot tell a
    /// retried call from a second parcel. A caller that may retry (a
    /// return report read twice) uses [`Allocator::return_units_once`]
    /// with the report's return id instead.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownLine`] (also for a line forgotten by a
    /// purge); [`AllocError::WrongState`] for a line that never shipped
    /// (a cancelled line has nothing to restock);
    /// [`AllocError::BadQuantity`] below one;
    /// [`AllocError::ReturnExceedsShipped`] past the units shipped less
    /// those already returned; [`AllocError::ReturnOverflow`] when a
    /// restock would take a location's stock past the 64-bit range,
    /// naming the component that overflows and the bundle ordered. A
    /// refused return changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use merchantry_allocate::{
    ///     Allocator, LineRequest, Link, Network, PublishRules, ReserveOptions, Restock, Split,
    ///     StockChange,
    /// };
    /// use merchantry_core::{ChannelId, LocationId, OrderId, Quantity, Sku};
    ///
    /// let mut b = Network::builder();
    /// let wh = b.location(LocationId::new("WH-1")?)?;
    /// let pool = b.pool("own", &[wh], Split::Shared)?;
    /// let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
    /// b.link(web, pool, Link::default())?;
    /// let mut alloc = Allocator::new(b.build()?);
    /// let mug = alloc.add_sku(&Sku::new("MUG")?)?;
    /// alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(5)))?;
    /// let order = OrderId::new("W-1")?;
    /// let lines = [LineRequest::new(1, mug, Quantity::new(5))];
    /// alloc.reserve(&order, web, &lines, &ReserveOptions::default())?;
    /// alloc.commit(&order, 1)?;
    ///
    /// // Two parcels come back: 2 units, then the other 3.
    /// alloc.return_units(&order, 1, Quantity::new(2), Restock::Sellable)?;
    /// alloc.return_units(&order, 1, Quantity::new(3), Restock::Sellable)?;
    /// assert_eq!(alloc.on_hand(mug, wh)?, Quantity::new(5));
    /// // All five are back: a sixth unit is refused.
    /// assert!(alloc.return_units(&order, 1, Quantity::new(1), Restock::Sellable).is_err());
    /// # Ok::<(), merchantry_allocate::AllocError>(())
    /// ```
    pub fn return_units(
        &mut self,
        order: &OrderId,
        line: u32,
        units: Quantity,
        restock: Restock,
    ) -> Result<Changes> {
        let slot = self.slot(order, line)?;
        let rec = self.record(slot).ok_or_else(|| unknown_line(order, line))?;
        match rec.state {
            LineState::Shipped | LineState::Returned => {}
            s => return Err(wrong(order, line, s, "return to stock")),
        }
        let sku_name = self.skus.get(rec.sku as usize).cloned().unwrap_or_else(placeholder_sku);
        if !units.is_positive() {
            return Err(AllocError::BadQuantity {
                what: "returned quantity",
                rule: "positive",
                value: units.get(),
                sku: sku_name,
            });
        }
        let remaining = rec.quantity.saturating_sub(rec.returned);
        if units.get() > remaining {
            return Err(AllocError::ReturnExceedsShipped {
                order: order.clone(),
                line,
                returned: units.get(),
                shipped: rec.quantity,
                already: rec.returned,
            });
        }
        let back = if restock == Restock::Sellable {
            self.restock_plan(rec, units.get())
        } else {
            Vec::new()
        };
        for p in &back {
            let on_hand = self.cell(p.sku, p.location).map_or(0, |c| c.on_hand);
            if on_hand.checked_add(p.units).is_none() {
                return Err(AllocError::ReturnOverflow {
                    order: order.clone(),
                    line,
                    ordered: sku_name,
                    sku: self.skus.get(p.sku as usize).cloned().unwrap_or_else(placeholder_sku),
                    location: self
                        .net
                        .locations
                        .get(usize::from(p.location))
                        .cloned()
                        .unwrap_or_else(placeholder_location),
                    units: p.units,
                });
            }
        }
        for p in &back {
            if let Some(c) = self.cell_mut(p.sku, p.location) {
                c.on_hand += p.units;
            }
        }
        if let Some(Some(r)) = self.lines.get_mut(slot as usize) {
            r.state = LineState::Returned;
            // At most `quantity`, checked above.
            r.returned += units.get();
        }
        let mut changes = Changes::new();
        self.refresh_pieces(&back, &mut changes);
        Ok(changes)
    }

    /// As [`Allocator::return_units`], once per `return_id`: the
    /// marketplace's id of the return, so a return report read twice
    /// restocks once.
    ///
    /// The first call with an id records the return under it (with the
    /// order, line, units and restock) and applies it. A later call with
    /// the same id and the same content is a duplicate: it changes
    /// nothing and says so in [`ReturnOutcome::duplicate`]. The same id
    /// with any other content is refused with
    /// [`AllocError::ReturnIdConflict`], naming what the id was recorded
    /// with. A refused return records no id, so it can be sent again once
    /// fixed. Recorded ids travel in snapshots and are forgotten with
    /// their line by a purge (a repeat then fails with
    /// [`AllocError::UnknownLine`]). Returns without an id and with one
    /// mix freely on one line; together they take at most what shipped.
    ///
    /// # Errors
    ///
    /// [`AllocError::ReturnIdConflict`]; otherwise as
    /// [`Allocator::return_units`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use merchantry_allocate::*;
    /// # use merchantry_core::*;
    /// # let mut b = Network::builder();
    /// # let wh = b.location(LocationId::new("WH")?)?;
    /// # let pool = b.pool("wh", &[wh], Split::Shared)?;
    /// # let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
    /// # b.link(web, pool, Link::default())?;
    /// # let mut alloc = Allocator::new(b.build()?);
    /// # let mug = alloc.add_sku(&Sku::new("MUG")?)?;
    /// # alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(5)))?;
    /// let order = OrderId::new("W-1")?;
    /// let line = [LineRequest::new(1, mug, Quantity::new(5))];
    /// alloc.reserve(&order, web, &line, &ReserveOptions::default())?;
    /// alloc.commit(&order, 1)?;
    ///
    /// let rma = ReturnId::new("RMA-7")?;
    /// let two = Quantity::new(2);
    /// let first = alloc.return_units_once(&rma, &order, 1, two, Restock::Sellable)?;
    /// assert!(!first.duplicate);
    /// // The report is read again: nothing more is restocked.
    /// let again = alloc.return_units_once(&rma, &order, 1, two, Restock::Sellable)?;
    /// assert!(again.duplicate && again.changes.is_empty());
    /// assert_eq!(alloc.on_hand(mug, wh)?, two);
    /// // The same id for another quantity is an error, not a second return.
    /// let three = Quantity::new(3);
    /// assert!(alloc.return_units_once(&rma, &order, 1, three, Restock::Sellable).is_err());
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn return_units_once(
        &mut self,
        return_id: &ReturnId,
        order: &OrderId,
        line: u32,
        units: Quantity,
        restock: Restock,
    ) -> Result<ReturnOutcome> {
        if let Some(e) = self.returns.get(return_id) {
            let same = e.order == *order
                && e.line == line
                && e.units == units.get()
                && e.restock == restock;
            if same {
                return Ok(ReturnOutcome { changes: Changes::new(), duplicate: true });
            }
            return Err(AllocError::ReturnIdConflict {
                return_id: return_id.clone(),
                order: e.order.clone(),
                line: e.line,
                units: e.units,
                restock: e.restock,
            });
        }
        let changes = self.return_units(order, line, units, restock)?;
        let entry = ReturnEntry { order: order.clone(), line, units: units.get(), restock };
        self.returns.insert(return_id.clone(), entry);
        Ok(ReturnOutcome { changes, duplicate: false })
    }

    /// Moves a reserved line to `location`, which must hold the line's
    /// full quantity of every SKU (beyond what it holds for the line
    /// already); otherwise nothing moves.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownLine`]; [`AllocError::WrongState`] unless the
    /// line is reserved; [`AllocError::LocationNotLinked`] when the line's
    /// channel does not sell from there; [`AllocError::Insufficient`] when
    /// the location cannot hold the full quantity.
    pub fn move_reservation(
        &mut self,
        order: &OrderId,
        line: u32,
        location: LocationKey,
    ) -> Result<Changes> {
        let slot = self.slot(order, line)?;
        let rec = self.record(slot).ok_or_else(|| unknown_line(order, line))?;
        if rec.state != LineState::Reserved {
            return Err(wrong(order, line, rec.state, "move"));
        }
        let loc_id = self.net.location(location)?.clone();
        let channel = rec.channel;
        if !self.net.is_linked(ChannelKey(channel), location) {
            let ch = self.net.channel(ChannelKey(channel))?.id.clone();
            return Err(AllocError::LocationNotLinked { channel: ch, location: loc_id });
        }
        let old: Vec<RawPiece> = rec.pieces.as_slice().to_vec();
        let mut moved: Vec<RawPiece> = Vec::new();
        for p in &old {
            match moved.iter_mut().find(|m| m.sku == p.sku) {
                Some(m) => m.units += p.units,
                None => moved.push(RawPiece { location: location.0, ..*p }),
            }
        }
        self.unreserve(&old);
        let pool = self.net.pool_of(location.0);
        for m in &moved {
            let free = self.cell(m.sku, location.0).map_or(0, |c| c.free());
            let budget = self.sellable_in_pool(m.sku, channel, pool);
            let available = free.min(budget);
            if available < m.units {
                self.reserve_raw(&old);
                return Err(AllocError::Insufficient {
                    order: order.clone(),
                    line,
                    channel: self.net.channel(ChannelKey(channel))?.id.clone(),
                    sku: self.skus.get(m.sku as usize).cloned().unwrap_or_else(placeholder_sku),
                    requested: m.units,
                    available,
                });
            }
        }
        self.reserve_raw(&moved);
        if let Some(Some(r)) = self.lines.get_mut(slot as usize) {
            r.pieces = Pieces::from_slice(&moved);
        }
        let mut changes = Changes::new();
        self.refresh_pieces(&old, &mut changes);
        changes.sort();
        Ok(changes)
    }

    /// Frees every reservation whose expiry is at or before `now`.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Changes {
        let mut freed: Vec<RawPiece> = Vec::new();
        while let Some(&(at, slot)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            if let Some(Some(r)) = self.lines.get_mut(slot as usize)
                && r.state == LineState::Reserved
            {
                r.state = LineState::Expired;
                freed.extend_from_slice(r.pieces.as_slice());
            }
        }
        self.unreserve(&freed);
        let mut changes = Changes::new();
        self.refresh_pieces(&freed, &mut changes);
        changes
    }

    /// Recomputes every channel of every SKU from scratch and returns the
    /// numbers that differ from those last published.
    pub fn recompute_all(&mut self) -> Changes {
        let mut changes = Changes::new();
        for k in 0..self.skus.len() {
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            self.refresh_sku(k, &mut changes);
        }
        changes.sort();
        changes
    }

    // ----- internals: lookup -----

    fn check_sku(&self, sku: SkuKey) -> Result<&Sku> {
        self.skus
            .get(sku.index())
            .ok_or_else(|| AllocError::UnknownKey { what: "sku", index: sku.index() })
    }

    fn flag(&self, sku: u32) -> u8 {
        self.flags.get(sku as usize).copied().unwrap_or(0)
    }

    fn set_flag(&mut self, sku: u32, flag: u8, on: bool) {
        if let Some(f) = self.flags.get_mut(sku as usize) {
            if on {
                *f |= flag;
            } else {
                *f &= !flag;
            }
        }
    }

    fn is_bundle(&self, sku: u32) -> bool {
        self.flag(sku) & FLAG_BUNDLE != 0
    }

    fn row(&self, sku: u32) -> &[Cell] {
        let n = self.net.locations.len();
        let start = sku as usize * n;
        self.stock.get(start..start + n).unwrap_or(&[])
    }

    fn row_mut(&mut self, sku: u32) -> &mut [Cell] {
        let n = self.net.locations.len();
        let start = sku as usize * n;
        self.stock.get_mut(start..start + n).unwrap_or(&mut [])
    }

    fn cell(&self, sku: u32, location: u16) -> Option<Cell> {
        self.row(sku).get(usize::from(location)).copied()
    }

    fn cell_mut(&mut self, sku: u32, location: u16) -> Option<&mut Cell> {
        self.row_mut(sku).get_mut(usize::from(location))
    }

    fn cell_checked(&self, sku: SkuKey, location: LocationKey) -> Result<Cell> {
        self.check_sku(sku)?;
        self.net.location(location)?;
        Ok(self.cell(sku.0, location.0).unwrap_or_default())
    }

    fn fences_of(&self, sku: u32) -> &[Fence] {
        if self.flag(sku) & FLAG_FENCED == 0 {
            return &[];
        }
        self.fences.get(&sku).map_or(&[], Vec::as_slice)
    }

    fn sellable_in_pool(&self, sku: u32, channel: u16, pool: u16) -> i64 {
        compute::sellable_in_pool(&self.net, self.row(sku), self.fences_of(sku), channel, pool)
    }

    fn slot(&self, order: &OrderId, line: u32) -> Result<u32> {
        let hash = self.line_index.hash(order, line);
        self.line_index
            .find(&self.lines, hash, order, line)
            .ok_or_else(|| unknown_line(order, line))
    }

    fn record(&self, slot: u32) -> Option<&LineRecord> {
        self.lines.get(slot as usize).and_then(Option::as_ref)
    }

    fn check_levels(&self, sku: u32, levels: &[i64]) -> Result<()> {
        for (l, (cell, &q)) in self.row(sku).iter().zip(levels).enumerate() {
            if q < cell.reserved {
                let location = self.net.locations.get(l).cloned();
                let sku = self.skus.get(sku as usize).cloned().unwrap_or_else(placeholder_sku);
                return Err(AllocError::WouldStrandReservations {
                    sku,
                    location: location.unwrap_or_else(placeholder_location),
                    on_hand: q,
                    reserved: cell.reserved,
                });
            }
        }
        Ok(())
    }

    // ----- internals: computing what to show -----

    /// Writes each channel's entitlement to `out`, which must hold zeros
    /// on entry (slots past the last channel stay zero).
    fn entitlements_into(&self, sku: u32, out: &mut PerChannel) {
        if !self.is_bundle(sku) {
            self.plain_entitlements_into(sku, out);
            return;
        }
        let Some(components) = self.bundles.get(&sku) else { return };
        let n = self.net.channels.len();
        out.iter_mut().take(n).for_each(|v| *v = i64::MAX);
        for &(c, need) in components {
            // Components are plain SKUs (a bundle of bundles is refused
            // when defined and when loaded), so this never recurses.
            let mut part = [0; MAX_CHANNELS];
            self.plain_entitlements_into(c, &mut part);
            for (o, &p) in out.iter_mut().zip(&part).take(n) {
                *o = (*o).min(p.max(0) / need.max(1));
            }
        }
    }

    /// [`Allocator::entitlements_into`] for a SKU taken as plain stock.
    fn plain_entitlements_into(&self, sku: u32, out: &mut PerChannel) {
        let velocity = if self.flag(sku) & FLAG_VELOCITY == 0 {
            None
        } else {
            self.velocity.get(&sku).map(Vec::as_slice)
        };
        compute::entitlements(
            &self.net,
            &self.tables,
            self.row(sku),
            self.fences_of(sku),
            velocity,
            out,
        );
    }

    /// Recomputes one SKU's channels, pushing those that changed.
    fn refresh_sku(&mut self, sku: u32, out: &mut Changes) {
        let mut ent = [0; MAX_CHANNELS];
        self.entitlements_into(sku, &mut ent);
        let n = self.net.channels.len();
        let start = sku as usize * n;
        let Some(row) = self.advertised.get_mut(start..start + n) else { return };
        for (c, ((slot, rules), &e)) in row.iter_mut().zip(&self.shown).zip(&ent).enumerate() {
            let shown = rules.apply(e);
            if *slot != shown {
                *slot = shown;
                out.push(ChannelUpdate {
                    sku: SkuKey(sku),
                    channel: ChannelKey(u16::try_from(c).unwrap_or(u16::MAX)),
                    quantity: Quantity::new(shown),
                });
            }
        }
    }

    /// Recomputes a SKU and every bundle built on it.
    fn refresh_with_parents(&mut self, sku: u32, out: &mut Changes) {
        self.refresh_sku(sku, out);
        if self.flag(sku) & FLAG_PARENT == 0 {
            return;
        }
        let count = self.parents.get(&sku).map_or(0, Vec::len);
        for i in 0..count {
            if let Some(&b) = self.parents.get(&sku).and_then(|v| v.get(i)) {
                self.refresh_sku(b, out);
            }
        }
    }

    fn refresh_one_sku(&mut self, sku: u32) -> Changes {
        let mut changes = Changes::new();
        self.refresh_with_parents(sku, &mut changes);
        changes.sort();
        changes
    }

    /// Recomputes every SKU named in `pieces` (each once).
    fn refresh_pieces(&mut self, pieces: &[RawPiece], out: &mut Changes) {
        for (i, p) in pieces.iter().enumerate() {
            let seen = pieces.get(..i).is_some_and(|before| before.iter().any(|q| q.sku == p.sku));
            if !seen {
                self.refresh_with_parents(p.sku, out);
            }
        }
        out.sort();
    }

    // ----- internals: reserving -----

    /// Checks a request; for a one-line request returns its key's hash
    /// in the line index, for recording the line without hashing again.
    fn validate_request(
        &self,
        order: &OrderId,
        channel: ChannelKey,
        lines: &[LineRequest],
        options: &ReserveOptions,
    ) -> Result<Option<u64>> {
        let ch = self.net.channel(channel)?;
        if lines.is_empty() {
            return Err(AllocError::NoLines { order: order.clone() });
        }
        if let Some(l) = options.location {
            let id = self.net.location(l)?;
            if !self.net.is_linked(channel, l) {
                return Err(AllocError::LocationNotLinked {
                    channel: ch.id.clone(),
                    location: id.clone(),
                });
            }
        }
        let mut last_hash = 0;
        for (i, req) in lines.iter().enumerate() {
            let sku = self.check_sku(req.sku)?;
            if !req.quantity.is_positive() {
                return Err(AllocError::BadQuantity {
                    what: "order line quantity",
                    rule: "positive",
                    value: req.quantity.get(),
                    sku: sku.clone(),
                });
            }
            if lines.get(..i).is_some_and(|b| b.iter().any(|r| r.line == req.line)) {
                return Err(AllocError::RepeatedLine { order: order.clone(), line: req.line });
            }
            let hash = self.line_index.hash(order, req.line);
            if self.line_index.find(&self.lines, hash, order, req.line).is_some() {
                return Err(AllocError::DuplicateLine { order: order.clone(), line: req.line });
            }
            last_hash = hash;
        }
        Ok((lines.len() == 1).then_some(last_hash))
    }

    /// Sums demand per plain SKU over every line (bundles expanded) and
    /// refuses the order when any total exceeds what the channel can
    /// reserve, before any unit is taken.
    fn check_order_totals(
        &self,
        order: &OrderId,
        channel: ChannelKey,
        lines: &[LineRequest],
        options: &ReserveOptions,
    ) -> Result<()> {
        // A total past the 64-bit range is an overflow naming the SKU,
        // never a saturated figure reported as what a line asked for.
        let overflow = |sku: u32| AllocError::Overflow {
            sku: self.skus.get(sku as usize).cloned().unwrap_or_else(placeholder_sku),
        };
        let mut totals: BTreeMap<u32, (i64, u32)> = BTreeMap::new();
        let mut add = |sku: u32, units: Option<i64>, line: u32| {
            let slot = totals.entry(sku).or_insert((0, line));
            slot.0 = units.and_then(|u| slot.0.checked_add(u)).ok_or_else(|| overflow(sku))?;
            Ok::<(), AllocError>(())
        };
        for req in lines {
            let q = req.quantity.get();
            match self.bundles.get(&req.sku.0) {
                Some(comps) => {
                    for &(c, need) in comps {
                        add(c, q.checked_mul(need), req.line)?;
                    }
                }
                None => add(req.sku.0, Some(q), req.line)?,
            }
        }
        for (sku, (requested, line)) in totals {
            let available = self.reservable(sku, channel.0, options.location);
            if requested > available {
                return Err(AllocError::Insufficient {
                    order: order.clone(),
                    line,
                    channel: self.net.channel(channel)?.id.clone(),
                    sku: self.skus.get(sku as usize).cloned().unwrap_or_else(placeholder_sku),
                    requested,
                    available,
                });
            }
        }
        Ok(())
    }

    /// Units of a plain SKU the channel could take in total (at one
    /// location when `only` is set).
    fn reservable(&self, sku: u32, channel: u16, only: Option<LocationKey>) -> i64 {
        let Some(ch) = self.net.channels.get(usize::from(channel)) else { return 0 };
        if let Some(l) = only {
            let free = self.cell(sku, l.0).map_or(0, Cell::free);
            return free.min(self.sellable_in_pool(sku, channel, self.net.pool_of(l.0)));
        }
        let mut total = 0i64;
        for &(p, _) in &ch.pools {
            total = total.saturating_add(self.sellable_in_pool(sku, channel, p));
        }
        total
    }

    /// Reserves one line (each component for a bundle), appending its
    /// pieces. On error the pieces appended so far stay reserved: the
    /// caller rolls them back.
    fn place_line(
        &mut self,
        order: &OrderId,
        channel: ChannelKey,
        req: &LineRequest,
        options: &ReserveOptions,
        pieces: &mut Vec<RawPiece>,
    ) -> Result<()> {
        let q = req.quantity.get();
        if !self.is_bundle(req.sku.0) {
            return self.place_units(order, channel, req.line, req.sku.0, q, options, pieces);
        }
        let count = self.bundles.get(&req.sku.0).map_or(0, Vec::len);
        for i in 0..count {
            let Some(&(c, need)) = self.bundles.get(&req.sku.0).and_then(|v| v.get(i)) else {
                break;
            };
            let units = q.checked_mul(need).ok_or_else(|| AllocError::Overflow {
                sku: self.skus.get(c as usize).cloned().unwrap_or_else(placeholder_sku),
            })?;
            self.place_units(order, channel, req.line, c, units, options, pieces)?;
        }
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "private step with one caller")]
    fn place_units(
        &mut self,
        order: &OrderId,
        channel: ChannelKey,
        line: u32,
        sku: u32,
        units: i64,
        options: &ReserveOptions,
        pieces: &mut Vec<RawPiece>,
    ) -> Result<()> {
        let start = pieces.len();
        match self.plan_units(channel, sku, units, options, pieces) {
            Ok(()) => {
                for i in start..pieces.len() {
                    if let Some(&p) = pieces.get(i) {
                        self.reserve_raw(&[p]);
                    }
                }
                Ok(())
            }
            Err(available) => {
                pieces.truncate(start);
                Err(AllocError::Insufficient {
                    order: order.clone(),
                    line,
                    channel: self.net.channel(channel)?.id.clone(),
                    sku: self.skus.get(sku as usize).cloned().unwrap_or_else(placeholder_sku),
                    requested: units,
                    available,
                })
            }
        }
    }

    /// Chooses where `units` of a plain SKU go for `channel`, appending
    /// the pieces; on failure returns the units that could be placed.
    fn plan_units(
        &self,
        channel: ChannelKey,
        sku: u32,
        units: i64,
        options: &ReserveOptions,
        pieces: &mut Vec<RawPiece>,
    ) -> std::result::Result<(), i64> {
        let Some(ch) = self.net.channels.get(channel.index()) else { return Err(0) };
        let mut budget = [0i64; MAX_POOLS];
        for &(p, _) in &ch.pools {
            if let Some(b) = budget.get_mut(usize::from(p)) {
                *b = self.sellable_in_pool(sku, channel.0, p);
            }
        }
        let budget_of = |b: &[i64; MAX_POOLS], l: u16| {
            let p = self.net.pool_of(l);
            if p == NO_POOL { 0 } else { b.get(usize::from(p)).copied().unwrap_or(0) }
        };
        let row = self.row(sku);
        let free_at = |l: u16| row.get(usize::from(l)).map_or(0, |c| c.free());

        // Whole: best by (priority, most net free, location key).
        let mut best: Option<(u32, i64, u16)> = None;
        let mut best_single = 0i64;
        for &(l, prio) in &ch.locations {
            if options.location.is_some_and(|only| only.0 != l) {
                continue;
            }
            let free = free_at(l);
            let can = free.min(budget_of(&budget, l));
            best_single = best_single.max(can);
            if can >= units && best.is_none_or(|(bp, bf, _)| prio < bp || (prio == bp && free > bf))
            {
                best = Some((prio, free, l));
            }
        }
        if let Some((_, _, l)) = best {
            pieces.push(RawPiece { sku, location: l, units });
            return Ok(());
        }
        if options.whole_lines || options.location.is_some() {
            return Err(best_single);
        }

        // Split: same ranking, taking what each location and pool allow.
        let mut ranked: Vec<(u32, i64, u16)> =
            ch.locations.iter().map(|&(l, prio)| (prio, free_at(l), l)).collect();
        ranked.sort_by_key(|&(prio, free, l)| (prio, std::cmp::Reverse(free), l));
        let start = pieces.len();
        let mut left = units;
        for (_, free, l) in ranked {
            let take = left.min(free).min(budget_of(&budget, l));
            if take <= 0 {
                continue;
            }
            if let Some(b) = budget.get_mut(usize::from(self.net.pool_of(l))) {
                *b -= take;
            }
            left -= take;
            pieces.push(RawPiece { sku, location: l, units: take });
            if left == 0 {
                return Ok(());
            }
        }
        pieces.truncate(start);
        Err(units - left)
    }

    fn reserve_raw(&mut self, pieces: &[RawPiece]) {
        for p in pieces {
            if let Some(c) = self.cell_mut(p.sku, p.location) {
                c.reserved += p.units;
            }
        }
    }

    fn unreserve(&mut self, pieces: &[RawPiece]) {
        for p in pieces {
            if let Some(c) = self.cell_mut(p.sku, p.location) {
                c.reserved -= p.units;
            }
        }
    }

    fn record_line(
        &mut self,
        order: &OrderId,
        channel: ChannelKey,
        req: &LineRequest,
        expires_at: Option<DateTime<Utc>>,
        placed: &[RawPiece],
        hash: Option<u64>,
    ) {
        let hash = hash.unwrap_or_else(|| self.line_index.hash(order, req.line));
        let rec = LineRecord {
            order: order.clone(),
            line: req.line,
            sku: req.sku.0,
            channel: channel.0,
            quantity: req.quantity.get(),
            state: LineState::Reserved,
            expires_at,
            pieces: Pieces::from_slice(placed),
            returned: 0,
        };
        let slot = match self.vacant.pop() {
            Some(s) => {
                if let Some(cell) = self.lines.get_mut(s as usize) {
                    *cell = Some(rec);
                }
                s
            }
            None => {
                let s = u32::try_from(self.lines.len()).unwrap_or(u32::MAX);
                self.lines.push(Some(rec));
                s
            }
        };
        self.line_index.insert(&self.lines, hash, slot);
        if let Some(at) = expires_at {
            self.expiry.insert((at, slot));
        }
    }

    fn commit_inner(
        &mut self,
        order: &OrderId,
        line: u32,
        at: Option<LocationKey>,
    ) -> Result<Changes> {
        let slot = self.slot(order, line)?;
        let rec = self.record(slot).ok_or_else(|| unknown_line(order, line))?;
        match rec.state {
            LineState::Reserved => {}
            LineState::Shipped | LineState::Returned => return Ok(Changes::new()),
            s => return Err(wrong(order, line, s, "ship")),
        }
        if let Some(l) = at
            && rec.pieces.as_slice().iter().any(|p| p.location != l.0)
        {
            return Err(AllocError::NotReservedThere {
                order: order.clone(),
                line,
                location: self.net.location(l)?.clone(),
            });
        }
        let mut changes = Changes::new();
        let Some(Some(rec)) = self.lines.get_mut(slot as usize) else { return Ok(changes) };
        rec.state = LineState::Shipped;
        let expires_at = rec.expires_at;
        let mut pieces = std::mem::take(&mut self.scratch);
        pieces.clear();
        pieces.extend_from_slice(rec.pieces.as_slice());
        if let Some(at) = expires_at {
            self.expiry.remove(&(at, slot));
        }
        let mut moved = false;
        for p in &pieces {
            if let Some(c) = self.cell_mut(p.sku, p.location) {
                let was = c.free();
                c.reserved -= p.units;
                c.on_hand -= p.units;
                moved |= c.free() != was;
            }
        }
        // A SKU's numbers depend on its cells only through their free
        // units (on hand less reserved). A shipment takes the same units
        // off both, so unless a free count moved no channel's number, nor
        // a bundle's, can change, and the recompute is skipped.
        if moved {
            self.refresh_pieces(&pieces, &mut changes);
        }
        pieces.clear();
        self.scratch = pieces;
        Ok(changes)
    }

    /// Frees a reserved line's units and closes it with `state`.
    fn free_line(&mut self, slot: u32, state: LineState) -> Changes {
        let mut changes = Changes::new();
        let Some(Some(rec)) = self.lines.get_mut(slot as usize) else { return changes };
        rec.state = state;
        let expires_at = rec.expires_at;
        let mut pieces = std::mem::take(&mut self.scratch);
        pieces.clear();
        pieces.extend_from_slice(rec.pieces.as_slice());
        if let Some(at) = expires_at {
            self.expiry.remove(&(at, slot));
        }
        self.unreserve(&pieces);
        self.refresh_pieces(&pieces, &mut changes);
        pieces.clear();
        self.scratch = pieces;
        changes
    }

    /// Where the units of a return go. Each SKU's shipped units are
    /// lined up in the order of the line's pieces; the units earlier
    /// returns took (`rec.returned` times the units per bundle) are
    /// skipped and the next `units` (times the units per bundle) go back
    /// to the pieces they came from, so over all returns no piece gets
    /// back more than it held.
    fn restock_plan(&self, rec: &LineRecord, units: i64) -> Vec<RawPiece> {
        // Per SKU: (sku, units still to skip, units to restock).
        let per = |need: i64| (rec.returned.saturating_mul(need), units.saturating_mul(need));
        let mut per_sku: Vec<(u32, i64, i64)> = match self.bundles.get(&rec.sku) {
            Some(comps) => comps
                .iter()
                .map(|&(c, need)| {
                    let (skip, take) = per(need);
                    (c, skip, take)
                })
                .collect(),
            None => vec![(rec.sku, rec.returned, units)],
        };
        let mut out = Vec::new();
        for p in rec.pieces.as_slice() {
            if let Some((_, skip, want)) = per_sku.iter_mut().find(|(s, _, _)| *s == p.sku) {
                let skipped = (*skip).min(p.units);
                *skip -= skipped;
                let take = (*want).min(p.units - skipped);
                if take > 0 {
                    *want -= take;
                    out.push(RawPiece { units: take, ..*p });
                }
            }
        }
        out
    }
}

fn info(r: &LineRecord) -> LineInfo {
    LineInfo {
        order: r.order.clone(),
        line: r.line,
        sku: SkuKey(r.sku),
        channel: ChannelKey(r.channel),
        quantity: Quantity::new(r.quantity),
        state: r.state,
        expires_at: r.expires_at,
        pieces: r
            .pieces
            .as_slice()
            .iter()
            .map(|p| Piece {
                sku: SkuKey(p.sku),
                location: LocationKey(p.location),
                units: Quantity::new(p.units),
            })
            .collect(),
        returned: Quantity::new(r.returned),
    }
}

/// The largest velocity stored, in thousandths of a unit per day.
#[cfg(feature = "serde")]
const MAX_MILLI_UNITS: u64 = 1_000_000_000_000_000;

fn milli_units(r: Ratio) -> u64 {
    let scaled = (r.get() * 1000.0).round().clamp(0.0, 1e15);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to [0, 1e15] just above, well inside u64"
    )]
    let v = scaled as u64;
    v
}

fn negative(what: &'static str, q: Quantity, sku: Sku) -> AllocError {
    AllocError::BadQuantity { what, rule: "zero or more", value: q.get(), sku }
}

fn wrong(order: &OrderId, line: u32, state: LineState, action: &'static str) -> AllocError {
    AllocError::WrongState { order: order.clone(), line, state, action }
}

fn unknown_line(order: &OrderId, line: u32) -> AllocError {
    AllocError::UnknownLine { order: order.clone(), line }
}

/// A stand-in for a name behind a key that was checked already; only
/// reached if an internal invariant breaks.
fn placeholder_sku() -> Sku {
    #[expect(clippy::expect_used, reason = "a constant, valid sku id")]
    Sku::new("?").expect("\"?\" is a valid sku id")
}

/// As [`placeholder_sku`], for locations.
fn placeholder_location() -> merchantry_core::LocationId {
    #[expect(clippy::expect_used, reason = "a constant, valid location id")]
    merchantry_core::LocationId::new("?").expect("\"?\" is a valid location id")
}

impl fmt::Display for Allocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "allocator: {} skus, {} channels, {} locations, {} lines",
            self.skus.len(),
            self.net.channels.len(),
            self.net.locations.len(),
            self.line_index.len()
        )
    }
}
