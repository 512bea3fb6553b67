//! The MPI backend (cargo feature `mpi`): the only module of omnimix that speaks MPI.
//!
//! - One huge run (`simulate`): every rank builds and steps every N-th of the global
//!   shards ([`omnimix_sim::engine::shard_owner`]); once per step the ranks
//!   all-gather the per-shard tallies (and journey events) and every rank folds them in
//!   global shard order, so the result is byte-identical to one process.
//! - Many evaluations (`optimize`): a task farm. Rank 0 runs the optimizer; each batch
//!   of (candidate, replication) evaluations is handed out one task at a time to the
//!   ranks that are free (rank 0 evaluates too, on its own thread), and the results
//!   are put back in batch order. An evaluation is a pure function of its task, so
//!   the answer does not depend on who evaluated what.
//! - Fail fast: a panic on any rank prints the rank and calls `MPI_Abort`, and a
//!   command that fails on any rank aborts the whole job with its exit code, so no
//!   rank waits forever for a partner that is gone. A killed rank is ended by the
//!   launcher (`mpirun`, `srun`), which then ends the job.
//! - Started without a launcher, the binary is a single rank and behaves exactly like
//!   the default build.
//!
//! Fault injection, for the tests of the above: `OMNIMIX_MPI_FAULT=KIND@RANK:N` makes rank
//! `RANK` fail at its `N`-th unit of work (an evaluation, or a step's exchange), where
//! `KIND` is `panic` (a Rust panic) or `abort` (the process dies at once, like a killed
//! rank).
//!
//! Farm figures: with `OMNIMIX_MPI_STATS=1`, every worker rank prints at the end of a
//! search its evaluations, their mean time, and how long it waited for its next task
//! after returning a result (the farm's overhead per evaluation).

use crate::backend::{Backend, EvalFn, Guard, LocalBackend, SearchFn};
use anyhow::{Context, Result, bail};
use mpi::Threading;
use mpi::datatype::PartitionMut;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use omnimix_optimizer::{Candidate, Evaluation, Evaluator};
use omnimix_sim::engine::ShardExchange;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Rank 0 → worker: `[task index, replication, x as f64 bits…]`.
const TASK: i32 = 1;
/// Worker → rank 0: `[task index, objectives as f64 bits…]`.
const RESULT: i32 = 2;
/// Rank 0 → worker: `[1, answer as f64 bits…]` after a search, `[0]` after a failed one.
const STOP: i32 = 3;

/// The environment variable of the fault injection.
pub const FAULT_VAR: &str = "OMNIMIX_MPI_FAULT";
/// The environment variable that asks workers for their farm figures.
pub const STATS_VAR: &str = "OMNIMIX_MPI_STATS";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    Panic,
    Abort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fault {
    kind: FaultKind,
    rank: usize,
    at: usize,
}

impl Fault {
    /// `KIND@RANK:N`.
    fn parse(s: &str) -> Option<Fault> {
        let (kind, rest) = s.split_once('@')?;
        let (rank, at) = rest.split_once(':')?;
        let kind = match kind {
            "panic" => FaultKind::Panic,
            "abort" => FaultKind::Abort,
            _ => return None,
        };
        Some(Fault {
            kind,
            rank: rank.parse().ok()?,
            at: at.parse().ok().filter(|&n| n >= 1)?,
        })
    }
}

/// The ranks of `MPI_COMM_WORLD`.
pub struct Mpi {
    rank: usize,
    size: usize,
    /// Rank 0 evaluates on a thread of its own while another thread hands out tasks
    /// (needs MPI_THREAD_SERIALIZED; without it rank 0 only hands out tasks).
    root_evaluates: bool,
    fault: Option<Fault>,
    /// Units of work done on this rank (for the fault injection).
    work: AtomicUsize,
    /// Print farm figures (workers).
    stats: bool,
}

fn world() -> SimpleCommunicator {
    SimpleCommunicator::world()
}

