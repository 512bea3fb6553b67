//! Known-answer tests: published worked examples, and where no published
//! number was found, independent computations (said so at each test).

use omnimix_attribution::{
    Credit, JourneyTable, MarkovChain, Model, Options, attribute, attribute_with,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn by_channel<'a>(credits: &'a [Credit], name: &str) -> &'a Credit {
    credits
        .iter()
        .find(|c| c.channel == name)
        .expect("channel present")
}

/// Bryl', S. (2016), "Marketing Multi-Channel Attribution model with R (part
/// 1: Markov chains concept)", analyzecore.com: three journeys,
/// C1 > C2 > C3 (converts), C1 (no conversion), C2 > C3 (no conversion).
/// Published: P(conversion) = 1/3; without C1 it is 1/6; removal effects
/// C1 = 0.5, C2 = 1, C3 = 1; weighted 0.2 / 0.4 / 0.4, i.e. of one
/// conversion worth 1000: 0.2 / 0.4 / 0.4 conversions and 200 / 400 / 400
/// value. (The same numbers are the expected values of the test suite of the
/// npm package `markovattribution`, which cites this article as their source.)
fn bryl() -> JourneyTable {
    JourneyTable::from_rows([
        ("C1 > C2 > C3", 1.0, 0.0, 1000.0),
        ("C1", 0.0, 1.0, 0.0),
        ("C2 > C3", 0.0, 1.0, 0.0),
    ])
    .unwrap()
}

#[test]
fn markov_bryl_2016_removal_effects() {
    let table = bryl();
    let chain = MarkovChain::fit(&table, 1).unwrap();
    assert!(close(
        chain.conversion_probability().unwrap(),
        1.0 / 3.0,
        1e-15
    ));
    let c1 = table.channel_id("C1").unwrap();
    assert!(close(
        chain.conversion_probability_without(&[c1]).unwrap(),
        1.0 / 6.0,
        1e-15
    ));
    let effects = chain.removal_effects().unwrap();
    for (got, published) in effects.iter().zip([0.5, 1.0, 1.0]) {
        assert!(close(*got, published, 1e-15), "{effects:?}");
    }
}

#[test]
fn markov_bryl_2016_attribution() {
    let credits = attribute(&bryl(), Model::Markov { order: 1 }).unwrap();
    for (name, conv, value) in [("C1", 0.2, 200.0), ("C2", 0.4, 400.0), ("C3", 0.4, 400.0)] {
        let c = by_channel(&credits, name);
        assert!(close(c.conversions, conv, 1e-14), "{c:?}");
        assert!(close(c.value, value, 1e-11), "{c:?}");
        assert!(close(c.share, conv, 1e-14), "{c:?}");
        assert_eq!(c.std_error, None);
    }
}

/// The Bryl' journeys at orders 2 and 3 (no published numbers; computed by
/// hand). Order 2 states: (C1,C2), (C2,C3), and (C1) for the one-touch path;
/// (start) goes to each with 1/3, (C1,C2) -> (C2,C3), (C2,C3) converts with
/// 1/2, (C1) never converts: P = 1/3, and the removal effects are again
/// 0.5 / 1 / 1 (removing C1 leaves only (start) -> (C2,C3): P = 1/6).
/// Order 3: states (C1,C2,C3), (C1), (C2,C3), one per journey, so the chain
/// is a tree and only the journey C1 > C2 > C3 converts: P = 1/3 and every
/// channel's removal effect is 1.
#[test]
fn markov_bryl_higher_orders_by_hand() {
    for (order, expected) in [(2, [0.5, 1.0, 1.0]), (3, [1.0, 1.0, 1.0])] {
        let chain = MarkovChain::fit(&bryl(), order).unwrap();
        assert_eq!(chain.state_count(), 4, "order {order}");
        assert!(close(
            chain.conversion_probability().unwrap(),
            1.0 / 3.0,
            1e-15
        ));
        let effects = chain.removal_effects().unwrap();
        for (got, expected) in effects.iter().zip(expected) {
            assert!(close(*got, expected, 1e-15), "order {order}: {effects:?}");
        }
    }
}

