//! The readers on small files written to a temporary folder.

use crate::*;
use omnimix_sim::scenario::calibrate::ColumnsSpec;
use omnimix_sim::scenario::load::load;
use omnimix_sim::{Channel, Scenario, ScenarioSource};
use std::path::{Path, PathBuf};

fn scenario(countries: &[&str]) -> Scenario {
    let mut text = String::from("name = 't'\n[finance]\nannual_budget = 1e6\n");
    for c in countries {
        text.push_str(&format!(
            "[countries.{c}]\npopulation = 1000\n[strategy.annual_spend.{c}]\nsearch = 100000\n\
             [strategy.specialists.{c}]\nsearch = 1\n"
        ));
    }
    load(&ScenarioSource::new("t.toml", &text), &[]).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read(text: &str, countries: &[&str]) -> Result<History, DataError> {
    read_as("history.csv", text, countries, &ColumnsSpec::default())
}

fn read_as(
    name: &str,
    text: &str,
    countries: &[&str],
    columns: &ColumnsSpec,
) -> Result<History, DataError> {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, text);
    read_history(&p, None, columns, &scenario(countries)).map_err(|e| {
        // messages name the file as given; tests compare from the file name on
        let m = e.to_string();
        let short = m.replace(&format!("{}", p.display()), name);
        assert_ne!(m, short, "the message names the file: {m}");
        DataError::Format {
            file: String::new(),
            message: short,
        }
    })
}

/// The message of an error from [`read`], starting at the file name.
fn message(r: Result<History, DataError>) -> String {
    match r {
        Err(DataError::Format { message, .. }) => message,
        Err(e) => e.to_string(),
        Ok(_) => panic!("expected an error"),
    }
}

const LONG: &str = "\
week,country,channel,spend,impressions,orders,revenue
2024-01-01,DE,search,100,1000,5,500
2024-01-01,DE,social,50,,3,300
2024-01-01,GB,search,80,800,4,400
2024-01-08,DE,search,110,1100,6,600
2024-01-08,DE,social,55,,2,200
2024-01-08,GB,search,90,900,5,500
";

#[test]
fn a_long_table_gives_spend_per_channel_and_kpi_totals_per_country() {
    let h = read(LONG, &["DE", "GB"]).unwrap();
    assert_eq!(h.week_labels, vec!["2024-01-01", "2024-01-08"]);
    assert_eq!(h.start_date.as_deref(), Some("2024-01-01"));
    assert_eq!(h.n_weeks(), 2);
    assert_eq!(h.kpis_present(), vec![Kpi::Orders, Kpi::Revenue]);
    let de = &h.countries["DE"];
    assert_eq!(de.channel_spend(Channel::Search), vec![100.0, 110.0]);
    assert_eq!(de.channel_spend(Channel::Social), vec![50.0, 55.0]);
    assert_eq!(de.channel_spend(Channel::Display), vec![0.0, 0.0]);
    assert_eq!(de.kpis[&Kpi::Orders], vec![8.0, 8.0]);
    assert_eq!(de.kpis[&Kpi::Revenue], vec![800.0, 800.0]);
    assert_eq!(
        de.impressions.as_ref().unwrap()[1][Channel::Search.index()],
        1100.0
    );
    assert_eq!(h.countries["GB"].kpis[&Kpi::Orders], vec![4.0, 5.0]);
    assert!(h.origin.ends_with("history.csv"));
}

#[test]
fn rows_may_come_in_any_order_and_weeks_may_be_numbers() {
    let h = read(
        "channel,week,spend,conversions\nsearch,3,1,1\nsearch,1,1,2\nsearch,2,1,3\n",
        &["DE"],
    )
    .unwrap();
    assert_eq!(h.week_labels, vec!["1", "2", "3"]);
    assert_eq!(h.start_date, None);
    assert_eq!(h.countries["DE"].kpis[&Kpi::Orders], vec![2.0, 3.0, 1.0]);
}

