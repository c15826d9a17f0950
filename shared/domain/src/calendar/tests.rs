//! Calendar arithmetic: cases people file bugs about, properties over random calendars, and
//! an independent minute-by-minute count that the day-walking arithmetic must agree with.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

fn spec(tz: &str, weekly: serde_json::Value, holidays: &[&str]) -> Calendar {
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "test", "time_zone": tz, "weekly": weekly, "holidays": holidays
    }))
    .unwrap();
    spec.validate().unwrap()
}

fn office(tz: &str, holidays: &[&str]) -> Calendar {
    let day = serde_json::json!([["09:00", "18:00"]]);
    spec(
        tz,
        serde_json::json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}),
        holidays,
    )
}

fn all_day(tz: &str) -> Calendar {
    let day = serde_json::json!([["00:00", "24:00"]]);
    spec(
        tz,
        serde_json::json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}),
        &[],
    )
}

/// A wall-clock time in `tz` (the first occurrence if it repeats).
fn at(tz: &str, text: &str) -> DateTime<Utc> {
    let tz: chrono_tz::Tz = tz.parse().unwrap();
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
    tz.from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

const H: u64 = 3600;

#[test]
fn friday_evening_plus_two_hours_is_monday_morning() {
    let berlin = office("Europe/Berlin", &[]);
    let start = at("Europe/Berlin", "2026-12-04 17:00:00"); // a Friday
    assert_eq!(
        berlin.deadline(start, 2 * H),
        Some(at("Europe/Berlin", "2026-12-07 10:00:00"))
    );
}

#[test]
fn a_start_outside_hours_counts_from_the_next_opening() {
    let berlin = office("Europe/Berlin", &[]);
    let saturday = at("Europe/Berlin", "2026-12-05 11:23:45");
    assert_eq!(
        berlin.deadline(saturday, H),
        Some(at("Europe/Berlin", "2026-12-07 10:00:00"))
    );
    let night = at("Europe/Berlin", "2026-12-08 03:00:00");
    assert_eq!(
        berlin.deadline(night, 1),
        Some(at("Europe/Berlin", "2026-12-08 09:00:01")),
        "precise to the second"
    );
}

#[test]
fn a_deadline_may_fall_exactly_on_a_segments_end() {
    let berlin = office("Europe/Berlin", &[]);
    let monday = at("Europe/Berlin", "2026-12-07 09:00:00");
    assert_eq!(
        berlin.deadline(monday, 9 * H),
        Some(at("Europe/Berlin", "2026-12-07 18:00:00"))
    );
    assert_eq!(
        berlin.deadline(monday, 9 * H + 1),
        Some(at("Europe/Berlin", "2026-12-08 09:00:01"))
    );
}

#[test]
fn a_holiday_on_a_monday_is_skipped() {
    let berlin = office("Europe/Berlin", &["2026-12-07"]);
    let friday = at("Europe/Berlin", "2026-12-04 17:00:00");
    assert_eq!(
        berlin.deadline(friday, 2 * H),
        Some(at("Europe/Berlin", "2026-12-08 10:00:00"))
    );
}

#[test]
fn days_across_dst_are_as_long_as_the_clock_makes_them() {
    for (tz, spring, autumn) in [
        ("Europe/Berlin", "2026-03-29", "2026-10-25"),
        ("America/New_York", "2026-03-08", "2026-11-01"),
    ] {
        let calendar = all_day(tz);
        let day = |date: &str| {
            let from = at(tz, &format!("{date} 00:00:00"));
            let next =
                chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() + Duration::days(1);
            let to = at(tz, &format!("{next} 00:00:00"));
            calendar.business_seconds(from, to)
        };
        assert_eq!(day(spring), 23 * H, "{tz} spring");
        assert_eq!(day(autumn), 25 * H, "{tz} autumn");
    }
    // Lord Howe Island moves its clocks by half an hour.
    let lord_howe = all_day("Australia/Lord_Howe");
    let day = |from: &str, to: &str| {
        lord_howe.business_seconds(
            at("Australia/Lord_Howe", &format!("{from} 00:00:00")),
            at("Australia/Lord_Howe", &format!("{to} 00:00:00")),
        )
    };
    assert_eq!(day("2026-04-05", "2026-04-06"), 24 * H + 1800, "DST ends");
    assert_eq!(day("2026-10-04", "2026-10-05"), 24 * H - 1800, "DST begins");
}

#[test]
fn office_hours_keep_their_wall_clock_across_dst() {
    let new_york = office("America/New_York", &[]);
    // Friday before the spring change, 17:00 EST, +2 business hours: Monday 10:00 EDT.
    let start = at("America/New_York", "2026-03-06 17:00:00");
    let due = new_york.deadline(start, 2 * H).unwrap();
    assert_eq!(due, at("America/New_York", "2026-03-09 10:00:00"));
    assert_eq!(due.hour(), 14, "10:00 EDT is 14:00 UTC");
    // and a holiday on the day the clocks change back in Berlin
    let berlin = office("Europe/Berlin", &["2026-10-26"]);
    let friday = at("Europe/Berlin", "2026-10-23 17:30:00");
    assert_eq!(
        berlin.deadline(friday, H),
        Some(at("Europe/Berlin", "2026-10-27 09:30:00"))
    );
}

#[test]
fn a_segment_ending_at_midnight_runs_on_into_the_next_day() {
    let night = spec(
        "Europe/Berlin",
        serde_json::json!({"sat": [["20:00", "24:00"]], "sun": [["00:00", "06:00"]]}),
        &[],
    );
    let start = at("Europe/Berlin", "2026-12-05 23:00:00");
    assert_eq!(
        night.deadline(start, 2 * H),
        Some(at("Europe/Berlin", "2026-12-06 01:00:00"))
    );
    assert_eq!(
        night.deadline(start, H),
        Some(at("Europe/Berlin", "2026-12-06 00:00:00")),
        "on the segment's end, which is midnight"
    );
}

#[test]
fn paused_time_over_nights_and_weekends_is_not_business_time() {
    let berlin = office("Europe/Berlin", &[]);
    // Thursday 16:00 to Tuesday 10:00: Thu 2h, Fri 9h, Mon 9h, Tue 1h
    let from = at("Europe/Berlin", "2026-12-03 16:00:00");
    let to = at("Europe/Berlin", "2026-12-08 10:00:00");
    assert_eq!(berlin.business_seconds(from, to), 21 * H);
}

#[test]
fn around_the_clock_is_plain_seconds() {
    let always = Calendar::always();
    let start = Utc.with_ymd_and_hms(2026, 3, 29, 0, 0, 0).unwrap();
    assert_eq!(
        always.deadline(start, 86_400),
        Some(start + Duration::days(1))
    );
}

#[test]
fn bad_calendars_name_every_field_at_fault() {
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "", "time_zone": "Europe/Berln",
        "weekly": {"mon": [["09:00", "25:00"]], "tue": [["12:00", "10:00"]],
                   "wed": [["09:00", "13:00"], ["12:00", "18:00"]], "thu": [["24:00", "24:00"]],
                   "funday": []},
        "holidays": ["24.12.2026"]
    }))
    .unwrap();
    let errors = spec.validate().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for field in [
        "name",
        "time_zone",
        "weekly.mon[0]",
        "weekly.tue[0]",
        "weekly.wed[1]",
        "weekly.thu[0]",
        "weekly.funday",
        "holidays[0]",
    ] {
        assert!(fields.contains(&field), "{field} missing from {errors:?}");
    }
    let no_hours: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "x", "time_zone": "UTC", "weekly": {"mon": []}
    }))
    .unwrap();
    assert_eq!(no_hours.validate().unwrap_err()[0].field, "weekly");
}

