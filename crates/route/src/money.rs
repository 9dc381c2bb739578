//! Exact decimal arithmetic for costs.
//!
//! `rust_decimal` keeps at most 96 bits of mantissa. When an exact sum or
//! product needs more digits than that at its scale, its checked
//! operations round away the smallest digits instead of failing (only a
//! result past the whole range fails). Money is never rounded inside the
//! engine, so these helpers answer `None` whenever the exact result is
//! not a `Decimal`, and keep the plain result (with its scale) whenever
//! it is.

use rust_decimal::Decimal;

/// `a + b` exactly, or `None` when the exact sum is not a `Decimal`.
#[inline(always)]
pub(crate) fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    // The usual case, told from the inputs alone: one scale and both
    // mantissas below 2^95, so the sum's mantissa is below 2^96 and
    // nothing can be rounded.
    if a.scale() == b.scale() && below_2_95(a) && below_2_95(b) {
        return a.checked_add(b);
    }
    add_checked(a, b)
}

/// Whether `d`'s mantissa is below 2^95 in magnitude.
#[inline(always)]
fn below_2_95(d: Decimal) -> bool {
    high_word(d) < 1 << 31
}

/// The top 32 bits of `d`'s 96-bit mantissa.
#[inline(always)]
fn high_word(d: Decimal) -> u32 {
    let [.., a, b, c, e] = d.serialize();
    u32::from_le_bytes([a, b, c, e])
}

/// [`add`] for any inputs: the plain sum, checked for lost scale.
#[inline(never)]
fn add_checked(a: Decimal, b: Decimal) -> Option<Decimal> {
    let sum = a.checked_add(b)?;
    // Decimal addition works at the larger scale and only lowers the
    // scale (rounding) when the mantissa would overflow.
    if sum.scale() == a.scale().max(b.scale()) {
        return Some(sum);
    }
    add_slow(a, b)
}

/// [`add`] when the plain sum lost scale. Trailing zeros may have forced
/// that: retry with them removed, in i128 at a common scale, where
/// nothing is rounded.
#[cold]
#[inline(never)]
fn add_slow(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    let scale = a.scale().max(b.scale());
    let ma = widen(a, scale)?;
    let mb = widen(b, scale)?;
    from_mantissa(ma.checked_add(mb)?, scale)
}

/// `a * n` exactly, or `None` when the exact product is not a `Decimal`
/// (or, in contrived cases, when it has more than 38 digits before its
/// trailing zeros are dropped).
#[inline(always)]
pub(crate) fn mul(a: Decimal, n: u64) -> Option<Decimal> {
    // The usual case, told from the inputs alone: a mantissa below 2^64
    // times a factor below 2^32 stays below 2^96, at the same scale.
    if n <= u64::from(u32::MAX) && high_word(a) == 0 {
        return a.checked_mul(Decimal::from(n));
    }
    mul_checked(a, n)
}

/// [`mul`] for any inputs: the plain product, checked for lost scale.
#[inline(never)]
fn mul_checked(a: Decimal, n: u64) -> Option<Decimal> {
    let product = a.checked_mul(Decimal::from(n))?;
    // An integer factor keeps the scale unless digits were dropped.
    if product.scale() == a.scale() {
        return Some(product);
    }
    mul_slow(a, n)
}

/// [`mul`] when the plain product lost scale: redone in i128.
#[cold]
#[inline(never)]
fn mul_slow(a: Decimal, n: u64) -> Option<Decimal> {
    let a = a.normalize();
    from_mantissa(a.mantissa().checked_mul(i128::from(n))?, a.scale())
}

/// The mantissa of `d` at the larger `scale`, or `None` past i128.
fn widen(d: Decimal, scale: u32) -> Option<i128> {
    let up = 10i128.checked_pow(scale.checked_sub(d.scale())?)?;
    d.mantissa().checked_mul(up)
}

/// `mantissa / 10^scale` as a `Decimal` once trailing zeros are dropped,
/// or `None` when it still does not fit.
fn from_mantissa(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn sums_that_fit_keep_their_scale() {
        let sum = add(dec("2.50"), dec("7.00")).unwrap();
        assert_eq!(sum, dec("9.50"));
        assert_eq!(sum.scale(), 2);
    }

    #[test]
    fn a_sum_that_would_round_is_refused() {
        // 10^10 + 10^-28 has 39 significant digits; a Decimal holds 29.
        assert_eq!(add(dec("10000000000"), dec("0.0000000000000000000000000001")), None);
        // The plain operation rounds it away, which is what is avoided.
        let rounded = dec("10000000000").checked_add(dec("0.0000000000000000000000000001"));
        assert_eq!(rounded, Some(dec("10000000000")));
    }

    #[test]
    fn trailing_zeros_do_not_make_an_exact_sum_fail() {
        // 1.0000000000000000000000000000 (scale 28) + 10^10: at scale 28
        // the sum needs 39 digits, but its value 10000000001 fits.
        let one = Decimal::from_i128_with_scale(10i128.pow(28), 28);
        assert_eq!(add(one, dec("10000000000")), Some(dec("10000000001")));
        // 7922816251426433759354395033.5 has the largest mantissa,
        // 2^96 - 1, at scale 1. Adding 0.5 gives ...034.0, whose mantissa
        // at scale 1 is past 2^96, but whose value ...034 fits.
        let big = dec("7922816251426433759354395033.5");
        assert_eq!(add(big, dec("0.5")), Some(dec("7922816251426433759354395034")));
        // Adding 0.6 gives ...034.1: 29 digits past 2^96 at any scale.
        assert_eq!(add(big, dec("0.6")), None);
    }

    #[test]
    fn products_are_exact_or_refused() {
        assert_eq!(mul(dec("0.25"), 3), Some(dec("0.75")));
        assert_eq!(mul(dec("0.25"), 3).unwrap().scale(), 2);
        // 0.1234567890123456789012345678 x 3 = 0.3703703670370370367037037034
        // fits (28 digits); x 1000 needs scale 28 with 31 digits, but the
        // three trailing zeros drop: 123.4567890123456789012345678.
        assert_eq!(
            mul(dec("0.1234567890123456789012345678"), 1000),
            Some(dec("123.4567890123456789012345678"))
        );
        // 0.0000000000000000000000000001 x (2^64 - 1) = 1.8446744073709551615e-9,
        // fine; 7.9228162514264337593543950335 x 3 needs 30 digits: refused.
        assert_eq!(
            mul(dec("0.0000000000000000000000000001"), u64::MAX),
            Some(dec("0.0000000018446744073709551615"))
        );
        assert_eq!(mul(dec("7.9228162514264337593543950335"), 3), None);
    }
}
