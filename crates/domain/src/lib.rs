//! Pure rules and types of the dangjian platform: no I/O, no async, no SQL.

/// Declares a closed set of codes with their string form, used in the API, the database
/// and the translation keys (`<enum>.<code>`).
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        // Serialized as its code (`"A"` for a grade), exactly as `as_str` spells it.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&s, $name::CODES))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const CODES: &'static [&'static str] = &[$($code),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::list::FilterValue for $name {
            const KIND: $crate::list::FilterKind = $crate::list::FilterKind::Code($name::CODES);
            fn parse_value(s: &str) -> Option<Self> {
                $name::parse(s)
            }
            fn to_value(&self) -> String {
                self.as_str().to_string()
            }
        }

        // In the OpenAPI document: a string enum of exactly the codes.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($name::CODES.iter().copied()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod assessment;
pub mod campaigns;
pub mod channels;
pub mod checks;
pub mod ledger;
pub mod liaison;
pub mod life;
pub mod list;
pub mod policy;
pub mod registry;
pub mod reports;
pub mod rules;
pub mod training;
pub mod validate;
pub mod work;
pub mod workplan;

pub use registry::*;
pub use rules::Rules;
pub use validate::{FieldError, FieldErrors};
