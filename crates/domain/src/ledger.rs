//! The review ledger: one mechanism for every record that an org answers and someone else
//! decides on — an assignment of a task (M3), the rectification of a finding (M4), and the
//! submission of a periodic report (M5).
//!
//! A ledger kind is a table: its states, its initial and final state, and its steps. A step
//! names the states it leaves, the state it reaches, the permission it takes (so who may
//! fire it is read from the one policy table), which side fires it (the org answering, or
//! the reviewer deciding), and whether it needs a reason. Everything generic is read from
//! the table: the transitions (`409` for any other), overdue and lateness, who is waited on
//! in each state (the inbox and the to-do), the forms a page offers, and the evidence rule
//! (a closed record is final).

use chrono::NaiveDate;

use crate::policy::Permission;

/// A transition the state machine refuses (the API answers `409`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{action} is not allowed in state {from}")]
pub struct Refused {
    pub from: &'static str,
    pub action: &'static str,
}

/// Who fires a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The org whose record it is: it reports, submits, attaches evidence. Its first
    /// answer's day decides lateness.
    Org,
    /// The committee or the inspectors: accept, verify, return.
    Reviewer,
}

/// One step of a ledger's state machine.
#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    pub action: &'static str,
    pub from: &'static [&'static str],
    /// The state it reaches; `None` keeps the state it is fired in (a draft's edit).
    pub to: Option<&'static str>,
    pub permission: Permission,
    pub side: Side,
    /// The step needs a comment saying why (a return of a report submission).
    pub reason_required: bool,
}

/// A ledger kind: the table every generic part reads.
#[derive(Debug, PartialEq, Eq)]
pub struct LedgerKind {
    /// The record's name in the audit log, the attachments' owner and the text keys.
    pub entity: &'static str,
    /// The collection's path, in the API (`/api/v1{path}`) and the pages.
    pub path: &'static str,
    pub states: &'static [&'static str],
    pub initial: &'static str,
    /// The closed state: never overdue, no step leaves it, no evidence is added to it.
    pub final_state: &'static str,
    pub steps: &'static [Step],
    /// The page listing them (the ledger with its filters).
    pub list_page: &'static str,
    /// The path segment of the reviewer's decision (`POST {path}/{id}/{decide}`).
    pub decide: &'static str,
    /// Its evidence files fill a field of the record (`?field=KEY`), as a report's file fields.
    pub evidence_field: bool,
}

impl Side {
    /// As the API and the text keys name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Org => "org",
            Side::Reviewer => "reviewer",
        }
    }
}

impl LedgerKind {
    /// The step `action` from `from`, or the refusal.
    pub fn step(&'static self, from: &str, action: &str) -> Result<&'static Step, Refused> {
        self.steps
            .iter()
            .find(|s| s.action == action && s.from.contains(&from))
            .ok_or_else(|| Refused {
                from: self.state_code(from),
                action: self.action_code(action),
            })
    }

    /// The state `action` leads to from `from`.
    pub fn next(&'static self, from: &str, action: &str) -> Result<&'static str, Refused> {
        let step = self.step(from, action)?;
        Ok(step.to.unwrap_or_else(|| self.state_code(from)))
    }

    /// The permission of a side's steps (the same for all of one side, by the tables'
    /// test): the org's evidence files take the org's.
    pub fn permission_of(&self, side: Side) -> Permission {
        self.steps
            .iter()
            .find(|s| s.side == side)
            .map(|s| s.permission)
            .unwrap_or(Permission::AnswerForOrg)
    }

    /// The org's answer: the step of the org's side that moves the record on.
    pub fn answer(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| s.side == Side::Org && s.to.is_some())
    }

    /// The reviewer's decisions (accept or verify, and return).
    pub fn decisions(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.side == Side::Reviewer)
    }

    pub fn is_final(&self, state: &str) -> bool {
        state == self.final_state
    }

    /// Not closed and today is after the due day (the ledger's "not closed in time").
    pub fn overdue(&self, state: &str, due_on: NaiveDate, today: NaiveDate) -> bool {
        !self.is_final(state) && today > due_on
    }

    /// The steps that may leave `state`.
    pub fn steps_from<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'a Step> + 'a {
        self.steps.iter().filter(move |s| s.from.contains(&state))
    }

