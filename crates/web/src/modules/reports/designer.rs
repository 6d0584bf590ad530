//! The form designer (admin): a report form's title, period, deadline, respondents and
//! fields, as a plain form that works without JavaScript — rows are added, removed and
//! moved by the form's own buttons, each answered by the same page — with a preview of the
//! form as its respondents will see it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::life::PeriodKind;
use domain::policy::Permission;
use domain::registry::OrgKind;
use domain::reports::{AppliesTo, FieldDef, FieldInput, FieldType, FormInput};

use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::platform::session::{OrPage, PageError, PageUser};
use crate::ui::ctx::{html, parse_id, Crumb, Ctx, FormState};
use crate::AppState;

use super::pages::{codes, field_views, FieldView};

/// Empty rows a new form starts with.
const NEW_ROWS: usize = 3;
const MAX_ROWS: usize = domain::reports::FIELDS_MAX;

const ROW_KEYS: [&str; 8] = [
    "key", "label", "type", "required", "min", "max", "unit", "choices",
];

/// One row of the fields' table.
pub struct DesignRow {
    pub i: usize,
    pub last: bool,
}

impl DesignRow {
    /// The form field name of this row's `what`: `fields[2].label`.
    pub fn name(&self, what: &str) -> String {
        format!("fields[{}].{what}", self.i)
    }
}

#[derive(Template)]
#[template(path = "reports/designer.html")]
struct DesignerPage {
    ctx: Ctx,
    action: String,
    f: FormState,
    rows: Vec<DesignRow>,
    periods: Vec<(&'static str, &'static str)>,
    applies: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The preview: the fields as a respondent sees them.
    fields: Vec<FieldView>,
    editable: bool,
    /// The form's id when editing.
    id: Option<i64>,
}

fn render(u: &PageUser, id: Option<i64>, f: FormState, n: usize, status: StatusCode) -> Response {
    let lang = u.lang;
    let title = match id {
        Some(_) => lang.t("report.edit_form"),
        None => lang.t("report.new_form"),
    };
    let ctx = u.ctx(
        "reports",
        title,
        vec![
            Crumb::link(lang.t("nav.dashboard"), "/"),
            Crumb::link(lang.t("nav.reports"), "/reports"),
            Crumb::here(title),
        ],
    );
    let preview = rows_of(&f, n)
        .iter()
        .filter_map(preview_def)
        .collect::<Vec<_>>();
    let page = DesignerPage {
        ctx,
        action: match id {
            Some(id) => format!("/reports/forms/{id}/edit"),
            None => "/reports/forms/new".to_string(),
        },
        rows: (0..n)
            .map(|i| DesignRow {
                i,
                last: i + 1 == n,
            })
            .collect(),
        periods: codes(lang, "period_kind", PeriodKind::CODES),
        applies: codes(lang, "applies_to", AppliesTo::CODES),
        types: codes(lang, "field_type", FieldType::CODES),
        kinds: codes(lang, "org_kind", OrgKind::CODES),
        fields: field_views(&preview),
        editable: false,
        id,
        f,
    };
    html(status, &page)
}

/// A row's values by key (`key`, `label`, …).
type Row = HashMap<&'static str, String>;

fn rows_of(f: &FormState, n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| {
            ROW_KEYS
                .iter()
                .map(|k| (*k, f.v(&format!("fields[{i}].{k}")).to_string()))
                .collect()
        })
        .collect()
}

fn put_rows(f: &mut FormState, rows: &[Row]) {
    f.values.retain(|k, _| !k.starts_with("fields["));
    for (i, r) in rows.iter().enumerate() {
        for (k, v) in r {
            f.set(&format!("fields[{i}].{k}"), v.clone());
        }
    }
}

fn is_empty(r: &Row) -> bool {
    r.get("key").is_none_or(|v| v.trim().is_empty())
        && r.get("label").is_none_or(|v| v.trim().is_empty())
}

