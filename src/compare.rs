//! `omnimix compare`: what-if questions. Two scenarios (A B), or one scenario and
//! several `--variant NAME:KEY=VALUE,...`, each simulated with its current strategy
//! on the same seed and replications: the engine's random numbers depend only on
//! (seed, replication, country, shard, step), so the scenarios share them (common
//! random numbers) and their paired differences have narrow intervals.

use crate::cli::{CompareArgs, ScenarioArgs};
use crate::config::{BadInput, with_threads};
use crate::optimize::kpi;
use anyhow::Result;
use omnimix_reports::compare::{Comparison, KpiRow};
use omnimix_sim::engine::{RunOptions, Silent, run};
use omnimix_sim::kpis::{INTERVAL_LEVEL, Kpis, ServiceKpi, replication_kpis};
use omnimix_sim::stats::interval;
use omnimix_sim::{Channel, Override, Scenario, World};

/// Company KPIs compared (retention: the 12-month figure, or the horizon's).
const KPIS: [&str; 9] = [
    "retention",
    "roi",
    "npv",
    "revenue",
    "cost_total",
    "cost_media",
    "cost_staff",
    "active_customers",
    "conversions",
];

/// Split `NAME:KEY=VALUE,KEY=VALUE` into the name and its `--set` overrides (a piece
/// without `=` belongs to the value before it, so values may hold commas).
fn parse_variant(v: &str) -> Result<(String, Vec<String>)> {
    let bad = |m: &str| -> anyhow::Error {
        BadInput(format!(
            "--variant {v}: {m} (expected NAME:KEY.PATH=VALUE,KEY.PATH=VALUE, keys as in --set)"
        ))
        .into()
    };
    let (name, rest) = v
        .split_once(':')
        .ok_or_else(|| bad("no NAME: before the changes"))?;
    let name = name.trim();
    if name.is_empty() || name == "baseline" {
        return Err(bad("the name must be non-empty and not `baseline`"));
    }
    let mut sets: Vec<String> = Vec::new();
    for piece in rest.split(',') {
        if piece.contains('=') || sets.is_empty() {
            sets.push(piece.trim().to_string());
        } else if let Some(last) = sets.last_mut() {
            last.push(',');
            last.push_str(piece);
        }
    }
    if sets.iter().any(|s| !s.contains('=')) {
        return Err(bad("every change is KEY.PATH=VALUE"));
    }
    for s in &sets {
        s.parse::<Override>()
            .map_err(|e| BadInput(format!("--variant {name}: {e}")))?;
    }
    Ok((name.to_string(), sets))
}

fn load(file: Option<&std::path::Path>, set: Vec<String>, context: &str) -> Result<Scenario> {
    let args = ScenarioArgs {
        file: file.map(|f| f.to_path_buf()),
        set,
    };
    crate::config::scenario(&args).map_err(|e| match e.downcast::<BadInput>() {
        Ok(b) if context.is_empty() => b.into(),
        Ok(b) => BadInput(format!("{context}: {b}")).into(),
        Err(e) => e,
    })
}

/// Per replication: company KPIs (with `mean_wait_min.CH` / `abandon_rate.CH` for
/// service channels with contacts), and the company retention curve.
fn simulate(s: &Scenario, seed: u64, reps: u32) -> (Vec<Vec<(String, f64)>>, Vec<f64>) {
    let world = World::new(s, &s.strategy);
    let opts = RunOptions {
        seed,
        replications: reps,
        first_replication: 0,
        journeys: false,
    };
    let runs = run(&world, &opts, &Silent);
    let curves = crate::analysis::retention_curves(&world, &runs);
    let company = curves.last().cloned().unwrap_or_default();
    let per_rep = runs
        .iter()
        .map(|r| {
            let k: Kpis = replication_kpis(&world, r).0;
            // retention: the 12-month figure, named for what it is when the horizon is shorter
            let retention = if k.get(omnimix_sim::kpis::Kpi::Retention12m).is_some() {
                "retention"
            } else {
                "retention_horizon"
            };
            let mut v: Vec<(String, f64)> = KPIS
                .iter()
                .filter(|n| **n == "retention" || k.get(n.parse().expect("a KPI")).is_some())
                .map(|n| {
                    let name = if *n == "retention" { retention } else { n };
                    (name.to_string(), kpi(&k, n))
                })
                .collect();
            for ch in Channel::SERVICE {
                for kpi in [ServiceKpi::MeanWaitMin, ServiceKpi::AbandonRate] {
                    if let Some(x) = k.service(ch, kpi) {
                        v.push((format!("{}.{}", kpi.name(), ch.name()), x));
                    }
                }
            }
            v
        })
        .collect();
    (per_rep, company)
}

