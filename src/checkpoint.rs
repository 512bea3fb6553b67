//! `optimize --checkpoint DIR`: the file `DIR/checkpoint.json`.
//!
//! The file holds the search state and the identity of the run that wrote it
//! (everything that changes the search: a hash of the validated scenario after
//! `--set`, objective, risk, phases, fixes, search scale, target, seed, evaluations,
//! replications, hand-made starts, the posterior's draws), with a checksum of its content. `--resume`
//! refuses, as bad input, a file whose checksum does not match (edited or damaged),
//! a file written by a run with another identity (naming what differs) and a state
//! with more evaluations done than `--evals` allows.

use omnimix_optimizer::{ParetoState, SearchState, TargetState};
use omnimix_studies::Objective;
use omnimix_studies::optimize::{Resume, SearchConfig};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

/// Layout of the checkpoint file; another layout is refused.
const FORMAT: &str = "omnimix checkpoint 1";

/// 64-bit FNV-1a: a fixed, documented hash (unlike std's `DefaultHasher`, the same
/// in every Rust version), enough to notice an edited or damaged file.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn checksum(content: &Map<String, Value>) -> String {
    // serde_json writes a Value the same way each time (same key order, shortest
    // round-trip floats), so the bytes hashed on reading are those hashed on writing
    let bytes = serde_json::to_vec(content).unwrap_or_default();
    format!("fnv1a64:{:016x}", fnv1a64(&bytes))
}

/// What a checkpoint must share with the run that resumes it, as (name, value) in
/// the order they are compared and reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity(pub Vec<(&'static str, Value)>);

impl Identity {
    /// The identity of a search.
    pub fn of(cfg: &SearchConfig) -> Identity {
        let scenario = serde_json::to_vec(&cfg.scenario).unwrap_or_default();
        let fixes: Vec<String> = cfg
            .fixes
            .iter()
            .map(|(n, v)| match v {
                Some(v) => format!("{n}={v}"),
                None => n.clone(),
            })
            .collect();
        Identity(vec![
            (
                "scenario",
                Value::from(format!(
                    "{} (hash {:016x})",
                    cfg.scenario.name,
                    fnv1a64(&scenario)
                )),
            ),
            ("objective", Value::from(cfg.objective.name())),
            ("risk", Value::from(cfg.risk_name.clone())),
            ("target", cfg.target.map_or(Value::Null, Value::from)),
            ("phases", Value::from(cfg.phases)),
            ("fixes", Value::from(fixes)),
            ("search_scale", Value::from(cfg.search_scale)),
            ("seed", Value::from(cfg.seed)),
            ("evals", Value::from(cfg.evals)),
            ("replications", Value::from(cfg.final_replications)),
            ("hand_made_starts", Value::from(cfg.hand_made_starts)),
            ("posterior", posterior_identity(cfg)),
        ])
    }

    fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        )
    }

    /// What differs between a file's identity and this run's, one phrase each.
    fn differences(&self, file: &Value) -> Vec<String> {
        let show = |v: Option<&Value>| match v {
            None | Some(Value::Null) => "none".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        };
        self.0
            .iter()
            // a file written before the posterior was part of the identity had none
            .filter(|(k, v)| match file.get(*k) {
                None => !(*k == "posterior" && v.is_null()),
                Some(f) => f != v,
            })
            .map(|(k, v)| {
                if *k == "scenario" {
                    format!(
                        "the scenario differs (checkpoint: {}; this run: {}; another file or \
                         other --set values)",
                        show(file.get(*k)),
                        show(Some(v))
                    )
                } else {
                    format!("{k} {} (this run: {})", show(file.get(*k)), show(Some(v)))
                }
            })
            .collect()
    }
}

/// The posterior of a search: its file, draws and a hash of the drawn scenarios
/// (null without one).
fn posterior_identity(cfg: &SearchConfig) -> Value {
    match cfg.draws.posterior() {
        None => Value::Null,
        Some(file) => {
            let bytes = serde_json::to_vec(&cfg.draws.scenarios).unwrap_or_default();
            Value::from(format!(
                "{file} ({} draws, hash {:016x})",
                cfg.draws.len(),
                fnv1a64(&bytes)
            ))
        }
    }
}

