//! The weekly history: [`read_history`] reads a long or wide table into a
//! [`History`] (per country: spend per channel and week, optionally impressions,
//! and the KPIs the table holds).

use crate::error::{DataError, UnevenWeeks, WeekGap};
use crate::kpi::Kpi;
use crate::table::{Row, Table};
use crate::week::WeekKey;
use omnimix_sim::scenario::calibrate::ColumnsSpec;
use omnimix_sim::{Channel, N_CHANNELS, Scenario};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A company's weekly history, per country, on one calendar of consecutive weeks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Where it was read from: the file (and the sheet of a spreadsheet).
    pub origin: String,
    /// The week column's values in order: ISO dates (`2024-01-01`) when the column
    /// holds dates, else the week numbers (`1`, `2`, …).
    pub week_labels: Vec<String>,
    /// The ISO date of week 0 when the week column holds dates.
    pub start_date: Option<String>,
    /// Per country code of the scenario.
    pub countries: BTreeMap<String, CountryHistory>,
}

/// One country's weeks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CountryHistory {
    /// Spend per week and channel (index [`Channel::index`]), in currency; 0 where the
    /// table has none.
    pub spend: Vec<[f64; N_CHANNELS]>,
    /// Impressions per week and channel, when the table has impressions.
    pub impressions: Option<Vec<[f64; N_CHANNELS]>>,
    /// The country's total of each KPI the table holds for it, per week (see
    /// [`Kpi::sums_over_channels`] for how channels add up).
    pub kpis: BTreeMap<Kpi, Vec<f64>>,
    /// Contacts, mean wait and abandon rate per service channel and week, when the
    /// table gives them per channel (0 in a week without a row for that channel).
    pub service: BTreeMap<(Kpi, Channel), Vec<f64>>,
}

impl History {
    /// Number of weeks.
    pub fn n_weeks(&self) -> usize {
        self.week_labels.len()
    }

    /// The KPIs at least one country has, in [`Kpi::ALL`] order.
    pub fn kpis_present(&self) -> Vec<Kpi> {
        let set: BTreeSet<Kpi> = self
            .countries
            .values()
            .flat_map(|c| c.kpis.keys().copied())
            .collect();
        set.into_iter().collect()
    }

    /// The position (0-based) of the week that holds `week`: for dated weeks the week
    /// whose date is on or before `week` and less than 7 days before it, for numbered
    /// weeks the week with that number. `None` when outside the history or of the
    /// other kind (a number against dated weeks).
    pub fn week_position(&self, week: WeekKey) -> Option<usize> {
        let first = WeekKey::parse(self.week_labels.first()?)?;
        match (first, week) {
            (WeekKey::Date(d0), WeekKey::Date(d)) => {
                let days = d0.days_until(d);
                let p = usize::try_from(days.div_euclid(7)).ok()?;
                (days >= 0 && p < self.n_weeks()).then_some(p)
            }
            (WeekKey::Index(i0), WeekKey::Index(i)) => {
                let p = usize::try_from(i - i0).ok()?;
                (p < self.n_weeks()).then_some(p)
            }
            _ => None,
        }
    }
}

impl CountryHistory {
    /// The KPIs this country has, in [`Kpi::ALL`] order.
    pub fn kpis_present(&self) -> Vec<Kpi> {
        self.kpis.keys().copied().collect()
    }

    /// Spend of one channel, per week.
    pub fn channel_spend(&self, channel: Channel) -> Vec<f64> {
        self.spend.iter().map(|w| w[channel.index()]).collect()
    }
}

/// A KPI column: its KPI, its service channel when it holds one channel's figure
/// (wide tables: `contacts_call_centre`), and its position.
#[derive(Debug, Clone, Copy)]
struct KpiColumn {
    kpi: Kpi,
    channel: Option<Channel>,
    col: usize,
}

/// Where spend and impressions are.
#[derive(Debug)]
enum Layout {
    /// One row per week × country × channel.
    Long {
        channel: usize,
        spend: usize,
        impressions: Option<usize>,
    },
    /// One row per week (× country), a column per channel.
    Wide {
        spend: Vec<(Channel, usize)>,
        impressions: Vec<(Channel, usize)>,
    },
}

#[derive(Debug)]
struct Columns {
    week: usize,
    country: Option<usize>,
    layout: Layout,
    kpis: Vec<KpiColumn>,
}

