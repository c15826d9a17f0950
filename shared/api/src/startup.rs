use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{
    admin_clock, alarms, calendars, catalogs, incidents, integrations, metrics, oncall, ops,
    problems, registries, reports,
};
use actix_web::dev::{ResourceDef, Server};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
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
    let known = Arc::new(KnownRoutes::from_openapi(&openapi));
    let server = HttpServer::new(move || {
        let known = known.clone();
        App::new()
            .app_data(state.clone())
            .wrap(from_fn(crate::positions::read_your_writes))
            .wrap(from_fn(metrics::track))
            // Routes are matched in this order, each pattern with a parameter by a regex:
            // the webhooks, the hottest paths, come first, so a delivery is not matched
            // against every incident route before its own.
            .configure(alarms::routes)
            .service(ops::healthz)
            .service(ops::readyz)
            .service(ops::metrics)
            .configure(incidents::routes)
            .configure(integrations::routes)
            .configure(calendars::routes)
            .configure(catalogs::routes)
            .configure(registries::routes)
            .configure(reports::routes)
            .configure(oncall::routes)
            .configure(problems::routes)
            .service(admin_clock::move_clock)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi.clone()))
            .default_service(web::to(move |req: HttpRequest| {
                let known = known.clone();
                async move { unrouted(&req, &known) }
            }))
    })
    .workers(workers.max(1))
    .backlog(4096)
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The paths the API serves and their methods, read from the OpenAPI document (whose paths
/// use the same `{param}` patterns as the routes), so that a known path asked with another
/// method is a 405 naming the allowed ones rather than a 404, and the table cannot drift from
/// what is documented.
pub struct KnownRoutes {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl KnownRoutes {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                    (Method::OPTIONS, item.options.is_some()),
                    (Method::HEAD, item.head.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::TRACE, item.trace.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, served)| served.then_some(method))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods served on this path (by every route pattern it matches), in a fixed order;
    /// empty for an unknown path.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let mut allowed: Vec<Method> = Vec::new();
        for (pattern, methods) in &self.routes {
            if pattern.is_match(path) {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method.clone());
                    }
                }
            }
        }
        allowed.sort_by_key(|m| METHOD_ORDER.iter().position(|o| o == m));
        allowed
    }
}

const METHOD_ORDER: [Method; 8] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
];

/// What no route took: 405 for a known path with another method, else 404.
fn unrouted(req: &HttpRequest, known: &KnownRoutes) -> Result<actix_web::HttpResponse, ApiError> {
    let allowed = known.allowed(req.path());
    if !allowed.is_empty() && !allowed.contains(req.method()) {
        let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        return Err(ApiError::MethodNotAllowed {
            detail: format!(
                "{} is not allowed on {}; allowed: {}",
                req.method(),
                req.path(),
                names.join(", ")
            ),
            allowed,
        });
    }
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_list_their_methods_from_the_openapi_document() {
        let known = KnownRoutes::from_openapi(&ApiDoc::openapi());
        assert_eq!(
            known.allowed("/api/v1/incidents"),
            [Method::GET, Method::POST]
        );
        assert_eq!(
            known.allowed(&format!("/api/v1/incidents/{}", uuid::Uuid::nil())),
            [Method::GET, Method::PATCH]
        );
        assert_eq!(
            known.allowed("/api/v1/incidents/x/links/related/y"),
            [Method::DELETE]
        );
        // `/api/v1/alarms/{fingerprint}` matches the webhook paths too: both are served.
        assert_eq!(
            known.allowed("/api/v1/alarms/alertmanager"),
            [Method::GET, Method::POST]
        );
        assert!(known.allowed("/api/v1/nothing-here").is_empty());
        assert!(known.allowed("/api/v1/incidents/").is_empty());
    }
}
