//! Tests of the plan space: decoding, constraints, phases, directions, baselines.

use super::*;
use omnimix_sim::ScenarioSource;
use omnimix_sim::scenario::Strategy;
use omnimix_sim::scenario::load::load;
use omnimix_sim::scenario::validate::validate;
use proptest::prelude::*;

const DEFAULT: &str = include_str!("../../../scenarios/global-retail.toml");

fn space() -> PlanSpace {
    let s = load(&ScenarioSource::new("t", DEFAULT), &[]).unwrap();
    PlanSpace::new(&s, &s.strategy)
}

fn with_strategy(ps: &PlanSpace, st: &Strategy) -> Scenario {
    let mut s = ps.scenario().clone();
    s.strategy = st.clone();
    s
}

#[test]
fn current_strategy_round_trips() {
    let ps = space();
    let st = ps.decode(&ps.encode(&ps.base));
    assert_eq!(st.annual_spend, ps.base.annual_spend);
    assert_eq!(st.service_staff, ps.base.service_staff);
    assert_eq!(st.specialists, ps.base.specialists);
}

#[test]
fn baselines_and_warm_starts_are_valid_and_within_budget() {
    let ps = space();
    let s = ps.scenario();
    let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
    let mut plans = vec![ps.equal_split()];
    plans.extend(ps.warm_starts().iter().map(|x| ps.decode(x)));
    for st in plans {
        assert!(
            validate(&with_strategy(&ps, &st)).is_empty(),
            "{:?}",
            validate(&with_strategy(&ps, &st))
        );
        assert!(finance::planned_costs(s, &st).total() <= budget * (1.0 + 1e-12));
    }
}

#[test]
fn fixes_and_bounds_hold_in_decoded_plans() {
    let text = format!(
        "{DEFAULT}\n[optimize]\nfix = [\"*/store/spend\", \"creative_share\"]\nheadcount_cap = {{ DE = 60 }}\n\
         [optimize.channel_spend.print]\nmax = 1000000\n"
    );
    let s = load(&ScenarioSource::new("t", text), &[]).unwrap();
    let mut ps = PlanSpace::new(&s, &s.strategy);
    ps.constrain(&[("US/unified_data".into(), Some(1.0))])
        .unwrap();
    assert!(ps.space.feasibility().is_ok());
    let mut rng = 12345u64;
    for _ in 0..20 {
        let x: Vec<f64> = (0..ps.space.dim())
            .map(|_| {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (rng >> 11) as f64 / (1u64 << 53) as f64 * 3e6
            })
            .collect();
        let st = ps.decode(&x);
        let de_staff: f64 = st.service_staff.get("DE").map_or(0.0, |m| m.values().sum());
        assert!(de_staff <= 60.0 + 1e-9, "{de_staff}");
        let print: f64 = st
            .annual_spend
            .values()
            .filter_map(|m| m.get("print"))
            .sum();
        assert!(print <= 1e6 * (1.0 + 1e-9), "{print}");
        assert!(st.integration["US"].contains_key("unified_data"));
        assert_eq!(st.creative_share, s.strategy.creative_share);
    }
    assert!(ps.constrain(&[("XX/nothing".into(), None)]).is_err());
}

