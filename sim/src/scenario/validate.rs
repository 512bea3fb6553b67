//! Semantic checks of a deserialized scenario: ranges, references, shares, budget.
//!
//! Every check adds a [`Problem`] naming the key path, the value and what is
//! allowed; nothing stops at the first problem.

use super::{CountrySpec, INITIATIVES, Scenario, Strategy};
use crate::channel::Channel;
use crate::error::Problem;
use crate::mechanisms::finance::planned_costs;

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn range(&mut self, path: impl Into<String>, v: f64, lo: f64, hi: f64) {
        if !(v >= lo && v <= hi) {
            self.problems
                .push(Problem::new(path, format!("must be between {lo} and {hi}")).with_value(v));
        }
    }
    fn positive(&mut self, path: impl Into<String>, v: f64) {
        if !(v > 0.0 && v.is_finite()) {
            self.problems
                .push(Problem::new(path, "must be a positive number").with_value(v));
        }
    }
    fn non_negative(&mut self, path: impl Into<String>, v: f64) {
        if !(v >= 0.0 && v.is_finite()) {
            self.problems
                .push(Problem::new(path, "must be zero or positive").with_value(v));
        }
    }
    fn share(&mut self, path: impl Into<String>, v: f64) {
        self.range(path, v, 0.0, 1.0);
    }
    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }
}

/// Largest number of agents one run may hold (memory guard; use `agent_scale`).
pub const MAX_AGENTS: f64 = 2.0e9;

/// All problems of a scenario (empty when it is valid).
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if s.name.trim().is_empty() {
        c.push(Problem::new("name", "must not be empty").with_value("\"\""));
    }
    if !(1..=100_000).contains(&s.replications) {
        c.push(
            Problem::new("replications", "must be between 1 and 100000").with_value(s.replications),
        );
    }
    if !(1..=1040).contains(&s.horizon_weeks) {
        c.push(
            Problem::new("horizon_weeks", "must be between 1 and 1040 weeks")
                .with_value(s.horizon_weeks),
        );
    }
    if s.agent_scale == 0 {
        c.push(Problem::new("agent_scale", "must be at least 1 customer per agent").with_value(0));
    }
    c.range("discount_rate_annual", s.discount_rate_annual, 0.0, 0.99);
    if let Some(d) = &s.start_date
        && let Err(e) = crate::mechanisms::seasonality::parse_date(d)
    {
        c.push(Problem::new("start_date", e).with_value(format!("\"{d}\"")));
    }

    let f = &s.finance;
    c.positive("finance.annual_budget", f.annual_budget);
    c.range("finance.gross_margin", f.gross_margin, 0.0, 1.0);
    c.share("finance.volatility", f.volatility);
    c.share("finance.max_cut", f.max_cut);
    if f.planning_period_weeks == 0 {
        c.push(Problem::new("finance.planning_period_weeks", "must be at least 1").with_value(0));
    }
    c.share("company.legacy_systems", s.company.legacy_systems);
    for (k, v) in s.observation.shares() {
        c.share(format!("observation.{k}"), v);
    }
    check_behaviour(&mut c, s);
    check_channels(&mut c, s);
    check_segments(&mut c, s);
    for (name, p) in &s.privacy {
        let path = format!("privacy.{name}");
        c.share(format!("{path}.consent_rate"), p.consent_rate);
        c.non_negative(
            format!("{path}.cost_per_profile_weekly"),
            p.cost_per_profile_weekly,
        );
        c.share(format!("{path}.personalisation_cap"), p.personalisation_cap);
    }
    for (name, i) in &s.integration {
        let path = format!("integration.{name}");
        c.non_negative(format!("{path}.capex"), i.capex);
        c.non_negative(format!("{path}.opex_weekly"), i.opex_weekly);
        c.range(format!("{path}.delay_weeks"), i.delay_weeks, 0.0, 520.0);
        c.share(format!("{path}.effect"), i.effect);
    }
    let k = &s.incentives;
    c.share("incentives.bonus_pool_share", k.bonus_pool_share);
    c.share("incentives.bopis_uplift", k.bopis_uplift);
    c.share("incentives.store_service_uplift", k.store_service_uplift);
    c.share("incentives.handover_cut", k.handover_cut);
    let k = &s.coordination;
    c.non_negative("coordination.cost_annual", k.cost_annual);
    c.share("coordination.inconsistency_cut", k.inconsistency_cut);
    c.range("coordination.silo_lag_weeks", k.silo_lag_weeks, 0.0, 26.0);
    if s.countries.is_empty() {
        c.push(Problem::new(
            "countries",
            "at least one country is needed, e.g. [countries.DE] population = 100000",
        ));
    }
    let mut agents = 0.0;
    for (code, country) in &s.countries {
        check_country(&mut c, s, code, country);
        agents += country.population / s.agent_scale.max(1) as f64;
    }
    if agents > MAX_AGENTS {
        c.push(
            Problem::new(
                "agent_scale",
                format!("{agents:.0} agents is more than {MAX_AGENTS:.0}; raise agent_scale"),
            )
            .with_value(s.agent_scale),
        );
    }
    check_optimize(&mut c, s);
    check_calibrate(&mut c, s);
    let structural = c.problems.is_empty();
    check_strategy(&mut c, s, "strategy", &s.strategy, structural);
    for (name, st) in &s.strategies {
        check_strategy(&mut c, s, &format!("strategies.{name}"), st, structural);
    }
    c.problems
}

