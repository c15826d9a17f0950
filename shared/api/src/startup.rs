use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{admin_clock, alarms, incidents, integrations, metrics, ops, problems};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpServer};
use std::net::TcpListener;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// Builds the HTTP server on an already bound listener (tests bind port 0 and read the port).
pub fn build_server(
    listener: TcpListener,
    state: web::Data<AppState>,
    workers: usize,
) -> std::io::Result<Server> {
    let openapi = {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
        doc
    };
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(from_fn(metrics::track))
            .service(ops::healthz)
            .service(ops::readyz)
            .service(ops::metrics)
            .configure(incidents::routes)
            .configure(integrations::routes)
            .configure(alarms::routes)
            .configure(problems::routes)
            .service(admin_clock::move_clock)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi.clone()))
            .default_service(web::to(not_found))
    })
    .workers(workers.max(1))
    .backlog(4096)
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}
