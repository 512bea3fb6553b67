//! `omnimix benchmark`: budgeting rules × scenarios × seeds (the rules are in
//! `omnimix_studies::benchmark`), to `benchmark.csv` and a chart per KPI.

use crate::backend::{Backend, with_threads};
use crate::config::BenchmarkConfig;
use crate::print::interval;
use anyhow::Result;
use omnimix_optimizer::Evaluator;
use omnimix_studies::benchmark::{Bench, BenchmarkRow, KPIS};

/// `omnimix benchmark`: on every rank of the backend (the optimizer rule's
/// evaluations are farmed out); rank 0 simulates the rules and writes the files.
pub fn benchmark(a: &BenchmarkConfig, backend: &dyn Backend) -> Result<()> {
    let (scenarios, rules) = (&a.scenarios, &a.rules);
    let t0 = std::time::Instant::now();
    let mut rows = Vec::new();
    for (s, seed) in scenarios {
        let bench = Bench::new(s, *seed).learning_from(a.journeys);
        let f = |x: &[f64], rep: u32| bench.evaluate(x, rep);
        let mut found = None;
        let mut run = |ev: &dyn Evaluator| -> Result<Vec<f64>> {
            found = Some(bench.run(rules, a.seeds, a.evals, ev)?);
            Ok(Vec::new())
        };
        if with_threads(a.threads, || backend.farm(&f, &mut run))??.is_none() {
            return Ok(()); // rank 0 failed and reports it
        }
        rows.extend(found.into_iter().flatten());
    }
    if !backend.is_root() {
        return Ok(());
    }
    let path = a.out.join("benchmark.csv");
    omnimix_reports::write_csv(&path, &rows)?;
    let mut written = vec![path];
    for kpi in KPIS {
        let name = kpi.name();
        let sel: Vec<&BenchmarkRow> = rows.iter().filter(|r| r.kpi == kpi).collect();
        let label = |r: &BenchmarkRow| {
            let strategy = r.strategy.trim_start_matches("attribution:");
            if scenarios.len() > 1 {
                format!("{}/{strategy}", r.scenario)
            } else {
                strategy.to_string()
            }
        };
        // as SVG and PNG, like every other chart
        let chart = omnimix_reports::charts::Chart::Intervals {
            title: format!("{name}: mean and 90 % interval over {} seeds", a.seeds),
            y_label: name.into(),
            categories: sel.iter().map(|r| label(r)).collect(),
            mean: sel.iter().map(|r| r.mean).collect(),
            lo: sel.iter().map(|r| r.lo.unwrap_or(r.mean)).collect(),
            hi: sel.iter().map(|r| r.hi.unwrap_or(r.mean)).collect(),
        };
        written.extend(omnimix_reports::charts::render(
            &chart,
            &a.out,
            &format!("benchmark_{name}"),
        )?);
    }
    crate::outdir::record(&written);
    if !a.quiet {
        let currency = scenarios.first().map_or("", |(s, _)| s.currency.as_str());
        print_rows(&rows, scenarios.len(), rules.len(), a.seeds, currency, t0);
        for w in &written {
            println!("wrote {}", w.display());
        }
    }
    Ok(())
}

/// The benchmark table on stdout: a row per scenario and rule, each KPI's mean and
/// 90 % interval over the seeds in its unit.
fn print_rows(
    rows: &[BenchmarkRow],
    scenarios: usize,
    rules: usize,
    seeds: u32,
    currency: &str,
    t0: std::time::Instant,
) {
    println!(
        "{} scenarios x {} strategies x {} seeds in {:.1} s; mean [90 % interval] over the seeds",
        scenarios,
        rules,
        seeds,
        t0.elapsed().as_secs_f64()
    );
    // columns as wide as the longest scenario and strategy names
    let ws = rows
        .iter()
        .map(|r| r.scenario.chars().count())
        .fold(8, usize::max);
    let wr = rows
        .iter()
        .map(|r| r.strategy.chars().count())
        .fold(8, usize::max);
    print!("{:<ws$} {:<wr$}", "scenario", "strategy");
    for k in KPIS {
        print!(" {:>34}", k.label());
    }
    println!();
    for chunk in rows.chunks(KPIS.len()) {
        print!("{:<ws$} {:<wr$}", chunk[0].scenario, chunk[0].strategy);
        for r in chunk {
            let i = omnimix_sim::stats::Interval {
                mean: r.mean,
                sd: 0.0,
                lo: r.lo,
                hi: r.hi,
                n: r.n,
            };
            print!(" {:>34}", interval(Some(&i), r.kpi.unit(), currency));
        }
        println!();
    }
}
