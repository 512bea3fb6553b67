//! Text and numbers for HTML: escaping, thousands separators, and values in their
//! unit (money in the scenario's currency, shares in %, differences signed).

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// `x` rounded to `decimals`, with thousands separated by commas.
///
/// ```
/// assert_eq!(omnimix_reports::html::thousands(1234567.891, 0), "1,234,568");
/// assert_eq!(omnimix_reports::html::thousands(-1234.5, 1), "-1,234.5");
/// ```
pub fn thousands(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    let zero = out.chars().all(|c| c == '0' || c == '.' || c == ',');
    if x < 0.0 && !zero {
        format!("-{out}")
    } else {
        out
    }
}

/// How a value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Money in the report's currency, no decimals.
    Money,
    /// Money in millions (or billions) with one or two decimals, for KPI tables.
    MoneyShort,
    /// A share shown as a percentage with one decimal.
    Percent,
    /// A count, no decimals.
    Count,
    /// Full-time equivalents: whole people without decimals, a part-time share
    /// with one.
    Fte,
    /// Minutes, one decimal.
    Minutes,
    /// Plain number, two decimals.
    Number,
}

/// How a KPI's unit is shown: shares and ratios as percentages, money in millions,
/// minutes as minutes, customers and counts as whole numbers.
///
/// ```
/// use omnimix_reports::html::Unit;
/// use omnimix_sim::kpis::Kpi;
/// assert_eq!(Unit::from(Kpi::Roi.unit()), Unit::Percent);
/// assert_eq!(Unit::from(Kpi::Npv.unit()), Unit::MoneyShort);
/// ```
impl From<omnimix_sim::kpis::Unit> for Unit {
    fn from(u: omnimix_sim::kpis::Unit) -> Unit {
        use omnimix_sim::kpis::Unit as K;
        match u {
            K::Share | K::Ratio => Unit::Percent,
            K::Money => Unit::MoneyShort,
            K::Minutes => Unit::Minutes,
            K::Customers | K::Count => Unit::Count,
        }
    }
}

/// Format a value in a unit (`currency` for money).
pub fn fmt(x: f64, unit: Unit, currency: &str) -> String {
    match unit {
        Unit::Money => format!("{} {currency}", thousands(x, 0)),
        Unit::MoneyShort if x.abs() >= 1e9 => format!("{} bn {currency}", thousands(x / 1e9, 2)),
        Unit::MoneyShort if x.abs() >= 1e6 => format!("{} m {currency}", thousands(x / 1e6, 1)),
        Unit::MoneyShort => format!("{} {currency}", thousands(x, 0)),
        Unit::Percent => format!("{} %", thousands(x * 100.0, 1)),
        Unit::Count => thousands(x, 0),
        Unit::Fte if (x - x.round()).abs() < 1e-9 => thousands(x, 0),
        Unit::Fte => thousands(x, 1),
        Unit::Minutes => format!("{} min", thousands(x, 2)),
        Unit::Number => thousands(x, 2),
    }
}

/// Format a difference: with a sign; shares in percentage points.
pub fn fmt_diff(x: f64, unit: Unit, currency: &str) -> String {
    let sign = if x > 0.0 { "+" } else { "" };
    match unit {
        Unit::Percent => format!("{sign}{} pts", thousands(x * 100.0, 1)),
        _ => format!("{sign}{}", fmt(x, unit, currency)),
    }
}

/// A range `[lo, hi]` with the unit written once (shares in %, or in points for
/// differences; money in m or bn when large).
pub fn range(lo: f64, hi: f64, unit: Unit, currency: &str, diff: bool) -> String {
    let sign = |x: f64, s: String| if diff && x > 0.0 { format!("+{s}") } else { s };
    let (scale, decimals, suffix) = match unit {
        Unit::Percent => (
            100.0,
            1,
            if diff {
                " pts".to_string()
            } else {
                " %".to_string()
            },
        ),
        Unit::MoneyShort | Unit::Money => {
            let big = lo.abs().max(hi.abs());
            if big >= 1e9 {
                (1e-9, 2, format!(" bn {currency}"))
            } else if big >= 1e6 {
                (1e-6, 1, format!(" m {currency}"))
            } else {
                (1.0, 0, format!(" {currency}"))
            }
        }
        Unit::Minutes => (1.0, 2, " min".to_string()),
        Unit::Count => (1.0, 0, String::new()),
        Unit::Fte => (1.0, 1, String::new()),
        Unit::Number => (1.0, 2, String::new()),
    };
    let decimals = telling_decimals(&[lo * scale, hi * scale], decimals);
    format!(
        "[{}, {}]{suffix}",
        sign(lo, thousands(lo * scale, decimals)),
        sign(hi, thousands(hi * scale, decimals))
    )
}

/// The decimals that keep values apart: at least `min`, and enough (up to `min` + 3)
/// that every non-zero value keeps its sign and first digit and every two different
/// values stay different (an interval from -39 k to +1.8 m in millions is
/// `[-0.04, +1.80]`, not `[0.0, +1.8]`).
///
/// ```
/// use omnimix_reports::html::telling_decimals;
/// assert_eq!(telling_decimals(&[-0.039, 1.8], 1), 2);
/// assert_eq!(telling_decimals(&[46.8, 47.6], 1), 1);
/// assert_eq!(telling_decimals(&[48.02, 48.04, 48.06], 0), 2);
/// ```
pub fn telling_decimals(values: &[f64], min: usize) -> usize {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let mut smallest = f64::INFINITY;
    for (i, a) in finite.iter().enumerate() {
        if *a != 0.0 {
            smallest = smallest.min(a.abs());
        }
        for b in &finite[i + 1..] {
            if a != b {
                smallest = smallest.min((a - b).abs());
            }
        }
    }
    if !smallest.is_finite() || smallest <= 0.0 {
        return min;
    }
    let needed = (-smallest.log10()).ceil().max(0.0) as usize;
    needed.clamp(min, min + 3)
}
