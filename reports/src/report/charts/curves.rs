//! The curves of the analysis runs: revenue vs spend per paid channel, and the
//! mean wait vs staffing per service channel.

use crate::ReportError;
use crate::charts::{Chart, Line};
use crate::report::Ctx;
use crate::report::figures::{Figure, Figures};
use crate::report::format::m;

fn empty_line(name: &str) -> Line {
    Line {
        name: name.to_string(),
        points: Vec::new(),
        marked: None,
        points_only: false,
    }
}

/// Response curves: revenue vs spend per paid channel, the chosen spend marked.
pub(super) fn response(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let Some(rows) = &ctx.data.response_curves else {
        return Ok(());
    };
    let mut lines: Vec<Line> = Vec::new();
    for r in rows {
        // the file lists each channel's points together
        if lines.last().map(|l| l.name.as_str()) != Some(r.channel.as_str()) {
            lines.push(empty_line(&r.channel));
        }
        let p = (m(r.annual_spend), m(r.revenue));
        let l = lines.last_mut().expect("pushed above");
        l.points.push(p);
        if r.chosen {
            l.marked = Some(p);
        }
    }
    let cur = ctx.cur;
    figs.draw(
        Figure::ResponseCurves,
        Chart::Lines {
            title: "Response curves: revenue vs spend per channel".into(),
            x_label: format!("annual spend in the channel (m {cur})"),
            y_label: format!("revenue over the horizon (m {cur})"),
            lines,
            marked_label: Some("chosen spend".into()),
        },
        &format!(
            "Each channel's spend scaled from 0 to 2 × the plan's (everything else as planned), on the same random numbers: a {}; the summary's figures come from the fresh runs at full resolution.",
            super::coarse(ctx)
        ),
    )
}

/// Service: mean wait vs staffing per service channel, the planned staffing marked.
pub(super) fn staffing(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let Some(rows) = &ctx.data.staffing_curve else {
        return Ok(());
    };
    let mut lines: Vec<Line> = Vec::new();
    for r in rows {
        let idx = match lines.iter().position(|l| l.name == r.channel) {
            Some(i) => i,
            None => {
                lines.push(empty_line(&r.channel));
                lines.len() - 1
            }
        };
        let p = (r.service_staff, r.mean_wait_min);
        lines[idx].points.push(p);
        if r.chosen {
            lines[idx].marked = Some(p);
        }
    }
    figs.draw(
        Figure::StaffingCurve,
        Chart::Lines {
            title: "Service: mean wait vs staffing".into(),
            x_label: "service staff, all countries (FTE)".into(),
            y_label: "mean wait per contact (min)".into(),
            lines,
            marked_label: Some("planned staffing".into()),
        },
        &format!(
            "Contact-centre staff scaled from 0.5 to 2 × the plan's; mean wait per contact over the horizon: a {}.",
            super::coarse(ctx)
        ),
    )
}