/// The kind of search a state belongs to, as stored in the file.
pub trait StateKind: Serialize {
    const KIND: &'static str;
}
impl StateKind for SearchState {
    const KIND: &'static str = "single-objective search";
}
impl StateKind for ParetoState {
    const KIND: &'static str = "Pareto search";
}
impl StateKind for TargetState {
    const KIND: &'static str = "target search";
}

/// The file's bytes for a state of a run with `identity`.
pub fn encode<S: StateKind>(identity: &Identity, state: &S) -> Result<Vec<u8>, serde_json::Error> {
    let mut content = Map::new();
    content.insert("format".into(), Value::from(FORMAT));
    content.insert(
        "omnimix_version".into(),
        Value::from(env!("CARGO_PKG_VERSION")),
    );
    content.insert("kind".into(), Value::from(S::KIND));
    content.insert("run".into(), identity.to_json());
    content.insert("state".into(), serde_json::to_value(state)?);
    let sum = checksum(&content);
    content.insert("checksum".into(), Value::from(sum));
    let mut bytes = serde_json::to_vec(&Value::Object(content))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Read `file` for a run with `identity` (a search of `evals` evaluations, of the kind
/// `objective` and `target` ask for); the error says why the file is refused (bad
/// input).
pub fn read(
    file: &Path,
    identity: &Identity,
    objective: Objective,
    target: bool,
    evals: usize,
) -> Result<Resume, String> {
    let f = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("--resume: cannot read {f}: {e}"))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("--resume: {f} is not a checkpoint (not JSON: {e})"))?;
    let Value::Object(mut content) = value else {
        return Err(format!("--resume: {f} is not a checkpoint"));
    };
    if content.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format!(
            "--resume: {f} is not a checkpoint of this omnimix (format {}, this build reads \
             \"{FORMAT}\")",
            content
                .get("format")
                .map_or("none".into(), ToString::to_string)
        ));
    }
    let stored = content.remove("checksum");
    if stored.as_ref().and_then(Value::as_str) != Some(checksum(&content).as_str()) {
        return Err(format!(
            "--resume: {f} was edited or damaged (its checksum does not match its content); \
             start again without --resume"
        ));
    }
    let run = content.get("run").cloned().unwrap_or(Value::Null);
    let diff = identity.differences(&run);
    if !diff.is_empty() {
        return Err(format!(
            "--resume: {f} was written by another run: {}; resume with the flags and \
             scenario of that run, or start again without --resume",
            diff.join("; ")
        ));
    }
    let state = content.remove("state").unwrap_or(Value::Null);
    let kind = content.get("kind").and_then(Value::as_str).unwrap_or("");
    let not = |want: &str, e: serde_json::Error| {
        format!("--resume: {f} is not a checkpoint of a {want} (it says {kind}): {e}")
    };
    let (resume, done) = if target {
        let s: TargetState =
            serde_json::from_value(state).map_err(|e| not(TargetState::KIND, e))?;
        let done = s.current.as_ref().map_or(0, |(_, c)| c.evals_done());
        (Resume::Target(s), done)
    } else if objective == Objective::Pareto {
        let s: ParetoState =
            serde_json::from_value(state).map_err(|e| not(ParetoState::KIND, e))?;
        let done = s.evals_done();
        (Resume::Pareto(s), done)
    } else {
        let s: SearchState =
            serde_json::from_value(state).map_err(|e| not(SearchState::KIND, e))?;
        let done = s.evals_done();
        (Resume::Search(s), done)
    };
    if done > evals {
        return Err(format!(
            "--resume: {f} says {done} evaluations were done, more than --evals {evals} \
             allows"
        ));
    }
    Ok(resume)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_is_the_published_function() {
        // reference values of FNV-1a 64
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
