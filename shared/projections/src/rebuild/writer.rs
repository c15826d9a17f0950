//! Rebuild stage three: writes a replayed batch into the scratch file, in order.

use super::replay::Item;
use crate::fts::{self, TextChange};
use crate::{incidents, row, ProjectionError};
use rusqlite::Connection;

pub(crate) fn write(conn: &Connection, items: &[Item]) -> Result<(), ProjectionError> {
    let mut texts = Vec::with_capacity(items.len());
    let mut rows = row::Inserter::new(conn)?;
    for item in items {
        match item {
            Item::New { state, doc } => {
                let (_, key) = rows.insert(state, doc)?;
                row::write_links(conn, state, false)?;
                crate::sla_targets::write(conn, state, false)?;
                crate::notifications::write(conn, state, false)?;
                texts.push(TextChange {
                    key,
                    old: None,
                    title: &state.title,
                    description: &state.description,
                });
            }
            Item::Merge(events) => {
                incidents::merge(conn, events)?;
            }
        }
    }
    // The term list is counted once from the finished index (see `scratch`).
    fts::write_text(conn, &mut texts)
}
