//! Model names, parameters, options, results and the [`attribute`] entry point.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::journeys::JourneyTable;
use crate::{heuristics, markov, shapley};

/// An attribution model.
///
/// Each model has a name that [`FromStr`] parses and [`Display`](fmt::Display)
/// writes back (parameters always written, so the two round-trip):
///
/// | name | model |
/// |---|---|
/// | `first_touch` | all credit to the first touch of each converting path |
/// | `last_touch` | all credit to the last touch |
/// | `linear` | equal credit to every touch (a channel touched twice gets two shares) |
/// | `time_decay[:H]` | touch weight halves every `H` touches back from the conversion; default `H` = 1 |
/// | `position_based[:F:L]` | `F` to the first touch, `L` to the last, the rest split over the middle; default 0.4:0.4 |
/// | `markov:K` (`markov` = `markov:1`) | Markov chain removal effect of order `K` = 1, 2 or 3 |
/// | `shapley` | Shapley value of the coalition game of Zhao et al. (2018) |
/// | `shapley_markov` | Shapley value of the first-order Markov chain's counterfactual conversions |
///
/// ```
/// use omnimix_attribution::Model;
///
/// let m: Model = "position_based:0.3:0.5".parse()?;
/// assert_eq!(m, Model::PositionBased { first: 0.3, last: 0.5 });
/// assert_eq!(m.to_string(), "position_based:0.3:0.5");
/// assert_eq!("markov".parse::<Model>()?, Model::Markov { order: 1 });
/// assert_eq!(Model::parse_list("last_touch,markov:3")?.len(), 2);
/// assert_eq!(Model::parse_list("all")?, Model::all());
/// # Ok::<(), omnimix_attribution::ModelError>(())
/// ```
///
/// # Model definitions
///
/// *Heuristics* split each path's conversions and value over its touches
/// with fixed weights that sum to 1, so a channel absent from every
/// converting path gets exactly zero.
///
/// * `time_decay:H` gives the touch `d` steps before the last one the weight
///   `2^(-d/H)`, normalised over the path. The default half-life of one touch
///   follows two published conventions: Google Ads' time-decay model uses a
///   7-day half-life, which is one touch at omnimix's weekly time step, and
///   touch-based tools (e.g. Zaius) halve the weight per earlier touch (two
///   touches: 2/3 and 1/3).
/// * `position_based:F:L` (the 40/20/40 "U-shaped" rule of Google Analytics by
///   default): one touch gets everything; two touches get `F/(F+L)` and
///   `L/(F+L)` (50/50 by default); longer paths give `F` to the first, `L` to
///   the last and `1-F-L` equally to the touches between.
///
/// *Markov removal effect* (Anderl et al., 2016; ChannelAttribution). The
/// paths, each with its conversions and nulls as weights, define an absorbing
/// Markov chain from `(start)` to `(conversion)` or `(null)`. For order `K`
/// a state is the tuple of the last `K` channels (as ChannelAttribution
/// encodes it: a path's states are its windows of `K` consecutive touches; a
/// path shorter than `K` is one state; consecutive repeats of a state are
/// merged, which leaves absorption probabilities unchanged). The removal
/// effect of a channel is `1 - P(conversion without it) / P(conversion)`,
/// where removing a channel sends every transition into a state containing
/// it to `(null)`. Credit is proportional to the removal effects. The
/// absorption probabilities are solved exactly (see [`MarkovChain`](crate::MarkovChain)),
/// not simulated. Value is credited with the same shares as conversions.
///
/// *Shapley* (`shapley`): channels are players, and a coalition `S` is worth
/// the conversions of the journeys whose distinct channels all lie in `S`
/// (Zhao, Mahboobi & Bagheri, 2018, "Shapley Value Methods for Attribution
/// Modeling in Online Advertising", arXiv:1804.05327). Their simplified
/// formula — each journey's conversions split equally over its distinct
/// channels — is the exact Shapley value of that game for any number of
/// channels, so no sampling is needed. Value is split the same way.
///
/// *Shapley over the Markov chain* (`shapley_markov`): a coalition `S` is
/// worth the expected conversions of the first-order chain with every channel
/// outside `S` removed — the removal-effect counterfactual, shared out by
/// Shapley's rule instead of by normalising removal effects. Exact over all
/// channel subsets up to [`Options::shapley_exact_max_channels`] (15)
/// channels; beyond that, estimated from sampled permutations, with the
/// standard error in [`Credit::std_error`]. Value is credited with the shares.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Model {
    /// All credit to the first touch.
    FirstTouch,
    /// All credit to the last touch.
    LastTouch,
    /// Equal credit per touch.
    Linear,
    /// Exponential decay back from the conversion.
    TimeDecay {
        /// Touches over which the weight halves; finite and > 0.
        half_life_touches: f64,
    },
    /// U-shaped: `first` to the first touch, `last` to the last touch.
    PositionBased {
        /// Share of the first touch, in [0, 1].
        first: f64,
        /// Share of the last touch, in [0, 1]; `first + last <= 1`.
        last: f64,
    },
    /// Markov chain removal effect.
    Markov {
        /// Order of the chain, 1 to [`Model::MAX_MARKOV_ORDER`].
        order: u8,
    },
    /// Shapley value of the Zhao et al. (2018) coalition game.
    Shapley,
    /// Shapley value of the first-order Markov chain counterfactual.
    ShapleyMarkov,
}

