//! What every backend must do, written once against `Arc<dyn EventStore>`.
//!
//! Each check is a plain async fn returning `Err(description)` instead of panicking, so the
//! suite lives outside `#[cfg(test)]` and other crates can run it. A backend's test file runs
//! them all, one `#[tokio::test]` per check, with [`conformance_tests!`](crate::conformance_tests).
//!
//! Checks name their streams uniquely and look at `read_all` only from the head they saw at
//! their start, filtered to their own streams, so they also hold on a store other tests (or
//! system streams) write to. Positions are only assumed to increase, not to be dense.

// macro_rules! are visible only below their definition, so these precede the check modules.

/// `return Err(..)` unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

macro_rules! ensure_eq {
    ($left:expr, $right:expr, $what:expr) => {{
        let (left, right) = (&$left, &$right);
        ensure!(left == right, "{}: {:?} != {:?}", $what, left, right);
    }};
}

mod append;
mod append_many;
mod concurrency;
mod lifecycle;
mod read;
mod support;

pub use append::*;
pub use append_many::*;
pub use concurrency::*;
pub use lifecycle::*;
pub use read::*;

use crate::EventStore;
use std::sync::Arc;

pub type CheckResult = Result<(), String>;

/// A backend's test setup: hands out the store under test and keeps alive whatever it needs
/// (a temp dir, a server handle) until the check is over. A backend that needs a server the
/// machine lacks says so instead: `Err(reason)`, and the check reports that it did not run.
pub trait Fixture: Send + 'static {
    fn store(&self) -> Result<Arc<dyn EventStore>, String>;
}

impl Fixture for Arc<dyn EventStore> {
    fn store(&self) -> Result<Arc<dyn EventStore>, String> {
        Ok(Arc::clone(self))
    }
}

/// Expands to one `#[tokio::test]` per conformance check. The argument is an async factory,
/// `Fn() -> impl Future<Output = impl Fixture>`, called once per test for a fresh store. The calling crate needs
/// `tokio` (features `macros`, `rt-multi-thread`) as a dev-dependency.
///
/// ```ignore
/// servicedesk_store::conformance_tests!(|| async { Arc::new(open_store()) as Arc<dyn EventStore> });
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($factory:expr) => {
        $crate::conformance_tests!(@each $factory;
            append_to_new_stream_with_no_stream,
            no_stream_on_existing_stream_conflicts,
            exact_version_must_match,
            stream_exists_on_missing_stream_conflicts,
            any_always_appends,
            multi_event_append_is_consecutive,
            read_stream_from_version_with_max,
            read_all_in_global_order_with_max,
            positions_strictly_increase,
            envelope_round_trips,
            racing_writers_on_one_stream_have_one_winner,
            concurrent_appenders_on_distinct_streams,
            follower_sees_concurrent_commits_once_in_order,
            subscription_catches_up_then_follows,
            head_advances_to_last_position,
            append_after_close_is_closed,
            empty_append_is_invalid,
            append_many_writes_every_part,
            append_many_conflict_writes_nothing,
            append_many_checks_parts_in_order,
            append_many_refuses_empty_parts,
        );
    };
    (@each $factory:expr; $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let fixture = ($factory)().await;
                let store = match $crate::conformance::Fixture::store(&fixture) {
                    Ok(store) => store,
                    Err(reason) => {
                        eprintln!("{} DID NOT RUN: {}", stringify!($check), reason);
                        return;
                    }
                };
                let outcome = $crate::conformance::$check(store).await;
                drop(fixture);
                if let Err(failure) = outcome {
                    panic!("{}: {}", stringify!($check), failure);
                }
            }
        )+
    };
}
