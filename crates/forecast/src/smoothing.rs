//! Level, trend and seasonal models: moving average, simple exponential
//! smoothing, Holt, seasonal indices and Holt-Winters.
//!
//! The recursions are those of Hyndman and Athanasopoulos, *Forecasting:
//! Principles and Practice* (2nd ed., chapter 7), in component form. The
//! initial states are set by the simple heuristics each model documents
//! rather than optimised (statsforecast's `ETS` optimises them; its
//! `SimpleExponentialSmoothing` and the heuristics here do not).

use crate::error::{ForecastError, Result, check_series, unit_open};
use crate::model::{
    DemandModel, Fitted, ModelKind, Parameters, SeasonalMode, fit_rescaled, mean, rmse_of,
};
use crate::optim::{NelderMead, golden_section_polished, nelder_mead};

/// Lower and upper bound of every fitted smoothing constant.
pub(crate) const FIT_LO: f64 = 0.01;
/// See [`FIT_LO`].
pub(crate) const FIT_HI: f64 = 0.99;

/// The mean of the last `window` periods.
///
/// The forecast is flat: the mean of the last `min(window, n)` values.
/// The in-sample one-step forecast of period `t >= 1` is the mean of the
/// `min(window, t)` values before it; the spread is the RMSE of those
/// forecasts.
///
/// ```
/// use merchantry_forecast::{DemandModel, MovingAverage};
/// // The last three values are 4, 6 and 8: their mean is 6.
/// let fit = MovingAverage::new(3)?.fit(&[1.0, 2.0, 4.0, 6.0, 8.0])?;
/// assert_eq!(fit.mean_at(1), 6.0);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
pub struct MovingAverage {
    window: usize,
}

impl MovingAverage {
    /// A seven-period moving average.
    pub const WEEK: Self = Self { window: 7 };

    /// A moving average over `window` periods.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] when `window` is 0.
    pub fn new(window: usize) -> Result<Self> {
        if window == 0 {
            return Err(ForecastError::InvalidParameter {
                name: "window",
                value: 0.0,
                allowed: "1 or more periods",
            });
        }
        Ok(Self { window })
    }

    /// The window in periods.
    #[must_use]
    pub const fn window(&self) -> usize {
        self.window
    }
}

impl DemandModel for MovingAverage {
    fn kind(&self) -> ModelKind {
        ModelKind::MovingAverage
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        fit_rescaled(y, |y| {
            check_series(y)?;
            let k = self.window;
            let (mut sum, mut sse) = (0.0, 0.0);
            for t in 0..y.len() {
                if t > 0 {
                    #[expect(clippy::cast_precision_loss, reason = "windows are small")]
                    let f = sum / t.min(k) as f64;
                    sse += (y[t] - f) * (y[t] - f);
                }
                sum += y[t];
                if t >= k {
                    sum -= y[t - k];
                }
            }
            let level = mean(&y[y.len().saturating_sub(k)..]);
            let sigma = rmse_of(sse, y.len() - 1, ModelKind::MovingAverage)?;
            let params = Parameters { window: Some(k), ..Parameters::default() };
            Ok(Fitted::flat(ModelKind::MovingAverage, level, sigma, y.len()).with_params(params))
        })
    }
}

/// Simple exponential smoothing, `l_t = l_{t-1} + alpha (y_t - l_{t-1})`.
///
/// Initialisation (as statsforecast's `ses`, the default
/// [`SesStart::FirstValue`]): the level starts at the first
/// observation, so the first one-step forecast is `y_0` and the squared
/// errors are summed over periods `1..n`. [`SesStart::Estimated`] fits the
/// level before the first observation instead (see there). With `alpha`
/// left to the fit, it
/// minimises that sum by golden-section search on `[0.01, 0.99]` to a
/// bracket of 0.001, the two ends of the range compared as well, and
/// then one parabolic step through the best point and its neighbours
/// 0.001 either side (a series of fewer than three values keeps
/// `alpha = 0.1`). The forecast is flat at the final level.
///
/// ```
/// use merchantry_forecast::{DemandModel, Ses};
/// // alpha = 0.5 from level 10: 10 + 0.5 (20 - 10) = 15, then
/// // 15 + 0.5 (20 - 15) = 17.5.
/// let fit = Ses::new(0.5)?.fit(&[10.0, 20.0, 20.0])?;
/// assert_eq!(fit.mean_at(1), 17.5);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
pub struct Ses {
    alpha: Option<f64>,
    start: SesStart,
}

/// Where [`Ses`] starts its level.
///
/// ```
/// use merchantry_forecast::{DemandModel, Ses, SesStart};
/// // From the first value, alpha 0.5: 10, then 15, then 17.5.
/// let y = [10.0, 20.0, 20.0];
/// assert_eq!(Ses::new(0.5)?.fit(&y)?.mean_at(1), 17.5);
/// // Estimated: the start x minimising the three one-step errors
/// // (10 - x)^2 + (15 - x/2)^2 + (7.5 - x/4)^2 is 310/21, and the
/// // level after the three values x/8 + 16.25 = 380/21.
/// let fit = Ses::new(0.5)?.with_start(SesStart::Estimated).fit(&y)?;
/// assert!((fit.mean_at(1) - 380.0 / 21.0).abs() < 1e-12);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SesStart {
    /// The level starts at the first observation, whose error is not
    /// counted (statsforecast, `fpp`'s `ses(initial = "simple")`, R's
    /// `HoltWinters`). The default.
    #[default]
    FirstValue,
    /// The level before the first observation is fitted with `alpha`, by
    /// least squares over the one-step errors of every observation, the
    /// first included (statsmodels' `initialization_method =
    /// "estimated"`, R's `ets`). For a given `alpha` the best start has a
    /// closed form (the errors are linear in it), so `alpha` is still
    /// found by the one-dimensional search. Less swayed by an unusual
    /// first value, such as a weekend that starts a weekday-heavy
    /// history.
    Estimated,
}

impl Ses {
    /// SES with a fixed smoothing constant.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] unless `0 < alpha < 1`.
    pub fn new(alpha: f64) -> Result<Self> {
        Ok(Self { alpha: Some(unit_open("alpha", alpha)?), start: SesStart::FirstValue })
    }

    /// SES with `alpha` fitted to each series.
    #[must_use]
    pub const fn fitted() -> Self {
        Self { alpha: None, start: SesStart::FirstValue }
    }

    /// This model with its level started as `start` says.
    #[must_use]
    pub const fn with_start(self, start: SesStart) -> Self {
        Self { start, ..self }
    }

    /// The fixed constant, or `None` when fitted.
    #[must_use]
    pub const fn alpha(&self) -> Option<f64> {
        self.alpha
    }

    /// Where the level starts.
    #[must_use]
    pub const fn start(&self) -> SesStart {
        self.start
    }

    /// The final level and the one-step SSE of `y` under `alpha`, from
    /// this model's start. Under [`SesStart::Estimated`] one error more
    /// is counted and one parameter more fitted, so the spread divides by
    /// `n - 1` either way.
    fn run(&self, y: &[f64], alpha: f64) -> (f64, f64) {
        match self.start {
            SesStart::FirstValue => ses_run(y, alpha),
            SesStart::Estimated => {
                let (_, level, sse) = ses_estimated_run(y, alpha);
                (level, sse)
            }
        }
    }
}

/// The least-squares start of SES with constant `alpha` over `y` (the
/// level before `y[0]`), and the one-step SSE over every value from it.
///
/// The forecast of `y_t` is `b^t x + c_t` with `b = 1 - alpha`,
/// `c_0 = 0` and `c_{t+1} = b c_t + alpha y_t`, so the SSE is a
/// quadratic in the start `x`, least at
/// `x = sum b^t (y_t - c_t) / sum b^(2t)`. The SSE is then summed from
/// that start, not from the closed form (which would subtract two large
/// sums).
pub(crate) fn ses_estimated_run(y: &[f64], alpha: f64) -> (f64, f64, f64) {
    let b = 1.0 - alpha;
    let (mut c, mut w, mut num, mut den) = (0.0, 1.0, 0.0, 0.0);
    for &v in y {
        num += w * (v - c);
        den += w * w;
        c = b * c + alpha * v;
        w *= b;
    }
    let start = if den > 0.0 { num / den } else { 0.0 };
    let (mut level, mut sse) = (start, 0.0);
    for &v in y {
        let e = v - level;
        sse += e * e;
        level += alpha * e;
    }
    (start, level, sse)
}