/// Initialise MPI. The guard finalises it when dropped.
pub fn start() -> Result<(Box<dyn Backend>, Guard)> {
    let fault = match std::env::var(FAULT_VAR) {
        Ok(v) => Some(Fault::parse(&v).with_context(|| {
            format!("{FAULT_VAR}={v}: expected KIND@RANK:N with KIND panic or abort, N >= 1")
        })?),
        Err(_) => None,
    };
    // Open MPI busy-polls inside blocking calls by default; on rank 0 that poll
    // shares a core with rank 0's own evaluations and slows them (measured on 2
    // ranks x 1 thread: rank 0 evaluated 31 of 94 tasks instead of half). Yielding
    // when idle keeps the farm balanced. A value set by the user wins; MPICH ignores it.
    const YIELD: &str = "OMPI_MCA_mpi_yield_when_idle";
    if std::env::var_os(YIELD).is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe { std::env::set_var(YIELD, "1") };
    }
    let Some((universe, threading)) = mpi::initialize_with_threading(Threading::Serialized) else {
        bail!("MPI was already initialised");
    };
    let w = universe.world();
    let (rank, size) = (w.rank() as usize, w.size() as usize);
    if size > 1 {
        std::panic::set_hook(Box::new(move |info| {
            eprintln!("omnimix: rank {rank} of {size} {info}\nomnimix: aborting the MPI job");
            world().abort(101);
        }));
    }
    let mpi = Mpi {
        rank,
        size,
        root_evaluates: matches!(threading, Threading::Serialized | Threading::Multiple),
        fault,
        work: AtomicUsize::new(0),
        stats: std::env::var_os(STATS_VAR).is_some_and(|v| v != "0"),
    };
    Ok((Box::new(mpi), Box::new(universe)))
}

impl Mpi {
    /// Counts a unit of work and fails here when the fault injection says so.
    fn work_unit(&self) {
        let n = self.work.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(f) = self.fault
            && f.rank == self.rank
            && f.at == n
        {
            match f.kind {
                FaultKind::Panic => panic!("injected fault ({FAULT_VAR}) at unit of work {n}"),
                FaultKind::Abort => {
                    eprintln!("omnimix: rank {}: injected abort ({FAULT_VAR})", self.rank);
                    std::process::abort()
                }
            }
        }
    }

    fn evaluate_one(&self, f: &EvalFn, x: &[f64], replication: u32) -> Vec<f64> {
        self.work_unit();
        f(x, replication)
    }

