//! M1 registry and coverage: societies, party orgs, coverage figures, rule checks, the
//! import and export of the ledgers.

pub mod api;
pub mod io;
pub mod orgs;
pub mod sheets;
pub mod societies;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

/// Its part of `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/party-orgs", get(api::list_orgs).post(api::create_org))
        .route(
            "/party-orgs/{id}",
            get(api::get_org)
                .patch(api::update_org)
                .delete(api::delete_org),
        )
        .route(
            "/societies",
            get(api::list_societies).post(api::create_society),
        )
        .route(
            "/societies/{id}",
            get(api::get_society)
                .patch(api::update_society)
                .delete(api::delete_society),
        )
        .route("/stats/coverage", get(api::coverage_stats))
        .route("/checks", get(api::checks))
        .route("/import/societies/template", get(api::import_template))
        .route(
            "/import/societies",
            post(api::import_societies).layer(DefaultBodyLimit::disable()),
        )
        .route("/export/societies.xlsx", get(api::export_societies))
        .route("/export/party-orgs.xlsx", get(api::export_orgs))
}

/// Its pages.
pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/societies", get(societies::list).post(societies::create))
        .route("/societies/new", get(societies::new_form))
        .route(
            "/societies/{id}",
            get(societies::show).post(societies::update),
        )
        .route("/societies/{id}/delete", post(societies::delete))
        .route("/orgs", get(orgs::tree).post(orgs::create))
        .route("/orgs/new", get(orgs::new_form))
        .route("/orgs/{id}", get(orgs::show).post(orgs::update))
        .route("/orgs/{id}/delete", post(orgs::delete))
        .route(
            "/import",
            get(io::import_page)
                .post(io::import_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/import/template.xlsx", get(io::template))
        .route("/export", get(io::export_page))
        .route("/export/societies.xlsx", get(io::export_societies))
        .route("/export/party-orgs.xlsx", get(io::export_orgs))
}
