//! Slugs: the keys tickets carry for customers and services (`acme`, `mail-hosting`).

/// Why `value` is not a slug, if it is not one.
pub fn slug_error(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        });
    (!ok)
        .then(|| format!("{value:?} is not a slug (lower-case letters, digits, - _ .; at most 64)"))
}

/// The stream id of the entry keyed by `slug` in a registry: the same slug is always the same
/// stream, so a second definition of it conflicts instead of making a twin.
pub fn slug_uuid(namespace: uuid::Uuid, slug: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&namespace, slug.as_bytes())
}
