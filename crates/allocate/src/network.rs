//! The shape a seller sells through: locations, pools, channels and the
//! rules each channel publishes by.
//!
//! A [`Network`] is fixed once built; every SKU in an
//! [`Allocator`](crate::Allocator) shares it. Names are interned into
//! dense keys ([`LocationKey`], [`PoolKey`], [`ChannelKey`]) so the hot
//! paths index vectors instead of hashing strings.

use merchantry_core::{ChannelId, LocationId, Quantity};

use crate::error::{AllocError, Result};

/// The most channels one network may have.
pub const MAX_CHANNELS: usize = 32;
/// The most pools one network may have.
pub const MAX_POOLS: usize = 32;
/// The most locations one network may have.
pub const MAX_LOCATIONS: usize = 1024;

macro_rules! define_key {
    ($(#[$meta:meta])* $name:ident, $inner:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub struct $name(pub(crate) $inner);

        impl $name {
            /// The dense index behind the key (0, 1, 2, ... in the order
            /// of declaration).
            #[must_use]
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

define_key!(
    /// A location interned in a [`Network`].
    LocationKey,
    u16
);
define_key!(
    /// A pool interned in a [`Network`].
    PoolKey,
    u16
);
define_key!(
    /// A channel interned in a [`Network`]. Channel keys follow the order
    /// the channels were declared in, which is also the order of every
    /// change list.
    ChannelKey,
    u16
);
define_key!(
    /// A SKU interned in an [`Allocator`](crate::Allocator), in the order
    /// SKUs were first seen.
    SkuKey,
    u32
);

/// How a pool's contested stock (what is left after ring fences) is
/// divided among the channels linked to it, for advertising.
///
/// Splits decide what each channel *advertises*; they are a partition of
/// the units free *now*, recomputed after every event, not a quota over
/// time. Reservations are checked against the physical free stock less
/// other channels' ring fences, so a channel whose buyer orders one more
/// than it advertised (a stale listing) is still served while units exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Split {
    /// Every linked channel sees all contested units (the usual
    /// "shared pool": the advertised numbers overlap and the first order
    /// wins; reservations still never double-sell).
    #[default]
    Shared,
    /// Channels take contested units in link-priority order (lowest
    /// [`Link::priority`] first, ties by channel key), each up to its
    /// [`Link::claim_limit`] (no limit: it takes the rest).
    Priority,
    /// Contested units are divided in proportion to [`Link::share`], each
    /// channel's part rounded down and the units left over handed one by
    /// one to the largest remainders (ties: priority order). The parts sum
    /// to the contested units exactly.
    Shares,
    /// As [`Split::Shares`] with each channel's sales velocity of the SKU
    /// as its weight (see
    /// [`Allocator::set_velocity`](crate::Allocator::set_velocity)).
    /// A SKU with no velocity recorded on any linked channel splits
    /// equally.
    ///
    /// A channel whose recorded velocity is zero while another's is not
    /// gets no contested units, so it advertises none and cannot start
    /// selling (a new channel stays at zero). Give such a channel a ring
    /// fence ([`Allocator::set_ring_fence`](crate::Allocator::set_ring_fence))
    /// or a small starting velocity until it has sales of its own.
    Velocity,
}

/// How a channel is linked to a pool.
///
/// Defaults: priority 0, share 1, no claim limit.
///
/// ```
/// use merchantry_allocate::Link;
/// use merchantry_core::Quantity;
/// let link = Link::default().with_priority(2).with_claim_limit(Quantity::new(10));
/// assert_eq!(link.priority, 2);
/// assert_eq!(link.share, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Link {
    /// Lower is preferred: the order for [`Split::Priority`] and the first
    /// key when choosing where to reserve.
    pub priority: u32,
    /// The weight under [`Split::Shares`].
    pub share: u32,
    /// Under [`Split::Priority`], the most contested units this channel
    /// takes before the next channel's turn.
    pub claim_limit: Option<Quantity>,
}

impl Default for Link {
    fn default() -> Self {
        Self { priority: 0, share: 1, claim_limit: None }
    }
}

impl Link {
    /// Sets [`Link::priority`].
    #[must_use]
    pub const fn with_priority(mut self, priority: u32) -> Self {
        self.priority = priority;
        self
    }

    /// Sets [`Link::share`].
    #[must_use]
    pub const fn with_share(mut self, share: u32) -> Self {
        self.share = share;
        self
    }

    /// Sets [`Link::claim_limit`].
    #[must_use]
    pub const fn with_claim_limit(mut self, limit: Quantity) -> Self {
        self.claim_limit = Some(limit);
        self
    }
}

/// What a channel shows, given the units it may sell.
///
/// The rules apply in this fixed order to the channel's entitlement `e`
/// (its ring-fenced units plus its part of the contested units):
///
/// 1. **buffer**: `a = max(e - buffer, 0)`;
/// 2. **percent**: `a = floor(a * percent / 100)`;
/// 3. **zero at or below**: if `a <= n`, `a = 0`;
/// 4. **max shown**: `a = min(a, max)`;
/// 5. **min shown**: `a = max(a, min)`.
///
/// The threshold looks at what the channel *would* show after the buffer
/// and percentage, before the cap, so a cap below the threshold does not
/// silence a channel that has plenty. The minimum comes last because it
/// is the seller's explicit opt-in to oversell: it shows `min` even with
/// no stock, and reservations beyond real stock are still refused.
///
/// Defaults: buffer 0, percent 100, no threshold, no cap, no minimum,
/// which shows the entitlement as it is.
///
/// ```
/// use merchantry_allocate::PublishRules;
/// use merchantry_core::Quantity;
/// let rules = PublishRules::default()
///     .with_buffer(Quantity::new(2))
///     .with_percent(50)
///     .with_max_shown(Quantity::new(10));
/// // 25 - 2 = 23; 23 * 50 / 100 = 11.5 -> 11; capped at 10.
/// assert_eq!(rules.apply(Quantity::new(25)), Quantity::new(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PublishRules {
    /// Units held back.
    pub buffer: Quantity,
    /// The percentage of what is left that is shown, 0 to 100.
    pub percent: u8,
    /// Show zero when the figure is at or below this.
    pub zero_at_or_below: Option<Quantity>,
    /// The most ever shown.
    pub max_shown: Option<Quantity>,
    /// The least ever shown: an opt-in to oversell.
    pub min_shown: Option<Quantity>,
}

impl Default for PublishRules {
    fn default() -> Self {
        Self {
            buffer: Quantity::ZERO,
            percent: 100,
            zero_at_or_below: None,
            max_shown: None,
            min_shown: None,
        }
    }
}

impl PublishRules {
    /// Sets [`PublishRules::buffer`].
    #[must_use]
    pub const fn with_buffer(mut self, buffer: Quantity) -> Self {
        self.buffer = buffer;
        self
    }

    /// Sets [`PublishRules::percent`].
    #[must_use]
    pub const fn with_percent(mut self, percent: u8) -> Self {
        self.percent = percent;
        self
    }

    /// Sets [`PublishRules::zero_at_or_below`].
    #[must_use]
    pub const fn with_zero_at_or_below(mut self, n: Quantity) -> Self {
        self.zero_at_or_below = Some(n);
        self
    }

    /// Sets [`PublishRules::max_shown`].
    #[must_use]
    pub const fn with_max_shown(mut self, max: Quantity) -> Self {
        self.max_shown = Some(max);
        self
    }

    /// Sets [`PublishRules::min_shown`].
    #[must_use]
    pub const fn with_min_shown(mut self, min: Quantity) -> Self {
        self.min_shown = Some(min);
        self
    }

    /// The quantity shown for an entitlement, by the order documented on
    /// the type. A negative entitlement counts as zero.
    #[must_use]
    pub fn apply(&self, entitlement: Quantity) -> Quantity {
        Quantity::new(self.apply_units(entitlement.get()))
    }

    pub(crate) fn apply_units(&self, entitlement: i64) -> i64 {
        let mut a = entitlement.max(0).saturating_sub(self.buffer.get()).max(0);
        if self.percent < 100 {
            // `a >= 0`: unsigned 64-bit arithmetic when the product fits
            // (below 1.8e17 units), 128-bit otherwise; `a * p / 100 <= a`.
            let units = a.unsigned_abs();
            let share = match units.checked_mul(u64::from(self.percent)) {
                Some(product) => u128::from(product / 100),
                None => u128::from(units) * u128::from(self.percent) / 100,
            };
            a = i64::try_from(share).unwrap_or(a);
        }
        // Absent rules as neutral bounds: nothing is at or below -1, and
        // every figure lies within [i64::MIN, i64::MAX].
        if a <= self.zero_at_or_below.map_or(-1, Quantity::get) {
            a = 0;
        }
        a = a.min(self.max_shown.map_or(i64::MAX, Quantity::get));
        a.max(self.min_shown.map_or(i64::MIN, Quantity::get))
    }

    fn validate(&self, channel: &ChannelId) -> Result<()> {
        let bad = |reason| Err(AllocError::InvalidRules { channel: channel.clone(), reason });
        if self.buffer.is_negative() {
            return bad("buffer is negative");
        }
        if self.percent > 100 {
            return bad("percent is above 100");
        }
        if self.zero_at_or_below.is_some_and(Quantity::is_negative) {
            return bad("zero-at-or-below threshold is negative");
        }
        if self.max_shown.is_some_and(Quantity::is_negative) {
            return bad("max shown is negative");
        }
        if self.min_shown.is_some_and(Quantity::is_negative) {
            return bad("min shown is negative");
        }
        if let (Some(min), Some(max)) = (self.min_shown, self.max_shown)
            && min > max
        {
            return bad("min shown is above max shown");
        }
        Ok(())
    }
}

/// A channel's [`PublishRules`] laid out for the per-event recompute:
/// absent bounds stored as their neutral values (nothing is at or below
/// -1; every figure lies within `[i64::MIN, i64::MAX]`), so showing a
/// figure reads plain numbers. Gives exactly
/// [`PublishRules::apply_units`].
///
/// Every step of the rules is non-decreasing in the entitlement (a
/// subtraction, a rounded-down percentage, a threshold below which the
/// figure drops to zero, two clamps), so once the figure reaches what
/// the largest entitlement shows it stays there: from `saturated_from`
/// on the answer is `top` without any arithmetic. With a cap
/// (`max_shown`) that is every entitlement past the cap and buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShownRules {
    buffer: i64,
    percent: u64,
    zero_at_or_below: i64,
    max_shown: i64,
    min_shown: i64,
    /// The least entitlement that shows `top`.
    saturated_from: i64,
    /// What the largest entitlement shows.
    top: i64,
}

