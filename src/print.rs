//! What the commands print: figures in readers' units and the list of files written.
//!
//! Every terminal table goes through [`value`], [`interval`], [`difference`] and
//! [`diff_interval`]: money with thousands separators, in m or bn when large, and
//! its currency; shares and returns in %, differences of shares in points; customers
//! and counts whole; an interval's bounds with enough decimals to keep their sign
//! and their difference.

use omnimix_reports::html::{telling_decimals, thousands};
use omnimix_sim::kpis::Unit;
use omnimix_sim::stats::Interval;

/// How a unit is shown: scale, decimals and suffix for a value of size `size`.
fn scale(unit: Unit, size: f64, cur: &str, diff: bool) -> (f64, usize, String) {
    match unit {
        Unit::Money if size >= 1e9 => (1e-9, 2, format!(" bn {cur}")),
        Unit::Money if size >= 1e6 => (1e-6, 2, format!(" m {cur}")),
        Unit::Money => (1.0, 0, format!(" {cur}")),
        Unit::Share | Unit::Ratio if diff => (100.0, 1, " pts".into()),
        Unit::Share | Unit::Ratio => (100.0, 1, " %".into()),
        Unit::Customers | Unit::Count => (1.0, 0, String::new()),
        Unit::Minutes => (1.0, 2, " min".into()),
    }
}

fn signed(x: f64, s: String) -> String {
    if x > 0.0 { format!("+{s}") } else { s }
}

/// A value in its unit: `313.39 m EUR`, `58.6 %`, `1,234,567`, `2.35 min`.
pub fn value(x: f64, unit: Unit, cur: &str) -> String {
    let (k, d, suffix) = scale(unit, x.abs(), cur, false);
    format!("{}{suffix}", thousands(x * k, d))
}

/// A difference in its unit, signed: `+1.25 m EUR`, `-0.4 pts`.
pub fn difference(x: f64, unit: Unit, cur: &str) -> String {
    let (k, d, suffix) = scale(unit, x.abs(), cur, true);
    format!("{}{suffix}", signed(x, thousands(x * k, d)))
}

/// A mean with its interval, the unit once: `58.6 % [57.9 – 59.3]`; `-` for none.
pub fn interval(i: Option<&Interval>, unit: Unit, cur: &str) -> String {
    let Some(i) = i else { return "-".into() };
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi > lo => {
            let size = i.mean.abs().max(lo.abs()).max(hi.abs());
            let (k, d, suffix) = scale(unit, size, cur, false);
            let d = telling_decimals(&[lo * k, hi * k], d);
            format!(
                "{}{suffix} [{} – {}]",
                thousands(i.mean * k, d),
                thousands(lo * k, d),
                thousands(hi * k, d)
            )
        }
        _ => value(i.mean, unit, cur),
    }
}

/// A paired difference with its interval, signed: `+1.25 m EUR [+0.04, +2.40]`.
pub fn diff_interval(i: &Interval, unit: Unit, cur: &str) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi > lo => {
            let size = i.mean.abs().max(lo.abs()).max(hi.abs());
            let (k, d, suffix) = scale(unit, size, cur, true);
            let d = telling_decimals(&[lo * k, hi * k, i.mean * k], d);
            let f = |x: f64| signed(x, thousands(x * k, d));
            format!("{}{suffix} [{}, {}]", f(i.mean), f(lo), f(hi))
        }
        _ => difference(i.mean, unit, cur),
    }
}

/// Money in m or bn without currency, for one-line summaries (`validate`).
pub fn human(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.2} bn", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} m", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1} k", x / 1e3)
    } else {
        format!("{x:.2}")
    }
}

/// Lists written files: one line each, except charts, which are counted per folder
/// (each chart is written as SVG and PNG).
pub fn print_written(paths: &[std::path::PathBuf]) {
    let mut charts: std::collections::BTreeMap<std::path::PathBuf, usize> = Default::default();
    for p in paths {
        let is_chart = p.extension().is_some_and(|e| e == "svg" || e == "png")
            && p.parent()
                .and_then(|d| d.file_name())
                .is_some_and(|n| n == "charts");
        if is_chart {
            if p.extension().is_some_and(|e| e == "svg") {
                *charts
                    .entry(p.parent().unwrap_or(p).to_path_buf())
                    .or_default() += 1;
            }
        } else {
            println!("wrote {}", p.display());
        }
    }
    for (dir, n) in charts {
        println!(
            "wrote {n} charts to {} (each as .svg and .png)",
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(mean: f64, lo: f64, hi: f64) -> Interval {
        Interval {
            mean,
            sd: 0.0,
            lo: Some(lo),
            hi: Some(hi),
            n: 2,
        }
    }

    #[test]
    fn figures_in_readers_units() {
        assert_eq!(value(313_387_926.928_9, Unit::Money, "EUR"), "313.39 m EUR");
        assert_eq!(value(4_654.4, Unit::Money, "EUR"), "4,654 EUR");
        assert_eq!(value(1.2e10, Unit::Money, "USD"), "12.00 bn USD");
        assert_eq!(value(0.5853, Unit::Share, ""), "58.5 %");
        assert_eq!(value(1_234_567.4, Unit::Customers, ""), "1,234,567");
        assert_eq!(difference(0.004, Unit::Share, ""), "+0.4 pts");
        assert_eq!(
            difference(-40_440_000.0, Unit::Money, "EUR"),
            "-40.44 m EUR"
        );
    }

    #[test]
    fn intervals_keep_signs_and_differences() {
        assert_eq!(
            interval(Some(&iv(0.5853, 0.58, 0.59)), Unit::Share, ""),
            "58.5 % [58.0 – 59.0]"
        );
        assert_eq!(
            diff_interval(&iv(900_000.0, -39_000.0, 1_800_000.0), Unit::Money, "EUR"),
            "+0.90 m EUR [-0.04, +1.80]"
        );
        assert_eq!(interval(None, Unit::Money, "EUR"), "-");
    }
}
