//! Will the agents fit in memory? Estimated before any work from the scenario
//! (agents × bytes per agent, per replication) and the machine's memory.

use super::BadInput;
use anyhow::Result;
use omnimix_sim::Scenario;

/// Above this share of the machine's memory, the state of the replications run at
/// once draws a warning.
const WARN_SHARE: f64 = 0.5;

/// The memory this process may use, in bytes: `OMNIMIX_MEMORY` when set (bytes, or
/// with a K, M, G or T suffix: a job's limit below the machine's), else the smaller of
/// `MemTotal` in `/proc/meminfo` and the cgroup's `memory.max`; `None` when unknown.
pub fn available() -> Result<Option<u64>> {
    if let Ok(v) = std::env::var("OMNIMIX_MEMORY") {
        return parse_size(&v).map(Some).ok_or_else(|| {
            BadInput(format!(
                "OMNIMIX_MEMORY={v}: not a size (bytes, or a number with K, M, G or T)"
            ))
            .into()
        });
    }
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_total(&t));
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    Ok(match (total, cgroup) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    })
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => n.checked_mul(1024),
        None => Some(n),
        Some(_) => None,
    }
}

/// `123`, `512M`, `16G`, `1.5T` (powers of 1024) in bytes.
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&s[..i], s[i..].trim_end_matches(['b', 'B'])),
        None => (s, ""),
    };
    let mult = match unit.to_ascii_uppercase().as_str() {
        "" => 1.0,
        "K" | "KI" => 1024.0,
        "M" | "MI" => 1024f64.powi(2),
        "G" | "GI" => 1024f64.powi(3),
        "T" | "TI" => 1024f64.powi(4),
        _ => return None,
    };
    let n: f64 = num.trim().parse().ok()?;
    (n.is_finite() && n > 0.0).then_some((n * mult) as u64)
}

/// What the scenario's agents need: per replication, and for the replications run
/// at once (one per core, at most the scenario's replications).
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub agents: usize,
    pub per_replication: u64,
    pub at_once: u32,
    pub available: Option<u64>,
}

impl Estimate {
    pub fn of(s: &Scenario) -> Result<Estimate> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Estimate {
            agents: s.agents(),
            per_replication: s.state_bytes(),
            at_once: s.replications.clamp(1, cores.min(u32::MAX as usize) as u32),
            available: available()?,
        })
    }

    /// The state of the replications run at once.
    pub fn peak(&self) -> u64 {
        self.per_replication.saturating_mul(u64::from(self.at_once))
    }

    /// One line for `validate`.
    pub fn describe(&self) -> String {
        let machine = match self.available {
            Some(m) => format!("of {} on this machine", bytes(m)),
            None => "the machine's memory is unknown".into(),
        };
        format!(
            "agent state {} per replication ({} agents x {} bytes), {} with {} replications at once ({machine})",
            bytes(self.per_replication),
            self.agents,
            omnimix_sim::agents::BYTES_PER_AGENT,
            bytes(self.peak()),
            self.at_once
        )
    }
}

/// Refuse a scenario whose agents cannot fit in memory even one replication at a
/// time (bad input, with the figures); warn on stderr when the replications run at
/// once need more than half of it. Nothing when the memory is unknown.
pub fn check(s: &Scenario) -> Result<()> {
    let e = Estimate::of(s)?;
    let Some(memory) = e.available else {
        return Ok(());
    };
    if e.per_replication > memory {
        return Err(BadInput(format!(
            "scenario '{}': {} agents need about {} of agent state ({} bytes each) for one \
             replication, more than the {} of memory here: raise agent_scale (now {}) or \
             lower the populations",
            s.name,
            e.agents,
            bytes(e.per_replication),
            omnimix_sim::agents::BYTES_PER_AGENT,
            bytes(memory),
            s.agent_scale
        ))
        .into());
    }
    if e.peak() as f64 > WARN_SHARE * memory as f64 {
        eprintln!(
            "warning: scenario '{}': {} replications at once need about {} of agent state \
             ({} each), {:.0} % of the {} of memory here; fewer threads (--threads) run fewer \
             at once, a larger agent_scale needs less",
            s.name,
            e.at_once,
            bytes(e.peak()),
            bytes(e.per_replication),
            100.0 * e.peak() as f64 / memory as f64,
            bytes(memory)
        );
    }
    Ok(())
}

/// Bytes for people: `34.0 GB`, `119 kB` (powers of 1000).
fn bytes(b: u64) -> String {
    let b = b as f64;
    match b {
        b if b >= 1e12 => format!("{:.1} TB", b / 1e12),
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.0} kB", b / 1e3),
        b => format!("{b:.0} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_total_is_read_in_bytes() {
        let t = "MemTotal:       24576000 kB\nMemFree:        1000 kB\n";
        assert_eq!(mem_total(t), Some(24_576_000 * 1024));
        assert_eq!(mem_total("MemFree: 3 kB\n"), None);
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("2K"), Some(2048));
        assert_eq!(parse_size("16G"), Some(16 << 30));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1G"), None);
    }

    #[test]
    fn bytes_read_like_the_issue_figure() {
        assert_eq!(bytes(2_000_000_000 * 17), "34.0 GB");
        assert_eq!(bytes(119_000), "119 kB");
    }
}
