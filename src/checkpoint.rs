//! `optimize --checkpoint DIR` and `calibrate --checkpoint DIR`: the file
//! `DIR/checkpoint.json`.
//!
//! The file holds the state (a search's, or a fit's simulated answers) and the
//! identity of the run that wrote it (everything that changes the work: for a search
//! a hash of the validated scenario after `--set`, objective, risk, phases, fixes,
//! search scale, target, seed, evaluations, replications, hand-made starts, the
//! posterior's draws; for a fit the scenario, the history, the free parameters, seed,
//! evaluations, replications, draws and holdout), with a checksum of its content.
//! `--resume` refuses, as bad input, a file whose checksum does not match (edited or
//! damaged), a file written by a run with another identity (naming what differs) and
//! a search state with more evaluations done than `--evals` allows. On Ctrl-C the
//! state is saved and the command that resumes it printed ([`interrupted`]).

use crate::config::checkpoint_file;
use crate::interrupt::Interrupted;
use omnimix_optimizer::{ParetoState, SearchState, TargetState};
use omnimix_studies::Objective;
use omnimix_studies::calibrate::{Problem, ReplayLog};
use omnimix_studies::optimize::{Resume, SearchConfig};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

/// Layout of the checkpoint file; another layout is refused.
const FORMAT: &str = "omnimix checkpoint 1";

pub use omnimix_studies::calibrate::replay::fnv1a64;

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

    /// The identity of a calibration: the scenario (with its `[calibrate]` table after
    /// the flags), the history, the free parameters and the fit's options.
    pub fn of_calibration(p: &Problem) -> Identity {
        let scenario = serde_json::to_vec(&p.scenario).unwrap_or_default();
        let data = serde_json::to_vec(&p.observed).unwrap_or_default();
        let params: Vec<String> = p.params.iter().map(|f| f.path.clone()).collect();
        Identity(vec![
            (
                "scenario",
                Value::from(format!(
                    "{} (hash {:016x})",
                    p.scenario.name,
                    fnv1a64(&scenario)
                )),
            ),
            (
                "data",
                Value::from(format!(
                    "{} weeks (hash {:016x})",
                    p.observed.weeks(),
                    fnv1a64(&data)
                )),
            ),
            ("params", Value::from(params)),
            ("seed", Value::from(p.seed)),
            ("evals", Value::from(p.evaluations)),
            ("replications", Value::from(p.replications)),
            ("draws", Value::from(p.draws)),
            ("holdout", Value::from(p.holdout)),
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
impl StateKind for ReplayLog {
    const KIND: &'static str = "calibration";
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
/// A checkpoint file's content after the checks every kind shares: the format, the
/// checksum and the run's identity.
fn read_content(file: &Path, identity: &Identity) -> Result<Map<String, Value>, String> {
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
    Ok(content)
}

/// A calibration's checkpoint: the simulated answers so far.
pub fn read_calibration(file: &Path, identity: &Identity) -> Result<ReplayLog, String> {
    let mut content = read_content(file, identity)?;
    let kind = content
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    serde_json::from_value(content.remove("state").unwrap_or(Value::Null)).map_err(|e| {
        format!(
            "--resume: {} is not a checkpoint of a {} (it says {kind}): {e}",
            file.display(),
            ReplayLog::KIND
        )
    })
}

pub fn read(
    file: &Path,
    identity: &Identity,
    objective: Objective,
    target: bool,
    evals: usize,
) -> Result<Resume, String> {
    let f = file.display();
    let mut content = read_content(file, identity)?;
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

/// A shell word: as is when safe, else single-quoted.
fn shell_word(a: &str) -> String {
    let safe = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c));
    if safe {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// This command line with `--checkpoint DIR --resume` in place of any
/// `--checkpoint` and `--resume` it had.
fn resume_command(dir: &Path) -> String {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--checkpoint" {
            i += 2;
            continue;
        }
        if a != "--resume" && !a.starts_with("--checkpoint=") {
            words.push(shell_word(a));
        }
        i += 1;
    }
    words.push("--checkpoint".into());
    words.push(shell_word(&dir.to_string_lossy()));
    words.push("--resume".into());
    words.join(" ")
}

/// Ctrl-C: the latest state, `bytes`, is already in `--checkpoint DIR` (else it is
/// saved into `OUT/checkpoint.json`); say how to resume `what`; the error ends the
/// process with exit code 130.
pub fn interrupted(
    what: &str,
    checkpoint: Option<&Path>,
    out: &Path,
    bytes: Option<&[u8]>,
    error: Option<&anyhow::Error>,
) -> anyhow::Error {
    let Some(bytes) = bytes else {
        eprintln!("interrupted before the first batch was done: nothing to resume");
        return Interrupted.into();
    };
    let dir = checkpoint.unwrap_or(out);
    let file = checkpoint_file(dir);
    if let Some(e) = error {
        eprintln!("interrupted, and the checkpoint could not be saved: {e:#}");
        return Interrupted.into();
    }
    if checkpoint.is_none()
        && let Err(e) = omnimix_reports::write_atomic(&file, bytes)
    {
        eprintln!(
            "interrupted, and the checkpoint could not be saved: {:#}",
            anyhow::Error::from(e)
        );
        return Interrupted.into();
    }
    eprintln!(
        "interrupted: the {what} is saved in {}; resume it with\n  {}",
        file.display(),
        resume_command(dir)
    );
    Interrupted.into()
}

/// A state saved in the output folder on Ctrl-C is stale once a run into that folder
/// succeeds (unless that run checkpoints there itself).
pub fn remove_stale(checkpoint: Option<&Path>, out: &Path) {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if checkpoint.is_none_or(|c| !same(c, out)) {
        let _ = std::fs::remove_file(checkpoint_file(out));
    }
}
