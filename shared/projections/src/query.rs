//! Queries over the incidents read model: filters, sort orders and keyset (cursor) pagination.

use crate::{ProjectionError, ReadModelDb};
use base64::Engine;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use servicedesk_domain::incident::{IncidentId, Status};
use servicedesk_domain::Priority;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub status: Vec<Status>,
    pub priority: Vec<Priority>,
    pub assignee: Option<String>,
    pub assignment_group: Option<String>,
    pub service: Option<String>,
    pub configuration_item: Option<String>,
    pub customer: Option<String>,
    /// Free text over title and description: every word must occur (prefix match).
    pub text: Option<String>,
    /// Incidents with an SLA timer in this state at the given instant.
    pub sla_state: Option<(SlaStateFilter, chrono::DateTime<chrono::Utc>)>,
}

/// How an incident's timers stand, taken together: the worst of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaStateFilter {
    /// A target was missed (a deadline passed, recorded or not yet).
    Breached,
    /// Past a warning share, not breached.
    Warning,
    /// A timer runs, neither warned nor breached.
    Running,
    /// A timer is paused (pending).
    Paused,
    /// Runs on an SLA and owes nothing more: every timer met.
    Met,
}

impl SlaStateFilter {
    pub const NAMES: [&'static str; 5] = ["breached", "warning", "running", "paused", "met"];

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Breached,
            Self::Warning,
            Self::Running,
            Self::Paused,
            Self::Met,
        ]
        .into_iter()
        .zip(Self::NAMES)
        .find(|(_, name)| *name == text)
        .map(|(state, _)| state)
    }

    /// The condition, with `?` for the instant (each `?` binds it).
    fn condition(&self) -> (&'static str, usize) {
        match self {
            Self::Breached => ("sla = 1 AND (sla_breached = 1 OR sla_due_at <= ?)", 1),
            Self::Warning => (
                "sla = 1 AND sla_breached = 0 AND sla_due_at > ? AND sla_warn_at <= ?",
                2,
            ),
            Self::Running => (
                "sla = 1 AND sla_breached = 0 AND sla_due_at > ? AND sla_warn_at > ?",
                2,
            ),
            Self::Paused => ("sla = 1 AND sla_paused = 1", 0),
            Self::Met => (
                "sla = 1 AND sla_breached = 0 AND sla_paused = 0 \
                 AND sla_due_at = 9223372036854775807",
                0,
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncidentSort {
    /// Newest first.
    #[default]
    OpenedDesc,
    OpenedAsc,
    UpdatedDesc,
    UpdatedAsc,
    /// P1 first, oldest first within a priority: the work queue order.
    PriorityAsc,
    PriorityDesc,
    /// What breaches next: the earliest deadline of a running timer first; none last.
    SlaDueAsc,
    SlaDueDesc,
}

impl IncidentSort {
    pub const NAMES: [&'static str; 8] = [
        "-opened_at",
        "opened_at",
        "-updated_at",
        "updated_at",
        "priority",
        "-priority",
        "sla_due_at",
        "-sla_due_at",
    ];
    const ALL: [IncidentSort; 8] = [
        Self::OpenedDesc,
        Self::OpenedAsc,
        Self::UpdatedDesc,
        Self::UpdatedAsc,
        Self::PriorityAsc,
        Self::PriorityDesc,
        Self::SlaDueAsc,
        Self::SlaDueDesc,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == text)
            .map(|i| Self::ALL[i])
    }

    pub fn name(&self) -> &'static str {
        let index = Self::ALL.iter().position(|s| s == self).unwrap_or(0);
        Self::NAMES[index]
    }

    fn columns(&self) -> &'static [&'static str] {
        match self {
            Self::OpenedDesc | Self::OpenedAsc => &["opened_at"],
            Self::UpdatedDesc | Self::UpdatedAsc => &["updated_at"],
            Self::PriorityAsc | Self::PriorityDesc => &["priority", "opened_at"],
            Self::SlaDueAsc | Self::SlaDueDesc => &["sla_due_at"],
        }
    }

    fn descending(&self) -> bool {
        matches!(
            self,
            Self::OpenedDesc | Self::UpdatedDesc | Self::PriorityDesc | Self::SlaDueDesc
        )
    }
}

/// Where the next page starts: the sort keys and `seq` of the last row returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: IncidentSort,
    keys: Vec<i64>,
    seq: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let mut text = self.sort.name().to_owned();
        for key in self.keys.iter().chain(std::iter::once(&self.seq)) {
            text.push('|');
            text.push_str(&key.to_string());
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(text: &str) -> Result<Self, String> {
        let bad = || "not a cursor this server issued".to_owned();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = text.split('|');
        let sort = parts.next().and_then(IncidentSort::parse).ok_or_else(bad)?;
        let numbers = parts
            .map(|p| p.parse::<i64>().map_err(|_| bad()))
            .collect::<Result<Vec<_>, _>>()?;
        let (seq, keys) = numbers.split_last().ok_or_else(bad)?;
        if keys.len() != sort.columns().len() {
            return Err(bad());
        }
        Ok(Self {
            sort,
            keys: keys.to_vec(),
            seq: *seq,
        })
    }
}