fn check_behaviour(c: &mut Checker, s: &Scenario) {
    let b = &s.behaviour;
    let shares = [
        ("consider_threshold", b.consider_threshold),
        (
            "familiarity_retention_weekly",
            b.familiarity_retention_weekly,
        ),
        ("organic_conversion_weekly", b.organic_conversion_weekly),
        ("winback_factor", b.winback_factor),
        ("contact_rate_weekly", b.contact_rate_weekly),
        (
            "prospect_contact_rate_weekly",
            b.prospect_contact_rate_weekly,
        ),
        ("satisfaction_baseline", b.satisfaction_baseline),
        ("satisfaction_drift", b.satisfaction_drift),
        ("bad_experience_hit", b.bad_experience_hit),
        ("long_wait_hit", b.long_wait_hit),
        ("good_service_gain", b.good_service_gain),
        ("purchase_gain", b.purchase_gain),
        ("inconsistency_rate", b.inconsistency_rate),
        ("inconsistency_hit", b.inconsistency_hit),
        ("fatigue_retention_weekly", b.fatigue_retention_weekly),
        ("fatigue_effect", b.fatigue_effect),
        ("optout_at_full_fatigue", b.optout_at_full_fatigue),
        ("switch_dropoff", b.switch_dropoff),
        ("closed_channel_loss", b.closed_channel_loss),
        ("prospect_abandon_loss", b.prospect_abandon_loss),
    ];
    for (k, v) in shares {
        c.share(format!("behaviour.{k}"), v);
    }
    let bounded = [
        (
            "preferred_channel_boost",
            b.preferred_channel_boost,
            0.0,
            10.0,
        ),
        (
            "satisfaction_churn_slope",
            b.satisfaction_churn_slope,
            0.0,
            20.0,
        ),
        (
            "creative_refresh_strength",
            b.creative_refresh_strength,
            0.0,
            100.0,
        ),
        ("wom_talk_rate", b.wom_talk_rate, 0.0, 10.0),
        ("review_effect", b.review_effect, 0.0, 5.0),
        ("omni_uplift_online", b.omni_uplift_online, 0.0, 5.0),
        ("omni_uplift_store", b.omni_uplift_store, 0.0, 5.0),
        ("omni_repeat_uplift", b.omni_repeat_uplift, 0.0, 5.0),
        ("ropo_store_uplift", b.ropo_store_uplift, 0.0, 5.0),
        ("bopis_extra_value", b.bopis_extra_value, 0.0, 5.0),
    ];
    for (k, v, lo, hi) in bounded {
        c.range(format!("behaviour.{k}"), v, lo, hi);
    }
}