/// Puzyrov, S. (2019), "Markov Chain Attribution – Simple Explanation Of
/// Removal Effect", serhiipuzyrov.com: paths google ads (2 conversions),
/// mailing (1), google ads > mailing (1), google ads (0 conversions, one
/// null). Published transition probabilities: start > google ads 0.8,
/// start > mailing 0.2, google ads > conv 0.5, google ads > mailing 0.25,
/// google ads > null 0.25, mailing > conv 1.
///
/// The removal effects and credits below are computed by hand from that
/// published matrix (they are not quoted from the article): P = 0.8 x 0.75 +
/// 0.2 = 0.8; without google ads P = 0.2, removal effect 0.75; without
/// mailing P = 0.8 x 0.5 = 0.4, removal effect 0.5; so of 4 conversions
/// google ads gets 4 x 0.75 / 1.25 = 2.4 and mailing 1.6.
#[test]
fn markov_puzyrov_2019_transition_matrix() {
    let table = JourneyTable::from_rows([
        ("google ads", 2.0, 0.0, 0.0),
        ("mailing", 1.0, 0.0, 0.0),
        ("google ads > mailing", 1.0, 0.0, 0.0),
        ("google ads", 0.0, 1.0, 0.0),
    ])
    .unwrap();
    let chain = MarkovChain::fit(&table, 1).unwrap();
    let published = [
        ("(start)", "google ads", 0.8),
        ("(start)", "mailing", 0.2),
        ("google ads", "(conversion)", 0.5),
        ("google ads", "mailing", 0.25),
        ("google ads", "(null)", 0.25),
        ("mailing", "(conversion)", 1.0),
    ];
    let transitions = chain.transitions();
    assert_eq!(transitions.len(), published.len(), "{transitions:?}");
    for (from, to, p) in published {
        let t = transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
            .unwrap_or_else(|| panic!("missing {from} -> {to}"));
        assert!(
            close(t.probability, p, 1e-15),
            "{from} -> {to}: {}",
            t.probability
        );
    }
    assert!(close(chain.conversion_probability().unwrap(), 0.8, 1e-15));
    let effects = chain.removal_effects().unwrap();
    assert!(
        close(effects[0], 0.75, 1e-15) && close(effects[1], 0.5, 1e-15),
        "{effects:?}"
    );
    let credits = attribute(&table, Model::Markov { order: 1 }).unwrap();
    assert!(close(
        by_channel(&credits, "google ads").conversions,
        2.4,
        1e-14
    ));
    assert!(close(
        by_channel(&credits, "mailing").conversions,
        1.6,
        1e-14
    ));
}

/// Brute-force Shapley value by averaging marginal contributions over all
/// `n!` orders — an independent computation (no published attribution
/// example with printed Shapley numbers was found), used to check Zhao et
/// al.'s simplified formula that `shapley` implements.
fn brute_force_shapley(players: usize, worth: &dyn Fn(&[bool]) -> f64) -> Vec<f64> {
    fn permute(order: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
        if k == order.len() {
            out.push(order.clone());
            return;
        }
        for i in k..order.len() {
            order.swap(k, i);
            permute(order, k + 1, out);
            order.swap(k, i);
        }
    }
    let mut orders = Vec::new();
    permute(&mut (0..players).collect(), 0, &mut orders);
    let mut phi = vec![0.0; players];
    for order in &orders {
        let mut members = vec![false; players];
        let mut prev = worth(&members);
        for &p in order {
            members[p] = true;
            let next = worth(&members);
            phi[p] += next - prev;
            prev = next;
        }
    }
    phi.iter().map(|x| x / orders.len() as f64).collect()
}

