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
//! the fields of its type, except that a configured model is saved
//! under its kind ([`ModelRepr`]), as a [`ModelSpec`] always was.

use std::collections::BTreeMap;

use merchantry_core::{DateRange, ShortFloat, Sku};

use crate::classify::Classification;
use crate::error::{ForecastError, unit_open};
use crate::events::{EventCalendar, KnownEvent};
use crate::forecaster::{ForecastSet, SkuForecast};
use crate::intermittent::{Adida, Croston, Imapa, Sba, Tsb};
use crate::model::{DemandModel, Fitted, ModelKind, Parameters, SeasonalMode};
use crate::prepare::Velocity;
use crate::reactive::{ChangePoint, Reactive};
use crate::select::ModelSpec;
use crate::smoothing::{
    Holt, HoltWinters, MovingAverage, SeasonalIndices, SeasonalMethod, Ses, SesStart,
};

#[derive(serde::Serialize, serde::Deserialize)]
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

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SesRepr {
    alpha: Option<f64>,
    /// Left out for the default start, so a default model is saved as
    /// before the option existed, and such a saved model loads as the
    /// default.
    #[serde(default, skip_serializing_if = "is_first_value")]
    start: SesStart,
}

impl TryFrom<SesRepr> for Ses {
    type Error = ForecastError;

