//! Each workflow of omnimix-studies run as a library (no binary spawned), on a small
//! two-country scenario: what it returns, that it is deterministic, and the direction
//! of the effects a user reads.

use omnimix_optimizer::plan::PlanSpace;
use omnimix_optimizer::{Candidate, Evaluation, Evaluator, FrontPoint, NoObserver, RayonEvaluator};
use omnimix_sim::engine::Local;
use omnimix_sim::kpis::{Kpi, ServiceKpi};
use omnimix_sim::mechanisms::finance::planned_costs;
use omnimix_sim::scenario::load::load;
use omnimix_sim::{Channel, Override, Scenario, ScenarioSource};
use omnimix_studies::analysis::{AnalysisInput, AnalysisRuns, SPEND_STEPS};
use omnimix_studies::benchmark::{Rule, bench_scenario, parse_rules};
use omnimix_studies::compare::{Measure, compare};
use omnimix_studies::optimize::{PlanSearch, SearchConfig, choose_from_front};
use omnimix_studies::tables::{allocation_rows, budget, phase_rows};
use omnimix_studies::truth::{Truth, TruthRow, model_errors, simulate_truth};
use omnimix_studies::{Objective, StudyError};

/// The binary's integration tests' small scenario: two countries, a few channels, staffed service.
const SMALL: &str = include_str!("../../tests/small.toml");

fn small(sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    load(&ScenarioSource::new("small.toml", SMALL), &o).unwrap()
}

/// Evaluates a batch one candidate after another, last first (results in batch order).
struct Backwards<F>(F);
impl<F: Fn(&[f64], u32) -> Vec<f64> + Sync> Evaluator for Backwards<F> {
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        let mut out: Vec<Evaluation> = batch
            .iter()
            .rev()
            .map(|c| Evaluation {
                objectives: (self.0)(&c.x, c.replication),
            })
            .collect();
        out.reverse();
        out
    }
}

fn search_config(s: Scenario) -> SearchConfig {
    SearchConfig {
        evals: 24,
        search_scale: 2,
        final_replications: 2,
        ..SearchConfig::new(s)
    }
}

#[test]
fn search_then_validate_gives_a_plan_within_budget_the_same_on_any_evaluator() {
    let cfg = search_config(small(&[]));
    let search = PlanSearch::new(&cfg).unwrap();
    let f = |x: &[f64], r: u32| search.evaluate(x, r);
    let a = search
        .search(&RayonEvaluator::new(f), &NoObserver, None)
        .unwrap();
    let b = search.search(&Backwards(f), &NoObserver, None).unwrap();
    assert_eq!(a.x, b.x, "the evaluator changes no result");
    assert!(a.evals_done <= cfg.evals && !a.trace.is_empty());
    let fresh = search.validate(&a.x, &Local);
    let out = search.outcome(a, &fresh);
    let s = &cfg.scenario;
    let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
    assert!(planned_costs(s, &out.plan).total() <= budget * (1.0 + 1e-9));
    let c = &out.comparison;
    assert_eq!(c.replications, 2);
    assert_eq!(c.plan.get(Kpi::Retention).unwrap().n, 2);
    // the paired difference is the difference of the means
    let d = c.difference_vs_current[&Kpi::Revenue].mean;
    let means = c.plan.mean(Kpi::Revenue).unwrap() - c.current.mean(Kpi::Revenue).unwrap();
    assert!(
        (d - means).abs() <= 1e-6 * means.abs().max(1.0),
        "{d} vs {means}"
    );
    // on a 20-week horizon the headline retention is the horizon figure
    assert_eq!(
        c.plan.mean(Kpi::Retention),
        c.plan.mean(Kpi::RetentionHorizon)
    );
    assert!(c.plan.get(Kpi::Retention12m).is_none());
}

#[test]
fn a_fix_that_names_no_decision_is_bad_input_before_any_run() {
    let mut cfg = search_config(small(&[]));
    cfg.fixes = vec![("XX/search/spend".into(), Some(1.0))];
    let Err(e) = PlanSearch::new(&cfg) else {
        panic!("an unknown decision must be refused")
    };
    assert!(matches!(e, StudyError::Fix(_)) && e.is_bad_input(), "{e}");
}

