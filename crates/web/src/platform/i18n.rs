//! The one translation layer: zh-CN (default) and en, from `i18n/<lang>/<module>.txt` (`key = text` lines,
//! `#` comments). Placeholders `{0}`, `{1}`… are filled by [`Lang::tf`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use domain::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

fn parse(srcs: &[&'static str]) -> HashMap<&'static str, &'static str> {
    srcs.iter()
        .flat_map(|s| s.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim(), v.trim())))
        .collect()
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ZH: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        // One file per module and language, so modules add their text side by side.
        Lang::Zh => ZH.get_or_init(|| {
            parse(&[
                include_str!("../../i18n/zh-CN/platform.txt"),
                include_str!("../../i18n/zh-CN/registry.txt"),
                include_str!("../../i18n/zh-CN/admin.txt"),
                include_str!("../../i18n/zh-CN/dashboard.txt"),
                include_str!("../../i18n/zh-CN/life.txt"),
                include_str!("../../i18n/zh-CN/work.txt"),
                include_str!("../../i18n/zh-CN/reports.txt"),
                include_str!("../../i18n/zh-CN/campaigns.txt"),
                include_str!("../../i18n/zh-CN/training.txt"),
                include_str!("../../i18n/zh-CN/liaison.txt"),
                include_str!("../../i18n/zh-CN/assessment.txt"),
                include_str!("../../i18n/zh-CN/assessment_design.txt"),
                include_str!("../../i18n/zh-CN/screen.txt"),
            ])
        }),
        Lang::En => EN.get_or_init(|| {
            parse(&[
                include_str!("../../i18n/en/platform.txt"),
                include_str!("../../i18n/en/registry.txt"),
                include_str!("../../i18n/en/admin.txt"),
                include_str!("../../i18n/en/dashboard.txt"),
                include_str!("../../i18n/en/life.txt"),
                include_str!("../../i18n/en/work.txt"),
                include_str!("../../i18n/en/reports.txt"),
                include_str!("../../i18n/en/campaigns.txt"),
                include_str!("../../i18n/en/training.txt"),
                include_str!("../../i18n/en/liaison.txt"),
                include_str!("../../i18n/en/assessment.txt"),
                include_str!("../../i18n/en/assessment_design.txt"),
                include_str!("../../i18n/en/screen.txt"),
            ])
        }),
    }
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language of a request: the `lang` cookie, else `Accept-Language`, else Chinese.
    pub fn from_headers(h: &HeaderMap) -> Lang {
        let cookie = crate::platform::auth::cookie(h, "lang");
        match cookie.as_deref() {
            Some("en") => return Lang::En,
            Some("zh-CN") | Some("zh") => return Lang::Zh,
            _ => {}
        }
        let accept = h
            .get("accept-language")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim_start().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The text for `key`; falls back to Chinese, then to the key itself.
    pub fn t(self, key: &str) -> &'static str {
        if let Some(v) = table(self).get(key) {
            return v;
        }
        if let Some(v) = table(Lang::Zh).get(key) {
            return v;
        }
        // Leak only happens for unknown keys, which tests catch; keep it visible.
        Box::leak(key.to_string().into_boxed_str())
    }

    pub fn tf(self, key: &str, args: &[&str]) -> String {
        let mut s = self.t(key).to_string();
        for (i, a) in args.iter().enumerate() {
            s = s.replace(&format!("{{{i}}}"), a);
        }
        s
    }

    /// The label of a domain code, e.g. `sector.frontier`.
    pub fn code_label(self, group: &str, code: &str) -> &'static str {
        self.t(&format!("{group}.{code}"))
    }

    pub fn field_error(self, e: &FieldError) -> String {
        match e {
            FieldError::Required => self.t("field.required").into(),
            FieldError::TooLong { max } => self.tf("field.too_long", &[&max.to_string()]),
            FieldError::TooShort { min } => self.tf("field.too_short", &[&min.to_string()]),
            FieldError::Negative => self.t("field.negative").into(),
            FieldError::TooLarge { max } => self.tf("field.too_large", &[&max.to_string()]),
            FieldError::TooSmall { min } => self.tf("field.too_small", &[&min.to_string()]),
            FieldError::InvalidDate => self.t("field.invalid_date").into(),
            FieldError::UnknownValue { allowed } => {
                self.tf("field.unknown_value", &[&allowed.join(", ")])
            }
            FieldError::Conflicts => self.t("field.conflicts").into(),
            FieldError::InFuture => self.t("field.in_future").into(),
            FieldError::NotFound => self.t("field.not_found").into(),
            FieldError::Cycle => self.t("field.cycle").into(),
            FieldError::WrongType { expected } => self.tf("field.wrong_type", &[expected]),
            FieldError::Malformed { detail } => self.tf("field.malformed", &[detail]),
            FieldError::UnknownField => self.t("field.unknown_field").into(),
            FieldError::TooEarly => self.t("field.too_early").into(),
            FieldError::Incorrect => self.t("field.incorrect").into(),
            FieldError::NotAChoice { allowed } => {
                self.tf("field.unknown_value", &[&allowed.join(", ")])
            }
            FieldError::OutOfRange { min, max } => match (min, max) {
                (Some(a), Some(b)) => self.tf("field.between", &[a, b]),
                (Some(a), None) => self.tf("field.too_small", &[a]),
                (None, Some(b)) => self.tf("field.too_large", &[b]),
                (None, None) => self.t("field.conflicts").into(),
            },
            FieldError::Decimals { max } => self.tf("field.decimals", &[&max.to_string()]),
            FieldError::NotParticipant => self.t("field.not_participant").into(),
            FieldError::PointsSum { expected, actual } => {
                self.tf("field.points_sum", &[expected, actual])
            }
            FieldError::WrongRole { allowed } => {
                let roles: Vec<&str> = allowed.iter().map(|r| self.code_label("role", r)).collect();
                self.tf("field.wrong_role", &[&roles.join(" / ")])
            }
        }
    }

    /// `2023年4月14日` in Chinese, ISO in English.
    pub fn date(self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        match self {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => d.to_string(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = table(Lang::Zh);
        let en = table(Lang::En);
        let mut missing: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !zh.contains_key(*k)));
        assert!(missing.is_empty(), "keys in one language only: {missing:?}");
    }

    #[test]
    fn every_domain_code_has_a_label() {
        for lang in [Lang::Zh, Lang::En] {
            for c in domain::Sector::CODES {
                assert!(
                    table(lang).contains_key(format!("sector.{c}").as_str()),
                    "sector.{c}"
                );
            }
            for c in domain::Coverage::CODES {
                assert!(
                    table(lang).contains_key(format!("coverage.{c}").as_str()),
                    "coverage.{c}"
                );
            }
            for (group, codes) in [
                ("activity_kind", domain::life::ActivityKind::CODES),
                ("period_kind", domain::life::PeriodKind::CODES),
                ("status", domain::life::Status::CODES),
                (
                    "report_submission_state",
                    domain::reports::SubmissionState::CODES,
                ),
                ("field_type", domain::reports::FieldType::CODES),
                ("applies_to", domain::reports::AppliesTo::CODES),
                ("position", domain::training::Position::CODES),
                ("course_kind", domain::training::CourseKind::CODES),
                ("campaign_kind", domain::campaigns::CampaignKind::CODES),
                ("visit_kind", domain::liaison::VisitKind::CODES),
                ("case_category", domain::liaison::CaseCategory::CODES),
                ("channel_kind", domain::channels::ChannelKind::CODES),
            ] {
                for c in codes {
                    assert!(
                        table(lang).contains_key(format!("{group}.{c}").as_str()),
                        "{group}.{c}"
                    );
                }
            }
            for c in domain::OrgKind::CODES {
                assert!(
                    table(lang).contains_key(format!("org_kind.{c}").as_str()),
                    "org_kind.{c}"
                );
            }
            for c in domain::SocietyKind::CODES {
                assert!(
                    table(lang).contains_key(format!("society_kind.{c}").as_str()),
                    "society_kind.{c}"
                );
            }
            for c in domain::Role::CODES {
                assert!(
                    table(lang).contains_key(format!("role.{c}").as_str()),
                    "role.{c}"
                );
            }
            for r in domain::checks::Rule::ALL {
                assert!(
                    table(lang).contains_key(format!("check.{}", r.as_str()).as_str()),
                    "check.{}",
                    r.as_str()
                );
            }
        }
    }
}
