//! The error type of `merchantry-forecast`.

use chrono::NaiveDate;
use merchantry_core::{CoreError, ShortFloat, Stage};

use crate::model::ModelKind;

/// What went wrong while fitting, forecasting or scoring.
///
/// Each variant names the offending value and where it was found (the
/// observation index, the SKU, the parameter, the event or the lane).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ForecastError {
    /// A series had no observation at all.
    #[error("{what} is empty")]
    Empty {
        /// Which series (`series`, `actual`, `training series`, ...).
        what: &'static str,
    },
    /// An observation was NaN or infinite.
    #[error("observation {index} is {}, not a finite number", ShortFloat(*.value))]
    NonFinite {
        /// Position in the series, from 0.
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// A negative observation where the caller asked to reject them.
    #[error("observation {index} is negative ({}) and negatives are rejected", ShortFloat(*.value))]
    Negative {
        /// Position in the series, from 0.
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// The series is shorter than the model needs (for example less than
    /// two full seasons for a seasonal model).
    #[error("{model} needs at least {needed} observations, got {got}")]
    TooShort {
        /// The model.
        model: &'static str,
        /// Observations needed.
        needed: usize,
        /// Observations given.
        got: usize,
    },
    /// A model or option parameter was outside its allowed range.
    #[error("parameter {name} = {} is outside {allowed}", ShortFloat(*.value))]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// Two series that must be aligned differ in length.
    #[error("{what} has {got} values, expected {expected}")]
    LengthMismatch {
        /// Which series.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length it must have.
        expected: usize,
    },
    /// MAPE is undefined because an actual value is zero.
    #[error("mape is undefined: actual value at index {index} is zero")]
    ZeroActual {
        /// The first position with a zero actual.
        index: usize,
    },
    /// MASE is undefined because the in-sample naive one-step error is
    /// zero (a constant or single-value training series).
    #[error("mase is undefined: in-sample naive error of the {len}-value training series is zero")]
    ZeroScale {
        /// Length of the training series.
        len: usize,
    },
    /// A known event's uplift factor was negative, NaN or infinite.
    #[error("event {event:?} has uplift {}, expected a finite factor >= 0", ShortFloat(*.value))]
    InvalidUplift {
        /// The event name.
        event: String,
        /// The rejected factor.
        value: f64,
    },
    /// A stage duration in the lead-time history was negative or not
    /// finite, or a stage listed in several entries of one replenishment
    /// adds up past the [`MAX_DAYS`](merchantry_core::MAX_DAYS) a
    /// [`Days`](merchantry_core::Days) holds.
    #[error(
        "replenishment {id}: {stage} lasted {} days, expected 0 to {max} days",
        ShortFloat(*.value),
        max = merchantry_core::MAX_DAYS
    )]
    InvalidDuration {
        /// The purchase order or shipment id.
        id: String,
        /// The stage.
        stage: Stage,
        /// The rejected duration.
        value: f64,
    },
    /// A replenishment's whole lead time (order date to arrival) is
    /// negative, the dates being out of order, or longer than the
    /// [`MAX_DAYS`](merchantry_core::MAX_DAYS) a [`Days`](merchantry_core::Days)
    /// holds.
    #[error(
        "replenishment {id}: ordered on {ordered_on} and arrived on {arrival}, a lead time of \
         {days} days, expected 0 to {max} days",
        max = merchantry_core::MAX_DAYS
    )]
    InvalidLeadTime {
        /// The purchase order or shipment id.
        id: String,
        /// Its order date.
        ordered_on: NaiveDate,
        /// Its arrival date.
        arrival: NaiveDate,
        /// Days from order to arrival.
        days: i64,
    },
    /// The same replenishment line (id and SKU) was listed twice with
    /// different content. (An identical repeat, as overlapping report
    /// downloads produce, is counted once and is not an error.)
    #[error("replenishment {id} (sku {}) is listed twice with different content", sku.as_deref().unwrap_or("none"))]
    DuplicateReplenishment {
        /// The purchase order or shipment id.
        id: String,
        /// The line's SKU, if it names one.
        sku: Option<String>,
    },
    /// A replenishment's itemised stages add up to a day or more past its
    /// whole lead time (order date to actual arrival), so they overlap or
    /// one of them is wrong.
    #[error(
        "replenishment {id}: its stages add up to {} days, more than its lead time of {} days",
        ShortFloat(*.itemised),
        ShortFloat(*.lead_time)
    )]
    StagesExceedLeadTime {
        /// The purchase order or shipment id.
        id: String,
        /// The sum of its stage durations.
        itemised: f64,
        /// Days from order to actual arrival.
        lead_time: f64,
    },
    /// A live override contradicts the order (a ready date before the
    /// order date, a negative quote).
    #[error("override for {stage}: {reason}")]
    InvalidOverride {
        /// The stage the override covers.
        stage: Stage,
        /// What is wrong, in words.
        reason: String,
    },
    /// A lead-time estimate's mean, spread or quantile (of the total or of
    /// a stage) is past the [`MAX_DAYS`](merchantry_core::MAX_DAYS) a
    /// [`Days`](merchantry_core::Days) holds (a history or override with
    /// stages near a million days, or a spread far above the mean).
    #[error(
        "lane {lane}: the lead time's {what} is {} days, past the {max} days it can hold",
        ShortFloat(*.value),
        max = merchantry_core::MAX_DAYS
    )]
    EstimateOutOfRange {
        /// The lane, as `supplier -> destination (mode)`.
        lane: String,
        /// What is out of range (`mean`, `std dev`, `0.99 quantile`,
        /// `production mean`, ...).
        what: String,
        /// Its value in days.
        value: f64,
    },
    /// A stage distribution's moments are not those of a distribution of
    /// non-negative days (a NaN, infinite or negative mean or variance, a
    /// spread around a mean of 0, an effective sample size outside 0 to
    /// its observations).
    #[error("{stage} distribution: {what} is {}, expected {allowed}", ShortFloat(*.value))]
    InvalidDistribution {
        /// The stage the distribution describes.
        stage: Stage,
        /// Which figure (`mean`, `variance`, `effective_n`).
        what: &'static str,
        /// The rejected value.
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// A lead-time model, lane model, order forecast or fitted demand
    /// model read with serde holds what learning, fitting or forecasting
    /// never produces (a negative or out-of-order figure, a stage listed
    /// twice, stages said to cover a total they do not add up to, a
    /// negative or non-finite spread), so it was refused rather than
    /// loaded.
    #[error("{record}: {reason}")]
    InvalidRecord {
        /// What was read (`order forecast PO-1`, `lane ACME -> FBA-US
        /// (ocean)`, `lead-time model`, `fitted holt model`).
        record: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// A saved model setting ([`Ses`](crate::Ses), [`Croston`](crate::Croston),
    /// ...) names another model kind than the one it was read as. Saved
    /// by their settings alone, models with the same settings (SES,
    /// Croston and SBA, one constant each; Holt and TSB, two) loaded as
    /// one another; each is now saved under its kind, as a
    /// [`ModelSpec`](crate::ModelSpec) is.
    #[error("saved model is {found}, read as {expected}")]
    ModelMismatch {
        /// The kind it was read as.
        expected: ModelKind,
        /// The kind it was saved as.
        found: ModelKind,
    },
    /// No history exists for a lane, so no lead time can be learned.
    #[error("no lead-time history for lane {lane}")]
    NoLeadTimeHistory {
        /// The lane, as `supplier -> destination (mode)`.
        lane: String,
    },
    /// Nothing routes the SKU to the destination: no replenishment of it
    /// went there and no route was set with
    /// [`LeadTimeModel::assign`](crate::LeadTimeModel::assign).
    #[error("sku {sku} has no lane to {destination}")]
    NoRoute {
        /// The SKU.
        sku: String,
        /// The destination.
        destination: String,
    },
    /// The SKU is routed to the destination over a lane with no history
    /// (a route set with
    /// [`LeadTimeModel::assign`](crate::LeadTimeModel::assign) ahead of
    /// the lane's first shipment), so its lead time is unknown.
    #[error(
        "sku {sku} is routed to {destination} over lane {lane}, which has no lead-time history"
    )]
    RouteWithoutHistory {
        /// The SKU.
        sku: String,
        /// The destination.
        destination: String,
        /// The lane, as `supplier -> destination (mode)`.
        lane: String,
    },
    /// A result would exceed the largest finite `f64` (about 1.8e308)
    /// although every input is finite, so it cannot be reported.
    #[error("{what} overflows: it exceeds the largest finite number for these finite inputs")]
    Overflow {
        /// What overflowed (`mae`, `rmse`, `ses spread`, ...).
        what: &'static str,
    },
    /// A forecast range is too long: more than
    /// [`MAX_HORIZON`](crate::MAX_HORIZON) periods, or past step
    /// `usize::MAX`, the last step that can be counted
    /// (`first_step + horizon - 1` does not fit a `usize`).
    #[error(
        "a forecast of {horizon} periods from step {first_step} is out of range: at most {} periods, ending by step {}",
        crate::MAX_HORIZON,
        usize::MAX
    )]
    HorizonOutOfRange {
        /// The first step asked for (0 is read as 1).
        first_step: usize,
        /// Periods asked for.
        horizon: usize,
    },
    /// An error about one SKU, wrapped with its id.
    #[error("sku {sku}: {source}")]
    Sku {
        /// The SKU.
        sku: String,
        /// What went wrong.
        source: Box<ForecastError>,
    },
    /// A core value could not be built.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// Shorthand for results in this crate.