/// Runs SES from `l = y[0]`: the final level and the one-step SSE.
///
/// Both are finite only if every value is: a non-finite `y_t` makes the
/// error `y_t - l_{t-1}` (for `t >= 1`) or the level (for `t = 0`)
/// non-finite, and a non-finite error makes the SSE infinite or NaN.
/// Finite values can still overflow, so a non-finite result is not proof
/// of a non-finite value.
pub(crate) fn ses_run(y: &[f64], alpha: f64) -> (f64, f64) {
    let Some((&first, rest)) = y.split_first() else {
        return (0.0, 0.0);
    };
    // l_t = b l_{t-1} + a y_t with b = 1 - alpha. Four steps at a time,
    // the level four steps on is b^4 l + (a b^3 y1 + a b^2 y2 + a b y3 + a y4),
    // so the loop-carried chain is one multiply and one add per four
    // periods; the intermediate levels, needed only for the errors, hang
    // off it. Two squared-error accumulators break the other chain.
    let (a, b) = (alpha, 1.0 - alpha);
    let (b2, b3) = (b * b, b * b * b);
    let b4 = b2 * b2;
    let (mut level, mut sse0, mut sse1) = (first, 0.0, 0.0);
    let mut chunks = rest.chunks_exact(4);
    for c in &mut chunks {
        let (y1, y2, y3, y4) = (c[0], c[1], c[2], c[3]);
        let l1 = b * level + a * y1;
        let l2 = b2 * level + (a * b * y1 + a * y2);
        let l3 = b3 * level + (a * b2 * y1 + a * b * y2 + a * y3);
        let (e1, e2, e3, e4) = (y1 - level, y2 - l1, y3 - l2, y4 - l3);
        sse0 += e1 * e1 + e2 * e2;
        sse1 += e3 * e3 + e4 * e4;
        level = b4 * level + (a * b3 * y1 + a * b2 * y2 + a * b * y3 + a * y4);
    }
    for &v in chunks.remainder() {
        let e = v - level;
        sse0 += e * e;
        level += alpha * e;
    }
    (level, sse0 + sse1)
}

/// The SSE-minimising `alpha` on `[FIT_LO, FIT_HI]` (0.1 for short series).
pub(crate) fn ses_alpha(y: &[f64]) -> f64 {
    ses_alpha_within(y, FIT_LO, FIT_HI)
}

/// The SSE-minimising `alpha` on `[lo, hi]`, 0.1 for fewer than three
/// values (whose SSE does not depend on `alpha`).
pub(crate) fn ses_alpha_within(y: &[f64], lo: f64, hi: f64) -> f64 {
    if y.len() < 3 {
        return 0.1;
    }
    golden_section_polished(|a| ses_run(y, a).1, lo, hi, 1e-3).0
}

impl DemandModel for Ses {
    fn kind(&self) -> ModelKind {
        ModelKind::Ses
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        fit_rescaled(y, |y| {
            let alpha = match self.alpha {
                Some(alpha) => alpha,
                None => {
                    check_series(y)?;
                    match self.start {
                        SesStart::FirstValue => ses_alpha(y),
                        // Two values fit any alpha exactly from a chosen start.
                        SesStart::Estimated if y.len() < 3 => 0.1,
                        SesStart::Estimated => {
                            golden_section_polished(|a| self.run(y, a).1, FIT_LO, FIT_HI, 1e-3).0
                        }
                    }
                }
            };
            if y.is_empty() {
                return Err(ForecastError::Empty { what: "series" });
            }
            let (level, sse) = self.run(y, alpha);
            // A non-finite input makes its own error, or the level, non-finite
            // (see `ses_run`; `ses_estimated_run` carries it the same way),
            // so a finite result needs no separate check pass.
            if !(level.is_finite() && sse.is_finite()) {
                check_series(y)?;
            }
            let params = Parameters { alpha: Some(alpha), ..Parameters::default() };
            let sigma = rmse_of(sse, y.len() - 1, ModelKind::Ses)?;
            Ok(Fitted::flat(ModelKind::Ses, level, sigma, y.len()).with_params(params))
        })
    }
}

/// Holt's linear trend method in component form:
/// `l_t = alpha y_t + (1 - alpha)(l_{t-1} + b_{t-1})`,
/// `b_t = beta* (l_t - l_{t-1}) + (1 - beta*) b_{t-1}` (FPP section 7.2,
/// with `beta*` the trend constant as defined there).
///
/// Initialisation (the heuristic of Hyndman et al. 2008, section 2.6.1):
/// a least-squares line through the first `min(n, 10)` values gives the
/// initial level (its value at `t = 0`, so the first one-step forecast is
/// that fitted value) and trend (its slope). Constants left to the fit
/// minimise the one-step SSE over all periods: the best point of a
/// 4 x 3 grid (`alpha` 0.1, 0.35, 0.6, 0.85; `beta*` 0.05, 0.2, 0.5) is
/// refined by Nelder-Mead on `[0.01, 0.99]^2` (at most 40 evaluations,
/// stopping when the simplex values agree to a relative 1e-6). Needs at
/// least two observations.
///
/// ```
/// use merchantry_forecast::{DemandModel, Holt};
/// // A perfect line 2, 4, 6, ..., 20 continues at 22.
/// let y: Vec<f64> = (1..=10).map(|t| 2.0 * f64::from(t)).collect();
/// let fit = Holt::fitted().fit(&y)?;
/// assert!((fit.mean_at(1) - 22.0).abs() < 1e-6);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
pub struct Holt {
    alpha: Option<f64>,
    beta: Option<f64>,
}

impl Holt {
    /// Holt with both constants fixed.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] unless both lie in `(0, 1)`.
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        Ok(Self { alpha: Some(unit_open("alpha", alpha)?), beta: Some(unit_open("beta", beta)?) })
    }

    /// Holt with both constants fitted to each series.
    #[must_use]
    pub const fn fitted() -> Self {
        Self { alpha: None, beta: None }
    }

    /// Holt with each constant fixed (already checked) or fitted.
    #[cfg(feature = "serde")]
    pub(crate) const fn from_parts(alpha: Option<f64>, beta: Option<f64>) -> Self {
        Self { alpha, beta }
    }

    /// `alpha` and `beta`, each `None` when fitted (for its saved form).
    #[cfg(feature = "serde")]
    pub(crate) const fn parts(&self) -> (Option<f64>, Option<f64>) {
        (self.alpha, self.beta)
    }
}

/// Least-squares intercept (at t = 0) and slope of the first `m` values.
fn initial_line(y: &[f64], m: usize) -> (f64, f64) {
    let head = &y[..m.min(y.len())];
    if head.len() < 2 {
        return (head.first().copied().unwrap_or(0.0), 0.0);
    }
    #[expect(clippy::cast_precision_loss, reason = "at most ten points")]
    let n = head.len() as f64;
    let t_mean = (n - 1.0) / 2.0;
    let y_mean = mean(head);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, v) in head.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "at most ten points")]
        let dt = t as f64 - t_mean;
        sxy += dt * (v - y_mean);
        sxx += dt * dt;
    }
    let slope = sxy / sxx;
    (y_mean - slope * t_mean, slope)
}

/// Runs Holt: final level, final trend and one-step SSE.
fn holt_run(y: &[f64], init: (f64, f64), alpha: f64, beta: f64) -> (f64, f64, f64) {
    let (mut level, mut trend) = (init.0 - init.1, init.1);
    let mut sse = 0.0;
    let ab = alpha * beta;
    for &v in y {
        let e = v - (level + trend);
        sse += e * e;
        level += trend + alpha * e;
        trend += ab * e;
    }
    (level, trend, sse)
}

impl DemandModel for Holt {
    fn kind(&self) -> ModelKind {
        ModelKind::Holt
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        fit_rescaled(y, |y| {
            check_series(y)?;
            if y.len() < 2 {
                return Err(ForecastError::TooShort { model: "holt", needed: 2, got: y.len() });
            }
            let init = initial_line(y, 10);
            let ([alpha, beta], (level, trend, sse)) = match (self.alpha, self.beta) {
                (Some(a), Some(b)) => ([a, b], holt_run(y, init, a, b)),
                (a, b) => fit_holt(y, init, a, b),
            };
            let params =
                Parameters { alpha: Some(alpha), beta: Some(beta), ..Parameters::default() };
            let sigma = rmse_of(sse, y.len(), ModelKind::Holt)?;
            Ok(Fitted::flat(ModelKind::Holt, level, sigma, y.len())
                .with_trend(trend)
                .with_params(params))
        })
    }
}

