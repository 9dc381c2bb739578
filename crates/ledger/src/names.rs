//! Interned names: a byte arena with a compact hash index, and a fast
//! hasher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::book::NONE;

/// A fast, deterministic, non-cryptographic hash over 8-byte words.
/// Only used for lookups; no result depends on its order.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

const K: u64 = 0x9E37_79B9_7F4A_7C15;

pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = WordHasher(K ^ bytes.len() as u64);
    h.write(bytes);
    h.finish()
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(K) ^ (h >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0_u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
}

impl WordHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(K).rotate_left(29);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Strings kept once each, addressed by `u32`: a name's handle is the
/// offset of its length header in one text arena, followed by its text
/// (ids are at most 200 bytes, `merchantry_core::MAX_ID_LEN`, so the
/// length is one character, `U+0000..=U+00FF`, and no offset table is
/// needed). The arena is a `String`, so reading a name back slices it at
/// two character boundaries instead of re-checking its UTF-8.
///
/// Event ids and the ids events refer to are indexed (so a reference
/// finds the event); order and purchase-order ids are only stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    bytes: String,
    index: Index,
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Names {}

/// The serialised form of [`Names`]: the strings and which are indexed.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct NamesData {
    pub(crate) names: Vec<String>,
    pub(crate) indexed: Vec<bool>,
}

/// Grows `v` when it is full by a quarter (at least 16 elements) while
/// small and by an eighth from 4,096 elements on (not the default
/// doubling), so a small arena keeps at most a fifth of its capacity
/// unused and a big one a ninth. Growth stays geometric, so
/// appends stay amortised constant time (and a large block is moved by
/// the allocator remapping pages rather than copying).
pub(crate) fn reserve_more<T>(v: &mut Vec<T>, more: usize) {
    if v.capacity() - v.len() < more {
        let cap = v.capacity();
        let step = if cap >= 4_096 { cap / 8 } else { cap / 4 };
        v.reserve_exact(more.max(step).max(16));
    }
}

impl Names {
    /// The arena's length: a mark to [`Names::truncate`] back to.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Where the text of the name at `i` starts and ends, if `i` is a
    /// handle: a length below 128 is one byte, a longer one the two-byte
    /// UTF-8 form of the character with that code.
    fn span(&self, i: usize) -> Option<(usize, usize)> {
        let bytes = self.bytes.as_bytes();
        let &first = bytes.get(i)?;
        if first < 0x80 {
            return Some((i + 1, i + 1 + usize::from(first)));
        }
        let &second = bytes.get(i + 1)?;
        let len = (usize::from(first & 0x1F) << 6) | usize::from(second & 0x3F);
        Some((i + 2, i + 2 + len))
    }

    /// The handle after the name at `i`, if any.
    fn next(&self, i: usize) -> Option<usize> {
        self.span(i).map(|(_, end)| end)
    }

    pub(crate) fn get(&self, i: u32) -> &str {
        self.span(i as usize).and_then(|(start, end)| self.bytes.get(start..end)).unwrap_or("")
    }

    /// The handle of an indexed name.
    #[cfg(test)]
    pub(crate) fn find(&self, text: &str) -> Option<u32> {
        self.lookup(text, hash_bytes(text.as_bytes())).ok()
    }

    /// The handle of an indexed name, or where the index would put it
    /// (for [`Names::insert_at`], while nothing else is stored between).
    pub(crate) fn lookup(&self, text: &str, hash: u64) -> Result<u32, Vacancy> {
        self.index.find(tag_of(hash), |i| self.get(i) == text).map(|(_, i)| i)
    }

    /// Stores and indexes `text` in the vacancy a [`Names::lookup`] miss
    /// found, skipping the second probe walk when the index is unchanged
    /// since (otherwise it probes again).
    pub(crate) fn insert_at(&mut self, text: &str, hash: u64, vacancy: Vacancy) -> u32 {
        let i = self.push(text);
        self.index.insert_at(tag_of(hash), i, vacancy);
        i
    }

