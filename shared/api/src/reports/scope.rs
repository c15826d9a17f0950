//! A report's scope from query parameters or a body: a period, filters, a grouping.

use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use servicedesk_domain::sla::report::{GroupBy, ReportScope};
use servicedesk_domain::{FieldError, Priority};

/// Breaches listed at most unless asked otherwise, and at most ever.
pub const DEFAULT_BREACHES: usize = 100;
pub const MAX_BREACHES: usize = 10_000;

pub(crate) fn bad(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::Malformed {
        detail: format!("{field}: {message}"),
        errors: vec![FieldError::new(field, message)],
    }
}

/// An RFC 3339 instant, or a date (its midnight, UTC).
pub(crate) fn instant(field: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| {
            bad(
                field,
                format!("{text:?} is neither an RFC 3339 instant nor a date like 2026-11-01"),
            )
        })
}

/// What the scope is built from, however it was sent.
#[derive(Default)]
pub(crate) struct ScopeParts {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub priorities: Vec<Priority>,
    pub group_by: Option<GroupBy>,
    pub breach_limit: Option<usize>,
}

impl ScopeParts {
    /// Takes one query parameter; false if it is not a scope parameter.
    pub fn take(&mut self, key: &str, value: &str) -> Result<bool, ApiError> {
        match key {
            "from" => self.from = Some(instant("from", value)?),
            "to" => self.to = Some(instant("to", value)?),
            "customer" => self.customer = Some(value.to_owned()),
            "service" => self.service = Some(value.to_owned()),
            "priority" => {
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    self.priorities.push(Priority::parse(part).ok_or_else(|| {
                        bad(
                            "priority",
                            format!("unknown priority {part:?}; one of P1..P5"),
                        )
                    })?);
                }
            }
            "group_by" => {
                self.group_by = Some(GroupBy::parse(value).ok_or_else(|| {
                    bad(
                        "group_by",
                        format!(
                            "unknown grouping {value:?}; one of {}",
                            GroupBy::NAMES.join(", ")
                        ),
                    )
                })?)
            }
            "breach_limit" => {
                self.breach_limit = Some(
                    value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n <= MAX_BREACHES)
                        .ok_or_else(|| {
                            bad(
                                "breach_limit",
                                format!("a whole number up to {MAX_BREACHES}"),
                            )
                        })?,
                )
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn scope(self, now: DateTime<Utc>) -> Result<ReportScope, ApiError> {
        let from = self
            .from
            .ok_or_else(|| bad("from", "required: the period's first instant or date"))?;
        let to = self
            .to
            .ok_or_else(|| bad("to", "required: the instant or date after the period"))?;
        if to <= from {
            return Err(bad("to", "must be after from"));
        }
        Ok(ReportScope {
            from,
            to,
            as_of: to.min(now).max(from),
            customer: self.customer,
            service: self.service,
            priorities: self.priorities,
            group_by: self.group_by,
            breach_limit: self.breach_limit.unwrap_or(DEFAULT_BREACHES),
        })
    }
}
