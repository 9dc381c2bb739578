//! [`Slots`]: the SKUs, locations and channels a ledger has seen, numbered.

use hashbrown::HashTable;

use crate::error::LedgerError;
use merchantry_core::id::same_text;

use crate::names::hash_bytes;

/// Names of one kind numbered in order of first use (their slot), with an
/// index from name to slot and the last name looked up remembered:
/// consecutive events mostly share a location and a channel, and comparing
/// with the last one is cheaper than hashing.
#[derive(Debug, Clone)]
pub(crate) struct Slots<K> {
    list: Vec<K>,
    /// Slots by [`hash_bytes`] of their name.
    index: HashTable<u32>,
    /// Not part of the state: equality ignores it.
    last: Option<(K, u32)>,
    /// What the slots number, for [`LedgerError::Capacity`].
    what: &'static str,
}

impl<K: Clone + AsRef<str>> Slots<K> {
    pub(crate) fn new(what: &'static str) -> Self {
        Self { list: Vec::new(), index: HashTable::new(), last: None, what }
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
        self.last.as_ref().filter(|(last, _)| same_text(last.as_ref(), key.as_ref())).map(|l| l.1)
    }

    /// [`Slots::slot`] past the last key.
    #[inline(never)]
    fn slot_indexed(&mut self, key: &K) -> Result<(u32, bool), LedgerError> {
        let hash = hash_bytes(key.as_ref().as_bytes());
        if let Some(i) = self.find_hashed(key.as_ref(), hash) {
            self.last = Some((key.clone(), i));
            return Ok((i, false));
        }
        let what = self.what;
        let i = u32::try_from(self.list.len()).map_err(|_| LedgerError::Capacity { what })?;
        let list = &self.list;
        self.index.insert_unique(hash, i, |&j| Self::hash_of(list, j));
        self.list.push(key.clone());
        Ok((i, true))
    }

    /// The [`hash_bytes`] of the name in slot `i` of `list`.
    fn hash_of(list: &[K], i: u32) -> u64 {
        list.get(i as usize).map_or(0, |k| hash_bytes(k.as_ref().as_bytes()))
    }

    /// The slot of the name `text`, whose [`hash_bytes`] is `hash`.
    #[inline]
    pub(crate) fn find_hashed(&self, text: &str, hash: u64) -> Option<u32> {
        let list = &self.list;
        let same = |&i: &u32| list.get(i as usize).is_some_and(|k| same_text(k.as_ref(), text));
        self.index.find(hash, same).copied()
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
        let text = key.as_ref();
        self.find_hashed(text, hash_bytes(text.as_bytes()))
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

    /// Forgets the slots from `len` on (undoing a refused ingest).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.last = None;
        let len = len.min(self.list.len());
        for i in len..self.list.len() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let hash = Self::hash_of(&self.list, i);
            if let Ok(entry) = self.index.find_entry(hash, |&j| j == i) {
                entry.remove();
            }
        }
        self.list.truncate(len);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.list.shrink_to_fit();
        let list = &self.list;
        self.index.shrink_to_fit(|&j| Self::hash_of(list, j));
    }

    /// Room for names in the list and the index: a mark for
    /// [`Slots::shrink_to`].
    pub(crate) fn capacity(&self) -> (usize, usize) {
        (self.list.capacity(), self.index.capacity())
    }

    /// Gives back room taken since `capacity` was `(list, index)` (after
    /// a refused batch), keeping room for every name held.
    pub(crate) fn shrink_to(&mut self, (list, index): (usize, usize)) {
        self.list.shrink_to(list);
        let names = &self.list;
        self.index.shrink_to(index, |&j| Self::hash_of(names, j));
    }

    /// Bytes held, for the memory report: each name, its slot in the
    /// index, and the text of a name too long to be kept inline.
    pub(crate) fn heap_bytes(&self) -> usize {
        let long = self.list.iter().map(|k| k.as_ref().len()).filter(|&n| n > 23).sum::<usize>();
        self.list.capacity() * std::mem::size_of::<K>() + self.index.capacity() * 5 + long
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
}
