use super::{decide, evolve, Problem, ProblemCommand, ProblemEvent, ProblemId};
use crate::{Aggregate, DecisionContext, DomainError};
use chrono::{DateTime, Utc};

impl Aggregate for Problem {
    const NAME: &'static str = "problem";
    type Id = ProblemId;
    type Command = ProblemCommand;
    type Event = ProblemEvent;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        command: &ProblemCommand,
        _ctx: &DecisionContext,
    ) -> Result<Vec<ProblemEvent>, DomainError> {
        decide(state, command)
    }

    fn evolve(state: Option<Self>, event: &ProblemEvent, at: DateTime<Utc>) -> Option<Self> {
        evolve(state, event, at)
    }
}