    fn try_from(r: SesRepr) -> Result<Self, ForecastError> {
        Ok(r.alpha.map_or(Ok(Self::fitted()), Self::new)?.with_start(r.start))
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
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

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeasonalIndicesRepr {
    period: usize,
    /// Left out for the default method, so a default model is saved as
    /// before the option existed (`{"period":7}`), and such a saved
    /// model loads as the default.
    #[serde(default, skip_serializing_if = "is_ratio_to_mean")]
    method: SeasonalMethod,
}

/// Whether `start` is the default, left out when saved.
#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde passes a reference")]
fn is_first_value(start: &SesStart) -> bool {
    *start == SesStart::FirstValue
}

/// Whether `method` is the default one (a `skip_serializing_if` takes a
/// reference).
#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde passes a reference")]
fn is_ratio_to_mean(method: &SeasonalMethod) -> bool {
    *method == SeasonalMethod::RatioToMean
}

impl TryFrom<SeasonalIndicesRepr> for SeasonalIndices {
    type Error = ForecastError;

    fn try_from(r: SeasonalIndicesRepr) -> Result<Self, ForecastError> {
        Ok(Self::new(r.period)?.with_method(r.method))
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
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

#[derive(serde::Serialize, serde::Deserialize)]
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

#[derive(serde::Serialize, serde::Deserialize)]
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

/// The saved form of a configured model, alone or as a [`ModelSpec`]:
/// its kind, holding its settings (`{"Croston":{"alpha":0.1}}`,
/// `{"Adida":null}`). [`SeasonalIndices`] writes its method only when
/// it is not the default
/// (`{"SeasonalIndices":{"period":7,"method":"RatioToMovingAverage"}}`),
/// so a default one is saved as before the option, and one saved
/// without a method loads with the default.
///
/// Saved as their settings alone, [`Ses`], [`Croston`] and [`Sba`]
/// (`{"alpha":0.1}`), [`Holt`] and [`Tsb`] (`{"alpha":..,"beta":..}`),
/// and [`Adida`] and [`Imapa`] (`null`) each loaded as the others, an
/// SES also as a Holt whose `beta` is fitted, and [`SeasonalIndices`]
/// (`{"period":7}`) as a fitted [`HoltWinters`].
/// Saved under its kind, a model loads as that kind only
/// ([`ForecastError::ModelMismatch`] otherwise).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) enum ModelRepr {
    MovingAverage(MovingAverageRepr),
    Ses(SesRepr),
    Holt(HoltRepr),
    SeasonalIndices(SeasonalIndicesRepr),
    HoltWinters(HoltWintersRepr),
    Croston(AlphaRepr),
    Sba(AlphaRepr),
    Tsb(TsbRepr),
    Adida(()),
    Imapa(()),
}

impl ModelRepr {
    /// The kind the saved model names.
    const fn kind(&self) -> ModelKind {
        match self {
            Self::MovingAverage(_) => ModelKind::MovingAverage,
            Self::Ses(_) => ModelKind::Ses,
            Self::Holt(_) => ModelKind::Holt,
            Self::SeasonalIndices(_) => ModelKind::SeasonalIndices,
            Self::HoltWinters(_) => ModelKind::HoltWinters,
            Self::Croston(_) => ModelKind::Croston,
            Self::Sba(_) => ModelKind::Sba,
            Self::Tsb(_) => ModelKind::Tsb,
            Self::Adida(()) => ModelKind::Adida,
            Self::Imapa(()) => ModelKind::Imapa,
        }
    }
}

impl From<ModelSpec> for ModelRepr {
    fn from(spec: ModelSpec) -> Self {
        match spec {
            ModelSpec::MovingAverage(m) => {
                Self::MovingAverage(MovingAverageRepr { window: m.window() })
            }
            ModelSpec::Ses(m) => Self::Ses(SesRepr { alpha: m.alpha(), start: m.start() }),
            ModelSpec::Holt(m) => {
                let (alpha, beta) = m.parts();
                Self::Holt(HoltRepr { alpha, beta })
            }
            ModelSpec::SeasonalIndices(m) => Self::SeasonalIndices(SeasonalIndicesRepr {
                period: m.period(),
                method: m.method(),
            }),
            ModelSpec::HoltWinters(m) => {
                Self::HoltWinters(HoltWintersRepr { period: m.period(), constants: m.constants() })
            }
            ModelSpec::Croston(m) => Self::Croston(AlphaRepr { alpha: m.alpha() }),
            ModelSpec::Sba(m) => Self::Sba(AlphaRepr { alpha: m.alpha() }),
            ModelSpec::Tsb(m) => {
                let (alpha, beta) = m.parts();
                Self::Tsb(TsbRepr { alpha, beta })
            }
            ModelSpec::Adida(Adida) => Self::Adida(()),
            ModelSpec::Imapa(Imapa) => Self::Imapa(()),
        }
    }
}

impl TryFrom<ModelRepr> for ModelSpec {
    type Error = ForecastError;

    fn try_from(r: ModelRepr) -> Result<Self, ForecastError> {
        Ok(match r {
            ModelRepr::MovingAverage(r) => Self::MovingAverage(r.try_into()?),
            ModelRepr::Ses(r) => Self::Ses(r.try_into()?),
            ModelRepr::Holt(r) => Self::Holt(r.try_into()?),
            ModelRepr::SeasonalIndices(r) => Self::SeasonalIndices(r.try_into()?),
            ModelRepr::HoltWinters(r) => Self::HoltWinters(r.try_into()?),
            ModelRepr::Croston(r) => Self::Croston(r.try_into()?),
            ModelRepr::Sba(r) => Self::Sba(r.try_into()?),
            ModelRepr::Tsb(r) => Self::Tsb(r.try_into()?),
            ModelRepr::Adida(()) => Self::Adida(Adida),
            ModelRepr::Imapa(()) => Self::Imapa(Imapa),
        })
    }
}

/// Each configured model is saved as the [`ModelSpec`] holding it and
/// read back only as its own kind: the kind is checked before the
/// settings.
macro_rules! saved_under_its_kind {
    ($($model:ident),* $(,)?) => {$(
        impl From<$model> for ModelRepr {
            fn from(m: $model) -> Self {
                ModelSpec::$model(m).into()
            }
        }

        impl TryFrom<ModelRepr> for $model {
            type Error = ForecastError;

            fn try_from(r: ModelRepr) -> Result<Self, ForecastError> {
                let mismatch = |found| ForecastError::ModelMismatch {
                    expected: ModelKind::$model,
                    found,
                };
                let found = r.kind();
                if found != ModelKind::$model {
                    return Err(mismatch(found));
                }
                match ModelSpec::try_from(r)? {
                    ModelSpec::$model(m) => Ok(m),
                    other => Err(mismatch(other.kind())),
                }
            }
        }
    )*};
}

saved_under_its_kind!(
    MovingAverage,
    Ses,
    Holt,
    SeasonalIndices,
    HoltWinters,
    Croston,
    Sba,
    Tsb,
    Adida,
    Imapa,
);

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

/// A [`ChangePoint`] as saved; `season` may be missing (a form saved
/// before it was added), and is then the default, 7.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangePointRepr {
    allowance: f64,
    threshold: f64,
    confirm: usize,
    min_fit: usize,
    #[serde(default = "weekly")]
    season: Option<usize>,
}

/// The default [`ChangePoint::season`]: a week of days.
#[expect(clippy::unnecessary_wraps, reason = "serde's default for an Option field")]
const fn weekly() -> Option<usize> {
    Some(7)
}

impl TryFrom<ChangePointRepr> for ChangePoint {
    type Error = ForecastError;

    fn try_from(r: ChangePointRepr) -> Result<Self, ForecastError> {
        let ChangePointRepr { allowance, threshold, confirm, min_fit, season } = r;
        let detector = Self { allowance, threshold, confirm, min_fit, season };
        detector.validate()?;
        Ok(detector)
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
    /// `[0, 1]`, a window of at least one period, at least one
    /// observation, a level reset inside the series, multiplicative
    /// seasonal terms of at least 0, and the state of its kind
    /// ([`check_shape`]).
    ///
    /// A multiplicative term below 0 turned the level's sign: a negative
    /// level (a [`SeasonalIndices`] fit of a series with negative values)
    /// times it forecast demand for a phase whose values average below
    /// zero. The fit gives such a phase the index 0 (see
    /// [`SeasonalIndices`]); 0 itself loads, being the index of a phase
    /// without demand, and nothing divides by a saved term.
    ///
    /// Not refused, because real fits give it: a moving-average window
    /// longer than the series (the fit averages what there is).
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
        let multiplicative = r.mode == SeasonalMode::Multiplicative;
        if let Some((i, &v)) =
            r.season.iter().enumerate().find(|(_, v)| multiplicative && **v < 0.0)
        {
            return Err(bad(format!(
                "seasonal term {i} is {}, but a multiplicative term is 0 or more",
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
        if r.observations == 0 {
            // Every fit checks its series is not empty first.
            return Err(bad("0 observations, but every fit consumes at least one".to_owned()));
        }
        if let Some(at) = r.level_reset_at.filter(|at| *at >= r.observations) {
            return Err(bad(format!(
                "level reset at period {at} of a series of {} periods",
                r.observations
            )));
        }
        check_shape(&r).map_err(bad)?;
        Ok(Self::flat(r.kind, r.level, r.sigma, r.observations)
            .with_trend(r.trend)
            .with_season(r.season, r.mode, r.phase)
            .with_params(r.params)
            .with_reset(r.level_reset_at, r.observations))
    }
}

/// What the fit of a model kind holds besides a level and a spread: a
/// trend, seasonal terms (and how they combine), and which of the
/// constants of [`Parameters`] it records.
struct Shape {
    trend: bool,
    season: Option<SeasonalMode>,
    /// `alpha`, `beta`, `gamma`, `window`.
    constants: [bool; 4],
}

/// The state each model's fit gives (see the `fit` of each model).
const fn shape(kind: ModelKind) -> Shape {
    const fn of(trend: bool, season: Option<SeasonalMode>, constants: [bool; 4]) -> Shape {
        Shape { trend, season, constants }
    }
    match kind {
        ModelKind::MovingAverage | ModelKind::Adida | ModelKind::Imapa => {
            of(false, None, [false, false, false, true])
        }
        ModelKind::Ses | ModelKind::Croston | ModelKind::Sba => {
            of(false, None, [true, false, false, false])
        }
        ModelKind::Tsb => of(false, None, [true, true, false, false]),
        ModelKind::Holt => of(true, None, [true, true, false, false]),
        ModelKind::SeasonalIndices => {
            of(false, Some(SeasonalMode::Multiplicative), [true, false, false, true])
        }
        ModelKind::HoltWinters => of(true, Some(SeasonalMode::Additive), [true, true, true, true]),
    }
}

/// `n` and `noun`, plural unless `n` is 1: "1 period", "14 periods".
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

const fn mode_name(mode: SeasonalMode) -> &'static str {
    match mode {
        SeasonalMode::Additive => "additive",
        SeasonalMode::Multiplicative => "multiplicative",
    }
}

/// Whether the state of a saved fit is one its kind's fit gives: a
/// trend only on Holt and Holt-Winters, seasonal terms only on the
/// seasonal models (combined the way the model combines them, one per
/// period of the window, 2 or more, and the phase the periods fitted
/// end at: the observations, or those since a level reset, modulo the
/// season), and the constants that model records.
///
/// Each fit's phase is the length of the series it fitted modulo the
/// season, so step 1 takes the term after the last one fitted; another
/// phase shifted every forecast day onto another day's term (a
/// Saturday peak forecast for a Tuesday).
///
/// A fit with no constant at all is the flat fit some models give (the
/// mean of the days since a recent level shift under [`Reactive`], an
/// ADIDA or IMAPA series without demand): a level and a spread, with no
/// trend and no seasonal terms whatever the kind.
///
/// Read field by field, a Holt fit carrying seasonal terms forecast as
/// Holt-Winters and an SES fit carrying a trend forecast a line, each
/// loaded as the kind it named.
fn check_shape(r: &FittedRepr) -> Result<(), String> {
    let kind = r.kind;
    let want = shape(kind);
    let m = r.season.len();
    if r.trend != 0.0 && !want.trend {
        return Err(format!("trend is {}, but a {kind} model has no trend", ShortFloat(r.trend)));
    }
    if m > 0 && want.season.is_none() {
        return Err(format!("{}, but a {kind} model has no season", count(m, "seasonal term")));
    }
    let p = r.params;
    let constants = [("alpha", p.alpha), ("beta", p.beta), ("gamma", p.gamma)];
    for ((name, value), wanted) in constants.into_iter().zip(want.constants) {
        if let Some(v) = value.filter(|_| !wanted) {
            return Err(format!(
                "constant {name} is {}, but a {kind} model has no such constant",
                ShortFloat(v)
            ));
        }
    }
    if let Some(w) = p.window.filter(|_| !want.constants[3]) {
        return Err(format!("window is {}, but a {kind} model has no window", count(w, "period")));
    }
    if p == Parameters::default() {
        // The flat fit: no trend, no season.
        if r.trend != 0.0 {
            return Err(format!(
                "trend is {} without the constants of a {kind} model",
                ShortFloat(r.trend)
            ));
        }
        if m > 0 {
            return Err(format!(
                "{} without the constants of a {kind} model",
                count(m, "seasonal term")
            ));
        }
        return Ok(());
    }
    for ((name, value), wanted) in constants.into_iter().zip(want.constants) {
        if value.is_none() && wanted {
            return Err(format!("no constant {name}, which a {kind} model fits"));
        }
    }
    if p.window.is_none() && want.constants[3] {
        return Err(format!("no window, which a {kind} model fits"));
    }
    if let Some(mode) = want.season {
        if m == 0 {
            return Err(format!("no seasonal terms, which a {kind} model fits"));
        }
        if r.mode != mode {
            return Err(format!(
                "{} seasonal terms, but a {kind} model's are {}",
                mode_name(r.mode),
                mode_name(mode)
            ));
        }
        if p.window != Some(m) {
            let w = p.window.unwrap_or(0);
            return Err(format!(
                "window is {}, but there {} {}",
                count(w, "period"),
                if m == 1 { "is" } else { "are" },
                count(m, "seasonal term")
            ));
        }
        if m < 2 {
            return Err(format!("{m} seasonal term, but a season has 2 or more periods"));
        }
        // The reset lies inside the series (checked before).
        let fitted = r.observations.saturating_sub(r.level_reset_at.unwrap_or(0));
        let end = fitted % m;
        if r.phase != end {
            return Err(format!(
                "phase is {}, but {} fitted over a season of {m} {} at phase {end}",
                r.phase,
                count(fitted, "period"),
                if fitted == 1 { "ends" } else { "end" }
            ));
        }
    }
    Ok(())
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

    /// The velocity is one preparation gives ([`check_velocity`]), and
    /// the trailing stock-out days the model did not see are stock-out
    /// days of the history: at most its days less its in-stock days.
    fn try_from(r: SkuForecastRepr) -> Result<Self, ForecastError> {
        let bad = |reason: String| ForecastError::InvalidRecord {
            record: format!("forecast of sku {}", r.sku),
            reason,
        };
        check_velocity(&r.velocity).map_err(bad)?;
        let out = r.velocity.days - r.velocity.in_stock_days;
        if r.trailing_excluded_days > out {
            return Err(bad(format!(
                "{} trailing excluded days, but the history has {out} stock-out days",
                r.trailing_excluded_days
            )));
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

/// What preparing a series gives ([`crate::prepare_values`]): each day
/// in stock or stocked out (flagged, or inferred by the partial-stockout
/// rule), so the in-stock days are at most the days and the flagged and
/// inferred days make up the rest; the units, the raw and the adjusted
/// rate finite and at least 0 (negative days are clamped to 0 or
/// refused, and the forecaster's quantities sum to far below
/// `f64::MAX`).
fn check_velocity(v: &Velocity) -> Result<(), String> {
    if v.in_stock_days > v.days {
        return Err(format!(
            "velocity in_stock_days is {}, but the history has {} days",
            v.in_stock_days, v.days
        ));
    }
    let out = v.days - v.in_stock_days;
    if v.flagged_stockout_days.checked_add(v.inferred_stockout_days) != Some(out) {
        return Err(format!(
            "velocity flagged_stockout_days {} and inferred_stockout_days {} do not add up to \
             the {out} days out of stock ({} days less {} in stock)",
            v.flagged_stockout_days, v.inferred_stockout_days, v.days, v.in_stock_days
        ));
    }
    for (name, value) in [("units", v.units), ("raw", v.raw), ("adjusted", v.adjusted)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(format!(
                "velocity {name} is {}, expected a finite number >= 0",
                ShortFloat(value)
            ));
        }
    }
    Ok(())
}

/// A saved [`ForecastSet`]: its fits and events (the failure list is not
/// saved and is rebuilt empty). Unknown fields are refused, as for its
/// entries.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ForecastSetRepr {
    forecasts: BTreeMap<Sku, SkuForecast>,
    events: EventCalendar,
}

impl TryFrom<ForecastSetRepr> for ForecastSet {
    type Error = ForecastError;

    /// Each entry is filed under its forecast's SKU: one under another
    /// key answered that key with the forecast of a different SKU (and
    /// that SKU with none).
    fn try_from(r: ForecastSetRepr) -> Result<Self, ForecastError> {
        if let Some((key, f)) = r.forecasts.iter().find(|(key, f)| **key != f.sku) {
            return Err(ForecastError::InvalidRecord {
                record: format!("forecast set key {key}"),
                reason: format!("holds the forecast of sku {}", f.sku),
            });
        }
        Ok(Self { forecasts: r.forecasts, failures: BTreeMap::new(), events: r.events })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DemandModel;

    #[test]
    fn a_change_point_is_read_through_its_checks() {
        let read = |json: &str| serde_json::from_str::<ChangePoint>(json);
        let base = r#""allowance":0.5,"threshold":5.0,"confirm":2,"min_fit":28"#;
        // Saved before `season` was added: the default, 7.
        assert_eq!(read(&format!("{{{base}}}")).unwrap(), ChangePoint::default());
        let plain = read(&format!(r#"{{{base},"season":null}}"#)).unwrap();
        assert_eq!(plain.season, None);
        let back = serde_json::to_string(&ChangePoint::default()).unwrap();
        assert_eq!(read(&back).unwrap(), ChangePoint::default());
        // What no constructor accepts is refused when read, not at the
        // first SKU fitted with it.
        assert!(read(&format!(r#"{{{base},"season":1}}"#)).is_err());
        assert!(read(r#"{"allowance":0.5,"threshold":5.0,"confirm":0,"min_fit":28}"#).is_err());
        assert!(read(r#"{"allowance":-1.0,"threshold":5.0,"confirm":2,"min_fit":28}"#).is_err());
    }

    #[test]
    fn a_model_read_as_another_kind_is_a_typed_error() {
        let croston = ModelRepr::from(Croston::default());
        assert_eq!(Croston::try_from(croston), Ok(Croston::default()));
        assert_eq!(
            Sba::try_from(ModelRepr::from(Croston::default())),
            Err(ForecastError::ModelMismatch {
                expected: ModelKind::Sba,
                found: ModelKind::Croston
            })
        );
        // The kind is checked first: a Holt with a beta of 7 read as TSB
        // is a Holt, not a TSB with a bad beta.
        let holt = ModelRepr::Holt(HoltRepr { alpha: Some(0.5), beta: Some(7.0) });
        assert_eq!(
            Tsb::try_from(holt),
            Err(ForecastError::ModelMismatch { expected: ModelKind::Tsb, found: ModelKind::Holt })
        );
        let holt = ModelRepr::Holt(HoltRepr { alpha: Some(0.5), beta: Some(7.0) });
        assert_eq!(
            Holt::try_from(holt),
            Err(ForecastError::InvalidParameter { name: "beta", value: 7.0, allowed: "(0, 1)" })
        );
        assert_eq!(
            Imapa::try_from(ModelRepr::Adida(())),
            Err(ForecastError::ModelMismatch {
                expected: ModelKind::Imapa,
                found: ModelKind::Adida
            })
        );
    }

    #[test]
    fn ses_saves_its_start_unless_it_is_the_default() {
        let json = |m: Ses| serde_json::to_string(&m).unwrap();
        assert_eq!(json(Ses::fitted()), r#"{"Ses":{"alpha":null}}"#);
        let estimated = Ses::fitted().with_start(SesStart::Estimated);
        let saved = r#"{"Ses":{"alpha":null,"start":"Estimated"}}"#;
        assert_eq!(json(estimated), saved);
        assert_eq!(serde_json::from_str::<Ses>(saved).unwrap(), estimated);
        // Saved before the start could be chosen: the first value.
        let old = r#"{"Ses":{"alpha":0.3}}"#;
        assert_eq!(serde_json::from_str::<Ses>(old).unwrap(), Ses::new(0.3).unwrap());
        // alpha is still checked.
        assert!(
            serde_json::from_str::<Ses>(r#"{"Ses":{"alpha":1.5,"start":"Estimated"}}"#).is_err()
        );
    }

    #[test]
    fn seasonal_indices_save_their_method_unless_it_is_the_default() {
        let weekly = SeasonalIndices::weekly();
        let classical = weekly.with_method(SeasonalMethod::RatioToMovingAverage);
        let json = |m: SeasonalIndices| serde_json::to_string(&m).unwrap();
        assert_eq!(json(weekly), r#"{"SeasonalIndices":{"period":7}}"#);
        let saved = r#"{"SeasonalIndices":{"period":7,"method":"RatioToMovingAverage"}}"#;
        assert_eq!(json(classical), saved);
        assert_eq!(serde_json::from_str::<SeasonalIndices>(saved).unwrap(), classical);
        let spec: ModelSpec = serde_json::from_str(saved).unwrap();
        assert_eq!(spec, ModelSpec::SeasonalIndices(classical));
        // Written out, the default loads too; an unknown method does not.
        let explicit = r#"{"SeasonalIndices":{"period":7,"method":"RatioToMean"}}"#;
        assert_eq!(serde_json::from_str::<SeasonalIndices>(explicit).unwrap(), weekly);
        let unknown = r#"{"SeasonalIndices":{"period":7,"method":"Stl"}}"#;
        let err = serde_json::from_str::<SeasonalIndices>(unknown).unwrap_err().to_string();
        assert!(err.contains("unknown variant `Stl`"), "{err}");
        // The period is still checked.
        let bad = r#"{"SeasonalIndices":{"period":1,"method":"RatioToMovingAverage"}}"#;
        assert!(serde_json::from_str::<SeasonalIndices>(bad).is_err());
        // A classical fit is a seasonal_indices fit like any other.
        let fit = classical.fit(&weekly_series()).unwrap();
        round_trip(&fit);
    }

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

    /// A weekly series with a trend and noise: 10 weeks, every model fits
    /// it with all of its state (trend, seasonal terms, constants).
    fn weekly_series() -> Vec<f64> {
        (0..70_u32)
            .map(|t| {
                20.0 + 0.1 * f64::from(t) + f64::from(t % 7) * 3.0 + f64::from(t * 37 % 11) / 4.0
            })
            .collect()
    }

    fn round_trip(fit: &Fitted) {
        let json = serde_json::to_string(fit).unwrap();
        match serde_json::from_str::<Fitted>(&json) {
            Ok(back) => assert_eq!(&back, fit, "{json}"),
            Err(e) => panic!("{} fit refused: {e}\n{json}", fit.kind()),
        }
    }

    #[test]
    fn the_fit_of_every_model_kind_round_trips() {
        let y = weekly_series();
        let mut sparse = vec![0.0; 60];
        for t in (3..60).step_by(5) {
            sparse[t] = f64::from(u32::try_from(t % 4).unwrap() + 1);
        }
        let models: Vec<Box<dyn DemandModel>> = vec![
            Box::new(MovingAverage::new(7).unwrap()),
            Box::new(Ses::fitted()),
            Box::new(Holt::fitted()),
            Box::new(SeasonalIndices::new(7).unwrap()),
            Box::new(
                SeasonalIndices::new(7).unwrap().with_method(SeasonalMethod::RatioToMovingAverage),
            ),
            Box::new(HoltWinters::fitted(7).unwrap()),
            Box::new(Croston::default()),
            Box::new(Sba::default()),
            Box::new(Tsb::default()),
            Box::new(Adida),
            Box::new(Imapa),
        ];
        let mut kinds = Vec::new();
        for model in &models {
            for series in [&y, &sparse] {
                let fit = model.fit(series).unwrap();
                round_trip(&fit);
                kinds.push(fit.kind());
            }
            // Refitted after a level shift: the fit of the last 30 days,
            // with the reset.
            let mut shifted = y.clone();
            shifted.extend(weekly_series().iter().take(30).map(|v| v + 40.0));
            let reactive = Reactive::new(&**model).fit(&shifted).unwrap();
            assert!(reactive.level_reset_at().is_some(), "{}", model.kind());
            round_trip(&reactive);
            // A shift too recent to fit a model to: the flat mean of the
            // days since, kind of the base model, no constants.
            let mut recent = y.clone();
            recent.extend([60.0, 61.0, 62.0, 60.0, 59.0]);
            let flat = Reactive::new(&**model).fit(&recent).unwrap();
            assert_eq!((flat.params(), flat.trend()), (Parameters::default(), 0.0));
            assert!(flat.level_reset_at().is_some(), "{}", model.kind());
            round_trip(&flat);
        }
        // ADIDA and IMAPA on a series without demand: a flat 0.
        for model in [&Adida as &dyn DemandModel, &Imapa] {
            let fit = model.fit(&[0.0; 30]).unwrap();
            assert_eq!(fit.params(), Parameters::default());
            round_trip(&fit);
        }
        kinds.dedup();
        assert_eq!(kinds.len(), 10);
    }

    fn reason_of(r: FittedRepr) -> String {
        match Fitted::try_from(r) {
            Err(ForecastError::InvalidRecord { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_state_its_model_kind_cannot_hold_is_refused_by_name() {
        // Read field by field, a Holt fit carrying a week of additive
        // terms forecast level + trend h + s as if it were Holt-Winters,
        // and an SES fit carrying a trend of 2 forecast a line where SES
        // forecasts a flat level; both loaded as the kind they named.
        let week = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let seasonal = || FittedRepr {
            kind: ModelKind::HoltWinters,
            season: week.clone(),
            // Two weeks: the next day is phase 0.
            observations: 14,
            params: Parameters {
                alpha: Some(0.2),
                beta: Some(0.1),
                gamma: Some(0.3),
                window: Some(7),
            },
            ..holt()
        };
        assert!(Fitted::try_from(seasonal()).is_ok());
        type Tamper = Box<dyn Fn(&mut FittedRepr)>;
        let cases: Vec<(FittedRepr, Tamper, &str)> = vec![
            (
                holt(),
                Box::new(|r| r.season = vec![1.0; 7]),
                "7 seasonal terms, but a holt model has no season",
            ),
            (
                holt(),
                Box::new(|r| r.params.beta = None),
                "no constant beta, which a holt model fits",
            ),
            (
                holt(),
                Box::new(|r| r.params.gamma = Some(0.3)),
                "constant gamma is 0.3, but a holt model has no such constant",
            ),
            (
                holt(),
                Box::new(|r| r.params.window = Some(7)),
                "window is 7 periods, but a holt model has no window",
            ),
            (
                holt(),
                Box::new(|r| r.kind = ModelKind::Ses),
                "trend is 2, but a ses model has no trend",
            ),
            (
                // The flat fallback of a recent level shift holds no
                // constant, and no trend either.
                holt(),
                Box::new(|r| r.params = Parameters::default()),
                "trend is 2 without the constants of a holt model",
            ),
            (
                seasonal(),
                Box::new(|r| r.season.clear()),
                "no seasonal terms, which a holt_winters model fits",
            ),
            (
                seasonal(),
                Box::new(|r| r.params.window = Some(5)),
                "window is 5 periods, but there are 7 seasonal terms",
            ),
            (
                // Read as given, step 1 took Thursday's term (3) for a
                // Monday (0), and so on for every day.
                seasonal(),
                Box::new(|r| r.phase = 3),
                "phase is 3, but 14 periods fitted over a season of 7 end at phase 0",
            ),
            (
                // Refitted to the 10 periods since a reset at period 4.
                seasonal(),
                Box::new(|r| r.level_reset_at = Some(4)),
                "phase is 0, but 10 periods fitted over a season of 7 end at phase 3",
            ),
            (
                // Refitted to the last period alone (a reset at 13 of
                // 14): one period, which read "1 periods ... end".
                seasonal(),
                Box::new(|r| r.level_reset_at = Some(13)),
                "phase is 0, but 1 period fitted over a season of 7 ends at phase 1",
            ),
            (
                holt(),
                Box::new(|r| r.season = vec![1.0]),
                "1 seasonal term, but a holt model has no season",
            ),
            (
                seasonal(),
                Box::new(|r| r.season = vec![3.0]),
                "window is 7 periods, but there is 1 seasonal term",
            ),
            (
                seasonal(),
                Box::new(|r| {
                    r.season = vec![3.0];
                    r.params.window = Some(1);
                }),
                "1 seasonal term, but a season has 2 or more periods",
            ),
            (
                seasonal(),
                Box::new(|r| r.mode = SeasonalMode::Multiplicative),
                "multiplicative seasonal terms, but a holt_winters model's are additive",
            ),
            (
                seasonal(),
                Box::new(|r| {
                    r.kind = ModelKind::SeasonalIndices;
                    r.trend = 0.0;
                    r.params.beta = None;
                    r.params.gamma = None;
                }),
                "additive seasonal terms, but a seasonal_indices model's are multiplicative",
            ),
            (
                seasonal(),
                Box::new(|r| {
                    r.params = Parameters::default();
                    r.trend = 0.0;
                }),
                "7 seasonal terms without the constants of a holt_winters model",
            ),
        ];
        for (mut r, tamper, says) in cases {
            tamper(&mut r);
            let kind = r.kind;
            assert_eq!(reason_of(r), says, "{kind}");
        }
    }

    #[test]
    fn a_negative_multiplicative_term_is_refused_by_index_and_value() {
        let indices = |season: Vec<f64>| FittedRepr {
            kind: ModelKind::SeasonalIndices,
            trend: 0.0,
            season,
            mode: SeasonalMode::Multiplicative,
            params: Parameters { alpha: Some(0.5), window: Some(3), ..Parameters::default() },
            observations: 9,
            ..holt()
        };
        assert!(Fitted::try_from(indices(vec![1.5, 0.0, 1.5])).is_ok());
        assert_eq!(
            Fitted::try_from(indices(vec![1.5, -0.0, -1e-300])),
            Err(ForecastError::InvalidRecord {
                record: "fitted seasonal_indices model".to_owned(),
                reason: "seasonal term 2 is -1e-300, but a multiplicative term is 0 or more"
                    .to_owned(),
            })
        );
    }

    #[test]
    fn a_fit_of_no_observations_is_refused() {
        // Every fit checks its series is not empty, so a saved fit of 0
        // observations with a level of 20 is no fit's.
        let r = FittedRepr { observations: 0, ..holt() };
        assert_eq!(reason_of(r), "0 observations, but every fit consumes at least one");
        // One observation is a fit's (a moving average of one day).
        let one = MovingAverage::new(7).unwrap().fit(&[5.0]).unwrap();
        assert_eq!(one.observations(), 1);
        round_trip(&one);
    }

    #[test]
    fn states_real_fits_give_stay_loadable() {
        // A moving average of window 7 over 3 days averages the 3:
        // (1 + 2 + 3) / 3 = 2, window 7 > 3 observations.
        let fit = MovingAverage::new(7).unwrap().fit(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((fit.level(), fit.params().window, fit.observations()), (2.0, Some(7), 3));
        round_trip(&fit);
        // Seasonal indices of 10, -5, 10, -5 (period 2): the mean is 2.5,
        // phase 0 averages 10 (index 4), phase 1 averages -5 (index -2,
        // taken as 0); the forecast of phase 1 is 0.
        let fit = SeasonalIndices::new(2).unwrap().fit(&[10.0, -5.0, 10.0, -5.0]).unwrap();
        let saved = serde_json::to_value(&fit).unwrap();
        assert_eq!(saved["season"], serde_json::json!([4.0, 0.0]));
        assert_eq!(fit.mean_at(2), 0.0);
        round_trip(&fit);
    }

    fn mug_forecast() -> SkuForecast {
        let sku = Sku::new("MUG").unwrap();
        let day0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let series = merchantry_core::DemandSeries::fully_available(
            day0,
            vec![merchantry_core::Quantity::new(4); 10],
        );
        let forecaster = crate::Forecaster::new(crate::ForecastOptions::default());
        forecaster.fit_series(&sku, &series).unwrap()
    }

    #[test]
    fn a_velocity_no_preparation_gives_is_refused_by_name() {
        // 10 days of 4 units, all in stock: 40 units, 4 a day raw and
        // adjusted.
        let f = mug_forecast();
        let v = f.velocity;
        assert_eq!((v.days, v.in_stock_days, v.units, v.raw, v.adjusted), (10, 10, 40.0, 4.0, 4.0));
        let repr = |velocity: Velocity, trailing: usize| SkuForecastRepr {
            sku: f.sku.clone(),
            classification: f.classification,
            velocity,
            fit: f.fit.clone(),
            first_day: f.first_day,
            trailing_excluded_days: trailing,
        };
        assert_eq!(SkuForecast::try_from(repr(v, 0)), Ok(f.clone()));
        // 10 days, 7 in stock, 2 flagged and 1 inferred out: a real
        // preparation's split, with up to 3 trailing excluded days.
        let split =
            Velocity { in_stock_days: 7, flagged_stockout_days: 2, inferred_stockout_days: 1, ..v };
        assert!(SkuForecast::try_from(repr(split, 3)).is_ok());
        let cases: [(Velocity, &str); 7] = [
            (
                // 12 in stock of 10 days: the trailing check read 10 - 12
                // as 0 stock-out days.
                Velocity { in_stock_days: 12, ..v },
                "velocity in_stock_days is 12, but the history has 10 days",
            ),
            (
                Velocity { in_stock_days: 7, ..v },
                "velocity flagged_stockout_days 0 and inferred_stockout_days 0 do not add up to \
                 the 3 days out of stock (10 days less 7 in stock)",
            ),
            (
                Velocity { flagged_stockout_days: usize::MAX, inferred_stockout_days: 1, ..v },
                "velocity flagged_stockout_days 18446744073709551615 and inferred_stockout_days 1 \
                 do not add up to the 0 days out of stock (10 days less 10 in stock)",
            ),
            (
                Velocity { units: -40.0, ..v },
                "velocity units is -40, expected a finite number >= 0",
            ),
            (Velocity { raw: f64::NAN, ..v }, "velocity raw is NaN, expected a finite number >= 0"),
            (
                Velocity { adjusted: f64::INFINITY, ..v },
                "velocity adjusted is inf, expected a finite number >= 0",
            ),
            (Velocity { raw: -4.0, ..v }, "velocity raw is -4, expected a finite number >= 0"),
        ];
        for (velocity, says) in cases {
            assert_eq!(
                SkuForecast::try_from(repr(velocity, 0)),
                Err(ForecastError::InvalidRecord {
                    record: "forecast of sku MUG".to_owned(),
                    reason: says.to_owned(),
                })
            );
        }
    }

    #[test]
    fn a_set_with_an_unknown_field_is_refused() {
        let f = mug_forecast();
        let set = ForecastSet::try_from(ForecastSetRepr {
            forecasts: BTreeMap::from([(f.sku.clone(), f)]),
            events: EventCalendar::default(),
        })
        .unwrap();
        let mut json = serde_json::to_value(&set).unwrap();
        assert_eq!(serde_json::from_value::<ForecastSet>(json.clone()).unwrap(), set);
        json["forecast"] = serde_json::json!({});
        let err = serde_json::from_value::<ForecastSet>(json).unwrap_err().to_string();
        assert!(err.contains("unknown field `forecast`"), "{err}");
    }

    #[test]
    fn a_set_entry_under_another_skus_key_is_a_typed_error() {
        let f = mug_forecast();
        let sku = f.sku.clone();
        let spare = Sku::new("SPARE").unwrap();
        let filed = |key: &Sku| ForecastSetRepr {
            forecasts: BTreeMap::from([(key.clone(), f.clone())]),
            events: EventCalendar::default(),
        };
        let set = ForecastSet::try_from(filed(&sku)).unwrap();
        assert_eq!(set.get(&sku), Some(&f));
        assert_eq!(
            ForecastSet::try_from(filed(&spare)),
            Err(ForecastError::InvalidRecord {
                record: "forecast set key SPARE".to_owned(),
                reason: "holds the forecast of sku MUG".to_owned(),
            })
        );
    }
}
