//! Spreadsheet output (`budget.xlsx`) for finance teams: one sheet per table, bold
//! frozen headers, set column widths, money in the scenario's currency, and totals
//! as `SUM` formulas (with their value cached, so every viewer shows them).

use crate::{ReportError, write_atomic};
use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, Formula, RowNum, Workbook, XlsxError,
};
use std::path::Path;

/// A cell value with its display kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number where decimals matter, shown with two (`#,##0.00`).
    Number(f64),
    /// A whole number (people, customers, orders), shown without decimals (`#,##0`).
    Count(f64),
    /// A week number: whole, and never summed in a totals row.
    Week(u32),
    /// Money in the workbook's currency.
    Money(f64),
    /// A share, shown as a percentage.
    Share(f64),
}

/// One worksheet: a header row, data rows, and optionally a totals row.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Sheet name.
    pub name: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<Cell>>,
    /// Add a `Total` row summing every money, number, count and share column.
    pub totals: bool,
}

fn xlsx_error(path: &Path, e: XlsxError) -> ReportError {
    ReportError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Column letters of a 0-based index (A, B, …, Z, AA, …).
fn column_name(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (c % 26) as u8) as char);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.iter().rev().collect()
}

/// The number format of [`Cell::Number`]: two decimals, always shown.
pub const NUMBER_FORMAT: &str = "#,##0.00";
/// The number format of [`Cell::Count`]: whole, with thousands separators.
pub const COUNT_FORMAT: &str = "#,##0";
/// The number format of [`Cell::Share`]: a percentage with one decimal.
pub const SHARE_FORMAT: &str = "0.0%";

/// Write the sheets into one workbook at `path`, atomically.
pub fn write_workbook(path: &Path, currency: &str, sheets: &[Sheet]) -> Result<(), ReportError> {
    let err = |e| xlsx_error(path, e);
    let mut wb = Workbook::new();
    // a fixed creation time (the workbook would carry the clock's), so that two
    // identical runs write byte-identical workbooks like every other output
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("omnimix")
            .set_creation_datetime(&epoch),
    );
    let header = Format::new().set_bold().set_background_color(0xD9E1F2);
    let money = Format::new().set_num_format(format!("#,##0 \"{currency}\""));
    // formats without an optional decimal part (`#,##0.##` shows 153 as "153.")
    let number = Format::new().set_num_format(NUMBER_FORMAT);
    let count = Format::new().set_num_format(COUNT_FORMAT);
    let share = Format::new().set_num_format(SHARE_FORMAT);
    let bold_money = money.clone().set_bold();
    let bold_number = number.clone().set_bold();
    let bold_count = count.clone().set_bold();
    let bold_share = share.clone().set_bold();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name).map_err(err)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as ColNum, h, &header)
                .map_err(err)?;
            let width = sheet
                .rows
                .iter()
                .filter_map(|r| match r.get(c) {
                    Some(Cell::Text(t)) => Some(t.chars().count()),
                    _ => None,
                })
                .chain(std::iter::once(h.chars().count()))
                .max()
                .unwrap_or(10)
                .clamp(10, 48);
            ws.set_column_width(c as ColNum, (width + 4) as f64)
                .map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let rr = (r + 1) as RowNum;
            for (c, cell) in row.iter().enumerate() {
                let cc = c as ColNum;
                match cell {
                    Cell::Text(t) => ws.write_string(rr, cc, t).map(|_| ()),
                    Cell::Number(x) => ws.write_number_with_format(rr, cc, *x, &number).map(|_| ()),
                    Cell::Count(x) => ws.write_number_with_format(rr, cc, *x, &count).map(|_| ()),
                    Cell::Week(w) => ws.write_number(rr, cc, f64::from(*w)).map(|_| ()),
                    Cell::Money(x) => ws.write_number_with_format(rr, cc, *x, &money).map(|_| ()),
                    Cell::Share(x) => ws.write_number_with_format(rr, cc, *x, &share).map(|_| ()),
                }
                .map_err(err)?;
            }
        }
        if sheet.totals && !sheet.rows.is_empty() {
            let tr = (sheet.rows.len() + 1) as RowNum;
            ws.write_string_with_format(tr, 0, "Total", &header)
                .map_err(err)?;
            for c in 1..sheet.headers.len() {
                let kind = sheet.rows.iter().find_map(|r| r.get(c));
                let fmt = match kind {
                    Some(Cell::Money(_)) => &bold_money,
                    Some(Cell::Number(_)) => &bold_number,
                    Some(Cell::Count(_)) => &bold_count,
                    Some(Cell::Share(_)) => &bold_share,
                    _ => continue,
                };
                let sum: f64 = sheet
                    .rows
                    .iter()
                    .filter_map(|r| match r.get(c) {
                        Some(
                            Cell::Money(x) | Cell::Number(x) | Cell::Count(x) | Cell::Share(x),
                        ) => Some(*x),
                        _ => None,
                    })
                    .sum();
                let col = column_name(c);
                let f = Formula::new(format!("=SUM({col}2:{col}{})", sheet.rows.len() + 1))
                    .set_result(sum.to_string());
                ws.write_formula_with_format(tr, c as ColNum, f, fmt)
                    .map_err(err)?;
            }
        }
    }
    let bytes = wb.save_to_buffer().map_err(err)?;
    write_atomic(path, &bytes)
}

impl Sheet {
    /// The data rows as the CSV copy holds them: plain numbers (shares as fractions),
    /// no totals row.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        Cell::Number(x) | Cell::Money(x) | Cell::Share(x) | Cell::Count(x) => {
                            x.to_string()
                        }
                        Cell::Week(w) => w.to_string(),
                    })
                    .collect()
            })
            .collect()
    }
}