/// The final levels, trends and SSEs of [`holt_lanes`].
struct HoltEnds<const L: usize> {
    level: [f64; L],
    trend: [f64; L],
    sse: [f64; L],
}

impl<const L: usize> HoltEnds<L> {
    /// Lane `i` as `holt_run` returns it.
    fn get(&self, i: usize) -> (f64, f64, f64) {
        (self.level[i % L], self.trend[i % L], self.sse[i % L])
    }
}

/// Holt at `L` `(alpha, beta*)` points in one pass: `L` independent
/// recursions interleaved, so they overlap in the CPU (one recursion alone
/// waits on its own chain of five dependent operations each period). Each
/// lane does exactly the operations of [`holt_run`], so its final level,
/// trend and SSE are the same numbers.
fn holt_lanes<const L: usize>(y: &[f64], init: (f64, f64), p: &[[f64; 2]; L]) -> HoltEnds<L> {
    let mut level = [init.0 - init.1; L];
    let mut trend = [init.1; L];
    let mut sse = [0.0; L];
    let alpha = p.map(|q| q[0]);
    let ab = p.map(|q| q[0] * q[1]);
    for &v in y {
        for i in 0..L {
            let e = v - (level[i] + trend[i]);
            sse[i] += e * e;
            level[i] += trend[i] + alpha[i] * e;
            trend[i] += ab[i] * e;
        }
    }
    HoltEnds { level, trend, sse }
}

const GRID_LANES: usize = 2;

/// The grid of starting points: `beta*` outer, `alpha` inner.
const HOLT_GRID: [[f64; 2]; 12] = {
    let (alphas, betas) = ([0.1, 0.35, 0.6, 0.85], [0.05, 0.2, 0.5]);
    let mut grid = [[0.0; 2]; 12];
    let mut i = 0;
    while i < 12 {
        grid[i] = [alphas[i % 4], betas[i / 4]];
        i += 1;
    }
    grid
};

/// The fitted `(alpha, beta*)` and the final level, trend and SSE there.
fn fit_holt(
    y: &[f64],
    init: (f64, f64),
    a: Option<f64>,
    b: Option<f64>,
) -> ([f64; 2], (f64, f64, f64)) {
    let point = |p: [f64; 2]| [a.unwrap_or(p[0]), b.unwrap_or(p[1])];
    // The 4 x 3 grid in one twelve-lane pass; the first strictly smallest
    // SSE in grid order wins.
    let grid = HOLT_GRID.map(point);
    let mut best = ([0.3, 0.1], f64::INFINITY);
    let mut grid_sse = [0.0; 12];
    for (part, out) in grid.chunks_exact(GRID_LANES).zip(grid_sse.chunks_exact_mut(GRID_LANES)) {
        let lanes: [[f64; 2]; GRID_LANES] = std::array::from_fn(|i| part[i]);
        out.copy_from_slice(&holt_lanes(y, init, &lanes).sse);
    }
    for (q, v) in grid.iter().zip(grid_sse) {
        if v < best.1 {
            best = (*q, v);
        }
    }
    // Nelder-Mead evaluating its trial points four lanes at a time
    // (shorter batches are padded with their last point). The end state
    // of every point evaluated is kept, so the winner needs no final run.
    let mut seen: Vec<([f64; 2], (f64, f64, f64))> = Vec::with_capacity(128);
    let batch = |points: &[[f64; 2]], out: &mut [f64]| {
        let mut lanes = [[0.0; 2]; 4];
        for (i, lane) in lanes.iter_mut().enumerate() {
            let p = points.get(i).or_else(|| points.last()).copied().unwrap_or(best.0);
            *lane = point(p);
        }
        let ends = holt_lanes(y, init, &lanes);
        for (i, (o, lane)) in out.iter_mut().zip(lanes).enumerate() {
            *o = ends.sse[i % 4];
            seen.push((lane, ends.get(i)));
        }
    };
    let search = NelderMead {
        step: 0.05,
        lo: FIT_LO,
        hi: FIT_HI,
        max_evals: 40,
        ftol: 1e-6,
        speculate: true,
    };
    let (p, _) = search.minimise(batch, best.0);
    let fitted = point(p);
    let end = seen.iter().rev().find(|(q, _)| *q == fitted).map(|(_, end)| *end);
    (fitted, end.unwrap_or_else(|| holt_run(y, init, fitted[0], fitted[1])))
}

/// Multiplicative seasonal indices over an exponentially smoothed level:
/// day-of-week indices with `period` 7, yearly with 365 (or 12 on monthly
/// data).
///
/// The index of each phase `j` (the positions `t` with
/// `t mod period = j`, counted from the first value) is taken by one of
/// two methods ([`SeasonalMethod`], set by [`with_method`](Self::with_method)):
///
/// - [`SeasonalMethod::RatioToMean`], the default: the simple-average
///   method. The index is the mean of the phase's values divided by the
///   overall mean, with no trend removed first. A trend within the
///   series therefore leaks into the indices: the straight line 1, 2,
///   ..., 12 with period 2 gets indices 6 / 6.5 = 0.923 and
///   7 / 6.5 = 1.077 and forecasts a zigzag. All indices are 1 when the
///   mean is not positive, or within `1e-12` of the mean magnitude of
///   zero.
/// - [`SeasonalMethod::RatioToMovingAverage`]: classical multiplicative
///   decomposition (FPP section 3.4; statsmodels'
///   `seasonal_decompose(model="multiplicative")`). Each value is divided
///   by the centred moving average of order `period` around it (for an
///   odd period `m` the mean of the `m` values centred on `t`; for an
///   even one the 2 x `m` average, the mean of the two `m`-value means
///   either side of `t`, which weighs the values `t - m/2 + 1` to
///   `t + m/2 - 1` by `1/m` and the two ends `t - m/2` and `t + m/2` by
///   `1/(2m)`), so a trend the average follows cancels out. The average exists for the positions `m / 2`
///   (rounded down) to `n - 1 - m / 2`; a ratio is taken where it is
///   also positive, and more than `1e-12` times the same average of the
///   magnitudes `|y|` (so a window of negative and positive values
///   cancelling to a rounding speck gives none). Each phase's index is
///   the mean of its ratios, below 0 taken as 0; the indices of the
///   phases with a ratio are then scaled to average exactly 1 (up to
///   rounding), and a phase without one (a phase where every average
///   is 0, as on intermittent demand, or below) gets the index 1, so
///   all `period` indices still average 1. All indices are 1 when no ratio
///   is taken (a series of zeros, or of negative values) or when the
///   phases' means, below 0 taken as 0, average no more than `1e-12`
///   times the mean magnitude of the ratios. The straight line above
///   gets indices of 1; a seasonal pattern times a line gets (nearly)
///   the pattern. Two full periods, the minimum, give the average `m`
///   consecutive positions (`m + 1` for an odd period), so every phase
///   has at least one where a ratio can be taken.
///
/// An index is never below 0: a phase whose values (or ratios) average
/// below zero (only a series with negative values has one; the
/// [`Forecaster`](crate::Forecaster) clamps or refuses them) gets the
/// index 0, as a phase without demand does, and is forecast 0.
///
/// The rest of the fit is the same for both methods. The
/// deseasonalised series `y_t / index` (phases with an index of `1e-12`
/// or less are skipped) is smoothed by fitted SES, and the forecast is
/// the final level times the index of each future period. The spread
/// is the RMSE of the one-step forecasts `level * index` from the second
/// deseasonalised value on, skipped phases included. Multiplicative
/// because weekday effects of sales scale with volume; [`HoltWinters`]
/// models a trend as well. A fit holds the indices, not the method that
/// took them. Needs two full periods.
///
/// ```
/// use merchantry_forecast::{DemandModel, SeasonalIndices, SeasonalMethod};
/// // A line, 1, 2, ..., 12: no season, only a trend.
/// let line: Vec<f64> = (1..=12).map(f64::from).collect();
/// let classical = SeasonalIndices::new(2)?.with_method(SeasonalMethod::RatioToMovingAverage);
/// let fit = classical.fit(&line)?;
/// assert!((fit.mean_at(2) / fit.mean_at(1) - 1.0).abs() < 1e-12);
/// // The ratio-to-mean indices take the trend for a season.
/// let fit = SeasonalIndices::new(2)?.fit(&line)?;
/// assert!((fit.mean_at(2) / fit.mean_at(1) - 7.0 / 6.0).abs() < 1e-12);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
pub struct SeasonalIndices {
    period: usize,
    method: SeasonalMethod,
}