/// The most channels at which `shapley_markov` runs as part of `all` (see
/// [`Model::max_channels_in_all`]).
pub const SHAPLEY_MARKOV_MAX_CHANNELS_IN_ALL: usize = 50;

/// Default half-life of [`Model::TimeDecay`], in touches.
pub const DEFAULT_HALF_LIFE_TOUCHES: f64 = 1.0;
/// Default first-touch share of [`Model::PositionBased`].
pub const DEFAULT_POSITION_FIRST: f64 = 0.4;
/// Default last-touch share of [`Model::PositionBased`].
pub const DEFAULT_POSITION_LAST: f64 = 0.4;

const ALL: [Model; 10] = [
    Model::FirstTouch,
    Model::LastTouch,
    Model::Linear,
    Model::TimeDecay {
        half_life_touches: DEFAULT_HALF_LIFE_TOUCHES,
    },
    Model::PositionBased {
        first: DEFAULT_POSITION_FIRST,
        last: DEFAULT_POSITION_LAST,
    },
    Model::Markov { order: 1 },
    Model::Markov { order: 2 },
    Model::Markov { order: 3 },
    Model::Shapley,
    Model::ShapleyMarkov,
];

const NAMES: &str = "first_touch, last_touch, linear, time_decay[:HALF_LIFE], position_based[:FIRST:LAST], markov[:1|2|3], shapley, shapley_markov, all";

impl Model {
    /// The highest supported Markov order.
    pub const MAX_MARKOV_ORDER: u8 = 3;

