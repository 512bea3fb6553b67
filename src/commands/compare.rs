//! `omnimix compare`: what-if scenarios on common random numbers (the workflow is
//! `omnimix_studies::compare`), KPIs side by side with paired differences and
//! intervals, to compare.csv, compare.xlsx, compare.html and charts.

use crate::backend::{Backend, with_threads};
use crate::config::CompareConfig;
use crate::print::print_written;
use anyhow::Result;
use omnimix_studies::compare::Comparison;

/// `omnimix compare`: on every rank of the backend, each stepping its share of the
/// shards; rank 0 writes the files.
pub fn compare(cfg: &CompareConfig, backend: &dyn Backend) -> Result<()> {
    let comparison = with_threads(cfg.threads, || {
        omnimix_studies::compare::compare_with_draws(
            &cfg.scenarios,
            &cfg.draws,
            cfg.names.clone(),
            cfg.descriptions.clone(),
            cfg.seed,
            cfg.replications,
            backend.shards(),
        )
    })?;
    if !backend.is_root() {
        return Ok(());
    }
    let written = omnimix_reports::compare::write(&cfg.out, &comparison)?;
    crate::outdir::record(&written);
    if !cfg.quiet {
        print_table(&comparison);
        print_written(&written);
    }
    Ok(())
}

fn print_table(c: &Comparison) {
    use crate::print::{diff_interval, value};
    println!(
        "{} replications, seed {} (common random numbers); each KPI's mean, and beneath it the difference from {} with its 90 % interval",
        c.replications, c.seed, c.names[0]
    );
    println!("The intervals cover {}.", c.interval_covers);
    let cur = &c.currency;
    print!("{:<32}", "");
    for n in &c.names {
        print!(" {n:>34}");
    }
    println!();
    for k in &c.kpis {
        let unit = k.measure.unit();
        print!("{:<32}", k.measure.label());
        for v in &k.values {
            print!(" {:>34}", value(v.mean, unit, cur));
        }
        println!();
        print!("{:<32}", "");
        print!(" {:>34}", "");
        for d in k.differences.iter().skip(1) {
            print!(" {:>34}", diff_interval(d, unit, cur));
        }
        println!();
    }
}
