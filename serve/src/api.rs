//! The routes and their JSON.
//!
//! | route | what |
//! |---|---|
//! | `GET /` (`/app.js`, `/app.css`) | the page |
//! | `GET /api/scenario` | the controls' values and the baseline's KPIs |
//! | `POST /api/whatif` `{"set": ["KEY.PATH=VALUE", ...]}` | the what-if's KPIs, paired differences, charts |
//! | `GET /api/variants`, `POST /api/variants` `{"name", "set"}`, `DELETE /api/variants/NAME` | named variants |
//! | `GET /api/variants/NAME/{scenario.toml, plan.json, budget.xlsx, report.html}` | downloads (`baseline` too) |
//! | `POST /api/optimize` `{"set", "evals", "objective"}`, `GET /api/optimize`, `GET /api/optimize/events`, `DELETE /api/optimize` | "optimize from here", its progress (server-sent events) and cancellation |
//!
//! Bad input is answered `400` with `{"error": MESSAGE, "problems": [{"key", "message"}]}`:
//! the message `omnimix` prints for the same `--set`; a second optimisation while one
//! runs is `409`; an unknown variant `404`.

use crate::planner::{BadRequest, FieldProblem, Planner, Variant};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use omnimix_reports::html::{Unit, fmt, fmt_diff, range};
use omnimix_sim::kpis::Direction;
use omnimix_sim::stats::Interval;
use omnimix_sim::{Channel, Scenario};
use omnimix_studies::whatif::{Run, Settings, WhatIf};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The page and its script and style, compiled in.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
/// The page's script.
pub const APP_JS: &str = include_str!("../assets/app.js");
/// The page's style.
pub const APP_CSS: &str = include_str!("../assets/app.css");

/// A mean with its interval, and as text in the KPI's unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figure {
    pub mean: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// The mean as the reports write it (`48.2 %`, `12.3 m EUR`).
    pub text: String,
    /// The interval as text (`[47.9, 48.5] %`), empty without one.
    pub interval: String,
}

fn figure(v: &Interval, unit: Unit, currency: &str, diff: bool) -> Figure {
    let text = if diff {
        fmt_diff(v.mean, unit, currency)
    } else {
        fmt(v.mean, unit, currency)
    };
    let interval = match (v.lo, v.hi) {
        (Some(lo), Some(hi)) => range(lo, hi, unit, currency, diff),
        _ => String::new(),
    };
    Figure {
        mean: v.mean,
        lo: v.lo,
        hi: v.hi,
        text,
        interval,
    }
}

/// One KPI of a what-if.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KpiFigure {
    /// Its name in the files (`retention_12m`, `value`, `mean_wait_min.call_centre`).
    pub name: String,
    /// Its reader's name.
    pub label: String,
    /// `higher` or `lower`: which way is better.
    pub better: &'static str,
    /// Mean and interval over the replications.
    pub value: Figure,
    /// Variant − baseline, paired by replication (None: no baseline figure).
    pub difference: Option<Figure>,
}

/// The charts, as SVG documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Charts {
    /// Annual spend per country by channel.
    pub allocation: String,
    /// Company retention of the week-0 customers: baseline and what-if.
    pub retention: String,
    /// Mean wait per service channel: baseline and what-if.
    pub waits: String,
}

/// The answer to a what-if.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WhatIfResponse {
    /// Scenario name.
    pub scenario: String,
    /// Currency of money figures.
    pub currency: String,
    /// Master seed shared with the baseline.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Agents are this many times fewer than the scenario's.
    pub search_scale: u32,
    /// What the intervals cover.
    pub interval_covers: String,
    /// Company KPIs.
    pub kpis: Vec<KpiFigure>,
    /// Service KPIs per service channel.
    pub service: Vec<KpiFigure>,
    /// The charts.
    pub charts: Charts,
    /// Seconds the simulation took.
    pub seconds: f64,
}

fn better(d: Direction) -> &'static str {
    match d {
        Direction::Higher => "higher",
        Direction::Lower => "lower",
    }
}