/// Read a company's weekly history.
///
/// - **Format**: by extension, `.xlsx`/`.xlsm`/`.xlsb`/`.xls`/`.ods` are
///   spreadsheets (the sheet `sheet`, default the first); anything else is CSV,
///   delimited by `,` or `;` (whichever the header line has more of; a `;` table
///   may write decimals with a comma, `12,5`).
/// - **Layout**: long when the table has a channel column (`channel`, or mapped by
///   `columns.channel`): one row per week × country × channel with `spend`,
///   optionally `impressions`, and KPI columns; the `weekly.csv` that `omnimix
///   simulate` writes is such a table. Wide otherwise: one row per week (×
///   country), one spend column per channel — exactly the columns of
///   `columns.spend` when it maps any, else every column named `spend_<channel>`,
///   `<channel>_spend` or `<channel>` (`spend_search`, `search_spend`, `search`) —
///   impressions alike (`columns.impressions`, else `impressions_<channel>` or
///   `<channel>_impressions`).
/// - **KPIs**: exactly the columns of `columns.kpi` when it maps any (a key
///   `contacts.call_centre` names one service channel's column), else every column
///   named after a KPI (`orders` or `conversions`, `revenue`, `active_customers`,
///   `new_customers`, `contacts`, `mean_wait_min`, `abandon_rate`) and, in a wide
///   table, per service channel `<kpi>_<channel>` (`mean_wait_min_call_centre`).
///   In a long table a country's KPI is the sum over its rows; contacts, mean wait
///   and abandon rate are read from the rows of service channels only (a paid
///   channel's `contacts` in `weekly.csv` are media touches), and a country's mean
///   wait and abandon rate are the contact-weighted mean over its service channels
///   (the plain mean when the table has no contacts, or none that week).
/// - **Weeks** (`week`, or `columns.week`): ISO dates 7 days apart or consecutive
///   week numbers; rows may come in any order. Every country needs the same weeks.
/// - **Countries** (`country`, or `columns.country`): the scenario's codes; without
///   the column the scenario must have one country, which every row belongs to.
/// - **Cells**: headers are matched ignoring case and surrounding blanks. An empty
///   spend or impressions cell is 0; an empty KPI cell is an error unless the
///   column is empty for the whole country (the country then lacks that KPI).
///   Spend and KPIs must be finite numbers ≥ 0, `abandon_rate` at most 1.
///
/// Every error is a [`DataError`] naming the file, the row (header = row 1), the
/// column, the value and what was expected.
pub fn read_history(
    path: &Path,
    sheet: Option<&str>,
    columns: &ColumnsSpec,
    scenario: &Scenario,
) -> Result<History, DataError> {
    let t = Table::read(path, sheet)?;
    let cols = resolve_columns(&t, columns, scenario)?;
    // each row: its week, country and channel
    let mut records = Vec::with_capacity(t.rows.len());
    let mut seen: HashMap<(WeekKey, String, Option<Channel>), usize> = HashMap::new();
    let mut kind: Option<(WeekKey, usize)> = None;
    for row in &t.rows {
        let week = t.week(row, cols.week)?;
        match kind {
            None => kind = Some((week, row.number)),
            Some((first, n)) if first.is_date() != week.is_date() => {
                let expected = if first.is_date() {
                    format!("a date like the week of row {n} ({first})")
                } else {
                    format!("a week number like the week of row {n} ({first})")
                };
                return Err(t.cell_error(row, cols.week, &expected));
            }
            _ => {}
        }
        let country = country_of(&t, row, cols.country, scenario)?;
        let channel = match &cols.layout {
            Layout::Long { channel, .. } => Some(channel_of(&t, row, *channel)?),
            Layout::Wide { .. } => None,
        };
        let key = (week, country.clone(), channel);
        if let Some(first) = seen.get(&key) {
            let mut what = format!("week {week}");
            if cols.country.is_some() {
                what.push_str(&format!(", country {country}"));
            }
            if let Some(ch) = channel {
                what.push_str(&format!(", channel {ch}"));
            }
            return Err(DataError::Duplicate {
                file: t.file.clone(),
                first: *first,
                second: row.number,
                key: what,
            });
        }
        seen.insert(key, row.number);
        records.push(Record {
            row,
            week,
            country,
            channel,
        });
    }
    let weeks = check_weeks(&t, cols.week, &records)?;
    let pos: HashMap<WeekKey, usize> = weeks.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let mut countries = BTreeMap::new();
    let by_country: BTreeMap<&str, Vec<&Record>> =
        records.iter().fold(BTreeMap::new(), |mut m, r| {
            m.entry(r.country.as_str()).or_insert_with(Vec::new).push(r);
            m
        });
    for (code, recs) in by_country {
        let h = country_history(&t, &cols, &recs, &pos, weeks.len())?;
        countries.insert(code.to_string(), h);
    }
    Ok(History {
        origin: t.file.clone(),
        week_labels: weeks.iter().map(ToString::to_string).collect(),
        start_date: weeks
            .first()
            .filter(|w| w.is_date())
            .map(ToString::to_string),
        countries,
    })
}

