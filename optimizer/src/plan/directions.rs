//! The structured directions of the pattern search (all media, each initiative,
//! each staff kind, each channel, each country, creative share, phases, timing,
//! each country's roll-out later or earlier).

use super::*;

impl PlanSpace {
    /// Structured moves for the pattern search: all paid media up or down (the one
    /// move that changes the money spent), every initiative everywhere, service
    /// staff of each channel kind everywhere, each paid channel's spend everywhere,
    /// each country's spend, the creative share, each phase's weight everywhere and a
    /// front-loading of spend, each country's initiatives, and each country's
    /// roll-out a quarter later (or earlier). Fixed variables are
    /// never moved (the search keeps them).
    pub fn directions(&self) -> Vec<Direction> {
        let pick = |f: &dyn Fn(&Decision) -> bool| -> Vec<usize> {
            self.decisions
                .iter()
                .enumerate()
                .filter(|(i, d)| f(d) && self.space.variables[*i].fixed.is_none())
                .map(|(i, _)| i)
                .collect()
        };
        let mut out = Vec::new();
        let mut push = |name: String, scale: Vec<(usize, f64)>, shift: Vec<(usize, f64)>| {
            if !scale.is_empty() || !shift.is_empty() {
                out.push(Direction {
                    name,
                    scale,
                    shift,
                    keep_cost: true,
                });
            }
        };
        for name in INITIATIVES {
            let v = pick(
                &|d| matches!(d, Decision::Integration { initiative, .. } if *initiative == name),
            );
            push(
                format!("{name} everywhere"),
                vec![],
                v.iter().map(|&i| (i, 1.0)).collect(),
            );
        }
        let base = self.encode(&self.base);
        for c in [Channel::CallCentre, Channel::LiveChat, Channel::Store] {
            let v = pick(&|d| matches!(d, Decision::ServiceStaff { channel, .. } if *channel == c));
            let shift = v
                .iter()
                .map(|&i| (i, (0.5 * base[i]).round().max(2.0)))
                .collect();
            push(format!("{c} staff everywhere"), vec![], shift);
        }
        for c in Channel::PAID {
            let v = pick(&|d| matches!(d, Decision::Spend { channel, .. } if *channel == c));
            push(
                format!("{c} spend everywhere"),
                v.iter().map(|&i| (i, 0.5)).collect(),
                vec![],
            );
        }
        for code in self.scenario.countries.keys() {
            let v = pick(&|d| matches!(d, Decision::Spend { country, .. } if country == code));
            push(
                format!("{code} spend"),
                v.iter().map(|&i| (i, 0.5)).collect(),
                vec![],
            );
        }
        let v = pick(&|d| matches!(d, Decision::CreativeShare));
        push(
            "creative share".into(),
            vec![],
            v.iter().map(|&i| (i, 0.1)).collect(),
        );
        let n = self.phases.len();
        for k in 0..n {
            let v = pick(&|d| matches!(d, Decision::PhaseWeight { phase, .. } if *phase == k));
            push(
                format!("phase {} spend everywhere", k + 1),
                vec![],
                v.iter().map(|&i| (i, 0.8)).collect(),
            );
        }
        if n > 1 {
            let v = pick(&|d| matches!(d, Decision::PhaseWeight { .. }));
            let tilt = |i: usize| match &self.decisions[i] {
                Decision::PhaseWeight { phase, .. } => 0.6 - 1.2 * *phase as f64 / (n - 1) as f64,
                _ => 0.0,
            };
            push(
                "spend earlier".into(),
                vec![],
                v.iter().map(|&i| (i, tilt(i))).collect(),
            );
        }
        for code in self.scenario.countries.keys() {
            let v =
                pick(&|d| matches!(d, Decision::Integration { country, .. } if country == code));
            push(
                format!("{code} integration"),
                vec![],
                v.iter().map(|&i| (i, 1.0)).collect(),
            );
            let v = pick(
                &|d| matches!(d, Decision::IntegrationStart { country, .. } if country == code),
            );
            push(
                format!("{code} integration a quarter later"),
                vec![],
                v.iter().map(|&i| (i, 1.0)).collect(),
            );
        }
        // The organisation: shared rewards, coordination, everywhere and per country.
        let shared = pick(&|d| matches!(d, Decision::SharedReward { .. }));
        push(
            "shared rewards everywhere".into(),
            vec![],
            shared.iter().map(|&i| (i, 2.0)).collect(),
        );
        let coordinated = pick(&|d| matches!(d, Decision::Coordination { .. }));
        push(
            "coordination everywhere".into(),
            vec![],
            coordinated.iter().map(|&i| (i, 1.0)).collect(),
        );
        for code in self.scenario.countries.keys() {
            let v = pick(&|d| match d {
                Decision::SharedReward { country } | Decision::Coordination { country } => {
                    country == code
                }
                _ => false,
            });
            let step = |i: usize| match self.decisions[i] {
                Decision::SharedReward { .. } => 2.0,
                _ => 1.0,
            };
            push(
                format!("{code} organisation"),
                vec![],
                v.iter().map(|&i| (i, step(i))).collect(),
            );
        }
        // The only move that changes the money spent: all paid media up or down.
        let v = pick(&|d| matches!(d, Decision::Spend { .. }));
        if !v.is_empty() {
            out.insert(
                0,
                Direction {
                    name: "all paid media (spend less or more)".into(),
                    scale: v.iter().map(|&i| (i, 0.25)).collect(),
                    shift: vec![],
                    keep_cost: false,
                },
            );
        }
        out
    }
}
