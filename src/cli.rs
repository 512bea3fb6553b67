//! Raw command-line arguments (clap). Resolved into a [`crate::config::RunConfig`]
//! before any command runs; no command reads these directly.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// omnimix: multi-country channel-mix simulator and optimizer.
#[derive(Debug, Parser)]
#[command(name = "omnimix", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write summary.json, weekly.csv (and journeys.csv).
    Simulate(SimulateArgs),
    /// Search spend, staff, integration and creative share for the best plan.
    Optimize(OptimizeArgs),
    /// Attribute conversions to channels from a journeys table (simulate --journeys,
    /// or any tool's path,total_conversions,total_null,total_conversion_value).
    Attribute(AttributeArgs),
    /// Compare budgeting rules (current, equal split, attribution-based, optimizer)
    /// over scenarios and seeds.
    Benchmark(BenchmarkArgs),
    /// Draw the charts and write report.html from the files of a simulate or optimize output folder.
    Report(ReportArgs),
    /// What-if comparison: two scenarios, or one scenario and --variant what-ifs, on the
    /// same random numbers; KPIs side by side with paired differences and intervals.
    Compare(CompareArgs),
    /// Fit the scenario's free parameters ([calibrate.params]) to the company's weekly
    /// history (and lift tests): a calibrated scenario, posterior draws, the fit and its report.
    Calibrate(CalibrateArgs),
    /// Check a scenario file and report every problem (exit code 2 if any).
    Validate(ValidateArgs),
    /// The what-if planner in the browser: a local web server with one page (baseline
    /// KPIs, controls, what-ifs on common random numbers, variants, optimize from here).
    Serve(ServeArgs),
    /// Print the embedded default scenario (a starting point for your own).
    Example,
}

/// Options shared by every command that reads a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML). Without it: the embedded default scenario (global-retail).
    pub file: Option<PathBuf>,
    /// Override a scenario value, e.g. --set finance.annual_budget=8e7 (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
}

/// `omnimix simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications (default: the scenario's `replications`).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Also write journeys.csv (touch paths for attribution, as the company could
    /// record them: consented, identified touches, stitched across channels only
    /// where unified data is live).
    #[arg(long)]
    pub journeys: bool,
    /// Also write true_journeys.csv (every touch as it really happened) beside
    /// journeys.csv.
    #[arg(long)]
    pub true_journeys: bool,
    /// Simulate a named alternative strategy from the scenario's [strategies].
    #[arg(long, conflicts_with = "plan")]
    pub strategy: Option<String>,
    /// Simulate the strategy of a plan file (an optimizer's plan.json, or any JSON
    /// with a "strategy" object in the scenario's [strategy] format).
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// Posterior draws of the parameters (posterior.csv of omnimix calibrate): replication
    /// r runs on draw r mod n, so the intervals cover parameter uncertainty too. Default:
    /// the scenario's [calibrate] posterior, if set; `none` turns it off.
    #[arg(long, value_name = "FILE|none")]
    pub posterior: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no report on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

