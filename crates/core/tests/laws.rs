//! Property laws and round trips for the core types.

#![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

use chrono::{Datelike, NaiveDate};
use merchantry_core::*;
use proptest::prelude::*;

/// The characters ids refuse as printing like nothing or blank space,
/// written out independently of the crate: Unicode 16 format characters
/// (Cf), default ignorable code points, the line and paragraph
/// separators, and every whitespace character but the ASCII space.
fn invisible(c: char) -> bool {
    const RANGES: [(u32, u32); 27] = [
        (0xAD, 0xAD),
        (0x34F, 0x34F),
        (0x600, 0x605),
        (0x61C, 0x61C),
        (0x6DD, 0x6DD),
        (0x70F, 0x70F),
        (0x890, 0x891),
        (0x8E2, 0x8E2),
        (0x115F, 0x1160),
        (0x17B4, 0x17B5),
        (0x180B, 0x180F),
        (0x200B, 0x200F),
        (0x2028, 0x202E),
        (0x2060, 0x206F),
        (0x3164, 0x3164),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0),
        (0xFFF0, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE0FFF),
        // Spaces other than U+0020 (White_Space minus the controls).
        (0xA0, 0xA0),
        (0x1680, 0x1680),
    ];
    const MORE_SPACES: [(u32, u32); 4] =
        [(0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)];
    let c = u32::from(c);
    RANGES.iter().chain(&MORE_SPACES).any(|&(lo, hi)| (lo..=hi).contains(&c))
}

fn decimal() -> impl Strategy<Value = Decimal> {
    // Mantissas across the whole range and every scale, so amounts with
    // fractions of a cent are generated too.
    (any::<i64>(), 0u32..=12).prop_map(|(m, s)| Decimal::new(m, s))
}

