//! The serialised forms of the configured models, the change-point
//! reaction, known events and fitted states, read back through the
//! constructors' checks (for a fitted state, the guarantees of a fit).
//!
//! A model or event read from a file (an options file, a saved rule)
//! could otherwise carry what no constructor accepts: a period of 0
//! divided by zero and panicked at the fit, a smoothing constant of 5
//! made a series of single digits forecast tens of thousands, and an
//! unsorted SKU list made an event miss a SKU it names. A saved fit with
//! a negative spread forecast a negative standard deviation, and the
//! forecast set holding it answered no forecast at all. Each form has
//! the fields of its type, so the wire format is unchanged.

use merchantry_core::{DateRange, ShortFloat, Sku};

use crate::classify::Classification;
use crate::error::{ForecastError, unit_open};
use crate::events::KnownEvent;
use crate::forecaster::SkuForecast;
use crate::intermittent::{Croston, Sba, Tsb};
use crate::model::{DemandModel, Fitted, ModelKind, Parameters, SeasonalMode};
use crate::prepare::Velocity;
use crate::reactive::{ChangePoint, Reactive};
use crate::smoothing::{Holt, HoltWinters, MovingAverage, SeasonalIndices, Ses};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MovingAverageRepr {
    window: usize,
}

impl TryFrom<MovingAverageRepr> for MovingAverage {
    type Error = ForecastError;

