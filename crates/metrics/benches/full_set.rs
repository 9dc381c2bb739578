//! The full metric set over a synthetic catalogue: 100,000 SKUs with 365
//! days each.
//!
//! The sources are in-memory implementations of the core seams that hand
//! out one of 256 pre-built daily series per SKU, so the figure measures
//! the metrics plus the cost of copying each SKU's data out of a source
//! (as a ledger would), not the cost of generating data.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench setup")]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_core::{
    AgedLot, CostOfSale, Currency, DailyForecast, DateRange, Decimal, DemandForecast,
    DemandHistory, DemandSeries, Disposition, Holding, LocationId, LocationKind, Quantity, Sku,
    StockPosition, StockView, ValuationView,
};
use merchantry_metrics::{SetOptions, Sources, portfolio_metrics};

const TEMPLATES: usize = 256;

struct Catalogue {
    skus: Vec<Sku>,
    index: HashMap<Sku, usize>,
    base: DateRange,
    /// Per template: end-of-day values from the day before `base`.
    values: Vec<Vec<Decimal>>,
    units: Vec<Vec<Quantity>>,
    out: Vec<Vec<bool>>,
    fba: LocationId,
    wh: LocationId,
}

impl Catalogue {
    fn new(n: usize) -> Self {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let base = DateRange::starting(start, 365).unwrap();
        let mut values = Vec::new();
        let mut units = Vec::new();
        let mut out = Vec::new();
        for t in 0..TEMPLATES {
            let t = i64::try_from(t).unwrap();
            values.push(
                (0..366_i64)
                    .map(|d| Decimal::new(500_000 + (d * 37 + t * 101) % 90_000, 2))
                    .collect(),
            );
            units.push((0..365_i64).map(|d| Quantity::new((d * 7 + t) % 13)).collect());
            out.push((0..365_i64).map(|d| (d + t) % 41 == 0).collect());
        }
        let skus: Vec<Sku> = (0..n).map(|i| Sku::new(format!("SKU-{i:06}")).unwrap()).collect();
        let index = skus.iter().enumerate().map(|(i, s)| (s.clone(), i % TEMPLATES)).collect();
        Self {
            skus,
            index,
            base,
            values,
            units,
            out,
            fba: LocationId::new("FBA-US").unwrap(),
            wh: LocationId::new("WH-1").unwrap(),
        }
    }

    fn template(&self, sku: &Sku) -> usize {
        self.index.get(sku).copied().unwrap_or(0)
    }
}

impl ValuationView for Catalogue {
    fn currency(&self) -> Currency {
        Currency::USD
    }

    fn valuation_skus(&self) -> Vec<Sku> {
        self.skus.clone()
    }

    fn holdings(&self, sku: &Sku, _as_of: NaiveDate) -> Vec<Holding> {
        let v = self.values[self.template(sku)][365];
        let h = |location: &LocationId, disposition, share: i64| Holding {
            location: location.clone(),
            disposition,
            quantity: Quantity::new(share * 10),
            value: v * Decimal::new(share, 1),
        };
        vec![
            h(&self.fba, Disposition::Sellable, 6),
            h(&self.fba, Disposition::Inbound, 1),
            h(&self.wh, Disposition::Sellable, 3),
        ]
    }

    fn cost_of_sales(&self, sku: &Sku, range: DateRange) -> Vec<CostOfSale> {
        let t = i64::try_from(self.template(sku)).unwrap();
        (0..range.len_days().div_ceil(30))
            .filter_map(|k| range.start().checked_add_days(chrono::Days::new(u64::from(k) * 30)))
            .map(|date| CostOfSale {
                date,
                location: self.fba.clone(),
                channel: None,
                quantity: Quantity::new(100 + t),
                cost: Decimal::new(250_000 + t * 13, 2),
            })
            .collect()
    }

    fn aged_lots(&self, sku: &Sku, as_of: NaiveDate) -> Vec<AgedLot> {
        let t = u64::try_from(self.template(sku)).unwrap();
        [20, 130 + t, 400 + t]
            .into_iter()
            .map(|age| AgedLot {
                location: self.fba.clone(),
                received_on: as_of.checked_sub_days(chrono::Days::new(age)).unwrap(),
                quantity: Quantity::new(10),
                value: Decimal::new(12_345, 2),
            })
            .collect()
    }

    fn daily_values(&self, sku: &Sku, range: DateRange) -> Vec<Decimal> {
        assert_eq!(range.end(), self.base.end(), "bench asks for the base range only");
        self.values[self.template(sku)].clone()
    }
}

impl StockView for Catalogue {
    fn positions(&self, sku: &Sku, _as_of: NaiveDate) -> Vec<StockPosition> {
        let t = i64::try_from(self.template(sku)).unwrap();
        vec![
            StockPosition {
                location: self.fba.clone(),
                disposition: Disposition::Sellable,
                quantity: Quantity::new(300 + t),
            },
            StockPosition {
                location: self.fba.clone(),
                disposition: Disposition::Inbound,
                quantity: Quantity::new(100),
            },
        ]
    }

    fn stock_skus(&self) -> Vec<Sku> {
        self.skus.clone()
    }
}

impl DemandHistory for Catalogue {
    fn demand_skus(&self) -> Vec<Sku> {
        self.skus.clone()
    }

    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries {
        let t = self.template(sku);
        DemandSeries::new(range.start(), self.units[t].clone(), self.out[t].clone()).unwrap()
    }
}

impl DemandForecast for Catalogue {
    fn forecast_demand(&self, sku: &Sku, start: NaiveDate, horizon: u32) -> Option<DailyForecast> {
        let t = self.template(sku);
        #[expect(clippy::cast_precision_loss, reason = "small template index")]
        let rate = 4.0 + (t % 7) as f64;
        let n = horizon as usize;
        DailyForecast::new(start, vec![rate; n], vec![1.0; n]).ok()
    }
}

fn full_set(c: &mut Criterion) {
    let n = 100_000;
    let cat = Catalogue::new(n);
    let mut dir = BTreeMap::new();
    dir.insert(cat.fba.clone(), LocationKind::FbaNetwork);
    dir.insert(cat.wh.clone(), LocationKind::OwnWarehouse);
    let sources =
        Sources { valuation: &cat, stock: &cat, demand: &cat, forecast: &cat, directory: &dir };
    let options = SetOptions::default();
    let mut group = c.benchmark_group("metrics/full_set");
    group.sample_size(10);
    group.bench_function("100k", |b| {
        b.iter(|| {
            let (all, totals) =
                portfolio_metrics(&sources, black_box(&cat.skus), black_box(cat.base), &options)
                    .unwrap();
            assert_eq!(all.len(), n);
            assert!(totals.turn_daily.itr.is_defined());
            (all, totals)
        });
    });
    group.finish();
}

criterion_group!(benches, full_set);
criterion_main!(benches);
