-- Secondary indexes of the read models. A rebuild loads rows first and creates these after,
-- which is several times faster than maintaining them row by row.
CREATE INDEX IF NOT EXISTS incidents_by_opened   ON incidents (opened_at);
CREATE INDEX IF NOT EXISTS incidents_by_updated  ON incidents (updated_at);
CREATE INDEX IF NOT EXISTS incidents_by_priority ON incidents (priority, opened_at);
CREATE INDEX IF NOT EXISTS incidents_by_status   ON incidents (status, opened_at);
-- the work queue: one status, most urgent first, oldest first within a priority
CREATE INDEX IF NOT EXISTS incidents_by_status_priority ON incidents (status, priority, opened_at);
CREATE INDEX IF NOT EXISTS incidents_by_assignee ON incidents (assignee, opened_at) WHERE assignee IS NOT NULL;
CREATE INDEX IF NOT EXISTS incidents_by_group    ON incidents (assignment_group, opened_at) WHERE assignment_group IS NOT NULL;
CREATE INDEX IF NOT EXISTS incidents_by_service  ON incidents (service, opened_at) WHERE service IS NOT NULL;
CREATE INDEX IF NOT EXISTS incidents_by_ci       ON incidents (configuration_item, opened_at) WHERE configuration_item IS NOT NULL;
CREATE INDEX IF NOT EXISTS incidents_by_customer ON incidents (customer, opened_at) WHERE customer IS NOT NULL;
-- the SLA scheduler's wake-up list, and "what breaches next?"
CREATE INDEX IF NOT EXISTS incidents_by_sla_next ON incidents (sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS incidents_by_sla_due  ON incidents (sla_due_at);
CREATE INDEX IF NOT EXISTS incidents_by_notify_next ON incidents (notify_next_at) WHERE notify_next_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_by_status ON notifications (status, queued_at, id);
CREATE INDEX IF NOT EXISTS notifications_by_incident ON notifications (incident);
CREATE INDEX IF NOT EXISTS sla_targets_by_incident ON sla_targets (incident);
-- the backlog at an instant, read from the index alone
CREATE INDEX IF NOT EXISTS incidents_backlog ON incidents
    (opened_at, resolved_at, closed_at, priority, customer, service);
CREATE INDEX IF NOT EXISTS incident_links_by_target ON incident_links (target);
CREATE INDEX IF NOT EXISTS integrations_by_key ON integrations (key_sha256);
-- by last change, not last_seen: a repeat then updates its row without moving index entries
CREATE INDEX IF NOT EXISTS alarms_by_changed     ON alarms (changed_at, id);
CREATE INDEX IF NOT EXISTS alarms_by_status      ON alarms (status, changed_at, id);
CREATE INDEX IF NOT EXISTS alarms_by_fingerprint ON alarms (fingerprint);
-- recurrence across fingerprints: the alarms of one configuration item with one name
CREATE INDEX IF NOT EXISTS alarms_by_item_name ON alarms (configuration_item, alarm_name)
    WHERE configuration_item IS NOT NULL AND alarm_name IS NOT NULL;
CREATE INDEX IF NOT EXISTS problems_by_opened ON problems (opened_at, id);
