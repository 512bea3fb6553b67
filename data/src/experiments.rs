//! Lift tests ([`read_lift_tests`]) and retention cohorts ([`read_cohorts`]): what
//! experiments and the customer base say beyond the weekly totals.

use crate::error::DataError;
use crate::history::{History, channel_of, country_column};
use crate::table::{Row, Table};
use crate::week::WeekKey;
use omnimix_sim::{Channel, Scenario};
use std::collections::HashMap;
use std::path::Path;

/// z of a two-sided 90 % normal interval.
const Z90: f64 = 1.644_853_626_951_472_2;

/// What a lift test measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiftOutcome {
    /// Incremental orders (`incremental_orders`).
    Orders,
    /// Incremental revenue (`incremental_revenue`).
    Revenue,
}

/// How sure a lift test is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Uncertainty {
    /// The file gives none.
    Unknown,
    /// A 90 % interval (`lo`, `hi`).
    Interval90 {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// A standard error (`se`).
    StandardError(f64),
}

/// One experiment: the orders or revenue a channel added in a country between two
/// weeks (both included).
#[derive(Debug, Clone, PartialEq)]
pub struct LiftTest {
    /// The file it was read from.
    pub origin: String,
    /// Its row (header = row 1).
    pub row: usize,
    /// Country code of the scenario.
    pub country: String,
    /// The channel tested.
    pub channel: Channel,
    /// First week of the test, as written (a date or a week number).
    pub start: WeekKey,
    /// Last week of the test, as written.
    pub end: WeekKey,
    /// What was measured.
    pub outcome: LiftOutcome,
    /// The incremental orders or revenue over the test (may be negative).
    pub incremental: f64,
    /// Its uncertainty.
    pub uncertainty: Uncertainty,
}

impl LiftTest {
    /// The standard error: as given, or from the 90 % interval ((hi − lo) / (2 · 1.645)).
    pub fn standard_error(&self) -> Option<f64> {
        match self.uncertainty {
            Uncertainty::Unknown => None,
            Uncertainty::Interval90 { lo, hi } => Some((hi - lo) / (2.0 * Z90)),
            Uncertainty::StandardError(se) => Some(se),
        }
    }

    /// The test's weeks as positions in `history` (first, last; both included); an
    /// error naming the row and column when a week lies outside the history. A date
    /// falls in the history's week that starts on or less than 7 days before it.
    pub fn weeks(&self, history: &History) -> Result<(usize, usize), DataError> {
        let first = resolve(&self.origin, self.row, "start", self.start, history)?;
        let last = resolve(&self.origin, self.row, "end", self.end, history)?;
        Ok((first, last))
    }
}

/// Where a cohort starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortStart {
    /// The customers at week 0 (`initial`).
    Initial,
    /// The customers acquired in the period starting that week.
    Week(WeekKey),
}

/// A retention figure: the share of a cohort still active after `k` periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The file it was read from.
    pub origin: String,
    /// Its row (header = row 1).
    pub row: usize,
    /// Country code of the scenario.
    pub country: String,
    /// The cohort: the customers at week 0, or those acquired in the period of
    /// `period_weeks` weeks starting at a week.
    pub start: CohortStart,
    /// Length of a period in weeks (≥ 1).
    pub period_weeks: u32,
    /// Periods after the cohort's period.
    pub k: u32,
    /// Share of the cohort still active after `k` periods, between 0 and 1.
    pub share_active: f64,
}

impl Cohort {
    /// The position in `history` of the week the cohort starts (`None` for the
    /// initial customers); an error when it lies outside the history.
    pub fn start_week(&self, history: &History) -> Result<Option<usize>, DataError> {
        match self.start {
            CohortStart::Initial => Ok(None),
            CohortStart::Week(w) => {
                resolve(&self.origin, self.row, "cohort_start", w, history).map(Some)
            }
        }
    }
}