impl ShownRules {
    pub(crate) fn new(rules: &PublishRules) -> Self {
        let mut r = Self {
            buffer: rules.buffer.get(),
            percent: u64::from(rules.percent),
            zero_at_or_below: rules.zero_at_or_below.map_or(-1, Quantity::get),
            max_shown: rules.max_shown.map_or(i64::MAX, Quantity::get),
            min_shown: rules.min_shown.map_or(i64::MIN, Quantity::get),
            saturated_from: i64::MAX,
            top: 0,
        };
        r.top = r.steps(i64::MAX);
        r.saturated_from = if r.steps(0) == r.top {
            // Negative entitlements count as zero: all show `top`.
            i64::MIN
        } else {
            // Bisect for the least entitlement showing `top`:
            // `steps(low) != top == steps(high)` throughout.
            let (mut low, mut high) = (0i64, i64::MAX);
            while high - low > 1 {
                let mid = low + (high - low) / 2;
                if r.steps(mid) == r.top {
                    high = mid;
                } else {
                    low = mid;
                }
            }
            high
        };
        r
    }

    /// The rules of every channel of `net`, in channel order.
    pub(crate) fn of(net: &Network) -> Vec<Self> {
        net.channels.iter().map(|c| Self::new(&c.rules)).collect()
    }