#[test]
fn a_wide_semicolon_table_reads_default_spend_names_and_decimal_commas() {
    // spend_<channel>, <channel>_spend and <channel>; no country column for one country
    let h = read(
        "week;spend_search;social_spend;display;revenue\n2024-01-01;10,5;2;3;100\n2024-01-08;11;2;3;110\n",
        &["DE"],
    )
    .unwrap();
    let de = &h.countries["DE"];
    assert_eq!(de.spend[0][Channel::Search.index()], 10.5);
    assert_eq!(de.spend[0][Channel::Social.index()], 2.0);
    assert_eq!(de.spend[1][Channel::Display.index()], 3.0);
    assert_eq!(de.kpis[&Kpi::Revenue], vec![100.0, 110.0]);
    assert!(de.impressions.is_none());
}

#[test]
fn mapped_spend_columns_are_exactly_those_read() {
    let columns = ColumnsSpec {
        week: Some("DATE".into()),
        spend: [("search".to_string(), "search_S".to_string())].into(),
        kpi: [("revenue".to_string(), "sales".to_string())].into(),
        ..ColumnsSpec::default()
    };
    let h = read_as(
        "h.csv",
        "DATE,search_S,social,sales,orders\n2024-01-01,5,7,50,1\n2024-01-08,6,7,60,1\n",
        &["DE"],
        &columns,
    )
    .unwrap();
    let de = &h.countries["DE"];
    assert_eq!(de.channel_spend(Channel::Search), vec![5.0, 6.0]);
    assert_eq!(de.channel_spend(Channel::Social), vec![0.0, 0.0]);
    assert_eq!(de.kpis_present(), vec![Kpi::Revenue]);
}

#[test]
fn service_kpis_of_a_long_table_are_per_channel_and_the_mean_wait_is_contact_weighted() {
    let h = read(
        "week,channel,spend,contacts,mean_wait_min,abandon_rate\n\
         1,search,10,500,0,0\n\
         1,call_centre,5,100,4,0.1\n\
         1,live_chat,5,300,2,0.2\n",
        &["DE"],
    )
    .unwrap();
    let de = &h.countries["DE"];
    // a paid channel's contacts (media touches) are left out
    assert_eq!(de.kpis[&Kpi::Contacts], vec![400.0]);
    assert_eq!(
        de.service[&(Kpi::MeanWaitMin, Channel::CallCentre)],
        vec![4.0]
    );
    assert_eq!(
        de.kpis[&Kpi::MeanWaitMin],
        vec![(4.0 * 100.0 + 2.0 * 300.0) / 400.0]
    );
    assert!((de.kpis[&Kpi::AbandonRate][0] - 0.175).abs() < 1e-12);
}

#[test]
fn without_contacts_the_mean_wait_is_the_plain_mean_over_service_channels() {
    let h = read(
        "week,mean_wait_min_call_centre,mean_wait_min_live_chat,call_centre,orders\n1,4,2,10,1\n",
        &["DE"],
    )
    .unwrap();
    let de = &h.countries["DE"];
    assert_eq!(de.kpis[&Kpi::MeanWaitMin], vec![3.0]);
    assert_eq!(
        de.service[&(Kpi::MeanWaitMin, Channel::LiveChat)],
        vec![2.0]
    );
    assert_eq!(de.channel_spend(Channel::CallCentre), vec![10.0]);
}

#[test]
fn a_kpi_column_empty_for_a_whole_country_leaves_that_kpi_out_for_it() {
    let h = read(
        "week,country,search,orders,revenue\n1,DE,1,2,\n1,GB,1,3,30\n2,DE,1,2,\n2,GB,1,3,30\n",
        &["DE", "GB"],
    )
    .unwrap();
    assert_eq!(h.countries["DE"].kpis_present(), vec![Kpi::Orders]);
    assert_eq!(
        h.countries["GB"].kpis_present(),
        vec![Kpi::Orders, Kpi::Revenue]
    );
    assert_eq!(h.kpis_present(), vec![Kpi::Orders, Kpi::Revenue]);
}

// ---- errors: each names the file, the row, the column, the value, what was expected

