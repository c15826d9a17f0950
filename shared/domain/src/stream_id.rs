//! Aggregate identities: a UUID whose event stream is `<prefix><uuid>`.

/// Declares an id newtype with its stream prefix, `stream()`, `from_stream()` and `Display`.
#[macro_export]
macro_rules! stream_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub const STREAM_PREFIX: &'static str = $prefix;

            pub fn stream(&self) -> String {
                format!("{}{}", Self::STREAM_PREFIX, self.0)
            }

            pub fn from_stream(stream: &str) -> Option<Self> {
                uuid::Uuid::parse_str(stream.strip_prefix(Self::STREAM_PREFIX)?)
                    .ok()
                    .map(Self)
            }
        }

        impl $crate::aggregate::StreamId for $name {
            const STREAM_PREFIX: &'static str = $prefix;

            fn stream(&self) -> String {
                <$name>::stream(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
