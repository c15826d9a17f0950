//! Integration keys: 128 random bits as 32 hex characters (PagerDuty routing keys have that
//! shape, so senders that validate them accept ours). Only the SHA-256 is stored.

use sha2::{Digest, Sha256};

pub struct NewKey {
    pub key: String,
    pub sha256: String,
    pub hint: String,
}

pub fn generate() -> NewKey {
    let key = format!("{:032x}", rand::random::<u128>());
    NewKey {
        sha256: sha256_hex(&key),
        hint: key.chars().take(4).collect(),
        key,
    }
}

pub fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_hex_and_hash_to_what_is_stored() {
        let k = generate();
        assert_eq!(k.key.len(), 32);
        assert!(k.key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(k.sha256, sha256_hex(&k.key));
        assert_eq!(k.sha256.len(), 64);
        assert_ne!(generate().key, k.key);
    }
}
