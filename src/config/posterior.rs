//! `--posterior FILE|none` and the scenario's `[calibrate] posterior`: a
//! `posterior.csv` (header `draw,<key path>,...`, one row per draw) read, checked
//! against the scenario and turned into one scenario per draw.

use super::BadInput;
use anyhow::Result;
use omnimix_sim::Scenario;
use omnimix_sim::scenario::calibrate::Posterior;
use omnimix_studies::posterior::Draws;
use std::path::{Path, PathBuf};

/// The posterior file a run uses: `--posterior FILE`, nothing with `--posterior none`,
/// else the scenario's `[calibrate] posterior` (relative to the scenario file's folder).
pub fn file(flag: Option<&Path>, scenario_file: Option<&Path>, s: &Scenario) -> Option<PathBuf> {
    match flag {
        Some(p) if p.as_os_str() == "none" => None,
        Some(p) => Some(p.to_path_buf()),
        None => s.calibrate.posterior.as_ref().map(|p| {
            let dir = scenario_file
                .and_then(Path::parent)
                .unwrap_or_else(|| Path::new(""));
            dir.join(p)
        }),
    }
}

/// The draws of the posterior that `flag` and the scenario name, applied to `base`
/// (none when there is no posterior). Bad input names the file, the row and the column.
pub fn draws(flag: Option<&Path>, scenario_file: Option<&Path>, base: &Scenario) -> Result<Draws> {
    draws_from(file(flag, scenario_file, base).as_deref(), base)
}

/// The draws of the posterior file `file` (none without one) applied to `base`.
pub fn draws_from(file: Option<&Path>, base: &Scenario) -> Result<Draws> {
    match file {
        None => Ok(Draws::none()),
        Some(path) => {
            let (posterior, labels) = read(path)?;
            apply(path, &posterior, &labels, base)
        }
    }
}

/// The keys of `--set KEY=VALUE` overrides whose value the draws replace.
pub fn replaced<'a>(draws: &Draws, sets: &'a [String]) -> Vec<&'a str> {
    sets.iter()
        .filter_map(|s| s.split_once('=').map(|(k, _)| k.trim()))
        .filter(|k| draws.names.iter().any(|n| n == k))
        .collect()
}

/// A note on stderr for each `--set` whose value the draws replace in every replication.
pub fn note_replaced(draws: &Draws, sets: &[String]) {
    for k in replaced(draws, sets) {
        eprintln!(
            "note: --set {k}: the posterior's draws replace this value in every replication \
             (--posterior none keeps it)"
        );
    }
}

fn bad(path: &Path, m: String) -> anyhow::Error {
    BadInput(format!("posterior {}: {m}", path.display())).into()
}

/// Read a `posterior.csv`: the parameter columns and their draws, and each row's
/// `draw` label.
pub fn read(path: &Path) -> Result<(Posterior, Vec<String>)> {
    let text =
        std::fs::read_to_string(path).map_err(|e| bad(path, format!("cannot read ({e})")))?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header ({e})")))?
        .clone();
    let draw_col = header.iter().position(|h| h == "draw").ok_or_else(|| {
        bad(
            path,
            "no `draw` column (the header is draw,<key path>,<key path>,...)".into(),
        )
    })?;
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != draw_col)
        .map(|(_, h)| h.to_string())
        .collect();
    if names.is_empty() {
        return Err(bad(
            path,
            "no parameter columns beside `draw` (the header is draw,<key path>,...)".into(),
        ));
    }
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(bad(path, format!("column {}: no name", i + 2)));
        }
        if names[..i].contains(n) {
            return Err(bad(path, format!("column {n}: named twice")));
        }
    }
    let mut draws = Vec::new();
    let mut labels = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(path, format!("{e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != header.len() {
            return Err(bad(
                path,
                format!(
                    "row {line}: {} fields, the header has {}",
                    rec.len(),
                    header.len()
                ),
            ));
        }
        let label = rec.get(draw_col).unwrap_or_default().to_string();
        let mut row = Vec::with_capacity(names.len());
        for (i, field) in rec.iter().enumerate().filter(|&(i, _)| i != draw_col) {
            let x = field.parse::<f64>().ok().filter(|x| x.is_finite());
            match x {
                Some(x) => row.push(x),
                None => {
                    return Err(bad(
                        path,
                        format!(
                            "row {line} (draw {label}), column {}: `{field}` is not a finite number",
                            &header[i]
                        ),
                    ));
                }
            }
        }
        draws.push(row);
        labels.push(label);
    }
    if draws.is_empty() {
        return Err(bad(path, "no draws (a header and no rows)".into()));
    }
    Ok((Posterior { names, draws }, labels))
}

/// Each draw applied to `base`: a column that is no number of the scenario, or a
/// draw whose values fail validation, is bad input.
fn apply(path: &Path, p: &Posterior, labels: &[String], base: &Scenario) -> Result<Draws> {
    if let Some(first) = p.draws.first() {
        for (name, &x) in p.names.iter().zip(first) {
            if let Err(e) = base.with_values([(name.as_str(), x)])
                && e.contains("not a number of the scenario")
            {
                return Err(bad(
                    path,
                    format!("column {name}: not a numeric key path of the scenario"),
                ));
            }
        }
    }
    let mut scenarios = Vec::with_capacity(p.draws.len());
    for (i, label) in labels.iter().enumerate() {
        let s = p
            .scenario_for(base, i as u32)
            .map_err(|e| bad(path, format!("draw {label}: {e}")))?;
        scenarios.push(s);
    }
    Ok(Draws {
        source: path.display().to_string(),
        names: p.names.clone(),
        scenarios,
    })
}
