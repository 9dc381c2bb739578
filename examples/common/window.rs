//! The run of dates a report can trust, from the rows booked per day.
//!
//! Shared by the `replenish --amazon` demand window, the `margins`
//! period and the tests that pin both (`tests/replenish_pipeline.rs`
//! includes this file with `#[path]`). Two steps, each simple enough to
//! state in one sentence of a report:
//!
//! 1. **Blocks.** The booked days are cut into blocks wherever more than
//!    [`WindowRule::max_gap_days`] pass without a row. The block holding
//!    the most rows is kept (the later one on a tie), so a cluster of
//!    corrupt dates years from the rest is left out however large it is,
//!    as long as the real history holds more rows.
//! 2. **Sparse ends** (when [`WindowRule::trim_sparse_ends`] is set).
//!    A booked day's *neighbourhood* is the number of rows booked within
//!    [`NEIGHBOURHOOD_DAYS`] days either side of it (a 31-day span
//!    centred on it). The *reference* is the neighbourhood of the median
//!    row: half the block's rows sit in neighbourhoods at least that
//!    busy. A day is *sparse* when its neighbourhood holds fewer rows than
//!    the reference divided by [`SPARSE_DIVISOR`], rounded down (so
//!    nothing is sparse when the reference is under that many rows). The
//!    window runs from the first to the last booked day that is not
//!    sparse. A chain of single old rows each under the gap apart no
//!    longer stretches the window, while an ordinary history keeps its
//!    ends: its first and last days see the half of a typical
//!    neighbourhood that lies inside the history, far above a tenth.
//!    Sparse days between two dense ones stay in the window: a quiet
//!    week in the middle is history, not noise.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// Days either side of a booked day that count towards its
/// neighbourhood.
pub(crate) const NEIGHBOURHOOD_DAYS: i64 = 15;

/// A day is sparse when its neighbourhood holds fewer rows than the
/// reference divided by this, rounded down.
pub(crate) const SPARSE_DIVISOR: u64 = 10;

/// How a window is cut from the rows per day.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WindowRule {
    /// More days than this without any row split the blocks.
    pub(crate) max_gap_days: i64,
    /// Whether sparse days at the block's ends are cut off (step 2).
    pub(crate) trim_sparse_ends: bool,
}

impl WindowRule {
    /// The rule in one sentence, for a report's printed assumptions.
    pub(crate) fn describe(self) -> String {
        let blocks = format!(
            "booked days are cut into blocks wherever more than {} days pass without a row, \
             and the block with the most rows is kept (the later one on a tie)",
            self.max_gap_days
        );
        if !self.trim_sparse_ends {
            return blocks;
        }
        format!(
            "{blocks}; within it, a day whose rows within {NEIGHBOURHOOD_DAYS} days either side \
             number fewer than 1/{SPARSE_DIVISOR} of the median row's (rounded down) is sparse, \
             and the window runs from the first to the last day that is not sparse"
        )
    }
}

/// The first and last day of the window over `rows_per_day` (days with
/// no row may be absent or zero); `None` when no day has a row.
pub(crate) fn window(
    rows_per_day: &BTreeMap<NaiveDate, u64>,
    rule: WindowRule,
) -> Option<(NaiveDate, NaiveDate)> {
    let block = largest_block(rows_per_day, rule.max_gap_days)?;
    if !rule.trim_sparse_ends {
        return Some((block.first()?.0, block.last()?.0));
    }
    let near = neighbourhoods(&block);
    let threshold = reference(&block, &near) / SPARSE_DIVISOR;
    let mut dense = block.iter().zip(&near).filter(|(_, n)| **n >= threshold).map(|((d, _), _)| *d);
    let first = dense.next()?;
    Some((first, dense.next_back().unwrap_or(first)))
}

/// The booked days (with rows) of the block holding the most rows, in
/// date order.
fn largest_block(
    rows_per_day: &BTreeMap<NaiveDate, u64>,
    max_gap_days: i64,
) -> Option<Vec<(NaiveDate, u64)>> {
    let mut blocks: Vec<Vec<(NaiveDate, u64)>> = Vec::new();
    for (&day, &rows) in rows_per_day.iter().filter(|(_, n)| **n > 0) {
        match blocks.last_mut() {
            Some(block)
                if block
                    .last()
                    .is_some_and(|(last, _)| (day - *last).num_days() <= max_gap_days) =>
            {
                block.push((day, rows));
            }
            _ => blocks.push(vec![(day, rows)]),
        }
    }
    let total = |b: &Vec<(NaiveDate, u64)>| b.iter().map(|(_, n)| n).sum::<u64>();
    // `max_by_key` keeps the last of equal maxima: the later block.
    blocks.into_iter().max_by_key(total)
}

/// Per booked day of `block`, the rows booked within
/// [`NEIGHBOURHOOD_DAYS`] days either side of it (itself included).
fn neighbourhoods(block: &[(NaiveDate, u64)]) -> Vec<u64> {
    let mut before = Vec::with_capacity(block.len() + 1);
    before.push(0_u64);
    for (_, n) in block {
        before.push(before.last().copied().unwrap_or(0) + n);
    }
    let span = chrono::Days::new(NEIGHBOURHOOD_DAYS.unsigned_abs());
    block
        .iter()
        .map(|(day, _)| {
            let from = day.checked_sub_days(span).unwrap_or(NaiveDate::MIN);
            let to = day.checked_add_days(span).unwrap_or(NaiveDate::MAX);
            let lo = block.partition_point(|(d, _)| *d < from);
            let hi = block.partition_point(|(d, _)| *d <= to);
            before.get(hi).copied().unwrap_or(0) - before.get(lo).copied().unwrap_or(0)
        })
        .collect()
}

/// The neighbourhood of the median row: ranking the days by
/// neighbourhood, busiest first, the one at which half of all rows have
/// been counted.
fn reference(block: &[(NaiveDate, u64)], near: &[u64]) -> u64 {
    let total: u64 = block.iter().map(|(_, n)| n).sum();
    let mut ranked: Vec<(u64, u64)> =
        near.iter().zip(block).map(|(hood, (_, rows))| (*hood, *rows)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let mut counted = 0;
    for (hood, rows) in ranked {
        counted += rows;
        if counted * 2 >= total {
            return hood;
        }
    }
    0
}