/// The response for a what-if's comparison with the baseline.
pub fn what_if_response(
    s: &Scenario,
    w: &WhatIf,
    run: &Run,
    baseline_run: &Run,
    settings: Settings,
) -> WhatIfResponse {
    let cur = &s.currency;
    let kpis = w
        .rows
        .iter()
        .map(|r| {
            let unit = Unit::from(r.kpi.unit());
            KpiFigure {
                name: r.kpi.name().to_string(),
                label: r.kpi.label().to_string(),
                better: better(r.kpi.direction()),
                value: figure(&r.value, unit, cur, false),
                difference: Some(figure(&r.difference, unit, cur, true)),
            }
        })
        .collect();
    let service = w
        .service
        .iter()
        .map(|r| {
            let unit = Unit::from(r.kpi.unit());
            KpiFigure {
                name: format!("{}.{}", r.kpi.name(), r.channel.name()),
                label: format!("{} ({})", r.kpi.label(), r.channel.name()),
                better: better(r.kpi.direction()),
                value: figure(&r.value, unit, cur, false),
                difference: r.difference.as_ref().map(|d| figure(d, unit, cur, true)),
            }
        })
        .collect();
    WhatIfResponse {
        scenario: s.name.clone(),
        currency: cur.clone(),
        seed: settings.seed,
        replications: settings.replications,
        search_scale: settings.search_scale,
        interval_covers: w.interval_covers.clone(),
        kpis,
        service,
        charts: crate::charts::draw(s, run, baseline_run),
        seconds: 0.0,
    }
}

/// A what-if request: `--set` overrides of the scenario.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// `KEY.PATH=VALUE` as in `--set`.
    #[serde(default)]
    pub set: Vec<String>,
}

/// A request to save a variant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantRequest {
    /// Its name.
    pub name: String,
    /// `KEY.PATH=VALUE` as in `--set`.
    #[serde(default)]
    pub set: Vec<String>,
}

/// A saved variant as the page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct VariantInfo {
    pub name: String,
    pub set: Vec<String>,
    /// Whether its strategy is an optimized plan.
    pub optimized: bool,
    pub result: WhatIfResponse,
}

impl From<&Variant> for VariantInfo {
    fn from(v: &Variant) -> VariantInfo {
        VariantInfo {
            name: v.name.clone(),
            set: v.set.clone(),
            optimized: v.strategy.is_some(),
            result: v.result.clone(),
        }
    }
}

/// One country's controls.
#[derive(Debug, Clone, Serialize)]
pub struct CountryControls {
    pub code: String,
    pub name: String,
    /// Annual spend per channel.
    pub spend: BTreeMap<String, f64>,
    /// Service staff (FTE) per channel.
    pub service_staff: BTreeMap<String, f64>,
    /// Integration initiative → start week (those planned).
    pub integration: BTreeMap<String, u32>,
}

/// The scenario's controls and the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    pub origin: String,
    pub currency: String,
    pub annual_budget: f64,
    pub horizon_weeks: u32,
    pub volatility: f64,
    pub creative_share: f64,
    /// Every channel, in order; the service channels; the channels with staff.
    pub channels: Vec<String>,
    pub staffed_channels: Vec<String>,
    pub initiatives: Vec<String>,
    pub countries: Vec<CountryControls>,
    /// The overrides of `omnimix serve --set` (part of the baseline).
    pub base_set: Vec<String>,
    pub baseline: WhatIfResponse,
}

