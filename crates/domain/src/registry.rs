//! M1: party organizations, societies, and the derived coverage of each society.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::Rules;
use crate::validate::{self, FieldError, FieldErrors};

code_enum!(
    /// Kind of a node of the party-organization tree.
    OrgKind {
        Committee = "committee",
        GeneralBranch = "general_branch",
        Branch = "branch",
        JointBranch = "joint_branch",
        FunctionalBranch = "functional_branch",
    }
);

code_enum!(
    /// Kind of an overseen unit.
    SocietyKind {
        Society = "society",
        NonEnterprise = "non_enterprise",
        Foundation = "foundation",
    }
);

code_enum!(
    /// The sector of a society (the "three innovation highlands" and the rest).
    Sector {
        IntelligentTech = "intelligent_tech",
        LifeHealth = "life_health",
        GreenLowCarbon = "green_low_carbon",
        Frontier = "frontier",
        Other = "other",
    }
);

code_enum!(
    /// How a society is covered by party organization; derived, never typed in.
    Coverage {
        OwnBranch = "own_branch",
        JointBranch = "joint_branch",
        FunctionalBranch = "functional_branch",
        Instructor = "instructor",
        None = "none",
    }
);

code_enum!(
    /// Grade of a party organization in the A/B/C classification.
    Grade { A = "A", B = "B", C = "C" }
);

code_enum!(
    /// A user's role.
    Role {
        Admin = "admin",
        Committee = "committee",
        Inspector = "inspector",
        Branch = "branch",
        Viewer = "viewer",
    }
);

impl Role {
    /// May change the registry (party orgs and societies), within the caller's scope.
    pub fn may_edit_registry(self) -> bool {
        crate::policy::allows(self, crate::policy::Permission::EditRegistry)
    }
}

/// Derives a society's coverage from the kind of its covering org and its instructor.
pub fn coverage(org_kind: Option<OrgKind>, instructor: Option<&str>) -> Coverage {
    match org_kind {
        Some(OrgKind::Branch | OrgKind::GeneralBranch | OrgKind::Committee) => Coverage::OwnBranch,
        Some(OrgKind::JointBranch) => Coverage::JointBranch,
        Some(OrgKind::FunctionalBranch) => Coverage::FunctionalBranch,
        None if instructor.is_some_and(|i| !i.trim().is_empty()) => Coverage::Instructor,
        None => Coverage::None,
    }
}

/// 应建尽建: enough full members for an own branch, but none.
pub fn should_establish(full_members: i64, coverage: Coverage, rules: &Rules) -> bool {
    full_members >= rules.establish_threshold && coverage != Coverage::OwnBranch
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartyOrg {
    pub id: i64,
    #[schema(max_length = 100)]
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
    pub secretary: Option<String>,
    pub secretary_joined_on: Option<NaiveDate>,
    pub secretary_cross_appointed: bool,
    pub established_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    #[schema(minimum = 0)]
    pub full_members: i64,
    #[schema(minimum = 0)]
    pub probationary_members: i64,
    pub grade: Option<Grade>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Society {
    pub id: i64,
    #[schema(max_length = 100)]
    pub name: String,
    pub kind: SocietyKind,
    pub sector: Sector,
    #[schema(minimum = 0)]
    pub full_members: i64,
    #[schema(minimum = 0)]
    pub probationary_members: i64,
    pub charter_has_party_building: bool,
    pub instructor: Option<String>,
    pub party_org_id: Option<i64>,
    #[schema(read_only)]
    pub coverage: Coverage,
    #[schema(read_only)]
    pub should_establish: bool,
}

/// The validated, complete set of a society's own fields (what is stored).
#[derive(Debug, Clone, PartialEq)]
pub struct SocietyInput {
    pub name: String,
    pub kind: SocietyKind,
    pub sector: Sector,
    pub full_members: i64,
    pub probationary_members: i64,
    pub charter_has_party_building: bool,
    pub instructor: Option<String>,
    pub party_org_id: Option<i64>,
}

/// The validated, complete set of a party org's own fields.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyOrgInput {
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
    pub secretary: Option<String>,
    pub secretary_joined_on: Option<NaiveDate>,
    pub secretary_cross_appointed: bool,
    pub established_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    pub full_members: i64,
    pub probationary_members: i64,
    pub grade: Option<Grade>,
}

/// A change as a caller sends it: absent fields keep their value (or take the default on
/// create); `Some(None)` clears a nullable field. Enum and date fields stay text here so
/// that an unknown value becomes a field error naming the allowed values.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SocietyInput, description = "On POST name is required; kind defaults to society, sector to other, counts to 0. coverage and should_establish are derived: a client may echo them back and they are ignored, but an unknown coverage code or a non-boolean should_establish is still 422.")]
#[serde(deny_unknown_fields)]
pub struct SocietyPatch {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(value_type = Option<SocietyKind>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<Sector>)]
    pub sector: Option<String>,
    #[schema(minimum = 0)]
    pub full_members: Option<i64>,
    #[schema(minimum = 0)]
    pub probationary_members: Option<i64>,
    pub charter_has_party_building: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub instructor: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub party_org_id: Option<Option<i64>>,
    /// Read-only fields a client may echo back; ignored once they are well-formed (an
    /// unknown coverage code is still a field error).
    #[serde(default)]
    #[schema(ignore)]
    pub id: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[schema(value_type = Option<Coverage>, read_only)]
    pub coverage: Option<String>,
    #[serde(default)]
    #[schema(read_only)]
    pub should_establish: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PartyOrgInput, description = "On POST name and kind are required (parent_id too unless kind is committee); on PATCH every field is optional and null clears a nullable field. Unknown fields → 422.")]
