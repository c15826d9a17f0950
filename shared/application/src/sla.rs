//! Which SLA a ticket runs on: the most specific contract for its customer and service, with
//! the SLA and calendar as they are now (the ticket keeps them as a snapshot). A customer's
//! own calendar, when they have one, stands in for the contract's: their holidays and time
//! zone are the ones their promises are kept in.

use crate::{App, AppError};
use servicedesk_domain::calendar::CalendarId;
use servicedesk_domain::contract::choose;
use servicedesk_domain::customer::CustomerId;
use servicedesk_domain::incident::SlaApplied;
use servicedesk_domain::sla::SlaId;

impl App {
    /// None when no contract covers the customer and service (and there is no default).
    pub async fn applicable_sla(
        &self,
        customer: Option<String>,
        service: Option<String>,
    ) -> Result<Option<SlaApplied>, AppError> {
        self.query(move |db| {
            let contracts = db.contracts()?;
            let Some((_, contract)) = choose(
                contracts.iter().map(|c| (&c.spec, c)),
                customer.as_deref(),
                service.as_deref(),
            ) else {
                return Ok(None);
            };
            let Some(sla) = db.sla(SlaId(contract.spec.sla))? else {
                return Ok(None);
            };
            let own = match customer.as_deref() {
                Some(slug) => db
                    .customer(CustomerId::of_slug(slug))?
                    .and_then(|c| c.spec.calendar),
                None => None,
            };
            let calendar = match own.or(contract.spec.calendar) {
                Some(id) => db.calendar(CalendarId(id))?.map(|c| c.spec),
                None => None,
            };
            Ok(Some(SlaApplied {
                contract: contract.id.0,
                sla: sla.id.0,
                spec: sla.spec,
                calendar,
            }))
        })
        .await
    }
}
