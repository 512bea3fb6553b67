//! Every endpoint of the planner over HTTP (the router, no socket): valid requests,
//! bad input answered 4xx with the CLI's messages, concurrent requests, and an
//! optimisation run to its end and one cancelled.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use omnimix_serve::{Planner, PlannerOptions, router};
use omnimix_sim::{Override, ScenarioSource, scenario::load::load};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

const SMALL: &str = include_str!("../../tests/small.toml");

fn source() -> ScenarioSource {
    ScenarioSource::new("small.toml", SMALL)
}

fn planner() -> Arc<Planner> {
    let options = PlannerOptions {
        search_scale: 2,
        ..PlannerOptions::default()
    };
    Arc::new(Planner::new(source(), Vec::new(), options, None).expect("small.toml is valid"))
}

async fn call_raw(app: &Router, method: &str, uri: &str, body: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("a request");
    let resp = app.clone().oneshot(req).await.expect("the router answers");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("a body").to_bytes();
    (status, bytes.to_vec())
}

async fn call(app: &Router, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let (status, bytes) = call_raw(app, method, uri, &text).await;
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, v)
}

fn kpi<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["kpis"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["name"] == name))
        .unwrap_or_else(|| panic!("no KPI {name} in {r}"))
}

/// The message `omnimix validate --set ...` prints for the same overrides.
fn cli_message(set: &[&str]) -> String {
    let o: Vec<Override> = set.iter().map(|s| s.parse().expect("key=value")).collect();
    load(&source(), &o)
        .expect_err("invalid")
        .to_string()
        .trim_end()
        .to_string()
}

#[tokio::test]
async fn page_and_its_script_are_served_from_the_binary() {
    let app = router(planner());
    let (s, page) = call_raw(&app, "GET", "/", "").await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8(page).expect("utf-8");
    assert!(
        page.contains("app.js") && page.contains("app.css"),
        "{page}"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no network"
    );
    for asset in ["/app.js", "/app.css"] {
        let (s, body) = call_raw(&app, "GET", asset, "").await;
        assert_eq!(s, StatusCode::OK, "{asset}");
        assert!(!body.is_empty(), "{asset}");
    }
    let (s, v) = call(&app, "GET", "/nowhere", Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());
}

