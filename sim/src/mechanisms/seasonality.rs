//! Seasonality, trend and dated events
//! (docs/model.md, "Seasonality, trend and events"): a demand index per country and
//! week that scales the purchase propensity of every customer and prospect that
//! week (repeat purchases, organic conversion, the conversion chance of a paid
//! touch and of a service desk).
//!
//! d(w) = exp(Σ_k a_k sin(2πk·t/52) + b_k cos(2πk·t/52)) · (1 + trend)^(w/52) · Π events active in w,
//!
//! with t = the ISO week of year of week w − 1 (from the scenario's `start_date`,
//! else week 0 is ISO week 1 and t = w mod 52). All coefficients 0, no trend and no
//! events give d = 1 exactly (flat demand: results as without the mechanism).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A country's seasonality: Fourier coefficients of the log demand index (three
/// harmonics of the 52-week year), annual trend and dated events. Scalars, so that
/// each is a key path `--set` and `[calibrate.params]` can name, e.g.
/// `countries.DE.seasonality.cos1`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Seasonality {
    /// Coefficient of sin(2π·t/52) in the log demand index.
    pub sin1: f64,
    /// Coefficient of cos(2π·t/52).
    pub cos1: f64,
    /// Coefficient of sin(4π·t/52).
    pub sin2: f64,
    /// Coefficient of cos(4π·t/52).
    pub cos2: f64,
    /// Coefficient of sin(6π·t/52).
    pub sin3: f64,
    /// Coefficient of cos(6π·t/52).
    pub cos3: f64,
    /// Growth of demand per 52 weeks (0.05 = +5 % a year), compounded weekly.
    pub trend_annual: f64,
    /// Dated events by name (a sale, a holiday, a launch).
    pub events: BTreeMap<String, Event>,
}

/// A dated event: demand × `multiplier` for `weeks` weeks, from a week of the year
/// (every year) or from a week of the run (once). Exactly one of `week_of_year` and
/// `week` is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// ISO week of the year (1–53) the event starts in, every year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_of_year: Option<u32>,
    /// Week of the run (0 = the first) the event starts in, once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<u32>,
    /// Weeks the event lasts.
    #[serde(default = "Event::default_weeks")]
    pub weeks: u32,
    /// Demand multiplier while the event lasts (> 0; 2 = twice the demand).
    pub multiplier: f64,
}

impl Event {
    fn default_weeks() -> u32 {
        1
    }
}