impl SeasonalIndices {
    /// Indices over `period` positions, by the default method
    /// ([`SeasonalMethod::RatioToMean`]).
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] when `period < 2`.
    pub fn new(period: usize) -> Result<Self> {
        check_period(period)?;
        Ok(Self { period, method: SeasonalMethod::RatioToMean })
    }

    /// Day-of-week indices (period 7), by the default method.
    #[must_use]
    pub const fn weekly() -> Self {
        Self { period: 7, method: SeasonalMethod::RatioToMean }
    }

    /// The same indices taken by `method`.
    #[must_use]
    pub const fn with_method(self, method: SeasonalMethod) -> Self {
        Self { method, ..self }
    }

    /// How the indices are taken.
    #[must_use]
    pub const fn method(&self) -> SeasonalMethod {
        self.method
    }

    /// Periods per season.
    pub(crate) const fn period(&self) -> usize {
        self.period
    }
}

/// How [`SeasonalIndices`] takes its indices (see there for each
/// method's conventions and edges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SeasonalMethod {
    /// Each phase's mean over the overall mean, no trend removed (the
    /// simple-average method; the default).
    #[default]
    RatioToMean,
    /// Classical multiplicative decomposition: each value over the
    /// centred moving average of order `period`, the ratios averaged per
    /// phase and scaled to average 1.
    RatioToMovingAverage,
}

fn check_period(period: usize) -> Result<()> {
    crate::error::at_least_two("period", period, "2 or more periods")
}

/// A seasonal model's series check: finite, and at least two seasons of
/// `period` days long.
fn check_seasons(y: &[f64], period: usize, model: &'static str) -> Result<()> {
    check_series(y)?;
    let needed = period.saturating_mul(2);
    if y.len() < needed {
        return Err(ForecastError::TooShort { model, needed, got: y.len() });
    }
    Ok(())
}

impl DemandModel for SeasonalIndices {
    fn kind(&self) -> ModelKind {
        ModelKind::SeasonalIndices
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        fit_rescaled(y, |y| {
            let m = self.period;
            check_seasons(y, m, "seasonal_indices")?;
            let index = match self.method {
                SeasonalMethod::RatioToMean => seasonal_indices(y, m)?,
                SeasonalMethod::RatioToMovingAverage => ratio_to_moving_average(y, m),
            };
            let deseason: Vec<f64> = y
                .iter()
                .enumerate()
                .filter_map(|(t, v)| {
                    let s = index[t % m];
                    (s > 1e-12).then(|| v / s)
                })
                .collect();
            let alpha = ses_alpha(&deseason);
            let (mut level, mut sse, mut count) = (None::<f64>, 0.0, 0usize);
            for (t, v) in y.iter().enumerate() {
                let s = index[t % m];
                if s <= 1e-12 {
                    // Not deseasonalised, but its forecast l s is still a
                    // one-step forecast with a residual.
                    if let Some(l) = level {
                        let e = v - l * s;
                        sse += e * e;
                        count += 1;
                    }
                    continue;
                }
                match level {
                    None => level = Some(v / s),
                    Some(l) => {
                        let e = v - l * s;
                        sse += e * e;
                        count += 1;
                        level = Some(l + alpha * (v / s - l));
                    }
                }
            }
            let params =
                Parameters { alpha: Some(alpha), window: Some(m), ..Parameters::default() };
            Ok(Fitted::flat(
                ModelKind::SeasonalIndices,
                level.unwrap_or(0.0),
                rmse_of(sse, count, ModelKind::SeasonalIndices)?,
                y.len(),
            )
            .with_season(index, SeasonalMode::Multiplicative, y.len() % m)
            .with_params(params))
        })
    }
}

/// Ratio-to-mean indices of each phase `t mod m` (all 1 when the mean is
/// not positive), at least 0: a negative index turned the level's sign
/// (a negative level times it forecast demand for a phase averaging
/// below zero).
///
/// # Errors
///
/// [`ForecastError::Overflow`] when a phase's sum or an index is not
/// finite (the fit is then redone on the series scaled down; a phase
/// sum read as infinite gave an index of 0, which dropped the phase
/// from the fit and from its residuals).
fn seasonal_indices(y: &[f64], m: usize) -> Result<Vec<f64>> {
    let overall = mean(y);
    // A mean within rounding of zero (1e-12 of the mean magnitude, as
    // -MAX then MAX sums to) counts as not positive: divided by it every
    // index was 0 or huge, every period was skipped and the spread was 0.
    let magnitude: Vec<f64> = y.iter().map(|v| v.abs()).collect();
    if overall <= 1e-12 * mean(&magnitude) {
        return Ok(vec![1.0; m]);
    }
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for (t, v) in y.iter().enumerate() {
        sums[t % m] += v;
        counts[t % m] += 1;
    }
    sums.iter()
        .zip(&counts)
        .map(|(s, &c)| {
            #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
            let c = c.max(1) as f64;
            let index = s / c / overall;
            if index.is_finite() {
                Ok(index.max(0.0))
            } else {
                Err(ForecastError::Overflow { what: "seasonal_indices" })
            }
        })
        .collect()
}

/// The centred moving average of order `m` at positions `m / 2` to
/// `n - 1 - m / 2` (element `i` is centred on position `i + m / 2`):
/// the `m`-value mean for an odd `m`, the mean of two neighbouring
/// `m`-value means (the 2 x `m` average) for an even one. Each mean is
/// [`mean`]'s, finite for finite values; an empty result when
/// `y.len() < m` (or `m + 1` for an even `m`).
fn centred_moving_average(y: &[f64], m: usize) -> Vec<f64> {
    let means = window_means(y, m);
    if m % 2 == 1 {
        return means;
    }
    // Halved apart, so two means near f64::MAX do not overflow.
    means.windows(2).map(|w| w[0] / 2.0 + w[1] / 2.0).collect()
}

/// The mean of each `m` consecutive values ([`mean`]'s, bit for bit).
///
/// Daily demand is mostly whole units: when every value is a whole number
/// below `2^53 / m` in magnitude, every sum of a window is exact in
/// `f64`, so each window's sum is the last one's plus the value coming in
/// less the one going out (two additions instead of `m`), and equal to
/// the plain sum. Otherwise each window is summed by [`mean`].
fn window_means(y: &[f64], m: usize) -> Vec<f64> {
    #[expect(clippy::cast_precision_loss, reason = "periods are far below 2^52")]
    let bound = 9_007_199_254_740_992.0 / m.max(1) as f64;
    // Within the bound the cast to i64 is exact for a whole number (and
    // cheaper than `fract`, a libm call on baseline x86-64).
    #[expect(clippy::cast_possible_truncation, reason = "a whole number below 2^53")]
    #[expect(clippy::cast_precision_loss, reason = "a whole number below 2^53")]
    let whole = |v: &f64| v.abs() < bound && (*v as i64) as f64 == *v;
    if m == 0 || y.len() < m || !y.iter().all(whole) {
        return y.windows(m.max(1)).map(mean).collect();
    }
    #[expect(clippy::cast_precision_loss, reason = "periods are far below 2^52")]
    let n = m as f64;
    let mut sum: f64 = y[..m].iter().sum();
    let mut out = Vec::with_capacity(y.len() - m + 1);
    out.push(sum / n);
    for (incoming, outgoing) in y[m..].iter().zip(y) {
        sum = sum + incoming - outgoing;
        out.push(sum / n);
    }
    out
}

/// The ratios of each value to its centred moving average, summed per
/// phase `t mod m`.
struct PhaseRatios {
    /// The sum of each phase's ratios.
    sums: Vec<f64>,
    /// How many ratios each phase has.
    counts: Vec<usize>,
    /// The mean magnitude of all the ratios (0 when there are none).
    typical: f64,
}

