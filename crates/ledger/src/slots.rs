//! [`Slots`]: the SKUs, locations and channels a ledger has seen, numbered.

use crate::error::LedgerError;

use crate::names::{hash_bytes, key, words};

/// Names of one kind numbered in order of first use (their slot), with an
/// index from name to slot and the last name looked up remembered:
/// consecutive events mostly share a location and a channel, and comparing
/// with the last one is cheaper than hashing.
#[derive(Debug, Clone)]
pub(crate) struct Slots<K> {
    list: Vec<K>,
    /// Open addressing by [`hash_bytes`] of the name, probing linearly:
    /// empty or a power of two long, at most three quarters full (the
    /// 24-byte entries cost 32 to 64 bytes a name, and a name is found
    /// in 2.5 probes on average when it is that full). Each entry holds
    /// the name's [`words`], so a lookup reads neither the list nor the
    /// key's representation for a name of up to 16 bytes: a SKU found
    /// this way costs about 30 instructions, against 75 for a probe of
    /// a `hashbrown` table of slots that read the list to compare (the
    /// few names of a kind make the wider entries cheap).
    ///
    /// The entries are always where placing the names in slot order,
    /// each in the first free entry from its hash on, puts them: nothing
    /// moves once placed, so the entry of the last slot can simply be
    /// emptied again ([`Slots::truncate`]).
    index: Vec<Entry>,
    /// The entry of the name last looked up (with its slot), compared
    /// word for word as in the index; not part of the state: equality
    /// ignores it.
    last: Option<Entry>,
    /// What the slots number, for [`LedgerError::Capacity`].
    what: &'static str,
    /// The index's hash [`key`].
    key: u64,
}

/// One name in [`Slots::index`]: its [`words`], its length and its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    words: [u64; 2],
    /// The name's length, at most [`LONGEST`]; [`FREE_LEN`] in a free
    /// entry.
    len: u32,
    slot: u32,
}

/// The length of a free entry, which no name's [`Entry::len`] is.
const FREE_LEN: u32 = u32::MAX;

/// The longest [`Entry::len`]: longer names (which no validated id is)
/// are compared in full anyway.
const LONGEST: u32 = FREE_LEN - 1;

/// Names up to this long are held whole by their [`words`].
const WHOLE: u32 = 16;

impl Entry {
    const FREE: Self = Self { words: [0; 2], len: FREE_LEN, slot: 0 };

    /// `text`'s entry, with no slot yet.
    #[inline(always)]
    fn of(text: &str) -> Self {
        let bytes = text.as_bytes();
        let len = u32::try_from(bytes.len()).map_or(LONGEST, |n| n.min(LONGEST));
        Self { words: words(bytes), len, slot: 0 }
    }

    /// `text`'s entry and its [`hash_bytes`] from `key`.
    #[inline(always)]
    fn hashed(key: u64, text: &str) -> (Self, u64) {
        (Self::of(text), hash_bytes(key, text.as_bytes()))
    }

    fn is_free(self) -> bool {
        self.len == FREE_LEN
    }
}

impl<K: Clone + AsRef<str>> Slots<K> {
    pub(crate) fn new(what: &'static str) -> Self {
        Self { list: Vec::new(), index: Vec::new(), last: None, what, key: key() }
    }

    /// The slot of `key`, added at the end when new (the bool says so).
    ///
    /// # Errors
    ///
    /// [`LedgerError::Capacity`] past `u32::MAX` slots.
    #[inline(always)]
    pub(crate) fn slot(&mut self, key: &K) -> Result<(u32, bool), LedgerError> {
        match self.recent(key) {
            Some(i) => Ok((i, false)),
            None => self.slot_indexed(key),
        }
    }

    /// The slot of `key` if it is the name last looked up.
    #[inline(always)]
    fn recent(&self, key: &K) -> Option<u32> {
        let last = self.last?;
        let text = key.as_ref();
        self.holds(&last, &Entry::of(text), text).then_some(last.slot)
    }

    /// Whether the entry `e` holds the name `text`, whose entry is
    /// `entry`: the words and length decide, and the list's text too for
    /// a name too long to be held whole.
    #[inline(always)]
    fn holds(&self, e: &Entry, entry: &Entry, text: &str) -> bool {
        e.words == entry.words
            && e.len == entry.len
            && (e.len <= WHOLE
                || self.list.get(e.slot as usize).is_some_and(|k| k.as_ref() == text))
    }

