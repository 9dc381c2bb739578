//! Descriptive statistics over lead-time variances, in `f64`.
//!
//! Inputs are finite and bounded (see [`crate::leadtime`]), so no result
//! here is NaN or infinite.

use crate::metric::{Metric, Undefined};

fn too_few(needed: usize, got: usize) -> Undefined {
    Undefined::TooFewObservations { needed, got }
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn len_f64(xs: &[f64]) -> f64 {
    xs.len() as f64
}

/// The arithmetic mean.
pub(crate) fn mean(xs: &[f64]) -> Metric<f64> {
    if xs.is_empty() {
        return Metric::Undefined(too_few(1, 0));
    }
    Metric::Value(xs.iter().sum::<f64>() / len_f64(xs))
}

/// The mean absolute value (the forecast-error MAD).
pub(crate) fn mean_abs(xs: &[f64]) -> Metric<f64> {
    if xs.is_empty() {
        return Metric::Undefined(too_few(1, 0));
    }
    Metric::Value(xs.iter().map(|x| x.abs()).sum::<f64>() / len_f64(xs))
}

/// The root of the mean square.
pub(crate) fn rmse(xs: &[f64]) -> Metric<f64> {
    if xs.is_empty() {
        return Metric::Undefined(too_few(1, 0));
    }
    Metric::Value((xs.iter().map(|x| x * x).sum::<f64>() / len_f64(xs)).sqrt())
}

/// The sample standard deviation (divisor n - 1).
pub(crate) fn sample_std_dev(xs: &[f64]) -> Metric<f64> {
    if xs.len() < 2 {
        return Metric::Undefined(too_few(2, xs.len()));
    }
    let m = xs.iter().sum::<f64>() / len_f64(xs);
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    Metric::Value((ss / (len_f64(xs) - 1.0)).sqrt())
}

/// The `p` quantile of ascending `sorted`, Hyndman and Fan type 7: the
/// linear interpolation between order statistics at `h = (n - 1) p`
/// (the default of R and of NumPy).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> Metric<f64> {
    let Some(&first) = sorted.first() else {
        return Metric::Undefined(too_few(1, 0));
    };
    let h = (len_f64(sorted) - 1.0) * p.clamp(0.0, 1.0);
    let lo = h.floor();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "h is in [0, n - 1], a valid index"
    )]
    let i = lo as usize;
    let below = sorted.get(i).copied().unwrap_or(first);
    let above = sorted.get(i + 1).copied().unwrap_or(below);
    Metric::Value(below + (h - lo) * (above - below))
}

/// The share of `xs` with absolute value at most `tolerance`.
pub(crate) fn share_within(xs: &[f64], tolerance: f64) -> Metric<f64> {
    if xs.is_empty() {
        return Metric::Undefined(too_few(1, 0));
    }
    let inside = xs.iter().filter(|x| x.abs() <= tolerance).count();
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    Metric::Value(inside as f64 / len_f64(xs))
}

/// The ordinary least-squares slope of `ys` on `ts`.
pub(crate) fn ols_slope(ts: &[f64], ys: &[f64]) -> Metric<f64> {
    if ts.len() < 2 || ts.len() != ys.len() {
        return Metric::Undefined(too_few(2, ts.len().min(ys.len())));
    }
    let n = len_f64(ts);
    let tm = ts.iter().sum::<f64>() / n;
    let ym = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, y) in ts.iter().zip(ys) {
        sxy += (t - tm) * (y - ym);
        sxx += (t - tm) * (t - tm);
    }
    if sxx == 0.0 {
        return Metric::Undefined(Undefined::NoSpreadInTime);
    }
    Metric::Value(sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_match_hand_values() {
        // n = 5, sorted [1, 2, 4, 7, 10]
        // p50: h = 4 x 0.5 = 2 -> x[2] = 4
        // p90: h = 3.6 -> 7 + 0.6 x (10 - 7) = 8.8
        // p95: h = 3.8 -> 7 + 0.8 x 3 = 9.4
        let xs = [1.0, 2.0, 4.0, 7.0, 10.0];
        assert_eq!(quantile_sorted(&xs, 0.5).value(), Some(4.0));
        assert!((quantile_sorted(&xs, 0.9).value().unwrap() - 8.8).abs() < 1e-12);
        assert!((quantile_sorted(&xs, 0.95).value().unwrap() - 9.4).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[3.0], 0.9).value(), Some(3.0));
        assert!(!quantile_sorted(&[], 0.5).is_defined());
    }

    #[test]
    fn sample_std_dev_divides_by_n_minus_one() {
        // mean 5; squares 9 + 1 + 1 + 9 = 20; 20 / 3 = 6.666..; sqrt = 2.5819..
        let sd = sample_std_dev(&[2.0, 4.0, 6.0, 8.0]).value().unwrap();
        assert!((sd - (20.0_f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(sample_std_dev(&[1.0]).reason(), Some(too_few(2, 1)));
    }

    #[test]
    fn ols_slope_of_a_line_is_its_gradient() {
        // y = 3 - 0.5 t
        let ts = [0.0, 10.0, 20.0, 40.0];
        let ys: Vec<f64> = ts.iter().map(|t| 3.0 - 0.5 * t).collect();
        assert!((ols_slope(&ts, &ys).value().unwrap() + 0.5).abs() < 1e-12);
        assert_eq!(ols_slope(&[5.0, 5.0], &[1.0, 2.0]).reason(), Some(Undefined::NoSpreadInTime));
    }
}
