//! When each incident's next SLA threshold falls due: the scheduler's whole memory, a few
//! dozen bytes per incident with a running timer.

use servicedesk_domain::incident::IncidentId;
use std::collections::{BTreeSet, HashMap};

/// Instants are microseconds since the epoch (as the read model keeps them). Public for the
/// benchmark, which weighs it.
#[derive(Default)]
pub struct Agenda {
    by_time: BTreeSet<(i64, IncidentId)>,
    by_id: HashMap<IncidentId, i64>,
}

impl Agenda {
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
