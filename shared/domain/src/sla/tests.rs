//! Stopwatches given a ticket's facts, when time passes, then their state: on a Berlin office
//! calendar (Mon-Fri 09:00-18:00), so nights and weekends do not count.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::calendar::{Calendar, CalendarSpec};
use chrono::{DateTime, TimeZone, Utc};

fn office() -> Calendar {
    let day = serde_json::json!([["09:00", "18:00"]]);
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "office", "time_zone": "Europe/Berlin",
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}
    }))
    .unwrap();
    spec.validate().unwrap()
}

/// Berlin wall-clock time in December 2026 (UTC+1).
fn berlin(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour - 1, minute, 0)
        .unwrap()
}

fn target(kind: TimerKind, hours: u64) -> Target {
    Target {
        kind,
        business_seconds: hours * 3600,
        warn_percent: 75,
    }
}

fn run(kind: TimerKind, _target: &Target, facts: &[(Fact, DateTime<Utc>)]) -> Stopwatch {
    let calendar = office();
    let mut watch = Stopwatch::new(kind);
    for (fact, at) in facts {
        watch.apply(*fact, *at, &calendar);
    }
    watch
}

#[test]
fn respond_is_met_by_the_first_assignment_and_counts_only_business_time() {
    let t = target(TimerKind::Respond, 4);
    // opened Friday 16:00, assigned Monday 10:00: 2h Friday + 1h Monday = 3h of 4
    let watch = run(
        TimerKind::Respond,
        &t,
        &[
            (Fact::Opened, berlin(4, 16, 0)),
            (Fact::Assigned, berlin(7, 10, 0)),
        ],
    );
    let view = watch.view(&t, &office(), berlin(9, 12, 0));
    assert_eq!(view.state, TimerState::Met);
    assert_eq!(view.elapsed_seconds, 3 * 3600);
    assert_eq!(view.due_at, None);
}

#[test]
fn a_running_timer_warns_at_75_percent_and_breaches_at_its_due_time() {
    let t = target(TimerKind::Resolve, 8);
    let watch = run(TimerKind::Resolve, &t, &[(Fact::Opened, berlin(7, 9, 0))]);
    let calendar = office();
    let view = watch.view(&t, &calendar, berlin(7, 12, 0));
    assert_eq!(
        (view.state, view.elapsed_seconds),
        (TimerState::Running, 3 * 3600)
    );
    assert_eq!(view.due_at, Some(berlin(7, 17, 0)));
    assert_eq!(
        watch.threshold_at(&t, 75, &calendar),
        Some(berlin(7, 15, 0))
    );
    assert_eq!(
        watch.view(&t, &calendar, berlin(7, 15, 0)).state,
        TimerState::Warning
    );
    let late = watch.view(&t, &calendar, berlin(8, 10, 0));
    assert_eq!(
        (late.state, late.remaining_seconds),
        (TimerState::Breached, 0)
    );
}

#[test]
fn pending_pauses_resolve_over_nights_and_weekends() {
    let t = target(TimerKind::Resolve, 8);
    let calendar = office();
    // opened Thursday 9:00, pending from Thursday 11:00 (2h run) to Monday 9:30, resolved 10:30
    let watch = run(
        TimerKind::Resolve,
        &t,
        &[
            (Fact::Opened, berlin(3, 9, 0)),
            (Fact::Pended { pauses: true }, berlin(3, 11, 0)),
        ],
    );
    let paused = watch.view(&t, &calendar, berlin(5, 12, 0));
    assert_eq!(
        (paused.state, paused.paused, paused.due_at),
        (TimerState::Paused, true, None)
    );
    assert_eq!(paused.elapsed_seconds, 2 * 3600);
    let mut watch = watch;
    watch.apply(Fact::WorkStarted, berlin(7, 9, 30), &calendar);
    assert_eq!(
        watch.view(&t, &calendar, berlin(7, 9, 30)).due_at,
        Some(berlin(7, 15, 30)),
        "6h left after the pause"
    );
    watch.apply(Fact::Resolved, berlin(7, 10, 30), &calendar);
    let done = watch.view(&t, &calendar, berlin(10, 12, 0));
    assert_eq!(
        (done.state, done.elapsed_seconds),
        (TimerState::Met, 3 * 3600)
    );
}

#[test]
fn a_reopened_ticket_runs_on_from_the_time_already_spent() {
    let t = target(TimerKind::Resolve, 4);
    let calendar = office();
    let mut watch = run(
        TimerKind::Resolve,
        &t,
        &[
            (Fact::Opened, berlin(7, 9, 0)),
            (Fact::Resolved, berlin(7, 12, 0)),
        ],
    );
    watch.apply(Fact::Reopened, berlin(8, 9, 0), &calendar);
    let view = watch.view(&t, &calendar, berlin(8, 9, 30));
    assert_eq!(
        (view.state, view.elapsed_seconds),
        (TimerState::Warning, 3 * 3600 + 1800)
    );
    assert_eq!(view.due_at, Some(berlin(8, 10, 0)));
}