/// `omnimix optimize`.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// What to maximise: value (NPV + customer equity, the default), retention, roi
    /// (incremental), npv, revenue, or pareto (retention vs incremental ROI front).
    #[arg(long, default_value = "value")]
    pub objective: String,
    /// Keep decisions out of the search (repeatable): NAME or NAME=VALUE, `*` matching any
    /// segment, e.g. --fix 'DE/*/spend', --fix '*/unified_data=1', --fix creative_share=0.15.
    #[arg(long, value_name = "NAME[=VALUE]")]
    pub fix: Vec<String>,
    /// Find the smallest budget whose best plan reaches a target, e.g. retention=0.6
    /// (KPI: retention, roi, npv or revenue); the plan is optimised for that KPI.
    #[arg(long, value_name = "KPI=VALUE")]
    pub target: Option<String>,
    /// Simulator runs the search may spend (each is one candidate on one replication).
    #[arg(long, default_value_t = 300)]
    pub evals: usize,
    /// Plan spend per period: N consecutive phases of equal weeks (4 on a 52-week
    /// horizon: a plan per quarter), each country's spend weighted per phase.
    /// Writes plan_phases.csv; plan.json carries the phases. 1: one plan for the horizon.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub phases: u32,
    /// Start the search only from points that encode no advice: the current plan, its
    /// media at x0.5 and x1.5, and random points (the default; kept so scripts that
    /// name it still run).
    #[arg(long, conflicts_with = "hand_made_starts")]
    pub cold_start: bool,
    /// Also start from the hand-made "all initiatives", "+50 % staff" and equal-split
    /// plans (they pull the search towards integration and staff: on the default
    /// preset the cold start ends 19 m higher in value).
    #[arg(long)]
    pub hand_made_starts: bool,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Risk measure over replications: mean, cvar:ALPHA (mean of the worst ALPHA share), sd:K (mean − K·sd).
    #[arg(long, default_value = "mean")]
    pub risk: String,
    /// The search simulates K times fewer agents (agent_scale × K); the final comparison runs at full resolution.
    #[arg(long, default_value_t = 10)]
    pub search_scale: u32,
    /// Fresh replications for the final comparison (default: the scenario's `replications`).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Skip the report: no analysis runs, charts or report.html (plan, summary and workbook only).
    #[arg(long)]
    pub no_report: bool,
    /// Save the search state to DIR/checkpoint.json after every batch (atomically).
    #[arg(long, value_name = "DIR")]
    pub checkpoint: Option<PathBuf>,
    /// Continue the search saved in --checkpoint DIR (same scenario, seed and options).
    #[arg(long, requires = "checkpoint")]
    pub resume: bool,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Posterior draws of the parameters (posterior.csv of omnimix calibrate): replication
    /// r runs on draw r mod n, so the intervals cover parameter uncertainty too. Default:
    /// the scenario's [calibrate] posterior, if set; `none` turns it off.
    #[arg(long, value_name = "FILE|none")]
    pub posterior: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no report on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The weekly history, CSV or XLSX (default: the scenario's `calibrate.data`).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Worksheet of an XLSX history (default: `calibrate.sheet`, else the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Lift or geo tests: country,channel,start,end,incremental_orders|incremental_revenue[,lo,hi|se].
    #[arg(long, value_name = "FILE")]
    pub lift: Option<PathBuf>,
    /// Retention cohorts: country,cohort_start,period_weeks,k,share_active.
    #[arg(long, value_name = "FILE")]
    pub cohorts: Option<PathBuf>,
    /// Map a column (repeatable): week=DATE, country=geo, channel=medium,
    /// spend.search=search_S, impressions.social=fb_I, kpi.revenue=sales
    /// (as `[calibrate.columns]`; a flag wins over the scenario).
    #[arg(long = "column", value_name = "ROLE=COLUMN")]
    pub columns: Vec<String>,
    /// Last weeks of the history left out of the fit and scored out of sample
    /// (default: `calibrate.holdout_weeks`).
    #[arg(long, value_name = "WEEKS")]
    pub holdout: Option<u32>,
    /// Simulated histories the fit may run (default: `calibrate.evaluations`).
    #[arg(long)]
    pub evals: Option<u32>,
    /// Replications averaged per simulated history (default: `calibrate.replications`).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Posterior draws written to posterior.csv (default: `calibrate.draws`).
    #[arg(long)]
    pub draws: Option<u32>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save the fit's simulated answers to DIR/checkpoint.json after every batch
    /// (atomically).
    #[arg(long, value_name = "DIR")]
    pub checkpoint: Option<PathBuf>,
    /// Continue the fit saved in --checkpoint DIR (same scenario, data, seed and
    /// options): it ends exactly where an uninterrupted fit would.
    #[arg(long, requires = "checkpoint")]
    pub resume: bool,
    /// Output folder.
    #[arg(long, default_value = "out/calibrate")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no table on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix attribute`.
#[derive(Debug, Args)]
pub struct AttributeArgs {
    /// Journeys CSV: path (channels joined by " > "), total_conversions, total_null,
    /// total_conversion_value. Not with --truth (the journeys are then simulated).
    pub journeys: Option<PathBuf>,
    /// Simulate the scenario, attribute its journeys, and put every model beside the
    /// truth: each paid channel's incremental orders and revenue from counterfactual
    /// runs without it (same seeds). Writes truth.csv and errors.csv too.
    #[arg(long)]
    pub truth: bool,
    /// Scenario for --truth (default: the embedded global-retail).
    #[arg(long, requires = "truth")]
    pub scenario: Option<PathBuf>,
    /// Override a scenario value for --truth (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE", requires = "truth")]
    pub set: Vec<String>,
    /// Replications for --truth (default: the scenario's).
    #[arg(long, requires = "truth")]
    pub replications: Option<u32>,
    /// Seed for --truth (default: the scenario's).
    #[arg(long, requires = "truth")]
    pub seed: Option<u64>,
    /// Models, comma-separated, or `all`: first_touch, last_touch, linear, time_decay[:H],
    /// position_based[:F:L], markov[:1|2|3], shapley, shapley_markov.
    #[arg(long, default_value = "all")]
    pub models: String,
    /// Output folder (attribution.csv).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Worker threads for --truth's simulations (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No report on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix benchmark`.
#[derive(Debug, Args)]
pub struct BenchmarkArgs {
    /// Scenario files (repeatable or comma-separated; default: the embedded global-retail).
    #[arg(long, value_delimiter = ',')]
    pub scenarios: Vec<PathBuf>,
    /// Strategies: all, or a comma list of current, equal_split, attribution[:MODEL], optimizer.
    #[arg(long, default_value = "all")]
    pub strategies: String,
    /// Replications every strategy is simulated on (the same for all: common random
    /// numbers). The defaults run in a few minutes on 2 cores on the default preset.
    #[arg(long, default_value_t = 8)]
    pub seeds: u32,
    /// Master seed (default: each scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Evaluations for the optimizer strategy.
    #[arg(long, default_value_t = 60)]
    pub evals: usize,
    /// The attribution strategies learn from the true journeys (every touch as it
    /// happened) instead of the journeys the company could record (the default), to
    /// separate what attribution loses from what measurement loses.
    #[arg(long)]
    pub true_journeys: bool,
    /// Override a value in every scenario (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
    /// Output folder (benchmark.csv).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No report on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output folder of `omnimix simulate` or `omnimix optimize`.
    pub dir: PathBuf,
    /// No list of files written.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// One scenario (with --variant), or two scenarios A and B (default: the embedded global-retail).
    #[arg(num_args = 0..=2)]
    pub files: Vec<PathBuf>,
    /// Override a value in every scenario compared (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
    /// A what-if of the (one) scenario: NAME:KEY.PATH=VALUE,KEY.PATH=VALUE (repeatable);
    /// keys as in --set. The baseline is the scenario as it is.
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,...")]
    pub variants: Vec<String>,
    /// Master seed (default: the first scenario's `seed`); every scenario runs on the same seeds.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications (default: the first scenario's `replications`, at least 2).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Output folder (compare.csv, compare.xlsx, compare.html, charts/).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Posterior draws of the parameters (posterior.csv of omnimix calibrate): replication
    /// r runs on draw r mod n, so the intervals cover parameter uncertainty too. Default:
    /// the scenario's [calibrate] posterior, if set; `none` turns it off.
    #[arg(long, value_name = "FILE|none")]
    pub posterior: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No table on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Port to listen on (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the planner (no
    /// login, no encryption) to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Master seed of every what-if (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications of every what-if (default: the scenario's `replications`, at least 2).
    #[arg(long)]
    pub replications: Option<u32>,
    /// What-ifs simulate K times fewer agents (agent_scale × K), as the optimizer's search.
    #[arg(long, default_value_t = 10)]
    pub search_scale: u32,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}
