//! Checked decimal arithmetic for the hot paths, with integer fast paths.
//!
//! Each function gives exactly the `Decimal` that `rust_decimal`'s checked
//! operators give, bit for bit (mantissa, scale and sign), so a stored
//! value and its printed scale never depend on which path computed it;
//! a pro-rata share ([`share`]) is that quotient rounded as the exact
//! quotient rounds, once.
//! The fast paths work on the 96-bit mantissa in `u128` and only answer
//! when the result is certain to match: a non-zero result whose operands
//! share a scale or rescale without overflow. Everything else (zeros,
//! overflow, divisions that land near a rounding midpoint) goes through
//! `rust_decimal` itself. The unit tests compare both paths on random
//! and edge-case inputs.

use rust_decimal::Decimal;

use crate::book::{Fail, Output};

/// Decimal places of a pro-rata share. Shares are rounded half-even to
/// this scale and the remainder stays with the units left behind, so every
/// stored value has a bounded scale and sums of values stay exact (a
/// 28-digit quotient added to a large total would otherwise be rounded).
pub(crate) const SHARE_SCALE: u32 = 16;

/// The largest mantissa a `Decimal` holds, plus one.
const LIMIT: u128 = 1 << 96;

const POW10: [u128; 29] = {
    let mut p = [1_u128; 29];
    let mut i = 1;
    while i < 29 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// `RESCALABLE[k]`: the largest mantissa that times 10^k stays below
/// [`LIMIT`].
const RESCALABLE: [u128; 29] = {
    let mut r = [0_u128; 29];
    let mut i = 0;
    while i < 29 {
        r[i] = (LIMIT - 1) / POW10[i];
        i += 1;
    }
    r
};

pub(crate) fn overflow(id: u32, what: &'static str) -> Fail {
    Fail::Overflow { id, what }
}

/// A non-zero decimal from a sign, a magnitude below 2^96 and a scale.
#[inline(always)]
fn build(negative: bool, magnitude: u128, scale: u32) -> Option<Decimal> {
    if magnitude == 0 || magnitude >= LIMIT || scale > 28 {
        return None;
    }
    let word = |shift: u32| u32::try_from((magnitude >> shift) & 0xFFFF_FFFF).unwrap_or(0);
    let (lo, mid, hi) = (word(0), word(32), word(64));
    Some(Decimal::from_parts(lo, mid, hi, negative, scale))
}

/// The positive decimal of mantissa `m` (below 2^96) and a `scale` the
/// caller has checked to be at most [`SHARE_SCALE`]: inlined where that
/// check is seen, building it takes neither [`from_raw`]'s bound on the
/// scale nor its test for a negative zero.
#[inline(always)]
fn positive(m: u128, scale: u32) -> Decimal {
    let word = |shift: u32| u32::try_from((m >> shift) & 0xFFFF_FFFF).unwrap_or(0);
    Decimal::from_parts(word(0), word(32), word(64), false, scale.min(SHARE_SCALE))
}

/// `a + b` on the mantissas when both are non-zero, the operand with the
/// smaller scale rescales within 96 bits, and the sum is non-zero and
/// fits: then `rust_decimal` does exactly this (its own sum is exact
/// whenever the exact sum fits at the larger scale). Worked on the
/// [`raw`] forms: magnitudes and a sign bit, no signed 128-bit mantissas.
#[inline(always)]
fn fast_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (ra, rb) = (raw(a), raw(b));
    let (ma, mb) = (ra >> 32, rb >> 32);
    if ma == 0 || mb == 0 {
        // A plain zero (scale 0, positive: all bits clear) plus a non-zero
        // `x` is `x` itself in `rust_decimal` (the zero rescales to `x`'s
        // scale): the first term of every running total.
        return match (ra, rb) {
            (0, _) if mb != 0 => Some(b),
            (_, 0) if ma != 0 => Some(a),
            _ => None,
        };
    }
    let (sa, sb) = (ra & SCALE, rb & SCALE);
    // Both at the larger scale: any step up to 10^28 (a moving-average
    // pool at 16 places plus a receipt's value at the 2 of its unit cost
    // is the common case), checked against a bound so the product stays
    // within 96 bits.
    let up = |m: u128, by: u128| {
        let k = usize::try_from(by >> 16).ok()?;
        (m <= *RESCALABLE.get(k)?).then(|| m * POW10[k])
    };
    let (ma, mb, scale) =
        if sa >= sb { (ma, up(mb, sa - sb)?, sa) } else { (up(ma, sb - sa)?, mb, sb) };
    let (m, sign) = if (ra ^ rb) & SIGN == 0 {
        (ma + mb, ra & SIGN)
    } else if ma > mb {
        (ma - mb, ra & SIGN)
    } else if mb > ma {
        (mb - ma, rb & SIGN)
    } else {
        return None;
    };
    (m < LIMIT).then(|| from_raw((m << 32) | sign | scale))
}

/// `a + b` for positive non-zero terms where `b`'s scale is at most
/// `a`'s: [`fast_add`]'s case of a receipt's value (at its unit cost's
/// scale) added to a moving-average pool (at [`SHARE_SCALE`] once it has
/// been divided), small enough to inline where [`add`] would call out.
/// `None` for every other case.
#[inline(always)]
pub(crate) fn add_positive(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (ra, rb) = (raw(a), raw(b));
    if (ra | rb) & SIGN != 0 {
        return None;
    }
    let k = usize::try_from(((ra & SCALE) >> 16).checked_sub((rb & SCALE) >> 16)?).ok()?;
    let (ma, mb) = (ra >> 32, rb >> 32);
    if ma == 0 || mb == 0 || mb > *RESCALABLE.get(k)? {
        return None;
    }
    let m = ma + mb * POW10[k];
    (m < LIMIT).then(|| from_raw((m << 32) | (ra & FLAGS)))
}

