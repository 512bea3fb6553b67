//! Errors of the simulator library.

use std::fmt;

/// One problem found in a scenario: where, what value, and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted key path, e.g. `countries.DE.population`.
    pub path: String,
    /// The offending value as written, when there is one.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// Line and column (1-based) in the scenario file, when known.
    pub location: Option<(usize, usize)>,
    /// Set when the value came from a `--set` override rather than the file.
    pub from_override: Option<String>,
}

impl Problem {
    /// A problem at `path` with `message`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            value: None,
            message: message.into(),
            location: None,
            from_override: None,
        }
    }

    /// The same problem, naming the offending value.
    pub fn with_value(mut self, value: impl fmt::Display) -> Self {
        self.value = Some(value.to_string());
        self
    }
}

/// A scenario that cannot be used, with every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct ScenarioError {
    /// The file (or `<embedded default>`) the scenario came from.
    pub origin: String,
    /// Every problem found, in file order where known.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{}: {} problem{} in the scenario",
            self.origin,
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            match (&p.from_override, p.location) {
                (Some(o), _) => write!(f, "  {o}: ")?,
                (None, Some((line, col))) => write!(f, "  {}:{line}:{col}: ", self.origin)?,
                (None, None) => write!(f, "  {}: ", self.origin)?,
            }
            if p.path.is_empty() {
                write!(f, "{}", p.message)?;
            } else {
                write!(f, "{}", p.path)?;
                if let Some(v) = &p.value {
                    write!(f, " = {v}")?;
                }
                write!(f, ": {}", p.message)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
