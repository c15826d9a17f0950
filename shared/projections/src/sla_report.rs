//! The SLA report from the read models: settled targets from `sla_targets`, summed by SQL per
//! group; the backlog from `incidents`; the breaches in the order they fell due. See
//! `domain::sla::report` for what counts in a period.

use crate::sla_targets::timer_name;
use crate::{ProjectionError, ReadModelDb};
use rusqlite::types::Value;
use servicedesk_domain::sla::report::{
    Backlog, Breach, GroupBy, ReportScope, Settled, SlaReport, Tally,
};
use servicedesk_domain::sla::TimerKind;
use servicedesk_domain::Priority;
use std::collections::BTreeMap;

impl ReadModelDb {
    pub fn sla_report(&self, scope: &ReportScope) -> Result<SlaReport, ProjectionError> {
        self.read(|conn| {
            // one snapshot for every part of the report
            let snapshot = conn.unchecked_transaction()?;
            let report = build(conn, scope);
            snapshot.commit()?;
            report
        })
    }
}

fn build(conn: &rusqlite::Connection, scope: &ReportScope) -> Result<SlaReport, ProjectionError> {
    let from = scope.from.timestamp_micros();
    let until = scope.as_of.timestamp_micros();
    let group = group_column(scope.group_by);
    let (filters, filter_params) = filters(scope);

    let mut tallies: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    let sql = format!(
        "SELECT {group}, timer, COUNT(*), SUM(on_time), COUNT(met_at),
                TOTAL(CASE WHEN met_at IS NOT NULL THEN met_after END),
                TOTAL(CASE WHEN met_at IS NOT NULL THEN met_at - opened_at END) / 1e6
         FROM sla_targets WHERE settled_at >= ? AND settled_at < ? {filters}
         GROUP BY 1, 2"
    );
    let mut params = vec![Value::Integer(from), Value::Integer(until)];
    params.extend(filter_params.iter().cloned());
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        let key = group_key(scope.group_by, row.get::<_, Value>(0)?);
        let timer = match row.get::<_, String>(1)?.as_str() {
            "respond" => TimerKind::Respond,
            "resolve" => TimerKind::Resolve,
            _ => continue,
        };
        let settled = Settled {
            count: row.get::<_, i64>(2)? as u64,
            on_time: row.get::<_, i64>(3)? as u64,
            met: row.get::<_, i64>(4)? as u64,
            business_seconds: row.get(5)?,
            wall_seconds: row.get(6)?,
        };
        total.add(timer, settled);
        if scope.group_by.is_some() {
            tallies.entry(key).or_default().add(timer, settled);
        }
    }

    let (total_backlog, mut backlogs) = backlog(conn, scope, group, &filters, &filter_params)?;
    let mut keys: Vec<Option<String>> = tallies.keys().cloned().collect();
    for key in backlogs.keys() {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    keys.sort();
    let groups = keys
        .into_iter()
        .map(|key| {
            let tally = tallies.remove(&key).unwrap_or_default();
            let backlog = backlogs.remove(&key).unwrap_or_default();
            tally.figures(key, backlog)
        })
        .collect();

    let (breaches_total, breaches) = breaches(conn, scope, &filters, &filter_params)?;
    Ok(SlaReport {
        from: scope.from,
        to: scope.to,
        as_of: scope.as_of,
        group_by: scope.group_by,
        totals: total.figures(None, total_backlog),
        groups,
        breaches_total,
        breaches,
    })
}

fn group_column(group_by: Option<GroupBy>) -> &'static str {
    match group_by {
        None => "NULL",
        Some(GroupBy::Customer) => "customer",
        Some(GroupBy::Service) => "service",
        Some(GroupBy::Priority) => "priority",
    }
}

fn group_key(group_by: Option<GroupBy>, value: Value) -> Option<String> {
    match (group_by, value) {
        (Some(GroupBy::Priority), Value::Integer(rank)) => u8::try_from(rank)
            .ok()
            .and_then(Priority::from_rank)
            .map(|p| p.to_string()),
        (_, Value::Text(text)) => Some(text),
        _ => None,
    }
}

