//! Regions of a country (docs/model.md, "Regions"): a large, diverse country split
//! into parts with their own population share, internet use, logistics and channels.
//!
//! The loader expands each region into a simulation unit coded `CC/region` (e.g.
//! `IN/metro`) that the engine, the optimizer and the writers treat like a country:
//! the region's table is laid over its country's (everything a region does not set
//! is the country's: privacy, currency, cost and wage levels, seasonality,
//! integration plan), its population is the country's × its `population_share`,
//! and [`super::CountrySpec::region`] records the country it belongs to. Nothing in
//! the engine knows about regions, so a scenario without them runs exactly as
//! before; the costs that are one per country (the fixed part of integration
//! projects, a channel's minimum crew of specialists) are split between the regions
//! by population share, so a country-wide plan costs the same with or without
//! regions.
//!
//! Strategy keys: `strategy.annual_spend.IN.metro.search` sets a region's spend;
//! `strategy.annual_spend.IN.search` (a country-level amount) is split between the
//! regions that do not set that channel themselves and have it, in proportion to
//! their population shares. The same holds for `service_staff`, `specialists`,
//! phases' `annual_spend` and every strategy in `[strategies]`; a country's
//! `integration` plan applies to each of its regions unless a region names its own
//! (`strategy.integration.IN.rural = { bopis = 26 }`).

use crate::error::Problem;
use toml::{Table, Value};

/// Separator between a country code and a region name in a unit code.
pub const SEP: char = '/';

/// The keys a region may set; everything else comes from its country.
pub const REGION_KEYS: [&str; 12] = [
    "population_share",
    "name",
    "internet_use",
    "mobile_use",
    "logistics_reliability",
    "online_share",
    "channels",
    "segments",
    "initial_customer_share",
    "initial_aware_share",
    "cost_index",
    "price_index",
];

/// The strategy sections with a country × channel table.
const AMOUNT_SECTIONS: [&str; 3] = ["annual_spend", "service_staff", "specialists"];

/// One country's regions as read from the file: (name, population share, channels
/// the region has, or `None` for the country's list).
struct Regions {
    list: Vec<(String, f64)>,
    channels: Vec<Option<Vec<String>>>,
    country_channels: Option<Vec<String>>,
}