    fn try_from(r: MovingAverageRepr) -> Result<Self, ForecastError> {
        Self::new(r.window)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SesRepr {
    alpha: Option<f64>,
}

impl TryFrom<SesRepr> for Ses {
    type Error = ForecastError;

    fn try_from(r: SesRepr) -> Result<Self, ForecastError> {
        r.alpha.map_or(Ok(Self::fitted()), Self::new)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoltRepr {
    alpha: Option<f64>,
    beta: Option<f64>,
}

impl TryFrom<HoltRepr> for Holt {
    type Error = ForecastError;

    fn try_from(r: HoltRepr) -> Result<Self, ForecastError> {
        // One constant fixed and the other fitted is a state the fit
        // handles, though no constructor builds it: each fixed one is
        // checked.
        let alpha = r.alpha.map(|a| unit_open("alpha", a)).transpose()?;
        let beta = r.beta.map(|b| unit_open("beta", b)).transpose()?;
        Ok(Self::from_parts(alpha, beta))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeasonalIndicesRepr {
    period: usize,
}

impl TryFrom<SeasonalIndicesRepr> for SeasonalIndices {
    type Error = ForecastError;

    fn try_from(r: SeasonalIndicesRepr) -> Result<Self, ForecastError> {
        Self::new(r.period)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoltWintersRepr {
    period: usize,
    constants: Option<[f64; 3]>,
}

impl TryFrom<HoltWintersRepr> for HoltWinters {
    type Error = ForecastError;

    fn try_from(r: HoltWintersRepr) -> Result<Self, ForecastError> {
        match r.constants {
            Some([alpha, beta, gamma]) => Self::new(r.period, alpha, beta, gamma),
            None => Self::fitted(r.period),
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlphaRepr {
    alpha: f64,
}

impl TryFrom<AlphaRepr> for Croston {
    type Error = ForecastError;

    fn try_from(r: AlphaRepr) -> Result<Self, ForecastError> {
        Self::new(r.alpha)
    }
}

impl TryFrom<AlphaRepr> for Sba {
    type Error = ForecastError;

    fn try_from(r: AlphaRepr) -> Result<Self, ForecastError> {
        Self::new(r.alpha)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TsbRepr {
    alpha: f64,
    beta: f64,
}

impl TryFrom<TsbRepr> for Tsb {
    type Error = ForecastError;

    fn try_from(r: TsbRepr) -> Result<Self, ForecastError> {
        Self::new(r.alpha, r.beta)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KnownEventRepr {
    name: String,
    range: DateRange,
    uplift: f64,
    skus: Option<Vec<Sku>>,
}

impl TryFrom<KnownEventRepr> for KnownEvent {
    type Error = ForecastError;

    fn try_from(r: KnownEventRepr) -> Result<Self, ForecastError> {
        let event = Self::new(r.name, r.range, r.uplift)?;
        // `for_skus` sorts the list: `applies` searches it by halves.
        Ok(match r.skus {
            Some(skus) => event.for_skus(skus),
            None => event,
        })
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReactiveRepr<M> {
    base: M,
    detector: ChangePoint,
}

impl<M: DemandModel> TryFrom<ReactiveRepr<M>> for Reactive<M> {
    type Error = ForecastError;

    fn try_from(r: ReactiveRepr<M>) -> Result<Self, ForecastError> {
        Self::with_detector(r.base, r.detector)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FittedRepr {
    kind: ModelKind,
    level: f64,
    trend: f64,
    season: Vec<f64>,
    mode: SeasonalMode,
    phase: usize,
    sigma: f64,
    params: Parameters,
    observations: usize,
    level_reset_at: Option<usize>,
}

impl TryFrom<FittedRepr> for Fitted {
    type Error = ForecastError;

    /// What every fit guarantees: a finite level, trend and seasonal
    /// terms, a finite spread of at least 0, smoothing constants in
    /// `[0, 1]`, a window of at least one period, and a level reset
    /// inside the series.
    fn try_from(r: FittedRepr) -> Result<Self, ForecastError> {
        let bad = |reason: String| ForecastError::InvalidRecord {
            record: format!("fitted {} model", r.kind),
            reason,
        };
        for (what, value) in [("level", r.level), ("trend", r.trend)] {
            if !value.is_finite() {
                return Err(bad(format!("{what} is {}, not a finite number", ShortFloat(value))));
            }
        }
        if !(r.sigma.is_finite() && r.sigma >= 0.0) {
            return Err(bad(format!(
                "spread (sigma) is {}, expected a finite number >= 0",
                ShortFloat(r.sigma)
            )));
        }
        if let Some((i, &v)) = r.season.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(bad(format!(
                "seasonal term {i} is {}, not a finite number",
                ShortFloat(v)
            )));
        }
        let constants =
            [("alpha", r.params.alpha), ("beta", r.params.beta), ("gamma", r.params.gamma)];
        for (name, value) in constants {
            if let Some(v) = value.filter(|v| !(0.0..=1.0).contains(v)) {
                return Err(bad(format!("constant {name} is {}, expected 0 to 1", ShortFloat(v))));
            }
        }
        if r.params.window == Some(0) {
            return Err(bad("window is 0 periods, expected 1 or more".to_owned()));
        }
        if let Some(at) = r.level_reset_at.filter(|at| *at >= r.observations) {
            return Err(bad(format!(
                "level reset at period {at} of a series of {} periods",
                r.observations
            )));
        }
        Ok(Self::flat(r.kind, r.level, r.sigma, r.observations)
            .with_trend(r.trend)
            .with_season(r.season, r.mode, r.phase)
            .with_params(r.params)
            .with_reset(r.level_reset_at, r.observations))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkuForecastRepr {
    sku: Sku,
    classification: Classification,
    velocity: Velocity,
    fit: Fitted,
    first_day: chrono::NaiveDate,
    #[serde(default)]
    trailing_excluded_days: usize,
}

impl TryFrom<SkuForecastRepr> for SkuForecast {
    type Error = ForecastError;

    /// The trailing stock-out days the model did not see are stock-out
    /// days of the history: at most its days less its in-stock days.
    fn try_from(r: SkuForecastRepr) -> Result<Self, ForecastError> {
        let out = r.velocity.days.saturating_sub(r.velocity.in_stock_days);
        if r.trailing_excluded_days > out {
            return Err(ForecastError::InvalidRecord {
                record: format!("forecast of sku {}", r.sku),
                reason: format!(
                    "{} trailing excluded days, but the history has {out} stock-out days",
                    r.trailing_excluded_days
                ),
            });
        }
        Ok(Self {
            sku: r.sku,
            classification: r.classification,
            velocity: r.velocity,
            fit: r.fit,
            first_day: r.first_day,
            trailing_excluded_days: r.trailing_excluded_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holt() -> FittedRepr {
        FittedRepr {
            kind: ModelKind::Holt,
            level: 20.0,
            trend: 2.0,
            season: Vec::new(),
            mode: SeasonalMode::Additive,
            phase: 0,
            sigma: 1.5,
            params: Parameters { alpha: Some(0.5), beta: Some(0.5), ..Parameters::default() },
            observations: 10,
            level_reset_at: None,
        }
    }

    #[test]
    fn non_finite_or_negative_states_are_refused_by_name() {
        // JSON cannot write these; other formats can.
        let fit = Fitted::try_from(holt()).unwrap();
        assert_eq!((fit.level(), fit.trend(), fit.sigma()), (20.0, 2.0, 1.5));
        type Tamper = fn(&mut FittedRepr);
        let cases: [(Tamper, &str); 6] = [
            (|r| r.level = f64::NAN, "level is NaN"),
            (|r| r.trend = f64::INFINITY, "trend is inf"),
            (|r| r.sigma = f64::NAN, "spread (sigma) is NaN"),
            (|r| r.sigma = -1.5, "spread (sigma) is -1.5"),
            (|r| r.season = vec![1.0, f64::NEG_INFINITY], "seasonal term 1 is -inf"),
            (|r| r.params.gamma = Some(f64::NAN), "constant gamma is NaN"),
        ];
        for (tamper, says) in cases {
            let mut r = holt();
            tamper(&mut r);
            match Fitted::try_from(r) {
                Err(ForecastError::InvalidRecord { record, reason }) => {
                    assert_eq!(record, "fitted holt model");
                    assert!(reason.starts_with(says), "{reason}");
                }
                other => panic!("{says}: {other:?}"),
            }
        }
    }
}
