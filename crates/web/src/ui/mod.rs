//! What pages share: the page context (layout, navigation, breadcrumbs, forms) and charts.

pub mod charts;
pub mod ctx;
pub mod import;
pub mod ledger;
pub mod list;
