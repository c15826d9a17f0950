//! One shape for every aggregate (incident, problem, integration, alarm), so that one generic
//! `execute` in the application layer runs any of them: load the stream, fold it with
//! `evolve`, `decide` the command, append with the expected version.

use crate::codec::StoredEvent;
use crate::{DomainError, PriorityMatrix};
use chrono::{DateTime, Utc};

/// Everything a decision may depend on besides state and command. The caller reads the clock
/// and passes `now` in; the domain never does.
#[derive(Debug, Clone)]
pub struct DecisionContext {
    pub now: DateTime<Utc>,
    pub priority_matrix: PriorityMatrix,
}

/// An aggregate's identity: the stream its events live in. Implemented by [`crate::stream_id!`].
pub trait StreamId: Copy + std::fmt::Display + Send + Sync + 'static {
    const STREAM_PREFIX: &'static str;
    fn stream(&self) -> String;
}

/// An event-sourced aggregate; `Self` is its state.
pub trait Aggregate: Sized + Send + Sync + 'static {
    /// What the aggregate is called in messages ("incident").
    const NAME: &'static str;
    type Id: StreamId;
    type Command: Send + Sync;
    type Event: StoredEvent + Send + Sync;

    /// The stream version of the last event folded into this state.
    fn version(&self) -> u64;

    /// Whether the command creates its stream under an id minted for it, so that there is no
    /// history worth reading: it is appended expecting no stream, and a conflict means the id
    /// is taken.
    fn creates(_command: &Self::Command) -> bool {
        false
    }

    /// The events the command produces on this state; none when it changes nothing.
    fn decide(
        state: Option<&Self>,
        command: &Self::Command,
        ctx: &DecisionContext,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after one more event, recorded at `at`.
    fn evolve(state: Option<Self>, event: &Self::Event, at: DateTime<Utc>) -> Option<Self>;
}

/// Implements [`Aggregate`] for state types (with a `version` field) from their modules'
/// `decide` and `evolve`, one row each: `State: "name", Id, Command, Event, decide, evolve;`
/// where `decide` takes `(state, command, &DecisionContext)`; a last `creates` says which
/// commands create their stream.
#[macro_export]
macro_rules! aggregates {
    ($($state:ty: $name:literal, $id:ty, $command:ty, $event:ty, $decide:expr, $evolve:path $(, $creates:expr)?;)*) => {$(
        impl $crate::Aggregate for $state {
            const NAME: &'static str = $name;
            type Id = $id;
            type Command = $command;
            type Event = $event;

            fn version(&self) -> u64 {
                self.version
            }

            $(fn creates(command: &$command) -> bool {
                let creates: fn(&$command) -> bool = $creates;
                creates(command)
            })?

            fn decide(
                state: Option<&Self>,
                command: &$command,
                ctx: &$crate::DecisionContext,
            ) -> Result<Vec<$event>, $crate::DomainError> {
                let decide: fn(
                    Option<&Self>,
                    &$command,
                    &$crate::DecisionContext,
                ) -> Result<Vec<$event>, $crate::DomainError> = $decide;
                decide(state, command, ctx)
            }

            fn evolve(
                state: Option<Self>,
                event: &$event,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Option<Self> {
                $evolve(state, event, at)
            }
        }
    )*};
}

mod impls {
    use crate::alarm::{Alarm, AlarmCommand, AlarmEvent, AlarmId};
    use crate::calendar::{CalendarCommand, CalendarDoc, CalendarEvent, CalendarId};
    use crate::contract::{ContractCommand, ContractDoc, ContractEvent, ContractId};
    use crate::customer::{CustomerCommand, CustomerDoc, CustomerEvent, CustomerId};
    use crate::incident::{Incident, IncidentCommand, IncidentEvent, IncidentId};
    use crate::integration::{Integration, IntegrationCommand, IntegrationEvent, IntegrationId};
    use crate::oncall::{ScheduleCommand, ScheduleDoc, ScheduleEvent, ScheduleId};
    use crate::people::group::{GroupCommand, GroupDoc, GroupEvent, GroupId};
    use crate::people::person::{PersonCommand, PersonDoc, PersonEvent, PersonId};
    use crate::people::{group, person};
    use crate::problem::{Problem, ProblemCommand, ProblemEvent, ProblemId};
    use crate::service::{ServiceCommand, ServiceDoc, ServiceEvent, ServiceId};
    use crate::sla::{SlaCommand, SlaDoc, SlaEvent, SlaId};
    use crate::{
        alarm, calendar, contract, customer, incident, integration, oncall, problem, service, sla,
    };

    // Opening an incident mints its id (UUID v7 by the caller, or the alarm policy's
    // deterministic one). Alarm streams are written by the alarm ingestor, which batches many
    // into one append; through `execute` they behave like any other aggregate.
    crate::aggregates! {
        Incident: "incident", IncidentId, IncidentCommand, IncidentEvent, incident::decide, incident::evolve, |c| matches!(c, IncidentCommand::Open(_));
        Problem: "problem", ProblemId, ProblemCommand, ProblemEvent, |s, c, _| problem::decide(s, c), problem::evolve;
        Integration: "integration", IntegrationId, IntegrationCommand, IntegrationEvent, |s, c, _| integration::decide(s, c), integration::evolve;
        Alarm: "alarm", AlarmId, AlarmCommand, AlarmEvent, |s, c, ctx| alarm::decide(s, c, ctx.now), alarm::evolve;
        SlaDoc: "SLA", SlaId, SlaCommand, SlaEvent, |s, c, _| sla::decide(s, c), sla::evolve, |c| matches!(c, SlaCommand::Define { .. });
        ContractDoc: "contract", ContractId, ContractCommand, ContractEvent, |s, c, _| contract::decide(s, c), contract::evolve, |c| matches!(c, ContractCommand::Define { .. });
        CustomerDoc: "customer", CustomerId, CustomerCommand, CustomerEvent, |s, c, _| customer::decide(s, c), customer::evolve, |c| matches!(c, CustomerCommand::Define { .. });
        ServiceDoc: "service", ServiceId, ServiceCommand, ServiceEvent, |s, c, _| service::decide(s, c), service::evolve, |c| matches!(c, ServiceCommand::Define { .. });
        PersonDoc: "person", PersonId, PersonCommand, PersonEvent, |s, c, _| person::decide(s, c), person::evolve, |c| matches!(c, PersonCommand::Define { .. });
        GroupDoc: "group", GroupId, GroupCommand, GroupEvent, |s, c, _| group::decide(s, c), group::evolve, |c| matches!(c, GroupCommand::Define { .. });
        ScheduleDoc: "schedule", ScheduleId, ScheduleCommand, ScheduleEvent, |s, c, _| oncall::decide(s, c), oncall::evolve, |c| matches!(c, ScheduleCommand::Define { .. });
        CalendarDoc: "calendar", CalendarId, CalendarCommand, CalendarEvent, |s, c, _| calendar::decide(s, c), calendar::evolve, |c| matches!(c, CalendarCommand::Define { .. });
    }
}