#[test]
fn text_in_a_number_cell_is_named_with_row_column_and_value() {
    let m = message(read(
        "week,spend_search,orders\n2024-01-01,10,1\n2024-01-08,\"12,5k\",1\n",
        &["DE"],
    ));
    assert_eq!(
        m,
        "history.csv: row 3, column spend_search: expected a number, found \"12,5k\""
    );
}

#[test]
fn nan_and_infinity_are_refused() {
    let m = message(read("week,search,orders\n1,NaN,1\n", &["DE"]));
    assert_eq!(
        m,
        "history.csv: row 2, column search: expected a finite number, found \"NaN\""
    );
    let m = message(read("week,search,orders\n1,1,inf\n", &["DE"]));
    assert_eq!(
        m,
        "history.csv: row 2, column orders: expected a finite number, found \"inf\""
    );
}

#[test]
fn negative_spend_is_refused() {
    let m = message(read("week,search,orders\n1,5,1\n2,-5,1\n", &["DE"]));
    assert_eq!(
        m,
        "history.csv: row 3, column search: expected a number ≥ 0, found \"-5\""
    );
}

#[test]
fn a_missing_week_is_named_with_the_gap_around_it() {
    let m = message(read(
        "week,search,orders\n2024-01-01,1,1\n2024-01-08,1,1\n2024-01-22,1,1\n2024-01-29,1,1\n",
        &["DE"],
    ));
    assert_eq!(
        m,
        "history.csv: row 4, column week: week 2024-01-15 is missing for country DE (the history goes from 2024-01-08 to 2024-01-22)"
    );
    let m = message(read("week,search,orders\n1,1,1\n2,1,1\n5,1,1\n", &["DE"]));
    assert!(m.contains("week 3 is missing for country DE"), "{m}");
}

#[test]
fn dates_not_a_week_apart_are_refused() {
    let m = message(read(
        "week,search,orders\n2024-01-01,1,1\n2024-01-03,1,1\n",
        &["DE"],
    ));
    assert_eq!(
        m,
        "history.csv: row 3, column week: expected a date a whole number of weeks (7 days) after the week before it (2024-01-01), found \"2024-01-03\""
    );
}

#[test]
fn dates_and_week_numbers_do_not_mix() {
    let m = message(read("week,search,orders\n2024-01-01,1,1\n2,1,1\n", &["DE"]));
    assert_eq!(
        m,
        "history.csv: row 3, column week: expected a date like the week of row 2 (2024-01-01), found \"2\""
    );
}

#[test]
fn an_unknown_channel_lists_the_known_ones() {
    let m = message(read("week,channel,spend,orders\n1,tiktok,1,1\n", &["DE"]));
    assert_eq!(
        m,
        format!(
            "history.csv: row 2, column channel: expected a channel ({}), found \"tiktok\"",
            Channel::all_names()
        )
    );
    assert!(m.contains(
        "search, social, display, email, app, print, store, call_centre, live_chat, chatbot"
    ));
}

#[test]
fn an_unknown_country_lists_the_scenarios() {
    let m = message(read(
        "week,country,search,orders\n1,DE,1,1\n1,XX,1,1\n",
        &["DE", "GB"],
    ));
    assert_eq!(
        m,
        "history.csv: row 3, column country: expected a country of the scenario (DE, GB), found \"XX\""
    );
}

#[test]
fn duplicate_rows_name_both_rows() {
    let m = message(read(
        "week,country,channel,spend,orders\n1,DE,search,1,1\n1,DE,social,1,1\n1,DE,search,2,1\n",
        &["DE"],
    ));
    assert_eq!(
        m,
        "history.csv: rows 2 and 4 are both week 1, country DE, channel search"
    );
    let m = message(read("week,search,orders\n1,1,1\n1,2,1\n", &["DE"]));
    assert_eq!(m, "history.csv: rows 2 and 3 are both week 1");
}

