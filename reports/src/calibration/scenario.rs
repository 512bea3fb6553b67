//! `scenario.toml`: the user's scenario file with each free parameter set to its
//! estimate, edited in place with `toml_edit` so that comments and layout stay;
//! tables the file did not have are created, `[calibrate] posterior` names the
//! draws, and the history's paths still resolve from the output folder.

use super::{Calibration, RunInfo};
use crate::ReportError;
use omnimix_sim::Scenario;
use omnimix_sim::scenario::load::{ScenarioSource, load};
use std::path::{Component, Path, PathBuf};
use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// First words of the note at the top of a calibrated scenario (a note that a
/// later calibration replaces).
const NOTE: &str = "# Calibrated by omnimix";

/// The calibrated scenario's text: `source_text` with the estimates, the posterior
/// and the history's paths rewritten for a file in `out_dir`, below a note on how
/// it was calibrated. When the file's layout cannot take a value (a key path
/// through an array, say), the whole scenario as omnimix read it is written
/// instead, with the same note.
pub fn calibrated_scenario(
    scenario: &Scenario,
    source_text: &str,
    source_path: Option<&Path>,
    out_dir: &Path,
    c: &Calibration,
    info: &RunInfo,
) -> Result<String, ReportError> {
    let target = out_dir.join("scenario.toml");
    let encode = |message: String| ReportError::Encode {
        path: target.clone(),
        message,
    };
    let note = note(c, info);
    let base = source_path
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let edited = edit(scenario, drop_note(source_text), base, out_dir, c)
        .map(|doc| format!("{note}\n{doc}"))
        .and_then(|text| check(&text, &target, c).map(|()| text));
    match edited {
        Ok(text) => Ok(text),
        Err(_) => {
            let text = format!("{note}\n{}", whole(scenario, base, out_dir, c)?);
            check(&text, &target, c).map_err(encode)?;
            Ok(text)
        }
    }
}

/// The note at the top: the history, the fit's budget and seed (never the time).
fn note(c: &Calibration, info: &RunInfo) -> String {
    let mut from = format!("the history in {}", info.history);
    if let Some(l) = &info.lift {
        from += &format!(", lift tests in {l}");
    }
    if let Some(k) = &info.cohorts {
        from += &format!(", cohorts in {k}");
    }
    let holdout = match info.holdout_weeks {
        0 => String::new(),
        1 => ", the last week held out".into(),
        n => format!(", the last {n} weeks held out"),
    };
    format!(
        "{NOTE} from {from}:\n\
         # {} simulated histories of {} replication{} each, seed {}{holdout}.\n\
         # Each free parameter of [calibrate.params] is set to its estimate (the posterior\n\
         # median); [calibrate] posterior names the draws that simulate, optimize and\n\
         # compare use, one per replication.\n",
        c.evaluations,
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.seed,
    )
}

/// The text without an earlier calibration's note (its lines up to the first blank one).
fn drop_note(text: &str) -> &str {
    if !text.starts_with(NOTE) {
        return text;
    }
    match text.find("\n\n") {
        Some(i) => &text[i + 2..],
        None => text,
    }
}

/// The user's file with the estimates, the posterior and the rewritten paths.
fn edit(
    scenario: &Scenario,
    text: &str,
    base: &Path,
    out_dir: &Path,
    c: &Calibration,
) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let tree = toml::Value::try_from(scenario).map_err(|e| e.to_string())?;
    for (path, x) in &c.estimate {
        let segs: Vec<&str> = path.split('.').collect();
        let integer = segs
            .iter()
            .try_fold(&tree, |v, s| v.get(*s))
            .is_some_and(toml::Value::is_integer);
        let comment = c.params.iter().find(|p| &p.path == path).map(|p| {
            format!(
                "  # calibrated: 90 % interval [{}, {}]",
                short(p.lo),
                short(p.hi)
            )
        });
        let value = if integer {
            Value::from(x.round() as i64)
        } else {
            Value::from(*x)
        };
        set(doc.as_table_mut(), &segs, value, comment.as_deref(), false)
            .map_err(|e| format!("{path}: {e}"))?;
    }
    let k = doc
        .as_table_mut()
        .entry("calibrate")
        .or_insert_with(|| Item::Table(Table::new()));
    let k = k
        .as_table_like_mut()
        .ok_or_else(|| "calibrate is not a table".to_string())?;
    for key in ["data", "lift_tests", "cohorts"] {
        if let Some(Item::Value(v)) = k.get_mut(key)
            && let Some(p) = v.as_str()
        {
            let moved = relocate(p, base, out_dir);
            replace(v, Value::from(moved));
        }
    }
    match k.get_mut("posterior") {
        Some(Item::Value(v)) => replace(v, Value::from("posterior.csv")),
        _ => {
            k.insert("posterior", Item::Value(Value::from("posterior.csv")));
        }
    }
    Ok(doc.to_string())
}

