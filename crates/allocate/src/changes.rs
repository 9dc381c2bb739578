//! What changed: the list every operation hands back.

use merchantry_core::Quantity;

use crate::network::{ChannelKey, SkuKey};

/// One channel's new advertised quantity for one SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelUpdate {
    /// The SKU.
    pub sku: SkuKey,
    /// The channel.
    pub channel: ChannelKey,
    /// What the channel should now advertise.
    pub quantity: Quantity,
}

/// How many updates a [`Changes`] holds without touching the heap.
const INLINE: usize = 8;

const BLANK: ChannelUpdate =
    ChannelUpdate { sku: SkuKey(0), channel: ChannelKey(0), quantity: Quantity::ZERO };

/// The channels whose advertised quantity changed, sorted by SKU key then
/// channel key, each with its new number; at most one entry per SKU and
/// channel.
///
/// Up to eight updates are held inline, so the common case (one SKU,
/// eight channels or fewer) allocates nothing.
#[derive(Clone)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "Vec<ChannelUpdate>", into = "Vec<ChannelUpdate>")
)]
pub struct Changes {
    len: usize,
    inline: [ChannelUpdate; INLINE],
    heap: Vec<ChannelUpdate>,
}

impl Changes {
    /// No changes.
    #[must_use]
    pub const fn new() -> Self {
        Self { len: 0, inline: [BLANK; INLINE], heap: Vec::new() }
    }

    /// The updates, sorted.
    #[must_use]
    pub fn as_slice(&self) -> &[ChannelUpdate] {
        if self.len <= INLINE { self.inline.get(..self.len).unwrap_or(&[]) } else { &self.heap }
    }

    /// How many updates there are.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing changed.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The updates, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, ChannelUpdate> {
        self.as_slice().iter()
    }

    /// The new quantity for one SKU and channel, if it changed.
    #[must_use]
    pub fn get(&self, sku: SkuKey, channel: ChannelKey) -> Option<Quantity> {
        self.iter().find(|u| u.sku == sku && u.channel == channel).map(|u| u.quantity)
    }

    pub(crate) fn push(&mut self, update: ChannelUpdate) {
        if self.len < INLINE {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = update;
            }
        } else {
            if self.len == INLINE {
                self.heap.clear();
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(update);
        }
        self.len += 1;
    }

    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.heap.clear();
    }

    /// Sorts by (SKU, channel). Entries are unique per pair by
    /// construction: a recompute only reports a channel whose number
    /// differs from the stored one, and stores it at once.
    pub(crate) fn sort(&mut self) {
        let len = self.len;
        let items: &mut [ChannelUpdate] = if len <= INLINE {
            self.inline.get_mut(..len).unwrap_or(&mut [])
        } else {
            &mut self.heap
        };
        if !items.is_sorted_by_key(|u| (u.sku, u.channel)) {
            items.sort_unstable_by_key(|u| (u.sku, u.channel));
        }
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for Changes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Changes {}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl From<Vec<ChannelUpdate>> for Changes {
    fn from(mut v: Vec<ChannelUpdate>) -> Self {
        v.sort_unstable_by_key(|u| (u.sku, u.channel));
        v.dedup_by_key(|u| (u.sku, u.channel));
        let mut out = Self::new();
        for u in v {
            out.push(u);
        }
        out
    }
}

impl From<Changes> for Vec<ChannelUpdate> {
    fn from(c: Changes) -> Self {
        c.as_slice().to_vec()
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a ChannelUpdate;
    type IntoIter = std::slice::Iter<'a, ChannelUpdate>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(sku: u32, ch: u16, q: i64) -> ChannelUpdate {
        ChannelUpdate { sku: SkuKey(sku), channel: ChannelKey(ch), quantity: Quantity::new(q) }
    }

    #[test]
    fn spills_past_eight_and_keeps_order() {
        let mut c = Changes::new();
        for i in (0..12u16).rev() {
            c.push(up(0, i, i64::from(i)));
        }
        c.sort();
        assert_eq!(c.len(), 12);
        let channels: Vec<u16> = c.iter().map(|u| u.channel.0).collect();
        assert_eq!(channels, (0..12).collect::<Vec<_>>());
        c.clear();
        assert!(c.is_empty());
        c.push(up(1, 0, 3));
        assert_eq!(c.get(SkuKey(1), ChannelKey(0)), Some(Quantity::new(3)));
    }

    #[test]
    fn sorts_inline_by_sku_then_channel() {
        let mut c = Changes::new();
        c.push(up(2, 0, 1));
        c.push(up(1, 3, 1));
        c.push(up(1, 1, 1));
        c.sort();
        let keys: Vec<(u32, u16)> = c.iter().map(|u| (u.sku.0, u.channel.0)).collect();
        assert_eq!(keys, vec![(1, 1), (1, 3), (2, 0)]);
    }
}
