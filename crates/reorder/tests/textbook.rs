//! Worked examples from the inventory textbooks the formulas follow
//! (Chopra and Meindl, *Supply Chain Management*, chapters on cycle and
//! safety inventory; Silver, Pyke and Peterson), recomputed by hand. The
//! planner works in "days"; a textbook example in weeks is run with one
//! planner day standing for one week, which the formulas allow because
//! they only need demand and lead time in the same period.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use merchantry_core::{Decimal, Quantity, ServiceLevel};
use merchantry_reorder::*;

mod common;
use common::planner;

fn level(p: f64) -> ServiceLevel {
    ServiceLevel::new(p).unwrap()
}

/// [`common::flat_input`] for this file's SKU.
fn input(d: f64, sd: f64, l: f64, sd_l: f64) -> SkuInput {
    common::flat_input("LEGO-1", d, sd, l, sd_l)
}

#[test]
fn eoq_of_a_monthly_demand_of_1000() {
    // Chopra-Meindl style: D = 1,000 a month = 12,000 a year, K = 4,000
    // per order, unit cost 500 held at 20% a year, h = 100:
    // Q* = sqrt(2 * 12,000 * 4,000 / 100) = sqrt(960,000) = 979.80.
    let q = eoq(12_000.0, Decimal::from(4000), Decimal::from(100)).unwrap();
    assert!((q - 979.795_897_113_271).abs() < 1e-9, "{q}");
}

#[test]
fn safety_stock_for_a_90_percent_cycle_service_level() {
    // Weekly demand 2,500 (sd 500), lead time 2 weeks, CSL 0.90:
    // sigma_L = sqrt(2) * 500 = 707.107, z = 1.281552,
    // SS = 906.19, ROP = 5,000 + 906.19 = 5,906.19.
    let x = DemandOverInterval::new(2.0, 0.0, 2500.0, 500.0);
    let ss = safety_stock(&x, ServiceTarget::CycleService(level(0.9)), DemandModel::Normal, 0.0)
        .unwrap();
    assert!((ss.units - 906.193_802_436_8).abs() < 1e-6, "{}", ss.units);
    assert!((ss.reorder_point - 5_906.193_802_436_8).abs() < 1e-6);
}

#[test]
fn safety_stock_with_an_uncertain_lead_time() {
    // Daily demand 2,500 (sd 500), lead time 7 days (sd 7), CSL 0.90:
    // sigma_L = sqrt(7 * 500^2 + 2,500^2 * 7^2) = sqrt(308,000,000)
    // = 17,549.93; SS = 1.281552 * 17,549.93 = 22,491.14.
    let rec = planner(
        PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::Fixed(Quantity::new(10_000)) })
            .with_service(ServiceTarget::CycleService(level(0.9))),
    )
    .recommend(&input(2500.0, 500.0, 7.0, 7.0))
    .unwrap();
    assert!((rec.demand.std_dev - 17_549.928_774_784).abs() < 1e-6, "{}", rec.demand.std_dev);
    assert!(
        (rec.safety_stock.units - 22_491.138_696_52).abs() < 1e-4,
        "{}",
        rec.safety_stock.units
    );
}

#[test]
fn fill_rate_from_the_expected_shortage_per_cycle() {
    // Weekly demand 2,500 (sd 500), lead time 2 weeks, lot 10,000, safety
    // stock 1,000: k = 1,000 / 707.107 = 1.414214, expected shortage
    // per cycle ESC = sigma G(k) = 707.107 * 0.035537 = 25.127, fill rate
    // 1 - 25.127 / 10,000 = 0.997487. Backwards, that fill rate gives
    // k = 1.414214 again (G(k + Q / sigma) = G(15.56) is nil).
    let sigma = 2_f64.sqrt() * 500.0;
    let k = 1000.0 / sigma;
    let esc = sigma * normal_loss(k);
    assert!((esc - 25.127_270_830_006).abs() < 1e-6, "{esc}");
    let fill = 1.0 - esc / 10_000.0;
    let back = k_for_fill_rate(level(fill), 10_000.0, sigma).unwrap();
    assert!((back - k).abs() < 1e-7, "{back} vs {k}");
}

#[test]
fn order_up_to_level_of_periodic_review() {
    // Weekly demand 2,000 (sd 300), review every 4 weeks, lead time 2
    // weeks, CSL 0.95: protection interval 6 weeks, sigma = sqrt(6) * 300
    // = 734.85, SS = 1.644854 * 734.85 = 1,208.72,
    // S = 6 * 2,000 + 1,208.72 = 13,208.72 (13,208.7156).
    let cfg = PolicyConfig::new(Policy::PeriodicReview { review_days: 4 });
    let rec = planner(cfg).recommend(&input(2000.0, 300.0, 2.0, 0.0)).unwrap();
    assert!((rec.demand.std_dev - 734.846_922_834_953).abs() < 1e-6);
    assert!((rec.order_up_to - 13_208.715_626_279).abs() < 1e-4, "{}", rec.order_up_to);
}

#[test]
fn a_fractional_reorder_point_is_rounded_up_to_whole_units_before_the_trigger() {
    // Silver-Pyke-Peterson round s up: a whole-unit position at floor(s)
    // gives less than the target service. d = 0.5 a day (sd 0.7), L = 5
    // days: mu = 2.5, sigma = sqrt(5 * 0.49) = 1.56525, s = 2.5 + 1.644854
    // * 1.56525 = 5.0746. Ordering at a position of 5 gives
    // Phi((5 - 2.5) / 1.56525) = Phi(1.5972) = 0.9449, below 95%; at 6,
    // Phi(2.2361) = 0.9873. A position of 6 must order.
    let cfg =
        PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::Fixed(Quantity::new(10)) });
    let mut i = input(0.5, 0.7, 5.0, 0.0);
    i.on_hand = Quantity::new(6);
    let rec = planner(cfg).recommend(&i).unwrap();
    assert!((rec.reorder_point - 5.074_6).abs() < 1e-4, "{}", rec.reorder_point);
    assert!(rec.triggered, "position 6 against s = {}", rec.reorder_point);
    // The same under the strict trigger: 6 is not below ceil(s) = 6, 5 is.
    let strict = cfg.with_trigger(Trigger::StrictlyBelow);
    assert!(!planner(strict).recommend(&i).unwrap().triggered);
    i.on_hand = Quantity::new(5);
    assert!(planner(strict).recommend(&i).unwrap().triggered);
    // One unit more and neither fires.
    i.on_hand = Quantity::new(7);
    assert!(!planner(cfg).recommend(&i).unwrap().triggered);
}
