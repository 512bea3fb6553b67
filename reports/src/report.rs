//! `report.html` and its charts, from the files of an output folder alone.
//!
//! [`render_dir`] reads what `simulate` or `optimize` wrote (`summary.json`, and when
//! present `allocation.csv`, `plan.csv`, `retention_curves.csv`,
//! `response_curves.csv`, `staffing_curve.csv`, `sensitivity.csv`, `pareto.csv`,
//! `attribution.csv`, `truth.csv` and the `budget_*.csv` tables), draws every chart
//! the files allow into `DIR/charts/` (SVG and PNG) and writes one self-contained
//! `DIR/report.html` (inline SVG, no network, no external URL) with the sections
//! Summary, Plan, Countries, Channels, Service, Risk and Assumptions.

use crate::charts::{Chart, Line, TornadoRow, render, svg_string};
use crate::html::{self, Td, Unit, card, esc, fmt, fmt_diff, section, table};
use crate::{ReportError, write_atomic};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A CSV file read as text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Read `path`; `None` when it does not exist or has no rows.
    pub fn read(path: &Path) -> Result<Option<Table>, ReportError> {
        if !path.exists() {
            return Ok(None);
        }
        let bad = |m: String| ReportError::Input {
            path: path.to_path_buf(),
            message: m,
        };
        let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| bad(e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok((!rows.is_empty()).then_some(Table { headers, rows }))
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// A cell as text ("" when the column is missing).
    pub fn text<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.col(name)
            .and_then(|c| row.get(c))
            .map_or("", |s| s.as_str())
    }

    /// A cell as a number (NaN when missing or not a number).
    pub fn num(&self, row: &[String], name: &str) -> f64 {
        self.text(row, name).parse().unwrap_or(f64::NAN)
    }
}

/// Mean and interval of one KPI in `summary.json`.
#[derive(Debug, Clone, Copy)]
struct Iv {
    mean: f64,
    lo: Option<f64>,
    hi: Option<f64>,
}

fn iv(v: &Value) -> Option<Iv> {
    Some(Iv {
        mean: v.get("mean")?.as_f64()?,
        lo: v.get("lo").and_then(Value::as_f64),
        hi: v.get("hi").and_then(Value::as_f64),
    })
}

/// The retention key present in a KPI set: the 12-month figure, else the horizon's.
fn retention_key(k: &Value) -> &'static str {
    if k.get("retention_12m").is_some() {
        "retention_12m"
    } else {
        "retention_horizon"
    }
}

fn kpi(k: &Value, name: &str) -> Option<Iv> {
    let key = if name == "retention" {
        retention_key(k)
    } else {
        name
    };
    k.get(key).and_then(iv)
}

/// How a KPI is shown.
pub fn unit_of(name: &str) -> Unit {
    match name {
        n if n.starts_with("retention") || n == "roi" || n.ends_with("share") => Unit::Percent,
        n if n.ends_with("rate") => Unit::Percent,
        "revenue" | "npv" | "cost_total" | "cost_media" | "cost_staff" | "cost_integration" => {
            Unit::MoneyShort
        }
        n if n.contains("wait") => Unit::Minutes,
        _ => Unit::Count,
    }
}

/// A reader's name of a KPI.
pub fn label_of(name: &str) -> String {
    match name {
        "retention" | "retention_12m" => "12-month retention".into(),
        "retention_horizon" => "retention at the horizon".into(),
        "roi" => "ROI".into(),
        "npv" => "NPV".into(),
        "cost_total" => "total cost".into(),
        "cost_media" => "media cost".into(),
        "cost_staff" => "staff cost".into(),
        "cost_integration" => "integration cost".into(),
        "active_customers" => "active customers (horizon)".into(),
        other => other.replace('_', " "),
    }
}

fn ci_text(i: &Iv, unit: Unit, cur: &str) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, unit, cur, false)),
        _ => String::new(),
    }
}

fn ci_diff_text(i: &Iv, unit: Unit, cur: &str) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, unit, cur, true)),
        _ => String::new(),
    }
}

/// What produced the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simulate,
    Optimize,
}

struct Ctx {
    dir: PathBuf,
    summary: Value,
    kind: Kind,
    cur: String,
    written: Vec<PathBuf>,
    /// Charts drawn, by name: (svg text, caption).
    charts: BTreeMap<&'static str, (String, String)>,
}

impl Ctx {
    fn table(&self, name: &str) -> Result<Option<Table>, ReportError> {
        Table::read(&self.dir.join(name))
    }

    fn chart(
        &mut self,
        name: &'static str,
        chart: Chart,
        caption: &str,
    ) -> Result<(), ReportError> {
        let files = render(&chart, &self.dir.join("charts"), name)?;
        let svg = svg_string(&chart).map_err(|m| ReportError::Encode {
            path: files[0].clone(),
            message: m,
        })?;
        self.written.extend(files);
        self.charts.insert(name, (svg, caption.to_string()));
        Ok(())
    }

    fn figure(&self, name: &str) -> String {
        match self.charts.get(name) {
            Some((svg, caption)) => html::figure(
                svg,
                caption,
                &format!("(charts/{name}.svg, charts/{name}.png)"),
            ),
            None => String::new(),
        }
    }
}

fn m(x: f64) -> f64 {
    x / 1e6
}

