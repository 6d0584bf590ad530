//! The JSON API v1 contract of API.md (Conventions, M1), checked in-process.
//! One test binary: `cargo test -p web --test api`; the test app is `testkit`.

mod assessment;
mod auth;
mod bad_input;
mod campaigns;
mod channels;
mod import_export;
mod liaison;
mod life;
mod orgs;
mod reports;
mod scope;
mod servers;
mod societies;
mod stats_checks;
mod training;
mod training_todo;
mod users_audit;
mod work;