#[test]
fn an_unreachable_target_says_what_the_best_plan_reached() {
    let mut cfg = search_config(small(&[]));
    cfg.objective = Objective::Retention;
    cfg.target = Some(2.0); // retention cannot exceed 1
    let search = PlanSearch::new(&cfg).unwrap();
    let f = |x: &[f64], r: u32| search.evaluate(x, r);
    match search.search(&RayonEvaluator::new(f), &NoObserver, None) {
        Ok(_) => panic!("a retention of 2 cannot be reached"),
        Err(StudyError::TargetUnreachable {
            kpi, target, best, ..
        }) => {
            assert_eq!(kpi, Kpi::Retention);
            assert_eq!(target, 2.0);
            assert!(best > 0.0 && best < 1.0);
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_plan_from_a_front_is_the_best_retention_with_positive_roi() {
    let p = |r: f64, roi: f64| FrontPoint {
        x: vec![r],
        objectives: vec![r, roi],
        out_of_sample: vec![],
    };
    let front = [p(0.5, 0.4), p(0.6, 0.1), p(0.7, -0.2)];
    assert_eq!(choose_from_front(&front).unwrap().x, vec![0.6]);
    let all_negative = [p(0.5, -0.1), p(0.6, -0.3)];
    assert_eq!(choose_from_front(&all_negative).unwrap().x, vec![0.6]);
    assert!(choose_from_front(&[]).is_none());
}

fn analysis_input(s: &Scenario) -> AnalysisInput<'_> {
    AnalysisInput {
        scenario: s,
        plan: &s.strategy,
        current: &s.strategy,
        equal_split: None,
        seed: 5,
        search_scale: 1,
        objective: Kpi::Retention,
    }
}

#[test]
fn analysis_is_the_same_on_any_evaluator_and_its_curves_point_the_right_way() {
    let s = small(&[]);
    let input = analysis_input(&s);
    let runs = AnalysisRuns::new(&input);
    let f = |x: &[f64], r: u32| runs.evaluate(x, r);
    let a = runs.collect(&RayonEvaluator::new(f));
    assert_eq!(
        a,
        runs.collect(&Backwards(f)),
        "rows do not depend on who evaluates"
    );
    // a response curve per paid channel the plan buys, at every spend step
    let search: Vec<_> = a
        .response_curves
        .iter()
        .filter(|r| r.channel == "search")
        .collect();
    assert_eq!(search.len(), SPEND_STEPS.len());
    assert_eq!(search.iter().filter(|r| r.chosen).count(), 1);
    for w in search.windows(2) {
        assert!(w[1].annual_spend > w[0].annual_spend);
        assert!(w[1].cost_total > w[0].cost_total, "more spend costs more");
    }
    // fewer call-centre agents: longer waits
    let cc: Vec<_> = a
        .staffing_curve
        .iter()
        .filter(|r| r.channel == "call_centre")
        .collect();
    let (first, last) = (cc.first().unwrap(), cc.last().unwrap());
    assert!(first.service_staff < last.service_staff);
    assert!(
        first.mean_wait_min > last.mean_wait_min,
        "{} vs {}",
        first.mean_wait_min,
        last.mean_wait_min
    );
    // sensitivity: every assumption at -20 % and +20 %, around the same base
    assert_eq!(a.sensitivity.len(), 18);
    assert!(a.sensitivity.windows(2).all(|w| w[0].base == w[1].base));
    // retention curves start near 1 and never rise for the week-0 customers
    let company: Vec<f64> = a
        .retention_curves
        .iter()
        .filter(|r| r.series == "plan" && r.country == "company")
        .map(|r| r.retention)
        .collect();
    assert_eq!(company.len(), s.horizon_weeks as usize);
    assert!(company.windows(2).all(|w| w[1] <= w[0] + 1e-12));
}

#[test]
fn an_evaluation_out_of_range_is_empty_not_a_panic() {
    let s = small(&[]);
    let input = analysis_input(&s);
    let runs = AnalysisRuns::new(&input);
    assert!(runs.evaluate(&[1e9], 0).is_empty());
    assert!(runs.evaluate(&[], 0).is_empty());
}

#[test]
fn comparing_a_scenario_with_itself_differs_by_exactly_zero_and_more_staff_waits_less() {
    let base = small(&[]);
    let more = small(&["strategy.service_staff.DE.call_centre=12"]);
    let c = compare(
        &[base.clone(), base, more],
        vec!["a".into(), "b".into(), "c".into()],
        vec![String::new(); 3],
        7,
        2,
        &Local,
    );
    for k in &c.kpis {
        assert_eq!(k.differences[1].mean, 0.0, "{}", k.measure.name());
    }
    let wait = c
        .kpis
        .iter()
        .find(|k| k.measure == Measure::Service(ServiceKpi::MeanWaitMin, Channel::CallCentre))
        .expect("call-centre wait compared");
    assert!(
        wait.differences[2].mean < 0.0,
        "twice the agents: shorter waits"
    );
    // a 20-week horizon names its retention for what it is
    assert!(
        c.kpis
            .iter()
            .any(|k| k.measure == Measure::Company(Kpi::RetentionHorizon))
    );
    assert_eq!(c.retention_curves.len(), 3);
}

#[test]
fn ground_truth_lists_each_paid_channel_and_a_model_equal_to_it_has_no_error() {
    let s = small(&[]);
    let (journeys, truth) = simulate_truth(&s, 3, 2, &Local);
    assert!(!journeys.observed.is_empty() && !journeys.true_paths.is_empty());
    let company: Vec<&TruthRow> = truth.rows.iter().filter(|r| r.country == "ALL").collect();
    let mut channels: Vec<&str> = company.iter().map(|r| r.channel.as_str()).collect();
    channels.sort();
    assert_eq!(channels, ["email", "search", "social", "store"]);
    for code in ["DE", "KE", "ALL"] {
        let total: f64 = truth
            .rows
            .iter()
            .filter(|r| r.country == code)
            .map(|r| r.share)
            .sum();
        assert!(
            total == 0.0 || (total - 1.0).abs() < 1e-9,
            "{code}: {total}"
        );
    }
    let model = omnimix_attribution::Model::LastTouch;
    let credits: Vec<omnimix_attribution::Credit> = company
        .iter()
        .map(|r| omnimix_attribution::Credit {
            model,
            channel: r.channel.clone(),
            conversions: 0.0,
            value: 0.0,
            share: r.share,
            std_error: None,
        })
        .collect();
    let e = model_errors(
        &Truth {
            rows: truth.rows.clone(),
        },
        &credits,
        &[model],
    );
    assert!(e[0].total_absolute_share_error.abs() < 1e-12);
}

#[test]
fn benchmark_rules_parse_and_the_current_rule_reports_every_kpi() {
    assert!(parse_rules("all").unwrap().contains(&Rule::Optimizer));
    assert!(
        parse_rules("current,nonsense")
            .unwrap_err()
            .contains("nonsense")
    );
    assert!(parse_rules("").is_err());
    let s = small(&[]);
    let rows = bench_scenario(&s, &[Rule::Current, Rule::EqualSplit], 3, 2, 20).unwrap();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.n == 2 && r.mean.is_finite()));
    assert_eq!(rows[0].kpi, Kpi::Retention);
}