#[test]
fn missing_required_columns_are_named_with_the_columns_found() {
    let m = message(read("date,search,orders\n1,1,1\n", &["DE"]));
    assert_eq!(
        m,
        "history.csv: no week (named week, or mapped in [calibrate.columns] week) column; the columns are: date, search, orders"
    );
    let m = message(read("week,tv,orders\n1,1,1\n", &["DE"]));
    assert!(
        m.starts_with("history.csv: no spend (a wide table names them spend_<channel>")
            && m.ends_with("the columns are: week, tv, orders"),
        "{m}"
    );
    let m = message(read("week,search,sales\n1,1,1\n", &["DE"]));
    assert!(
        m.starts_with("history.csv: no KPI (orders or conversions, revenue")
            && m.ends_with("the columns are: week, search, sales"),
        "{m}"
    );
    let columns = ColumnsSpec {
        week: Some("DATE".into()),
        ..ColumnsSpec::default()
    };
    let m = message(read_as(
        "h.csv",
        "week,search,orders\n1,1,1\n",
        &["DE"],
        &columns,
    ));
    assert_eq!(
        m,
        "h.csv: no \"DATE\" ([calibrate.columns] week) column; the columns are: week, search, orders"
    );
}

#[test]
fn a_table_without_countries_needs_a_one_country_scenario() {
    let m = message(read("week,search,orders\n1,1,1\n", &["DE", "GB"]));
    assert!(
        m.starts_with("history.csv: no country column")
            && m.contains("the scenario has 2 countries (DE, GB)"),
        "{m}"
    );
}

#[test]
fn a_country_with_fewer_weeks_is_named() {
    let m = message(read(
        "week,country,search,orders\n1,DE,1,1\n2,DE,1,1\n3,DE,1,1\n1,GB,1,1\n2,GB,1,1\n",
        &["DE", "GB"],
    ));
    assert_eq!(
        m,
        "history.csv: country GB has 2 weeks (1 to 2) where DE has 3 (1 to 3); every country needs the same weeks"
    );
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(
        message(read("", &["DE"])),
        "history.csv: the file is empty (expected a header row and at least one row of data)"
    );
    assert_eq!(
        message(read("week,search,orders\n", &["DE"])),
        "history.csv: the file is empty (expected a header row and at least one row of data)"
    );
}

#[test]
fn an_unreadable_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nope.csv");
    let e = read_history(&p, None, &ColumnsSpec::default(), &scenario(&["DE"])).unwrap_err();
    let m = e.to_string();
    assert!(
        m.starts_with(&format!("cannot read {}: ", p.display())),
        "{m}"
    );
    let p = write(dir.path(), "broken.xlsx", "not a workbook");
    let e = read_history(&p, None, &ColumnsSpec::default(), &scenario(&["DE"])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}: not a readable spreadsheet", p.display())),
        "{e}"
    );
}

#[test]
fn an_empty_kpi_cell_is_an_error_when_the_country_has_the_kpi() {
    let m = message(read("week,search,orders\n1,1,1\n2,1,\n3,1,2\n", &["DE"]));
    assert_eq!(
        m,
        "history.csv: row 3, column orders: expected a number (the column has numbers for country DE in other rows; leave it empty for the whole country when the country lacks orders), found an empty cell"
    );
}

// ---- spreadsheets

