//! When each incident next needs a follower that acts on time (the SLA scheduler: its next
//! threshold; the notifier: its next try): such a follower's whole memory, a few dozen bytes
//! per incident, read from and refreshed by the incidents read model.

use crate::{App, AppError};
use servicedesk_domain::incident::IncidentId;
use servicedesk_projections::sla_agenda::Agenda as Column;
use servicedesk_store::Position;
use std::collections::{BTreeSet, HashMap};

/// Instants are microseconds since the epoch (as the read model keeps them). Public for the
/// benchmark, which weighs it.
#[derive(Default)]
pub struct Agenda {
    by_time: BTreeSet<(i64, IncidentId)>,
    by_id: HashMap<IncidentId, i64>,
}

impl Agenda {
    /// The whole agenda of `column` as the read models hold it once they include `position`.
    pub(crate) async fn read(
        app: &App,
        column: Column,
        position: Position,
    ) -> Result<Self, AppError> {
        app.wait_for_read_models_patiently(position).await;
        let mut agenda = Self::default();
        let mut after = None;
        loop {
            let (entries, next) = app
                .query(move |db| db.agenda(column, after, 10_000))
                .await?;
            for (id, at) in entries {
                agenda.set(id, Some(at));
            }
            match next {
                Some(key) => after = Some(key),
                None => return Ok(agenda),
            }
        }
    }

    /// Reads again the entries of `touched` once the read models include `position`.
    pub(crate) async fn refresh(
        &mut self,
        app: &App,
        column: Column,
        mut touched: Vec<IncidentId>,
        position: Position,
    ) -> Result<(), AppError> {
        touched.sort_unstable();
        touched.dedup();
        if touched.is_empty() {
            return Ok(());
        }
        app.wait_for_read_models_patiently(position).await;
        let next = app.query(move |db| db.next_of(column, &touched)).await?;
        for (id, at) in next {
            self.set(id, at);
        }
        Ok(())
    }

    /// Sets (or clears, with None) when `id` is due next.
    pub fn set(&mut self, id: IncidentId, at: Option<i64>) {
        if let Some(old) = self.by_id.remove(&id) {
            self.by_time.remove(&(old, id));
        }
        if let Some(at) = at {
            self.by_id.insert(id, at);
            self.by_time.insert((at, id));
        }
    }

    /// Takes up to `limit` incidents due at or before `now`, earliest first.
    pub fn take_due(&mut self, now: i64, limit: usize) -> Vec<(IncidentId, i64)> {
        let mut due = Vec::new();
        while due.len() < limit {
            match self.by_time.first() {
                Some(&(at, id)) if at <= now => {
                    self.by_time.pop_first();
                    self.by_id.remove(&id);
                    due.push((id, at));
                }
                _ => break,
            }
        }
        due
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_incident_is_due_once_at_its_latest_instant() {
        let (a, b) = (
            IncidentId(uuid::Uuid::from_u128(1)),
            IncidentId(uuid::Uuid::from_u128(2)),
        );
        let mut agenda = Agenda::default();
        agenda.set(a, Some(10));
        agenda.set(b, Some(20));
        agenda.set(a, Some(30)); // its next threshold moved (a pause, a new target)
        assert!(agenda.take_due(9, 10).is_empty());
        assert_eq!(agenda.take_due(25, 10), vec![(b, 20)]);
        assert_eq!(agenda.take_due(25, 10), vec![]);
        agenda.set(a, None);
        assert_eq!(agenda.len(), 0);
        assert!(agenda.take_due(100, 10).is_empty());
    }
}