#[test]
fn an_attribution_rule_learning_from_observed_journeys_moves_money_away_from_the_store() {
    // Most store visits go unrecorded without unified data, so a last-touch rule that
    // learns from what the company records credits the online touches with orders the
    // store closed, and moves the store's money to them (measured: 20.5 % of paid
    // media in store against 24.9 % when it learns from the true journeys).
    use omnimix_attribution::Model;
    use omnimix_studies::benchmark::{Bench, Journeys};
    let s = default_preset(&["agent_scale=250"]);
    let store = |j: Journeys| {
        let plan = Bench::new(&s, 7)
            .learning_from(j)
            .attribution_plan(&Model::LastTouch)
            .unwrap();
        let (mut store, mut paid) = (0.0, 0.0);
        for by in plan.annual_spend.values() {
            for c in Channel::PAID {
                let v = by.get(c.name()).copied().unwrap_or(0.0);
                paid += v;
                if c == Channel::Store {
                    store += v;
                }
            }
        }
        store / paid
    };
    let (observed, truth) = (store(Journeys::Observed), store(Journeys::True));
    eprintln!("store share of paid media: observed {observed:.3}, true {truth:.3}");
    assert!(
        observed < 0.9 * truth,
        "store share {observed} on observed journeys vs {truth} on true ones"
    );
}

