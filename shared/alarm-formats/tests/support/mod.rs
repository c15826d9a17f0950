//! Shared by the test binaries: where the payload files are, and fixed times.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::path::PathBuf;

/// The shared payload folder: this crate is `<repo>/shared/alarms`, the payloads are
/// `<repo>/../shared/payloads` (CI clones the repository next to `shared/`).
pub fn payload_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/payloads")
}

pub fn read(relative: &str) -> Vec<u8> {
    let path = payload_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn read_json(relative: &str) -> Value {
    serde_json::from_slice(&read(relative)).unwrap()
}

/// The `.txt` form payloads document the body with `#` comment lines; the body is the one
/// other non-empty line.
pub fn form_body(relative: &str) -> Vec<u8> {
    let text = String::from_utf8(read(relative)).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "{relative} should hold exactly one body line"
    );
    lines[0].as_bytes().to_vec()
}

pub fn received_at() -> DateTime<Utc> {
    utc("2026-01-15T10:00:00Z")
}

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}
