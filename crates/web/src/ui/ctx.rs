//! What every page's layout needs (language, user box, navigation, breadcrumbs, CSRF token),
//! the error pages, and small formatting helpers shared by the templates.

use domain::policy::Permission;
use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use domain::Role;

use crate::platform::error::AppError;
use crate::platform::i18n::Lang;

use crate::platform::assets;

/// One entry of the left navigation.
pub struct NavItem {
    pub key: &'static str,
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
    pub icon: &'static str,
    /// A count shown beside the label (what waits in the inbox).
    pub badge: i64,
    /// The group's heading, on the first item of a group.
    pub heading: Option<&'static str>,
}

/// One step of the breadcrumbs; the last one has no link.
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Crumb {
            label: label.into(),
            href: Some(href.into()),
        }
    }
    pub fn here(label: impl Into<String>) -> Self {
        Crumb {
            label: label.into(),
            href: None,
        }
    }
}

/// The signed-in user as the header shows it.
pub struct UserBox {
    pub username: String,
    pub role: &'static str,
}

/// A one-line notice on top of the page (after a save, a delete…).
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

/// The layout's context. Every page template has a `ctx` field of this type.
pub struct Ctx {
    pub lang: Lang,
    pub title: String,
    pub crumbs: Vec<Crumb>,
    pub nav: Vec<NavItem>,
    pub user: Option<UserBox>,
    pub csrf: String,
    /// The link that switches to the other language and comes back here.
    pub lang_href: String,
    pub lang_label: &'static str,
    pub flash: Option<Flash>,
    pub v: &'static str,
    /// The configured zone's UTC offset (Asia/Shanghai, UTC+8, by default).
    pub offset: chrono::FixedOffset,
}

/// The navigation entries in order: (key, href, admin only, icon).
/// The page of a navigation key (`work_plans` → `/work-plans`).
pub fn nav_href(key: &str) -> String {
    NAV.iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, href, ..)| href.to_string())
        .unwrap_or_else(|| format!("/{key}"))
}

/// The navigation's groups, each with its items' keys (an item in none stands alone at
/// the top). About 25 entries are read faster in eight short groups.
const NAV_GROUPS: &[(&str, &[&str])] = &[
    ("registry", &["societies", "orgs"]),
    ("life", &["activities", "compliance", "obligations"]),
    (
        "work",
        &[
            "work_plans",
            "tasks",
            "inspections",
            "rectifications",
            "reports",
        ],
    ),
    (
        "people",
        &["campaigns", "office_holders", "courses", "training_hours"],
    ),
    (
        "liaison",
        &["liaison", "research_reports", "cases", "channels"],
    ),
    ("assessment", &["assessment", "screen"]),
    ("tools", &["inbox", "import", "export"]),
    ("admin", &["users", "tokens", "audit"]),
];

fn nav_group(key: &str) -> Option<&'static str> {
    NAV_GROUPS
        .iter()
        .find(|(_, keys)| keys.contains(&key))
        .map(|(g, _)| *g)
}

