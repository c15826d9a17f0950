//! The SLA a ticket runs on, as an event on the ticket (a snapshot: a later edit of the SLA or
//! calendar never rewrites the ticket's history), its stopwatches, moved by the ticket's own
//! events, and the thresholds it has reached.

use super::event::IncidentEvent;
use super::state::Visibility;
use crate::calendar::{Calendar, CalendarSpec};
use crate::sla::{
    Fact, Reach, SlaSpec, Stopwatch, Target, Threshold, ThresholdKey, ThresholdReached, TicketType,
    TimerKind, TimerView,
};
use crate::Priority;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which contract, SLA and calendar a ticket runs on, with what they said when applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaApplied {
    pub contract: uuid::Uuid,
    pub sla: uuid::Uuid,
    pub spec: SlaSpec,
    /// None: around the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarSpec>,
}

/// The ticket's SLA, its stopwatches and the thresholds already reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentSla {
    pub applied: SlaApplied,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub respond: Stopwatch,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub resolve: Stopwatch,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(default = "update_watch")]
    pub update: Stopwatch,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reached: Vec<ThresholdKey>,
    /// The calendar built from `applied.calendar` once, not at every event.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    built: BuiltCalendar,
}

/// A cache, so it never makes two SLAs unequal.
#[derive(Debug, Clone, Default)]
struct BuiltCalendar(std::sync::OnceLock<Calendar>);

impl PartialEq for BuiltCalendar {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for BuiltCalendar {}

fn build(applied: &SlaApplied) -> Calendar {
    applied
        .calendar
        .as_ref()
        .and_then(|spec| spec.validate().ok())
        .unwrap_or_else(Calendar::always)
}

fn update_watch() -> Stopwatch {
    Stopwatch::new(TimerKind::Update)
}

/// One threshold the ticket's SLA defines for it now.
#[derive(Debug, Clone, Copy)]
pub struct Defined {
    pub key: ThresholdKey,
    pub percent: u16,
    /// The escalation level's place in the SLA, for escalations.
    pub level: Option<usize>,
}

/// What the read model keeps of a ticket's timers to filter and sort on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaSummary {
    /// The earliest threshold not reached yet (what the scheduler waits for).
    pub next_threshold_at: Option<DateTime<Utc>>,
    /// The earliest deadline of a running timer.
    pub due_at: Option<DateTime<Utc>>,
    /// The earliest warning instant of a running timer.
    pub warn_at: Option<DateTime<Utc>>,
    /// A target was breached (recorded, or met late).
    pub breached: bool,
    pub paused: bool,
}

impl IncidentSla {
    /// Starts the clocks at the ticket's opening.
    pub fn start(applied: SlaApplied, opened_at: DateTime<Utc>, assigned: bool) -> Self {
        let mut sla = Self {
            applied,
            respond: Stopwatch::new(TimerKind::Respond),
            resolve: Stopwatch::new(TimerKind::Resolve),
            update: update_watch(),
            reached: Vec::new(),
            built: BuiltCalendar::default(),
        };
        sla.apply(Fact::Opened, opened_at);
        if assigned {
            sla.apply(Fact::Assigned, opened_at);
        }
        sla
    }

    pub fn calendar(&self) -> &Calendar {
        self.built.0.get_or_init(|| build(&self.applied))
    }

    /// Runs on under another contract, SLA or calendar, keeping the time already run.
    pub fn reapply(&mut self, applied: SlaApplied) {
        self.applied = applied;
        self.built = BuiltCalendar::default();
    }

    fn apply(&mut self, fact: Fact, at: DateTime<Utc>) {
        let Self {
            applied,
            respond,
            resolve,
            update,
            built,
            ..
        } = self;
        let calendar = built.0.get_or_init(|| build(applied));
        for watch in [respond, resolve, update] {
            watch.apply(fact, at, calendar);
        }
    }

    /// Moves the clocks by what `event` means for them; records reached thresholds.
    pub fn evolve(&mut self, event: &IncidentEvent, at: DateTime<Utc>) {
        use IncidentEvent as E;
        let fact = match event {
            E::IncidentAssigned(a) if a.assignee.is_some() => Fact::Assigned,
            E::IncidentWorkStarted(_) => Fact::WorkStarted,
            E::IncidentPended(p) => Fact::Pended {
                pauses: self.applied.spec.pauses(p.reason),
            },
            E::IncidentResolved(_) | E::IncidentRecovered(_) => Fact::Resolved,
            E::IncidentClosed(_) => Fact::Closed,
            E::IncidentReopened(_) | E::IncidentRefired(_) => Fact::Reopened,
            E::IncidentCancelled(_) => Fact::Cancelled,
            E::CommentAdded(c) if c.visibility == Visibility::Customer => Fact::CustomerComment,
            E::SlaWarningReached(r) | E::SlaBreached(r) => return self.reached.push(r.key()),
            E::SlaEscalated(e) => return self.reached.push(e.reached.key()),
            _ => return,
        };
        self.apply(fact, at);
    }

    pub fn watch(&self, kind: TimerKind) -> &Stopwatch {
        match kind {
            TimerKind::Respond => &self.respond,
            TimerKind::Resolve => &self.resolve,
            TimerKind::Update => &self.update,
        }
    }

