//! On-call schedules: layers of rotations handing off at a local time of the schedule's zone
//! (a 09:00 hand-off stays 09:00 across DST changes), a layer that applies only on some
//! weekdays or holidays, and temporary overrides. Who is on call at any instant, and the
//! shifts of a period, are computed from the definition alone.

mod ics;
mod spec;
#[cfg(test)]
mod tests;
mod timeline;

pub use ics::shifts_ics;
pub use spec::{Every, Layer, OnlyOn, Override, Rotation, ScheduleSpec};
pub use timeline::{OnCall, Schedule, Shift, MAX_SHIFT_DAYS};

crate::catalog!(
    ScheduleDoc,
    ScheduleId,
    "schedule-",
    ScheduleSpec,
    ScheduleCommand,
    ScheduleEvent,
    ScheduleDefined,
    ScheduleChanged
);

impl crate::catalog::Spec for ScheduleSpec {
    fn validate(&self) -> Result<(), Vec<crate::FieldError>> {
        ScheduleSpec::validate(self).map(|_| ())
    }
}
