//! The report's charts by name ([`Figure`]) and what was drawn of them ([`Figures`]):
//! the files written and the SVG each section inlines.

use crate::charts::{self, Chart};
use crate::{ReportError, html};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A chart of the report; its file stem is the name in `charts/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Figure {
    /// Spend by country, stacked by channel (Plan).
    Allocation,
    /// Spend per phase of a phased plan (Plan).
    Phases,
    /// Plan vs current vs equal split by channel (Plan).
    PlanVsCurrent,
    /// Retention curves per country (Countries).
    RetentionCountries,
    /// Company retention with and without integration (Countries).
    RetentionIntegration,
    /// Revenue vs spend per channel (Channels).
    ResponseCurves,
    /// Attribution shares per channel (Channels).
    Attribution,
    /// Mean wait vs staffing (Service).
    StaffingCurve,
    /// Mean wait per country and service channel (Service).
    ServiceWait,
    /// The ±20 % tornado (Risk).
    Sensitivity,
    /// Retention vs ROI: the Pareto front or the explored variants (Risk).
    Pareto,
}

impl Figure {
    /// File stem in `charts/`.
    pub(super) fn stem(self) -> &'static str {
        match self {
            Figure::Allocation => "allocation",
            Figure::Phases => "phases",
            Figure::PlanVsCurrent => "plan_vs_current",
            Figure::RetentionCountries => "retention_countries",
            Figure::RetentionIntegration => "retention_integration",
            Figure::ResponseCurves => "response_curves",
            Figure::Attribution => "attribution",
            Figure::StaffingCurve => "staffing_curve",
            Figure::ServiceWait => "service_wait",
            Figure::Sensitivity => "sensitivity",
            Figure::Pareto => "pareto",
        }
    }
}

/// The charts drawn so far: files written (in the order drawn), and each chart's
/// SVG text and caption for the page.
pub(super) struct Figures {
    dir: PathBuf,
    written: Vec<PathBuf>,
    drawn: BTreeMap<Figure, (String, String)>,
}

impl Figures {
    /// Charts go into `dir` (the folder's `charts/`).
    pub(super) fn new(dir: &Path) -> Figures {
        Figures {
            dir: dir.to_path_buf(),
            written: Vec::new(),
            drawn: BTreeMap::new(),
        }
    }

    /// Write `chart` as SVG and PNG and keep its SVG and caption for the page.
    pub(super) fn draw(
        &mut self,
        figure: Figure,
        chart: Chart,
        caption: &str,
    ) -> Result<(), ReportError> {
        let (svg, files) = charts::render_keeping_svg(&chart, &self.dir, figure.stem())?;
        self.written.extend(files);
        self.drawn.insert(figure, (svg, caption.to_string()));
        Ok(())
    }

    /// The figure block of a drawn chart; empty when it was not drawn.
    pub(super) fn html(&self, figure: Figure) -> String {
        match self.drawn.get(&figure) {
            Some((svg, caption)) => {
                let name = figure.stem();
                html::figure(
                    svg,
                    caption,
                    &format!("(charts/{name}.svg, charts/{name}.png)"),
                )
            }
            None => String::new(),
        }
    }

    /// The chart files written, in the order drawn.
    pub(super) fn into_written(self) -> Vec<PathBuf> {
        self.written
    }
}
