//! What every module stands on: CSRF (and, as the house is rebuilt, auth, sessions,
//! errors, extractors, i18n, files, assets and OpenAPI).

pub mod csrf;
pub mod layers;
