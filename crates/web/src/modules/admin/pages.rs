//! Platform pages (M12): users (admin), the user's API tokens, the audit log (admin).

use domain::policy::Permission;
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Duration;
use domain::{FieldError, Role};
use serde_json::Value;
use store::{ApiToken, SessionKind, StoreError, User};

use crate::api::{validate_new_user, NewUserBody, PASSWORD_MIN};
use crate::platform::auth;
use crate::platform::error::AppError;
use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::AppState;

use crate::modules::registry::orgs::{org_choices, org_options, OrgOption};
use crate::platform::session::{Flash, Item, OrPage, PageError, PageUser};
use crate::ui::ctx::{html, Ctx, FormState};

// ------------------------------------------------------------------ users

pub struct UserRow {
    pub u: User,
    pub role: &'static str,
    pub org: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<UserRow>,
    f: FormState,
    pw: FormState,
    roles: Vec<(&'static str, &'static str)>,
    /// `None`: too many orgs for a list; the form takes an id.
    orgs: Option<Vec<OrgOption>>,
    password_hint: String,
}

struct UsersArgs {
    f: FormState,
    pw: FormState,
    status: StatusCode,
    msg: Option<String>,
}

async fn users_page(st: &AppState, u: &PageUser, a: UsersArgs) -> Result<Response, PageError> {
    let lang = u.lang;
    let (users, orgs) =
        tokio::try_join!(st.store.list_users(), org_choices(st, u.scope())).or_page(u)?;
    let ids: Vec<i64> = users.iter().filter_map(|u| u.party_org_id).collect();
    let names = st.store.org_names(u.scope(), &ids).await.or_page(u)?;
    let ctx = users_ctx(u);
    let rows = users
        .into_iter()
        .map(|user| UserRow {
            role: lang.code_label("role", user.role.as_str()),
            org: user
                .party_org_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            created: ctx.instant(&user.created_at),
            u: user,
        })
        .collect();
    let page = UsersPage {
        ctx: ctx.with_flash(a.msg.as_deref()),
        users: rows,
        f: a.f,
        pw: a.pw,
        roles: Role::CODES
            .iter()
            .map(|c| (*c, lang.code_label("role", c)))
            .collect(),
        orgs: orgs.map(|o| org_options(&o, lang)),
        password_hint: lang.tf("users.password_hint", &[&PASSWORD_MIN.to_string()]),
    };
    Ok(html(a.status, &page))
}

fn users_ctx(u: &PageUser) -> Ctx {
    u.section_ctx("users")
}

pub async fn users(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::ManageUsers)?;
    let mut f = FormState::default();
    f.set("role", Role::Branch.as_str());
    let a = UsersArgs {
        f,
        pw: FormState::default(),
        status: StatusCode::OK,
        msg: p.ok().and_then(|p| p.str("msg").map(str::to_string)),
    };
    users_page(&st, &u, a).await
}

pub async fn create_user(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::ManageUsers)?;
    let lang = u.lang;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let org = match f.opt("party_org_id") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                f.error("party_org_id", lang.t("field.not_found"));
                None
            }
        },
    };
    let body = NewUserBody::new(
        f.v("username").to_string(),
        f.v("password").to_string(),
        f.v("role").to_string(),
        org,
    );
    if f.ok() {
        match validate_new_user(body).await {
            Ok(new) => match st.store.create_user(&actor, new).await {
                Ok(_) => return Ok(Redirect::to("/users?msg=created").into_response()),
                Err(StoreError::Conflict(_)) => f.error("username", lang.t("form.username_taken")),
                Err(StoreError::Invalid(fe)) => f.store_errors(&fe, lang),
                Err(e) => return Err(u.error(e).into()),
            },
            Err(AppError::Validation(fe)) => f.store_errors(&fe, lang),
            Err(e) => return Err(u.error(e).into()),
        }
    }
    // Never send a password back.
    f.set("password", "");
    let a = UsersArgs {
        f,
        pw: FormState::default(),
        status: StatusCode::UNPROCESSABLE_ENTITY,
        msg: None,
    };
    users_page(&st, &u, a).await
}

