//! A file as a table of cells: CSV (delimiter `,` or `;`, sniffed from the header
//! line) or a spreadsheet (XLSX, XLSM, XLSB, XLS, ODS through calamine), with the
//! row numbers a spreadsheet shows (header = row 1).

use crate::error::DataError;
use crate::week::{Date, WeekKey};
use calamine::{Data, Reader};
use std::path::Path;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Nothing (or only blanks).
    Empty,
    /// Text, trimmed (every CSV cell).
    Text(String),
    /// A spreadsheet number.
    Number(f64),
    /// A spreadsheet date.
    Date(Date),
    /// A spreadsheet error value (`#N/A`, …) or another cell type, as text.
    Other(String),
}

impl Cell {
    /// The cell as text, for messages.
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Other(s) => s.clone(),
            Cell::Number(x) => x.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
}

/// A row of data.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Row number as a spreadsheet shows it (header = 1).
    pub number: usize,
    /// One cell per header column (missing trailing cells are empty).
    pub cells: Vec<Cell>,
}

/// A file read as a header and rows.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// How messages name the file: its path, and the sheet of a spreadsheet.
    pub file: String,
    /// Column headers, trimmed.
    pub header: Vec<String>,
    /// Rows of data; rows whose cells are all empty are left out.
    pub rows: Vec<Row>,
    /// A `;`-separated CSV: numbers may use a decimal comma (`12,5`).
    pub decimal_comma: bool,
}

const SPREADSHEET_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

impl Table {
    /// Read a CSV or spreadsheet file; `sheet` picks a worksheet (default: the first).
    pub(crate) fn read(path: &Path, sheet: Option<&str>) -> Result<Table, DataError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let t = if SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
            read_spreadsheet(path, sheet)?
        } else {
            read_csv(path)?
        };
        if t.header.iter().all(String::is_empty) || t.rows.is_empty() {
            return Err(DataError::Empty { file: t.file });
        }
        Ok(t)
    }

    /// Position of the column named `name` (headers compared trimmed, ignoring case).
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The header row, for messages.
    pub(crate) fn header_list(&self) -> String {
        self.header
            .iter()
            .filter(|h| !h.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A cell error at `row`, `col`.
    pub(crate) fn cell_error(&self, row: &Row, col: usize, expected: &str) -> DataError {
        DataError::Cell {
            file: self.file.clone(),
            row: row.number,
            column: self.header[col].clone(),
            value: row.cells[col].text(),
            expected: expected.to_string(),
        }
    }

    /// A layout error with a message.
    pub(crate) fn layout(&self, message: impl Into<String>) -> DataError {
        DataError::Layout {
            file: self.file.clone(),
            message: message.into(),
        }
    }

    /// A number (finite); `None` for an empty cell.
    pub(crate) fn number(&self, row: &Row, col: usize) -> Result<Option<f64>, DataError> {
        let x = match &row.cells[col] {
            Cell::Empty => return Ok(None),
            Cell::Number(x) => *x,
            Cell::Text(s) => match parse_number(s, self.decimal_comma) {
                Some(x) => x,
                None => return Err(self.cell_error(row, col, "a number")),
            },
            Cell::Date(_) | Cell::Other(_) => return Err(self.cell_error(row, col, "a number")),
        };
        if x.is_finite() {
            Ok(Some(x))
        } else {
            Err(self.cell_error(row, col, "a finite number"))
        }
    }

    /// A number ≥ 0; `None` for an empty cell.
    pub(crate) fn non_negative(&self, row: &Row, col: usize) -> Result<Option<f64>, DataError> {
        match self.number(row, col)? {
            Some(x) if x < 0.0 => Err(self.cell_error(row, col, "a number ≥ 0")),
            x => Ok(x),
        }
    }

    /// Text (trimmed); `None` for an empty cell.
    pub(crate) fn text(&self, row: &Row, col: usize) -> Option<String> {
        match &row.cells[col] {
            Cell::Empty => None,
            c => Some(c.text()),
        }
    }

    /// A week: an ISO date or an integer index.
    pub(crate) fn week(&self, row: &Row, col: usize) -> Result<WeekKey, DataError> {
        let expected = "a week: an ISO date (2024-01-01) or a whole week number";
        match &row.cells[col] {
            Cell::Date(d) => Ok(WeekKey::Date(*d)),
            Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => Ok(WeekKey::Index(*x as i64)),
            Cell::Text(s) => WeekKey::parse(s).ok_or_else(|| self.cell_error(row, col, expected)),
            _ => Err(self.cell_error(row, col, expected)),
        }
    }
}

/// A decimal number as text: `12.5`, `-3`, `1e6`; with `decimal_comma` also `12,5`.
/// NaN and infinities parse (and are refused by the caller with their own message).
fn parse_number(s: &str, decimal_comma: bool) -> Option<f64> {
    if let Ok(x) = s.parse::<f64>() {
        return Some(x);
    }
    if decimal_comma && s.matches(',').count() == 1 && !s.contains('.') {
        return s.replace(',', ".").parse::<f64>().ok();
    }
    None
}

fn read_csv(path: &Path) -> Result<Table, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.display().to_string();
    // the delimiter is the one of `,` and `;` that the header line has more of
    let start = usize::from(bytes.starts_with(b"\xEF\xBB\xBF")) * 3;
    let body = &bytes[start..];
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| DataError::Format {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let number = record
            .position()
            .map_or(i + 1, |p| line_of(body, p.byte() as usize));
        let cells: Vec<Cell> = record
            .iter()
            .map(|s| {
                let s = s.trim();
                if s.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_string())
                }
            })
            .collect();
        if i == 0 {
            header = cells.iter().map(Cell::text).collect();
        } else if cells.iter().any(|c| !c.is_empty()) {
            rows.push(Row { number, cells });
        }
    }
    Ok(finish(Table {
        file,
        header,
        rows,
        decimal_comma: delimiter == b';',
    }))
}

