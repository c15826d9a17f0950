//! An incident's rows in `sla_targets` (and the calendars they ran on in `sla_calendars`),
//! derived from its state only, so a row written live and one written by a rebuild are equal.

use crate::time::micros;
use crate::ProjectionError;
use rusqlite::Connection;
use servicedesk_domain::incident::Incident;
use servicedesk_domain::sla::Run;
use sha2::{Digest, Sha256};

/// `settled_at` of a target not settled yet: after every period.
pub const NOT_SETTLED: i64 = i64::MAX;

/// Writes the incident's target rows; `replace` first drops those it had.
pub(crate) fn write(
    conn: &Connection,
    state: &Incident,
    replace: bool,
) -> Result<(), ProjectionError> {
    let id = state.id.to_string();
    if replace {
        conn.prepare_cached("DELETE FROM sla_targets WHERE incident = ?1")?
            .execute([&id])?;
    }
    let Some(sla) = &state.sla else {
        return Ok(());
    };
    let calendar = match &sla.applied.calendar {
        Some(spec) => Some(calendar_key(conn, spec)?),
        None => None,
    };
    let mut insert = conn.prepare_cached(
        "INSERT INTO sla_targets (incident, timer, customer, service, priority, target_seconds,
             opened_at, due_at, met_at, met_after, on_time, settled_at, calendar, runs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        // settled_at: NOT_SETTLED when None (see the table)
    )?;
    for (target, outcome) in sla.outcomes(state.priority) {
        let watch = sla.watch(target.kind);
        let settled_at = if outcome.on_time {
            outcome.met_at
        } else {
            outcome.due_at
        };
        insert.execute(rusqlite::params![
            id,
            target.kind.as_str(),
            state.customer,
            state.service,
            state.priority.rank(),
            i64::try_from(target.business_seconds).unwrap_or(i64::MAX),
            micros(state.opened_at),
            outcome.due_at.map(micros),
            outcome.met_at.map(micros),
            outcome.met_after.and_then(|s| i64::try_from(s).ok()),
            outcome.on_time,
            settled_at.map_or(NOT_SETTLED, micros),
            calendar,
            encode_runs(&watch.runs),
        ])?;
    }
    Ok(())
}

/// The key of the calendar's snapshot, stored once.
fn calendar_key(
    conn: &Connection,
    spec: &servicedesk_domain::calendar::CalendarSpec,
) -> Result<String, ProjectionError> {
    let json = serde_json::to_string(spec).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    let key: String = Sha256::digest(json.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    conn.prepare_cached("INSERT OR IGNORE INTO sla_calendars (key, spec) VALUES (?1, ?2)")?
        .execute((&key, &json))?;
    Ok(key)
}

/// `from:until,from:` in microseconds (the last run open while the timer runs).
pub fn encode_runs(runs: &[Run]) -> String {
    let mut text = String::with_capacity(runs.len() * 34);
    for (i, run) in runs.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&micros(run.from).to_string());
        text.push(':');
        if let Some(until) = run.until {
            text.push_str(&micros(until).to_string());
        }
    }
    text
}

pub fn decode_runs(text: &str) -> Result<Vec<Run>, ProjectionError> {
    let bad = || ProjectionError::Corrupt(format!("SLA runs {text:?}"));
    let instant = |part: &str| {
        part.parse::<i64>()
            .ok()
            .and_then(chrono::DateTime::from_timestamp_micros)
            .ok_or_else(bad)
    };
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (from, until) = part.split_once(':').ok_or_else(bad)?;
            Ok(Run {
                from: instant(from)?,
                until: if until.is_empty() {
                    None
                } else {
                    Some(instant(until)?)
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn runs_round_trip() {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
        let runs = vec![
            Run {
                from: at(100),
                until: Some(at(200)),
            },
            Run {
                from: at(300),
                until: None,
            },
        ];
        assert_eq!(decode_runs(&encode_runs(&runs)).unwrap(), runs);
        assert!(decode_runs("").unwrap().is_empty());
        assert!(decode_runs("x:1").is_err());
    }
}
