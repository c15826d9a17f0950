//! Integrations change rarely and are read on every webhook (by key) and every alarm reaction
//! (by id): both are answered from memory. The cache is dropped whenever the read model applies
//! a change of any integration (`ProjectionHandle::integration_changes`), in this process or
//! another one, so a revoked key stops working as soon as the read model shows the revocation.

use crate::{App, AppError};
use servicedesk_domain::integration::{Integration, IntegrationId};
use servicedesk_projections::{ProjectionError, ReadModelDb};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries kept at most: unknown keys are remembered too (a sender retrying a wrong key costs
/// one query), and this bounds what a spray of random keys can fill.
const LIMIT: usize = 10_000;

#[derive(Default)]
pub(crate) struct IntegrationCache {
    cached: Mutex<Cached>,
}

/// How an integration was asked for: by the SHA-256 of its key or by its id.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Lookup {
    Key(String),
    Id(IntegrationId),
}

#[derive(Default)]
struct Cached {
    changes: u64,
    found: HashMap<Lookup, Option<Arc<Integration>>>,
}

impl Cached {
    /// Forgets everything if an integration changed since it was filled.
    fn current(&mut self, changes: u64) -> &mut Self {
        if self.changes != changes || self.found.len() > LIMIT {
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
    ///
    /// On a shared log, a key registered on another instance a moment ago may not be in this
    /// instance's read model yet: an unknown key waits (briefly) for the read model to reach
    /// the log head as this instance sees it, and is looked up once more.
    pub async fn integration_by_key(
        &self,
        key_sha256: &str,
    ) -> Result<Option<Arc<Integration>>, AppError> {
        let found = self.integration_by_key_now(key_sha256).await?;
        if found.is_some() || !self.settings.shared_log {
            return Ok(found);
        }
        let head = *self.store.head().borrow();
        if self.projections.position() >= head
            || !self
                .projections
                .wait_for(head, self.settings.read_your_writes_timeout)
                .await
        {
            return Ok(found);
        }
        self.integration_by_key_now(key_sha256).await
    }

    async fn integration_by_key_now(
        &self,
        key_sha256: &str,
    ) -> Result<Option<Arc<Integration>>, AppError> {
        let key = key_sha256.to_owned();
        self.cached_integration(Lookup::Key(key_sha256.to_owned()), move |db| {
            db.integration_by_key(&key)
        })
        .await
    }

    /// The integration `id` as the read model has it (revoked ones too).
    pub async fn integration(
        &self,
        id: IntegrationId,
    ) -> Result<Option<Arc<Integration>>, AppError> {
        self.cached_integration(Lookup::Id(id), move |db| db.integration(id))
            .await
    }

    /// The cached answer to `lookup`, else `query`'s, remembered unless an integration
    /// changed while it ran.
    async fn cached_integration(
        &self,
        lookup: Lookup,
        query: impl FnOnce(&ReadModelDb) -> Result<Option<Integration>, ProjectionError>
            + Send
            + 'static,
    ) -> Result<Option<Arc<Integration>>, AppError> {
        let changes = self.projections.integration_changes();
        if let Ok(mut cached) = self.integrations.cached.lock() {
            if let Some(found) = cached.current(changes).found.get(&lookup) {
                return Ok(found.clone());
            }
        }
        let found = self.query(query).await?.map(Arc::new);
        if let Ok(mut cached) = self.integrations.cached.lock() {
            if cached.changes == changes {
                cached.found.insert(lookup, found.clone());
            }
        }
        Ok(found)
    }
}