#[test]
fn directions_cover_the_structure_and_skip_fixed_decisions() {
    let mut ps = space().with_phases(4);
    ps.constrain(&[("*/unified_data".into(), None)]).unwrap();
    let dirs = ps.directions();
    let names: Vec<&str> = dirs.iter().map(|d| d.name.as_str()).collect();
    for want in [
        "bopis everywhere",
        "call_centre staff everywhere",
        "search spend everywhere",
        "DE spend",
        "creative share",
        "phase 4 spend everywhere",
        "spend earlier",
        "US integration",
        "shared rewards everywhere",
        "coordination everywhere",
        "DE organisation",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    assert!(
        !names.contains(&"unified_data everywhere"),
        "fixed decisions move"
    );
    // only the all-media move may change the money spent
    let spending: Vec<&str> = dirs
        .iter()
        .filter(|d| !d.keep_cost)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(spending, ["all paid media (spend less or more)"]);
    for d in &dirs {
        for &(i, _) in d.scale.iter().chain(&d.shift) {
            assert!(i < ps.space.dim());
            assert!(
                ps.space.variables[i].fixed.is_none(),
                "{} moves a fixed decision",
                d.name
            );
        }
    }
}

#[test]
fn patterns_match_segment_by_segment() {
    assert!(matches("*/store/spend", "DE/store/spend"));
    assert!(!matches("*/store/spend", "DE/store/staff"));
    assert!(!matches("DE/*", "DE/store/spend"));
    assert!(matches("creative_share", "creative_share"));
}

fn paid_media(s: &Scenario, st: &Strategy) -> f64 {
    let mut m = 0.0;
    for p in st.spend_periods(s.horizon_weeks) {
        for code in s.countries.keys() {
            for c in Channel::PAID {
                m += st.spend_in(&p, code, c.name()) * f64::from(p.end - p.start) / 52.0;
            }
        }
    }
    m
}

#[test]
fn quarters_split_the_horizon_and_flat_weights_change_nothing() {
    let ps = space().with_phases(4);
    assert_eq!(ps.phase_weeks(), [13, 13, 13, 13]);
    assert!(
        ps.space
            .variables
            .iter()
            .any(|v| v.name == "DE/phase4/weight")
    );
    let flat = space();
    let a = flat.decode(&flat.encode(&flat.base));
    let b = ps.decode(&ps.encode(&ps.base));
    assert_eq!(b.phases.len(), 4);
    assert_eq!(a.annual_spend, b.annual_spend);
    assert_eq!(a.specialists, b.specialists);
    let s = ps.scenario();
    assert!((paid_media(s, &a) - paid_media(s, &b)).abs() < 1e-6);
    // a 10-week horizon in 4 phases: 3 + 3 + 2 + 2
    let short = load(
        &ScenarioSource::new("t", DEFAULT),
        &["horizon_weeks=10".parse().unwrap()],
    )
    .unwrap();
    assert_eq!(
        PlanSpace::new(&short, &short.strategy)
            .with_phases(4)
            .phase_weeks(),
        [3, 3, 2, 2]
    );
    assert!(
        PlanSpace::new(&short, &short.strategy)
            .with_phases(1)
            .phase_weeks()
            .is_empty()
    );
}

#[test]
fn phase_weights_round_trip_and_move_money_between_quarters() {
    let ps = space().with_phases(4);
    let mut x = ps.encode(&ps.base);
    let idx = |name: &str| {
        ps.space
            .variables
            .iter()
            .position(|v| v.name == name)
            .unwrap()
    };
    x[idx("US/phase1/weight")] = 1.8;
    x[idx("US/phase4/weight")] = 0.6;
    let st = ps.decode(&x);
    let us = |k: usize| -> f64 { st.phases[k].annual_spend["US"].values().sum() };
    assert!(
        us(0) > us(1) && us(1) > us(3),
        "{} {} {}",
        us(0),
        us(1),
        us(3)
    );
    let y = ps.encode(&st);
    // normalised weights: (1.8, 1, 1, 0.6) / mean 1.1
    assert!(
        (y[idx("US/phase1/weight")] - 1.8 / 1.1).abs() < 1e-9,
        "{}",
        y[idx("US/phase1/weight")]
    );
    assert!((y[idx("US/phase4/weight")] - 0.6 / 1.1).abs() < 1e-9);
    let st2 = ps.decode(&y);
    for (a, b) in st.phases.iter().zip(&st2.phases) {
        for (code, m) in &a.annual_spend {
            for (ch, v) in m {
                let w = b.annual_spend[code][ch];
                assert!(
                    (v - w).abs() <= 1e-9 * v.abs().max(1.0),
                    "{code} {ch}: {v} vs {w}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Phased plans from any vector are valid, within budget, and the phases'
    /// paid media add up to the average plan's.
    #[test]
    fn any_phased_vector_is_valid_and_conserves_media(raw in proptest::collection::vec(-1e7f64..1e8, 171), w in proptest::collection::vec(-1.0f64..3.0, 40)) {
        let ps = space().with_phases(4);
        let s = ps.scenario();
        let mut x = raw;
        x.resize(ps.space.dim() - w.len(), 0.0);
        x.extend(w);
        let st = ps.decode(&x);
        let problems = validate(&with_strategy(&ps, &st));
        prop_assert!(problems.is_empty(), "{:?}", problems);
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        prop_assert!(finance::planned_costs(s, &st).total() <= budget * (1.0 + 1e-12));
        let mut flat = st.clone();
        flat.phases.clear();
        let (a, b) = (paid_media(s, &st), paid_media(s, &flat));
        prop_assert!((a - b).abs() <= 1e-9 * b.max(1.0), "{} vs {}", a, b);
    }

    /// Any vector, even far out of bounds, decodes to a strategy the validator
    /// accepts, whose exact planned cost is within the budget.
    #[test]
    fn any_vector_decodes_to_a_valid_plan_within_budget(raw in proptest::collection::vec(-1e7f64..1e8, 171)) {
        let ps = space();
        let s = ps.scenario();
        let mut x = raw;
        x.resize(ps.space.dim(), 0.0);
        let st = ps.decode(&x);
        let problems = validate(&with_strategy(&ps, &st));
        prop_assert!(problems.is_empty(), "{:?}", problems);
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        prop_assert!(finance::planned_costs(s, &st).total() <= budget * (1.0 + 1e-12));
    }
}

#[test]
fn a_staged_roll_out_starts_each_initiative_in_its_own_quarter_never_past_its_go_live() {
    let ps = space();
    let idx = |name: &str| {
        ps.space
            .variables
            .iter()
            .position(|v| v.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let s = ps.scenario();
    // the start quarters reach the last one from which the project still goes live
    for name in ["consistent_messaging", "unified_data"] {
        let start = &ps.space.variables[idx(&format!("DE/{name}/start"))];
        let mut one = Strategy::default();
        one.integration
            .insert("DE".into(), BTreeMap::from([(name.to_string(), 0)]));
        let delay = integration::rollouts(s, &one, "DE")
            .iter()
            .flatten()
            .map(|r| r.live_week)
            .min()
            .unwrap();
        let last = (s.horizon_weeks - delay - 1) / ROLLOUT_STEP_WEEKS;
        assert_eq!((start.lo, start.hi), (0.0, f64::from(last)), "{name}");
    }
    assert!(
        ps.space.variables[idx("DE/unified_data/start")].hi
            < ps.space.variables[idx("DE/consistent_messaging/start")].hi,
        "a longer project has fewer start quarters"
    );
    // consistent messaging in DE's third quarter (week 26), ROPO in week 0, VN first
    let mut x = ps.encode(&ps.base);
    x[idx("DE/consistent_messaging")] = 1.0;
    x[idx("DE/ropo")] = 1.0;
    x[idx("VN/ropo")] = 1.0;
    x[idx("DE/consistent_messaging/start")] = 2.0;
    x[idx("DE/ropo/start")] = 0.0;
    x[idx("VN/ropo/start")] = 0.0;
    let st = ps.decode(&x);
    let de = &st.integration["DE"];
    assert_eq!(de["consistent_messaging"], 26, "{de:?}");
    assert_eq!(de["ropo"], 0, "{de:?}");
    assert_eq!(st.integration["VN"]["ropo"], 0, "VN goes first");
    // the starts round-trip
    let back = ps.encode(&st);
    assert_eq!(back[idx("DE/consistent_messaging/start")], 2.0);
    assert_eq!(back[idx("DE/ropo/start")], 0.0);
    // whatever the vector says, nothing in the plan goes live after the horizon
    x[idx("DE/unified_data")] = 1.0;
    x[idx("DE/unified_data/start")] = 3.0;
    let st = ps.decode(&x);
    assert!(integration::late_rollouts(s, &st).is_empty());
    // and a later start costs less than a start in week 0
    let mut early = x.clone();
    early[idx("DE/consistent_messaging/start")] = 0.0;
    let cost = |st: &Strategy| integration::planned_cost(s, st, "DE");
    assert!(cost(&ps.decode(&x)) < cost(&ps.decode(&early)));
}

#[test]
fn integration_start_fixes_every_start_quarter_of_a_country() {
    let mut ps = space();
    ps.constrain(&[("DE/integration_start".into(), Some(2.0))])
        .unwrap();
    let starts: Vec<&Variable> = ps
        .space
        .variables
        .iter()
        .filter(|v| v.name.starts_with("DE/") && v.name.ends_with("/start"))
        .collect();
    assert!(starts.len() >= 2);
    for v in starts {
        // each at the quarter asked, or its last one that still goes live
        assert_eq!(v.fixed, Some(v.hi.min(2.0)), "{}", v.name);
    }
    assert!(
        ps.space
            .variables
            .iter()
            .filter(|v| v.name.starts_with("VN/"))
            .all(|v| v.fixed.is_none())
    );
}
