//! Property tests: every model conserves conversions and value, shares sum
//! to 1, nothing is NaN or negative, and path-based models give nothing to a
//! channel that never appears on a converting path.

use omnimix_attribution::{Credit, JourneyTable, Model, Options, attribute_all, attribute_with};
use proptest::prelude::*;

/// Random tables over up to `channels` channels (`ch0`, `ch1`, ...), with a
/// never-converting channel `ghost` mixed into some non-converting paths.
fn arb_table(channels: usize) -> impl Strategy<Value = JourneyTable> {
    let row = (
        prop::collection::vec(0..channels, 1..=8),
        0u32..8,
        0u32..8,
        0u32..500,
        any::<bool>(),
    );
    prop::collection::vec(row, 1..30).prop_map(|rows| {
        let rows: Vec<(String, f64, f64, f64)> = rows
            .into_iter()
            .map(|(path, conv, null, value, ghost)| {
                let mut names: Vec<String> = path.iter().map(|i| format!("ch{i}")).collect();
                let conv = f64::from(conv);
                // Value only on rows with conversions, as a simulator writes it.
                let value = if conv > 0.0 {
                    f64::from(value) / 4.0
                } else {
                    0.0
                };
                if ghost && conv == 0.0 {
                    names.insert(names.len() / 2, "ghost".to_string());
                }
                (names.join(" > "), conv, f64::from(null), value)
            })
            .collect();
        JourneyTable::from_rows(rows).unwrap()
    })
}

fn check_invariants(
    table: &JourneyTable,
    model: Model,
    credits: &[Credit],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(credits.len(), table.channels().len());
    let total_conv = table.total_conversions();
    let total_value = table.total_value();
    let scale = 1e-9 * (1.0 + total_conv);
    let sum_conv: f64 = credits.iter().map(|c| c.conversions).sum();
    let sum_value: f64 = credits.iter().map(|c| c.value).sum();
    let sum_share: f64 = credits.iter().map(|c| c.share).sum();
    for c in credits {
        prop_assert_eq!(c.model, model);
        prop_assert!(
            c.conversions.is_finite() && c.value.is_finite() && c.share.is_finite(),
            "{:?}",
            c
        );
        prop_assert!(
            c.conversions >= -scale && c.value >= -1e-9 * (1.0 + total_value),
            "{:?}",
            c
        );
    }
    if total_conv > 0.0 {
        prop_assert!(
            (sum_conv - total_conv).abs() <= scale,
            "{} conv {} vs {}",
            model,
            sum_conv,
            total_conv
        );
        prop_assert!(
            (sum_share - 1.0).abs() <= 1e-9,
            "{} shares {}",
            model,
            sum_share
        );
        prop_assert!(
            (sum_value - total_value).abs() <= 1e-9 * (1.0 + total_value),
            "{} value {} vs {}",
            model,
            sum_value,
            total_value
        );
    } else {
        prop_assert!(
            credits
                .iter()
                .all(|c| c.conversions == 0.0 && c.share == 0.0),
            "{}",
            model
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_model_conserves_and_normalises(table in arb_table(6)) {
        for &model in Model::all() {
            let credits = attribute_with(&table, model, &Options::default()).unwrap();
            check_invariants(&table, model, &credits)?;
        }
    }

    #[test]
    fn parameterised_heuristics_conserve(
        table in arb_table(5),
        half_life in 0.05f64..20.0,
        first in 0.0f64..=1.0,
        last_frac in 0.0f64..=1.0,
    ) {
        let models = [
            Model::TimeDecay { half_life_touches: half_life },
            Model::PositionBased { first, last: (1.0 - first) * last_frac },
        ];
        for model in models {
            let credits = attribute_with(&table, model, &Options::default()).unwrap();
            check_invariants(&table, model, &credits)?;
        }
    }

    /// Path-based models give exactly zero to a channel that never appears on
    /// a converting path.
    #[test]
    fn never_converting_channel_gets_zero(table in arb_table(5)) {
        let Some(ghost) = table.channel_id("ghost") else { return Ok(()) };
        let path_based = [
            Model::FirstTouch,
            Model::LastTouch,
            Model::Linear,
            Model::TimeDecay { half_life_touches: 1.0 },
            Model::PositionBased { first: 0.4, last: 0.4 },
            Model::Shapley,
        ];
        for model in path_based {
            let credits = attribute_with(&table, model, &Options::default()).unwrap();
            let c = &credits[usize::from(ghost)];
            prop_assert_eq!(c.conversions, 0.0, "{}", model);
            prop_assert_eq!(c.value, 0.0, "{}", model);
        }
    }

    /// The sampled `shapley_markov` (exact limit forced low) still conserves.
    #[test]
    fn sampled_shapley_markov_conserves(table in arb_table(6), seed in any::<u64>()) {
        let options = Options::default()
            .with_shapley_exact_max_channels(2)
            .with_shapley_permutations(50)
            .with_seed(seed);
        let credits = attribute_with(&table, Model::ShapleyMarkov, &options).unwrap();
        check_invariants(&table, Model::ShapleyMarkov, &credits)?;
    }

    /// Reading a table back from its CSV gives the same attribution.
    #[test]
    fn csv_round_trip(table in arb_table(4)) {
        let mut csv = String::from("path,total_conversions,total_null,total_conversion_value\n");
        for j in table.iter() {
            let names: Vec<&str> = j.path.iter().map(|&c| table.channels()[usize::from(c)].as_str()).collect();
            csv.push_str(&format!("{},{},{},{}\n", names.join(" > "), j.conversions, j.nulls, j.value));
        }
        let read = JourneyTable::from_reader(csv.as_bytes()).unwrap();
        prop_assert_eq!(&read, &table);
        let a = attribute_all(&table, Model::all(), &Options::default()).unwrap();
        let b = attribute_all(&read, Model::all(), &Options::default()).unwrap();
        prop_assert_eq!(a, b);
    }
}
