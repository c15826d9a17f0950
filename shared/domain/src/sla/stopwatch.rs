use crate::calendar::Calendar;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Met by the first of: an assignee set, a customer-visible comment, work started.
    Respond,
    /// Stops at resolved, runs again on reopen; pauses while pending if the SLA says so.
    Resolve,
    /// The customer is told of progress at least this often: starts again at every
    /// customer-visible comment, pauses like resolve, stops at resolved.
    Update,
}

impl TimerKind {
    /// The name as the API spells it (its serde name).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Respond => "respond",
            Self::Resolve => "resolve",
            Self::Update => "update",
        }
    }
}

/// One target of an SLA, as snapshotted on the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TimerKind,
    pub business_seconds: u64,
    /// Warn once this share of the target has run (default 75).
    pub warn_percent: u8,
}

/// What happened to the ticket, as far as its timers care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Opened,
    Assigned,
    CustomerComment,
    WorkStarted,
    /// Pending; whether it pauses the clocks depends on the SLA and the pending reason.
    Pended {
        pauses: bool,
    },
    Resolved,
    Reopened,
    Closed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimerState {
    Running,
    Paused,
    Warning,
    Met,
    Breached,
    /// The ticket was cancelled before the target was met.
    Cancelled,
}

/// A timer's clock: business time banked so far, and since when it runs (if it does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopwatch {
    pub kind: TimerKind,
    /// Business seconds run before `running_since`.
    pub banked: u64,
    pub running_since: Option<DateTime<Utc>>,
    pub paused: bool,
    /// When the target was met (respond: the first response; resolve: the last resolution).
    pub met_at: Option<DateTime<Utc>>,
    /// Business seconds run when it was met.
    pub met_after: Option<u64>,
    pub cancelled: bool,
    /// How often the timer started over (the update timer at every customer update): a
    /// threshold fires once per cycle.
    #[serde(default)]
    pub cycle: u32,
    /// When it ran in its current cycle: what business time it ran is the same on any
    /// calendar recomputed from these (reports, simulations under another calendar).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Run>,
}

/// A stretch of wall-clock time the timer ran; `until` is None while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub from: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// How a target came out, from a timer's runs on a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// When the business time run reached the target (in the past for a breach, ahead for a
    /// running timer); for a target met in time, when it would have fallen due. None while
    /// paused short of it.
    pub due_at: Option<DateTime<Utc>>,
    pub met_at: Option<DateTime<Utc>>,
    /// Business seconds run when met.
    pub met_after: Option<u64>,
    /// Met, within the target.
    pub on_time: bool,
}

/// A timer as the API shows it at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimerView {
    pub target: TimerKind,
    pub target_seconds: u64,
    /// When the target falls due if the clock runs on; none while paused or once stopped.
    pub due_at: Option<DateTime<Utc>>,
    pub state: TimerState,
    pub elapsed_seconds: u64,
    pub remaining_seconds: u64,
    pub paused: bool,
}

impl Stopwatch {
    pub fn new(kind: TimerKind) -> Self {
        Self {
            kind,
            banked: 0,
            running_since: None,
            paused: false,
            met_at: None,
            met_after: None,
            cancelled: false,
            cycle: 0,
            runs: Vec::new(),
        }
    }

    /// Business seconds run up to `at`.
    pub fn elapsed(&self, calendar: &Calendar, at: DateTime<Utc>) -> u64 {
        self.banked
            + self
                .running_since
                .map_or(0, |since| calendar.business_seconds(since, at))
    }

    fn stop(&mut self, calendar: &Calendar, at: DateTime<Utc>) {
        self.banked = self.elapsed(calendar, at);
        self.running_since = None;
        if let Some(run) = self.runs.last_mut().filter(|r| r.until.is_none()) {
            run.until = Some(at);
        }
    }

    fn run(&mut self, at: DateTime<Utc>) {
        if self.running_since.is_none() {
            self.running_since = Some(at);
            self.runs.push(Run {
                from: at,
                until: None,
            });
        }
        self.paused = false;
    }

    /// Starts a new cycle from zero, running if it ran (a paused timer stays paused).
    fn restart(&mut self, at: DateTime<Utc>) {
        self.banked = 0;
        self.runs.clear();
        if self.running_since.is_some() {
            self.running_since = Some(at);
            self.runs.push(Run {
                from: at,
                until: None,
            });
        }
        self.met_at = None;
        self.met_after = None;
        self.cycle += 1;
    }

    fn meet(&mut self, calendar: &Calendar, at: DateTime<Utc>) {
        self.stop(calendar, at);
        self.paused = false;
        self.met_at = Some(at);
        self.met_after = Some(self.banked);
    }

