//! Numbers from a peer library's own tests, run through this crate's API.
//!
//! The peer is stockpyl (Larry Snyder's Python package accompanying
//! Snyder and Shen, *Fundamentals of Supply Chain Theory*). Each test
//! names the stockpyl test file and test it takes its inputs and
//! expected values from; the instance data (costs, demand, lead time)
//! come from that repository's `src/stockpyl/datasets/stockpyl_instances.json`
//! under the instance name given. Only input values and expected
//! numbers are taken.
//!
//! Where stockpyl works in cost terms (holding cost `h`, stockout cost
//! `p`) and this crate in service terms, the mapping is stated above
//! the test:
//!
//! - a newsvendor or base-stock level is the `p / (p + h)` quantile, a
//!   cycle service level of `p / (p + h)`;
//! - in the exact (r, Q) model with backorder cost `p` per unit-time,
//!   the cost-optimal `r` for a given `Q` solves `g(r) = g(r + Q)` with
//!   `g(y) = h (y - mu) + (h + p) n(y)` (`n` the loss function), that is
//!   `n(r) - n(r + Q) = h Q / (h + p)`: the crate's exact fill-rate
//!   equation `n(s) - n(s + Q) = (1 - beta) Q` at `beta = p / (p + h)`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::str::FromStr;

use merchantry_core::{Currency, Decimal, Money, ServiceLevel, UnitCost};
use merchantry_reorder::*;

mod common;
use common::planner;

fn level(p: f64) -> ServiceLevel {
    ServiceLevel::new(p).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// `p / (p + h)`: the critical ratio, read as a service level.
fn ratio(h: f64, p: f64) -> ServiceLevel {
    level(p / (p + h))
}

/// [`common::flat_input`] for this file's SKU, the lead time without
/// spread.
fn input(d: f64, sd: f64, l: f64) -> SkuInput {
    common::flat_input("PEER-1", d, sd, l, 0.0)
}

/// Costs with unit cost `unit`, holding rate `rate` (so `h = unit *
/// rate` a unit-year) and order cost `k`, in dollars.
fn costs(unit: &str, rate: &str, k: &str) -> Costs {
    Costs {
        unit_cost: UnitCost::new(dec(unit), Currency::USD).unwrap(),
        order_cost: Money::new(dec(k), Currency::USD),
        holding_rate: dec(rate),
        unit_margin: Decimal::ZERO,
    }
}

// stockpyl tests/test_eoq.py, TestEconomicOrderQuantity::test_example_3_1
// (K = 8, h = 0.75 * 0.3 = 0.225, D = 1300: Q* = 304.0467800264368) and
// ::test_problem_3_1 (K = 2250, h = 275, D = 500 * 365 = 182500:
// Q* = 1728.109844993551). Tolerance 1e-9 (stockpyl asserts 7 places).
#[test]
fn stockpyl_eoq_examples() {
    let q = eoq(1300.0, dec("8"), dec("0.225")).unwrap();
    assert!((q - 304.046_780_026_436_8).abs() < 1e-9, "{q}");
    let q = eoq(182_500.0, dec("2250"), dec("275")).unwrap();
    assert!((q - 1_728.109_844_993_551).abs() < 1e-9, "{q}");
}

// The same Example 3.1 through the planner: a year of 1300 units as
// 1300 / 365 a day, unit cost 0.75 held at 30% a year (h = 0.225),
// K = 8. The planner's EOQ reads D as the daily mean times 365, so the
// lot is stockpyl's 304.0467800264368 (tolerance 1e-9 for the
// 1300 / 365 * 365 round trip).
#[test]
fn stockpyl_eoq_example_3_1_through_the_planner() {
    let mut i = input(1300.0 / 365.0, 0.0, 10.0);
    i.costs = Some(costs("0.75", "0.3", "8"));
    let cfg = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::Eoq });
    let rec = planner(cfg).recommend(&i).unwrap();
    assert!((rec.lot - 304.046_780_026_436_8).abs() < 1e-9, "{}", rec.lot);
}