/// A Robyn-style workbook: `DATE` (date cells), `revenue`, `search_S`, `facebook_S`.
#[test]
fn a_robyn_style_workbook_reads_with_its_columns_mapped() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("robyn.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("weekly").unwrap();
    let fmt = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["DATE", "revenue", "search_S", "facebook_S"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let days = ["2024-01-01", "2024-01-08", "2024-01-15"];
    for (i, d) in days.iter().enumerate() {
        let r = i as u32 + 1;
        let dt = ExcelDateTime::parse_from_str(d).unwrap();
        sheet.write_datetime_with_format(r, 0, &dt, &fmt).unwrap();
        sheet.write_number(r, 1, 1000.0 + i as f64).unwrap();
        sheet.write_number(r, 2, 10.0 * (i + 1) as f64).unwrap();
        sheet.write_number(r, 3, 5.0).unwrap();
    }
    book.save(&p).unwrap();
    let columns = ColumnsSpec {
        week: Some("DATE".into()),
        spend: [
            ("search".to_string(), "search_S".to_string()),
            ("social".to_string(), "facebook_S".to_string()),
        ]
        .into(),
        kpi: [("revenue".to_string(), "revenue".to_string())].into(),
        ..ColumnsSpec::default()
    };
    let h = read_history(&p, Some("weekly"), &columns, &scenario(&["DE"])).unwrap();
    assert_eq!(h.week_labels, days);
    assert_eq!(h.start_date.as_deref(), Some("2024-01-01"));
    let de = &h.countries["DE"];
    assert_eq!(de.channel_spend(Channel::Search), vec![10.0, 20.0, 30.0]);
    assert_eq!(de.channel_spend(Channel::Social), vec![5.0, 5.0, 5.0]);
    assert_eq!(de.kpis[&Kpi::Revenue], vec![1000.0, 1001.0, 1002.0]);
    assert!(h.origin.ends_with("robyn.xlsx, sheet weekly"));
    // a sheet that is not there is named with those that are
    let e = read_history(&p, Some("Data"), &columns, &scenario(&["DE"])).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("no sheet named \"Data\"; the sheets are: weekly"),
        "{e}"
    );
}

/// A Meridian-style workbook: `time`, `geo`, `Channel0_spend`, `Channel1_spend`,
/// `conversions` (dates as text), errors numbered as the sheet shows them.
#[test]
fn a_meridian_style_workbook_reads_geos_and_conversions() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("meridian.xlsx");
    let header = [
        "time",
        "geo",
        "Channel0_spend",
        "Channel1_spend",
        "conversions",
    ];
    let rows = [
        ("2024-01-01", "DE", 10.0, 1.0, 3.0),
        ("2024-01-01", "GB", 20.0, 2.0, 4.0),
        ("2024-01-08", "DE", 11.0, 1.0, 5.0),
        ("2024-01-08", "GB", 21.0, 2.0, 6.0),
    ];
    let build = |bad: bool| {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (i, (t, g, a, b, conv)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, *t).unwrap();
            sheet.write_string(r, 1, *g).unwrap();
            sheet.write_number(r, 2, *a).unwrap();
            if bad && r == 3 {
                sheet.write_string(r, 3, "n/a").unwrap();
            } else {
                sheet.write_number(r, 3, *b).unwrap();
            }
            sheet.write_number(r, 4, *conv).unwrap();
        }
        book.save(&p).unwrap();
    };
    build(false);
    let columns = ColumnsSpec {
        week: Some("time".into()),
        country: Some("geo".into()),
        spend: [
            ("search".to_string(), "Channel0_spend".to_string()),
            ("display".to_string(), "Channel1_spend".to_string()),
        ]
        .into(),
        ..ColumnsSpec::default()
    };
    let s = scenario(&["DE", "GB"]);
    let h = read_history(&p, None, &columns, &s).unwrap();
    assert_eq!(h.n_weeks(), 2);
    assert_eq!(
        h.countries["GB"].channel_spend(Channel::Search),
        vec![20.0, 21.0]
    );
    assert_eq!(
        h.countries["DE"].channel_spend(Channel::Display),
        vec![1.0, 1.0]
    );
    assert_eq!(h.countries["DE"].kpis[&Kpi::Orders], vec![3.0, 5.0]);
    assert_eq!(h.kpis_present(), vec![Kpi::Orders]);
    build(true);
    let e = read_history(&p, None, &columns, &s).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}, sheet Sheet1: row 4, column Channel1_spend: expected a number, found \"n/a\"",
            p.display()
        )
    );
}

// ---- weekly.csv written by the engine reads back

