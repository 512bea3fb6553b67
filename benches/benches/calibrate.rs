//! `omnimix calibrate` on the shipped example, `scenarios/example-history/` (one
//! country, 104 weeks, 7 channels, 10 free parameters, a lift test), with the
//! scenario's own `[calibrate]` settings (400 simulated histories of 2 replications,
//! 8 holdout weeks), as the command runs it: reports the wall time, the CPU time
//! and simulated histories per second, and what the fit found.
//!
//! Run: `cargo bench -p omnimix-benches --bench calibrate` (all cores; set
//! `RAYON_NUM_THREADS` to use fewer).

use omnimix_optimizer::RayonEvaluator;
use omnimix_sim::ScenarioSource;
use omnimix_sim::scenario::load::load;
use omnimix_studies::calibrate::{FitObserver, FreeParam, Problem, calibrate, observed};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// CPU seconds of this process so far (user + system, from /proc/self/stat).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

/// One line per stage, with its time.
struct Stages(Mutex<Option<(String, Instant)>>);

impl FitObserver for Stages {
    fn stage(&self, name: &str) {
        let mut s = self.0.lock().unwrap();
        if let Some((prev, t)) = s.take() {
            eprintln!("  {prev}: {:.0} s", t.elapsed().as_secs_f64());
        }
        *s = Some((name.to_string(), Instant::now()));
    }
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/example-history");
    let file = dir.join("company.toml");
    let text = std::fs::read_to_string(&file).expect("the shipped example");
    let s = load(&ScenarioSource::new(file.display().to_string(), text), &[]).unwrap();
    let k = &s.calibrate;
    let history = omnimix_data::read_history(
        &dir.join(k.data.as_deref().unwrap()),
        k.sheet.as_deref(),
        &k.columns,
        &s,
    )
    .unwrap();
    let lift = match &k.lift_tests {
        Some(p) => omnimix_data::read_lift_tests(&dir.join(p), &s).unwrap(),
        None => Vec::new(),
    };
    let obs = observed::from_data(&history, &lift, &[]).unwrap();
    let problem = Problem::new(s.clone(), obs, FreeParam::of(&s));
    let ev = RayonEvaluator::new(|x: &[f64], r: u32| problem.evaluate(x, r));
    let threads = rayon::current_num_threads();
    eprintln!(
        "calibrating the example: {} weeks, {} free parameters, {} simulated histories of {} replications, {threads} threads",
        problem.observed.weeks(),
        problem.dim(),
        problem.evaluations,
        problem.replications
    );
    let stages = Stages(Mutex::new(None));
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let c = calibrate(&problem, &ev, &stages).unwrap();
    stages.stage("");
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(c0).map(|(a, b)| a - b);
    println!(
        "calibrate example: {} simulated histories in {:.0} min {:.0} s wall ({}), {:.2} histories per second, {threads} threads",
        c.evaluations,
        (wall / 60.0).floor(),
        wall % 60.0,
        cpu.map_or("CPU time not available".into(), |c| format!(
            "{:.0} min {:.0} s of CPU",
            (c / 60.0).floor(),
            c % 60.0
        )),
        c.evaluations as f64 / wall
    );
    for r in &c.params {
        println!(
            "  {:<55} {:>10.5} [{:.5}, {:.5}]",
            r.path, r.estimate, r.lo, r.hi
        );
    }
}
