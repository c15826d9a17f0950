//! Business calendars: when the service desk is staffed, in the customer's time zone, with
//! holidays; and the arithmetic SLA timers stand on: how much business time lies between two
//! instants, and when N business seconds after an instant are over.
//!
//! Business hours are wall-clock times of a time zone (IANA), so a day is as long as the
//! clock says: 23 or 25 hours across a DST change, never a fixed 86,400 s. Holidays are dates
//! of that zone, kept as dates (an all-day holiday is never shifted by a time-zone
//! conversion). Precision is the second.

mod aggregate;
mod arithmetic;
mod ical;
mod spec;
#[cfg(test)]
mod tests;

pub use aggregate::{decide, evolve, CalendarCommand, CalendarDoc, CalendarEvent, CalendarId};
pub use ical::{parse_holidays, IcalHolidays};
pub use spec::{CalendarSpec, WeeklySpec};

use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Seconds since local midnight; a segment may end at 86,400 ("24:00").
pub type DaySecond = u32;

pub const DAY: DaySecond = 86_400;

/// One stretch of business hours within a day, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: DaySecond,
    pub end: DaySecond,
}

/// When the desk is staffed in a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Week {
    /// Around the clock, every day, holidays included ("24x7").
    Always,
    /// Segments per weekday, Monday first, each day's ordered and apart.
    Hours([Vec<Segment>; 7]),
}

/// A validated calendar (see [`CalendarSpec`] for its wire shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub time_zone: Tz,
    pub week: Week,
    /// Dates without business hours.
    pub holidays: BTreeSet<NaiveDate>,
    /// Holidays that come back every year, as (month, day).
    pub yearly_holidays: BTreeSet<(u32, u32)>,
    /// Each local date's business intervals once computed (time-zone arithmetic is most of the
    /// cost of a deadline, and reports and simulations ask about the same days again and again).
    pub days: DayMemo,
}

/// The intervals of local dates already worked out; never part of what a calendar is (it is
/// equal whatever it holds, and a clone starts empty).
#[derive(Debug, Default)]
pub struct DayMemo(std::sync::Mutex<std::collections::HashMap<NaiveDate, Intervals>>);

pub(crate) type Intervals =
    std::sync::Arc<[(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)]>;

/// A memo holds at most this many days (about twenty years), then starts over.
const MEMO_DAYS: usize = 8192;

impl DayMemo {
    pub(crate) fn get_or(&self, date: NaiveDate, compute: impl FnOnce() -> Intervals) -> Intervals {
        let Ok(mut memo) = self.0.lock() else {
            return compute();
        };
        if let Some(found) = memo.get(&date) {
            return found.clone();
        }
        if memo.len() >= MEMO_DAYS {
            memo.clear();
        }
        let computed = compute();
        memo.insert(date, computed.clone());
        computed
    }
}

impl Clone for DayMemo {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for DayMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for DayMemo {}

impl Calendar {
    /// Around the clock in UTC: what a contract without a calendar runs on.
    pub fn always() -> Self {
        Self {
            time_zone: Tz::UTC,
            week: Week::Always,
            holidays: BTreeSet::new(),
            yearly_holidays: BTreeSet::new(),
            days: DayMemo::default(),
        }
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        self.holidays.contains(&date) || self.yearly_holidays.contains(&(date.month(), date.day()))
    }
}