/// The low 32 bits of [`raw`]: the flags word (scale in bits 16-23,
/// sign in bit 31, every other bit zero).
const FLAGS: u128 = 0xFFFF_FFFF;
/// The sign bit of [`raw`].
const SIGN: u128 = 1 << 31;
/// The scale bits of [`raw`].
const SCALE: u128 = 0x00FF_0000;

/// `d` as one 128-bit word: its flags in the low 32 bits and its 96-bit
/// mantissa above them (`rust_decimal`'s own 16-byte serial form, read
/// as a little-endian integer). Two values of one sign and scale differ
/// only above the flags.
#[inline(always)]
pub(crate) fn raw(d: Decimal) -> u128 {
    u128::from_le_bytes(d.serialize())
}

/// The decimal whose [`raw`] form is `r` (flags as `raw` gives them).
#[inline(always)]
pub(crate) fn from_raw(r: u128) -> Decimal {
    let word = |shift: u32| u32::try_from((r >> shift) & 0xFFFF_FFFF).unwrap_or(0);
    let scale = u32::try_from((r & SCALE) >> 16).unwrap_or(0).min(28);
    Decimal::from_parts(word(32), word(64), word(96), r & SIGN != 0, scale)
}

/// `a + b` (or `a - b` when `negate_b`) for two non-zero terms at one
/// scale whose result is non-zero and fits: the commonest case by far
/// (values of one SKU share the scale of its unit costs), a few integer
/// operations on the [`raw`] forms, small enough to inline everywhere.
/// `rust_decimal` gives exactly this: the mantissas' signed sum at the
/// common scale.
#[inline(always)]
fn same_scale(a: Decimal, b: Decimal, negate_b: bool) -> Option<Decimal> {
    let (ra, rb) = (raw(a), raw(b) ^ if negate_b { SIGN } else { 0 });
    let (ma, mb) = (ra >> 32, rb >> 32);
    if (ra ^ rb) & SCALE != 0 || ma == 0 || mb == 0 {
        return None;
    }
    let r = if (ra ^ rb) & SIGN == 0 {
        let m = ma + mb;
        if m >= LIMIT {
            return None;
        }
        (m << 32) | (ra & FLAGS)
    } else if ma > mb {
        ((ma - mb) << 32) | (ra & FLAGS)
    } else if mb > ma {
        ((mb - ma) << 32) | (rb & FLAGS)
    } else {
        return None;
    };
    Some(from_raw(r))
}

#[inline]
pub(crate) fn add(a: Decimal, b: Decimal, id: u32) -> Result<Decimal, Fail> {
    match same_scale(a, b, false) {
        Some(v) => Ok(v),
        None => add_general(a, b, id),
    }
}

#[inline]
pub(crate) fn sub(a: Decimal, b: Decimal, id: u32) -> Result<Decimal, Fail> {
    match same_scale(a, b, true) {
        Some(v) => Ok(v),
        None => sub_general(a, b, id),
    }
}

/// [`add`] past its inlined case.
#[inline(never)]
fn add_general(a: Decimal, b: Decimal, id: u32) -> Result<Decimal, Fail> {
    match fast_add(a, b) {
        Some(v) => Ok(v),
        None => a.checked_add(b).ok_or(overflow(id, "value sum")),
    }
}

/// [`sub`] past its inlined case. A non-zero `a - b` is `a + -b` bit for
/// bit; a zero one keeps `rust_decimal`'s own sign and scale, so the slow
/// path subtracts.
#[inline(never)]
fn sub_general(a: Decimal, b: Decimal, id: u32) -> Result<Decimal, Fail> {
    match fast_add(a, -b) {
        Some(v) => Ok(v),
        None => a.checked_sub(b).ok_or(overflow(id, "value difference")),
    }
}

/// The sum of `values`, added in order of value (then scale, so values
/// equal in both are the same bits): past 28 significant digits a sum
/// rounds at each step, and a sum over pools, which are numbered in the
/// order the ledger first met them, must not depend on the order events
/// arrived in. Sorts `values`.
pub(crate) fn ordered_sum(values: &mut [Decimal], id: u32) -> Result<Decimal, Fail> {
    values.sort_unstable_by(|a, b| a.cmp(b).then(a.scale().cmp(&b.scale())));
    values.iter().try_fold(Decimal::ZERO, |total, v| add(total, *v, id))
}

/// `a + b`, saturating at the bounds, as `Decimal::saturating_add`.
pub(crate) fn sum(a: Decimal, b: Decimal) -> Decimal {
    fast_add(a, b).unwrap_or_else(|| a.saturating_add(b))
}

/// A running [`sum`] that keeps the mantissa in an `i128` while an
/// integer path applies (non-zero terms whose scales differ by at most 9
/// and a non-zero sum within 96 bits): the same result as
/// adding term by term, at a fraction of the cost (an as-of scan adds
/// one term per entry).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Running {
    value: Decimal,
    mantissa: i128,
    scale: u32,
}

impl Running {
    pub(crate) fn new(value: Decimal) -> Self {
        Self { value, mantissa: value.mantissa(), scale: value.scale() }
    }

    pub(crate) fn add(&mut self, term: Decimal) {
        if !self.add_mantissa(term.mantissa(), term.scale()) {
            *self = Self::new(sum(self.get(), term));
        }
    }

    /// Adds the term with signed mantissa `b` and scale `ts` (at most 28)
    /// when the integer path applies (both non-zero, as [`Running::add`]);
    /// false, with nothing changed, otherwise. A caller holding a term as
    /// parts skips building the `Decimal`.
    #[inline]
    pub(crate) fn add_mantissa(&mut self, b: i128, ts: u32) -> bool {
        if self.mantissa != 0 && b != 0 {
            let (mut a, mut b) = (self.mantissa, b);
            let scale = self.scale.max(ts);
            let up = scale - self.scale.min(ts);
            // The operand with the smaller scale rescales by at most 10^9
            // (one plain multiply; `fast_add` takes larger steps) and must
            // stay within 96 bits.
            let rescaled = up == 0 || {
                let small = if self.scale < ts { &mut a } else { &mut b };
                let factor = POW10.get(up as usize).copied().filter(|_| up <= 9);
                factor.and_then(|f| i128::try_from(f).ok()).is_some_and(|f| {
                    *small *= f;
                    small.unsigned_abs() < LIMIT
                })
            };
            let m = a + b;
            if rescaled && m != 0 && m.unsigned_abs() < LIMIT {
                self.mantissa = m;
                self.scale = scale;
                return true;
            }
        }
        false
    }