#[test]
fn budget_tables_add_up_to_the_strategys_planned_costs() {
    let s = small(&[]);
    let st = &s.strategy;
    let b = budget(&s, st);
    let planned = planned_costs(&s, st);
    let close = |a: f64, e: f64| assert!((a - e).abs() < 1e-9 * e.max(1.0), "{a} vs {e}");
    let cells: f64 = b.cells.iter().map(|r| r.media).sum();
    let countries: f64 = b.by_country.iter().map(|r| r.media).sum();
    let channels: f64 = b.by_channel.iter().map(|r| r.media).sum();
    let horizon = s.horizon_weeks as f64 / 52.0;
    let strategy: f64 = st
        .annual_spend
        .values()
        .flat_map(|m| m.values())
        .sum::<f64>()
        * horizon;
    for x in [cells, countries, channels] {
        close(x, strategy);
        close(x, planned.media);
    }
    let wages: f64 = b.staffing.iter().map(|r| r.wages).sum();
    close(b.by_country.iter().map(|r| r.wages).sum(), wages);
    close(wages, planned.wages);
    let integration: f64 = b.integration.iter().map(|r| r.total).sum();
    close(integration, planned.integration);
    close(b.by_country.iter().map(|r| r.total).sum(), planned.total());
    close(b.by_country.iter().map(|r| r.share).sum(), 1.0);
    assert_eq!(b.total, planned.total());
    assert!(phase_rows(&s, st).iter().all(|r| r.phase == 1));
}

#[test]
fn a_phased_plan_spends_its_phases_and_allocation_shows_the_horizon_average() {
    let s = small(&[]);
    let ps = PlanSpace::new(&s, &s.strategy).with_phases(2);
    let mut x = ps.encode(&s.strategy);
    let i = ps
        .space
        .variables
        .iter()
        .position(|v| v.name == "DE/phase1/weight")
        .expect("a weight per country and phase");
    x[i] = 1.5;
    let plan = ps.decode(&ps.space.repaired(&x));
    assert_eq!(plan.phases.len(), 2);
    let phases = phase_rows(&s, &plan);
    let spent: f64 = phases
        .iter()
        .filter(|r| r.country == "DE" && r.channel == "search")
        .map(|r| r.spend)
        .sum();
    let alloc = allocation_rows(&s, &[("plan", &plan)]);
    let mean = alloc
        .iter()
        .find(|r| r.country == "DE" && r.channel == "search")
        .unwrap()
        .spend;
    let weeks = s.horizon_weeks as f64;
    assert!(
        (spent - mean * weeks / 52.0).abs() < 1e-6 * spent,
        "{spent} vs {mean}"
    );
    let _ = Objective::Retention;
}

#[test]
fn the_search_never_starts_an_initiative_that_goes_live_after_the_horizon() {
    // unified data takes 200 weeks; the small scenario's horizon is 20
    let s = small(&["integration.unified_data.delay_weeks=200"]);
    let space = PlanSpace::new(&s, &s.strategy);
    for code in ["DE", "KE"] {
        let name = format!("{code}/unified_data");
        let v = space
            .space
            .variables
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(v.fixed, Some(0.0), "{name}");
    }
    // a project that does go live stays a decision (consistent messaging in DE:
    // 8 weeks × legacy and infrastructure factors)
    let v = space
        .space
        .variables
        .iter()
        .find(|v| v.name == "DE/consistent_messaging")
        .unwrap();
    assert_eq!(v.fixed, None);
    // and the chosen plan has it off
    let cfg = search_config(s.clone());
    let search = PlanSearch::new(&cfg).unwrap();
    let f = |x: &[f64], r: u32| search.evaluate(x, r);
    let found = search
        .search(&RayonEvaluator::new(f), &NoObserver, None)
        .unwrap();
    let plan = search.space().decode(&found.x);
    assert!(
        omnimix_sim::mechanisms::integration::late_rollouts(&s, &plan).is_empty(),
        "{:?}",
        plan.integration
    );
}

#[test]
fn a_cold_started_search_gives_a_plan_within_budget() {
    let mut cfg = search_config(small(&[]));
    cfg.hand_made_starts = false;
    let search = PlanSearch::new(&cfg).unwrap();
    let f = |x: &[f64], r: u32| search.evaluate(x, r);
    let found = search
        .search(&RayonEvaluator::new(f), &NoObserver, None)
        .unwrap();
    let plan = search.space().decode(&found.x);
    let budget = cfg.scenario.finance.annual_budget * cfg.scenario.horizon_weeks as f64 / 52.0;
    assert!(planned_costs(&cfg.scenario, &plan).total() <= budget * (1.0 + 1e-9));
    // the trace's best never goes down
    for w in found.trace.windows(2) {
        assert!(w[1].1 >= w[0].1, "{:?}", found.trace);
    }
}