pub async fn reset_password(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::ManageUsers)?;
    let lang = u.lang;
    let mut pw = FormState {
        values: form,
        ..Default::default()
    };
    let username = pw.v("username").trim().to_string();
    let password = pw.v("password").to_string();
    if username.is_empty() {
        pw.error("username", lang.t("field.required"));
    }
    if password.chars().count() < PASSWORD_MIN {
        pw.error(
            "password",
            lang.field_error(&FieldError::TooShort { min: PASSWORD_MIN }),
        );
    }
    if pw.ok() {
        let hash = auth::hash_password(password).await.or_page(&u)?;
        match st.store.set_password(&actor, &username, &hash).await {
            Ok(()) => {
                return Ok(Redirect::to("/users?msg=password").into_response());
            }
            Err(StoreError::NotFound) => pw.error("username", lang.t("field.not_found")),
            Err(e) => return Err(u.error(e).into()),
        }
    }
    pw.set("password", "");
    let mut f = FormState::default();
    f.set("role", Role::Branch.as_str());
    let a = UsersArgs {
        f,
        pw,
        status: StatusCode::UNPROCESSABLE_ENTITY,
        msg: None,
    };
    users_page(&st, &u, a).await
}

// ------------------------------------------------------------------ API tokens

pub struct TokenRow {
    pub t: ApiToken,
    pub created: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    ctx: Ctx,
    tokens: Vec<TokenRow>,
    f: FormState,
    secret: Option<String>,
}

async fn tokens_page(
    st: &AppState,
    u: &PageUser,
    f: FormState,
    secret: Option<String>,
    status: StatusCode,
    msg: Option<&str>,
) -> Result<Response, PageError> {
    let list = st
        .store
        .list_api_tokens(u.session.user.id)
        .await
        .or_page(u)?;
    let ctx = u.section_ctx("tokens").with_flash(msg);
    let tokens = list
        .into_iter()
        .map(|t| TokenRow {
            created: ctx.instant(&t.created_at),
            expires: t.expires_at.map(|e| ctx.instant(&e)).unwrap_or_default(),
            t,
        })
        .collect();
    Ok(html(
        status,
        &TokensPage {
            ctx,
            tokens,
            f,
            secret,
        },
    ))
}

pub async fn tokens(
    State(st): State<AppState>,
    u: PageUser,
    Flash(msg): Flash,
) -> Result<Response, PageError> {
    tokens_page(
        &st,
        &u,
        FormState::default(),
        None,
        StatusCode::OK,
        msg.as_deref(),
    )
    .await
}