fn resolve(
    file: &str,
    row: usize,
    column: &str,
    week: WeekKey,
    history: &History,
) -> Result<usize, DataError> {
    history
        .week_position(week)
        .ok_or_else(|| DataError::OutsideHistory {
            file: file.to_string(),
            row,
            column: column.to_string(),
            week: week.to_string(),
            span: format!(
                "{} to {}",
                history.week_labels.first().map_or("", String::as_str),
                history.week_labels.last().map_or("", String::as_str)
            ),
        })
}

fn required(t: &Table, name: &str) -> Result<usize, DataError> {
    t.column(name).ok_or_else(|| DataError::MissingColumn {
        file: t.file.clone(),
        what: name.to_string(),
        found: t.header_list(),
    })
}

fn week_cell(t: &Table, row: &Row, col: usize) -> Result<WeekKey, DataError> {
    if t.text(row, col).is_none() {
        return Err(t.cell_error(
            row,
            col,
            "a week: an ISO date (2024-01-01) or a week number",
        ));
    }
    t.week(row, col)
}

/// Read lift tests (CSV or the first sheet of a spreadsheet): columns `country`
/// (optional for a one-country scenario), `channel`, `start`, `end` (ISO dates or
/// week numbers, kept as written; resolve them with [`LiftTest::weeks`]), and
/// `incremental_orders` or `incremental_revenue` (when the file has both, each row
/// fills one); optionally `lo` and `hi` (a 90 % interval) or `se` (a standard
/// error).
pub fn read_lift_tests(path: &Path, scenario: &Scenario) -> Result<Vec<LiftTest>, DataError> {
    let t = Table::read(path, None)?;
    let country = country_column(&t, None, scenario)?;
    let channel = required(&t, "channel")?;
    let start = required(&t, "start")?;
    let end = required(&t, "end")?;
    let orders = t.column("incremental_orders");
    let revenue = t.column("incremental_revenue");
    if orders.is_none() && revenue.is_none() {
        return Err(DataError::MissingColumn {
            file: t.file.clone(),
            what: "incremental_orders or incremental_revenue".into(),
            found: t.header_list(),
        });
    }
    let (lo, hi) = (t.column("lo"), t.column("hi"));
    if lo.is_some() != hi.is_some() {
        return Err(DataError::MissingColumn {
            file: t.file.clone(),
            what: if lo.is_some() { "hi" } else { "lo" }.into(),
            found: t.header_list(),
        });
    }
    let se = t.column("se");
    let mut out = Vec::new();
    for row in &t.rows {
        let country = crate::history::country_of(&t, row, country, scenario)?;
        let channel = channel_of(&t, row, channel)?;
        let (start_w, end_w) = (week_cell(&t, row, start)?, week_cell(&t, row, end)?);
        if start_w.is_date() != end_w.is_date() || end_w < start_w {
            return Err(t.cell_error(
                row,
                end,
                &format!("a week of the same kind as start ({start_w}) and not before it"),
            ));
        }
        let o = orders
            .map(|c| t.number(row, c).map(|v| (c, v)))
            .transpose()?;
        let r = revenue
            .map(|c| t.number(row, c).map(|v| (c, v)))
            .transpose()?;
        let (outcome, incremental) = match (o, r) {
            (Some((_, Some(x))), None | Some((_, None))) => (LiftOutcome::Orders, x),
            (None | Some((_, None)), Some((_, Some(x)))) => (LiftOutcome::Revenue, x),
            (Some((_, Some(_))), Some((c, Some(_)))) => {
                return Err(t.cell_error(
                    row,
                    c,
                    "an empty cell: a row gives incremental_orders or incremental_revenue, not both",
                ));
            }
            (o, r) => {
                let c = o.or(r).map_or(0, |(c, _)| c);
                return Err(t.cell_error(
                    row,
                    c,
                    "a number: the incremental orders or revenue of the test",
                ));
            }
        };
        let interval = match (lo, hi) {
            (Some(l), Some(h)) => match (t.number(row, l)?, t.number(row, h)?) {
                (None, None) => None,
                (Some(a), Some(b)) if a <= b => Some((a, b)),
                (Some(_), Some(_)) => {
                    return Err(t.cell_error(row, h, "a number ≥ lo"));
                }
                (None, Some(_)) => return Err(t.cell_error(row, l, "a number (hi is given)")),
                (Some(_), None) => return Err(t.cell_error(row, h, "a number (lo is given)")),
            },
            _ => None,
        };
        let se_value = match se {
            Some(c) => match t.number(row, c)? {
                Some(x) if x < 0.0 => return Err(t.cell_error(row, c, "a number ≥ 0")),
                Some(_) if interval.is_some() => {
                    return Err(t.cell_error(
                        row,
                        c,
                        "an empty cell: a row gives lo and hi or se, not both",
                    ));
                }
                x => x,
            },
            None => None,
        };
        let uncertainty = match (interval, se_value) {
            (Some((lo, hi)), _) => Uncertainty::Interval90 { lo, hi },
            (None, Some(se)) => Uncertainty::StandardError(se),
            (None, None) => Uncertainty::Unknown,
        };
        out.push(LiftTest {
            origin: t.file.clone(),
            row: row.number,
            country,
            channel,
            start: start_w,
            end: end_w,
            outcome,
            incremental,
            uncertainty,
        });
    }
    Ok(out)
}

