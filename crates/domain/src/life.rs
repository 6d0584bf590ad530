//! M2: activity kinds, obligation rules, periods and compliance.