    /// Rank 0: one batch over the farm.
    fn farm_batch(&self, f: &EvalFn, batch: &[Candidate]) -> Vec<Evaluation> {
        let n = batch.len();
        let next = AtomicUsize::new(0);
        let results: Vec<OnceLock<Vec<f64>>> = (0..n).map(|_| OnceLock::new()).collect();
        if self.root_evaluates {
            std::thread::scope(|s| {
                let hand_out = s.spawn(|| self.hand_out(batch, &next, &results, true));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = batch.get(i) else { break };
                    let _ = results[i].set(self.evaluate_one(f, &c.x, c.replication));
                }
                if let Err(p) = hand_out.join() {
                    std::panic::resume_unwind(p);
                }
            });
        } else {
            self.hand_out(batch, &next, &results, false);
        }
        results
            .into_iter()
            .enumerate()
            .map(|(i, r)| Evaluation {
                objectives: r
                    .into_inner()
                    .unwrap_or_else(|| panic!("rank 0: task {i} of {n} was never evaluated")),
            })
            .collect()
    }

    /// Rank 0: keep every worker supplied until the batch is done. A worker holds up to
    /// two tasks (the one it evaluates and the next, so it never waits for rank 0
    /// between two), one only near the end of the batch (so that no worker sits on a
    /// task another could start). `lazy`: poll with pauses (rank 0 is evaluating too).
    fn hand_out(
        &self,
        batch: &[Candidate],
        next: &AtomicUsize,
        results: &[OnceLock<Vec<f64>>],
        lazy: bool,
    ) {
        let n = batch.len();
        let take = || {
            let i = next.fetch_add(1, Ordering::Relaxed);
            (i < n).then_some(i)
        };
        let left = || n.saturating_sub(next.load(Ordering::Relaxed));
        let w = world();
        let send = |to: usize, i: usize| {
            let c = &batch[i];
            let mut words = Vec::with_capacity(2 + c.x.len());
            words.push(i as u64);
            words.push(c.replication as u64);
            words.extend(c.x.iter().map(|v| v.to_bits()));
            w.process_at_rank(to as i32).send_with_tag(&words[..], TASK);
        };
        let mut held = vec![0usize; self.size];
        let mut busy = 0usize;
        // Top a worker up to what it may hold now.
        let supply = |to: usize, held: &mut [usize], busy: &mut usize| {
            while held[to] < if left() > self.size { 2 } else { 1 } {
                let Some(i) = take() else { break };
                send(to, i);
                held[to] += 1;
                *busy += 1;
            }
        };
        for to in 1..self.size {
            supply(to, &mut held, &mut busy);
        }
        let mut idle = 0u32;
        while busy > 0 {
            let probed = if lazy {
                match w.any_process().immediate_matched_probe_with_tag(RESULT) {
                    Some(m) => m,
                    None => {
                        pause(&mut idle);
                        continue;
                    }
                }
            } else {
                w.any_process().matched_probe_with_tag(RESULT)
            };
            idle = 0;
            let (words, status) = probed.matched_receive_vec::<u64>();
            let from = status.source_rank() as usize;
            let i = words
                .first()
                .map(|&i| i as usize)
                .filter(|&i| i < results.len());
            let Some(i) = i else {
                panic!("rank 0: a malformed result from rank {from}");
            };
            let _ = results[i].set(words[1..].iter().map(|&b| f64::from_bits(b)).collect());
            held[from] -= 1;
            busy -= 1;
            supply(from, &mut held, &mut busy);
        }
    }

    /// Worker: evaluate what rank 0 sends until it says stop.
    fn serve(&self, f: &EvalFn) -> Option<Vec<f64>> {
        let w = world();
        let root = w.process_at_rank(0);
        let mut idle = 0u32;
        let mut evaluating = Duration::ZERO;
        let mut waits: Vec<Duration> = Vec::new();
        let mut returned: Option<Instant> = None;
        loop {
            let Some(probed) = root.immediate_matched_probe() else {
                pause(&mut idle);
                continue;
            };
            idle = 0;
            let (words, status) = probed.matched_receive_vec::<u64>();
            let floats = |w: &[u64]| -> Vec<f64> { w.iter().map(|&b| f64::from_bits(b)).collect() };
            match status.tag() {
                TASK if words.len() >= 2 => {
                    let started = Instant::now();
                    if let Some(r) = returned {
                        waits.push(started - r);
                    }
                    let x = floats(&words[2..]);
                    let objectives = self.evaluate_one(f, &x, words[1] as u32);
                    evaluating += started.elapsed();
                    let mut out = Vec::with_capacity(1 + objectives.len());
                    out.push(words[0]);
                    out.extend(objectives.iter().map(|v| v.to_bits()));
                    root.send_with_tag(&out[..], RESULT);
                    returned = Some(Instant::now());
                }
                STOP => {
                    if self.stats {
                        self.print_stats(evaluating, &mut waits);
                    }
                    return (words.first() == Some(&1)).then(|| floats(&words[1..]));
                }
                tag => panic!(
                    "rank {}: an unexpected message (tag {tag}, {} words) from rank 0",
                    self.rank,
                    words.len()
                ),
            }
        }
    }
}

impl Mpi {
    /// A worker's farm figures, on stderr.
    fn print_stats(&self, evaluating: Duration, waits: &mut [Duration]) {
        let n = waits.len() + 1;
        let per_eval = evaluating.as_secs_f64() / n as f64;
        waits.sort();
        let at = |q: f64| {
            waits
                .get(((waits.len() as f64 - 1.0) * q).round().max(0.0) as usize)
                .map_or(0.0, |d| d.as_secs_f64())
        };
        let (median, p90) = (at(0.5), at(0.9));
        let total: f64 = waits.iter().map(|d| d.as_secs_f64()).sum();
        eprintln!(
            "omnimix: rank {} of {}: {n} evaluations, {:.1} ms each; next task after \
             {:.0} us (median, {:.2} % of an evaluation), {:.0} us (90th percentile); \
             waiting in all {:.2} % of the evaluation time (batch ends included)",
            self.rank,
            self.size,
            per_eval * 1e3,
            median * 1e6,
            100.0 * median / per_eval.max(1e-12),
            p90 * 1e6,
            100.0 * total / evaluating.as_secs_f64().max(1e-12),
        );
    }
}

