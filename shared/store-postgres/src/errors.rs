//! Which PostgreSQL failures are "try again" (the server is away) and which are faults.

use servicedesk_store::StoreError;

/// A lost connection, a server shutting down or starting, or a network fault: the call wrote
/// nothing (or, for a commit, is looked up before answering) and may be retried.
pub(crate) fn store_error(e: tokio_postgres::Error) -> StoreError {
    if is_unavailable(&e) {
        StoreError::Unavailable(describe(&e))
    } else {
        StoreError::Io(describe(&e))
    }
}

pub(crate) fn is_unavailable(e: &tokio_postgres::Error) -> bool {
    match e.as_db_error() {
        // Errors without a server answer: I/O, a closed connection, a timeout.
        None => true,
        Some(db) => {
            let code = db.code().code();
            // Class 08: connection exception; 57P01..57P03: admin/crash shutdown, cannot
            // connect now (starting up or in recovery).
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
        }
    }
}

/// tokio-postgres' Display says only "db error"; the server's message is the useful part.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

pub(crate) fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => store_error(e),
        deadpool_postgres::PoolError::Closed => StoreError::Closed,
        other => StoreError::Unavailable(other.to_string()),
    }
}