    /// Every model with default parameters, in a fixed order (what
    /// `--models all` means): first_touch, last_touch, linear, time_decay:1,
    /// position_based:0.4:0.4, markov:1, markov:2, markov:3, shapley,
    /// shapley_markov.
    pub fn all() -> &'static [Model] {
        &ALL
    }

    /// The most channels at which the model runs as part of `all` (the default of
    /// `omnimix attribute`); `None` when its run time stays small at any channel
    /// count. `shapley_markov` solves a Markov chain per sampled coalition and grows
    /// about as channels^3.3 (76 s at 200 channels): above
    /// [`SHAPLEY_MARKOV_MAX_CHANNELS_IN_ALL`] it runs only when named.
    ///
    /// ```
    /// use omnimix_attribution::Model;
    /// assert_eq!(Model::Linear.max_channels_in_all(), None);
    /// assert!(Model::ShapleyMarkov.max_channels_in_all().is_some());
    /// ```
    pub fn max_channels_in_all(&self) -> Option<usize> {
        match self {
            Model::ShapleyMarkov => Some(SHAPLEY_MARKOV_MAX_CHANNELS_IN_ALL),
            _ => None,
        }
    }

    /// The name without parameters, e.g. `time_decay`.
    pub fn base_name(&self) -> &'static str {
        match self {
            Model::FirstTouch => "first_touch",
            Model::LastTouch => "last_touch",
            Model::Linear => "linear",
            Model::TimeDecay { .. } => "time_decay",
            Model::PositionBased { .. } => "position_based",
            Model::Markov { .. } => "markov",
            Model::Shapley => "shapley",
            Model::ShapleyMarkov => "shapley_markov",
        }
    }

    /// Parses a comma-separated list of model names; `all` stands for
    /// [`Model::all`]. Duplicates are dropped, the first occurrence kept.
    ///
    /// # Errors
    /// [`ModelError`] for an unknown name, a bad parameter, or an empty list.
    pub fn parse_list(list: &str) -> Result<Vec<Model>, ModelError> {
        let mut models: Vec<Model> = Vec::new();
        for item in list.split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let parsed: Vec<Model> = if item == "all" {
                ALL.to_vec()
            } else {
                vec![item.parse()?]
            };
            for m in parsed {
                if !models.contains(&m) {
                    models.push(m);
                }
            }
        }
        if models.is_empty() {
            return Err(ModelError::Unknown {
                name: list.to_string(),
                expected: NAMES,
            });
        }
        Ok(models)
    }

    /// Checks the parameters (the variants' fields are public, so a model
    /// built in code may hold values that parsing would refuse).
    ///
    /// # Errors
    /// [`ModelError::BadParameter`] naming the parameter, its value and the
    /// allowed range.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |parameter: &'static str, value: f64, expected: &'static str| {
            Err(ModelError::BadParameter {
                model: self.base_name(),
                parameter,
                value: value.to_string(),
                expected,
            })
        };
        match *self {
            Model::TimeDecay { half_life_touches } => {
                if !(half_life_touches.is_finite() && half_life_touches > 0.0) {
                    return bad(
                        "half_life_touches",
                        half_life_touches,
                        "a finite number > 0",
                    );
                }
            }
            Model::PositionBased { first, last } => {
                const RANGE: &str = "in [0, 1], with first + last <= 1";
                if !(0.0..=1.0).contains(&first) {
                    return bad("first", first, RANGE);
                }
                if !(0.0..=1.0).contains(&last) {
                    return bad("last", last, RANGE);
                }
                if first + last > 1.0 + 1e-12 {
                    return bad("first + last", first + last, RANGE);
                }
            }
            Model::Markov { order } => {
                if !(1..=Model::MAX_MARKOV_ORDER).contains(&order) {
                    return bad("order", f64::from(order), "1, 2 or 3");
                }
            }
            Model::FirstTouch
            | Model::LastTouch
            | Model::Linear
            | Model::Shapley
            | Model::ShapleyMarkov => {}
        }
        Ok(())
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Model::TimeDecay { half_life_touches } => write!(f, "time_decay:{half_life_touches}"),
            Model::PositionBased { first, last } => write!(f, "position_based:{first}:{last}"),
            Model::Markov { order } => write!(f, "markov:{order}"),
            other => f.write_str(other.base_name()),
        }
    }
}

impl Serialize for Model {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for Model {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.trim().split(':').map(str::trim);
        let name = parts.next().unwrap_or("");
        let params: Vec<&str> = parts.collect();
        let arity = |max: usize| {
            if params.len() > max {
                Err(ModelError::TooManyParameters {
                    model: s.trim().to_string(),
                    max,
                })
            } else {
                Ok(())
            }
        };
        let number =
            |model: &'static str, parameter: &'static str, text: &str, expected: &'static str| {
                text.parse::<f64>().map_err(|_| ModelError::BadParameter {
                    model,
                    parameter,
                    value: text.to_string(),
                    expected,
                })
            };
        let model = match name {
            "first_touch" => {
                arity(0)?;
                Model::FirstTouch
            }
            "last_touch" => {
                arity(0)?;
                Model::LastTouch
            }
            "linear" => {
                arity(0)?;
                Model::Linear
            }
            "shapley" => {
                arity(0)?;
                Model::Shapley
            }
            "shapley_markov" => {
                arity(0)?;
                Model::ShapleyMarkov
            }
            "time_decay" => {
                arity(1)?;
                let half_life_touches = match params.first() {
                    Some(p) => number("time_decay", "half_life_touches", p, "a finite number > 0")?,
                    None => DEFAULT_HALF_LIFE_TOUCHES,
                };
                Model::TimeDecay { half_life_touches }
            }
            "position_based" => {
                arity(2)?;
                const RANGE: &str = "in [0, 1], with first + last <= 1";
                match params.as_slice() {
                    [] => Model::PositionBased {
                        first: DEFAULT_POSITION_FIRST,
                        last: DEFAULT_POSITION_LAST,
                    },
                    [first, last] => Model::PositionBased {
                        first: number("position_based", "first", first, RANGE)?,
                        last: number("position_based", "last", last, RANGE)?,
                    },
                    _ => {
                        return Err(ModelError::BadParameter {
                            model: "position_based",
                            parameter: "first:last",
                            value: params.join(":"),
                            expected: "two numbers, e.g. position_based:0.4:0.4",
                        });
                    }
                }
            }
            "markov" => {
                arity(1)?;
                let order = match params.first() {
                    None => 1,
                    Some(p) => p.parse::<u8>().map_err(|_| ModelError::BadParameter {
                        model: "markov",
                        parameter: "order",
                        value: p.to_string(),
                        expected: "1, 2 or 3",
                    })?,
                };
                Model::Markov { order }
            }
            _ => {
                return Err(ModelError::Unknown {
                    name: s.trim().to_string(),
                    expected: NAMES,
                });
            }
        };
        model.validate()?;
        Ok(model)
    }
}