fn scenario_info(p: &Planner) -> ScenarioInfo {
    let s = p.baseline();
    let st = &s.strategy;
    let countries = s
        .countries
        .iter()
        .map(|(code, c)| CountryControls {
            code: code.clone(),
            name: c.name.clone(),
            spend: Channel::ALL
                .iter()
                .map(|ch| (ch.name().to_string(), st.spend_of(code, *ch)))
                .collect(),
            service_staff: st.service_staff.get(code).cloned().unwrap_or_default(),
            integration: st.integration.get(code).cloned().unwrap_or_default(),
        })
        .collect();
    ScenarioInfo {
        name: s.name.clone(),
        description: s.description.clone(),
        origin: p.source().origin.clone(),
        currency: s.currency.clone(),
        annual_budget: s.finance.annual_budget,
        horizon_weeks: s.horizon_weeks,
        volatility: s.finance.volatility,
        creative_share: st.creative_share,
        channels: Channel::ALL.iter().map(|c| c.name().to_string()).collect(),
        staffed_channels: vec!["call_centre".into(), "live_chat".into(), "store".into()],
        initiatives: omnimix_sim::scenario::INITIATIVES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        countries,
        base_set: p.base_set().to_vec(),
        baseline: p.baseline_result().clone(),
    }
}

/// An error answer.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot run (the CLI's messages).
    Bad(BadRequest),
    /// 404.
    NotFound(String),
    /// 409: the slot is taken.
    Conflict(String),
    /// 500: the server failed (a bug; it keeps serving).
    Internal(String),
}

impl From<BadRequest> for ApiError {
    fn from(b: BadRequest) -> ApiError {
        ApiError::Bad(b)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    problems: &'a [FieldProblem],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message, problems) = match &self {
            ApiError::Bad(b) => (StatusCode::BAD_REQUEST, b.message.as_str(), &b.problems[..]),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m.as_str(), &[][..]),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, m.as_str(), &[][..]),
            ApiError::Internal(m) => (StatusCode::INTERNAL_SERVER_ERROR, m.as_str(), &[][..]),
        };
        (
            status,
            Json(ErrorBody {
                error: message,
                problems,
            }),
        )
            .into_response()
    }
}

/// A JSON body, or 400 with what is wrong in it.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::Bad(BadRequest::new(format!("malformed request: {e}"))))
}

/// Run blocking work (a simulation) off the async threads; a panic in it is a 500
/// and the server keeps serving.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("the simulation failed: {e}")))?
}

type Shared = State<Arc<Planner>>;

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        INDEX_HTML,
    )
}

async fn app_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
}

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS)
}

async fn get_scenario(State(p): Shared) -> Json<ScenarioInfo> {
    Json(scenario_info(&p))
}

async fn post_what_if(State(p): Shared, body: Bytes) -> Result<Json<WhatIfResponse>, ApiError> {
    let req: WhatIfRequest = parse_body(&body)?;
    let r = blocking(move || Ok(p.what_if(&req.set, None)?.1)).await?;
    Ok(Json(r))
}

async fn list_variants(State(p): Shared) -> Json<Vec<VariantInfo>> {
    Json(p.variants().iter().map(VariantInfo::from).collect())
}

async fn post_variant(State(p): Shared, body: Bytes) -> Result<Response, ApiError> {
    let req: VariantRequest = parse_body(&body)?;
    let v = blocking(move || Ok(p.save_variant(&req.name, req.set, None)?)).await?;
    Ok((StatusCode::CREATED, Json(VariantInfo::from(&v))).into_response())
}

async fn delete_variant(
    State(p): Shared,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    if p.delete_variant(&name) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("no variant named {name}")))
    }
}

async fn download(
    State(p): Shared,
    Path((name, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (bytes, content_type, file_name) =
        blocking(move || crate::download::file(&p, &name, &file)).await?;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page or endpoint".into())
}

/// The planner's routes.
pub fn router(planner: Arc<Planner>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(app_js))
        .route("/app.css", get(app_css))
        .route("/api/scenario", get(get_scenario))
        .route("/api/whatif", axum::routing::post(post_what_if))
        .route("/api/variants", get(list_variants).post(post_variant))
        .route(
            "/api/variants/{name}",
            axum::routing::delete(delete_variant),
        )
        .route("/api/variants/{name}/{file}", get(download))
        .route(
            "/api/optimize",
            get(crate::optimize::status)
                .post(crate::optimize::start)
                .delete(crate::optimize::cancel),
        )
        .route("/api/optimize/events", get(crate::optimize::events))
        .fallback(not_found)
        .with_state(planner)
}
