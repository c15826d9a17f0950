//! Entries the API defines whole (calendars, SLAs, contracts) shown one way: the definition
//! with its id, version (the ETag) and times.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde::Serialize;
use servicedesk_domain::calendar::{CalendarDoc, CalendarSpec};
use servicedesk_domain::contract::{ContractDoc, ContractSpec};
use servicedesk_domain::customer::{CustomerDoc, CustomerSpec};
use servicedesk_domain::oncall::{ScheduleDoc, ScheduleSpec};
use servicedesk_domain::people::group::{GroupDoc, GroupSpec};
use servicedesk_domain::people::person::{PersonDoc, PersonSpec};
use servicedesk_domain::service::{ServiceDoc, ServiceSpec};
use servicedesk_domain::sla::{SlaDoc, SlaSpec};
use utoipa::ToSchema;

/// Writes the view of one kind of entry, and how it becomes one from its document.
macro_rules! entry_view {
    ($view:ident, $what:literal, $spec:ty, $doc:ty) => {
        #[doc = concat!("A ", $what, " as the API shows it: its definition, with identity and version.")]
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $view {
            pub id: uuid::Uuid,
            /// The ETag: the entry's stream version.
            pub version: u64,
            #[serde(flatten)]
            pub spec: $spec,
            pub created_at: chrono::DateTime<chrono::Utc>,
            pub updated_at: chrono::DateTime<chrono::Utc>,
        }

        impl From<$doc> for $view {
            fn from(d: $doc) -> Self {
                Self {
                    id: d.id.0,
                    version: d.version,
                    spec: d.spec,
                    created_at: d.created_at,
                    updated_at: d.updated_at,
                }
            }
        }

        impl Versioned for $view {
            fn version(&self) -> u64 {
                self.version
            }
        }
    };
}

pub(crate) trait Versioned: Serialize {
    fn version(&self) -> u64;
}

entry_view!(CalendarView, "calendar", CalendarSpec, CalendarDoc);
entry_view!(SlaView, "SLA", SlaSpec, SlaDoc);
entry_view!(ContractView, "contract", ContractSpec, ContractDoc);
entry_view!(CustomerView, "customer", CustomerSpec, CustomerDoc);
entry_view!(ServiceView, "business service", ServiceSpec, ServiceDoc);
entry_view!(PersonView, "person", PersonSpec, PersonDoc);
entry_view!(GroupView, "group", GroupSpec, GroupDoc);
entry_view!(ScheduleView, "on-call schedule", ScheduleSpec, ScheduleDoc);

/// The answer for one entry: its view with its ETag (and Location when created).
pub(crate) fn entry(
    status: StatusCode,
    view: impl Versioned,
    location: Option<String>,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, format!("\"{}\"", view.version())));
    if let Some(location) = location {
        response.insert_header((header::LOCATION, location));
    }
    response.json(view)
}
