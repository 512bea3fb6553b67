//! `optimize --checkpoint / --resume` and Ctrl-C: what a checkpoint refuses, and an
//! interrupted search saved and resumed to the same plan.

use crate::util::*;
use std::fs;
use std::path::Path;

const QUICK: [&str; 6] = [
    "--evals",
    "40",
    "--search-scale",
    "2",
    "--replications",
    "2",
];

/// A quick optimize of the small scenario into `d/out` checkpointed in `d/cp`.
fn checkpointed(d: &Dir, out: &str, extra: &[&str]) -> std::process::Output {
    let cp = d.join("cp");
    let mut a: Vec<&str> = QUICK.to_vec();
    a.extend(["--checkpoint", cp.to_str().unwrap()]);
    a.extend_from_slice(extra);
    run_small(d, "optimize", out, &a)
}

/// Rewrite the checkpoint with `edit` applied and, when `reseal`, a checksum that
/// matches the new content.
pub fn edit_checkpoint(file: &Path, reseal: bool, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
    edit(&mut v);
    if reseal {
        let o = v.as_object_mut().unwrap();
        o.remove("checksum");
        let sum = format!(
            "fnv1a64:{:016x}",
            omnimix_studies::calibrate::replay::fnv1a64(&serde_json::to_vec(o).unwrap())
        );
        o.insert("checksum".into(), sum.into());
    }
    fs::write(file, serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn resume_refuses_a_checkpoint_of_another_objective_scenario_or_risk() {
    let d = Dir::new();
    let o = checkpointed(&d, "first", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_bad_input(
        &checkpointed(&d, "x", &["--resume", "--objective", "roi"]),
        &["written by another run", "objective value (this run: roi)"],
    );
    assert_bad_input(
        &checkpointed(
            &d,
            "x",
            &["--resume", "--set", "countries.DE.population=9000"],
        ),
        &["written by another run", "the scenario differs"],
    );
    assert_bad_input(
        &checkpointed(
            &d,
            "x",
            &["--resume", "--risk", "cvar:0.2", "--phases", "2"],
        ),
        &["risk mean (this run: cvar:0.2)", "phases 1 (this run: 2)"],
    );
    assert_bad_input(
        &checkpointed(&d, "x", &["--resume", "--objective", "pareto"]),
        &["objective value (this run: pareto)"],
    );
    // the matching run resumes
    let o = checkpointed(&d, "again", &["--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        fs::read(d.join("first/plan.json")).unwrap(),
        fs::read(d.join("again/plan.json")).unwrap()
    );
}

#[test]
fn resume_refuses_an_edited_checkpoint_and_more_evaluations_than_evals() {
    let d = Dir::new();
    let o = checkpointed(&d, "first", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let file = d.join("cp/checkpoint.json");
    let original = fs::read(&file).unwrap();
    // a hand edit without a matching checksum
    edit_checkpoint(&file, false, |v| v["state"]["steps"] = 1.into());
    assert_bad_input(
        &checkpointed(&d, "x", &["--resume"]),
        &["edited or damaged", "checksum does not match"],
    );
    // a consistent file that claims more evaluations than --evals allows
    fs::write(&file, &original).unwrap();
    edit_checkpoint(&file, true, |v| v["state"]["evals_done"] = 100_000.into());
    assert_bad_input(
        &checkpointed(&d, "x", &["--resume"]),
        &["100000 evaluations were done, more than --evals 40 allows"],
    );
    assert!(!d.join("x/plan.json").exists(), "nothing was run");
    // not a checkpoint at all
    fs::write(&file, "{}").unwrap();
    assert_bad_input(
        &checkpointed(&d, "x", &["--resume"]),
        &["is not a checkpoint"],
    );
}

#[test]
fn optimize_prints_one_line_per_stage_when_stderr_is_not_a_terminal() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("out");
    let mut a = vec![
        "optimize",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend(QUICK);
    let o = run(&a);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [
        "search: started, 40 evaluations at 1/2 of the agents",
        "search: 40 evaluations done in ",
        "comparison: started, ",
        "comparison: done in ",
        "analysis: started, ",
        "analysis: ",
        "report: started, ",
        "files written in ",
    ] {
        assert!(err.contains(line), "stderr should contain {line:?}:\n{err}");
    }
    let order: Vec<usize> = ["search:", "comparison:", "analysis:", "report:"]
        .iter()
        .map(|s| err.find(s).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{err}");
    // --quiet: nothing on stderr
    a.push("-q");
    let o = run(&a);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[cfg(unix)]
#[test]
fn ctrl_c_saves_the_search_in_the_out_folder_and_resume_reaches_the_same_plan() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let args = |out: &str| -> Vec<String> {
        [
            "optimize",
            f.to_str().unwrap(),
            "--evals",
            "1500",
            "--search-scale",
            "1",
            "--replications",
            "2",
            "--seed",
            "9",
            "--no-report",
            "--out",
            d.join(out).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let whole = args("whole");
    let o = run(&whole.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let cut = args("cut");
    let (code, err) = crate::util::interrupt(
        &cut.iter().map(String::as_str).collect::<Vec<_>>(),
        "search: started",
    );
    assert_eq!(code, Some(130), "exit code after Ctrl-C:\n{err}");
    assert!(
        !err.contains("search: 1500 evaluations done"),
        "interrupted mid-search:\n{err}"
    );
    let cp = d.join("cut/checkpoint.json");
    let saved: serde_json::Value = serde_json::from_str(&fs::read_to_string(&cp).unwrap()).unwrap();
    let done = saved["state"]["evals_done"].as_u64().unwrap();
    assert!(done > 0 && done < 1500, "{done} evaluations saved");
    assert!(
        !d.join("cut/plan.json").exists(),
        "an interrupted run writes no plan"
    );
    // the exact command to resume
    let cut_dir = d.join("cut");
    let resume = format!("--checkpoint {} --resume", cut_dir.to_str().unwrap());
    assert!(err.contains("resume it with"), "{err}");
    assert!(err.contains(&resume), "{err}");
    let mut r = cut.clone();
    r.extend([
        "--checkpoint".into(),
        cut_dir.to_str().unwrap().into(),
        "--resume".into(),
    ]);
    let o = run(&r.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for file in ["plan.json", "summary.json"] {
        assert_eq!(
            fs::read(d.join("whole").join(file)).unwrap(),
            fs::read(d.join("cut").join(file)).unwrap(),
            "{file}"
        );
    }
}
