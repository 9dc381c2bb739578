//! Per-SKU arithmetic: free stock, ring fences, splits, entitlements.
//!
//! Everything here reads one SKU's dense row and the network; nothing
//! allocates. The allocator calls it after every event for the SKUs the
//! event touched, and for every SKU on a full recompute.

use crate::network::{MAX_CHANNELS, Network, PoolDef, PoolLink, Split};

/// Sellable units at one location and the part of them reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Cell {
    pub(crate) on_hand: i64,
    pub(crate) reserved: i64,
}

impl Cell {
    /// Units neither reserved nor missing.
    pub(crate) const fn free(self) -> i64 {
        let f = self.on_hand.saturating_sub(self.reserved);
        if f < 0 { 0 } else { f }
    }
}

/// Units of a pool kept for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Fence {
    pub(crate) pool: u16,
    pub(crate) channel: u16,
    pub(crate) units: i64,
}

/// One value per channel, on the stack.
pub(crate) type PerChannel = [i64; MAX_CHANNELS];

/// Free units of `pool` in one SKU's row.
pub(crate) fn pool_free(row: &[Cell], pool: &PoolDef) -> i64 {
    pool.locations
        .iter()
        .filter_map(|&l| row.get(usize::from(l)))
        .fold(0i64, |acc, c| acc.saturating_add(c.free()))
}

/// Hands a pool's free units to its ring fences in channel order, each
/// up to its size. Calls `each(channel, units)` per fence and returns
/// the contested units left.
fn fill_fences(free: i64, pool: u16, fences: &[Fence], mut each: impl FnMut(u16, i64)) -> i64 {
    let mut remaining = free;
    for f in fences.iter().filter(|f| f.pool == pool) {
        let take = f.units.min(remaining).max(0);
        remaining -= take;
        each(f.channel, take);
    }
    remaining
}

/// Units `channel` may reserve in `pool`: its own filled fence plus all
/// contested units. Splits do not limit reservations.
pub(crate) fn sellable_in_pool(
    net: &Network,
    row: &[Cell],
    fences: &[Fence],
    channel: u16,
    pool: u16,
) -> i64 {
    let Some(def) = net.pools.get(usize::from(pool)) else { return 0 };
    let mut own = 0;
    let contested = fill_fences(pool_free(row, def), pool, fences, |c, take| {
        if c == channel {
            own = take;
        }
    });
    own.saturating_add(contested)
}

/// The largest share total a pool may have for its splits to be
/// tabulated, and the most table entries (share total times links) one
/// pool may take: 16,384 two-byte entries, 32 KiB.
const TABLE_MAX_TOTAL: u64 = 4096;
const TABLE_MAX_ENTRIES: usize = 16_384;

/// Splits by fixed shares worked out once per network, one slot per pool
/// (`None` for a pool not split by shares, or whose share total is too
/// large to tabulate; such pools are split by [`split_by_weight`]).
///
/// Under shares `w_i` with total `T`, `u = q * T + r` units split as
/// `q * w_i` plus the split of `r`: `floor(u * w_i / T) = q * w_i +
/// floor(r * w_i / T)`, the remainders `u * w_i mod T` equal
/// `r * w_i mod T`, and so do the units left over. A table of the splits
/// of `0..T` therefore gives every split with one division, and exactly
/// the parts [`split_by_weight`] computes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ShareTables(Vec<Option<ShareTable>>);

impl ShareTables {
    /// The tables for every pool of `net` split by shares.
    pub(crate) fn new(net: &Network) -> Self {
        Self(
            net.pools
                .iter()
                .map(|p| if p.split == Split::Shares { ShareTable::new(&p.links) } else { None })
                .collect(),
        )
    }

    fn get(&self, pool: usize) -> Option<&ShareTable> {
        self.0.get(pool).and_then(Option::as_ref)
    }
}

/// One pool's splits of `0..total` units, `width` parts per row, in link
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShareTable {
    total: u64,
    width: usize,
    parts: Vec<u16>,
}