    /// [`Slots::slot`] past the last key.
    #[inline(never)]
    fn slot_indexed(&mut self, key: &K) -> Result<(u32, bool), LedgerError> {
        let (entry, hash) = Entry::hashed(self.key, key.as_ref());
        if let Some(i) = self.probe(entry, hash, key.as_ref()) {
            self.last = Some(Entry { slot: i, ..entry });
            return Ok((i, false));
        }
        let what = self.what;
        let slot = u32::try_from(self.list.len()).map_err(|_| LedgerError::Capacity { what })?;
        self.list.push(key.clone());
        if self.list.len() * 4 > self.index.len() * 3 {
            self.rebuild(self.index_len());
        } else {
            place(&mut self.index, Entry { slot, ..entry }, hash);
        }
        Ok((slot, true))
    }

    /// The [`hash_bytes`] of `text` for this index.
    #[inline(always)]
    pub(crate) fn hash(&self, text: &str) -> u64 {
        hash_bytes(self.key, text.as_bytes())
    }

    /// The slot of the name `text`, whose [`hash_bytes`] is `hash`.
    #[inline]
    pub(crate) fn find_hashed(&self, text: &str, hash: u64) -> Option<u32> {
        self.probe(Entry::of(text), hash, text)
    }

    /// The slot of the name `text`, whose entry is `entry` and whose hash
    /// is `hash` (see [`Slots::holds`]).
    #[inline(always)]
    fn probe(&self, entry: Entry, hash: u64, text: &str) -> Option<u32> {
        let same = |e: &Entry| self.holds(e, &entry, text);
        let e = self.index.get(position(&self.index, hash, same)?)?;
        (!e.is_free()).then_some(e.slot)
    }

    /// Makes the index `len` entries long (a power of two at least twice
    /// the number of names) and places every name again, in slot order.
    fn rebuild(&mut self, len: usize) {
        self.index.clear();
        self.index.resize(len, Entry::FREE);
        for (slot, key) in (0..).zip(&self.list) {
            let (entry, hash) = Entry::hashed(self.key, key.as_ref());
            place(&mut self.index, Entry { slot, ..entry }, hash);
        }
    }

    /// The index length that holds the names at most three quarters full.
    fn index_len(&self) -> usize {
        match self.list.len() {
            0 => 0,
            n => (n * 4).div_ceil(3).next_power_of_two().max(8),
        }
    }

    /// Numbers `keys` in order after the slots already held (restoring a
    /// snapshot).
    ///
    /// # Errors
    ///
    /// A message naming a key listed twice or already held, or
    /// [`LedgerError::Capacity`]'s.
    #[cfg(feature = "serde")]
    pub(crate) fn fill(&mut self, keys: &[K]) -> Result<(), String> {
        for key in keys {
            if !self.slot(key).map_err(|e| e.to_string())?.1 {
                let (key, what) = (key.as_ref(), self.what);
                return Err(format!("snapshot lists {key} twice among its {what}"));
            }
        }
        Ok(())
    }

    /// The slot of `key`, if it has one.
    pub(crate) fn find(&self, key: &K) -> Option<u32> {
        self.find_hashed(key.as_ref(), self.hash(key.as_ref()))
    }

    /// The name in slot `i`.
    pub(crate) fn get(&self, i: u32) -> Option<&K> {
        self.list.get(i as usize)
    }

    /// Every name, in slot order.
    pub(crate) fn as_slice(&self) -> &[K] {
        &self.list
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Forgets the slots from `len` on (undoing a refused ingest): empties
    /// their entries, the last slot first, which leaves the index as
    /// placing the names before `len` alone would have.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.last = None;
        for slot in (len..self.list.len()).rev() {
            let Some(key) = self.list.get(slot) else { continue };
            let hash = self.hash(key.as_ref());
            let slot = u32::try_from(slot).unwrap_or(u32::MAX);
            if let Some(at) = position(&self.index, hash, |e| e.slot == slot) {
                self.index[at] = Entry::FREE;
            }
        }
        self.list.truncate(len);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.list.shrink_to_fit();
        self.shrink_index(0);
    }

    /// Rebuilds the index at the smallest length that holds the names but
    /// at least `len`, if it is longer.
    fn shrink_index(&mut self, len: usize) {
        let len = self.index_len().max(len);
        if self.index.len() > len {
            self.rebuild(len);
            self.index.shrink_to_fit();
        }
    }

    /// Room for names in the list and the index: a mark for
    /// [`Slots::shrink_to`].
    pub(crate) fn capacity(&self) -> (usize, usize) {
        (self.list.capacity(), self.index.len())
    }