/// A bad model name or parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Not a model name.
    #[error("unknown attribution model {name:?}; expected one of: {expected}")]
    Unknown {
        /// The name given.
        name: String,
        /// The names accepted.
        expected: &'static str,
    },
    /// A parameter is out of range or not a number.
    #[error("attribution model `{model}`: parameter `{parameter}` = {value:?} must be {expected}")]
    BadParameter {
        /// The model's base name.
        model: &'static str,
        /// The parameter.
        parameter: &'static str,
        /// The value given.
        value: String,
        /// The allowed range.
        expected: &'static str,
    },
    /// More `:`-separated parameters than the model takes.
    #[error("attribution model {model:?} takes at most {max} parameter(s)")]
    TooManyParameters {
        /// The model text given.
        model: String,
        /// How many parameters the model takes.
        max: usize,
    },
}

/// An error computing an attribution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AttributionError {
    /// The model's parameters are out of range.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The iterative solver of a large Markov chain did not reach its
    /// tolerance within its sweep limit (and the chain was too large for the
    /// dense fallback).
    #[error(
        "Markov chain of order {order} with {states} states: absorption probability not converged after {sweeps} sweeps (bracket width {gap:e})"
    )]
    NotConverged {
        /// Order of the chain.
        order: u8,
        /// Number of transient states.
        states: usize,
        /// Sweeps done.
        sweeps: usize,
        /// Width of the final lower/upper bracket on the probability.
        gap: f64,
    },
    /// The dense linear system was numerically singular.
    #[error("Markov chain of order {order} with {states} states: linear system is singular")]
    Singular {
        /// Order of the chain.
        order: u8,
        /// Number of transient states.
        states: usize,
    },
}

/// Options for models that need them. The defaults are what [`attribute`] uses.
///
/// ```
/// use omnimix_attribution::Options;
/// let opts = Options::default().with_seed(7).with_shapley_permutations(500);
/// assert_eq!(opts.seed, 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// `shapley_markov` is exact (all channel subsets) up to this many
    /// channels and sampled above it. Default 15 (2^15 = 32 768 subsets).
    pub shapley_exact_max_channels: usize,
    /// Permutations sampled by `shapley_markov` above the exact limit.
    /// Default 2 000.
    pub shapley_permutations: usize,
    /// Seed of the permutation sampler (Xoshiro256++ seeded via SplitMix64).
    /// Default 0. Nothing is ever seeded from the OS.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            shapley_exact_max_channels: 15,
            shapley_permutations: 2_000,
            seed: 0,
        }
    }
}

impl Options {
    /// Sets [`Options::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets [`Options::shapley_permutations`] (at least 2 are used).
    pub fn with_shapley_permutations(mut self, permutations: usize) -> Self {
        self.shapley_permutations = permutations;
        self
    }
    /// Sets [`Options::shapley_exact_max_channels`] (capped at 25).
    pub fn with_shapley_exact_max_channels(mut self, channels: usize) -> Self {
        self.shapley_exact_max_channels = channels;
        self
    }
}

/// The credit one model gives one channel.
///
/// Over the channels of one model: `conversions` sum to the table's total
/// conversions, `value` to its total value, and `share` (= `conversions` /
/// total conversions) to 1. When the table has no conversions, conversions
/// and shares are 0 (and so is value, except that the rule-based models
/// still split any value found on non-converting rows). Serialises (e.g.
/// with `csv`) as
/// `model,channel,conversions,value,share,std_error`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credit {
    /// The model, written as its name with parameters (e.g. `markov:2`).
    pub model: Model,
    /// The channel name.
    pub channel: String,
    /// Conversions credited to the channel.
    pub conversions: f64,
    /// Conversion value credited to the channel.
    pub value: f64,
    /// Fraction of all conversions credited to the channel.
    pub share: f64,
    /// Standard error of `conversions` when the model estimated it by
    /// sampling (`shapley_markov` above the exact limit); `None` when exact.
    pub std_error: Option<f64>,
}

