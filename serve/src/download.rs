//! A variant (or the baseline) as files: `scenario.toml` (the scenario file with the
//! variant's changes written in, comments kept; `omnimix simulate` runs it as is),
//! `plan.json` (its strategy in the format of `omnimix optimize`'s plan, which
//! `simulate --plan` reads), `budget.xlsx` (its planned cost sheets and the
//! what-if's KPIs) and `report.html`: the report of `omnimix simulate` on the
//! variant at full resolution (every agent, the scenario's replications, the
//! planner's seed), which takes as long as that command.

use crate::api::{ApiError, KpiFigure, WhatIfResponse};
use crate::planner::Planner;
use omnimix_reports::workbook::{Cell, Sheet, write_workbook};
use omnimix_sim::Scenario;
use toml_edit::{DocumentMut, Item};

/// A downloadable file: bytes, content type, file name.
pub type File = (Vec<u8>, &'static str, String);

/// The files a variant can be downloaded as.
pub const FILES: [&str; 4] = ["scenario.toml", "plan.json", "budget.xlsx", "report.html"];

/// `file` of variant `name` (`baseline`: the scenario as served).
pub fn file(p: &Planner, name: &str, file: &str) -> Result<File, ApiError> {
    let (set, strategy, scenario, result) = if name == "baseline" {
        (
            Vec::new(),
            None,
            p.baseline().clone(),
            p.baseline_result().clone(),
        )
    } else {
        let v = p
            .variant(name)
            .ok_or_else(|| ApiError::NotFound(format!("no variant named {name}")))?;
        (v.set, v.strategy, v.scenario, v.result)
    };
    let stem = format!("{}-{}", scenario.name, slug(name));
    match file {
        "scenario.toml" => {
            let text = scenario_toml(p, name, &set, strategy.as_ref())?;
            Ok((
                text.into_bytes(),
                "application/toml; charset=utf-8",
                format!("{stem}.toml"),
            ))
        }
        "plan.json" => {
            let plan = serde_json::json!({
                "omnimix_version": env!("CARGO_PKG_VERSION"),
                "scenario": scenario.name,
                "variant": name,
                "changes": set,
                "seed": p.settings().seed,
                "strategy": scenario.strategy,
            });
            let text = serde_json::to_string_pretty(&plan)
                .map_err(|e| ApiError::Internal(format!("plan.json: {e}")))?;
            Ok((
                text.into_bytes(),
                "application/json",
                format!("{stem}-plan.json"),
            ))
        }
        "budget.xlsx" => Ok((
            budget_xlsx(&scenario, &result)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{stem}-budget.xlsx"),
        )),
        "report.html" => Ok((
            report_html(&scenario, name, p.settings().seed)?,
            "text/html; charset=utf-8",
            format!("{stem}-report.html"),
        )),
        other => Err(ApiError::NotFound(format!(
            "no file {other}: one of {}",
            FILES.join(", ")
        ))),
    }
}

/// A name as a file name part: letters, digits, `-` and `_`.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The scenario file with the serve's and the variant's `--set` changes written in
/// (and an optimized plan as its `[strategy]`); comments kept.
pub fn scenario_toml(
    p: &Planner,
    name: &str,
    set: &[String],
    strategy: Option<&toml::Table>,
) -> Result<String, ApiError> {
    let src = p.source();
    let mut doc: DocumentMut = src
        .text
        .parse()
        .map_err(|e| ApiError::Internal(format!("{}: {e}", src.origin)))?;
    let changes: Vec<&String> = p.base_set().iter().chain(set).collect();
    for s in &changes {
        let Some((key, raw)) = s.split_once('=') else {
            continue;
        };
        let path: Vec<&str> = key.trim().split('.').map(str::trim).collect();
        let raw = raw.trim();
        let value = raw
            .parse::<toml_edit::Value>()
            .unwrap_or_else(|_| toml_edit::Value::from(raw));
        set_path(doc.as_item_mut(), &path, value);
    }
    if let Some(t) = strategy {
        let text = toml::to_string(t)
            .map_err(|e| ApiError::Internal(format!("the optimized plan: {e}")))?;
        let plan: DocumentMut = text
            .parse()
            .map_err(|e| ApiError::Internal(format!("the optimized plan: {e}")))?;
        doc.insert("strategy", Item::Table(plan.as_table().clone()));
    }
    let mut head = format!(
        "# {}, what-if {name} of the omnimix planner (from {})\n",
        p.baseline().name,
        src.origin
    );
    for s in &changes {
        head += &format!("#   --set {s}\n");
    }
    if strategy.is_some() {
        head += "#   [strategy]: the optimized plan\n";
    }
    Ok(format!("{head}{doc}"))
}

/// Set `path` to `value`, making the tables on the way.
fn set_path(item: &mut Item, path: &[&str], value: toml_edit::Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut item = item;
    for k in parents {
        let Some(t) = item.as_table_like_mut() else {
            return;
        };
        if t.get(k).is_none() {
            t.insert(k, Item::Table(toml_edit::Table::new()));
        }
        let Some(next) = t.get_mut(k) else {
            return;
        };
        item = next;
    }
    if let Some(t) = item.as_table_like_mut() {
        t.insert(last, Item::Value(value));
    }
}

fn kpi_rows(k: &[KpiFigure]) -> Vec<Vec<Cell>> {
    let n = |x: Option<f64>| x.map_or(Cell::Text(String::new()), Cell::Number);
    k.iter()
        .map(|f| {
            let d = f.difference.as_ref();
            vec![
                Cell::Text(f.label.clone()),
                Cell::Number(f.value.mean),
                n(f.value.lo),
                n(f.value.hi),
                n(d.map(|d| d.mean)),
                n(d.and_then(|d| d.lo)),
                n(d.and_then(|d| d.hi)),
            ]
        })
        .collect()
}

/// The what-if's KPIs, then the planned cost sheets of its strategy.
fn budget_xlsx(s: &Scenario, r: &WhatIfResponse) -> Result<Vec<u8>, ApiError> {
    let mut rows = kpi_rows(&r.kpis);
    rows.extend(kpi_rows(&r.service));
    rows.push(vec![Cell::Text(format!(
        "The intervals cover {}.",
        r.interval_covers
    ))]);
    let mut sheets = vec![Sheet {
        name: "What-if".into(),
        headers: [
            "KPI",
            "mean",
            "90 % lo",
            "90 % hi",
            "difference from baseline",
            "difference lo",
            "difference hi",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect(),
        rows,
        totals: false,
    }];
    let budget = omnimix_studies::tables::budget(s, &s.strategy);
    sheets.extend(omnimix_reports::budget::cost_sheets(&budget));
    let dir = tempfile::tempdir().map_err(|e| ApiError::Internal(format!("budget.xlsx: {e}")))?;
    let path = dir.path().join("budget.xlsx");
    write_workbook(&path, &s.currency, &sheets)
        .map_err(|e| ApiError::Internal(format!("budget.xlsx: {e}")))?;
    std::fs::read(&path).map_err(|e| ApiError::Internal(format!("budget.xlsx: {e}")))
}

/// `omnimix simulate`'s report of the scenario at full resolution, as one page.
fn report_html(s: &Scenario, name: &str, seed: u64) -> Result<Vec<u8>, ApiError> {
    use omnimix_sim::engine::{Local, RunOptions, Silent};
    use omnimix_sim::kpis::weekly_rows;
    use omnimix_studies::analysis::{retention_curves, retention_rows};
    use omnimix_studies::posterior::{Draws, Worlds};
    use omnimix_studies::tables::allocation_rows;
    let fail = |e: omnimix_reports::ReportError| ApiError::Internal(format!("report.html: {e}"));
    let reps = s.replications.max(1);
    let draws = Draws::none();
    let worlds = Worlds::new(s, &draws, &s.strategy, 0..reps);
    let without = Worlds::new(s, &draws, &s.strategy.without_media(None), 0..reps);
    let opts = RunOptions {
        seed,
        replications: reps,
        first_replication: 0,
        journeys: false,
    };
    let runs = worlds.run_on(&opts, &Silent, &Local);
    let runs0 = without.run_on(&opts, &Silent, &Local);
    let summary = worlds.summarise(name, seed, &runs, Some((&without, &runs0)));
    let dir = tempfile::tempdir().map_err(|e| ApiError::Internal(format!("report.html: {e}")))?;
    let out = dir.path();
    let world = worlds.first();
    omnimix_reports::write_summary(out, &summary, &draws.interval_covers(), None).map_err(fail)?;
    omnimix_reports::write_weekly(out, &weekly_rows(world, &runs)).map_err(fail)?;
    omnimix_reports::write_csv(
        &out.join("allocation.csv"),
        &allocation_rows(s, &[(name, &s.strategy)]),
    )
    .map_err(fail)?;
    omnimix_reports::write_csv(
        &out.join("retention_curves.csv"),
        &retention_rows(s, name, &retention_curves(world, &runs), true),
    )
    .map_err(fail)?;
    omnimix_reports::report::render_dir(out).map_err(fail)?;
    std::fs::read(out.join("report.html"))
        .map_err(|e| ApiError::Internal(format!("report.html: {e}")))
}