    /// Gives back room taken since `capacity` was `(list, index)` (after
    /// a refused batch), keeping room for every name held.
    pub(crate) fn shrink_to(&mut self, (list, index): (usize, usize)) {
        self.list.shrink_to(list);
        self.shrink_index(index);
    }

    /// Bytes held, for the memory report: each name, its entry in the
    /// index, and the text of a name too long to be kept inline.
    pub(crate) fn heap_bytes(&self) -> usize {
        let long = self.list.iter().map(|k| k.as_ref().len()).filter(|&n| n > 23).sum::<usize>();
        self.list.capacity() * std::mem::size_of::<K>()
            + self.index.capacity() * std::mem::size_of::<Entry>()
            + long
    }
}

/// Where, from `hash` on, the first entry that is free or passes `stop`
/// is (none in an empty index).
fn position(index: &[Entry], hash: u64, stop: impl Fn(&Entry) -> bool) -> Option<usize> {
    let mask = index.len().wrapping_sub(1);
    #[expect(clippy::cast_possible_truncation, reason = "the low bits pick the entry")]
    let mut at = hash as usize & mask;
    loop {
        let e = index.get(at)?;
        if e.is_free() || stop(e) {
            return Some(at);
        }
        at = (at + 1) & mask;
    }
}

/// Puts `entry`, whose name hashes to `hash`, in the first free entry
/// from `hash` on (the index has one: it is at most three quarters full).
fn place(index: &mut [Entry], entry: Entry, hash: u64) {
    if let Some(at) = position(index, hash, |_| false) {
        index[at] = entry;
    }
}

impl<K: PartialEq> PartialEq for Slots<K> {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_number_names_in_order_and_forget_a_tail() {
        let mut s = Slots::new("names");
        assert_eq!(s.slot(&"a").unwrap(), (0, true));
        assert_eq!(s.slot(&"b").unwrap(), (1, true));
        assert_eq!(s.slot(&"a").unwrap(), (0, false));
        assert_eq!(s.slot(&"a").unwrap(), (0, false));
        assert_eq!((s.find(&"b"), s.get(1), s.len()), (Some(1), Some(&"b"), 2));
        s.truncate(1);
        assert_eq!((s.find(&"b"), s.find(&"a"), s.as_slice()), (None, Some(0), &["a"][..]));
        assert_eq!(s.slot(&"c").unwrap(), (1, true));
    }

    /// Names that make the index work: every length from 0 to 40, names
    /// past 16 bytes alike in their first and last eight (only the whole
    /// text tells them apart), multi-byte text, and 60 names that all
    /// start probing at entry 0 of a 1,024-entry index.
    fn awkward_names() -> Vec<String> {
        let mut names: Vec<String> = (0..=40).map(|len| "x".repeat(len)).collect();
        for middle in ["a", "b", "ab", "ba", "é", "ü", "\u{1F600}"] {
            names.push(format!("prefix-1{middle}-suffix1"));
        }
        names.extend((0..50).map(|i| format!("é{i}ü")));
        names.extend((0..300).map(|i| format!("SKU-{i:05}")));
        let colliding =
            (0..).map(|i| format!("c{i}")).filter(|n| hash_bytes(key(), n.as_bytes()) & 0x3FF == 0);
        names.extend(colliding.take(60));
        names
    }

    #[test]
    fn every_name_keeps_its_slot_through_growth_and_undo() {
        let names = awkward_names();
        let mut s = Slots::new("names");
        for (i, name) in (0..).zip(&names) {
            assert_eq!(s.slot(&name.as_str()).unwrap(), (i, true), "{name}");
        }
        assert_eq!(s.index.len(), 1_024);
        for (i, name) in (0..).zip(&names) {
            assert_eq!(
                (s.find(&name.as_str()), s.slot(&name.as_str()).unwrap()),
                (Some(i), (i, false))
            );
        }
        for mark in [names.len() - 1, 400, 37, 0] {
            s.truncate(mark);
            // Exactly the index that the names before the mark make.
            let mut fresh = Slots::new("names");
            for name in &names[..mark] {
                fresh.slot(&name.as_str()).unwrap();
            }
            fresh.rebuild(s.index.len());
            assert!(s.index == fresh.index, "after truncating to {mark}");
            for (i, name) in names.iter().enumerate() {
                let expected = (i < mark).then_some(u32::try_from(i).unwrap());
                assert_eq!(s.find(&name.as_str()), expected, "{name}");
            }
        }
        s.shrink_to_fit();
        assert_eq!((s.index.len(), s.find(&"x")), (0, None));
        assert_eq!(s.slot(&"x").unwrap(), (0, true));
    }
}