impl Credit {
    /// The columns a [`Credit`] serialises to, in order: the header of a credit
    /// table, also when it has no rows.
    pub const COLUMNS: [&'static str; 6] = [
        "model",
        "channel",
        "conversions",
        "value",
        "share",
        "std_error",
    ];
}

/// Attributes the table's conversions and value to its channels with one
/// model and default [`Options`].
///
/// Returns one [`Credit`] per channel of the table, in
/// [`JourneyTable::channels`] order.
///
/// ```
/// use omnimix_attribution::{attribute, JourneyTable, Model};
///
/// let table = JourneyTable::from_rows([
///     ("search > email", 2.0, 3.0, 100.0),
///     ("email", 1.0, 4.0, 30.0),
/// ])?;
/// let credits = attribute(&table, Model::LastTouch)?;
/// assert_eq!(credits[0].channel, "search");
/// assert_eq!(credits[0].conversions, 0.0);
/// assert_eq!(credits[1].conversions, 3.0);
/// assert_eq!(credits[1].value, 130.0);
/// assert_eq!(credits[1].share, 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`AttributionError::Model`] for out-of-range parameters; the Markov
/// models may also return [`AttributionError::NotConverged`] or
/// [`AttributionError::Singular`] (neither happens on tables that the
/// journeys format can express, short of pathological sizes).
pub fn attribute(table: &JourneyTable, model: Model) -> Result<Vec<Credit>, AttributionError> {
    attribute_with(table, model, &Options::default())
}

/// [`attribute`] with explicit [`Options`].
///
/// # Errors
/// As [`attribute`].
pub fn attribute_with(
    table: &JourneyTable,
    model: Model,
    options: &Options,
) -> Result<Vec<Credit>, AttributionError> {
    model.validate()?;
    let raw = match model {
        Model::FirstTouch
        | Model::LastTouch
        | Model::Linear
        | Model::TimeDecay { .. }
        | Model::PositionBased { .. } => heuristics::attribute(table, model),
        Model::Markov { order } => markov::attribute(table, order)?,
        Model::Shapley => shapley::attribute_zhao(table),
        Model::ShapleyMarkov => shapley::attribute_markov(table, options)?,
    };
    Ok(finish(table, model, raw))
}

/// Attributes with several models, concatenating their credits in model order.
///
/// # Errors
/// The first error of any model.
pub fn attribute_all(
    table: &JourneyTable,
    models: &[Model],
    options: &Options,
) -> Result<Vec<Credit>, AttributionError> {
    let mut out = Vec::with_capacity(models.len() * table.channels().len());
    for &model in models {
        out.extend(attribute_with(table, model, options)?);
    }
    Ok(out)
}

/// Per-channel raw result of a model before it becomes [`Credit`]s.
pub(crate) struct RawCredit {
    pub conversions: Vec<f64>,
    pub value: Vec<f64>,
    pub std_error: Option<Vec<f64>>,
}

impl RawCredit {
    /// Credits proportional to `weights` (which need not sum to 1): the
    /// table's conversions and value split by the normalised weights.
    pub fn from_weights(
        table: &JourneyTable,
        weights: &[f64],
        std_error_of_weights: Option<Vec<f64>>,
    ) -> RawCredit {
        let total_weight: f64 = weights.iter().sum();
        let total_conversions = table.total_conversions();
        let total_value = table.total_value();
        let n = weights.len();
        if total_weight <= 0.0 || !total_weight.is_finite() {
            return RawCredit {
                conversions: vec![0.0; n],
                value: vec![0.0; n],
                std_error: std_error_of_weights.map(|_| vec![0.0; n]),
            };
        }
        let shares: Vec<f64> = weights.iter().map(|w| w / total_weight).collect();
        RawCredit {
            conversions: shares.iter().map(|s| s * total_conversions).collect(),
            value: shares.iter().map(|s| s * total_value).collect(),
            std_error: std_error_of_weights.map(|se| {
                se.iter()
                    .map(|e| e / total_weight * total_conversions)
                    .collect()
            }),
        }
    }
}

