//! A progress bar on stderr for work that takes more than a second; hidden when
//! stderr is not a terminal or with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use omnimix_sim::engine::Observer;
use std::time::{Duration, Instant};

/// Counts steps of all replications.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    quiet: bool,
}

impl Progress {
    pub fn new(total_steps: u64, what: &str, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total_steps), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{msg} {bar:40.cyan/blue} {percent:>3}% {elapsed_precise} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        Progress {
            bar,
            started: Instant::now(),
            quiet,
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn step_done(&self, _replication: u32, _step: u32) {
        self.bar.inc(1);
        if !self.quiet && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            // ProgressDrawTarget::stderr() stays hidden when stderr is not a terminal.
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

/// One stage of a long command (search, comparison, analysis, report): a progress bar
/// of its own on a terminal, else one plain line when it starts and one when it ends
/// (`search: 300 evaluations done in 41 s`); nothing with `--quiet`.
pub struct Stage {
    name: &'static str,
    bar: ProgressBar,
    started: Instant,
    plain: bool,
    quiet: bool,
}

impl Stage {
    /// Start stage `name`: `total` steps of `unit` (a spinner when `None`); `what`
    /// says what it does, for the plain line.
    pub fn start(
        name: &'static str,
        total: Option<u64>,
        unit: &str,
        what: &str,
        quiet: bool,
    ) -> Stage {
        use std::io::IsTerminal;
        let terminal = std::io::stderr().is_terminal();
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
        };
        let template = if total.is_some() {
            format!(
                "{{prefix:<10}} {{bar:40.cyan/blue}} {{pos}}/{{len}} {unit} {{elapsed_precise}} (eta {{eta}}) {{msg}}"
            )
        } else {
            "{prefix:<10} {spinner} {elapsed_precise} {msg}".to_string()
        };
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(name);
        if !quiet && terminal {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_message(what.to_string());
            if total.is_none() {
                bar.enable_steady_tick(Duration::from_millis(200));
            }
        }
        let plain = !quiet && !terminal;
        if plain {
            eprintln!("{name}: started, {what}");
        }
        Stage {
            name,
            bar,
            started: Instant::now(),
            plain,
            quiet,
        }
    }

    /// The bar (to set its position and message).
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// The stage is over: `done` says what was done (`300 evaluations done`).
    pub fn finish(self, done: &str) {
        self.bar.finish_and_clear();
        if self.plain && !self.quiet {
            eprintln!(
                "{}: {done} in {:.0} s",
                self.name,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}