struct Record<'a> {
    row: &'a Row,
    week: WeekKey,
    country: String,
    channel: Option<Channel>,
}

/// The scenario's country code a cell of column `col` names (compared ignoring case);
/// without a country column, the scenario's only country.
pub(crate) fn country_of(
    t: &Table,
    row: &Row,
    col: Option<usize>,
    scenario: &Scenario,
) -> Result<String, DataError> {
    let Some(col) = col else {
        return Ok(scenario
            .countries
            .keys()
            .next()
            .cloned()
            .unwrap_or_default());
    };
    let text = t.text(row, col).unwrap_or_default();
    scenario
        .countries
        .keys()
        .find(|k| k.eq_ignore_ascii_case(&text))
        .cloned()
        .ok_or_else(|| {
            let known = scenario
                .countries
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            t.cell_error(row, col, &format!("a country of the scenario ({known})"))
        })
}

/// The channel a cell names (omnimix's channel names, compared ignoring case).
pub(crate) fn channel_of(t: &Table, row: &Row, col: usize) -> Result<Channel, DataError> {
    let text = t.text(row, col).unwrap_or_default().to_ascii_lowercase();
    text.parse::<Channel>()
        .map_err(|_| t.cell_error(row, col, &format!("a channel ({})", Channel::all_names())))
}

/// The country column: mapped, or `country`; `None` when absent and the scenario has
/// one country.
pub(crate) fn country_column(
    t: &Table,
    mapped: Option<&str>,
    scenario: &Scenario,
) -> Result<Option<usize>, DataError> {
    if let Some(name) = mapped {
        return mapped_column(t, name, "country").map(Some);
    }
    match t.column("country") {
        Some(c) => Ok(Some(c)),
        None if scenario.countries.len() == 1 => Ok(None),
        None => Err(t.layout(format!(
            "no country column (named country, or mapped in [calibrate.columns] country), and the scenario has {} countries ({}): the rows must say which country they belong to; the columns are: {}",
            scenario.countries.len(),
            scenario
                .countries
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            t.header_list()
        ))),
    }
}

/// The column a `[calibrate.columns]` entry names; an error when the table lacks it.
fn mapped_column(t: &Table, name: &str, key: &str) -> Result<usize, DataError> {
    t.column(name).ok_or_else(|| DataError::MissingColumn {
        file: t.file.clone(),
        what: format!("\"{name}\" ([calibrate.columns] {key})"),
        found: t.header_list(),
    })
}

fn missing(t: &Table, what: &str) -> DataError {
    DataError::MissingColumn {
        file: t.file.clone(),
        what: what.to_string(),
        found: t.header_list(),
    }
}

fn channel_key(t: &Table, key: &str, table: &str) -> Result<Channel, DataError> {
    key.parse::<Channel>()
        .map_err(|e| t.layout(format!("[calibrate.columns] {table}: {e}")))
}

