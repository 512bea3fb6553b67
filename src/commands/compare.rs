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
        omnimix_studies::compare::compare(
            &cfg.scenarios,
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
    println!(
        "{} replications, seed {} (common random numbers); difference from {} with its 90 % interval",
        c.replications, c.seed, c.names[0]
    );
    print!("{:<28}", "");
    for n in &c.names {
        print!(" {n:>16}");
    }
    println!();
    for k in &c.kpis {
        print!("{:<28}", k.measure.name());
        for v in &k.values {
            print!(" {:>16.4}", v.mean);
        }
        println!();
        print!("{:<28}", "");
        print!(" {:>16}", "");
        for d in k.differences.iter().skip(1) {
            let s = match (d.lo, d.hi) {
                (Some(lo), Some(hi)) => format!("{:+.3} [{:+.3},{:+.3}]", d.mean, lo, hi),
                _ => format!("{:+.4}", d.mean),
            };
            print!(" {s:>16}");
        }
        println!();
    }
}