#[test]
fn weekly_csv_written_by_simulate_reads_back_with_its_totals() {
    use omnimix_sim::engine::{RunOptions, Silent, run};
    use omnimix_sim::{World, kpis::weekly_rows};
    let s = scenario(&["DE", "GB"]);
    let s = Scenario {
        horizon_weeks: 6,
        ..s
    };
    let world = World::new(&s, &s.strategy);
    let reps = run(
        &world,
        &RunOptions {
            seed: 3,
            replications: 2,
            first_replication: 0,
            journeys: false,
        },
        &Silent,
    );
    let rows = weekly_rows(&world, &reps);
    let dir = tempfile::tempdir().unwrap();
    let p = omnimix_reports::write_weekly(dir.path(), &rows).unwrap();
    let h = read_history(&p, None, &ColumnsSpec::default(), &s).unwrap();
    assert_eq!(h.n_weeks(), 6);
    assert_eq!(h.week_labels[0], "1");
    assert_eq!(
        h.kpis_present(),
        vec![
            Kpi::Orders,
            Kpi::Revenue,
            Kpi::ActiveCustomers,
            Kpi::Contacts,
            Kpi::MeanWaitMin,
            Kpi::AbandonRate
        ]
    );
    for (code, c) in &h.countries {
        for w in 0..6 {
            let of = |f: &dyn Fn(&omnimix_sim::kpis::WeeklyRow) -> f64| -> f64 {
                rows.iter()
                    .filter(|r| r.country == *code && r.week as usize == w + 1)
                    .map(f)
                    .sum()
            };
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
            assert!(close(c.kpis[&Kpi::Revenue][w], of(&|r| r.revenue)));
            assert!(close(c.kpis[&Kpi::Orders][w], of(&|r| r.conversions)));
            assert!(close(
                c.kpis[&Kpi::ActiveCustomers][w],
                of(&|r| r.active_customers)
            ));
            let spend: f64 = c.spend[w].iter().sum();
            assert!(close(spend, of(&|r| r.spend)));
            let service_contacts = of(&|r| {
                if r.channel.parse::<Channel>().unwrap().is_service() {
                    r.contacts
                } else {
                    0.0
                }
            });
            assert!(close(c.kpis[&Kpi::Contacts][w], service_contacts));
        }
        assert!(c.kpis[&Kpi::Revenue].iter().sum::<f64>() > 0.0);
    }
}

// ---- lift tests and cohorts

fn history_of_weeks(labels: &[&str]) -> History {
    History {
        origin: "history.csv".into(),
        week_labels: labels.iter().map(|s| s.to_string()).collect(),
        start_date: None,
        countries: Default::default(),
    }
}

#[test]
fn lift_tests_read_with_intervals_or_standard_errors_and_resolve_their_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "lift.csv",
        "country,channel,start,end,incremental_orders,incremental_revenue,lo,hi,se\n\
         DE,search,2024-01-08,2024-01-24,120,,90,150,\n\
         GB,social,2024-01-01,2024-01-14,,5000,,,800\n\
         DE,display,2024-01-01,2024-01-01,-3,,,,\n",
    );
    let tests = read_lift_tests(&p, &scenario(&["DE", "GB"])).unwrap();
    assert_eq!(tests.len(), 3);
    let t = &tests[0];
    assert_eq!(
        (t.row, t.channel, t.outcome),
        (2, Channel::Search, LiftOutcome::Orders)
    );
    assert_eq!(
        t.uncertainty,
        Uncertainty::Interval90 {
            lo: 90.0,
            hi: 150.0
        }
    );
    assert!((t.standard_error().unwrap() - 60.0 / (2.0 * 1.644_853_626_951_472_2)).abs() < 1e-12);
    assert_eq!(tests[1].outcome, LiftOutcome::Revenue);
    assert_eq!(tests[1].standard_error(), Some(800.0));
    assert_eq!(tests[2].incremental, -3.0);
    assert_eq!(tests[2].uncertainty, Uncertainty::Unknown);
    let h = history_of_weeks(&["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]);
    // 2024-01-24 lies in the week of 2024-01-22
    assert_eq!(t.weeks(&h).unwrap(), (1, 3));
    let short = history_of_weeks(&["2024-01-01", "2024-01-08"]);
    assert_eq!(
        t.weeks(&short).unwrap_err().to_string(),
        format!(
            "{}: row 2, column end: week 2024-01-24 is outside the history (2024-01-01 to 2024-01-08)",
            p.display()
        )
    );
}

#[test]
fn a_lift_test_without_its_outcome_or_with_both_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(&["DE"]);
    let p = write(
        dir.path(),
        "l.csv",
        "channel,start,end,incremental_orders,incremental_revenue\nsearch,1,2,,\n",
    );
    let e = read_lift_tests(&p, &s).unwrap_err().to_string();
    assert!(e.ends_with("row 2, column incremental_orders: expected a number: the incremental orders or revenue of the test, found an empty cell"), "{e}");
    let p = write(
        dir.path(),
        "l.csv",
        "channel,start,end,incremental_orders,incremental_revenue\nsearch,1,2,3,4\n",
    );
    let e = read_lift_tests(&p, &s).unwrap_err().to_string();
    assert!(
        e.contains("row 2, column incremental_revenue: expected an empty cell"),
        "{e}"
    );
    let p = write(
        dir.path(),
        "l.csv",
        "channel,start,end,lift\nsearch,1,2,3\n",
    );
    let e = read_lift_tests(&p, &s).unwrap_err().to_string();
    assert!(e.ends_with("no incremental_orders or incremental_revenue column; the columns are: channel, start, end, lift"), "{e}");
    let p = write(
        dir.path(),
        "l.csv",
        "channel,start,end,incremental_orders\nsearch,3,2,1\n",
    );
    let e = read_lift_tests(&p, &s).unwrap_err().to_string();
    assert!(e.contains("row 2, column end: expected a week of the same kind as start (3) and not before it, found \"2\""), "{e}");
}