    /// Stores `text` without indexing it. Ids are at most 200 bytes; a
    /// longer text (which no validated id is) keeps its first 255.
    pub(crate) fn push(&mut self, text: &str) -> u32 {
        let mut len = text.len().min(255);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        let header = char::from(u8::try_from(len).unwrap_or(u8::MAX));
        if self.bytes.capacity() - self.bytes.len() < len + 2 {
            let cap = self.bytes.capacity();
            let step = if cap >= 4_096 { cap / 8 } else { cap / 2 };
            self.bytes.reserve_exact((len + 2).max(step).max(64));
        }
        let at = u32::try_from(self.bytes.len()).unwrap_or(NONE);
        self.bytes.push(header);
        self.bytes.push_str(text.get(..len).unwrap_or_default());
        at
    }

    /// The handle of `text`, stored and indexed when new.
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        self.intern_hashed(text, hash_bytes(text.as_bytes()))
    }

    /// [`Names::intern`] with the text's [`hash_bytes`] already computed.
    pub(crate) fn intern_hashed(&mut self, text: &str, hash: u64) -> u32 {
        match self.lookup(text, hash) {
            Ok(i) => i,
            Err(vacancy) => self.insert_at(text, hash, vacancy),
        }
    }

    /// The handles of every name, in order.
    #[cfg(any(test, feature = "serde"))]
    fn handles(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(0), |&i| self.next(i)).take_while(|&i| i < self.bytes.len())
    }

    /// Forgets the names stored after mark `len` ([`Names::len`]).
    pub(crate) fn truncate(&mut self, len: usize) {
        let mut at = len;
        while let Some(next) = self.next(at) {
            let i = u32::try_from(at).unwrap_or(NONE);
            let tag = tag_of(hash_bytes(self.get(i).as_bytes()));
            if let Ok((slot, _)) = self.index.find(tag, |j| j == i) {
                self.index.remove(slot);
            }
            at = next;
        }
        self.bytes.truncate(len);
    }

    /// Releases spare capacity (the index keeps its load factor).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }

    /// Bytes held, for the memory report.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.index.slots.capacity() * 8
    }

    #[cfg(feature = "serde")]
    pub(crate) fn to_data(&self) -> NamesData {
        let mut indexed: Vec<u32> =
            self.index.slots.iter().filter_map(|&s| Index::name(s)).collect();
        indexed.sort_unstable();
        let mut names = Vec::new();
        let mut flags = Vec::new();
        for i in self.handles() {
            let i = u32::try_from(i).unwrap_or(NONE);
            names.push(self.get(i).to_owned());
            flags.push(indexed.binary_search(&i).is_ok());
        }
        NamesData { names, indexed: flags }
    }

    #[cfg(feature = "serde")]
    pub(crate) fn from_data(data: &NamesData) -> Self {
        let mut names = Self::default();
        for (i, text) in data.names.iter().enumerate() {
            let at = names.push(text);
            if data.indexed.get(i).copied().unwrap_or(false) {
                names.index.insert(tag_of(hash_bytes(text.as_bytes())), at);
            }
        }
        names
    }
}

/// The 32 bits of a name's hash the index keeps (the high half, which
/// the hasher mixes best).
fn tag_of(hash: u64) -> u32 {
    u32::try_from(hash >> 32).unwrap_or(0)
}

/// Where a missing name would go in the index: a slot of a table of
/// `len` slots (see [`Names::lookup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Vacancy {
    slot: usize,
    len: usize,
}

/// An open-addressing hash index from name to name index: one `u64` per
/// slot (the hash tag in the high half, the name index plus one in the
/// low half, zero for empty), Robin Hood linear probing from the slot the
/// tag maps to. Entries sit in order of their home slot, so a probe stops
/// at the first entry closer to its own home than the probe is to the
/// key's: a miss costs about what a hit does, even nearly full. The table
/// is at most 90% full and grows by a quarter, so once it is large
/// between 72% and 90% of its slots are used (8.9 to 11.1 bytes per
/// indexed name). Equal tags are told apart by comparing the names
/// themselves, so collisions are harmless.
#[derive(Debug, Clone, Default)]
struct Index {
    slots: Vec<u64>,
    used: usize,
}

impl Index {
    /// The name index stored in a slot, if any.
    fn name(slot: u64) -> Option<u32> {
        u32::try_from(slot & 0xFFFF_FFFF).ok().and_then(|i| i.checked_sub(1))
    }