    /// As [`PublishRules::apply_units`].
    #[inline]
    pub(crate) fn apply(&self, entitlement: i64) -> i64 {
        if entitlement >= self.saturated_from { self.top } else { self.steps(entitlement) }
    }

    /// As [`PublishRules::apply_units`], step for step.
    #[inline]
    fn steps(&self, entitlement: i64) -> i64 {
        let mut a = entitlement.max(0).saturating_sub(self.buffer).max(0);
        if self.percent < 100 {
            let units = a.unsigned_abs();
            let share = match units.checked_mul(self.percent) {
                Some(product) => u128::from(product / 100),
                None => u128::from(units) * u128::from(self.percent) / 100,
            };
            a = i64::try_from(share).unwrap_or(a);
        }
        if a <= self.zero_at_or_below {
            a = 0;
        }
        a.min(self.max_shown).max(self.min_shown)
    }
}

/// One channel's link to a pool, as the network stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct PoolLink {
    pub(crate) channel: u16,
    pub(crate) priority: u32,
    pub(crate) share: u32,
    pub(crate) claim_limit: i64,
}

/// A pool as the network stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct PoolDef {
    pub(crate) name: String,
    pub(crate) locations: Vec<u16>,
    pub(crate) split: Split,
    /// Links sorted by (priority, channel).
    pub(crate) links: Vec<PoolLink>,
}

