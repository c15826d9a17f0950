//! The head: the commit position of the last event in `$all` that is ours, moved on by a live
//! subscription (resubscribing from where it stood after a failure).

use crate::errors::store_error;
use crate::is_ours;
use kurrentdb::{Client, ReadAllOptions, SubscribeToAllOptions, SubscriptionFilter};
use servicedesk_store::{advance_head, Position, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The position of the last event of ours, reading `$all` backwards past system events (page
/// by page: the newest thousand may all be `$stats`).
pub(crate) async fn last_position(client: &Client) -> Result<Position, StoreError> {
    const PAGE: usize = 1024;
    let mut from = kurrentdb::StreamPosition::End;
    loop {
        let options = ReadAllOptions::default()
            .backwards()
            .position(from)
            .max_count(PAGE);
        let mut read = client
            .read_all(&options)
            .await
            .map_err(|e| store_error("$all", e))?;
        let mut raw = 0;
        let mut oldest = None;
        loop {
            match read.next().await {
                Ok(Some(resolved)) => {
                    raw += 1;
                    let event = resolved.get_original_event();
                    if is_ours(event.stream_id()) {
                        return Ok(event.position.commit);
                    }
                    oldest = Some(event.position);
                }
                Ok(None) => break,
                Err(e) => return Err(store_error("$all", e)),
            }
        }
        match oldest {
            Some(position) if raw == PAGE => from = kurrentdb::StreamPosition::Position(position),
            _ => return Ok(0),
        }
    }
}

pub(crate) async fn follow(client: Client, head: Arc<watch::Sender<Position>>) {
    loop {
        let from = *head.borrow();
        let start = kurrentdb::Position {
            commit: from,
            prepare: from,
        };
        let options = SubscribeToAllOptions::default()
            .position(kurrentdb::StreamPosition::Position(start))
            .filter(SubscriptionFilter::on_stream_name().exclude_system_events());
        let mut subscription = client.subscribe_to_all(&options).await;
        loop {
            match subscription.next().await {
                Ok(resolved) => {
                    let event = resolved.get_original_event();
                    if is_ours(event.stream_id()) {
                        advance_head(&head, event.position.commit);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "KurrentDB $all subscription failed; resubscribing");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
