use servicedesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("read model database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("event log: {0}")]
    Store(#[from] StoreError),
    #[error("corrupt read model row: {0}")]
    Corrupt(String),
    #[error("read model worker stopped: {0}")]
    Worker(String),
}