#[test]
fn holidays_come_from_icalendar_as_dates() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:New Year\r\nDTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Unity Day\r\nDTSTART;VALUE=DATE:20261003\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Team meeting\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let parsed = parse_holidays(text).unwrap();
    let dates: Vec<String> = parsed.dates.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        dates,
        vec!["2026-10-03", "2026-12-25", "2026-12-26", "2027-10-03"],
        "DTEND is exclusive; COUNT expands; no day shifts"
    );
    assert_eq!(parsed.yearly, vec![(1, 1)]);
    assert_eq!(parsed.skipped_timed, 1);
    // folded lines are unfolded
    let folded = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DA\n TE:20261224\nEND:VEVENT\nEND:VCALENDAR\n";
    assert_eq!(parse_holidays(folded).unwrap().dates.len(), 1);
    for bad in [
        "not a calendar",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-12-24\nEND:VEVENT\nEND:VCALENDAR",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nRRULE:FREQ=WEEKLY\nEND:VEVENT\nEND:VCALENDAR",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\n",
    ] {
        assert!(parse_holidays(bad).is_err(), "{bad:?}");
    }
}

// --- properties over random calendars, against an independent count ---

/// A small deterministic generator (splitmix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
];

/// Random segments on whole minutes (some days empty, some ending at 24:00, some in the
/// small hours where DST changes happen) and random holidays around the DST dates.
fn random_calendar(rng: &mut Rng) -> Calendar {
    let mut week: [Vec<Segment>; 7] = Default::default();
    for day in &mut week {
        let mut at = 0u32;
        for _ in 0..rng.below(4) {
            let start = at + 60 * rng.below(8 * 60) as u32;
            let end = start + 60 * (1 + rng.below(8 * 60) as u32);
            if end > DAY {
                break;
            }
            day.push(Segment { start, end });
            at = end;
        }
        if rng.below(5) == 0 && at < DAY {
            day.push(Segment {
                start: at.max(DAY - 3600),
                end: DAY,
            });
        }
    }
    if week.iter().all(Vec::is_empty) {
        week[0].push(Segment {
            start: 9 * 3600,
            end: 17 * 3600,
        });
    }
    let mut holidays = std::collections::BTreeSet::new();
    for _ in 0..rng.below(6) {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
            + Duration::days(rng.below(365) as i64);
        holidays.insert(day);
    }
    for dst in [
        "2026-03-29",
        "2026-10-25",
        "2026-03-08",
        "2026-11-01",
        "2026-04-05",
        "2026-10-04",
    ] {
        if rng.below(4) == 0 {
            holidays.insert(chrono::NaiveDate::parse_from_str(dst, "%Y-%m-%d").unwrap());
        }
    }
    Calendar {
        time_zone: ZONES[rng.below(ZONES.len() as u64) as usize]
            .parse()
            .unwrap(),
        week: Week::Hours(week),
        holidays,
        yearly_holidays: Default::default(),
        days: Default::default(),
    }
}