fn check_channels(c: &mut Checker, s: &Scenario) {
    for ch in Channel::ALL {
        let Some(x) = s.channels.get(ch.name()) else {
            continue;
        };
        let p = |k: &str| format!("channels.{}.{k}", ch.name());
        c.range(p("adstock_theta"), x.adstock_theta, 0.0, 0.99);
        c.positive(p("hill_alpha"), x.hill_alpha);
        c.positive(p("hill_gamma"), x.hill_gamma);
        c.share(p("audience_ceiling"), x.audience_ceiling);
        c.share(p("conversion"), x.conversion);
        c.share(p("familiarity_gain"), x.familiarity_gain);
        c.share(p("fatigue_per_touch"), x.fatigue_per_touch);
        c.non_negative(p("reminder_uplift"), x.reminder_uplift);
        c.non_negative(p("min_viable_weekly_spend"), x.min_viable_weekly_spend);
        c.non_negative(p("specialists_min"), x.specialists_min);
        c.non_negative(
            p("spend_per_specialist_weekly"),
            x.spend_per_specialist_weekly,
        );
        c.non_negative(p("specialist_wage_weekly"), x.specialist_wage_weekly);
        c.non_negative(p("agent_wage_weekly"), x.agent_wage_weekly);
        c.share(p("resolution"), x.resolution);
        c.non_negative(p("contact_weight"), x.contact_weight);
        c.non_negative(p("wait_tolerance_min"), x.wait_tolerance_min);
        if ch.is_service() {
            c.range(p("open_hours_weekly"), x.open_hours_weekly, 1.0, 168.0);
            c.non_negative(p("cpm"), x.cpm);
        } else {
            c.positive(p("cpm"), x.cpm);
        }
        if ch.is_service() && x.takes_orders {
            c.push(
                Problem::new(
                    p("takes_orders"),
                    "a service channel is not a point of sale (its agents sell through `conversion`, a share of the handled prospect contacts)",
                )
                .with_value(true),
            );
        }
        if ch.is_staffed_service() {
            c.positive(p("handle_time_min"), x.handle_time_min);
            c.positive(p("patience_min"), x.patience_min);
        }
    }
}

fn check_segments(c: &mut Checker, s: &Scenario) {
    for (name, g) in &s.segments {
        let p = |k: &str| format!("segments.{name}.{k}");
        c.positive(p("order_value"), g.order_value);
        c.share(p("purchase_rate_weekly"), g.purchase_rate_weekly);
        c.positive(p("churn_alpha"), g.churn_alpha);
        c.positive(p("churn_beta"), g.churn_beta);
        c.range(p("decision_makers"), g.decision_makers, 1.0, 50.0);
        c.range(p("price_sensitivity"), g.price_sensitivity, 0.0, 10.0);
        for (ch, w) in &g.channel_preference {
            let path = format!("segments.{name}.channel_preference.{ch}");
            match ch.parse::<Channel>() {
                Ok(_) => c.range(path, *w, 0.0, 10.0),
                Err(e) => c.push(Problem::new(path, e).with_value(w)),
            }
        }
    }
}

fn check_country(c: &mut Checker, s: &Scenario, code: &str, x: &CountrySpec) {
    let p = |k: &str| format!("countries.{code}.{k}");
    if !(x.population >= 1.0 && x.population.is_finite()) {
        c.push(
            Problem::new(
                p("population"),
                "must be at least 1 customer in scope (set population = N)",
            )
            .with_value(x.population),
        );
    } else if x.population / (s.agent_scale.max(1) as f64) < 1.0 {
        c.push(
            Problem::new(
                p("population"),
                format!(
                    "is below agent_scale = {}: no agent to simulate",
                    s.agent_scale
                ),
            )
            .with_value(x.population),
        );
    }
    for (k, v) in [
        ("internet_use", x.internet_use),
        ("mobile_use", x.mobile_use),
        ("logistics_reliability", x.logistics_reliability),
        ("regulatory_friction", x.regulatory_friction),
        ("online_share", x.online_share),
        ("bad_experience_churn", x.bad_experience_churn),
        ("initial_customer_share", x.initial_customer_share),
        ("initial_aware_share", x.initial_aware_share),
    ] {
        c.share(p(k), v);
    }
    if x.initial_customer_share + x.initial_aware_share > 1.0 + 1e-9 {
        c.push(
            Problem::new(
                p("initial_aware_share"),
                "initial_customer_share + initial_aware_share must not exceed 1",
            )
            .with_value(x.initial_aware_share),
        );
    }
    for (k, v) in [
        ("cost_index", x.cost_index),
        ("wage_index", x.wage_index),
        ("price_index", x.price_index),
    ] {
        c.range(p(k), v, 0.001, 1000.0);
    }
    if !s.privacy.contains_key(&x.privacy) {
        let known: Vec<&str> = s.privacy.keys().map(String::as_str).collect();
        c.push(
            Problem::new(
                p("privacy"),
                format!("unknown privacy regime (known: {})", known.join(", ")),
            )
            .with_value(format!("\"{}\"", x.privacy)),
        );
    }
    if x.segments.is_empty() {
        c.push(Problem::new(
            p("segments"),
            "needs at least one segment share, e.g. { b2c_mass = 1.0 }",
        ));
    }
    let mut total = 0.0;
    for (seg, share) in &x.segments {
        if !s.segments.contains_key(seg) {
            let known: Vec<&str> = s.segments.keys().map(String::as_str).collect();
            c.push(
                Problem::new(
                    format!("countries.{code}.segments.{seg}"),
                    format!("unknown segment (known: {})", known.join(", ")),
                )
                .with_value(share),
            );
        }
        c.share(format!("countries.{code}.segments.{seg}"), *share);
        total += share;
    }
    if !x.segments.is_empty() && (total - 1.0).abs() > 1e-6 {
        c.push(
            Problem::new(p("segments"), "segment shares must sum to 1")
                .with_value(format!("sum {}", (total * 1e9).round() / 1e9)),
        );
    }
    if x.segments.len() > 8 {
        c.push(
            Problem::new(p("segments"), "at most 8 segments per country")
                .with_value(x.segments.len()),
        );
    }
    for (path, message, value) in
        crate::mechanisms::seasonality::problems(&p("seasonality"), &x.seasonality)
    {
        let problem = Problem::new(path, message);
        c.push(if value.is_empty() {
            problem
        } else {
            problem.with_value(value)
        });
    }
    for (i, ch) in x.channels.iter().enumerate() {
        if let Err(e) = ch.parse::<Channel>() {
            c.push(
                Problem::new(format!("countries.{code}.channels.{i}"), e)
                    .with_value(format!("\"{ch}\"")),
            );
        } else if x.channels[..i].contains(ch) {
            c.push(
                Problem::new(format!("countries.{code}.channels.{i}"), "listed twice")
                    .with_value(format!("\"{ch}\"")),
            );
        }
    }
}

