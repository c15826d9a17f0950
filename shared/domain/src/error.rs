use crate::incident::Status;

/// One invalid input value, named by the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a command was refused. Each variant maps to one HTTP status at the API boundary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("the ticket does not exist")]
    NotFound,
    #[error("the ticket already exists")]
    AlreadyExists,
    #[error(
        "cannot move from {from} to {to}; allowed from {from}: {}",
        list(allowed)
    )]
    IllegalTransition {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    #[error("cannot {action} while the ticket is {status}")]
    NotAllowedInStatus {
        action: &'static str,
        status: Status,
    },
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Refused by the resource's state for a reason the message gives (for resources without
    /// an incident-style status).
    #[error("{0}")]
    Refused(String),
}

impl DomainError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

fn list(statuses: &[Status]) -> String {
    if statuses.is_empty() {
        return "none (final state)".to_owned();
    }
    statuses
        .iter()
        .map(Status::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
