//! Tests of report.html from output folders.
use super::*;
use crate::html::Unit;
use omnimix_sim::kpis::{Kpi, ServiceKpi};
use serde_json::Value;

pub(super) fn k(mean: f64) -> Value {
    serde_json::json!({"mean": mean, "sd": 0.01, "lo": mean * 0.99, "hi": mean * 1.01, "n": 2})
}

pub(super) fn simulate_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let company = serde_json::json!({
        "retention_12m": k(0.5), "roi": k(1.2), "npv": k(2.5e6), "revenue": k(9e6),
        "cost_total": k(4e6), "active_customers": k(12000.0), "conversions": k(800.0),
        "service": {"call_centre": {"contacts": k(900.0), "mean_wait_min": k(1.5), "abandon_rate": k(0.02)}}
    });
    let summary = serde_json::json!({
        "omnimix_version": "0.1.0", "scenario": "two <markets>", "strategy": "current",
        "seed": 7, "replications": 2, "horizon_weeks": 52, "currency": "KES",
        "agent_scale": 10, "agents": 7000, "customers_in_scope": 70000.0,
        "time_step": "week", "interval": "90 %",
        "company": company.clone(), "countries": {"DE": company.clone(), "KE": company}
    });
    std::fs::write(dir.path().join("summary.json"), summary.to_string()).unwrap();
    std::fs::write(
        dir.path().join("allocation.csv"),
        "strategy,country,channel,spend,service_staff,specialists\n\
         current,DE,search,400000,0,2\ncurrent,KE,store,300000,3,1\n",
    )
    .unwrap();
    let mut curves = String::from("series,country,week,retention\n");
    for c in ["DE", "KE", "company"] {
        for w in 1..=52 {
            curves += &format!("current,{c},{w},{}\n", 1.0 - w as f64 / 100.0);
        }
    }
    std::fs::write(dir.path().join("retention_curves.csv"), curves).unwrap();
    dir
}

#[test]
fn a_simulate_folder_gives_charts_and_a_self_contained_page() {
    let dir = simulate_folder();
    let files = render_dir(dir.path()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for n in [
        "allocation.svg",
        "allocation.png",
        "retention_countries.svg",
        "service_wait.png",
        "report.html",
    ] {
        assert!(names.contains(&n.to_string()), "{n} in {names:?}");
    }
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    for (id, _) in SECTIONS {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(
        html.contains("two &lt;markets&gt;"),
        "escaped scenario name"
    );
    assert!(html.contains("9.0 m KES"), "money in the currency");
    assert!(html.contains("50.0 %") && html.contains("CI [49.5, 50.5] %"));
    assert!(!html.contains("http") && !html.contains("src="));
}

#[test]
fn a_folder_without_a_summary_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        render_dir(dir.path()),
        Err(ReportError::Input { .. })
    ));
    assert!(matches!(
        render_dir(&dir.path().join("missing")),
        Err(ReportError::Input { .. })
    ));
}

#[test]
fn units_and_labels_of_kpis() {
    assert_eq!(Unit::from(Kpi::Retention12m.unit()), Unit::Percent);
    assert_eq!(Unit::from(Kpi::Npv.unit()), Unit::MoneyShort);
    assert_eq!(Unit::from(ServiceKpi::MeanWaitMin.unit()), Unit::Minutes);
    assert_eq!(Unit::from(ServiceKpi::AbandonRate.unit()), Unit::Percent);
    assert_eq!(Unit::from(Kpi::Conversions.unit()), Unit::Count);
    assert_eq!(Kpi::Retention.label(), "12-month retention");
}

#[test]
fn a_summary_with_an_unknown_kpi_is_an_input_error_naming_the_file() {
    let dir = simulate_folder();
    let p = dir.path().join("summary.json");
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"npv\"", "\"npvv\"");
    std::fs::write(&p, text).unwrap();
    match render_dir(dir.path()) {
        Err(ReportError::Input { path, message }) => {
            assert_eq!(path, p);
            assert!(message.contains("unknown KPI 'npvv'"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_sensitivity_table_for_an_unknown_kpi_is_an_input_error() {
    let dir = simulate_folder();
    std::fs::write(
        dir.path().join("sensitivity.csv"),
        "assumption,change,objective,value,base,retention,roi,npv,revenue\n\
         gross margin,-0.2,loyalty,0.5,0.5,0.5,1,1,1\n",
    )
    .unwrap();
    match render_dir(dir.path()) {
        Err(ReportError::Input { path, message }) => {
            assert!(path.ends_with("sensitivity.csv"));
            assert!(message.contains("unknown KPI 'loyalty'"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_malformed_data_row_is_an_input_error_naming_the_file_and_row() {
    let dir = simulate_folder();
    std::fs::write(
        dir.path().join("allocation.csv"),
        "strategy,country,channel,spend,service_staff,specialists\n\
         current,DE,search,400000,0,2\ncurrent,KE,store,lots,3,1\n",
    )
    .unwrap();
    match render_dir(dir.path()) {
        Err(ReportError::Input { path, message }) => {
            assert!(path.ends_with("allocation.csv"), "{}", path.display());
            assert!(message.contains("row 2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_chosen_plan_that_its_variants_dominate_is_explained() {
    let dir = simulate_folder();
    // the chosen spend (1 ×) is beaten by the 1.5 × variant on retention and ROI
    std::fs::write(
        dir.path().join("response_curves.csv"),
        "channel,multiplier,annual_spend,chosen,retention,roi,npv,revenue,cost_total\n\
         search,0.5,200000,false,0.50,0.10,1,1,1\n\
         search,1,400000,true,0.52,0.12,1,1,1\n\
         search,1.5,600000,false,0.53,0.15,1,1,1\n",
    )
    .unwrap();
    render_dir(dir.path()).unwrap();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("1 of the variants beat the chosen plan on both retention and ROI"),
        "the dominated choice is explained"
    );
    assert!(html.contains("coarse estimate (search scale, 1 replication)"));
}