/// Waits for a request to complete, with [`pause`]s.
fn wait<'a, B: ?Sized, S: mpi::request::Scope<'a>>(mut request: mpi::request::Request<'a, B, S>) {
    let mut idle = 0u32;
    loop {
        match request.test() {
            Ok(_) => return,
            Err(r) => {
                request = r;
                pause(&mut idle);
            }
        }
    }
}

/// Waiting for a message: spin briefly, then yield, then sleep in short naps (so that an
/// idle rank leaves the cores to the ranks that work).
fn pause(idle: &mut u32) {
    *idle = idle.saturating_add(1);
    match *idle {
        0..64 => std::hint::spin_loop(),
        64..512 => std::thread::yield_now(),
        512..4096 => std::thread::sleep(Duration::from_micros(20)),
        _ => std::thread::sleep(Duration::from_micros(200)),
    }
}

struct FarmEvaluator<'a, 'f> {
    mpi: &'a Mpi,
    f: &'a EvalFn<'f>,
}

impl Evaluator for FarmEvaluator<'_, '_> {
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        self.mpi.farm_batch(self.f, batch)
    }
}

impl ShardExchange for Mpi {
    fn processes(&self) -> usize {
        self.size
    }
    fn process(&self) -> usize {
        self.rank
    }
    fn all_gather(&self, local: &[u64]) -> Vec<u64> {
        self.work_unit();
        let w = world();
        let count = mpi::Count::try_from(local.len())
            .unwrap_or_else(|_| panic!("rank {}: {} words to exchange", self.rank, local.len()));
        let mut counts = vec![0 as mpi::Count; self.size];
        // Non-blocking collectives, waited for with pauses: a rank that is done with
        // its shards early leaves the core to the others instead of spinning.
        mpi::request::scope(|scope| {
            wait(w.immediate_all_gather_into(scope, &count, &mut counts[..]));
        });
        let mut displs = Vec::with_capacity(self.size);
        let mut total: usize = 0;
        for &c in &counts {
            displs.push(
                mpi::Count::try_from(total)
                    .unwrap_or_else(|_| panic!("rank {}: exchange too large", self.rank)),
            );
            total += c as usize;
        }
        let mut all = vec![0u64; total];
        {
            let mut part = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
            mpi::request::scope(|scope| {
                wait(w.immediate_all_gather_varcount_into(scope, local, &mut part));
            });
        }
        all
    }
}

impl Backend for Mpi {
    fn rank(&self) -> usize {
        self.rank
    }
    fn ranks(&self) -> usize {
        self.size
    }
    fn shards(&self) -> &dyn ShardExchange {
        self
    }
    fn farm(&self, f: &EvalFn, search: &mut SearchFn) -> Result<Option<Vec<f64>>> {
        if self.size == 1 {
            return LocalBackend.farm(f, search);
        }
        if self.rank != 0 {
            return Ok(self.serve(f));
        }
        let out = search(&FarmEvaluator { mpi: self, f });
        let mut words = vec![u64::from(out.is_ok())];
        if let Ok(x) = &out {
            words.extend(x.iter().map(|v| v.to_bits()));
        }
        let w = world();
        for to in 1..self.size {
            w.process_at_rank(to as i32).send_with_tag(&words[..], STOP);
        }
        out.map(Some)
    }
    fn fail(&self, code: u8) {
        if self.size > 1 {
            world().abort(i32::from(code));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_parse_and_bad_ones_are_refused() {
        assert_eq!(
            Fault::parse("panic@1:3"),
            Some(Fault {
                kind: FaultKind::Panic,
                rank: 1,
                at: 3
            })
        );
        assert_eq!(
            Fault::parse("abort@0:1").map(|f| f.kind),
            Some(FaultKind::Abort)
        );
        for bad in ["", "panic", "panic@1", "boom@1:2", "panic@x:2", "panic@1:0"] {
            assert_eq!(Fault::parse(bad), None, "{bad}");
        }
    }
}