const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");

/// The default preset with overrides.
fn default_preset(sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    load(&ScenarioSource::new("global-retail", DEFAULT), &o).unwrap()
}

/// What `optimize` reports for a configuration: the search, then the plan on fresh
/// replications.
fn optimized(cfg: &SearchConfig) -> omnimix_studies::optimize::Optimized {
    let search = PlanSearch::new(cfg).unwrap();
    let f = |x: &[f64], r: u32| search.evaluate(x, r);
    let found = search
        .search(&RayonEvaluator::new(f), &NoObserver, None)
        .unwrap();
    let fresh = search.validate(&found.x, &Local);
    search.outcome(found, &fresh)
}

#[test]
fn on_the_default_preset_every_paid_channel_adds_orders_and_a_harmful_one_shows_negative() {
    // docs/model.md, "Calibration targets and directions": real channels may have low returns, but none of the default
    // preset's paid channels loses orders by running (the channel off, common
    // random numbers); and a channel that only tires customers is reported with a
    // negative incremental count and share, never clipped to 0.
    let o = ["agent_scale=200", "replications=2"];
    let s = default_preset(&o);
    let (_, truth) = simulate_truth(&s, 11, 2, &Local);
    let company = |t: &Truth, ch: &str| -> TruthRow {
        t.rows
            .iter()
            .find(|r| r.country == "ALL" && r.channel == ch)
            .unwrap_or_else(|| panic!("{ch} missing"))
            .clone()
    };
    for ch in Channel::PAID {
        let r = company(&truth, ch.name());
        assert!(
            r.incremental_orders > 0.0 && r.share > 0.0,
            "{}: {} incremental orders",
            ch.name(),
            r.incremental_orders
        );
    }
    // display that cannot convert, build familiarity or remind, but tires
    let mut harmful = o.to_vec();
    harmful.extend([
        "channels.display.conversion=0",
        "channels.display.familiarity_gain=0",
        "channels.display.reminder_uplift=0",
        "channels.display.fatigue_per_touch=0.6",
    ]);
    let s = default_preset(&harmful);
    let (_, truth) = simulate_truth(&s, 11, 2, &Local);
    let d = company(&truth, "display");
    assert!(
        d.incremental_orders < 0.0 && d.share < 0.0 && d.roi < 0.0,
        "harmful display: {d:?}"
    );
}

/// The plan `optimize` chooses on the small scenario (value objective, 100 evaluations).
fn chosen_plan(sets: &[String]) -> (Scenario, omnimix_sim::Strategy) {
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let cfg = SearchConfig {
        evals: 100,
        ..search_config(small(&sets))
    };
    let search = PlanSearch::new(&cfg).unwrap();
    let f = |x: &[f64], r: u32| search.evaluate(x, r);
    let found = search
        .search(&RayonEvaluator::new(f), &NoObserver, None)
        .unwrap();
    let plan = search.space().decode(&found.x);
    (cfg.scenario, plan)
}

/// Media spend per year and the number of initiatives started.
fn media_and_initiatives(s: &Scenario, plan: &omnimix_sim::Strategy) -> (f64, usize) {
    let years = s.horizon_weeks as f64 / 52.0;
    let n = plan.integration.values().map(|m| m.len()).sum();
    (planned_costs(s, plan).media / years, n)
}

#[test]
fn a_short_horizon_buys_more_acquisition_and_a_long_one_more_retention() {
    // docs/model.md, "Calibration targets and directions": short horizons favour acquisition, long ones retention
    let (s13, p13) = chosen_plan(&["horizon_weeks=13".into()]);
    let (s156, p156) = chosen_plan(&["horizon_weeks=156".into()]);
    let (m13, i13) = media_and_initiatives(&s13, &p13);
    let (m156, i156) = media_and_initiatives(&s156, &p156);
    assert!(
        m13 > m156,
        "media per year: 13 weeks {m13:.0}, 156 weeks {m156:.0}"
    );
    let share = |s: &Scenario, p: &omnimix_sim::Strategy| {
        let c = planned_costs(s, p);
        c.media / c.total()
    };
    assert!(share(&s13, &p13) > share(&s156, &p156));
    assert!(i156 > i13, "initiatives: 13 weeks {i13}, 156 weeks {i156}");
}