/// Days from 1970-01-01 of an ISO date `YYYY-MM-DD` (years 1–9999).
///
/// ```
/// use omnimix_sim::mechanisms::seasonality::parse_date;
/// assert_eq!(parse_date("1970-01-02"), Ok(1));
/// assert_eq!(parse_date("2024-02-29"), Ok(19782));
/// assert!(parse_date("2023-02-29").is_err());
/// assert!(parse_date("2024-1-5").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<i64, String> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[r].parse::<i64>().ok())
            .flatten()
    };
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    let parts = shape
        .then(|| Some((digits(0..4)?, digits(5..7)?, digits(8..10)?)))
        .flatten();
    let Some((y, m, d)) = parts else {
        return Err("must be an ISO date YYYY-MM-DD, e.g. \"2024-01-01\"".into());
    };
    if y < 1 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err("is not a calendar date (YYYY-MM-DD)".into());
    }
    Ok(days_from_civil(y, m, d))
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Calendar date `(year, month, day)` of a day count from 1970-01-01 (proleptic
/// Gregorian; Hinnant's `civil_from_days`), the inverse of `days_from_civil`.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Calendar year of a day count from 1970-01-01.
fn year_of(days: i64) -> i64 {
    civil_from_days(days).0
}

/// ISO week of the year (1–53) of a day count from 1970-01-01.
///
/// ```
/// use omnimix_sim::mechanisms::seasonality::{iso_week, parse_date};
/// let w = |d: &str| iso_week(parse_date(d).unwrap());
/// assert_eq!(w("2024-01-01"), 1); // a Monday
/// assert_eq!(w("2021-01-03"), 53); // still 2020's last week
/// assert_eq!(w("2024-12-30"), 1); // already 2025's first week
/// ```
pub fn iso_week(days: i64) -> u32 {
    // 1970-01-01 was a Thursday; Monday = 0
    let weekday = (days + 3).rem_euclid(7);
    let thursday = days - weekday + 3;
    let jan1 = days_from_civil(year_of(thursday), 1, 1);
    ((thursday - jan1) / 7 + 1) as u32
}

/// ISO week of the year (1–53) of run week `w` (may be negative: before the run):
/// from `start` (days from 1970-01-01 of week 0), else week 0 is week 1 of a
/// 52-week year.
pub fn week_of_year(start: Option<i64>, w: i64) -> u32 {
    match start {
        Some(d) => iso_week(d + 7 * w),
        None => w.rem_euclid(52) as u32 + 1,
    }
}

/// True when `e` is on in run week `w`.
fn active(e: &Event, start: Option<i64>, w: u32) -> bool {
    let weeks = i64::from(e.weeks);
    match (e.week, e.week_of_year) {
        (Some(first), _) => w >= first && i64::from(w) < i64::from(first) + weeks,
        (None, Some(woy)) => (0..weeks).any(|back| week_of_year(start, i64::from(w) - back) == woy),
        (None, None) => false,
    }
}

/// The demand index of run week `w` (module docs); `start` is the day count of
/// week 0 ([`parse_date`] of the scenario's `start_date`).
///
/// ```
/// use omnimix_sim::mechanisms::seasonality::{Seasonality, demand_index, parse_date};
/// let flat = Seasonality::default();
/// assert_eq!(demand_index(&flat, None, 17), 1.0);
/// let s = Seasonality { cos1: 2f64.ln(), ..Seasonality::default() };
/// let monday = parse_date("2024-01-01").ok(); // ISO week 1
/// assert!((demand_index(&s, monday, 0) - 2.0).abs() < 1e-12);
/// assert!((demand_index(&s, monday, 26) - 0.5).abs() < 1e-12);
/// ```
pub fn demand_index(s: &Seasonality, start: Option<i64>, w: u32) -> f64 {
    let t = f64::from(week_of_year(start, i64::from(w)) - 1);
    let x = 2.0 * std::f64::consts::PI * t / 52.0;
    let mut log = 0.0;
    for (k, a, b) in [
        (1.0, s.sin1, s.cos1),
        (2.0, s.sin2, s.cos2),
        (3.0, s.sin3, s.cos3),
    ] {
        if a != 0.0 || b != 0.0 {
            log += a * (k * x).sin() + b * (k * x).cos();
        }
    }
    let mut d = log.exp();
    if s.trend_annual != 0.0 {
        d *= (1.0 + s.trend_annual).powf(f64::from(w) / 52.0);
    }
    for e in s.events.values() {
        if active(e, start, w) {
            d *= e.multiplier;
        }
    }
    d
}

/// The demand index of every week of a horizon.
pub fn demand_table(s: &Seasonality, start: Option<i64>, horizon_weeks: u32) -> Vec<f64> {
    (0..horizon_weeks)
        .map(|w| demand_index(s, start, w))
        .collect()
}

/// Problems of a country's seasonality as (key path under `base`, message, the
/// value: empty when the problem is not one value).
pub fn problems(base: &str, s: &Seasonality) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (k, v) in [
        ("sin1", s.sin1),
        ("cos1", s.cos1),
        ("sin2", s.sin2),
        ("cos2", s.cos2),
        ("sin3", s.sin3),
        ("cos3", s.cos3),
    ] {
        if !(-2.0..=2.0).contains(&v) {
            out.push((
                format!("{base}.{k}"),
                "must be between -2 and 2 (a coefficient of the log demand index)".into(),
                v.to_string(),
            ));
        }
    }
    let t = s.trend_annual;
    if !(t > -0.9 && t < 5.0) {
        out.push((
            format!("{base}.trend_annual"),
            "must be above -0.9 and below 5 (growth per year: 0.05 = +5 %)".into(),
            t.to_string(),
        ));
    }
    for (name, e) in &s.events {
        let at = format!("{base}.events.{name}");
        match (e.week_of_year, e.week) {
            (Some(_), Some(_)) | (None, None) => out.push((
                at.clone(),
                "needs exactly one of week_of_year (every year, 1-53) and week (once, a week of the run from 0)".into(),
                String::new(),
            )),
            (Some(woy), None) if !(1..=53).contains(&woy) => out.push((
                format!("{at}.week_of_year"),
                "must be between 1 and 53 (an ISO week of the year)".into(),
                woy.to_string(),
            )),
            _ => {}
        }
        if !(1..=52).contains(&e.weeks) {
            out.push((
                format!("{at}.weeks"),
                "must be between 1 and 52".into(),
                e.weeks.to_string(),
            ));
        }
        if !(e.multiplier > 0.0 && e.multiplier.is_finite()) {
            out.push((
                format!("{at}.multiplier"),
                "must be a positive number (1 = no effect, 2 = twice the demand)".into(),
                e.multiplier.to_string(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: &str) -> Option<i64> {
        parse_date(d).ok()
    }

    #[test]
    fn cos1_of_ln2_doubles_demand_in_the_first_week_of_the_year() {
        let s = Seasonality {
            cos1: 2f64.ln(),
            ..Seasonality::default()
        };
        // 2024-01-01 is the Monday of ISO week 1
        assert!((demand_index(&s, at("2024-01-01"), 0) - 2.0).abs() < 1e-12);
        // without a start date week 0 is week 1 of the year
        assert!((demand_index(&s, None, 0) - 2.0).abs() < 1e-12);
        assert!((demand_index(&s, None, 52) - 2.0).abs() < 1e-12);
        // half a year later: the trough, 1/2
        assert!((demand_index(&s, None, 26) - 0.5).abs() < 1e-12);
        // a start date in ISO week 14 moves the peak to run week 39
        let april = at("2024-04-01");
        assert_eq!(week_of_year(april, 0), 14);
        assert!((demand_index(&s, april, 39) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn trend_compounds_to_its_annual_rate_after_52_weeks() {
        let s = Seasonality {
            trend_annual: 0.05,
            ..Seasonality::default()
        };
        assert_eq!(demand_index(&s, None, 0), 1.0);
        assert!((demand_index(&s, None, 52) - 1.05).abs() < 1e-12);
        assert!((demand_index(&s, None, 104) - 1.05 * 1.05).abs() < 1e-12);
        assert!((demand_index(&s, None, 26) - 1.05f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn flat_seasonality_is_exactly_one_every_week() {
        let s = Seasonality::default();
        assert!(
            demand_table(&s, at("2023-06-15"), 200)
                .iter()
                .all(|&d| d == 1.0)
        );
    }

    #[test]
    fn events_multiply_their_weeks_only() {
        let mut s = Seasonality::default();
        s.events.insert(
            "launch".into(),
            Event {
                week_of_year: None,
                week: Some(10),
                weeks: 2,
                multiplier: 2.0,
            },
        );
        // every year from week 52 for three weeks: it wraps over the new year
        s.events.insert(
            "winter".into(),
            Event {
                week_of_year: Some(52),
                week: None,
                weeks: 3,
                multiplier: 1.5,
            },
        );
        let d = demand_table(&s, None, 110);
        assert_eq!(d[9], 1.0);
        assert_eq!(d[10], 2.0);
        assert_eq!(d[11], 2.0);
        assert_eq!(d[12], 1.0);
        // week of year 52 = run week 51 (no start date): weeks 51, 52, 53 (= 0 mod 52, 1)
        assert_eq!(d[50], 1.0);
        assert_eq!((d[51], d[52], d[53], d[54]), (1.5, 1.5, 1.5, 1.0));
        // the previous year's event reaches into weeks 0 and 1 of the run
        assert_eq!((d[0], d[1], d[2]), (1.5, 1.5, 1.0));
        assert_eq!((d[103], d[104], d[105], d[106]), (1.5, 1.5, 1.5, 1.0));
    }

    #[test]
    fn iso_weeks_follow_the_calendar() {
        assert_eq!(iso_week(parse_date("2020-12-31").unwrap()), 53);
        assert_eq!(iso_week(parse_date("2021-01-04").unwrap()), 1);
        assert_eq!(iso_week(parse_date("2026-12-05").unwrap()), 49);
        assert_eq!(iso_week(parse_date("1969-12-29").unwrap()), 1);
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("2024-00-10").is_err());
        assert!(parse_date("24-01-01").is_err());
        assert!(parse_date("2024-01-0x").is_err());
    }

    #[test]
    fn bad_values_are_named_by_their_key_path() {
        let mut s = Seasonality {
            cos2: 3.0,
            sin1: f64::NAN,
            trend_annual: -0.95,
            ..Seasonality::default()
        };
        s.events.insert(
            "x".into(),
            Event {
                week_of_year: Some(60),
                week: None,
                weeks: 0,
                multiplier: 0.0,
            },
        );
        s.events.insert(
            "y".into(),
            Event {
                week_of_year: Some(5),
                week: Some(5),
                weeks: 1,
                multiplier: 1.0,
            },
        );
        let paths: Vec<String> = problems("countries.DE.seasonality", &s)
            .into_iter()
            .map(|p| p.0)
            .collect();
        let b = "countries.DE.seasonality";
        for k in [
            "sin1",
            "cos2",
            "trend_annual",
            "events.x.week_of_year",
            "events.x.weeks",
            "events.x.multiplier",
            "events.y",
        ] {
            assert!(paths.contains(&format!("{b}.{k}")), "{k}: {paths:?}");
        }
        assert_eq!(paths.len(), 7);
    }
}
