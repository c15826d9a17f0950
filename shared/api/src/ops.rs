//! Operational endpoints: liveness, readiness, metrics.

use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub log_head: u64,
    pub projection_position: u64,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(health(&state, "ok"))
}

/// Readiness: the read models have caught up with the log as it was at start-up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.app.projections.position() >= state.app.startup_head {
        HttpResponse::Ok().json(health(&state, "ready"))
    } else {
        HttpResponse::ServiceUnavailable().json(health(&state, "catching_up"))
    }
}

/// Prometheus text format.
#[utoipa::path(tag = "operations", responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let head = *state.app.store.head().borrow();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(
            state
                .metrics
                .render(&state.app.metrics, head, state.app.projections.position()),
        )
}

fn health(state: &AppState, status: &'static str) -> Health {
    Health {
        status,
        log_head: *state.app.store.head().borrow(),
        projection_position: state.app.projections.position(),
    }
}
