//! Reading a scenario: TOML text + `--set` overrides -> validated [`Scenario`].
//!
//! The steps: parse the text (syntax errors carry their line and column), apply the
//! overrides, merge the file onto the catalogue defaults, deserialize while
//! collecting every unknown key, validate every value, and finally locate each
//! problem's key path in the file so the message can say `file:line:col`.

use super::{Scenario, catalog, validate};
use crate::channel::{Channel, ChannelSpec};
use crate::error::{Problem, ScenarioError};
use toml::{Table, Value};

/// Scenario text and where it came from.
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    /// File path, or `<embedded default>`.
    pub origin: String,
    /// The TOML text.
    pub text: String,
}

impl ScenarioSource {
    /// A source from text and a name for messages.
    pub fn new(origin: impl Into<String>, text: impl Into<String>) -> Self {
        ScenarioSource {
            origin: origin.into(),
            text: text.into(),
        }
    }
}

/// A `--set key.path=value` override.
///
/// ```
/// use omnimix_sim::Override;
/// let o: Override = "countries.DE.population=50000".parse().unwrap();
/// assert_eq!(o.path, ["countries", "DE", "population"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Key path segments.
    pub path: Vec<String>,
    /// The value as typed (parsed as TOML; a bare word is a string).
    pub raw: String,
}

impl std::str::FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (key, raw) = s
            .split_once('=')
            .ok_or_else(|| format!("'{s}' is not key.path=value"))?;
        let path: Vec<String> = key
            .trim()
            .split('.')
            .map(|p| p.trim().to_string())
            .collect();
        if path.iter().any(|p| p.is_empty()) {
            return Err(format!("'{s}': empty segment in key path '{key}'"));
        }
        Ok(Override {
            path,
            raw: raw.trim().to_string(),
        })
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path.join("."), self.raw)
    }
}

impl Override {
    /// The override's value: TOML if it parses as a TOML value, else a plain string.
    pub fn value(&self) -> Value {
        let doc = format!("v = {}", self.raw);
        match doc.parse::<Table>() {
            Ok(mut t) => t
                .remove("v")
                .unwrap_or_else(|| Value::String(self.raw.clone())),
            Err(_) => Value::String(self.raw.clone()),
        }
    }
}

/// Load and validate a scenario.
///
/// ```
/// use omnimix_sim::{ScenarioSource, scenario::load::load};
/// let text = r#"
/// name = "tiny"
/// [finance]
/// annual_budget = 1e6
/// [countries.DE]
/// population = 1000
/// [strategy.annual_spend.DE]
/// search = 100000
/// [strategy.specialists.DE]
/// search = 1
/// "#;
/// let s = load(&ScenarioSource::new("tiny.toml", text), &[]).unwrap();
/// assert_eq!(s.countries["DE"].name, "Germany");
/// ```
pub fn load(src: &ScenarioSource, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_with_strategy(src, overrides, None)
}

/// A strategy from elsewhere (an optimizer's plan file) that replaces the
/// scenario's `[strategy]`: where it came from, and its table.
#[derive(Debug, Clone)]
pub struct ExternalStrategy {
    /// File name for messages.
    pub origin: String,
    /// The strategy in the scenario's `[strategy]` format.
    pub table: Table,
    /// The countries of the scenario the strategy does not name keep the scenario's
    /// `[strategy]` for them (a plan's `"others": "scenario"`). When false, a
    /// strategy must name every country of the scenario.
    pub others_keep_scenario: bool,
}

/// The per-country sections of a strategy table.
const COUNTRY_SECTIONS: [&str; 5] = [
    "annual_spend",
    "service_staff",
    "specialists",
    "integration",
    "organisation",
];

/// The countries a strategy table names (in a per-country section or a phase's
/// spend), and whether it holds any entry at all (spend, staff, initiative).
fn strategy_countries(st: &Table) -> (std::collections::BTreeSet<String>, bool) {
    let mut named = std::collections::BTreeSet::new();
    let mut any = false;
    let mut visit = |section: Option<&Value>| {
        for (code, v) in section.and_then(Value::as_table).into_iter().flatten() {
            // a region's unit (`IN/metro`, as an optimizer's plan names it) names its country
            let country = code.split(super::regions::SEP).next().unwrap_or(code);
            named.insert(country.to_string());
            any |= v.as_table().is_none_or(|t| !t.is_empty());
        }
    };
    for name in COUNTRY_SECTIONS {
        visit(st.get(name));
    }
    for phase in st
        .get("phases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        visit(phase.get("annual_spend"));
    }
    (named, any)
}

