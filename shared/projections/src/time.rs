use chrono::{DateTime, Utc};

pub fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}
