use super::{decide, evolve, Alarm, AlarmCommand, AlarmEvent, AlarmId};
use crate::{Aggregate, DecisionContext, DomainError};
use chrono::{DateTime, Utc};

/// Alarm streams are written by the alarm ingestor, which batches many of them into one
/// append; through `execute` they behave like any other aggregate.
impl Aggregate for Alarm {
    const NAME: &'static str = "alarm";
    type Id = AlarmId;
    type Command = AlarmCommand;
    type Event = AlarmEvent;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        command: &AlarmCommand,
        ctx: &DecisionContext,
    ) -> Result<Vec<AlarmEvent>, DomainError> {
        decide(state, command, ctx.now)
    }

    fn evolve(state: Option<Self>, event: &AlarmEvent, at: DateTime<Utc>) -> Option<Self> {
        evolve(state, event, at)
    }
}
