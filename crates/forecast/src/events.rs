//! Known events (Prime Day, Black Friday, a planned promotion) as
//! multiplicative uplifts on a forecast.

use chrono::NaiveDate;
use merchantry_core::{DailyForecast, DateRange, Sku};

use crate::error::{ForecastError, Result};

/// An event that scales demand by `uplift` on every day of its range, for
/// every SKU or for a listed few.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::serde_checks::KnownEventRepr")
)]
pub struct KnownEvent {
    name: String,
    range: DateRange,
    uplift: f64,
    skus: Option<Vec<Sku>>,
}

impl KnownEvent {
    /// An event over `range` multiplying demand by `uplift` (2.5 means
    /// two and a half times the usual demand; 0.5 halves it).
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidUplift`] for a negative, NaN or infinite
    /// factor.
    pub fn new(name: impl Into<String>, range: DateRange, uplift: f64) -> Result<Self> {
        let name = name.into();
        if !(uplift.is_finite() && uplift >= 0.0) {
            return Err(ForecastError::InvalidUplift { event: name, value: uplift });
        }
        Ok(Self { name, range, uplift, skus: None })
    }

    /// Limits the event to `skus`.
    #[must_use]
    pub fn for_skus(mut self, skus: impl IntoIterator<Item = Sku>) -> Self {
        let mut skus: Vec<Sku> = skus.into_iter().collect();
        skus.sort();
        skus.dedup();
        self.skus = Some(skus);
        self
    }

    /// The event's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The days it covers.
    #[must_use]
    pub const fn range(&self) -> DateRange {
        self.range
    }

    /// The demand multiplier.
    #[must_use]
    pub const fn uplift(&self) -> f64 {
        self.uplift
    }

    /// Whether the event lifts `sku` on `day`.
    #[must_use]
    pub fn applies(&self, sku: &Sku, day: NaiveDate) -> bool {
        self.range.contains(day) && self.skus.as_ref().is_none_or(|s| s.binary_search(sku).is_ok())
    }
}

/// A calendar of known events. Overlapping events multiply.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{DailyForecast, DateRange, Sku};
/// use merchantry_forecast::{EventCalendar, KnownEvent};
/// let d = |day| NaiveDate::from_ymd_opt(2026, 7, day).unwrap();
/// let mut calendar = EventCalendar::default();
/// calendar.add(KnownEvent::new("Prime Day", DateRange::inclusive(d(14), d(15))?, 3.0)?);
/// let base = DailyForecast::new(d(13), vec![10.0; 4], vec![2.0; 4])?;
/// let lifted = calendar.apply(&Sku::new("MUG")?, &base)?;
/// assert_eq!(lifted.mean(), &[10.0, 30.0, 30.0, 10.0]);
/// assert_eq!(lifted.std_dev(), &[2.0, 6.0, 6.0, 2.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EventCalendar {
    events: Vec<KnownEvent>,
}

impl EventCalendar {
    /// Adds an event.
    pub fn add(&mut self, event: KnownEvent) -> &mut Self {
        self.events.push(event);
        self
    }

    /// The events, in the order added.
    #[must_use]
    pub fn events(&self) -> &[KnownEvent] {
        &self.events
    }

    /// The product of the uplifts lifting `sku` on `day` (1 with none).
    /// An uplift of 0 makes it 0 whatever else lifts the day; otherwise
    /// a product past `f64::MAX` is `+inf`, which [`EventCalendar::apply`]
    /// refuses.
    #[must_use]
    pub fn factor(&self, sku: &Sku, day: NaiveDate) -> f64 {
        let uplifts = || self.events.iter().filter(|e| e.applies(sku, day)).map(|e| e.uplift);
        // Huge uplifts multiplied first reach infinity, and infinity
        // times the zero uplift is NaN, not the 0 the day gets.
        if uplifts().any(|u| u == 0.0) {
            return 0.0;
        }
        uplifts().product()
    }

    /// `forecast` with each day's mean and standard deviation multiplied
    /// by that day's factor (the coefficient of variation is kept).
    ///
    /// # Errors
    ///
    /// [`ForecastError::Core`] if a lifted value overflows to infinity.
    pub fn apply(&self, sku: &Sku, forecast: &DailyForecast) -> Result<DailyForecast> {
        let mut mean = forecast.mean().to_vec();
        let mut std_dev = forecast.std_dev().to_vec();
        let mut day = forecast.start();
        for (m, s) in mean.iter_mut().zip(&mut std_dev) {
            let f = self.factor(sku, day);
            *m *= f;
            *s *= f;
            day = day.succ_opt().unwrap_or(day);
        }
        Ok(DailyForecast::new(forecast.start(), mean, std_dev)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_uplift_and_sku_filter() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let range = DateRange::inclusive(d, d).unwrap();
        assert!(KnownEvent::new("bad", range, -1.0).is_err());
        assert!(KnownEvent::new("bad", range, f64::NAN).is_err());
        let a = Sku::new("A").unwrap();
        let b = Sku::new("B").unwrap();
        let mut cal = EventCalendar::default();
        cal.add(KnownEvent::new("Black Friday", range, 2.0).unwrap().for_skus([a.clone()]));
        cal.add(KnownEvent::new("promo", range, 1.5).unwrap());
        assert_eq!(cal.factor(&a, d), 3.0); // 2 * 1.5, overlapping events multiply
        assert_eq!(cal.factor(&b, d), 1.5);
        assert_eq!(cal.factor(&b, d.succ_opt().unwrap()), 1.0);
    }

    #[test]
    fn a_zero_uplift_zeroes_the_day_even_beside_overflowing_ones() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let range = DateRange::inclusive(d, d).unwrap();
        let sku = Sku::new("A").unwrap();
        let mut huge = EventCalendar::default();
        huge.add(KnownEvent::new("big", range, f64::MAX).unwrap());
        huge.add(KnownEvent::new("bigger", range, f64::MAX).unwrap());
        assert_eq!(huge.factor(&sku, d), f64::INFINITY);
        let forecast = DailyForecast::new(d, vec![4.0], vec![1.0]).unwrap();
        assert!(huge.apply(&sku, &forecast).is_err());
        let mut closed = huge.clone();
        closed.add(KnownEvent::new("closed", range, 0.0).unwrap());
        // MAX * MAX * 0 multiplied in order was inf * 0 = NaN.
        assert_eq!(closed.factor(&sku, d), 0.0);
        let lifted = closed.apply(&sku, &forecast).unwrap();
        assert_eq!((lifted.mean(), lifted.std_dev()), (&[0.0][..], &[0.0][..]));
    }
}
