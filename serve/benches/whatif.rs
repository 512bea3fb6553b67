//! The planner's what-if latency on the default preset: from a changed field (a
//! `--set` override) to the KPIs, paired differences and charts the page shows —
//! loading and validating the scenario, the runs at search scale, the comparison
//! with the baseline and the three SVG charts. The page adds the HTTP round trip and
//! its drawing (measured in the browser test: `data-latency-ms`).
//!
//! `cargo bench -p omnimix-serve --bench whatif`

use criterion::{Criterion, criterion_group, criterion_main};
use omnimix_serve::{Planner, PlannerOptions};
use omnimix_sim::ScenarioSource;
use std::hint::black_box;
use std::time::Duration;

const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");

fn what_if(c: &mut Criterion) {
    let source = ScenarioSource::new("global-retail.toml", DEFAULT);
    let planner = Planner::new(source, Vec::new(), PlannerOptions::default(), None)
        .expect("the default preset is valid");
    let s = planner.settings();
    let mut g = c.benchmark_group(format!(
        "what-if, default preset, {} replications, 1-{} of the agents",
        s.replications, s.search_scale
    ));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    // paid media only: the counterfactual without paid media is the baseline's
    let media = vec!["strategy.annual_spend.DE.search=2000000".to_string()];
    g.bench_function("spend change", |b| {
        b.iter(|| black_box(planner.what_if(&media, None).map(|r| r.1.kpis.len())))
    });
    // staff: the counterfactual runs again
    let staff = vec!["strategy.service_staff.DE.call_centre=80".to_string()];
    g.bench_function("staff change", |b| {
        b.iter(|| black_box(planner.what_if(&staff, None).map(|r| r.1.kpis.len())))
    });
    g.finish();
}

criterion_group!(benches, what_if);
criterion_main!(benches);