impl ShareTable {
    fn new(links: &[PoolLink]) -> Option<Self> {
        let total = links.iter().map(|l| u64::from(l.share)).sum::<u64>();
        let width = links.len();
        let rows = usize::try_from(total).ok()?;
        if total == 0 || total > TABLE_MAX_TOTAL || rows.checked_mul(width)? > TABLE_MAX_ENTRIES {
            return None;
        }
        // Links renumbered by position, so each row lands in link order.
        let by_position: Vec<PoolLink> =
            links.iter().zip(0u16..).map(|(l, i)| PoolLink { channel: i, ..*l }).collect();
        let mut parts = Vec::with_capacity(rows * width);
        for r in 0..total {
            let mut row = [0; MAX_CHANNELS];
            let r = i64::try_from(r).ok()?;
            split_by_weight(r, &by_position, |l| u64::from(l.share), &mut row);
            for &part in row.iter().take(width) {
                parts.push(u16::try_from(part).ok()?);
            }
        }
        Some(Self { total, width, parts })
    }

    /// Adds the split of `units` to `out`: `q * w_i` plus row `r`.
    /// `q * w_i <= u` because `w_i <= T`, so nothing overflows.
    fn split(&self, units: i64, links: &[PoolLink], out: &mut PerChannel) {
        if units <= 0 {
            return;
        }
        let units = units.unsigned_abs();
        let (q, r) = (units / self.total, units % self.total);
        let start = usize::try_from(r).unwrap_or(usize::MAX).saturating_mul(self.width);
        let row = self.parts.get(start..start.saturating_add(self.width)).unwrap_or(&[]);
        for (l, &part) in links.iter().zip(row) {
            let units = q * u64::from(l.share) + u64::from(part);
            add(out, l.channel, i64::try_from(units).unwrap_or(i64::MAX));
        }
    }
}

/// Adds each channel's entitlement (fence plus part of the contested
/// units) for one plain SKU to `out`.
pub(crate) fn entitlements(
    net: &Network,
    tables: &ShareTables,
    row: &[Cell],
    fences: &[Fence],
    velocity: Option<&[u64]>,
    out: &mut PerChannel,
) {
    for (p, def) in net.pools.iter().enumerate() {
        let Ok(p) = u16::try_from(p) else { break };
        let contested = fill_fences(pool_free(row, def), p, fences, |c, take| {
            add(out, c, take);
        });
        match def.split {
            Split::Shared => {
                for l in &def.links {
                    add(out, l.channel, contested);
                }
            }
            Split::Priority => {
                let mut rest = contested;
                for l in &def.links {
                    let take = rest.min(l.claim_limit);
                    rest -= take;
                    add(out, l.channel, take);
                }
            }
            Split::Shares => match tables.get(usize::from(p)) {
                Some(table) => table.split(contested, &def.links, out),
                None => split_by_weight(contested, &def.links, |l| u64::from(l.share), out),
            },
            Split::Velocity => {
                let weight = |l: &PoolLink| {
                    velocity.and_then(|v| v.get(usize::from(l.channel))).copied().unwrap_or(0)
                };
                if def.links.iter().all(|l| weight(l) == 0) {
                    split_by_weight(contested, &def.links, |_| 1, out);
                } else {
                    split_by_weight(contested, &def.links, weight, out);
                }
            }
        }
    }
}

fn add(out: &mut PerChannel, channel: u16, units: i64) {
    if let Some(slot) = out.get_mut(usize::from(channel)) {
        *slot = slot.saturating_add(units);
    }
}

/// Largest-remainder (Hamilton) apportionment of `units` by weight: each
/// part is `floor(units * w / W)`, and the units left over go one each to
/// the largest remainders `units * w mod W`, ties to the earlier link
/// (priority order). The parts sum to `units` when `W > 0`.
fn split_by_weight(
    units: i64,
    links: &[PoolLink],
    weight: impl Fn(&PoolLink) -> u64,
    out: &mut PerChannel,
) {
    if units <= 0 {
        return;
    }
    let units = units.unsigned_abs();
    // 64-bit arithmetic when every product fits, 128-bit otherwise: the
    // result is the same, the narrow path is several times faster. Every
    // product fits when the largest one does.
    let mut total64 = Some(0u64);
    let mut heaviest = 0u64;
    for l in links {
        let w = weight(l);
        total64 = total64.and_then(|t| t.checked_add(w));
        heaviest = heaviest.max(w);
    }
    match total64 {
        Some(total) if units.checked_mul(heaviest).is_some() => {
            apportion64(units, total, links, weight, out);
        }
        _ => {
            let total: u128 = links.iter().map(|l| u128::from(weight(l))).sum();
            apportion(u128::from(units), total, links, |l| u128::from(weight(l)), out);
        }
    }
}

/// Bits of a packed leftover key that hold the link's position.
const POSITION_BITS: u32 = 6;
const _: () = assert!(MAX_CHANNELS < 1 << POSITION_BITS);

