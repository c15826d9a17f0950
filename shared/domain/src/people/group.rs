use crate::slug::slug_error;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// `{"slug": "network", "name": "Network team", "members": ["bob", "carol"]}`: members are
/// people by id (the API refuses unknown ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The key tickets carry in `assignment_group`; it never changes.
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub members: Vec<String>,
}

impl crate::catalog::Spec for GroupSpec {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(message) = slug_error(&self.slug) {
            errors.push(FieldError::new("slug", message));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        for (i, member) in self.members.iter().enumerate() {
            if self.members[..i].contains(member) {
                errors.push(FieldError::new(
                    format!("members[{i}]"),
                    format!("{member:?} is listed twice"),
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

crate::catalog!(
    GroupDoc,
    GroupId,
    "group-",
    GroupSpec,
    GroupCommand,
    GroupEvent,
    GroupDefined,
    GroupChanged
);

impl GroupId {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5d0c_7a1e_0c05_4c1e_9a55_6e09_0000_0001);

    pub fn of_slug(slug: &str) -> Self {
        Self(crate::slug::slug_uuid(Self::NAMESPACE, slug))
    }
}