/// A staff table of a strategy: its key, the table, which channels it may staff, and
/// what those are called in messages.
type StaffTable<'a> = (
    &'a str,
    &'a super::ByCountryChannel,
    fn(Channel) -> bool,
    &'a str,
);

fn check_strategy(c: &mut Checker, s: &Scenario, base: &str, st: &Strategy, structural_ok: bool) {
    c.range(
        format!("{base}.creative_share"),
        st.creative_share,
        0.0,
        0.9,
    );
    let specs = s.channel_specs();
    let mut refs_ok = true;
    // Country and channel references, and channels the country has.
    let mut check_refs = |c: &mut Checker, table: &str, map: &super::ByCountryChannel| {
        for (code, by_ch) in map {
            let Some(country) = s.countries.get(code) else {
                refs_ok = false;
                let known: Vec<&str> = s.countries.keys().map(String::as_str).collect();
                c.push(Problem::new(
                    format!("{base}.{table}.{code}"),
                    format!(
                        "unknown country '{code}' (countries in this scenario: {})",
                        known.join(", ")
                    ),
                ));
                continue;
            };
            for (ch, v) in by_ch {
                let path = format!("{base}.{table}.{code}.{ch}");
                match ch.parse::<Channel>() {
                    Err(e) => {
                        refs_ok = false;
                        c.push(Problem::new(path, e).with_value(v));
                    }
                    Ok(_) if !country.channels.contains(ch) && *v != 0.0 => {
                        refs_ok = false;
                        c.push(
                            Problem::new(path, format!("{code} does not have channel '{ch}' (see countries.{code}.channels)"))
                                .with_value(v),
                        );
                    }
                    Ok(_) => c.non_negative(path, *v),
                }
            }
        }
    };
    check_refs(c, "annual_spend", &st.annual_spend);
    check_refs(c, "service_staff", &st.service_staff);
    check_refs(c, "specialists", &st.specialists);
    let mut spend_tables = vec![("annual_spend".to_string(), &st.annual_spend)];
    let mut start = 0u32;
    for (i, phase) in st.phases.iter().enumerate() {
        let table = format!("phases.{i}.annual_spend");
        check_refs(c, &table, &phase.annual_spend);
        spend_tables.push((table, &phase.annual_spend));
        if phase.weeks == 0 {
            c.push(
                Problem::new(
                    format!("{base}.phases.{i}.weeks"),
                    "a phase lasts at least 1 week",
                )
                .with_value(0),
            );
        } else if start >= s.horizon_weeks {
            c.push(
                Problem::new(
                    format!("{base}.phases.{i}.weeks"),
                    format!(
                        "this phase starts in week {start}, after the horizon of {} weeks (phases run one after another from week 0)",
                        s.horizon_weeks
                    ),
                )
                .with_value(phase.weeks),
            );
        }
        start = start.saturating_add(phase.weeks);
    }

    let spend = |code: &str, ch: &str| st.peak_spend(code, ch);
    for (table, map) in spend_tables {
        for (code, by_ch) in map {
            for (ch, v) in by_ch {
                let Ok(channel) = ch.parse::<Channel>() else {
                    continue;
                };
                let min = s
                    .countries
                    .get(code)
                    .map_or(specs[channel.index()].min_viable_weekly_spend, |x| {
                        x.min_viable_weekly(&specs[channel.index()])
                    });
                if *v > 0.0 && *v / 52.0 < min {
                    c.push(
                        Problem::new(
                            format!("{base}.{table}.{code}.{ch}"),
                            format!(
                                "below the channel's minimum viable spend ({min} a week = {} a year): set 0 or at least that",
                                min * 52.0
                            ),
                        )
                        .with_value(v),
                    );
                }
            }
        }
    }
    // Staff work only where their channel kind fits, and only on channels that run.
    let staff_tables: [StaffTable; 2] = [
        (
            "service_staff",
            &st.service_staff,
            |c| c.is_staffed_service() || c == Channel::Store,
            "service staff work only in call_centre, live_chat or store",
        ),
        (
            "specialists",
            &st.specialists,
            |c| !c.is_service(),
            "marketing specialists work only in paid channels",
        ),
    ];
    for (table, map, fits, wrong_kind) in staff_tables {
        for (code, by_ch) in map {
            for (ch, v) in by_ch {
                let Ok(channel) = ch.parse::<Channel>() else {
                    continue;
                };
                let path = format!("{base}.{table}.{code}.{ch}");
                if !fits(channel) {
                    c.push(Problem::new(path, wrong_kind).with_value(v));
                } else if *v > 0.0 && spend(code, ch) <= 0.0 {
                    c.push(
                        Problem::new(
                            path,
                            format!("staff without a channel: {code} has no annual_spend on {ch} in any phase, so it is not running"),
                        )
                        .with_value(v),
                    );
                }
            }
        }
    }
    for (code, org) in &st.organisation {
        if !s.countries.contains_key(code) {
            refs_ok = false;
            c.push(Problem::new(
                format!("{base}.organisation.{code}"),
                format!("unknown country '{code}'"),
            ));
            continue;
        }
        c.share(
            format!("{base}.organisation.{code}.shared_reward"),
            org.shared_reward,
        );
        c.share(
            format!("{base}.organisation.{code}.coordination"),
            org.coordination,
        );
    }
    for (code, inits) in &st.integration {
        if !s.countries.contains_key(code) {
            refs_ok = false;
            c.push(Problem::new(
                format!("{base}.integration.{code}"),
                format!("unknown country '{code}'"),
            ));
            continue;
        }
        for (name, week) in inits {
            if !INITIATIVES.contains(&name.as_str()) {
                refs_ok = false;
                c.push(
                    Problem::new(
                        format!("{base}.integration.{code}.{name}"),
                        format!("unknown initiative (known: {})", INITIATIVES.join(", ")),
                    )
                    .with_value(week),
                );
            }
        }
    }
    // Budget: only meaningful once everything it adds up is valid.
    if structural_ok && refs_ok && c.problems.is_empty() {
        let costs = planned_costs(s, st);
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        // a strategy above the budget is scaled down by the cut policy when loaded;
        // only one the policy cannot bring within the budget is a problem
        if let Err(floor) = crate::mechanisms::finance::fit_to_budget(s, st) {
            c.push(
                Problem::new(
                    "finance.annual_budget",
                    format!(
                        "{base} costs {:.0} (media {:.0} + wages {:.0} + integration {:.0} + organisation {:.0}) over {} weeks, more than the budget {:.0}; the budget is smaller than the fixed costs finance.cut_policy leaves uncut ({:.0})",
                        costs.total(),
                        costs.media,
                        costs.wages,
                        costs.integration,
                        costs.organisation,
                        s.horizon_weeks,
                        budget,
                        floor
                    ),
                )
                .with_value(s.finance.annual_budget),
            );
        }
    }
}