/// A page of incident documents (JSON text, as stored) and the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentPage {
    pub items: Vec<String>,
    pub next_cursor: Option<String>,
}

impl ReadModelDb {
    /// The incident document and its version (the ETag).
    pub fn incident_doc(&self, id: IncidentId) -> Result<Option<(String, u64)>, ProjectionError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT d.doc, i.version FROM incidents i JOIN incident_docs d ON d.seq = i.seq WHERE i.id = ?1")?
                .query_row([id.to_string()], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
                })
                .optional()?)
        })
    }

    /// Incidents whose links point at `id`: (source incident, link kind).
    pub fn incident_links_to(
        &self,
        id: IncidentId,
    ) -> Result<Vec<(String, String)>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT source, kind FROM incident_links WHERE target = ?1 ORDER BY source, kind",
            )?;
            let rows = stmt.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn list_incidents(
        &self,
        filter: &IncidentFilter,
        sort: IncidentSort,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<IncidentPage, ProjectionError> {
        self.read(|conn| {
            let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) else {
                let (sql, params) = list_sql(filter, sort, cursor, limit, None);
                return page(conn, &sql, params, sort, limit);
            };
            // The term list and the index are read in one snapshot.
            let snapshot = conn.unchecked_transaction()?;
            let found = match text_match(conn, text)? {
                None => Ok(IncidentPage {
                    items: Vec::new(),
                    next_cursor: None,
                }),
                Some(expression) => {
                    let (sql, params) =
                        match ordered_search_sql(conn, filter, sort, cursor, limit, &expression)? {
                            Some(ordered) => ordered,
                            None => list_sql(filter, sort, cursor, limit, Some(&expression)),
                        };
                    page(conn, &sql, params, sort, limit)
                }
            };
            snapshot.commit()?;
            found
        })
    }
}

/// Runs a list query: documents, `seq` and sort keys, one row more than `limit`.
fn page(
    conn: &rusqlite::Connection,
    sql: &str,
    params: Vec<Value>,
    sort: IncidentSort,
    limit: usize,
) -> Result<IncidentPage, ProjectionError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let key_count = sort.columns().len();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut items = Vec::with_capacity(limit);
    let mut last: Option<Cursor> = None;
    while let Some(row) = rows.next()? {
        if items.len() == limit {
            return Ok(IncidentPage {
                items,
                next_cursor: last.map(|c| c.encode()),
            });
        }
        items.push(row.get::<_, String>(0)?);
        let seq: i64 = row.get(1)?;
        let keys = (0..key_count)
            .map(|i| row.get::<_, i64>(2 + i))
            .collect::<Result<Vec<_>, _>>()?;
        last = Some(Cursor { sort, keys, seq });
    }
    Ok(IncidentPage {
        items,
        next_cursor: None,
    })
}

/// A search in `opened_at` order walks the full-text index in rowid order (`-text_key`, and
/// `text_key` is `(opened_at, seq)` order), joins each match to its row, checks the other filters there,
/// and stops at the page's end: the cost is the rows walked, not the matches. The next page
/// starts below the cursor row's key. None when that order does not hold (another sort, rows
/// whose key could not be placed, a cursor naming no row): the general plan then answers.
fn ordered_search_sql(
    conn: &rusqlite::Connection,
    filter: &IncidentFilter,
    sort: IncidentSort,
    cursor: Option<&Cursor>,
    limit: usize,
    expression: &str,
) -> Result<Option<(String, Vec<Value>)>, ProjectionError> {
    if !matches!(sort, IncidentSort::OpenedDesc | IncidentSort::OpenedAsc) {
        return Ok(None);
    }
    let unordered: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM incidents WHERE text_key < 0)")?
        .query_row([], |r| r.get(0))?;
    if unordered {
        return Ok(None);
    }
    let mut clauses = vec!["f.incidents_fts MATCH ?".to_owned()];
    let mut params = vec![Value::Text(expression.to_owned())];
    // The index rowid is `-text_key` (see `fts`): newest first walks it forwards.
    let (direction, op) = if sort.descending() {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    };
    if let Some(cursor) = cursor {
        let (Some(opened_at), Some(seq)) = (cursor.keys.first(), Some(cursor.seq)) else {
            return Ok(None);
        };
        let key: Option<i64> = conn
            .prepare_cached("SELECT text_key FROM incidents WHERE seq = ?1 AND opened_at = ?2")?
            .query_row([seq, *opened_at], |r| r.get(0))
            .optional()?;
        let Some(key) = key else {
            return Ok(None);
        };
        clauses.push(format!("f.rowid {op} ?"));
        params.push(Value::Integer(-key));
    }
    let (mut filters, mut filter_params) = filter_clauses(filter, &filter.status, &filter.priority);
    clauses.append(&mut filters);
    params.append(&mut filter_params);
    // CROSS JOIN keeps the index as the outer loop, so its rowid order is the page's order.
    let sql = format!(
        "SELECT d.doc, page.seq, page.opened_at FROM (
             SELECT i.seq AS seq, i.opened_at AS opened_at, f.rowid AS k
             FROM incidents_fts AS f CROSS JOIN incidents AS i ON i.text_key = -f.rowid
             WHERE {} ORDER BY f.rowid {direction} LIMIT {}
         ) AS page JOIN incident_docs d ON d.seq = page.seq ORDER BY page.k {direction}",
        clauses.join(" AND "),
        limit + 1
    );
    Ok(Some((sql, params)))
}

