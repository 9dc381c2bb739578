//! Fitting every SKU of a [`DemandHistory`] into a [`DemandForecast`].

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{DailyForecast, DateRange, DemandForecast, DemandHistory, DemandSeries, Sku};

use crate::classify::{Classification, DemandClass, classify};
use crate::error::{ForecastError, Result};
use crate::events::EventCalendar;
use crate::model::{DemandModel, Fitted};
use crate::prepare::{Preparation, Prepared, Treatment, Velocity, prepare, seasonal_calendar};
use crate::reactive::{ChangePoint, Reactive};
use crate::select::{ClassRule, ModelSpec};
use crate::smoothing::MovingAverage;

/// In-stock days below which the automatic choice fits no model: with so
/// little history a fitted smoothing constant or demand interval follows
/// the last few days (a single sale followed by quiet days forecasts
/// zero), so the forecast is the mean of the whole in-stock history, a
/// moving average over all of it. Per-SKU overrides still apply.
pub const MIN_MODEL_HISTORY: usize = 28;

/// Everything the [`Forecaster`] needs to know. Defaults: the default
/// [`Preparation`] (exclude stock-out days, clamp negatives), the default
/// [`ClassRule`], no per-SKU override, the default [`ChangePoint`]
/// reaction on smooth and erratic SKUs (fitted by a non-seasonal model),
/// no known event.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ForecastOptions {
    /// How recorded sales become model input.
    pub preparation: Preparation,
    /// The model per demand class.
    pub rule: ClassRule,
    /// Models forced for given SKUs, bypassing classification and the
    /// reaction.
    pub overrides: BTreeMap<Sku, ModelSpec>,
    /// The level-shift reaction for smooth and erratic SKUs (`None` turns
    /// it off). Intermittent and lumpy series are left alone: their zeros
    /// and lumps are the pattern, not a shift. So is a SKU whose class the
    /// [`ClassRule`] gives a seasonal model ([`SeasonalIndices`](crate::SeasonalIndices),
    /// [`HoltWinters`](crate::HoltWinters)): after a reset a short segment
    /// is forecast at its flat level, which drops the season, and a season
    /// of another period than the detector's reads as shifts. A weekly
    /// pattern under a level model is divided out before the detector
    /// reads the series ([`ChangePoint::season`], 7 by default), so
    /// weekends selling three times the weekdays are no shift. Under
    /// [`Treatment::Exclude`] the level model sees stock-out days closed
    /// up, but the detector still reads each in-stock day at its own
    /// weekday (read closed up, five days out near the end of a weekly
    /// 10 / 30 history moved the later weekends onto weekdays, and the
    /// forecast tripled).
    pub reaction: Option<ChangePoint>,
    /// Known events applied to every forecast handed out.
    pub events: EventCalendar,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        Self {
            preparation: Preparation::default(),
            rule: ClassRule::default(),
            overrides: BTreeMap::new(),
            reaction: Some(ChangePoint::default()),
            events: EventCalendar::default(),
        }
    }
}

/// Fits one model per SKU.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{DateRange, DemandForecast, DemandRecord, Quantity, Sku};
/// use merchantry_forecast::{ForecastOptions, Forecaster};
/// let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
/// let sku = Sku::new("MUG")?;
/// let history: Vec<DemandRecord> = (0..60)
///     .map(|i| DemandRecord {
///         sku: sku.clone(),
///         date: day0 + chrono::Days::new(i),
///         units: Quantity::new(10),
///         stocked_out: false,
///     })
///     .collect();
/// let range = DateRange::starting(day0, 60)?;
/// let set = Forecaster::new(ForecastOptions::default()).fit(&history, range);
/// let next = day0 + chrono::Days::new(60);
/// let f = set.forecast_demand(&sku, next, 7).unwrap();
/// assert!((f.mean()[0] - 10.0).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Forecaster {
    options: ForecastOptions,
}

impl Forecaster {
    /// A forecaster with `options`.
    #[must_use]
    pub const fn new(options: ForecastOptions) -> Self {
        Self { options }
    }

    /// The options in use.
    #[must_use]
    pub const fn options(&self) -> &ForecastOptions {
        &self.options
    }