pub type Result<T, E = ForecastError> = std::result::Result<T, E>;

/// Checks that `value` lies strictly between 0 and 1.
pub(crate) fn unit_open(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(ForecastError::InvalidParameter { name, value, allowed: "(0, 1)" })
    }
}

/// A count of periods that must be 2 or more (a period, a season):
/// [`ForecastError::InvalidParameter`] naming `name` and what is
/// `allowed` otherwise.
pub(crate) fn at_least_two(name: &'static str, count: usize, allowed: &'static str) -> Result<()> {
    if count < 2 {
        #[expect(clippy::cast_precision_loss, reason = "error report only")]
        let value = count as f64;
        return Err(ForecastError::InvalidParameter { name, value, allowed });
    }
    Ok(())
}

/// Checks that a series is non-empty and finite.
pub(crate) fn check_series(y: &[f64]) -> Result<()> {
    if y.is_empty() {
        return Err(ForecastError::Empty { what: "series" });
    }
    if all_finite(y) {
        return Ok(());
    }
    if let Some((index, &value)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ForecastError::NonFinite { index, value });
    }
    Ok(())
}

/// Whether every value is finite, in one branch-free pass: `v * 0` is a
/// zero for finite `v` and NaN for infinite or NaN `v`, and a NaN survives
/// every later addition. Four lanes keep the additions independent.
fn all_finite(y: &[f64]) -> bool {
    let mut lanes = [0.0_f64; 4];
    let mut chunks = y.chunks_exact(4);
    for c in &mut chunks {
        for (lane, v) in lanes.iter_mut().zip(c) {
            *lane += v * 0.0;
        }
    }
    for (lane, v) in lanes.iter_mut().zip(chunks.remainder()) {
        *lane += v * 0.0;
    }
    !(lanes[0] + lanes[1] + lanes[2] + lanes[3]).is_nan()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_and_tiny_floats_in_messages_use_exponent_form() {
        // A variance of 1e300 printed as 1 followed by 300 digits.
        let e = ForecastError::InvalidDistribution {
            stage: Stage::MainTransit,
            what: "variance",
            value: 1e300,
            allowed: "0 to 1e12 square days",
        };
        assert_eq!(
            e.to_string(),
            "main transit distribution: variance is 1e300, expected 0 to 1e12 square days"
        );
        let e =
            ForecastError::InvalidParameter { name: "alpha", value: -2.5e-300, allowed: "(0, 1)" };
        assert_eq!(e.to_string(), "parameter alpha = -2.5e-300 is outside (0, 1)");
        let e = ForecastError::StagesExceedLeadTime {
            id: "PO-1".to_owned(),
            itemised: 1.5e16,
            lead_time: 40.0,
        };
        assert_eq!(
            e.to_string(),
            "replenishment PO-1: its stages add up to 1.5e16 days, more than its lead time of \
             40 days"
        );
        // Everyday magnitudes, zero and the non-finite stay as they were.
        for (value, shown) in [
            (1.5, "1.5"),
            (0.0, "0"),
            (-7.25, "-7.25"),
            (2e6, "2000000"),
            (0.001, "0.001"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let e = ForecastError::NonFinite { index: 3, value };
            assert_eq!(e.to_string(), format!("observation 3 is {shown}, not a finite number"));
        }
    }

    #[test]
    fn all_finite_spots_every_non_finite_kind_in_every_lane() {
        for len in 1..11 {
            let mut y = vec![1.5; len];
            assert!(all_finite(&y));
            for i in 0..len {
                for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    y[i] = bad;
                    assert!(!all_finite(&y), "{len} {i} {bad}");
                    match check_series(&y) {
                        Err(ForecastError::NonFinite { index, .. }) => assert_eq!(index, i),
                        other => panic!("{len} {i}: {other:?}"),
                    }
                    y[i] = 1.5;
                }
            }
        }
        // Huge finite values are finite.
        assert!(all_finite(&[f64::MAX, -f64::MAX, 1e308]));
    }
}
