//! Given a schedule, who is on call when: hand-offs at a local time across both DST changes,
//! a weekend-and-holiday layer on top, an override on top of all, and bad definitions refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use chrono::{DateTime, Duration, TimeZone, Utc};

fn schedule(json: serde_json::Value) -> Schedule {
    let spec: ScheduleSpec = serde_json::from_value(json).unwrap();
    spec.validate().unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn who(s: &Schedule, at: &str) -> Option<String> {
    s.on_call(utc(at)).map(|o| o.person)
}

fn weekly() -> serde_json::Value {
    serde_json::json!({"name": "weekly", "rotation": {"every": "weekly", "handoff": "09:00",
        "start": "2026-03-23", "members": ["bob", "carol"]}})
}

#[test]
fn a_weekly_hand_off_stays_at_nine_local_across_both_dst_changes() {
    let s = schedule(
        serde_json::json!({"name": "ops", "time_zone": "Europe/Berlin", "layers": [weekly()]}),
    );
    // Monday 23 March 09:00 CET = 08:00 UTC: bob's week begins
    assert_eq!(
        who(&s, "2026-03-23T07:59:59Z"),
        None,
        "before the first hand-off"
    );
    assert_eq!(who(&s, "2026-03-23T08:00:00Z").as_deref(), Some("bob"));
    // clocks go forward on Sunday 29 March: Monday 30 March 09:00 CEST = 07:00 UTC
    assert_eq!(who(&s, "2026-03-30T06:59:59Z").as_deref(), Some("bob"));
    assert_eq!(who(&s, "2026-03-30T07:00:00Z").as_deref(), Some("carol"));
    // clocks go back on Sunday 25 October: Monday 26 October 09:00 CET = 08:00 UTC
    assert_eq!(who(&s, "2026-10-26T07:30:00Z").as_deref(), Some("bob"));
    assert_eq!(who(&s, "2026-10-26T08:00:00Z").as_deref(), Some("carol"));
    let shifts = s.shifts(utc("2026-03-23T00:00:00Z"), utc("2026-04-07T00:00:00Z"));
    let hours: Vec<i64> = shifts
        .iter()
        .map(|x| (x.end - x.start).num_hours())
        .collect();
    assert_eq!(shifts[0].start, utc("2026-03-23T08:00:00Z"));
    assert_eq!(
        hours[0], 167,
        "the week with the spring change is an hour short"
    );
    assert_eq!(hours[1], 168);
    // Monday 19 October 09:00 CEST = 07:00 UTC to Monday 26 October 09:00 CET = 08:00 UTC
    let autumn = s.shifts(utc("2026-10-19T07:00:00Z"), utc("2026-10-27T00:00:00Z"));
    assert_eq!(autumn[0].start, utc("2026-10-19T07:00:00Z"));
    assert_eq!(
        autumn[0].end - autumn[0].start,
        Duration::hours(169),
        "an hour long"
    );
}

#[test]
fn a_weekend_and_holiday_layer_lies_on_top_and_an_override_on_top_of_all() {
    let s = schedule(
        serde_json::json!({"name": "ops", "time_zone": "Europe/Berlin", "layers": [
        weekly(),
        {"name": "weekends", "only_on": {"weekdays": ["sat", "sun"], "holidays": ["2026-12-24"]},
         "rotation": {"every": "daily", "handoff": "08:00", "start": "2026-11-01",
                      "members": ["dave", "erin"]}}
    ], "overrides": [{"from": "2026-12-01T10:00:00Z", "to": "2026-12-01T12:00:00Z", "person": "frank"}]}),
    );
    // Saturday 5 December 12:00 Berlin: the weekend layer
    let on = s.on_call(utc("2026-12-05T11:00:00Z")).unwrap();
    assert_eq!(on.layer, Some(1));
    // Thursday 24 December (a holiday) at noon: the weekend layer again
    assert_eq!(
        s.on_call(utc("2026-12-24T11:00:00Z")).unwrap().layer,
        Some(1)
    );
    // Wednesday 23 December: the weekly layer
    assert_eq!(
        s.on_call(utc("2026-12-23T11:00:00Z")).unwrap().layer,
        Some(0)
    );
    // Tuesday 1 December 11:00 UTC: the override
    let over = s.on_call(utc("2026-12-01T11:00:00Z")).unwrap();
    assert_eq!((over.person.as_str(), over.is_override), ("frank", true));
    let shifts = s.shifts(utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z"));
    let people: Vec<&str> = shifts.iter().map(|x| x.on_call.person.as_str()).collect();
    let weekly_person = people[0];
    assert_eq!(people, vec![weekly_person, "frank", weekly_person]);
    assert_eq!(shifts[1].start, utc("2026-12-01T10:00:00Z"));
    assert_eq!(shifts[1].end, utc("2026-12-01T12:00:00Z"));
    // daily hand-offs within the weekend: dave and erin take turns at 08:00 local
    let weekend = s.shifts(utc("2026-12-05T00:00:00Z"), utc("2026-12-07T00:00:00Z"));
    let weekend_people: Vec<&str> = weekend.iter().map(|x| x.on_call.person.as_str()).collect();
    assert!(
        weekend_people.contains(&"dave") && weekend_people.contains(&"erin"),
        "{weekend:?}"
    );
}

#[test]
fn bad_schedules_name_every_field_at_fault() {
    let spec: ScheduleSpec = serde_json::from_value(serde_json::json!({
        "name": "", "time_zone": "Europe/Berlin", "layers": [
            {"name": "no one", "rotation": {"every": "daily", "handoff": "09:00", "start": "2026-11-01", "members": []}},
            {"name": "gap", "rotation": {"every": "daily", "handoff": "02:30", "start": "2026-11-01", "members": ["bob"]}},
            {"name": "bad time", "rotation": {"every": "weekly", "handoff": "25:00", "start": "2026-11-02", "members": ["bob"]}},
            {"name": "bad day", "only_on": {"weekdays": ["funday"]}, "rotation": {"every": "daily", "handoff": "08:00", "start": "2026-11-01", "members": ["bob"]}}
        ],
        "overrides": [{"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z", "person": "bob"}]
    }))
    .unwrap();
    let errors = spec.validate().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "name",
            "layers[0].rotation.members",
            "layers[1].rotation.handoff",
            "layers[2].rotation.handoff",
            "layers[3].only_on.weekdays[0]",
            "overrides[0].to"
        ]
    );
    assert!(
        errors[2].message.contains("2027-03-28"),
        "{}",
        errors[2].message
    );
    let zone: ScheduleSpec = serde_json::from_value(serde_json::json!({
        "name": "x", "time_zone": "Mars/Olympus", "layers": [weekly()]}))
    .unwrap();
    assert_eq!(zone.validate().unwrap_err()[0].field, "time_zone");
}

#[test]
fn shifts_are_a_feed_for_calendars() {
    let s = schedule(serde_json::json!({"name": "ops", "time_zone": "UTC", "layers": [weekly()]}));
    let shifts = s.shifts(utc("2026-03-23T00:00:00Z"), utc("2026-04-13T00:00:00Z"));
    let ics = shifts_ics(uuid::Uuid::from_u128(5), "Ops, on call", &shifts, |id| {
        id.to_uppercase()
    });
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), shifts.len());
    assert!(ics.contains("SUMMARY:On call: BOB\r\n"));
    assert!(ics.contains("DTSTART:20260323T090000Z\r\n"));
    assert!(ics.contains("X-WR-CALNAME:Ops\\, on call\r\n"));
    let _ = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0);
}