    /// Fits one SKU's series; the forecast starts the day after it ends.
    ///
    /// # Errors
    ///
    /// [`ForecastError::Sku`] wrapping: [`ForecastError::Empty`] when the
    /// series, or its in-stock part under exclusion, is empty; any error of
    /// [`prepare`] or of the model's fit.
    pub fn fit_series(&self, sku: &Sku, series: &DemandSeries) -> Result<SkuForecast> {
        self.fit_inner(sku, series)
            .map_err(|e| ForecastError::Sku { sku: sku.as_str().to_owned(), source: Box::new(e) })
    }

    fn fit_inner(&self, sku: &Sku, series: &DemandSeries) -> Result<SkuForecast> {
        if series.is_empty() {
            return Err(ForecastError::Empty { what: "series" });
        }
        let preparation = &self.options.preparation;
        let prepared = prepare(series, preparation)?;
        if prepared.values.is_empty() {
            return Err(ForecastError::Empty { what: "in-stock series" });
        }
        let kept = &prepared.values;
        let classification = classify(kept);
        let excluding = preparation.treatment == Treatment::Exclude;
        // Stock-out days after the last kept one: the model never saw
        // them, so its step 1 is the first of them, not the day after
        // the history.
        let trailing_excluded_days = if excluding {
            prepared.stocked_out.iter().rev().take_while(|f| **f).count()
        } else {
            0
        };
        let fit = match self.options.overrides.get(sku) {
            Some(spec) => spec.fit(&self.model_input(spec, &prepared))?,
            None => self.fit_auto(&prepared, classification.class)?,
        };
        let first_day = series.range()?.end();
        Ok(SkuForecast {
            sku: sku.clone(),
            classification,
            velocity: prepared.velocity,
            fit,
            first_day,
            trailing_excluded_days,
        })
    }

    fn fit_auto(&self, prepared: &Prepared, class: DemandClass) -> Result<Fitted> {
        let kept = &prepared.values;
        if kept.len() < MIN_MODEL_HISTORY {
            return MovingAverage::new(kept.len())?.fit(kept);
        }
        let spec = self.options.rule.get(class);
        let y = self.model_input(&spec, prepared);
        // A seasonal model is left alone: after a reset the forecast of
        // a short segment is its flat level, without the season, and a
        // season of another period than the detector's reads as shifts.
        match (self.options.reaction, class) {
            (Some(cp), DemandClass::Smooth | DemandClass::Erratic) if spec.period().is_none() => {
                let reactive = Reactive::with_detector(spec, cp)?;
                match (cp.season, self.options.preparation.treatment) {
                    // Days dropped inside the history: the detector reads
                    // each kept day at its own weekday (see
                    // `Reactive::fit_on_calendar`).
                    (Some(m), Treatment::Exclude) => {
                        let calendar = seasonal_calendar(kept, &prepared.stocked_out, m);
                        if calendar.len() == kept.len() {
                            return reactive.fit(&y);
                        }
                        let real: Vec<bool> = prepared
                            .stocked_out
                            .iter()
                            .skip_while(|f| **f)
                            .take(calendar.len())
                            .map(|f| !*f)
                            .collect();
                        reactive.fit_on_calendar(&y, &calendar, &real)
                    }
                    _ => reactive.fit(&y),
                }
            }
            _ => spec.fit(&y),
        }
    }