proptest! {
    #[test]
    fn quantity_add_is_checked_never_wraps(a in any::<i64>(), b in any::<i64>()) {
        let got = Quantity::new(a).checked_add(Quantity::new(b));
        match a.checked_add(b) {
            Some(sum) => prop_assert_eq!(got, Ok(Quantity::new(sum))),
            None => {
                let overflowed = matches!(got, Err(CoreError::QuantityOverflow { .. }));
                prop_assert!(overflowed);
            }
        }
    }

    /// A sum of quantities is their true total whatever their order,
    /// and fails only when that total leaves the i64 range.
    #[test]
    fn quantity_sum_is_the_exact_total_in_any_order(
        terms in prop::collection::vec(
            prop_oneof![any::<i64>(), Just(i64::MAX), Just(i64::MIN), -3i64..3],
            0..8,
        ),
        turn in 0usize..8,
    ) {
        let exact: i128 = terms.iter().map(|&q| i128::from(q)).sum();
        let mut turned = terms.clone();
        turned.rotate_left(turn % terms.len().max(1));
        for order in [&terms, &turned] {
            let got = Quantity::checked_sum(order.iter().map(|&q| Quantity::new(q)));
            match i64::try_from(exact) {
                Ok(total) => prop_assert_eq!(got, Ok(Quantity::new(total))),
                Err(_) => {
                    let overflowed = matches!(got, Err(CoreError::QuantityOverflow { op: "+", .. }));
                    prop_assert!(overflowed);
                }
            }
        }
    }

    /// The views' default totals (stock by location and across
    /// locations, a day of demand records, inventory value and COGS of a
    /// valuation table) are the true total, pinned at the ends of the
    /// range only when it lies beyond them, in any order of the terms.
    #[test]
    fn view_totals_do_not_depend_on_the_order_of_their_terms(
        terms in prop::collection::vec(
            prop_oneof![any::<i64>(), Just(i64::MAX), Just(i64::MIN), -3i64..3],
            1..7,
        ),
        turn in 0usize..7,
    ) {
        let exact: i128 = terms.iter().map(|&q| i128::from(q)).sum();
        let pinned = Quantity::new(i64::try_from(exact).unwrap_or(if exact < 0 { i64::MIN } else { i64::MAX }));
        // The same terms as decimals, scaled so that a few of them leave
        // Decimal's range (about 7.9e28) as the sum goes.
        let big = |q: i64| Decimal::from(q) * Decimal::from(5_000_000_000_i64);
        let want = Decimal::try_from_i128_with_scale(exact * 5_000_000_000, 0)
            .unwrap_or(if exact < 0 { Decimal::MIN } else { Decimal::MAX });
        let mut turned = terms.clone();
        turned.rotate_left(turn % terms.len());
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let sku = Sku::new("A").unwrap();
        for order in [&terms, &turned] {
            prop_assert_eq!(Quantity::saturating_sum(order.iter().map(|&q| Quantity::new(q))), pinned);
            // One position per location (a view holds one balance each).
            let stock: Vec<StockRecord> = order
                .iter()
                .enumerate()
                .map(|(i, &q)| StockRecord {
                    as_of: day,
                    sku: sku.clone(),
                    location: LocationId::new(format!("L{i}")).unwrap(),
                    disposition: Disposition::Sellable,
                    quantity: Quantity::new(q),
                })
                .collect();
            prop_assert_eq!(stock.total(&sku, Disposition::Sellable, day), pinned);
            let demand: Vec<DemandRecord> = order
                .iter()
                .map(|&q| DemandRecord { sku: sku.clone(), date: day, units: Quantity::new(q), stocked_out: false })
                .collect();
            let series = demand.daily_demand(&sku, DateRange::inclusive(day, day).unwrap());
            prop_assert_eq!(series.units(), &[pinned][..]);
            let mut table = ValuationTable::new(Currency::USD);
            for (i, &q) in order.iter().enumerate() {
                let location = LocationId::new(format!("L{i}")).unwrap();
                let holding = Holding {
                    location: location.clone(),
                    disposition: Disposition::Sellable,
                    quantity: Quantity::new(1),
                    value: big(q),
                };
                table.holdings.push((day, sku.clone(), holding));
                let sale = CostOfSale {
                    date: day,
                    location,
                    channel: None,
                    quantity: Quantity::new(1),
                    cost: big(q),
                };
                table.cost_of_sales.push((sku.clone(), sale));
            }
            prop_assert_eq!(table.inventory_value(&sku, day), want);
            prop_assert_eq!(table.cogs(&sku, DateRange::inclusive(day, day).unwrap()), want);
        }
    }

    #[test]
    fn quantity_sub_then_add_restores(a in any::<i64>(), b in any::<i64>()) {
        if let Ok(d) = Quantity::new(a).checked_sub(Quantity::new(b)) {
            prop_assert_eq!(d.checked_add(Quantity::new(b)), Ok(Quantity::new(a)));
        }
    }

    #[test]
    fn money_add_needs_one_currency(a in decimal(), b in decimal()) {
        let usd = Money::new(a, Currency::USD);
        let eur = Money::new(b, Currency::EUR);
        prop_assert_eq!(
            usd.checked_add(eur),
            Err(CoreError::CurrencyMismatch { left: Currency::USD, right: Currency::EUR })
        );
    }

    #[test]
    fn exact_allocation_sums_to_the_whole(
        amount in decimal(),
        weights in prop::collection::vec((0i64..1_000_000, 0u32..6), 1..12),
    ) {
        let weights: Vec<Decimal> = weights.into_iter().map(|(m, s)| Decimal::new(m, s)).collect();
        let money = Money::new(amount, Currency::USD);
        match money.allocate_exact(&weights) {
            Ok(parts) => {
                prop_assert_eq!(parts.len(), weights.len());
                let total = Money::checked_sum(Currency::USD, parts.iter().copied()).unwrap();
                prop_assert_eq!(total.amount(), amount);
                // Parts are bounded in scale, so re-adding them in any
                // order is exact too.
                let reversed = parts.iter().rev().fold(Decimal::ZERO, |a, p| a + p.amount());
                prop_assert_eq!(reversed, amount);
                for (p, w) in parts.iter().zip(&weights) {
                    if w.is_zero() { prop_assert!(p.is_zero()); }
                }
            }
            Err(e) => {
                let expected = matches!(
                    e,
                    CoreError::InvalidWeights { .. } | CoreError::MoneyOverflow { .. }
                );
                prop_assert!(expected, "unexpected error {e}");
            }
        }
    }

    #[test]
    fn minor_allocation_sums_to_the_rounded_whole(
        cents in -10_000_000i64..10_000_000,
        weights in prop::collection::vec(0i64..1000, 1..10),
    ) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
        let money = Money::new(Decimal::new(cents, 2), Currency::USD);
        let parts = money.allocate_minor(&weights).unwrap();
        let total: Decimal = parts.iter().map(Money::amount).sum();
        prop_assert_eq!(total, money.amount());
        for p in &parts {
            prop_assert!(p.amount().scale() <= 2 || p.amount().normalize().scale() <= 2);
        }
    }

    #[test]
    fn ids_accept_only_clean_text(
        text in "[ -~\\t\\x7f]{0,12}|\\PC{0,40}|[ \\t\\x00-\\x1f]{0,4}[a-z]{0,4}|[a-z]{0,3}[\u{ad}\u{200b}-\u{200f}\u{202a}-\u{202e}\u{feff}][a-z]{0,3}|[a-z ]{0,3}[\u{34f}\u{115f}\u{1160}\u{17b4}\u{17b5}\u{180b}-\u{180f}\u{3164}\u{ffa0}\u{fe00}-\u{fe0f}\u{e0000}-\u{e007f}\u{e0100}-\u{e01ef}\u{1d173}-\u{1d17a}\u{2028}\u{2029}\u{a0}\u{1680}\u{2000}-\u{200a}\u{202f}\u{205f}\u{3000}\u{600}-\u{605}\u{fff9}-\u{fffb}\u{13430}-\u{1343f}][a-z ]{0,3}|\\PC{0,3}[\\p{Cf}\\p{Zs}\\p{Zl}\\p{Zp}\\p{Mn}]\\PC{0,3}"
    ) {
        match Sku::new(&text) {
            Ok(sku) => {
                prop_assert_eq!(sku.as_str(), text.as_str());
                prop_assert!(!text.trim().is_empty());
                prop_assert!(!text.chars().any(char::is_control));
                prop_assert!(!text.chars().any(invisible));
                prop_assert_eq!(text.trim(), text.as_str());
            }
            Err(_) => prop_assert!(
                text.trim().is_empty()
                    || text.chars().any(char::is_control)
                    || text.chars().any(invisible)
                    || text.trim() != text
                    || text.len() > id::MAX_ID_LEN
            ),
        }
    }

    #[test]
    fn service_level_is_open_interval(p in -1.0f64..2.0) {
        prop_assert_eq!(ServiceLevel::new(p).is_ok(), p > 0.0 && p < 1.0);
    }

    #[test]
    fn date_range_iterates_every_day_once(start in 0i64..20_000, len in 0u32..800) {
        let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(start.cast_unsigned());
        let r = DateRange::starting(start, len).unwrap();
        let days: Vec<NaiveDate> = r.days().collect();
        prop_assert_eq!(days.len(), len as usize);
        for (i, d) in days.iter().enumerate() {
            prop_assert_eq!(r.index_of(*d), Some(i));
        }
        prop_assert!(!r.contains(r.end()));
    }
}

