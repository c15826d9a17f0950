//! A calendar as an event-sourced aggregate: its definition is kept as the spec it was given
//! (validated on every change), so a calendar reads back exactly as it was written.

use super::{parse_holidays, CalendarSpec};
use crate::{DomainError, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::stream_id!(CalendarId, "calendar-");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDoc {
    pub id: CalendarId,
    pub version: u64,
    pub spec: CalendarSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarCommand {
    Define {
        id: CalendarId,
        spec: CalendarSpec,
    },
    Change {
        spec: CalendarSpec,
    },
    /// Adds the all-day holidays of an iCalendar file.
    ImportHolidays {
        ical: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarEvent {
    CalendarDefined(Defined),
    CalendarChanged(Changed),
    CalendarHolidaysImported(HolidaysImported),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defined {
    pub id: CalendarId,
    pub spec: CalendarSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    pub spec: CalendarSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidaysImported {
    /// `YYYY-MM-DD`, only those not already in the calendar.
    pub dates: Vec<String>,
    /// `MM-DD`, likewise.
    pub yearly: Vec<String>,
}

crate::event_codec!(CalendarEvent {
    CalendarDefined,
    CalendarChanged,
    CalendarHolidaysImported,
});

impl CalendarEvent {
    pub const SCHEMA_VERSION: u32 = 1;
}

fn invalid(errors: Vec<FieldError>) -> DomainError {
    DomainError::Invalid(errors)
}

pub fn decide(
    state: Option<&CalendarDoc>,
    command: &CalendarCommand,
) -> Result<Vec<CalendarEvent>, DomainError> {
    use CalendarCommand as C;
    match (state, command) {
        (None, C::Define { id, spec }) => {
            spec.validate().map_err(invalid)?;
            Ok(vec![CalendarEvent::CalendarDefined(Defined {
                id: *id,
                spec: spec.clone(),
            })])
        }
        (Some(_), C::Define { .. }) => Err(DomainError::AlreadyExists),
        (None, _) => Err(DomainError::NotFound),
        (Some(calendar), C::Change { spec }) => {
            spec.validate().map_err(invalid)?;
            if *spec == calendar.spec {
                return Ok(Vec::new());
            }
            Ok(vec![CalendarEvent::CalendarChanged(Changed {
                spec: spec.clone(),
            })])
        }
        (Some(calendar), C::ImportHolidays { ical }) => {
            let parsed =
                parse_holidays(ical).map_err(|e| invalid(vec![FieldError::new("body", e)]))?;
            let dates: Vec<String> = parsed
                .dates
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .filter(|d| !calendar.spec.holidays.contains(d))
                .collect();
            let yearly: Vec<String> = parsed
                .yearly
                .iter()
                .map(|(m, d)| format!("{m:02}-{d:02}"))
                .filter(|md| !calendar.spec.yearly_holidays.contains(md))
                .collect();
            if dates.is_empty() && yearly.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![CalendarEvent::CalendarHolidaysImported(
                HolidaysImported { dates, yearly },
            )])
        }
    }
}

pub fn evolve(
    state: Option<CalendarDoc>,
    event: &CalendarEvent,
    at: DateTime<Utc>,
) -> Option<CalendarDoc> {
    if let CalendarEvent::CalendarDefined(defined) = event {
        return Some(CalendarDoc {
            id: defined.id,
            version: 0,
            spec: defined.spec.clone(),
            created_at: at,
            updated_at: at,
        });
    }
    let mut calendar = state?;
    calendar.version += 1;
    calendar.updated_at = at;
    match event {
        CalendarEvent::CalendarDefined(_) => {}
        CalendarEvent::CalendarChanged(changed) => calendar.spec = changed.spec.clone(),
        CalendarEvent::CalendarHolidaysImported(imported) => {
            let spec = &mut calendar.spec;
            spec.holidays.extend(imported.dates.iter().cloned());
            spec.holidays.sort();
            spec.yearly_holidays.extend(imported.yearly.iter().cloned());
            spec.yearly_holidays.sort();
        }
    }
    Some(calendar)
}
