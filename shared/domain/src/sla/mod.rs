//! SLA timers as stopwatches (iTop's model): each target of a ticket's SLA runs in some of the
//! ticket's states, on a business calendar, and is met, warned or breached by the business time
//! it has run. A stopwatch is built only from the ticket's facts (opened, assigned, pended,
//! resolved, ...), so it can be recomputed from the events at any instant, under any calendar
//! or target, and a change of target keeps the business time already spent and paused.

mod aggregate;
mod definition;
mod escalation;
pub mod report;
mod stopwatch;
#[cfg(test)]
mod tests;
mod threshold;

pub use aggregate::*;
pub use definition::{PriorityTargets, SlaSpec, TicketType};
pub use escalation::EscalationLevel;
pub use stopwatch::{
    outcome, reached_at, Fact, Outcome, Reach, Run, Stopwatch, Target, TimerKind, TimerState,
    TimerView,
};
pub use threshold::{Threshold, ThresholdKey, ThresholdReached};