#[test]
fn week_numbers_of_lift_tests_resolve_against_numbered_weeks_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "l.csv",
        "channel,start,end,incremental_orders\nsearch,2,3,10\n",
    );
    let tests = read_lift_tests(&p, &scenario(&["DE"])).unwrap();
    assert_eq!(tests[0].country, "DE");
    assert_eq!(
        tests[0].weeks(&history_of_weeks(&["1", "2", "3"])).unwrap(),
        (1, 2)
    );
    assert!(
        tests[0]
            .weeks(&history_of_weeks(&["2024-01-01", "2024-01-08"]))
            .is_err()
    );
}

#[test]
fn cohorts_read_initial_and_dated_cohorts_and_refuse_bad_shares_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(&["DE", "GB"]);
    let p = write(
        dir.path(),
        "cohorts.csv",
        "country,cohort_start,period_weeks,k,share_active\n\
         DE,initial,4,1,0.9\n\
         DE,initial,4,2,0.82\n\
         GB,2024-01-08,4,1,0.6\n",
    );
    let c = read_cohorts(&p, &s).unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].start, CohortStart::Initial);
    assert_eq!((c[1].period_weeks, c[1].k, c[1].share_active), (4, 2, 0.82));
    let h = history_of_weeks(&["2024-01-01", "2024-01-08"]);
    assert_eq!(c[0].start_week(&h).unwrap(), None);
    assert_eq!(c[2].start_week(&h).unwrap(), Some(1));
    let p = write(
        dir.path(),
        "cohorts.csv",
        "country,cohort_start,period_weeks,k,share_active\nDE,initial,4,1,1.2\n",
    );
    let e = read_cohorts(&p, &s).unwrap_err().to_string();
    assert!(
        e.ends_with("row 2, column share_active: expected a share between 0 and 1, found \"1.2\""),
        "{e}"
    );
    let p = write(
        dir.path(),
        "cohorts.csv",
        "country,cohort_start,period_weeks,k,share_active\nDE,initial,4,1,0.9\nDE,initial,4,1,0.8\n",
    );
    let e = read_cohorts(&p, &s).unwrap_err().to_string();
    assert!(
        e.ends_with("rows 2 and 3 are both country DE, cohort_start initial, period_weeks 4, k 1"),
        "{e}"
    );
    let p = write(
        dir.path(),
        "cohorts.csv",
        "country,cohort_start,period_weeks,k,share_active\nDE,initial,0,1,0.9\n",
    );
    let e = read_cohorts(&p, &s).unwrap_err().to_string();
    assert!(
        e.ends_with("row 2, column period_weeks: expected a whole number ≥ 1, found \"0\""),
        "{e}"
    );
}
