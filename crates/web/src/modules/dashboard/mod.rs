//! The home page: figures by role, each module's panel.

pub mod figures;
pub mod pages;
