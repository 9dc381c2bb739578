//! Interned names: a byte arena with a compact hash index, and a fast
//! hasher.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::hash::Hasher;

use merchantry_core::id::same_bytes;

use crate::book::NONE;

/// A fast, non-cryptographic hash over 8-byte words, started from the
/// secret [`key`]: by the name indexes and by the maps and sets of `u32`
/// handles ([`FastMap`], [`FastSet`]). A handle is the offset of a name
/// in the arena, which the lengths of a report's ids steer, so it is
/// keyed like the names. Only used for lookups; no result depends on its
/// order.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The secret every name hash starts from: drawn once a process from the
/// operating system's randomness (through `std`'s `RandomState`), so that
/// names made to collide (a hostile report's SKUs or event ids) cannot be
/// worked out ahead, and the indexes keep their constant expected lookup
/// time. Each index copies it when made; all of a process's ledgers share
/// it, so ledgers compare and snapshot as before (an index is rebuilt
/// from its names on restore, and no result depends on where a name
/// hashes).
pub(crate) fn key() -> u64 {
    static KEY: OnceLock<u64> = OnceLock::new();
    *KEY.get_or_init(|| RandomState::new().hash_one(K))
}

/// The hash of a name for the name indexes, from `key` (see [`key`]).
#[inline]
pub(crate) fn hash_bytes(key: u64, bytes: &[u8]) -> u64 {
    let mut h = WordHasher(key ^ bytes.len() as u64);
    if bytes.len() <= 16 {
        // Up to 16 bytes (most ids): the two words, and no `finish`:
        // each fold of `mix` already spreads a word over every bit, and
        // ids hash three times an event (id, SKU, index growth).
        let [first, last] = words(bytes);
        h.mix(first);
        h.mix(last);
        return h.0;
    }
    h.write(bytes);
    h.finish()
}

