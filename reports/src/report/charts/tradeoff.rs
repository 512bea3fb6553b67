//! Retention vs ROI: the Pareto front of a Pareto search, or the trade-off among
//! the variants simulated for the response and staffing curves.

use crate::ReportError;
use crate::charts::{Chart, Line};
use crate::report::figures::{Figure, Figures};
use crate::report::{Ctx, ReportData};
use omnimix_studies::optimize::ParetoRow;

/// The points (ROI %, retention %) of the chart and the chosen one.
struct Tradeoff {
    points: Vec<(f64, f64)>,
    chosen: Option<(f64, f64)>,
    /// From `pareto.csv` (else the curves' variants).
    from_front: bool,
}

/// The front of a Pareto search; the chosen plan is the highest retention with a
/// positive ROI (else the highest retention).
fn from_front(rows: &[ParetoRow]) -> Tradeoff {
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (100.0 * r.roi, 100.0 * r.retention))
        .collect();
    let chosen = points
        .iter()
        .filter(|p| p.0 > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .or_else(|| points.iter().max_by(|a, b| a.1.total_cmp(&b.1)))
        .copied();
    Tradeoff {
        points,
        chosen,
        from_front: true,
    }
}

/// Every distinct variant of the response and staffing curves; the chosen plan is
/// the last variant marked chosen.
fn from_variants(data: &ReportData) -> Tradeoff {
    let response = data.response_curves.iter().flatten();
    let staffing = data.staffing_curve.iter().flatten();
    let variants = response
        .map(|r| (r.roi, r.retention, r.chosen))
        .chain(staffing.map(|r| (r.roi, r.retention, r.chosen)));
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut chosen = None;
    for (roi, retention, is_chosen) in variants {
        let p = (100.0 * roi, 100.0 * retention);
        if is_chosen {
            chosen = Some(p);
        }
        if !points.contains(&p) {
            points.push(p);
        }
    }
    Tradeoff {
        points,
        chosen,
        from_front: false,
    }
}

/// The points no other point beats on both coordinates, by ROI.
fn non_dominated(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut front: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| {
            !points
                .iter()
                .any(|q| q.0 >= p.0 && q.1 >= p.1 && (q.0 > p.0 || q.1 > p.1))
        })
        .copied()
        .collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0));
    front
}

/// The Pareto front, or retention vs ROI of the variants explored.
pub(super) fn draw(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let t = match &ctx.data.pareto {
        Some(rows) => from_front(rows),
        None => from_variants(ctx.data),
    };
    if t.points.is_empty() {
        return Ok(());
    }
    let mut lines = vec![Line {
        name: "non-dominated".into(),
        points: non_dominated(&t.points),
        marked: t.chosen,
        points_only: false,
    }];
    let dominating = t.chosen.map_or(0, |c| {
        t.points
            .iter()
            .filter(|q| q.0 >= c.0 && q.1 >= c.1 && (q.0 > c.0 || q.1 > c.1))
            .count()
    });
    let (title, caption) = if t.from_front {
        (
            "Pareto front: retention vs ROI",
            "The retention–ROI front of the search (--objective pareto); no plan on it is beaten on both.".to_string(),
        )
    } else {
        lines.push(Line {
            name: "explored variants".into(),
            points: t.points,
            marked: None,
            points_only: true,
        });
        let objective = match ctx.summary().comparison() {
            Some(c) if c.objective == "value" => {
                "its objective, value (NPV + customer equity), not for retention or ROI".to_string()
            }
            Some(c) => format!(
                "its objective ({}) on fresh full-resolution runs",
                c.objective
            ),
            None => "its own objective".to_string(),
        };
        let why = if dominating > 0 {
            format!(
                " {dominating} of the variants beat the chosen plan on both retention and ROI here: the plan was chosen for {objective}, and every point is a coarse estimate, so gaps this small can be noise."
            )
        } else {
            String::new()
        };
        (
            "Retention vs ROI of the plan's variants",
            format!(
                "Every variant simulated for the response and staffing curves, a {}; the line joins those no other variant beats on both retention and ROI.{why}",
                super::coarse(ctx)
            ),
        )
    };
    figs.draw(
        Figure::Pareto,
        Chart::Lines {
            title: title.into(),
            x_label: "ROI (%)".into(),
            y_label: "12-month retention (%)".into(),
            lines,
            marked_label: Some("chosen plan".into()),
        },
        &caption,
    )
}
