use super::contact::{check_all, Contact};
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// `{"id": "bob", "name": "Bob Builder", "time_zone": "Europe/Berlin", "contacts": [
///   {"kind": "email", "address": "bob@example.com"}, {"kind": "sms", "address": "+4915112345678"}]}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonSpec {
    /// The `sub` of the person's token; it never changes.
    pub id: String,
    pub name: String,
    /// IANA zone the person lives in (messages show their local time).
    pub time_zone: String,
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

impl crate::catalog::Spec for PersonSpec {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.id.trim().is_empty() || self.id.len() > 255 || self.id.chars().any(char::is_control)
        {
            errors.push(FieldError::new(
                "id",
                "must be the token's sub: 1 to 255 characters",
            ));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(FieldError::new(
                "time_zone",
                format!("{:?} is not an IANA time zone", self.time_zone),
            ));
        }
        check_all(&self.contacts, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

crate::catalog!(
    PersonDoc,
    PersonId,
    "person-",
    PersonSpec,
    PersonCommand,
    PersonEvent,
    PersonDefined,
    PersonChanged
);

impl PersonId {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5d0c_7a1e_0c05_4c1e_9a55_9e25_0000_0001);

    /// The person a token's `sub` names.
    pub fn of_sub(sub: &str) -> Self {
        Self(crate::slug::slug_uuid(Self::NAMESPACE, sub))
    }
}