/// Builds the list query. When status and priority are the only filters, several values become
/// one indexed, limited subquery per value, merged by an outer sort: `status IN (a, b)` on one
/// index would make SQLite sort every matching row (hundreds of thousands) to return fifty.
/// With a more selective filter (customer, service, ...) its index drives the query and the
/// statuses are only checked, so one query with `IN` is faster than a subquery per status,
/// each of which might scan far for a rare one.
fn list_sql(
    filter: &IncidentFilter,
    sort: IncidentSort,
    cursor: Option<&Cursor>,
    limit: usize,
    text: Option<&str>,
) -> (String, Vec<Value>) {
    let columns = sort.columns().join(", ");
    let direction = if sort.descending() { "DESC" } else { "ASC" };
    let order = sort
        .columns()
        .iter()
        .chain(std::iter::once(&"seq"))
        .map(|c| format!("{c} {direction}"))
        .collect::<Vec<_>>()
        .join(", ");
    let selective = filter.assignee.is_some()
        || filter.sla_state.is_some()
        || filter.assignment_group.is_some()
        || filter.service.is_some()
        || filter.configuration_item.is_some()
        || filter.customer.is_some()
        || text.is_some();
    let (statuses, priorities): (Vec<Vec<Status>>, Vec<Vec<Priority>>) = if selective {
        (vec![filter.status.clone()], vec![filter.priority.clone()])
    } else {
        (each(&filter.status), each(&filter.priority))
    };
    let mut parts = Vec::new();
    let mut params = Vec::new();
    for status in &statuses {
        for priority in &priorities {
            let (where_sql, mut part_params) =
                where_clause(filter, status, priority, text, sort, cursor);
            parts.push(format!(
                "SELECT seq, {columns} FROM incidents {where_sql} ORDER BY {order} LIMIT {}",
                limit + 1
            ));
            params.append(&mut part_params);
        }
    }
    let page = if parts.len() == 1 {
        parts.remove(0)
    } else {
        let union = parts
            .iter()
            .map(|p| format!("SELECT * FROM ({p})"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        format!(
            "SELECT seq, {columns} FROM ({union}) ORDER BY {order} LIMIT {}",
            limit + 1
        )
    };
    // The documents are fetched for the page's rows only, by rowid.
    let outer_columns = std::iter::once("page.seq".to_owned())
        .chain(sort.columns().iter().map(|c| format!("page.{c}")))
        .collect::<Vec<_>>()
        .join(", ");
    let outer_order = sort
        .columns()
        .iter()
        .chain(std::iter::once(&"seq"))
        .map(|c| format!("page.{c} {direction}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT d.doc, {outer_columns} FROM ({page}) AS page \
         JOIN incident_docs d ON d.seq = page.seq ORDER BY {outer_order}"
    );
    (sql, params)
}

/// `[[]]` for "no filter on this column", else each distinct value on its own.
fn each<T: Copy + PartialEq>(values: &[T]) -> Vec<Vec<T>> {
    let mut each: Vec<Vec<T>> = Vec::new();
    for v in values {
        if !each.contains(&vec![*v]) {
            each.push(vec![*v]);
        }
    }
    if each.is_empty() {
        each.push(Vec::new());
    }
    each
}

fn where_clause(
    filter: &IncidentFilter,
    statuses: &[Status],
    priorities: &[Priority],
    text: Option<&str>,
    sort: IncidentSort,
    cursor: Option<&Cursor>,
) -> (String, Vec<Value>) {
    let (mut clauses, mut params) = filter_clauses(filter, statuses, priorities);
    if let Some(expression) = text {
        clauses.push(
            "text_key IN (SELECT -rowid FROM incidents_fts WHERE incidents_fts MATCH ?)".to_owned(),
        );
        params.push(Value::Text(expression.to_owned()));
    }
    if let Some(cursor) = cursor {
        let columns = sort.columns();
        let op = if sort.descending() { "<" } else { ">" };
        let marks = vec!["?"; columns.len() + 1].join(", ");
        clauses.push(format!("({}, seq) {op} ({marks})", columns.join(", ")));
        params.extend(cursor.keys.iter().map(|k| Value::Integer(*k)));
        params.push(Value::Integer(cursor.seq));
    }
    if clauses.is_empty() {
        return (String::new(), params);
    }
    (format!("WHERE {}", clauses.join(" AND ")), params)
}

/// The conditions on the incidents table's own columns (all but free text and the cursor).
fn filter_clauses(
    filter: &IncidentFilter,
    statuses: &[Status],
    priorities: &[Priority],
) -> (Vec<String>, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let mut one_of = |column: &str, values: Vec<Value>| {
        match values.len() {
            0 => return,
            1 => clauses.push(format!("{column} = ?")),
            n => clauses.push(format!("{column} IN ({})", vec!["?"; n].join(", "))),
        }
        params.extend(values);
    };
    one_of(
        "status",
        statuses
            .iter()
            .map(|s| Value::Text(s.as_str().to_owned()))
            .collect(),
    );
    one_of(
        "priority",
        priorities
            .iter()
            .map(|p| Value::Integer(i64::from(p.rank())))
            .collect(),
    );
    for (column, value) in [
        ("assignee", &filter.assignee),
        ("assignment_group", &filter.assignment_group),
        ("service", &filter.service),
        ("configuration_item", &filter.configuration_item),
        ("customer", &filter.customer),
    ] {
        if let Some(v) = value {
            clauses.push(format!("{column} = ?"));
            params.push(Value::Text(v.clone()));
        }
    }
    if let Some((state, at)) = &filter.sla_state {
        let (condition, binds) = state.condition();
        clauses.push(format!("({condition})"));
        params.extend((0..binds).map(|_| Value::Integer(at.timestamp_micros())));
    }
    (clauses, params)
}

/// A word's prefix expands into at most this many terms; a prefix of more is left to FTS5's
/// prefix query, which reads all of its matches.
const MAX_EXPANSION: usize = 256;

/// Turns user text into an FTS5 query that cannot be a syntax error: every word must occur,
/// as a prefix of a term. A word of ASCII letters and digits (one token, lowercased as the
/// tokenizer does) becomes the OR of the terms it is a prefix of, from `incident_terms`, which
/// FTS5 walks lazily; any other word is quoted and prefix-matched (`"web-1"*`). None when a
/// word is a prefix of no term, so nothing matches.
fn text_match(conn: &rusqlite::Connection, text: &str) -> Result<Option<String>, ProjectionError> {
    let mut parts = Vec::new();
    for word in text.split_whitespace() {
        if !word.bytes().all(|b| b.is_ascii_alphanumeric()) {
            parts.push(quoted_prefix(word));
            continue;
        }
        let prefix = word.to_ascii_lowercase();
        let mut end = prefix.clone().into_bytes();
        if let Some(last) = end.last_mut() {
            *last += 1; // still ASCII: the successor of a letter or digit
        }
        let end = String::from_utf8(end).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
        let mut stmt = conn.prepare_cached(
            "SELECT term FROM incident_terms WHERE term >= ?1 AND term < ?2 ORDER BY term LIMIT ?3",
        )?;
        let terms = stmt
            .query_map((&prefix, &end, MAX_EXPANSION as i64 + 1), |r| {
                r.get::<_, String>(0)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        match terms.len() {
            0 => return Ok(None),
            n if n > MAX_EXPANSION => parts.push(quoted_prefix(&prefix)),
            _ => {
                let any = terms
                    .iter()
                    .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                parts.push(format!("({any})"));
            }
        }
    }
    Ok(Some(parts.join(" AND ")))
}

/// `word` quoted, as a prefix. NUL would end the query text early; like any other separator,
/// it becomes a space.
fn quoted_prefix(word: &str) -> String {
    format!("\"{}\"*", word.replace('"', "\"\"").replace('\0', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            sort: IncidentSort::PriorityAsc,
            keys: vec![2, 1_700_000_000_000_000],
            seq: 42,
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        assert!(Cursor::decode("!!!").is_err());
        assert!(Cursor::decode("b3BlbmVk").is_err());
    }

    #[test]
    fn other_words_are_quoted() {
        assert_eq!(quoted_prefix("\"full"), "\"\"\"full\"*");
        assert_eq!(quoted_prefix("web-1"), "\"web-1\"*");
        assert_eq!(quoted_prefix("disk\0full"), "\"disk full\"*");
    }
}

#[cfg(test)]
mod search_tests;
