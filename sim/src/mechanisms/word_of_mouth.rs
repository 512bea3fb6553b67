//! Touchpoints outside the company's control (docs/model.md, "One step of one agent"): word of mouth and
//! reviews. The share of satisfied and dissatisfied customers in a country (read
//! from the previous step) drives earned exposure of non-customers (positive or
//! negative familiarity) and a review multiplier on every conversion.
//!
//! P(hears positive) = 1 − exp(−talk · satisfied / population), likewise negative;
//! review multiplier = 1 + k · (satisfied − dissatisfied) / customers, in [0.5, 1.5].

/// Word-of-mouth exposure probabilities and review multiplier for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    /// Chance a non-customer hears a positive word this step.
    pub p_positive: f64,
    /// Chance a non-customer hears a negative word this step.
    pub p_negative: f64,
    /// Conversion multiplier from reviews.
    pub review_multiplier: f64,
}

/// Sentiment from last step's counts (`agents` is everyone in the country).
///
/// ```
/// use omnimix_sim::mechanisms::word_of_mouth::sentiment;
/// let happy = sentiment(900.0, 100.0, 1000.0, 10_000.0, 0.1, 0.5, 1.0);
/// let sour = sentiment(100.0, 900.0, 1000.0, 10_000.0, 0.1, 0.5, 1.0);
/// assert!(happy.review_multiplier > 1.0 && sour.review_multiplier < 1.0);
/// ```
pub fn sentiment(
    satisfied: f64,
    dissatisfied: f64,
    customers: f64,
    agents: f64,
    talk_rate: f64,
    review_effect: f64,
    step_weeks: f64,
) -> Sentiment {
    let n = agents.max(1.0);
    let p_positive = 1.0 - (-talk_rate * step_weeks * satisfied / n).exp();
    let p_negative = 1.0 - (-talk_rate * step_weeks * dissatisfied / n).exp();
    let net = if customers > 0.0 {
        (satisfied - dissatisfied) / customers
    } else {
        0.0
    };
    Sentiment {
        p_positive,
        p_negative,
        review_multiplier: (1.0 + review_effect * net).clamp(0.5, 1.5),
    }
}