/// Draw every chart the files allow and write `report.html`; returns the files written.
pub fn render_dir(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let sp = dir.join("summary.json");
    let bad = |m: &str| ReportError::Input {
        path: dir.to_path_buf(),
        message: m.to_string(),
    };
    if !dir.is_dir() {
        return Err(bad("no such folder"));
    }
    let text = std::fs::read_to_string(&sp).map_err(|_| {
        bad("no summary.json: not an output folder of omnimix simulate or optimize")
    })?;
    let summary: Value = serde_json::from_str(&text).map_err(|e| ReportError::Input {
        path: sp.clone(),
        message: format!("not valid JSON: {e}"),
    })?;
    let kind = if summary.get("plan").is_some() && summary.get("current").is_some() {
        Kind::Optimize
    } else if summary.get("company").is_some() {
        Kind::Simulate
    } else {
        return Err(ReportError::Input {
            path: sp,
            message: "neither a simulate nor an optimize summary".into(),
        });
    };
    let cur = summary
        .get("currency")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut ctx = Ctx {
        dir: dir.to_path_buf(),
        summary,
        kind,
        cur,
        written: Vec::new(),
        charts: BTreeMap::new(),
    };
    draw_charts(&mut ctx)?;
    let html = build_html(&ctx)?;
    let p = dir.join("report.html");
    write_atomic(&p, html.as_bytes())?;
    ctx.written.push(p);
    Ok(ctx.written)
}

/// `allocation.csv`, or the plan alone from `plan.csv` (an optimize output written
/// with `--no-report`).
fn allocation(ctx: &Ctx) -> Result<Option<Table>, ReportError> {
    if let Some(t) = ctx.table("allocation.csv")? {
        return Ok(Some(t));
    }
    Ok(ctx.table("plan.csv")?.map(|p| {
        let cols = [
            "country",
            "channel",
            "spend",
            "service_staff",
            "specialists",
        ];
        let mut headers = vec!["strategy".to_string()];
        headers.extend(cols.iter().map(|c| c.to_string()));
        let rows = p
            .rows
            .iter()
            .map(|r| {
                let mut row = vec!["plan".to_string()];
                row.extend(cols.iter().map(|c| p.text(r, c).to_string()));
                row
            })
            .collect();
        Table { headers, rows }
    }))
}

/// The strategy whose allocation the report shows (`plan`, or the simulated one).
fn own_strategy(ctx: &Ctx) -> String {
    match ctx.kind {
        Kind::Optimize => "plan".into(),
        Kind::Simulate => ctx
            .summary
            .get("strategy")
            .and_then(Value::as_str)
            .unwrap_or("current")
            .to_string(),
    }
}

