//! # omnimix-serve
//!
//! The what-if planner behind `omnimix serve`: a local web server (axum on tokio)
//! with one page embedded in the binary (no network, no CDN).
//!
//! Where to find things:
//! - [`planner`]: the session's state: the scenario source, the baseline and its
//!   runs, the named variants, and the one optimisation at a time; a what-if is the
//!   scenario with `--set` overrides, loaded and validated as the CLI does, simulated
//!   at search scale on the baseline's random numbers (`omnimix_studies::whatif`).
//! - [`api`]: the request and response types (JSON) and the routes.
//! - [`optimize`]: "optimize from here": the optimizer of `omnimix optimize` on a
//!   thread, with progress (server-sent events) and cancellation.
//! - [`download`]: a variant as scenario TOML, `plan.json`, `budget.xlsx` and the
//!   full-resolution report.
//! - [`charts`]: the report's charts (allocation, retention curves, service waits)
//!   as SVG text for the page.
//! - `assets/`: the page (`index.html`, `app.js`, `app.css`), compiled in.
//!
//! ```no_run
//! use omnimix_serve::{Planner, PlannerOptions, serve};
//! use omnimix_sim::ScenarioSource;
//! # async fn run(text: String) -> Result<(), Box<dyn std::error::Error>> {
//! let source = ScenarioSource::new("my.toml", text);
//! let planner = Planner::new(source, Vec::new(), PlannerOptions::default(), None)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! serve(listener, planner, std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod api;
pub mod charts;
pub mod download;
pub mod optimize;
pub mod planner;

pub use api::router;
pub use planner::{BadRequest, Planner, PlannerOptions};

use std::future::Future;
use std::sync::Arc;

/// Serve the planner on `listener` until `shutdown` completes; a running
/// optimisation is cancelled then.
pub async fn serve(
    listener: tokio::net::TcpListener,
    planner: Planner,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let planner = Arc::new(planner);
    let app = router(planner.clone());
    // a running optimisation is cancelled first: its event streams then end, and
    // the graceful shutdown does not wait for them
    let p = planner.clone();
    let stop = async move {
        shutdown.await;
        p.cancel_optimisation();
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}
