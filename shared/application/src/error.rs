//! The one error type of the application boundary. The HTTP layer maps each variant to a
//! status; background processes match on them to tell "already done" from a failure.

use servicedesk_domain::DomainError;
use servicedesk_projections::ProjectionError;
use servicedesk_store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The domain refused the command (invalid values, an illegal transition, ...).
    #[error(transparent)]
    Refused(#[from] DomainError),
    #[error("no {kind} {id}")]
    NotFound { kind: &'static str, id: String },
    /// The caller said which version it had seen (`If-Match`), and the stream has moved on.
    #[error("the {kind} is at version {current_version}, but the request expected {expected}")]
    StaleVersion {
        kind: &'static str,
        expected: u64,
        current_version: u64,
    },
    /// Concurrent writers won every attempt, or the id to create is taken.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// The command found the aggregate in a state that makes it moot or refused: for a
    /// background process, "nothing more to do here" rather than a failure.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::Conflict(_)
                | Self::Refused(
                    DomainError::AlreadyExists
                        | DomainError::IllegalTransition { .. }
                        | DomainError::NotAllowedInStatus { .. }
                        | DomainError::Refused(_)
                )
        )
    }
}

impl From<ProjectionError> for AppError {
    fn from(e: ProjectionError) -> Self {
        Self::Internal(e.to_string())
    }
}
