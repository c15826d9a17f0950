//! The SLA report from the read models: settled targets from `sla_targets`, summed by SQL per
//! group; the backlog from `incidents`; the breaches in the order they fell due. See
//! `domain::sla::report` for what counts in a period.

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
    // Conditional sums instead of grouping by timer: without `group_by` the rows need no sort.
    let per_timer = |timer: &str| {
        format!(
            "SUM(timer = '{timer}'), SUM(timer = '{timer}' AND on_time),
             SUM(timer = '{timer}' AND met_at IS NOT NULL),
             TOTAL(CASE WHEN timer = '{timer}' AND met_at IS NOT NULL THEN met_after END),
             TOTAL(CASE WHEN timer = '{timer}' AND met_at IS NOT NULL THEN met_at - opened_at END) / 1e6"
        )
    };
    let mut params = vec![Value::Integer(from), Value::Integer(until)];
    params.extend(filter_params.iter().cloned());
    if scope.group_by.is_none() {
        let sql = format!(
            "SELECT {}, {} FROM sla_targets WHERE settled_at >= ? AND settled_at < ? {filters}",
            per_timer("respond"),
            per_timer("resolve")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            for (i, timer) in [TimerKind::Respond, TimerKind::Resolve]
                .into_iter()
                .enumerate()
            {
                let column = i * 5;
                let count = |c: usize| row.get::<_, Option<i64>>(c).map(|n| n.unwrap_or(0) as u64);
                total.add(
                    timer,
                    Settled {
                        count: count(column)?,
                        on_time: count(column + 1)?,
                        met: count(column + 2)?,
                        business_seconds: row.get(column + 3)?,
                        wall_seconds: row.get(column + 4)?,
                    },
                );
            }
        }
    } else {
        // Summed here rather than by GROUP BY, which would sort every settled row first.
        let sql = format!(
            "SELECT {group}, timer = 'respond', on_time, met_at IS NOT NULL, met_after,
                    met_at - opened_at
             FROM sla_targets WHERE settled_at >= ? AND settled_at < ? {filters}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut groups = Groups::default();
        while let Some(row) = rows.next()? {
            let timer = if row.get::<_, bool>(1)? {
                TimerKind::Respond
            } else {
                TimerKind::Resolve
            };
            let met: bool = row.get(3)?;
            let settled = Settled {
                count: 1,
                on_time: u64::from(row.get::<_, bool>(2)?),
                met: u64::from(met),
                business_seconds: if met {
                    row.get::<_, Option<i64>>(4)?.unwrap_or(0) as f64
                } else {
                    0.0
                },
                wall_seconds: if met {
                    row.get::<_, Option<i64>>(5)?.unwrap_or(0) as f64 / 1e6
                } else {
                    0.0
                },
            };
            total.add(timer, settled);
            groups.slot(row.get_ref(0)?)?.add(timer, settled);
        }
        tallies = groups.into_keys(scope.group_by);
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

/// Tallies by a row's group value, found without copying the value for every row.
#[derive(Default)]
struct Groups {
    texts: std::collections::HashMap<String, Tally>,
    numbers: BTreeMap<i64, Tally>,
    none: Option<Tally>,
}

impl Groups {
    fn slot(
        &mut self,
        value: rusqlite::types::ValueRef<'_>,
    ) -> Result<&mut Tally, ProjectionError> {
        use rusqlite::types::ValueRef;
        Ok(match value {
            ValueRef::Text(bytes) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
                if !self.texts.contains_key(text) {
                    self.texts.insert(text.to_owned(), Tally::default());
                }
                self.texts
                    .get_mut(text)
                    .ok_or_else(|| ProjectionError::Corrupt("group".to_owned()))?
            }
            ValueRef::Integer(n) => self.numbers.entry(n).or_default(),
            _ => self.none.get_or_insert_with(Tally::default),
        })
    }

    fn into_keys(self, group_by: Option<GroupBy>) -> BTreeMap<Option<String>, Tally> {
        let mut keyed = BTreeMap::new();
        for (text, tally) in self.texts {
            keyed.insert(Some(text), tally);
        }
        for (n, tally) in self.numbers {
            keyed.insert(group_key(group_by, Value::Integer(n)), tally);
        }
        if let Some(tally) = self.none {
            keyed.insert(None, tally);
        }
        keyed
    }
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

/// Tickets open at `as_of` (opened before, not resolved, closed or cancelled by then), by age,
/// read from the `incidents_backlog` index alone. A ticket reopened after `as_of` is judged by
/// its last resolution.
fn backlog(
    conn: &rusqlite::Connection,
    scope: &ReportScope,
    group: &str,
    filters: &str,
    filter_params: &[Value],
) -> Result<(Backlog, Backlogs), ProjectionError> {
    let at = scope.as_of.timestamp_micros();
    let open = format!(
        "FROM incidents WHERE opened_at < ?1 AND (resolved_at IS NULL OR resolved_at >= ?1)
               AND (closed_at IS NULL OR closed_at >= ?1) {filters}"
    );
    let mut params = vec![Value::Integer(at)];
    params.extend(filter_params.iter().cloned());
    let mut total = Backlog::default();
    let mut groups = Backlogs::new();
    if scope.group_by.is_none() {
        let [b1, b2, b3, b4] = Backlog::BOUNDS.map(|b| b * 1_000_000);
        let sql = format!(
            "SELECT SUM(?1 - opened_at < {b1}), SUM(?1 - opened_at >= {b1} AND ?1 - opened_at < {b2}),
                    SUM(?1 - opened_at >= {b2} AND ?1 - opened_at < {b3}),
                    SUM(?1 - opened_at >= {b3} AND ?1 - opened_at < {b4}),
                    SUM(?1 - opened_at >= {b4}) {open}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let counts: [Option<i64>; 5] = stmt.query_row(rusqlite::params_from_iter(params), |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
        })?;
        for (bucket, count) in counts.into_iter().enumerate() {
            total.add(bucket_age(bucket), count.unwrap_or(0) as u64);
        }
        return Ok((total, groups));
    }
    let sql = format!("SELECT {group}, ?1 - opened_at {open}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        let age = row.get::<_, i64>(1)? / 1_000_000;
        total.add(age, 1);
        let key = group_key(scope.group_by, row.get(0)?);
        groups.entry(key).or_default().add(age, 1);
    }
    Ok((total, groups))
}

/// An age inside bucket `n` of [`Backlog::BOUNDS`].
fn bucket_age(n: usize) -> i64 {
    match n {
        0 => 0,
        n if n <= Backlog::BOUNDS.len() => Backlog::BOUNDS[n - 1],
        _ => i64::MAX,
    }
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
        let timer = if row.get::<_, String>(1)? == TimerKind::Respond.as_str() {
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
    /// The key of the calendar the ticket ran on in [`SlaCalendars`] (None: around the clock).
    pub calendar: Option<String>,
    pub target_seconds: u64,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub on_time: bool,
}

/// The calendars tickets ran on, by key.
pub type SlaCalendars =
    std::collections::HashMap<String, servicedesk_domain::calendar::CalendarSpec>;

impl ReadModelDb {
    /// Hands `each` the targets in scope that were not settled before the period began
    /// (settled in it, later, or not yet), for a simulation to replay, with the calendars they
    /// ran on. One snapshot; the rows are not all held at once.
    pub fn each_sla_target(
        &self,
        scope: &ReportScope,
        each: &mut dyn FnMut(&SlaCalendars, TargetRow),
    ) -> Result<(), ProjectionError> {
        self.read(|conn| {
            let snapshot = conn.unchecked_transaction()?;
            let mut found = SlaCalendars::new();
            let mut stmt = conn.prepare_cached("SELECT key, spec FROM sla_calendars")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let key: String = row.get(0)?;
                let spec = serde_json::from_str(&row.get::<_, String>(1)?)
                    .map_err(|e| ProjectionError::Corrupt(format!("calendar {key}: {e}")))?;
                found.insert(key, spec);
            }
            let (filters, filter_params) = filters(scope);
            let sql = format!(
                "SELECT incident, timer, priority, customer, service, opened_at, met_at, runs,
                        calendar, target_seconds, due_at, on_time
                 FROM sla_targets
                 WHERE settled_at >= ? AND opened_at < ? {filters}"
            );
            let mut params = vec![
                Value::Integer(scope.from.timestamp_micros()),
                Value::Integer(scope.as_of.timestamp_micros()),
            ];
            params.extend(filter_params);
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let instant =
                |micros: Option<i64>| micros.and_then(chrono::DateTime::from_timestamp_micros);
            while let Some(row) = rows.next()? {
                let id = row.get_ref(0)?.as_str().map_err(corrupt)?;
                let incident = uuid::Uuid::parse_str(id)
                    .map_err(|e| ProjectionError::Corrupt(format!("incident {id}: {e}")))?;
                let timer =
                    if row.get_ref(1)?.as_str().map_err(corrupt)? == TimerKind::Respond.as_str() {
                        TimerKind::Respond
                    } else {
                        TimerKind::Resolve
                    };
                each(
                    &found,
                    TargetRow {
                        incident,
                        timer,
                        priority: u8::try_from(row.get::<_, i64>(2)?)
                            .ok()
                            .and_then(Priority::from_rank)
                            .unwrap_or(Priority::P5),
                        customer: row.get(3)?,
                        service: row.get(4)?,
                        opened_at: instant(Some(row.get(5)?)).ok_or_else(|| {
                            ProjectionError::Corrupt(format!("opened_at of {incident}"))
                        })?,
                        met_at: instant(row.get(6)?),
                        runs: crate::sla_targets::decode_runs(
                            row.get_ref(7)?.as_str().map_err(corrupt)?,
                        )?,
                        calendar: row.get(8)?,
                        target_seconds: row.get::<_, i64>(9)? as u64,
                        due_at: instant(row.get(10)?),
                        on_time: row.get(11)?,
                    },
                );
            }
            snapshot.commit()?;
            Ok(())
        })
    }
}

fn corrupt(e: rusqlite::types::FromSqlError) -> ProjectionError {
    ProjectionError::Corrupt(e.to_string())
}
