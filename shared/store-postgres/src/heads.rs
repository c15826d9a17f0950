//! The head every follower waits on. The writer publishes its own commits at once; a listener
//! connection hears the other instances' commits through `LISTEN/NOTIFY` (sent inside each
//! append transaction, so delivered at its commit) and polls `log_head` now and then, which
//! covers notifications missed while it was reconnecting.

use crate::codec::to_u64;
use crate::errors::{describe, store_error};
use futures_util::StreamExt;
use servicedesk_store::{advance_head, Position, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Config, NoTls};

pub(crate) const CHANNEL: &str = "servicedesk_events";
const POLL: Duration = Duration::from_secs(2);
const RECONNECT: Duration = Duration::from_millis(500);

pub(crate) async fn read_head(client: &tokio_postgres::Client) -> Result<Position, StoreError> {
    let row = client
        .query_one("SELECT position FROM log_head", &[])
        .await
        .map_err(store_error)?;
    to_u64(row.get(0))
}

/// Runs until `stop` turns true (or its sender goes), reconnecting after failures.
pub(crate) async fn listen(
    config: Config,
    head: Arc<watch::Sender<Position>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match listen_once(&config, &head, &mut stop).await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(%error, "PostgreSQL head listener lost its connection; reconnecting");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(RECONNECT) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn listen_once(
    config: &Config,
    head: &watch::Sender<Position>,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), StoreError> {
    let (client, mut connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| StoreError::Unavailable(describe(&e)))?;
    let (notices, mut heard) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if notices.send(Some(n.payload().to_owned())).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let _ = notices.send(None);
    });
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(store_error)?;
    advance_head(head, read_head(&client).await?);
    let mut poll = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            notice = heard.recv() => match notice {
                Some(Some(payload)) => {
                    if let Ok(position) = payload.parse::<Position>() {
                        advance_head(head, position);
                    }
                }
                _ => return Err(StoreError::Unavailable("listener connection closed".to_owned())),
            },
            _ = poll.tick() => advance_head(head, read_head(&client).await?),
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return Ok(());
                }
            }
        }
    }
}