/// The file name of a sheet's CSV copy: `PREFIX_NAME.csv`, the name in lower case
/// with every run of other characters than letters and digits as one `_`
/// (`By country` → `budget_by_country.csv`).
pub fn csv_name(prefix: &str, sheet: &str) -> String {
    let mut s = String::new();
    for ch in sheet.chars() {
        if ch.is_ascii_alphanumeric() {
            s.push(ch.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    format!("{prefix}_{}.csv", s.trim_matches('_'))
}

/// Write each sheet as a CSV copy in `dir` (see [`csv_name`]): the header row and
/// the data rows with plain numbers (shares as fractions), without the totals row.
pub fn write_sheets_csv(
    dir: &Path,
    prefix: &str,
    sheets: &[Sheet],
) -> Result<Vec<std::path::PathBuf>, ReportError> {
    let mut written = Vec::new();
    for sheet in sheets {
        let path = dir.join(csv_name(prefix, &sheet.name));
        let encode = |e: csv::Error| ReportError::Encode {
            path: path.clone(),
            message: e.to_string(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&sheet.headers).map_err(encode)?;
        for cells in sheet.text_rows() {
            w.write_record(&cells).map_err(encode)?;
        }
        let bytes = w.into_inner().map_err(|e| ReportError::Encode {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    #[test]
    fn csv_copies_have_the_same_rows() {
        assert_eq!(
            csv_name("budget", "Country x channel"),
            "budget_country_x_channel.csv"
        );
        let dir = tempfile::tempdir().unwrap();
        let sheet = Sheet {
            name: "By country".into(),
            headers: vec!["country".into(), "spend".into(), "share".into()],
            rows: vec![vec![
                Cell::Text("DE".into()),
                Cell::Money(1000.5),
                Cell::Share(0.25),
            ]],
            totals: true,
        };
        let files = write_sheets_csv(dir.path(), "budget", &[sheet]).unwrap();
        assert_eq!(files[0].file_name().unwrap(), "budget_by_country.csv");
        assert_eq!(
            std::fs::read_to_string(&files[0]).unwrap(),
            "country,spend,share\nDE,1000.5,0.25\n"
        );
    }

    #[test]
    fn the_same_sheets_give_byte_identical_workbooks() {
        let dir = tempfile::tempdir().unwrap();
        let sheet = || Sheet {
            name: "By country".into(),
            headers: vec!["country".into(), "spend".into()],
            rows: vec![vec![Cell::Text("DE".into()), Cell::Money(1000.5)]],
            totals: true,
        };
        let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        write_workbook(&a, "EUR", &[sheet()]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        write_workbook(&b, "EUR", &[sheet()]).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }

    #[test]
    fn number_formats_show_whole_numbers_without_a_trailing_dot() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.xlsx");
        let sheet = Sheet {
            name: "S".into(),
            headers: vec![
                "what".into(),
                "money".into(),
                "count".into(),
                "number".into(),
                "share".into(),
                "week".into(),
            ],
            rows: vec![vec![
                Cell::Text("x".into()),
                Cell::Money(4_654_600.0),
                Cell::Count(153.0),
                Cell::Number(2.5),
                Cell::Share(0.25),
                Cell::Week(14),
            ]],
            totals: true,
        };
        write_workbook(&p, "EUR", &[sheet]).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let styles = wb.worksheet_style("S").unwrap();
        let format = |r: u32, c: u32| {
            styles
                .get((r, c))
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.clone())
                .unwrap_or_default()
        };
        assert_eq!(format(1, 1), "#,##0 \"EUR\"");
        assert_eq!(format(1, 2), COUNT_FORMAT);
        assert_eq!(format(1, 3), NUMBER_FORMAT);
        assert_eq!(format(1, 4), SHARE_FORMAT);
        for (r, c) in [
            (1, 1),
            (1, 2),
            (1, 3),
            (1, 4),
            (2, 1),
            (2, 2),
            (2, 3),
            (2, 4),
        ] {
            let f = format(r, c);
            // an optional decimal part (`.#`) leaves a trailing dot on whole numbers
            assert!(!f.contains(".#"), "({r}, {c}): {f}");
        }
        let range = wb.worksheet_range("S").unwrap();
        // week numbers are not summed; shares are (to 100 % in a full table)
        assert_eq!(range.get_value((2, 5)), Some(&Data::Empty));
        assert_eq!(range.get_value((2, 4)), Some(&Data::Float(0.25)));
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }

    #[test]
    fn workbook_reads_back_with_totals_as_formulas() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.xlsx");
        let sheet = Sheet {
            name: "By country".into(),
            headers: vec![
                "country".into(),
                "spend".into(),
                "staff".into(),
                "share".into(),
            ],
            rows: vec![
                vec![
                    Cell::Text("DE".into()),
                    Cell::Money(1000.0),
                    Cell::Number(3.0),
                    Cell::Share(0.4),
                ],
                vec![
                    Cell::Text("KE".into()),
                    Cell::Money(1500.5),
                    Cell::Number(2.0),
                    Cell::Share(0.6),
                ],
            ],
            totals: true,
        };
        write_workbook(&p, "EUR", &[sheet]).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["By country".to_string()]);
        let range = wb.worksheet_range("By country").unwrap();
        assert_eq!(range.get_value((1, 0)), Some(&Data::String("DE".into())));
        assert_eq!(
            range.get_value((3, 1)),
            Some(&Data::Float(2500.5)),
            "cached total"
        );
        let formulas = wb.worksheet_formula("By country").unwrap();
        let f: Vec<String> = formulas
            .rows()
            .flatten()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
        assert!(f.iter().any(|s| s == "SUM(B2:B3)"), "{f:?}");
        assert!(f.iter().any(|s| s == "SUM(C2:C3)"), "{f:?}");
    }
}
