//! Delta debugging (Zeller and Hildebrandt's ddmin, complement steps):
//! the smallest failing sub-sequence of a failing stream.

/// Shrinks `items`, for which `fails` holds, to a sub-sequence (order
/// kept) for which it still holds and from which no single item can be
/// removed without it ceasing to hold (1-minimal).
///
/// Chunks of the stream are dropped while the failure persists, halving
/// the chunk size whenever no chunk can go, down to single items.
/// `fails` is called on candidates only; it must be deterministic.
pub(crate) fn shrink<T: Clone>(mut items: Vec<T>, mut fails: impl FnMut(&[T]) -> bool) -> Vec<T> {
    let mut chunks = 2usize;
    while items.len() > 1 {
        let size = items.len().div_ceil(chunks);
        let mut begin = 0;
        let mut dropped = false;
        while begin < items.len() {
            let end = (begin + size).min(items.len());
            let candidate: Vec<T> = items[..begin].iter().chain(&items[end..]).cloned().collect();
            if fails(&candidate) {
                items = candidate;
                dropped = true;
            } else {
                begin = end;
            }
        }
        if dropped {
            chunks = chunks.saturating_sub(1).max(2);
        } else if size == 1 {
            break;
        } else {
            chunks = (chunks * 2).min(items.len());
        }
    }
    if items.len() == 1 && fails(&[]) {
        items.clear();
    }
    items
}

#[cfg(test)]
mod tests {
    use super::shrink;

    #[test]
    fn a_planted_pair_is_all_that_remains() {
        let mut calls = 0;
        let stream: Vec<u32> = (0..5_000).collect();
        let min = shrink(stream, |c| {
            calls += 1;
            c.contains(&17) && c.contains(&3_602)
        });
        assert_eq!(min, vec![17, 3_602]);
        // log2(5000) is about 12: a few dozen replays per kept item.
        assert!(calls < 200, "{calls} replays");
    }

    #[test]
    fn an_order_dependent_failure_keeps_its_order() {
        // Fails when a 7 comes before a 3 (the stream has several of each).
        let stream = vec![3, 7, 1, 3, 9, 7, 3, 2];
        let min = shrink(stream, |c| {
            let seven = c.iter().position(|&x| x == 7);
            seven.is_some_and(|i| c[i..].contains(&3))
        });
        assert_eq!(min, vec![7, 3]);
    }

    #[test]
    fn a_stream_that_fails_empty_shrinks_to_nothing() {
        assert!(shrink(vec![1, 2, 3], |_| true).is_empty());
    }
}