    /// The states in which one holding `granted` on `side` is waited on: what an org's user
    /// must answer, or what the office, the committee and the inspectors must decide.
    pub fn waiting_states_of(
        &self,
        side: Side,
        granted: impl Fn(Permission) -> bool,
    ) -> Vec<&'static str> {
        self.states
            .iter()
            .copied()
            .filter(|st| {
                self.steps_from(st)
                    .any(|s| s.side == side && granted(s.permission))
            })
            .collect()
    }

    fn state_code(&'static self, s: &str) -> &'static str {
        self.states
            .iter()
            .find(|c| **c == s)
            .copied()
            .unwrap_or("?")
    }

    fn action_code(&'static self, a: &str) -> &'static str {
        self.steps
            .iter()
            .find(|s| s.action == a)
            .map(|s| s.action)
            .unwrap_or("?")
    }
}

/// Late: the org's own lateness (API.md v1 `late`) — its first answer came after the due
/// day, or none has come and today is after it. Unlike overdue it does not count the
/// reviewer's time to decide, and a resubmission after a return keeps the first answer's day.
pub fn late(first_answered_on: Option<NaiveDate>, due_on: NaiveDate, today: NaiveDate) -> bool {
    match first_answered_on {
        Some(d) => d > due_on,
        None => today > due_on,
    }
}

/// M3: one org's assignment of a task.
pub static ASSIGNMENTS: LedgerKind = LedgerKind {
    entity: "assignment",
    path: "/assignments",
    states: &["assigned", "reported", "accepted", "returned"],
    initial: "assigned",
    final_state: "accepted",
    steps: &[
        Step {
            action: "report",
            from: &["assigned", "returned"],
            to: Some("reported"),
            permission: Permission::AnswerForOrg,
            side: Side::Org,
            reason_required: false,
        },
        Step {
            action: "accept",
            from: &["reported"],
            to: Some("accepted"),
            permission: Permission::ReviewAssignment,
            side: Side::Reviewer,
            reason_required: false,
        },
        Step {
            action: "return",
            from: &["reported"],
            to: Some("returned"),
            permission: Permission::ReviewAssignment,
            side: Side::Reviewer,
            reason_required: false,
        },
    ],
    list_page: "/tasks",
    decide: "review",
    evidence_field: false,
};

/// M4: the rectification of a finding (整改, closed by 销号).
pub static RECTIFICATIONS: LedgerKind = LedgerKind {
    entity: "rectification",
    path: "/rectifications",
    states: &["open", "submitted", "verified", "returned"],
    initial: "open",
    final_state: "verified",
    steps: &[
        Step {
            action: "submit",
            from: &["open", "returned"],
            to: Some("submitted"),
            permission: Permission::AnswerForOrg,
            side: Side::Org,
            reason_required: false,
        },
        Step {
            action: "verify",
            from: &["submitted"],
            to: Some("verified"),
            permission: Permission::VerifyRectification,
            side: Side::Reviewer,
            reason_required: false,
        },
        Step {
            action: "return",
            from: &["submitted"],
            to: Some("returned"),
            permission: Permission::VerifyRectification,
            side: Side::Reviewer,
            reason_required: false,
        },
    ],
    list_page: "/rectifications",
    decide: "verify",
    evidence_field: false,
};

/// M5: a submission of a periodic report. It begins as a `draft` the org may change (and,
/// once returned, change again); a return needs its reason.
pub static SUBMISSIONS: LedgerKind = LedgerKind {
    entity: "report_submission",
    path: "/report-submissions",
    states: &["draft", "submitted", "accepted", "returned"],
    initial: "draft",
    final_state: "accepted",
    steps: &[
        Step {
            action: "edit",
            from: &["draft", "returned"],
            to: None,
            permission: Permission::AnswerForOrg,
            side: Side::Org,
            reason_required: false,
        },
        Step {
            action: "submit",
            from: &["draft", "returned"],
            to: Some("submitted"),
            permission: Permission::AnswerForOrg,
            side: Side::Org,
            reason_required: false,
        },
        Step {
            action: "accept",
            from: &["submitted"],
            to: Some("accepted"),
            permission: Permission::ReviewAssignment,
            side: Side::Reviewer,
            reason_required: false,
        },
        Step {
            action: "return",
            from: &["submitted"],
            to: Some("returned"),
            permission: Permission::ReviewAssignment,
            side: Side::Reviewer,
            reason_required: true,
        },
    ],
    list_page: "/reports",
    decide: "review",
    evidence_field: true,
};

/// The ledgers the inbox, the to-do, the reminders and the dashboard walk, in their order.
/// A module adds its kind here.
pub static REGISTERED: [&LedgerKind; 3] = [&ASSIGNMENTS, &RECTIFICATIONS, &SUBMISSIONS];

/// A typed state of one ledger kind (the enums the store and the API carry).
pub trait LedgerState: Copy + Sized + 'static {
    const KIND: &'static LedgerKind;
    fn code(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;

    /// The state `action` leads to, by the kind's table.
    fn after(self, action: &str) -> Result<Self, Refused> {
        let to = Self::KIND.next(self.code(), action)?;
        Self::from_code(to).ok_or(Refused {
            from: self.code(),
            action: "?",
        })
    }
    fn is_final(self) -> bool {
        Self::KIND.is_final(self.code())
    }
    /// Not closed and today is after the due day, by the kind's final state.
    fn overdue(self, due_on: NaiveDate, today: NaiveDate) -> bool {
        Self::KIND.overdue(self.code(), due_on, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::allows;
    use crate::Role;

    fn kinds() -> [&'static LedgerKind; 3] {
        [&ASSIGNMENTS, &RECTIFICATIONS, &SUBMISSIONS]
    }

    #[test]
    fn every_table_is_closed_over_its_states() {
        for k in kinds() {
            assert!(k.states.contains(&k.initial), "{}", k.entity);
            assert!(k.states.contains(&k.final_state), "{}", k.entity);
            assert_eq!(k.steps_from(k.final_state).count(), 0, "{} final", k.entity);
            for s in k.steps {
                for f in s.from {
                    assert!(k.states.contains(f), "{} {}", k.entity, s.action);
                }
                if let Some(to) = s.to {
                    assert!(k.states.contains(&to), "{} {}", k.entity, s.action);
                }
            }
            // One permission per side, so the side's permission is well defined.
            for s in k.steps {
                assert_eq!(
                    s.permission,
                    k.permission_of(s.side),
                    "{} {}",
                    k.entity,
                    s.action
                );
            }
            assert!(
                k.answer().is_some() && k.decisions().count() >= 2,
                "{}",
                k.entity
            );
            // Every state but the final one is left by some step: nothing gets stuck.
            for st in k.states.iter().filter(|s| **s != k.final_state) {
                assert!(k.steps_from(st).count() > 0, "{} {st}", k.entity);
            }
        }
    }

    #[test]
    fn refusals_name_the_state_and_the_action() {
        assert_eq!(
            ASSIGNMENTS.next("accepted", "report"),
            Err(Refused {
                from: "accepted",
                action: "report"
            })
        );
        assert_eq!(RECTIFICATIONS.next("returned", "submit"), Ok("submitted"));
        assert!(RECTIFICATIONS.next("open", "verify").is_err());
        assert!(SUBMISSIONS.next("accepted", "edit").is_err());
        assert_eq!(SUBMISSIONS.next("returned", "submit"), Ok("submitted"));
        assert_eq!(SUBMISSIONS.next("returned", "edit"), Ok("returned"));
    }

    #[test]
    fn who_is_waited_on_follows_the_policy_table() {
        // a branch answers for its org; the others decide
        let waiting = |k: &LedgerKind, role| {
            let side = if role == Role::Branch {
                Side::Org
            } else {
                Side::Reviewer
            };
            k.waiting_states_of(side, |p| allows(role, p))
        };
        assert_eq!(
            waiting(&ASSIGNMENTS, Role::Branch),
            vec!["assigned", "returned"]
        );
        assert_eq!(waiting(&ASSIGNMENTS, Role::Committee), vec!["reported"]);
        assert!(waiting(&ASSIGNMENTS, Role::Inspector).is_empty());
        assert_eq!(waiting(&RECTIFICATIONS, Role::Inspector), vec!["submitted"]);
        assert_eq!(
            waiting(&RECTIFICATIONS, Role::Branch),
            vec!["open", "returned"]
        );
        assert!(waiting(&RECTIFICATIONS, Role::Committee).is_empty());
        assert!(waiting(&RECTIFICATIONS, Role::Viewer).is_empty());
        assert_eq!(
            waiting(&SUBMISSIONS, Role::Branch),
            vec!["draft", "returned"]
        );
        assert!(
            SUBMISSIONS
                .step("submitted", "return")
                .unwrap()
                .reason_required
        );
    }

    #[test]
    fn overdue_and_late() {
        let d = |s: &str| crate::validate::parse_date(s).unwrap();
        let due = d("2024-06-15");
        assert!(!ASSIGNMENTS.overdue("reported", due, due));
        assert!(ASSIGNMENTS.overdue("reported", due, d("2024-06-16")));
        assert!(!ASSIGNMENTS.overdue("accepted", due, d("2024-07-01")));
        assert!(!late(Some(due), due, d("2024-09-01")));
        assert!(late(None, due, d("2024-06-16")));
    }
}
