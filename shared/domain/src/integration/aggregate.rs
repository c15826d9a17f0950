use super::{decide, evolve, Integration, IntegrationCommand, IntegrationEvent, IntegrationId};
use crate::{Aggregate, DecisionContext, DomainError};
use chrono::{DateTime, Utc};

impl Aggregate for Integration {
    const NAME: &'static str = "integration";
    type Id = IntegrationId;
    type Command = IntegrationCommand;
    type Event = IntegrationEvent;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        command: &IntegrationCommand,
        _ctx: &DecisionContext,
    ) -> Result<Vec<IntegrationEvent>, DomainError> {
        decide(state, command)
    }

    fn evolve(state: Option<Self>, event: &IntegrationEvent, at: DateTime<Utc>) -> Option<Self> {
        evolve(state, event, at)
    }
}
