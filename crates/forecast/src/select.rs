//! A serialisable catalogue of configured models ([`ModelSpec`]) and the
//! automatic choice by demand class ([`Auto`], [`ClassRule`]).

use std::collections::BTreeMap;

use crate::classify::{Classification, DemandClass, classify};
use crate::error::{Result, check_series};
use crate::intermittent::{Adida, Croston, Imapa, Sba, Tsb};
use crate::model::{DemandModel, Fitted, ModelKind};
use crate::smoothing::{Holt, HoltWinters, MovingAverage, SeasonalIndices, Ses};

/// One configured model, as data: what options, overrides and learned
/// rules name.
///
/// With the `serde` feature it is saved under its kind, holding the
/// model's settings (`{"Croston":{"alpha":0.1}}`, `{"Adida":null}`), and
/// each model saved on its own ([`Ses`], [`Croston`], ...) is written the
/// same way, so it loads back as a `ModelSpec` too. A model loads only
/// as the kind it was saved as: read as another, it is refused with
/// [`ForecastError::ModelMismatch`](crate::ForecastError::ModelMismatch)
/// naming both (by their settings alone, SES, Croston and SBA, or Holt
/// and TSB, could not be told apart). Settings are checked as the
/// constructors check them.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use merchantry_forecast::{Croston, ModelSpec, Sba};
/// let json = serde_json::to_string(&Croston::new(0.3)?)?;
/// assert_eq!(json, r#"{"Croston":{"alpha":0.3}}"#);
/// assert_eq!(serde_json::from_str::<ModelSpec>(&json)?, ModelSpec::Croston(Croston::new(0.3)?));
/// assert!(serde_json::from_str::<Sba>(&json).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "crate::serde_checks::ModelRepr", try_from = "crate::serde_checks::ModelRepr")
)]
#[non_exhaustive]
pub enum ModelSpec {
    /// See [`MovingAverage`].
    MovingAverage(MovingAverage),
    /// See [`Ses`].
    Ses(Ses),
    /// See [`Holt`].
    Holt(Holt),
    /// See [`SeasonalIndices`].
    SeasonalIndices(SeasonalIndices),
    /// See [`HoltWinters`].
    HoltWinters(HoltWinters),
    /// See [`Croston`].
    Croston(Croston),
    /// See [`Sba`].
    Sba(Sba),
    /// See [`Tsb`].
    Tsb(Tsb),
    /// See [`Adida`].
    Adida(Adida),
    /// See [`Imapa`].
    Imapa(Imapa),
}

impl ModelSpec {
    /// The non-seasonal models with their default settings (moving average
    /// over 7 periods, SES and Holt fitted, Croston, SBA and TSB with 0.1,
    /// ADIDA, IMAPA): the candidates [`ClassRule::learn`] compares.
    #[must_use]
    pub fn non_seasonal() -> Vec<Self> {
        vec![
            Self::MovingAverage(MovingAverage::WEEK),
            Self::Ses(Ses::fitted()),
            Self::Holt(Holt::fitted()),
            Self::Croston(Croston::default()),
            Self::Sba(Sba::default()),
            Self::Tsb(Tsb::default()),
            Self::Adida(Adida),
            Self::Imapa(Imapa),
        ]
    }

    /// The season length of a seasonal model, `None` for the others.
    pub(crate) const fn period(&self) -> Option<usize> {
        match self {
            Self::SeasonalIndices(m) => Some(m.period()),
            Self::HoltWinters(m) => Some(m.period()),
            _ => None,
        }
    }

    fn model(&self) -> &dyn DemandModel {
        match self {
            Self::MovingAverage(m) => m,
            Self::Ses(m) => m,
            Self::Holt(m) => m,
            Self::SeasonalIndices(m) => m,
            Self::HoltWinters(m) => m,
            Self::Croston(m) => m,
            Self::Sba(m) => m,
            Self::Tsb(m) => m,
            Self::Adida(m) => m,
            Self::Imapa(m) => m,
        }
    }
}

impl DemandModel for ModelSpec {
    fn kind(&self) -> ModelKind {
        self.model().kind()
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        self.model().fit(y)
    }
}

/// Which model each demand class gets.
///
/// The default gives the frequent classes (smooth, erratic) fitted
/// [`Ses`], intermittent series [`Imapa`], lumpy series [`Adida`], and a
/// series without demand [`Croston`] (which forecasts zero). The
/// intermittent and lumpy choices are what [`ClassRule::learn`] picks
/// from the training months (never the held-out year) of the car-parts
/// data; the Syntetos-Boylan-Croston choice of [`Sba`] for both scored
/// worse there (see the crate README).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassRule {
    choice: BTreeMap<DemandClass, ModelSpec>,
}