    /// The stopwatch after `fact` happened at `at`.
    pub fn apply(&mut self, fact: Fact, at: DateTime<Utc>, calendar: &Calendar) {
        use TimerKind::*;
        if self.cancelled {
            return;
        }
        match (self.kind, fact) {
            (_, Fact::Opened) => self.run(at),
            (_, Fact::Cancelled) => {
                self.stop(calendar, at);
                if self.met_at.is_none() {
                    self.cancelled = true;
                }
            }
            // A resolution answers the customer too.
            (
                Respond,
                Fact::Assigned | Fact::CustomerComment | Fact::WorkStarted | Fact::Resolved,
            ) if self.met_at.is_none() => self.meet(calendar, at),
            (Respond, _) => {}
            (Resolve | Update, Fact::Pended { pauses: true }) if self.met_at.is_none() => {
                self.stop(calendar, at);
                self.paused = true;
            }
            (Resolve | Update, Fact::WorkStarted | Fact::Assigned) if self.paused => self.run(at),
            (Resolve | Update, Fact::Resolved | Fact::Closed) => {
                if self.running_since.is_some() || self.paused {
                    self.meet(calendar, at);
                }
            }
            (Resolve, Fact::Reopened) => {
                self.met_at = None;
                self.met_after = None;
                self.run(at);
            }
            (Update, Fact::Reopened) => {
                self.restart(at);
                self.run(at);
            }
            (Update, Fact::CustomerComment) if self.met_at.is_none() => self.restart(at),
            (Resolve | Update, _) => {}
        }
    }

    /// How the timer stands at `now` against `target` (which may be a newer target than the
    /// one it ran under: the business time run is kept).
    pub fn view(&self, target: &Target, calendar: &Calendar, now: DateTime<Utc>) -> TimerView {
        let goal = target.business_seconds;
        let elapsed = self
            .met_after
            .unwrap_or_else(|| self.elapsed(calendar, now));
        let remaining = goal.saturating_sub(elapsed);
        let state = if self.cancelled {
            TimerState::Cancelled
        } else if self.met_at.is_some() {
            if elapsed > goal {
                TimerState::Breached
            } else {
                TimerState::Met
            }
        } else if elapsed >= goal {
            TimerState::Breached
        } else if self.paused {
            TimerState::Paused
        } else if elapsed * 100 >= goal * u64::from(target.warn_percent) {
            TimerState::Warning
        } else {
            TimerState::Running
        };
        let due_at = match (self.running_since, self.met_at, self.cancelled) {
            (Some(since), None, false) => {
                calendar.deadline(since, goal.saturating_sub(self.banked))
            }
            _ => None,
        };
        TimerView {
            target: self.kind,
            target_seconds: goal,
            due_at,
            state,
            elapsed_seconds: elapsed,
            remaining_seconds: remaining,
            paused: self.paused,
        }
    }

    /// The instant the share `percent` of `target` is reached, while the clock runs.
    pub fn threshold_at(
        &self,
        target: &Target,
        percent: u64,
        calendar: &Calendar,
    ) -> Option<DateTime<Utc>> {
        match self.reaches((target.business_seconds * percent).div_ceil(100), calendar)? {
            Reach::At(at) => Some(at),
            Reach::Already => self.running_since,
        }
    }

    /// When the business time run reaches `seconds`: never for a stopped or paused clock below
    /// it, `Already` when it has (e.g. a shorter target after a change of priority).
    pub fn reaches(&self, seconds: u64, calendar: &Calendar) -> Option<Reach> {
        if self.met_at.is_some() || self.cancelled {
            return None;
        }
        if self.banked >= seconds {
            return Some(Reach::Already);
        }
        let since = self.running_since?;
        calendar
            .deadline(since, seconds - self.banked)
            .map(Reach::At)
    }
}

/// When the business time of `runs` on `calendar` reaches `seconds` (None if it does not).
pub fn reached_at(runs: &[Run], seconds: u64, calendar: &Calendar) -> Option<DateTime<Utc>> {
    let mut run_so_far = 0;
    for run in runs {
        let left = seconds.saturating_sub(run_so_far);
        match run.until {
            None => return calendar.deadline(run.from, left),
            Some(until) => {
                let length = calendar.business_seconds(run.from, until);
                if run_so_far + length >= seconds {
                    return calendar.deadline(run.from, left);
                }
                run_so_far += length;
            }
        }
    }
    None
}

/// How `target_seconds` came out for a timer that ran `runs` and was met at `met_at`, on
/// `calendar`: the ticket's own, or another one being tried (a simulation).
pub fn outcome(
    runs: &[Run],
    met_at: Option<DateTime<Utc>>,
    target_seconds: u64,
    calendar: &Calendar,
) -> Outcome {
    let met_after = met_at.map(|_| {
        runs.iter()
            .filter_map(|r| {
                r.until
                    .map(|until| calendar.business_seconds(r.from, until))
            })
            .sum::<u64>()
    });
    let on_time = met_after.is_some_and(|run| run <= target_seconds);
    let due_at = match (met_at, met_after) {
        (Some(at), Some(run)) if on_time => calendar.deadline(at, target_seconds - run),
        _ => reached_at(runs, target_seconds, calendar),
    };
    Outcome {
        due_at,
        met_at,
        met_after,
        on_time,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Already,
    At(DateTime<Utc>),
}
