//! Every read model, once. The live projections and the rebuild both walk [`READ_MODELS`], so
//! a new read model is one [`Projection`] impl and one line here.

use crate::calendars::Calendars;
use crate::catalogs::{Contracts, Customers, Groups, People, Schedules, Services, Slas};
use crate::integrations::Integrations;
use crate::problems::Problems;
use crate::{alarm_repeats, alarms, incidents, row_per_aggregate, ProjectionError};
use rusqlite::Connection;
use servicedesk_store::RecordedEvent;

/// A read model: which events it reads and how a batch of them changes its tables.
pub(crate) trait Projection {
    /// Its checkpoint's name when it follows the log on its own (see [`Follows`]).
    const NAME: &'static str;
    const FOLLOWS: Follows = Follows::WithTheMain;
    /// Whether it reads this event (a rebuild hands it only those).
    fn concerns(recorded: &RecordedEvent) -> bool;
    /// Applies a batch's events inside the caller's transaction. For the models that follow
    /// with the main projection an event already applied changes nothing (redelivery after a
    /// crash is harmless); one that follows on its own (the repeat counts add up) relies on
    /// its own checkpoint, written with its rows, instead.
    fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError>;
}

/// How a read model is kept current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Follows {
    /// In the main projection's transaction, under its checkpoint: what read-your-writes waits
    /// for.
    WithTheMain,
    /// By a follower of its own with its own checkpoint (the repeat counts commit once a
    /// second; nobody waits for them).
    OnItsOwn,
}

/// A [`Projection`] as a table row: the registry holds these.
pub(crate) struct ReadModel {
    pub name: &'static str,
    pub follows: Follows,
    pub concerns: fn(&RecordedEvent) -> bool,
    pub apply: fn(&Connection, &[RecordedEvent]) -> Result<(), ProjectionError>,
}

impl ReadModel {
    const fn of<P: Projection>() -> Self {
        Self {
            name: P::NAME,
            follows: P::FOLLOWS,
            concerns: P::concerns,
            apply: P::apply,
        }
    }
}

/// The main projection's checkpoint: the position read-your-writes waits for.
pub(crate) const MAIN: &str = incidents::PROJECTION;

pub(crate) const READ_MODELS: &[ReadModel] = &[
    ReadModel::of::<incidents::Incidents>(),
    ReadModel::of::<Integrations>(),
    ReadModel::of::<alarms::Alarms>(),
    ReadModel::of::<Problems>(),
    ReadModel::of::<Calendars>(),
    ReadModel::of::<Slas>(),
    ReadModel::of::<Contracts>(),
    ReadModel::of::<Customers>(),
    ReadModel::of::<Services>(),
    ReadModel::of::<People>(),
    ReadModel::of::<Groups>(),
    ReadModel::of::<Schedules>(),
    ReadModel::of::<alarm_repeats::AlarmRepeats>(),
];

/// The read models that follow with the main projection.
pub(crate) fn main_models() -> impl Iterator<Item = &'static ReadModel> {
    READ_MODELS
        .iter()
        .filter(|m| m.follows == Follows::WithTheMain)
}

/// The checkpoints a rebuilt file starts with: the main projection's and each of those that
/// follow on their own.
pub(crate) fn checkpoints() -> impl Iterator<Item = &'static str> {
    std::iter::once(MAIN).chain(
        READ_MODELS
            .iter()
            .filter(|m| m.follows == Follows::OnItsOwn)
            .map(|m| m.name),
    )
}

/// Applies a batch to every read model of the main projection, inside the caller's transaction.
pub(crate) fn apply_main(
    conn: &Connection,
    events: &[RecordedEvent],
) -> Result<(), ProjectionError> {
    for model in main_models() {
        (model.apply)(conn, events)?;
    }
    Ok(())
}

/// The row-per-aggregate read models are projections through their shape.
macro_rules! row_per_aggregate_projection {
    ($($t:ty),*) => {$(
        impl Projection for $t {
            const NAME: &'static str = <$t as row_per_aggregate::RowPerAggregate>::TABLE;
            fn concerns(recorded: &RecordedEvent) -> bool {
                row_per_aggregate::concerns::<$t>(recorded)
            }
            fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
                row_per_aggregate::apply::<$t>(conn, events)
            }
        }
    )*};
}
row_per_aggregate_projection!(
    Integrations,
    Problems,
    Calendars,
    Slas,
    Contracts,
    Customers,
    Services,
    People,
    Groups,
    Schedules
);
