//! Demand classification by average inter-demand interval (ADI) and the
//! squared coefficient of variation of demand sizes (CV²), after Syntetos,
//! Boylan and Croston (2005).

use crate::intermittent::intervals;
use crate::model::power_of_two_scale;

/// The ADI cut-off between frequent and intermittent demand (1.32).
pub const ADI_CUTOFF: f64 = 1.32;
/// The CV² cut-off between regular and variable demand sizes (0.49).
pub const CV2_CUTOFF: f64 = 0.49;

/// The four demand patterns of the Syntetos-Boylan-Croston scheme, plus a
/// series with no demand at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DemandClass {
    /// `ADI < 1.32`, `CV² < 0.49`: frequent, regular sizes.
    Smooth,
    /// `ADI < 1.32`, `CV² >= 0.49`: frequent, variable sizes.
    Erratic,
    /// `ADI >= 1.32`, `CV² < 0.49`: sporadic, regular sizes.
    Intermittent,
    /// `ADI >= 1.32`, `CV² >= 0.49`: sporadic, variable sizes.
    Lumpy,
    /// No period with demand.
    NoDemand,
}

impl DemandClass {
    /// Every class, in declaration order.
    pub const ALL: [Self; 5] =
        [Self::Smooth, Self::Erratic, Self::Intermittent, Self::Lumpy, Self::NoDemand];

    /// A short lowercase name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Smooth => "smooth",
            Self::Erratic => "erratic",
            Self::Intermittent => "intermittent",
            Self::Lumpy => "lumpy",
            Self::NoDemand => "no demand",
        }
    }
}

impl std::fmt::Display for DemandClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A series' class and the statistics behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Classification {
    /// The class.
    pub class: DemandClass,
    /// Mean inter-demand interval, counted as in [`crate::Croston`] (0
    /// without demand).
    pub adi: f64,
    /// Squared coefficient of variation of the positive demand sizes
    /// (population variance, divisor `n`, over squared mean; 0 with
    /// fewer than two). A CV² from R's `sd` (divisor `n - 1`) reads
    /// higher by `n / (n - 1)`, which matters near the 0.49 cut-off
    /// for SKUs with few demands.
    pub cv2: f64,
    /// Periods with positive demand.
    pub demands: usize,
}

/// Classifies a series.
///
/// ```
/// use merchantry_forecast::{DemandClass, classify};
/// // Demand in every period, sizes 10 and 12: ADI 1, CV² tiny.
/// assert_eq!(classify(&[10.0, 12.0, 10.0, 12.0]).class, DemandClass::Smooth);
/// // A demand every fourth period, sizes 1 and 9: ADI 4, CV² = 16/25.
/// let c = classify(&[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 9.0]);
/// assert_eq!((c.class, c.adi, c.cv2), (DemandClass::Lumpy, 4.0, 0.64));
/// ```
#[must_use]
pub fn classify(y: &[f64]) -> Classification {
    let (demands, adi) = intervals(y);
    let cv2 = size_cv2(y);
    let class = match (demands, adi < ADI_CUTOFF, cv2 < CV2_CUTOFF) {
        (0, _, _) => DemandClass::NoDemand,
        (_, true, true) => DemandClass::Smooth,
        (_, true, false) => DemandClass::Erratic,
        (_, false, true) => DemandClass::Intermittent,
        (_, false, false) => DemandClass::Lumpy,
    };
    Classification { class, adi, cv2, demands }
}

/// The CV² of the positive values, a ratio of scale: computed on the
/// sizes divided by a power of two near the largest (exact), so sizes
/// whose squares overflow (1e200) or underflow (1e-200) keep their CV²
/// rather than reading 0.
fn size_cv2(y: &[f64]) -> f64 {
    let scale = power_of_two_scale(y.iter().filter(|v| **v > 0.0));
    let (mut n, mut sum, mut sq) = (0.0, 0.0, 0.0);
    for v in y.iter().filter(|v| **v > 0.0).map(|v| v / scale) {
        n += 1.0;
        sum += v;
        sq += v * v;
    }
    if n < 2.0 {
        return 0.0;
    }
    let m = sum / n;
    let var = (sq / n - m * m).max(0.0);
    let cv2 = var / (m * m);
    if cv2.is_finite() { cv2 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_quadrants_and_no_demand() {
        // Erratic: every period, sizes 1 and 5 (mean 3, variance 4,
        // CV² = 4/9 = 0.44 < 0.49 would be smooth), so use 1 and 9:
        // mean 5, variance 16, CV² 0.64.
        assert_eq!(classify(&[1.0, 9.0, 1.0, 9.0]).class, DemandClass::Erratic);
        assert_eq!(classify(&[1.0, 5.0, 1.0, 5.0]).class, DemandClass::Smooth);
        // Intermittent: a 5 every other period: ADI 2, CV² 0.
        assert_eq!(classify(&[0.0, 5.0, 0.0, 5.0]).class, DemandClass::Intermittent);
        assert_eq!(classify(&[0.0, 0.0]).class, DemandClass::NoDemand);
        assert_eq!(classify(&[]).class, DemandClass::NoDemand);
    }

    #[test]
    fn cv2_does_not_depend_on_the_unit() {
        // Sizes 1 and 9: mean 5, population variance 16, CV² 16 / 25 =
        // 0.64, erratic. In units of 1e200 the squares overflowed (sum of
        // squares inf, CV² NaN, read as 0: smooth); in units of 1e-200
        // they underflowed to 0 (CV² 0 / 0, read as 0: smooth).
        for unit in [1.0, 1e200, 1e-200, 1e300, 1e-300] {
            let c = classify(&[unit, 9.0 * unit, unit, 9.0 * unit]);
            assert!((c.cv2 - 0.64).abs() < 1e-12, "unit {unit}: {}", c.cv2);
            assert_eq!(c.class, DemandClass::Erratic, "unit {unit}");
        }
        // Unchanged, bit for bit, in ordinary units (scaling by a power
        // of two is exact): the documented 0.64 of sizes 1 and 9.
        assert_eq!(classify(&[0.0, 1.0, 0.0, 9.0]).cv2, 0.64);
    }

    #[test]
    fn cutoff_is_inclusive_on_the_intermittent_side() {
        // 33 demands with the last at index 43: ADI = 44 / 33 = 1.333 >= 1.32.
        let mut y = vec![1.0; 44];
        for i in (0..44).step_by(4).take(11) {
            y[i] = 0.0;
        }
        let c = classify(&y);
        assert!(c.adi >= ADI_CUTOFF, "{}", c.adi);
        assert_eq!(c.class, DemandClass::Intermittent);
    }
}