/// Set the value at `segs` below `t`, creating the tables on the way (inline
/// tables inside inline ones, dotted inside dotted); an existing value keeps its
/// decoration and, when it has no comment of its own, gets `comment`.
fn set(
    t: &mut dyn TableLike,
    segs: &[&str],
    value: Value,
    comment: Option<&str>,
    inline: bool,
) -> Result<(), String> {
    let Some((first, rest)) = segs.split_first() else {
        return Err("empty key path".into());
    };
    if rest.is_empty() {
        match t.get_mut(first) {
            Some(Item::Value(v)) => {
                let bare = v
                    .decor()
                    .suffix()
                    .and_then(|s| s.as_str())
                    .is_none_or(|s| s.trim().is_empty());
                replace(v, value);
                if let (true, false, Some(c)) = (bare, inline, comment) {
                    v.decor_mut().set_suffix(c);
                }
            }
            Some(_) => return Err(format!("{first} is not a value")),
            None => {
                let mut v = value;
                if let (false, Some(c)) = (inline, comment) {
                    v.decor_mut().set_suffix(c);
                }
                t.insert(first, Item::Value(v));
            }
        }
        return Ok(());
    }
    if t.get(first).is_none() {
        let child = if inline {
            Item::Value(Value::InlineTable(InlineTable::new()))
        } else {
            let mut tb = Table::new();
            // a table that only holds tables needs no header of its own
            tb.set_implicit(rest.len() > 1);
            tb.set_dotted(t.is_dotted());
            Item::Table(tb)
        };
        t.insert(first, child);
    }
    let Some(item) = t.get_mut(first) else {
        return Err(format!("{first} cannot be created"));
    };
    let inline = inline || matches!(item, Item::Value(_));
    let Some(inner) = item.as_table_like_mut() else {
        return Err(format!("{first} is not a table"));
    };
    set(inner, rest, value, comment, inline)
}

/// Replace a value, keeping the space and comments around it.
fn replace(v: &mut Value, new: Value) {
    let decor = v.decor().clone();
    *v = new;
    *v.decor_mut() = decor;
}

/// A number with four significant digits, for comments.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A path of the scenario (relative to `base`, its folder) as seen from `out_dir`:
/// relative when both can be resolved, absolute otherwise; absolute paths stay.
fn relocate(p: &str, base: &Path, out_dir: &Path) -> String {
    if Path::new(p).is_absolute() {
        return p.to_string();
    }
    let target = base.join(p);
    let abs = |q: &Path| q.canonicalize().or_else(|_| std::path::absolute(q));
    match (abs(&target), out_dir.canonicalize()) {
        (Ok(t), Ok(o)) => relative(&t, &o).to_string_lossy().into_owned(),
        (Ok(t), Err(_)) => t.to_string_lossy().into_owned(),
        _ => target.to_string_lossy().into_owned(),
    }
}

/// `target` relative to the folder `from` (both absolute).
fn relative(target: &Path, from: &Path) -> PathBuf {
    let t: Vec<Component> = target.components().collect();
    let f: Vec<Component> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// The whole scenario as omnimix read it, with the estimates and the posterior (the
/// fallback when the user's file cannot be edited in place).
fn whole(
    scenario: &Scenario,
    base: &Path,
    out_dir: &Path,
    c: &Calibration,
) -> Result<String, ReportError> {
    let encode = |message: String| ReportError::Encode {
        path: out_dir.join("scenario.toml"),
        message,
    };
    let mut s = scenario
        .with_values(c.estimate.iter().map(|(p, x)| (p.as_str(), *x)))
        .map_err(encode)?;
    let k = &mut s.calibrate;
    for p in [&mut k.data, &mut k.lift_tests, &mut k.cohorts]
        .into_iter()
        .flatten()
    {
        *p = relocate(p, base, out_dir);
    }
    k.posterior = Some("posterior.csv".into());
    toml::to_string(&s).map_err(|e| encode(e.to_string()))
}

/// The text loads as a scenario and carries every estimate.
fn check(text: &str, target: &Path, c: &Calibration) -> Result<(), String> {
    let s = load(&ScenarioSource::new(target.to_string_lossy(), text), &[])
        .map_err(|e| e.to_string())?;
    let tree = toml::Value::try_from(&s).map_err(|e| e.to_string())?;
    for (path, x) in &c.estimate {
        let found = path.split('.').try_fold(&tree, |v, seg| v.get(seg));
        let ok = match found {
            Some(toml::Value::Float(v)) => (v - x).abs() <= 1e-12 * x.abs().max(1.0),
            Some(toml::Value::Integer(i)) => *i as f64 == x.round(),
            _ => false,
        };
        if !ok {
            return Err(format!(
                "{path}: the written scenario reads {found:?}, not {x}"
            ));
        }
    }
    if s.calibrate.posterior.as_deref() != Some("posterior.csv") {
        return Err("calibrate.posterior is not posterior.csv".into());
    }
    Ok(())
}