fn resolve_columns(
    t: &Table,
    spec: &ColumnsSpec,
    scenario: &Scenario,
) -> Result<Columns, DataError> {
    let week = match &spec.week {
        Some(name) => mapped_column(t, name, "week")?,
        None => t.column("week").ok_or_else(|| {
            missing(
                t,
                "week (named week, or mapped in [calibrate.columns] week)",
            )
        })?,
    };
    let country = country_column(t, spec.country.as_deref(), scenario)?;
    let channel = match &spec.channel {
        Some(name) => Some(mapped_column(t, name, "channel")?),
        None => t.column("channel"),
    };
    let lower: Vec<String> = t.header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let layout = match channel {
        Some(channel) => {
            if !spec.spend.is_empty() || !spec.impressions.is_empty() {
                return Err(t.layout(format!(
                    "[calibrate.columns] spend and impressions map the per-channel columns of a wide table, but this table has a channel column ({}): it is long, with one spend column named spend",
                    t.header[channel]
                )));
            }
            let spend = t.column("spend").ok_or_else(|| {
                missing(
                    t,
                    "spend (a long table, with a channel column, has one column named spend)",
                )
            })?;
            Layout::Long {
                channel,
                spend,
                impressions: t.column("impressions"),
            }
        }
        None => {
            let spend = if spec.spend.is_empty() {
                by_channel(t, &lower, &["spend_{}", "{}_spend", "{}"], "spend")?
            } else {
                let mut v = Vec::new();
                for (ch, name) in &spec.spend {
                    v.push((
                        channel_key(t, ch, "spend")?,
                        mapped_column(t, name, &format!("spend.{ch}"))?,
                    ));
                }
                v
            };
            if spend.is_empty() {
                return Err(missing(
                    t,
                    &format!(
                        "spend (a wide table names them spend_<channel>, <channel>_spend or <channel>, with channel one of {}; or map them in [calibrate.columns] spend)",
                        Channel::all_names()
                    ),
                ));
            }
            let impressions = if spec.impressions.is_empty() {
                by_channel(
                    t,
                    &lower,
                    &["impressions_{}", "{}_impressions"],
                    "impressions",
                )?
            } else {
                let mut v = Vec::new();
                for (ch, name) in &spec.impressions {
                    v.push((
                        channel_key(t, ch, "impressions")?,
                        mapped_column(t, name, &format!("impressions.{ch}"))?,
                    ));
                }
                v
            };
            Layout::Wide { spend, impressions }
        }
    };
    let wide = matches!(layout, Layout::Wide { .. });
    let mut kpis = Vec::new();
    if spec.kpi.is_empty() {
        let mut taken: HashMap<(Kpi, Option<Channel>), usize> = HashMap::new();
        for (col, h) in lower.iter().enumerate() {
            let found = if let Ok(k) = h.parse::<Kpi>() {
                Some((k, None))
            } else if wide {
                Kpi::ALL
                    .into_iter()
                    .filter(|k| k.is_service())
                    .flat_map(|k| Channel::SERVICE.map(|c| (k, c)))
                    .find(|(k, c)| *h == format!("{}_{}", k.name(), c.name()))
                    .map(|(k, c)| (k, Some(c)))
            } else {
                None
            };
            let Some((kpi, channel)) = found else {
                continue;
            };
            if let Some(other) = taken.insert((kpi, channel), col) {
                return Err(t.layout(format!(
                    "columns {} and {} both hold {kpi}; map the one to read in [calibrate.columns] kpi",
                    t.header[other], t.header[col]
                )));
            }
            kpis.push(KpiColumn { kpi, channel, col });
        }
    } else {
        for (key, name) in &spec.kpi {
            let (k, c) = match key.split_once('.') {
                Some((k, c)) => (k, Some(c)),
                None => (key.as_str(), None),
            };
            let kpi = k
                .parse::<Kpi>()
                .map_err(|e| t.layout(format!("[calibrate.columns] kpi: {e}")))?;
            let channel = match c {
                None => None,
                Some(c) => {
                    let ch = channel_key(t, c, "kpi")?;
                    if !(kpi.is_service() && ch.is_service() && wide) {
                        return Err(t.layout(format!(
                            "[calibrate.columns] kpi: \"{key}\" names one channel's column, which only contacts, mean_wait_min and abandon_rate of a service channel ({}) in a wide table have",
                            Channel::SERVICE.map(Channel::name).join(", ")
                        )));
                    }
                    Some(ch)
                }
            };
            kpis.push(KpiColumn {
                kpi,
                channel,
                col: mapped_column(t, name, &format!("kpi.{key}"))?,
            });
        }
    }
    if kpis.is_empty() {
        return Err(missing(
            t,
            "KPI (orders or conversions, revenue, active_customers, new_customers, contacts, mean_wait_min, abandon_rate; or mapped in [calibrate.columns] kpi)",
        ));
    }
    Ok(Columns {
        week,
        country,
        layout,
        kpis,
    })
}

/// Wide-table columns per channel by naming patterns (`{}` = the channel's name).
fn by_channel(
    t: &Table,
    lower: &[String],
    patterns: &[&str],
    what: &str,
) -> Result<Vec<(Channel, usize)>, DataError> {
    let mut out: Vec<(Channel, usize)> = Vec::new();
    for (col, h) in lower.iter().enumerate() {
        let hit = Channel::ALL
            .into_iter()
            .find(|c| patterns.iter().any(|p| *h == p.replace("{}", c.name())));
        if let Some(ch) = hit {
            if let Some((_, other)) = out.iter().find(|(c, _)| *c == ch) {
                return Err(t.layout(format!(
                    "columns {} and {} are both {what} of channel {ch}; map the one to read in [calibrate.columns] {what}",
                    t.header[*other], t.header[col]
                )));
            }
            out.push((ch, col));
        }
    }
    Ok(out)
}