// stockpyl tests/test_loss_functions.py, TestStandardNormalLoss::test:
// L(-1.4) = 1.436668142708465, L(0.3) = 0.266761242117210,
// L(3.1) = 2.672490952231408e-04; and TestNormalLoss::test, the loss of
// N(8, 3^2) at 11 (= 3 L(1)) = 0.249946411763059 and of N(15, 5^2) at
// 10.5 (= 5 L(-0.9)) = 5.002155685433356. stockpyl's `L` is this
// crate's `normal_loss` G. Tolerance 1e-10, not the 1e-15 the peer's
// digits carry: G reads statrs' `1 - Phi`, good to about 5e-11
// relative (the safety module docs), and G(-1.4) comes out
// 1.4366681427034156, 5e-12 below stockpyl's (the peer asserts 7
// places).
#[test]
fn stockpyl_standard_normal_loss_values() {
    for (z, want) in [
        (-1.4, 1.436_668_142_708_465),
        (0.3, 0.266_761_242_117_21),
        (3.1, 2.672_490_952_231_408e-4),
    ] {
        let got = normal_loss(z);
        assert!((got - want).abs() < 1e-10, "G({z}) = {got}, stockpyl {want}");
    }
    for (x, mean, sd, want) in
        [(11.0, 8.0, 3.0, 0.249_946_411_763_059), (10.5, 15.0, 5.0, 5.002_155_685_433_356)]
    {
        let got = sd * normal_loss((x - mean) / sd);
        assert!((got - want).abs() < 1e-10, "n({x}; {mean}, {sd}) = {got}, stockpyl {want}");
    }
}

// stockpyl tests/test_loss_functions.py, TestGammaLoss::test: the loss
// E[(X - x)+] of a gamma with shape a and scale b (mean a b, sd
// sqrt(a) b): (x 4, a 2, b 3) = 2.635971381157268, (x 0.4, a 0.5,
// b 1) = 0.276296168886834 (shape below 1), (x 7, a 9, b 0.5) =
// 0.057910792089881; TestExponentialLoss::test, rate mu (mean = sd =
// 1 / mu): (x 1, mu 0.2) = 4.093653765389909, (x 2.5, mu 1) =
// 0.082084998623899, (x 0.5, mu 2) = 0.183939720585721. Tolerance
// 1e-12 absolute.
#[test]
fn stockpyl_gamma_and_exponential_loss_values() {
    for (x, a, b, want) in [
        (4.0, 2.0, 3.0, 2.635_971_381_157_268),
        (0.4, 0.5, 1.0, 0.276_296_168_886_834),
        (7.0, 9.0, 0.5, 0.057_910_792_089_881),
    ] {
        let (mean, sd) = (a * b, f64::sqrt(a) * b);
        let got = gamma_expected_shortage(mean, sd, x);
        assert!((got - want).abs() < 1e-12, "gamma({a}, {b}) at {x}: {got}, stockpyl {want}");
    }
    for (x, mu, want) in [
        (1.0, 0.2, 4.093_653_765_389_909),
        (2.5, 1.0, 0.082_084_998_623_899),
        (0.5, 2.0, 0.183_939_720_585_721),
    ] {
        let got = gamma_expected_shortage(1.0 / mu, 1.0 / mu, x);
        assert!((got - want).abs() < 1e-12, "exp({mu}) at {x}: {got}, stockpyl {want}");
    }
}

// stockpyl tests/test_newsvendor.py, TestNewsvendorNormal::test_example_4_3
// (instance example_4_3: h 0.18, p 0.7, demand N(50, 8^2): S* =
// 56.603955927433887) and ::test_problem_4_1 (problem_4_1: h 43, p 79,
// N(900, 60^2): S* = 922.7214038234755). The newsvendor level is the
// p / (p + h) quantile: a cycle service level of 0.7 / 0.88 and
// 79 / 122 over one period. Tolerance 1e-9.
#[test]
fn stockpyl_newsvendor_normal_is_the_critical_ratio_quantile() {
    for (h, p, mean, sd, want) in [
        (0.18, 0.7, 50.0, 8.0, 56.603_955_927_433_89),
        (43.0, 79.0, 900.0, 60.0, 922.721_403_823_475_5),
    ] {
        let x = DemandOverInterval::new(1.0, 0.0, mean, sd);
        let ss =
            safety_stock(&x, ServiceTarget::CycleService(ratio(h, p)), DemandModel::Normal, 0.0)
                .unwrap();
        assert!((ss.reorder_point - want).abs() < 1e-9, "{}: stockpyl {want}", ss.reorder_point);
    }
}

