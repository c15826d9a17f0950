//! Who is on call when: hand-off instants from local times, layers on top of each other,
//! overrides on top of all.

use super::spec::{Every, Override};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

/// Shifts are listed for at most this many days at once.
pub const MAX_SHIFT_DAYS: i64 = 400;

/// A validated schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub time_zone: Tz,
    pub(crate) layers: Vec<BuiltLayer>,
    pub(crate) overrides: Vec<Override>,
}

#[derive(Debug, Clone)]
pub(crate) struct BuiltLayer {
    pub every: Every,
    pub handoff: NaiveTime,
    pub start: NaiveDate,
    pub members: Vec<String>,
    /// (weekdays, dates) it applies on; None: every day.
    pub only_on: Option<(Vec<Weekday>, Vec<NaiveDate>)>,
}

/// Who is on call, and through which layer (none: an override).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnCall {
    pub person: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    pub is_override: bool,
}

/// A stretch of time one person is on call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shift {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[serde(flatten)]
    pub on_call: OnCall,
}

impl BuiltLayer {
    /// The instant of hand-off `k` (validation made sure the local time exists).
    fn handoff(&self, tz: Tz, k: i64) -> Option<DateTime<Utc>> {
        let date = self
            .start
            .checked_add_signed(Duration::days(k * self.every.days()))?;
        tz.from_local_datetime(&date.and_time(self.handoff))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The hand-off in force at `at` (None before the first).
    fn turn(&self, tz: Tz, at: DateTime<Utc>) -> Option<i64> {
        let local = at.with_timezone(&tz).date_naive();
        let mut k = (local - self.start)
            .num_days()
            .div_euclid(self.every.days());
        while self.handoff(tz, k).is_some_and(|h| h > at) {
            k -= 1;
        }
        while self.handoff(tz, k + 1).is_some_and(|h| h <= at) {
            k += 1;
        }
        (k >= 0).then_some(k)
    }

    fn applies(&self, tz: Tz, at: DateTime<Utc>) -> bool {
        let Some((weekdays, dates)) = &self.only_on else {
            return true;
        };
        let date = at.with_timezone(&tz).date_naive();
        weekdays.contains(&date.weekday()) || dates.contains(&date)
    }

    fn member(&self, k: i64) -> Option<&String> {
        let n = i64::try_from(self.members.len()).ok()?;
        self.members
            .get(usize::try_from(k.rem_euclid(n.max(1))).ok()?)
    }
}

impl Schedule {
    pub fn on_call(&self, at: DateTime<Utc>) -> Option<OnCall> {
        if let Some(o) = self
            .overrides
            .iter()
            .rev()
            .find(|o| o.from <= at && at < o.to)
        {
            return Some(OnCall {
                person: o.person.clone(),
                layer: None,
                is_override: true,
            });
        }
        self.layers.iter().enumerate().rev().find_map(|(i, layer)| {
            if !layer.applies(self.time_zone, at) {
                return None;
            }
            let k = layer.turn(self.time_zone, at)?;
            layer.member(k).map(|person| OnCall {
                person: person.clone(),
                layer: Some(i),
                is_override: false,
            })
        })
    }

    /// The shifts in `[from, to)` (at most [`MAX_SHIFT_DAYS`]), cut at `from` and `to`; the
    /// times nobody is on call are left out.
    pub fn shifts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
        let to = to.min(from + Duration::days(MAX_SHIFT_DAYS));
        if to <= from {
            return Vec::new();
        }
        let mut cuts = vec![from];
        let tz = self.time_zone;
        let first_day = from
            .with_timezone(&tz)
            .date_naive()
            .pred_opt()
            .unwrap_or_default();
        let last_day = to
            .with_timezone(&tz)
            .date_naive()
            .succ_opt()
            .unwrap_or_default();
        for layer in &self.layers {
            if let Some(k) = layer.turn(tz, from).or(Some(-1)) {
                let mut k = k + 1;
                while let Some(at) = layer.handoff(tz, k) {
                    if at >= to {
                        break;
                    }
                    cuts.push(at);
                    k += 1;
                }
            }
            if layer.only_on.is_some() {
                let mut day = first_day;
                while day <= last_day {
                    if let Some(midnight) = tz
                        .from_local_datetime(&day.and_time(NaiveTime::MIN))
                        .earliest()
                    {
                        cuts.push(midnight.with_timezone(&Utc));
                    }
                    match day.succ_opt() {
                        Some(next) => day = next,
                        None => break,
                    }
                }
            }
        }
        for o in &self.overrides {
            cuts.push(o.from);
            cuts.push(o.to);
        }
        cuts.retain(|c| *c >= from && *c < to);
        cuts.sort_unstable();
        cuts.dedup();
        let mut shifts: Vec<Shift> = Vec::new();
        for (i, start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).copied().unwrap_or(to);
            let Some(on_call) = self.on_call(*start) else {
                continue;
            };
            match shifts.last_mut() {
                Some(last) if last.end == *start && last.on_call == on_call => last.end = end,
                _ => shifts.push(Shift {
                    start: *start,
                    end,
                    on_call,
                }),
            }
        }
        shifts
    }
}
