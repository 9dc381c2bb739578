//! [`Slots`]: the SKUs, locations and channels a ledger has seen, numbered.

use std::hash::Hash;

use crate::error::LedgerError;
use crate::names::FastMap;

/// Names of one kind numbered in order of first use (their slot), with an
/// index from name to slot and the last name looked up remembered:
/// consecutive events mostly share a location and a channel, and comparing
/// with the last one (a pointer comparison when the caller reuses its ids)
/// is cheaper than hashing.
#[derive(Debug, Clone)]
pub(crate) struct Slots<K> {
    list: Vec<K>,
    index: FastMap<K, u32>,
    /// Not part of the state: equality ignores it.
    last: Option<(K, u32)>,
    /// What the slots number, for [`LedgerError::Capacity`].
    what: &'static str,
}

impl<K: Clone + Eq + Hash> Slots<K> {
    pub(crate) fn new(what: &'static str) -> Self {
        Self { list: Vec::new(), index: FastMap::default(), last: None, what }
    }

    /// The slot of `key`, added at the end when new (the bool says so).
    ///
    /// # Errors
    ///
    /// [`LedgerError::Capacity`] past `u32::MAX` slots.
    #[inline]
    pub(crate) fn slot(&mut self, key: &K) -> Result<(u32, bool), LedgerError> {
        if let Some((last, i)) = &self.last
            && last == key
        {
            return Ok((*i, false));
        }
        self.slot_indexed(key)
    }

    /// [`Slots::slot`] past the last key.
    #[inline(never)]
    fn slot_indexed(&mut self, key: &K) -> Result<(u32, bool), LedgerError> {
        if let Some(&i) = self.index.get(key) {
            self.last = Some((key.clone(), i));
            return Ok((i, false));
        }
        let what = self.what;
        let i = u32::try_from(self.list.len()).map_err(|_| LedgerError::Capacity { what })?;
        self.index.insert(key.clone(), i);
        self.list.push(key.clone());
        Ok((i, true))
    }

    /// Numbers `keys` in order after the slots already held (restoring a
    /// snapshot).
    ///
    /// # Errors
    ///
    /// A message naming a key listed twice or already held, or
    /// [`LedgerError::Capacity`]'s.
    #[cfg(feature = "serde")]
    pub(crate) fn fill(&mut self, keys: &[K]) -> Result<(), String>
    where
        K: AsRef<str>,
    {
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
        self.index.get(key).copied()
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
        for key in self.list.drain(len.min(self.list.len())..) {
            self.index.remove(&key);
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.list.shrink_to_fit();
    }

    /// Bytes held, for the memory report (a name is a reference-counted
    /// text: about 40 bytes with its slot in the index).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.list.capacity() * 40
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
