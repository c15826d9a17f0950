//! Integrations change rarely and are read on every webhook (by key) and every alarm reaction
//! (by id): both are answered from memory. The cache is dropped whenever the read model applies
//! a change of any integration (`ProjectionHandle::integration_changes`), in this process or
//! another one, so a revoked key stops working as soon as the read model shows the revocation.

use crate::{App, AppError};
use servicedesk_domain::integration::{Integration, IntegrationId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries kept at most: unknown keys are remembered too (a sender retrying a wrong key costs
/// one query), and this bounds what a spray of random keys can fill.
const LIMIT: usize = 10_000;

#[derive(Default)]
pub(crate) struct IntegrationCache {
    cached: Mutex<Cached>,
}

#[derive(Default)]
struct Cached {
    changes: u64,
    by_key: HashMap<String, Option<Arc<Integration>>>,
    by_id: HashMap<IntegrationId, Option<Arc<Integration>>>,
}

impl Cached {
    /// Forgets everything if an integration changed since it was filled.
    fn current(&mut self, changes: u64) -> &mut Self {
        if self.changes != changes || self.by_key.len() + self.by_id.len() > LIMIT {
            *self = Self {
                changes,
                ..Self::default()
            };
        }
        self
    }
}

impl App {
    /// The live (not revoked) integration whose key hashes to `key_sha256`.
    pub async fn integration_by_key(
        &self,
        key_sha256: &str,
    ) -> Result<Option<Arc<Integration>>, AppError> {
        let changes = self.projections.integration_changes();
        if let Ok(mut cached) = self.integrations.cached.lock() {
            if let Some(found) = cached.current(changes).by_key.get(key_sha256) {
                return Ok(found.clone());
            }
        }
        let key = key_sha256.to_owned();
        let found = self
            .query(move |db| db.integration_by_key(&key))
            .await?
            .map(Arc::new);
        if let Ok(mut cached) = self.integrations.cached.lock() {
            if cached.changes == changes {
                cached.by_key.insert(key_sha256.to_owned(), found.clone());
            }
        }
        Ok(found)
    }

    /// The integration `id` as the read model has it (revoked ones too).
    pub async fn integration(
        &self,
        id: IntegrationId,
    ) -> Result<Option<Arc<Integration>>, AppError> {
        let changes = self.projections.integration_changes();
        if let Ok(mut cached) = self.integrations.cached.lock() {
            if let Some(found) = cached.current(changes).by_id.get(&id) {
                return Ok(found.clone());
            }
        }
        let found = self
            .query(move |db| db.integration(id))
            .await?
            .map(Arc::new);
        if let Ok(mut cached) = self.integrations.cached.lock() {
            if cached.changes == changes {
                cached.by_id.insert(id, found.clone());
            }
        }
        Ok(found)
    }
}