#[test]
fn currencies_parse_and_reject() {
    assert_eq!("eur".parse::<Currency>(), Ok(Currency::EUR));
    for bad in ["", "US", "USDD", "U$D", "12a"] {
        assert!(matches!(bad.parse::<Currency>(), Err(CoreError::InvalidCurrency { .. })), "{bad}");
    }
}

#[test]
fn minor_units_follow_the_iso_4217_list() {
    // ISO 4217 gives the forint (HUF) two decimals: 1000.25 HUF shows as
    // itself, and 100 HUF over three parts is 33.34 + 33.33 + 33.33. It
    // was read as a zero-decimal currency (1000 and 34 + 33 + 33).
    let huf = Currency::new("HUF").unwrap();
    assert_eq!(huf.minor_units(), 2);
    let shown = Money::new(Decimal::new(100_025, 2), huf)
        .round_to_minor(rust_decimal::RoundingStrategy::MidpointNearestEven);
    assert_eq!(shown.amount(), Decimal::new(100_025, 2));
    let parts = Money::new(Decimal::from(100), huf).allocate_minor(&[Decimal::ONE; 3]).unwrap();
    let parts: Vec<String> = parts.iter().map(|m| m.amount().to_string()).collect();
    assert_eq!(parts, ["33.34", "33.33", "33.33"]);
    // The CFP franc has none: 100 XPF over three parts is 34 + 33 + 33
    // (it was 33.34 + 33.33 + 33.33, fractions of a franc that do not
    // exist).
    let xpf = Currency::new("XPF").unwrap();
    let parts = Money::new(Decimal::from(100), xpf).allocate_minor(&[Decimal::ONE; 3]).unwrap();
    let parts: Vec<String> = parts.iter().map(|m| m.amount().normalize().to_string()).collect();
    assert_eq!(parts, ["34", "33", "33"]);
    for (code, digits) in [
        ("BIF", 0),
        ("DJF", 0),
        ("GNF", 0),
        ("KMF", 0),
        ("RWF", 0),
        ("UYI", 0),
        ("VUV", 0),
        ("JPY", 0),
        ("KWD", 3),
        ("CLF", 4),
        ("UYW", 4),
        ("EUR", 2),
        ("ZZZ", 2),
    ] {
        assert_eq!(Currency::new(code).unwrap().minor_units(), digits, "{code}");
    }
}

