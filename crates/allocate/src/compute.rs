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

/// Adds each channel's entitlement (fence plus part of the contested
/// units) for one plain SKU to `out`.
pub(crate) fn entitlements(
    net: &Network,
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
            Split::Shares => split_by_weight(contested, &def.links, |l| u64::from(l.share), out),
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
    // result is the same, the narrow path is several times faster.
    let total64 = links.iter().try_fold(0u64, |acc, l| acc.checked_add(weight(l)));
    let fits = total64.is_some() && links.iter().all(|l| units.checked_mul(weight(l)).is_some());
    match total64 {
        Some(total) if fits => apportion(units, total, links, |l| weight(l), out),
        _ => {
            let total: u128 = links.iter().map(|l| u128::from(weight(l))).sum();
            apportion(u128::from(units), total, links, |l| u128::from(weight(l)), out);
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
