//! Journey tables: the `path,total_conversions,total_null,total_conversion_value`
//! format written by `omnimix simulate --journeys` and read by the usual
//! attribution packages (ChannelAttribution, for one).
//!
//! Each row aggregates the customers who took the same path: `path` is the
//! channel names in touch order joined by ` > `, `total_conversions` how many of
//! them converted, `total_null` how many did not, and `total_conversion_value`
//! the value of those conversions. Channel names are interned: a path is stored
//! as a slice of [`ChannelId`]s into [`JourneyTable::channels`].

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::Read;
use std::rc::Rc;

/// Index of a channel in [`JourneyTable::channels`].
pub type ChannelId = u16;

/// The separator between channels in the `path` column, as written.
///
/// When reading, a path is split on `>` and each name is trimmed of
/// whitespace, so `A>B` and `A > B` are the same path.
pub const PATH_SEPARATOR: &str = " > ";

/// Name of the column holding the touch path.
pub const COLUMN_PATH: &str = "path";
/// Name of the column holding the number of converting customers.
pub const COLUMN_CONVERSIONS: &str = "total_conversions";
/// Name of the column holding the number of customers who did not convert.
pub const COLUMN_NULLS: &str = "total_null";
/// Name of the column holding the total value of the conversions.
pub const COLUMN_VALUE: &str = "total_conversion_value";

/// The most distinct channels a table can hold (channel ids are `u16`).
pub const MAX_CHANNELS: usize = u16::MAX as usize;

const REQUIRED_COLUMNS: [&str; 4] = [COLUMN_PATH, COLUMN_CONVERSIONS, COLUMN_NULLS, COLUMN_VALUE];

/// Where a bad value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A 1-based line of a CSV input (the header is line 1).
    Line(u64),
    /// A 1-based row of the rows given to [`JourneyTable::from_rows`].
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Row(row) => write!(f, "row {row}"),
        }
    }
}

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueProblem {
    /// The field is empty.
    #[error("is empty")]
    Empty,
    /// The field does not parse as a number.
    #[error("is not a number")]
    NotANumber,
    /// The number is NaN or infinite.
    #[error("is not a finite number")]
    NotFinite,
    /// The number is below zero.
    #[error("is negative")]
    Negative,
    /// A path has an empty channel name (e.g. `A >  > B`, or a leading `>`).
    #[error("has an empty channel name")]
    EmptyChannelName,
    /// The number takes its column's total (or a row's customers, conversions plus
    /// nulls) above [`MAX_TOTAL`].
    #[error(
        "takes the column's total (or the row's conversions plus nulls) above 1e100: counts that large overflow the models' arithmetic"
    )]
    TotalTooLarge,
}

/// The largest total a column may reach, and the largest number of customers
/// (conversions plus nulls) a row may hold: far above any real count or value, far
/// below where the models' sums and products stop being finite numbers.
pub const MAX_TOTAL: f64 = 1e100;

/// An error reading or building a [`JourneyTable`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JourneyError {
    /// A required column is not in the header.
    #[error(
        "journeys table: missing column `{column}` (header: {header:?}; required: path, total_conversions, total_null, total_conversion_value)"
    )]
    MissingColumn {
        /// The missing column.
        column: &'static str,
        /// The header as read.
        header: String,
    },
    /// A required column appears more than once in the header.
    #[error("journeys table: column `{column}` appears more than once in the header")]
    DuplicateColumn {
        /// The repeated column.
        column: &'static str,
    },
    /// A field holds a value that is not allowed.
    #[error("journeys table {location}: column `{column}` {problem}: {value:?}")]
    BadValue {
        /// Where the value is.
        location: Location,
        /// The column of the value.
        column: &'static str,
        /// The value as read.
        value: String,
        /// What is wrong with it.
        problem: ValueProblem,
    },
    /// The table names more distinct channels than [`MAX_CHANNELS`].
    #[error("journeys table {location}: more than {limit} distinct channels")]
    TooManyChannels {
        /// Where the first channel over the limit is.
        location: Location,
        /// The limit, [`MAX_CHANNELS`].
        limit: usize,
    },
    /// The input is not well-formed CSV, or could not be read.
    #[error("journeys table: {0}")]
    Csv(#[from] csv::Error),
}

/// One row of a [`JourneyTable`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Journey<'a> {
    /// The channels touched, in order.
    pub path: &'a [ChannelId],
    /// Customers on this path who converted.
    pub conversions: f64,
    /// Customers on this path who did not convert.
    pub nulls: f64,
    /// Total value of the conversions.
    pub value: f64,
}