    pub(crate) fn get(&self) -> Decimal {
        if self.mantissa == 0 {
            return self.value;
        }
        build(self.mantissa < 0, self.mantissa.unsigned_abs(), self.scale).unwrap_or(self.value)
    }
}

/// `cost * qty`.
#[inline]
pub(crate) fn mul(cost: Decimal, qty: i64, id: u32) -> Result<Decimal, Fail> {
    // The common case inline, on the raw form: a unit cost whose mantissa
    // fits 64 bits times a positive count keeps the cost's sign and scale.
    let r = raw(cost);
    if let (Ok(m), Ok(q)) = (u64::try_from(r >> 32), u64::try_from(qty))
        && m != 0
        && q != 0
    {
        let product = u128::from(m) * u128::from(q);
        if product < LIMIT {
            return Ok(from_raw((product << 32) | (r & FLAGS)));
        }
    }
    mul_general(cost, qty, id)
}

/// [`mul`] past its inlined case.
#[inline(never)]
fn mul_general(cost: Decimal, qty: i64, id: u32) -> Result<Decimal, Fail> {
    let fast = if cost.is_zero() || qty == 0 {
        None
    } else {
        let m = widen(cost.mantissa().unsigned_abs(), qty.unsigned_abs());
        m.and_then(|m| build(cost.is_sign_negative() != (qty < 0), m, cost.scale()))
    };
    match fast {
        Some(v) => Ok(v),
        None => cost.checked_mul(Decimal::from(qty)).ok_or(overflow(id, "units times cost")),
    }
}

/// `total * part / whole`, the value of `part` of `whole` units: the
/// exact quotient rounded half-even, once, to [`SHARE_SCALE`] places (at
/// the dividend's scale when it divides exactly there; at most 28
/// significant digits, as `rust_decimal` divides, for quotients of 10^12
/// and more).
#[inline]
pub(crate) fn share(total: Decimal, part: i64, whole: i64, id: u32) -> Result<Decimal, Fail> {
    match exact_share(total, part, whole) {
        Some(v) => Ok(v),
        None => share_general(total, part, whole, id),
    }
}

/// [`share`] when `total * part` fits 64 bits and `whole` divides it:
/// the quotient keeps the dividend's scale (a layer of units received at
/// one unit cost splits this way), one hardware division.
#[inline(always)]
fn exact_share(total: Decimal, part: i64, whole: i64) -> Option<Decimal> {
    let r = raw(total);
    if (r & SCALE) >> 16 > u128::from(SHARE_SCALE) {
        return None;
    }
    let (part, whole) = (u64::try_from(part).ok()?, u64::try_from(whole).ok()?);
    let product = u64::try_from(r >> 32).ok()?.checked_mul(part)?;
    if whole == 0 || product == 0 || product % whole != 0 {
        return None;
    }
    Some(from_raw((u128::from(product / whole) << 32) | (r & FLAGS)))
}

/// Takes `part` of the `whole` units of a cost layer worth `layer` out of
/// a pool worth `pool`: `(value taken, layer left, pool left)`, exactly
/// what [`share`] and [`sub`] give, when it is all integer arithmetic on
/// one mantissa scale: both values positive with the same flags, the
/// share exact in 64 bits, and both remainders positive. `None` leaves
/// the case to those functions. The layer left is only meaningful when
/// `part < whole` (a whole layer leaves nothing behind). The value taken
/// comes as the entry stores it, built from its mantissa.
#[inline(always)]
pub(crate) fn draw(
    layer: Decimal,
    pool: Decimal,
    part: i64,
    whole: i64,
) -> Option<(Output, Decimal, Decimal)> {
    let (rl, rp) = (raw(layer), raw(pool));
    let flags = rl & FLAGS;
    if rp & FLAGS != flags {
        return None;
    }
    // The flags past bit 16 are the scale and, at bit 31, the sign: a
    // positive value's scale is at most SHARE_SCALE, a negative one's never.
    let scale = u32::try_from(flags >> 16).ok().filter(|&s| s <= SHARE_SCALE)?;
    let held = u64::try_from(rl >> 32).ok()?;
    let (part, whole) = (u64::try_from(part).ok()?, u64::try_from(whole).ok()?);
    let taken = if part == whole {
        held
    } else {
        let product = held.checked_mul(part)?;
        if whole == 0 || product % whole != 0 {
            return None;
        }
        product / whole
    };
    let in_pool = rp >> 32;
    if taken == 0 || in_pool <= u128::from(taken) || (part != whole && held <= taken) {
        return None;
    }
    let left = positive(u128::from(held - taken), scale);
    Some((Output::positive(taken, scale), left, positive(in_pool - u128::from(taken), scale)))
}

