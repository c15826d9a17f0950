//! A schedule as clients define it.
//!
//! ```json
//! {"name": "Ops on call", "time_zone": "Europe/Berlin",
//!  "layers": [
//!    {"name": "weekly", "rotation": {"every": "weekly", "handoff": "09:00",
//!      "start": "2026-11-02", "members": ["bob", "carol"]}},
//!    {"name": "weekends", "only_on": {"weekdays": ["sat", "sun"], "holidays": ["2026-12-25"]},
//!     "rotation": {"every": "daily", "handoff": "08:00", "start": "2026-11-07",
//!      "members": ["dave", "erin"]}}],
//!  "overrides": [{"from": "2026-12-24T08:00:00Z", "to": "2026-12-27T08:00:00Z",
//!                 "person": "frank"}]}
//! ```
//! Later layers lie on top of earlier ones; an override lies on top of every layer.

use super::timeline::{BuiltLayer, Schedule};
use crate::FieldError;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    pub name: String,
    /// The IANA zone hand-offs and conditions are read in.
    pub time_zone: String,
    pub layers: Vec<Layer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub name: String,
    pub rotation: Rotation,
    /// Only on these local weekdays or dates; every day without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_on: Option<OnlyOn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    pub every: Every,
    /// The local time of the hand-off, `"09:00"`.
    pub handoff: String,
    /// The date of the first hand-off; a weekly rotation hands off on its weekday.
    pub start: NaiveDate,
    /// People, by id, in turn.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Daily,
    Weekly,
}

impl Every {
    pub fn days(self) -> i64 {
        match self {
            Self::Daily => 1,
            Self::Weekly => 7,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OnlyOn {
    /// `mon` .. `sun`.
    #[serde(default)]
    pub weekdays: Vec<String>,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub person: String,
}

/// How far ahead a hand-off time is checked against the zone's DST gaps.
const CHECKED_YEARS: i64 = 5;

fn weekday(name: &str) -> Option<Weekday> {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| *d == name)
        .and_then(|i| Weekday::try_from(i as u8).ok())
}

impl ScheduleSpec {
    /// Every person the schedule names, for the API to check that they exist.
    pub fn people(&self) -> Vec<(String, &str)> {
        let mut named = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            for (j, member) in layer.rotation.members.iter().enumerate() {
                named.push((
                    format!("layers[{i}].rotation.members[{j}]"),
                    member.as_str(),
                ));
            }
        }
        for (i, o) in self.overrides.iter().enumerate() {
            named.push((format!("overrides[{i}].person"), o.person.as_str()));
        }
        named
    }

    pub fn validate(&self) -> Result<Schedule, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        let time_zone = self.time_zone.parse::<chrono_tz::Tz>().ok();
        if time_zone.is_none() {
            errors.push(FieldError::new(
                "time_zone",
                format!("{:?} is not an IANA time zone", self.time_zone),
            ));
        }
        if self.layers.is_empty() {
            errors.push(FieldError::new(
                "layers",
                "a schedule needs at least one layer",
            ));
        }
        let mut layers = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            let field = |name: &str| format!("layers[{i}].{name}");
            if layer.rotation.members.is_empty() {
                errors.push(FieldError::new(
                    field("rotation.members"),
                    "a rotation needs at least one member",
                ));
            }
            let handoff = NaiveTime::parse_from_str(&layer.rotation.handoff, "%H:%M").ok();
            if handoff.is_none() {
                errors.push(FieldError::new(
                    field("rotation.handoff"),
                    format!("{:?} is not a time like 09:00", layer.rotation.handoff),
                ));
            }
            let mut weekdays = Vec::new();
            if let Some(only) = &layer.only_on {
                for (j, name) in only.weekdays.iter().enumerate() {
                    match weekday(name) {
                        Some(day) => weekdays.push(day),
                        None => errors.push(FieldError::new(
                            field(&format!("only_on.weekdays[{j}]")),
                            format!("{name:?} is not one of mon, tue, wed, thu, fri, sat, sun"),
                        )),
                    }
                }
            }
            if let (Some(tz), Some(at)) = (time_zone, handoff) {
                if let Some(date) = missing_handoff(tz, &layer.rotation, at) {
                    errors.push(FieldError::new(
                        field("rotation.handoff"),
                        format!(
                            "{} does not exist in {} on {date} (the clocks skip it); choose a time outside the change",
                            layer.rotation.handoff, self.time_zone
                        ),
                    ));
                }
                layers.push(BuiltLayer {
                    every: layer.rotation.every,
                    handoff: at,
                    start: layer.rotation.start,
                    members: layer.rotation.members.clone(),
                    only_on: layer
                        .only_on
                        .as_ref()
                        .map(|o| (weekdays, o.holidays.clone())),
                });
            }
        }
        for (i, o) in self.overrides.iter().enumerate() {
            if o.to <= o.from {
                errors.push(FieldError::new(
                    format!("overrides[{i}].to"),
                    "must be after from",
                ));
            }
            if o.person.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("overrides[{i}].person"),
                    "must name a person",
                ));
            }
        }
        match time_zone {
            Some(tz) if errors.is_empty() => Ok(Schedule {
                time_zone: tz,
                layers,
                overrides: self.overrides.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// The first hand-off date (within the checked years) on which the local hand-off time does
/// not exist.
fn missing_handoff(tz: chrono_tz::Tz, rotation: &Rotation, at: NaiveTime) -> Option<NaiveDate> {
    let step = rotation.every.days();
    (0..CHECKED_YEARS * 366 / step)
        .filter_map(|k| {
            rotation
                .start
                .checked_add_signed(chrono::Duration::days(k * step))
        })
        .find(|date| {
            tz.from_local_datetime(&date.and_time(at))
                .earliest()
                .is_none()
        })
}
