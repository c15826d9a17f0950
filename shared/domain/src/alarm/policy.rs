//! The alarm policy: given an alarm as its latest event left it, and what is known about the
//! incident it feeds, which incident actions follow. Pure; the reactor gathers the facts,
//! calls this, and turns the reactions into commands with expected versions.

use super::rules::{AlarmRules, RecoveryAction};
use super::state::Alarm;
use crate::alarm::canonical::{AlarmStatus, Severity};
use crate::incident::{IncidentId, Status};
use crate::{Impact, Urgency};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the reactor knows about the incident an alarm last fed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: IncidentId,
    pub status: Status,
    pub opened_by_monitoring: bool,
    /// Anyone but monitoring changed it (assigned, commented, moved it...).
    pub human_touched: bool,
    pub resolved_at: Option<DateTime<Utc>>,
    pub flapping: bool,
}

#[derive(Debug, Clone)]
pub struct Situation<'a> {
    pub alarm: &'a Alarm,
    pub now: DateTime<Utc>,
    pub rules: &'a AlarmRules,
    pub incident: Option<IncidentFacts>,
    /// An open, monitoring-opened incident for the same host, opened within the storm window.
    pub storm_incident: Option<IncidentId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction {
    /// Open a new incident (its id is deterministic, so a repeated reaction cannot open two).
    Open {
        incident: IncidentId,
        impact: Impact,
        urgency: Urgency,
    },
    /// Attach the alarm to an incident another alarm of the same host opened (a storm).
    Join { incident: IncidentId },
    /// Reopen the incident this alarm fed, resolved less than the reopen window ago.
    Reopen { incident: IncidentId },
    /// The alarm cleared: resolve the incident as recovered, or only note it.
    Clear { incident: IncidentId, resolve: bool },
    /// Mark or unmark the incident as flapping.
    Flapping {
        incident: IncidentId,
        flapping: bool,
    },
    /// Look again at this instant (a warning's grace time ends).
    RecheckAt(DateTime<Utc>),
}

/// Decides the reactions to the alarm's current state. Called after every alarm event and
/// at recheck times; calling it twice for the same situation gives the same answer.
pub fn react(s: &Situation<'_>) -> Vec<Reaction> {
    let alarm = s.alarm;
    let open_incident = s.incident.as_ref().filter(|i| i.status.is_open());
    let mut reactions = Vec::new();

    if let Some(incident) = open_incident {
        if alarm.status == AlarmStatus::Resolved && alarm.incident == Some(incident.id) {
            let resolve = s.rules.recovery == RecoveryAction::ResolveUntouched
                && incident.opened_by_monitoring
                && !incident.human_touched;
            reactions.push(Reaction::Clear {
                incident: incident.id,
                resolve,
            });
        }
        if alarm.incident == Some(incident.id) && alarm.flapping != incident.flapping {
            reactions.push(Reaction::Flapping {
                incident: incident.id,
                flapping: alarm.flapping,
            });
        }
        return reactions;
    }

    match wants_incident(alarm, s.rules, s.now) {
        Want::No => {}
        Want::Later(at) => reactions.push(Reaction::RecheckAt(at)),
        Want::Now => {
            let reopenable = s.incident.as_ref().filter(|i| {
                i.status == Status::Resolved
                    && i.resolved_at
                        .is_some_and(|at| s.now - at <= s.rules.reopen_window())
            });
            if let Some(incident) = reopenable {
                reactions.push(Reaction::Reopen {
                    incident: incident.id,
                });
            } else if let Some(incident) = s.storm_incident {
                reactions.push(Reaction::Join { incident });
            } else {
                let (impact, urgency) = impact_and_urgency(alarm.snapshot.severity);
                reactions.push(Reaction::Open {
                    incident: incident_id_for(alarm),
                    impact,
                    urgency,
                });
            }
        }
    }
    reactions
}

enum Want {
    No,
    Now,
    Later(DateTime<Utc>),
}

fn wants_incident(alarm: &Alarm, rules: &AlarmRules, now: DateTime<Utc>) -> Want {
    if alarm.status == AlarmStatus::Resolved || alarm.flapping {
        return Want::No;
    }
    let severity = alarm.snapshot.severity;
    if rules.open_incident_for.contains(&severity) {
        return Want::Now;
    }
    if severity != Severity::Warning {
        return Want::No;
    }
    let Some(since) = alarm.firing_since else {
        return Want::No;
    };
    let due = since + rules.warning_grace();
    if now >= due {
        Want::Now
    } else {
        Want::Later(due)
    }
}

