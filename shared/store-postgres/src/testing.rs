//! For test suites that need a PostgreSQL: the server named by `SERVICEDESK_TEST_POSTGRES_URL`
//! (`.ci/postgres start` starts a throwaway one and prints it), and a fresh database on it per
//! test so tests never see each other's events.

use crate::connect::{connect, parse};
use servicedesk_store::StoreError;

pub const URL_VARIABLE: &str = "SERVICEDESK_TEST_POSTGRES_URL";

/// The test server's URL, or why there is none.
pub fn server_url() -> Result<String, String> {
    std::env::var(URL_VARIABLE).map_err(|_| {
        format!("{URL_VARIABLE} is not set (eval \"$(.ci/postgres start)\" starts a server)")
    })
}

/// Creates an empty database on the server at `server_url` and returns its URL.
pub async fn fresh_database(server_url: &str) -> Result<String, StoreError> {
    let name = format!("sd_test_{}", uuid::Uuid::new_v4().simple());
    let client = connect(&parse(server_url)?).await?;
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(crate::errors::store_error)?;
    Ok(with_database(server_url, &name))
}

/// The URL with its database replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced_and_parameters_kept() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
    }
}
