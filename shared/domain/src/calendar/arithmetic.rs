//! Elapsed business time and deadlines, walking the calendar a local day at a time. A day's
//! segments become UTC intervals through the time zone, exactly: business time is every
//! instant at which the zone's wall clock shows a time inside a segment. So the hour skipped
//! in spring is no business time, the hour repeated in autumn counts twice when it lies in a
//! segment, and a day is as long as its clock makes it.

use super::{Calendar, DaySecond, Week};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How far a deadline is looked for (a calendar with hours on at least one weekday always
/// finds one long before; holidays cannot cover more than their list).
const HORIZON_DAYS: i64 = 366 * 50;

#[derive(Clone, Copy)]
enum Side {
    Start,
    End,
}

fn local(date: NaiveDate, second: DaySecond) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(i64::from(second))
}

/// The instant a wall-clock time of `tz` stands for (see the module doc for gaps and folds).
fn instant(tz: Tz, at: NaiveDateTime, side: Side) -> DateTime<Utc> {
    use chrono::LocalResult;
    match tz.from_local_datetime(&at) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => match side {
            Side::Start => first.with_timezone(&Utc),
            Side::End => second.with_timezone(&Utc),
        },
        LocalResult::None => {
            // In a gap: the first existing wall-clock time after it is the jump's instant.
            // Gaps begin and end on whole minutes in every zone (Lord Howe's half hour too).
            use chrono::Timelike;
            let minute = at.with_second(0).unwrap_or(at);
            (1..=24 * 60)
                .find_map(|m| {
                    tz.from_local_datetime(&(minute + Duration::minutes(m)))
                        .earliest()
                })
                .map_or_else(|| at.and_utc(), |t| t.with_timezone(&Utc))
        }
    }
}

fn offset_at(tz: Tz, at: DateTime<Utc>) -> i64 {
    use chrono::Offset;
    i64::from(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The first instant in `(from, to]` whose offset differs from `from`'s (there is one).
fn transition(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let before = offset_at(tz, from);
    let (mut lo, mut hi) = (from, to);
    while (hi - lo).num_seconds() > 1 {
        let mid = lo + Duration::seconds((hi - lo).num_seconds() / 2);
        if offset_at(tz, mid) == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The instants at which `tz`'s wall clock on `date` shows a time in `[start, end)`.
fn segment_intervals(
    tz: Tz,
    date: NaiveDate,
    start: DaySecond,
    end: DaySecond,
    out: &mut Vec<(DateTime<Utc>, DateTime<Utc>)>,
) {
    let (from_local, to_local) = (local(date, start), local(date, end));
    // Every instant showing such a time lies in this hull.
    let hull = (
        instant(tz, from_local, Side::Start),
        instant(tz, to_local, Side::End),
    );
    if hull.1 <= hull.0 {
        return;
    }
    // A day holds at most one change of offset; split the hull there.
    let last = hull.1 - Duration::seconds(1);
    let mut pieces = vec![(hull.0, hull.1)];
    if offset_at(tz, hull.0) != offset_at(tz, last) {
        let at = transition(tz, hull.0, last);
        pieces = vec![(hull.0, at), (at, hull.1)];
    }
    for (a, b) in pieces {
        // Within a piece the offset is fixed: local = utc + offset.
        let offset = Duration::seconds(offset_at(tz, a));
        let lo = from_local.and_utc() - offset;
        let hi = to_local.and_utc() - offset;
        let (a, b) = (a.max(lo), b.min(hi));
        if b > a {
            out.push((a, b));
        }
    }
}

impl Calendar {
    /// The business intervals of one local date, in order, as UTC instants (remembered).
    fn intervals_on(&self, date: NaiveDate) -> super::Intervals {
        self.days
            .get_or(date, || self.compute_intervals_on(date).into())
    }

    fn compute_intervals_on(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let Week::Hours(days) = &self.week else {
            return Vec::new();
        };
        if self.is_holiday(date) {
            return Vec::new();
        }
        let segments = &days[date.weekday().num_days_from_monday() as usize];
        let mut intervals = Vec::with_capacity(segments.len());
        for segment in segments {
            segment_intervals(
                self.time_zone,
                date,
                segment.start,
                segment.end,
                &mut intervals,
            );
        }
        // In a repeated hour two segments' pieces can interleave; they never overlap.
        intervals.sort_unstable();
        intervals
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    /// The first instant at which the business time elapsed since `start` reaches
    /// `business_seconds` (it may be a segment's end). None only for a calendar with no
    /// business hours in the next fifty years.
    pub fn deadline(&self, start: DateTime<Utc>, business_seconds: u64) -> Option<DateTime<Utc>> {
        let mut remaining = i64::try_from(business_seconds).ok()?;
        if remaining == 0 {
            return Some(start);
        }
        if self.week == Week::Always {
            return start.checked_add_signed(Duration::seconds(remaining));
        }
        // From the day before: its last segment may still be running in another offset.
        let mut date = self.local_date(start).pred_opt()?;
        for _ in 0..HORIZON_DAYS {
            for &(from, to) in self.intervals_on(date).iter() {
                if to <= start {
                    continue;
                }
                let from = from.max(start);
                let length = (to - from).num_seconds();
                if remaining <= length {
                    return Some(from + Duration::seconds(remaining));
                }
                remaining -= length;
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Business seconds between two instants (0 when `to` is not after `from`).
    pub fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
        if to <= from {
            return 0;
        }
        if self.week == Week::Always {
            return (to - from).num_seconds().unsigned_abs();
        }
        let mut total = 0i64;
        let mut date = match self.local_date(from).pred_opt() {
            Some(date) => date,
            None => return 0,
        };
        let last = self.local_date(to);
        while date <= last {
            for &(a, b) in self.intervals_on(date).iter() {
                let (a, b) = (a.max(from), b.min(to));
                if b > a {
                    total += (b - a).num_seconds();
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total.unsigned_abs()
    }

    /// Whether `at` lies in business time (a segment's start included, its end not).
    pub fn is_business_time(&self, at: DateTime<Utc>) -> bool {
        if self.week == Week::Always {
            return true;
        }
        let date = self.local_date(at);
        [date.pred_opt(), Some(date)]
            .into_iter()
            .flatten()
            .any(|d| self.intervals_on(d).iter().any(|&(a, b)| a <= at && at < b))
    }
}
