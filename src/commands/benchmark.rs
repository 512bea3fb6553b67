//! `omnimix benchmark`: budgeting rules × scenarios × seeds (the rules are in
//! `omnimix_studies::benchmark`), to `benchmark.csv` and a chart per KPI.

use crate::backend::{Backend, with_threads};
use crate::config::BenchmarkConfig;
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
        let bench = Bench::new(s, *seed);
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
    let mut charts = Vec::new();
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
        let chart = a.out.join(format!("benchmark_{name}.svg"));
        omnimix_reports::charts::intervals_svg(
            &chart,
            &format!("{name}: mean and 90 % interval over {} seeds", a.seeds),
            name,
            &sel.iter().map(|r| label(r)).collect::<Vec<_>>(),
            &sel.iter().map(|r| r.mean).collect::<Vec<_>>(),
            &sel.iter()
                .map(|r| r.lo.unwrap_or(r.mean))
                .collect::<Vec<_>>(),
            &sel.iter()
                .map(|r| r.hi.unwrap_or(r.mean))
                .collect::<Vec<_>>(),
        )?;
        charts.push(chart);
    }
    crate::outdir::record(std::slice::from_ref(&path));
    crate::outdir::record(&charts);
    if !a.quiet {
        print_rows(&rows, scenarios.len(), rules.len(), a.seeds, t0);
        println!("wrote {}", path.display());
        for c in charts {
            println!("wrote {}", c.display());
        }
    }
    Ok(())
}

/// The benchmark table on stdout: a row per scenario and rule.
fn print_rows(
    rows: &[BenchmarkRow],
    scenarios: usize,
    rules: usize,
    seeds: u32,
    t0: std::time::Instant,
) {
    println!(
        "{} scenarios x {} strategies x {} seeds in {:.1} s",
        scenarios,
        rules,
        seeds,
        t0.elapsed().as_secs_f64()
    );
    println!(
        "{:<16} {:<26} {:>24} {:>24} {:>24}",
        "scenario", "strategy", "retention", "roi", "npv"
    );
    for chunk in rows.chunks(KPIS.len()) {
        let f = |r: &BenchmarkRow| match (r.lo, r.hi) {
            (Some(lo), Some(hi)) => format!("{:.3} [{:.3}, {:.3}]", r.mean, lo, hi),
            _ => format!("{:.3}", r.mean),
        };
        let npv = |r: &BenchmarkRow| format!("{:.3e}", r.mean);
        println!(
            "{:<16} {:<26} {:>24} {:>24} {:>24}",
            chunk[0].scenario,
            chunk[0].strategy,
            f(&chunk[0]),
            f(&chunk[1]),
            npv(&chunk[2])
        );
    }
}