/// The ratio `y_t / CMA_t` wherever the centred moving average is
/// positive, and more than `1e-12` times the same average of the
/// magnitudes: over a window cancelling to a rounding speck a ratio
/// would be as large as `1e16`.
///
/// Every ratio is finite: the magnitudes' average `a` over the window
/// is at least `|y_t| / m`, so a ratio is below `m * 1e12` in
/// magnitude (below `m * 2^52` when `a` is subnormal and `1e-12 a`
/// underflows to 0, the average being then at least the smallest
/// subnormal).
fn phase_ratios(y: &[f64], m: usize) -> PhaseRatios {
    let half = m / 2;
    let average = centred_moving_average(y, m);
    // Demand is mostly at least 0, and then the magnitudes' average is
    // the average itself.
    let signed;
    let scale = if y.iter().all(|v| *v >= 0.0) {
        &average
    } else {
        let magnitude: Vec<f64> = y.iter().map(|v| v.abs()).collect();
        signed = centred_moving_average(&magnitude, m);
        &signed
    };
    let (mut sums, mut counts, mut total) = (vec![0.0; m], vec![0usize; m], 0.0);
    for (i, (&c, &a)) in average.iter().zip(scale).enumerate() {
        // `a` is at least 0, so this asks for a positive average too
        // (`1e-12 a` underflows to 0 for subnormal magnitudes).
        if c > 1e-12 * a {
            let t = i + half;
            let ratio = y[t] / c;
            sums[t % m] += ratio;
            counts[t % m] += 1;
            total += ratio.abs();
        }
    }
    let used: usize = counts.iter().sum();
    #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
    let typical = total / used.max(1) as f64;
    PhaseRatios { sums, counts, typical }
}

/// Classical multiplicative indices of each phase `t mod m` (see
/// [`SeasonalIndices`] for the conventions): each phase's mean ratio
/// ([`phase_ratios`]), at least 0, scaled so the phases with a ratio
/// average 1; 1 for a phase without one, and for every phase when no
/// ratio is taken or the phases' means average a rounding speck of the
/// ratios' magnitude.
pub(crate) fn ratio_to_moving_average(y: &[f64], m: usize) -> Vec<f64> {
    let r = phase_ratios(y, m);
    #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
    let phase_mean = |j: usize| (r.sums[j] / r.counts[j] as f64).max(0.0);
    let with_ratio: Vec<f64> = (0..m).filter(|&j| r.counts[j] > 0).map(phase_mean).collect();
    // No ratio at all: an empty mean is 0, and so is `typical`.
    let level = mean(&with_ratio);
    if level <= 1e-12 * r.typical || with_ratio.is_empty() {
        return vec![1.0; m];
    }
    (0..m).map(|j| if r.counts[j] > 0 { phase_mean(j) / level } else { 1.0 }).collect()
}

/// Additive Holt-Winters (FPP section 7.3, component form):
/// `l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + b_{t-1})`,
/// `b_t = beta* (l_t - l_{t-1}) + (1 - beta*) b_{t-1}`,
/// `s_t = gamma (y_t - l_{t-1} - b_{t-1}) + (1 - gamma) s_{t-m}`.
///
/// Additive rather than multiplicative so that zero-demand days, common
/// in daily sales, never divide. Initialisation (the simple heuristic
/// statsmodels computes in `_initialization_simple`, its state-space
/// `ExponentialSmoothing(initialization_method="simple")`): the level is
/// the mean of the first period, the trend the difference between the
/// means of the second and first periods divided by `m`, and the
/// seasonal terms the first period's deviations from its mean. It is not
/// statsmodels' `holtwinters` `legacy-heuristic`, whose level is the mean
/// of the first value of every season, `y_0, y_m, y_2m, ...`, over the
/// whole series (with its seasonal terms the first period's deviations
/// from that); nor R's `HoltWinters`, which decomposes the first
/// seasons. These are the states before the first observation: the
/// recursion then runs over every observation, the first period
/// included, and its one-step errors from the first observation on make
/// the SSE and the spread (RMSE over `n`). Constants left to the fit
/// minimise the one-step SSE by Nelder-Mead on `[0.01, 0.99]^3` from
/// `(0.2, 0.05, 0.1)` (at most 150 evaluations). Needs two full periods.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
pub struct HoltWinters {
    period: usize,
    constants: Option<[f64; 3]>,
}

impl HoltWinters {
    /// Holt-Winters over `period` with fitted constants.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] when `period < 2`.
    pub fn fitted(period: usize) -> Result<Self> {
        check_period(period)?;
        Ok(Self { period, constants: None })
    }

    /// Holt-Winters with fixed `alpha`, `beta*` and `gamma`.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] when `period < 2` or a constant
    /// is outside `(0, 1)`.
    pub fn new(period: usize, alpha: f64, beta: f64, gamma: f64) -> Result<Self> {
        check_period(period)?;
        let c = [unit_open("alpha", alpha)?, unit_open("beta", beta)?, unit_open("gamma", gamma)?];
        Ok(Self { period, constants: Some(c) })
    }

    /// Periods per season.
    pub(crate) const fn period(&self) -> usize {
        self.period
    }

    /// `alpha`, `beta*` and `gamma`, `None` when fitted (for its saved
    /// form).
    #[cfg(feature = "serde")]
    pub(crate) const fn constants(&self) -> Option<[f64; 3]> {
        self.constants
    }
}

struct HwState {
    level: f64,
    trend: f64,
    season: Vec<f64>,
    sse: f64,
}

fn hw_run(y: &[f64], m: usize, p: &[f64; 3]) -> HwState {
    let first = mean(&y[..m]);
    #[expect(clippy::cast_precision_loss, reason = "periods are small")]
    let trend0 = (mean(&y[m..2 * m]) - first) / m as f64;
    let mut season: Vec<f64> = y[..m].iter().map(|v| v - first).collect();
    let (mut level, mut trend, mut sse) = (first, trend0, 0.0);
    let [alpha, beta, gamma] = *p;
    for (t, &v) in y.iter().enumerate() {
        let j = t % m;
        let s = season[j];
        let e = v - (level + trend + s);
        sse += e * e;
        let new_level = alpha * (v - s) + (1.0 - alpha) * (level + trend);
        season[j] = gamma * (v - level - trend) + (1.0 - gamma) * s;
        trend = beta * (new_level - level) + (1.0 - beta) * trend;
        level = new_level;
    }
    HwState { level, trend, season, sse }
}

