//! [`Entries`]: a book's entries in fixed chunks, so appending never
//! copies the entries already held.

use crate::book::Entry;

/// Entries per chunk: a power of two, so finding entry `i` is a shift and
/// a mask. One chunk is 3 KiB.
const CHUNK: usize = 64;
const SHIFT: u32 = CHUNK.trailing_zeros();
const _: () = assert!(CHUNK.is_power_of_two());

/// The first capacity of a book's first two chunks, and their least
/// growth.
const SMALL: usize = 4;

/// A sequence of entries kept as chunks of [`CHUNK`]: entry `i` is entry
/// `i % CHUNK` of chunk `i / CHUNK`, and every chunk but the last is full.
///
/// A `Vec` grown by a quarter (to keep spare capacity small) copied each
/// entry about four times on its way to 1,000, and eight times past 4,096
/// where it grew by an eighth. Here a chunk is only ever copied while it
/// fills, and a book's spare room stays near an eighth of its entries or
/// less:
///
/// - the first two chunks start at [`SMALL`] entries and grow by a
///   quarter, at least [`SMALL`] (a book of up to two chunks keeps spare
///   at most a quarter of its last chunk's entries, or four);
/// - a later chunk starts at an eighth of the book's entries (at least
///   [`SMALL`], at most a whole chunk) and grows by a quarter, at least a
///   quarter chunk, so from 512 entries on every chunk is allocated whole
///   and no entry past the eighth chunk is ever copied.
///
/// Measured (bytes an event as grown, the probe's stream over 1,000 SKUs,
/// `probe mem N 1000`): later chunks allocated whole took 118.4 at 129
/// events a SKU, 100.5 at 160 and 106.4 at 257 (the whole new chunk
/// mostly spare), against 100.6, 90.9 and 100.5 now; what is left of
/// those peaks is the new chunk's start and the event-id index, which
/// doubles near there. The reallocations cost 10 instructions an event
/// on the benchmark's books of 1,000 entries (902 to 910 borrowed, 952
/// to 962 by value); growing a later chunk by a quarter but at least
/// four entries cost about 20. (Every
/// later chunk whole from the second on took 143 bytes an event for books
/// of 65 events, against 102; every one doubling from 16 cost about 17
/// instructions an event in reallocations, and growing the first eight by
/// a quarter 46. The second doubling from four left up to 60 entries
/// spare: 104.0 bytes an event at 100 events a SKU, against 91.5 when it
/// grows by a quarter.)
#[derive(Debug, Clone, Default)]
pub(crate) struct Entries {
    chunks: Vec<Vec<Entry>>,
    len: usize,
}

impl PartialEq for Entries {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Entries {}

impl Entries {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries the chunks have room for, for the memory report.
    pub(crate) fn capacity(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
    }

    /// Bytes of the chunk list itself, for the memory report.
    pub(crate) fn spine_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<Entry>>()
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&Entry> {
        self.chunks.get(i >> SHIFT)?.get(i & (CHUNK - 1))
    }

    #[inline]
    pub(crate) fn last(&self) -> Option<&Entry> {
        self.chunks.last()?.last()
    }

    #[inline]
    pub(crate) fn last_mut(&mut self) -> Option<&mut Entry> {
        self.chunks.last_mut()?.last_mut()
    }

    /// Appends `entry`, growing only the last chunk, and returns it where
    /// it now is (a caller that completes it there copies it once).
    #[inline]
    pub(crate) fn push(&mut self, entry: Entry) -> &mut Entry {
        self.len += 1;
        let chunks = self.chunks.len();
        if chunks == 0 || self.chunks[chunks - 1].len() >= CHUNK {
            return self.push_chunk(entry);
        }
        let last = &mut self.chunks[chunks - 1];
        if last.len() == last.capacity() {
            // A chunk that is not yet whole grows by a quarter: the first
            // two by at least SMALL, later ones by at least a quarter chunk
            // (see `Entries`).
            let cap = last.capacity();
            let least = if chunks <= 2 { SMALL } else { CHUNK / 4 };
            let step = (cap / 4).max(least);
            last.reserve_exact(step.min(CHUNK - last.len()));
        }
        let i = last.len();
        last.push(entry);
        &mut last[i]
    }

    #[cold]
    #[inline(never)]
    fn push_chunk(&mut self, entry: Entry) -> &mut Entry {
        // A later chunk starts at an eighth of the book (see `Entries`).
        let cap = match self.chunks.len() {
            0 | 1 => SMALL,
            _ => (self.len / 8).clamp(SMALL, CHUNK),
        };
        let mut chunk = Vec::with_capacity(cap);
        chunk.push(entry);
        if self.chunks.len() == self.chunks.capacity() {
            // One chunk for a book of up to a chunk of entries, then
            // doubling.
            self.chunks.reserve_exact(self.chunks.len().max(1));
        }
        let i = self.chunks.len();
        self.chunks.push(chunk);
        &mut self.chunks[i][0]
    }