    fn tag(slot: u64) -> u32 {
        u32::try_from(slot >> 32).unwrap_or(0)
    }

    /// The first slot probed for `tag` (a multiply-shift map onto any
    /// table size; it keeps the order of tags, so a table in slot order
    /// is in tag order apart from runs wrapping past the end).
    fn home(&self, tag: u32) -> usize {
        usize::try_from((u64::from(tag) * self.slots.len() as u64) >> 32).unwrap_or(0)
    }

    /// How far the entry `slot` held at `at` sits from its home.
    fn distance(&self, at: usize, slot: u64) -> usize {
        let home = self.home(Self::tag(slot));
        if at >= home { at - home } else { at + self.slots.len() - home }
    }

    fn after(&self, at: usize) -> usize {
        if at + 1 == self.slots.len() { 0 } else { at + 1 }
    }

    /// The slot and name index of the entry with `tag` that `is` accepts;
    /// on a miss, the slot the key would take (empty, or held by the first
    /// entry nearer its home than the probe is to the key's).
    fn find(&self, tag: u32, mut is: impl FnMut(u32) -> bool) -> Result<(usize, u32), Vacancy> {
        let mut at = self.home(tag);
        let vacancy = |slot| Vacancy { slot, len: self.slots.len() };
        for probe in 0..self.slots.len() {
            let Some(&slot) = self.slots.get(at) else { break };
            let Some(i) = Self::name(slot) else { return Err(vacancy(at)) };
            if self.distance(at, slot) < probe {
                return Err(vacancy(at));
            }
            if Self::tag(slot) == tag && is(i) {
                return Ok((at, i));
            }
            at = self.after(at);
        }
        Err(vacancy(usize::MAX))
    }

    #[cfg(any(test, feature = "serde"))]
    fn insert(&mut self, tag: u32, i: u32) {
        self.insert_at(tag, i, Vacancy { slot: usize::MAX, len: 0 });
    }

    /// Adds an entry at `vacancy` when it is still right (the table has
    /// not grown and nothing changed since the lookup that found it),
    /// else where a fresh probe puts it.
    fn insert_at(&mut self, tag: u32, i: u32, vacancy: Vacancy) {
        if (self.used + 1) * 10 > self.slots.len() * 9 {
            self.grow();
        }
        let entry = (u64::from(tag) << 32) | (u64::from(i) + 1);
        if vacancy.len == self.slots.len() && self.fits(vacancy.slot, entry) {
            self.shift_in(vacancy.slot, entry);
        } else {
            self.place(entry);
        }
        self.used += 1;
    }

    /// Whether `entry` belongs at `at`: every slot from its home to `at`
    /// holds an entry at least as far from its own home, and `at` is empty
    /// or holds one nearer (a cheap check that a vacancy is still right).
    fn fits(&self, at: usize, entry: u64) -> bool {
        let Some(&here) = self.slots.get(at) else { return false };
        let probe = self.distance(at, entry);
        let before = if at == 0 { self.slots.len() - 1 } else { at - 1 };
        (here == 0 || self.distance(at, here) < probe)
            && (probe == 0
                || self
                    .slots
                    .get(before)
                    .is_some_and(|&s| s != 0 && self.distance(before, s) + 1 >= probe))
    }

    /// Puts an entry after every entry of its home or an earlier one.
    fn place(&mut self, entry: u64) {
        let tag = Self::tag(entry);
        let mut at = self.home(tag);
        for probe in 0..self.slots.len() {
            match self.slots.get(at) {
                Some(&slot) if slot != 0 && self.distance(at, slot) >= probe => {
                    at = self.after(at);
                }
                _ => break,
            }
        }
        self.shift_in(at, entry);
    }

    /// Writes `entry` at `at`, moving the run from `at` to the next empty
    /// slot one place on (each moved entry ends one further from home,
    /// and their order is kept).
    fn shift_in(&mut self, mut at: usize, mut entry: u64) {
        for _ in 0..self.slots.len() {
            let Some(slot) = self.slots.get_mut(at) else { return };
            entry = std::mem::replace(slot, entry);
            if entry == 0 {
                return;
            }
            at = self.after(at);
        }
    }

