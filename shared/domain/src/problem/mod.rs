//! The problem: the unknown cause of one or more incidents (ITIL). Lifecycle:
//! new -> investigating -> known_error (a workaround is recorded) -> resolved -> closed.
//! Recurring incidents are linked to it; its full management (root cause analysis, changes
//! that fix it) builds on this.

mod decide;
mod event;
mod state;
#[cfg(test)]
mod tests;

pub use decide::{decide, ProblemCommand};
pub use event::ProblemEvent;
pub use state::{evolve, Problem, ProblemId, ProblemStatus};
