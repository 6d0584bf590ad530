//! The one list page's moving parts: the filters kept from the query (to refill the filter
//! form), the links that keep them (previous, next, the export of the same rows) and the
//! results line — all from a list's one filter declaration (`domain::list_filter!`).

use domain::list::ListFilter;
use store::PageReq;

use crate::platform::extract::Params;
use crate::platform::i18n::Lang;
use crate::ui::ctx::{group, url_encode, FormState};

/// The declared filters of `F` as the query gave them (empty where absent).
pub fn kept<F: ListFilter>(p: &Params) -> FormState {
    let mut f = FormState::default();
    for k in F::names() {
        f.set(k, p.str(k).unwrap_or(""));
    }
    f
}

/// `base` with the kept filters of `F` and the page.
pub fn link<F: ListFilter>(base: &str, f: &FormState, page: i64) -> String {
    let mut q: Vec<String> = F::names()
        .into_iter()
        .filter(|k| !f.v(k).is_empty())
        .map(|k| format!("{k}={}", url_encode(f.v(k))))
        .collect();
    if page > 1 {
        q.push(format!("page={page}"));
    }
    if q.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

/// The results line and the links of one page of a list.
pub struct Pager {
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The export of every row the filters keep.
    pub export: String,
}

impl Pager {
    pub fn of<F: ListFilter>(
        lang: Lang,
        (base, export): (&str, &str),
        f: &FormState,
        page: PageReq,
        total: i64,
        shown: usize,
    ) -> Pager {
        let pages = (total + page.per_page - 1) / page.per_page;
        Pager {
            summary: summary(lang, total, page, shown),
            prev: (page.page > 1).then(|| link::<F>(base, f, page.page - 1)),
            next: (page.page < pages).then(|| link::<F>(base, f, page.page + 1)),
            export: link::<F>(export, f, 1),
        }
    }
}

/// "共 N 条，显示第 a–b 条" (or that nothing matches).
pub fn summary(lang: Lang, total: i64, page: PageReq, shown: usize) -> String {
    if total == 0 {
        return lang.t("work.summary_none").to_string();
    }
    let from = page.offset() + 1;
    let to = page.offset() + shown as i64;
    lang.tf("work.summary", &[&group(total), &group(from), &group(to)])
}
