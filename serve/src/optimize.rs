//! "Optimize from here": the search of `omnimix optimize` (its plan space,
//! constraints, objective and evaluation at search scale) started from a what-if,
//! on a thread of its own, one at a time. Its progress is a stream of server-sent
//! events; a cancel stops it after its current batch. The plan found is saved as a
//! variant (`optimized`, `optimized 2`, ...), with its what-if against the baseline.

use crate::api::{ApiError, blocking, parse_body};
use crate::planner::{BadRequest, FieldProblem, Planner, lock};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use omnimix_optimizer::{Observer, RayonEvaluator};
use omnimix_studies::Objective;
use omnimix_studies::optimize::{PlanSearch, SearchConfig};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::watch;

/// Evaluations a search may spend: `omnimix optimize --evals`'s lower bound, and an
/// upper bound that keeps a planner's search to minutes.
pub const EVALS: std::ops::RangeInclusive<usize> = 20..=5000;

/// A request to optimize from a what-if.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizeRequest {
    /// The what-if to start from: `KEY.PATH=VALUE` as in `--set`.
    #[serde(default)]
    pub set: Vec<String>,
    /// Simulator runs the search may spend (as `--evals`).
    #[serde(default = "default_evals")]
    pub evals: usize,
    /// What to maximise (as `--objective`).
    #[serde(default = "default_objective")]
    pub objective: String,
}

fn default_evals() -> usize {
    100
}

fn default_objective() -> String {
    "value".into()
}

/// Where an optimisation is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// No optimisation has been started.
    Idle,
    /// Searching.
    Running {
        id: u64,
        evals_done: usize,
        evals: usize,
        /// The best objective so far, in-sample at search scale.
        best: Option<f64>,
    },
    /// Found a plan, saved as the variant named.
    Done {
        id: u64,
        evals_done: usize,
        variant: String,
    },
    /// Cancelled: no plan kept.
    Cancelled { id: u64, evals_done: usize },
    /// Failed.
    Failed { id: u64, error: String },
}

impl Status {
    fn is_running(&self) -> bool {
        matches!(self, Status::Running { .. })
    }
}

/// One optimisation: its cancel flag and its status channel.
pub struct Job {
    /// Its number (1, 2, ...).
    pub id: u64,
    cancel: AtomicBool,
    status: watch::Sender<Status>,
}

impl Job {
    /// The status now.
    pub fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    /// Ask the search to stop after its batch.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

/// The search's progress into the job's status; stops on cancel.
struct Progress<'a> {
    job: &'a Job,
    evals: usize,
}

impl Observer for Progress<'_> {
    fn progress(&self, evals_done: usize, best: f64) {
        if !self.job.cancel.load(Ordering::SeqCst) {
            self.job.status.send_replace(Status::Running {
                id: self.job.id,
                evals_done,
                evals: self.evals,
                best: best.is_finite().then_some(best),
            });
        }
    }

    fn stop_requested(&self) -> bool {
        self.job.cancel.load(Ordering::SeqCst)
    }
}

fn bad(key: &str, message: String) -> BadRequest {
    BadRequest {
        problems: vec![FieldProblem {
            key: key.into(),
            message: message.clone(),
        }],
        message,
    }
}

impl Planner {
    /// The optimisation's status (the last one's when none runs).
    pub fn optimisation(&self) -> Status {
        lock(&self.job)
            .as_ref()
            .map_or(Status::Idle, |j| j.status())
    }

    /// Cancel the running optimisation; false when none runs.
    pub fn cancel_optimisation(&self) -> bool {
        match lock(&self.job).as_ref() {
            Some(j) if j.status().is_running() => {
                j.cancel();
                true
            }
            _ => false,
        }
    }

