//! M10: the register of societies' publication channels (阵地, W4) and the records of their
//! reviews (阵地检查).
//!
//! Records only (PRODUCT.md, scope principles): who is responsible for a channel, whether
//! an emergency plan (应急预案) is on file and since when, and when its management was last
//! reviewed. Nothing here reads, scans or rates what a channel publishes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{validate, FieldError, FieldErrors};

code_enum!(
    /// What a channel is: 期刊 / 网站 / 论坛 / 新媒体账号 / 其他.
    ChannelKind {
        Journal = "journal",
        Website = "website",
        Forum = "forum",
        SocialAccount = "social_account",
        Other = "other",
    }
);

pub const NAME_MAX: usize = 200;
pub const RESPONSIBLE_MAX: usize = 100;
pub const NOTES_MAX: usize = 5000;

/// The keys of a channel a client may not write (`last_reviewed_on` follows the reviews).
pub const READ_ONLY: [&str; 4] = ["id", "last_reviewed_on", "society", "party_org_id"];

/// `POST /channels` (and what a `PATCH` is merged into).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    #[schema(required)]
    pub society_id: Option<i64>,
    #[schema(required, value_type = Option<ChannelKind>)]
    pub kind: Option<String>,
    #[schema(required, max_length = 200)]
    pub name: Option<String>,
    /// Who is responsible for the channel (a post or a named office-holder).
    #[schema(required, max_length = 100)]
    pub responsible: Option<String>,
    /// The day the emergency plan was filed (null: none on file); not in the future.
    #[schema(value_type = Option<NaiveDate>)]
    pub emergency_plan_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    pub society_id: i64,
    pub kind: ChannelKind,
    pub name: String,
    pub responsible: String,
    pub emergency_plan_on: Option<NaiveDate>,
}

impl ChannelInput {
    pub fn validate(&self, today: NaiveDate) -> Result<NewChannel, FieldErrors> {
        let mut errs = FieldErrors::new();
        if self.society_id.is_none() {
            errs.add("society_id", FieldError::Required);
        }
        let kind = validate::required_code(
            &mut errs,
            "kind",
            self.kind.as_deref(),
            ChannelKind::parse,
            ChannelKind::CODES,
        );
        let name = validate::name(
            &mut errs,
            "name",
            self.name.as_deref().unwrap_or(""),
            NAME_MAX,
        );
        let responsible = validate::name(
            &mut errs,
            "responsible",
            self.responsible.as_deref().unwrap_or(""),
            RESPONSIBLE_MAX,
        );
        let plan = validate::opt_date(
            &mut errs,
            "emergency_plan_on",
            self.emergency_plan_on.as_deref(),
        );
        if plan.is_some_and(|d| d > today) {
            errs.add("emergency_plan_on", FieldError::InFuture);
        }
        errs.into_result()?;
        match (self.society_id, kind) {
            (Some(society_id), Some(kind)) => Ok(NewChannel {
                society_id,
                kind,
                name,
                responsible,
                emergency_plan_on: plan,
            }),
            _ => Err(FieldErrors::single("society_id", FieldError::Required)),
        }
    }
}

impl NewChannel {
    pub fn input(&self) -> ChannelInput {
        ChannelInput {
            society_id: Some(self.society_id),
            kind: Some(self.kind.as_str().into()),
            name: Some(self.name.clone()),
            responsible: Some(self.responsible.clone()),
            emergency_plan_on: self.emergency_plan_on.map(|d| d.to_string()),
        }
    }
}

/// `POST /channels/{id}/reviews`: a recorded review of a channel's management (not of its
/// content).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// Not in the future.
    #[schema(required, value_type = Option<NaiveDate>)]
    pub reviewed_on: Option<String>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    pub reviewed_on: NaiveDate,
    pub notes: Option<String>,
}

impl ReviewInput {
    pub fn validate(&self, today: NaiveDate) -> Result<NewReview, FieldErrors> {
        let mut errs = FieldErrors::new();
        let on = validate::required_date(&mut errs, "reviewed_on", self.reviewed_on.as_deref());
        if on.is_some_and(|d| d > today) {
            errs.add("reviewed_on", FieldError::InFuture);
        }
        let notes = validate::opt_text(&mut errs, "notes", self.notes.as_deref(), NOTES_MAX);
        errs.into_result()?;
        match on {
            Some(reviewed_on) => Ok(NewReview { reviewed_on, notes }),
            None => Err(FieldErrors::single("reviewed_on", FieldError::Required)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_needs_its_society_kind_name_and_responsible() {
        let today = crate::validate::parse_date("2024-06-15").unwrap();
        let e = ChannelInput {
            kind: Some("newspaper".into()),
            emergency_plan_on: Some("2024-06-16".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        for f in [
            "society_id",
            "kind",
            "name",
            "responsible",
            "emergency_plan_on",
        ] {
            assert!(e.0.contains_key(f), "{f}: {e:?}");
        }
        let ok = ChannelInput {
            society_id: Some(1),
            kind: Some("social_account".into()),
            name: Some(" 学会公众号 ".into()),
            responsible: Some("秘书长 王敏".into()),
            emergency_plan_on: None,
        }
        .validate(today)
        .unwrap();
        assert_eq!(ok.name, "学会公众号");
        assert_eq!(ok.input().validate(today).unwrap(), ok);
        let r = ReviewInput {
            reviewed_on: Some("2024-06-16".into()),
            notes: None,
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(r.0.get("reviewed_on"), Some(&FieldError::InFuture));
    }
}