/// Takes `part` of the `whole` units of a moving-average pool worth
/// `pool`: `(value taken, pool left)`, exactly what [`share`] and [`sub`]
/// give, for the steady state of an average pool: a positive value at
/// [`SHARE_SCALE`] places whose mantissa times `part` fits 64 bits, with
/// `part < whole`. Then [`fast_share`]'s conditions come down to one
/// hardware division and the rounding-margin test, and the subtraction
/// to one on mantissas at the same scale. `None` leaves every other case
/// (an exact quotient included) to those functions.
#[inline(always)]
pub(crate) fn average_draw(pool: Decimal, part: i64, whole: i64) -> Option<(Output, Decimal)> {
    let r = raw(pool);
    if r & FLAGS != u128::from(SHARE_SCALE) << 16 {
        return None;
    }
    let held = u64::try_from(r >> 32).ok()?;
    let (part, whole) = (u64::try_from(part).ok()?, u64::try_from(whole).ok()?);
    if part == 0 || part >= whole {
        return None;
    }
    let product = held.checked_mul(part)?;
    let (q, rest) = (product / whole, product % whole);
    // `clear_of_edges` for a quotient under 2^64 < 10^20 (the 10^-8 tier),
    // its products as quotients (`r * m > w` exactly when `r > w / m`): a
    // division by a constant is a multiply, where the products took 128
    // bits.
    let edge = whole / 10_u64.pow(8);
    if rest <= edge || whole - rest <= edge {
        return None;
    }
    let taken = half_even(q, rest, whole);
    if taken == 0 || taken >= held {
        return None;
    }
    let rest = from_raw((u128::from(held - taken) << 32) | (r & FLAGS));
    Some((Output::positive(taken, SHARE_SCALE), rest))
}

/// [`share`] past its inlined case.
#[inline(never)]
fn share_general(total: Decimal, part: i64, whole: i64, id: u32) -> Result<Decimal, Fail> {
    if whole == 0 {
        return Ok(Decimal::ZERO);
    }
    if let Some(v) = fast_share(total, part, whole) {
        return Ok(v);
    }
    total
        .checked_mul(Decimal::from(part))
        .and_then(|x| x.checked_div(Decimal::from(whole)))
        .map(|x| round_once(x, total, Decimal::from(part), Decimal::from(whole)))
        .or_else(|| {
            total
                .checked_div(Decimal::from(whole))
                .and_then(|u| u.checked_mul(Decimal::from(part)))
                .map(|x| x.round_dp(SHARE_SCALE))
        })
        .ok_or(overflow(id, "pro-rata share"))
}

/// `amount * weight / total`, rounded half-even once to [`SHARE_SCALE`]
/// places as [`share`] rounds (for weights that are not whole units, such
/// as a landed cost's); `None` on overflow or a zero `total`.
pub(crate) fn weighted_share(amount: Decimal, weight: Decimal, total: Decimal) -> Option<Decimal> {
    let x = amount.checked_mul(weight)?.checked_div(total)?;
    Some(round_once(x, amount, weight, total))
}

/// `x`, the quotient `a * b / c` as `rust_decimal` divides it (to 28
/// significant digits, half-even), rounded to [`SHARE_SCALE`] places as
/// the exact quotient rounds.
///
/// Rounding `x` again can only differ from rounding the exact quotient
/// once when `x` sits exactly on a midpoint at 16 places (a 5 in the 17th
/// place and nothing after it) while the exact quotient lies just off it:
/// rounding to nearest never carries a value past a midpoint it could
/// have landed on. Then the exact quotient is compared with the midpoint
/// in integers, `|a * b|` against `|x * c|` at one scale, and rounds away
/// from it. When those products do not fit 128 bits (values of about
/// 10^20 and more), `x` is rounded as it is.
fn round_once(x: Decimal, a: Decimal, b: Decimal, c: Decimal) -> Decimal {
    let rounded = x.round_dp(SHARE_SCALE);
    let scale = x.scale();
    let Some(k) = scale.checked_sub(SHARE_SCALE).filter(|&k| k > 0) else {
        return rounded;
    };
    let m = x.mantissa().unsigned_abs();
    // A midpoint's mantissa ends in 5 * 10^(k - 1) = 5^k * 2^(k - 1): its
    // low k bits are 2^(k - 1). Most quotients fail this bit test, which
    // spares them the 128-bit remainder.
    let low = 1_u128 << k;
    if m & (low - 1) != low >> 1 {
        return rounded;
    }
    let (unit, half) = (POW10[k as usize], 5 * POW10[k as usize - 1]);
    if m % unit != half {
        return rounded;
    }
    // a * b / c against x, both multiplied by c and by ten to the power
    // of every scale: A * B * 10^(sc + sx) against X * C * 10^(sa + sb),
    // each side raised only by the difference.
    let (sab, scx) = (a.scale() + b.scale(), c.scale() + scale);
    let raise = |v: Option<u128>, by: u32| v?.checked_mul(*POW10.get(by as usize)?);
    let mantissa = |d: Decimal| d.mantissa().unsigned_abs();
    let exact = raise(mantissa(a).checked_mul(mantissa(b)), scx.saturating_sub(sab));
    let midpoint = raise(m.checked_mul(mantissa(c)), sab.saturating_sub(scx));
    let (Some(exact), Some(midpoint)) = (exact, midpoint) else {
        return rounded;
    };
    let toward_zero = m / unit;
    let magnitude = match exact.cmp(&midpoint) {
        std::cmp::Ordering::Equal => return rounded,
        std::cmp::Ordering::Less => toward_zero,
        std::cmp::Ordering::Greater => toward_zero + 1,
    };
    // Where half-even already went the same way, keep its result as it
    // is (a zero keeps `rust_decimal`'s scale and sign).
    if magnitude == toward_zero + toward_zero % 2 {
        return rounded;
    }
    build(x.is_sign_negative(), magnitude, SHARE_SCALE).unwrap_or(rounded)
}

