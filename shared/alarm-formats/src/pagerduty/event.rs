//! What a PagerDuty event means to the service desk.

use crate::canonical::CanonicalAlarm;

/// Which PagerDuty API shape the event arrived in: the response differs (v2 answers with
/// `dedup_key`, v1 with `incident_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PagerDutyApi {
    V2,
    /// The legacy Events API v1 (`service_key`, `event_type`, `incident_key`).
    V1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventAction {
    Trigger,
    Acknowledge,
    Resolve,
}

impl EventAction {
    pub const ALL: [EventAction; 3] = [
        EventAction::Trigger,
        EventAction::Acknowledge,
        EventAction::Resolve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Trigger => "trigger",
            EventAction::Acknowledge => "acknowledge",
            EventAction::Resolve => "resolve",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<EventAction> {
        EventAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerDutyEvent {
    pub api: PagerDutyApi,
    /// The integration key (v1: `service_key`): identifies the integration, not the alarm.
    pub routing_key: String,
    pub event_action: EventAction,
    /// `None` only for a trigger sent without one: PagerDuty then opens a new alert, and the
    /// caller must generate a key, answer with it, and store it via
    /// [`PagerDutyEvent::assign_dedup_key`].
    pub dedup_key: Option<String>,
    /// The alarm a trigger describes; `None` for acknowledge and resolve (PagerDuty ignores
    /// their payload too). Its `fingerprint` is the `dedup_key`, empty until one is assigned.
    pub alarm: Option<CanonicalAlarm>,
}

impl PagerDutyEvent {
    /// Sets the dedup key the caller generated for a trigger that came without one, keeping
    /// the alarm's fingerprint in step with it.
    pub fn assign_dedup_key(&mut self, key: impl Into<String>) {
        let key = key.into();
        if let Some(alarm) = self.alarm.as_mut() {
            alarm.fingerprint.clone_from(&key);
        }
        self.dedup_key = Some(key);
    }
}

/// Reads the action field (`event_action`, v1 `event_type`): required, one of the three names.
fn read_action(
    root: &crate::json::Obj<'_>,
    key: &str,
) -> Result<EventAction, crate::canonical::ParseError> {
    let raw = root.req_str(key)?;
    EventAction::from_name(raw).ok_or_else(|| {
        crate::canonical::ParseError::new(
            key,
            format!(
                "unknown value {raw:?}; allowed: {}",
                crate::names::list(EventAction::ALL.map(EventAction::as_str))
            ),
        )
    })
}

/// Acknowledge and resolve only make sense for a known alert.
fn require_key_for_follow_up(
    action: EventAction,
    key_field: &str,
    dedup_key: Option<&str>,
) -> Result<(), crate::canonical::ParseError> {
    if action != EventAction::Trigger && dedup_key.is_none() {
        return Err(crate::canonical::ParseError::new(
            key_field,
            format!("is required for {}", action.as_str()),
        ));
    }
    Ok(())
}

/// Where one API version keeps the envelope's fields.
pub(super) struct Dialect {
    pub api: PagerDutyApi,
    pub routing_key: &'static str,
    pub action: &'static str,
    pub dedup_key: &'static str,
}

/// A version's reader of a trigger's alarm: (event, its dedup key, when it arrived).
pub(super) type TriggerReader =
    fn(
        &crate::json::Obj<'_>,
        Option<&str>,
        chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::canonical::CanonicalAlarm, crate::canonical::ParseError>;

/// Reads the envelope both versions share (key, action, dedup key, the follow-up rule) and
/// hands a trigger's body to the version's own `trigger` reader.
pub(super) fn read_event(
    root: &crate::json::Obj<'_>,
    dialect: &Dialect,
    received_at: chrono::DateTime<chrono::Utc>,
    trigger: TriggerReader,
) -> Result<PagerDutyEvent, crate::canonical::ParseError> {
    let routing_key = root.req_str(dialect.routing_key)?.to_owned();
    let event_action = read_action(root, dialect.action)?;
    let dedup_key = super::limits::dedup_key(dialect.dedup_key, root.opt_str(dialect.dedup_key)?)?;
    require_key_for_follow_up(event_action, dialect.dedup_key, dedup_key.as_deref())?;
    let alarm = match event_action {
        EventAction::Trigger => Some(trigger(root, dedup_key.as_deref(), received_at)?),
        EventAction::Acknowledge | EventAction::Resolve => None,
    };
    Ok(PagerDutyEvent {
        api: dialect.api,
        routing_key,
        event_action,
        dedup_key,
        alarm,
    })
}