    /// Start an optimisation from a what-if (bad input: the CLI's messages; one
    /// running already: a conflict).
    pub fn start_optimisation(self: &Arc<Self>, req: OptimizeRequest) -> Result<u64, ApiError> {
        let objective: Objective = req.objective.parse().map_err(|_| {
            bad(
                "objective",
                format!(
                    "--objective {}: one of value, retention, roi, npv, revenue, pareto",
                    req.objective
                ),
            )
        })?;
        if !EVALS.contains(&req.evals) {
            return Err(bad(
                "evals",
                format!(
                    "--evals {}: between {} and {}",
                    req.evals,
                    EVALS.start(),
                    EVALS.end()
                ),
            )
            .into());
        }
        let scenario = self.load(&req.set, None)?;
        let mut cfg = SearchConfig::new(scenario);
        cfg.objective = objective;
        cfg.evals = req.evals;
        cfg.seed = self.settings().seed;
        cfg.search_scale = self.settings().search_scale;
        // the plan space's constraints, checked before the search starts
        PlanSearch::new(&cfg).map_err(|e| BadRequest::new(e.to_string()))?;
        let job = {
            let mut slot = lock(&self.job);
            if let Some(j) = slot.as_ref()
                && j.status().is_running()
            {
                return Err(ApiError::Conflict(format!(
                    "optimisation {} is running: cancel it or wait for it to end",
                    j.id
                )));
            }
            let mut n = lock(&self.jobs_started);
            *n += 1;
            let job = Arc::new(Job {
                id: *n,
                cancel: AtomicBool::new(false),
                status: watch::Sender::new(Status::Running {
                    id: *n,
                    evals_done: 0,
                    evals: req.evals,
                    best: None,
                }),
            });
            *slot = Some(job.clone());
            job
        };
        let id = job.id;
        let planner = self.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("optimisation {id}"))
            .spawn(move || {
                let end = planner.run_optimisation(&job, &cfg, req.set);
                job.status.send_replace(end);
            });
        if let Err(e) = spawned {
            if let Some(j) = lock(&self.job).as_ref() {
                j.status.send_replace(Status::Failed {
                    id,
                    error: format!("cannot start the search: {e}"),
                });
            }
            return Err(ApiError::Internal(format!("cannot start the search: {e}")));
        }
        Ok(id)
    }

    fn run_optimisation(&self, job: &Job, cfg: &SearchConfig, set: Vec<String>) -> Status {
        let id = job.id;
        let failed = |error: String| Status::Failed { id, error };
        let search = match PlanSearch::new(cfg) {
            Ok(s) => s,
            Err(e) => return failed(e.to_string()),
        };
        let observer = Progress {
            job,
            evals: cfg.evals,
        };
        let evaluator = RayonEvaluator::new(|x: &[f64], rep: u32| search.evaluate(x, rep));
        let found = search.search(&evaluator, &observer, None);
        let evals_done = match job.status() {
            Status::Running { evals_done, .. } => evals_done,
            _ => 0,
        };
        if job.cancel.load(Ordering::SeqCst) {
            return Status::Cancelled { id, evals_done };
        }
        let found = match found {
            Ok(f) => f,
            Err(e) => return failed(e.to_string()),
        };
        let plan = search.space().decode(&found.x);
        let table = match toml::Value::try_from(&plan) {
            Ok(toml::Value::Table(t)) => t,
            Ok(_) => return failed("the plan is not a table".into()),
            Err(e) => return failed(format!("the plan cannot be written: {e}")),
        };
        let name = self.free_name("optimized");
        match self.save_variant(&name, set, Some(table)) {
            Ok(v) => Status::Done {
                id,
                evals_done: found.evals_done,
                variant: v.name,
            },
            Err(e) => failed(e.message),
        }
    }
}

/// `POST /api/optimize`: 202 with the status, 400, or 409.
pub async fn start(State(p): State<Arc<Planner>>, body: Bytes) -> Result<Response, ApiError> {
    let req: OptimizeRequest = parse_body(&body)?;
    let q = p.clone();
    blocking(move || q.start_optimisation(req)).await?;
    Ok((StatusCode::ACCEPTED, Json(p.optimisation())).into_response())
}

/// `GET /api/optimize`: the status.
pub async fn status(State(p): State<Arc<Planner>>) -> Json<Status> {
    Json(p.optimisation())
}

/// `DELETE /api/optimize`: 202 when a running search was asked to stop, else 404.
pub async fn cancel(State(p): State<Arc<Planner>>) -> Result<Response, ApiError> {
    if p.cancel_optimisation() {
        Ok((StatusCode::ACCEPTED, Json(p.optimisation())).into_response())
    } else {
        Err(ApiError::NotFound("no optimisation is running".into()))
    }
}

/// `GET /api/optimize/events`: the status as server-sent events (`status`), one
/// per change, ending after the search ends (at once when none runs).
pub async fn events(
    State(p): State<Arc<Planner>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = lock(&p.job).as_ref().map(|j| j.status.subscribe());
    let first = p.optimisation();
    // state: (receiver, the status to send next, whether the stream is over)
    let s = stream::unfold(
        (rx, Some(first), false),
        |(mut rx, next, over)| async move {
            if over {
                return None;
            }
            let (status, closed) = match next {
                Some(s) => (s, false),
                None => {
                    let r = rx.as_mut()?;
                    let closed = r.changed().await.is_err();
                    let s = r.borrow_and_update().clone();
                    (s, closed)
                }
            };
            let done = closed || !status.is_running();
            let data = serde_json::to_string(&status).unwrap_or_else(|_| "{}".into());
            let event = Event::default().event("status").data(data);
            Some((Ok(event), (rx, None, done)))
        },
    );
    Sse::new(s).keep_alive(KeepAlive::default())
}
