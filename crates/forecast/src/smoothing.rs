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
/// Initialisation (as statsforecast's `ses`): the level starts at the first
/// observation, so the first one-step forecast is `y_0` and the squared
/// errors are summed over periods `1..n`. With `alpha` left to the fit, it
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
}

impl Ses {
    /// SES with a fixed smoothing constant.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] unless `0 < alpha < 1`.
    pub fn new(alpha: f64) -> Result<Self> {
        Ok(Self { alpha: Some(unit_open("alpha", alpha)?) })
    }

    /// SES with `alpha` fitted to each series.
    #[must_use]
    pub const fn fitted() -> Self {
        Self { alpha: None }
    }

    /// The fixed constant, or `None` when fitted.
    #[must_use]
    pub const fn alpha(&self) -> Option<f64> {
        self.alpha
    }
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
                    ses_alpha(y)
                }
            };
            if y.is_empty() {
                return Err(ForecastError::Empty { what: "series" });
            }
            let (level, sse) = ses_run(y, alpha);
            // A non-finite input makes its own error, or the level, non-finite
            // (see `ses_run`), so a finite result needs no separate check pass.
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
/// The simple-average (ratio-to-mean) method, not classical
/// decomposition: the index of phase `j` is the mean of the values at
/// positions `t` with `t mod period = j` divided by the overall mean,
/// with no trend removed first (classical decomposition, as in FPP
/// section 3.4 or statsmodels' `seasonal_decompose`, divides each value
/// by a centred moving average instead). A trend within the series
/// therefore leaks into the indices: the straight line 1, 2, ..., 12
/// with period 2 gets indices 6 / 6.5 = 0.923 and 7 / 6.5 = 1.077 and
/// forecasts a zigzag; [`HoltWinters`] models the trend for such a
/// series. All indices are 1 when the mean is not positive, or within
/// `1e-12` of the mean magnitude of zero. An index is never below 0: a
/// phase whose values average below zero (only a series with negative
/// values has one; the [`Forecaster`](crate::Forecaster) clamps or
/// refuses them) gets the index 0, as a phase without demand does, and
/// is forecast 0. The deseasonalised series
/// `y_t / index` (phases with an index of `1e-12` or less are skipped) is
/// smoothed by fitted SES, and the forecast is the final level times the
/// index of each future period. The spread is the RMSE of the one-step
/// forecasts `level * index` from the second deseasonalised value on,
/// skipped phases included. Multiplicative because
/// weekday effects of sales scale with volume. Needs two full periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
pub struct SeasonalIndices {
    period: usize,
}

impl SeasonalIndices {
    /// Indices over `period` positions.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] when `period < 2`.
    pub fn new(period: usize) -> Result<Self> {
        check_period(period)?;
        Ok(Self { period })
    }

    /// Day-of-week indices (period 7).
    #[must_use]
    pub const fn weekly() -> Self {
        Self { period: 7 }
    }

    /// Periods per season.
    pub(crate) const fn period(&self) -> usize {
        self.period
    }
}

fn check_period(period: usize) -> Result<()> {
    if period < 2 {
        #[expect(clippy::cast_precision_loss, reason = "error report only")]
        let value = period as f64;
        return Err(ForecastError::InvalidParameter {
            name: "period",
            value,
            allowed: "2 or more periods",
        });
    }
    Ok(())
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
            let index = seasonal_indices(y, m)?;
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

/// Additive Holt-Winters (FPP section 7.3, component form):
/// `l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + b_{t-1})`,
/// `b_t = beta* (l_t - l_{t-1}) + (1 - beta*) b_{t-1}`,
/// `s_t = gamma (y_t - l_{t-1} - b_{t-1}) + (1 - gamma) s_{t-m}`.
///
/// Additive rather than multiplicative so that zero-demand days, common
/// in daily sales, never divide. Initialisation (statsmodels'
/// `legacy-heuristic`; R's `HoltWinters` decomposes the first seasons
/// instead): the level is the mean of the first period, the trend the
/// difference between the means of the second and first periods divided
/// by `m`, and the seasonal terms the first period's deviations from its
/// mean. These are the states before the first observation: the
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
