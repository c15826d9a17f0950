//! The binary's one error type: a message for the operator, printed on exit.

pub type Result<T> = std::result::Result<T, Failure>;

#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

pub fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(Failure(message.into()))
}
