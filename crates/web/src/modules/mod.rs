//! The modules, one folder each: its routes (`mod.rs`), API handlers, pages and sheets or
//! documents. They stand on `platform` and `ui`.

pub mod admin;
pub mod assessment;
pub mod campaigns;
pub mod channels;
pub mod dashboard;
pub mod liaison;
pub mod life;
pub mod registry;
pub mod reports;
pub mod screen;
pub mod training;
pub mod work;
