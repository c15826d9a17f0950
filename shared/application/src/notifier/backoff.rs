//! When to try a failed delivery again: exponential backoff with jitter, then the dead letters.

use chrono::{DateTime, Utc};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub first_wait: Duration,
    pub longest_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 8,
            first_wait: Duration::from_secs(30),
            longest_wait: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// After failed try `attempt` (1 for the first): when to try again, or None for the dead
    /// letters. The jitter (up to a fifth of the wait) comes from the notification's id, so
    /// many notifications failing at once do not all come back at once, and the same one
    /// always waits the same.
    pub fn after(&self, attempt: u32, id: uuid::Uuid, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempt >= self.attempts {
            return None;
        }
        let doubled = self
            .first_wait
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let wait = doubled.min(self.longest_wait);
        let spread = (id.as_u128() % 1000) as u32;
        let jitter = wait / 5 * spread / 1000;
        chrono::Duration::from_std(wait + jitter)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest_and_the_last_try_dead_letters() {
        let policy = RetryPolicy::default();
        let now = DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = uuid::Uuid::from_u128(0);
        let wait = |attempt| (policy.after(attempt, id, now).unwrap() - now).num_seconds();
        assert_eq!([wait(1), wait(2), wait(3)], [30, 60, 120]);
        assert_eq!(wait(7), 1920);
        assert_eq!(policy.after(8, id, now), None);
        let other = policy.after(1, uuid::Uuid::from_u128(999), now).unwrap();
        assert!((other - now).num_seconds() > 30, "jitter spreads them");
    }
}
