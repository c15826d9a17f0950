//! Nagios' `$LONGDATETIME$` ("Wed Sep 19 15:29:14 CEST 2018", C `%a %b %d %H:%M:%S %Z %Y`).
//!
//! `%Z` is a zone *abbreviation*, and abbreviations are ambiguous (CST is China or US Central,
//! IST India or Ireland). Only unambiguous ones are read; anything else gives `None` so no
//! wrong time is recorded.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

pub(super) fn parse_long_date_time(text: &str) -> Option<DateTime<Utc>> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, month, day, time, zone, year] = parts.as_slice() else {
        return None;
    };
    let offset = FixedOffset::east_opt(zone_offset_seconds(zone)?)?;
    let local =
        NaiveDateTime::parse_from_str(&format!("{month} {day} {year} {time}"), "%b %d %Y %H:%M:%S")
            .ok()?;
    offset
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn zone_offset_seconds(zone: &str) -> Option<i32> {
    const HOUR: i32 = 3600;
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "UT" | "Z" | "WET" => 0,
        "CET" | "MET" | "WEST" | "BST" => 1,
        "CEST" | "MEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "JST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        _ => return numeric_offset_seconds(zone),
    };
    Some(hours * HOUR)
}

/// `+0200` / `-0530`.
fn numeric_offset_seconds(zone: &str) -> Option<i32> {
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
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
    fn known_zones() {
        assert_eq!(
            parse_long_date_time("Wed Sep 19 15:29:14 CEST 2018"),
            Some(utc("2018-09-19T13:29:14Z"))
        );
        assert_eq!(
            parse_long_date_time("Fri Aug  2 01:02:03 EDT 2019"),
            Some(utc("2019-08-02T05:02:03Z"))
        );
        assert_eq!(
            parse_long_date_time("Fri Aug 2 01:02:03 +0530 2019"),
            Some(utc("2019-08-01T19:32:03Z"))
        );
    }

    #[test]
    fn ambiguous_or_malformed_is_none() {
        assert_eq!(parse_long_date_time("Wed Sep 19 15:29:14 CST 2018"), None);
        assert_eq!(parse_long_date_time("Wed Sep 19 15:29:14 2018"), None);
        assert_eq!(parse_long_date_time("yesterday"), None);
    }
}