fn choices(r: &Row) -> Option<Vec<String>> {
    let list: Vec<String> = r
        .get("choices")
        .map(|c| {
            c.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    (!list.is_empty()).then_some(list)
}

fn bound(r: &Row, k: &str) -> Option<f64> {
    r.get(k).and_then(|v| v.trim().parse::<f64>().ok())
}

fn text(r: &Row, k: &str) -> Option<String> {
    r.get(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A row as the respondent would see it, when it says enough.
fn preview_def(r: &Row) -> Option<FieldDef> {
    let key = text(r, "key").unwrap_or_else(|| "x".into());
    Some(FieldDef {
        key,
        label: text(r, "label")?,
        kind: FieldType::parse(r.get("type")?)?,
        required: r.get("required").is_some_and(|v| v == "on"),
        min: bound(r, "min"),
        max: bound(r, "max"),
        choices: choices(r),
        unit: text(r, "unit"),
    })
}

fn field_input(r: &Row, f: &mut FormState, i: usize, lang: Lang) -> FieldInput {
    for k in ["min", "max"] {
        let raw = r.get(k).map(|v| v.trim()).unwrap_or("");
        if !raw.is_empty() && raw.parse::<f64>().is_err() {
            f.error(&format!("fields[{i}].{k}"), lang.t("report.not_number"));
        }
    }
    FieldInput {
        key: text(r, "key"),
        label: text(r, "label"),
        kind: text(r, "type"),
        required: Some(r.get("required").is_some_and(|v| v == "on")),
        min: bound(r, "min"),
        max: bound(r, "max"),
        choices: choices(r),
        unit: text(r, "unit"),
    }
}

/// The form's input from the page's fields (rows already compacted).
fn input_of(f: &mut FormState, rows: &[Row], lang: Lang) -> FormInput {
    let applies = f.opt("applies_to");
    let projects = applies.as_deref() == Some("funded_projects");
    let kinds: Vec<String> = OrgKind::CODES
        .iter()
        .filter(|k| f.checked(&format!("kind_{k}")))
        .map(|k| k.to_string())
        .collect();
    let raw_ids = vec![f.v("party_org_ids").to_string()];
    let ids = f.id_list("party_org_ids", &raw_ids, lang);
    let due = f.int("due_days", None, lang);
    let fields = rows
        .iter()
        .enumerate()
        .map(|(i, r)| field_input(r, f, i, lang))
        .collect();
    FormInput {
        title: f.opt("title"),
        period: f.opt("period"),
        due_days: due,
        applies_to: applies,
        programme: if projects { f.opt("programme") } else { None },
        org_kinds: (!projects && ids.is_empty() && !kinds.is_empty()).then_some(kinds),
        party_org_ids: (!projects && !ids.is_empty()).then_some(ids),
        active_from: f.opt("active_from"),
        active_to: f.opt("active_to"),
        fields: Some(fields),
    }
}

/// The page's values of a stored form.
fn state_of(input: &FormInput) -> (FormState, usize) {
    let mut f = FormState::default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    f.set("title", opt(&input.title));
    f.set("period", opt(&input.period));
    f.set(
        "due_days",
        input.due_days.map(|d| d.to_string()).unwrap_or_default(),
    );
    f.set("applies_to", opt(&input.applies_to));
    f.set("programme", opt(&input.programme));
    for k in input.org_kinds.iter().flatten() {
        f.set(&format!("kind_{k}"), "on");
    }
    if let Some(ids) = &input.party_org_ids {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        f.set("party_org_ids", ids.join(","));
    }
    f.set("active_from", opt(&input.active_from));
    f.set("active_to", opt(&input.active_to));
    let fields = input.fields.clone().unwrap_or_default();
    let num = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
    for (i, d) in fields.iter().enumerate() {
        let at = |k: &str| format!("fields[{i}].{k}");
        f.set(&at("key"), opt(&d.key));
        f.set(&at("label"), opt(&d.label));
        f.set(&at("type"), opt(&d.kind));
        if d.required == Some(true) {
            f.set(&at("required"), "on");
        }
        f.set(&at("min"), num(d.min));
        f.set(&at("max"), num(d.max));
        f.set(&at("unit"), opt(&d.unit));
        f.set(
            &at("choices"),
            d.choices.clone().unwrap_or_default().join("\n"),
        );
    }
    (f, fields.len() + 1)
}

pub(super) async fn new_form(
    State(st): State<AppState>,
    u: PageUser,
) -> Result<Response, PageError> {
    u.may(Permission::DesignReportForms)?;
    let mut f = FormState::default();
    f.set("period", "quarter");
    f.set("due_days", "10");
    f.set("applies_to", "party_orgs");
    f.set("kind_branch", "on");
    f.set("programme", "double_high");
    f.set("active_from", st.clock.today().to_string());
    for i in 0..NEW_ROWS {
        f.set(&format!("fields[{i}].type"), "number");
    }
    Ok(render(&u, None, f, NEW_ROWS, StatusCode::OK))
}

pub(super) async fn edit_form(
    State(st): State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    u.may(Permission::DesignReportForms)?;
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    let form = st.store.get_form(id).await.or_page(&u)?;
    let (mut f, n) = state_of(&form.def().input());
    f.set(&format!("fields[{}].type", n - 1), "number");
    Ok(render(&u, Some(id), f, n, StatusCode::OK))
}

pub(super) async fn save_new(
    st: State<AppState>,
    u: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    save(st, u, None, form).await
}

pub(super) async fn save_edit(
    st: State<AppState>,
    u: PageUser,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw).ok_or_else(|| u.not_found())?;
    save(st, u, Some(id), form).await
}

/// Every button of the designer: a row added, removed or moved, the preview, or the save.
async fn save(
    State(st): State<AppState>,
    u: PageUser,
    id: Option<i64>,
    form: HashMap<String, String>,
) -> Result<Response, PageError> {
    let actor = u.may(Permission::DesignReportForms)?;
    if let Some(id) = id {
        st.store.get_form(id).await.or_page(&u)?;
    }
    let mut f = FormState {
        values: form,
        ..Default::default()
    };
    let n = f
        .v("rows")
        .parse::<usize>()
        .unwrap_or(NEW_ROWS)
        .min(MAX_ROWS);
    let mut rows = rows_of(&f, n);
    let op = f.v("op").to_string();
    let (verb, at) = op.split_once(':').unwrap_or((op.as_str(), ""));
    let at: usize = at.parse().unwrap_or(usize::MAX);
    match verb {
        "add" if rows.len() < MAX_ROWS => {
            let mut r = Row::new();
            r.insert("type", "number".into());
            rows.push(r);
        }
        "remove" if at < rows.len() => {
            rows.remove(at);
        }
        "up" if at > 0 && at < rows.len() => rows.swap(at, at - 1),
        "down" if at + 1 < rows.len() => rows.swap(at, at + 1),
        "save" => {
            rows.retain(|r| !is_empty(r));
            put_rows(&mut f, &rows);
            let input = input_of(&mut f, &rows, u.lang);
            let checked = input.validate();
            let status = match checked {
                Ok(def) if f.ok() => {
                    let saved = match id {
                        Some(id) => st.store.update_form(&actor, id, def).await,
                        None => st.store.create_form(&actor, def).await,
                    };
                    match saved {
                        Ok(form) => {
                            return Ok(Redirect::to(&format!(
                                "/reports/forms/{}?msg=saved",
                                form.id
                            ))
                            .into_response())
                        }
                        Err(store::StoreError::Invalid(e)) => {
                            f.store_errors(&e, u.lang);
                            StatusCode::UNPROCESSABLE_ENTITY
                        }
                        Err(store::StoreError::Conflict(_)) => {
                            f.error("fields", u.lang.t("report.fields_locked"));
                            StatusCode::CONFLICT
                        }
                        Err(e) => return Err(u.error(AppError::from(e)).into()),
                    }
                }
                Ok(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Err(e) => {
                    f.store_errors(&e, u.lang);
                    StatusCode::UNPROCESSABLE_ENTITY
                }
            };
            let n = rows.len().max(1);
            return Ok(render(&u, id, f, n, status));
        }
        _ => {}
    }
    put_rows(&mut f, &rows);
    let n = rows.len().max(1);
    Ok(render(&u, id, f, n, StatusCode::OK))
}
