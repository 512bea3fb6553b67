//! Where the work runs: this process alone ([`LocalBackend`], rayon threads), or a group
//! of MPI ranks (`crate::mpi`, with the `mpi` cargo feature). The commands talk to the
//! [`Backend`] trait only; swapping backends changes no result.

use anyhow::{Context, Result};
use omnimix_optimizer::{Evaluator, RayonEvaluator};
use omnimix_sim::engine::{Local, ShardExchange};

/// One evaluation: objectives of a decision vector on one replication. A pure function
/// of its arguments, so it may run on any thread of any rank.
pub type EvalFn<'a> = dyn Fn(&[f64], u32) -> Vec<f64> + Sync + 'a;

/// What a search hands back to the backend: the decision vector every rank needs after
/// the search (the plan), or an error.
pub type SearchFn<'a> = dyn FnMut(&dyn Evaluator) -> Result<Vec<f64>> + Send + 'a;

/// The processes a command runs on.
pub trait Backend: Sync {
    /// This process's rank, `0..ranks()`. Rank 0 runs the optimizer and writes files.
    fn rank(&self) -> usize;
    /// Number of processes.
    fn ranks(&self) -> usize;
    /// True on the rank that writes files and prints.
    fn is_root(&self) -> bool {
        self.rank() == 0
    }
    /// How one big run's shards are split over the ranks (see
    /// [`omnimix_sim::engine::run_on`]); every rank must run the same replications.
    fn shards(&self) -> &dyn ShardExchange;
    /// Many evaluations. On rank 0, runs `search` with an evaluator that spreads each batch
    /// over all ranks, and returns its answer. On the other ranks, evaluates with `f`
    /// what rank 0 hands out until its search ends, and returns the same answer; `None`
    /// when rank 0's search failed (rank 0 reports the error).
    fn farm(&self, f: &EvalFn, search: &mut SearchFn) -> Result<Option<Vec<f64>>>;
    /// A command failed with exit code `code` on this rank: end every rank (fail fast).
    /// Returns when there is nothing else to end.
    fn fail(&self, _code: u8) {}
}

/// This process alone: rayon threads.
pub struct LocalBackend;

impl Backend for LocalBackend {
    fn rank(&self) -> usize {
        0
    }
    fn ranks(&self) -> usize {
        1
    }
    fn shards(&self) -> &dyn ShardExchange {
        &Local
    }
    fn farm(&self, f: &EvalFn, search: &mut SearchFn) -> Result<Option<Vec<f64>>> {
        search(&RayonEvaluator::new(f)).map(Some)
    }
}

/// Run `f` on a thread pool of the requested size (or the global pool).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .context("cannot start worker threads")?;
            Ok(pool.install(f))
        }
    }
}

/// Keeps whatever the backend needs alive until the process ends (MPI is finalised when
/// it is dropped).
pub type Guard = Box<dyn std::any::Any>;

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_optimizer::Candidate;

    #[test]
    fn local_farm_evaluates_in_batch_order_and_returns_the_answer() {
        let f = |x: &[f64], rep: u32| vec![x[0] * 10.0 + f64::from(rep)];
        let mut seen = Vec::new();
        let out = LocalBackend
            .farm(&f, &mut |ev| {
                let batch: Vec<Candidate> = (0..5)
                    .map(|i| Candidate {
                        x: vec![i as f64],
                        replication: 4 - i,
                    })
                    .collect();
                seen = ev.evaluate(&batch);
                Ok(vec![1.5])
            })
            .unwrap();
        assert_eq!(out, Some(vec![1.5]));
        let got: Vec<f64> = seen.iter().map(|e| e.objectives[0]).collect();
        assert_eq!(got, vec![4.0, 13.0, 22.0, 31.0, 40.0]);
        assert!(LocalBackend.is_root());
        assert_eq!(LocalBackend.shards().processes(), 1);
    }

    #[test]
    fn a_failed_search_is_an_error_on_the_local_backend() {
        let f = |_: &[f64], _: u32| vec![0.0];
        let r = LocalBackend.farm(&f, &mut |_| anyhow::bail!("no"));
        assert!(r.is_err());
    }
}
