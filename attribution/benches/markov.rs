//! Markov removal-effect attribution on a generated table of 100 000
//! distinct paths over 12 channels (fixed seed), orders 1 to 3; plus parsing
//! that table from CSV and the other models, for scale.
//!
//! Targets (issue 6): order 1 under 0.25 s, order 3 under 1 s, one core.
//!
//! Run: `cargo bench -p omnimix-attribution --bench markov`.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnimix_attribution::{JourneyTable, MarkovChain, Model, Options, attribute, attribute_with};
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};

const CHANNELS: usize = 12;
const PATHS: usize = 100_000;
const SEED: u64 = 0x0A77_2026;

fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// `paths` distinct journeys: lengths 1..=12 with mean about 4, channels
/// drawn with unequal popularity, each path seen by 1..=40 customers whose
/// conversion probability rises with the channels' (made-up) effects.
fn journeys_csv(paths: usize, channels: usize, seed: u64) -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let names: Vec<String> = (0..channels).map(|c| format!("channel_{c:02}")).collect();
    let popularity: Vec<f64> = (0..channels)
        .map(|c| 1.0 / (1.0 + c as f64 * 0.3))
        .collect();
    let total_pop: f64 = popularity.iter().sum();
    let effect: Vec<f64> = (0..channels)
        .map(|c| 0.02 + 0.01 * (c % 5) as f64)
        .collect();
    let mut seen: HashSet<Vec<u16>> = HashSet::with_capacity(paths);
    let mut csv = String::from("path,total_conversions,total_null,total_conversion_value\n");
    while seen.len() < paths {
        let mut len = 1;
        while len < 12 && uniform(&mut rng) < 0.72 {
            len += 1;
        }
        let path: Vec<u16> = (0..len)
            .map(|_| {
                let mut u = uniform(&mut rng) * total_pop;
                let mut c = 0;
                while c + 1 < channels && u >= popularity[c] {
                    u -= popularity[c];
                    c += 1;
                }
                c as u16
            })
            .collect();
        if !seen.insert(path.clone()) {
            continue;
        }
        let customers = 1 + rng.next_u64() % 40;
        let p = (0.01 + path.iter().map(|&c| effect[usize::from(c)]).sum::<f64>()).min(0.9);
        let conversions = (0..customers).filter(|_| uniform(&mut rng) < p).count() as u64;
        let value = conversions as f64 * (50.0 + 100.0 * uniform(&mut rng));
        let joined: Vec<&str> = path
            .iter()
            .map(|&c| names[usize::from(c)].as_str())
            .collect();
        csv.push_str(&format!(
            "{},{},{},{:.2}\n",
            joined.join(" > "),
            conversions,
            customers - conversions,
            value
        ));
    }
    csv
}

fn bench(c: &mut Criterion) {
    let csv = journeys_csv(PATHS, CHANNELS, SEED);
    let table = JourneyTable::from_reader(csv.as_bytes()).expect("generated table parses");
    for order in 1..=3 {
        let chain = MarkovChain::fit(&table, order).expect("fit");
        eprintln!(
            "order {order}: {} states, {} transitions",
            chain.state_count(),
            chain.transition_count()
        );
    }

    let mut group = c.benchmark_group("markov_100k_paths_12_channels");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(PATHS as u64));
    for order in 1..=3u8 {
        group.bench_function(format!("attribute markov:{order}"), |b| {
            b.iter(|| attribute(black_box(&table), Model::Markov { order }).expect("attribute"))
        });
    }
    group.bench_function("parse csv", |b| {
        b.iter(|| JourneyTable::from_reader(black_box(csv.as_bytes())).expect("parse"))
    });
    for model in [Model::Linear, Model::Shapley, Model::ShapleyMarkov] {
        group.bench_function(format!("attribute {model}"), |b| {
            b.iter(|| {
                attribute_with(black_box(&table), model, &Options::default()).expect("attribute")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
