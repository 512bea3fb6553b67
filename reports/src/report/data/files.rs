//! Reading the data files of a folder: CSV rows into their typed rows, the workbook's
//! CSV copies as text tables, and the KPI of `sensitivity.csv`.

use crate::ReportError;
use crate::workbook::{Sheet, csv_name};
use omnimix_sim::kpis::Kpi;
use omnimix_studies::analysis::SensitivityRow;
use std::path::Path;

/// A CSV data file as typed rows; `None` when it does not exist or has no rows. A row
/// that does not fit is an input error naming the file and the row.
pub fn read_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<Vec<T>>, ReportError> {
    if !path.exists() {
        return Ok(None);
    }
    let bad = |message: String| ReportError::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let mut rows = Vec::new();
    for (i, rec) in r.deserialize().enumerate() {
        rows.push(rec.map_err(|e| bad(format!("row {}: {e}", i + 1)))?);
    }
    Ok((!rows.is_empty()).then_some(rows))
}

/// One row of `attribution.csv` (the columns the report reads).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct CreditRow {
    /// Attribution model, with its parameters (`markov:1`).
    pub model: String,
    /// Channel.
    pub channel: String,
    /// Share of the conversions credited.
    pub share: f64,
}

/// `sensitivity.csv`: the ±20 % runs and the KPI they measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The KPI of the `objective` column (the same in every row).
    pub objective: Kpi,
    /// The rows, in the file's order.
    pub rows: Vec<SensitivityRow>,
}

impl Sensitivity {
    /// The rows with their KPI; `None` for no rows. A row whose `objective` is not a
    /// KPI name, or differs from the first row's, is an error naming the row.
    pub fn new(rows: Vec<SensitivityRow>) -> Result<Option<Sensitivity>, String> {
        let mut objective = None;
        for (i, r) in rows.iter().enumerate() {
            let k: Kpi = r
                .objective
                .parse()
                .map_err(|e| format!("row {}: objective: {e}", i + 1))?;
            match objective {
                None => objective = Some(k),
                Some(first) if first != k => {
                    return Err(format!(
                        "row {}: objective {} differs from row 1's {}",
                        i + 1,
                        k.name(),
                        first.name()
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(objective.map(|objective| Sensitivity { objective, rows }))
    }

    /// Read `path` (see [`Sensitivity::new`]); errors name the file.
    pub fn read(path: &Path) -> Result<Option<Sensitivity>, ReportError> {
        let Some(rows) = read_rows(path)? else {
            return Ok(None);
        };
        Sensitivity::new(rows).map_err(|message| ReportError::Input {
            path: path.to_path_buf(),
            message,
        })
    }
}

/// A workbook sheet's CSV copy read as text cells: its columns are the sheet's
/// human headings (`annual spend`, `service staff (FTE)`), shown as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Read `path`; `None` when it does not exist or has no rows.
    pub fn read(path: &Path) -> Result<Option<Table>, ReportError> {
        if !path.exists() {
            return Ok(None);
        }
        let bad = |m: String| ReportError::Input {
            path: path.to_path_buf(),
            message: m,
        };
        let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| bad(e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| bad(format!("row {}: {e}", i + 1)))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok((!rows.is_empty()).then_some(Table { headers, rows }))
    }
}

/// The workbook's CSV copies the report shows (`budget_*.csv`), each `None` when
/// the folder has no such file or it has no rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BudgetTables {
    /// `budget_country_x_channel.csv`: spend and staff per country and channel.
    pub country_x_channel: Option<Table>,
    /// `budget_by_country.csv`.
    pub by_country: Option<Table>,
    /// `budget_by_channel.csv`.
    pub by_channel: Option<Table>,
    /// `budget_staffing.csv`.
    pub staffing: Option<Table>,
    /// `budget_assumptions.csv`.
    pub assumptions: Option<Table>,
    /// `budget_integration.csv`: integration capex and opex per country and initiative.
    pub integration: Option<Table>,
}

impl BudgetTables {
    /// The file names of the copies, as [`BudgetTables::slot`] knows them.
    pub const FILES: [&str; 6] = [
        "budget_country_x_channel.csv",
        "budget_by_country.csv",
        "budget_by_channel.csv",
        "budget_staffing.csv",
        "budget_assumptions.csv",
        "budget_integration.csv",
    ];

    /// The field a copy named `file` fills; `None` for a sheet the report does not show.
    fn slot(&mut self, file: &str) -> Option<&mut Option<Table>> {
        match file {
            "budget_country_x_channel.csv" => Some(&mut self.country_x_channel),
            "budget_by_country.csv" => Some(&mut self.by_country),
            "budget_by_channel.csv" => Some(&mut self.by_channel),
            "budget_staffing.csv" => Some(&mut self.staffing),
            "budget_assumptions.csv" => Some(&mut self.assumptions),
            "budget_integration.csv" => Some(&mut self.integration),
            _ => None,
        }
    }

    /// Read the copies present in `dir`.
    pub fn read(dir: &Path) -> Result<BudgetTables, ReportError> {
        let mut t = BudgetTables::default();
        for file in BudgetTables::FILES {
            let table = Table::read(&dir.join(file))?;
            if let Some(slot) = t.slot(file) {
                *slot = table;
            }
        }
        Ok(t)
    }

    /// The copies as `optimize` writes them from these sheets (text cells as in the
    /// CSV files; a sheet without rows has no copy to show).
    pub fn from_sheets(sheets: &[Sheet]) -> BudgetTables {
        let mut t = BudgetTables::default();
        for sh in sheets {
            let rows = sh.text_rows();
            if let Some(slot) = t.slot(&csv_name("budget", &sh.name))
                && !rows.is_empty()
            {
                *slot = Some(Table {
                    headers: sh.headers.clone(),
                    rows,
                });
            }
        }
        t
    }
}