    pub(crate) fn pop(&mut self) -> Option<Entry> {
        let last = self.chunks.last_mut()?;
        let entry = last.pop();
        if last.is_empty() {
            self.chunks.pop();
        }
        if entry.is_some() {
            self.len -= 1;
        }
        entry
    }

    /// The entries in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.chunks.iter().flatten()
    }

    /// The entries from `start` on, in order.
    pub(crate) fn iter_from(&self, start: usize) -> impl Iterator<Item = &Entry> + '_ {
        let (chunk, offset) = (start >> SHIFT, start & (CHUNK - 1));
        self.chunks.get(chunk..).unwrap_or_default().iter().flatten().skip(offset)
    }

    /// The entries from `start` on, in order, to change their outputs.
    pub(crate) fn iter_mut_from(&mut self, start: usize) -> impl Iterator<Item = &mut Entry> + '_ {
        let (chunk, offset) = (start >> SHIFT, start & (CHUNK - 1));
        self.chunks.get_mut(chunk..).unwrap_or_default().iter_mut().flatten().skip(offset)
    }

    /// The entries from `start` to the end of its chunk (empty past the
    /// last entry): hot loops run over plain slices, a chunk at a time.
    #[inline]
    pub(crate) fn run_from(&self, start: usize) -> &[Entry] {
        self.chunks
            .get(start >> SHIFT)
            .and_then(|chunk| chunk.get(start & (CHUNK - 1)..))
            .unwrap_or_default()
    }

    /// The first index whose entry fails `pred`, for a `pred` that holds
    /// on a prefix (as [`slice::partition_point`]).
    pub(crate) fn partition_point(&self, mut pred: impl FnMut(&Entry) -> bool) -> usize {
        // Whole chunks first, by their last entry, then within one chunk.
        let full = self.chunks.partition_point(|c| c.last().is_some_and(&mut pred));
        match self.chunks.get(full) {
            Some(chunk) => (full << SHIFT) + chunk.partition_point(pred),
            None => self.len,
        }
    }

    /// Keeps the first `n` entries.
    pub(crate) fn truncate(&mut self, n: usize) {
        if n >= self.len {
            return;
        }
        let chunks = n.div_ceil(CHUNK);
        self.chunks.truncate(chunks);
        if let Some(last) = self.chunks.last_mut() {
            last.truncate(n - ((chunks - 1) << SHIFT));
        }
        self.len = n;
    }

    /// A copy of the first `n` entries (all of them when there are fewer),
    /// copying only the chunks that hold them.
    pub(crate) fn prefix(&self, n: usize) -> Self {
        let n = n.min(self.len);
        let chunks = n.div_ceil(CHUNK);
        let mut copy: Vec<Vec<Entry>> = self.chunks.iter().take(chunks).cloned().collect();
        if let Some(last) = copy.last_mut() {
            last.truncate(n - ((chunks - 1) << SHIFT));
        }
        Self { chunks: copy, len: n }
    }

    /// Removes and returns the entries from `n` on.
    pub(crate) fn split_off(&mut self, n: usize) -> Vec<Entry> {
        let tail: Vec<Entry> = self.iter_from(n).copied().collect();
        self.truncate(n);
        tail
    }

    /// Appends every entry of `entries`.
    pub(crate) fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        for entry in entries {
            self.push(entry);
        }
    }

    /// Puts `entry` at `at` (at most the length), moving the later
    /// entries one place: each later chunk passes its last entry on.
    pub(crate) fn insert(&mut self, at: usize, entry: Entry) {
        let at = at.min(self.len);
        let mut carry = entry;
        let mut offset = at & (CHUNK - 1);
        for chunk in self.chunks.get_mut(at >> SHIFT..).unwrap_or_default() {
            if chunk.len() < CHUNK {
                // The last chunk, with room.
                chunk.insert(offset, carry);
                self.len += 1;
                return;
            }
            let Some(out) = chunk.pop() else { break };
            // `offset` < CHUNK here, and the chunk holds CHUNK - 1 now.
            chunk.insert(offset.min(chunk.len()), carry);
            carry = out;
            offset = 0;
        }
        // Every chunk from `at` on was full: the carried entry starts a
        // new one.
        self.push(carry);
    }

    /// Removes the entry at `pos`, moving the later entries one place
    /// back: each later chunk passes its first entry to the one before.
    pub(crate) fn remove(&mut self, pos: usize) -> Option<Entry> {
        if pos >= self.len {
            return None;
        }
        let first = pos >> SHIFT;
        let removed = self.chunks.get_mut(first)?.remove(pos & (CHUNK - 1));
        for k in first + 1..self.chunks.len() {
            let Some(next) = self.chunks.get_mut(k) else { break };
            let moved = next.remove(0);
            if let Some(chunk) = self.chunks.get_mut(k - 1) {
                chunk.push(moved);
            }
        }
        if self.chunks.last().is_some_and(Vec::is_empty) {
            self.chunks.pop();
        }
        self.len -= 1;
        Some(removed)
    }

    /// Releases the spare capacity of the last chunk and of the chunk list.
    pub(crate) fn shrink_to_fit(&mut self) {
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
        self.chunks.shrink_to_fit();
    }
}