/// A table of customer journeys with interned channel names.
///
/// Rows are stored column-wise: all paths in one flat `Vec<ChannelId>` with
/// offsets, and one `Vec<f64>` per count. Every count and value is finite and
/// non-negative and every path has at least one channel; the constructors
/// check this and return a [`JourneyError`] naming the place otherwise.
///
/// ```
/// use omnimix_attribution::JourneyTable;
///
/// let csv = "path,total_conversions,total_null,total_conversion_value\n\
///            search > email,3,7,120.5\n\
///            display,0,12,0\n";
/// let table = JourneyTable::from_reader(csv.as_bytes())?;
/// assert_eq!(table.channels(), ["search", "email", "display"]);
/// assert_eq!(table.len(), 2);
/// assert_eq!(table.journey(0).path, [0, 1]);
/// assert_eq!(table.total_conversions(), 3.0);
/// # Ok::<(), omnimix_attribution::JourneyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JourneyTable {
    channels: Vec<String>,
    index: HashMap<String, ChannelId>,
    offsets: Vec<usize>,
    touches: Vec<ChannelId>,
    conversions: Vec<f64>,
    nulls: Vec<f64>,
    values: Vec<f64>,
}

impl JourneyTable {
    /// Reads a journeys table in CSV from any reader.
    ///
    /// The header must name the columns `path`, `total_conversions`,
    /// `total_null` and `total_conversion_value`, in any order; other columns
    /// are ignored. Counts may be fractional but must be finite and
    /// non-negative; so must values.
    ///
    /// # Errors
    /// A [`JourneyError`] naming the line, the column and the bad value, or
    /// the missing column, or the CSV fault (e.g. a row with too few fields).
    pub fn from_reader<R: Read>(reader: R) -> Result<Self, JourneyError> {
        let breaks = Rc::new(RefCell::new(LineBreaks::default()));
        let mut csv_reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(TrackLines {
                inner: reader,
                breaks: Rc::clone(&breaks),
            });
        let header = csv_reader.headers()?.clone();
        let mut positions = [usize::MAX; 4];
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            if let Some(k) = REQUIRED_COLUMNS.iter().position(|c| *c == name) {
                if positions[k] != usize::MAX {
                    return Err(JourneyError::DuplicateColumn {
                        column: REQUIRED_COLUMNS[k],
                    });
                }
                positions[k] = i;
            }
        }
        for (k, &pos) in positions.iter().enumerate() {
            if pos == usize::MAX {
                return Err(JourneyError::MissingColumn {
                    column: REQUIRED_COLUMNS[k],
                    header: header.iter().collect::<Vec<_>>().join(","),
                });
            }
        }
        let [p_path, p_conv, p_null, p_value] = positions;
        let mut table = JourneyTable::default();
        let mut totals = [0.0; 3];
        let mut record = csv::StringRecord::new();
        while csv_reader.read_record(&mut record)? {
            // The csv crate's own line numbers skip blank lines and count
            // CRLF oddly, so lines are counted here from its byte offsets.
            let byte = record.position().map_or(0, csv::Position::byte);
            let location = Location::Line(breaks.borrow_mut().line_at(byte));
            // `flexible(false)` guarantees every record has the header's length.
            let field = |i: usize| record.get(i).unwrap_or("");
            table.push_str_row(
                &mut totals,
                location,
                field(p_path),
                field(p_conv),
                field(p_null),
                field(p_value),
            )?;
        }
        Ok(table)
    }

    /// Builds a table from rows of `(path, conversions, nulls, value)`, where
    /// `path` is channel names joined by ` > ` as in the CSV format.
    ///
    /// # Errors
    /// A [`JourneyError::BadValue`] with a 1-based [`Location::Row`] for an
    /// empty path or channel name, or a negative or non-finite number.
    ///
    /// ```
    /// use omnimix_attribution::JourneyTable;
    ///
    /// let table = JourneyTable::from_rows([
    ///     ("C1 > C2 > C3", 1.0, 0.0, 1000.0),
    ///     ("C1", 0.0, 1.0, 0.0),
    /// ])?;
    /// assert_eq!(table.channels(), ["C1", "C2", "C3"]);
    /// # Ok::<(), omnimix_attribution::JourneyError>(())
    /// ```
    pub fn from_rows<I, P>(rows: I) -> Result<Self, JourneyError>
    where
        I: IntoIterator<Item = (P, f64, f64, f64)>,
        P: AsRef<str>,
    {
        let mut table = JourneyTable::default();
        let mut totals = [0.0; 3];
        for (i, (path, conversions, nulls, value)) in rows.into_iter().enumerate() {
            let location = Location::Row(i + 1);
            let conversions = check_number(location, COLUMN_CONVERSIONS, conversions)?;
            let nulls = check_number(location, COLUMN_NULLS, nulls)?;
            let value = check_number(location, COLUMN_VALUE, value)?;
            check_totals(&mut totals, location, [conversions, nulls, value], |k| {
                [conversions, nulls, value][k].to_string()
            })?;
            table.push_path(location, path.as_ref())?;
            table.conversions.push(conversions);
            table.nulls.push(nulls);
            table.values.push(value);
        }
        Ok(table)
    }

    fn push_str_row(
        &mut self,
        totals: &mut [f64; 3],
        location: Location,
        path: &str,
        conversions: &str,
        nulls: &str,
        value: &str,
    ) -> Result<(), JourneyError> {
        let (conversions_text, nulls_text, value_text) = (conversions, nulls, value);
        let conversions = parse_number(location, COLUMN_CONVERSIONS, conversions)?;
        let nulls = parse_number(location, COLUMN_NULLS, nulls)?;
        let value = parse_number(location, COLUMN_VALUE, value)?;
        let texts = [conversions_text, nulls_text, value_text];
        check_totals(totals, location, [conversions, nulls, value], |k| {
            texts[k].trim().to_string()
        })?;
        self.push_path(location, path)?;
        self.conversions.push(conversions);
        self.nulls.push(nulls);
        self.values.push(value);
        Ok(())
    }

    /// Appends the interned path; on error the table is left unchanged
    /// except for channels interned before the bad name.
    fn push_path(&mut self, location: Location, path: &str) -> Result<(), JourneyError> {
        let bad = |problem| JourneyError::BadValue {
            location,
            column: COLUMN_PATH,
            value: path.to_string(),
            problem,
        };
        if path.trim().is_empty() {
            return Err(bad(ValueProblem::Empty));
        }
        let start = self.touches.len();
        for name in path.split('>') {
            let name = name.trim();
            if name.is_empty() {
                self.touches.truncate(start);
                return Err(bad(ValueProblem::EmptyChannelName));
            }
            let id = match self.index.get(name) {
                Some(&id) => id,
                None => {
                    if self.channels.len() >= MAX_CHANNELS {
                        self.touches.truncate(start);
                        return Err(JourneyError::TooManyChannels {
                            location,
                            limit: MAX_CHANNELS,
                        });
                    }
                    // Fits: checked against MAX_CHANNELS = u16::MAX just above.
                    let id = self.channels.len() as ChannelId;
                    self.channels.push(name.to_string());
                    self.index.insert(name.to_string(), id);
                    id
                }
            };
            self.touches.push(id);
        }
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.offsets.push(self.touches.len());
        Ok(())
    }

    /// The channel names, indexed by [`ChannelId`], in order of first appearance.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// The id of a channel name, if the table has it.
    pub fn channel_id(&self, name: &str) -> Option<ChannelId> {
        self.index.get(name).copied()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.conversions.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.conversions.is_empty()
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i >= self.len()` (a programming error, like slice indexing).
    pub fn journey(&self, i: usize) -> Journey<'_> {
        Journey {
            path: &self.touches[self.offsets[i]..self.offsets[i + 1]],
            conversions: self.conversions[i],
            nulls: self.nulls[i],
            value: self.values[i],
        }
    }

    /// All rows in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Journey<'_>> + '_ {
        (0..self.len()).map(|i| self.journey(i))
    }

    /// Sum of `total_conversions`.
    pub fn total_conversions(&self) -> f64 {
        self.conversions.iter().sum()
    }

    /// Sum of `total_null`.
    pub fn total_nulls(&self) -> f64 {
        self.nulls.iter().sum()
    }

    /// Sum of `total_conversion_value`.
    pub fn total_value(&self) -> f64 {
        self.values.iter().sum()
    }

    /// Total number of touches over all rows (each row counted once).
    pub fn total_touches(&self) -> usize {
        self.touches.len()
    }
}

/// A reader that notes the offsets of `\r` and `\n` bytes as they pass, so
/// that record start offsets can be turned into line numbers.
struct TrackLines<R> {
    inner: R,
    breaks: Rc<RefCell<LineBreaks>>,
}

impl<R: Read> Read for TrackLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        let base = breaks.passed;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                breaks.pending.push_back((base + i as u64, b));
            }
        }
        breaks.passed += n as u64;
        Ok(n)
    }
}

/// Line-break offsets not yet accounted for, and the lines counted so far.
#[derive(Default)]
struct LineBreaks {
    passed: u64,
    pending: VecDeque<(u64, u8)>,
    lines_before: u64,
}

impl LineBreaks {
    /// The 1-based line of a record whose csv position is `byte`: csv
    /// reports the offset just after the previous record's terminator (or
    /// its `\r`), before any blank lines, so the record starts at the first
    /// byte at or after `byte` that is not a line break. `\n`, `\r\n` and a
    /// lone `\r` each end a line. Offsets must not decrease between calls.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut cursor = byte;
        while let Some(&(offset, b)) = self.pending.front() {
            if offset == cursor {
                // A blank line (or the rest of a terminator) before the record.
                cursor += 1;
            } else if offset > byte {
                break;
            }
            self.pending.pop_front();
            let crlf = b == b'\r'
                && self
                    .pending
                    .front()
                    .is_some_and(|&(next, nb)| next == offset + 1 && nb == b'\n');
            if !crlf {
                self.lines_before += 1;
            }
        }
        self.lines_before + 1
    }
}

/// Adds a row's numbers to the running totals, or names the first whose total
/// (or the row's conversions plus nulls) would exceed [`MAX_TOTAL`]; the totals
/// are unchanged on error.
fn check_totals(
    totals: &mut [f64; 3],
    location: Location,
    numbers: [f64; 3],
    text: impl Fn(usize) -> String,
) -> Result<(), JourneyError> {
    const COLUMNS: [&str; 3] = [COLUMN_CONVERSIONS, COLUMN_NULLS, COLUMN_VALUE];
    let next: [f64; 3] = std::array::from_fn(|k| totals[k] + numbers[k]);
    // the row's customers first: its two counts together
    let over = if numbers[0] + numbers[1] > MAX_TOTAL {
        Some(if numbers[0] >= numbers[1] { 0 } else { 1 })
    } else {
        next.iter().position(|t| t.is_nan() || *t > MAX_TOTAL)
    };
    if let Some(k) = over {
        return Err(JourneyError::BadValue {
            location,
            column: COLUMNS[k],
            value: text(k),
            problem: ValueProblem::TotalTooLarge,
        });
    }
    *totals = next;
    Ok(())
}

fn parse_number(location: Location, column: &'static str, text: &str) -> Result<f64, JourneyError> {
    let bad = |problem| JourneyError::BadValue {
        location,
        column,
        value: text.to_string(),
        problem,
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad(ValueProblem::Empty));
    }
    let number: f64 = trimmed.parse().map_err(|_| bad(ValueProblem::NotANumber))?;
    check_number(location, column, number).map_err(|_| {
        bad(if number.is_finite() {
            ValueProblem::Negative
        } else {
            ValueProblem::NotFinite
        })
    })
}

fn check_number(
    location: Location,
    column: &'static str,
    number: f64,
) -> Result<f64, JourneyError> {
    let problem = if !number.is_finite() {
        ValueProblem::NotFinite
    } else if number < 0.0 {
        ValueProblem::Negative
    } else {
        // Normalise -0.0 so that sums and outputs never show "-0".
        return Ok(number + 0.0);
    };
    Err(JourneyError::BadValue {
        location,
        column,
        value: number.to_string(),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "path,total_conversions,total_null,total_conversion_value\n";

    #[test]
    fn totals_above_max_total_are_refused_with_their_place() {
        let csv = format!("{HEADER}a,1,1,1\nb,1,1,2e100\n");
        match JourneyTable::from_reader(csv.as_bytes()) {
            Err(JourneyError::BadValue {
                location: Location::Line(3),
                column: COLUMN_VALUE,
                problem: ValueProblem::TotalTooLarge,
                value,
            }) => assert_eq!(value, "2e100"),
            other => panic!("{other:?}"),
        }
        let rows = [("a", 6e99, 6e99, 0.0)];
        assert!(matches!(
            JourneyTable::from_rows(rows),
            Err(JourneyError::BadValue {
                location: Location::Row(1),
                problem: ValueProblem::TotalTooLarge,
                ..
            })
        ));
        assert!(JourneyTable::from_rows([("a", 1e99, 1e99, 1e99)]).is_ok());
    }

    fn read(body: &str) -> Result<JourneyTable, JourneyError> {
        JourneyTable::from_reader(format!("{HEADER}{body}").as_bytes())
    }

    fn bad_value(err: JourneyError) -> (Location, &'static str, String, ValueProblem) {
        match err {
            JourneyError::BadValue {
                location,
                column,
                value,
                problem,
            } => (location, column, value, problem),
            other => panic!("expected BadValue, got {other:?}"),
        }
    }

    #[test]
    fn reads_rows_and_interns_channels() {
        let t = read("a > b > a,2,3,10\nb,0,1,0\nc>a,1,0,4.5\n").unwrap();
        assert_eq!(t.channels(), ["a", "b", "c"]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.journey(0).path, [0, 1, 0]);
        assert_eq!(t.journey(2).path, [2, 0]);
        assert_eq!(t.total_conversions(), 3.0);
        assert_eq!(t.total_nulls(), 4.0);
        assert_eq!(t.total_value(), 14.5);
        assert_eq!(t.total_touches(), 6);
        assert_eq!(t.channel_id("c"), Some(2));
        assert_eq!(t.channel_id("z"), None);
    }

    #[test]
    fn columns_in_any_order_and_extra_columns_ignored() {
        let csv =
            "total_null,note,total_conversion_value,path,total_conversions\n4,x,9.5,a > b,1\n";
        let t = JourneyTable::from_reader(csv.as_bytes()).unwrap();
        let j = t.journey(0);
        assert_eq!((j.conversions, j.nulls, j.value), (1.0, 4.0, 9.5));
        assert_eq!(j.path, [0, 1]);
    }

    #[test]
    fn quoted_fields_and_whitespace() {
        let t = read("\" search  >  e-mail \", 1 ,0, 2.5\n").unwrap();
        assert_eq!(t.channels(), ["search", "e-mail"]);
        assert_eq!(t.journey(0).conversions, 1.0);
    }

    #[test]
    fn blank_lines_and_crlf() {
        let csv = "path,total_conversions,total_null,total_conversion_value\r\na,1,0,2\r\n\r\nb,0,3,0\r\n\n";
        let t = JourneyTable::from_reader(csv.as_bytes()).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.channels(), ["a", "b"]);
        let err = JourneyTable::from_reader(
            "path,total_conversions,total_null,total_conversion_value\n\na,1,0,2\n\nb,x,0,0\n"
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(bad_value(err).0, Location::Line(5));
        // CRLF with a blank line, a quoted path spanning two lines, and lone CRs.
        for (csv, line) in [
            (
                "path,total_conversions,total_null,total_conversion_value\r\na,1,0,2\r\n\r\nb,x,0,0\r\n",
                4,
            ),
            (
                "path,total_conversions,total_null,total_conversion_value\n\"a >\nb\",1,0,2\nc,-1,0,0\n",
                4,
            ),
            (
                "path,total_conversions,total_null,total_conversion_value\ra,1,0,2\r\rb,x,0,0\r",
                4,
            ),
        ] {
            let err = JourneyTable::from_reader(csv.as_bytes()).unwrap_err();
            assert_eq!(bad_value(err).0, Location::Line(line), "{csv:?}");
        }
    }

    #[test]
    fn empty_table_is_fine() {
        let t = read("").unwrap();
        assert!(t.is_empty());
        assert_eq!(t.total_conversions(), 0.0);
    }

    #[test]
    fn missing_column_is_named() {
        let err = JourneyTable::from_reader(
            "path,total_conversions,total_conversion_value\na,1,2\n".as_bytes(),
        )
        .unwrap_err();
        match &err {
            JourneyError::MissingColumn { column, header } => {
                assert_eq!(*column, "total_null");
                assert_eq!(header, "path,total_conversions,total_conversion_value");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("missing column `total_null`"));
    }

    #[test]
    fn empty_input_reports_missing_path() {
        let err = JourneyTable::from_reader("".as_bytes()).unwrap_err();
        assert!(matches!(
            err,
            JourneyError::MissingColumn { column: "path", .. }
        ));
    }

    #[test]
    fn duplicate_column() {
        let err = JourneyTable::from_reader(
            "path,path,total_conversions,total_null,total_conversion_value\n".as_bytes(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            JourneyError::DuplicateColumn { column: "path" }
        ));
    }

    #[test]
    fn non_numeric_count_names_line_column_value() {
        let err = read("a,1,0,0\nb,three,0,0\n").unwrap_err();
        let msg = err.to_string();
        let (loc, col, val, problem) = bad_value(err);
        assert_eq!(loc, Location::Line(3));
        assert_eq!(col, "total_conversions");
        assert_eq!(val, "three");
        assert_eq!(problem, ValueProblem::NotANumber);
        assert_eq!(
            msg,
            "journeys table line 3: column `total_conversions` is not a number: \"three\""
        );
    }

    #[test]
    fn negative_count() {
        let (loc, col, val, problem) = bad_value(read("a,1,-2,0\n").unwrap_err());
        assert_eq!(
            (loc, col, val.as_str(), problem),
            (
                Location::Line(2),
                "total_null",
                "-2",
                ValueProblem::Negative
            )
        );
    }

    #[test]
    fn nan_and_infinity_rejected() {
        let (_, col, _, problem) = bad_value(read("a,NaN,0,0\n").unwrap_err());
        assert_eq!(
            (col, problem),
            ("total_conversions", ValueProblem::NotFinite)
        );
        let (_, col, _, problem) = bad_value(read("a,1,0,inf\n").unwrap_err());
        assert_eq!(
            (col, problem),
            ("total_conversion_value", ValueProblem::NotFinite)
        );
        let (_, _, _, problem) = bad_value(read("a,1,0,-inf\n").unwrap_err());
        assert_eq!(problem, ValueProblem::NotFinite);
    }

    #[test]
    fn negative_value_rejected() {
        let (_, col, _, problem) = bad_value(read("a,1,0,-5\n").unwrap_err());
        assert_eq!(
            (col, problem),
            ("total_conversion_value", ValueProblem::Negative)
        );
    }

    #[test]
    fn empty_fields() {
        let (_, col, _, problem) = bad_value(read("a,,0,0\n").unwrap_err());
        assert_eq!((col, problem), ("total_conversions", ValueProblem::Empty));
        let (loc, col, _, problem) = bad_value(read("a,1,0,0\n ,1,0,0\n").unwrap_err());
        assert_eq!(
            (loc, col, problem),
            (Location::Line(3), "path", ValueProblem::Empty)
        );
    }

    #[test]
    fn empty_channel_name() {
        for path in ["a >  > b", "> a", "a >", ">"] {
            let (_, col, val, problem) =
                bad_value(read(&format!("\"{path}\",1,0,0\n")).unwrap_err());
            assert_eq!(
                (col, problem),
                ("path", ValueProblem::EmptyChannelName),
                "{path}"
            );
            assert_eq!(val, path);
        }
    }

    #[test]
    fn ragged_row_is_csv_error() {
        let err = read("a,1,0\n").unwrap_err();
        assert!(matches!(err, JourneyError::Csv(_)));
        assert!(err.to_string().contains("line: 2"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe,1,0,0\n");
        assert!(JourneyTable::from_reader(bytes.as_slice()).is_err());
    }

    #[test]
    fn from_rows_reports_row_numbers() {
        let err =
            JourneyTable::from_rows([("a", 1.0, 0.0, 0.0), ("b", f64::NAN, 0.0, 0.0)]).unwrap_err();
        let (loc, col, _, problem) = bad_value(err);
        assert_eq!(
            (loc, col, problem),
            (
                Location::Row(2),
                "total_conversions",
                ValueProblem::NotFinite
            )
        );
        let err = JourneyTable::from_rows([("", 1.0, 0.0, 0.0)]).unwrap_err();
        assert_eq!(bad_value(err).3, ValueProblem::Empty);
        let err = JourneyTable::from_rows([("a", 1.0, 0.0, -1.0)]).unwrap_err();
        assert_eq!(bad_value(err).3, ValueProblem::Negative);
    }

    #[test]
    fn too_many_channels() {
        let names: Vec<String> = (0..=MAX_CHANNELS).map(|i| format!("c{i}")).collect();
        let err =
            JourneyTable::from_rows(names.iter().map(|n| (n.as_str(), 1.0, 0.0, 0.0))).unwrap_err();
        match err {
            JourneyError::TooManyChannels { location, limit } => {
                assert_eq!(location, Location::Row(MAX_CHANNELS + 1));
                assert_eq!(limit, MAX_CHANNELS);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn negative_zero_is_normalised() {
        let t = read("a,-0,0,0\n").unwrap();
        assert!(t.journey(0).conversions.is_sign_positive());
    }
}