/// The scope's filters as `AND ...` over columns both tables have.
fn filters(scope: &ReportScope) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut params = Vec::new();
    if let Some(customer) = &scope.customer {
        sql.push_str(" AND customer = ?");
        params.push(Value::Text(customer.clone()));
    }
    if let Some(service) = &scope.service {
        sql.push_str(" AND service = ?");
        params.push(Value::Text(service.clone()));
    }
    if !scope.priorities.is_empty() {
        sql.push_str(&format!(
            " AND priority IN ({})",
            vec!["?"; scope.priorities.len()].join(", ")
        ));
        params.extend(
            scope
                .priorities
                .iter()
                .map(|p| Value::Integer(i64::from(p.rank()))),
        );
    }
    (sql, params)
}

type Backlogs = BTreeMap<Option<String>, Backlog>;

/// Tickets open at `as_of` (opened before, not resolved, closed or cancelled by then), by age.
/// A ticket reopened after `as_of` is judged by its last resolution.
fn backlog(
    conn: &rusqlite::Connection,
    scope: &ReportScope,
    group: &str,
    filters: &str,
    filter_params: &[Value],
) -> Result<(Backlog, Backlogs), ProjectionError> {
    let at = scope.as_of.timestamp_micros();
    let [b1, b2, b3, b4] = Backlog::BOUNDS.map(|b| b * 1_000_000);
    let sql = format!(
        "SELECT {group}, CASE WHEN ?1 - opened_at < {b1} THEN 0 WHEN ?1 - opened_at < {b2} THEN 1
                WHEN ?1 - opened_at < {b3} THEN 2 WHEN ?1 - opened_at < {b4} THEN 3 ELSE 4 END,
                COUNT(*)
         FROM incidents
         WHERE opened_at < ?1 AND (resolved_at IS NULL OR resolved_at >= ?1)
               AND (closed_at IS NULL OR closed_at >= ?1) {filters}
         GROUP BY 1, 2"
    );
    let mut params = vec![Value::Integer(at)];
    params.extend(filter_params.iter().cloned());
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut total = Backlog::default();
    let mut groups = Backlogs::new();
    while let Some(row) = rows.next()? {
        let key = group_key(scope.group_by, row.get::<_, Value>(0)?);
        let bucket: i64 = row.get(1)?;
        let count = row.get::<_, i64>(2)? as u64;
        // any age inside the bucket lands in it
        let age = match bucket {
            0 => 0,
            4 => i64::MAX,
            n => Backlog::BOUNDS[n as usize - 1],
        };
        total.add(age, count);
        if scope.group_by.is_some() {
            groups.entry(key).or_default().add(age, count);
        }
    }
    Ok((total, groups))
}

fn breaches(
    conn: &rusqlite::Connection,
    scope: &ReportScope,
    filters: &str,
    filter_params: &[Value],
) -> Result<(u64, Vec<Breach>), ProjectionError> {
    let range = [
        Value::Integer(scope.from.timestamp_micros()),
        Value::Integer(scope.as_of.timestamp_micros()),
    ];
    let mut params: Vec<Value> = range.to_vec();
    params.extend(filter_params.iter().cloned());
    let count_sql = format!(
        "SELECT COUNT(*) FROM sla_targets
         WHERE settled_at >= ? AND settled_at < ? AND on_time = 0 {filters}"
    );
    let total: i64 = conn
        .prepare_cached(&count_sql)?
        .query_row(rusqlite::params_from_iter(params.clone()), |r| r.get(0))?;
    let sql = format!(
        "SELECT incident, timer, priority, customer, service, target_seconds, due_at, met_at,
                met_after
         FROM sla_targets
         WHERE settled_at >= ? AND settled_at < ? AND on_time = 0 {filters}
         ORDER BY settled_at, incident LIMIT {}",
        scope.breach_limit
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let incident = uuid::Uuid::parse_str(&id)
            .map_err(|e| ProjectionError::Corrupt(format!("incident {id}: {e}")))?;
        let timer = if row.get::<_, String>(1)? == timer_name(TimerKind::Respond) {
            TimerKind::Respond
        } else {
            TimerKind::Resolve
        };
        let rank: i64 = row.get(2)?;
        let target_seconds = row.get::<_, i64>(5)? as u64;
        let instant = |micros: i64| chrono::DateTime::from_timestamp_micros(micros);
        let due_at = instant(row.get(6)?)
            .ok_or_else(|| ProjectionError::Corrupt(format!("due_at of {id}")))?;
        let met_after: Option<i64> = row.get(8)?;
        found.push(Breach {
            incident,
            link: format!("/api/v1/incidents/{incident}"),
            timer,
            priority: u8::try_from(rank)
                .ok()
                .and_then(Priority::from_rank)
                .unwrap_or(Priority::P5),
            customer: row.get(3)?,
            service: row.get(4)?,
            target_seconds,
            due_at,
            met_at: row.get::<_, Option<i64>>(7)?.and_then(instant),
            overdue_seconds: met_after.map(|m| (m as u64).saturating_sub(target_seconds)),
        });
    }
    Ok((total as u64, found))
}

