//! Records a webhook's canonical alarms through the alarm ingestor (see `ingestor`); the
//! caller answers only once they are durable.

use crate::error::ApiError;
use crate::extract::CorrelationId;
use crate::state::AppState;
use servicedesk_alarm_formats::CanonicalAlarm;
use servicedesk_application::alarms::Ingested;
use servicedesk_domain::integration::Integration;

pub async fn ingest(
    state: &AppState,
    integration: &Integration,
    correlation: CorrelationId,
    alarms: Vec<CanonicalAlarm>,
) -> Result<Ingested, ApiError> {
    Ok(state
        .app
        .alarms
        .deliver(integration, correlation.0, alarms)
        .await?)
}