/// The bytes of `bytes` as two words, read in fixed-size loads (a
/// variable-length copy would call `memcpy`): from 8 bytes on the first
/// and the last eight (overlapping), 4 to 7 as their first and last four,
/// 1 to 3 as their first, middle and last byte. Up to 16 bytes the words
/// hold every byte, so two texts of one such length are equal exactly
/// when their words are; a longer text's words are its ends only.
#[inline]
pub(crate) fn words(bytes: &[u8]) -> [u64; 2] {
    if let (Some(&first), Some(&last)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        return [u64::from_le_bytes(first), u64::from_le_bytes(last)];
    }
    if let (Some(&first), Some(&last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        return [
            u64::from(u32::from_le_bytes(first)) | (u64::from(u32::from_le_bytes(last)) << 32),
            0,
        ];
    }
    match (bytes.first(), bytes.get(bytes.len() / 2), bytes.last()) {
        (Some(&a), Some(&b), Some(&c)) => {
            [u64::from(a) | (u64::from(b) << 8) | (u64::from(c) << 16), 0]
        }
        _ => [0; 2],
    }
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
        // The last 1-7 bytes as one word, read in at most two fixed-size
        // loads (a variable-length copy would call `memcpy`, which cost
        // more than the rest of the hash).
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.mix(words(rest)[0] ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
}

impl WordHasher {
    /// Folds the full 128-bit product back into 64 bits, so a change
    /// in any bit of `word` reaches every bit of the state (a plain
    /// multiply only carries changes upwards, and ids that differ in
    /// their last characters would crowd a few buckets).
    #[expect(clippy::cast_possible_truncation, reason = "the low half, kept on purpose")]
    fn mix(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * u128::from(K);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

/// Builds [`WordHasher`]s started from the secret [`key`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyed(u64);

impl Default for Keyed {
    fn default() -> Self {
        Self(key())
    }
}

impl BuildHasher for Keyed {
    type Hasher = WordHasher;

    fn build_hasher(&self) -> WordHasher {
        WordHasher(self.0)
    }
}

/// A map hashed with [`WordHasher`] from the secret [`key`].
pub(crate) type FastMap<K, V> = HashMap<K, V, Keyed>;

/// A set hashed with [`WordHasher`] from the secret [`key`].
pub(crate) type FastSet<K> = HashSet<K, Keyed>;

/// Strings kept once each, addressed by `u32`: a name's handle is the
/// offset of its length header in one text arena, followed by its text
/// (ids are at most 200 bytes, `merchantry_core::MAX_ID_LEN`, so the
/// length is one character, `U+0000..=U+00FF`, and no offset table is
/// needed). The arena holds bytes: a name is stored with fixed-size copies
/// (no call to `memcpy` for ids of 8 to 16 bytes), compared and hashed as
/// bytes, and checked as UTF-8 only when read back as text.
///
/// Event ids and the ids events refer to are indexed (so a reference
/// finds the event); order and purchase-order ids are only stored.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    bytes: Vec<u8>,
    /// The handles of the indexed names, by [`hash_bytes`] of their text.
    index: HashTable<u32>,
    /// The index's hash [`key`].
    key: u64,
}

impl Default for Names {
    fn default() -> Self {
        Self { bytes: Vec::new(), index: HashTable::new(), key: key() }
    }
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Names {}

/// Grows `v` when it is full by a quarter (at least what is asked for)
/// while small and by an eighth from 4,096 elements on (not the default
/// doubling, whose first step is four elements), so a small arena keeps
/// at most a fifth of its capacity unused and a big one a ninth, and the
/// many books of a few events each hold no room they do not use. Growth stays geometric, so
/// appends stay amortised constant time (and a large block is moved by
/// the allocator remapping pages rather than copying).
pub(crate) fn reserve_more<T>(v: &mut Vec<T>, more: usize) {
    if v.capacity() - v.len() < more {
        v.reserve_exact(growth(v.capacity(), more));
    }
}

/// How much [`reserve_more`] adds to a capacity `cap` that lacks room for
/// `more`.
pub(crate) fn growth(cap: usize, more: usize) -> usize {
    let step = if cap >= 4_096 { cap / 8 } else { cap / 4 };
    // Doubling up to four elements: a book's first receipt costs one
    // amount, not four, and a long book's arrays take two extra steps.
    more.max(step).max(cap.min(4)).max(1)
}

/// The [`hash_bytes`] of the name at `i` in `bytes` (a [`Names`] arena).
///
/// Inlined into the closures that `hashbrown` calls for each name as the
/// index grows (a call less per name).
#[inline(always)]
fn rehash(key: u64, names: &[u8], i: u32) -> u64 {
    hash_bytes(key, Names::raw(names, i))
}

impl Names {
    /// The [`hash_bytes`] of `text` for this index (and
    /// [`Names::find_or_insert`]).
    #[inline(always)]
    pub(crate) fn hash(&self, text: &str) -> u64 {
        hash_bytes(self.key, text.as_bytes())
    }

    /// The arena's length: a mark to [`Names::truncate`] back to.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Where the text of the name at `i` starts and ends, if `i` is a
    /// handle: a length below 128 is one byte, a longer one the two-byte
    /// UTF-8 form of the character with that code.
    fn span(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
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
        Self::span(&self.bytes, i).map(|(_, end)| end)
    }

    /// The bytes of the name at `i` in the arena `names`.
    fn raw(names: &[u8], i: u32) -> &[u8] {
        Self::span(names, i as usize).and_then(|(start, end)| names.get(start..end)).unwrap_or(&[])
    }

    /// The text of the name at `i` in the arena `names` (empty for what
    /// is not a name's handle).
    fn text(names: &[u8], i: u32) -> &str {
        std::str::from_utf8(Self::raw(names, i)).unwrap_or("")
    }

    pub(crate) fn get(&self, i: u32) -> &str {
        Self::text(&self.bytes, i)
    }

    /// The name at `i` as bytes, unchecked as text (for copying it on).
    pub(crate) fn get_bytes(&self, i: u32) -> &[u8] {
        Self::raw(&self.bytes, i)
    }

    /// The handle of an indexed name.
    #[cfg(test)]
    pub(crate) fn find(&self, text: &str) -> Option<u32> {
        self.index.find(self.hash(text), |&i| self.get(i) == text).copied()
    }

    /// The handle of the indexed name `text`, whose [`hash_bytes`] is
    /// `hash`, stored and indexed first if new: in one probe of the index.
    /// The flag says whether it was indexed before.
    pub(crate) fn find_or_insert(&mut self, text: &str, hash: u64) -> (u32, bool) {
        let (names, key) = (&self.bytes, self.key);
        let same = |&i: &u32| same_bytes(Self::raw(names, i), text.as_bytes());
        match self.index.entry(hash, same, |&j| rehash(key, names, j)) {
            Entry::Occupied(entry) => (*entry.get(), true),
            Entry::Vacant(entry) => {
                let i = Self::push_to(&mut self.bytes, text);
                entry.insert(i);
                (i, false)
            }
        }
    }

    /// Stores `text` without indexing it. Ids are at most 200 bytes; a
    /// longer text (which no validated id is) keeps its first 255.
    pub(crate) fn push(&mut self, text: &str) -> u32 {
        Self::push_to(&mut self.bytes, text)
    }

    /// [`Names::push`] on the arena alone.
    #[inline]
    fn push_to(bytes: &mut Vec<u8>, text: &str) -> u32 {
        let t = text.as_bytes();
        let at = bytes.len();
        match (t.first_chunk::<8>(), t.last_chunk::<8>()) {
            (Some(first), Some(last)) if t.len() <= 16 && bytes.capacity() - at >= 17 => {
                // 8 to 16 bytes (most event and order ids) with room: a
                // zeroed 17-byte record is appended, the header, the first
                // eight and the last eight (overlapping) are written into
                // it, and it is cut back to the name's end. Fixed sizes, so
                // no call to `memcpy`; and in place: a record built on the
                // stack and copied in with one 16-byte load waited for the
                // smaller stores that built it (a load spanning several
                // stores cannot be forwarded from them), which took an
                // eighth of an in-order ingest's time for its two names.
                let n = t.len();
                bytes.resize(at + 17, 0);
                if let Some(record) = bytes.get_mut(at..at + 17) {
                    record[0] = u8::try_from(n).unwrap_or(0);
                    record[1..9].copy_from_slice(first);
                    record[n - 7..=n].copy_from_slice(last);
                }
                bytes.truncate(at + 1 + n);
                u32::try_from(at).unwrap_or(NONE)
            }
            _ => Self::push_other(bytes, text),
        }
    }

    /// [`Names::push_to`] for a name of another length, or when the arena
    /// is full: grows the arena and writes the header and the text.
    #[cold]
    #[inline(never)]
    fn push_other(bytes: &mut Vec<u8>, text: &str) -> u32 {
        let text = if text.len() > 255 { Self::cut(text) } else { text };
        let t = text.as_bytes();
        let at = bytes.len();
        // Room for this name and for the next one's 17-byte record.
        let room = t.len() + 2 + 17;
        if bytes.capacity() - at < room {
            bytes.reserve_exact(growth(bytes.capacity(), room));
        }
        // The length as one character: one byte below 128, the two-byte
        // UTF-8 form up to 255.
        let mut header = [0_u8; 2];
        let header = char::from(u8::try_from(t.len()).unwrap_or(u8::MAX))
            .encode_utf8(&mut header)
            .as_bytes();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(t);
        u32::try_from(at).unwrap_or(NONE)
    }

    /// The first 255 bytes of `text` or fewer, ending on a character.
    #[cold]
    fn cut(text: &str) -> &str {
        let mut len = 255;
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        text.get(..len).unwrap_or_default()
    }

    /// The longest start of `text` of at most `len` bytes.
    #[cfg(test)]
    fn cut_to(text: &str, len: usize) -> &str {
        let mut len = len.min(text.len());
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        &text[..len]
    }

    /// The handle of `text`, stored and indexed when new.
    #[cfg(test)]
    fn intern(&mut self, text: &str) -> u32 {
        self.find_or_insert(text, self.hash(text)).0
    }

    /// The handles of every name, in order.
    #[cfg(test)]
    fn handles(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(0), |&i| self.next(i)).take_while(|&i| i < self.bytes.len())
    }

    /// Forgets the names stored after mark `len` ([`Names::len`]).
    pub(crate) fn truncate(&mut self, len: usize) {
        let mut at = len;
        while let Some(next) = self.next(at) {
            let i = u32::try_from(at).unwrap_or(NONE);
            if let Ok(entry) = self.index.find_entry(rehash(self.key, &self.bytes, i), |&j| j == i)
            {
                entry.remove();
            }
            at = next;
        }
        self.bytes.truncate(len);
    }

    /// Makes room for `names` more indexed names and `bytes` more bytes of
    /// text (a batch knows both), so the index is not rehashed and the
    /// arena not copied as they arrive.
    pub(crate) fn reserve(&mut self, names: usize, bytes: usize) {
        let (arena, key) = (&self.bytes, self.key);
        self.index.reserve(names, |&j| rehash(key, arena, j));
        if self.bytes.capacity() - self.bytes.len() < bytes {
            self.bytes.reserve_exact(bytes);
        }
    }

    /// Makes room for `names` more indexed names, so the index is not
    /// rehashed as they arrive; `false`, with nothing changed, when that
    /// much room cannot be had.
    pub(crate) fn try_reserve(&mut self, names: usize) -> bool {
        let (arena, key) = (&self.bytes, self.key);
        self.index.try_reserve(names, |&j| rehash(key, arena, j)).is_ok()
    }

    /// Releases spare capacity (the index keeps its power-of-two size).
    /// Room in the arena and the index: a mark for [`Names::shrink_to`].
    pub(crate) fn capacity(&self) -> (usize, usize) {
        (self.bytes.capacity(), self.index.capacity())
    }

    /// Gives back room taken since `capacity` was `(bytes, names)` (after
    /// a refused batch), keeping room for every name held.
    pub(crate) fn shrink_to(&mut self, (bytes, names): (usize, usize)) {
        self.bytes.shrink_to(bytes);
        let (arena, key) = (&self.bytes, self.key);
        self.index.shrink_to(names, |&j| rehash(key, arena, j));
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        let (names, key) = (&self.bytes, self.key);
        self.index.shrink_to_fit(|&j| rehash(key, names, j));
    }

    /// Bytes held, for the memory report.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.index.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    fn the_index_finds_every_name_through_growth_and_undo() {
        let mut n = Names::default();
        let ids: Vec<String> = (0..5_000).map(|i| format!("event-{i}")).collect();
        let mut handles = Vec::new();
        let mut marks = Vec::new();
        for id in &ids {
            marks.push(n.len());
            handles.push(n.intern(id));
            // Names stored but not indexed sit between the indexed ones.
            n.push("order");
        }
        for (id, &h) in ids.iter().zip(&handles) {
            assert_eq!(n.get(h), id.as_str());
            assert_eq!(n.intern(id), h);
        }
        assert_eq!(n.find("order"), None);
        n.truncate(marks[2_500]);
        for (i, id) in ids.iter().enumerate() {
            let expected = (i < 2_500).then(|| handles[i]);
            assert_eq!(n.find(id), expected, "{id}");
        }
        assert_eq!(n.index.len(), 2_500);
        assert_eq!(n.intern("event-4999"), u32::try_from(marks[2_500]).unwrap());
        n.shrink_to_fit();
        assert_eq!(n.find("event-17"), Some(handles[17]));
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
    fn every_length_reads_back_whatever_room_the_arena_had() {
        // Lengths 0 to 40 (the fixed-record path takes 8 to 16 when the
        // arena has 17 bytes of room), pushed in an order that leaves the
        // arena at every fill, and multi-byte text.
        let mut n = Names::default();
        let mut pushed = Vec::new();
        for round in 0..40 {
            for len in 0..=40 {
                let text: String = (0..len)
                    .map(|i| {
                        if (i + round) % 7 == 0 {
                            'é'
                        } else {
                            char::from(b"abcdefghijklmnopqrstuvwxyz"[i % 26])
                        }
                    })
                    .collect();
                let text = Names::cut_to(&text, len);
                pushed.push((n.push(text), text.to_owned()));
            }
        }
        for (handle, text) in &pushed {
            assert_eq!(n.get(*handle), text, "handle {handle}");
        }
        let handles: Vec<usize> = n.handles().collect();
        let expected: Vec<usize> = pushed.iter().map(|(h, _)| *h as usize).collect();
        assert_eq!(handles, expected);
        assert_eq!(n.len(), n.bytes.len());
    }

    #[test]
    fn sequential_ids_spread_over_the_low_bits() {
        // The index takes a bucket from the low bits: 20,000 ids that
        // differ only in their last digits should reach nearly all 4,096
        // values of the low 12 bits (a uniform hash reaches about 4,065;
        // a multiply without folding reached 199).
        let low: std::collections::HashSet<u64> =
            (0..20_000).map(|i| hash_bytes(key(), format!("e{i:09}").as_bytes()) & 0xFFF).collect();
        assert!(low.len() >= 4_000, "{} of 4096", low.len());
    }

    #[test]
    fn names_made_to_collide_without_the_key_spread_with_it() {
        // 64 ids that all fall in one of 4,096 buckets when hashed from a
        // known start (0), as a hostile report could make them against an
        // unkeyed hash. From the process's secret key they spread (about
        // 63.5 distinct buckets are expected; all 64 in one would need
        // the key to be 0).
        let made: Vec<String> = (0..)
            .map(|i| format!("e{i:09}"))
            .filter(|n| hash_bytes(0, n.as_bytes()) & 0xFFF == 0)
            .take(64)
            .collect();
        let keyed: std::collections::HashSet<u64> =
            made.iter().map(|n| hash_bytes(key(), n.as_bytes()) & 0xFFF).collect();
        assert!(keyed.len() >= 48, "{} buckets", keyed.len());
        // One process, one key: every index agrees on where a name goes.
        assert_eq!(Names::default().hash("e000000001"), Names::default().hash("e000000001"));
    }

    #[test]
    fn handles_made_to_collide_without_the_key_spread_with_it() {
        // 64 handles (arena offsets, which id lengths steer) that all fall
        // in one of 4,096 buckets of a set hashed from a known start (0).
        // The handle sets hash from the secret key, and there they spread.
        let unkeyed = |h: u32| {
            let mut s = WordHasher(0);
            s.write_u32(h);
            s.finish()
        };
        let made: Vec<u32> = (0..).filter(|&h| unkeyed(h) & 0xFFF == 0).take(64).collect();
        let keyed = Keyed::default();
        let buckets: std::collections::HashSet<u64> =
            made.iter().map(|&h| keyed.hash_one(h) & 0xFFF).collect();
        assert!(buckets.len() >= 48, "{} buckets", buckets.len());
        // Every set of the process agrees on where a handle goes.
        assert_eq!(Keyed::default().hash_one(7_u32), keyed.hash_one(7_u32));
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(hash_bytes(key(), b"abc"), hash_bytes(key(), b"abc"));
        assert_ne!(hash_bytes(key(), b"abc"), hash_bytes(key(), b"abd"));
        assert_ne!(hash_bytes(key(), b"abcdefgh"), hash_bytes(key(), b"abcdefgh\0"));
        // Every tail length, and tails that differ in one byte anywhere.
        let text = b"0123456789abcdefghij";
        let hashes: std::collections::HashSet<u64> =
            (0..=text.len()).map(|n| hash_bytes(key(), &text[..n])).collect();
        assert_eq!(hashes.len(), text.len() + 1);
        for n in 1..=text.len() {
            for i in 0..n {
                let mut other = text[..n].to_vec();
                other[i] ^= 1;
                assert_ne!(
                    hash_bytes(key(), &text[..n]),
                    hash_bytes(key(), &other),
                    "length {n}, byte {i}"
                );
            }
        }
    }

    /// Names that make the index work: lengths from 0 to 200 (the longest
    /// id) in steps of seven, multi-byte text, ids alike but for a middle
    /// byte, sequential ids, and 40 names that all start probing at the
    /// same bucket of an index of up to 1,024 buckets.
    fn awkward_names() -> &'static [String] {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let mut names: Vec<String> = (0..=200).step_by(7).map(|len| "x".repeat(len)).collect();
            names.extend((0..=100).step_by(9).map(|len| "é".repeat(len)));
            for middle in ["a", "b", "ab", "é", "\u{1F600}"] {
                names.push(format!("prefix-1{middle}-suffix1"));
            }
            names.extend((0..40).map(|i| format!("e{i:09}")));
            let colliding = (0..)
                .map(|i| format!("c{i}"))
                .filter(|n| hash_bytes(key(), n.as_bytes()) & 0x3FF == 0);
            names.extend(colliding.take(40));
            names
        })
    }

    /// One step on [`Names`] and on the model.
    #[derive(Debug, Clone)]
    enum Op {
        /// Interns a name of [`awkward_names`].
        Intern(usize),
        /// Stores a name without indexing it.
        Push(usize),
        /// Remembers the arena's length and the room held.
        Mark,
        /// Truncates to the mark so many marks back, and gives back the
        /// room taken since.
        Undo(usize),
        Reserve(usize),
        ShrinkToFit,
    }

    fn op() -> impl Strategy<Value = Op> {
        let names = awkward_names().len();
        prop_oneof![
            6 => (0..names).prop_map(Op::Intern),
            2 => (0..names).prop_map(Op::Push),
            2 => Just(Op::Mark),
            1 => (0_usize..4).prop_map(Op::Undo),
            1 => (0_usize..300).prop_map(Op::Reserve),
            1 => Just(Op::ShrinkToFit),
        ]
    }

    proptest! {
        /// The index against a `HashMap` through random interning,
        /// storing, undoing and resizing: every handle, every "known"
        /// flag, every lookup and the count of indexed names agree, at
        /// every fill of the index.
        #[test]
        fn the_index_is_a_map_from_text_to_handle(ops in proptest::collection::vec(op(), 1..400)) {
            let pool = awkward_names();
            let mut n = Names::default();
            let mut model: HashMap<&str, u32> = HashMap::new();
            let mut stored: Vec<(u32, &str)> = Vec::new();
            let mut marks = Vec::new();
            for op in ops {
                match op {
                    Op::Intern(k) => {
                        let text = pool[k].as_str();
                        let expected = model.get(text).copied();
                        let (handle, known) = n.find_or_insert(text, n.hash(text));
                        prop_assert_eq!(known, expected.is_some(), "{}", text);
                        if let Some(h) = expected {
                            prop_assert_eq!(handle, h);
                        } else {
                            model.insert(text, handle);
                            stored.push((handle, text));
                        }
                    }
                    Op::Push(k) => stored.push((n.push(&pool[k]), pool[k].as_str())),
                    Op::Mark => marks.push((n.len(), n.capacity())),
                    Op::Undo(back) => {
                        if let Some(&(len, room)) = marks.iter().rev().nth(back) {
                            n.truncate(len);
                            n.shrink_to(room);
                            let at = u32::try_from(len).unwrap();
                            model.retain(|_, h| *h < at);
                            stored.retain(|(h, _)| *h < at);
                            marks.retain(|&(l, _)| l <= len);
                        }
                    }
                    Op::Reserve(more) => n.reserve(more, 0),
                    Op::ShrinkToFit => n.shrink_to_fit(),
                }
                prop_assert_eq!(n.index.len(), model.len());
                prop_assert!(n.capacity().1 >= model.len());
                for text in pool {
                    prop_assert_eq!(n.find(text), model.get(text.as_str()).copied(), "{}", text);
                }
            }
            for (handle, text) in stored {
                prop_assert_eq!(n.get(handle), text);
            }
        }
    }
}