fn check_optimize(c: &mut Checker, s: &Scenario) {
    let o = &s.optimize;
    let bound = |c: &mut Checker, path: String, b: &super::Bound| {
        for (k, v) in [("min", b.min), ("max", b.max)] {
            if let Some(v) = v {
                c.non_negative(format!("{path}.{k}"), v);
            }
        }
        for (k, v) in [("min_share", b.min_share), ("max_share", b.max_share)] {
            if let Some(v) = v {
                c.share(format!("{path}.{k}"), v);
            }
        }
        if let (Some(lo), Some(hi)) = (b.min, b.max)
            && lo > hi
        {
            c.push(
                Problem::new(format!("{path}.min"), format!("is above max = {hi}")).with_value(lo),
            );
        }
    };
    // a bound on a country with regions bounds the sum of its regions
    let known = |code: &str| {
        s.countries.contains_key(code)
            || s.countries
                .values()
                .any(|c| c.region.as_ref().is_some_and(|r| r.country == code))
    };
    for (code, b) in &o.country_spend {
        let path = format!("optimize.country_spend.{code}");
        if !known(code) {
            c.push(Problem::new(
                path.clone(),
                format!("unknown country '{code}'"),
            ));
        }
        bound(c, path, b);
    }
    for (ch, b) in &o.channel_spend {
        let path = format!("optimize.channel_spend.{ch}");
        match ch.parse::<Channel>() {
            Ok(x) if x.is_service() => {
                c.push(Problem::new(path.clone(), "bounds apply to paid channels"))
            }
            Ok(_) => {}
            Err(e) => c.push(Problem::new(path.clone(), e)),
        }
        bound(c, path, b);
    }
    c.share("optimize.guard_floor".to_string(), o.guard_floor);
    c.share("optimize.roi_spend_floor".to_string(), o.roi_spend_floor);
    for (code, v) in &o.headcount_cap {
        let path = format!("optimize.headcount_cap.{code}");
        if !known(code) {
            c.push(Problem::new(path.clone(), format!("unknown country '{code}'")).with_value(v));
        }
        c.non_negative(path, *v);
    }
    for (i, f) in o.fix.iter().enumerate() {
        if f.trim().is_empty() {
            c.push(
                Problem::new(format!("optimize.fix.{i}"), "empty decision name").with_value("\"\""),
            );
        }
    }
}

