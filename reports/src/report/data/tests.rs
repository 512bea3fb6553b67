//! Tests of [`ReportData::load`]: typed rows, missing files, and input errors that
//! name the file (and the row).

use super::*;
use crate::report::tests::{k, simulate_folder};
use omnimix_sim::kpis::Kpi;
use std::fs;

/// The input error of loading `dir`, as (file name, message).
fn load_error(dir: &Path) -> (String, String) {
    match ReportData::load(dir) {
        Err(ReportError::Input { path, message }) => (
            path.file_name().unwrap().to_string_lossy().into_owned(),
            message,
        ),
        other => panic!("expected an input error, got {other:?}"),
    }
}

const SENSITIVITY_HEADER: &str =
    "assumption,change,objective,value,base,retention,roi,npv,revenue\n";

#[test]
fn a_simulate_folder_loads_into_typed_rows_and_missing_files_are_none() {
    let dir = simulate_folder();
    let d = ReportData::load(dir.path()).unwrap();
    assert!(matches!(d.summary, RunSummary::Simulate(_)));
    assert_eq!(d.summary.own_strategy(), "current");
    assert_eq!(d.summary.objective_kpi(), None);
    let a = d.allocation.unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!((a[1].country.as_str(), a[1].spend), ("KE", 300000.0));
    let r = d.retention_curves.unwrap();
    assert_eq!(r.len(), 3 * 52);
    assert_eq!((r[0].week, r[0].retention), (1, 0.99));
    assert!(d.phases.is_none() && d.sensitivity.is_none() && d.pareto.is_none());
    assert!(d.attribution.is_none() && d.truth.is_none());
    assert_eq!(d.budget, BudgetTables::default());
}

#[test]
fn a_malformed_csv_row_is_an_input_error_naming_the_file_and_row() {
    let dir = simulate_folder();
    fs::write(
        dir.path().join("retention_curves.csv"),
        "series,country,week,retention\ncurrent,DE,1,0.9\ncurrent,DE,1,0.8\ncurrent,DE,two,0.7\n",
    )
    .unwrap();
    let (file, message) = load_error(dir.path());
    assert_eq!(file, "retention_curves.csv");
    assert!(message.contains("row 3"), "{message}");
}

#[test]
fn a_budget_copy_with_a_short_row_is_an_input_error_naming_it() {
    let dir = simulate_folder();
    fs::write(
        dir.path().join("budget_by_channel.csv"),
        "channel,annual spend\nsearch,100\nemail\n",
    )
    .unwrap();
    let (file, message) = load_error(dir.path());
    assert_eq!(file, "budget_by_channel.csv");
    assert!(message.contains("row 2"), "{message}");
}

#[test]
fn an_unknown_kpi_in_sensitivity_csv_is_an_error_at_load() {
    let dir = simulate_folder();
    fs::write(
        dir.path().join("sensitivity.csv"),
        format!("{SENSITIVITY_HEADER}gross margin,-0.2,roi,1,1,0.5,1,1,1\ngross margin,0.2,loyalty,1,1,0.5,1,1,1\n"),
    )
    .unwrap();
    let (file, message) = load_error(dir.path());
    assert_eq!(file, "sensitivity.csv");
    assert!(message.contains("row 2"), "{message}");
    assert!(message.contains("unknown KPI 'loyalty'"), "{message}");
}

#[test]
fn sensitivity_rows_for_two_kpis_are_an_error() {
    let dir = simulate_folder();
    fs::write(
        dir.path().join("sensitivity.csv"),
        format!("{SENSITIVITY_HEADER}gross margin,-0.2,roi,1,1,0.5,1,1,1\ngross margin,0.2,npv,1,1,0.5,1,1,1\n"),
    )
    .unwrap();
    let (file, message) = load_error(dir.path());
    assert_eq!(file, "sensitivity.csv");
    assert!(
        message.contains("row 2: objective npv differs"),
        "{message}"
    );
}

#[test]
fn sensitivity_csv_is_read_with_its_kpi() {
    let dir = simulate_folder();
    fs::write(
        dir.path().join("sensitivity.csv"),
        format!("{SENSITIVITY_HEADER}gross margin,-0.2,npv,1,2,0.5,1,1,1\n"),
    )
    .unwrap();
    let s = ReportData::load(dir.path()).unwrap().sensitivity.unwrap();
    assert_eq!(s.objective, Kpi::Npv);
    assert_eq!((s.rows[0].value, s.rows[0].base), (1.0, 2.0));
}

fn optimize_summary(objective: &str) -> serde_json::Value {
    let kpis = serde_json::json!({"retention_12m": k(0.5), "roi": k(1.2), "service": {}});
    serde_json::json!({
        "omnimix_version": "0.1.0", "scenario": "s", "currency": "EUR",
        "objective": objective, "risk": "mean", "seed": 3, "evaluations": 40,
        "search_agent_scale": 500, "replications": 2, "first_replication": 1000,
        "interval": "90 %", "plan": kpis.clone(), "current": kpis.clone(),
        "equal_split": kpis, "difference_vs_current": {"roi": k(0.1)},
        "difference_vs_equal_split": {}
    })
}

#[test]
fn an_optimize_folder_without_allocation_reads_the_plan_from_plan_csv() {
    let dir = tempfile::tempdir().unwrap();
    let summary = optimize_summary("roi").to_string();
    fs::write(dir.path().join("summary.json"), summary).unwrap();
    fs::write(
        dir.path().join("plan.csv"),
        "country,channel,spend,service_staff,specialists,share\nDE,search,5,0,1,1\n",
    )
    .unwrap();
    let d = ReportData::load(dir.path()).unwrap();
    assert_eq!(d.summary.objective_kpi(), Some(Kpi::Roi));
    assert_eq!(d.summary.own_strategy(), "plan");
    let a = d.allocation.unwrap();
    assert_eq!((a[0].strategy.as_str(), a[0].spend), ("plan", 5.0));
}

#[test]
fn an_unknown_objective_in_an_optimize_summary_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let summary = optimize_summary("loyalty").to_string();
    fs::write(dir.path().join("summary.json"), summary).unwrap();
    let (file, message) = load_error(dir.path());
    assert_eq!(file, "summary.json");
    assert!(message.starts_with("objective:"), "{message}");
}