/// Read retention cohorts (CSV or the first sheet of a spreadsheet): columns
/// `country` (optional for a one-country scenario), `cohort_start` (`initial` for
/// the customers at week 0, else the ISO date or week number the cohort's
/// acquisition period starts), `period_weeks` (whole, ≥ 1), `k` (whole, ≥ 0) and
/// `share_active` (between 0 and 1). The same country × cohort × period × k twice is
/// an error naming both rows.
pub fn read_cohorts(path: &Path, scenario: &Scenario) -> Result<Vec<Cohort>, DataError> {
    let t = Table::read(path, None)?;
    let country = country_column(&t, None, scenario)?;
    let start = required(&t, "cohort_start")?;
    let period = required(&t, "period_weeks")?;
    let k = required(&t, "k")?;
    let share = required(&t, "share_active")?;
    let mut out = Vec::new();
    let mut seen: HashMap<(String, String, u32, u32), usize> = HashMap::new();
    for row in &t.rows {
        let country = crate::history::country_of(&t, row, country, scenario)?;
        let cohort_start = match t.text(row, start) {
            Some(s) if s.eq_ignore_ascii_case("initial") => CohortStart::Initial,
            _ => match t.week(row, start) {
                Ok(w) => CohortStart::Week(w),
                Err(_) => {
                    return Err(t.cell_error(
                        row,
                        start,
                        "initial, an ISO date (2024-01-01) or a week number",
                    ));
                }
            },
        };
        let whole = |col: usize, min: f64| -> Result<u32, DataError> {
            match t.number(row, col)? {
                Some(x) if x.fract() == 0.0 && x >= min && x <= f64::from(u32::MAX) => Ok(x as u32),
                _ => Err(t.cell_error(row, col, &format!("a whole number ≥ {min}"))),
            }
        };
        let period_weeks = whole(period, 1.0)?;
        let k_value = whole(k, 0.0)?;
        let share_active = match t.number(row, share)? {
            Some(x) if (0.0..=1.0).contains(&x) => x,
            _ => return Err(t.cell_error(row, share, "a share between 0 and 1")),
        };
        let start_text = match cohort_start {
            CohortStart::Initial => "initial".to_string(),
            CohortStart::Week(w) => w.to_string(),
        };
        let key = (country.clone(), start_text.clone(), period_weeks, k_value);
        if let Some(first) = seen.insert(key, row.number) {
            return Err(DataError::Duplicate {
                file: t.file.clone(),
                first,
                second: row.number,
                key: format!(
                    "country {country}, cohort_start {start_text}, period_weeks {period_weeks}, k {k_value}"
                ),
            });
        }
        out.push(Cohort {
            origin: t.file.clone(),
            row: row.number,
            country,
            start: cohort_start,
            period_weeks,
            k: k_value,
            share_active,
        });
    }
    Ok(out)
}
