//! `omnimix validate`.

use crate::config::ValidateConfig;
use crate::print::human;

/// `omnimix validate`: the scenario was already loaded and validated.
pub fn validate(cfg: &ValidateConfig) {
    let (origin, s) = (&cfg.origin, &cfg.scenario);
    let agents: f64 = s
        .countries
        .values()
        .map(|c| (c.population / s.agent_scale as f64).round().max(1.0))
        .sum();
    let countries: std::collections::BTreeSet<&str> = s
        .countries
        .iter()
        .map(|(code, c)| c.country_code(code))
        .collect();
    let regions = s.countries.values().filter(|c| c.region.is_some()).count();
    let regions = if regions > 0 {
        format!(" ({regions} regions)")
    } else {
        String::new()
    };
    println!(
        "{origin}: valid — scenario '{}', {} countries{regions}, {} agents, {} weeks, {} replications, {} alternative strategies",
        s.name,
        countries.len(),
        agents,
        s.horizon_weeks,
        s.replications,
        s.strategies.len()
    );
    println!("  memory: {}", cfg.memory.describe());
    let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
    let mut strategies = vec![("current", &s.strategy)];
    strategies.extend(s.strategies.iter().map(|(k, v)| (k.as_str(), v)));
    for (name, st) in strategies {
        let c = omnimix_sim::mechanisms::finance::planned_costs(s, st);
        println!(
            "  strategy {name}: media {} + staff {} + integration {} = {} of budget {} over {} weeks ({:.1} %)",
            human(c.media),
            human(c.wages),
            human(c.integration),
            human(c.total()),
            human(budget),
            s.horizon_weeks,
            100.0 * c.total() / budget
        );
        for (code, initiative, week) in omnimix_sim::mechanisms::integration::late_rollouts(s, st) {
            println!(
                "  warning: strategy {name}: {initiative} in {code} goes live in week {week}, after the {}-week horizon: it is paid for and has no effect in the run",
                s.horizon_weeks
            );
        }
    }
}