fn draw_charts(ctx: &mut Ctx) -> Result<(), ReportError> {
    let cur = ctx.cur.clone();
    // allocation
    if let Some(t) = allocation(ctx)? {
        let own = own_strategy(ctx);
        let rows: Vec<&Vec<String>> = t
            .rows
            .iter()
            .filter(|r| t.text(r, "strategy") == own)
            .collect();
        let mut countries: Vec<String> = Vec::new();
        let mut channels: Vec<String> = Vec::new();
        for r in &rows {
            let c = t.text(r, "country").to_string();
            if !countries.contains(&c) {
                countries.push(c);
            }
            let ch = t.text(r, "channel").to_string();
            if t.num(r, "spend") > 0.0 && !channels.contains(&ch) {
                channels.push(ch);
            }
        }
        if !channels.is_empty() {
            let values: Vec<Vec<f64>> = channels
                .iter()
                .map(|ch| {
                    countries
                        .iter()
                        .map(|c| {
                            rows.iter()
                                .filter(|r| t.text(r, "country") == c && t.text(r, "channel") == ch)
                                .map(|r| m(t.num(r, "spend")))
                                .sum()
                        })
                        .collect()
                })
                .collect();
            ctx.chart(
                "allocation",
                Chart::Bars {
                    title: format!("Budget allocation ({own}): spend by country and channel"),
                    y_label: format!("annual spend (m {cur})"),
                    categories: countries,
                    series: channels.clone(),
                    values,
                    stacked: true,
                },
                "Annual media spend per country, stacked by channel.",
            )?;
        }
        // spend per phase (a phased plan), stacked by channel
        if let Some(ph) = ctx.table("plan_phases.csv")? {
            let phase_of = |r: &Vec<String>| {
                format!(
                    "weeks {}-{}",
                    ph.text(r, "first_week"),
                    ph.text(r, "last_week")
                )
            };
            let mut phases: Vec<String> = Vec::new();
            let mut chans: Vec<String> = Vec::new();
            for r in &ph.rows {
                let label = phase_of(r);
                if !phases.contains(&label) {
                    phases.push(label);
                }
                let ch = ph.text(r, "channel").to_string();
                if ph.num(r, "spend") > 0.0 && !chans.contains(&ch) {
                    chans.push(ch);
                }
            }
            let values: Vec<Vec<f64>> = chans
                .iter()
                .map(|ch| {
                    phases
                        .iter()
                        .map(|p| {
                            ph.rows
                                .iter()
                                .filter(|r| ph.text(r, "channel") == ch && phase_of(r) == *p)
                                .map(|r| m(ph.num(r, "spend")))
                                .sum()
                        })
                        .collect()
                })
                .collect();
            if !chans.is_empty() {
                ctx.chart(
                    "phases",
                    Chart::Bars {
                        title: "Spend per phase, all countries, by channel".into(),
                        y_label: format!("spend in the phase (m {cur})"),
                        categories: phases,
                        series: chans,
                        values,
                        stacked: true,
                    },
                    "Money spent in each phase of the plan (plan_phases.csv), stacked by channel.",
                )?;
            }
        }
        // plan vs current (vs equal split), by channel
        let strategies: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for r in &t.rows {
                let s = t.text(r, "strategy").to_string();
                if !v.contains(&s) {
                    v.push(s);
                }
            }
            v
        };
        if strategies.len() > 1 {
            let mut chans: Vec<String> = Vec::new();
            for r in &t.rows {
                let ch = t.text(r, "channel").to_string();
                if t.num(r, "spend") > 0.0 && !chans.contains(&ch) {
                    chans.push(ch);
                }
            }
            let values: Vec<Vec<f64>> = strategies
                .iter()
                .map(|s| {
                    chans
                        .iter()
                        .map(|ch| {
                            t.rows
                                .iter()
                                .filter(|r| {
                                    t.text(r, "strategy") == s && t.text(r, "channel") == ch
                                })
                                .map(|r| m(t.num(r, "spend")))
                                .sum()
                        })
                        .collect()
                })
                .collect();
            ctx.chart(
                "plan_vs_current",
                Chart::Bars {
                    title: "Plan vs current: annual spend by channel".into(),
                    y_label: format!("annual spend (m {cur})"),
                    categories: chans,
                    series: strategies.iter().map(|s| s.replace('_', " ")).collect(),
                    values,
                    stacked: false,
                },
                "Annual spend per channel, all countries, for each strategy compared.",
            )?;
        }
    }
    // retention curves
    if let Some(t) = ctx.table("retention_curves.csv")? {
        let own = own_strategy(ctx);
        let mut by: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
        let mut order: Vec<(String, String)> = Vec::new();
        for r in &t.rows {
            let key = (
                t.text(r, "series").to_string(),
                t.text(r, "country").to_string(),
            );
            if !by.contains_key(&key) {
                order.push(key.clone());
            }
            by.entry(key)
                .or_default()
                .push((t.num(r, "week"), 100.0 * t.num(r, "retention")));
        }
        let own_series = if order.iter().any(|k| k.0 == own) {
            own.clone()
        } else {
            order.first().map(|k| k.0.clone()).unwrap_or_default()
        };
        let lines: Vec<Line> = order
            .iter()
            .filter(|k| k.0 == own_series)
            .map(|k| Line {
                name: k.1.clone(),
                points: by[k].clone(),
                marked: None,
                points_only: false,
            })
            .collect();
        if !lines.is_empty() {
            ctx.chart(
                "retention_countries",
                Chart::Lines {
                    title: format!("Retention of today's customers by week ({own_series})"),
                    x_label: "week".into(),
                    y_label: "customers still active (%)".into(),
                    lines,
                    marked_label: None,
                },
                "Share of the week-0 customers still active, per country and for the company.",
            )?;
        }
        let company: Vec<Line> = order
            .iter()
            .filter(|k| k.1 == "company")
            .map(|k| Line {
                name: k.0.clone(),
                points: by[k].clone(),
                marked: None,
                points_only: false,
            })
            .collect();
        if company.len() > 1 {
            ctx.chart(
                "retention_integration",
                Chart::Lines {
                    title: "Company retention by week: integrated vs not".into(),
                    x_label: "week".into(),
                    y_label: "customers still active (%)".into(),
                    lines: company,
                    marked_label: None,
                },
                "Share of the week-0 customers still active: the plan, the current strategy, and the plan with and without the omnichannel integration initiatives (search-scale runs).",
            )?;
        }
    }
    // response curves
    if let Some(t) = ctx.table("response_curves.csv")? {
        let mut lines: Vec<Line> = Vec::new();
        for r in &t.rows {
            let ch = t.text(r, "channel").to_string();
            if lines.last().map(|l| &l.name) != Some(&ch) {
                lines.push(Line {
                    name: ch,
                    points: Vec::new(),
                    marked: None,
                    points_only: false,
                });
            }
            let p = (m(t.num(r, "annual_spend")), m(t.num(r, "revenue")));
            let l = lines.last_mut().expect("pushed above");
            l.points.push(p);
            if t.text(r, "chosen") == "true" {
                l.marked = Some(p);
            }
        }
        ctx.chart(
            "response_curves",
            Chart::Lines {
                title: "Response curves: revenue vs spend per channel".into(),
                x_label: format!("annual spend in the channel (m {cur})"),
                y_label: format!("revenue over the horizon (m {cur})"),
                lines,
                marked_label: Some("chosen spend".into()),
            },
            "Each channel's spend scaled from 0 to 2 × the plan's (everything else as planned), simulated at search scale on the same replications.",
        )?;
    }
    // staffing curve
    if let Some(t) = ctx.table("staffing_curve.csv")? {
        let mut lines: Vec<Line> = Vec::new();
        for r in &t.rows {
            let ch = t.text(r, "channel").to_string();
            let idx = match lines.iter().position(|l| l.name == ch) {
                Some(i) => i,
                None => {
                    lines.push(Line {
                        name: ch,
                        points: Vec::new(),
                        marked: None,
                        points_only: false,
                    });
                    lines.len() - 1
                }
            };
            let p = (t.num(r, "service_staff"), t.num(r, "mean_wait_min"));
            lines[idx].points.push(p);
            if t.text(r, "chosen") == "true" {
                lines[idx].marked = Some(p);
            }
        }
        ctx.chart(
            "staffing_curve",
            Chart::Lines {
                title: "Service: mean wait vs staffing".into(),
                x_label: "service staff, all countries (FTE)".into(),
                y_label: "mean wait per contact (min)".into(),
                lines,
                marked_label: Some("planned staffing".into()),
            },
            "Contact-centre staff scaled from 0.5 to 2 × the plan's; mean wait per contact over the horizon.",
        )?;
    }
    // Pareto front, or the trade-off among the explored variants
    let pareto = ctx.table("pareto.csv")?;
    let mut tradeoff: Vec<(f64, f64)> = Vec::new();
    let mut chosen = None;
    let mut from_front = false;
    if let Some(t) = &pareto {
        from_front = true;
        for r in &t.rows {
            tradeoff.push((100.0 * t.num(r, "roi"), 100.0 * t.num(r, "retention")));
        }
        chosen = tradeoff
            .iter()
            .filter(|p| p.0 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .or_else(|| tradeoff.iter().max_by(|a, b| a.1.total_cmp(&b.1)))
            .copied();
    } else {
        for name in ["response_curves.csv", "staffing_curve.csv"] {
            if let Some(t) = ctx.table(name)? {
                for r in &t.rows {
                    let p = (100.0 * t.num(r, "roi"), 100.0 * t.num(r, "retention"));
                    if t.text(r, "chosen") == "true" {
                        chosen = Some(p);
                    }
                    if !tradeoff.contains(&p) {
                        tradeoff.push(p);
                    }
                }
            }
        }
    }
    if !tradeoff.is_empty() {
        let mut front: Vec<(f64, f64)> = tradeoff
            .iter()
            .filter(|p| {
                !tradeoff
                    .iter()
                    .any(|q| q.0 >= p.0 && q.1 >= p.1 && (q.0 > p.0 || q.1 > p.1))
            })
            .copied()
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut lines = vec![Line {
            name: "non-dominated".into(),
            points: front.clone(),
            marked: chosen,
            points_only: false,
        }];
        if !from_front {
            lines.push(Line {
                name: "explored variants".into(),
                points: tradeoff.clone(),
                marked: None,
                points_only: true,
            });
        }
        ctx.chart(
            "pareto",
            Chart::Lines {
                title: if from_front {
                    "Pareto front: retention vs ROI".into()
                } else {
                    "Retention vs ROI of the plan's variants".into()
                },
                x_label: "ROI (%)".into(),
                y_label: "12-month retention (%)".into(),
                lines,
                marked_label: Some("chosen plan".into()),
            },
            if from_front {
                "The retention–ROI front of the search (--objective pareto); no plan on it is beaten on both."
            } else {
                "Every variant simulated for the response and staffing curves; the line joins those no other variant beats on both retention and ROI."
            },
        )?;
    }
    // attribution
    if let Some(t) = ctx.table("attribution.csv")? {
        let mut models: Vec<String> = Vec::new();
        let mut channels: Vec<String> = Vec::new();
        for r in &t.rows {
            let mo = t.text(r, "model").to_string();
            if !models.contains(&mo) {
                models.push(mo);
            }
            let ch = t.text(r, "channel").to_string();
            if !channels.contains(&ch) {
                channels.push(ch);
            }
        }
        let mut values: Vec<Vec<f64>> = models
            .iter()
            .map(|mo| {
                channels
                    .iter()
                    .map(|ch| {
                        t.rows
                            .iter()
                            .find(|r| t.text(r, "model") == mo && t.text(r, "channel") == ch)
                            .map_or(0.0, |r| 100.0 * t.num(r, "share"))
                    })
                    .collect()
            })
            .collect();
        if let Some(tr) = ctx.table("truth.csv")? {
            models.push("truth".into());
            values.push(
                channels
                    .iter()
                    .map(|ch| {
                        tr.rows
                            .iter()
                            .find(|r| tr.text(r, "country") == "ALL" && tr.text(r, "channel") == ch)
                            .map_or(0.0, |r| 100.0 * tr.num(r, "share"))
                    })
                    .collect(),
            );
        }
        ctx.chart(
            "attribution",
            Chart::Bars {
                title: "Attribution: share of conversions by channel".into(),
                y_label: "share of conversions (%)".into(),
                categories: channels,
                series: models,
                values,
                stacked: false,
            },
            "Credit per channel under each attribution model (and the simulator's true incremental share when known).",
        )?;
    }
    // sensitivity
    if let Some(t) = ctx.table("sensitivity.csv")? {
        let mut rows: Vec<TornadoRow> = Vec::new();
        let mut base = f64::NAN;
        let objective = t
            .rows
            .first()
            .map(|r| t.text(r, "objective").to_string())
            .unwrap_or_default();
        let scale = if unit_of(&objective) == Unit::MoneyShort {
            1e-6
        } else {
            100.0
        };
        for r in &t.rows {
            base = t.num(r, "base") * scale;
            let name = t.text(r, "assumption").to_string();
            let v = t.num(r, "value") * scale;
            let idx = match rows.iter().position(|x| x.name == name) {
                Some(i) => i,
                None => {
                    rows.push(TornadoRow {
                        name,
                        low: base,
                        high: base,
                    });
                    rows.len() - 1
                }
            };
            if t.num(r, "change") < 0.0 {
                rows[idx].low = v;
            } else {
                rows[idx].high = v;
            }
        }
        rows.sort_by(|a, b| {
            let w = |r: &TornadoRow| (r.high - r.low).abs();
            w(b).total_cmp(&w(a))
        });
        let unit = if scale == 100.0 {
            "%".to_string()
        } else {
            format!("m {cur}")
        };
        ctx.chart(
            "sensitivity",
            Chart::Tornado {
                title: format!("Sensitivity of {} to ±20 % assumptions", label_of(&objective)),
                x_label: format!("{} ({unit})", label_of(&objective)),
                base,
                rows,
            },
            "The plan re-simulated with one assumption 20 % lower or higher at a time (search scale, same replications); widest effect on top.",
        )?;
    }
    // simulate: waits per country and service channel
    if ctx.kind == Kind::Simulate {
        let countries = ctx
            .summary
            .get("countries")
            .and_then(Value::as_object)
            .cloned();
        if let Some(countries) = countries {
            let chans = ["call_centre", "live_chat", "chatbot"];
            let mut used = Vec::new();
            let mut values = Vec::new();
            for ch in chans {
                let v: Vec<f64> = countries
                    .values()
                    .map(|k| {
                        k.get("service")
                            .and_then(|s| s.get(ch))
                            .and_then(|s| s.get("mean_wait_min"))
                            .and_then(iv)
                            .map_or(0.0, |i| i.mean)
                    })
                    .collect();
                if v.iter().any(|x| *x > 0.0) {
                    used.push(ch.to_string());
                    values.push(v);
                }
            }
            if !used.is_empty() {
                ctx.chart(
                    "service_wait",
                    Chart::Bars {
                        title: "Service: mean wait per contact by country".into(),
                        y_label: "mean wait (min)".into(),
                        categories: countries.keys().cloned().collect(),
                        series: used,
                        values,
                        stacked: false,
                    },
                    "Contact-weighted mean wait over the horizon, mean over replications.",
                )?;
            }
        }
    }
    Ok(())
}

