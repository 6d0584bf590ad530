//! The HTML pages in-process, through the shared harness (`testkit`): sessions, CSRF, roles,
//! htmx fragments, uploads, and that every text key a page uses exists in both languages.
//! One test binary: `cargo test -p web --test pages`.

mod admin;
mod assessment;
mod assessment_design;
mod campaigns;
mod liaison;
mod life;
mod platform;
mod registry;
mod reports;
mod screen;
mod training;
mod work;
