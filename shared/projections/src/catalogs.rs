//! The catalog read models (SLAs, contracts, customers, services): one row per entry, its document as the API shows
//! it, listed by name.

use crate::row_per_aggregate::{load, RowPerAggregate};
use crate::ProjectionError;
use rusqlite::{params, Connection};
use servicedesk_domain::contract::{self, ContractDoc, ContractEvent, ContractId};
use servicedesk_domain::customer::{self, CustomerDoc, CustomerEvent, CustomerId};
use servicedesk_domain::oncall::{self, ScheduleDoc, ScheduleEvent, ScheduleId};
use servicedesk_domain::people::group::{self, GroupDoc, GroupEvent, GroupId};
use servicedesk_domain::people::person::{self, PersonDoc, PersonEvent, PersonId};
use servicedesk_domain::service::{self, ServiceDoc, ServiceEvent, ServiceId};
use servicedesk_domain::sla::{self, SlaDoc, SlaEvent, SlaId};

/// Writes the projection of one catalog: its table, its row's columns, its queries.
macro_rules! catalog_projection {
    ($projection:ident, $table:literal, $doc:ty, $event:ty, $id:ty, $evolve:path, $get:ident, $list:ident) => {
        pub(crate) struct $projection;

        impl RowPerAggregate for $projection {
            type Event = $event;
            type State = $doc;
            const TABLE: &'static str = $table;
            const STREAM_PREFIX: &'static str = <$id>::STREAM_PREFIX;

            fn version(state: &$doc) -> u64 {
                state.version
            }

            fn evolve(
                state: Option<$doc>,
                event: &$event,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Option<$doc> {
                $evolve(state, event, at)
            }

            fn store(conn: &Connection, d: &$doc, doc: &str) -> Result<(), ProjectionError> {
                conn.prepare_cached(concat!(
                    "INSERT INTO ",
                    $table,
                    " (id, version, name, doc) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET version = excluded.version,
                        name = excluded.name, doc = excluded.doc"
                ))?
                .execute(params![
                    d.id.to_string(),
                    d.version as i64,
                    d.spec.name,
                    doc
                ])?;
                Ok(())
            }
        }

        impl crate::ReadModelDb {
            pub fn $get(&self, id: $id) -> Result<Option<$doc>, ProjectionError> {
                self.read(|conn| load(conn, $table, &id.to_string()))
            }

            pub fn $list(&self) -> Result<Vec<$doc>, ProjectionError> {
                self.read(|conn| {
                    let mut stmt = conn.prepare_cached(concat!(
                        "SELECT doc FROM ",
                        $table,
                        " ORDER BY name, id"
                    ))?;
                    let docs = stmt.query_map([], |r| r.get::<_, String>(0))?;
                    docs.map(|d| {
                        serde_json::from_str(&d?)
                            .map_err(|e| ProjectionError::Corrupt(e.to_string()))
                    })
                    .collect()
                })
            }
        }
    };
}

catalog_projection!(
    Slas,
    "slas",
    SlaDoc,
    SlaEvent,
    SlaId,
    sla::evolve,
    sla,
    slas
);
catalog_projection!(
    Contracts,
    "contracts",
    ContractDoc,
    ContractEvent,
    ContractId,
    contract::evolve,
    contract,
    contracts
);
catalog_projection!(
    Customers,
    "customers",
    CustomerDoc,
    CustomerEvent,
    CustomerId,
    customer::evolve,
    customer,
    customers
);
catalog_projection!(
    Services,
    "services",
    ServiceDoc,
    ServiceEvent,
    ServiceId,
    service::evolve,
    service,
    services
);
catalog_projection!(
    People,
    "people",
    PersonDoc,
    PersonEvent,
    PersonId,
    person::evolve,
    person,
    people
);
catalog_projection!(
    Groups,
    "groups",
    GroupDoc,
    GroupEvent,
    GroupId,
    group::evolve,
    group,
    groups
);
catalog_projection!(
    Schedules,
    "schedules",
    ScheduleDoc,
    ScheduleEvent,
    ScheduleId,
    oncall::evolve,
    schedule,
    schedules
);