/// [`apportion`] over `u64` when no product overflows, with the leftover
/// units handed out by branch-free maxima: each link's remainder and
/// position are packed into one key, `rem << 6 | (63 - i)`, so the
/// largest key is the largest remainder and, among equal remainders, the
/// earliest link, exactly the order [`apportion`] uses. Keys are distinct
/// and at least 32, so a link that took its unit is marked by a zero key.
/// Falls back to [`apportion`] when a remainder is too large to pack.
fn apportion64(
    units: u64,
    total: u64,
    links: &[PoolLink],
    weight: impl Fn(&PoolLink) -> u64,
    out: &mut PerChannel,
) {
    if total == 0 {
        return;
    }
    if total > u64::MAX >> POSITION_BITS {
        apportion(units, total, links, weight, out);
        return;
    }
    let mut keys = [0u64; MAX_CHANNELS];
    let mut given = 0u64;
    for ((i, l), key) in (0u64..).zip(links).zip(keys.iter_mut()) {
        let share = units * weight(l);
        let base = share / total;
        given += base;
        *key = (share % total) << POSITION_BITS | (63 - i);
        add(out, l.channel, i64::try_from(base).unwrap_or(i64::MAX));
    }
    let keys = keys.get_mut(..links.len()).unwrap_or(&mut []);
    for _ in 0..units.saturating_sub(given) {
        let mut best = 0;
        for &k in keys.iter() {
            best = if k > best { k } else { best };
        }
        if best == 0 {
            break;
        }
        let at = usize::try_from(63 - (best & 63)).unwrap_or(usize::MAX);
        if let Some(k) = keys.get_mut(at) {
            *k = 0;
        }
        if let Some(l) = links.get(at) {
            add(out, l.channel, 1);
        }
    }
}