#[test]
fn negative_unit_cost_is_rejected_zero_is_not() {
    assert!(UnitCost::new(Decimal::ZERO, Currency::USD).is_ok());
    assert_eq!(
        UnitCost::new(Decimal::new(-1, 2), Currency::USD),
        Err(CoreError::NegativeUnitCost { value: Decimal::new(-1, 2) })
    );
}

#[test]
fn minor_allocation_of_a_huge_amount_is_an_error_not_a_panic() {
    let huge = Money::new(Decimal::from_i128_with_scale(10_i128.pow(27), 0), Currency::USD);
    assert!(matches!(
        huge.allocate_minor(&[Decimal::ONE, Decimal::ONE]),
        Err(CoreError::MoneyOverflow { .. })
    ));
}

#[test]
fn quantity_min_cannot_be_negated() {
    assert!(Quantity::MIN.checked_neg().is_err());
    assert!(Quantity::new(i64::MAX).checked_mul(2).is_err());
}

#[test]
fn stock_records_answer_latest_balance_on_or_before() {
    let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
    let sku = Sku::new("A").unwrap();
    let fba = LocationId::new("FBA").unwrap();
    let rec = |day, q| StockRecord {
        as_of: d(day),
        sku: sku.clone(),
        location: fba.clone(),
        disposition: Disposition::Sellable,
        quantity: Quantity::new(q),
    };
    let records = vec![rec(1, 10), rec(5, 4), rec(9, 0)];
    assert_eq!(records.quantity(&sku, &fba, Disposition::Sellable, d(4)), Quantity::new(10));
    assert_eq!(records.total(&sku, Disposition::Sellable, d(5)), Quantity::new(4));
    assert!(records.positions(&sku, d(10)).is_empty());
    assert!(records.positions(&sku, d(1).pred_opt().unwrap()).is_empty());
}

#[test]
fn demand_records_fill_missing_days_with_zero() {
    let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
    let sku = Sku::new("A").unwrap();
    let records = vec![
        DemandRecord { sku: sku.clone(), date: d(2), units: Quantity::new(3), stocked_out: false },
        DemandRecord { sku: sku.clone(), date: d(2), units: Quantity::new(2), stocked_out: true },
    ];
    let s = records.daily_demand(&sku, DateRange::inclusive(d(1), d(3)).unwrap());
    assert_eq!(s.units(), &[Quantity::ZERO, Quantity::new(5), Quantity::ZERO]);
    assert_eq!(s.stocked_out(), &[false, true, false]);
}

#[test]
fn forecast_rejects_nan_and_length_mismatch() {
    let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    assert!(matches!(
        DailyForecast::new(d, vec![1.0, f64::NAN], vec![0.0, 0.0]),
        Err(CoreError::InvalidForecast { what: "mean", day: 1, .. })
    ));
    assert!(matches!(
        DailyForecast::new(d, vec![1.0], vec![]),
        Err(CoreError::SeriesLength { .. })
    ));
    // f64::MAX would make total() infinite; the cap refuses it up front.
    assert!(matches!(
        DailyForecast::new(d, vec![1.0], vec![f64::MAX]),
        Err(CoreError::InvalidForecast { what: "std_dev", day: 0, .. })
    ));
    let edge = DailyForecast::new(d, vec![MAX_DAILY_UNITS; 36_500], vec![MAX_DAILY_UNITS; 36_500])
        .unwrap();
    let (mean, variance) = edge.total(36_500);
    assert!(mean.is_finite() && variance.is_finite());
}

