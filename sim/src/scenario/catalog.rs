//! Catalogue defaults: countries, segments, privacy regimes, integration initiatives.
//!
//! A scenario names a catalogue country by its ISO code and gives only its
//! `population`; every other figure comes from here unless the file overrides it.
//!
//! Sources (approximate, 2023–24; round figures, check before relying on them):
//! - `internet_use`: ITU DataHub / World Bank indicator IT.NET.USER.ZS (individuals
//!   using the internet, % of population), latest year available.
//! - `online_share`: e-commerce share of retail sales from national statistics
//!   offices and industry estimates as collected in docs/model.md, "Sources".
//! - `logistics_reliability` (share of online orders delivered without failure):
//!   1 − 0.05 × (5 − LPI), from the World Bank Logistics Performance Index 2023
//!   score (1–5); the linear mapping is a planning assumption.
//! - `bad_experience_churn`: PwC, *Experience is Everything* (2018): 17 % of US
//!   customers leave after one bad experience, 49 % in Latin America, 32 % globally
//!   (used where no country figure is given).
//! - privacy regimes: GDPR's opt-in requirement reduced observable consumers by about
//!   12.5 % (Aridor, Che & Salz, NBER w26900), used for `gdpr`'s consent rate; the
//!   other regimes' figures are planning assumptions.
//! - `cost_index`, `wage_index`, `price_index`: rough relative price and wage levels
//!   (World Bank ICP price level ratios, ILO wage levels), DE = 1.

use super::{CountrySpec, InitiativeSpec, PrivacySpec, SegmentSpec};
use crate::channel::Channel;
use std::collections::BTreeMap;

/// One catalogue country's figures, in the order of [`CountrySpec`]'s fields.
struct Row {
    code: &'static str,
    name: &'static str,
    internet: f64,
    mobile: f64,
    logistics: f64,
    friction: f64,
    online: f64,
    privacy: &'static str,
    cost: f64,
    wage: f64,
    price: f64,
    currency: &'static str,
    bad_exp: f64,
}

#[rustfmt::skip]
const COUNTRIES: &[Row] = &[
    Row { code: "US", name: "United States",  internet: 0.93, mobile: 0.90, logistics: 0.940, friction: 0.15, online: 0.16, privacy: "opt_out",  cost: 1.15, wage: 1.15, price: 1.10, currency: "USD", bad_exp: 0.17 },
    Row { code: "DE", name: "Germany",        internet: 0.92, mobile: 0.88, logistics: 0.955, friction: 0.15, online: 0.11, privacy: "gdpr",     cost: 1.00, wage: 1.00, price: 1.00, currency: "EUR", bad_exp: 0.32 },
    Row { code: "GB", name: "United Kingdom", internet: 0.96, mobile: 0.92, logistics: 0.935, friction: 0.15, online: 0.30, privacy: "gdpr",     cost: 1.05, wage: 0.95, price: 1.00, currency: "GBP", bad_exp: 0.32 },
    Row { code: "HU", name: "Hungary",        internet: 0.90, mobile: 0.85, logistics: 0.910, friction: 0.30, online: 0.09, privacy: "gdpr",     cost: 0.55, wage: 0.40, price: 0.60, currency: "HUF", bad_exp: 0.32 },
    Row { code: "JP", name: "Japan",          internet: 0.85, mobile: 0.83, logistics: 0.960, friction: 0.20, online: 0.14, privacy: "opt_out",  cost: 0.95, wage: 0.80, price: 0.85, currency: "JPY", bad_exp: 0.32 },
    Row { code: "VN", name: "Viet Nam",       internet: 0.78, mobile: 0.75, logistics: 0.915, friction: 0.45, online: 0.10, privacy: "emerging", cost: 0.30, wage: 0.15, price: 0.40, currency: "VND", bad_exp: 0.32 },
    Row { code: "BR", name: "Brazil",         internet: 0.86, mobile: 0.83, logistics: 0.910, friction: 0.40, online: 0.12, privacy: "emerging", cost: 0.45, wage: 0.25, price: 0.55, currency: "BRL", bad_exp: 0.49 },
    Row { code: "MX", name: "Mexico",         internet: 0.81, mobile: 0.78, logistics: 0.900, friction: 0.40, online: 0.14, privacy: "emerging", cost: 0.45, wage: 0.22, price: 0.60, currency: "MXN", bad_exp: 0.49 },
    Row { code: "ID", name: "Indonesia",      internet: 0.69, mobile: 0.67, logistics: 0.900, friction: 0.45, online: 0.30, privacy: "emerging", cost: 0.30, wage: 0.12, price: 0.40, currency: "IDR", bad_exp: 0.32 },
    Row { code: "IN", name: "India",          internet: 0.50, mobile: 0.47, logistics: 0.920, friction: 0.45, online: 0.05, privacy: "emerging", cost: 0.20, wage: 0.08, price: 0.30, currency: "INR", bad_exp: 0.32 },
    Row { code: "NG", name: "Nigeria",        internet: 0.43, mobile: 0.40, logistics: 0.880, friction: 0.60, online: 0.04, privacy: "emerging", cost: 0.25, wage: 0.06, price: 0.35, currency: "NGN", bad_exp: 0.32 },
    Row { code: "KE", name: "Kenya",          internet: 0.38, mobile: 0.36, logistics: 0.880, friction: 0.50, online: 0.03, privacy: "emerging", cost: 0.25, wage: 0.07, price: 0.35, currency: "KES", bad_exp: 0.32 },
];

