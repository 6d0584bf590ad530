//! Pure rules and types of the dangjian platform: no I/O, no async, no SQL.

pub mod checks;
pub mod life;
pub mod registry;
pub mod rules;
pub mod validate;
pub mod work;
pub mod workplan;

pub use registry::*;
pub use rules::Rules;
pub use validate::{FieldError, FieldErrors};
