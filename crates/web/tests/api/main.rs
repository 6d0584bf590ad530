//! The JSON API v1 contract of API.md (Conventions, M1), checked in-process.
//! One test binary: `cargo test -p web --test api`.

mod auth;
mod bad_input;
mod helpers;
mod import_export;
mod life;
mod orgs;
mod scope;
mod societies;
mod stats_checks;
mod users_audit;
mod work;
