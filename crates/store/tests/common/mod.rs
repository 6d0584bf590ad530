//! Helpers shared by the store's test binaries.

use domain::{OrgKind, PartyOrgInput};

/// A party org with only a name, a kind and `full_members` set.
pub fn org_input(name: &str, kind: OrgKind, full_members: i64) -> PartyOrgInput {
    PartyOrgInput {
        name: name.into(),
        kind,
        parent_id: None,
        secretary: None,
        secretary_joined_on: None,
        secretary_cross_appointed: false,
        established_on: None,
        term_ends_on: None,
        full_members,
        probationary_members: 0,
        grade: None,
    }
}