#[test]
fn a_priority_change_while_paused_keeps_the_time_spent_under_the_new_target() {
    let old = target(TimerKind::Resolve, 8);
    let calendar = office();
    let watch = run(
        TimerKind::Resolve,
        &old,
        &[
            (Fact::Opened, berlin(7, 9, 0)),
            (Fact::Pended { pauses: true }, berlin(7, 12, 0)),
        ],
    );
    // the ticket becomes P1 while pending: 4h instead of 8h, 3h already spent
    let urgent = target(TimerKind::Resolve, 4);
    let view = watch.view(&urgent, &calendar, berlin(8, 12, 0));
    assert_eq!(
        (view.state, view.elapsed_seconds, view.remaining_seconds),
        (TimerState::Paused, 3 * 3600, 3600)
    );
    let mut watch = watch;
    watch.apply(Fact::WorkStarted, berlin(9, 9, 0), &calendar);
    assert_eq!(
        watch.view(&urgent, &calendar, berlin(9, 9, 0)).due_at,
        Some(berlin(9, 10, 0))
    );
}

#[test]
fn a_response_after_the_target_is_a_breach_and_cancelling_stops_the_clock() {
    let t = target(TimerKind::Respond, 1);
    let late = run(
        TimerKind::Respond,
        &t,
        &[
            (Fact::Opened, berlin(7, 9, 0)),
            (Fact::CustomerComment, berlin(7, 11, 0)),
        ],
    );
    assert_eq!(
        late.view(&t, &office(), berlin(7, 12, 0)).state,
        TimerState::Breached
    );
    let cancelled = run(
        TimerKind::Respond,
        &t,
        &[
            (Fact::Opened, berlin(7, 9, 0)),
            (Fact::Cancelled, berlin(7, 9, 30)),
        ],
    );
    let view = cancelled.view(&t, &office(), berlin(8, 9, 0));
    assert_eq!((view.state, view.due_at), (TimerState::Cancelled, None));
}

#[test]
fn the_runs_give_the_instant_a_late_target_was_missed_and_what_another_calendar_would_say() {
    let t = target(TimerKind::Resolve, 4);
    let calendar = office();
    // Monday 9:00 to 11:00, pending until Tuesday 9:00, resolved Tuesday 12:00: 5h of 4h
    let mut watch = run(
        TimerKind::Resolve,
        &t,
        &[
            (Fact::Opened, berlin(7, 9, 0)),
            (Fact::Pended { pauses: true }, berlin(7, 11, 0)),
        ],
    );
    watch.apply(Fact::WorkStarted, berlin(8, 9, 0), &calendar);
    assert_eq!(
        reached_at(&watch.runs, 4 * 3600, &calendar),
        watch.view(&t, &calendar, berlin(8, 9, 0)).due_at,
        "while running, the runs and the stopwatch agree on the deadline"
    );
    watch.apply(Fact::Resolved, berlin(8, 12, 0), &calendar);
    let late = outcome(&watch.runs, watch.met_at, 4 * 3600, &calendar);
    assert_eq!(late.met_after, Some(5 * 3600));
    assert!(!late.on_time);
    assert_eq!(
        late.due_at,
        Some(berlin(8, 11, 0)),
        "2h Monday + 2h Tuesday"
    );

    // around the clock the same runs give the same answer: the pause covered the night
    let always = Calendar::always();
    let simulated = outcome(&watch.runs, watch.met_at, 4 * 3600, &always);
    assert_eq!(simulated.met_after, Some(5 * 3600));
    assert_eq!(simulated.due_at, Some(berlin(8, 11, 0)));
    // with nine hours to resolve it would have been met, due Tuesday 16:00 by the office
    let relaxed = outcome(&watch.runs, watch.met_at, 9 * 3600, &calendar);
    assert!(relaxed.on_time);
    assert_eq!(relaxed.due_at, Some(berlin(8, 16, 0)));
}

#[test]
fn runs_match_the_banked_time_whatever_the_facts() {
    let t = target(TimerKind::Resolve, 6);
    let calendar = office();
    let facts = [
        (Fact::Opened, berlin(4, 16, 0)),
        (Fact::Pended { pauses: true }, berlin(4, 17, 0)),
        (Fact::WorkStarted, berlin(7, 10, 0)),
        (Fact::Resolved, berlin(7, 11, 0)),
        (Fact::Reopened, berlin(8, 9, 0)),
        (Fact::Pended { pauses: false }, berlin(8, 10, 0)),
        (Fact::Resolved, berlin(8, 15, 30)),
    ];
    let mut watch = Stopwatch::new(TimerKind::Resolve);
    for (fact, at) in facts {
        watch.apply(fact, at, &calendar);
        let from_runs: u64 = watch
            .runs
            .iter()
            .map(|r| calendar.business_seconds(r.from, r.until.unwrap_or(at)))
            .sum();
        assert_eq!(from_runs, watch.elapsed(&calendar, at), "after {fact:?}");
    }
    let result = outcome(&watch.runs, watch.met_at, t.business_seconds, &calendar);
    assert_eq!(result.met_after, Some(watch.banked));
    assert_eq!(result.met_after, Some(3600 + 3600 + 6 * 3600 + 1800));
}

#[test]
fn timer_kinds_are_spelled_as_serde_spells_them() {
    for kind in [TimerKind::Respond, TimerKind::Resolve, TimerKind::Update] {
        assert_eq!(
            serde_json::to_value(kind).unwrap().as_str(),
            Some(kind.as_str())
        );
    }
}
