//! The calendar as clients send it, and its validation into a [`Calendar`]:
//!
//! ```json
//! {"name": "Berlin office", "time_zone": "Europe/Berlin",
//!  "weekly": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "12:30"], ["13:30", "18:00"]],
//!             "wed": [], "thu": [], "fri": [], "sat": [], "sun": []},
//!  "holidays": ["2026-12-24", "2026-12-25"]}
//! ```
//!
//! `"weekly": "24x7"` is around the clock. Times are `HH:MM` or `HH:MM:SS`; `"24:00"` ends a
//! day. A missing weekday has no hours.

use super::{Calendar, DaySecond, Segment, Week, DAY};
use crate::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub name: String,
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub weekly: WeeklySpec,
    /// Dates (`YYYY-MM-DD`) without business hours.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Holidays every year, as `MM-DD` (what an iCalendar `RRULE:FREQ=YEARLY` holiday becomes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yearly_holidays: Vec<String>,
}

/// `"24x7"`, or business hours per weekday (`mon` .. `sun`): lists of `[start, end]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum WeeklySpec {
    Always(String),
    Hours(BTreeMap<String, Vec<[String; 2]>>),
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `HH:MM` or `HH:MM:SS` as seconds since midnight; 24:00 only where `may_end_day`.
fn time_of_day(text: &str, may_end_day: bool) -> Result<DaySecond, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let number = |p: &str| -> Option<u32> {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (number(h), number(m), Some(0)),
        [h, m, s] => (number(h), number(m), number(s)),
        _ => (None, None, None),
    };
    let (Some(h), Some(m), Some(s)) = (h, m, s) else {
        return Err(format!("{text:?} is not a time of day (HH:MM or HH:MM:SS)"));
    };
    if h == 24 && m == 0 && s == 0 {
        return if may_end_day {
            Ok(DAY)
        } else {
            Err("24:00 can only end a segment".to_owned())
        };
    }
    if h > 23 || m > 59 || s > 59 {
        return Err(format!("{text:?} is not a time of day (00:00 to 24:00)"));
    }
    Ok(h * 3600 + m * 60 + s)
}

pub fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

fn month_day(text: &str) -> Result<(u32, u32), String> {
    // Checked against a leap year so 02-29 is allowed.
    let parsed = date(&format!("2024-{text}"))
        .map_err(|_| format!("{text:?} is not a month and day (MM-DD)"))?;
    use chrono::Datelike;
    Ok((parsed.month(), parsed.day()))
}

impl CalendarSpec {
    /// Every problem at once, each naming its field.
    pub fn validate(&self) -> Result<Calendar, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        let time_zone = match self.time_zone.parse::<chrono_tz::Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                errors.push(FieldError::new(
                    "time_zone",
                    format!(
                        "{:?} is not an IANA time zone (e.g. Europe/Berlin)",
                        self.time_zone
                    ),
                ));
                None
            }
        };
        let week = match &self.weekly {
            WeeklySpec::Always(text) if text == "24x7" => Some(Week::Always),
            WeeklySpec::Always(text) => {
                errors.push(FieldError::new(
                    "weekly",
                    format!("{text:?}: give hours per weekday, or \"24x7\""),
                ));
                None
            }
            WeeklySpec::Hours(days) => week(days, &mut errors),
        };
        let mut holidays = std::collections::BTreeSet::new();
        for (i, text) in self.holidays.iter().enumerate() {
            match date(text) {
                Ok(d) => {
                    holidays.insert(d);
                }
                Err(e) => errors.push(FieldError::new(format!("holidays[{i}]"), e)),
            }
        }
        let mut yearly = std::collections::BTreeSet::new();
        for (i, text) in self.yearly_holidays.iter().enumerate() {
            match month_day(text) {
                Ok(md) => {
                    yearly.insert(md);
                }
                Err(e) => errors.push(FieldError::new(format!("yearly_holidays[{i}]"), e)),
            }
        }
        match (time_zone, week) {
            (Some(time_zone), Some(week)) if errors.is_empty() => Ok(Calendar {
                time_zone,
                week,
                holidays,
                yearly_holidays: yearly,
                days: Default::default(),
            }),
            _ => Err(errors),
        }
    }
}

fn week(days: &BTreeMap<String, Vec<[String; 2]>>, errors: &mut Vec<FieldError>) -> Option<Week> {
    let before = errors.len();
    for day in days.keys() {
        if !WEEKDAYS.contains(&day.as_str()) {
            errors.push(FieldError::new(
                format!("weekly.{day}"),
                "not a weekday (mon, tue, wed, thu, fri, sat, sun)",
            ));
        }
    }
    let mut week: [Vec<Segment>; 7] = Default::default();
    for (index, name) in WEEKDAYS.iter().enumerate() {
        let Some(segments) = days.get(*name) else {
            continue;
        };
        let mut previous_end = None;
        for (i, [start, end]) in segments.iter().enumerate() {
            let field = format!("weekly.{name}[{i}]");
            let parsed = (time_of_day(start, false), time_of_day(end, true));
            let (start, end) = match parsed {
                (Ok(s), Ok(e)) => (s, e),
                (Err(e), _) | (_, Err(e)) => {
                    errors.push(FieldError::new(field, e));
                    continue;
                }
            };
            if start >= end {
                errors.push(FieldError::new(field, "a segment must end after it starts"));
                continue;
            }
            if previous_end.is_some_and(|p| start < p) {
                errors.push(FieldError::new(
                    field,
                    "segments must be in order and must not overlap",
                ));
                continue;
            }
            previous_end = Some(end);
            week[index].push(Segment { start, end });
        }
    }
    if errors.len() == before && week.iter().all(Vec::is_empty) {
        errors.push(FieldError::new(
            "weekly",
            "no business hours on any day (use \"24x7\" for around the clock)",
        ));
    }
    (errors.len() == before).then_some(Week::Hours(week))
}
