//! Rule-based models: first touch, last touch, linear, time decay, position based.
//!
//! Each splits a row's conversions and value over the row's touches with
//! weights that sum to 1 (see [`Model`] for the rules).

use crate::journeys::JourneyTable;
use crate::model::{Model, RawCredit};

/// Credits for a rule-based `model` (the caller has validated it).
pub(crate) fn attribute(table: &JourneyTable, model: Model) -> RawCredit {
    let n = table.channels().len();
    let mut conversions = vec![0.0; n];
    let mut value = vec![0.0; n];
    let mut weights: Vec<f64> = Vec::new();
    for j in table.iter() {
        if j.conversions == 0.0 && j.value == 0.0 {
            continue;
        }
        touch_weights(model, j.path.len(), &mut weights);
        for (&c, &w) in j.path.iter().zip(&weights) {
            if w != 0.0 {
                conversions[usize::from(c)] += w * j.conversions;
                value[usize::from(c)] += w * j.value;
            }
        }
    }
    RawCredit {
        conversions,
        value,
        std_error: None,
    }
}

/// Fills `out` with the weights of the `len` touches of one path (sum 1).
pub(crate) fn touch_weights(model: Model, len: usize, out: &mut Vec<f64>) {
    out.clear();
    out.resize(len, 0.0);
    if len == 0 {
        return;
    }
    match model {
        Model::FirstTouch => out[0] = 1.0,
        Model::LastTouch => out[len - 1] = 1.0,
        Model::Linear => out.fill(1.0 / len as f64),
        Model::TimeDecay { half_life_touches } => {
            // Weight 2^(-d/H) for the touch d steps before the last one.
            let ratio = (-std::f64::consts::LN_2 / half_life_touches).exp();
            let mut w = 1.0;
            let mut total = 0.0;
            for slot in out.iter_mut().rev() {
                *slot = w;
                total += w;
                w *= ratio;
            }
            for slot in out.iter_mut() {
                *slot /= total;
            }
        }
        Model::PositionBased { first, last } => match len {
            1 => out[0] = 1.0,
            2 => {
                let ends = first + last;
                if ends > 0.0 {
                    out[0] = first / ends;
                    out[1] = last / ends;
                } else {
                    out.fill(0.5);
                }
            }
            _ => {
                let middle = (1.0 - first - last).max(0.0) / (len - 2) as f64;
                out.fill(middle);
                out[0] = first;
                out[len - 1] = last;
                // first + last may exceed 1 by the validation slack (1e-12):
                // renormalise so the weights sum to exactly 1.
                let total: f64 = out.iter().sum();
                for slot in out.iter_mut() {
                    *slot /= total;
                }
            }
        },
        Model::Markov { .. } | Model::Shapley | Model::ShapleyMarkov => {
            unreachable!("touch_weights is only called for rule-based models")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribute;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
    }

    fn weights(model: Model, len: usize) -> Vec<f64> {
        let mut w = Vec::new();
        touch_weights(model, len, &mut w);
        w
    }

    #[test]
    fn time_decay_weights() {
        // Half-life 1: each earlier touch half the weight: 1/7, 2/7, 4/7.
        let w = weights(
            Model::TimeDecay {
                half_life_touches: 1.0,
            },
            3,
        );
        for (a, b) in w.iter().zip([1.0 / 7.0, 2.0 / 7.0, 4.0 / 7.0]) {
            assert!(close(*a, b), "{w:?}");
        }
        // Two touches, half-life 1: 1/3 and 2/3 (Zaius' published example).
        let w = weights(
            Model::TimeDecay {
                half_life_touches: 1.0,
            },
            2,
        );
        assert!(close(w[0], 1.0 / 3.0) && close(w[1], 2.0 / 3.0));
        // Half-life 2: ratio 1/sqrt(2) per step.
        let w = weights(
            Model::TimeDecay {
                half_life_touches: 2.0,
            },
            2,
        );
        let r = 0.5_f64.sqrt();
        assert!(close(w[0], r / (1.0 + r)));
    }

    #[test]
    fn position_based_weights() {
        let pb = Model::PositionBased {
            first: 0.4,
            last: 0.4,
        };
        assert_eq!(weights(pb, 1), [1.0]);
        assert_eq!(weights(pb, 2), [0.5, 0.5]);
        let w = weights(pb, 3);
        assert!(close(w[0], 0.4) && close(w[1], 0.2) && close(w[2], 0.4));
        let w = weights(pb, 4);
        assert!(close(w[1], 0.1) && close(w[2], 0.1));
        let w = weights(
            Model::PositionBased {
                first: 0.3,
                last: 0.6,
            },
            2,
        );
        assert!(close(w[0], 1.0 / 3.0) && close(w[1], 2.0 / 3.0));
        assert_eq!(
            weights(
                Model::PositionBased {
                    first: 0.0,
                    last: 0.0
                },
                2
            ),
            [0.5, 0.5]
        );
        let w = weights(
            Model::PositionBased {
                first: 0.5,
                last: 0.5,
            },
            4,
        );
        assert!(close(w[1], 0.0) && close(w[0], 0.5));
    }

    /// A hand-computed table:
    ///
    /// | path | conv | value |
    /// |---|---|---|
    /// | A > B > C | 2 | 60 |
    /// | B > A | 1 | 10 |
    /// | C | 0 (5 nulls) | 0 |
    /// | D > A | 0 (3 nulls) | 0 |
    ///
    /// D only appears on a path without conversions and must get zero.
    fn table() -> JourneyTable {
        JourneyTable::from_rows([
            ("A > B > C", 2.0, 1.0, 60.0),
            ("B > A", 1.0, 0.0, 10.0),
            ("C", 0.0, 5.0, 0.0),
            ("D > A", 0.0, 3.0, 0.0),
        ])
        .unwrap()
    }

    fn conv_and_value(model: Model) -> Vec<(String, f64, f64, f64)> {
        attribute(&table(), model)
            .unwrap()
            .into_iter()
            .map(|c| (c.channel, c.conversions, c.value, c.share))
            .collect()
    }

    fn check(model: Model, expected: [(f64, f64); 4]) {
        let got = conv_and_value(model);
        let names = ["A", "B", "C", "D"];
        for (i, (name, conv, value, share)) in got.iter().enumerate() {
            assert_eq!(name, names[i]);
            assert!(
                close(*conv, expected[i].0),
                "{model} {name}: conv {conv} vs {}",
                expected[i].0
            );
            assert!(
                close(*value, expected[i].1),
                "{model} {name}: value {value} vs {}",
                expected[i].1
            );
            assert!(close(*share, expected[i].0 / 3.0), "{model} {name}: share");
        }
    }

    #[test]
    fn first_touch_by_hand() {
        check(
            Model::FirstTouch,
            [(2.0, 60.0), (1.0, 10.0), (0.0, 0.0), (0.0, 0.0)],
        );
    }

    #[test]
    fn last_touch_by_hand() {
        check(
            Model::LastTouch,
            [(1.0, 10.0), (0.0, 0.0), (2.0, 60.0), (0.0, 0.0)],
        );
    }

    #[test]
    fn linear_by_hand() {
        // A: 2/3 + 1/2, B: 2/3 + 1/2, C: 2/3; value A: 20 + 5, B: 20 + 5, C: 20.
        check(
            Model::Linear,
            [
                (2.0 / 3.0 + 0.5, 25.0),
                (2.0 / 3.0 + 0.5, 25.0),
                (2.0 / 3.0, 20.0),
                (0.0, 0.0),
            ],
        );
    }

    #[test]
    fn linear_counts_repeated_touches() {
        let t = JourneyTable::from_rows([("A > B > A > A", 4.0, 0.0, 8.0)]).unwrap();
        let c = attribute(&t, Model::Linear).unwrap();
        assert!(close(c[0].conversions, 3.0) && close(c[1].conversions, 1.0));
        assert!(close(c[0].value, 6.0) && close(c[1].value, 2.0));
    }

    #[test]
    fn time_decay_by_hand() {
        // A > B > C: 1/7, 2/7, 4/7 of 2 conv (60 value); B > A: 1/3, 2/3 of 1 conv (10 value).
        check(
            Model::TimeDecay {
                half_life_touches: 1.0,
            },
            [
                (2.0 / 7.0 + 2.0 / 3.0, 60.0 / 7.0 + 20.0 / 3.0),
                (4.0 / 7.0 + 1.0 / 3.0, 120.0 / 7.0 + 10.0 / 3.0),
                (8.0 / 7.0, 240.0 / 7.0),
                (0.0, 0.0),
            ],
        );
    }

    #[test]
    fn position_based_by_hand() {
        // A > B > C: 0.4/0.2/0.4 of 2 conv; B > A: 0.5/0.5 of 1 conv.
        check(
            Model::PositionBased {
                first: 0.4,
                last: 0.4,
            },
            [
                (0.8 + 0.5, 24.0 + 5.0),
                (0.4 + 0.5, 12.0 + 5.0),
                (0.8, 24.0),
                (0.0, 0.0),
            ],
        );
    }

    #[test]
    fn value_on_rows_without_conversions_is_still_credited() {
        // Value conservation holds even for odd rows with value but no conversions.
        let t = JourneyTable::from_rows([("A > B", 0.0, 1.0, 10.0), ("B", 1.0, 0.0, 0.0)]).unwrap();
        let c = attribute(&t, Model::Linear).unwrap();
        assert!(close(c[0].value + c[1].value, 10.0));
        assert!(close(c[0].conversions, 0.0) && close(c[1].conversions, 1.0));
    }
}