/// `from_day` answers only for days of the horizon: a 3-day forecast
/// from March 1 covers March 1 to 3, so March 4 (`start + len`) is past
/// it, as is February 28; the map's `forecast_demand` follows.
#[test]
fn forecast_from_day_is_none_outside_the_horizon() {
    let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
    let f = DailyForecast::new(d(1), vec![1.0, 2.0, 3.0], vec![0.5, 0.5, 0.5]).unwrap();
    assert_eq!(f.from_day(d(1)), Some(f.clone()));
    let last = f.from_day(d(3)).unwrap();
    assert_eq!((last.start(), last.mean()), (d(3), &[3.0][..]));
    assert_eq!(f.from_day(d(4)), None);
    assert_eq!(f.from_day(d(28).with_month(2).unwrap()), None);
    let empty = DailyForecast::new(d(1), vec![], vec![]).unwrap();
    assert_eq!(empty.from_day(d(1)), None);
    let sku = Sku::new("A").unwrap();
    let map: std::collections::BTreeMap<Sku, DailyForecast> = [(sku.clone(), f)].into();
    assert_eq!(map.forecast_demand(&sku, d(3), 10).map(|g| g.len()), Some(1));
    assert_eq!(map.forecast_demand(&sku, d(4), 10), None);
}

#[test]
fn days_are_finite_and_bounded() {
    assert_eq!(Days::new(-MAX_DAYS).unwrap().get(), -MAX_DAYS);
    assert!(Days::new(MAX_DAYS).is_ok());
    for bad in [MAX_DAYS + 1.0, -1e300, 1e300, f64::NAN, f64::INFINITY] {
        assert!(matches!(Days::new(bad), Err(CoreError::InvalidDays { .. })), "{bad}");
    }
}

#[cfg(feature = "serde")]
mod serde_round_trips {
    use super::*;

