//! The one error type of the HTTP boundary: every failure leaves as RFC 9457
//! `application/problem+json` with a stable `type`, a human `detail` and, for bad values,
//! field-level `errors`.

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use servicedesk_application::AppError;
use servicedesk_domain::incident::Status;
use servicedesk_domain::{DomainError, FieldError};
use servicedesk_projections::ProjectionError;
use servicedesk_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Malformed {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A known path asked with a method it does not serve; `allowed` goes out as `Allow`.
    #[error("{detail}")]
    MethodNotAllowed {
        detail: String,
        allowed: Vec<Method>,
    },
    #[error("{detail}")]
    Conflict {
        detail: String,
        current_status: Option<Status>,
        allowed: Option<Vec<Status>>,
    },
    #[error("the resource is at version {current_version}, but If-Match asked for {expected}")]
    PreconditionFailed {
        expected: String,
        current_version: u64,
    },
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

/// The problem document (RFC 9457) with this API's extension members. (Named `ProblemDetails`,
/// as RFC 9457 does, so it does not clash with the ITIL problem aggregate's `Problem`.)
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// Stable identifier of the kind of problem, e.g. `urn:servicedesk:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<Status>,
    /// For a refused status change: the statuses this ticket may move to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_transitions: Option<Vec<Status>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

impl ApiError {
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed {
            detail: detail.into(),
            errors: vec![],
        }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Malformed { .. } => ("malformed-request", "Malformed request"),
            Self::Unauthorized(_) => ("unauthorized", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Not allowed for this role"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::Conflict { .. } => ("state-conflict", "Not allowed in the current state"),
            Self::PreconditionFailed { .. } => ("stale-version", "The resource has changed"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "Request body too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::Invalid { .. } => ("validation", "Invalid values"),
            Self::Unavailable(_) => ("unavailable", "Temporarily unavailable"),
            Self::Internal(_) => ("internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> ProblemDetails {
        let (slug, title) = self.slug_and_title();
        let mut problem = ProblemDetails {
            kind: format!("urn:servicedesk:problem:{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: match self {
                // Internal details go to the log, not to the client.
                Self::Internal(_) => "the server failed; the error is logged".to_owned(),
                other => other.to_string(),
            },
            errors: vec![],
            current_status: None,
            allowed_transitions: None,
            current_version: None,
        };
        match self {
            Self::Malformed { errors, .. } | Self::Invalid { errors, .. } => {
                problem.errors = errors.clone()
            }
            Self::Conflict {
                current_status,
                allowed,
                ..
            } => {
                problem.current_status = *current_status;
                problem.allowed_transitions = allowed.clone();
            }
            Self::PreconditionFailed {
                current_version, ..
            } => problem.current_version = Some(*current_version),
            _ => {}
        }
        problem
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Malformed { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if matches!(self, Self::Unauthorized(_)) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"servicedesk\""));
        }
        if matches!(self, Self::Unavailable(_)) {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        if let Self::MethodNotAllowed { allowed, .. } = self {
            let allow = allowed
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            response.insert_header((header::ALLOW, allow));
        }
        response.json(self.problem())
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound => Self::NotFound("no such incident".to_owned()),
            DomainError::AlreadyExists => Self::Conflict {
                detail: e.to_string(),
                current_status: None,
                allowed: None,
            },
            DomainError::IllegalTransition {
                from, ref allowed, ..
            } => Self::Conflict {
                detail: e.to_string(),
                current_status: Some(from),
                allowed: Some(allowed.clone()),
            },
            DomainError::NotAllowedInStatus { status, .. } => Self::Conflict {
                detail: e.to_string(),
                current_status: Some(status),
                allowed: Some(status.allowed_targets()),
            },
            DomainError::Refused(reason) => Self::Conflict {
                detail: reason,
                current_status: None,
                allowed: None,
            },
            DomainError::Invalid(errors) => Self::Invalid {
                detail: describe(&errors),
                errors,
            },
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Refused(refusal) => refusal.into(),
            AppError::NotFound { .. } => Self::NotFound(e.to_string()),
            AppError::StaleVersion {
                expected,
                current_version,
                ..
            } => Self::PreconditionFailed {
                expected: expected.to_string(),
                current_version,
            },
            AppError::Conflict(detail) => Self::Conflict {
                detail,
                current_status: None,
                allowed: None,
            },
            AppError::Store(store) => store.into(),
            AppError::Unavailable(detail) => Self::Unavailable(detail),
            AppError::Internal(detail) => Self::Internal(detail),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Closed => Self::Unavailable("the server is shutting down".to_owned()),
            StoreError::Unavailable(detail) => {
                Self::Unavailable(format!("the event store is unavailable ({detail}); retry"))
            }
            other => Self::internal(other),
        }
    }
}

impl From<ProjectionError> for ApiError {
    fn from(e: ProjectionError) -> Self {
        Self::internal(e)
    }
}

pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The error answers of the OpenAPI document, one type per status, each an RFC 9457 document
/// (`application/problem+json`, schema `ProblemDetails`). An operation lists those it can
/// answer: `responses((status = 200, body = X), responses::Unauthorized, responses::NotFound)`.
pub mod responses {
    use super::ProblemDetails;
    use std::collections::BTreeMap;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
    use utoipa::ToSchema;

    /// The problem+json response with this description.
    pub fn problem_response(description: &str) -> Response {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(ProblemDetails::name())))
                    .build(),
            )
            .build()
    }

    macro_rules! problem_responses {
        ($($name:ident $status:literal $description:literal;)*) => {$(
            #[doc = $description]
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([(
                        $status.to_owned(),
                        RefOr::T(problem_response($description)),
                    )])
                }
            }
        )*};
    }

    problem_responses! {
        BadRequest "400" "Malformed: not JSON, an empty body, or a bad path parameter, query parameter or If-Match header";
        Unauthorized "401" "No credentials, or an expired, invalid or revoked token or key";
        Forbidden "403" "The token's roles do not allow this";
        NotFound "404" "No such resource";
        Conflict "409" "Not allowed in the current state (allowed_transitions names what is), or a lost race to retry";
        PreconditionFailed "412" "If-Match names a version that is no longer current (current_version says which is)";
        PayloadTooLarge "413" "The request body is over the limit";
        UnsupportedMediaType "415" "The body is not of an accepted media type";
        Unprocessable "422" "Well-formed JSON with a wrong field (named in errors[].field), an unknown field or a bad value";
        Unavailable "503" "Temporarily unavailable (shutting down, or contended); retry after Retry-After";
    }
}