/// The line (1-based) of the record that starts at `byte`, past the blank lines the
/// reader skips before it.
fn line_of(body: &[u8], byte: usize) -> usize {
    let byte = byte.min(body.len());
    let mut line = 1 + body[..byte].iter().filter(|b| **b == b'\n').count();
    for b in &body[byte..] {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// Pad or cut every row to the header's width (cells beyond the header are ignored).
fn finish(mut t: Table) -> Table {
    let n = t.header.len();
    for r in &mut t.rows {
        r.cells.resize(n, Cell::Empty);
    }
    t
}

fn read_spreadsheet(path: &Path, sheet: Option<&str>) -> Result<Table, DataError> {
    let file = path.display().to_string();
    // open the file first, so that a missing or unreadable file says so plainly
    if let Err(source) = std::fs::File::open(path) {
        return Err(DataError::Unreadable {
            path: path.to_path_buf(),
            source,
        });
    }
    let format = |message: String| DataError::Format {
        file: file.clone(),
        message,
    };
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| format(format!("not a readable spreadsheet: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                format(format!(
                    "no sheet named \"{s}\"; the sheets are: {}",
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format(format!("sheet {name}: {e}")))?;
    let file = format!("{file}, sheet {name}");
    // the range starts at its first non-empty cell; rows are numbered from the sheet's top
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut seen_header = false;
    for (i, r) in range.rows().enumerate() {
        let number = row0 as usize + i + 1;
        let mut cells: Vec<Cell> = Vec::with_capacity(col0 as usize + r.len());
        cells.resize(col0 as usize, Cell::Empty);
        cells.extend(r.iter().map(cell));
        if !seen_header {
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            header = cells.iter().map(Cell::text).collect();
            seen_header = true;
        } else if cells.iter().any(|c| !c.is_empty()) {
            rows.push(Row { number, cells });
        }
    }
    Ok(finish(Table {
        file,
        header,
        rows,
        decimal_comma: false,
    }))
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(x) => Cell::Number(*x),
        Data::String(s) | Data::DateTimeIso(s) => {
            let s = s.trim();
            if s.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.to_string())
            }
        }
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match Date::new(i64::from(y), u32::from(m), u32::from(d)) {
                Some(date) => Cell::Date(date),
                None => Cell::Other(dt.as_f64().to_string()),
            }
        }
        Data::DateTime(dt) => Cell::Other(dt.as_f64().to_string()),
        Data::Bool(b) => Cell::Other(b.to_string()),
        Data::DurationIso(s) => Cell::Other(s.clone()),
        Data::Error(e) => Cell::Other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_tables_read_decimal_commas() {
        assert_eq!(parse_number("12,5", true), Some(12.5));
        assert_eq!(parse_number("12,5", false), None);
        assert_eq!(parse_number("12,5k", true), None);
        assert_eq!(parse_number("1,234.5", true), None);
    }

    #[test]
    fn csv_delimiter_is_sniffed_and_rows_are_numbered_from_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "week;spend\r\n1;2,5\r\n\r\n2;3\n\n\n3;\"a\nb\"\n4;1\n").unwrap();
        let t = Table::read(&p, None).unwrap();
        assert_eq!(t.header, vec!["week", "spend"]);
        assert!(t.decimal_comma);
        let numbers: Vec<usize> = t.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![2, 4, 7, 9]);
        assert_eq!(t.number(&t.rows[0], 1).unwrap(), Some(2.5));
    }
}