/// The integer form of [`share`] for positive `part` and `whole`, when it
/// is certain to give the general path's answer, scale included.
///
/// The general path has `rust_decimal` multiply exactly (the product fits
/// 96 bits) and divide: a quotient exact at the dividend's scale keeps
/// that scale; otherwise it scales up in steps, rounding half-even at the
/// largest scale that fits, strips trailing zeros, and the result is
/// rounded to 16 places as the exact quotient rounds ([`round_once`]).
/// When the quotient needs more than 16 places and its fraction of a unit
/// in the 16th place is far enough from 0 and 1 that `rust_decimal`'s
/// own rounding leaves a digit past the 16th place (see
/// [`clear_of_edges`]), that is rounding the exact quotient once to 16
/// places, at scale 16. Every other case is left to the general path.
fn fast_share(total: Decimal, part: i64, whole: i64) -> Option<Decimal> {
    let scale = total.scale();
    if scale > SHARE_SCALE || total.is_zero() || part <= 0 || whole <= 0 {
        return None;
    }
    let negative = total.is_sign_negative();
    let product = widen(total.mantissa().unsigned_abs(), part.unsigned_abs())?;
    if product >= LIMIT {
        return None;
    }
    let up = POW10[(SHARE_SCALE - scale) as usize];
    let scaled = widen(product, u64::try_from(up).ok()?)?;
    let whole = u128::from(whole.unsigned_abs());
    let (q, r) = divide(scaled, whole);
    if r == 0 {
        // Exact at the dividend's scale, or somewhere up to 16 places
        // (where the stripped zeros depend on the steps taken: left).
        let (top, rest) = divide(q, up);
        return if rest == 0 { build(negative, top, scale) } else { None };
    }
    if !clear_of_edges(q, r, whole) {
        return None;
    }
    build(negative, half_even(q, r, whole), SHARE_SCALE)
}

/// Whether a quotient of `q` units in the 16th place and `r / whole` of
/// one more leaves a non-zero digit past the 16th place once
/// `rust_decimal` has divided: it keeps at least 28 - d places for a
/// quotient of d integer digits, so at least 12 - d past the 16th, and
/// its half-even rounding there neither clears them (a fraction under
/// half a unit of that place) nor carries them into the 16th (one within
/// half a unit of 1). Then its quotient has more than 16 places, rounds
/// to scale 16, and the fast paths' integer rounding gives the same
/// decimal. A fraction at least 10^-(12 - d) from 0 and from 1 is clear;
/// two tiers of d are used: up to 4 integer digits (10^-8) and up to 10
/// (10^-2). Larger quotients are left to the general path.
#[inline(always)]
fn clear_of_edges(q: u128, r: u128, whole: u128) -> bool {
    let margin = if q < POW10[20] {
        POW10[8]
    } else if q < POW10[26] {
        POW10[2]
    } else {
        return false;
    };
    r < whole && r * margin > whole && (whole - r) * margin > whole
}

/// `q` plus the fraction `r / whole` rounded half-even to a whole unit.
/// Generic so the moving-average path rounds in 64 bits (widening it to
/// 128 cost about 8 instructions an event) and the general one in 128.
#[inline(always)]
fn half_even<T>(q: T, r: T, whole: T) -> T
where
    T: Copy
        + std::ops::Add<Output = T>
        + std::ops::Mul<Output = T>
        + std::ops::BitAnd<Output = T>
        + Ord
        + From<u8>,
{
    let two = T::from(2);
    match (two * r).cmp(&whole) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + T::from(1),
        std::cmp::Ordering::Equal => q + (q & T::from(1)),
    }
}

/// `m * k`, one widening multiply when `m` fits 64 bits.
fn widen(m: u128, k: u64) -> Option<u128> {
    match u64::try_from(m) {
        Ok(m) => Some(u128::from(m) * u128::from(k)),
        Err(_) => m.checked_mul(u128::from(k)),
    }
}