/// A channel as the network stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct ChannelDef {
    pub(crate) id: ChannelId,
    pub(crate) rules: PublishRules,
    /// Linked pools with the link priority, sorted by (priority, pool).
    pub(crate) pools: Vec<(u16, u32)>,
    /// Linked locations with the link priority, sorted by
    /// (priority, location).
    pub(crate) locations: Vec<(u16, u32)>,
}

/// The fixed shape of a seller's network. Build one with
/// [`Network::builder`].
///
/// With the `serde` feature a deserialised network is replayed through
/// the builder (every location, pool, channel and link, with the same
/// checks and errors) and refused unless the replay gives back exactly
/// what was read, so derived indexes cannot disagree with the links.
///
/// ```
/// use merchantry_allocate::{Link, Network, PublishRules, Split};
/// use merchantry_core::{ChannelId, LocationId};
///
/// let mut b = Network::builder();
/// let wh = b.location(LocationId::new("WH-1")?)?;
/// let pool = b.pool("own", &[wh], Split::Shared)?;
/// let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
/// b.link(web, pool, Link::default())?;
/// let network = b.build()?;
/// assert_eq!(network.channel_count(), 1);
/// # Ok::<(), merchantry_allocate::AllocError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "NetworkRepr", into = "NetworkRepr")
)]
pub struct Network {
    pub(crate) locations: Vec<LocationId>,
    /// Pool of each location, `u16::MAX` for none.
    pub(crate) location_pool: Vec<u16>,
    pub(crate) pools: Vec<PoolDef>,
    pub(crate) channels: Vec<ChannelDef>,
}

/// The serialised form of a [`Network`]: the same fields, unchecked until
/// they are replayed through a [`NetworkBuilder`].
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct NetworkRepr {
    locations: Vec<LocationId>,
    location_pool: Vec<u16>,
    pools: Vec<PoolDef>,
    channels: Vec<ChannelDef>,
}