fn finish(table: &JourneyTable, model: Model, raw: RawCredit) -> Vec<Credit> {
    let total = table.total_conversions();
    table
        .channels()
        .iter()
        .enumerate()
        .map(|(c, name)| Credit {
            model,
            channel: name.clone(),
            conversions: raw.conversions[c],
            value: raw.value[c],
            share: if total > 0.0 {
                raw.conversions[c] / total
            } else {
                0.0
            },
            std_error: raw.std_error.as_ref().map(|se| se[c]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Model::all() {
            let text = m.to_string();
            assert_eq!(text.parse::<Model>().unwrap(), *m, "{text}");
        }
        let names: Vec<String> = Model::all().iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "first_touch",
                "last_touch",
                "linear",
                "time_decay:1",
                "position_based:0.4:0.4",
                "markov:1",
                "markov:2",
                "markov:3",
                "shapley",
                "shapley_markov"
            ]
        );
    }

    #[test]
    fn defaults_and_parameters() {
        assert_eq!(
            "time_decay".parse::<Model>().unwrap(),
            Model::TimeDecay {
                half_life_touches: 1.0
            }
        );
        assert_eq!(
            "time_decay:3".parse::<Model>().unwrap(),
            Model::TimeDecay {
                half_life_touches: 3.0
            }
        );
        assert_eq!(
            "position_based".parse::<Model>().unwrap(),
            Model::PositionBased {
                first: 0.4,
                last: 0.4
            }
        );
        assert_eq!(
            " markov : 2 ".parse::<Model>().unwrap(),
            Model::Markov { order: 2 }
        );
    }

    #[test]
    fn bad_names_and_parameters() {
        assert!(matches!(
            "lastclick".parse::<Model>(),
            Err(ModelError::Unknown { .. })
        ));
        assert!(matches!(
            "markov:4".parse::<Model>(),
            Err(ModelError::BadParameter {
                parameter: "order",
                ..
            })
        ));
        assert!(matches!(
            "markov:0".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "markov:x".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "time_decay:0".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "time_decay:-1".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "time_decay:nan".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "time_decay:inf".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "position_based:0.6:0.6".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "position_based:0.5".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "position_based:-0.1:0.5".parse::<Model>(),
            Err(ModelError::BadParameter { .. })
        ));
        assert!(matches!(
            "linear:2".parse::<Model>(),
            Err(ModelError::TooManyParameters { .. })
        ));
        assert!(matches!(
            "markov:1:2".parse::<Model>(),
            Err(ModelError::TooManyParameters { .. })
        ));
        let msg = "markov:7".parse::<Model>().unwrap_err().to_string();
        assert_eq!(
            msg,
            "attribution model `markov`: parameter `order` = \"7\" must be 1, 2 or 3"
        );
    }

    #[test]
    fn parse_list_expands_all_and_dedups() {
        let list = Model::parse_list("linear, all ,linear").unwrap();
        assert_eq!(list.len(), Model::all().len());
        assert_eq!(list[0], Model::Linear);
        assert!(Model::parse_list("").is_err());
        assert!(Model::parse_list("linear,bogus").is_err());
    }

    #[test]
    fn credit_columns_are_the_serialised_header() {
        let table = JourneyTable::from_rows([("a", 1.0, 1.0, 4.0)]).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&attribute(&table, Model::Linear).unwrap()[0])
            .unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(Credit::COLUMNS.join(",").as_str())
        );
    }

    #[test]
    fn credits_serialise_to_the_attribution_csv_columns() {
        let table = JourneyTable::from_rows([("a > b", 1.0, 1.0, 4.0)]).unwrap();
        let credits = attribute(&table, Model::Markov { order: 2 }).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        for c in &credits {
            w.serialize(c).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("model,channel,conversions,value,share,std_error")
        );
        assert_eq!(lines.next(), Some("markov:2,a,0.5,2.0,0.5,"));
    }

    #[test]
    fn invalid_programmatic_model_is_an_error() {
        let table = JourneyTable::from_rows([("a", 1.0, 0.0, 0.0)]).unwrap();
        let err = attribute(
            &table,
            Model::TimeDecay {
                half_life_touches: -2.0,
            },
        )
        .unwrap_err();
        assert!(matches!(
            err,
            AttributionError::Model(ModelError::BadParameter { .. })
        ));
        let err = attribute(&table, Model::Markov { order: 9 }).unwrap_err();
        assert!(matches!(err, AttributionError::Model(_)));
    }
}