    /// Moves every entry into a table an eighth larger (at least 16
    /// slots) in one sweep. Read from just after an empty slot (where no
    /// run is cut), the entries come in order of old home, which the new
    /// table keeps, once round: each goes to the first free slot from its
    /// new home at or after the last one written. The few that shared an
    /// old home out of tag order take the general [`Index::place`].
    fn grow(&mut self) {
        let size = (self.slots.len() + self.slots.len() / 4).max(16);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let start = old.iter().position(|&s| s == 0).map_or(0, |empty| empty + 1);
        let (mut cursor, mut last) = (0, 0);
        let (head, tail) = old.split_at(start.min(old.len()));
        for &slot in tail.iter().chain(head) {
            if slot == 0 {
                continue;
            }
            let home = self.home(Self::tag(slot));
            if home < last && last - home > size / 2 {
                // Past the old table's end: homes start again from the
                // top; slots the first part wrapped into are skipped.
                cursor = 0;
            } else if home < last {
                // Entries that shared an old home come in any order.
                self.place(slot);
                continue;
            }
            last = home;
            let mut at = home.max(cursor);
            if at >= size {
                at -= size;
            }
            while self.slots.get(at).is_some_and(|&s| s != 0) {
                at = self.after(at);
            }
            if let Some(free) = self.slots.get_mut(at) {
                *free = slot;
            }
            cursor = at + 1;
        }
    }

    /// Empties slot `at`, moving the entries after it that are away from
    /// their home one place back.
    fn remove(&mut self, mut at: usize) {
        for _ in 0..self.slots.len() {
            let next = self.after(at);
            let Some(&slot) = self.slots.get(next) else { break };
            if slot == 0 || self.distance(next, slot) == 0 {
                break;
            }
            if let Some(hole) = self.slots.get_mut(at) {
                *hole = slot;
            }
            at = next;
        }
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = 0;
        }
        self.used -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intern_finds_and_truncate_forgets() {
        let mut n = Names::default();
        let a = n.intern("order-1");
        let mark = n.len();
        let b = n.push("not-indexed");
        assert_eq!(n.intern("order-1"), a);
        assert_eq!(n.get(b), "not-indexed");
        assert_eq!(n.find("not-indexed"), None);
        n.truncate(mark);
        assert_eq!(n.len(), mark);
        let c = n.intern("later");
        assert_eq!(n.get(c), "later");
        n.truncate(0);
        assert_eq!(n.find("order-1"), None);
        assert_eq!(n.find("later"), None);
    }

    #[test]
    fn the_index_finds_every_name_through_growth_collisions_and_undo() {
        let mut n = Names::default();
        let ids: Vec<String> = (0..5_000).map(|i| format!("event-{i}")).collect();
        let mut handles = Vec::new();
        let mut marks = Vec::new();
        for id in &ids {
            marks.push(n.len());
            handles.push(n.intern(id));
        }
        for (id, &h) in ids.iter().zip(&handles) {
            assert_eq!(n.get(h), id.as_str());
            assert_eq!(n.intern(id), h);
        }
        // Equal tags (forced through the index directly) stay apart.
        let mut index = Index::default();
        for i in 0..100 {
            index.insert(7, i);
        }
        for i in 0..100 {
            assert_eq!(index.find(7, |j| j == i).ok().map(|(_, j)| j), Some(i));
        }
        n.truncate(marks[2_500]);
        for (i, id) in ids.iter().enumerate() {
            let expected = (i < 2_500).then(|| handles[i]);
            assert_eq!(n.find(id), expected, "{id}");
        }
        assert_eq!(n.index.used, 2_500);
        assert_eq!(n.intern("event-4999"), u32::try_from(marks[2_500]).unwrap());
    }

    /// Linear probing's invariant, every slot from an entry's home up to
    /// the entry is taken (so a probe from home reaches it), and Robin
    /// Hood's: entries sit in order of home, so the entry after another
    /// is at most one slot further from its own home.
    fn assert_reachable(index: &Index) {
        let len = index.slots.len();
        for (p, &slot) in index.slots.iter().enumerate().filter(|(_, s)| **s != 0) {
            for back in 1..=index.distance(p, slot) {
                assert_ne!(index.slots[(p + len - back) % len], 0, "slot {p}");
            }
            let next = (p + 1) % len;
            if index.slots[next] != 0 {
                let (d, e) = (index.distance(p, slot), index.distance(next, index.slots[next]));
                assert!(e <= d + 1, "slot {next} is {e} from home after one {d} from home");
            }
        }
    }