#[cfg(feature = "serde")]
impl From<Network> for NetworkRepr {
    fn from(n: Network) -> Self {
        Self {
            locations: n.locations,
            location_pool: n.location_pool,
            pools: n.pools,
            channels: n.channels,
        }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<NetworkRepr> for Network {
    type Error = AllocError;

    fn try_from(r: NetworkRepr) -> Result<Self> {
        let read = Self {
            locations: r.locations,
            location_pool: r.location_pool,
            pools: r.pools,
            channels: r.channels,
        };
        let built = read.replay()?;
        if built != read {
            return Err(AllocError::InvalidSnapshot {
                reason: "network indexes disagree with its locations, pools and links".into(),
            });
        }
        Ok(built)
    }
}

/// The pool index meaning "in no pool".
pub(crate) const NO_POOL: u16 = u16::MAX;

impl Network {
    /// Starts an empty network.
    #[must_use]
    pub fn builder() -> NetworkBuilder {
        NetworkBuilder::default()
    }

    /// How many channels there are.
    #[must_use]
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// How many locations there are.
    #[must_use]
    pub fn location_count(&self) -> usize {
        self.locations.len()
    }

    /// The key of a channel by name.
    #[must_use]
    pub fn channel_key(&self, id: &ChannelId) -> Option<ChannelKey> {
        let at = self.channels.iter().position(|c| &c.id == id)?;
        u16::try_from(at).ok().map(ChannelKey)
    }

    /// The key of a location by name.
    #[must_use]
    pub fn location_key(&self, id: &LocationId) -> Option<LocationKey> {
        let at = self.locations.iter().position(|l| l == id)?;
        u16::try_from(at).ok().map(LocationKey)
    }

    /// A channel's name.
    #[must_use]
    pub fn channel_id(&self, key: ChannelKey) -> Option<&ChannelId> {
        self.channels.get(key.index()).map(|c| &c.id)
    }

    /// A location's name.
    #[must_use]
    pub fn location_id(&self, key: LocationKey) -> Option<&LocationId> {
        self.locations.get(key.index())
    }

    /// A channel's publish rules.
    #[must_use]
    pub fn rules(&self, key: ChannelKey) -> Option<&PublishRules> {
        self.channels.get(key.index()).map(|c| &c.rules)
    }

    /// Every channel key, in declaration order.
    pub fn channel_keys(&self) -> impl Iterator<Item = ChannelKey> + '_ {
        (0..self.channels.len()).filter_map(|i| u16::try_from(i).ok().map(ChannelKey))
    }

    /// Whether `channel` may sell from `location`.
    #[must_use]
    pub fn is_linked(&self, channel: ChannelKey, location: LocationKey) -> bool {
        self.channels
            .get(channel.index())
            .is_some_and(|c| c.locations.iter().any(|&(l, _)| l == location.0))
    }

    pub(crate) fn channel(&self, key: ChannelKey) -> Result<&ChannelDef> {
        self.channels
            .get(key.index())
            .ok_or_else(|| AllocError::UnknownKey { what: "channel", index: key.index() })
    }

    pub(crate) fn location(&self, key: LocationKey) -> Result<&LocationId> {
        self.locations
            .get(key.index())
            .ok_or_else(|| AllocError::UnknownKey { what: "location", index: key.index() })
    }

    pub(crate) fn pool_of(&self, location: u16) -> u16 {
        self.location_pool.get(usize::from(location)).copied().unwrap_or(NO_POOL)
    }

    /// Builds this network again from its primary facts (locations,
    /// pools, channels with rules, links) through the checking builder.
    #[cfg(feature = "serde")]
    fn replay(&self) -> Result<Self> {
        let mut b = Self::builder();
        let mut locations = Vec::with_capacity(self.locations.len());
        for id in &self.locations {
            locations.push(b.location(id.clone())?);
        }
        for p in &self.pools {
            let keys = p
                .locations
                .iter()
                .map(|&l| {
                    locations
                        .get(usize::from(l))
                        .copied()
                        .ok_or(AllocError::UnknownKey { what: "location", index: usize::from(l) })
                })
                .collect::<Result<Vec<_>>>()?;
            b.pool(p.name.clone(), &keys, p.split)?;
        }
        for c in &self.channels {
            b.channel(c.id.clone(), c.rules)?;
        }
        for (index, p) in self.pools.iter().enumerate() {
            let pool = PoolKey(next_key(index, MAX_POOLS, "pools")?);
            for l in &p.links {
                let link = Link {
                    priority: l.priority,
                    share: l.share,
                    claim_limit: (l.claim_limit != i64::MAX).then(|| Quantity::new(l.claim_limit)),
                };
                b.link(ChannelKey(l.channel), pool, link)?;
            }
        }
        b.build()
    }
}

/// Builds a [`Network`] step by step; each step checks its input.
#[derive(Debug, Clone, Default)]
pub struct NetworkBuilder {
    net: Network,
}

impl NetworkBuilder {
    /// Declares a location.
    ///
    /// # Errors
    ///
    /// [`AllocError::DuplicateLocation`] when it was declared before,
    /// [`AllocError::TooMany`] past [`MAX_LOCATIONS`].
    pub fn location(&mut self, id: LocationId) -> Result<LocationKey> {
        if self.net.locations.contains(&id) {
            return Err(AllocError::DuplicateLocation { location: id });
        }
        let key = next_key(self.net.locations.len(), MAX_LOCATIONS, "locations")?;
        self.net.locations.push(id);
        self.net.location_pool.push(NO_POOL);
        Ok(LocationKey(key))
    }