/// One target as a simulation replays it: its runs and when it was met, with what really
/// came of it.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub incident: uuid::Uuid,
    pub timer: TimerKind,
    pub priority: Priority,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub met_at: Option<chrono::DateTime<chrono::Utc>>,
    pub runs: Vec<servicedesk_domain::sla::Run>,
    /// The calendar the ticket ran on (None: around the clock).
    pub calendar: Option<servicedesk_domain::calendar::CalendarSpec>,
    pub target_seconds: u64,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub on_time: bool,
}

impl ReadModelDb {
    /// The targets in scope that were not settled before the period began (settled in it,
    /// later, or not yet), for a simulation to replay.
    pub fn sla_target_rows(&self, scope: &ReportScope) -> Result<Vec<TargetRow>, ProjectionError> {
        self.read(|conn| {
            let mut calendars = std::collections::HashMap::new();
            let mut stmt = conn.prepare_cached("SELECT key, spec FROM sla_calendars")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let key: String = row.get(0)?;
                let spec: servicedesk_domain::calendar::CalendarSpec =
                    serde_json::from_str(&row.get::<_, String>(1)?)
                        .map_err(|e| ProjectionError::Corrupt(format!("calendar {key}: {e}")))?;
                calendars.insert(key, spec);
            }
            let (filters, filter_params) = filters(scope);
            let sql = format!(
                "SELECT incident, timer, priority, customer, service, opened_at, met_at, runs,
                        calendar, target_seconds, due_at, on_time
                 FROM sla_targets
                 WHERE opened_at < ? AND (settled_at IS NULL OR settled_at >= ?) {filters}
                 ORDER BY opened_at, incident, timer"
            );
            let mut params = vec![
                Value::Integer(scope.as_of.timestamp_micros()),
                Value::Integer(scope.from.timestamp_micros()),
            ];
            params.extend(filter_params);
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let instant =
                |micros: Option<i64>| micros.and_then(chrono::DateTime::from_timestamp_micros);
            let mut found = Vec::new();
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let timer = if row.get::<_, String>(1)? == "respond" {
                    TimerKind::Respond
                } else {
                    TimerKind::Resolve
                };
                let calendar_key: Option<String> = row.get(8)?;
                found.push(TargetRow {
                    incident: uuid::Uuid::parse_str(&id)
                        .map_err(|e| ProjectionError::Corrupt(format!("incident {id}: {e}")))?,
                    timer,
                    priority: u8::try_from(row.get::<_, i64>(2)?)
                        .ok()
                        .and_then(Priority::from_rank)
                        .unwrap_or(Priority::P5),
                    customer: row.get(3)?,
                    service: row.get(4)?,
                    opened_at: instant(Some(row.get(5)?))
                        .ok_or_else(|| ProjectionError::Corrupt(format!("opened_at of {id}")))?,
                    met_at: instant(row.get(6)?),
                    runs: crate::sla_targets::decode_runs(&row.get::<_, String>(7)?)?,
                    calendar: calendar_key.and_then(|k| calendars.get(&k).cloned()),
                    target_seconds: row.get::<_, i64>(9)? as u64,
                    due_at: instant(row.get(10)?),
                    on_time: row.get(11)?,
                });
            }
            Ok(found)
        })
    }
}