/// `omnimix compare`.
pub fn run_compare(a: &CompareArgs) -> Result<()> {
    let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
    let mut names = Vec::new();
    let mut descriptions = Vec::new();
    let mut scenarios = Vec::new();
    if !a.variants.is_empty() {
        if a.files.len() > 1 {
            return Err(bad(
                "--variant compares what-ifs of one scenario: give one scenario file (or none for the default), not two".into(),
            ));
        }
        let file = a.files.first().map(|p| p.as_path());
        scenarios.push(load(file, a.set.clone(), "")?);
        names.push("baseline".to_string());
        descriptions.push(match file {
            Some(f) => format!("{} as it is", f.display()),
            None => "the embedded default scenario as it is".into(),
        });
        for v in &a.variants {
            let (name, sets) = parse_variant(v)?;
            if names.contains(&name) {
                return Err(bad(format!("--variant {name}: the name is used twice")));
            }
            let mut all = a.set.clone();
            all.extend(sets.iter().cloned());
            scenarios.push(load(file, all, &format!("--variant {name}"))?);
            descriptions.push(sets.join(", "));
            names.push(name);
        }
    } else if a.files.len() == 2 {
        for f in &a.files {
            scenarios.push(load(Some(f), a.set.clone(), "")?);
            descriptions.push(f.display().to_string());
        }
        let stem = |p: &std::path::Path| {
            p.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let (x, y) = (stem(&a.files[0]), stem(&a.files[1]));
        if x == y || x.is_empty() || y.is_empty() {
            names = vec!["A".into(), "B".into()];
        } else {
            names = vec![x, y];
        }
    } else {
        return Err(bad(
            "compare needs two scenarios (compare A.toml B.toml) or one scenario with --variant NAME:KEY=VALUE,...".into(),
        ));
    }
    let base = &scenarios[0];
    let reps = a.replications.unwrap_or(base.replications.max(2));
    if !(2..=100_000).contains(&reps) {
        return Err(bad(format!(
            "--replications {reps}: between 2 and 100000 (paired intervals need two)"
        )));
    }
    if a.threads == Some(0) {
        return Err(bad("--threads 0: must be at least 1".into()));
    }
    if let Some(s) = scenarios.iter().find(|s| s.currency != base.currency) {
        return Err(bad(format!(
            "the scenarios use different currencies ({} and {}): amounts cannot be compared",
            base.currency, s.currency
        )));
    }
    let seed = a.seed.unwrap_or(base.seed);
    let results = with_threads(a.threads, || {
        scenarios
            .iter()
            .map(|s| simulate(s, seed, reps))
            .collect::<Vec<_>>()
    })?;
    // KPIs every scenario has in every replication
    let kpi_names: Vec<String> = results[0].0[0]
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| {
            results.iter().all(|(per_rep, _)| {
                per_rep
                    .iter()
                    .all(|r| r.iter().any(|(m, x)| m == n && x.is_finite()))
            })
        })
        .collect();
    let values_of = |s: usize, n: &str| -> Vec<f64> {
        results[s]
            .0
            .iter()
            .map(|r| r.iter().find(|(m, _)| m == n).map_or(f64::NAN, |x| x.1))
            .collect()
    };
    let kpis: Vec<KpiRow> = kpi_names
        .iter()
        .map(|n| {
            let b = values_of(0, n);
            KpiRow {
                name: n.clone(),
                values: (0..scenarios.len())
                    .map(|s| interval(&values_of(s, n), INTERVAL_LEVEL))
                    .collect(),
                differences: (0..scenarios.len())
                    .map(|s| {
                        let d: Vec<f64> =
                            values_of(s, n).iter().zip(&b).map(|(x, y)| x - y).collect();
                        interval(&d, INTERVAL_LEVEL)
                    })
                    .collect(),
            }
        })
        .collect();
    let comparison = Comparison {
        names,
        descriptions,
        currency: base.currency.clone(),
        seed,
        replications: reps,
        kpis,
        retention_curves: results.iter().map(|r| r.1.clone()).collect(),
    };
    let written = omnimix_reports::compare::write(&a.out, &comparison)?;
    if !a.quiet {
        print_table(&comparison);
        crate::commands::print_written(&written);
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
        print!("{:<28}", k.name);
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