    /// Declares a pool: a group of locations whose free stock is counted
    /// together and divided among linked channels by `split`.
    ///
    /// # Errors
    ///
    /// [`AllocError::EmptyPool`] with no location,
    /// [`AllocError::UnknownKey`] for a location key not from this
    /// builder, [`AllocError::LocationInTwoPools`] when a location already
    /// belongs to a pool, [`AllocError::TooMany`] past [`MAX_POOLS`].
    pub fn pool(
        &mut self,
        name: impl Into<String>,
        locations: &[LocationKey],
        split: Split,
    ) -> Result<PoolKey> {
        let name = name.into();
        if locations.is_empty() {
            return Err(AllocError::EmptyPool { pool: name });
        }
        for (i, &loc) in locations.iter().enumerate() {
            let id = self.net.location(loc)?;
            let current = self.net.pool_of(loc.0);
            if current != NO_POOL || locations[..i].contains(&loc) {
                let pool = self
                    .net
                    .pools
                    .get(usize::from(current))
                    .map_or_else(|| name.clone(), |p| p.name.clone());
                return Err(AllocError::LocationInTwoPools { location: id.clone(), pool });
            }
        }
        let key = next_key(self.net.pools.len(), MAX_POOLS, "pools")?;
        let mut locs: Vec<u16> = locations.iter().map(|l| l.0).collect();
        locs.sort_unstable();
        for &l in &locs {
            if let Some(slot) = self.net.location_pool.get_mut(usize::from(l)) {
                *slot = key;
            }
        }
        self.net.pools.push(PoolDef { name, locations: locs, split, links: Vec::new() });
        Ok(PoolKey(key))
    }

    /// Declares a channel with its publish rules.
    ///
    /// # Errors
    ///
    /// [`AllocError::DuplicateChannel`] when declared before,
    /// [`AllocError::InvalidRules`] for a rule out of range (negative
    /// units, percent above 100, min shown above max shown),
    /// [`AllocError::TooMany`] past [`MAX_CHANNELS`].
    pub fn channel(&mut self, id: ChannelId, rules: PublishRules) -> Result<ChannelKey> {
        if self.net.channels.iter().any(|c| c.id == id) {
            return Err(AllocError::DuplicateChannel { channel: id });
        }
        rules.validate(&id)?;
        let key = next_key(self.net.channels.len(), MAX_CHANNELS, "channels")?;
        self.net.channels.push(ChannelDef { id, rules, pools: Vec::new(), locations: Vec::new() });
        Ok(ChannelKey(key))
    }

    /// Lets `channel` sell from `pool`.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnknownKey`] for keys not from this builder,
    /// [`AllocError::DuplicateLink`] when already linked,
    /// [`AllocError::BadQuantity`]-free: a negative claim limit is
    /// reported as [`AllocError::InvalidRules`].
    pub fn link(&mut self, channel: ChannelKey, pool: PoolKey, link: Link) -> Result<()> {
        let ch = self.net.channel(channel)?;
        let p = self
            .net
            .pools
            .get(pool.index())
            .ok_or_else(|| AllocError::UnknownKey { what: "pool", index: pool.index() })?;
        if p.links.iter().any(|l| l.channel == channel.0) {
            return Err(AllocError::DuplicateLink { channel: ch.id.clone(), pool: p.name.clone() });
        }
        if link.claim_limit.is_some_and(Quantity::is_negative) {
            return Err(AllocError::InvalidRules {
                channel: ch.id.clone(),
                reason: "claim limit is negative",
            });
        }
        let stored = PoolLink {
            channel: channel.0,
            priority: link.priority,
            share: link.share,
            claim_limit: link.claim_limit.map_or(i64::MAX, Quantity::get),
        };
        let locations = p.locations.clone();
        if let Some(p) = self.net.pools.get_mut(pool.index()) {
            p.links.push(stored);
            p.links.sort_by_key(|l| (l.priority, l.channel));
        }
        if let Some(ch) = self.net.channels.get_mut(channel.index()) {
            ch.pools.push((pool.0, link.priority));
            ch.pools.sort_by_key(|&(p, prio)| (prio, p));
            ch.locations.extend(locations.iter().map(|&l| (l, link.priority)));
            ch.locations.sort_by_key(|&(l, prio)| (prio, l));
        }
        Ok(())
    }

