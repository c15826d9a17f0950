//! An SLA as a catalog entry.

use super::definition::SlaSpec;

impl crate::catalog::Spec for SlaSpec {
    fn validate(&self) -> Result<(), Vec<crate::FieldError>> {
        SlaSpec::validate(self)
    }
}

crate::catalog!(SlaDoc, SlaId, "sla-", SlaSpec, SlaCommand, SlaEvent, SlaDefined, SlaChanged);
