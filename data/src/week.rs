//! Weeks: ISO dates (`2024-01-01`) or whole week numbers, and the calendar
//! arithmetic the readers need (no time zones, proleptic Gregorian calendar).

use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// The date `year-month-day`, or `None` when there is no such day.
    pub fn new(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// An ISO date `YYYY-MM-DD`, optionally followed by a midnight time
    /// (`2024-01-01T00:00:00`, `2024-01-01 00:00`) as spreadsheets export them.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let (date, rest) = if s.len() > 10 && s.is_char_boundary(10) {
            s.split_at(10)
        } else {
            (s, "")
        };
        if !rest.is_empty() {
            let time = rest.strip_prefix(['T', ' '])?;
            if !time.chars().all(|c| matches!(c, '0' | ':' | '.' | 'Z')) {
                return None;
            }
        }
        let b = date.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &date[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        Date::new(i64::from(digits(0..4)?), digits(5..7)?, digits(8..10)?)
    }

    /// The date `n` days later (earlier when negative).
    pub fn plus_days(self, n: i64) -> Date {
        Date {
            days: self.days + n,
        }
    }

    /// Days from `self` to `other`.
    pub fn days_until(self, other: Date) -> i64 {
        other.days - self.days
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.days);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A week as the history's week column gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WeekKey {
    /// A date (the week's first day, or whichever day the company reports on).
    Date(Date),
    /// A week number.
    Index(i64),
}

impl WeekKey {
    /// A date `YYYY-MM-DD` or a whole number (`12`, `12.0`).
    pub fn parse(s: &str) -> Option<WeekKey> {
        let s = s.trim();
        if let Some(d) = Date::parse(s) {
            return Some(WeekKey::Date(d));
        }
        if let Ok(i) = s.parse::<i64>() {
            return Some(WeekKey::Index(i));
        }
        match s.parse::<f64>() {
            Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 => {
                Some(WeekKey::Index(x as i64))
            }
            _ => None,
        }
    }

    /// The next week: 7 days or one index later.
    pub fn next(self) -> WeekKey {
        match self {
            WeekKey::Date(d) => WeekKey::Date(d.plus_days(7)),
            WeekKey::Index(i) => WeekKey::Index(i + 1),
        }
    }

    /// True for a date.
    pub fn is_date(self) -> bool {
        matches!(self, WeekKey::Date(_))
    }
}

impl fmt::Display for WeekKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeekKey::Date(d) => d.fmt(f),
            WeekKey::Index(i) => i.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for s in [
            "1970-01-01",
            "2024-02-29",
            "2000-03-01",
            "1899-12-30",
            "2025-12-31",
        ] {
            assert_eq!(Date::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            Date::parse("2024-02-26").unwrap().plus_days(7).to_string(),
            "2024-03-04"
        );
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-1-1").is_none());
        assert_eq!(
            Date::parse("2024-01-01T00:00:00").unwrap().to_string(),
            "2024-01-01"
        );
        assert!(Date::parse("2024-01-01T13:00:00").is_none());
    }

    #[test]
    fn weeks_are_dates_or_whole_numbers() {
        assert_eq!(WeekKey::parse("7"), Some(WeekKey::Index(7)));
        assert_eq!(WeekKey::parse("7.0"), Some(WeekKey::Index(7)));
        assert_eq!(WeekKey::parse("7.5"), None);
        assert_eq!(
            WeekKey::parse("2024-01-01").unwrap().next().to_string(),
            "2024-01-08"
        );
    }
}
