//! Realistic incident histories, produced by the real domain `decide` so the benchmark writes
//! exactly what the API would.

use chrono::{DateTime, Utc};
use servicedesk_domain::incident::{
    decide, AssignIncident, ChangeStatus, DecisionContext, IncidentCommand, IncidentEvent,
    IncidentId, OpenIncident, ResolutionCode, Status,
};
use servicedesk_domain::{Impact, PriorityMatrix, Urgency};
use servicedesk_store::{Actor, NewEvent};

pub const SERVICES: usize = 50;
pub const CUSTOMERS: usize = 200;
pub const GROUPS: usize = 20;
pub const HOSTS: usize = 5_000;

const WORDS: [&str; 12] = [
    "disk",
    "latency",
    "timeout",
    "certificate",
    "backup",
    "memory",
    "replication",
    "dns",
    "login",
    "queue",
    "ssl",
    "kernel",
];

/// A cheap deterministic mixer, so runs are comparable.
pub fn mix(n: u64) -> u64 {
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub fn open_command(n: u64, id: IncidentId) -> OpenIncident {
    let r = mix(n);
    let impact = [Impact::High, Impact::Medium, Impact::Low][(r % 3) as usize];
    let urgency = [Urgency::High, Urgency::Medium, Urgency::Low][((r >> 8) % 3) as usize];
    let word = WORDS[((r >> 16) % WORDS.len() as u64) as usize];
    let host = (r >> 24) % HOSTS as u64;
    OpenIncident {
        id,
        title: format!("{word} alarm on host{host}"),
        description: format!(
            "Monitoring reported {word} trouble on host{host}; see runbook {}.",
            r % 97
        ),
        caller: Some(format!("caller{}", (r >> 32) % 1000)),
        customer: Some(format!("cust-{}", (r >> 20) % CUSTOMERS as u64)),
        service: Some(format!("svc-{}", (r >> 12) % SERVICES as u64)),
        configuration_item: Some(format!("host{host}")),
        category: Some("infrastructure".to_owned()),
        impact,
        urgency,
        assignment_group: None,
        assignee: None,
        opened_by: "bench".to_owned(),
        alarm: None,
    }
}

/// One incident's whole history: opened; most assigned; some worked on and resolved.
pub fn history(n: u64, at: DateTime<Utc>) -> (IncidentId, Vec<NewEvent>) {
    let id = IncidentId(uuid::Uuid::now_v7());
    let ctx = DecisionContext {
        now: at,
        priority_matrix: PriorityMatrix::default(),
    };
    let r = mix(n ^ 0xABCD);
    let mut commands = vec![IncidentCommand::Open(open_command(n, id))];
    if r % 10 < 6 {
        commands.push(IncidentCommand::Assign(AssignIncident {
            assignment_group: Some(format!("grp-{}", (r >> 8) % GROUPS as u64)),
            assignee: Some(format!("agent{}", (r >> 16) % 100)),
        }));
        if r % 10 < 3 {
            commands.push(IncidentCommand::ChangeStatus(ChangeStatus::to(
                Status::InProgress,
                "bench",
            )));
        }
        if r % 10 < 2 {
            commands.push(IncidentCommand::ChangeStatus(ChangeStatus {
                resolution_code: Some(ResolutionCode::PermanentFix),
                note: Some("fixed".to_owned()),
                ..ChangeStatus::to(Status::Resolved, "bench")
            }));
        }
    }
    let mut state = None;
    let mut events = Vec::new();
    for command in commands {
        for event in decide(state.as_ref(), &command, &ctx).expect("valid history") {
            state = servicedesk_domain::incident::evolve(state, &event, at);
            events.push(envelope(&event, at));
        }
    }
    (id, events)
}

pub fn envelope(event: &IncidentEvent, at: DateTime<Utc>) -> NewEvent {
    NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: event.event_type().to_owned(),
        schema_version: IncidentEvent::SCHEMA_VERSION,
        occurred_at: at,
        actor: Actor::user("bench"),
        correlation_id: uuid::Uuid::now_v7(),
        causation_id: None,
        data: event.to_json(),
    }
}
