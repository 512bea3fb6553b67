//! What the commands print: figures in readers' units and the list of files written.

pub fn fmt_interval(i: Option<&omnimix_sim::stats::Interval>, pct: bool) -> String {
    let Some(i) = i else { return "-".into() };
    let f = |x: f64| {
        if pct {
            format!("{:.1} %", x * 100.0)
        } else {
            human(x)
        }
    };
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) => format!("{} [{} – {}]", f(i.mean), f(lo), f(hi)),
        _ => f(i.mean),
    }
}

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
