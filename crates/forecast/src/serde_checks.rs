//! The serialised forms of the configured models, the change-point
//! reaction and known events, read back through the constructors'
//! checks.
//!
//! A model or event read from a file (an options file, a saved rule)
//! could otherwise carry what no constructor accepts: a period of 0
//! divided by zero and panicked at the fit, a smoothing constant of 5
//! made a series of single digits forecast tens of thousands, and an
//! unsorted SKU list made an event miss a SKU it names. Each form has
//! the fields of its type, so the wire format is unchanged.

use merchantry_core::{DateRange, Sku};

use crate::error::{ForecastError, unit_open};
use crate::events::KnownEvent;
use crate::intermittent::{Croston, Sba, Tsb};
use crate::model::DemandModel;
use crate::reactive::{ChangePoint, Reactive};
use crate::smoothing::{Holt, HoltWinters, MovingAverage, SeasonalIndices, Ses};

#[derive(serde::Deserialize)]
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
