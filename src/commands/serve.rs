//! `omnimix serve`: the what-if planner (`omnimix_serve`) on a local address until
//! Ctrl-C (or SIGTERM), which stops it cleanly (exit code 0).

use crate::config::{BadInput, ServeConfig};
use anyhow::{Context, Result};
use omnimix_serve::planner::Check;
use omnimix_serve::{Planner, serve as run_server};
use std::io::Write;

/// Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: the server polls it from a task of its own, and a Ctrl-C
/// between the URL line and that first poll would otherwise end the process by the
/// signal's default action instead of stopping it cleanly. Call it inside the runtime.
fn stop_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        /// The handler's next signal; never without a handler (the signal then keeps
        /// its default action).
        async fn next(handler: Option<Signal>) {
            match handler {
                Some(mut h) => {
                    h.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        // `signal` installs each handler here, as the arguments are evaluated
        let int = next(signal(SignalKind::interrupt()).ok());
        let term = next(signal(SignalKind::terminate()).ok());
        async move {
            tokio::select! {
                _ = int => {}
                _ = term => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        // without a signal handler the server runs until killed
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Run `omnimix serve`.
pub fn serve(cfg: ServeConfig) -> Result<()> {
    if let Some(n) = cfg.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start worker threads")?;
    }
    if cfg.exposed {
        eprintln!(
            "warning: --host {}: the planner is reachable from other machines, with no login \
             and no encryption; anyone who reaches it can run simulations and read the scenario",
            cfg.addr.ip()
        );
    }
    eprintln!(
        "simulating the baseline ({} replications at 1/{} of the agents) ...",
        cfg.options.replications.unwrap_or(2),
        cfg.options.search_scale
    );
    let check: Check = Box::new(|s| crate::config::memory::check(s).map_err(|e| format!("{e:#}")));
    let planner = Planner::new(cfg.source, cfg.set, cfg.options, Some(check))
        .map_err(|e| BadInput(e.message))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server")?;
    let addr = cfg.addr;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| BadInput(format!("--host/--port {addr}: cannot listen there ({e})")))?;
        let local = listener.local_addr().context("the server's address")?;
        let stop = stop_signal();
        println!("omnimix planner: http://{local}/  (Ctrl-C stops it)");
        let _ = std::io::stdout().flush();
        run_server(listener, planner, stop)
            .await
            .context("the server failed")
    })?;
    eprintln!("planner stopped");
    Ok(())
}
