//! The one list mechanism: a list's filters are declared once, with [`list_filter!`], and
//! that declaration gives the typed filter the store reads, the parsing of the query (each
//! bad value a field error naming the parameter), the parameters a page keeps in its links
//! and export, and the parameters the OpenAPI document describes.

use chrono::NaiveDate;

/// What a filter parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    Integer,
    Boolean,
    Date,
    Text,
    /// One of these codes.
    Code(&'static [&'static str]),
}

/// One declared filter parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterSpec {
    pub name: &'static str,
    pub kind: FilterKind,
    pub doc: &'static str,
}

/// A value a filter parameter can hold.
pub trait FilterValue: Sized {
    const KIND: FilterKind;
    fn parse_value(s: &str) -> Option<Self>;
    /// As it goes back into a query string.
    fn to_value(&self) -> String;
}

impl FilterValue for i64 {
    const KIND: FilterKind = FilterKind::Integer;
    fn parse_value(s: &str) -> Option<Self> {
        s.parse().ok()
    }
    fn to_value(&self) -> String {
        self.to_string()
    }
}

impl FilterValue for bool {
    const KIND: FilterKind = FilterKind::Boolean;
    fn parse_value(s: &str) -> Option<Self> {
        match s {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }
    fn to_value(&self) -> String {
        self.to_string()
    }
}

impl FilterValue for NaiveDate {
    const KIND: FilterKind = FilterKind::Date;
    fn parse_value(s: &str) -> Option<Self> {
        crate::validate::parse_date(s)
    }
    fn to_value(&self) -> String {
        self.to_string()
    }
}

impl FilterValue for String {
    const KIND: FilterKind = FilterKind::Text;
    fn parse_value(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
    fn to_value(&self) -> String {
        self.clone()
    }
}

/// Where filter values are read from (the query parameters); a bad value is recorded as a
/// field error by the source and read as absent.
pub trait FilterSource {
    fn value<T: FilterValue>(&mut self, name: &'static str) -> Option<T>;
}

/// A list's filters (made by [`list_filter!`]).
pub trait ListFilter: Sized + Default {
    const FILTERS: &'static [FilterSpec];
    fn read(src: &mut impl FilterSource) -> Self;
    /// The set parameters, in declaration order, as a query keeps them.
    fn pairs(&self) -> Vec<(&'static str, String)>;
    /// The declared parameter names (what a page keeps).
    fn names() -> Vec<&'static str> {
        Self::FILTERS.iter().map(|f| f.name).collect()
    }
}

/// Declares a list's filters: every field is optional, its doc comment is its description.
///
/// ```text
/// list_filter! {
///     /// Filters of the task ledger.
///     pub struct AssignmentFilter {
///         /// Exactly this org.
///         party_org_id: i64,
///         state: AssignmentState,
///     }
/// }
/// ```
#[macro_export]
macro_rules! list_filter {
    ($(#[$m:meta])* pub struct $name:ident { $( $(#[doc = $doc:literal])* $field:ident : $ty:ty ),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name { $( $(#[doc = $doc])* pub $field: Option<$ty> ),+ }

        impl $crate::list::ListFilter for $name {
            const FILTERS: &'static [$crate::list::FilterSpec] = &[$(
                $crate::list::FilterSpec {
                    name: stringify!($field),
                    kind: <$ty as $crate::list::FilterValue>::KIND,
                    doc: concat!($($doc),*),
                }
            ),+];
            fn read(src: &mut impl $crate::list::FilterSource) -> Self {
                $name { $( $field: src.value::<$ty>(stringify!($field)) ),+ }
            }
            fn pairs(&self) -> Vec<(&'static str, String)> {
                let mut out = Vec::new();
                $( if let Some(v) = &self.$field {
                    out.push((stringify!($field), $crate::list::FilterValue::to_value(v)));
                } )+
                out
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrgKind;
    use std::collections::HashMap;

    crate::list_filter! {
        /// A test list.
        pub struct Demo {
            /// Exactly this org.
            party_org_id: i64,
            kind: OrgKind,
            overdue: bool,
            from: NaiveDate,
            q: String,
        }
    }

    struct Map(HashMap<&'static str, &'static str>, Vec<&'static str>);
    impl FilterSource for Map {
        fn value<T: FilterValue>(&mut self, name: &'static str) -> Option<T> {
            let v = self.0.get(name)?;
            let out = T::parse_value(v);
            if out.is_none() {
                self.1.push(name);
            }
            out
        }
    }

    #[test]
    fn one_declaration_gives_parsing_links_and_the_documented_parameters() {
        let mut src = Map(
            HashMap::from([
                ("party_org_id", "7"),
                ("kind", "branch"),
                ("overdue", "maybe"),
                ("from", "2024-06-01"),
            ]),
            vec![],
        );
        let f = Demo::read(&mut src);
        assert_eq!(f.party_org_id, Some(7));
        assert_eq!(f.kind, Some(OrgKind::Branch));
        assert_eq!(f.overdue, None);
        assert_eq!(src.1, vec!["overdue"]);
        assert_eq!(
            f.pairs(),
            vec![
                ("party_org_id", "7".to_string()),
                ("kind", "branch".to_string()),
                ("from", "2024-06-01".to_string())
            ]
        );
        assert_eq!(
            Demo::names(),
            ["party_org_id", "kind", "overdue", "from", "q"]
        );
        assert_eq!(Demo::FILTERS[0].doc, " Exactly this org.");
        assert_eq!(Demo::FILTERS[1].kind, FilterKind::Code(OrgKind::CODES));
        assert_eq!(Demo::FILTERS[2].kind, FilterKind::Boolean);
    }
}