impl Regions {
    fn names(&self) -> String {
        self.list
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn has(&self, i: usize, channel: &str) -> bool {
        match self.channels[i].as_ref().or(self.country_channels.as_ref()) {
            Some(list) => list.iter().any(|c| c == channel),
            None => true,
        }
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

/// Expand the `[countries.CC.regions.*]` tables of a merged scenario table into
/// units `CC/region`, and the strategies' region keys with them. Problems are
/// pushed with the key path as written in the file.
pub fn expand(table: &mut Table, problems: &mut Vec<Problem>) {
    let Some(Value::Table(countries)) = table.get_mut("countries") else {
        return;
    };
    let mut found: Vec<(String, Regions)> = Vec::new();
    let codes: Vec<String> = countries.keys().cloned().collect();
    for code in codes {
        let Some(Value::Table(country)) = countries.get(&code) else {
            continue;
        };
        if code.contains(SEP) {
            // a unit already expanded (a scenario written back by omnimix) keeps its
            // `region`; any other code with the separator is refused
            if !country.contains_key("region") {
                problems.push(Problem::new(
                    format!("countries.{code}"),
                    format!(
                        "'{SEP}' is reserved for regions: write [countries.{}.regions.{}]",
                        code.split(SEP).next().unwrap_or(""),
                        code.split(SEP).nth(1).unwrap_or("")
                    ),
                ));
            }
            continue;
        }
        if country.contains_key("region") {
            problems.push(Problem::new(
                format!("countries.{code}.region"),
                "unknown key 'region' (set by omnimix for the units of a country's regions; \
                 declare regions as [countries.CC.regions.NAME])",
            ));
        }
        let Some(regions) = country.get("regions") else {
            continue;
        };
        let path = format!("countries.{code}.regions");
        let Some(regions) = regions.as_table() else {
            problems.push(Problem::new(
                path,
                "must be a table of regions, e.g. [countries.IN.regions.metro]",
            ));
            continue;
        };
        if regions.is_empty() {
            problems.push(Problem::new(
                path,
                "has no region: name at least one, e.g. [countries.IN.regions.metro] population_share = 0.4",
            ));
            continue;
        }
        let mut country = country.clone();
        country.remove("regions");
        let population = country.get("population").and_then(|v| match v {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        });
        if super::catalog::country(&code).is_none() && !country.contains_key("name") {
            problems.push(Problem::new(
                path.clone(),
                format!(
                    "regions of '{code}', which is not a catalogue country ({}): declare \
                     [countries.{code}] with every field before giving it regions",
                    super::catalog::country_codes().join(", ")
                ),
            ));
            continue;
        }
        if population.is_none() {
            problems.push(Problem::new(
                format!("countries.{code}.population"),
                "a country with regions needs its population (the regions' population_share split it)",
            ));
        }
        let mut ok = population.is_some();
        let mut list = Vec::new();
        let mut channels = Vec::new();
        let mut units = Vec::new();
        for (name, r) in regions {
            let rp = format!("{path}.{name}");
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                problems.push(Problem::new(
                    rp.clone(),
                    "a region name is letters, digits, '_' or '-'",
                ));
                ok = false;
                continue;
            }
            let Some(r) = r.as_table() else {
                problems.push(Problem::new(
                    rp,
                    "must be a table, e.g. { population_share = 0.4 }",
                ));
                ok = false;
                continue;
            };
            for k in r.keys() {
                if !REGION_KEYS.contains(&k.as_str()) {
                    problems.push(Problem::new(
                        format!("{rp}.{k}"),
                        format!(
                            "unknown key '{k}' (a region may set: {}; everything else is the country's)",
                            REGION_KEYS.join(", ")
                        ),
                    ));
                    ok = false;
                }
            }
            let share = match r.get("population_share") {
                Some(Value::Float(f)) => Some(*f),
                Some(Value::Integer(i)) => Some(*i as f64),
                _ => None,
            };
            let share = match share {
                Some(s) if s > 0.0 && s <= 1.0 => s,
                Some(s) => {
                    problems.push(
                        Problem::new(
                            format!("{rp}.population_share"),
                            "must be above 0 and at most 1 (the region's share of the country's population)",
                        )
                        .with_value(s),
                    );
                    ok = false;
                    continue;
                }
                None => {
                    problems.push(Problem::new(
                        format!("{rp}.population_share"),
                        "missing: every region needs its share of the country's population (the shares sum to 1)",
                    ));
                    ok = false;
                    continue;
                }
            };
            let mut unit = country.clone();
            for (k, v) in r {
                if k != "population_share" {
                    unit.insert(k.clone(), v.clone());
                }
            }
            if let Some(p) = population {
                unit.insert("population".into(), Value::Float(p * share));
            }
            let mut tag = Table::new();
            tag.insert("country".into(), Value::String(code.clone()));
            tag.insert("name".into(), Value::String(name.clone()));
            tag.insert("share".into(), Value::Float(share));
            unit.insert("region".into(), Value::Table(tag));
            channels.push(strings(r.get("channels")));
            list.push((name.clone(), share));
            units.push((format!("{code}{SEP}{name}"), unit));
        }
        let total: f64 = list.iter().map(|(_, s)| s).sum();
        if ok && (total - 1.0).abs() > 1e-6 {
            problems.push(Problem::new(
                path.clone(),
                format!(
                    "the regions' population_share must sum to 1 ({} sum to {total})",
                    list.iter()
                        .map(|(n, s)| format!("{n} {s}"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
            ));
            ok = false;
        }
        if !ok {
            continue;
        }
        countries.remove(&code);
        for (unit_code, unit) in units {
            countries.insert(unit_code, Value::Table(unit));
        }
        found.push((
            code.clone(),
            Regions {
                list,
                channels,
                country_channels: strings(country.get("channels")),
            },
        ));
    }
    // region keys under a country the scenario does not have
    let known: Vec<String> = countries.keys().cloned().collect();
    let mut strategies: Vec<(String, &Table)> = Vec::new();
    if let Some(Value::Table(st)) = table.get("strategy") {
        strategies.push(("strategy".into(), st));
    }
    if let Some(Value::Table(named)) = table.get("strategies") {
        for (name, st) in named {
            if let Value::Table(st) = st {
                strategies.push((format!("strategies.{name}"), st));
            }
        }
    }
    for (base, st) in strategies {
        for section in AMOUNT_SECTIONS {
            for (code, v) in st
                .get(section)
                .and_then(Value::as_table)
                .into_iter()
                .flatten()
            {
                let has_region = v
                    .as_table()
                    .is_some_and(|t| t.values().any(Value::is_table));
                let is_country = known
                    .iter()
                    .any(|k| k == code || k.split(SEP).next() == Some(code.as_str()));
                if has_region && !is_country {
                    problems.push(Problem::new(
                        format!("{base}.{section}.{code}"),
                        format!(
                            "unknown country '{code}' (countries in this scenario: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        return;
    }
    if let Some(Value::Table(st)) = table.get_mut("strategy") {
        expand_strategy(st, "strategy", &found, problems);
    }
    if let Some(Value::Table(named)) = table.get_mut("strategies") {
        for (name, st) in named.iter_mut() {
            if let Value::Table(st) = st {
                expand_strategy(st, &format!("strategies.{name}"), &found, problems);
            }
        }
    }
}

/// A number of a TOML value, if it is one.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn expand_strategy(
    st: &mut Table,
    base: &str,
    found: &[(String, Regions)],
    problems: &mut Vec<Problem>,
) {
    for section in AMOUNT_SECTIONS {
        if let Some(Value::Table(t)) = st.get_mut(section) {
            expand_amounts(t, &format!("{base}.{section}"), found, problems);
        }
    }
    if let Some(Value::Array(phases)) = st.get_mut("phases") {
        for (i, ph) in phases.iter_mut().enumerate() {
            if let Some(Value::Table(t)) = ph.get_mut("annual_spend") {
                expand_amounts(
                    t,
                    &format!("{base}.phases.{i}.annual_spend"),
                    found,
                    problems,
                );
            }
        }
    }
    // Plans per country (integration initiatives, the organisation): every region
    // follows its country's unless it names its own.
    for section in ["integration", "organisation"] {
        let Some(Value::Table(t)) = st.get_mut(section) else {
            continue;
        };
        for (code, regions) in found {
            let Some(Value::Table(plan)) = t.remove(code) else {
                continue;
            };
            let mut common = Table::new();
            let mut own = std::collections::BTreeMap::new();
            for (k, v) in plan {
                match v {
                    Value::Table(r) if regions.list.iter().any(|(n, _)| *n == k) => {
                        own.insert(k, r);
                    }
                    Value::Table(_) => problems.push(Problem::new(
                        format!("{base}.{section}.{code}.{k}"),
                        format!(
                            "unknown region '{k}' of {code} (regions: {})",
                            regions.names()
                        ),
                    )),
                    v => {
                        common.insert(k, v);
                    }
                }
            }
            for (name, _) in &regions.list {
                let unit = format!("{code}{SEP}{name}");
                let plan = own.remove(name).unwrap_or_else(|| common.clone());
                t.entry(unit).or_insert(Value::Table(plan));
            }
        }
    }
}

/// Expand one country × channel table: region sub-tables become units, country
/// amounts are split by population share over the regions that have the channel
/// and do not set it.
fn expand_amounts(
    t: &mut Table,
    path: &str,
    found: &[(String, Regions)],
    problems: &mut Vec<Problem>,
) {
    for (code, regions) in found {
        let Some(value) = t.remove(code) else {
            continue;
        };
        let Value::Table(by) = value else {
            problems.push(Problem::new(format!("{path}.{code}"), "must be a table"));
            continue;
        };
        let mut own: Vec<Table> = vec![Table::new(); regions.list.len()];
        let mut country = Vec::new();
        for (k, v) in by {
            if let Some(i) = regions.list.iter().position(|(n, _)| *n == k) {
                match v {
                    Value::Table(r) => own[i] = r,
                    v => problems.push(
                        Problem::new(
                            format!("{path}.{code}.{k}"),
                            "a region's amounts are a table of channels, e.g. { search = 100000 }",
                        )
                        .with_value(v),
                    ),
                }
            } else if let Value::Table(_) = v {
                problems.push(Problem::new(
                    format!("{path}.{code}.{k}"),
                    format!(
                        "unknown region '{k}' of {code} (regions: {})",
                        regions.names()
                    ),
                ));
            } else {
                country.push((k, v));
            }
        }
        for (ch, v) in country {
            let Some(amount) = number(&v) else {
                problems.push(
                    Problem::new(format!("{path}.{code}.{ch}"), "must be a number").with_value(v),
                );
                continue;
            };
            let takers: Vec<usize> = (0..regions.list.len())
                .filter(|&i| !own[i].contains_key(&ch) && regions.has(i, &ch))
                .collect();
            let weight: f64 = takers.iter().map(|&i| regions.list[i].1).sum();
            if takers.is_empty() || weight <= 0.0 {
                if amount != 0.0 {
                    problems.push(
                        Problem::new(
                            format!("{path}.{code}.{ch}"),
                            format!(
                                "no region of {code} takes a share: each sets '{ch}' itself or does not have it"
                            ),
                        )
                        .with_value(amount),
                    );
                }
                continue;
            }
            for &i in &takers {
                let part = amount * regions.list[i].1 / weight;
                own[i].insert(ch.clone(), Value::Float(part));
            }
        }
        for (i, (name, _)) in regions.list.iter().enumerate() {
            let unit = format!("{code}{SEP}{name}");
            let mine = std::mem::take(&mut own[i]);
            match t.get_mut(&unit) {
                // a unit named directly (an optimizer's plan) keeps what it says
                Some(Value::Table(direct)) => {
                    for (k, v) in mine {
                        direct.entry(k).or_insert(v);
                    }
                }
                _ => {
                    t.insert(unit, Value::Table(mine));
                }
            }
        }
    }
}

/// A problem's key path as the user wrote it: `countries.IN/metro.x` ->
/// `countries.IN.regions.metro.x`, `strategy.annual_spend.IN/metro.x` ->
/// `strategy.annual_spend.IN.metro.x`.
pub fn path_as_written(path: &str) -> String {
    if !path.contains(SEP) {
        return path.to_string();
    }
    let mut out = Vec::new();
    let mut in_countries = false;
    for (i, seg) in path.split('.').enumerate() {
        match seg.split_once(SEP) {
            Some((c, r)) if in_countries && i == 1 => out.push(format!("{c}.regions.{r}")),
            Some((c, r)) => out.push(format!("{c}.{r}")),
            None => out.push(seg.to_string()),
        }
        in_countries = i == 0 && seg == "countries";
    }
    out.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_as_written() {
        assert_eq!(
            path_as_written("countries.IN/metro.internet_use"),
            "countries.IN.regions.metro.internet_use"
        );
        assert_eq!(
            path_as_written("strategy.annual_spend.IN/rural.search"),
            "strategy.annual_spend.IN.rural.search"
        );
        assert_eq!(
            path_as_written("countries.DE.population"),
            "countries.DE.population"
        );
    }
}
