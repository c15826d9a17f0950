//! Request bodies as clients send them, and their parsing into validated commands.

use crate::error::{describe, ApiError};
use serde::{Deserialize, Deserializer};
use servicedesk_domain::incident::{
    AssignIncident, ChangeStatus, FieldChanges, IncidentId, LinkKind, OpenIncident, PendingReason,
    ResolutionCode, Status, UpdateIncident, Visibility,
};
use servicedesk_domain::text::{body, optional_line, required_line, MAX_BODY, MAX_LINE, MAX_TITLE};
use servicedesk_domain::{FieldError, Impact, Urgency};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIncidentRequest {
    /// One line, 1..200 characters.
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub caller: Option<String>,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub configuration_item: Option<String>,
    pub category: Option<String>,
    /// Defaults to medium.
    pub impact: Option<Impact>,
    /// Defaults to medium.
    pub urgency: Option<Urgency>,
    pub assignment_group: Option<String>,
    pub assignee: Option<String>,
}

/// Collects every field error of a request instead of stopping at the first.
#[derive(Default)]
struct Checks(Vec<FieldError>);

impl Checks {
    fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ => Err(ApiError::Invalid {
                detail: describe(&self.0),
                errors: self.0,
            }),
        }
    }
}

fn line(checks: &mut Checks, field: &str, value: Option<&str>) -> Option<String> {
    checks.take(optional_line(field, value, MAX_LINE)).flatten()
}

impl CreateIncidentRequest {
    pub fn into_command(self, id: IncidentId, opened_by: &str) -> Result<OpenIncident, ApiError> {
        let mut c = Checks::default();
        let title = c.take(required_line("title", &self.title, MAX_TITLE));
        let description = c.take(body("description", &self.description, MAX_BODY, false));
        let command = OpenIncident {
            id,
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
            caller: line(&mut c, "caller", self.caller.as_deref()),
            customer: line(&mut c, "customer", self.customer.as_deref()),
            service: line(&mut c, "service", self.service.as_deref()),
            configuration_item: line(
                &mut c,
                "configuration_item",
                self.configuration_item.as_deref(),
            ),
            category: line(&mut c, "category", self.category.as_deref()),
            impact: self.impact.unwrap_or(Impact::Medium),
            urgency: self.urgency.unwrap_or(Urgency::Medium),
            assignment_group: line(&mut c, "assignment_group", self.assignment_group.as_deref()),
            assignee: line(&mut c, "assignee", self.assignee.as_deref()),
            opened_by: opened_by.to_owned(),
            alarm: None,
        };
        c.finish(Some(command))
    }
}

/// `null` clears an optional field; an absent field stays as it is.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    de: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(de).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIncidentRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub caller: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub customer: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub service: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub configuration_item: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
}

impl UpdateIncidentRequest {
    pub fn into_command(self) -> Result<UpdateIncident, ApiError> {
        let mut c = Checks::default();
        let mut clearable =
            |field: &str, value: Option<Option<String>>| -> Option<Option<String>> {
                value.map(|v| {
                    c.take(optional_line(field, v.as_deref(), MAX_LINE))
                        .flatten()
                })
            };
        let caller = clearable("caller", self.caller);
        let customer = clearable("customer", self.customer);
        let service = clearable("service", self.service);
        let configuration_item = clearable("configuration_item", self.configuration_item);
        let category = clearable("category", self.category);
        let changes = FieldChanges {
            title: self
                .title
                .and_then(|t| c.take(required_line("title", &t, MAX_TITLE))),
            description: self
                .description
                .and_then(|d| c.take(body("description", &d, MAX_BODY, false))),
            caller,
            customer,
            service,
            configuration_item,
            category,
            impact: self.impact,
            urgency: self.urgency,
            priority: None,
        };
        if changes.is_empty() && c.0.is_empty() {
            c.0.push(FieldError::new("body", "name at least one field to change"));
        }
        c.finish(Some(UpdateIncident { changes }))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub assignment_group: Option<String>,
    pub assignee: Option<String>,
}

impl AssignRequest {
    pub fn into_command(self) -> Result<AssignIncident, ApiError> {
        let mut c = Checks::default();
        let command = AssignIncident {
            assignment_group: line(&mut c, "assignment_group", self.assignment_group.as_deref()),
            assignee: line(&mut c, "assignee", self.assignee.as_deref()),
        };
        c.finish(Some(command))
    }
}

/// A move to another status. `pending_reason` is required for pending; `resolution_code` and
/// `note` (the resolution notes) for resolved. `in_progress` from resolved reopens.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub status: Status,
    pub pending_reason: Option<PendingReason>,
    pub resolution_code: Option<ResolutionCode>,
    pub note: Option<String>,
}

impl TransitionRequest {
    pub fn into_command(self, by: &str) -> Result<ChangeStatus, ApiError> {
        let mut c = Checks::default();
        let note = self
            .note
            .and_then(|n| c.take(body("note", &n, MAX_BODY, false)))
            .filter(|n| !n.trim().is_empty());
        c.finish(Some(ChangeStatus {
            to: self.status,
            pending_reason: self.pending_reason,
            resolution_code: self.resolution_code,
            note,
            by: by.to_owned(),
        }))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub body: String,
    /// `internal` (a work note, the default) or `customer` (visible to the customer).
    #[serde(default = "internal")]
    pub visibility: Visibility,
}

fn internal() -> Visibility {
    Visibility::Internal
}

impl CommentRequest {
    pub fn validated_body(&self) -> Result<String, ApiError> {
        body("body", &self.body, MAX_BODY, true).map_err(|e| ApiError::Invalid {
            detail: format!("{}: {}", e.field, e.message),
            errors: vec![e],
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub kind: LinkKind,
    pub target: uuid::Uuid,
}
