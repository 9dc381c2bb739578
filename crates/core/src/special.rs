//! Special functions the statistical crates share.
//!
//! The forecast and reorder crates depend only on this crate, so the
//! few numerical pieces both need live here, each with the precision it
//! reaches and how that was checked.

/// The Euler-Mascheroni constant, `gamma`.
pub const EULER_MASCHERONI: f64 = 0.577_215_664_901_532_9;

/// `zeta(k) - 1` for `k = 2, 3, ..., 55` (60-digit mpmath values rounded
/// to `f64`).
const ZETA_MINUS_ONE: [f64; 54] = [
    0.644_934_066_848_226_4,
    0.202_056_903_159_594_3,
    0.082_323_233_711_138_19,
    0.036_927_755_143_369_93,
    0.017_343_061_984_449_14,
    0.008_349_277_381_922_827,
    0.004_077_356_197_944_34,
    0.002_008_392_826_082_214_3,
    0.000_994_575_127_818_085_3,
    0.000_494_188_604_119_464_5,
    0.000_246_086_553_308_048_3,
    0.000_122_713_347_578_489_15,
    6.124_813_505_870_483e-5,
    3.058_823_630_702_049e-5,
    1.528_225_940_865_187e-5,
    7.637_197_637_899_763e-6,
    3.817_293_264_999_84e-6,
    1.908_212_716_553_939e-6,
    9.539_620_338_727_962e-7,
    4.769_329_867_878_064e-7,
    2.384_505_027_277_33e-7,
    1.192_199_259_653_110_6e-7,
    5.960_818_905_125_948e-8,
    2.980_350_351_465_228e-8,
    1.490_155_482_836_504_3e-8,
    7.450_711_789_835_43e-9,
    3.725_334_024_788_457e-9,
    1.862_659_723_513_049e-9,
    9.313_274_324_196_682e-10,
    4.656_629_065_033_784e-10,
    2.328_311_833_676_505_3e-10,
    1.164_155_017_270_052e-10,
    5.820_772_087_902_701e-11,
    2.910_385_044_497_1e-11,
    1.455_192_189_104_198_5e-11,
    7.275_959_835_057_482e-12,
    3.637_979_547_378_651e-12,
    1.818_989_650_307_066e-12,
    9.094_947_840_263_888e-13,
    4.547_473_783_042_154e-13,
    2.273_736_845_824_652_4e-13,
    1.136_868_407_680_228e-13,
    5.684_341_987_627_585e-14,
    2.842_170_976_889_302e-14,
    1.421_085_482_803_160_8e-14,
    7.105_427_395_210_853e-15,
    3.552_713_691_337_114e-15,
    1.776_356_843_579_120_4e-15,
    8.881_784_210_930_816e-16,
    4.440_892_103_143_813e-16,
    2.220_446_050_798_042e-16,
    1.110_223_025_141_066_1e-16,
    5.551_115_124_845_481e-17,
    2.775_557_562_136_124e-17,
];

/// `ln Gamma(1 + a) / a` for `0 <= a <= 1`, to within `5e-16` absolute
/// (`-gamma` at `a = 0`, its limit); NaN outside that range.
///
/// Summed from Abramowitz and Stegun 6.1.33,
///
/// ```text
/// ln Gamma(1 + a) = -ln(1 + a) + a (1 - gamma) + sum_{k >= 2} (-1)^k (zeta(k) - 1) a^k / k
/// ```
///
/// whose terms fall as `(a / 2)^k`: the first left out (`k = 56`) is
/// below `2e-19` at `a = 1`. A log-gamma routine's `ln Gamma(1 + a)`, good to a few
/// `1e-15` absolute, loses digits when divided by a small `a` (`1e-11`
/// relative at `a = 1e-4` with statrs); this quotient is the exponent
/// of a small-shape gamma quantile.
///
/// ```
/// use merchantry_core::special::{EULER_MASCHERONI, ln_gamma_1p_over_a};
///
/// // Gamma(2) = 1, so ln Gamma(1 + 1) / 1 = 0.
/// assert!(ln_gamma_1p_over_a(1.0).abs() < 1e-15);
/// assert_eq!(ln_gamma_1p_over_a(0.0), -EULER_MASCHERONI);
/// assert!(ln_gamma_1p_over_a(1.5).is_nan());
/// ```
#[must_use]
pub fn ln_gamma_1p_over_a(a: f64) -> f64 {
    if !(0.0..=1.0).contains(&a) {
        return f64::NAN;
    }
    if a == 0.0 {
        return -EULER_MASCHERONI;
    }
    // sum_{k >= 2} (-1)^k (zeta(k) - 1) / k a^(k - 2), by Horner from
    // the last term.
    let tail = (2u32..56).zip(ZETA_MINUS_ONE).rev().fold(0.0f64, |sum, (k, z)| {
        let c = z / f64::from(k);
        sum.mul_add(a, if k % 2 == 0 { c } else { -c })
    });
    a.mul_add(tail, (1.0 - EULER_MASCHERONI) - a.ln_1p() / a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_1p_over_a_keeps_every_digit_at_small_shapes() {
        // 50-digit mpmath loggamma(1 + a) / a (a tester's and a
        // helper's independent runs). statrs' ln_gamma(1 + a) / a was
        // 1e-11 off at a = 1e-4 and 2e-14 at a = 0.5.
        let cases = [
            (1e-8, -0.577_215_656_676_862_6),
            (1e-4, -0.577_133_422_204_776_3),
            (1.0001e-4, -0.577_133_413_980_907_2),
            (3e-3, -0.574_751_862_683_045_3),
            (0.1, -0.498_724_412_598_397_2),
            (0.3, -0.360_582_698_359_534_94),
            (0.4999, -0.241_620_087_934_574_8),
            (0.5, -0.241_564_475_270_490_44),
            (0.7, -0.136_868_139_152_951_26),
            (0.999, -0.000_422_884_685_377_531_7),
        ];
        for (a, want) in cases {
            let got = ln_gamma_1p_over_a(a);
            // Absolute: it is an exponent's term (and near a = 1 it
            // tends to 0).
            assert!((got - want).abs() < 5e-16, "{a}: {got} vs {want}");
        }
        assert_eq!(ln_gamma_1p_over_a(0.0), -EULER_MASCHERONI);
        // Gamma(2) = 1.
        assert!(ln_gamma_1p_over_a(1.0).abs() < 1e-15);
        for bad in [-1e-300, 1.000_000_1, f64::NAN, f64::INFINITY] {
            assert!(ln_gamma_1p_over_a(bad).is_nan(), "{bad}");
        }
    }
}