const SECTIONS: [(&str, &str); 7] = [
    ("summary", "Summary"),
    ("plan", "Plan"),
    ("countries", "Countries"),
    ("channels", "Channels"),
    ("service", "Service"),
    ("risk", "Risk"),
    ("assumptions", "Assumptions"),
];

const HEADLINE: [&str; 7] = [
    "retention",
    "roi",
    "npv",
    "revenue",
    "cost_total",
    "active_customers",
    "conversions",
];

fn kpi_cell(k: &Value, name: &str, cur: &str) -> Td {
    match kpi(k, name) {
        Some(i) => {
            let u = unit_of(name);
            Td::NumCi(fmt(i.mean, u, cur), ci_text(&i, u, cur))
        }
        None => Td::Num("–".into()),
    }
}

/// Render a budget CSV table with units guessed from the column names.
fn budget_table(t: &Table, cur: &str, totals: bool) -> String {
    let units: Vec<Option<Unit>> = t
        .headers
        .iter()
        .map(|h| {
            if h.contains("spend")
                || h.contains("wages")
                || h.contains("budget") && !h.contains("share")
            {
                Some(Unit::Money)
            } else if h.contains("share") {
                Some(Unit::Percent)
            } else if h.contains("FTE") {
                Some(Unit::Fte)
            } else {
                None
            }
        })
        .collect();
    let mut rows: Vec<Vec<Td>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(c, v)| match (units[c], v.parse::<f64>()) {
                    (Some(u), Ok(x)) => Td::Num(fmt(x, u, cur)),
                    _ => Td::Text(v.clone()),
                })
                .collect()
        })
        .collect();
    if totals && !t.rows.is_empty() {
        let mut total = vec![Td::Text("Total".into())];
        for (c, u) in units.iter().enumerate().skip(1) {
            match u {
                Some(u) => {
                    let s: f64 = t
                        .rows
                        .iter()
                        .filter_map(|r| r.get(c)?.parse::<f64>().ok())
                        .sum();
                    total.push(Td::Num(fmt(s, *u, cur)));
                }
                None => total.push(Td::Text(String::new())),
            }
        }
        rows.push(total);
    }
    table(&t.headers, &rows, totals)
}

