//! Query parameters of the incident list, parsed strictly: an unknown parameter or value is a
//! 400 that names it, never silently ignored.

use crate::error::ApiError;
pub(crate) use crate::query_string::query_pairs;
use servicedesk_domain::incident::Status;
use servicedesk_domain::text::MAX_LINE;
use servicedesk_domain::{FieldError, Priority};
use servicedesk_projections::{Cursor, IncidentFilter, IncidentSort, SlaStateFilter};
use utoipa::IntoParams;

/// Documentation of the list parameters (parsing is done by [`parse_list_query`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Comma-separated or repeated: new, assigned, in_progress, pending, resolved, closed, cancelled.
    status: Option<String>,
    /// Comma-separated or repeated: P1..P5.
    priority: Option<String>,
    assignee: Option<String>,
    assignment_group: Option<String>,
    service: Option<String>,
    configuration_item: Option<String>,
    customer: Option<String>,
    /// Free text over title and description; every word must match (prefix).
    q: Option<String>,
    /// Incidents whose SLA timers stand so now, taken together (the worst of them): breached,
    /// warning, running, paused or met.
    sla_state: Option<String>,
    /// -opened_at (default), opened_at, -updated_at, updated_at, priority (P1 first),
    /// -priority, sla_due_at (what breaches next first; none last), -sla_due_at.
    sort: Option<String>,
    /// 1..500, default 50.
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

pub struct ListQuery {
    pub filter: IncidentFilter,
    pub sort: IncidentSort,
    pub cursor: Option<Cursor>,
    pub limit: usize,
}

pub const MAX_LIMIT: usize = 500;

/// `now` is the instant timer states are judged at.
pub fn parse_list_query(
    query_string: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ListQuery, ApiError> {
    let pairs: Vec<(String, String)> = query_pairs(query_string)?;
    let mut filter = IncidentFilter::default();
    let mut sort = None;
    let mut cursor_text = None;
    let mut limit = 50;
    let bad = |field: &str, message: String| ApiError::Malformed {
        detail: format!("{field}: {message}"),
        errors: vec![FieldError::new(field, message)],
    };
    for (key, value) in pairs {
        let single = |field: &str| -> Result<String, ApiError> {
            let v = value.trim();
            if v.is_empty() || v.chars().count() > MAX_LINE {
                return Err(bad(field, format!("must be 1..{MAX_LINE} characters")));
            }
            Ok(v.to_owned())
        };
        match key.as_str() {
            "status" => {
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let status = Status::parse(part).ok_or_else(|| {
                        bad("status", format!("unknown status {part:?}; one of new, assigned, in_progress, pending, resolved, closed, cancelled"))
                    })?;
                    filter.status.push(status);
                }
            }
            "priority" => {
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let priority = Priority::parse(part)
                        .ok_or_else(|| bad("priority", format!("unknown priority {part:?}; one of P1..P5")))?;
                    filter.priority.push(priority);
                }
            }
            "assignee" => filter.assignee = Some(single("assignee")?),
            "assignment_group" => filter.assignment_group = Some(single("assignment_group")?),
            "service" => filter.service = Some(single("service")?),
            "configuration_item" => filter.configuration_item = Some(single("configuration_item")?),
            "customer" => filter.customer = Some(single("customer")?),
            "q" => filter.text = Some(single("q")?),
            "sla_state" => {
                let state = SlaStateFilter::parse(value.trim()).ok_or_else(|| {
                    bad(
                        "sla_state",
                        format!(
                            "unknown timer state {value:?}; one of {}",
                            SlaStateFilter::NAMES.join(", ")
                        ),
                    )
                })?;
                filter.sla_state = Some((state, now));
            }
            "sort" => {
                sort = Some(IncidentSort::parse(value.trim()).ok_or_else(|| {
                    bad("sort", format!("unknown sort {value:?}; one of {}", IncidentSort::NAMES.join(", ")))
                })?)
            }
            "limit" => {
                limit = value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")))?
            }
            "cursor" => cursor_text = Some(value),
            other => {
                return Err(bad(
                    other,
                    "unknown query parameter; known: status, priority, assignee, assignment_group, service, configuration_item, customer, q, sla_state, sort, limit, cursor".to_owned(),
                ))
            }
        }
    }
    let cursor = cursor_text
        .map(|text| Cursor::decode(&text).map_err(|m| bad("cursor", m)))
        .transpose()?;
    let sort = match (sort, &cursor) {
        (Some(s), Some(c)) if s != c.sort => {
            return Err(bad(
                "cursor",
                "was issued for another sort order".to_owned(),
            ));
        }
        (Some(s), _) => s,
        (None, Some(c)) => c.sort,
        (None, None) => IncidentSort::default(),
    };
    Ok(ListQuery {
        filter,
        sort,
        cursor,
        limit,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse_list_query_now(text: &str) -> Result<ListQuery, ApiError> {
        parse_list_query(text, chrono::Utc::now())
    }

    #[test]
    fn parses_filters_and_repeats() {
        let q = parse_list_query_now(
            "status=new,assigned&status=pending&priority=P1&q=disk+full&limit=10",
        )
        .unwrap();
        assert_eq!(
            q.filter.status,
            vec![Status::New, Status::Assigned, Status::Pending]
        );
        assert_eq!(q.filter.priority, vec![Priority::P1]);
        assert_eq!(q.filter.text.as_deref(), Some("disk full"));
        assert_eq!(q.limit, 10);
    }

    #[test]
    fn rejects_unknown_things() {
        assert!(parse_list_query_now("stauts=new").is_err());
        assert!(parse_list_query_now("status=open").is_err());
        assert!(parse_list_query_now("limit=0").is_err());
        assert!(parse_list_query_now("limit=9999").is_err());
        assert!(parse_list_query_now("cursor=zzz").is_err());
        assert!(parse_list_query_now("sort=title").is_err());
        assert!(parse_list_query_now("q=%ZZ").is_err());
    }
}