    /// The series `spec` is fitted to: the kept values, except that a
    /// seasonal model under [`Treatment::Exclude`] gets the days from the
    /// first to the last kept one, the excluded days between them filled
    /// ([`seasonal_calendar`]): it counts its phases in periods, so a gap
    /// dropped from the series would shift the phase of every later day.
    fn model_input<'a>(&self, spec: &ModelSpec, prepared: &'a Prepared) -> Cow<'a, [f64]> {
        match spec.period() {
            Some(period) if self.options.preparation.treatment == Treatment::Exclude => {
                Cow::Owned(seasonal_calendar(&prepared.values, &prepared.stocked_out, period))
            }
            _ => Cow::Borrowed(&prepared.values),
        }
    }

    /// Fits every SKU of `history` over `range`. SKUs that cannot be
    /// fitted are listed in [`ForecastSet::failures`] with the reason and
    /// get no forecast.
    ///
    /// The series are read from `history` on the calling thread, a block
    /// of SKUs at a time, and each block is fitted as by
    /// [`Self::fit_all`] (on rayon's threads with the `parallel` feature),
    /// so at most one block of series is held at once.
    pub fn fit<H: DemandHistory + ?Sized>(&self, history: &H, range: DateRange) -> ForecastSet {
        /// SKUs read from the history per block.
        const BLOCK: usize = 4096;
        let mut set = self.empty_set();
        let skus = history.demand_skus();
        for block in skus.chunks(BLOCK) {
            let series: Vec<(Sku, DemandSeries)> =
                block.iter().map(|sku| (sku.clone(), history.daily_demand(sku, range))).collect();
            self.fit_into(&mut set, series);
        }
        set
    }

    /// Fits every `(sku, series)` pair; each series' forecast starts the
    /// day after it ends. SKUs that cannot be fitted are listed in
    /// [`ForecastSet::failures`] with the reason and get no forecast; a
    /// SKU listed more than once keeps its last entry.
    ///
    /// With the `parallel` feature the SKUs are fitted on rayon's threads.
    /// The set is the same, bit for bit, with or without it: each fit
    /// reads only its own series and the results are keyed by SKU.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use merchantry_core::{DemandSeries, Quantity, Sku};
    /// use merchantry_forecast::{ForecastOptions, Forecaster};
    /// let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    /// let series = |units: i64| DemandSeries::fully_available(day0, vec![Quantity::new(units); 60]);
    /// let skus = vec![(Sku::new("MUG")?, series(10)), (Sku::new("TEAPOT")?, series(2))];
    /// let set = Forecaster::new(ForecastOptions::default()).fit_all(&skus);
    /// assert_eq!(set.forecasts().len(), 2);
    /// assert!((set.get(&skus[0].0).unwrap().fit.mean_at(1) - 10.0).abs() < 1e-9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit_all(&self, series: &[(Sku, DemandSeries)]) -> ForecastSet {
        let mut set = self.empty_set();
        let fits = self.fit_each(series);
        for ((sku, _), fit) in series.iter().zip(fits) {
            set.record(sku.clone(), fit);
        }
        set
    }

    fn empty_set(&self) -> ForecastSet {
        ForecastSet {
            forecasts: BTreeMap::new(),
            failures: BTreeMap::new(),
            events: self.options.events.clone(),
        }
    }

    fn fit_into(&self, set: &mut ForecastSet, series: Vec<(Sku, DemandSeries)>) {
        let fits = self.fit_each(&series);
        for ((sku, _), fit) in series.into_iter().zip(fits) {
            set.record(sku, fit);
        }
    }

    /// One result per entry, in input order.
    fn fit_each(&self, series: &[(Sku, DemandSeries)]) -> Vec<Result<SkuForecast>> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            series.par_iter().map(|(sku, s)| self.fit_series(sku, s)).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            series.iter().map(|(sku, s)| self.fit_series(sku, s)).collect()
        }
    }
}

/// One SKU's fit, with the facts behind it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::serde_checks::SkuForecastRepr")
)]
pub struct SkuForecast {
    /// The SKU.
    pub sku: Sku,
    /// Its demand class and the statistics behind it.
    pub classification: Classification,
    /// Raw and stock-out-adjusted velocity.
    pub velocity: Velocity,
    /// The fitted model (its kind says which model was chosen).
    pub fit: Fitted,
    /// The first forecast day: the day after the history.
    pub first_day: NaiveDate,
    /// Stock-out days at the end of the history that the model did not
    /// see (excluded, not imputed). The fit's step 1 is the day after the
    /// last day it saw, so [`Self::first_day`] is step
    /// `trailing_excluded_days + 1` and a trend or season runs on over the
    /// excluded days. Read as 0 from a set saved without it; a saved
    /// value past the history's stock-out days is refused
    /// ([`ForecastError::InvalidRecord`]), as is a saved
    /// [`Self::velocity`] no preparation gives (more in-stock days than
    /// days, flagged and inferred stock-out days that do not make up the
    /// rest, or units or a rate negative or not finite), naming the
    /// field.
    pub trailing_excluded_days: usize,
}

