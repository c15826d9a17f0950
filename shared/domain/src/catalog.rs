//! Catalog entries (SLAs, contracts, and later customers and services): defined once, then
//! replaced whole, each by a spec that validates itself. One macro writes the aggregate of
//! each: its id, document, commands, events (with their codec), `decide` and `evolve`.

use crate::FieldError;

/// A catalog entry's definition as clients send it.
pub trait Spec: Clone + PartialEq {
    fn validate(&self) -> Result<(), Vec<FieldError>>;
}

/// `catalog!(Doc, Id, "prefix-", Spec, Command, Event, Defined, Changed)` writes the aggregate
/// of one kind of catalog entry; register it with [`crate::aggregates!`].
#[macro_export]
macro_rules! catalog {
    ($doc:ident, $id:ident, $prefix:literal, $spec:ty, $command:ident, $event:ident, $defined:ident, $changed:ident) => {
        $crate::stream_id!($id, $prefix);

        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct $doc {
            pub id: $id,
            pub version: u64,
            pub spec: $spec,
            pub created_at: chrono::DateTime<chrono::Utc>,
            pub updated_at: chrono::DateTime<chrono::Utc>,
        }

        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $command {
            Define { id: $id, spec: $spec },
            Change { spec: $spec },
        }

        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct $defined {
            pub id: $id,
            pub spec: $spec,
        }

        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct $changed {
            pub spec: $spec,
        }

        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $event {
            $defined($defined),
            $changed($changed),
        }

        $crate::event_codec!($event { $defined, $changed });

        impl $event {
            pub const SCHEMA_VERSION: u32 = 1;
        }

        pub fn decide(
            state: Option<&$doc>,
            command: &$command,
        ) -> Result<Vec<$event>, $crate::DomainError> {
            let validate = <$spec as $crate::catalog::Spec>::validate;
            match (state, command) {
                (None, $command::Define { id, spec }) => {
                    validate(spec).map_err($crate::DomainError::Invalid)?;
                    Ok(vec![$event::$defined($defined {
                        id: *id,
                        spec: spec.clone(),
                    })])
                }
                (Some(_), $command::Define { .. }) => Err($crate::DomainError::AlreadyExists),
                (None, $command::Change { .. }) => Err($crate::DomainError::NotFound),
                (Some(current), $command::Change { spec }) => {
                    validate(spec).map_err($crate::DomainError::Invalid)?;
                    if *spec == current.spec {
                        return Ok(Vec::new());
                    }
                    Ok(vec![$event::$changed($changed { spec: spec.clone() })])
                }
            }
        }

        pub fn evolve(
            state: Option<$doc>,
            event: &$event,
            at: chrono::DateTime<chrono::Utc>,
        ) -> Option<$doc> {
            match event {
                $event::$defined(defined) => Some($doc {
                    id: defined.id,
                    version: 0,
                    spec: defined.spec.clone(),
                    created_at: at,
                    updated_at: at,
                }),
                $event::$changed(changed) => {
                    let mut doc = state?;
                    doc.version += 1;
                    doc.updated_at = at;
                    doc.spec = changed.spec.clone();
                    Some(doc)
                }
            }
        }
    };
}