// stockpyl tests/test_newsvendor.py, TestNewsvendorNormal::test_example_4_4
// (instance example_4_4: h 0.18, p 0.7, N(50, 8^2) a period, lead time
// 4, reviewed every period): base-stock level 264.7668943741548, the
// 0.7 / 0.88 quantile of demand over L + 1 = 5 periods. Here that is a
// periodic review of 1 day with a 4-day lead time, whose order-up-to
// level covers L + R = 5 days: 250 + z sqrt(5) 8. Tolerance 1e-9.
#[test]
fn stockpyl_base_stock_level_is_the_periodic_order_up_to_level() {
    let cfg = PolicyConfig::new(Policy::PeriodicReview { review_days: 1 })
        .with_service(ServiceTarget::CycleService(ratio(0.18, 0.7)));
    let rec = planner(cfg).recommend(&input(50.0, 8.0, 4.0)).unwrap();
    assert!((rec.order_up_to - 264.766_894_374_154_8).abs() < 1e-9, "{}", rec.order_up_to);
}

// stockpyl tests/test_rq.py, TestrQOptimalrForQ::test_example_5_2,
// ::test_problem_5_1 and ::test_problem_5_3: the cost-optimal reorder
// point for a given Q in the exact (r, Q) model with normal lead-time
// demand (instances example_5_1: h 0.225, p 7.5, demand 1300 a year, sd
// 150 a year, L = 1/12 year; problem_5_1: h 3.1, p 45, 800, sd 40,
// L = 4/365; problem_5_3: h 3/14, p 40, 192, sd 17.4, L = 3), for
// Q = 318, 150 and 750. As the module docs derive, that r is this
// crate's exact fill-rate reorder point at beta = p / (p + h) with lot Q
// (mu = lambda L, sigma = sd sqrt(L)). stockpyl solves with tol 1e-6
// (its values sit up to 3.4e-7 from the 1e-13 root), so the tolerance
// is 1e-6. Problem 5.1's points are negative: never clamped here.
#[test]
fn stockpyl_rq_optimal_r_for_q_is_the_exact_fill_rate_point() {
    let instances = [
        (
            0.225,
            7.5,
            1300.0,
            150.0,
            1.0 / 12.0,
            [127.788_034_866_965_5, 147.194_958_174_071_4, 99.853_773_396_165_28],
        ),
        (
            3.1,
            45.0,
            800.0,
            40.0,
            0.010_958_904_109_589_041,
            [-11.727_678_833_180_178, -0.885_130_303_271_656, -39.569_675_038_859_785],
        ),
        (
            0.214_285_714_285_714_27,
            40.0,
            192.0,
            17.4,
            3.0,
            [612.133_131_230_471_6, 622.517_178_352_678_1, 598.412_647_655_164_3],
        ),
    ];
    for (h, p, lambda, sd, lead, wants) in instances {
        let x = DemandOverInterval::new(lead, 0.0, lambda, sd);
        for (q, want) in [318.0, 150.0, 750.0].into_iter().zip(wants) {
            let target = ServiceTarget::FillRate(ratio(h, p));
            let r = safety_stock(&x, target, DemandModel::Normal, q).unwrap().reorder_point;
            assert!((r - want).abs() < 1e-6, "h {h} Q {q}: {r}, stockpyl {want}");
        }
    }
}

