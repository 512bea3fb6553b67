//! [`DataError`]: what is wrong with a file, where (file, row, column) and what was
//! expected. Rows are numbered as a spreadsheet shows them: the header is row 1.

use std::path::PathBuf;

/// A problem with the company's data. Every variant names the file (for a
/// spreadsheet: the file and the sheet); those about a cell name its row (1-based,
/// header = row 1), its column and its value.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file cannot be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a readable table (broken CSV, a workbook calamine cannot
    /// open, a sheet that does not exist).
    #[error("{file}: {message}")]
    Format {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// No header row, or no row of data.
    #[error("{file}: the file is empty (expected a header row and at least one row of data)")]
    Empty {
        /// The file.
        file: String,
    },
    /// A required column is absent.
    #[error("{file}: no {what} column; the columns are: {found}")]
    MissingColumn {
        /// The file.
        file: String,
        /// Which column, and the names it may have.
        what: String,
        /// The header row, comma-separated.
        found: String,
    },
    /// A cell holds something other than what its column needs.
    #[error(
        "{file}: row {row}, column {column}: expected {expected}, found {}",
        found_text(value)
    )]
    Cell {
        /// The file.
        file: String,
        /// Row as a spreadsheet numbers it (header = 1).
        row: usize,
        /// Column header.
        column: String,
        /// The cell's text (empty for an empty cell).
        value: String,
        /// What the column needs.
        expected: String,
    },
    /// Two rows for the same week × country (× channel).
    #[error("{file}: rows {first} and {second} are both {key}")]
    Duplicate {
        /// The file.
        file: String,
        /// The earlier row.
        first: usize,
        /// The later row.
        second: usize,
        /// What they share, e.g. `week 2024-01-08, country DE, channel search`.
        key: String,
    },
    /// A gap in the week column of a country.
    #[error("{0}")]
    MissingWeek(Box<WeekGap>),
    /// A country's weeks are not those of the other countries.
    #[error("{0}")]
    UnevenCountries(Box<UnevenWeeks>),
    /// The table and the scenario or the `[calibrate.columns]` mapping disagree
    /// (a mapped column that does not exist, a table without a country column for
    /// a scenario of several countries, …).
    #[error("{file}: {message}")]
    Layout {
        /// The file.
        file: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A lift test's or cohort's week lies outside the history.
    #[error("{file}: row {row}, column {column}: week {week} is outside the history ({span})")]
    OutsideHistory {
        /// The lift-test or cohort file.
        file: String,
        /// Its row.
        row: usize,
        /// The column (`start`, `end`, `cohort_start`).
        column: String,
        /// The week as written.
        week: String,
        /// The history's weeks: `2024-01-01 to 2024-06-24`.
        span: String,
    },
}

/// A gap in the week column of a country ([`DataError::MissingWeek`]).
#[derive(Debug, Clone, PartialEq)]
pub struct WeekGap {
    /// The file.
    pub file: String,
    /// The row of the first week after the gap.
    pub row: usize,
    /// The week column's header.
    pub column: String,
    /// The country.
    pub country: String,
    /// The first missing week.
    pub missing: String,
    /// The last week before the gap.
    pub before: String,
    /// The first week after the gap.
    pub after: String,
}

impl std::fmt::Display for WeekGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: row {}, column {}: week {} is missing for country {} (the history goes from {} to {})",
            self.file, self.row, self.column, self.missing, self.country, self.before, self.after
        )
    }
}

/// A country whose weeks differ from another's ([`DataError::UnevenCountries`]).
#[derive(Debug, Clone, PartialEq)]
pub struct UnevenWeeks {
    /// The file.
    pub file: String,
    /// The country with fewer (or other) weeks.
    pub country: String,
    /// Its number of weeks.
    pub n: usize,
    /// Its first week.
    pub first: String,
    /// Its last week.
    pub last: String,
    /// The country compared with (the first with the most weeks).
    pub other: String,
    /// That country's number of weeks.
    pub n_other: usize,
    /// That country's first week.
    pub first_other: String,
    /// That country's last week.
    pub last_other: String,
}

impl std::fmt::Display for UnevenWeeks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: country {} has {} weeks ({} to {}) where {} has {} ({} to {}); every country needs the same weeks",
            self.file,
            self.country,
            self.n,
            self.first,
            self.last,
            self.other,
            self.n_other,
            self.first_other,
            self.last_other
        )
    }
}

fn found_text(value: &str) -> String {
    if value.is_empty() {
        "an empty cell".to_string()
    } else {
        format!("\"{value}\"")
    }
}
