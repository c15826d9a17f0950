//! Business services: what the customers are promised (mail hosting, the web shop), by the
//! slug tickets carry in `service`.

use crate::slug::slug_error;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// `{"slug": "mail", "name": "Mail hosting", "description": "..."}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// The key tickets carry in `service`; it never changes.
    pub slug: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl crate::catalog::Spec for ServiceSpec {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(message) = slug_error(&self.slug) {
            errors.push(FieldError::new("slug", message));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

crate::catalog!(
    ServiceDoc,
    ServiceId,
    "service-",
    ServiceSpec,
    ServiceCommand,
    ServiceEvent,
    ServiceDefined,
    ServiceChanged
);

impl ServiceId {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5d0c_7a1e_0c05_4c1e_9a55_5e2b_1ce5_0001);

    pub fn of_slug(slug: &str) -> Self {
        Self(crate::slug::slug_uuid(Self::NAMESPACE, slug))
    }
}