/// Check an external strategy against the scenario's countries and, with
/// [`ExternalStrategy::others_keep_scenario`], give the countries it does not name
/// the scenario's strategy for them. `table` is the scenario (after overrides).
fn external_strategy(table: &Table, ext: &ExternalStrategy) -> Result<Table, Problem> {
    let mut plan = ext.table.clone();
    let (named, any) = strategy_countries(&plan);
    if !any {
        return Err(Problem::new(
            "strategy",
            "the plan is empty: it gives no spend, staff or integration to any country \
             (a plan names each country of the scenario, with what it gets)",
        ));
    }
    let missing: Vec<&String> = table
        .get("countries")
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|t| t.keys())
        .filter(|c| !named.contains(*c))
        .collect();
    if missing.is_empty() {
        return Ok(plan);
    }
    let list = missing
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if !ext.others_keep_scenario {
        return Err(Problem::new(
            "strategy",
            format!(
                "the plan does not name {} of the scenario's countries: {list}; name each \
                 (an empty table such as \"annual_spend\": {{\"{}\": {{}}}} for a country \
                 that gets nothing), or add \"others\": \"scenario\" at the top of the plan \
                 so that they keep the scenario's strategy",
                missing.len(),
                missing[0]
            ),
        ));
    }
    let scenario = table.get("strategy").and_then(Value::as_table);
    let has_phases = |t: Option<&Table>| {
        t.and_then(|t| t.get("phases"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if has_phases(Some(&plan)) && has_phases(scenario) {
        // the scenario's phases for the other countries cannot be mixed with the plan's
        let (phased, _) = strategy_countries(&Table::from_iter(
            scenario
                .and_then(|t| t.get("phases"))
                .map(|p| ("phases".to_string(), p.clone())),
        ));
        let clash: Vec<&str> = missing
            .iter()
            .filter(|c| phased.contains(**c))
            .map(|c| c.as_str())
            .collect();
        if !clash.is_empty() {
            return Err(Problem::new(
                "strategy",
                format!(
                    "\"others\": \"scenario\": the plan has its own phases, so the scenario's \
                     phased spend of {} cannot be kept: name {} in the plan",
                    clash.join(", "),
                    if clash.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
    }
    for name in COUNTRY_SECTIONS {
        let from = scenario.and_then(|t| t.get(name)).and_then(Value::as_table);
        for code in &missing {
            if let Some(v) = from.and_then(|t| t.get(code.as_str())) {
                let section = plan
                    .entry(name)
                    .or_insert_with(|| Value::Table(Table::new()));
                if let Some(t) = section.as_table_mut() {
                    t.insert(code.to_string(), v.clone());
                }
            }
        }
    }
    if !has_phases(Some(&plan))
        && let Some(phases) = scenario
            .and_then(|t| t.get("phases"))
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
    {
        // the scenario's phases, with the spend of the other countries only
        let kept: Vec<Value> = phases
            .iter()
            .map(|phase| {
                let mut phase = phase.as_table().cloned().unwrap_or_default();
                if let Some(Value::Table(spend)) = phase.get_mut("annual_spend") {
                    spend.retain(|code, _| missing.iter().any(|m| *m == code));
                }
                Value::Table(phase)
            })
            .collect();
        plan.insert("phases".into(), Value::Array(kept));
    }
    Ok(plan)
}

/// [`load`], with the `[strategy]` replaced by `strategy` when given; problems in
/// it are reported against its origin.
pub fn load_with_strategy(
    src: &ScenarioSource,
    overrides: &[Override],
    strategy: Option<&ExternalStrategy>,
) -> Result<Scenario, ScenarioError> {
    let fail = |problems: Vec<Problem>| ScenarioError {
        origin: src.origin.clone(),
        problems,
    };
    let mut table: Table = match src.text.parse::<Table>() {
        Ok(t) => t,
        Err(e) => {
            let mut p = Problem::new("", format!("not valid TOML: {}", e.message().trim()));
            p.location = e.span().map(|s| line_col(&src.text, s.start));
            return Err(fail(vec![p]));
        }
    };
    let mut problems = Vec::new();
    for o in overrides {
        if let Err(msg) = set_path(&mut table, &o.path, o.value()) {
            let mut p = Problem::new(o.path.join("."), msg).with_value(&o.raw);
            p.from_override = Some(format!("--set {o}"));
            problems.push(p);
        }
    }
    if let Some(ext) = strategy {
        match external_strategy(&table, ext) {
            Ok(plan) => {
                table.insert("strategy".into(), Value::Table(plan));
            }
            Err(p) => problems.push(p),
        }
    }
    merge_catalogue(&mut table, &mut problems);
    super::regions::expand(&mut table, &mut problems);
    if !problems.is_empty() {
        return Err(fail(finish(problems, src, overrides, strategy)));
    }
    // Non-finite numbers are reported once; range checks on them would repeat it.
    let mut non_finite = Vec::new();
    check_finite(
        &Value::Table(table.clone()),
        &mut Vec::new(),
        &mut non_finite,
    );

    let mut unknown = Vec::new();
    let mut on_unknown = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
    let de = serde_ignored::Deserializer::new(Value::Table(table), &mut on_unknown);
    let mut scenario: Scenario = match serde_path_to_error::deserialize(de) {
        Ok(s) => s,
        Err(e) => {
            let path = e.path().to_string();
            let msg = e.into_inner().message().trim().to_string();
            let path = if path == "." { String::new() } else { path };
            let missing = msg.starts_with("missing field");
            let mut msg = if missing && path.starts_with("countries.") {
                format!(
                    "{msg}: not a catalogue country, so every field must be given (catalogue: {})",
                    catalog::country_codes().join(", ")
                )
            } else {
                msg
            };
            if missing {
                msg.push_str(&unknown_beside(&unknown, &path));
            }
            return Err(fail(finish(
                vec![Problem::new(path, msg)],
                src,
                overrides,
                strategy,
            )));
        }
    };
    let allowed = Value::try_from(&scenario).ok();
    // the allowed keys of each table, listed once per table however many unknown keys it has
    let mut allowed_here = std::collections::HashMap::<String, Option<String>>::new();
    for path in unknown {
        let (parent, key) = path.rsplit_once('.').unwrap_or(("", path.as_str()));
        let known = allowed_here.entry(parent.to_string()).or_insert_with(|| {
            allowed
                .as_ref()
                .and_then(|v| lookup(v, parent))
                .and_then(Value::as_table)
                .map(|t| t.keys().cloned().collect::<Vec<_>>().join(", "))
        });
        let msg = match known {
            Some(keys) => format!("unknown key '{key}' (allowed here: {keys})"),
            None => format!("unknown key '{key}'"),
        };
        problems.push(Problem::new(path, msg));
    }
    problems.extend(non_finite.iter().cloned());
    let non_finite_paths: std::collections::HashSet<&str> =
        non_finite.iter().map(|n| n.path.as_str()).collect();
    problems.extend(
        validate::validate(&scenario)
            .into_iter()
            .filter(|p| !non_finite_paths.contains(p.path.as_str())),
    );
    if problems.is_empty() {
        fit_strategies(&mut scenario);
        Ok(scenario)
    } else {
        Err(fail(finish(problems, src, overrides, strategy)))
    }
}

/// Scale every strategy that costs more than the budget down to it by the cut
/// policy, recording what was cut in [`Scenario::budget_fits`].
fn fit_strategies(s: &mut Scenario) {
    use crate::mechanisms::finance::fit_to_budget;
    if let Ok(Some((st, fit))) = fit_to_budget(s, &s.strategy) {
        s.strategy = st;
        s.budget_fits.push(("current".into(), fit));
    }
    let names: Vec<String> = s.strategies.keys().cloned().collect();
    for name in names {
        if let Ok(Some((st, fit))) = fit_to_budget(s, &s.strategies[&name]) {
            s.strategies.insert(name.clone(), st);
            s.budget_fits.push((name, fit));
        }
    }
}

/// The unknown keys found in the table at `parent`, for a missing field's message: a
/// required key with a typo is both missing and unknown, and naming the unknown one
/// shows the typo (`" (found unknown key 'annual_buget' — a typo?)"`); empty when
/// there is none.
fn unknown_beside(unknown: &[String], parent: &str) -> String {
    let keys: Vec<String> = unknown
        .iter()
        .filter_map(|p| {
            let (dir, key) = p.rsplit_once('.').unwrap_or(("", p.as_str()));
            (dir == parent).then(|| format!("'{key}'"))
        })
        .collect();
    match keys.len() {
        0 => String::new(),
        1 => format!(" (found unknown key {} — a typo?)", keys[0]),
        _ => format!(" (found unknown keys {} — a typo?)", keys.join(", ")),
    }
}

/// Attach locations (or the override responsible) and sort problems in file order.
fn finish(
    mut problems: Vec<Problem>,
    src: &ScenarioSource,
    overrides: &[Override],
    strategy: Option<&ExternalStrategy>,
) -> Vec<Problem> {
    let spans = toml::de::DeTable::parse(&src.text).ok();
    let keys = spans.as_ref().map(|t| KeyIndex::new(t.get_ref()));
    let lines = LineIndex::new(&src.text);
    for p in &mut problems {
        p.path = super::regions::path_as_written(&p.path);
        let in_strategy = p.path == "strategy" || p.path.starts_with("strategy.");
        if let Some(ext) = strategy.filter(|_| in_strategy && p.from_override.is_none()) {
            p.from_override = Some(ext.origin.clone());
        }
        if p.from_override.is_none()
            && let Some(o) = overrides.iter().rev().find(|o| {
                let op = o.path.join(".");
                p.path == op || p.path.starts_with(&format!("{op}."))
            })
        {
            p.from_override = Some(format!("--set {o}"));
        }
        if p.location.is_none()
            && p.from_override.is_none()
            && let Some(k) = &keys
        {
            p.location = k.locate(&p.path).map(|off| lines.line_col(off));
        }
    }
    problems.sort_by_key(|p| p.location.unwrap_or((usize::MAX, 0)));
    problems
}

/// Where each key of the parsed document starts, by dotted path, built in one pass
/// so that locating every problem takes time linear in the file (a file with tens of
/// thousands of unknown keys is reported at once).
struct KeyIndex {
    /// Path -> (byte offset of the key, whether its value is a table).
    keys: std::collections::HashMap<String, (usize, bool)>,
}

impl KeyIndex {
    fn new(table: &toml::de::DeTable<'_>) -> KeyIndex {
        fn walk(
            t: &toml::de::DeTable<'_>,
            prefix: &str,
            keys: &mut std::collections::HashMap<String, (usize, bool)>,
        ) {
            for (k, v) in t.iter() {
                let name: &str = k.get_ref().as_ref();
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                let sub = match v.get_ref() {
                    toml::de::DeValue::Table(sub) => Some(sub),
                    _ => None,
                };
                // the first occurrence of a key, as a search from the top would find
                keys.entry(path.clone())
                    .or_insert((k.span().start, sub.is_some()));
                if let Some(sub) = sub {
                    walk(sub, &path, keys);
                }
            }
        }
        let mut keys = std::collections::HashMap::new();
        walk(table, "", &mut keys);
        KeyIndex { keys }
    }

    /// Byte offset of the deepest key of `path` in the document: the key itself, or
    /// the last key on the way that holds a value rather than a table; `None` when a
    /// table on the way lacks the next key.
    fn locate(&self, path: &str) -> Option<usize> {
        let mut found = None;
        let mut prefix = String::new();
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(seg);
            let &(offset, table) = self.keys.get(&prefix)?;
            found = Some(offset);
            if !table {
                break;
            }
        }
        found
    }
}

/// Where each line of a text starts, for 1-based line and column of byte offsets
/// in logarithmic time.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(offset)
}

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .try_fold(v, |v, seg| v.get(seg))
}

fn set_path(table: &mut Table, path: &[String], value: Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("empty key path")?;
    let mut cur = table;
    for (i, seg) in parents.iter().enumerate() {
        let entry = cur
            .entry(seg.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        cur = entry
            .as_table_mut()
            .ok_or_else(|| format!("'{}' is a value, not a table", path[..=i].join(".")))?;
    }
    cur.insert(last.clone(), value);
    Ok(())
}

/// Every float in the file must be finite.
fn check_finite(v: &Value, path: &mut Vec<String>, problems: &mut Vec<Problem>) {
    match v {
        Value::Float(f) if !f.is_finite() => {
            problems.push(Problem::new(path.join("."), "must be a finite number").with_value(f));
        }
        Value::Table(t) => {
            for (k, v) in t {
                path.push(k.clone());
                check_finite(v, path, problems);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                path.push(i.to_string());
                check_finite(v, path, problems);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Deep-merge `over` onto `base`; keys in `replace` are replaced whole.
fn merge(base: &mut Table, over: Table, replace: &[&str]) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) if !replace.contains(&k.as_str()) => {
                merge(b, o, replace)
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn to_table<T: serde::Serialize>(x: &T) -> Table {
    match Value::try_from(x) {
        Ok(Value::Table(t)) => t,
        _ => Table::new(),
    }
}

/// Fill `[channels]`, `[segments]`, `[privacy]`, `[integration]` and catalogue
/// countries with defaults under what the file says.
fn merge_catalogue(table: &mut Table, problems: &mut Vec<Problem>) {
    let mut section = |name: &str,
                       defaults: Vec<(String, Table)>,
                       closed: bool,
                       replace: &[&str],
                       problems: &mut Vec<Problem>| {
        let user = match table.remove(name) {
            Some(Value::Table(t)) => t,
            Some(other) => {
                problems.push(Problem::new(name, "must be a table").with_value(other));
                Table::new()
            }
            None => Table::new(),
        };
        let known: Vec<String> = defaults.iter().map(|(k, _)| k.clone()).collect();
        let mut out: Table = defaults
            .into_iter()
            .map(|(k, t)| (k, Value::Table(t)))
            .collect();
        for (k, v) in user {
            match (out.get_mut(&k), v) {
                (Some(Value::Table(base)), Value::Table(o)) => merge(base, o, replace),
                (Some(_), v) => problems
                    .push(Problem::new(format!("{name}.{k}"), "must be a table").with_value(v)),
                (None, v) if closed => problems.push(
                    Problem::new(
                        format!("{name}.{k}"),
                        format!("unknown name '{k}' (known: {})", known.join(", ")),
                    )
                    .with_value(short(&v)),
                ),
                (None, v) => {
                    out.insert(k, v);
                }
            }
        }
        table.insert(name.to_string(), Value::Table(out));
    };
    let channels = Channel::ALL
        .iter()
        .map(|c| {
            (
                c.name().to_string(),
                to_table(&ChannelSpec::default_for(*c)),
            )
        })
        .collect();
    section("channels", channels, true, &[], problems);
    let segs = catalog::segments()
        .iter()
        .map(|(k, s)| (k.clone(), to_table(s)))
        .collect();
    section("segments", segs, false, &[], problems);
    let priv_ = catalog::privacy_regimes()
        .iter()
        .map(|(k, s)| (k.clone(), to_table(s)))
        .collect();
    section("privacy", priv_, false, &[], problems);
    let inits = catalog::initiatives()
        .iter()
        .map(|(k, s)| (k.clone(), to_table(s)))
        .collect();
    section("integration", inits, true, &[], problems);

    // Countries: only those the file names; catalogue codes get their defaults.
    if let Some(Value::Table(countries)) = table.get_mut("countries") {
        for (code, v) in countries.iter_mut() {
            let country = code.split(super::regions::SEP).next().unwrap_or(code);
            if let (Some(def), Value::Table(user)) = (catalog::country(country), &mut *v) {
                let mut base = to_table(&def);
                merge(&mut base, std::mem::take(user), &["segments", "channels"]);
                *user = base;
            }
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
    }

    #[test]
    fn override_values_parse_as_toml_or_string() {
        let o: Override = "a.b=12".parse().unwrap();
        assert_eq!(o.value(), Value::Integer(12));
        let o: Override = "a.b=hello world".parse().unwrap();
        assert_eq!(o.value(), Value::String("hello world".into()));
        let o: Override = "a=[\"x\", \"y\"]".parse().unwrap();
        assert!(o.value().is_array());
        assert!("novalue".parse::<Override>().is_err());
        assert!("a..b=1".parse::<Override>().is_err());
    }
}
