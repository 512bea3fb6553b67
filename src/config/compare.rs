//! `omnimix compare`: flags → [`CompareConfig`] (two scenarios, or one and its
//! `--variant` what-ifs).

use super::{BadInput, scenario, threads};
use crate::cli::{CompareArgs, ScenarioArgs};
use anyhow::Result;
use omnimix_sim::{Override, Scenario};
use std::path::{Path, PathBuf};

/// Everything `compare` needs, validated.
#[derive(Debug)]
pub struct CompareConfig {
    /// The scenarios, the baseline first.
    pub scenarios: Vec<Scenario>,
    /// Their names.
    pub names: Vec<String>,
    /// What each is.
    pub descriptions: Vec<String>,
    pub seed: u64,
    pub replications: u32,
    /// Per scenario: the posterior's draws applied to it (all empty without one).
    pub draws: Vec<omnimix_studies::posterior::Draws>,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
}

fn bad(m: String) -> anyhow::Error {
    BadInput(m).into()
}

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

fn load(file: Option<&Path>, set: Vec<String>, context: &str) -> Result<Scenario> {
    let args = ScenarioArgs {
        file: file.map(|f| f.to_path_buf()),
        set,
    };
    scenario(&args).map_err(|e| match e.downcast::<BadInput>() {
        Ok(b) if context.is_empty() => b.into(),
        Ok(b) => BadInput(format!("{context}: {b}")).into(),
        Err(e) => e,
    })
}

/// The baseline and its variants.
fn variants(a: &CompareArgs) -> Result<(Vec<Scenario>, Vec<String>, Vec<String>)> {
    if a.files.len() > 1 {
        return Err(bad(
            "--variant compares what-ifs of one scenario: give one scenario file (or none for the default), not two".into(),
        ));
    }
    let file = a.files.first().map(|p| p.as_path());
    let mut scenarios = vec![load(file, a.set.clone(), "")?];
    let mut names = vec!["baseline".to_string()];
    let mut descriptions = vec![match file {
        Some(f) => format!("{} as it is", f.display()),
        None => "the embedded default scenario as it is".into(),
    }];
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
    Ok((scenarios, names, descriptions))
}

/// Two scenario files, named by their file stems (A and B when those clash).
fn two_files(a: &CompareArgs) -> Result<(Vec<Scenario>, Vec<String>, Vec<String>)> {
    let mut scenarios = Vec::new();
    let mut descriptions = Vec::new();
    for f in &a.files {
        scenarios.push(load(Some(f), a.set.clone(), "")?);
        descriptions.push(f.display().to_string());
    }
    let stem = |p: &Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (x, y) = (stem(&a.files[0]), stem(&a.files[1]));
    let names = if x == y || x.is_empty() || y.is_empty() {
        vec!["A".into(), "B".into()]
    } else {
        vec![x, y]
    };
    Ok((scenarios, names, descriptions))
}

impl CompareConfig {
    pub fn from_args(a: &CompareArgs) -> Result<CompareConfig> {
        let (scenarios, names, descriptions) = if !a.variants.is_empty() {
            variants(a)?
        } else if a.files.len() == 2 {
            two_files(a)?
        } else {
            return Err(bad(
                "compare needs two scenarios (compare A.toml B.toml) or one scenario with --variant NAME:KEY=VALUE,...".into(),
            ));
        };
        let base = &scenarios[0];
        let reps = a.replications.unwrap_or(base.replications.max(2));
        if !(2..=100_000).contains(&reps) {
            return Err(bad(format!(
                "--replications {reps}: between 2 and 100000 (paired intervals need two)"
            )));
        }
        let threads = threads(a.threads)?;
        if let Some(s) = scenarios.iter().find(|s| s.currency != base.currency) {
            return Err(bad(format!(
                "the scenarios use different currencies ({} and {}): amounts cannot be compared",
                base.currency, s.currency
            )));
        }
        // --posterior, else the first scenario's [calibrate] posterior, for every scenario
        let first_file = a.files.first().map(|p| p.as_path());
        let file = super::posterior::file(a.posterior.as_deref(), first_file, base);
        let draws = scenarios
            .iter()
            .map(|s| super::posterior::draws_from(file.as_deref(), s))
            .collect::<Result<Vec<_>>>()?;
        if let Some(d) = draws.first() {
            super::posterior::note_replaced(d, &a.set);
            // a what-if of a value the draws replace would compare the scenario with itself
            for v in &a.variants {
                let (name, sets) = parse_variant(v)?;
                if let Some(k) = super::posterior::replaced(d, &sets).first() {
                    return Err(bad(format!(
                        "--variant {name}: {k} is a parameter of the posterior {}, whose draws \
                         replace it in every replication (--posterior none compares fixed values)",
                        d.source
                    )));
                }
            }
        }
        Ok(CompareConfig {
            draws,
            seed: a.seed.unwrap_or(base.seed),
            replications: reps,
            scenarios,
            names,
            descriptions,
            out: super::writable_out(&a.out)?,
            threads,
            quiet: a.quiet,
        })
    }
}