    /// Checks the whole network and freezes it.
    ///
    /// # Errors
    ///
    /// [`AllocError::ZeroShares`] when a pool split by shares has links
    /// but every share is zero.
    pub fn build(self) -> Result<Network> {
        for p in &self.net.pools {
            if p.split == Split::Shares
                && !p.links.is_empty()
                && p.links.iter().all(|l| l.share == 0)
            {
                return Err(AllocError::ZeroShares { pool: p.name.clone() });
            }
        }
        Ok(self.net)
    }
}

fn next_key(len: usize, max: usize, what: &'static str) -> Result<u16> {
    if len >= max {
        return Err(AllocError::TooMany { what, max });
    }
    u16::try_from(len).map_err(|_| AllocError::TooMany { what, max })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(s: &str) -> LocationId {
        LocationId::new(s).unwrap()
    }

    #[test]
    fn rejects_overlapping_pools_and_duplicates() {
        let mut b = Network::builder();
        let a = b.location(loc("A")).unwrap();
        assert!(matches!(b.location(loc("A")), Err(AllocError::DuplicateLocation { .. })));
        b.pool("p1", &[a], Split::Shared).unwrap();
        assert!(matches!(
            b.pool("p2", &[a], Split::Shared),
            Err(AllocError::LocationInTwoPools { .. })
        ));
        assert!(matches!(b.pool("p3", &[], Split::Shared), Err(AllocError::EmptyPool { .. })));
    }

    #[test]
    fn rejects_min_above_max_and_percent_above_100() {
        let mut b = Network::builder();
        let bad = PublishRules::default()
            .with_min_shown(Quantity::new(5))
            .with_max_shown(Quantity::new(4));
        let err = b.channel(ChannelId::new("c").unwrap(), bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "channel c has an invalid publish rule: min shown is above max shown"
        );
        let bad = PublishRules::default().with_percent(101);
        assert!(b.channel(ChannelId::new("c").unwrap(), bad).is_err());
    }

    #[test]
    fn rejects_all_zero_shares() {
        let mut b = Network::builder();
        let a = b.location(loc("A")).unwrap();
        let p = b.pool("p", &[a], Split::Shares).unwrap();
        let c = b.channel(ChannelId::new("c").unwrap(), PublishRules::default()).unwrap();
        b.link(c, p, Link::default().with_share(0)).unwrap();
        assert!(matches!(b.build(), Err(AllocError::ZeroShares { .. })));
    }

    #[test]
    fn links_sort_by_priority_then_key() {
        let mut b = Network::builder();
        let a = b.location(loc("A")).unwrap();
        let z = b.location(loc("Z")).unwrap();
        let pa = b.pool("pa", &[a], Split::Priority).unwrap();
        let pz = b.pool("pz", &[z], Split::Priority).unwrap();
        let c0 = b.channel(ChannelId::new("c0").unwrap(), PublishRules::default()).unwrap();
        let c1 = b.channel(ChannelId::new("c1").unwrap(), PublishRules::default()).unwrap();
        b.link(c0, pa, Link::default().with_priority(5)).unwrap();
        b.link(c1, pa, Link::default().with_priority(1)).unwrap();
        b.link(c0, pz, Link::default().with_priority(0)).unwrap();
        let n = b.build().unwrap();
        let order: Vec<u16> = n.pools[0].links.iter().map(|l| l.channel).collect();
        assert_eq!(order, vec![1, 0]);
        // c0 prefers Z (priority 0) over A (priority 5).
        assert_eq!(n.channels[0].locations, vec![(1, 0), (0, 5)]);
        assert!(n.is_linked(c0, z));
        assert!(!n.is_linked(c1, z));
    }
}

#[cfg(test)]
mod laws {
    use proptest::prelude::*;

    use super::*;

    /// The rules in their documented order, in 128-bit arithmetic.
    fn reference(r: &PublishRules, e: i64) -> i64 {
        let mut a = i128::from(e.max(0)) - i128::from(r.buffer.get());
        a = a.max(0);
        a = a * i128::from(r.percent) / 100;
        if r.zero_at_or_below.is_some_and(|n| a <= i128::from(n.get())) {
            a = 0;
        }
        if let Some(max) = r.max_shown {
            a = a.min(i128::from(max.get()));
        }
        if let Some(min) = r.min_shown {
            a = a.max(i128::from(min.get()));
        }
        i64::try_from(a).unwrap()
    }

    fn units() -> impl Strategy<Value = i64> {
        prop_oneof![0i64..100, 0i64..i64::MAX, Just(i64::MAX)]
    }

