//! A calendar month in UTC: the report's period, first instant included, next month's excluded.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("--month {text:?}: expected a month like 2026-11");
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        let month = Self {
            year: year.parse().map_err(|_| bad())?,
            month: month.parse().map_err(|_| bad())?,
        };
        month.first_day().ok_or_else(bad)?;
        Ok(month)
    }

    /// The month before the one `now` is in.
    pub fn last_full(now: DateTime<Utc>) -> Self {
        let (year, month) = match now.month() {
            1 => (now.year() - 1, 12),
            m => (now.year(), m - 1),
        };
        Self { year, month }
    }

    fn first_day(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    fn next(&self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            m => Self {
                year: self.year,
                month: m + 1,
            },
        }
    }

    /// `from` and `to` as the report takes them (dates: midnight UTC).
    pub fn range(&self) -> (String, String) {
        let date = |m: &Month| {
            m.first_day()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        (date(self), date(&self.next()))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn months_parse_and_roll_over_the_year() {
        let december = Month::parse("2026-12").unwrap();
        assert_eq!(december.range(), ("2026-12-01".into(), "2027-01-01".into()));
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("November").is_err());
        let january = Utc.with_ymd_and_hms(2027, 1, 3, 0, 0, 0).unwrap();
        assert_eq!(Month::last_full(january).to_string(), "2026-12");
    }
}
