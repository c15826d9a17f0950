//! How domain events meet the log: each event enum variant wraps a payload struct; the variant
//! name is the stored `type` and the payload is the stored `data` (JSON).

/// A stored event whose type this code does not know (written by a newer version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read event {event_type} v{schema_version}: {reason}")]
pub struct UnknownEvent {
    pub event_type: String,
    pub schema_version: u32,
    pub reason: String,
}

/// Implements `event_type`, `to_json`, `from_stored` and `TYPES` for an event enum whose
/// variants each hold one serde payload. The enum must define `SCHEMA_VERSION`.
#[macro_export]
macro_rules! event_codec {
    ($enum:ident { $($variant:ident),* $(,)? }) => {
        impl $enum {
            pub fn event_type(&self) -> &'static str {
                match self { $(Self::$variant(_) => stringify!($variant),)* }
            }

            /// The event's `data` as JSON text.
            pub fn to_json(&self) -> String {
                let encoded = match self { $(Self::$variant(d) => serde_json::to_string(d),)* };
                // Serializing plain structs of strings, numbers and enums cannot fail.
                encoded.unwrap_or_else(|_| "{}".to_owned())
            }

            /// Reads a stored event, upcasting older schema versions.
            pub fn from_stored(
                event_type: &str,
                schema_version: u32,
                data: &str,
            ) -> Result<Self, $crate::codec::UnknownEvent> {
                let fail = |reason: String| $crate::codec::UnknownEvent {
                    event_type: event_type.to_owned(),
                    schema_version,
                    reason,
                };
                if schema_version > Self::SCHEMA_VERSION {
                    return Err(fail("schema version is newer than this build".to_owned()));
                }
                match event_type {
                    $(stringify!($variant) => serde_json::from_str(data).map(Self::$variant).map_err(|e| fail(e.to_string())),)*
                    _ => Err(fail("unknown event type".to_owned())),
                }
            }

            pub const TYPES: &'static [&'static str] = &[$(stringify!($variant)),*];
        }

        impl $crate::codec::StoredEvent for $enum {
            const SCHEMA_VERSION: u32 = <$enum>::SCHEMA_VERSION;

            fn event_type(&self) -> &'static str {
                <$enum>::event_type(self)
            }

            fn to_json(&self) -> String {
                <$enum>::to_json(self)
            }

            fn from_stored(
                event_type: &str,
                schema_version: u32,
                data: &str,
            ) -> Result<Self, $crate::codec::UnknownEvent> {
                <$enum>::from_stored(event_type, schema_version, data)
            }
        }
    };
}

/// What the log needs of any domain event: its type name, its JSON, and the way back.
/// Implemented by [`event_codec!`] for every event enum.
pub trait StoredEvent: Sized {
    const SCHEMA_VERSION: u32;
    fn event_type(&self) -> &'static str;
    fn to_json(&self) -> String;
    fn from_stored(event_type: &str, schema_version: u32, data: &str)
        -> Result<Self, UnknownEvent>;
}