/// Whether the wall clock at `at` shows business time: computed from the local time alone,
/// not from the arithmetic's intervals.
fn clock_shows_business(calendar: &Calendar, at: DateTime<Utc>) -> bool {
    let Week::Hours(days) = &calendar.week else {
        return true;
    };
    let local = at.with_timezone(&calendar.time_zone);
    if calendar.is_holiday(local.date_naive()) {
        return false;
    }
    let second = local.num_seconds_from_midnight();
    days[local.weekday().num_days_from_monday() as usize]
        .iter()
        .any(|s| s.start <= second && second < s.end)
}

/// A start on a whole minute, often near the DST changes of 2026.
fn random_start(rng: &mut Rng) -> DateTime<Utc> {
    let anchors = [
        Utc.with_ymd_and_hms(2026, 3, 27, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 10, 23, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 6, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 10, 30, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 4, 3, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 10, 2, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 6, 15, 0, 0, 0).unwrap(),
    ];
    anchors[rng.below(anchors.len() as u64) as usize]
        + Duration::minutes(rng.below(5 * 24 * 60) as i64)
}

#[test]
fn business_time_agrees_with_a_minute_by_minute_count_of_the_wall_clock() {
    let mut rng = Rng(0x5e7_1ce);
    for case in 0..150 {
        let calendar = random_calendar(&mut rng);
        let from = random_start(&mut rng);
        let minutes = 60 + rng.below(4 * 24 * 60) as i64;
        let to = from + Duration::minutes(minutes);
        let counted = (0..minutes)
            .filter(|m| clock_shows_business(&calendar, from + Duration::minutes(*m)))
            .count() as u64
            * 60;
        assert_eq!(
            calendar.business_seconds(from, to),
            counted,
            "case {case}: {calendar:?} from {from} to {to}"
        );
    }
}