/// The own-password form of the account page: through the one service step of
/// `POST /auth/password`; this session stays, the others end.
pub async fn change_own_password(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let (current, new) = (f.v("current").to_string(), f.v("new").to_string());
    let caller = u.caller();
    match crate::platform::auth::change_own_password(&st, &caller, Some(&current), Some(&new)).await
    {
        Ok(()) => return Ok(Redirect::to("/tokens?msg=own_password").into_response()),
        Err(AppError::Validation(e)) => f.store_errors(&e, u.lang),
        Err(e) => return Err(u.error(e).into()),
    }
    // Never send a password back into the form.
    f.set("current", "");
    f.set("new", "");
    tokens_page(&st, &u, f, None, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

pub async fn create_token(
    State(st): State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = u.lang;
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let name = f.v("name").trim().to_string();
    if name.is_empty() {
        f.error("name", lang.t("field.required"));
    } else if name.chars().count() > 50 {
        f.error("name", lang.field_error(&FieldError::TooLong { max: 50 }));
    }
    if !f.ok() {
        return tokens_page(&st, &u, f, None, StatusCode::UNPROCESSABLE_ENTITY, None).await;
    }
    let expires = st.clock.now() + Duration::days(365);
    let (secret, _) = auth::issue(
        &st,
        &u.session.user,
        SessionKind::Api,
        Some(name),
        Some(expires),
    )
    .await
    .or_page(&u)?;
    tokens_page(
        &st,
        &u,
        FormState::default(),
        Some(secret),
        StatusCode::OK,
        None,
    )
    .await
}

pub async fn revoke_token(
    State(st): State<AppState>,
    Item { u, id }: Item,
) -> Result<Response, PageError> {
    st.store
        .revoke_api_token(&u.may(Permission::OwnAccount)?, u.session.user.id, id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/tokens?msg=revoked").into_response())
}

// ------------------------------------------------------------------ audit

pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub action_code: String,
    pub entity: String,
    pub href: Option<String>,
    pub entity_id: String,
    pub changes: Vec<Change>,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: Ctx,
    rows: Vec<AuditRow>,
    entity_id: String,
    entities: Vec<(&'static str, &'static str, bool)>,
    subject: Option<(String, String)>,
    summary: String,
}

/// Every entity the audit log records, in the order the filter offers them.
pub const ENTITIES: &[&str] = &[
    "society",
    "party_org",
    "user",
    "api_token",
    "bulk_load",
    "activity",
    "attachment",
    "obligation",
    "work_plan",
    "task",
    "assignment",
    "inspection",
    "finding",
    "rectification",
    "bulk_work",
    "report_form",
    "report_submission",
    "funded_project",
    "expenditure",
    "office_holder",
    "course",
    "attendance",
    "campaign",
    "campaign_participant",
    "campaign_record",
    "bulk_campaigns",
    "liaison",
    "visit",
    "research_report",
    "case",
    "channel",
    "channel_review",
    "bulk_liaison",
    "bulk_channels",
    "assessment_scheme",
];
const ACTIONS: &[&str] = &[
    "create", "update", "delete", "import", "score", "grade", "finalize",
];
const FIELDS: &[&str] = &[
    "name",
    "kind",
    "sector",
    "full_members",
    "probationary_members",
    "charter_has_party_building",
    "instructor",
    "party_org_id",
    "coverage",
    "should_establish",
    "parent_id",
    "secretary",
    "secretary_joined_on",
    "secretary_cross_appointed",
    "established_on",
    "term_ends_on",
    "grade",
    "username",
    "role",
    "password",
];

/// The label of a recorded field of the work and life records (their own form labels).
const WORK_FIELDS: &[(&str, &str)] = &[
    ("state", "fld.state"),
    ("due_on", "fld.due_on"),
    ("progress", "work.progress"),
    ("text", "work.report_text"),
    ("response", "rect.fld.response"),
    ("comment", "work.comment"),
    ("description", "rect.fld.description"),
    ("severity", "rect.fld.severity"),
    ("source", "rect.fld.source"),
    ("found_on", "rect.fld.found_on"),
    ("title", "task.fld.title"),
    ("issued_on", "task.fld.issued_on"),
    ("held_on", "act.fld.held_on"),
    ("topic", "act.fld.topic"),
    ("first_agenda", "act.fld.first_agenda"),
    ("attendees_expected", "act.fld.attendees_expected"),
    ("attendees_present", "act.fld.attendees_present"),
    ("notes", "act.fld.notes"),
    ("team", "insp.fld.team"),
    ("file_name", "audit.fld.file_name"),
    ("decision", "audit.fld.decision"),
    ("overdue", "ledger.overdue"),
    ("late", "ledger.late"),
    ("task_title", "task.fld.title"),
    ("party_org_ids", "audit.fld.party_org_ids"),
    ("first_reported_on", "audit.fld.first_reported_on"),
    ("last_report_at", "work.last_report"),
    ("reported_at", "audit.fld.reported_at"),
    ("reported_by", "audit.fld.reported_by"),
    ("reviewed_at", "audit.fld.reviewed_at"),
    ("reviewed_by", "audit.fld.reviewed_by"),
    ("first_submitted_on", "audit.fld.first_submitted_on"),
    ("submitted_at", "audit.fld.submitted_at"),
    ("verified_at", "audit.fld.verified_at"),
    ("year", "audit.fld.year"),
    ("period", "audit.fld.period"),
    ("min_count", "audit.fld.min_count"),
    ("content_type", "audit.fld.content_type"),
    ("size", "audit.fld.size"),
    ("org_kinds", "audit.fld.org_kinds"),
    ("min_full_members", "audit.fld.min_full_members"),
    ("active_from", "audit.fld.active_from"),
    ("starts_on", "campaign.fld.starts_on"),
    ("ends_on", "campaign.fld.ends_on"),
    ("target", "campaign.fld.target"),
    ("joined_on", "campaign.fld.joined_on"),
    ("place", "campaign.fld.place"),
    ("participants", "campaign.fld.participants"),
    ("position", "train.fld.position"),
    ("since", "train.fld.since"),
    ("until", "train.fld.until"),
    ("organizer", "train.fld.organizer"),
    ("hours", "train.fld.hours"),
    ("user_id", "liaison.col.member"),
    ("summary", "liaison.fld.summary"),
    ("author_user_id", "liaison.fld.author"),
    ("category", "liaison.fld.category"),
    ("published", "liaison.col.published"),
    ("society_id", "channel.fld.society"),
    ("responsible", "channel.fld.responsible"),
    ("emergency_plan_on", "channel.fld.emergency_plan_on"),
    ("last_reviewed_on", "channel.fld.last_reviewed_on"),
    ("reviewed_on", "channel.fld.reviewed_on"),
];

/// Fields a record carries only to link it to others (its task, finding, inspection,
/// owner) or to keep it: not changes anyone makes, so not shown.
const HIDDEN_FIELDS: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "path",
    "task_id",
    "finding_id",
    "assignment_id",
    "inspection_id",
    "work_item_id",
    "owner_id",
    "campaign_id",
    "party_org_name",
    "sha256",
    "rectification",
    "assignments",
    "sections",
    "findings",
    "author",
    "party_orgs",
    "channel_id",
    "current",
    "last_visit_on",
];

fn label_of(lang: Lang, prefix: &str, known: &[&str], code: &str) -> String {
    if let Some((_, key)) = WORK_FIELDS.iter().find(|(f, _)| *f == code) {
        return lang.t(key).to_string();
    }
    if known.contains(&code) {
        lang.t(&format!("{prefix}.{code}")).to_string()
    } else {
        code.to_string()
    }
}

fn value_text(
    lang: Lang,
    offset: chrono::FixedOffset,
    names: &HashMap<i64, String>,
    entity: &str,
    field: &str,
    v: Option<&Value>,
) -> String {
    let Some(v) = v else {
        return String::new();
    };
    let org_name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    if matches!(field, "party_org_id" | "parent_id") {
        if let Some(id) = v.as_i64() {
            return org_name(id);
        }
    }
    if field == "party_org_ids" {
        if let Some(ids) = v.as_array() {
            return ids
                .iter()
                .filter_map(Value::as_i64)
                .map(org_name)
                .collect::<Vec<_>>()
                .join("、");
        }
    }
    match v {
        Value::Null => lang.t("audit.empty").into(),
        Value::Bool(b) => lang.t(if *b { "common.yes" } else { "common.no" }).into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let group = match (entity, field) {
                ("society", "kind") => Some(("society_kind", domain::SocietyKind::CODES)),
                ("party_org", "kind") => Some(("org_kind", domain::OrgKind::CODES)),
                (_, "sector") => Some(("sector", domain::Sector::CODES)),
                (_, "coverage") => Some(("coverage", domain::Coverage::CODES)),
                (_, "role") => Some(("role", domain::Role::CODES)),
                ("assignment", "state") => {
                    Some(("assignment_state", domain::work::AssignmentState::CODES))
                }
                // A finding records its rectification's state.
                ("rectification" | "finding", "state") => Some((
                    "rectification_state",
                    domain::work::RectificationState::CODES,
                )),
                ("obligation", "period") => Some(("period_kind", domain::life::PeriodKind::CODES)),
                (_, "severity") => Some(("severity", domain::work::Severity::CODES)),
                (_, "source") => Some(("finding_source", domain::work::FindingSource::CODES)),
                ("inspection", "kind") => {
                    Some(("inspection_kind", domain::work::InspectionKind::CODES))
                }
                ("activity" | "obligation", "kind") => {
                    Some(("activity_kind", domain::life::ActivityKind::CODES))
                }
                ("campaign", "kind") => {
                    Some(("campaign_kind", domain::campaigns::CampaignKind::CODES))
                }
                (_, "position") => Some(("position", domain::training::Position::CODES)),
                ("course", "kind") => Some(("course_kind", domain::training::CourseKind::CODES)),
                _ => None,
            };
            if let Some((g, codes)) = group {
                if codes.contains(&s.as_str()) {
                    return lang.code_label(g, s).to_string();
                }
            }
            if let Some(d) = domain::validate::parse_date(s) {
                return lang.date(d);
            }
            // An instant (`submitted_at`, …) in the local zone, as the pages show it.
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(s) {
                let local = at.with_timezone(&offset);
                return format!(
                    "{} {}",
                    lang.date(local.date_naive()),
                    local.format("%H:%M")
                );
            }
            s.clone()
        }
        Value::Array(items) => items
            .iter()
            .map(|i| match i.as_str() {
                Some(c) if field == "org_kinds" && domain::OrgKind::CODES.contains(&c) => {
                    lang.code_label("org_kind", c).to_string()
                }
                Some(c) => c.to_string(),
                None => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

/// A recorded value's fields, with a nested record (a review records `{"assignment": {…},
/// "decision": …}`) read as fields of its own: never raw JSON in the view.
fn flat(v: Option<&Value>) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for (k, x) in v.and_then(Value::as_object).into_iter().flatten() {
        match x {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    out.entry(ik.clone()).or_insert_with(|| iv.clone());
                }
            }
            _ => {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    out
}

/// The fields that differ between `before` and `after`, in a readable form.
fn changes(
    lang: Lang,
    offset: chrono::FixedOffset,
    names: &HashMap<i64, String>,
    entity: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<Change> {
    if let (Some(b), None) = (before, after) {
        // A delete: name what was deleted.
        let name = b
            .get("name")
            .or_else(|| b.get("username"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        return vec![Change {
            field: lang.t("fld.name").to_string(),
            before: name,
            after: lang.t("audit.deleted").to_string(),
        }];
    }
    let b = flat(before);
    let a = flat(after);
    let (b, a) = (&b, &a);
    // Each field once: the known ones in form order, the others by name (a field of both
    // `before` and `after` must not be listed twice).
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort_by_key(|k| {
        (
            FIELDS.iter().position(|f| f == k).unwrap_or(usize::MAX),
            k.as_str(),
        )
    });
    keys.dedup();
    keys.into_iter()
        .filter(|k| !HIDDEN_FIELDS.contains(&k.as_str()))
        .filter(|k| b.get(*k) != a.get(*k))
        .filter(|k| !(before.is_none() && a.get(*k).is_some_and(Value::is_null)))
        .map(|k| Change {
            field: label_of(lang, "fld", FIELDS, k),
            before: value_text(lang, offset, names, entity, k, b.get(k)),
            after: value_text(lang, offset, names, entity, k, a.get(k)),
        })
        .collect()
}

fn entity_href(entity: &str, id: Option<i64>) -> Option<String> {
    match (entity, id) {
        ("society", Some(id)) => Some(format!("/societies/{id}")),
        ("party_org", Some(id)) => Some(format!("/orgs/{id}")),
        ("activity", Some(id)) => Some(format!("/activities/{id}")),
        ("work_plan", Some(id)) => Some(format!("/work-plans/{id}")),
        ("task", Some(id)) => Some(format!("/tasks?task_id={id}")),
        ("inspection", Some(id)) => Some(format!("/inspections/{id}")),
        ("office_holder", Some(id)) => Some(format!("/training/office-holders/{id}")),
        ("course", Some(id)) => Some(format!("/training/courses/{id}")),
        // A ledger record's page, for every registered kind.
        (e, Some(id)) => domain::ledger::REGISTERED
            .into_iter()
            .find(|k| k.entity == e)
            .map(|k| format!("{}/{id}", k.path)),
        _ => None,
    }
}

pub async fn audit(
    State(st): State<AppState>,
    u: PageUser,
    p: Result<Params, AppError>,
) -> Result<Response, PageError> {
    u.may(Permission::ReadAudit)?;
    let lang = u.lang;
    let mut p = p.or_page(&u)?;
    let entity = p
        .str("entity")
        .filter(|e| ENTITIES.contains(e))
        .map(str::to_string);
    let entity_id = p.i64("entity_id");
    let rows = st
        .store
        .audit(entity.as_deref(), entity_id, 200)
        .await
        .or_page(&u)?;
    let subject = match (entity.as_deref(), entity_id) {
        (Some(e), Some(id)) => match entity_href(e, Some(id)) {
            Some(href) => {
                let current = match e {
                    "society" => st
                        .store
                        .get_society(u.scope(), id)
                        .await
                        .ok()
                        .map(|s| s.name),
                    "party_org" => st.store.get_org(u.scope(), id).await.ok().map(|o| o.name),
                    "office_holder" => st
                        .store
                        .get_office_holder(u.scope(), id)
                        .await
                        .ok()
                        .map(|h| h.name),
                    "course" => st.store.get_course(id).await.ok().map(|c| c.title),
                    // another record's id is not an org's: its name as recorded, if any
                    _ => None,
                };
                let name = current
                    .or_else(|| {
                        rows.iter().find_map(|r| {
                            let v = r.after.as_ref().or(r.before.as_ref())?;
                            v.get("name")
                                .or_else(|| v.get("title"))
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        })
                    })
                    .unwrap_or_else(|| format!("#{id}"));
                Some((name, href))
            }
            None => None,
        },
        _ => None,
    };
    // Names of only the orgs the shown changes refer to (one query, not the whole tree),
    // nested records (a review's assignment) and org lists (an inspection's) included.
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.before.as_ref(), r.after.as_ref()])
        .map(flat)
        .flat_map(|v| {
            let one = ["party_org_id", "parent_id"]
                .into_iter()
                .filter_map(|k| v.get(k).and_then(Value::as_i64))
                .collect::<Vec<_>>();
            let many = v
                .get("party_org_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect::<Vec<_>>())
                .unwrap_or_default();
            one.into_iter().chain(many)
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = st.store.org_names(u.scope(), &ids).await.or_page(&u)?;
    let ctx = u.section_ctx("audit");
    let rows: Vec<AuditRow> = rows
        .into_iter()
        .map(|r| AuditRow {
            at: ctx.instant(&r.at),
            actor: r.actor.clone(),
            action: label_of(lang, "audit.action", ACTIONS, &r.action),
            action_code: r.action.clone(),
            entity: label_of(lang, "audit.entity", ENTITIES, &r.entity),
            href: entity_href(&r.entity, r.entity_id),
            entity_id: r.entity_id.map(|i| i.to_string()).unwrap_or_default(),
            changes: changes(
                lang,
                ctx.offset,
                &names,
                &r.entity,
                r.before.as_ref(),
                r.after.as_ref(),
            ),
            request_id: r.request_id,
        })
        .collect();
    let summary = lang.tf("audit.summary", &[&rows.len().to_string()]);
    let page = AuditPage {
        ctx,
        rows,
        entity_id: entity_id.map(|i| i.to_string()).unwrap_or_default(),
        entities: ENTITIES
            .iter()
            .map(|e| {
                (
                    *e,
                    lang.t(&format!("audit.entity.{e}")),
                    entity.as_deref() == Some(*e),
                )
            })
            .collect(),
        subject,
        summary,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Sets a user's work address for reminders (empty clears it).
pub async fn set_email(
    State(st): State<AppState>,
    u: PageUser,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::ManageUsers)?;
    let id: i64 = raw.parse().map_err(|_| u.not_found())?;
    let email =
        match crate::modules::admin::api::validate_email(form.get("email").map(String::as_str)) {
            Ok(e) => e,
            Err(_) => return Ok(Redirect::to("/users?msg=email_bad").into_response()),
        };
    st.store
        .set_user_email(&actor, id, email.as_deref())
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/users?msg=email").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_show_only_what_differs_in_words() {
        let before = json!({"id": 1, "name": "甲学会", "sector": "other", "full_members": 2});
        let after = json!({"id": 1, "name": "甲学会", "sector": "frontier", "full_members": 5});
        let c = changes(
            Lang::Zh,
            chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
            &HashMap::new(),
            "society",
            Some(&before),
            Some(&after),
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].field, "领域");
        assert_eq!(c[0].before, "其他");
        assert_eq!(c[0].after, "前沿交叉");
        assert_eq!(c[1].before, "2");
    }

    /// A submitted rectification: each changed field once (fields outside the registry's
    /// form order were listed twice), the instant in local time, the org by name.
    #[test]
    fn a_rectification_change_lists_each_field_once_as_the_ui_shows_it() {
        let before = json!({"id": 7, "finding_id": 3, "party_org_id": 5, "state": "open",
            "submitted_at": null, "response": null, "due_on": "2026-03-01", "overdue": false});
        let after = json!({"id": 7, "finding_id": 3, "party_org_id": 5, "state": "submitted",
            "submitted_at": "2026-02-10T02:30:00Z", "response": "已整改", "due_on": "2026-03-01",
            "overdue": false});
        let names = HashMap::from([(5, "甲支部".to_string())]);
        let c = changes(
            Lang::Zh,
            chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
            &names,
            "rectification",
            Some(&before),
            Some(&after),
        );
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields.len(), 3, "{fields:?}");
        let state = c
            .iter()
            .find(|c| c.before == "待整改")
            .expect("state by name");
        assert_eq!(state.after, "已提交");
        assert!(
            c.iter().any(|c| c.after == "2026年2月10日 10:30"),
            "local time: {:?}",
            c.iter().map(|c| &c.after).collect::<Vec<_>>()
        );
        let added = json!({"id": 9, "party_org_ids": [5, 6], "title": "督查"});
        let c = changes(
            Lang::Zh,
            chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
            &names,
            "inspection",
            None,
            Some(&added),
        );
        assert!(c.iter().any(|c| c.after == "甲支部、#6"), "org names");
    }
}
