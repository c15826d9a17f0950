use super::{decide, evolve, Incident, IncidentCommand, IncidentEvent, IncidentId};
use crate::{Aggregate, DecisionContext, DomainError};
use chrono::{DateTime, Utc};

impl Aggregate for Incident {
    const NAME: &'static str = "incident";
    type Id = IncidentId;
    type Command = IncidentCommand;
    type Event = IncidentEvent;

    fn version(&self) -> u64 {
        self.version
    }

    /// Opening mints a new id (UUID v7 by the caller, or the alarm policy's deterministic one).
    fn creates(command: &IncidentCommand) -> bool {
        matches!(command, IncidentCommand::Open(_))
    }

    fn decide(
        state: Option<&Self>,
        command: &IncidentCommand,
        ctx: &DecisionContext,
    ) -> Result<Vec<IncidentEvent>, DomainError> {
        decide(state, command, ctx)
    }

    fn evolve(state: Option<Self>, event: &IncidentEvent, at: DateTime<Utc>) -> Option<Self> {
        evolve(state, event, at)
    }
}