    fn round_trip<T>(value: &T) -> T
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        let json = serde_json::to_string(value).unwrap();
        serde_json::from_str(&json).unwrap()
    }

    proptest! {
        #[test]
        fn money_round_trips_exactly(a in decimal()) {
            let m = Money::new(a, Currency::GBP);
            let back: Money = round_trip(&m);
            prop_assert_eq!(back, m);
            prop_assert_eq!(back.amount().scale(), a.scale());
        }
    }

    #[test]
    fn decimals_travel_as_strings() {
        let m = Money::new(Decimal::new(1999, 2), Currency::USD);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"19.99","currency":"USD"}"#);
    }

    /// Fee kinds travel by variant name, so a stored statement reads back
    /// the same kind whatever order the enum lists them in.
    #[test]
    fn fee_kinds_travel_by_name() {
        let cases = [
            (FeeKind::Advertising, r#""Advertising""#),
            (FeeKind::PromotionProgramme, r#""PromotionProgramme""#),
            (FeeKind::Other("Vine".into()), r#"{"Other":"Vine"}"#),
        ];
        for (kind, json) in cases {
            assert_eq!(serde_json::to_string(&kind).unwrap(), json);
            assert_eq!(round_trip(&kind), kind);
        }
        assert!(serde_json::from_str::<FeeKind>(r#""Promotion""#).is_err());
    }

    #[test]
    fn invalid_values_are_rejected_on_the_way_in() {
        assert!(serde_json::from_str::<Sku>(r#""""#).is_err());
        assert!(serde_json::from_str::<Sku>(r#"" A""#).is_err());
        assert!(serde_json::from_str::<ServiceLevel>("1.5").is_err());
        assert!(serde_json::from_str::<Currency>(r#""DOLLARS""#).is_err());
        assert_eq!(serde_json::from_str::<Sku>(r#""A-1""#).unwrap(), Sku::new("A-1").unwrap());
    }

    /// The text of the error `serde_json` gives for `json`, without the
    /// position it appends.
    fn refusal<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        let err = serde_json::from_str::<T>(json).unwrap_err().to_string();
        match err.find(" at line ") {
            Some(at) => err[..at].to_owned(),
            None => err,
        }
    }

    #[test]
    fn daily_forecast_deserialises_through_new() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let f = DailyForecast::new(start, vec![2.5, 0.0], vec![1.0, 0.5]).unwrap();
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"{"start":"2026-03-01","mean":[2.5,0.0],"std_dev":[1.0,0.5]}"#);
        assert_eq!(serde_json::from_str::<DailyForecast>(&json).unwrap(), f);
        // The hostile input: a mean past the cap and a negative spread.
        let err = DailyForecast::new(start, vec![1e308], vec![-5.0]).unwrap_err();
        assert_eq!(
            refusal::<DailyForecast>(r#"{"start":"2026-03-01","mean":[1e308],"std_dev":[-5]}"#),
            err.to_string()
        );
        let err = DailyForecast::new(start, vec![1.0], vec![-5.0]).unwrap_err();
        assert_eq!(
            refusal::<DailyForecast>(r#"{"start":"2026-03-01","mean":[1],"std_dev":[-5]}"#),
            err.to_string()
        );
        let err = DailyForecast::new(start, vec![1.0, 2.0], vec![1.0]).unwrap_err();
        assert_eq!(
            refusal::<DailyForecast>(r#"{"start":"2026-03-01","mean":[1,2],"std_dev":[1]}"#),
            err.to_string()
        );
    }

    #[test]
    fn demand_series_deserialises_through_new() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let s =
            DemandSeries::new(start, vec![Quantity::new(3), Quantity::new(-1)], vec![false, true])
                .unwrap();
        assert_eq!(round_trip(&s), s);
        let err = DemandSeries::new(start, vec![Quantity::new(3)], vec![]).unwrap_err();
        assert_eq!(
            refusal::<DemandSeries>(r#"{"start":"2026-03-01","units":[3],"stocked_out":[]}"#),
            err.to_string()
        );
    }

    #[test]
    fn date_range_deserialises_through_new() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let r = DateRange::new(d(1), d(8)).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"start":"2026-03-01","end":"2026-03-08"}"#);
        assert_eq!(serde_json::from_str::<DateRange>(&json).unwrap(), r);
        let empty = DateRange::new(d(4), d(4)).unwrap();
        assert_eq!(round_trip(&empty), empty);
        let err = DateRange::new(d(8), d(1)).unwrap_err();
        assert_eq!(
            refusal::<DateRange>(r#"{"start":"2026-03-08","end":"2026-03-01"}"#),
            err.to_string()
        );
    }

    #[test]
    fn unit_cost_deserialises_through_new() {
        let c = UnitCost::new(Decimal::new(1250, 2), Currency::EUR).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"per_unit":"12.50","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<UnitCost>(&json).unwrap(), c);
        let free = UnitCost::new(Decimal::ZERO, Currency::EUR).unwrap();
        assert_eq!(round_trip(&free), free);
        let err = UnitCost::new(Decimal::new(-1, 2), Currency::EUR).unwrap_err();
        assert_eq!(
            refusal::<UnitCost>(r#"{"per_unit":"-0.01","currency":"EUR"}"#),
            err.to_string()
        );
        assert!(serde_json::from_str::<UnitCost>(r#"{"per_unit":"1","currency":"EU"}"#).is_err());
    }

    #[test]
    fn bounded_numbers_deserialise_through_new() {
        for (json, want) in [
            ("1.5", ServiceLevel::new(1.5).unwrap_err()),
            ("0", ServiceLevel::new(0.0).unwrap_err()),
        ] {
            assert_eq!(refusal::<ServiceLevel>(json), want.to_string());
        }
        assert_eq!(round_trip(&ServiceLevel::new(0.95).unwrap()), ServiceLevel::new(0.95).unwrap());
        assert_eq!(refusal::<Ratio>("-0.5"), Ratio::new(-0.5).unwrap_err().to_string());
        assert_eq!(round_trip(&Ratio::new(1.25).unwrap()), Ratio::new(1.25).unwrap());
        assert_eq!(refusal::<Days>("1e7"), Days::new(1e7).unwrap_err().to_string());
        assert_eq!(round_trip(&Days::new(-2.5).unwrap()), Days::new(-2.5).unwrap());
        assert_eq!(refusal::<Currency>(r#""U$D""#), Currency::new("U$D").unwrap_err().to_string());
        assert_eq!(round_trip(&Currency::JPY), Currency::JPY);
        // Money and Quantity hold no rule beyond their types: any amount
        // and any i64 round-trip.
        assert_eq!(round_trip(&Quantity::MIN), Quantity::MIN);
        let m = Money::new(Decimal::new(-12345, 3), Currency::JPY);
        assert_eq!(round_trip(&m), m);
    }

    #[test]
    fn every_id_kind_deserialises_through_new() {
        fn check<T>(ok: &str)
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
            T: std::str::FromStr<Err = CoreError>,
        {
            let id: T = ok.parse().unwrap();
            assert_eq!(round_trip(&id), id);
            for bad in ["", " A", "A\\u0007", "A\\u200b1", "A\\u00a0B", "\\u3164", "A\\ufe0f"] {
                let json = format!("\"{bad}\"");
                assert!(serde_json::from_str::<T>(&json).is_err(), "{json}");
            }
        }
        check::<Sku>("SKU-1");
        check::<Asin>("B000000001");
        check::<Fnsku>("X000000001");
        check::<ChannelId>("amazon-us");
        check::<LocationId>("FBA-US");
        check::<SupplierId>("ACME");
        check::<OrderId>("112-0000001-0000001");
        check::<PurchaseOrderId>("PO-1");
        check::<EventId>("ev-1");
    }

    #[test]
    fn replenishment_and_forecast_round_trip() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let r = Replenishment {
            id: PurchaseOrderId::new("PO-7").unwrap(),
            lane: Lane {
                supplier: SupplierId::new("ACME").unwrap(),
                origin: Some(LocationId::new("CN-SZX").unwrap()),
                destination: LocationId::new("FBA-US").unwrap(),
                mode: TransportMode::Ocean,
            },
            sku: Some(Sku::new("A").unwrap()),
            quantity: Some(Quantity::new(480)),
            ordered_on: d(1, 2),
            forecast_arrival: d(2, 20),
            actual_arrival: d(2, 24),
            stages: vec![StageDuration {
                stage: Stage::MainTransit,
                forecast: Some(Days::whole(30)),
                actual: Days::new(33.5).unwrap(),
            }],
        };
        assert_eq!(round_trip(&r), r);
        let f = DailyForecast::new(d(3, 1), vec![1.5, 2.0], vec![0.5, 0.25]).unwrap();
        assert_eq!(round_trip(&f), f);
        let range = DateRange::inclusive(d(1, 1), d(1, 31)).unwrap();
        assert_eq!(round_trip(&range), range);
        assert_eq!(round_trip(&Quantity::new(-3)), Quantity::new(-3));
    }
}

#[test]
fn service_levels_print_as_written() {
    // p * 100 in floats: 0.07 -> 7.000000000000001, 0.29 ->
    // 28.999999999999996, 0.57 -> 56.99999999999999. Moving the decimal
    // point of the shortest form gives the percentage as written.
    for (p, shown) in [
        (0.07, "7%"),
        (0.29, "29%"),
        (0.57, "57%"),
        (0.5, "50%"),
        (0.95, "95%"),
        (0.955, "95.5%"),
        (0.999_999, "99.9999%"),
        (0.001, "0.1%"),
        (1e-20, "0.000000000000000001%"),
    ] {
        assert_eq!(ServiceLevel::new(p).unwrap().to_string(), shown, "{p}");
    }
}

proptest! {
    #[test]
    fn a_printed_service_level_reads_back_as_itself(p in 1e-12f64..1.0) {
        prop_assume!(p < 1.0);
        let shown = ServiceLevel::new(p).unwrap().to_string();
        let number: f64 = shown.trim_end_matches('%').parse().unwrap();
        // The digits are p's own, shifted: parsing them gives p * 100 to
        // the rounding of one decimal shift.
        prop_assert!((number / 100.0 - p).abs() <= 2.0 * f64::EPSILON * p, "{p} -> {shown}");
    }
}
