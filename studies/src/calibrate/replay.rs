//! Checkpoints of a fit: the simulated answers so far, batch by batch.
//!
//! A fit is deterministic given its answers (its own random numbers come from the
//! seed), so a fit that starts again with the answers of an interrupted one asks for
//! the same batches in the same order: [`Replay`] serves them from the log instead of
//! simulating, and the resumed fit ends exactly where an uninterrupted one would.
//! A batch that is not the one logged (another build of omnimix) ends the replay
//! there; everything after it is simulated again.

use omnimix_optimizer::{Candidate, Evaluation, Evaluator};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// 64-bit FNV-1a: a fixed, documented hash (unlike std's `DefaultHasher`, the same
/// in every Rust version).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One batch: what was asked (a hash of its candidates) and the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedBatch {
    /// FNV-1a of the candidates' points and replications, in hex.
    pub key: String,
    /// Each candidate's answer; a non-finite value is `null`.
    pub answers: Vec<Vec<Option<f64>>>,
}

/// The answers of a fit so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayLog {
    /// Batches in the order the fit asked for them.
    pub batches: Vec<LoggedBatch>,
}

impl ReplayLog {
    /// Simulated histories (candidates) in the log.
    pub fn histories(&self) -> usize {
        self.batches.iter().map(|b| b.answers.len()).sum()
    }
}

fn key(batch: &[Candidate]) -> String {
    let mut bytes = Vec::with_capacity(batch.len() * 40);
    for c in batch {
        for x in &c.x {
            bytes.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        bytes.extend_from_slice(&c.replication.to_le_bytes());
        bytes.push(0xff);
    }
    format!("{:016x}", fnv1a64(&bytes))
}

struct State {
    log: ReplayLog,
    /// Batches served so far (from the log or simulated).
    next: usize,
    replayed: usize,
}

/// An evaluator that serves logged batches and logs new ones; `saved` hears the log
/// after every batch it simulates.
pub struct Replay<'a> {
    inner: &'a dyn Evaluator,
    state: Mutex<State>,
    saved: &'a (dyn Fn(&ReplayLog) + Sync),
}

impl<'a> Replay<'a> {
    /// Replay `log` (empty for a fresh fit) in front of `inner`.
    pub fn new(
        inner: &'a dyn Evaluator,
        log: ReplayLog,
        saved: &'a (dyn Fn(&ReplayLog) + Sync),
    ) -> Replay<'a> {
        Replay {
            inner,
            state: Mutex::new(State {
                log,
                next: 0,
                replayed: 0,
            }),
            saved,
        }
    }

    /// Simulated histories served from the log.
    pub fn replayed(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replayed
    }

    /// The log so far.
    pub fn log(&self) -> ReplayLog {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .log
            .clone()
    }
}

impl Evaluator for Replay<'_> {
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        let k = key(batch);
        {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let i = st.next;
            if let Some(b) = st.log.batches.get(i) {
                if b.key == k && b.answers.len() == batch.len() {
                    let out = b
                        .answers
                        .iter()
                        .map(|a| Evaluation {
                            objectives: a.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
                        })
                        .collect();
                    st.next += 1;
                    st.replayed += batch.len();
                    return out;
                }
                st.log.batches.truncate(i);
            }
        }
        let out = self.inner.evaluate(batch);
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.log.batches.push(LoggedBatch {
            key: k,
            answers: out
                .iter()
                .map(|e| {
                    e.objectives
                        .iter()
                        .map(|v| v.is_finite().then_some(*v))
                        .collect()
                })
                .collect(),
        });
        st.next += 1;
        (self.saved)(&st.log);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_optimizer::RayonEvaluator;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn fnv1a64_is_the_published_function() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    fn batch(xs: &[f64], rep: u32) -> Vec<Candidate> {
        xs.iter()
            .map(|&x| Candidate {
                x: vec![x],
                replication: rep,
            })
            .collect()
    }

    #[test]
    fn a_logged_batch_is_served_without_simulating_and_a_new_one_is_logged() {
        let calls = AtomicUsize::new(0);
        let f = |x: &[f64], r: u32| {
            calls.fetch_add(1, Ordering::Relaxed);
            vec![
                x[0] * 2.0 + f64::from(r),
                if x[0] < 0.0 { f64::NAN } else { 1.0 },
            ]
        };
        let inner = RayonEvaluator::new(f);
        let saves = AtomicUsize::new(0);
        let saved = |_: &ReplayLog| {
            saves.fetch_add(1, Ordering::Relaxed);
        };
        let first = Replay::new(&inner, ReplayLog::default(), &saved);
        let a = first.evaluate(&batch(&[1.0, -1.0], 0));
        let b = first.evaluate(&batch(&[3.0], 1));
        let log = first.log();
        assert_eq!((log.batches.len(), log.histories()), (2, 3));
        assert_eq!(
            (calls.load(Ordering::Relaxed), saves.load(Ordering::Relaxed)),
            (3, 2)
        );
        // JSON round trip keeps the values (NaN as null).
        let log: ReplayLog = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        let again = Replay::new(&inner, log, &saved);
        let a2 = again.evaluate(&batch(&[1.0, -1.0], 0));
        let b2 = again.evaluate(&batch(&[3.0], 1));
        assert_eq!(calls.load(Ordering::Relaxed), 3, "nothing simulated again");
        assert_eq!(again.replayed(), 3);
        assert_eq!(a2[0].objectives, a[0].objectives);
        assert!(a2[1].objectives[1].is_nan() && a[1].objectives[1].is_nan());
        assert_eq!(b2[0].objectives, b[0].objectives);
        // Past the log: simulated and logged.
        again.evaluate(&batch(&[5.0], 0));
        assert_eq!(calls.load(Ordering::Relaxed), 4);
        assert_eq!(again.log().batches.len(), 3);
    }

    #[test]
    fn a_batch_other_than_the_logged_one_ends_the_replay_there() {
        let inner = RayonEvaluator::new(|x: &[f64], _r: u32| vec![x[0]]);
        let saved = |_: &ReplayLog| {};
        let first = Replay::new(&inner, ReplayLog::default(), &saved);
        first.evaluate(&batch(&[1.0], 0));
        first.evaluate(&batch(&[2.0], 0));
        let again = Replay::new(&inner, first.log(), &saved);
        again.evaluate(&batch(&[1.0], 0));
        let out = again.evaluate(&batch(&[9.0], 0));
        assert_eq!(out[0].objectives, vec![9.0]);
        assert_eq!(again.replayed(), 1);
        let log = again.log();
        assert_eq!(log.batches.len(), 2);
        assert_eq!(log.batches[1].answers, vec![vec![Some(9.0)]]);
    }
}