fn build_html(ctx: &Ctx) -> Result<String, ReportError> {
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let scenario = s
        .get("scenario")
        .and_then(Value::as_str)
        .unwrap_or("scenario");
    let seed = s.get("seed").and_then(Value::as_u64).unwrap_or(0);
    let reps = s.get("replications").and_then(Value::as_u64).unwrap_or(0);
    let version = s
        .get("omnimix_version")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut b = String::new();

    // Summary
    b += &section("summary", "Summary");
    match ctx.kind {
        Kind::Optimize => {
            let objective = s
                .get("objective")
                .and_then(Value::as_str)
                .unwrap_or("retention");
            let (plan, current, equal) = (&s["plan"], &s["current"], &s["equal_split"]);
            let d = &s["difference_vs_current"];
            let main = match objective {
                "roi" | "npv" | "revenue" => objective,
                _ => "retention",
            };
            let u = unit_of(main);
            if let (Some(p), Some(c), Some(di)) = (
                kpi(plan, main),
                kpi(current, main),
                d.get(main).and_then(iv),
            ) {
                b += &format!(
                    "<p class=\"lead\">The optimized plan changes {} from {} (current strategy) to <strong>{}</strong>: {} ({}), on {} fresh replications with the same random numbers for every strategy.</p>\n",
                    esc(&label_of(main)),
                    esc(&fmt(c.mean, u, cur)),
                    esc(&fmt(p.mean, u, cur)),
                    esc(&fmt_diff(di.mean, u, cur)),
                    esc(&ci_diff_text(&di, u, cur)),
                    reps
                );
            }
            if let Some(t) = s.get("target").filter(|t| t.is_object()) {
                let k = t.get("kpi").and_then(Value::as_str).unwrap_or("retention");
                let u = unit_of(k);
                b += &format!(
                    "<p>Target {} ≥ {}: the smallest annual budget found that reaches it is <strong>{}</strong>; met on fresh replications at full resolution: <strong>{}</strong>.</p>\n",
                    esc(&label_of(k)),
                    esc(&fmt(
                        t.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN),
                        u,
                        cur
                    )),
                    esc(&fmt(
                        t.get("annual_budget_needed")
                            .and_then(Value::as_f64)
                            .unwrap_or(f64::NAN),
                        Unit::Money,
                        cur
                    )),
                    if t.get("met_on_fresh_replications").and_then(Value::as_bool) == Some(true) {
                        "yes"
                    } else {
                        "no"
                    }
                );
            }
            b += "<div class=\"cards\">";
            for name in ["retention", "roi", "npv", "cost_total"] {
                if let Some(p) = kpi(plan, name) {
                    let u = unit_of(name);
                    let sub = d
                        .get(name)
                        .and_then(iv)
                        .map(|x| format!("{} vs current", fmt_diff(x.mean, u, cur)))
                        .unwrap_or_default();
                    b += &card(&label_of(name), &fmt(p.mean, u, cur), &sub);
                }
            }
            b += "</div>\n";
            let mut rows = Vec::new();
            for name in HEADLINE {
                if kpi(plan, name).is_none() {
                    continue;
                }
                let u = unit_of(name);
                let diff = |key: &str| match s.get(key).and_then(|x| x.get(name)).and_then(iv) {
                    Some(i) => Td::NumCi(fmt_diff(i.mean, u, cur), ci_diff_text(&i, u, cur)),
                    None => Td::Num("–".into()),
                };
                rows.push(vec![
                    Td::Text(label_of(name)),
                    kpi_cell(plan, name, cur),
                    kpi_cell(current, name, cur),
                    kpi_cell(equal, name, cur),
                    diff("difference_vs_current"),
                    diff("difference_vs_equal_split"),
                ]);
            }
            let h: Vec<String> = [
                "KPI",
                "plan",
                "current",
                "equal split",
                "plan − current",
                "plan − equal split",
            ]
            .iter()
            .map(|x| x.to_string())
            .collect();
            b += &table(&h, &rows, false);
            b += &format!(
                "<p class=\"note\">Means over {reps} fresh replications at full resolution; CI: the 90 % Student-t confidence interval of the mean. Differences are paired by replication (common random numbers). Objective: {} ({} risk), {} evaluations at search agent scale {}.</p>\n",
                esc(objective),
                esc(s.get("risk").and_then(Value::as_str).unwrap_or("mean")),
                s.get("evaluations").and_then(Value::as_u64).unwrap_or(0),
                s.get("search_agent_scale")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            );
        }
        Kind::Simulate => {
            let company = &s["company"];
            let strategy = s
                .get("strategy")
                .and_then(Value::as_str)
                .unwrap_or("current");
            b += &format!(
                "<p class=\"lead\">Simulation of the strategy <strong>{}</strong> over {} weeks, {} replications.</p>\n",
                esc(strategy),
                s.get("horizon_weeks").and_then(Value::as_u64).unwrap_or(0),
                reps
            );
            b += "<div class=\"cards\">";
            for name in ["retention", "roi", "npv", "cost_total"] {
                if let Some(i) = kpi(company, name) {
                    let u = unit_of(name);
                    b += &card(&label_of(name), &fmt(i.mean, u, cur), &ci_text(&i, u, cur));
                }
            }
            b += "</div>\n";
            let rows: Vec<Vec<Td>> = HEADLINE
                .iter()
                .filter(|n| kpi(company, n).is_some())
                .map(|n| vec![Td::Text(label_of(n)), kpi_cell(company, n, cur)])
                .collect();
            b += &table(&["KPI".into(), "company".into()], &rows, false);
            b += "<p class=\"note\">Means over replications; CI: the 90 % Student-t confidence interval of the mean.</p>\n";
        }
    }

    // Plan
    b += &section("plan", "Plan");
    b += &ctx.figure("allocation");
    b += &ctx.figure("phases");
    b += &ctx.figure("plan_vs_current");
    if let Some(t) = ctx.table("budget_country_x_channel.csv")? {
        b += "<h3>Spend and staff by country and channel</h3>\n";
        b += &budget_table(&t, cur, true);
    } else if let Some(t) = allocation(ctx)? {
        let own = own_strategy(ctx);
        let sub = Table {
            headers: vec![
                "country".into(),
                "channel".into(),
                "annual spend".into(),
                "service staff (FTE)".into(),
                "specialists (FTE)".into(),
            ],
            rows: t
                .rows
                .iter()
                .filter(|r| t.text(r, "strategy") == own)
                .map(|r| {
                    [
                        "country",
                        "channel",
                        "spend",
                        "service_staff",
                        "specialists",
                    ]
                    .iter()
                    .map(|c| t.text(r, c).to_string())
                    .collect()
                })
                .collect(),
        };
        b += "<h3>Spend and staff by country and channel</h3>\n";
        b += &budget_table(&sub, cur, true);
    }

    // Countries
    b += &section("countries", "Countries");
    if let Some(t) = ctx.table("budget_by_country.csv")? {
        b += &budget_table(&t, cur, true);
    }
    if ctx.kind == Kind::Simulate
        && let Some(countries) = s.get("countries").and_then(Value::as_object)
    {
        let names = [
            "retention",
            "roi",
            "revenue",
            "cost_total",
            "active_customers",
        ];
        let rows: Vec<Vec<Td>> = countries
            .iter()
            .map(|(code, k)| {
                let mut r = vec![Td::Text(code.clone())];
                r.extend(names.iter().map(|n| kpi_cell(k, n, cur)));
                r
            })
            .collect();
        let mut h = vec!["country".to_string()];
        h.extend(names.iter().map(|n| label_of(n)));
        b += &table(&h, &rows, false);
    }
    b += &ctx.figure("retention_countries");
    b += &ctx.figure("retention_integration");

    // Channels
    b += &section("channels", "Channels");
    if let Some(t) = ctx.table("budget_by_channel.csv")? {
        b += &budget_table(&t, cur, true);
    }
    b += &ctx.figure("response_curves");
    b += &ctx.figure("attribution");

    // Service
    b += &section("service", "Service");
    let service_of = match ctx.kind {
        Kind::Optimize => &s["plan"],
        Kind::Simulate => &s["company"],
    };
    if let Some(svc) = service_of.get("service").and_then(Value::as_object) {
        let rows: Vec<Vec<Td>> = svc
            .iter()
            .filter(|(_, m)| m.get("contacts").and_then(iv).is_some_and(|i| i.mean > 0.0))
            .map(|(ch, m)| {
                let cell = |n: &str| match m.get(n).and_then(iv) {
                    Some(i) => {
                        let u = unit_of(n);
                        Td::NumCi(fmt(i.mean, u, cur), ci_text(&i, u, cur))
                    }
                    None => Td::Num("–".into()),
                };
                vec![
                    Td::Text(ch.replace('_', " ")),
                    cell("contacts"),
                    cell("mean_wait_min"),
                    cell("abandon_rate"),
                ]
            })
            .collect();
        if !rows.is_empty() {
            b += &table(
                &[
                    "service channel".into(),
                    "contacts".into(),
                    "mean wait".into(),
                    "abandonment".into(),
                ],
                &rows,
                false,
            );
        }
    }
    if let Some(t) = ctx.table("budget_staffing.csv")? {
        b += "<h3>Staffing</h3>\n";
        b += &budget_table(&t, cur, true);
    }
    b += &ctx.figure("staffing_curve");
    b += &ctx.figure("service_wait");

    // Risk
    b += &section("risk", "Risk");
    b += &format!(
        "<p>Every figure above is a mean over {reps} replications with a 90 % interval: the simulator draws customers, budget cuts and queues at random, and the interval shows how far the mean could move with other draws. ",
    );
    if ctx.kind == Kind::Optimize {
        b += "Plan and baselines are compared on the same replications (common random numbers), so their difference is far more precise than each figure alone.";
    }
    b += "</p>\n";
    b += &ctx.figure("sensitivity");
    if let Some(t) = ctx.table("sensitivity.csv")? {
        let objective = t
            .rows
            .first()
            .map(|r| t.text(r, "objective").to_string())
            .unwrap_or_default();
        let u = unit_of(&objective);
        let mut names: Vec<String> = Vec::new();
        for r in &t.rows {
            let n = t.text(r, "assumption").to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let rows: Vec<Vec<Td>> = names
            .iter()
            .map(|n| {
                let val = |neg: bool| {
                    t.rows
                        .iter()
                        .find(|r| t.text(r, "assumption") == n && (t.num(r, "change") < 0.0) == neg)
                        .map(|r| t.num(r, "value") - t.num(r, "base"))
                        .map_or(Td::Num("–".into()), |d| Td::Num(fmt_diff(d, u, cur)))
                };
                vec![Td::Text(n.clone()), val(true), val(false)]
            })
            .collect();
        b += &table(
            &[
                "assumption".into(),
                format!("{} change at −20 %", label_of(&objective)),
                format!("{} change at +20 %", label_of(&objective)),
            ],
            &rows,
            false,
        );
    }
    b += &ctx.figure("pareto");

    // Assumptions
    b += &section("assumptions", "Assumptions");
    if let Some(t) = ctx.table("budget_assumptions.csv")? {
        let rows: Vec<Vec<Td>> = t
            .rows
            .iter()
            .map(|r| {
                let name = r.first().cloned().unwrap_or_default();
                let v = r.get(1).cloned().unwrap_or_default();
                let u = match name.as_str() {
                    "annual budget" => Some(Unit::Money),
                    n if n.contains("margin") || n.contains("rate") || n.contains("volatility") => {
                        Some(Unit::Percent)
                    }
                    n if n.contains("seed") || n.contains("version") => None,
                    _ => Some(Unit::Count),
                };
                let cell = match (u, v.parse::<f64>()) {
                    (Some(u), Ok(x)) => Td::Num(fmt(x, u, cur)),
                    _ => Td::Text(v),
                };
                vec![Td::Text(name), cell]
            })
            .collect();
        b += &table(&t.headers, &rows, false);
    } else {
        let mut rows = vec![vec![Td::Text("scenario".into()), Td::Text(scenario.into())]];
        for (k, label) in [
            ("strategy", "strategy"),
            ("seed", "seed"),
            ("replications", "replications"),
            ("horizon_weeks", "horizon (weeks)"),
            ("time_step", "time step"),
            ("agent_scale", "customers per agent"),
            ("agents", "agents"),
            ("customers_in_scope", "customers in scope"),
            ("currency", "currency"),
        ] {
            if let Some(v) = s.get(k) {
                let cell = match v.as_f64() {
                    Some(x) => Td::Num(html::thousands(x, 0)),
                    None => Td::Text(v.as_str().unwrap_or("").to_string()),
                };
                rows.push(vec![Td::Text(label.into()), cell]);
            }
        }
        b += &table(&["assumption".into(), "value".into()], &rows, false);
    }
    b += "<p class=\"note\">The scenario file holds every other value (channel costs and response, service times, behaviour, privacy and integration); the search-scale analyses (curves, sensitivity) simulate fewer, heavier agents than the comparison above.</p>\n";

    let subtitle = match ctx.kind {
        Kind::Optimize => format!(
            "Budget plan · objective {} · seed {seed} · {reps} replications · amounts in {cur}",
            s.get("objective").and_then(Value::as_str).unwrap_or("")
        ),
        Kind::Simulate => {
            format!("Simulation · seed {seed} · {reps} replications · amounts in {cur}")
        }
    };
    let _ = &ctx.written;
    Ok(html::page(
        &format!("{scenario}: channel-mix report"),
        &subtitle,
        &SECTIONS,
        &b,
        &format!(
            "omnimix {version} · every chart is also in charts/ as SVG and PNG · tables as CSV next to this file"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(mean: f64) -> Value {
        serde_json::json!({"mean": mean, "sd": 0.01, "lo": mean * 0.99, "hi": mean * 1.01, "n": 2})
    }

    fn simulate_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let company = serde_json::json!({
            "retention_12m": k(0.5), "roi": k(1.2), "npv": k(2.5e6), "revenue": k(9e6),
            "cost_total": k(4e6), "active_customers": k(12000.0), "conversions": k(800.0),
            "service": {"call_centre": {"contacts": k(900.0), "mean_wait_min": k(1.5), "abandon_rate": k(0.02)}}
        });
        let summary = serde_json::json!({
            "omnimix_version": "0.1.0", "scenario": "two <markets>", "strategy": "current",
            "seed": 7, "replications": 2, "horizon_weeks": 52, "currency": "KES",
            "company": company.clone(), "countries": {"DE": company.clone(), "KE": company}
        });
        std::fs::write(dir.path().join("summary.json"), summary.to_string()).unwrap();
        std::fs::write(
            dir.path().join("allocation.csv"),
            "strategy,country,channel,spend,service_staff,specialists\n\
             current,DE,search,400000,0,2\ncurrent,KE,store,300000,3,1\n",
        )
        .unwrap();
        let mut curves = String::from("series,country,week,retention\n");
        for c in ["DE", "KE", "company"] {
            for w in 1..=52 {
                curves += &format!("current,{c},{w},{}\n", 1.0 - w as f64 / 100.0);
            }
        }
        std::fs::write(dir.path().join("retention_curves.csv"), curves).unwrap();
        dir
    }

    #[test]
    fn a_simulate_folder_gives_charts_and_a_self_contained_page() {
        let dir = simulate_folder();
        let files = render_dir(dir.path()).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for n in [
            "allocation.svg",
            "allocation.png",
            "retention_countries.svg",
            "service_wait.png",
            "report.html",
        ] {
            assert!(names.contains(&n.to_string()), "{n} in {names:?}");
        }
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        for (id, _) in SECTIONS {
            assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
        }
        assert!(
            html.contains("two &lt;markets&gt;"),
            "escaped scenario name"
        );
        assert!(html.contains("9.0 m KES"), "money in the currency");
        assert!(html.contains("50.0 %") && html.contains("CI [49.5, 50.5] %"));
        assert!(!html.contains("http") && !html.contains("src="));
    }

    #[test]
    fn a_folder_without_a_summary_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            render_dir(dir.path()),
            Err(ReportError::Input { .. })
        ));
        assert!(matches!(
            render_dir(&dir.path().join("missing")),
            Err(ReportError::Input { .. })
        ));
    }

    #[test]
    fn units_and_labels_of_kpis() {
        assert_eq!(unit_of("retention_12m"), Unit::Percent);
        assert_eq!(unit_of("npv"), Unit::MoneyShort);
        assert_eq!(unit_of("mean_wait_min"), Unit::Minutes);
        assert_eq!(unit_of("abandon_rate"), Unit::Percent);
        assert_eq!(unit_of("conversions"), Unit::Count);
        assert_eq!(label_of("retention"), "12-month retention");
    }
}
