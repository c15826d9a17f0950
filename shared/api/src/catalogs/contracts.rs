use super::slas::load_sla;
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, ContractView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use servicedesk_domain::contract::{
    choose, ContractCommand, ContractDoc, ContractId, ContractSpec, Scope,
};
use servicedesk_domain::sla::SlaId;
use utoipa::{IntoParams, ToSchema};

async fn all_contracts(state: &AppState) -> Result<Vec<ContractDoc>, ApiError> {
    let db = state.app.read_models.clone();
    Ok(web::block(move || db.contracts())
        .await
        .map_err(ApiError::internal)??)
}

/// The spec's own shape (slugs, name) first; then what it refers to must exist, and no other
/// contract may cover the same scope.
async fn check(
    state: &AppState,
    spec: &ContractSpec,
    this: Option<ContractId>,
) -> Result<(), ApiError> {
    <ContractSpec as servicedesk_domain::catalog::Spec>::validate(spec).map_err(|errors| {
        ApiError::Invalid {
            detail: crate::error::describe(&errors),
            errors,
        }
    })?;
    if let Some(customer) = &spec.customer {
        if crate::registries::load_customer(state, customer)
            .await?
            .is_none()
        {
            return Err(ApiError::invalid_field(
                "customer",
                format!("no customer {customer:?}; register it at /api/v1/customers first"),
            ));
        }
    }
    if let Some(service) = &spec.service {
        if crate::registries::load_service(state, service)
            .await?
            .is_none()
        {
            return Err(ApiError::invalid_field(
                "service",
                format!("no service {service:?}; register it at /api/v1/services first"),
            ));
        }
    }
    if load_sla(state, SlaId(spec.sla)).await?.is_none() {
        return Err(ApiError::invalid_field(
            "sla",
            format!("no SLA {}", spec.sla),
        ));
    }
    crate::calendars::require_calendar(state, spec.calendar).await?;
    let clash = all_contracts(state).await?.into_iter().find(|c| {
        Some(c.id) != this && c.spec.customer == spec.customer && c.spec.service == spec.service
    });
    if let Some(other) = clash {
        return Err(ApiError::Conflict {
            detail: format!(
                "contract {} ({}) already covers this customer and service",
                other.id, other.spec.name
            ),
            current_status: None,
            allowed: None,
        });
    }
    Ok(())
}

/// Put a customer (and/or a service) under an SLA and a calendar. Leave `customer` or
/// `service` out to cover all of them; both out is the default contract.
#[utoipa::path(
    tag = "contracts",
    request_body = ContractSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ContractView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::Conflict,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
        errors::Unavailable,
    )
)]
#[post("/api/v1/contracts")]
pub async fn create_contract(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<ContractSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let spec = body.0;
    check(&state, &spec, None).await?;
    let id = ContractId(state.app.ids.next());
    let command = ContractCommand::Define { id, spec };
    let contract: ContractDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        ContractView::from(contract),
        Some(format!("/api/v1/contracts/{id}")),
    ))
}

/// Every contract, by name.
#[utoipa::path(
    tag = "contracts",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ContractView>),
        errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/contracts")]
pub async fn list_contracts(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let all = all_contracts(&state).await?;
    Ok(HttpResponse::Ok().json(all.into_iter().map(ContractView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "contracts",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ContractView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/contracts/{id}")]
pub async fn get_contract(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = ContractId(uuid_param("id", &path)?);
    let db = state.app.read_models.clone();
    let contract = web::block(move || db.contract(id))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::NotFound(format!("no contract {id}")))?;
    Ok(entry(StatusCode::OK, ContractView::from(contract), None))
}

/// Replace the contract (send `If-Match` with the version you edited).
#[utoipa::path(
    tag = "contracts",
    request_body = ContractSpec,
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ContractView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/contracts/{id}")]
pub async fn replace_contract(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<ContractSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = ContractId(uuid_param("id", &path)?);
    let spec = body.0;
    check(&state, &spec, Some(id)).await?;
    let command = ContractCommand::Change { spec };
    let contract: ContractDoc =
        execute(&state, &caller, id, if_match, correlation, command).await?;
    Ok(entry(StatusCode::OK, ContractView::from(contract), None))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolveQuery {
    /// The ticket's customer slug.
    pub customer: Option<String>,
    /// The ticket's service slug.
    pub service: Option<String>,
}

/// The contract a ticket of this customer and service would run on, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedContract {
    /// `customer_and_service`, `customer`, `service` or `default`.
    pub matched_by: String,
    pub contract: ContractView,
}

/// Which contract applies: the most specific that covers the customer and service
/// (customer and service, then customer, then service, then the default).
#[utoipa::path(
    tag = "contracts",
    params(ResolveQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ResolvedContract),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/contracts/resolve")]
pub async fn resolve_contract(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ResolveQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let all = all_contracts(&state).await?;
    let (scope, doc) = choose(
        all.iter().map(|c| (&c.spec, c)),
        query.customer.as_deref(),
        query.service.as_deref(),
    )
    .ok_or_else(|| {
        ApiError::NotFound(
            "no contract covers this customer and service, and there is no default contract"
                .to_owned(),
        )
    })?;
    let matched_by = match scope {
        Scope::CustomerAndService => "customer_and_service",
        Scope::Customer => "customer",
        Scope::Service => "service",
        Scope::Default => "default",
    };
    Ok(HttpResponse::Ok().json(ResolvedContract {
        matched_by: matched_by.to_owned(),
        contract: doc.clone().into(),
    }))
}
