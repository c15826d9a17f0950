//! Re-exports the domain's canonical alarm (the formats produce it) and the parse error.

pub use servicedesk_domain::alarm::canonical::*;

/// Why a payload was refused. Always the sender's fault (a 4xx it should not retry).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    /// The JSON path or form field at fault ("body" when the whole payload is).
    pub field: String,
    pub message: String,
}

impl ParseError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
