use crate::slug::slug_error;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// `{"name": "ACME mail", "customer": "acme", "service": "mail", "sla": "<id>", "calendar":
/// "<id>"}`: customer and service are the slugs tickets carry; leave one out to cover all of
/// them, both for the default. Without a calendar the contract runs around the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub sla: uuid::Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<uuid::Uuid>,
}

impl crate::catalog::Spec for ContractSpec {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        for (field, value) in [("customer", &self.customer), ("service", &self.service)] {
            if let Some(message) = value.as_deref().and_then(slug_error) {
                errors.push(FieldError::new(field, message));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