    pub fn targets(&self, priority: Priority) -> Vec<Target> {
        self.applied
            .spec
            .targets_for(TicketType::Incident, priority)
    }

    /// The timers a ticket of this priority shows at `now` (only those its SLA has targets for).
    pub fn timers(&self, priority: Priority, now: DateTime<Utc>) -> Vec<TimerView> {
        let calendar = self.calendar();
        self.targets(priority)
            .iter()
            .map(|target| self.watch(target.kind).view(target, calendar, now))
            .collect()
    }

    /// How the respond and resolve targets of a ticket of this priority came out (or stand)
    /// on the ticket's calendar; none for a cancelled timer.
    pub fn outcomes(&self, priority: Priority) -> Vec<(Target, crate::sla::Outcome)> {
        let calendar = self.calendar();
        self.targets(priority)
            .into_iter()
            .filter(|t| t.kind != TimerKind::Update)
            .filter_map(|target| {
                let watch = self.watch(target.kind);
                (!watch.cancelled).then(|| {
                    let outcome = crate::sla::outcome(
                        &watch.runs,
                        watch.met_at,
                        target.business_seconds,
                        calendar,
                    );
                    (target, outcome)
                })
            })
            .collect()
    }

    /// Every threshold of the targets a ticket of this priority has now: warning, breach and
    /// the escalation levels that apply, in the current cycle of each timer.
    pub fn defined(&self, priority: Priority) -> Vec<Defined> {
        let spec = &self.applied.spec;
        let mut defined = Vec::new();
        for target in self.targets(priority) {
            let key = |threshold| ThresholdKey {
                timer: target.kind,
                threshold,
                target_seconds: target.business_seconds,
                cycle: self.watch(target.kind).cycle,
            };
            defined.push(Defined {
                key: key(Threshold::Warning),
                percent: u16::from(target.warn_percent),
                level: None,
            });
            defined.push(Defined {
                key: key(Threshold::Breach),
                percent: 100,
                level: None,
            });
            for (i, level) in spec.escalations.iter().enumerate() {
                let Ok(place) = u8::try_from(i) else { continue };
                if level.applies_to(target.kind, priority) {
                    defined.push(Defined {
                        key: key(Threshold::Escalation(place)),
                        percent: level.at_percent,
                        level: Some(i),
                    });
                }
            }
        }
        defined
    }

    /// When a threshold's share of its target is reached, if its clock gets there.
    fn reaches(&self, defined: &Defined, calendar: &Calendar) -> Option<Reach> {
        let seconds = (defined.key.target_seconds * u64::from(defined.percent)).div_ceil(100);
        self.watch(defined.key.timer).reaches(seconds, calendar)
    }

    /// Thresholds reached by `now` and not recorded yet, earliest first. One reached while
    /// nothing ran (a shorter target after a change of priority) is due at `now`.
    pub fn due(&self, priority: Priority, now: DateTime<Utc>) -> Vec<(Defined, DateTime<Utc>)> {
        let calendar = self.calendar();
        let mut due: Vec<_> = self
            .defined(priority)
            .into_iter()
            .filter(|d| !self.reached.contains(&d.key))
            .filter_map(|d| match self.reaches(&d, calendar)? {
                Reach::At(at) if at <= now => Some((d, at)),
                Reach::At(_) => None,
                Reach::Already => Some((d, now)),
            })
            .collect();
        due.sort_by_key(|(d, at)| (*at, d.percent));
        due
    }

    /// The read model's view of the timers. `last_change` stands in for the instant of a
    /// threshold reached while nothing ran (it is due as soon as the scheduler looks).
    pub fn summary(&self, priority: Priority, last_change: DateTime<Utc>) -> SlaSummary {
        let calendar = self.calendar();
        let mut summary = SlaSummary {
            breached: self
                .reached
                .iter()
                .any(|k| k.threshold == Threshold::Breach),
            ..SlaSummary::default()
        };
        let earliest = |slot: &mut Option<DateTime<Utc>>, at: DateTime<Utc>| {
            *slot = Some(slot.map_or(at, |s| s.min(at)));
        };
        for target in self.targets(priority) {
            let watch = self.watch(target.kind);
            summary.paused |= watch.paused;
            if watch
                .met_after
                .is_some_and(|run| run > target.business_seconds)
            {
                summary.breached = true;
            }
            if let Some(at) = watch.threshold_at(&target, 100, calendar) {
                earliest(&mut summary.due_at, at);
            }
            if let Some(at) = watch.threshold_at(&target, u64::from(target.warn_percent), calendar)
            {
                earliest(&mut summary.warn_at, at);
            }
        }
        for defined in self.defined(priority) {
            if self.reached.contains(&defined.key) {
                continue;
            }
            match self.reaches(&defined, calendar) {
                Some(Reach::At(at)) => earliest(&mut summary.next_threshold_at, at),
                Some(Reach::Already) => earliest(&mut summary.next_threshold_at, last_change),
                None => {}
            }
        }
        summary
    }
}

/// The record of a threshold reached.
pub fn reached(defined: &Defined, due_at: DateTime<Utc>) -> ThresholdReached {
    ThresholdReached {
        timer: defined.key.timer,
        threshold: defined.key.threshold,
        target_seconds: defined.key.target_seconds,
        cycle: defined.key.cycle,
        percent: defined.percent,
        due_at,
    }
}
