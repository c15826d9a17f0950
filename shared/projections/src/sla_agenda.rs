//! What the SLA scheduler reads: when each incident's next threshold falls due
//! (`incidents.sla_next_at`, derived from the incident's events by the projection).

use crate::{ProjectionError, ReadModelDb};
use servicedesk_domain::incident::IncidentId;

/// An incident and the instant (microseconds) of its next threshold.
pub type AgendaEntry = (IncidentId, i64);

/// Where a page of the agenda ends: `(instant, seq)` of its last row.
pub type AgendaKey = (i64, i64);

impl ReadModelDb {
    /// Incidents with a threshold ahead, in `(instant, seq)` order after `after` (a page's
    /// last `(instant, seq)`), at most `limit`; with the `(instant, seq)` to go on from.
    pub fn sla_agenda(
        &self,
        after: Option<AgendaKey>,
        limit: usize,
    ) -> Result<(Vec<AgendaEntry>, Option<AgendaKey>), ProjectionError> {
        self.read(|conn| {
            let (at, seq) = after.unwrap_or((i64::MIN, i64::MIN));
            let mut stmt = conn.prepare_cached(
                "SELECT id, sla_next_at, seq FROM incidents
                 WHERE sla_next_at IS NOT NULL AND (sla_next_at, seq) > (?1, ?2)
                 ORDER BY sla_next_at, seq LIMIT ?3",
            )?;
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
    pub fn sla_next_of(
        &self,
        ids: &[IncidentId],
    ) -> Result<Vec<(IncidentId, Option<i64>)>, ProjectionError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT sla_next_at FROM incidents WHERE id = ?1")?;
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