#[test]
fn integration_ten_times_dearer_starts_fewer_initiatives_and_keeps_paid_media() {
    let base = vec!["horizon_weeks=156".to_string()];
    let mut dear = base.clone();
    for (name, spec) in omnimix_sim::scenario::catalog::initiatives() {
        dear.push(format!("integration.{name}.capex={}", spec.capex * 10.0));
        dear.push(format!(
            "integration.{name}.opex_weekly={}",
            spec.opex_weekly * 10.0
        ));
    }
    let (s0, p0) = chosen_plan(&base);
    let (s10, p10) = chosen_plan(&dear);
    let (m0, i0) = media_and_initiatives(&s0, &p0);
    let (m10, i10) = media_and_initiatives(&s10, &p10);
    assert!(i10 < i0, "initiatives: {i0} at today's cost, {i10} at 10x");
    // the money does not go into shutting the business down: paid media stays
    // (at least 80 % of the plan at today's integration cost)
    assert!(
        m10 >= 0.8 * m0,
        "media per year: {m0:.0} vs {m10:.0} at 10x"
    );
}

#[test]
fn a_retention_search_keeps_revenue_and_customers_above_its_floor() {
    // on the default preset the retention of the week-0 cohort can be lifted by
    // cutting acquisition (fewer new customers to serve, fewer touches); the guard
    // keeps revenue and the customer base at >= 95 % of the current plan's
    let outcome = |floor: f64| {
        let floor = format!("optimize.guard_floor={floor}");
        let cfg = SearchConfig {
            evals: 60,
            objective: Objective::Retention,
            ..search_config(default_preset(&["agent_scale=500", &floor]))
        };
        let c = optimized(&cfg).comparison;
        let ratio = |k: Kpi| c.plan.mean(k).unwrap() / c.current.mean(k).unwrap();
        (
            ratio(Kpi::Revenue),
            ratio(Kpi::ActiveCustomers),
            ratio(Kpi::Retention),
        )
    };
    let (rev_free, _, ret_free) = outcome(0.0);
    let (rev, cust, ret) = outcome(0.95);
    // unguarded, the search buys retention with revenue
    assert!(rev_free < 0.95, "unguarded revenue {rev_free}");
    // guarded (fresh replications at full resolution: a little slack for noise)
    assert!(
        rev >= 0.94 && cust >= 0.94,
        "guarded: revenue {rev}, customers {cust}"
    );
    assert!(ret > 1.0, "the guarded plan still raises retention: {ret}");
    assert!(
        ret_free >= ret - 0.02,
        "the guard costs retention, never adds much"
    );
}

#[test]
fn a_roi_search_spends_the_marketing_budget_and_reports_what_it_leaves() {
    // a ratio rises as spend falls: the roi search keeps today's media (the
    // marketing budget) and the guard; without them it may cut, and budget_use
    // then gives the marginal ROI that says whether leaving money is justified
    let outcome = |sets: &[&str]| {
        let mut all = vec!["agent_scale=500"];
        all.extend_from_slice(sets);
        let cfg = SearchConfig {
            evals: 60,
            objective: Objective::Roi,
            ..search_config(default_preset(&all))
        };
        let out = optimized(&cfg);
        let media = planned_costs(&cfg.scenario, &out.plan).media
            / planned_costs(&cfg.scenario, &cfg.scenario.strategy).media;
        let c = out.comparison;
        let rev = c.plan.mean(Kpi::Revenue).unwrap() / c.current.mean(Kpi::Revenue).unwrap();
        (media, rev, c.budget_use.unwrap())
    };
    let (media, rev, used) = outcome(&[]);
    assert!(media >= 0.99 - 1e-9, "media kept {media}");
    assert!(rev >= 0.94, "revenue kept {rev}");
    assert!(used.marginal_roi.n >= 2 && used.reading.contains("10 % more media"));
    let (media_free, _, used_free) =
        outcome(&["optimize.roi_spend_floor=0", "optimize.guard_floor=0"]);
    assert!(media_free < 0.9, "unguarded media {media_free}");
    assert!(used_free.unspent > 0.0 && used_free.reading.contains("left unspent"));
    assert!(
        (used_free.budget - used_free.planned_cost - used_free.unspent).abs() < 1e-6,
        "the figures add up"
    );
}
