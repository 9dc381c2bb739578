//! Interned names: a byte arena with a hash index, and a fast hasher.

use std::collections::{BTreeMap, HashMap};
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

/// Hashes a `u64` key that is already a hash.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassHasher(u64);

impl Hasher for PassHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Strings kept once each, addressed by `u32`.
///
/// Event ids and the ids events refer to are indexed (so a reference
/// finds the event); order and purchase-order ids are only stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    index: HashMap<u64, u32, BuildHasherDefault<PassHasher>>,
    /// Names whose hash collides with an earlier indexed name.
    collide: BTreeMap<String, u32>,
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.ends == other.ends
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

impl Names {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) as usize };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.bytes.get(start..end).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }

    /// The index of an indexed name.
    #[cfg(test)]
    pub(crate) fn find(&self, text: &str) -> Option<u32> {
        self.find_hashed(text, hash_bytes(text.as_bytes()))
    }

    /// [`Names::find`] with the text's [`hash_bytes`] already computed.
    pub(crate) fn find_hashed(&self, text: &str, hash: u64) -> Option<u32> {
        let i = *self.index.get(&hash)?;
        if self.get(i) == text {
            return Some(i);
        }
        self.collide.get(text).copied()
    }

    /// Stores `text` without indexing it.
    pub(crate) fn push(&mut self, text: &str) -> u32 {
        self.bytes.extend_from_slice(text.as_bytes());
        self.ends.push(u32::try_from(self.bytes.len()).unwrap_or(NONE));
        u32::try_from(self.ends.len() - 1).unwrap_or(NONE)
    }

    /// The index of `text`, stored and indexed when new.
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        self.intern_hashed(text, hash_bytes(text.as_bytes()))
    }

    /// [`Names::intern`] with the text's [`hash_bytes`] already computed.
    pub(crate) fn intern_hashed(&mut self, text: &str, hash: u64) -> u32 {
        if let Some(i) = self.find_hashed(text, hash) {
            return i;
        }
        let i = self.push(text);
        self.add_index_hashed(text, i, hash);
        i
    }

    fn add_index(&mut self, text: &str, i: u32) {
        self.add_index_hashed(text, i, hash_bytes(text.as_bytes()));
    }

    fn add_index_hashed(&mut self, text: &str, i: u32, h: u64) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.index.entry(h) {
            slot.insert(i);
        } else {
            self.collide.insert(text.to_owned(), i);
        }
    }

    /// Forgets names from `len` on.
    pub(crate) fn truncate(&mut self, len: usize) {
        for i in (len..self.len()).rev() {
            let text = self.get(u32::try_from(i).unwrap_or(NONE)).to_owned();
            let h = hash_bytes(text.as_bytes());
            if self.index.get(&h) == u32::try_from(i).ok().as_ref() {
                self.index.remove(&h);
            }
            self.collide.remove(&text);
        }
        self.ends.truncate(len);
        let end = self.ends.last().copied().unwrap_or(0) as usize;
        self.bytes.truncate(end);
    }

    /// Bytes held, for the memory report.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.ends.capacity() * 4
            + self.index.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }

    #[cfg(feature = "serde")]
    pub(crate) fn to_data(&self) -> NamesData {
        let mut indexed = vec![false; self.len()];
        for &i in self.index.values().chain(self.collide.values()) {
            if let Some(slot) = indexed.get_mut(i as usize) {
                *slot = true;
            }
        }
        let names = (0..self.len()).map(|i| self.get(u32::try_from(i).unwrap_or(NONE)).to_owned());
        NamesData { names: names.collect(), indexed }
    }

    #[cfg(feature = "serde")]
    pub(crate) fn from_data(data: &NamesData) -> Self {
        let mut names = Self::default();
        for (i, text) in data.names.iter().enumerate() {
            let at = names.push(text);
            if data.indexed.get(i).copied().unwrap_or(false) {
                names.add_index(text, at);
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intern_finds_and_truncate_forgets() {
        let mut n = Names::default();
        let a = n.intern("order-1");
        let b = n.push("not-indexed");
        assert_eq!(n.intern("order-1"), a);
        assert_eq!(n.get(b), "not-indexed");
        assert_eq!(n.find("not-indexed"), None);
        n.truncate(1);
        assert_eq!(n.len(), 1);
        let c = n.intern("later");
        assert_eq!(n.get(c), "later");
        n.truncate(0);
        assert_eq!(n.find("order-1"), None);
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(hash_bytes(b"abc"), hash_bytes(b"abc"));
        assert_ne!(hash_bytes(b"abc"), hash_bytes(b"abd"));
        assert_ne!(hash_bytes(b"abcdefgh"), hash_bytes(b"abcdefgh\0"));
    }
}
