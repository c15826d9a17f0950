use crate::{
    admin_clock, alarms, auth, calendars, catalogs, error, incidents, integrations, oncall, ops,
    problems, registries, reports,
};
use servicedesk_domain::incident;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "servicedesk",
        description = "Event-sourced ITIL service desk: incidents as event streams, read models for queries. \
                       Errors are RFC 9457 problem documents. Every ticket has an ETag (its stream version); \
                       writes accept If-Match. Every answer carries Servicedesk-Position (how far into the event log it \
                       reaches; for a write, where it is durable); a request with Servicedesk-Min-Position is answered once \
                       the instance's read models include that position (503 with Retry-After if they do not in time), \
                       so a client reads its writes on any instance behind a load balancer. Bearer tokens are servicedesk's \
                       own (HS256) or, when configured, an OIDC provider's (RS256/ES256, checked against its JWKS).",
        license(name = "Apache-2.0"),
    ),
    paths(
        incidents::create_incident,
        incidents::list_incidents,
        incidents::get_incident,
        incidents::incident_history,
        incidents::update_incident,
        incidents::assign_incident,
        incidents::transition_incident,
        incidents::comment_incident,
        incidents::link_incident,
        incidents::unlink_incident,
        alarms::post_canonical,
        alarms::post_alertmanager,
        alarms::post_pagerduty,
        alarms::post_pagerduty_enqueue,
        alarms::post_pagerduty_v1,
        alarms::post_nagios,
        alarms::post_zabbix,
        alarms::list_alarms,
        alarms::get_alarm,
        integrations::register_integration,
        integrations::list_integrations,
        integrations::get_integration,
        integrations::change_integration,
        integrations::rotate_integration_key,
        integrations::revoke_integration,
        calendars::create_calendar,
        calendars::list_calendars,
        calendars::get_calendar,
        calendars::replace_calendar,
        calendars::calendar_deadline,
        calendars::import_calendar_holidays,
        catalogs::create_sla,
        catalogs::list_slas,
        catalogs::get_sla,
        catalogs::replace_sla,
        catalogs::create_contract,
        catalogs::list_contracts,
        catalogs::get_contract,
        catalogs::replace_contract,
        catalogs::resolve_contract,
        registries::create_customer,
        registries::list_customers,
        registries::get_customer,
        registries::replace_customer,
        registries::create_service,
        registries::list_services,
        registries::get_service,
        registries::replace_service,
        incidents::incident_notifications,
        incidents::retry_notification,
        incidents::list_notifications,
        incidents::retry_any_notification,
        reports::sla_report,
        reports::simulate_sla,
        oncall::create_person,
        oncall::list_people,
        oncall::get_person,
        oncall::replace_person,
        oncall::create_group,
        oncall::list_groups,
        oncall::get_group,
        oncall::replace_group,
        oncall::create_schedule,
        oncall::list_schedules,
        oncall::get_schedule,
        oncall::replace_schedule,
        oncall::schedule_oncall,
        oncall::schedule_shifts,
        oncall::schedule_calendar,
        problems::list_problems,
        problems::get_problem,
        admin_clock::move_clock,
        ops::healthz,
        ops::readyz,
        ops::metrics,
    ),
    components(schemas(error::ProblemDetails, auth::Role, incident::Incident, incident::Status)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "incidents", description = "Incidents: the ITIL lifecycle new -> assigned -> in_progress <-> pending -> resolved -> closed"),
        (name = "alarms", description = "Monitoring webhooks: 202 only once every alarm is durable"),
        (name = "problems", description = "Problems: the unknown causes of recurring incidents"),
        (name = "integrations", description = "Monitoring sources allowed to post alarms (admin)"),
        (name = "slas", description = "SLAs: respond and resolve targets per ticket type and priority"),
        (name = "customers", description = "Customers, by the slug their tickets carry; their own calendar overrides their contract's"),
        (name = "services", description = "Business services, by the slug tickets carry"),
        (name = "contracts", description = "Contracts: which SLA and calendar a customer's (service's) tickets run on"),
        (name = "calendars", description = "Business calendars (time zone, weekly hours, holidays) and their deadline arithmetic"),
        (name = "reports", description = "SLA reports (compliance, breaches, MTTA/MTTR, backlog) and simulations of a past period under a proposed SLA or calendar"),
        (name = "people", description = "People (by their token's sub) with contact methods, and groups of them"),
        (name = "schedules", description = "On-call schedules: rotations, layers, overrides; who is on call when, and a calendar feed"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// `bearer`: a user's JWT (`servicedesk token issue`); `integration_key`: the key a monitoring
/// source got when it was registered, sent the same way by the alarm webhooks.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "integration_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("integration key")
                    .description(Some(
                        "The key of a registered integration (POST /api/v1/integrations)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as checked in under `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.to_pretty_json().unwrap_or_default() + "\n"
}