/// The free parameters name numeric scenario values and have sound priors; the fit's
/// budgets are positive.
fn check_calibrate(c: &mut Checker, s: &Scenario) {
    let k = &s.calibrate;
    if k.params.0.is_empty() {
        return;
    }
    let tree = toml::Value::try_from(s).ok();
    for (path, prior) in &k.params.0 {
        let at = format!("calibrate.params.{path}");
        let found = tree.as_ref().and_then(|t| {
            path.split('.')
                .try_fold(t, |v, seg| v.as_table().and_then(|t| t.get(seg)))
        });
        match found {
            Some(toml::Value::Float(_) | toml::Value::Integer(_)) => {}
            Some(other) => c.push(Problem::new(
                at.clone(),
                format!(
                    "not a number in the scenario (it is a {}); name a numeric value such as channels.search.conversion",
                    other.type_str()
                ),
            )),
            None => c.push(Problem::new(
                at.clone(),
                "no such scenario value (key paths as in --set, e.g. channels.search.conversion, behaviour.churn_alpha is segments.NAME.churn_alpha)",
            )),
        }
        for m in prior.problems() {
            c.push(Problem::new(at.clone(), m));
        }
    }
    if k.evaluations < 10 {
        c.push(
            Problem::new("calibrate.evaluations", "must be at least 10").with_value(k.evaluations),
        );
    }
    if !(1..=64).contains(&k.replications) {
        c.push(
            Problem::new("calibrate.replications", "must be between 1 and 64")
                .with_value(k.replications),
        );
    }
    if !(10..=100_000).contains(&k.draws) {
        c.push(
            Problem::new("calibrate.draws", "must be between 10 and 100000").with_value(k.draws),
        );
    }
    if k.coarse_agent_scale == Some(0) {
        c.push(Problem::new("calibrate.coarse_agent_scale", "must be at least 1").with_value(0));
    }
    for (kpi, w) in &k.weights {
        c.non_negative(format!("calibrate.weights.{kpi}"), *w);
    }
}
