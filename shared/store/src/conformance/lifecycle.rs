//! Following the log (subscription, head) and shutting it down (close).

use super::support::*;
use super::CheckResult;
use crate::{EventStore, ExpectedVersion, StoreError, Subscription};
use std::sync::Arc;
use std::time::Duration;

pub async fn subscription_catches_up_then_follows(store: Arc<dyn EventStore>) -> CheckResult {
    let start = head(&*store);
    let s = stream("subscription");
    append(
        &*store,
        &s,
        ExpectedVersion::NoStream,
        (0..3).map(event).collect(),
    )
    .await?;
    let mut subscription = Subscription::new(Arc::clone(&store), start, 2);
    let mut seen = Vec::new();
    receive_until(&mut subscription, &s, 3, &mut seen).await?;
    let writer = {
        let (store, s) = (Arc::clone(&store), s.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            store
                .append(&s, ExpectedVersion::Exact(2), vec![event(3), event(4)])
                .await
        })
    };
    receive_until(&mut subscription, &s, 5, &mut seen).await?;
    writer
        .await
        .map_err(|e| format!("writer task: {e}"))?
        .map_err(|e| format!("append while subscribed: {e}"))?;
    ensure_eq!(versions(&seen), vec![0, 1, 2, 3, 4], "versions received");
    ensure_increasing(&seen)?;
    Ok(())
}

pub async fn head_advances_to_last_position(store: Arc<dyn EventStore>) -> CheckResult {
    let mut head = store.head();
    head.borrow_and_update();
    let s = stream("head");
    for n in 0..3 {
        let appended = append(&*store, &s, ExpectedVersion::Any, vec![event(n)]).await?;
        ensure!(
            head.has_changed().unwrap_or(false),
            "head did not signal a change after append {n}"
        );
        let now = *head.borrow_and_update();
        ensure!(
            now >= appended.position,
            "head {now} is behind the append at {}",
            appended.position
        );
    }
    Ok(())
}

pub async fn append_after_close_is_closed(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("closed");
    append(&*store, &s, ExpectedVersion::NoStream, vec![event(0)]).await?;
    store.close().await.map_err(|e| format!("close: {e}"))?;
    let after = store.append(&s, ExpectedVersion::Any, vec![event(1)]).await;
    ensure!(
        matches!(after, Err(StoreError::Closed)),
        "append after close: {after:?}"
    );
    store
        .close()
        .await
        .map_err(|e| format!("second close: {e}"))?;
    Ok(())
}
