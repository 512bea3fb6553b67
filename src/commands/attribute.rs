//! `omnimix attribute`.

use crate::backend::{Backend, with_threads};
use crate::config::{AttributeConfig, BadInput, JourneySource};
use crate::print::print_written;
use anyhow::{Context, Result};
use omnimix_attribution::{Credit, JourneyTable, Model};
use omnimix_studies::truth::{MeasurementError, Truth};
use std::time::Instant;

/// `omnimix attribute`: every model's credit per channel, to `attribution.csv`;
/// with `--truth`, the credit on the paths the company could observe, beside each
/// channel's true incremental effect, and each model's error on the observed and on
/// the true paths (the simulations on every rank of the backend; the models and the
/// files on rank 0).
pub fn attribute(cfg: &AttributeConfig, backend: &dyn Backend) -> Result<()> {
    use omnimix_attribution::{Options, attribute_all};
    use omnimix_studies::truth::{journey_table, measurement_errors, simulate_truth};
    let (a, models) = (cfg, &cfg.models);
    let simulated;
    let mut written = Vec::new();
    let (table, true_table, source, truth) = match &cfg.source {
        JourneySource::File { .. } if !backend.is_root() => return Ok(()),
        JourneySource::File { path, table } => (table, None, path.display().to_string(), None),
        JourneySource::Truth {
            scenario: s,
            seed,
            replications,
        } => {
            let (journeys, truth) = with_threads(cfg.threads, || {
                simulate_truth(s, *seed, *replications, backend.shards())
            })?;
            if !backend.is_root() {
                return Ok(());
            }
            simulated = (
                journey_table(&journeys.observed)?,
                journey_table(&journeys.true_paths)?,
            );
            for (name, rows) in [
                ("journeys.csv", &journeys.observed),
                ("true_journeys.csv", &journeys.true_paths),
            ] {
                let path = a.out.join(name);
                omnimix_reports::write_csv(&path, rows)?;
                written.push(path);
            }
            (
                &simulated.0,
                Some(&simulated.1),
                format!("observed journeys of {}", s.name),
                Some(truth),
            )
        }
    };
    let models = &bounded(models, &cfg.named, table.channels().len());
    let path = a.out.join("attribution.csv");
    if table.is_empty() {
        // the header alone: a table of no paths credits nothing
        let header = format!("{}\n", Credit::COLUMNS.join(","));
        omnimix_reports::write_atomic(&path, header.as_bytes())?;
        written.push(path);
        crate::outdir::record(&written);
        if !a.quiet {
            println!("{source}: no paths (the table has its header only): nothing to credit");
            print_written(&written);
        }
        return Ok(());
    }
    let t0 = Instant::now();
    let credits =
        attribute_all(table, models, &Options::default()).context("attribution failed")?;
    if let Some(c) = credits
        .iter()
        .find(|c| !(c.conversions.is_finite() && c.value.is_finite() && c.share.is_finite()))
    {
        return Err(BadInput(format!(
            "{source}: model {} gives {} a credit that is not a finite number: the counts or \
             values are too large to add up",
            c.model, c.channel
        ))
        .into());
    }
    omnimix_reports::write_csv(&path, &credits)?;
    written.push(path);
    // Chart: share per channel, one bar per model (and the truth when known).
    let channels: Vec<String> = table.channels().to_vec();
    let mut series: Vec<String> = models.iter().map(|m| m.to_string()).collect();
    let mut values: Vec<Vec<f64>> = models
        .iter()
        .map(|m| {
            channels
                .iter()
                .map(|ch| {
                    credits
                        .iter()
                        .find(|c| &c.model == m && &c.channel == ch)
                        .map_or(0.0, |c| c.share)
                })
                .collect()
        })
        .collect();
    if let Some(t) = &truth {
        series.push("truth".into());
        values.push(channels.iter().map(|ch| t.company_share(ch)).collect());
    }
    let chart = a.out.join("attribution.svg");
    omnimix_reports::charts::grouped_bars_svg(
        &chart,
        "Share of conversions credited to each channel",
        "share of conversions",
        &channels,
        &series,
        &values,
    )?;
    written.push(chart);
    let mut errors = Vec::new();
    if let Some(truth) = &truth {
        let truth_path = a.out.join("truth.csv");
        omnimix_reports::write_csv(&truth_path, &truth.rows)?;
        written.push(truth_path);
        // the same models on the true paths: what measurement loses
        let true_credits = match true_table {
            Some(t) if !t.is_empty() => attribute_all(t, models, &Options::default())
                .context("attribution of the true paths failed")?,
            _ => Vec::new(),
        };
        errors = measurement_errors(truth, &credits, &true_credits, models);
        let errors_path = a.out.join("errors.csv");
        omnimix_reports::write_csv(&errors_path, &errors)?;
        written.push(errors_path);
    }
    crate::outdir::record(&written);
    if !a.quiet {
        print_credits(
            &source,
            table,
            models,
            &credits,
            truth.as_ref(),
            &errors,
            t0,
        );
        print_written(&written);
    }
    Ok(())
}

/// The models to run on a table of `channels` channels: a model that `all` brought
/// in and that is above its channel limit ([`Model::max_channels_in_all`]) is left
/// out, with a warning; a model named in `--models` always runs.
fn bounded(models: &[Model], named: &[Model], channels: usize) -> Vec<Model> {
    models
        .iter()
        .copied()
        .filter(|m| match m.max_channels_in_all() {
            Some(limit) if channels > limit && !named.contains(m) => {
                eprintln!(
                    "warning: {m} left out of --models all: {channels} channels, above its \
                     limit of {limit} for all (its run time grows steeply with channels); \
                     name it in --models to run it"
                );
                false
            }
            _ => true,
        })
        .collect()
}

/// The credit table on stdout: a column per model (and the truth), a row per channel.
fn print_credits(
    source: &str,
    table: &JourneyTable,
    models: &[Model],
    credits: &[Credit],
    truth: Option<&Truth>,
    errors: &[MeasurementError],
    t0: Instant,
) {
    println!(
        "{source}: {} distinct paths, {} channels, {:.0} conversions; {} models in {:.2} s",
        table.len(),
        table.channels().len(),
        table.total_conversions(),
        models.len(),
        t0.elapsed().as_secs_f64()
    );
    print!("{:<16}", "share");
    for m in models {
        print!(" {:>15}", m.to_string());
    }
    if truth.is_some() {
        print!(" {:>15}", "truth");
    }
    println!();
    for ch in table.channels() {
        print!("{ch:<16}");
        for m in models {
            let share = credits
                .iter()
                .find(|c| &c.model == m && &c.channel == ch)
                .map_or(0.0, |c| c.share);
            print!(" {:>14.1}%", share * 100.0);
        }
        if let Some(t) = truth {
            print!(" {:>14.1}%", t.company_share(ch) * 100.0);
        }
        println!();
    }
    if !errors.is_empty() {
        print!("{:<16}", "abs. share error");
        for e in errors {
            print!(" {:>15.3}", e.total_absolute_share_error);
        }
        println!();
        print!("{:<16}", "on true paths");
        for e in errors {
            print!(" {:>15.3}", e.error_true_paths);
        }
        println!();
    }
}