#[tokio::test]
async fn scenario_gives_the_controls_and_the_baseline_kpis() {
    let app = router(planner());
    let (s, v) = call(&app, "GET", "/api/scenario", Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["name"], "small");
    let codes: Vec<&str> = v["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["DE", "KE"]);
    assert_eq!(v["countries"][0]["spend"]["search"], 400_000.0);
    assert_eq!(v["countries"][0]["service_staff"]["call_centre"], 6.0);
    let b = &v["baseline"];
    assert_eq!(b["replications"], 2);
    assert_eq!(kpi(b, "cost_media")["difference"]["mean"], 0.0);
    assert!(
        b["charts"]["allocation"]
            .as_str()
            .is_some_and(|s| s.contains("<svg"))
    );
    assert!(
        b["charts"]["retention"]
            .as_str()
            .is_some_and(|s| s.contains("<svg"))
    );
    assert!(
        b["charts"]["waits"]
            .as_str()
            .is_some_and(|s| s.contains("<svg"))
    );
}

#[tokio::test]
async fn more_spend_raises_media_cost_with_a_paired_interval() {
    let app = router(planner());
    let body = json!({"set": ["strategy.annual_spend.DE.search=800000"]});
    let (s, v) = call(&app, "POST", "/api/whatif", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let media = kpi(&v, "cost_media");
    let d = &media["difference"];
    assert!(d["mean"].as_f64().is_some_and(|x| x > 0.0), "{media}");
    assert!(d["lo"].is_number() && d["hi"].is_number(), "{media}");
    assert!(!d["interval"].as_str().unwrap_or("").is_empty());
    assert!(
        v["interval_covers"]
            .as_str()
            .is_some_and(|s| s.contains("run-to-run noise") && s.contains("paired")),
        "{}",
        v["interval_covers"]
    );
}

#[tokio::test]
async fn bad_input_is_400_with_the_cli_message_and_the_server_keeps_serving() {
    let app = router(planner());
    for set in [
        "finance.annual_budget=-5",
        "strategy.service_staff.DE.call_centre=1e12",
        "horizon_weeks=abc",
    ] {
        let (s, v) = call(&app, "POST", "/api/whatif", json!({ "set": [set] })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{set}: {v}");
        assert_eq!(v["error"], cli_message(&[set]), "{set}");
        let key = set.split('=').next().unwrap_or_default();
        assert!(
            v["problems"].as_array().is_some_and(|p| p
                .iter()
                .any(|p| p["key"] == key || p["key"] == "finance.annual_budget")),
            "{set}: {v}"
        );
    }
    // not key=value: the message of --set
    let (s, v) = call(&app, "POST", "/api/whatif", json!({"set": ["budget"]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["error"].as_str().is_some_and(|m| m.starts_with("--set ")),
        "{v}"
    );
    // malformed requests
    for body in [
        "{\"set\": [",
        "[1, 2]",
        "{\"set\": [\"a=1\"], \"extra\": 1}",
        "",
    ] {
        let (s, bytes) = call_raw(&app, "POST", "/api/whatif", body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        let v: Value = serde_json::from_slice(&bytes).expect("a JSON error");
        assert!(
            v["error"]
                .as_str()
                .is_some_and(|m| m.starts_with("malformed request")),
            "{v}"
        );
    }
    let (s, _) = call(&app, "GET", "/api/scenario", Value::Null).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn concurrent_what_ifs_each_get_their_own_answer() {
    let app = router(planner());
    let spends = [100_000, 400_000, 900_000, 1_500_000];
    let ask = |spend: i32| {
        let app = app.clone();
        async move {
            let body = json!({ "set": [format!("strategy.annual_spend.DE.search={spend}")] });
            let (s, mut v) = call(&app, "POST", "/api/whatif", body).await;
            assert_eq!(s, StatusCode::OK);
            v["seconds"] = Value::Null;
            v
        }
    };
    let alone: Vec<Value> = {
        let mut out = Vec::new();
        for s in spends {
            out.push(ask(s).await);
        }
        out
    };
    let together: Vec<Value> = futures_join(spends.iter().map(|&s| tokio::spawn(ask(s)))).await;
    assert_eq!(alone, together);
    // and they differ from each other: the answers are not mixed up
    assert_ne!(alone[0], alone[3]);
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.expect("the task ends"));
    }
    out
}

#[tokio::test]
async fn a_variant_is_saved_listed_downloaded_and_deleted() {
    let app = router(planner());
    let set = "strategy.service_staff.DE.call_centre=9";
    let body = json!({"name": "more agents", "set": [set]});
    let (s, v) = call(&app, "POST", "/api/variants", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["name"], "more agents");
    let (s, v) = call(&app, "POST", "/api/variants", body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the name is taken: {v}");
    let (s, v) = call(&app, "POST", "/api/variants", json!({"name": "baseline"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["problems"][0]["key"], "name");
    let (s, list) = call(&app, "GET", "/api/variants", Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    // the TOML loads to the variant's scenario, and keeps the file's comments
    let (s, toml) = call_raw(&app, "GET", "/api/variants/more%20agents/scenario.toml", "").await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(toml).expect("utf-8");
    assert!(text.contains(set), "{text}");
    let reloaded = load(&ScenarioSource::new("variant.toml", text), &[]).expect("it loads");
    assert_eq!(reloaded.strategy.service_staff["DE"]["call_centre"], 9.0);

    let (s, plan) = call(
        &app,
        "GET",
        "/api/variants/more%20agents/plan.json",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(plan["strategy"]["service_staff"]["DE"]["call_centre"], 9.0);

    let (s, xlsx) = call_raw(&app, "GET", "/api/variants/more%20agents/budget.xlsx", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip file");

    let (s, html) = call_raw(&app, "GET", "/api/variants/more%20agents/report.html", "").await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8(html).expect("utf-8");
    assert!(
        html.contains("<html") && html.contains("<svg"),
        "a page with its charts"
    );

    let (s, _) = call_raw(&app, "GET", "/api/variants/baseline/scenario.toml", "").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(
        &app,
        "GET",
        "/api/variants/more%20agents/x.exe",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&app, "GET", "/api/variants/nobody/plan.json", Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, _) = call(&app, "DELETE", "/api/variants/more%20agents", Value::Null).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&app, "DELETE", "/api/variants/more%20agents", Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Poll the status until the optimisation is not running (bounded: no clock).
async fn wait_until_over(app: &Router) -> Value {
    for _ in 0..6000 {
        let (_, v) = call(app, "GET", "/api/optimize", Value::Null).await;
        if v["state"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the optimisation did not end");
}

#[tokio::test]
async fn optimize_from_here_streams_progress_and_saves_the_plan() {
    let app = router(planner());
    let (s, v) = call(&app, "GET", "/api/optimize", Value::Null).await;
    assert_eq!((s, &v["state"]), (StatusCode::OK, &json!("idle")));
    let body = json!({"set": ["strategy.annual_spend.DE.search=300000"], "evals": 20});
    let (s, v) = call(&app, "POST", "/api/optimize", body).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    // the event stream ends with the final status
    let (s, events) = call_raw(&app, "GET", "/api/optimize/events", "").await;
    assert_eq!(s, StatusCode::OK);
    let events = String::from_utf8(events).expect("utf-8");
    let last = events
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .next_back()
        .expect("at least one event");
    let last: Value = serde_json::from_str(last).expect("JSON");
    assert_eq!(last["state"], "done", "{events}");
    assert_eq!(last["variant"], "optimized");
    let (_, list) = call(&app, "GET", "/api/variants", Value::Null).await;
    assert_eq!(list[0]["name"], "optimized");
    assert_eq!(list[0]["optimized"], true);
    // its TOML carries the plan as [strategy] and loads
    let (s, toml) = call_raw(&app, "GET", "/api/variants/optimized/scenario.toml", "").await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(toml).expect("utf-8");
    load(&ScenarioSource::new("optimized.toml", text), &[]).expect("it loads");
}

#[tokio::test]
async fn a_cancelled_optimisation_keeps_no_plan_and_frees_the_slot() {
    let app = router(planner());
    let long = json!({"evals": 5000});
    let (s, v) = call(&app, "POST", "/api/optimize", long.clone()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["id"].clone();
    let (s, v) = call(&app, "POST", "/api/optimize", long.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "one at a time: {v}");
    let (s, _) = call(&app, "DELETE", "/api/optimize", Value::Null).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let end = wait_until_over(&app).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert_eq!(end["id"], id);
    let (_, list) = call(&app, "GET", "/api/variants", Value::Null).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "no plan kept");
    let (s, _) = call(&app, "DELETE", "/api/optimize", Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing to cancel");
    // the slot is free again
    let (s, v) = call(&app, "POST", "/api/optimize", long).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_ne!(v["id"], id);
    let (s, _) = call(&app, "DELETE", "/api/optimize", Value::Null).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(wait_until_over(&app).await["state"], "cancelled");
}

#[tokio::test]
async fn bad_optimize_requests_are_400() {
    let app = router(planner());
    for (body, key) in [
        (json!({"evals": 3}), "evals"),
        (json!({"objective": "happiness"}), "objective"),
        (
            json!({"set": ["finance.annual_budget=-1"]}),
            "finance.annual_budget",
        ),
    ] {
        let (s, v) = call(&app, "POST", "/api/optimize", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["problems"][0]["key"], key, "{v}");
    }
    let (_, v) = call(&app, "GET", "/api/optimize", Value::Null).await;
    assert_eq!(v["state"], "idle");
}
