//! What the SLA scheduler and the notifier read: when each incident next needs them
//! (`incidents.sla_next_at`: its next threshold; `notify_next_at`: the next try of a pending
//! notification), derived from the incident's events by the projection.

use crate::{ProjectionError, ReadModelDb};
use servicedesk_domain::incident::IncidentId;

/// An incident and the instant (microseconds) of its next threshold.
pub type AgendaEntry = (IncidentId, i64);

/// Where a page of the agenda ends: `(instant, seq)` of its last row.
pub type AgendaKey = (i64, i64);

/// Which of the incident's next instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agenda {
    SlaThreshold,
    Notification,
}

impl Agenda {
    fn column(&self) -> &'static str {
        match self {
            Self::SlaThreshold => "sla_next_at",
            Self::Notification => "notify_next_at",
        }
    }
}

impl ReadModelDb {
    /// Incidents with a threshold ahead, in `(instant, seq)` order after `after` (a page's
    /// last `(instant, seq)`), at most `limit`; with the `(instant, seq)` to go on from.
    pub fn agenda(
        &self,
        agenda: Agenda,
        after: Option<AgendaKey>,
        limit: usize,
    ) -> Result<(Vec<AgendaEntry>, Option<AgendaKey>), ProjectionError> {
        self.read(|conn| {
            let (at, seq) = after.unwrap_or((i64::MIN, i64::MIN));
            let column = agenda.column();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT id, {column}, seq FROM incidents
                 WHERE {column} IS NOT NULL AND ({column}, seq) > (?1, ?2)
                 ORDER BY {column}, seq LIMIT ?3"
            ))?;
            let mut rows = stmt.query((at, seq, limit as i64))?;
            let mut entries = Vec::with_capacity(limit);
            let mut last = None;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let next: i64 = row.get(1)?;
                last = Some((next, row.get(2)?));
                entries.push((parse_id(&id)?, next));
            }
            let more = entries.len() == limit;
            Ok((entries, if more { last } else { None }))
        })
    }

    /// The next threshold of each of `ids` (None: nothing ahead, or no such incident).
    pub fn next_of(
        &self,
        agenda: Agenda,
        ids: &[IncidentId],
    ) -> Result<Vec<(IncidentId, Option<i64>)>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {} FROM incidents WHERE id = ?1",
                agenda.column()
            ))?;
            ids.iter()
                .map(|id| {
                    let next: Option<Option<i64>> = rusqlite::OptionalExtension::optional(
                        stmt.query_row([id.to_string()], |r| r.get(0)),
                    )?;
                    Ok((*id, next.flatten()))
                })
                .collect()
        })
    }
}

fn parse_id(text: &str) -> Result<IncidentId, ProjectionError> {
    uuid::Uuid::parse_str(text)
        .map(IncidentId)
        .map_err(|e| ProjectionError::Corrupt(format!("incident id {text}: {e}")))
}