#[serde(deny_unknown_fields)]
pub struct PartyOrgPatch {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(value_type = Option<OrgKind>)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub secretary: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub secretary_joined_on: Option<Option<String>>,
    pub secretary_cross_appointed: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub established_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub term_ends_on: Option<Option<String>>,
    #[schema(minimum = 0)]
    pub full_members: Option<i64>,
    #[schema(minimum = 0)]
    pub probationary_members: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Grade>)]
    pub grade: Option<Option<String>>,
    /// Why the grade is changed by hand: kept with the `manual` entry of the grade history
    /// (`GET /party-orgs/{id}/grades`); not a field of the org.
    #[schema(max_length = 2000)]
    pub grade_reason: Option<String>,
    #[serde(default)]
    #[schema(ignore)]
    pub id: Option<serde::de::IgnoredAny>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

pub const NAME_MAX: usize = 100;
pub const PERSON_MAX: usize = 50;

pub(crate) fn code<T: Copy>(
    errs: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    current: Option<T>,
    parse: fn(&str) -> Option<T>,
    codes: &'static [&'static str],
) -> Option<T> {
    match value {
        Some(v) => {
            let parsed = parse(v.trim());
            if parsed.is_none() {
                errs.add(
                    field,
                    FieldError::UnknownValue {
                        allowed: codes.to_vec(),
                    },
                );
            }
            parsed
        }
        None => {
            if current.is_none() {
                errs.add(field, FieldError::Required);
            }
            current
        }
    }
}

pub(crate) fn opt_str(o: &Option<Option<String>>) -> Option<Option<&str>> {
    o.as_ref().map(|v| v.as_deref())
}

pub(crate) fn date(
    errs: &mut FieldErrors,
    field: &str,
    value: Option<Option<&str>>,
    current: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match value {
        None => current,
        Some(None) => None,
        Some(Some(s)) if s.trim().is_empty() => None,
        Some(Some(s)) => {
            let d = validate::parse_date(s);
            if d.is_none() {
                errs.add(field, FieldError::InvalidDate);
            }
            d
        }
    }
}

/// The name a patch leaves: the new one (validated), the base's, or a `Required` error.
fn patched_name(errs: &mut FieldErrors, new: Option<&str>, base: Option<&str>) -> String {
    match (new, base) {
        (Some(n), _) => validate::name(errs, "name", n, NAME_MAX),
        (None, Some(b)) => b.to_string(),
        (None, None) => {
            errs.add("name", FieldError::Required);
            String::new()
        }
    }
}