/// The apportionment itself, over an unsigned integer type `T`.
fn apportion<T>(
    units: T,
    total: T,
    links: &[PoolLink],
    weight: impl Fn(&PoolLink) -> T,
    out: &mut PerChannel,
) where
    T: Copy
        + Default
        + PartialOrd
        + std::ops::Mul<Output = T>
        + std::ops::Div<Output = T>
        + std::ops::Rem<Output = T>
        + std::ops::Add<Output = T>
        + std::ops::Sub<Output = T>
        + From<u8>
        + TryInto<i64>,
{
    let zero = T::default();
    let one = T::from(1u8);
    if total == zero {
        return;
    }
    let mut rems = [zero; MAX_CHANNELS];
    let mut given = zero;
    for (i, l) in links.iter().enumerate() {
        let share = units * weight(l);
        let base = share / total;
        given = given + base;
        if let Some(r) = rems.get_mut(i) {
            // +1 keeps 0 free to mean "already topped up".
            *r = share % total + one;
        }
        add(out, l.channel, base.try_into().unwrap_or(i64::MAX));
    }
    let mut leftover = if units > given { units - given } else { zero };
    while leftover > zero {
        let mut best: Option<usize> = None;
        let mut best_rem = zero;
        for (i, &r) in rems.iter().enumerate().take(links.len()) {
            if r > best_rem {
                best = Some(i);
                best_rem = r;
            }
        }
        let Some(b) = best else { break };
        if let Some(r) = rems.get_mut(b) {
            *r = zero;
        }
        if let Some(l) = links.get(b) {
            add(out, l.channel, 1);
        }
        leftover = leftover - one;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(weights: &[u32]) -> Vec<PoolLink> {
        weights
            .iter()
            .enumerate()
            .map(|(i, &w)| PoolLink {
                channel: u16::try_from(i).unwrap(),
                priority: 0,
                share: w,
                claim_limit: i64::MAX,
            })
            .collect()
    }

    #[test]
    fn hamilton_hands_leftovers_to_largest_remainders() {
        // 10 units by 1:1:1 -> 3.33 each: floors 3,3,3, one left over;
        // remainders are equal (10 mod 3 = 1 each), so the first link
        // takes it: 4,3,3.
        let mut out = [0; MAX_CHANNELS];
        split_by_weight(10, &links(&[1, 1, 1]), |l| u64::from(l.share), &mut out);
        assert_eq!(&out[..3], &[4, 3, 3]);
        // 7 units by 5:3:2 (W = 10): 3.5, 2.1, 1.4 -> floors 3,2,1 = 6;
        // remainders 35 mod 10 = 5, 21 mod 10 = 1, 14 mod 10 = 4: the
        // first link takes the last unit -> 4,2,1.
        let mut out = [0; MAX_CHANNELS];
        split_by_weight(7, &links(&[5, 3, 2]), |l| u64::from(l.share), &mut out);
        assert_eq!(&out[..3], &[4, 2, 1]);
    }

    #[test]
    fn hamilton_wide_path_matches_narrow() {
        // Weights near u64::MAX force the 128-bit path: 10 by 1:1 with
        // huge equal weights still gives 5, 5.
        let mut out = [0; MAX_CHANNELS];
        split_by_weight(10, &links(&[1, 1]), |_| u64::MAX / 2, &mut out);
        assert_eq!(&out[..2], &[5, 5]);
    }

    #[test]
    fn hamilton_gives_zero_weight_nothing() {
        // 5 by 0:1 -> 0, 5.
        let mut out = [0; MAX_CHANNELS];
        split_by_weight(5, &links(&[0, 1]), |l| u64::from(l.share), &mut out);
        assert_eq!(&out[..2], &[0, 5]);
    }

    #[test]
    fn fences_fill_in_channel_order() {
        // 5 free, fences 3 (channel 0) and 4 (channel 1): 3 then 2, none
        // contested.
        let fences =
            [Fence { pool: 0, channel: 0, units: 3 }, Fence { pool: 0, channel: 1, units: 4 }];
        let mut got = Vec::new();
        let rest = fill_fences(5, 0, &fences, |c, t| got.push((c, t)));
        assert_eq!(got, vec![(0, 3), (1, 2)]);
        assert_eq!(rest, 0);
    }
}

#[cfg(test)]
mod laws {
    use proptest::prelude::*;

    use super::*;

    fn links(weights: &[u64]) -> Vec<PoolLink> {
        (0u16..)
            .zip(weights)
            .map(|(c, _)| PoolLink { channel: c, priority: 0, share: 0, claim_limit: i64::MAX })
            .collect()
    }

    fn weights() -> impl Strategy<Value = Vec<u64>> {
        let one = prop_oneof![0u64..4, 0u64..1000, any::<u32>().prop_map(u64::from), any::<u64>()];
        prop::collection::vec(one, 1..=MAX_CHANNELS)
    }

    fn units() -> impl Strategy<Value = i64> {
        prop_oneof![0i64..200, 0i64..1_000_000, any::<i64>()]
    }

    proptest! {
        /// The fast split (64-bit, packed leftover keys) gives exactly what
        /// the plain 128-bit largest-remainder method gives.
        #[test]
        fn fast_split_equals_reference_apportionment(w in weights(), u in units()) {
            let ls = links(&w);
            let weight = |l: &PoolLink| w.get(usize::from(l.channel)).copied().unwrap_or(0);
            let mut fast = [0; MAX_CHANNELS];
            split_by_weight(u, &ls, weight, &mut fast);
            let mut slow = [0; MAX_CHANNELS];
            if u > 0 {
                let total: u128 = w.iter().map(|&x| u128::from(x)).sum();
                apportion(u128::from(u.unsigned_abs()), total, &ls,
                    |l| u128::from(weight(l)), &mut slow);
            }
            prop_assert_eq!(fast, slow);
        }

        /// A tabulated split by shares gives exactly the direct split,
        /// for any units, large ones included.
        #[test]
        fn tabulated_split_equals_direct_split(
            shares in prop::collection::vec(prop_oneof![0u32..4, 0u32..200], 1..=MAX_CHANNELS),
            u in units(),
        ) {
            let ls: Vec<PoolLink> = (0u16..).zip(&shares).map(|(c, &share)| PoolLink {
                channel: c,
                priority: 0,
                share,
                claim_limit: i64::MAX,
            })
            .collect();
            let total: u64 = shares.iter().map(|&w| u64::from(w)).sum();
            let table = ShareTable::new(&ls);
            let fits = total > 0
                && total <= TABLE_MAX_TOTAL
                && usize::try_from(total).unwrap() * ls.len() <= TABLE_MAX_ENTRIES;
            prop_assert_eq!(table.is_some(), fits);
            if let Some(table) = table {
                let mut tabulated = [0; MAX_CHANNELS];
                table.split(u, &ls, &mut tabulated);
                let mut direct = [0; MAX_CHANNELS];
                split_by_weight(u, &ls, |l| u64::from(l.share), &mut direct);
                prop_assert_eq!(tabulated, direct);
            }
        }
    }
}