/// Zhao, Mahboobi & Bagheri (2018), "Shapley Value Methods for Attribution
/// Modeling in Online Advertising" (arXiv:1804.05327): a coalition S is worth
/// the conversions of the journeys whose channels all lie in S. Checked
/// against the brute-force Shapley value of that game.
#[test]
fn shapley_zhao_matches_brute_force() {
    let table = JourneyTable::from_rows([
        ("A > B > A", 5.0, 10.0, 50.0),
        ("B", 3.0, 20.0, 30.0),
        ("C > A", 2.0, 4.0, 40.0),
        ("D", 0.0, 7.0, 0.0),
        ("C > B > E > A", 4.0, 1.0, 8.0),
        ("E", 1.0, 0.0, 2.0),
    ])
    .unwrap();
    let n = table.channels().len();
    let worth = |members: &[bool]| -> f64 {
        table
            .iter()
            .filter(|j| j.path.iter().all(|&c| members[usize::from(c)]))
            .map(|j| j.conversions)
            .sum()
    };
    let expected = brute_force_shapley(n, &worth);
    let credits = attribute(&table, Model::Shapley).unwrap();
    for (c, e) in credits.iter().zip(&expected) {
        assert!(
            close(c.conversions, *e, 1e-12),
            "{}: {} vs {e}",
            c.channel,
            c.conversions
        );
    }
    // By hand: A = 5/2 + 2/2 + 4/4, B = 5/2 + 3 + 4/4, C = 1 + 1, D = 0, E = 1 + 1.
    for (name, hand) in [("A", 4.5), ("B", 6.5), ("C", 2.0), ("D", 0.0), ("E", 2.0)] {
        assert!(close(by_channel(&credits, name).conversions, hand, 1e-12));
    }
}

/// `shapley_markov` on the Bryl' journeys, by hand (no published number):
/// v(S) = 3 x P(conversion with the channels outside S removed). C3 ends every
/// converting route and C2 precedes it, so v is 0 unless {C2, C3} is in S;
/// v({C2, C3}) = 3 x (1/3 x 1/2) = 0.5 and v(all) = 1. The game is
/// 0.5 u{C2,C3} + 0.5 u{C1,C2,C3}, whose Shapley value is C1 = 1/6,
/// C2 = C3 = 1/4 + 1/6 = 5/12. Also checked against brute force over orders,
/// with v from the chain.
#[test]
fn shapley_markov_bryl_by_hand() {
    let table = bryl();
    let credits = attribute(&table, Model::ShapleyMarkov).unwrap();
    for (name, hand) in [("C1", 1.0 / 6.0), ("C2", 5.0 / 12.0), ("C3", 5.0 / 12.0)] {
        let c = by_channel(&credits, name);
        assert!(close(c.conversions, hand, 1e-14), "{c:?}");
        assert!(close(c.value, hand * 1000.0, 1e-11), "{c:?}");
        assert_eq!(c.std_error, None);
    }
    let chain = MarkovChain::fit(&table, 1).unwrap();
    let worth = |members: &[bool]| -> f64 {
        let removed: Vec<u16> = (0..3u16).filter(|&c| !members[usize::from(c)]).collect();
        3.0 * chain.conversion_probability_without(&removed).unwrap()
    };
    let brute = brute_force_shapley(3, &worth);
    for (c, e) in credits.iter().zip(&brute) {
        assert!(close(c.conversions, *e, 1e-14));
    }
}

/// Above the exact limit `shapley_markov` samples permutations and reports a
/// standard error; the estimate must lie within 5 standard errors of the
/// exact value (computed by the exact path on the same table).
#[test]
fn shapley_markov_sampled_within_standard_error() {
    let table = JourneyTable::from_rows([
        ("A > B > C", 4.0, 6.0, 40.0),
        ("B > D", 2.0, 9.0, 20.0),
        ("E > A > D", 3.0, 3.0, 30.0),
        ("C", 1.0, 12.0, 10.0),
        ("D > E > B", 5.0, 2.0, 50.0),
        ("A", 0.0, 8.0, 0.0),
    ])
    .unwrap();
    let exact = attribute(&table, Model::ShapleyMarkov).unwrap();
    let options = Options::default()
        .with_shapley_exact_max_channels(3)
        .with_shapley_permutations(3000)
        .with_seed(11);
    let sampled = attribute_with(&table, Model::ShapleyMarkov, &options).unwrap();
    let total: f64 = sampled.iter().map(|c| c.conversions).sum();
    assert!(close(total, table.total_conversions(), 1e-9));
    for (e, s) in exact.iter().zip(&sampled) {
        let se = s.std_error.expect("sampled credits carry a standard error");
        assert!(se > 0.0 && se < 0.5, "{s:?}");
        assert!(
            (e.conversions - s.conversions).abs() <= 5.0 * se,
            "{e:?} vs {s:?}"
        );
    }
    // Deterministic for a fixed seed.
    assert_eq!(
        sampled,
        attribute_with(&table, Model::ShapleyMarkov, &options).unwrap()
    );
}