#[test]
fn deadlines_are_monotonic_additive_and_end_in_business_time() {
    let mut rng = Rng(42);
    for case in 0..300 {
        let calendar = random_calendar(&mut rng);
        let t = random_start(&mut rng);
        let a = 60 * (1 + rng.below(3 * 24 * 60));
        let b = 60 * (1 + rng.below(3 * 24 * 60));
        let due_a = calendar.deadline(t, a).unwrap();
        let due_ab = calendar.deadline(t, a + b).unwrap();
        let context = || format!("case {case}: {calendar:?} t={t} a={a} b={b}");
        assert!(due_a <= due_ab, "monotonic in N: {}", context());
        assert_eq!(
            calendar.deadline(due_a, b),
            Some(due_ab),
            "additive: {}",
            context()
        );
        assert_eq!(
            calendar.business_seconds(t, due_a),
            a,
            "elapsed: {}",
            context()
        );
        assert!(
            calendar.is_business_time(due_a - Duration::seconds(1)),
            "the last second before a deadline is business time (so the deadline is in it or on a segment's end): {}",
            context()
        );
        assert!(
            clock_shows_business(&calendar, due_a - Duration::seconds(1)),
            "and the wall clock agrees: {}",
            context()
        );
        let later = t + Duration::minutes(rng.below(3000) as i64);
        assert!(
            calendar.deadline(later, a).unwrap() >= due_a,
            "monotonic in start: {}",
            context()
        );
    }
}

// --- the aggregate, given / when / then ---

fn defined() -> CalendarDoc {
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "Berlin", "time_zone": "Europe/Berlin", "weekly": {"mon": [["09:00", "18:00"]]}
    }))
    .unwrap();
    let id = CalendarId(uuid::Uuid::from_u128(1));
    let events = decide(None, &CalendarCommand::Define { id, spec }).unwrap();
    evolve(None, &events[0], Utc::now()).unwrap()
}

#[test]
fn given_a_calendar_when_the_same_definition_comes_again_then_nothing_is_recorded() {
    let calendar = defined();
    let same = CalendarCommand::Change {
        spec: calendar.spec.clone(),
    };
    assert!(decide(Some(&calendar), &same).unwrap().is_empty());
}

#[test]
fn given_a_calendar_when_a_bad_definition_comes_then_it_is_refused_with_its_fields() {
    let calendar = defined();
    let mut spec = calendar.spec.clone();
    spec.time_zone = "Mars/Olympus".into();
    match decide(Some(&calendar), &CalendarCommand::Change { spec }) {
        Err(crate::DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "time_zone"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn given_a_calendar_when_holidays_are_imported_twice_then_the_second_adds_nothing() {
    let calendar = defined();
    let ical =
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nEND:VEVENT\nEND:VCALENDAR\n";
    let import = CalendarCommand::ImportHolidays { ical: ical.into() };
    let events = decide(Some(&calendar), &import).unwrap();
    let after = evolve(Some(calendar), &events[0], Utc::now()).unwrap();
    assert_eq!(after.spec.holidays, vec!["2026-12-24"]);
    assert!(decide(Some(&after), &import).unwrap().is_empty());
    assert!(after
        .spec
        .validate()
        .unwrap()
        .is_holiday(chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()));
}