/// `(n / d, n % d)`, in 64 bits when both fit (a hardware division).
fn divide(n: u128, d: u128) -> (u128, u128) {
    match (u64::try_from(n), u64::try_from(d)) {
        (Ok(n), Ok(d)) if d != 0 => (u128::from(n / d), u128::from(n % d)),
        _ => (n / d, n % d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rust_decimal`'s quotient rounded again to 16 places (what shares
    /// were before they rounded once).
    fn slow_share(total: Decimal, part: i64, whole: i64) -> Option<Decimal> {
        total
            .checked_mul(Decimal::from(part))
            .and_then(|x| x.checked_div(Decimal::from(whole)))
            .map(|x| x.round_dp(SHARE_SCALE))
    }

    /// The general path of [`share`] alone: `rust_decimal`'s quotient
    /// rounded as the exact quotient rounds.
    fn general_share(total: Decimal, part: i64, whole: i64) -> Option<Decimal> {
        let (p, w) = (Decimal::from(part), Decimal::from(whole));
        let x = total.checked_mul(p)?.checked_div(w)?;
        Some(round_once(x, total, p, w))
    }

    /// Same value, scale and sign: the 16 bytes of the representation.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.serialize() == b.serialize()
    }

    /// A small deterministic generator (xorshift) for the comparisons.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn decimal(&mut self) -> Decimal {
            let digits = self.next() % 29;
            let m = i128::from(self.next() >> 1) * i128::from(self.next() >> 32);
            let m = m % 10_i128.pow(digits as u32).max(1);
            let scale = (self.next() % 20) as u32;
            let m = if self.next().is_multiple_of(5) { -m } else { m };
            Decimal::from_i128_with_scale(m, scale)
        }
    }

    #[test]
    fn fast_paths_give_the_same_decimals_as_rust_decimal() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut fast_hits, mut share_hits, mut exact_hits, mut positive_hits) = (0, 0, 0, 0);
        for _ in 0..200_000 {
            let (a, b) = (g.decimal(), g.decimal());
            let part = (g.next() % 50).cast_signed() + 1;
            let whole = part + (g.next() % 50).cast_signed();
            if let Some(v) = fast_add(a, b) {
                assert!(same(v, a.checked_add(b).unwrap()), "{a} + {b}");
                fast_hits += 1;
            }
            if let Some(v) = add_positive(a, b) {
                assert!(same(v, a.checked_add(b).unwrap()), "{a} + {b} (positive)");
                positive_hits += 1;
            }
            if let Ok(v) = mul(a, part, 0) {
                assert!(same(v, a.checked_mul(Decimal::from(part)).unwrap()), "{a} * {part}");
            }
            if let Some(v) = exact_share(a, part, whole) {
                let slow = slow_share(a, part, whole).unwrap();
                assert!(same(v, slow), "exact {a} * {part} / {whole}: {v} vs {slow}");
                exact_hits += 1;
            }
            // A whole that divides the product: the exact case itself.
            let divides = whole.min(part * 2);
            if let Some(v) = exact_share(a, 2 * part, divides) {
                let slow = slow_share(a, 2 * part, divides).unwrap();
                assert!(same(v, slow), "exact {a} * {} / {divides}: {v} vs {slow}", 2 * part);
                exact_hits += 1;
            }
            if let Some(v) = fast_share(a, part, whole) {
                let slow = general_share(a, part, whole).unwrap();
                assert!(same(v, slow), "{a} * {part} / {whole}: {v} vs {slow}");
                share_hits += 1;
            }
        }
        assert!(fast_hits > 100_000, "the fast sums must be taken: {fast_hits}");
        assert!(positive_hits > 30_000, "the positive sums must be taken: {positive_hits}");
        assert!(share_hits > 20_000, "the fast shares must be taken: {share_hits}");
        assert!(exact_hits > 20_000, "the exact shares must be taken: {exact_hits}");
    }

    #[test]
    fn drawing_from_a_layer_equals_share_then_sub() {
        // Layers of one unit cost times their units, in pools that hold
        // them and more, at scales 0-18 (past the share scale too).
        let mut g = Gen(0x5851_F42D_4C95_7F2D);
        let mut hits = 0;
        for _ in 0..200_000 {
            let scale = (g.next() % 19) as u32;
            let whole = (g.next() % 40).cast_signed() + 1;
            let part = (g.next() % whole.unsigned_abs()).cast_signed() + 1;
            let cost = (g.next() % 1_000_000).cast_signed();
            let layer = Decimal::new(cost * whole, scale);
            let extra = match g.next() % 4 {
                0 => Decimal::ZERO,
                1 => Decimal::new((g.next() % 1_000).cast_signed(), scale),
                2 => Decimal::new((g.next() % 1_000).cast_signed(), (scale + 1) % 29),
                _ => -Decimal::new((g.next() % 1_000).cast_signed(), scale),
            };
            let pool = layer.checked_add(extra).unwrap();
            let Some((taken, left, rest)) = draw(layer, pool, part, whole) else { continue };
            let taken = taken.value();
            hits += 1;
            let expected = share(layer, part, whole, 0).unwrap();
            assert!(same(taken, expected), "{layer} * {part} / {whole}: {taken} vs {expected}");
            assert!(same(rest, sub(pool, taken, 0).unwrap()), "{pool} - {taken}");
            if part < whole {
                assert!(same(left, sub(layer, taken, 0).unwrap()), "{layer} - {taken}");
            }
        }
        assert!(hits > 50_000, "the integer draw must be taken: {hits}");
    }

    #[test]
    fn drawing_from_an_average_pool_equals_share_then_sub() {
        // Average pools at 16 places (and some at other scales, refused),
        // split over up to 5,000 units, many quotients near the margins.
        let mut g = Gen(0x2545_F491_4F6C_DD1D);
        let mut hits = 0;
        for _ in 0..200_000 {
            let digits = 1 + (g.next() % 19) as u32;
            let mantissa = (g.next() % 10_u64.pow(digits)).cast_signed();
            let scale = if g.next().is_multiple_of(8) { (g.next() % 20) as u32 } else { 16 };
            let pool = Decimal::new(mantissa, scale);
            let whole = (g.next() % 5_000).cast_signed() + 1;
            let part = (g.next() % whole.unsigned_abs()).cast_signed() + 1;
            let Some((taken, rest)) = average_draw(pool, part, whole) else { continue };
            let taken = taken.value();
            hits += 1;
            let expected = share(pool, part, whole, 0).unwrap();
            assert!(same(taken, expected), "{pool} * {part} / {whole}: {taken} vs {expected}");
            assert!(same(rest, sub(pool, taken, 0).unwrap()), "{pool} - {taken}");
        }
        assert!(hits > 100_000, "the integer draw must be taken: {hits}");
    }

    #[test]
    fn shares_of_long_averages_equal_rust_decimal() {
        // Moving-average pools: values at 16 places split over many units,
        // so most quotients need rounding, many close to the margins.
        let mut g = Gen(0x0123_4567_89AB_CDEF);
        let mut hits = 0;
        for _ in 0..200_000 {
            let digits = 12 + (g.next() % 14) as u32;
            let mantissa = (g.next() % 10_u64.pow(digits.min(19))).cast_signed();
            let total = Decimal::new(mantissa, 16);
            let whole = (g.next() % 5_000).cast_signed() + 1;
            let part = (g.next() % whole.unsigned_abs()).cast_signed() + 1;
            if let Some(v) = fast_share(total, part, whole) {
                let slow = general_share(total, part, whole).unwrap();
                assert!(same(v, slow), "{total} * {part} / {whole}: {v} vs {slow}");
                hits += 1;
            }
        }
        assert!(hits > 150_000, "the fast path must take most long averages: {hits}");
    }

    #[test]
    fn fast_shares_at_the_margins_equal_the_general_path() {
        // Quotients of q units in the 16th place plus r / whole, with r
        // next to 0, 1/2 and 1 of whole, across the margin tiers (up to 4
        // and up to 10 integer digits) and past them: the fast paths
        // either decline or give the general path's decimal bit for bit.
        let mut g = Gen(0x6A09_E667_F3BC_C908);
        let (mut fast, mut average) = (0, 0);
        for _ in 0..200_000 {
            let digits = 1 + (g.next() % 28) as u32;
            // Often ending in zeros, which a quotient rounded at its last
            // places would shed (and so change its scale).
            let zeros = POW10[(g.next() % 4) as usize];
            let q = u128::from(g.next()) * u128::from(g.next()) % POW10[digits as usize] / zeros
                * zeros;
            let room = (LIMIT / (q + 1)).min(1 << 62);
            // Wholes up to 2^62 (so fractions down to 10^-18) where the
            // total's mantissa leaves room, often near that room.
            let whole = match g.next() % 3 {
                0 => room,
                1 => u128::from(g.next()) % 1_000_000_000_000,
                _ => u128::from(g.next()) % room.max(2),
            }
            .max(2);
            let r = match g.next() % 8 {
                0 => 1,
                1 => u128::from(g.next() % 1_000) % whole,
                2 => whole - 1,
                3 => whole - 1 - u128::from(g.next() % 1_000) % whole,
                4 => whole / 2,
                5 => whole / 2 + 1,
                6 => whole / 2 - 1,
                _ => u128::from(g.next()) % whole,
            };
            let Some(m) = q.checked_mul(whole).and_then(|v| v.checked_add(r)) else { continue };
            if m >= LIMIT {
                continue;
            }
            let total = Decimal::from_i128_with_scale(i128::try_from(m).unwrap(), SHARE_SCALE);
            let whole = i64::try_from(whole).unwrap();
            let general = general_share(total, 1, whole).unwrap();
            if let Some(v) = fast_share(total, 1, whole) {
                assert!(same(v, general), "{total} / {whole}: {v} vs {general}");
                fast += 1;
            }
            if let Some((taken, left)) = average_draw(total, 1, whole) {
                let taken = taken.value();
                assert!(same(taken, general), "{total} / {whole}: {taken} vs {general}");
                assert!(same(left, sub(total, general, 0).unwrap()), "{total} - {general}");
                average += 1;
            }
        }
        assert!(fast > 50_000 && average > 5_000, "fast {fast}, average {average}");
    }

    #[test]
    fn a_plain_zero_plus_a_value_is_that_value_bit_for_bit() {
        let mut g = Gen(0x2545_F491_4F6C_DD1D);
        let mut hits = 0;
        for _ in 0..20_000 {
            let x = g.decimal();
            let zeros = [Decimal::ZERO, Decimal::new(0, 3), -Decimal::ZERO];
            for z in zeros {
                for (a, b) in [(z, x), (x, z)] {
                    if let Some(v) = fast_add(a, b) {
                        assert!(same(v, a.checked_add(b).unwrap()), "{a:?} + {b:?}");
                        hits += 1;
                    }
                }
            }
        }
        assert!(hits > 30_000, "the zero path must be taken: {hits}");
    }

    #[test]
    fn shares_of_money_amounts_match_hand_worked_values() {
        // 23.70 * 1 / 10 = 2.37 exactly, at the dividend's scale.
        let v = share(Decimal::new(2370, 2), 1, 10, 0).unwrap();
        assert!(same(v, Decimal::new(237, 2)));
        // 1 / 8 = 0.125: exact, the scale grows to 3.
        assert!(same(share(Decimal::ONE, 1, 8, 0).unwrap(), Decimal::new(125, 3)));
        // 10 / 3 = 3.3333333333333333 (16 places, rounded down).
        let third = share(Decimal::TEN, 1, 3, 0).unwrap();
        assert!(same(third, Decimal::new(33_333_333_333_333_333, 16)));
        // 20 / 3 = 6.6666666666666667 (rounded up).
        let two = share(Decimal::from(20), 1, 3, 0).unwrap();
        assert!(same(two, Decimal::new(66_666_666_666_666_667, 16)));
        // A midpoint at the 17th place goes to rust_decimal: 0.00000000000000005
        // halves to 0.000000000000000025, rounded half-even to 0.
        let tiny = Decimal::new(5, 17);
        assert!(same(share(tiny, 1, 2, 0).unwrap(), slow_share(tiny, 1, 2).unwrap()));
        // Negative totals round symmetrically: -10 / 3.
        let neg = share(-Decimal::TEN, 1, 3, 0).unwrap();
        assert!(same(neg, Decimal::new(-33_333_333_333_333_333, 16)));
    }

    #[test]
    fn a_quotient_just_off_a_midpoint_rounds_once() {
        // 0.0003000000000001 / 2,000,000,000,001 = (3,000,000,000,001 /
        // 2,000,000,000,001) units in the 16th place = 1.5 - 1/4,000,000,000,002
        // = 1.49999999999975: one unit (0.0000000000000001). To 28 places
        // the quotient is 0.000000000000000149999999999975, which rounds to
        // 0.0000000000000001500000000000, exactly the midpoint, and
        // half-even would then give two units.
        let w = 2_000_000_000_001;
        let below = Decimal::new(3_000_000_000_001, 16);
        assert_eq!(slow_share(below, 1, w), Some(Decimal::new(2, 16)));
        assert!(same(share(below, 1, w, 0).unwrap(), Decimal::new(1, 16)));
        // 0.0005000000000003 / 2,000,000,000,001 = 2.5 + 1/4,000,000,000,002
        // units: three, where half-even of the 28-digit midpoint gives two.
        let above = Decimal::new(5_000_000_000_003, 16);
        assert_eq!(slow_share(above, 1, w), Some(Decimal::new(2, 16)));
        assert!(same(share(above, 1, w, 0).unwrap(), Decimal::new(3, 16)));
        // Negative totals mirror it.
        assert!(same(share(-above, 1, w, 0).unwrap(), Decimal::new(-3, 16)));
        // An exact midpoint still rounds half-even: 0.0000000000000003 / 2
        // = 1.5 units -> 2; 0.0000000000000005 / 2 = 2.5 units -> 2.
        assert!(same(share(Decimal::new(3, 16), 1, 2, 0).unwrap(), Decimal::new(2, 16)));
        assert!(same(share(Decimal::new(5, 16), 1, 2, 0).unwrap(), Decimal::new(2, 16)));
    }

    #[test]
    fn weighted_shares_round_once_too() {
        // A landed cost of 0.0003000000000001 spread by weight 0.5 kg of
        // 1,000,000,000,000.5 kg: 0.00015000000000005 / 1,000,000,000,000.5
        // = (1.5 - 1/4,000,000,000,002) units in the 16th place, as above:
        // one unit, where rounding the 28-digit quotient again gives two.
        let amount = Decimal::new(3_000_000_000_001, 16);
        let (weight, total) = (Decimal::new(5, 1), Decimal::new(10_000_000_000_005, 1));
        let twice = amount.checked_mul(weight).unwrap().checked_div(total).unwrap();
        assert_eq!(twice.round_dp(SHARE_SCALE), Decimal::new(2, 16));
        assert!(same(weighted_share(amount, weight, total).unwrap(), Decimal::new(1, 16)));
        // Ordinary weights are the plain quotient: 100.00 * 2.5 / 7.5 =
        // 33.333... -> 33.3333333333333333.
        let third =
            weighted_share(Decimal::new(10_000, 2), Decimal::new(25, 1), Decimal::new(75, 1));
        assert!(same(third.unwrap(), Decimal::new(333_333_333_333_333_333, 16)));
        assert_eq!(weighted_share(Decimal::ONE, Decimal::ONE, Decimal::ZERO), None);
    }

    /// `total * part / whole` rounded half-even once to 16 places, in
    /// integers, when `total` has at most 16 places and everything fits.
    fn rounded_once(total: Decimal, part: i64, whole: i64) -> Option<Decimal> {
        let up = POW10[usize::try_from(SHARE_SCALE.checked_sub(total.scale())?).ok()?];
        let n = total.mantissa().unsigned_abs().checked_mul(u128::from(part.unsigned_abs()))?;
        let n = n.checked_mul(up)?;
        let w = u128::from(whole.unsigned_abs());
        let (q, r) = (n / w, n % w);
        let q = match (2 * r).cmp(&w) {
            std::cmp::Ordering::Less => q,
            std::cmp::Ordering::Greater => q + 1,
            std::cmp::Ordering::Equal => q + q % 2,
        };
        let q = i128::try_from(q).ok()?;
        Some(Decimal::from_i128_with_scale(
            if total.is_sign_negative() { -q } else { q },
            SHARE_SCALE,
        ))
    }

    #[test]
    fn shares_equal_the_exact_quotient_rounded_once() {
        // Near-midpoint shares, built as (2c + 1) / 2 +- 1 / (2w) units,
        // and plain random ones: the value equals rounding the exact
        // quotient once (compared as numbers; the scale is rust_decimal's).
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let mut corrected = 0;
        for i in 0..100_000 {
            let (total, part, whole) = if i % 2 == 0 {
                let w = i64::try_from(g.next() % 10_000_000_000_000).unwrap() | 1;
                let c = i64::try_from(g.next() % 1_000).unwrap();
                let side = if g.next().is_multiple_of(2) { -1 } else { 1 };
                let t = ((2 * c + 1) * w + side) / 2;
                (Decimal::new(t, 16), 1, w)
            } else {
                let whole = i64::try_from(g.next() % 1_000_000).unwrap() + 1;
                let part = i64::try_from(g.next() % 1_000_000).unwrap() % whole + 1;
                (Decimal::new(i64::try_from(g.next() % 1_000_000_000).unwrap(), 2), part, whole)
            };
            let Some(expected) = rounded_once(total, part, whole) else { continue };
            let got = share(total, part, whole, 0).unwrap();
            assert_eq!(got, expected, "{total} * {part} / {whole}");
            if slow_share(total, part, whole) != Some(got) {
                corrected += 1;
            }
        }
        // Double rounding would have gone wrong in some of the built cases.
        assert!(corrected > 1_000, "{corrected}");
    }

    #[test]
    fn a_running_sum_equals_adding_term_by_term() {
        let mut g = Gen(0x2545_F491_4F6C_DD1D);
        for _ in 0..2_000 {
            let start = g.decimal();
            let mut running = Running::new(start);
            let mut plain = start;
            for _ in 0..40 {
                // Mostly one scale, as in a book of money amounts, with
                // some other scales, zeros and exact cancellations mixed in.
                let term = match g.next() % 10 {
                    0 => g.decimal(),
                    1 => -plain,
                    2 => Decimal::ZERO,
                    // A scale a few places either side of the sum's.
                    3 | 4 => {
                        let scale = (plain.scale() + (g.next() % 13) as u32).saturating_sub(6);
                        Decimal::new(
                            (g.next() % 10_000_000).cast_signed() - 5_000_000,
                            scale.min(28),
                        )
                    }
                    _ => Decimal::new((g.next() % 100_000).cast_signed() - 50_000, plain.scale()),
                };
                running.add(term);
                plain = plain.saturating_add(term);
                assert!(same(running.get(), plain), "{} vs {plain}", running.get());
            }
        }
    }

    #[test]
    fn add_and_sub_equal_rust_decimal_bit_for_bit() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        for _ in 0..100_000 {
            let a = g.decimal();
            // Half the pairs share a scale (the inlined case), some are
            // zero or cancel exactly.
            let b = match g.next() % 6 {
                0 => g.decimal(),
                1 => -a,
                2 => Decimal::ZERO,
                _ => Decimal::new((g.next() % 1_000_000).cast_signed() - 500_000, a.scale()),
            };
            if let Some(expected) = a.checked_add(b) {
                assert!(same(add(a, b, 0).unwrap(), expected), "{a:?} + {b:?}");
            }
            if let Some(expected) = a.checked_sub(b) {
                assert!(same(sub(a, b, 0).unwrap(), expected), "{a:?} - {b:?}");
            }
        }
    }

    #[test]
    fn zero_results_come_from_rust_decimal() {
        let a = Decimal::new(150, 2);
        assert!(same(sub(a, a, 0).unwrap(), a.checked_sub(a).unwrap()));
        assert!(same(add(a, -a, 0).unwrap(), a.checked_add(-a).unwrap()));
        assert!(same(mul(a, 0, 0).unwrap(), a.checked_mul(Decimal::ZERO).unwrap()));
        assert!(same(
            share(Decimal::ZERO, 1, 3, 0).unwrap(),
            slow_share(Decimal::ZERO, 1, 3).unwrap()
        ));
    }
}