    proptest! {
        /// Applying the rules gives exactly the documented order worked in
        /// 128 bits, for any entitlement (negative and huge included).
        #[test]
        fn rules_apply_in_the_documented_order(
            e in prop_oneof![-100i64..100, any::<i64>()],
            buffer in units(),
            percent in 0u8..=100,
            zero in proptest::option::of(units()),
            max in proptest::option::of(units()),
            min in proptest::option::of(units()),
        ) {
            let mut rules = PublishRules::default().with_buffer(Quantity::new(buffer)).with_percent(percent);
            rules.zero_at_or_below = zero.map(Quantity::new);
            rules.max_shown = max.map(Quantity::new);
            rules.min_shown = min.map(Quantity::new);
            prop_assert_eq!(rules.apply_units(e), reference(&rules, e));
            let shown = ShownRules::new(&rules);
            prop_assert_eq!(shown.apply(e), reference(&rules, e));
            // Either side of where the figure stops growing.
            let from = shown.saturated_from;
            for e in [from.saturating_sub(1), from, from.saturating_add(1)] {
                prop_assert_eq!(shown.apply(e), reference(&rules, e));
            }
            if from > i64::MIN {
                prop_assert_ne!(reference(&rules, from - 1), reference(&rules, i64::MAX));
            }
        }
    }
}

#[cfg(test)]
#[cfg(feature = "serde")]
mod serde_checks {
    use serde_json::{Value, json};

    use super::*;

    fn network() -> Network {
        let mut b = Network::builder();
        let a = b.location(LocationId::new("A").unwrap()).unwrap();
        let z = b.location(LocationId::new("Z").unwrap()).unwrap();
        let own = b.pool("own", &[a, z], Split::Priority).unwrap();
        let web = b.channel(ChannelId::new("web").unwrap(), PublishRules::default()).unwrap();
        let ebay = b
            .channel(ChannelId::new("ebay").unwrap(), PublishRules::default().with_percent(50))
            .unwrap();
        b.link(web, own, Link::default().with_priority(1)).unwrap();
        b.link(ebay, own, Link::default().with_claim_limit(Quantity::new(4))).unwrap();
        b.build().unwrap()
    }

    /// The network as JSON, changed by `edit`, read back.
    fn read_edited(edit: impl FnOnce(&mut Value)) -> Result<Network, String> {
        let mut v = serde_json::to_value(network()).unwrap();
        edit(&mut v);
        serde_json::from_value::<Network>(v).map_err(|e| e.to_string())
    }

    #[test]
    fn a_built_network_round_trips() {
        let n = network();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Network>(&json).unwrap(), n);
        assert_eq!(read_edited(|_| {}), Ok(n));
    }

    /// A hand edit of the JSON and the error it must give.
    type Case = (&'static str, fn(&mut Value));

    #[test]
    fn a_network_the_builder_would_refuse_is_refused_with_its_error() {
        let cases: [Case; 7] = [
            ("channel ebay has an invalid publish rule: percent is above 100", |v| {
                v["channels"][1]["rules"]["percent"] = json!(101);
            }),
            ("channel ebay has an invalid publish rule: claim limit is negative", |v| {
                // Links are stored by priority: ebay (0) before web (1).
                v["pools"][0]["links"][0]["claim_limit"] = json!(-1);
            }),
            ("location A is declared twice", |v| v["locations"][1] = json!("A")),
            ("unknown location key 7", |v| v["pools"][0]["locations"][1] = json!(7)),
            ("unknown channel key 9", |v| v["pools"][0]["links"][0]["channel"] = json!(9)),
            ("pool \"own\" has no location", |v| v["pools"][0]["locations"] = json!([])),
            (
                "invalid snapshot: network indexes disagree with its locations, pools and links",
                |v| {
                    // Z claims to be in no pool although pool "own" holds it.
                    v["location_pool"][1] = json!(u16::MAX);
                },
            ),
        ];
        for (want, edit) in cases {
            assert_eq!(read_edited(edit), Err(want.to_owned()));
        }
        // A channel whose derived location list disagrees with its links.
        let err = read_edited(|v| v["channels"][0]["locations"] = json!([])).unwrap_err();
        assert!(err.starts_with("invalid snapshot"), "{err}");
    }
}
