//! KurrentDB's errors in the store's terms.

use kurrentdb::{CurrentRevision, Error, StreamState};
use servicedesk_store::StoreError;

pub(crate) fn store_error(stream: &str, e: Error) -> StoreError {
    match e {
        Error::WrongExpectedVersion { expected, current } => StoreError::Conflict {
            stream: stream.to_owned(),
            expected: match expected {
                StreamState::Any => "any version".to_owned(),
                StreamState::NoStream => "no stream".to_owned(),
                StreamState::StreamExists => "an existing stream".to_owned(),
                StreamState::StreamRevision(v) => v.to_string(),
            },
            actual: match current {
                CurrentRevision::Current(v) => Some(v),
                CurrentRevision::NoStream => None,
            },
        },
        Error::ConnectionClosed
        | Error::GrpcConnectionError(_)
        | Error::DeadlineExceeded
        | Error::NotLeaderException(_) => StoreError::Unavailable(e.to_string()),
        Error::Grpc {
            code: tonic::Code::Unavailable,
            ..
        } => StoreError::Unavailable(e.to_string()),
        other => StoreError::Io(other.to_string()),
    }
}
