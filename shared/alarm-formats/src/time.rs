//! Timestamp parsing shared by the formats.

use chrono::{DateTime, Datelike, Utc};

/// RFC 3339 (any offset, any fraction of a second), plus ISO 8601 offsets without a colon
/// (`2015-07-17T08:42:58.315+0000`, as in PagerDuty's own examples).
pub(crate) fn parse_iso8601(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Go's zero `time.Time` (`0001-01-01T00:00:00Z`): Alertmanager writes it for "unknown".
pub(crate) fn is_go_zero_time(time: &DateTime<Utc>) -> bool {
    time.year() == 1 && time.ordinal() == 1 && time.timestamp_subsec_nanos() == 0
}

/// Seconds since the Unix epoch (Nagios `$TIMET$`, `$LASTSERVICESTATECHANGE$`).
/// Icinga 2 sends fractions (`1566551597.123456`); they are kept to the microsecond.
pub(crate) fn from_unix_seconds(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let secs = whole.parse::<i64>().ok()?;
    if !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 9 {
        return None;
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse::<u32>().ok()?
    };
    DateTime::from_timestamp(secs, nanos - nanos % 1_000)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn unix_seconds_with_and_without_fractions() {
        assert_eq!(
            from_unix_seconds("1566551597"),
            Some(utc("2019-08-23T09:13:17Z"))
        );
        assert_eq!(
            from_unix_seconds("1566551597.25"),
            Some(utc("2019-08-23T09:13:17.25Z"))
        );
        assert_eq!(
            from_unix_seconds("1566551597.1234567"),
            Some(utc("2019-08-23T09:13:17.123456Z"))
        );
        assert_eq!(from_unix_seconds("15665x"), None);
        assert_eq!(from_unix_seconds("1566551597.x"), None);
    }

    #[test]
    fn accepts_rfc3339_offsets_and_nanoseconds() {
        assert_eq!(
            parse_iso8601("2018-11-04T22:43:58.283995108+01:00"),
            Some(utc("2018-11-04T21:43:58.283995108Z"))
        );
        assert_eq!(
            parse_iso8601("2020-02-06T00:17:58.432911368Z"),
            Some(utc("2020-02-06T00:17:58.432911368Z"))
        );
    }

    #[test]
    fn accepts_offsets_without_colon() {
        assert_eq!(
            parse_iso8601("2015-07-17T08:42:58.315+0000"),
            Some(utc("2015-07-17T08:42:58.315Z"))
        );
        assert_eq!(
            parse_iso8601("2015-07-17T10:42:58+0200"),
            Some(utc("2015-07-17T08:42:58Z"))
        );
    }

    #[test]
    fn rejects_garbage_and_spots_go_zero() {
        assert_eq!(parse_iso8601("yesterday"), None);
        assert!(is_go_zero_time(
            &parse_iso8601("0001-01-01T00:00:00Z").unwrap()
        ));
        assert!(!is_go_zero_time(&utc("2020-01-01T00:00:00Z")));
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(
            from_unix_seconds("1566551597"),
            Some(utc("2019-08-23T09:13:17Z"))
        );
        assert_eq!(from_unix_seconds("soon"), None);
    }
}
