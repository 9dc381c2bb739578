//! Mean MASE over a held-out final year of the car-parts data (Hyndman et
//! al. 2008): every single model applied to every series against the
//! automatic choice.
//!
//! ```text
//! cargo run --release -p merchantry-forecast --example carparts_accuracy [-- PATH]
//! ```
//!
//! PATH defaults to `../shared/data/carparts/carparts.csv` relative to the
//! workspace root. The data (GPL-3) is read, never copied. Each series is
//! split into its first 39 months (training) and its final 12 (test);
//! missing months are skipped (excluded from training, not scored). A
//! series is scored when its training part has at least two values with a
//! non-zero naive scale and its test part at least one value.

#![allow(clippy::print_stdout, reason = "an example reports on stdout")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "an example may stop on bad input")]

use std::collections::BTreeMap;
use std::path::PathBuf;

use merchantry_forecast::{
    Auto, ClassRule, DemandClass, DemandModel, ModelSpec, Sba, classify, mae, naive_scale,
};

const TEST: usize = 12;

struct Series {
    train: Vec<f64>,
    test: Vec<(usize, f64)>,
}

fn load(path: &PathBuf) -> Vec<Series> {
    let mut reader = csv::Reader::from_path(path).expect("open carparts.csv");
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.expect("csv row");
        let months: Vec<Option<f64>> =
            record.iter().skip(1).map(|c| c.trim().parse::<f64>().ok()).collect();
        let split = months.len() - TEST;
        let train = months[..split].iter().flatten().copied().collect();
        let test =
            months[split..].iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
        out.push(Series { train, test });
    }
    out
}

/// MASE of `model` on one series, `None` when the series is not scoreable.
fn score(model: &dyn DemandModel, s: &Series) -> Option<f64> {
    let scale = naive_scale(&s.train).ok()?;
    if s.test.is_empty() {
        return None;
    }
    let f = model.fit(&s.train).ok()?.forecast(TEST);
    let actual: Vec<f64> = s.test.iter().map(|(_, v)| *v).collect();
    let predicted: Vec<f64> = s.test.iter().map(|(i, _)| f.mean[*i]).collect();
    Some(mae(&actual, &predicted).ok()? / scale)
}

fn main() {
    let path = std::env::args().nth(1).map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/carparts/carparts.csv")
        },
        PathBuf::from,
    );
    let data = load(&path);
    let scoreable: Vec<&Series> =
        data.iter().filter(|s| naive_scale(&s.train).is_ok() && !s.test.is_empty()).collect();
    println!("series: {} read, {} scored", data.len(), scoreable.len());

    let mut classes: BTreeMap<DemandClass, usize> = BTreeMap::new();
    for s in &scoreable {
        *classes.entry(classify(&s.train).class).or_default() += 1;
    }
    println!("classes of the training parts: {classes:?}");

    // The learned rule sees only the training months: within them, the last
    // 12 are held out to choose a model per class.
    let learned = ClassRule::learn(
        scoreable.iter().map(|s| s.train.as_slice()),
        &ModelSpec::non_seasonal(),
        TEST,
    )
    .expect("candidates");
    let choices: Vec<String> =
        learned.choices().iter().map(|(c, m)| format!("{c}: {}", m.kind())).collect();
    println!("learned rule: {}", choices.join(", "));

    let mut rows: Vec<(String, Box<dyn DemandModel>)> = ModelSpec::non_seasonal()
        .into_iter()
        .map(|m| (m.kind().name().to_owned(), Box::new(m) as Box<dyn DemandModel>))
        .collect();
    let mut sbc = ClassRule::default();
    sbc.set(DemandClass::Intermittent, ModelSpec::Sba(Sba::default()));
    sbc.set(DemandClass::Lumpy, ModelSpec::Sba(Sba::default()));
    rows.push(("auto (SBC rule: SBA when sporadic)".to_owned(), Box::new(Auto::with_rule(sbc))));
    rows.push(("auto (default rule)".to_owned(), Box::new(Auto::default())));
    rows.push(("auto (learned rule)".to_owned(), Box::new(Auto::with_rule(learned))));

    println!("| model | mean MASE | series |");
    println!("| --- | --- | --- |");
    for (name, model) in &rows {
        let scores: Vec<f64> = scoreable.iter().filter_map(|s| score(model.as_ref(), s)).collect();
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        println!("| {name} | {mean:.4} | {} |", scores.len());
    }
}