impl SocietyPatch {
    /// Applies the patch to `base` (an existing society) or to the defaults of a new one.
    pub fn apply(&self, base: Option<&SocietyInput>) -> Result<SocietyInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = patched_name(
            &mut errs,
            self.name.as_deref(),
            base.map(|b| b.name.as_str()),
        );
        let kind = code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            base.map(|b| b.kind).or(Some(SocietyKind::Society)),
            SocietyKind::parse,
            SocietyKind::CODES,
        );
        let sector = code(
            &mut errs,
            "sector",
            self.sector.as_deref(),
            base.map(|b| b.sector).or(Some(Sector::Other)),
            Sector::parse,
            Sector::CODES,
        );
        let full = validate::count(
            &mut errs,
            "full_members",
            self.full_members
                .or(base.map(|b| b.full_members))
                .unwrap_or(0),
        );
        let prob = validate::count(
            &mut errs,
            "probationary_members",
            self.probationary_members
                .or(base.map(|b| b.probationary_members))
                .unwrap_or(0),
        );
        let instructor = match &self.instructor {
            Some(v) => validate::opt_text(&mut errs, "instructor", v.as_deref(), PERSON_MAX),
            None => base.and_then(|b| b.instructor.clone()),
        };
        let party_org_id = match self.party_org_id {
            Some(v) => v,
            None => base.and_then(|b| b.party_org_id),
        };
        if let Some(c) = &self.coverage {
            if Coverage::parse(c.trim()).is_none() {
                errs.add(
                    "coverage",
                    FieldError::UnknownValue {
                        allowed: Coverage::CODES.to_vec(),
                    },
                );
            }
        }
        errs.into_result()?;
        Ok(SocietyInput {
            name,
            kind: kind.unwrap_or(SocietyKind::Society),
            sector: sector.unwrap_or(Sector::Other),
            full_members: full,
            probationary_members: prob,
            charter_has_party_building: self
                .charter_has_party_building
                .or(base.map(|b| b.charter_has_party_building))
                .unwrap_or(false),
            instructor,
            party_org_id,
        })
    }
}

impl PartyOrgPatch {
    pub fn apply(&self, base: Option<&PartyOrgInput>) -> Result<PartyOrgInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = patched_name(
            &mut errs,
            self.name.as_deref(),
            base.map(|b| b.name.as_str()),
        );
        let kind = code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            base.map(|b| b.kind),
            OrgKind::parse,
            OrgKind::CODES,
        );
        let parent_id = match self.parent_id {
            Some(v) => v,
            None => base.and_then(|b| b.parent_id),
        };
        if parent_id.is_none() && kind.is_some_and(|k| k != OrgKind::Committee) {
            errs.add("parent_id", FieldError::Required);
        }
        let secretary = match &self.secretary {
            Some(v) => validate::opt_text(&mut errs, "secretary", v.as_deref(), PERSON_MAX),
            None => base.and_then(|b| b.secretary.clone()),
        };
        let secretary_joined_on = date(
            &mut errs,
            "secretary_joined_on",
            opt_str(&self.secretary_joined_on),
            base.and_then(|b| b.secretary_joined_on),
        );
        let established_on = date(
            &mut errs,
            "established_on",
            opt_str(&self.established_on),
            base.and_then(|b| b.established_on),
        );
        let term_ends_on = date(
            &mut errs,
            "term_ends_on",
            opt_str(&self.term_ends_on),
            base.and_then(|b| b.term_ends_on),
        );
        let full = validate::count(
            &mut errs,
            "full_members",
            self.full_members
                .or(base.map(|b| b.full_members))
                .unwrap_or(0),
        );
        let prob = validate::count(
            &mut errs,
            "probationary_members",
            self.probationary_members
                .or(base.map(|b| b.probationary_members))
                .unwrap_or(0),
        );
        let grade = match &self.grade {
            None => base.and_then(|b| b.grade),
            Some(None) => None,
            Some(Some(g)) if g.trim().is_empty() => None,
            Some(Some(g)) => {
                let parsed = Grade::parse(g.trim());
                if parsed.is_none() {
                    errs.add(
                        "grade",
                        FieldError::UnknownValue {
                            allowed: Grade::CODES.to_vec(),
                        },
                    );
                }
                parsed
            }
        };
        if let (Some(e), Some(t)) = (established_on, term_ends_on) {
            if t < e {
                errs.add("term_ends_on", FieldError::Conflicts);
            }
        }
        errs.into_result()?;
        Ok(PartyOrgInput {
            name,
            kind: kind.unwrap_or(OrgKind::Branch),
            parent_id,
            secretary,
            secretary_joined_on,
            secretary_cross_appointed: self
                .secretary_cross_appointed
                .or(base.map(|b| b.secretary_cross_appointed))
                .unwrap_or(false),
            established_on,
            term_ends_on,
            full_members: full,
            probationary_members: prob,
            grade,
        })
    }
}