/// The navigation: key, page, the permission it needs to be shown (`None`: every role), icon.
const NAV: &[(&str, &str, Option<Permission>, &str)] = &[
    ("dashboard", "/", None, "M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z"),
    (
        "societies",
        "/societies",
        None,
        "M4 4h16v2H4zm0 5h16v2H4zm0 5h16v2H4zm0 5h10v2H4z",
    ),
    (
        "orgs",
        "/orgs",
        None,
        "M11 2h2v5h5v4h-2V9H8v2H6V7h5zM4 13h6v6H4zm10 0h6v6h-6z",
    ),
    (
        "activities",
        "/activities",
        None,
        "M7 2h2v2h6V2h2v2h3v18H4V4h3zm-1 8v10h12V10zm2 2h3v3H8z",
    ),
    (
        "compliance",
        "/compliance",
        None,
        "M3 3h4v4H3zm7 0h4v4h-4zm7 0h4v4h-4zM3 10h4v4H3zm7 0h4v4h-4zm7 0h4v4h-4zM3 17h4v4H3zm7 0h4v4h-4zm7 0h4v4h-4z",
    ),
    (
        "obligations",
        "/obligations",
        None,
        "M4 5h16v2H4zm0 6h10v2H4zm0 6h16v2H4zm14-7 3 3-3 3z",
    ),
    (
        "work_plans",
        "/work-plans",
        None,
        "M6 2h9l5 5v15H6zm2 8v2h8v-2zm0 4v2h8v-2zm0-8v2h5V6z",
    ),
    (
        "tasks",
        "/tasks",
        None,
        "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
    ),
    (
        "rectifications",
        "/rectifications",
        None,
        "M12 2 1 21h22zm1 15h-2v2h2zm0-7h-2v5h2z",
    ),
    (
        "inspections",
        "/inspections",
        None,
        "M10 2a8 8 0 0 1 6.3 12.9l5.4 5.4-1.4 1.4-5.4-5.4A8 8 0 1 1 10 2zm0 2a6 6 0 1 0 0 12 6 6 0 0 0 0-12z",
    ),
    (
        "reports",
        "/reports",
        None,
        "M5 3h14v18H5zm2 4v2h10V7zm0 4v2h10v-2zm0 4v2h6v-2z",
    ),
    (
        "campaigns",
        "/campaigns",
        None,
        "M4 2h2v20H4zm3 1h13l-3 4.5 3 4.5H7z",
    ),
    (
        "office_holders",
        "/training/office-holders",
        None,
        "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 8c0-3.3 3.6-6 8-6s8 2.7 8 6v1H4z",
    ),
    (
        "courses",
        "/training/courses",
        None,
        "M12 3 1 9l11 6 9-4.9V17h2V9zM5 13.2v4L12 21l7-3.8v-4L12 17z",
    ),
    (
        "training_hours",
        "/training/hours",
        None,
        "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.3V7z",
    ),
    (
        "liaison",
        "/liaison",
        None,
        "M12 2a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM4 22v-2a6 6 0 0 1 6-6h4a6 6 0 0 1 6 6v2zm-1-9 3-3 1.4 1.4L4.4 14.4z",
    ),
    (
        "research_reports",
        "/research-reports",
        None,
        "M6 2h9l5 5v15H6zm2 9v2h8v-2zm0 4v2h5v-2z",
    ),
    (
        "cases",
        "/cases",
        None,
        "M12 2 15 9h7l-5.5 4.5L18.5 21 12 16.5 5.5 21l2-7.5L2 9h7z",
    ),
    (
        "channels",
        "/channels",
        None,
        "M3 5h18v12H3zm2 2v8h14V7zM8 19h8v2H8z",
    ),
    (
        "assessment",
        "/assessment",
        None,
        "M4 20h4V10H4zm6 0h4V4h-4zm6 0h4v-7h-4zM3 21h18v1H3z",
    ),
    (
        "screen",
        "/screen",
        Some(Permission::ViewScreen),
        "M2 3h20v14H2zm2 2v10h16V5zm2 8h2v-3H6zm4 0h2V7h-2zm4 0h2V9h-2zM8 19h8v2H8z",
    ),
    (
        "inbox",
        "/inbox",
        None,
        "M3 3h18v18H3zm2 2v9h4l1 2h4l1-2h4V5z",
    ),
    (
        "import",
        "/import",
        Some(Permission::EditRegistry),
        "M11 3h2v9l3-3 1.4 1.4L12 15.8 6.6 10.4 8 9l3 3zM4 17h16v4H4z",
    ),
    (
        "export",
        "/export",
        None,
        "M11 16h2V7l3 3 1.4-1.4L12 3.2 6.6 8.6 8 10l3-3zM4 17h16v4H4z",
    ),
    (
        "users",
        "/users",
        Some(Permission::ManageUsers),
        "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9c0-3.3 3.1-6 7-6s7 2.7 7 6zm15-9a3 3 0 1 0 0-6v6zm1 3c2.4.5 4 2.2 4 4.5V20h-3c0-2.3-.4-4.3-1-6z",
    ),
    (
        "tokens",
        "/tokens",
        None,
        "M7 14a3 3 0 1 1 0-6 3 3 0 0 1 0 6zm5.6-4A6 6 0 1 0 12.6 14H16v3h3v-3h2v-4z",
    ),
    (
        "audit",
        "/audit",
        Some(Permission::ReadAudit),
        "M6 2h9l5 5v15H6zm8 1.5V8h4.5zM9 12h8v2H9zm0 4h8v2H9z",
    ),
];