impl SkuForecast {
    /// The daily forecast for `horizon` days from `start`, without event
    /// uplifts, or `None` when `start` is before [`Self::first_day`].
    /// At most [`MAX_HORIZON`](crate::MAX_HORIZON) days: a longer horizon
    /// is cut to that many, as in [`Fitted::forecast_from`](crate::Fitted::forecast_from).
    ///
    /// Each day gets the fit's forecast for that calendar day: `start` is
    /// step `d + 1 + trailing_excluded_days` of the fit, `d` the days from
    /// [`Self::first_day`] to `start`, counting from the last day the
    /// model saw rather than from the end of the history.
    #[must_use]
    pub fn daily(&self, start: NaiveDate, horizon: u32) -> Option<DailyForecast> {
        let offset = usize::try_from((start - self.first_day).num_days()).ok()?;
        let step = offset.saturating_add(1).saturating_add(self.trailing_excluded_days);
        let f = self.fit.forecast_from(step, horizon as usize);
        DailyForecast::new(start, f.mean, f.std_dev).ok()
    }
}

/// The fitted SKUs: a [`DemandForecast`] with known events applied.
///
/// With the `serde` feature the fits and events are serialised; the
/// failure list is not (it is rebuilt empty). A saved set whose entry is
/// filed under a SKU other than its forecast's is refused
/// ([`ForecastError::InvalidRecord`] naming the key and the SKU): it
/// answered one SKU with another's forecast. Unknown fields are refused,
/// as in each entry.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::serde_checks::ForecastSetRepr")
)]
pub struct ForecastSet {
    pub(crate) forecasts: BTreeMap<Sku, SkuForecast>,
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(crate) failures: BTreeMap<Sku, ForecastError>,
    pub(crate) events: EventCalendar,
}

impl ForecastSet {
    /// Files one SKU's result, replacing any earlier one.
    fn record(&mut self, sku: Sku, fit: Result<SkuForecast>) {
        match fit {
            Ok(f) => {
                self.failures.remove(&sku);
                self.forecasts.insert(sku, f);
            }
            Err(e) => {
                self.forecasts.remove(&sku);
                self.failures.insert(sku, e);
            }
        }
    }

    /// The fitted SKUs.
    #[must_use]
    pub const fn forecasts(&self) -> &BTreeMap<Sku, SkuForecast> {
        &self.forecasts
    }

    /// One SKU's fit.
    #[must_use]
    pub fn get(&self, sku: &Sku) -> Option<&SkuForecast> {
        self.forecasts.get(sku)
    }

    /// SKUs that could not be fitted, with the reason.
    #[must_use]
    pub const fn failures(&self) -> &BTreeMap<Sku, ForecastError> {
        &self.failures
    }

    /// The SKU's forecast from `start` with the calendar's uplifts
    /// applied, as [`DemandForecast::forecast_demand`] hands it out, but
    /// telling why there is none: `Ok(None)` for a SKU not fitted or a
    /// `start` before [`SkuForecast::first_day`], an error when the
    /// uplifts lift a day past `f64`'s range (where `forecast_demand`
    /// can only say `None`).
    ///
    /// # Errors
    ///
    /// [`ForecastError::Core`] when a lifted mean or spread overflows.
    pub fn lifted(
        &self,
        sku: &Sku,
        start: NaiveDate,
        horizon: u32,
    ) -> Result<Option<DailyForecast>> {
        let Some(base) = self.forecasts.get(sku).and_then(|f| f.daily(start, horizon)) else {
            return Ok(None);
        };
        self.events.apply(sku, &base).map(Some)
    }
}

impl DemandForecast for ForecastSet {
    /// The SKU's forecast from `start` (on or after the day after its
    /// history), with the calendar's uplifts applied; `None` for a SKU
    /// not fitted, a `start` too early, or uplifts that lift a day past
    /// `f64`'s range ([`ForecastSet::lifted`] tells these apart).
    fn forecast_demand(&self, sku: &Sku, start: NaiveDate, horizon: u32) -> Option<DailyForecast> {
        self.lifted(sku, start, horizon).ok().flatten()
    }
}
