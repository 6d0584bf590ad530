//! What every module stands on: auth and sessions, CSRF, errors, extractors, i18n, files
//! (attachments), embedded assets, the OpenAPI document and the tower layers.

pub mod assets;
pub mod attachments;
pub mod auth;
pub mod clock;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod files;
pub mod i18n;
pub mod layers;
pub mod ledger;
pub mod openapi;
pub mod session;