impl Ctx {
    /// A context for `lang`; `uri` is the current path and query (for the language switch).
    pub fn new(lang: Lang, uri: &str, title: impl Into<String>) -> Self {
        let (to, label) = match lang {
            Lang::Zh => ("en", "English"),
            Lang::En => ("zh-CN", "中文"),
        };
        Ctx {
            lang,
            title: title.into(),
            crumbs: Vec::new(),
            nav: Vec::new(),
            user: None,
            csrf: String::new(),
            lang_href: format!("/lang?to={to}&next={}", url_encode(uri)),
            lang_label: label,
            flash: None,
            v: assets::version(),
            offset: local_offset(),
        }
    }

    pub fn with_offset(mut self, offset: chrono::FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    /// Fills the user box and the navigation for a signed-in user; `active` is the nav key.
    pub fn signed_in(mut self, username: &str, role: Role, csrf: &str, active: &str) -> Self {
        let lang = self.lang;
        let mut group = None;
        self.nav = NAV
            .iter()
            .filter(|(_, _, needs, _)| needs.is_none_or(|p| domain::policy::allows(role, p)))
            .map(|(key, href, _, icon)| {
                let g = nav_group(key);
                let heading = match g {
                    Some(g) if group != Some(g) => Some(lang.t(&format!("nav.group.{g}"))),
                    _ => None,
                };
                group = g;
                NavItem {
                    key,
                    badge: 0,
                    href,
                    label: lang.t(&format!("nav.{key}")),
                    active: *key == active,
                    icon,
                    heading,
                }
            })
            .collect();
        self.user = Some(UserBox {
            username: username.to_string(),
            role: lang.code_label("role", role.as_str()),
        });
        self.csrf = csrf.to_string();
        self
    }

    pub fn crumbs(mut self, crumbs: Vec<Crumb>) -> Self {
        self.crumbs = crumbs;
        self
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn tf(&self, key: &str, args: &[&str]) -> String {
        self.lang.tf(key, args)
    }

    pub fn date(&self, d: impl DateLike) -> String {
        self.lang.date(d.date())
    }

    pub fn opt_date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| self.lang.date(d)).unwrap_or_default()
    }

    /// An instant in the local zone: `2023年4月14日 09:30` / `2023-04-14 09:30`.
    pub fn instant(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&self.offset);
        format!(
            "{} {}",
            self.lang.date(local.date_naive()),
            local.format("%H:%M")
        )
    }

    /// A count with its unit key, e.g. `unit.societies` → `12 个`.
    pub fn count(&self, n: &i64, unit: &str) -> String {
        self.tf(unit, &[&group(*n)])
    }

    pub fn code(&self, group: &str, code: &str) -> &'static str {
        self.lang.code_label(group, code)
    }

    /// Shows a flash for a known message code from the query (`?msg=saved`).
    /// A count on a navigation item (and on the phone's menu button).
    pub fn with_badge(mut self, key: &str, n: i64) -> Self {
        for item in self.nav.iter_mut().filter(|i| i.key == key) {
            item.badge = n;
        }
        self
    }

    /// Everything the navigation's badges count (shown on the phone's menu button).
    pub fn badges(&self) -> i64 {
        self.nav.iter().map(|i| i.badge).sum()
    }

    /// Shows a notice written by the page itself.
    pub fn with_notice(mut self, text: String) -> Self {
        self.flash = Some(Flash { ok: true, text });
        self
    }

    pub fn with_flash(mut self, msg: Option<&str>) -> Self {
        const KNOWN: &[&str] = &[
            "saved",
            "own_password",
            "created",
            "deleted",
            "password",
            "revoked",
            "email",
            "email_bad",
        ];
        if let Some(m) = msg.filter(|m| KNOWN.contains(m)) {
            self.flash = Some(Flash {
                ok: !m.ends_with("_bad"),
                text: self.lang.t(&format!("flash.{m}")).to_string(),
            });
        }
        self
    }
}

/// A date, or a reference to one (templates pass either).
pub trait DateLike {
    fn date(&self) -> chrono::NaiveDate;
}

impl DateLike for chrono::NaiveDate {
    fn date(&self) -> chrono::NaiveDate {
        *self
    }
}