/// Critical is P1 (high, high), error P2 (high impact, medium urgency), a lasting warning P3.
pub fn impact_and_urgency(severity: Severity) -> (Impact, Urgency) {
    match severity {
        Severity::Critical => (Impact::High, Urgency::High),
        Severity::Error => (Impact::High, Urgency::Medium),
        Severity::Warning => (Impact::Medium, Urgency::Medium),
        Severity::Info => (Impact::Low, Urgency::Low),
    }
}

/// One incident per firing period of an alarm: the same alarm firing since the same instant
/// always maps to the same incident id, so a reaction retried after a crash finds its
/// incident already there instead of opening a second.
pub fn incident_id_for(alarm: &Alarm) -> IncidentId {
    const NAMESPACE: Uuid = Uuid::from_u128(0x1c_1d_e7_70_a1_a2_4b_3c_8d_9e_0f_1a_2b_3c_4d_5f);
    let mut name = alarm.id.0.as_bytes().to_vec();
    let since = alarm.firing_since.map_or(0, |t| t.timestamp_micros());
    name.extend_from_slice(&since.to_be_bytes());
    IncidentId(Uuid::new_v5(&NAMESPACE, &name))
}

/// Recurrence: when this alarm has caused `recurrence_threshold` incidents within the window
/// (counting the one just opened or joined), they belong to one problem. Its id is derived from
/// the alarm and the first incident of the window, so every later incident of the same run
/// lands in the same problem, and a redelivery cannot open a second one.
pub fn recurring(
    alarm: &Alarm,
    incident: IncidentId,
    now: DateTime<Utc>,
    rules: &AlarmRules,
) -> Option<(crate::problem::ProblemId, Vec<IncidentId>)> {
    const NAMESPACE: Uuid = Uuid::from_u128(0x2e_3f_40_51_62_73_44_85_96_a7_b8_c9_da_eb_fc_0d);
    let mut incidents: Vec<IncidentId> = alarm
        .incidents
        .iter()
        .filter(|(_, at)| now - *at <= rules.recurrence_window())
        .map(|(id, _)| *id)
        .collect();
    if !incidents.contains(&incident) {
        incidents.push(incident);
    }
    if incidents.len() < rules.recurrence_threshold {
        return None;
    }
    let mut name = alarm.id.0.as_bytes().to_vec();
    name.extend_from_slice(incidents[0].0.as_bytes());
    Some((
        crate::problem::ProblemId(Uuid::new_v5(&NAMESPACE, &name)),
        incidents,
    ))
}

/// Recurrence across fingerprints: alarms with the same configuration item and alarm name (a
/// disk check per mount point, a probe per URL of one site) are one recurring cause. When
/// together they have caused `recurrence_threshold` incidents within the window (counting the
/// one just opened or joined), those belong to one problem, whose id is derived from the pair
/// and the first incident of the window. `siblings` are the other alarms of the pair as the
/// read model knows them; this alarm's own state wins over its copy there.
pub fn recurring_on_item(
    alarm: &Alarm,
    incident: IncidentId,
    siblings: &[Alarm],
    now: DateTime<Utc>,
    rules: &AlarmRules,
) -> Option<(crate::problem::ProblemId, Vec<IncidentId>, String)> {
    const NAMESPACE: Uuid = Uuid::from_u128(0x3f_40_51_62_73_84_45_96_a7_b8_c9_da_eb_fc_0d_1e);
    let item = alarm.snapshot.configuration_item.as_deref()?;
    let name = alarm.snapshot.alarm_name.as_deref()?;
    let mut caused: Vec<(IncidentId, DateTime<Utc>)> = siblings
        .iter()
        .filter(|s| s.id != alarm.id)
        .chain(std::iter::once(alarm))
        .flat_map(|a| a.incidents.iter().copied())
        .filter(|(_, at)| now - *at <= rules.recurrence_window())
        .collect();
    if !caused.iter().any(|(id, _)| *id == incident) {
        caused.push((incident, now));
    }
    // One incident fed by several of these alarms (a storm) counts once, at its first link.
    caused.sort_by_key(|(id, at)| (*at, *id));
    let mut seen = std::collections::HashSet::new();
    caused.retain(|(id, _)| seen.insert(*id));
    if caused.len() < rules.recurrence_threshold {
        return None;
    }
    let key = format!("{item}/{name}");
    let mut seed = key.as_bytes().to_vec();
    seed.push(0);
    seed.extend_from_slice(caused[0].0 .0.as_bytes());
    Some((
        crate::problem::ProblemId(Uuid::new_v5(&NAMESPACE, &seed)),
        caused.into_iter().map(|(id, _)| id).collect(),
        key,
    ))
}