    #[test]
    fn the_index_keeps_every_entry_reachable_through_growth_wrap_and_removal() {
        // Tags from a fixed LCG, a fifth of them near the top (so runs wrap
        // past the end) and many repeated (equal homes).
        let mut x = 12_345_u64;
        let mut tags = Vec::new();
        for k in 0..20_000_u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let tag = u32::try_from(x >> 32).unwrap();
            tags.push(match k % 5 {
                0 => u32::MAX - (tag >> 20),
                1 => tag >> 24 << 24,
                _ => tag,
            });
        }
        let mut index = Index::default();
        for (i, &t) in tags.iter().enumerate() {
            index.insert(t, u32::try_from(i).unwrap());
            if i % 997 == 0 {
                assert_reachable(&index);
            }
        }
        assert_reachable(&index);
        assert!(
            index.used * 10 <= index.slots.len() * 9 && index.used * 100 > index.slots.len() * 71
        );
        for (i, &t) in tags.iter().enumerate() {
            let i = u32::try_from(i).unwrap();
            assert_eq!(index.find(t, |j| j == i).ok().map(|(_, j)| j), Some(i));
        }
        for (i, &t) in tags.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
            let i = u32::try_from(i).unwrap();
            let (slot, _) = index.find(t, |j| j == i).unwrap();
            index.remove(slot);
        }
        assert_reachable(&index);
        for (i, &t) in tags.iter().enumerate() {
            let i = u32::try_from(i).unwrap();
            let expected = (i % 2 == 1).then_some(i);
            assert_eq!(index.find(t, |j| j == i).ok().map(|(_, j)| j), expected);
        }
    }

    #[test]
    fn a_stale_vacancy_falls_back_to_probing() {
        let mut index = Index::default();
        index.insert(5, 0);
        // The slot a miss found is taken before the insert: probe again.
        let vacancy = index.find(9, |_| false).unwrap_err();
        index.insert(9, 1);
        index.insert_at(9, 2, vacancy);
        // The table grows between the miss and the insert: probe again.
        let vacancy = index.find(77, |_| false).unwrap_err();
        for k in 0..100 {
            index.insert(k * 40_000_000, 100 + k);
        }
        index.insert_at(77, 999, vacancy);
        for (tag, i) in [(5, 0), (9, 1), (9, 2), (77, 999), (40_000_000, 101)] {
            assert_eq!(index.find(tag, |j| j == i).ok().map(|(_, j)| j), Some(i), "{tag}");
        }
        assert_eq!(index.used, 104);
        assert_reachable(&index);
        // A fresh vacancy is used as is.
        let vacancy = index.find(123_456, |_| false).unwrap_err();
        index.insert_at(123_456, 7, vacancy);
        assert_eq!(index.find(123_456, |j| j == 7).ok().map(|(at, _)| at), Some(vacancy.slot));
    }

    #[test]
    fn a_name_is_its_length_header_and_its_text() {
        let mut n = Names::default();
        let a = n.push("ab");
        let b = n.push("");
        let c = n.push(&"x".repeat(300));
        let d = n.push(&"é".repeat(100));
        let e = n.push("z");
        // "x" * 255 has a two-byte header; the 200-byte "é" * 100 too.
        assert_eq!((a, b, c, d, e), (0, 3, 4, 261, 463));
        assert_eq!((n.get(a), n.get(b), n.get(e)), ("ab", "", "z"));
        assert_eq!(n.get(c), "x".repeat(255));
        assert_eq!(n.get(d), "é".repeat(100));
        assert_eq!(n.handles().collect::<Vec<_>>(), vec![0, 3, 4, 261, 463]);
        assert_eq!(n.get(1_000), "");
        // A handle inside a multi-byte character reads as nothing.
        assert_eq!(n.get(d + 3), "");
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(hash_bytes(b"abc"), hash_bytes(b"abc"));
        assert_ne!(hash_bytes(b"abc"), hash_bytes(b"abd"));
        assert_ne!(hash_bytes(b"abcdefgh"), hash_bytes(b"abcdefgh\0"));
    }
}