impl Default for ClassRule {
    fn default() -> Self {
        let mut rule = Self { choice: BTreeMap::new() };
        rule.set(DemandClass::Smooth, ModelSpec::Ses(Ses::fitted()));
        rule.set(DemandClass::Erratic, ModelSpec::Ses(Ses::fitted()));
        rule.set(DemandClass::Intermittent, ModelSpec::Imapa(Imapa));
        rule.set(DemandClass::Lumpy, ModelSpec::Adida(Adida));
        rule.set(DemandClass::NoDemand, ModelSpec::Croston(Croston::default()));
        rule
    }
}

impl ClassRule {
    /// Sets the model of one class (an override of the default choice).
    pub fn set(&mut self, class: DemandClass, spec: ModelSpec) -> &mut Self {
        self.choice.insert(class, spec);
        self
    }

    /// The model chosen for `class`.
    #[must_use]
    pub fn get(&self, class: DemandClass) -> ModelSpec {
        self.choice.get(&class).copied().unwrap_or(ModelSpec::Sba(Sba::default()))
    }

    /// Learns the rule from a collection of training series by holdout
    /// validation: each series' last `holdout` periods are held out, every
    /// candidate is fitted on the rest and scored by MASE (scaled by the
    /// in-sample naive one-step MAE of the fitted part), and each class
    /// gets the candidate with the lowest mean score over the series of
    /// that class. A series is skipped for every candidate, so that all
    /// are scored on the same series, when its scale is zero or when some
    /// candidate cannot fit its first part (a seasonal model needs two
    /// full periods: one of period 365 skips every series shorter than
    /// two years plus the holdout). A class without
    /// scoreable series keeps the default choice. Only the series given
    /// are read: pass training data, never the periods to be forecast.
    ///
    /// # Errors
    ///
    /// [`crate::ForecastError::Empty`] when `candidates` is empty.
    pub fn learn<'a>(
        series: impl IntoIterator<Item = &'a [f64]>,
        candidates: &[ModelSpec],
        holdout: usize,
    ) -> Result<Self> {
        if candidates.is_empty() {
            return Err(crate::ForecastError::Empty { what: "candidate list" });
        }
        let mut totals: BTreeMap<DemandClass, (Vec<f64>, usize)> = BTreeMap::new();
        for y in series {
            // Saturating: a holdout of usize::MAX overflowed here.
            if y.len() <= holdout.saturating_add(1) || holdout == 0 {
                continue;
            }
            let (train, test) = y.split_at(y.len() - holdout);
            let Some(scores) = score_candidates(train, test, candidates) else {
                continue;
            };
            let entry = totals
                .entry(classify(train).class)
                .or_insert_with(|| (vec![0.0; candidates.len()], 0));
            for (t, s) in entry.0.iter_mut().zip(&scores) {
                *t += s;
            }
            entry.1 += 1;
        }
        let mut rule = Self::default();
        for (class, (sums, _)) in totals {
            let best = sums.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
            if let Some(spec) = best.and_then(|i| candidates.get(i)) {
                rule.set(class, *spec);
            }
        }
        Ok(rule)
    }

    /// The learned or set choices, by class.
    #[must_use]
    pub const fn choices(&self) -> &BTreeMap<DemandClass, ModelSpec> {
        &self.choice
    }
}

/// MASE of every candidate on one train / test split, or `None` when the
/// scale is zero or a candidate cannot fit.
fn score_candidates(train: &[f64], test: &[f64], candidates: &[ModelSpec]) -> Option<Vec<f64>> {
    let scale = crate::accuracy::naive_scale(train).ok()?;
    candidates
        .iter()
        .map(|c| {
            let f = c.fit(train).ok()?.forecast(test.len());
            let mae = crate::accuracy::mae(test, &f.mean).ok()?;
            Some(mae / scale)
        })
        .collect()
}

/// Automatic model choice: classify the series (see [`classify`]) and fit
/// the model the [`ClassRule`] names for its class.
///
/// ```
/// use merchantry_forecast::{Auto, DemandModel, ModelKind};
/// let auto = Auto::default();
/// // Sporadic regular demand: intermittent, so IMAPA by default.
/// let fit = auto.fit(&[0.0, 0.0, 3.0, 0.0, 0.0, 3.0, 0.0, 0.0, 3.0])?;
/// assert_eq!(fit.kind(), ModelKind::Imapa);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Auto {
    rule: ClassRule,
}

impl Auto {
    /// Automatic choice with a given rule.
    #[must_use]
    pub const fn with_rule(rule: ClassRule) -> Self {
        Self { rule }
    }

    /// The rule in use.
    #[must_use]
    pub const fn rule(&self) -> &ClassRule {
        &self.rule
    }

    /// The classification of `y` and the model it gets.
    #[must_use]
    pub fn choose(&self, y: &[f64]) -> (Classification, ModelSpec) {
        let c = classify(y);
        (c, self.rule.get(c.class))
    }
}

impl DemandModel for Auto {
    /// Reports the kind of the model chosen for an empty series; the fit
    /// itself reports the kind chosen for its series.
    fn kind(&self) -> ModelKind {
        self.rule.get(DemandClass::NoDemand).kind()
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        check_series(y)?;
        self.choose(y).1.fit(y)
    }
}
