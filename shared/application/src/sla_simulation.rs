//! A past period replayed under a proposed SLA or calendar: each target's runs (the wall-clock
//! stretches its timer ran, from the ticket's own events) measured again on the proposed
//! calendar against the proposed target, and counted by the same rule as the real report.
//! The pause rules stay the ticket's own: which stretches ran is a fact of its history.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use servicedesk_domain::calendar::{Calendar, CalendarSpec};
use servicedesk_domain::sla::report::{
    ReportFigures, ReportScope, Settled, Simulation, Tally, TargetResult, TicketComparison,
};
use servicedesk_domain::sla::{outcome, SlaSpec, TicketType, TimerKind};
use servicedesk_domain::Priority;
use servicedesk_projections::{SlaCalendars, TargetRow};
use std::collections::{BinaryHeap, HashMap};

/// What is tried in place of what the tickets ran on (either or both).
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    pub sla: Option<SlaSpec>,
    pub calendar: Option<CalendarSpec>,
}

impl App {
    /// `limit`: tickets listed at most (all are counted).
    pub async fn simulate_sla(
        &self,
        scope: ReportScope,
        proposal: Proposal,
        limit: usize,
    ) -> Result<Simulation, AppError> {
        self.query(move |db| {
            let real = db.sla_report(&ReportScope {
                breach_limit: 0,
                group_by: None,
                ..scope.clone()
            })?;
            let mut replay = Replay::new(&scope, &proposal, limit);
            db.each_sla_target(&scope, &mut |calendars, row| {
                if replay.own.is_empty() && !calendars.is_empty() {
                    replay.calendars(calendars);
                }
                replay.row(&row);
            })?;
            Ok(replay.finish(real.totals))
        })
        .await
    }
}

/// Where a listed ticket sorts: changed ones first, then in the order the tickets opened.
type Place = (bool, DateTime<Utc>, uuid::Uuid, u8);

struct Listed {
    place: Place,
    ticket: TicketComparison,
}

impl PartialEq for Listed {
    fn eq(&self, other: &Self) -> bool {
        self.place == other.place
    }
}
impl Eq for Listed {}
impl PartialOrd for Listed {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Listed {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.place.cmp(&other.place)
    }
}

struct Replay<'a> {
    scope: &'a ReportScope,
    proposal: &'a Proposal,
    proposed_calendar: Option<Calendar>,
    /// The tickets' own calendars, built once each.
    own: HashMap<String, Calendar>,
    /// Proposed target seconds per (priority, timer), looked up once each.
    targets: HashMap<(Priority, TimerKind), Option<u64>>,
    tally: Tally,
    total: u64,
    changed: u64,
    limit: usize,
    /// The first `limit` in listing order (a max-heap: the last of them on top).
    listed: BinaryHeap<Listed>,
}

impl<'a> Replay<'a> {
    fn new(scope: &'a ReportScope, proposal: &'a Proposal, limit: usize) -> Self {
        Self {
            scope,
            proposal,
            proposed_calendar: proposal.calendar.as_ref().and_then(|s| s.validate().ok()),
            own: HashMap::new(),
            targets: HashMap::new(),
            tally: Tally::default(),
            total: 0,
            changed: 0,
            limit,
            listed: BinaryHeap::new(),
        }
    }

    fn calendars(&mut self, calendars: &SlaCalendars) {
        self.own = calendars
            .iter()
            .map(|(key, spec)| {
                let key = key.clone();
                let calendar = spec.validate().unwrap_or_else(|_| Calendar::always());
                (key, calendar)
            })
            .collect();
    }

    fn target_seconds(&mut self, row: &TargetRow) -> Option<u64> {
        let Some(sla) = &self.proposal.sla else {
            return Some(row.target_seconds);
        };
        *self
            .targets
            .entry((row.priority, row.timer))
            .or_insert_with(|| {
                sla.targets_for(TicketType::Incident, row.priority)
                    .into_iter()
                    .find(|t| t.kind == row.timer)
                    .map(|t| t.business_seconds)
            })
    }

    fn row(&mut self, row: &TargetRow) {
        let target_seconds = self.target_seconds(row);
        let always = Calendar::always();
        let calendar = match (&self.proposed_calendar, &row.calendar) {
            (Some(proposed), _) => proposed,
            (None, Some(key)) => self.own.get(key).unwrap_or(&always),
            (None, None) => &always,
        };
        let real = result(
            self.scope,
            Some(row.target_seconds),
            row.due_at,
            row.met_at,
            row.on_time,
        );
        let simulated = match target_seconds {
            Some(seconds) => {
                let o = outcome(&row.runs, row.met_at, seconds, calendar);
                let r = result(self.scope, Some(seconds), o.due_at, o.met_at, o.on_time);
                if r.settled_in_period {
                    self.tally.add(
                        row.timer,
                        Settled {
                            count: 1,
                            on_time: u64::from(o.on_time),
                            met: u64::from(o.met_at.is_some()),
                            business_seconds: o.met_after.unwrap_or(0) as f64,
                            wall_seconds: o.met_at.map_or(0.0, |m| {
                                (m - row.opened_at).num_milliseconds() as f64 / 1e3
                            }),
                        },
                    );
                }
                r
            }
            None => TargetResult {
                target_seconds: None,
                due_at: None,
                met_at: row.met_at,
                on_time: false,
                settled_in_period: false,
            },
        };
        if !real.settled_in_period && !simulated.settled_in_period {
            return;
        }
        let changed = real.on_time != simulated.on_time
            || real.settled_in_period != simulated.settled_in_period;
        self.total += 1;
        self.changed += u64::from(changed);
        let place = (!changed, row.opened_at, row.incident, row.timer as u8);
        let full = self.listed.len() >= self.limit;
        if full && self.listed.peek().is_none_or(|last| place >= last.place) {
            return;
        }
        self.listed.push(Listed {
            place,
            ticket: TicketComparison {
                incident: row.incident,
                link: format!("/api/v1/incidents/{}", row.incident),
                timer: row.timer,
                priority: row.priority,
                customer: row.customer.clone(),
                service: row.service.clone(),
                opened_at: row.opened_at,
                real,
                simulated,
                changed,
            },
        });
        if self.listed.len() > self.limit {
            self.listed.pop();
        }
    }

    fn finish(self, real: ReportFigures) -> Simulation {
        let tickets = self
            .listed
            .into_sorted_vec()
            .into_iter()
            .map(|l| l.ticket)
            .collect();
        Simulation {
            from: self.scope.from,
            to: self.scope.to,
            as_of: self.scope.as_of,
            simulated: self.tally.figures(None, real.backlog.clone()),
            real,
            tickets_total: self.total,
            tickets_changed: self.changed,
            tickets,
        }
    }
}

/// A target's result, and whether it settled in the period (the report's rule).
fn result(
    scope: &ReportScope,
    target_seconds: Option<u64>,
    due_at: Option<DateTime<Utc>>,
    met_at: Option<DateTime<Utc>>,
    on_time: bool,
) -> TargetResult {
    let settled_at = if on_time { met_at } else { due_at };
    TargetResult {
        target_seconds,
        due_at,
        met_at,
        on_time,
        settled_in_period: settled_at.is_some_and(|at| at >= scope.from && at < scope.as_of),
    }
}