impl<T: DateLike + ?Sized> DateLike for &T {
    fn date(&self) -> chrono::NaiveDate {
        (**self).date()
    }
}

/// The local time zone for showing instants (Asia/Shanghai, UTC+8).
/// The default zone (UTC+8) for pages rendered before a user is known.
pub fn local_offset() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

/// `12345` → `12,345`.
pub fn group(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `0.9412` → `94.1`.
pub fn percent(rate: f64) -> String {
    format!("{:.1}", rate * 100.0)
}

/// Percent-encodes a query component.
pub use crate::platform::extract::url_encode;

/// A page's numeric id from its path; anything but a positive integer is `None` (404).
pub fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A local path to go back to after login or a language switch; anything else → `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Values and errors of a form, so a failed submit shows what was typed and what is wrong.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: BTreeMap<String, String>,
}

impl FormState {
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.v(name), "on" | "true" | "1")
    }
    /// Whether a list's filter form has any filter set (the order, the page and the ids
    /// carried in hidden fields do not count): a set filter keeps the filters open on a
    /// phone.
    pub fn any_filter(&self) -> bool {
        self.values.iter().any(|(k, v)| {
            !v.is_empty()
                && !matches!(
                    k.as_str(),
                    "sort" | "page" | "per_page" | "task_id" | "inspection_id"
                )
        })
    }
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.v(name) == value
    }
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
    pub fn has(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }
    pub fn error(&mut self, name: &str, msg: impl Into<String>) {
        self.errors.entry(name.to_string()).or_insert(msg.into());
    }
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
    /// The trimmed value, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.v(name).trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
    /// An integer field: empty → `default`; not a number → a field error.
    pub fn int(&mut self, name: &str, default: Option<i64>, lang: Lang) -> Option<i64> {
        let raw = self.v(name).trim().to_string();
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(name, lang.t("form.not_integer"));
                None
            }
        }
    }
    /// A chosen id (a `<select>` of orgs): empty → `None`; not a number → a field error.
    pub fn opt_id(&mut self, name: &str, lang: Lang) -> Option<i64> {
        let v = self.opt(name)?;
        match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(name, lang.t("field.not_found"));
                None
            }
        }
    }
    /// Ids chosen by checkbox (one a value) or typed into one box ("12,15", "12，15 、18"):
    /// every piece must be a number, else a field error naming it (nothing is dropped).
    pub fn id_list(&mut self, name: &str, raw: &[String], lang: Lang) -> Vec<i64> {
        let mut ids = Vec::new();
        for piece in raw
            .iter()
            .flat_map(|v| v.split([',', '，', '、', ';', '；', ' ', '\n', '\t']))
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match piece.parse::<i64>() {
                Ok(n) if !ids.contains(&n) => ids.push(n),
                Ok(_) => {}
                Err(_) => self.error(name, lang.tf("field.not_an_id", &[piece])),
            }
        }
        ids
    }
    /// Adds the store's field errors in `lang`.
    pub fn store_errors(&mut self, e: &domain::FieldErrors, lang: Lang) {
        for (k, v) in &e.0 {
            self.error(k, lang.field_error(v));
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    status: u16,
    heading: &'static str,
    message: String,
}

/// Renders a template into an HTML response; a rendering failure is a plain 500.
pub fn html<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// An error page in the layout.
pub fn error_page(ctx: Ctx, status: StatusCode, message: String) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "page.error.404",
        StatusCode::FORBIDDEN => "page.error.403",
        StatusCode::CONFLICT => "page.error.409",
        s if s.is_server_error() => "page.error.500",
        _ => "page.error.400",
    };
    let mut ctx = ctx;
    let lang = ctx.lang;
    ctx.title = lang.t(heading).to_string();
    let page = ErrorPage {
        ctx: &ctx,
        status: status.as_u16(),
        heading: lang.t(heading),
        message,
    };
    let mut res = html(status, &page);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// An [`AppError`] as an error page.
pub fn app_error_page(ctx: Ctx, e: &AppError, request_id: &str) -> Response {
    if let AppError::Internal(detail) = e {
        tracing::error!(request_id, detail, "internal error");
    }
    let (message, _) = e.message(ctx.lang, request_id);
    let status = e.status();
    error_page(ctx, status, message)
}