impl std::ops::Index<usize> for Entries {
    type Output = Entry;

    #[inline]
    fn index(&self, i: usize) -> &Entry {
        &self.chunks[i >> SHIFT][i & (CHUNK - 1)]
    }
}

impl std::ops::IndexMut<usize> for Entries {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut Entry {
        &mut self.chunks[i >> SHIFT][i & (CHUNK - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> Entry {
        Entry::new(i64::try_from(i).unwrap(), u32::try_from(i).unwrap(), 0)
    }

    fn ats(e: &Entries) -> Vec<i64> {
        e.iter().map(|x| x.at).collect()
    }

    /// Every operation agrees with a `Vec` doing the same, across chunk
    /// boundaries (lengths around multiples of CHUNK).
    #[test]
    fn entries_behave_as_a_vec() {
        for n in [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 400] {
            let mut model: Vec<Entry> = (0..n).map(entry).collect();
            let mut e = Entries::default();
            e.extend(model.iter().copied());
            assert_eq!((e.len(), ats(&e)), (n, model.iter().map(|x| x.at).collect()));
            for at in [0, 1, n / 2, n.saturating_sub(1), n].into_iter().filter(|&at| at <= n) {
                let (mut m, mut x) = (model.clone(), e.clone());
                m.insert(at, entry(10_000));
                x.insert(at, entry(10_000));
                assert_eq!(ats(&x), m.iter().map(|y| y.at).collect::<Vec<_>>(), "insert {n} {at}");
                assert_eq!(x.len(), m.len());
                assert_eq!(x.remove(at), Some(m.remove(at)));
                assert_eq!(ats(&x), m.iter().map(|y| y.at).collect::<Vec<_>>(), "remove {n} {at}");
                assert_eq!(x, e);
                let tail = x.split_off(at);
                assert_eq!(tail, m.split_off(at));
                assert_eq!((x.len(), ats(&x)), (m.len(), m.iter().map(|y| y.at).collect()));
                for probe in [0, 1, at, n] {
                    let p = i64::try_from(probe).unwrap();
                    assert_eq!(
                        e.partition_point(|y| y.at < p),
                        model.partition_point(|y| y.at < p)
                    );
                }
                let mut cut = e.clone();
                cut.truncate(at);
                assert_eq!(e.prefix(at), cut, "prefix {at} of {n}");
                assert_eq!(e.prefix(at).len(), at);
                assert_eq!(e.iter_from(at).count(), n - at);
                let run = e.run_from(at);
                let want = (CHUNK - at % CHUNK).min(n - at);
                assert_eq!(run.len(), want, "run from {at} of {n}");
                assert_eq!(run.first().map(|y| y.at), model.get(at).map(|y| y.at));
                assert_eq!(e.get(at).map(|y| y.at), model.get(at).map(|y| y.at));
            }
            if n > 0 {
                assert_eq!(e.pop().map(|y| y.at), model.pop().map(|y| y.at));
                assert_eq!((e.len(), e.last().map(|y| y.at)), (n - 1, model.last().map(|y| y.at)));
            }
        }
    }

    #[test]
    fn spare_room_is_a_quarter_of_a_small_book_and_an_eighth_of_a_larger_one() {
        let mut e = Entries::default();
        for i in 0..3_000 {
            e.push(entry(i));
            let spare = e.capacity() - e.len();
            if e.len() <= 2 * CHUNK {
                // A quarter of what the last chunk holds, or four.
                let held = (e.len() - 1) % CHUNK + 1;
                assert!(spare <= (held / 4).max(SMALL), "{i}: {spare} spare");
            } else {
                // A new chunk's eighth of the book, or a quarter chunk.
                assert!(spare <= (e.len() / 8).max(CHUNK / 4), "{i}: {spare} spare");
            }
            assert!(spare < CHUNK, "{i}: {spare} spare");
        }
        // From the ninth chunk on (512 entries) each comes whole.
        assert_eq!(e.chunks[8..].iter().map(Vec::capacity).min(), Some(CHUNK));
    }
}
