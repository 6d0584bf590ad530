//! Field-level validation errors, collected per field so a form or an API caller can be
//! told everything that is wrong at once. The web layer translates the codes.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FieldError {
    Required,
    TooLong {
        max: usize,
    },
    Negative,
    TooLarge {
        max: i64,
    },
    TooSmall {
        min: i64,
    },
    InvalidDate,
    /// The value is not one of the allowed codes.
    UnknownValue {
        allowed: Vec<&'static str>,
    },
    /// Needs another field, e.g. a branch user needs a party org.
    Conflicts,
    InFuture,
    NotFound,
    Cycle,
    TooShort {
        min: usize,
    },
    WrongType {
        expected: &'static str,
    },
    /// The value could not be read at all (wrong JSON type, unknown field); the detail.
    Malformed {
        detail: String,
    },
    /// A field the object does not have.
    UnknownField,
    /// A date before the date it must follow (a due date before the finding or the issue).
    TooEarly,
    /// Not what was expected (the current password).
    Incorrect,
    /// Not one of a form field's choices.
    NotAChoice {
        allowed: Vec<String>,
    },
    /// Outside a form field's bounds (either may be open).
    OutOfRange {
        min: Option<String>,
        max: Option<String>,
    },
    /// More decimal places than allowed (amounts in yuan: 2).
    Decimals {
        max: u32,
    },
    /// The org does not take part in the campaign (M7).
    NotParticipant,
    /// An indicator's points are not the sum of its children's, or the roots' not 100 (M6).
    PointsSum {
        expected: String,
        actual: String,
    },
    /// The user named is not of one of these roles (a liaison must be a committee member).
    WrongRole {
        allowed: Vec<&'static str>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, err: FieldError) {
        self.0.entry(field.to_string()).or_insert(err);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
    /// Adds `other`'s errors (a field already named keeps its first error).
    pub fn extend(&mut self, other: FieldErrors) {
        for (f, e) in other.0 {
            self.0.entry(f).or_insert(e);
        }
    }
    pub fn single(field: &str, err: FieldError) -> Self {
        let mut e = Self::new();
        e.add(field, err);
        e
    }
}

/// Trims a name and checks it is present and not longer than `max` characters.
pub fn name(errs: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errs.add(field, FieldError::Required);
    } else if v.chars().count() > max {
        errs.add(field, FieldError::TooLong { max });
    }
    v.to_string()
}

/// Optional free text: trimmed, empty becomes `None`.
pub fn opt_text(
    errs: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max {
        errs.add(field, FieldError::TooLong { max });
    }
    Some(v.to_string())
}

/// A member count: an integer between 0 and 1,000,000.
pub fn count(errs: &mut FieldErrors, field: &str, value: i64) -> i64 {
    if value < 0 {
        errs.add(field, FieldError::Negative);
    } else if value > 1_000_000 {
        errs.add(field, FieldError::TooLarge { max: 1_000_000 });
    }
    value
}

/// Parses a strict `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A required `YYYY-MM-DD` date: absent or empty → `Required`, unreadable → `InvalidDate`.
pub fn required_date(
    errs: &mut FieldErrors,
    field: &str,
    v: Option<&str>,
) -> Option<chrono::NaiveDate> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errs.add(field, FieldError::Required);
            None
        }
        Some(_) => opt_date(errs, field, v),
    }
}

/// An optional `YYYY-MM-DD` date: absent or empty is `None`, unreadable → `InvalidDate`.
pub fn opt_date(errs: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<chrono::NaiveDate> {
    let s = v.map(str::trim).filter(|v| !v.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        errs.add(field, FieldError::InvalidDate);
    }
    d
}

/// A required code of a closed set: absent → `Required`, another value → `UnknownValue`
/// listing `codes`.
pub fn required_code<T>(
    errs: &mut FieldErrors,
    field: &str,
    v: Option<&str>,
    parse: fn(&str) -> Option<T>,
    codes: &'static [&'static str],
) -> Option<T> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errs.add(field, FieldError::Required);
            None
        }
        Some(s) => {
            let c = parse(s);
            if c.is_none() {
                errs.add(
                    field,
                    FieldError::UnknownValue {
                        allowed: codes.to_vec(),
                    },
                );
            }
            c
        }
    }
}

/// A quantity kept in tenths (hours, points) as people write it: `12`, `12.5`.
pub fn tenths_text(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{:.1}", tenths as f64 / 10.0)
    }
}