/// Codes of the catalogue countries.
pub fn country_codes() -> Vec<&'static str> {
    COUNTRIES.iter().map(|r| r.code).collect()
}

/// The catalogue entry for a country code, with `population` 0 (a scenario sets it).
pub fn country(code: &str) -> Option<CountrySpec> {
    COUNTRIES
        .iter()
        .find(|r| r.code == code)
        .map(|r| CountrySpec {
            name: r.name.into(),
            population: 0.0,
            segments: BTreeMap::from([("b2c_mass".into(), 0.8), ("b2c_premium".into(), 0.2)]),
            internet_use: r.internet,
            mobile_use: r.mobile,
            logistics_reliability: r.logistics,
            regulatory_friction: r.friction,
            online_share: r.online,
            privacy: r.privacy.into(),
            cost_index: r.cost,
            wage_index: r.wage,
            price_index: r.price,
            currency: r.currency.into(),
            bad_experience_churn: r.bad_exp,
            initial_customer_share: 0.15,
            initial_aware_share: 0.3,
            channels: Channel::ALL.iter().map(|c| c.name().to_string()).collect(),
            seasonality: Default::default(),
            region: None,
        })
}

/// Catalogue segments: mass-market and premium consumers, and B2B accounts.
///
/// Churn heterogeneity follows the shifted-beta-geometric model (Fader & Hardie
/// 2007): each customer's weekly churn probability is drawn from Beta(α, β), so a
/// cohort's churn hazard falls over time as the likely churners leave first.
pub fn segments() -> BTreeMap<String, SegmentSpec> {
    let prefs = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    BTreeMap::from([
        (
            "b2c_mass".into(),
            SegmentSpec {
                order_value: 45.0,
                purchase_rate_weekly: 0.05,
                churn_alpha: 0.8,
                churn_beta: 40.0,
                decision_makers: 1.0,
                price_sensitivity: 1.2,
                channel_preference: prefs(&[("social", 1.3), ("display", 1.1), ("print", 0.8)]),
            },
        ),
        (
            "b2c_premium".into(),
            SegmentSpec {
                order_value: 140.0,
                purchase_rate_weekly: 0.04,
                churn_alpha: 0.7,
                churn_beta: 55.0,
                decision_makers: 1.0,
                price_sensitivity: 0.6,
                channel_preference: prefs(&[("store", 1.3), ("email", 1.2), ("social", 0.9)]),
            },
        ),
        (
            "b2b".into(),
            SegmentSpec {
                order_value: 6_000.0,
                purchase_rate_weekly: 0.02,
                churn_alpha: 0.6,
                churn_beta: 80.0,
                decision_makers: 5.0,
                price_sensitivity: 0.5,
                channel_preference: prefs(&[
                    ("search", 1.2),
                    ("email", 1.3),
                    ("social", 0.6),
                    ("display", 0.5),
                    ("print", 0.7),
                    ("store", 0.2),
                    ("app", 0.5),
                ]),
            },
        ),
    ])
}