impl DemandModel for HoltWinters {
    fn kind(&self) -> ModelKind {
        ModelKind::HoltWinters
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        fit_rescaled(y, |y| {
            let m = self.period;
            check_seasons(y, m, "holt_winters")?;
            let p = self.constants.unwrap_or_else(|| {
                nelder_mead(
                    |p| hw_run(y, m, p).sse,
                    [0.2, 0.05, 0.1],
                    0.1,
                    FIT_LO,
                    FIT_HI,
                    150,
                    1e-7,
                )
                .0
            });
            let st = hw_run(y, m, &p);
            let params = Parameters {
                alpha: Some(p[0]),
                beta: Some(p[1]),
                gamma: Some(p[2]),
                window: Some(m),
            };
            Ok(Fitted::flat(
                ModelKind::HoltWinters,
                st.level,
                rmse_of(st.sse, y.len(), ModelKind::HoltWinters)?,
                y.len(),
            )
            .with_trend(st.trend)
            .with_season(st.season, SeasonalMode::Additive, y.len() % m)
            .with_params(params))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_means_roll_exactly_over_whole_numbers() {
        // Whole numbers roll (two additions a window) and agree bit for
        // bit with each window summed; others, and values too large to
        // sum exactly, are summed window by window.
        let whole: Vec<f64> = (0..400_u32).map(|t| f64::from((t * 7919) % 97)).collect();
        let fractional: Vec<f64> = whole.iter().map(|v| v / 3.0).collect();
        let large = [1e300, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        for y in [&whole[..], &fractional, &large, &[1.0, 2.0], &[]] {
            for m in [1, 2, 7, 12] {
                let want: Vec<f64> = y.windows(m).map(mean).collect();
                assert_eq!(window_means(y, m), want, "{m}");
            }
        }
        // The rolled sums are the plain ones: 0..=6 then 1..=7.
        assert_eq!(window_means(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 7), [3.0, 4.0]);
    }

    #[test]
    fn ses_spread_of_a_huge_series_is_not_zero() {
        // alpha 0.3 on u * [1, -1, 1, -1, 1], u = 1e200. In units of u:
        // level 1; errors -2 (level 0.4), 0.6 (0.58), -1.58 (0.106),
        // 0.894 (0.3742). SSE 4 + 0.36 + 2.4964 + 0.799236 = 7.655636
        // over 4: sigma sqrt(1.913909) u = 1.38344... u. Squared in f64
        // the errors overflow (4e400); the spread was reported as 0.
        let u = 1e200;
        let fit = Ses::new(0.3).unwrap().fit(&[u, -u, u, -u, u]).unwrap();
        let want = 1.913_909_f64.sqrt() * u;
        assert!((fit.sigma() - want).abs() <= 1e-12 * want, "{}", fit.sigma());
        assert!((fit.level() - 0.3742 * u).abs() <= 1e-12 * u, "{}", fit.level());
        // Errors of 2 * f64::MAX: the spread itself is past f64::MAX.
        let m = f64::MAX;
        assert_eq!(
            Ses::new(0.3).unwrap().fit(&[m, -m, m]),
            Err(ForecastError::Overflow { what: "ses" })
        );
        // Holt and the moving average share the helper.
        let holt = Holt::new(0.5, 0.5).unwrap().fit(&[u, -u, u, -u, u]).unwrap();
        assert!(holt.sigma() > u, "{}", holt.sigma());
        // MA(1) on u * [1, -1, 1]: errors -2 and 2, sigma 2 u.
        let ma = MovingAverage::new(1).unwrap().fit(&[u, -u, u]).unwrap();
        assert!((ma.sigma() - 2.0 * u).abs() <= 1e-12 * u, "{}", ma.sigma());
    }

    #[test]
    fn moving_average_sigma_is_hand_computed() {
        // window 2 on [2, 4, 6]: forecasts of t=1 is 2 (mean of [2]),
        // of t=2 is 3 (mean of [2, 4]); residuals 2 and 3; RMSE =
        // sqrt((4 + 9) / 2) = sqrt(6.5). Level = mean(4, 6) = 5.
        let fit = MovingAverage::new(2).unwrap().fit(&[2.0, 4.0, 6.0]).unwrap();
        assert_eq!(fit.mean_at(1), 5.0);
        assert!((fit.sigma() - 6.5_f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn batched_holt_fit_is_the_plain_fit_bit_for_bit() {
        // The plain procedure: grid point by point, Nelder-Mead evaluating
        // one point at a time, and a final run at the winner.
        fn plain(y: &[f64]) -> ([f64; 2], (f64, f64, f64)) {
            let init = initial_line(y, 10);
            let mut best = ([0.3, 0.1], f64::INFINITY);
            for q in HOLT_GRID {
                let v = holt_run(y, init, q[0], q[1]).2;
                if v < best.1 {
                    best = (q, v);
                }
            }
            let sse = |p: &[f64; 2]| holt_run(y, init, p[0], p[1]).2;
            let (p, _) = nelder_mead(sse, best.0, 0.05, FIT_LO, FIT_HI, 40, 1e-6);
            (p, holt_run(y, init, p[0], p[1]))
        }
        let mut state = 7_u64;
        for n in [2_u32, 3, 5, 11, 30, 97, 365] {
            for shape in 0..3 {
                let y: Vec<f64> = (0..n)
                    .map(|t| {
                        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        let u = f64::from(u32::try_from(state >> 40).unwrap()) / 16_777_216.0;
                        match shape {
                            0 => 20.0 + 10.0 * u,
                            1 => f64::from(t) * 0.5 + 4.0 * u,
                            _ => {
                                if u < 0.3 {
                                    9.0 * u
                                } else {
                                    0.0
                                }
                            }
                        }
                    })
                    .collect();
                let fit = Holt::fitted().fit(&y).unwrap();
                let ([alpha, beta], (level, trend, sse)) = plain(&y);
                assert_eq!(
                    fit.params().alpha.map(f64::to_bits),
                    Some(alpha.to_bits()),
                    "{n} {shape}"
                );
                assert_eq!(fit.params().beta.map(f64::to_bits), Some(beta.to_bits()));
                assert_eq!(fit.level().to_bits(), level.to_bits());
                assert_eq!(fit.trend().to_bits(), trend.to_bits());
                assert_eq!(
                    fit.sigma().to_bits(),
                    rmse_of(sse, y.len(), ModelKind::Holt).unwrap().to_bits()
                );
            }
        }
    }

    #[test]
    fn ses_with_fixed_alpha_still_reports_non_finite_values() {
        // The fixed-alpha fit skips the separate check pass; every position
        // of the four-period unrolling and the remainder must still be caught.
        for len in 1..12 {
            for i in 0..len {
                for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    let mut y = vec![3.0; len];
                    y[i] = bad;
                    match Ses::new(0.3).unwrap().fit(&y) {
                        Err(ForecastError::NonFinite { index, .. }) => assert_eq!(index, i),
                        other => panic!("{len} {i} {bad}: {other:?}"),
                    }
                }
            }
        }
        assert!(matches!(Ses::new(0.3).unwrap().fit(&[]), Err(ForecastError::Empty { .. })));
        // Finite values whose squared errors overflow are not an error.
        let fit = Ses::new(0.3).unwrap().fit(&[1e200, -1e200, 1e200]).unwrap();
        assert!(fit.mean_at(1).is_finite());
    }

    #[test]
    fn seasonal_indices_take_a_trend_for_a_season_as_documented() {
        // The ratio-to-mean method removes no trend: on the line 1..=12
        // with period 2 the phase means are 6 (odd values) and 7, over a
        // mean of 6.5, so the forecasts alternate in the ratio 7 / 6 (the
        // 13th value is phase 0).
        let line: Vec<f64> = (1..=12).map(f64::from).collect();
        let fit = SeasonalIndices::new(2).unwrap().fit(&line).unwrap();
        assert!((fit.mean_at(2) / fit.mean_at(1) - 7.0 / 6.0).abs() < 1e-12);
        assert!((fit.mean_at(3) - fit.mean_at(1)).abs() < 1e-12);
    }

    #[test]
    fn fitted_ses_lands_within_a_hair_of_an_interior_best_constant() {
        // A level that moves now and then under noise: the SSE's best
        // constant lies inside the range. Scan 2e-3 either side of the
        // fit on a grid of 1e-6: the grid's best constant must be within
        // 1e-5 of the fit, where the golden-section bracket alone can
        // stop up to 3e-4 from it.
        // (Here the bracket alone stops 8.9e-5 from the grid's best.)
        let y: Vec<f64> =
            (0..120).map(|i| f64::from(10 + (i / 19) * 4 + (i * 7919 + 279) % 14)).collect();
        let alpha = ses_alpha(&y);
        assert!(alpha > 0.02 && alpha < 0.98, "{alpha}");
        let (best, _) = (-2000..=2000)
            .map(|k| alpha + f64::from(k) * 1e-6)
            .map(|a| (a, ses_run(&y, a).1))
            .fold((alpha, f64::INFINITY), |m, p| if p.1 < m.1 { p } else { m });
        assert!((alpha - best).abs() < 1e-5, "fitted {alpha}, grid best {best}");
    }

    #[test]
    fn fitted_ses_reaches_a_best_constant_at_a_bound() {
        // A straight line: each one-step error is the slope plus what the
        // level still lags, so the SSE falls as alpha grows and the best
        // constant is the upper bound, 0.99. The bracketed search alone
        // stopped about 3e-4 short of it.
        let line: Vec<f64> = (1..=30).map(f64::from).collect();
        assert_eq!(ses_alpha(&line), 0.99);
        // 10, then 9 and 11 in turn: the level starts at the mean and
        // every step toward the last value lengthens the next error, so
        // the SSE grows with alpha and the best constant is the lower
        // bound, 0.01.
        let flat: Vec<f64> = std::iter::once(10.0)
            .chain((0..30).map(|i| if i % 2 == 0 { 9.0 } else { 11.0 }))
            .collect();
        assert_eq!(ses_alpha(&flat), 0.01);
    }

    #[test]
    fn ses_estimated_start_is_never_worse_than_the_first_value() {
        // Starting at y_0 is one choice of start (its first error is 0),
        // so the least-squares start's SSE over every value is at most
        // the first-value SSE; and it is least: nudging it costs.
        let weekly: Vec<f64> =
            (0..60).map(|t| if t % 7 >= 5 { 30.0 } else { 10.0 + f64::from(t % 3) }).collect();
        for y in [&weekly[..], &[5.0, 1.0, 2.0, 1.5, 1.0][..], &[40.0, 10.0, 10.0, 11.0][..]] {
            for alpha in [0.05, 0.3, 0.9] {
                let (start, _, sse) = ses_estimated_run(y, alpha);
                let (_, first) = ses_run(y, alpha);
                assert!(sse <= first + 1e-9 * first.max(1.0), "{alpha}: {sse} > {first}");
                let at = |x: f64| {
                    let mut with = vec![x];
                    with.extend_from_slice(y);
                    // `ses_run` from x skips x's own error: the SSE of y from x.
                    ses_run(&with, alpha).1
                };
                assert!((at(start) - sse).abs() <= 1e-9 * sse.max(1.0));
                assert!(at(start + 0.5) > sse && at(start - 0.5) > sse);
            }
        }
    }

    #[test]
    fn ses_fixed_alpha_matches_hand_recursion() {
        // alpha 0.2 on [10, 20, 10]: l = 10; e1 = 10, l = 12; e2 = -2,
        // l = 11.6. SSE = 100 + 4 = 104 over 2 residuals: RMSE sqrt(52).
        let fit = Ses::new(0.2).unwrap().fit(&[10.0, 20.0, 10.0]).unwrap();
        assert!((fit.mean_at(1) - 11.6).abs() < 1e-12);
        assert!((fit.sigma() - 52_f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn ses_fitted_alpha_minimises_sse() {
        let y = [3.0, 5.0, 4.0, 8.0, 7.0, 9.0, 8.0, 12.0, 11.0, 10.0];
        let fit = Ses::fitted().fit(&y).unwrap();
        let alpha = fit.params().alpha.unwrap();
        let best = ses_run(&y, alpha).1;
        for a in (1..100).map(|i| f64::from(i) / 100.0) {
            assert!(best <= ses_run(&y, a).1 * (1.0 + 1e-3), "alpha {a} beats fitted {alpha}");
        }
    }

    #[test]
    fn unrolled_ses_equals_plain_recursion() {
        let y: Vec<f64> = (0..23).map(|t| f64::from((t * 7) % 11)).collect();
        let (mut level, mut sse) = (y[0], 0.0);
        for &v in &y[1..] {
            sse += (v - level) * (v - level);
            level += 0.3 * (v - level);
        }
        let (l, s) = ses_run(&y, 0.3);
        assert!((l - level).abs() < 1e-12 && (s - sse).abs() < 1e-9, "{l} {level} {s} {sse}");
    }

    #[test]
    fn holt_rejects_one_observation() {
        assert!(matches!(Holt::fitted().fit(&[1.0]), Err(ForecastError::TooShort { .. })));
    }

    #[test]
    fn holt_fixed_constants_follow_the_recursion() {
        let fit = Holt::new(0.5, 0.5).unwrap().fit(&[1.0, 3.0, 7.0]).unwrap();
        // The line through all three points has slope 3 and value 0.6667
        // at t = 0, so the state before t0 is l = -2.3333, b = 3, and
        // alpha * beta = 0.25.
        // t0 f = 0.6667 e = 0.3333 l = 0.8333 b = 3.0833
        // t1 f = 3.9167 e = -0.9167 l = 3.4583 b = 2.8542; t2 f = 6.3125
        // e = 0.6875 l = 6.65625 b = 3.0260; next = 9.68229.
        assert!((fit.mean_at(1) - 9.682_291_666).abs() < 1e-6, "{}", fit.mean_at(1));
    }

    #[test]
    fn seasonal_indices_repeat_a_weekly_pattern() {
        // Weekdays 10, weekend days 20: mean 100/7; a stable pattern is
        // reproduced exactly.
        let week = [10.0, 10.0, 10.0, 10.0, 10.0, 20.0, 20.0];
        let y: Vec<f64> = week.iter().copied().cycle().take(28).collect();
        let fit = SeasonalIndices::weekly().fit(&y).unwrap();
        for (h, want) in week.iter().enumerate() {
            assert!((fit.mean_at(h + 1) - want).abs() < 1e-9, "{h}");
        }
    }

    #[test]
    fn a_phase_averaging_below_zero_gets_index_zero() {
        // Period 2: phase 0 averages (20 + 20 - 4 - 4 - 4) / 5 = 5.6,
        // phase 1 averages -1, the series 2.3; indices 5.6 / 2.3 and
        // -1 / 2.3 = -0.43. The deseasonalised phase-0 values end at
        // -4 / 2.43, so the level ends below zero, and times -0.43 it
        // forecast 0.7 units a period for phase 1, whose values are all
        // -1. Its index is 0 now: phase 1 is forecast 0.
        let y = [20.0, -1.0, 20.0, -1.0, -4.0, -1.0, -4.0, -1.0, -4.0, -1.0];
        let fit = SeasonalIndices::new(2).unwrap().fit(&y).unwrap();
        assert!(fit.level() < 0.0, "{}", fit.level());
        // 10 observations: step 1 is phase 0, step 2 phase 1.
        assert_eq!((fit.mean_at(1), fit.mean_at(2)), (0.0, 0.0));
        assert_eq!(seasonal_indices(&y, 2).unwrap()[1], 0.0);
        assert!((seasonal_indices(&y, 2).unwrap()[0] - 5.6 / 2.3).abs() < 1e-12);
    }

    /// The classical method.
    fn classical(period: usize) -> SeasonalIndices {
        SeasonalIndices::new(period).unwrap().with_method(SeasonalMethod::RatioToMovingAverage)
    }

    /// The index of each phase as the fit forecasts it: the mean of step
    /// `h` over the level, `h` running from the phase the fit ends at.
    fn indices_of(fit: &Fitted, m: usize) -> Vec<f64> {
        let end = fit.observations() % m;
        let mut out = vec![0.0; m];
        for h in 1..=m {
            out[(end + h - 1) % m] = fit.mean_at(h) / fit.level();
        }
        out
    }

    fn assert_close(got: &[f64], want: &[f64], tol: f64) {
        assert_eq!(got.len(), want.len());
        for (j, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() <= tol, "phase {j}: {g}, want {w}\n{got:?}");
        }
    }

    #[test]
    fn classical_indices_of_an_even_period_by_hand() {
        // Period 4 over two seasons (the minimum), y = 10, 20, 30, 20,
        // 14, 24, 34, 24. The 2 x 4 average weighs y_{t-2} and y_{t+2}
        // by 1/8 and y_{t-1}, y_t, y_{t+1} by 1/4; it exists at t = 2..=5:
        //   t = 2: (5 + 20 + 30 + 20 + 7) / 4 = 82 / 4 = 20.5
        //   t = 3: (10 + 30 + 20 + 14 + 12) / 4 = 86 / 4 = 21.5
        //   t = 4: (15 + 20 + 14 + 24 + 17) / 4 = 90 / 4 = 22.5
        //   t = 5: (10 + 14 + 24 + 34 + 12) / 4 = 94 / 4 = 23.5
        // One ratio a phase: phase 0 (t = 4) 14 / 22.5 = 0.622222,
        // phase 1 (t = 5) 24 / 23.5 = 1.021277, phase 2 (t = 2)
        // 30 / 20.5 = 1.463415, phase 3 (t = 3) 20 / 21.5 = 0.930233.
        // Their mean is 4.037146 / 4 = 1.009287; over it the indices are
        // 0.616497, 1.011880, 1.449950, 0.921673 (mean 1).
        let y = [10.0, 20.0, 30.0, 20.0, 14.0, 24.0, 34.0, 24.0];
        let ratios = [14.0 / 22.5, 24.0 / 23.5, 30.0 / 20.5, 20.0 / 21.5];
        let level = ratios.iter().sum::<f64>() / 4.0;
        let want = ratios.map(|r| r / level);
        assert_close(&ratio_to_moving_average(&y, 4), &want, 1e-15);
        assert_close(&want, &[0.616_497, 1.011_880, 1.449_950, 0.921_673], 1e-6);
        // The fit forecasts with them.
        let fit = classical(4).fit(&y).unwrap();
        assert_close(&indices_of(&fit, 4), &want, 1e-12);
        assert_eq!(fit.params().window, Some(4));
    }

    #[test]
    fn classical_indices_of_an_odd_period_by_hand() {
        // Period 3 over two seasons, y = 3, 6, 9, 4, 8, 14. The 3-value
        // average exists at t = 1..=4, four positions, so one phase gets
        // two ratios:
        //   t = 1: (3 + 6 + 9) / 3 = 6, ratio 6 / 6 = 1 (phase 1)
        //   t = 2: (6 + 9 + 4) / 3 = 19/3, ratio 27/19 = 1.421053 (phase 2)
        //   t = 3: (9 + 4 + 8) / 3 = 7, ratio 4/7 = 0.571429 (phase 0)
        //   t = 4: (4 + 8 + 14) / 3 = 26/3, ratio 24/26 = 0.923077 (phase 1)
        // Phase means 4/7, (1 + 12/13) / 2 = 25/26 = 0.961538 and 27/19;
        // their mean 2.954020 / 3 = 0.984673; indices 0.580323, 0.976505,
        // 1.443172.
        let y = [3.0, 6.0, 9.0, 4.0, 8.0, 14.0];
        let means = [4.0 / 7.0, 25.0 / 26.0, 27.0 / 19.0];
        let level = means.iter().sum::<f64>() / 3.0;
        let want = means.map(|r| r / level);
        assert_close(&ratio_to_moving_average(&y, 3), &want, 1e-15);
        assert_close(&want, &[0.580_323, 0.976_505, 1.443_172], 1e-6);
        let fit = classical(3).fit(&y).unwrap();
        assert_close(&indices_of(&fit, 3), &want, 1e-12);
    }

    #[test]
    fn classical_indices_leave_no_trend_in_a_straight_line() {
        // 1..=12 with period 2: the 2 x 2 average of a line is the line
        // itself ((t - 1) / 4 + t / 2 + (t + 1) / 4 = t), so every ratio
        // is 1 and so is every index, where ratio-to-mean gives 6 / 6.5
        // and 7 / 6.5.
        let line: Vec<f64> = (1..=12).map(f64::from).collect();
        assert_close(&ratio_to_moving_average(&line, 2), &[1.0, 1.0], 1e-15);
        let fit = classical(2).fit(&line).unwrap();
        assert_close(&indices_of(&fit, 2), &[1.0, 1.0], 1e-12);
        let simple = SeasonalIndices::new(2).unwrap().fit(&line).unwrap();
        assert_close(&indices_of(&simple, 2), &[6.0 / 6.5, 7.0 / 6.5], 1e-12);
        // With no season the deseasonalised series is the line: the
        // level ends near its last value, as SES on the line does.
        let ses = Ses::fitted().fit(&line).unwrap();
        assert!((fit.level() - ses.level()).abs() < 1e-9, "{} {}", fit.level(), ses.level());
    }

    #[test]
    fn classical_indices_recover_a_pattern_under_a_trend() {
        // A weekly pattern averaging 1 times the line 20 + t, ten weeks.
        // The centred average follows the line, not exactly (the pattern
        // weighs the window's two sides unevenly): every index is within
        // 0.006 of the pattern (0.0052 at most, by the same formula in
        // numpy). Ratio-to-mean is off by 0.06, taking the trend for a
        // weekly shape.
        let week = [0.8, 0.9, 1.0, 1.0, 0.9, 1.2, 1.2];
        let y: Vec<f64> =
            (0..70_u32).map(|t| week[t as usize % 7] * (20.0 + f64::from(t))).collect();
        assert_close(&ratio_to_moving_average(&y, 7), &week, 0.006);
        let simple = seasonal_indices(&y, 7).unwrap();
        let worst = simple.iter().zip(week).map(|(s, w)| (s - w).abs()).fold(0.0, f64::max);
        assert!(worst > 0.05, "{worst}");
    }

    #[test]
    fn two_periods_give_every_phase_a_classical_ratio() {
        // The average exists at positions m / 2 ..= n - 1 - m / 2: with
        // n = 2m that is m positions for an even m (one ratio a phase)
        // and m + 1 for an odd one (phase m / 2 gets two).
        for m in 2..=30 {
            let y: Vec<f64> = (0..2 * m).map(|t| 1.0 + (t * 7 % 5) as f64).collect();
            let r = phase_ratios(&y, m);
            for (j, &c) in r.counts.iter().enumerate() {
                let want = if m % 2 == 1 && j == m / 2 { 2 } else { 1 };
                assert_eq!(c, want, "period {m}, phase {j}");
            }
            // One value short of two even periods, a phase has none.
            if m % 2 == 0 {
                assert!(phase_ratios(&y[..2 * m - 1], m).counts.contains(&0), "{m}");
            }
        }
        // And the fit still asks for two full periods.
        assert!(matches!(
            classical(7).fit(&[1.0; 13]),
            Err(ForecastError::TooShort { needed: 14, got: 13, .. })
        ));
    }

    #[test]
    fn a_phase_without_a_classical_ratio_gets_index_1() {
        // Period 4, intermittent: demand of 8 at t = 1 and 6 at t = 2
        // only. The 2 x 4 average exists at t = 2..=9; the windows
        // (t - 2 ..= t + 2) of t = 2, 3 and 4 hold demand, later ones
        // only zeros:
        //   t = 2: (8 + 6) / 4 = 3.5 (y_1 and y_2 weigh 1/4), ratio
        //     6 / 3.5 = 1.714286 (phase 2)
        //   t = 3: (8 / 2 + 6) / 4 = 2.5, ratio 0 / 2.5 = 0 (phase 3)
        //   t = 4: (6 / 2) / 4 = 0.75, ratio 0 / 0.75 = 0 (phase 0)
        // Phase 1 has no ratio (its windows, t = 5 and 9, average 0):
        // index 1. Phases 0, 2 and 3 average 1.714286 / 3 = 0.571429, so
        // over that they are 0, 3 and 0, and all four average 1.
        let mut y = [0.0; 12];
        y[1] = 8.0;
        y[2] = 6.0;
        assert_close(&ratio_to_moving_average(&y, 4), &[0.0, 1.0, 3.0, 0.0], 1e-15);
        // Phases 0 and 3 are forecast 0; phase 1 gets the level, phase 2
        // three times it (12 values: step 1 is phase 0).
        let fit = classical(4).fit(&y).unwrap();
        let f = fit.forecast(4).mean;
        assert_eq!((f[0], f[3]), (0.0, 0.0));
        assert!(f[1] > 0.0 && (f[2] - 3.0 * f[1]).abs() < 1e-12, "{f:?}");
        // Nothing to take a ratio from: zeros, or only negative values.
        assert_eq!(ratio_to_moving_average(&[0.0; 12], 4), vec![1.0; 4]);
        assert_eq!(ratio_to_moving_average(&[-3.0; 12], 4), vec![1.0; 4]);
        let fit = classical(4).fit(&[0.0; 12]).unwrap();
        assert_eq!((fit.mean_at(1), fit.sigma()), (0.0, 0.0));
    }

    #[test]
    fn a_classical_phase_averaging_below_zero_gets_index_0() {
        // Period 2, y = 10, -2 repeated: every 2 x 2 average is
        // (10 / 4 - 2 / 2 + 10 / 4) = 4 at phase 1 and (-2 / 4 + 10 / 2
        // - 2 / 4) = 4 at phase 0 too, so the ratios are 10 / 4 = 2.5
        // (phase 0) and -2 / 4 = -0.5 (phase 1), taken as 0. Over their
        // mean (2.5 + 0) / 2 = 1.25 the indices are 2 and 0, and the
        // values of phase 1 are forecast 0.
        let y: Vec<f64> = (0..8).map(|t| if t % 2 == 0 { 10.0 } else { -2.0 }).collect();
        assert_close(&ratio_to_moving_average(&y, 2), &[2.0, 0.0], 1e-15);
        let fit = classical(2).fit(&y).unwrap();
        // 8 values: step 1 is phase 0 (10 / 2 = 5, times 2), step 2 phase 1.
        assert!((fit.mean_at(1) - 10.0).abs() < 1e-12, "{}", fit.mean_at(1));
        assert_eq!(fit.mean_at(2), 0.0);
        // Values of mixed sign whose every window cancels to a speck: no
        // ratio, every index 1 (divided by the speck, about 2.5e-17 at
        // t = 2, a ratio would be near 4e16).
        let speck = [1.0, -1.0, 1.0, -1.0 + 1e-16, 1.0, -1.0];
        assert_eq!(ratio_to_moving_average(&speck, 2), vec![1.0; 2]);
    }

    #[test]
    fn the_default_method_is_ratio_to_mean() {
        let a = SeasonalIndices::new(7).unwrap();
        assert_eq!(a.method(), SeasonalMethod::RatioToMean);
        assert_eq!(SeasonalIndices::weekly().method(), SeasonalMethod::default());
        assert_eq!(a.with_method(SeasonalMethod::RatioToMean), a);
        let b = a.with_method(SeasonalMethod::RatioToMovingAverage);
        assert_eq!((b.period(), b.method()), (7, SeasonalMethod::RatioToMovingAverage));
    }

    #[test]
    fn holt_winters_tracks_pattern_and_needs_two_seasons() {
        let week = [5.0, 6.0, 7.0, 8.0, 9.0, 15.0, 16.0];
        let y: Vec<f64> = week.iter().copied().cycle().take(70).collect();
        let fit = HoltWinters::fitted(7).unwrap().fit(&y).unwrap();
        for (h, want) in week.iter().enumerate() {
            assert!((fit.mean_at(h + 1) - want).abs() < 0.5, "{h}: {}", fit.mean_at(h + 1));
        }
        assert!(matches!(
            HoltWinters::fitted(7).unwrap().fit(&y[..10]),
            Err(ForecastError::TooShort { needed: 14, got: 10, .. })
        ));
    }
}