// The same Example 5.2 point (Q = 318: r = 127.7880348669655) through
// the planner, in days: 1300 / 365 a day with a daily sd of
// 150 / sqrt(365) (so a year's sd is 150), lead time 365 / 12 days, a
// fixed lot of 318 and a fill-rate target of 7.5 / 7.725.
#[test]
fn stockpyl_rq_example_5_2_through_the_planner() {
    let i = input(1300.0 / 365.0, 150.0 / 365_f64.sqrt(), 365.0 / 12.0);
    let lot = LotSize::Fixed(merchantry_core::Quantity::new(318));
    let cfg = PolicyConfig::new(Policy::ContinuousReview { lot })
        .with_service(ServiceTarget::FillRate(ratio(0.225, 7.5)));
    let rec = planner(cfg).recommend(&i).unwrap();
    assert!((rec.demand.std_dev - 150.0 / 12_f64.sqrt()).abs() < 1e-9, "{}", rec.demand.std_dev);
    assert!((rec.reorder_point - 127.788_034_866_965_5).abs() < 1e-6, "{}", rec.reorder_point);
}

// stockpyl tests/test_rq.py, TestrQEOQSSApproximation::test_example_5_5
// (r = 190.3369965715624, Q = 304.0467800264368), ::test_problem_5_1c
// (r = 15.125515371852014, Q = 160.6438657804998) and ::test_problem_5_3c
// (r = 652.9638947041127, Q = 390.2819493648150): Q is the EOQ and r the
// p / (p + h) quantile of lead-time demand, so a cycle service level of
// p / (p + h). Instances as above, with K = 8, 50 and 85. Tolerance
// 1e-9 (1e-8 for Problem 5.3, whose h = 3/14 enters as an 17-digit
// decimal).
#[test]
fn stockpyl_rq_eoq_plus_safety_stock_approximation() {
    let cases = [
        (
            "0.225",
            0.225,
            7.5,
            "8",
            1300.0,
            150.0,
            1.0 / 12.0,
            190.336_996_571_562_4,
            304.046_780_026_436_8,
            1e-9,
        ),
        (
            "3.1",
            3.1,
            45.0,
            "50",
            800.0,
            40.0,
            0.010_958_904_109_589_041,
            15.125_515_371_852_014,
            160.643_865_780_499_8,
            1e-9,
        ),
        (
            "0.21428571428571427",
            0.214_285_714_285_714_27,
            40.0,
            "85",
            192.0,
            17.4,
            3.0,
            652.963_894_704_112_7,
            390.281_949_364_815,
            1e-8,
        ),
    ];
    for (h_text, h, p, k, lambda, sd, lead, want_r, want_q, tol) in cases {
        let q = eoq(lambda, dec(k), dec(h_text)).unwrap();
        assert!((q - want_q).abs() < tol, "Q {q}, stockpyl {want_q}");
        let x = DemandOverInterval::new(lead, 0.0, lambda, sd);
        let target = ServiceTarget::CycleService(ratio(h, p));
        let r = safety_stock(&x, target, DemandModel::Normal, q).unwrap().reorder_point;
        assert!((r - want_r).abs() < tol, "r {r}, stockpyl {want_r}");
    }
}

// Example 5.5 through the planner, in days as for Example 5.2: EOQ lot
// from unit cost 0.75 at 30% a year and K = 8, cycle service level
// 7.5 / 7.725: reorder point 190.3369965715624, lot 304.0467800264368.
#[test]
fn stockpyl_rq_example_5_5_through_the_planner() {
    let mut i = input(1300.0 / 365.0, 150.0 / 365_f64.sqrt(), 365.0 / 12.0);
    i.costs = Some(costs("0.75", "0.3", "8"));
    let cfg = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::Eoq })
        .with_service(ServiceTarget::CycleService(ratio(0.225, 7.5)));
    let rec = planner(cfg).recommend(&i).unwrap();
    assert!((rec.lot - 304.046_780_026_436_8).abs() < 1e-9, "{}", rec.lot);
    assert!((rec.reorder_point - 190.336_996_571_562_4).abs() < 1e-9, "{}", rec.reorder_point);
}
