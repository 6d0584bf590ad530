//! Thresholds from PRODUCT.md "Rules the platform encodes". Every number is configuration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// A unit with at least this many full members should form its own branch.
    pub establish_threshold: i64,
    /// A joint branch covers at most this many units.
    pub joint_branch_max_units: i64,
    /// A branch has at most this many members (full + probationary).
    pub branch_max_members: i64,
    /// Warn this many days before a term ends.
    pub term_warning_days: i64,
    /// A secretary's party standing is at least this many years.
    pub secretary_min_years: i64,
    /// A branch has a committee (and its monthly committee meeting) from this many full
    /// members.
    pub committee_min_members: i64,
    /// Yearly training hours of secretaries, deputy secretaries and committee members (M8).
    pub training_hours_leaders: i64,
    /// Yearly training hours of other party workers (M8).
    pub training_hours_others: i64,
    /// Orgs each committee member liaises with (M9, W16).
    pub liaison_orgs: i64,
    /// A publication channel's management is reviewed at least every this many days (M10).
    pub channel_review_days: i64,
    /// A scheme's default total for grade A (M6), when the scheme sends no thresholds.
    pub grade_a: f64,
    /// A scheme's default total for grade B (M6).
    pub grade_b: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            establish_threshold: 3,
            joint_branch_max_units: 5,
            branch_max_members: 50,
            term_warning_days: 90,
            secretary_min_years: 1,
            committee_min_members: 7,
            training_hours_leaders: 56,
            training_hours_others: 32,
            liaison_orgs: 3,
            channel_review_days: 365,
            grade_a: 90.0,
            grade_b: 75.0,
        }
    }
}