/// Catalogue privacy regimes.
///
/// `gdpr`: opt-in consent; 0.9 × (1 − 0.125) consent from Aridor, Che & Salz
/// (NBER w26900); strict cap on personalisation. `opt_out`: CCPA-like and APPI-like
/// opt-out regimes. `emerging`: recent laws with lighter enforcement (LGPD, DPDP
/// Act 2023, NDPA 2023, Decree 13/2023, PDP Law 27/2022, Kenya DPA 2019). `none`.
pub fn privacy_regimes() -> BTreeMap<String, PrivacySpec> {
    let p = |consent, cost, cap| PrivacySpec {
        consent_rate: consent,
        cost_per_profile_weekly: cost,
        personalisation_cap: cap,
    };
    BTreeMap::from([
        ("gdpr".into(), p(0.9 * (1.0 - 0.125), 0.001, 0.6)),
        ("opt_out".into(), p(0.87, 0.0005, 0.85)),
        ("emerging".into(), p(0.88, 0.0003, 0.9)),
        ("none".into(), p(0.9, 0.0002, 1.0)),
    ])
}

/// Catalogue integration initiatives (docs/model.md, "Integration"). `effect` means:
/// - `unified_data`: conversion and repeat-purchase uplift of personalisation at full cap,
///   for consented customers (personalisation most often lifts revenue 10–15 %:
///   McKinsey, *The value of getting personalization right*, 2021);
/// - `consistent_messaging`: share of inconsistency events avoided; cross-channel familiarity bonus;
/// - `continuity`: share of channel-switch drop-offs avoided (shared login / cart);
/// - `bopis`: share of online orders picked up in store (ICSC: about half of adults use it);
/// - `ropo`: store conversion uplift after online research (HBR 2017: 13 % more spend);
/// - `store_staff_access`: share of store service contacts resolved with cross-channel access.
///
/// Costs are per country of one million customers in scope (40 % fixed, the rest in
/// proportion to the customers, see [`crate::mechanisms::integration`]): round
/// planning figures for a mid-size retailer, to be replaced by a company's quotes.
/// Stated ranges per million customers: unified customer data (a customer data
/// platform with its integration) 0.3–1.5 m capex and 0.1–0.5 m a year to run;
/// consistent messaging (content and pricing governance) 0.05–0.3 m; continuity
/// (shared login and cart) 0.1–0.5 m; BOPIS (store fulfilment) 0.1–0.5 m; ROPO
/// (store inventory online) 0.03–0.15 m; store staff access (devices and
/// training) 0.05–0.2 m. The defaults sit inside them.
pub fn initiatives() -> BTreeMap<String, InitiativeSpec> {
    let i = |capex, opex, delay, effect| InitiativeSpec {
        capex,
        opex_weekly: opex,
        delay_weeks: delay,
        effect,
    };
    BTreeMap::from([
        ("unified_data".into(), i(600_000.0, 5_000.0, 20.0, 0.12)),
        (
            "consistent_messaging".into(),
            i(100_000.0, 1_000.0, 8.0, 0.8),
        ),
        ("continuity".into(), i(200_000.0, 1_500.0, 14.0, 0.8)),
        ("bopis".into(), i(200_000.0, 1_500.0, 12.0, 0.5)),
        ("ropo".into(), i(60_000.0, 600.0, 8.0, 0.13)),
        ("store_staff_access".into(), i(80_000.0, 800.0, 6.0, 0.8)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_countries_are_in_range() {
        for code in country_codes() {
            let c = country(code).unwrap();
            for v in [
                c.internet_use,
                c.mobile_use,
                c.logistics_reliability,
                c.online_share,
                c.bad_experience_churn,
            ] {
                assert!((0.0..=1.0).contains(&v), "{code}: {v}");
            }
            assert!(privacy_regimes().contains_key(&c.privacy), "{code}");
        }
    }

    #[test]
    fn gdpr_consent_follows_aridor_che_salz() {
        // NBER w26900: opt-in reduced observable consumers by about 12.5 %.
        let r = privacy_regimes();
        let ratio = r["gdpr"].consent_rate / r["none"].consent_rate;
        assert!((ratio - 0.875).abs() < 1e-12);
    }
}