impl From<&Society> for SocietyInput {
    fn from(s: &Society) -> Self {
        SocietyInput {
            name: s.name.clone(),
            kind: s.kind,
            sector: s.sector,
            full_members: s.full_members,
            probationary_members: s.probationary_members,
            charter_has_party_building: s.charter_has_party_building,
            instructor: s.instructor.clone(),
            party_org_id: s.party_org_id,
        }
    }
}

impl From<&PartyOrg> for PartyOrgInput {
    fn from(o: &PartyOrg) -> Self {
        PartyOrgInput {
            name: o.name.clone(),
            kind: o.kind,
            parent_id: o.parent_id,
            secretary: o.secretary.clone(),
            secretary_joined_on: o.secretary_joined_on,
            secretary_cross_appointed: o.secretary_cross_appointed,
            established_on: o.established_on,
            term_ends_on: o.term_ends_on,
            full_members: o.full_members,
            probationary_members: o.probationary_members,
            grade: o.grade,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn coverage_follows_the_org_kind() {
        assert_eq!(coverage(Some(OrgKind::Branch), None), Coverage::OwnBranch);
        assert_eq!(
            coverage(Some(OrgKind::GeneralBranch), Some("x")),
            Coverage::OwnBranch
        );
        assert_eq!(
            coverage(Some(OrgKind::Committee), None),
            Coverage::OwnBranch
        );
        assert_eq!(
            coverage(Some(OrgKind::JointBranch), Some("x")),
            Coverage::JointBranch
        );
        assert_eq!(
            coverage(Some(OrgKind::FunctionalBranch), None),
            Coverage::FunctionalBranch
        );
        assert_eq!(coverage(None, Some("王老师")), Coverage::Instructor);
        assert_eq!(coverage(None, Some("  ")), Coverage::None);
        assert_eq!(coverage(None, None), Coverage::None);
    }

    #[test]
    fn should_establish_uses_the_threshold() {
        let r = Rules::default();
        assert!(should_establish(3, Coverage::JointBranch, &r));
        assert!(should_establish(3, Coverage::None, &r));
        assert!(!should_establish(2, Coverage::None, &r));
        assert!(!should_establish(30, Coverage::OwnBranch, &r));
        let r5 = Rules {
            establish_threshold: 5,
            ..Rules::default()
        };
        assert!(!should_establish(4, Coverage::Instructor, &r5));
    }

    #[test]
    fn society_patch_validates_every_field() {
        let p: SocietyPatch = serde_json::from_str(
            r#"{"name":" ","kind":"club","sector":"space","full_members":-1,"probationary_members":2}"#,
        )
        .unwrap();
        let e = p.apply(None).unwrap_err();
        assert_eq!(e.0.get("name"), Some(&FieldError::Required));
        assert!(matches!(
            e.0.get("kind"),
            Some(FieldError::UnknownValue { .. })
        ));
        assert!(matches!(
            e.0.get("sector"),
            Some(FieldError::UnknownValue { .. })
        ));
        assert_eq!(e.0.get("full_members"), Some(&FieldError::Negative));
        assert!(!e.0.contains_key("probationary_members"));
    }

    #[test]
    fn society_patch_ignores_read_only_fields_but_checks_coverage_codes() {
        let p: SocietyPatch = serde_json::from_str(
            r#"{"name":"甲","id":9,"coverage":"own_branch","should_establish":true}"#,
        )
        .unwrap();
        assert_eq!(p.apply(None).unwrap().name, "甲");
        let p: SocietyPatch =
            serde_json::from_str(r#"{"name":"甲","coverage":"partial"}"#).unwrap();
        assert!(matches!(
            p.apply(None).unwrap_err().0.get("coverage"),
            Some(FieldError::UnknownValue { .. })
        ));
    }

    #[test]
    fn society_patch_keeps_absent_and_clears_null() {
        let base = SocietyInput {
            name: "甲学会".into(),
            kind: SocietyKind::Foundation,
            sector: Sector::Frontier,
            full_members: 4,
            probationary_members: 1,
            charter_has_party_building: true,
            instructor: Some("李".into()),
            party_org_id: Some(3),
        };
        let p: SocietyPatch =
            serde_json::from_str(r#"{"instructor":null,"full_members":9}"#).unwrap();
        let out = p.apply(Some(&base)).unwrap();
        assert_eq!(out.instructor, None);
        assert_eq!(out.full_members, 9);
        assert_eq!(out.party_org_id, Some(3));
        assert_eq!(out.kind, SocietyKind::Foundation);
    }

    #[test]
    fn org_patch_requires_parent_unless_committee() {
        let p: PartyOrgPatch =
            serde_json::from_str(r#"{"name":"某支部","kind":"branch"}"#).unwrap();
        assert_eq!(
            p.apply(None).unwrap_err().0.get("parent_id"),
            Some(&FieldError::Required)
        );
        let p: PartyOrgPatch =
            serde_json::from_str(r#"{"name":"党委","kind":"committee"}"#).unwrap();
        assert!(p.apply(None).is_ok());
        let p: PartyOrgPatch = serde_json::from_str(
            r#"{"name":"x","kind":"branch","parent_id":1,"term_ends_on":"2023-02-30"}"#,
        )
        .unwrap();
        assert_eq!(
            p.apply(None).unwrap_err().0.get("term_ends_on"),
            Some(&FieldError::InvalidDate)
        );
    }

    fn any_org_kind() -> impl Strategy<Value = Option<OrgKind>> {
        prop_oneof![
            Just(None),
            proptest::sample::select(OrgKind::ALL).prop_map(Some)
        ]
    }

    proptest! {
        #[test]
        fn coverage_is_none_only_without_org_and_instructor(kind in any_org_kind(), instr in proptest::option::of("[ a-z]{0,4}")) {
            let c = coverage(kind, instr.as_deref());
            let has_instr = instr.as_deref().is_some_and(|s| !s.trim().is_empty());
            prop_assert_eq!(c == Coverage::None, kind.is_none() && !has_instr);
            prop_assert_eq!(c == Coverage::Instructor, kind.is_none() && has_instr);
        }

        #[test]
        fn should_establish_iff_threshold_and_not_own(full in 0i64..100, kind in any_org_kind(), t in 1i64..10) {
            let rules = Rules { establish_threshold: t, ..Rules::default() };
            let c = coverage(kind, None);
            prop_assert_eq!(should_establish(full, c, &rules), full >= t && c != Coverage::OwnBranch);
        }

        #[test]
        fn grades_serialize_as_their_codes(i in 0usize..3) {
            let g = Grade::ALL[i];
            let json = serde_json::to_string(&g).unwrap();
            prop_assert_eq!(&json, &format!("\"{}\"", g.as_str()));
            prop_assert_eq!(serde_json::from_str::<Grade>(&json).unwrap(), g);
        }

        #[test]
        fn enum_codes_round_trip(i in 0usize..5) {
            let s = Sector::ALL[i];
            prop_assert_eq!(Sector::parse(s.as_str()), Some(s));
            let c = Coverage::ALL[i];
            prop_assert_eq!(Coverage::parse(c.as_str()), Some(c));
        }
    }
}
