//! A per-channel rate limit: a token bucket a channel's deliveries draw from (real time: it
//! protects gateways and mail relays, whatever the injected clock says).

use servicedesk_domain::people::ContactKind;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Messages a second per channel, and how many may go at once after a quiet spell.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

#[derive(Default)]
pub(super) struct Limiter {
    limit: Option<RateLimit>,
    buckets: Mutex<HashMap<ContactKind, (f64, Instant)>>,
}

impl Limiter {
    pub(super) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limit,
            buckets: Mutex::default(),
        }
    }

    /// Takes a token for `channel`, or says how long until there is one.
    pub(super) fn take(&self, channel: ContactKind) -> Result<(), Duration> {
        let Some(limit) = self.limit.filter(|l| l.per_second > 0.0) else {
            return Ok(());
        };
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let (tokens, since) = buckets.entry(channel).or_insert((limit.burst, now));
        *tokens = (*tokens + now.duration_since(*since).as_secs_f64() * limit.per_second)
            .min(limit.burst.max(1.0));
        *since = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / limit.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_the_rate_holds() {
        let limiter = Limiter::new(Some(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        }));
        for _ in 0..3 {
            assert_eq!(limiter.take(ContactKind::Sms), Ok(()));
        }
        let wait = limiter.take(ContactKind::Sms).unwrap_err();
        assert!(wait > Duration::from_millis(50) && wait <= Duration::from_millis(100));
        assert_eq!(
            limiter.take(ContactKind::Webhook),
            Ok(()),
            "each channel its own"
        );
        assert_eq!(Limiter::new(None).take(ContactKind::Email), Ok(()));
    }
}
