use crate::slug::slug_error;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// `{"slug": "acme", "name": "ACME Corp", "calendar": "<id>", "contact_email": "ops@acme.example"}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerSpec {
    /// The key tickets carry in `customer`; it never changes.
    pub slug: String,
    pub name: String,
    /// The customer's own business calendar: overrides the contract's for their tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<uuid::Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
}

impl crate::catalog::Spec for CustomerSpec {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(message) = slug_error(&self.slug) {
            errors.push(FieldError::new("slug", message));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        if let Some(email) = &self.contact_email {
            let plausible = email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
                && !email.chars().any(char::is_whitespace);
            if !plausible {
                errors.push(FieldError::new(
                    "contact_email",
                    format!("{email:?} is not an e-mail address"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
