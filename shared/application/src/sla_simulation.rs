//! A past period replayed under a proposed SLA or calendar: each target's runs (the wall-clock
//! stretches its timer ran, from the ticket's own events) measured again on the proposed
//! calendar against the proposed target, and counted by the same rule as the real report.
//! The pause rules stay the ticket's own: which stretches ran is a fact of its history.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use servicedesk_domain::calendar::{Calendar, CalendarSpec};
use servicedesk_domain::sla::report::{
    ReportScope, Settled, Simulation, Tally, TargetResult, TicketComparison,
};
use servicedesk_domain::sla::{outcome, SlaSpec, TicketType};
use servicedesk_projections::TargetRow;
use std::collections::HashMap;

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
            let rows = db.sla_target_rows(&scope)?;
            Ok(simulate(&scope, &proposal, &rows, real.totals, limit))
        })
        .await
    }
}

fn simulate(
    scope: &ReportScope,
    proposal: &Proposal,
    rows: &[TargetRow],
    real: servicedesk_domain::sla::report::ReportFigures,
    limit: usize,
) -> Simulation {
    let proposed_calendar = proposal
        .calendar
        .as_ref()
        .and_then(|spec| spec.validate().ok());
    let mut own_calendars: HashMap<String, Calendar> = HashMap::new();
    let mut tally = Tally::default();
    let mut compared = Vec::with_capacity(rows.len());
    for row in rows {
        let calendar = match (&proposed_calendar, &row.calendar) {
            (Some(proposed), _) => proposed.clone(),
            (None, Some(spec)) => {
                let key = serde_json::to_string(spec).unwrap_or_default();
                own_calendars
                    .entry(key)
                    .or_insert_with(|| spec.validate().unwrap_or_else(|_| Calendar::always()))
                    .clone()
            }
            (None, None) => Calendar::always(),
        };
        let target_seconds = match &proposal.sla {
            Some(sla) => sla
                .targets_for(TicketType::Incident, row.priority)
                .into_iter()
                .find(|t| t.kind == row.timer)
                .map(|t| t.business_seconds),
            None => Some(row.target_seconds),
        };
        let real_result = result(
            scope,
            Some(row.target_seconds),
            row.due_at,
            row.met_at,
            row.on_time,
        );
        let simulated = match target_seconds {
            Some(seconds) => {
                let o = outcome(&row.runs, row.met_at, seconds, &calendar);
                let r = result(scope, Some(seconds), o.due_at, o.met_at, o.on_time);
                if r.settled_in_period {
                    tally.add(
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
        if !real_result.settled_in_period && !simulated.settled_in_period {
            continue;
        }
        let changed = real_result.on_time != simulated.on_time
            || real_result.settled_in_period != simulated.settled_in_period;
        compared.push(TicketComparison {
            incident: row.incident,
            link: format!("/api/v1/incidents/{}", row.incident),
            timer: row.timer,
            priority: row.priority,
            customer: row.customer.clone(),
            service: row.service.clone(),
            real: real_result,
            simulated,
            changed,
        });
    }
    let tickets_total = compared.len() as u64;
    let tickets_changed = compared.iter().filter(|c| c.changed).count() as u64;
    // changed first; otherwise the order the tickets opened in (a stable sort keeps it)
    compared.sort_by_key(|c| !c.changed);
    compared.truncate(limit);
    Simulation {
        from: scope.from,
        to: scope.to,
        as_of: scope.as_of,
        simulated: tally.figures(None, real.backlog.clone()),
        real,
        tickets_total,
        tickets_changed,
        tickets: compared,
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