/// The calendar: every country's weeks, consecutive and the same for all.
fn check_weeks(t: &Table, col: usize, records: &[Record]) -> Result<Vec<WeekKey>, DataError> {
    // per country: week -> first row number
    let mut per: BTreeMap<&str, BTreeMap<WeekKey, usize>> = BTreeMap::new();
    for r in records {
        let e = per
            .entry(r.country.as_str())
            .or_default()
            .entry(r.week)
            .or_insert(r.row.number);
        *e = (*e).min(r.row.number);
    }
    for (country, weeks) in &per {
        let keys: Vec<(&WeekKey, &usize)> = weeks.iter().collect();
        for pair in keys.windows(2) {
            let ((a, _), (b, row)) = (pair[0], pair[1]);
            if *b == a.next() {
                continue;
            }
            let row = t
                .rows
                .iter()
                .find(|r| r.number == *row)
                .ok_or_else(|| t.layout("internal: row not found"))?;
            if let (WeekKey::Date(x), WeekKey::Date(y)) = (a, b)
                && x.days_until(*y) % 7 != 0
            {
                return Err(t.cell_error(
                    row,
                    col,
                    &format!(
                        "a date a whole number of weeks (7 days) after the week before it ({a})"
                    ),
                ));
            }
            return Err(DataError::MissingWeek(Box::new(WeekGap {
                file: t.file.clone(),
                row: row.number,
                column: t.header[col].clone(),
                country: country.to_string(),
                missing: a.next().to_string(),
                before: a.to_string(),
                after: b.to_string(),
            })));
        }
    }
    // the country with the most weeks (the first of them) is the reference
    let (ref_country, ref_weeks) = per
        .iter()
        .fold(
            None::<(&str, &BTreeMap<WeekKey, usize>)>,
            |best, (c, w)| match best {
                Some((_, bw)) if bw.len() >= w.len() => best,
                _ => Some((c, w)),
            },
        )
        .ok_or_else(|| DataError::Empty {
            file: t.file.clone(),
        })?;
    let span = |w: &BTreeMap<WeekKey, usize>| {
        (
            w.keys().next().map(ToString::to_string).unwrap_or_default(),
            w.keys().last().map(ToString::to_string).unwrap_or_default(),
        )
    };
    for (country, weeks) in &per {
        if weeks.keys().ne(ref_weeks.keys()) {
            let (first, last) = span(weeks);
            let (first_other, last_other) = span(ref_weeks);
            return Err(DataError::UnevenCountries(Box::new(UnevenWeeks {
                file: t.file.clone(),
                country: country.to_string(),
                n: weeks.len(),
                first,
                last,
                other: ref_country.to_string(),
                n_other: ref_weeks.len(),
                first_other,
                last_other,
            })));
        }
    }
    Ok(ref_weeks.keys().copied().collect())
}

/// Where a KPI cell's value goes.
#[derive(Clone, Copy)]
enum Target {
    /// The country's total (summed over the rows of a week).
    Total,
    /// One service channel's figure.
    Service(Channel),
}

fn country_history(
    t: &Table,
    cols: &Columns,
    recs: &[&Record],
    pos: &HashMap<WeekKey, usize>,
    n: usize,
) -> Result<CountryHistory, DataError> {
    let mut h = CountryHistory {
        spend: vec![[0.0; N_CHANNELS]; n],
        ..CountryHistory::default()
    };
    let week_of = |r: &Record| pos.get(&r.week).copied().unwrap_or(0);
    match &cols.layout {
        Layout::Long {
            spend, impressions, ..
        } => {
            let mut imp = impressions.map(|_| vec![[0.0; N_CHANNELS]; n]);
            for r in recs {
                let (w, ch) = (week_of(r), r.channel.map_or(0, Channel::index));
                h.spend[w][ch] = t.non_negative(r.row, *spend)?.unwrap_or(0.0);
                if let (Some(col), Some(imp)) = (impressions, imp.as_mut()) {
                    imp[w][ch] = t.non_negative(r.row, *col)?.unwrap_or(0.0);
                }
            }
            h.impressions = imp;
        }
        Layout::Wide { spend, impressions } => {
            for r in recs {
                let w = week_of(r);
                for (ch, col) in spend {
                    h.spend[w][ch.index()] = t.non_negative(r.row, *col)?.unwrap_or(0.0);
                }
            }
            if !impressions.is_empty() {
                let mut imp = vec![[0.0; N_CHANNELS]; n];
                for r in recs {
                    let w = week_of(r);
                    for (ch, col) in impressions {
                        imp[w][ch.index()] = t.non_negative(r.row, *col)?.unwrap_or(0.0);
                    }
                }
                h.impressions = Some(imp);
            }
        }
    }
    let long = matches!(cols.layout, Layout::Long { .. });
    // presence of each service channel's figure, for plain means
    let mut present: BTreeMap<(Kpi, Channel), Vec<bool>> = BTreeMap::new();
    for kc in &cols.kpis {
        // the rows this column counts in, and where each value goes
        let cells: Vec<(&Record, Target)> = recs
            .iter()
            .filter_map(
                |r| match (long, kc.kpi.is_service(), r.channel, kc.channel) {
                    (true, true, Some(ch), _) if ch.is_service() => Some((*r, Target::Service(ch))),
                    (true, true, _, _) => None,
                    (true, false, _, _) => Some((*r, Target::Total)),
                    (false, _, _, Some(ch)) => Some((*r, Target::Service(ch))),
                    (false, _, _, None) => Some((*r, Target::Total)),
                },
            )
            .collect();
        let mut values = Vec::with_capacity(cells.len());
        for (r, target) in &cells {
            let v = t.non_negative(r.row, kc.col)?;
            if let Some(x) = v
                && kc.kpi == Kpi::AbandonRate
                && x > 1.0
            {
                return Err(t.cell_error(r.row, kc.col, "a share between 0 and 1"));
            }
            values.push((*r, *target, v));
        }
        if values.iter().all(|(_, _, v)| v.is_none()) {
            continue; // the country lacks this KPI
        }
        if let Some((r, _, _)) = values.iter().find(|(_, _, v)| v.is_none()) {
            return Err(t.cell_error(
                r.row,
                kc.col,
                &format!(
                    "a number (the column has numbers for country {} in other rows; leave it empty for the whole country when the country lacks {})",
                    r.country, kc.kpi
                ),
            ));
        }
        for (r, target, v) in values {
            let (w, x) = (week_of(r), v.unwrap_or(0.0));
            match target {
                Target::Total => h.kpis.entry(kc.kpi).or_insert_with(|| vec![0.0; n])[w] += x,
                Target::Service(ch) => {
                    h.service
                        .entry((kc.kpi, ch))
                        .or_insert_with(|| vec![0.0; n])[w] = x;
                    present
                        .entry((kc.kpi, ch))
                        .or_insert_with(|| vec![false; n])[w] = true;
                }
            }
        }
    }
    // service KPIs given per channel only: the country's figure from its channels
    for kpi in [Kpi::Contacts, Kpi::MeanWaitMin, Kpi::AbandonRate] {
        if h.kpis.contains_key(&kpi) {
            continue;
        }
        let chans: Vec<Channel> = Channel::SERVICE
            .into_iter()
            .filter(|c| h.service.contains_key(&(kpi, *c)))
            .collect();
        if chans.is_empty() {
            continue;
        }
        let total: Vec<f64> = (0..n)
            .map(|w| {
                let here: Vec<Channel> = chans
                    .iter()
                    .copied()
                    .filter(|c| present.get(&(kpi, *c)).is_some_and(|p| p[w]))
                    .collect();
                let value = |c: &Channel| h.service[&(kpi, *c)][w];
                if kpi.sums_over_channels() {
                    return here.iter().map(value).sum();
                }
                let contacts: Option<Vec<f64>> = here
                    .iter()
                    .map(|c| h.service.get(&(Kpi::Contacts, *c)).map(|v| v[w]))
                    .collect();
                match contacts {
                    Some(cs) if cs.iter().sum::<f64>() > 0.0 => {
                        here.iter().zip(&cs).map(|(c, k)| value(c) * k).sum::<f64>()
                            / cs.iter().sum::<f64>()
                    }
                    _ if here.is_empty() => 0.0,
                    _ => here.iter().map(value).sum::<f64>() / here.len() as f64,
                }
            })
            .collect();
        h.kpis.insert(kpi, total);
    }
    Ok(h)
}
